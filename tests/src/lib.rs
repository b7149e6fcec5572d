//! Shared fixtures for the cross-crate tests, so that the native and the browser tests check
//! exactly the same runs against exactly the same golden values.

use distlab_core::lab::{self, LabConfig, RunOutcome, SimVisitor};
use distlab_core::net::FaultPreset;
use distlab_core::protocol::Protocol;
use distlab_core::sim::Sim;

/// The run whose trace hash is pinned on native and in the browser.
pub fn golden_config() -> LabConfig {
    LabConfig { protocol: "paxos".into(), seed: 42, faults: FaultPreset::Heavy, ..LabConfig::default() }
}

/// Events in the golden run.
pub const GOLDEN_EVENTS: u64 = 5_000;

/// The trace hash of the golden run. If a change to the simulator or to Paxos moves it, the
/// change alters every recorded run: update it deliberately, in its own commit.
pub const GOLDEN_HASH: &str = "b740f21576a31f7a";

struct Run(u64);

impl SimVisitor for Run {
    type Output = RunOutcome;
    fn visit<P: Protocol>(self, mut sim: Sim<P>) -> RunOutcome {
        lab::run_sim(&mut sim, self.0, |_| {})
    }
}

/// Run a config for `events` events.
pub fn run(cfg: &LabConfig, events: u64) -> RunOutcome {
    lab::with_sim(cfg, Run(events)).expect("valid config")
}
