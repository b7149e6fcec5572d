//! The protocol-neutral face of a run, for the web page and the CLI.
//!
//! The page must not know any protocol's logic, and it should not be generic over every
//! protocol either. [`Lab`] is an object-safe trait over a [`Timeline`]: play, step, seek, act,
//! and a [`Snapshot`] of plain data (labels, fields, messages in flight) that the page draws.
//! [`LabConfig`] names a run (protocol, sizes, seed, faults, mutant) and [`build`] makes it,
//! checking every field against its limit with a message that names the field.

use alloc::boxed::Box;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use serde::Serialize;

use crate::net::FaultPreset;
use crate::protocol::{
    About, Board, LogDetail, MessageInfo, MsgId, NodeId, NodeView, Protocol, Time, Violation,
};
use crate::registry::{self, KindVisitor, Registered, Setup, SetupVisitor};
use crate::sim::{Input, Sim};
use crate::timeline::Timeline;
use crate::trace::RecordClass;

/// Most events a run on the page may reach.
pub const MAX_EVENTS: u64 = 2_000_000;

/// A user action on the page.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    Crash(NodeId),
    Restart(NodeId),
    Drop(MsgId),
    /// Split into two sides: nodes listed go to side 1, the rest stay on side 0.
    Partition(Vec<NodeId>),
    Heal,
    Cut(NodeId, NodeId),
    Uncut(NodeId, NodeId),
    /// A client request, typed by the user in the protocol's syntax ("20" for Paxos).
    Client(NodeId, String),
}

/// A node as drawn.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NodeSnap {
    pub id: NodeId,
    /// The page's name for the node ("S1", "C1").
    pub name: String,
    pub up: bool,
    /// The node's replicated log, for protocols that have one.
    pub log: Option<LogDetail>,
    pub view: NodeView,
    /// (label, set at, fires at) for each armed timer.
    pub timers: Vec<(&'static str, Time, Time)>,
    /// What the node's own clock reads, when a skew has made it differ from true time (the
    /// node's lease and timeouts are measured on it).
    pub clock: Option<Time>,
}

/// A message copy in flight, as drawn.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FlightSnap {
    pub id: MsgId,
    pub from: NodeId,
    pub to: NodeId,
    pub sent_at: Time,
    pub arrive_at: Time,
    pub kind: &'static str,
    pub summary: String,
    /// Colour key of the payload (a record's key), if any.
    pub hue: Option<u64>,
    /// Names of sender and receiver.
    pub from_name: String,
    pub to_name: String,
}

/// Everything the page draws for one position of the run.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Snapshot {
    pub protocol: &'static str,
    /// How the page draws this protocol.
    pub page: registry::Page,
    pub position: u64,
    pub horizon: u64,
    pub limit: u64,
    pub time: Time,
    pub at_end: bool,
    pub nodes: Vec<NodeSnap>,
    pub flights: Vec<FlightSnap>,
    pub groups: Vec<u8>,
    /// The protocol's own tables (see [`Board`]).
    pub boards: Vec<Board>,
    /// The run's measurements up to this position.
    pub metrics: crate::metrics::Metrics,
    pub cuts: Vec<(NodeId, NodeId)>,
    /// The violation at this position, if the run stopped here.
    pub violation: Option<Violation>,
    /// The violation that stopped this branch, wherever the run is now (so the page can lead
    /// the user to it after stepping back).
    pub found_violation: Option<Violation>,
    pub trace_hash: u64,
}

/// One line of the event log.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EventLine {
    pub event: u64,
    pub time: Time,
    pub class: RecordClass,
    pub text: String,
    /// Records of the same event this line stands for besides itself: a line "… and 92 more"
    /// replaces the records past the per-event limit of [`Lab::log`].
    pub folded: u32,
}

/// A run the page can drive, whatever its protocol.
pub trait Lab {
    fn protocol(&self) -> &'static str;
    fn position(&self) -> u64;
    fn horizon(&self) -> u64;
    fn at_end(&self) -> bool;
    fn time(&self) -> Time;
    /// Virtual time of the next event, if one can run.
    fn next_time(&self) -> Option<Time>;
    fn step(&mut self) -> bool;
    fn seek(&mut self, position: u64);
    /// Apply a user action at the current position (a new branch if in the past).
    fn act(&mut self, action: Action) -> Result<(), String>;
    fn snapshot(&self) -> Snapshot;
    /// Event-log lines of events `from+1 ..= to`.
    /// The event log of events `from+1 ..= to`: each record as a line, but at most `per_event`
    /// lines for one event (a proposer's Prepare to a hundred acceptors is one event); the
    /// records past that are folded into one more line that counts them.
    fn log(&self, from: u64, to: u64, per_event: usize) -> Vec<EventLine>;
    fn trace_hash(&self) -> u64;
    fn violation(&self) -> Option<Violation>;
    fn properties(&self) -> Vec<(&'static str, &'static str)>;
    fn node_count(&self) -> usize;
    fn about(&self) -> About;
    /// The scenario's narration: (from this time on, this line).
    fn narration(&self) -> Vec<(Time, String)>;
    /// The space-time diagram of events `from+1 ..= to`.
    fn diagram(&self, from: u64, to: u64) -> crate::diagram::Diagram;
    /// Client operations invoked from virtual time `since` on (at most `limit`): the index of
    /// the first, the operations, and how many the whole history holds.
    fn history(&self, since: Time, limit: usize) -> (usize, Vec<crate::history::HistoryOp>, usize);
    /// Check the whole client history so far for linearizability.
    fn judge(&self) -> crate::history::Judgement;
    /// The user's actions on this branch, each with the position it was taken at.
    fn actions(&self) -> Vec<(u64, Action)>;
}

/// A timeline of protocol `P`.
pub struct ProtocolLab<P: Protocol> {
    pub timeline: Timeline<P>,
    /// The actions taken on the current branch (a scenario document records them).
    actions: Vec<(u64, Action)>,
}

impl<P: Registered> ProtocolLab<P> {
    pub fn new(sim: Sim<P>, limit: u64) -> Self {
        ProtocolLab { timeline: Timeline::new(sim, limit), actions: Vec::new() }
    }

    fn check_node(&self, n: NodeId) -> Result<(), String> {
        let count = self.timeline.sim().nodes().len();
        if n.index() >= count {
            return Err(format!("there is no node {n} (the cluster has {count})"));
        }
        Ok(())
    }
}

impl<P: Registered> Lab for ProtocolLab<P> {
    fn protocol(&self) -> &'static str {
        self.timeline.sim().proto.name()
    }
    fn position(&self) -> u64 {
        self.timeline.position()
    }
    fn horizon(&self) -> u64 {
        self.timeline.horizon()
    }
    fn at_end(&self) -> bool {
        self.timeline.at_end()
    }
    fn time(&self) -> Time {
        self.timeline.sim().now()
    }
    fn next_time(&self) -> Option<Time> {
        if self.timeline.at_end() {
            return None;
        }
        let p = self.timeline.position();
        if self.timeline.inputs().iter().any(|(i, _)| *i == p) {
            return Some(self.time());
        }
        self.timeline.sim().next_time()
    }
    fn step(&mut self) -> bool {
        self.timeline.step()
    }
    fn seek(&mut self, position: u64) {
        self.timeline.seek(position)
    }
    fn act(&mut self, action: Action) -> Result<(), String> {
        if self.timeline.sim().violation().is_some() {
            return Err("the run stopped at a violation; step back before acting".to_string());
        }
        if self.timeline.position() >= self.timeline.limit() {
            return Err(format!("the run reached its limit of {} events", self.timeline.limit()));
        }
        let n = self.timeline.sim().nodes().len();
        let recorded = action.clone();
        let input = match action {
            Action::Crash(id) => {
                self.check_node(id)?;
                Input::Crash(id)
            }
            Action::Restart(id) => {
                self.check_node(id)?;
                Input::Restart(id)
            }
            Action::Drop(id) => {
                if !self.timeline.sim().flights().any(|f| f.id == id) {
                    return Err(format!("message #{} is no longer in flight", id.0));
                }
                Input::Drop(id)
            }
            Action::Partition(side) => {
                for id in &side {
                    self.check_node(*id)?;
                }
                if side.is_empty() || side.len() >= n {
                    return Err("a partition needs at least one node on each side".to_string());
                }
                let groups = (0..n as u32).map(|i| side.contains(&NodeId(i)) as u8).collect();
                Input::Partition(groups)
            }
            Action::Heal => Input::Heal,
            Action::Cut(a, b) | Action::Uncut(a, b) if a == b => {
                return Err("a link joins two different nodes".to_string());
            }
            Action::Cut(a, b) => {
                self.check_node(a)?;
                self.check_node(b)?;
                Input::Cut(a, b)
            }
            Action::Uncut(a, b) => {
                self.check_node(a)?;
                self.check_node(b)?;
                Input::Uncut(a, b)
            }
            Action::Client(id, text) => {
                self.check_node(id)?;
                let proto = &self.timeline.sim().proto;
                let op = proto.parse_client(&text)?;
                proto.check_client(id, &op)?;
                Input::Client(id, op)
            }
        };
        let at = self.timeline.position();
        self.actions.retain(|(i, _)| *i < at);
        self.actions.push((at, recorded));
        self.timeline.act(input);
        Ok(())
    }
    fn snapshot(&self) -> Snapshot {
        let sim = self.timeline.sim();
        let nodes = sim
            .nodes()
            .iter()
            .zip(sim.status())
            .enumerate()
            .map(|(i, (node, st))| NodeSnap {
                id: NodeId(i as u32),
                name: sim.proto.node_name(NodeId(i as u32)),
                up: st.up,
                log: sim.proto.log_detail(node),
                view: sim.proto.view(node),
                timers: st.timers.iter().map(|t| (P::timer_label(&t.timer), t.set_at, t.fires_at)).collect(),
                clock: Some(sim.local_time(NodeId(i as u32))).filter(|c| *c != sim.now()),
            })
            .collect();
        let flights: Vec<FlightSnap> = sim
            .flights()
            .map(|f| FlightSnap {
                id: f.id,
                from: f.from,
                to: f.to,
                sent_at: f.sent_at,
                arrive_at: f.arrive_at,
                kind: f.msg.kind(),
                summary: f.msg.summary(),
                hue: f.msg.hue(),
                from_name: sim.proto.node_name(f.from),
                to_name: sim.proto.node_name(f.to),
            })
            .collect();
        let order = crate::order::order_by(flights.iter().map(|f| f.id.0));
        let mut slots: Vec<Option<FlightSnap>> = flights.into_iter().map(Some).collect();
        let flights: Vec<FlightSnap> = order.iter().filter_map(|&i| slots[i as usize].take()).collect();
        Snapshot {
            protocol: sim.proto.name(),
            page: P::page(),
            position: self.timeline.position(),
            horizon: self.timeline.horizon(),
            limit: self.timeline.limit(),
            time: sim.now(),
            at_end: self.timeline.at_end(),
            nodes,
            flights,
            groups: sim.groups().to_vec(),
            metrics: sim.metrics().clone(),
            boards: {
                let up: Vec<bool> = sim.status().iter().map(|s| s.up).collect();
                sim.proto.boards(sim.nodes(), &up)
            },
            cuts: sim.cuts().to_vec(),
            violation: sim.violation().cloned(),
            found_violation: self.timeline.found_violation().cloned(),
            trace_hash: sim.trace_hash(),
        }
    }
    fn log(&self, from: u64, to: u64, per_event: usize) -> Vec<EventLine> {
        let proto = &self.timeline.sim().proto;
        let mut out: Vec<EventLine> = Vec::new();
        let mut folds: Vec<usize> = Vec::new();
        let mut shown = 0;
        for r in self.timeline.records(from, to).iter() {
            if matches!(r.kind, crate::trace::RecordKind::State { .. }) {
                continue;
            }
            shown = if out.last().is_some_and(|l| l.event == r.event) { shown + 1 } else { 1 };
            if shown <= per_event {
                let text = r.describe_with(&|n| proto.node_name(n));
                out.push(EventLine { event: r.event, time: r.time, class: r.class(), text, folded: 0 });
            } else if shown == per_event + 1 {
                folds.push(out.len());
                out.push(EventLine {
                    event: r.event,
                    time: r.time,
                    class: r.class(),
                    text: String::new(),
                    folded: 0,
                });
            } else if let Some(last) = out.last_mut() {
                last.folded += 1;
            }
        }
        for i in folds {
            out[i].text = format!("… and {} more", out[i].folded + 1);
        }
        out
    }
    fn trace_hash(&self) -> u64 {
        self.timeline.sim().trace_hash()
    }
    fn violation(&self) -> Option<Violation> {
        self.timeline.sim().violation().cloned()
    }
    fn properties(&self) -> Vec<(&'static str, &'static str)> {
        self.timeline.sim().proto.properties().iter().map(|p| (p.name, p.description)).collect()
    }
    fn node_count(&self) -> usize {
        self.timeline.sim().nodes().len()
    }
    fn about(&self) -> About {
        self.timeline.sim().proto.about()
    }
    fn narration(&self) -> Vec<(Time, String)> {
        self.timeline.sim().proto.narration()
    }
    fn diagram(&self, from: u64, to: u64) -> crate::diagram::Diagram {
        crate::diagram::build(&self.timeline.records(from, to), from, to)
    }
    fn history(&self, since: Time, limit: usize) -> (usize, Vec<crate::history::HistoryOp>, usize) {
        let ops = &self.timeline.sim().history().ops;
        // Operations are in invocation order: find the first one invoked at `since` or later.
        let (mut lo, mut hi) = (0, ops.len());
        while lo < hi {
            let mid = (lo + hi) / 2;
            if ops.get(mid).is_some_and(|o| o.invoke.1 < since) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        // Include a few earlier ones that may still be running.
        let start = lo.saturating_sub(16);
        let shown = (start..ops.len().min(start + limit)).filter_map(|i| ops.get(i).cloned()).collect();
        (start, shown, ops.len())
    }
    fn actions(&self) -> Vec<(u64, Action)> {
        self.actions.clone()
    }
    fn judge(&self) -> crate::history::Judgement {
        let ops: Vec<crate::history::HistoryOp> = self.timeline.sim().history().ops.iter().cloned().collect();
        crate::history::judge(&ops)
    }
}

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
        }
    }

    /// The default run of a protocol named by the user, with the preset the page opens on.
    pub fn opening(protocol: &str) -> Result<Self, String> {
        struct Opening;
        impl KindVisitor for Opening {
            type Output = LabConfig;
            fn visit<P: Registered>(self) -> LabConfig {
                LabConfig {
                    scenario: P::opening_preset().map(String::from),
                    ..LabConfig::new(Setup::default_for(P::NAME).expect("a registered name"))
                }
            }
        }
        registry::by_name(protocol, Opening)
    }

    /// The protocol's stable name.
    pub fn protocol(&self) -> &'static str {
        self.setup.name()
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
    let script = crate::faultscript::expand(&cfg.fault_script, cfg.seed);
    Ok(Sim::new(proto, cfg.faults.config(), cfg.seed).with_fault_script(script))
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
    pub trace_hash: String,
}

/// Run a simulator for up to `events` events, calling `on_event` after each.
pub fn run_sim<P: Protocol>(sim: &mut Sim<P>, events: u64, mut on_event: impl FnMut(&Sim<P>)) -> RunOutcome {
    while sim.events() < events && sim.step() {
        on_event(sim);
    }
    RunOutcome {
        protocol: sim.proto.name(),
        seed: sim.seed,
        events: sim.events(),
        virtual_time_us: sim.now().0,
        violation: sim.violation().cloned(),
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
        fn visit<P: Registered>(self) -> LabConfig {
            let (settings, faults) = P::bench();
            LabConfig { faults, ..LabConfig::new(P::setup(settings)) }
        }
    }
    registry::by_name(protocol, Bench)
}

/// The benchmark workload, shared by `distlab bench` and the browser benchmark so that both
/// measure the same run: consecutive seeds (0, 1, 2, …) of `bench_config(protocol)`, each
/// capped at one million events, until `total` events have run. Returns (events, runs, a hash
/// of all the trace hashes).
pub fn bench_workload(protocol: &str, total: u64) -> Result<(u64, u64, u64), String> {
    struct Capped(u64);
    impl SimVisitor for Capped {
        type Output = (u64, u64);
        fn visit<P: Registered>(self, mut sim: Sim<P>) -> (u64, u64) {
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
