//! [`LabConfig`], what names a run, and the ways to make one: [`build`] for the page,
//! [`with_sim`] for anything generic over the protocol (the CLI, the sweeps, the benchmark).

use alloc::boxed::Box;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use serde::Serialize;

use super::run::ProtocolLab;
use super::types::{Action, Lab, MAX_EVENTS};
use crate::net::FaultPreset;
use crate::protocol::{Protocol, Violation};
use crate::registry::{self, KindVisitor, Registered, Setup, SetupVisitor};
use crate::sim::Sim;

/// Everything that names a run on the page: same config ⇒ same run.
#[derive(Clone, Debug, PartialEq)]
pub struct LabConfig {
    /// The protocol and its own settings (see [`crate::registry`]).
    pub setup: Setup,
    pub seed: u64,
    pub faults: FaultPreset,
    /// A mutant of the protocol, by name (checked when the run is built).
    pub mutant: Option<String>,
    /// Timed faults laid out by the user (see `faultscript`).
    pub fault_script: Vec<crate::faultscript::Timed>,
    /// A named preset of the protocol (see `raft::scenarios`, `kafka::scenarios`).
    pub scenario: Option<String>,
    pub limit: u64,
    /// An explored run: the explorer's counterexample, every event an action (see
    /// `Sim::explored`). It has no injected faults; a preset gives it only its cluster and
    /// starting state.
    pub explored: bool,
}

impl Default for LabConfig {
    fn default() -> Self {
        LabConfig::new(Setup::default())
    }
}

impl LabConfig {
    /// A run of `setup` with seed 1, no faults, no mutant, no preset.
    pub fn new(setup: Setup) -> Self {
        LabConfig {
            setup,
            seed: 1,
            faults: FaultPreset::None,
            mutant: None,
            fault_script: Vec::new(),
            scenario: None,
            limit: MAX_EVENTS,
            explored: false,
        }
    }

    /// The default run of a protocol named by the user, with the preset the page opens on.
    pub fn opening(protocol: &str) -> Result<Self, String> {
        struct Opening;
        impl KindVisitor for Opening {
            type Output = LabConfig;
            fn visit<P: Registered>(self, wrap: fn(P::Config) -> Setup) -> LabConfig {
                LabConfig {
                    scenario: P::opening_preset().map(String::from),
                    ..LabConfig::new(wrap(Default::default()))
                }
            }
        }
        registry::by_name(protocol, Opening)
    }

    /// The protocol's stable name.
    pub fn protocol(&self) -> &'static str {
        self.setup.name()
    }

    /// This configuration with the settings its preset runs with in place of the free run's:
    /// the same run, as the Run form shows it (a preset sets its own cluster). Unchanged
    /// without a preset, or if it does not build.
    pub fn as_run(&self) -> LabConfig {
        let setup = self.scenario.as_deref().and_then(|p| self.setup.with_preset(p).ok());
        LabConfig { setup: setup.unwrap_or_else(|| self.setup.clone()), ..self.clone() }
    }
}

/// The protocols the page and the CLI know, by name.
pub use crate::registry::{mutants, PROTOCOLS};

/// Named presets of a protocol: (name, title).
pub fn scenarios(protocol: &str) -> Vec<(&'static str, &'static str)> {
    registry::presets(protocol)
}

/// The simulator of a run: the protocol, the network and faults of the preset, the seed, and
/// the fault script (checked against the cluster's size).
fn new_sim<P: Protocol>(proto: P, cfg: &LabConfig) -> Result<Sim<P>, String> {
    crate::faultscript::validate(&cfg.fault_script, proto.nodes())?;
    for (i, t) in cfg.fault_script.iter().enumerate() {
        if let crate::faultscript::FaultStep::Request { node, op } = &t.step {
            let what = |e: String| alloc::format!("fault step {}: {e}", i + 1);
            let parsed = proto.parse_client(op).map_err(what)?;
            proto.check_client(crate::protocol::NodeId(*node), &parsed).map_err(what)?;
        }
    }
    let script = crate::faultscript::expand(&cfg.fault_script, cfg.seed);
    let sim = Sim::new(proto, cfg.faults.config(), cfg.seed).with_fault_script(script);
    if !cfg.explored {
        return Ok(sim);
    }
    // A preset gives an explored run its cluster and starting state (Raft's Figure 8 logs),
    // not its timed steps: the explorer takes every step.
    if cfg.faults != FaultPreset::None || !cfg.fault_script.is_empty() {
        return Err("an explored run has no injected faults and no fault script: the explorer chooses every crash and drop".into());
    }
    Ok(sim.explored())
}

/// The protocol value of a run (its settings, mutant and preset), validated.
pub fn protocol_of<P: Registered>(cfg: &LabConfig, settings: &P::Config) -> Result<P, String> {
    P::make(settings, cfg.mutant.as_deref(), cfg.scenario.as_deref())
}

/// Make the run a config names.
pub fn build(cfg: &LabConfig) -> Result<Box<dyn Lab>, String> {
    if cfg.limit == 0 || cfg.limit > MAX_EVENTS {
        return Err(format!("the event limit must be between 1 and {MAX_EVENTS}"));
    }
    struct Make(u64);
    impl SimVisitor for Make {
        type Output = Box<dyn Lab>;
        fn visit<P: Registered>(self, sim: Sim<P>) -> Box<dyn Lab> {
            Box::new(ProtocolLab::new(sim, self.0))
        }
    }
    with_sim(cfg, Make(cfg.limit))
}

/// Build a run and replay recorded actions on it: each action is taken once the run reaches
/// its position. The run ends at the last action's position.
pub fn replay(cfg: &LabConfig, actions: &[(u64, Action)]) -> Result<Box<dyn Lab>, String> {
    let mut lab = build(cfg)?;
    for (n, (at, action)) in actions.iter().enumerate() {
        if *at < lab.position() {
            return Err(format!("action {} is at event {at}, before the one before it", n + 1));
        }
        while lab.position() < *at {
            if !lab.step() {
                return Err(format!(
                    "action {} is at event {at}, but the run stops at event {}",
                    n + 1,
                    lab.position()
                ));
            }
        }
        lab.act(action.clone()).map_err(|e| format!("action {} (at event {at}): {e}", n + 1))?;
    }
    Ok(lab)
}

/// The outcome of one run without a page: what `distlab run` prints.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RunOutcome {
    pub protocol: &'static str,
    pub seed: u64,
    pub events: u64,
    pub virtual_time_us: u64,
    pub violation: Option<Violation>,
    /// The violation breaks a property the protocol checks but never promised (Kafka's
    /// `acks1-not-lost`): shown only then.
    #[serde(skip_serializing_if = "core::ops::Not::not")]
    pub not_promised: bool,
    pub trace_hash: String,
}

/// Run a simulator for up to `events` events, calling `on_event` after each.
pub fn run_sim<P: Registered>(
    sim: &mut Sim<P>,
    events: u64,
    mut on_event: impl FnMut(&Sim<P>),
) -> RunOutcome {
    while sim.events() < events && sim.step() {
        on_event(sim);
    }
    RunOutcome {
        protocol: P::NAME,
        seed: sim.seed,
        events: sim.events(),
        virtual_time_us: sim.now().0,
        violation: sim.violation().cloned(),
        not_promised: sim.violation().is_some_and(|v| !sim.promised(&v.property)),
        trace_hash: format!("{:016x}", sim.trace_hash()),
    }
}

/// Something to do with a simulator of whichever protocol a config names: a generic function
/// that `with_sim` calls with the concrete type.
pub trait SimVisitor {
    type Output;
    fn visit<P: Registered>(self, sim: Sim<P>) -> Self::Output;
}

/// Build the simulator a config names (with the network and faults of its preset) and hand it
/// to `visitor`.
pub fn with_sim<V: SimVisitor>(cfg: &LabConfig, visitor: V) -> Result<V::Output, String> {
    struct Make<'a, V>(&'a LabConfig, V);
    impl<V: SimVisitor> SetupVisitor for Make<'_, V> {
        type Output = Result<V::Output, String>;
        fn visit<P: Registered>(self, settings: &P::Config) -> Self::Output {
            let sim = new_sim(protocol_of::<P>(self.0, settings)?, self.0)?;
            Ok(self.1.visit(sim))
        }
    }
    cfg.setup.visit(Make(cfg, visitor))
}

/// The configuration each protocol is benchmarked with (its registration's `bench`). Paxos: 3
/// nodes under heavy faults (without faults a run decides and ends within a hundred events).
/// Raft: 5 servers and 4 clients issuing requests back to back, no faults: steady client load.
pub fn bench_config(protocol: &str) -> Result<LabConfig, String> {
    struct Bench;
    impl KindVisitor for Bench {
        type Output = LabConfig;
        fn visit<P: Registered>(self, wrap: fn(P::Config) -> Setup) -> LabConfig {
            let (settings, faults) = P::bench();
            LabConfig { faults, ..LabConfig::new(wrap(settings)) }
        }
    }
    registry::by_name(protocol, Bench)
}

/// The benchmark workload, shared by `distlab bench` and the browser benchmark so that both
/// measure the same run: consecutive seeds (0, 1, 2, …) of `bench_config(protocol)`, each
/// capped at one million events, until `total` events have run. Returns (events, runs, a hash
/// of all the trace hashes). Runs keep no records, as the page's timeline does (the trace
/// hash is the same either way).
pub fn bench_workload(protocol: &str, total: u64) -> Result<(u64, u64, u64), String> {
    struct Capped(u64);
    impl SimVisitor for Capped {
        type Output = (u64, u64);
        fn visit<P: Registered>(self, mut sim: Sim<P>) -> (u64, u64) {
            sim.keep_records = false;
            while sim.events() < self.0 && sim.step() {}
            (sim.events(), sim.trace_hash())
        }
    }
    let mut cfg = bench_config(protocol)?;
    let (mut events, mut runs, mut hash) = (0u64, 0u64, 0u64);
    while events < total {
        cfg.seed = runs;
        let (n, h) = with_sim(&cfg, Capped((total - events).min(1_000_000)))?;
        if n == 0 {
            return Err(format!("{protocol} ran no events"));
        }
        events += n;
        runs += 1;
        hash = (hash.rotate_left(9) ^ h).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
    Ok((events, runs, hash))
}

/// A lab already run to `position` events, for measuring how fast a step back is. (Built
/// through `with_sim`, so it covers every protocol, including those without a page yet.)
pub fn long_run(protocol: &str, position: u64) -> Result<Box<dyn Lab>, String> {
    struct Make(u64);
    impl SimVisitor for Make {
        type Output = Box<dyn Lab>;
        fn visit<P: Registered>(self, sim: Sim<P>) -> Box<dyn Lab> {
            let mut lab = ProtocolLab::new(sim, MAX_EVENTS);
            lab.seek(self.0);
            Box::new(lab)
        }
    }
    with_sim(&bench_config(protocol)?, Make(position))
}
