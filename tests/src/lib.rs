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

/// Run seeds `0..seeds` of a protocol's default configuration (20,000 events each) with this
/// mutant and these faults: how many violated a property, and the first violation in words.
pub fn sweep(protocol: &str, mutant: Option<&str>, faults: FaultPreset, seeds: u64) -> (u64, Option<String>) {
    let mut violations = 0;
    let mut first = None;
    for seed in 0..seeds {
        let cfg = LabConfig {
            protocol: protocol.into(),
            seed,
            faults,
            mutant: mutant.map(str::to_string),
            ..LabConfig::default()
        };
        if let Some(v) = run(&cfg, 20_000).violation {
            violations += 1;
            first.get_or_insert(format!("seed {seed}: {} — {}", v.property, v.message));
        }
    }
    (violations, first)
}
