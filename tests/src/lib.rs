//! Shared fixtures for the cross-crate tests, so that the native and the browser tests check
//! exactly the same runs against exactly the same golden values.

use distlab_core::lab::{self, LabConfig, RunOutcome, SimVisitor};
use distlab_core::net::FaultPreset;
use distlab_core::registry::{Registered, Setup};
use distlab_core::sim::Sim;

/// The run whose trace hash is pinned on native and in the browser.
pub fn golden_config() -> LabConfig {
    LabConfig { seed: 42, faults: FaultPreset::Heavy, ..LabConfig::default() }
}

/// Events in the golden run.
pub const GOLDEN_EVENTS: u64 = 5_000;

/// The trace hash of the golden run. If a change to the simulator or to Paxos moves it, the
/// change alters every recorded run: update it deliberately, in its own commit. (Last moved
/// when a random swizzle became one clog per node instead of a cut per link: the golden run,
/// under heavy faults, swizzles.)
pub const GOLDEN_HASH: &str = "5013b0f923bdabab";

struct Run(u64);

impl SimVisitor for Run {
    type Output = RunOutcome;
    fn visit<P: Registered>(self, mut sim: Sim<P>) -> RunOutcome {
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
            seed,
            faults,
            mutant: mutant.map(str::to_string),
            ..LabConfig::new(Setup::default_for(protocol).expect("a known protocol"))
        };
        if let Some(v) = run(&cfg, 20_000).violation {
            violations += 1;
            first.get_or_insert(format!("seed {seed}: {} — {}", v.property, v.message));
        }
    }
    (violations, first)
}

/// What a swarm sweep saw.
#[derive(Debug, Default)]
pub struct SwarmReport {
    pub seeds: u64,
    /// Seeds whose run violated a property (including one the search-based checker found in
    /// the client history and the per-event checks missed).
    pub violations: u64,
    /// The first violation, in words, with its seed and configuration.
    pub first: Option<String>,
    /// Properties that fired first, with how often.
    pub properties: std::collections::BTreeMap<String, u64>,
    /// Distinct configurations drawn.
    pub shapes: usize,
    /// Client operations completed, over all runs (the histories are not empty).
    pub operations: u64,
    /// Elections, membership changes and reads the runs saw, to show the sweep is not vacuous.
    pub elections: u64,
}

/// Run `seeds` of swarm-drawn Raft runs (see `distlab_core::swarm`) for `events` events each;
/// every property is checked after every event, and each run's client history also goes
/// through the search-based linearizability checker.
pub fn raft_swarm(
    seeds: std::ops::Range<u64>,
    mutant: Option<distlab_core::raft::Mutant>,
    events: u64,
) -> SwarmReport {
    use distlab_core::raft::Note;
    use distlab_core::trace::RecordKind;
    let mut report = SwarmReport::default();
    let mut shapes = std::collections::BTreeSet::new();
    for seed in seeds {
        let d = distlab_core::swarm::raft(seed, mutant);
        shapes.insert(d.shape.clone());
        let mut sim = Sim::new(d.proto, d.faults, seed).with_fault_script(d.script);
        let mut elections = 0;
        let out = lab::run_sim(&mut sim, events, |s| {
            for r in s.last_records() {
                if let RecordKind::Note { note: Note::Elected { .. } } = &r.kind {
                    elections += 1;
                }
            }
        });
        report.seeds += 1;
        report.elections += elections;
        let ops: Vec<_> = sim.history().ops.iter().cloned().collect();
        report.operations += ops.iter().filter(|o| o.done.is_some()).count() as u64;
        let found = match out.violation {
            Some(v) => Some((v.property, v.message)),
            None if distlab_core::history::judge(&ops).violated() => Some((
                "lincheck".to_string(),
                "the search-based checker found the client history not linearizable; the per-event checks did not".to_string(),
            )),
            None => None,
        };
        if let Some((property, message)) = found {
            report.violations += 1;
            *report.properties.entry(property.clone()).or_default() += 1;
            report.first.get_or_insert(format!("seed {seed} [{}]: {property} — {message}", d.shape));
        }
    }
    report.shapes = shapes.len();
    report
}
