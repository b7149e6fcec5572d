//! Named Raft scenarios: a configuration and a script, each step narrated in one line.

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use super::types::*;
use crate::protocol::{NodeId, Time};

/// A scenario preset: its name, a one-line title, and its narration (time, line).
pub struct ScenarioInfo {
    pub name: &'static str,
    pub title: &'static str,
}

pub const SCENARIOS: &[ScenarioInfo] = &[];

/// Apply a named scenario to a configuration.
pub fn apply(name: &str, r: Raft) -> Result<Raft, String> {
    let _ = (&r, Time::ZERO, NodeId(0), Vec::<u8>::new(), vec![0u8]);
    Err(alloc::format!("unknown Raft scenario {name:?}"))
}
