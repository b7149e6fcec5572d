//! The simulator's identities: a node, a moment of virtual time, a message in flight.

use serde::{Deserialize, Serialize};

/// A node in the simulated cluster, numbered from 0.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct NodeId(pub u32);

impl NodeId {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

impl core::fmt::Display for NodeId {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "S{}", self.0 + 1)
    }
}

/// Virtual time in microseconds since the start of the run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Time(pub u64);

impl Time {
    pub const ZERO: Time = Time(0);

    pub fn from_ms(ms: u64) -> Time {
        Time(ms * 1000)
    }
    pub fn as_ms_f64(self) -> f64 {
        self.0 as f64 / 1000.0
    }
    pub fn plus(self, d: Time) -> Time {
        Time(self.0.saturating_add(d.0))
    }
}

/// Identity of one message copy in flight (a duplicate gets its own id).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct MsgId(pub u64);
