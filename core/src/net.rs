//! Network and fault settings: one plain struct each, with named presets.
//!
//! [`FaultConfig`] says how messages travel (latency range, loss, duplication) and which faults
//! the simulator injects on its own, drawn from its seeded generator: node
//! crashes with a later restart, partitions that later heal, one-way link cuts, and "swizzle"
//! clogging (FoundationDB's: cut nodes off one by one, then let them back in a random order).
//! The user can inject the same faults by hand; those arrive as recorded inputs instead.

use serde::{Deserialize, Serialize};

/// Everything about the network and the faults, in one plain struct.
///
/// The first four fields say how messages travel: latency is drawn uniformly per message copy
/// (so messages reorder), and each copy may be lost or duplicated. The rest say which faults
/// the simulator injects on its own; `interval_us_max == 0` turns injection off.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FaultConfig {
    /// Shortest one-way delay, in microseconds of virtual time.
    pub latency_us_min: u64,
    /// Longest one-way delay, in microseconds of virtual time.
    pub latency_us_max: u64,
    /// Probability that a message copy is lost in the network.
    pub loss: f64,
    /// Probability that a sent message arrives twice (the copy has its own delay).
    pub duplicate: f64,
    /// Shortest gap between two injected faults (microseconds).
    pub interval_us_min: u64,
    /// Longest gap between two injected faults (microseconds); 0 disables injection.
    pub interval_us_max: u64,
    /// Relative weight of "crash a random live node (it restarts later)".
    pub crash_weight: u32,
    /// Relative weight of "split the cluster into two random sides (it heals later)".
    pub partition_weight: u32,
    /// Relative weight of "cut one random link in one direction (it heals later)".
    pub cut_weight: u32,
    /// Relative weight of "swizzle": cut nodes off one by one, then restore in random order.
    pub swizzle_weight: u32,
    /// How long a crashed node stays down, microseconds (min, max).
    pub down_us: (u64, u64),
    /// How long a partition, cut or swizzle lasts, microseconds (min, max).
    pub heal_us: (u64, u64),
    /// Never crash a node while this many or more are already down.
    pub max_down: usize,
}

impl Default for FaultConfig {
    fn default() -> Self {
        FaultPreset::None.config()
    }
}

/// The named fault levels of the CLI's `--faults` and the page's fault menu.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FaultPreset {
    /// A perfect network and no injected faults.
    None,
    /// Occasional loss, duplication, crashes and partitions.
    Light,
    /// Frequent crashes, restarts, partitions, cuts, loss and duplication.
    Heavy,
}

impl FaultPreset {
    pub const ALL: [FaultPreset; 3] = [FaultPreset::None, FaultPreset::Light, FaultPreset::Heavy];

    pub fn name(self) -> &'static str {
        match self {
            FaultPreset::None => "none",
            FaultPreset::Light => "light",
            FaultPreset::Heavy => "heavy",
        }
    }

    pub fn parse(s: &str) -> Option<FaultPreset> {
        FaultPreset::ALL.into_iter().find(|p| p.name() == s)
    }

    pub fn config(self) -> FaultConfig {
        match self {
            FaultPreset::None => FaultConfig {
                latency_us_min: 5_000,
                latency_us_max: 15_000,
                loss: 0.0,
                duplicate: 0.0,
                interval_us_min: 0,
                interval_us_max: 0,
                crash_weight: 0,
                partition_weight: 0,
                cut_weight: 0,
                swizzle_weight: 0,
                down_us: (0, 0),
                heal_us: (0, 0),
                max_down: 0,
            },
            FaultPreset::Light => FaultConfig {
                latency_us_min: 5_000,
                latency_us_max: 15_000,
                loss: 0.02,
                duplicate: 0.01,
                interval_us_min: 300_000,
                interval_us_max: 900_000,
                crash_weight: 2,
                partition_weight: 2,
                cut_weight: 1,
                swizzle_weight: 0,
                down_us: (100_000, 400_000),
                heal_us: (100_000, 400_000),
                max_down: 1,
            },
            FaultPreset::Heavy => FaultConfig {
                latency_us_min: 1_000,
                latency_us_max: 30_000,
                loss: 0.10,
                duplicate: 0.05,
                interval_us_min: 5_000,
                interval_us_max: 60_000,
                crash_weight: 4,
                partition_weight: 2,
                cut_weight: 2,
                swizzle_weight: 1,
                down_us: (5_000, 120_000),
                heal_us: (10_000, 150_000),
                max_down: usize::MAX,
            },
        }
    }
}
