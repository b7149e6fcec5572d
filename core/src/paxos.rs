//! Single-decree Paxos, after Lamport's "Paxos Made Simple" (2001).
//!
//! A set of nodes must agree on one value even though messages are lost, delayed, duplicated
//! and reordered, and nodes crash and restart. Three roles share the work. **Proposers** take a
//! value from a client and try to get it chosen; **acceptors** vote; **learners** find out what
//! was chosen. A value is *chosen* once a majority of acceptors has accepted it in the same
//! ballot. Ballots are pairs (round, proposer id), totally ordered and never reused, so two
//! proposers never issue the same ballot.
//!
//! The algorithm has two phases (§2.2 of the paper):
//!
//! 1. **Prepare (1a/1b).** A proposer picks a ballot `b` higher than any it has seen and sends
//!    `Prepare(b)` to the acceptors. An acceptor that has not promised a higher ballot promises
//!    `b` (it will ignore anything lower from now on) and answers `Promise(b, accepted)`, with
//!    the highest-ballot proposal it has accepted so far, if any.
//! 2. **Accept (2a/2b).** With promises from a majority, the proposer sends `Accept(b, v)`,
//!    where `v` is the value of the highest-ballot proposal among the promises, or its own
//!    value if no acceptor in the majority had accepted anything. An acceptor that has not
//!    promised a ballot above `b` accepts and tells the proposer and the learners `Accepted(b, v)`.
//!
//! Safety rests on one fact: any two majorities intersect. If `v` was chosen in ballot `b`, every
//! majority that answers a later `Prepare` contains an acceptor that accepted `(b, v)` (or a
//! later proposal, which by induction also carries `v`), so every later proposer is forced to
//! propose `v` again. The acceptor's promise and accepted proposal must therefore survive a
//! crash: they are *persistent* here; learned values and the proposer's phase are not.
//!
//! Liveness is not guaranteed (FLP): two proposers can keep pre-empting each other with ever
//! higher ballots ("dueling proposers"). A proposer that is pre-empted waits a random back-off
//! that doubles on each attempt before retrying; with `backoff: false` it retries almost at once
//! and the livelock is easy to watch.
//!
//! The checker follows the paper's safety requirements: only a proposed value may be chosen
//! (`validity`), at most one value is chosen (`agreement`), and a learner learns only a chosen
//! value (`learned-chosen`). Three mutants break the algorithm in the classic ways and the
//! checker catches each of them under fault sweeps.

use crate::echo::Echo;
use crate::nodeset::NodeSet;
use crate::protocol::About;
use alloc::format;
use alloc::string::String;

use alloc::vec::Vec;

use serde::Serialize;

use crate::protocol::{Ctx, MessageInfo, MutantInfo, NodeId, NodeView, PropertyInfo, Protocol, Time};
use crate::rng::Rng;

/// A ballot number: (round, proposer). Ordered by round, then proposer id.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Ballot {
    pub round: u64,
    pub node: u32,
}

impl core::fmt::Display for Ballot {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        if self.round == 0 {
            write!(f, "⊥")
        } else {
            write!(f, "{}.{}", self.round, self.node + 1)
        }
    }
}

/// A proposed value. Clients propose small integers.
pub type Value = u64;

/// Paxos messages (phase 1a, 1b, 2a, 2b, and a rejection that speeds up retries).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Msg {
    Prepare {
        ballot: Ballot,
    },
    Promise {
        ballot: Ballot,
        accepted: Option<(Ballot, Value)>,
    },
    Accept {
        ballot: Ballot,
        value: Value,
    },
    Accepted {
        ballot: Ballot,
        value: Value,
    },
    /// "I have promised a higher ballot": lets a pre-empted proposer back off early.
    Nack {
        ballot: Ballot,
        promised: Ballot,
    },
}

impl MessageInfo for Msg {
    fn kind(&self) -> &'static str {
        match self {
            Msg::Prepare { .. } => "Prepare",
            Msg::Promise { .. } => "Promise",
            Msg::Accept { .. } => "Accept",
            Msg::Accepted { .. } => "Accepted",
            Msg::Nack { .. } => "Nack",
        }
    }
    fn summary(&self) -> String {
        match self {
            Msg::Prepare { ballot } => format!("(b={ballot})"),
            Msg::Promise { ballot, accepted: None } => format!("(b={ballot}, nothing accepted)"),
            Msg::Promise { ballot, accepted: Some((ab, v)) } => {
                format!("(b={ballot}, accepted {v} at {ab})")
            }
            Msg::Accept { ballot, value } => format!("(b={ballot}, v={value})"),
            Msg::Accepted { ballot, value } => format!("(b={ballot}, v={value})"),
            Msg::Nack { ballot, promised } => format!("(b={ballot}, promised {promised})"),
        }
    }
}

/// Proposer timers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Timer {
    /// Give up on the current ballot and start phase 1 again with a higher one.
    Retry,
}

/// A client asks a proposer to propose a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Propose(pub Value);

/// Where a proposer is in the protocol.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub enum Phase {
    /// No client value yet, or waiting to retry.
    #[default]
    Idle,
    /// Sent Prepare, collecting promises.
    Preparing,
    /// Sent Accept, collecting Accepted.
    Accepting,
    /// A majority accepted this proposer's ballot: its value is chosen.
    Decided,
}

/// Proposer state. `max_round` and `value` persist (a proposer must never reuse a ballot).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Proposer {
    pub value: Option<Value>,
    pub ballot: Ballot,
    pub max_round: u64,
    pub phase: Phase,
    pub promises: NodeSet,
    pub highest: Option<(Ballot, Value)>,
    pub proposal: Option<Value>,
    pub accepts: NodeSet,
    pub attempts: u32,
}

/// Acceptor state, all persistent: the promise and the accepted proposal.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Acceptor {
    pub promised: Ballot,
    pub accepted: Option<(Ballot, Value)>,
}

/// Learner state, volatile: Accepted votes seen per ballot, and the learned value.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Learner {
    pub votes: Vec<(Ballot, Value, NodeSet)>,
    pub learned: Option<Value>,
}

/// One node: any combination of the three roles.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Node {
    pub id: NodeId,
    pub proposer: Option<Proposer>,
    pub acceptor: Option<Acceptor>,
    pub learner: Option<Learner>,
}

/// The deliberately broken variants.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Mutant {
    /// An acceptor forgets its promise and accepted proposal on restart (not persisted).
    ForgetPromise,
    /// An acceptor accepts a ballot lower than the one it promised.
    AcceptBelowPromise,
    /// A proposer ignores the accepted values in the promises and proposes its own value.
    IgnorePromisedValue,
}

const MUTANTS: &[MutantInfo] = &[
    MutantInfo {
        name: "forget-promise",
        description: "acceptors lose their promise and accepted value when they restart",
    },
    MutantInfo {
        name: "accept-below-promise",
        description: "acceptors accept a ballot lower than the one they promised",
    },
    MutantInfo {
        name: "ignore-promised-value",
        description: "proposers ignore values reported in promises and propose their own",
    },
];

impl Mutant {
    pub fn parse(name: &str) -> Option<Mutant> {
        match name {
            "forget-promise" => Some(Mutant::ForgetPromise),
            "accept-below-promise" => Some(Mutant::AcceptBelowPromise),
            "ignore-promised-value" => Some(Mutant::IgnorePromisedValue),
            _ => None,
        }
    }
}

const PROPERTIES: &[PropertyInfo] = &[
    PropertyInfo { name: "validity", description: "only a value that a client proposed is chosen" },
    PropertyInfo { name: "agreement", description: "at most one value is chosen" },
    PropertyInfo { name: "learned-chosen", description: "a learner learns only a value that was chosen" },
];

/// Ballots a learner keeps votes for.
const LEARNER_BALLOTS: usize = 8;

/// Most nodes of each role the page and the CLI accept.
pub const MAX_ROLE: usize = NodeSet::CAPACITY;

/// Single-decree Paxos configuration. Node `i` is a proposer if `i < proposers`, an acceptor
/// if `i < acceptors`, a learner if `i < learners`: roles share nodes.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Paxos {
    pub proposers: usize,
    pub acceptors: usize,
    pub learners: usize,
    /// Randomized, doubling back-off before a retry. Off: retry almost at once (livelock).
    pub backoff: bool,
    /// How long a proposer waits for a phase to finish before retrying, microseconds.
    pub phase_timeout_us: u64,
    pub mutant: Option<Mutant>,
    /// A preset's timed steps and narration.
    pub script: Vec<(Time, crate::protocol::ScriptAction<Propose>)>,
    pub narration: Vec<(Time, String)>,
}

/// Paxos presets: (name, title).
pub const SCENARIOS: &[(&str, &str)] = &[
    ("dueling", "Dueling proposers without back-off: preempting each other"),
    ("dueling-backoff", "Dueling proposers with randomized back-off"),
    ("minority-cut-off", "Two of five acceptors cut off: a majority still decides"),
];

/// Apply a Paxos preset to a configuration (the mutant stays).
pub fn apply_scenario(name: &str, base: Paxos) -> Result<Paxos, String> {
    use crate::protocol::{ScriptAction, Target};
    let line = |ms: u64, s: &str| (Time::from_ms(ms), String::from(s));
    let p = match name {
        "dueling" | "dueling-backoff" => {
            let backoff = name == "dueling-backoff";
            Paxos {
                proposers: 3,
                acceptors: 5,
                learners: 3,
                backoff,
                narration: if backoff {
                    alloc::vec![
                        line(0, "Three proposers, S1 to S3, each want their value chosen by five acceptors."),
                        line(80, "Each prepares a ballot; a higher ballot makes the acceptors refuse the lower one's Accept."),
                        line(200, "With randomized back-off, a refused proposer waits a random, growing time; one of them finishes both phases and a value is chosen."),
                    ]
                } else {
                    alloc::vec![
                        line(0, "Three proposers, S1 to S3, each want their value chosen by five acceptors. Back-off is off."),
                        line(80, "Each prepares a ballot; another's higher ballot preempts it before its Accept gets through."),
                        line(300, "Refused, each retries almost at once with a higher ballot and can preempt the others again: ballots climb and the decision comes later (over ten seeds, about 1.7 times later than with back-off). Safe, but slower; with worse timing it never ends."),
                    ]
                },
                ..base
            }
        }
        "minority-cut-off" => Paxos {
            proposers: 2,
            acceptors: 5,
            learners: 3,
            script: alloc::vec![
                (Time::from_ms(1), ScriptAction::Isolate(Target::Node(NodeId(3)), alloc::vec![NodeId(4)])),
                (Time::from_ms(1_000), ScriptAction::Heal),
            ],
            narration: alloc::vec![
                line(0, "Five acceptors. At once, S4 and S5 are cut off from the other three."),
                line(80, "S1, S2 and S3 are a majority of the five: a proposer's Prepare and Accept rounds complete with them alone, and a value is chosen."),
                line(1_000, "The network heals. S4 and S5 missed the decision, and need not know it: any later proposer's Prepare reaches a majority that reports the chosen value, so no other value can be chosen."),
            ],
            ..base
        },
        other => {
            let names: Vec<&str> = SCENARIOS.iter().map(|s| s.0).collect();
            return Err(format!("unknown Paxos scenario \"{other}\"; known: {}", names.join(", ")));
        }
    };
    Ok(p)
}

impl Default for Paxos {
    fn default() -> Self {
        Paxos {
            proposers: 3,
            acceptors: 3,
            learners: 3,
            backoff: true,
            phase_timeout_us: 80_000,
            mutant: None,
            script: Vec::new(),
            narration: Vec::new(),
        }
    }
}

impl Paxos {
    /// Check sizes against the limits; the message names the field.
    pub fn validate(&self) -> Result<(), String> {
        for (name, n) in
            [("proposers", self.proposers), ("acceptors", self.acceptors), ("learners", self.learners)]
        {
            if n == 0 || n > MAX_ROLE {
                return Err(format!("{name} must be between 1 and {MAX_ROLE} (got {n})"));
            }
        }
        if self.phase_timeout_us == 0 || self.phase_timeout_us > 10_000_000 {
            return Err(String::from("phase timeout must be between 1 µs and 10 s"));
        }
        Ok(())
    }

    fn majority(&self) -> u32 {
        (self.acceptors / 2 + 1) as u32
    }

    fn acceptor_ids(&self) -> impl Iterator<Item = NodeId> {
        (0..self.acceptors as u32).map(NodeId)
    }

    fn learner_ids(&self) -> impl Iterator<Item = NodeId> {
        (0..self.learners as u32).map(NodeId)
    }

    fn is(&self, m: Mutant) -> bool {
        self.mutant == Some(m)
    }

    fn start_phase1(&self, p: &mut Proposer, ctx: &mut Ctx<Self>) {
        p.max_round += 1;
        p.ballot = Ballot { round: p.max_round, node: ctx.me().0 };
        p.phase = Phase::Preparing;
        p.promises = NodeSet::default();
        p.highest = None;
        p.proposal = None;
        p.accepts = NodeSet::default();
        for a in self.acceptor_ids() {
            ctx.send(a, Msg::Prepare { ballot: p.ballot });
        }
        let jitter = ctx.rng().range(0, self.phase_timeout_us / 2);
        ctx.set_timer(Timer::Retry, Time(self.phase_timeout_us + jitter));
    }

    fn back_off(&self, p: &mut Proposer, ctx: &mut Ctx<Self>) {
        p.phase = Phase::Idle;
        p.attempts = p.attempts.saturating_add(1);
        let wait = if self.backoff {
            let cap = self.phase_timeout_us << p.attempts.min(5);
            ctx.rng().range(self.phase_timeout_us / 4, cap)
        } else {
            ctx.rng().range(1_000, 3_000)
        };
        ctx.set_timer(Timer::Retry, Time(wait));
    }

    fn proposer_step(&self, p: &mut Proposer, from: NodeId, msg: &Msg, ctx: &mut Ctx<Self>) {
        match *msg {
            Msg::Promise { ballot, accepted } if ballot == p.ballot && p.phase == Phase::Preparing => {
                p.promises.insert(from);
                if let Some((ab, v)) = accepted {
                    if p.highest.is_none_or(|(hb, _)| ab > hb) {
                        p.highest = Some((ab, v));
                    }
                }
                if p.promises.len() >= self.majority() {
                    let own = p.value.unwrap_or_default();
                    let value = match p.highest {
                        Some((_, v)) if !self.is(Mutant::IgnorePromisedValue) => v,
                        _ => own,
                    };
                    p.phase = Phase::Accepting;
                    p.proposal = Some(value);
                    for a in self.acceptor_ids() {
                        ctx.send(a, Msg::Accept { ballot: p.ballot, value });
                    }
                    let jitter = ctx.rng().range(0, self.phase_timeout_us / 2);
                    ctx.set_timer(Timer::Retry, Time(self.phase_timeout_us + jitter));
                }
            }
            Msg::Accepted { ballot, .. } if ballot == p.ballot && p.phase == Phase::Accepting => {
                p.accepts.insert(from);
                if p.accepts.len() >= self.majority() {
                    p.phase = Phase::Decided;
                    ctx.cancel_timer(Timer::Retry);
                }
            }
            Msg::Nack { ballot, promised }
                if ballot == p.ballot && matches!(p.phase, Phase::Preparing | Phase::Accepting) =>
            {
                p.max_round = p.max_round.max(promised.round);
                self.back_off(p, ctx);
            }
            _ => {}
        }
    }

    fn acceptor_step(&self, a: &mut Acceptor, from: NodeId, msg: &Msg, ctx: &mut Ctx<Self>) {
        match *msg {
            Msg::Prepare { ballot } => {
                if ballot >= a.promised {
                    a.promised = ballot;
                    ctx.send(from, Msg::Promise { ballot, accepted: a.accepted });
                } else {
                    ctx.send(from, Msg::Nack { ballot, promised: a.promised });
                }
            }
            Msg::Accept { ballot, value } => {
                if ballot >= a.promised || self.is(Mutant::AcceptBelowPromise) {
                    a.promised = a.promised.max(ballot);
                    a.accepted = Some((ballot, value));
                    ctx.send(from, Msg::Accepted { ballot, value });
                    for l in self.learner_ids() {
                        if l != from {
                            ctx.send(l, Msg::Accepted { ballot, value });
                        }
                    }
                } else {
                    ctx.send(from, Msg::Nack { ballot, promised: a.promised });
                }
            }
            _ => {}
        }
    }

    fn learner_step(&self, l: &mut Learner, from: NodeId, msg: &Msg) {
        if let Msg::Accepted { ballot, value } = *msg {
            let bit = NodeSet::from(from);
            let majority = self.majority();
            match l.votes.iter_mut().rev().find(|(b, _, _)| *b == ballot) {
                Some(entry) => entry.2.insert(from),
                None => {
                    // Keep the most recent ballots only: enough to learn, bounded in size.
                    if l.votes.len() >= LEARNER_BALLOTS {
                        l.votes.remove(0);
                    }
                    l.votes.push((ballot, value, bit));
                }
            }
            if l.learned.is_none() {
                if let Some((_, v, _)) = l.votes.iter().find(|(_, _, bits)| bits.len() >= majority) {
                    l.learned = Some(*v);
                }
            }
        }
    }

    fn fresh(&self, id: NodeId) -> Node {
        let i = id.index();
        Node {
            id,
            proposer: (i < self.proposers).then(Proposer::default),
            acceptor: (i < self.acceptors).then(Acceptor::default),
            learner: (i < self.learners).then(Learner::default),
        }
    }
}

/// The checker's ghost state: everything ever proposed and accepted.
#[derive(Clone, Debug, Default)]
pub struct Monitor {
    pub proposed: Vec<Value>,
    /// For each ballot: its value and the set of acceptors that ever accepted it.
    pub accepted: Vec<(Ballot, Value, NodeSet)>,
    /// The first chosen (ballot, value).
    pub chosen: Option<(Ballot, Value)>,
    /// Every distinct value chosen so far (more than one is a violation).
    pub chosen_values: Vec<Value>,
}

impl Protocol for Paxos {
    type Msg = Msg;
    type Timer = Timer;
    type ClientOp = Propose;
    type Note = ();
    type Node = Node;
    type Monitor = Monitor;

    fn name(&self) -> &'static str {
        "paxos"
    }

    fn nodes(&self) -> usize {
        self.proposers.max(self.acceptors).max(self.learners)
    }

    fn init(&self, ctx: &mut Ctx<Self>) -> Node {
        self.fresh(ctx.me())
    }

    fn on_message(&self, node: &mut Node, from: NodeId, msg: Msg, ctx: &mut Ctx<Self>) {
        if let Some(a) = &mut node.acceptor {
            self.acceptor_step(a, from, &msg, ctx);
        }
        if let Some(p) = &mut node.proposer {
            self.proposer_step(p, from, &msg, ctx);
        }
        if let Some(l) = &mut node.learner {
            self.learner_step(l, from, &msg);
        }
    }

    fn on_timer(&self, node: &mut Node, timer: Timer, ctx: &mut Ctx<Self>) {
        let Timer::Retry = timer;
        if let Some(p) = &mut node.proposer {
            if p.value.is_some() && p.phase != Phase::Decided {
                if matches!(p.phase, Phase::Preparing | Phase::Accepting) {
                    p.attempts = p.attempts.saturating_add(1);
                }
                self.start_phase1(p, ctx);
            }
        }
    }

    fn on_client(&self, node: &mut Node, op: Propose, ctx: &mut Ctx<Self>) {
        if let Some(p) = &mut node.proposer {
            if p.value.is_none() {
                p.value = Some(op.0);
                if p.phase == Phase::Idle {
                    self.start_phase1(p, ctx);
                }
            }
        }
    }

    fn on_restart(&self, crashed: &Node, ctx: &mut Ctx<Self>) -> Node {
        let mut node = self.fresh(crashed.id);
        if let (Some(p), Some(old)) = (&mut node.proposer, &crashed.proposer) {
            p.max_round = old.max_round;
            p.value = old.value;
            if p.value.is_some() && old.phase != Phase::Decided {
                let wait = ctx.rng().range(1_000, self.phase_timeout_us);
                ctx.set_timer(Timer::Retry, Time(wait));
            }
        }
        if !self.is(Mutant::ForgetPromise) {
            node.acceptor.clone_from(&crashed.acceptor);
        }
        node
    }

    fn workload(&self, rng: &mut Rng) -> Vec<(Time, NodeId, Propose)> {
        // Every proposer gets its own value early on, so proposers compete from the start.
        (0..self.proposers as u32)
            .map(|i| (Time(rng.range(0, 10_000)), NodeId(i), Propose(10 * (i as u64 + 1))))
            .collect()
    }

    fn check(
        &self,
        m: &mut Monitor,
        nodes: &[Node],
        touched: Option<NodeId>,
        client: Option<&Propose>,
        _notes: &[()],
    ) -> Result<(), (&'static str, String)> {
        if let Some(Propose(v)) = client {
            if !m.proposed.contains(v) {
                m.proposed.push(*v);
            }
        }
        let Some(t) = touched else { return Ok(()) };
        let node = &nodes[t.index()];
        if let Some(Acceptor { accepted: Some((b, v)), .. }) = node.acceptor {
            let entry = match m.accepted.iter().rposition(|(eb, _, _)| *eb == b) {
                Some(i) => &mut m.accepted[i],
                None => {
                    m.accepted.push((b, v, NodeSet::default()));
                    m.accepted.last_mut().expect("just pushed")
                }
            };
            if entry.1 != v {
                // One ballot, one value: a proposer never reuses a ballot.
                return Err(("agreement", format!("ballot {b} carried two values, {} and {v}", entry.1)));
            }
            entry.2.insert(t);
            if entry.2.len() >= self.majority() {
                if !m.chosen_values.contains(&v) {
                    m.chosen_values.push(v);
                }
                if !m.proposed.contains(&v) {
                    return Err((
                        "validity",
                        format!("{v} was chosen at ballot {b} but no client proposed it"),
                    ));
                }
                match m.chosen {
                    None => m.chosen = Some((b, v)),
                    Some((cb, cv)) if cv != v => {
                        return Err((
                            "agreement",
                            format!("{cv} was chosen at ballot {cb}, then {v} was chosen at ballot {b}"),
                        ));
                    }
                    Some(_) => {}
                }
            }
        }
        if let Some(Learner { learned: Some(v), .. }) = node.learner {
            if !m.chosen_values.contains(&v) {
                return Err(("learned-chosen", format!("{t} learned {v}, which no majority accepted")));
            }
        }
        Ok(())
    }

    fn properties(&self) -> &'static [PropertyInfo] {
        PROPERTIES
    }

    fn about(&self) -> About {
        About {
            title: "single-decree Paxos",
            tagline: "Proposers, acceptors and learners agree on one value despite lost messages, crashes and partitions. Press play, then break things.",
            persistence: "Persistent across a crash: the acceptor's promise and accepted value, the proposer's round. Lost: learned values and the proposer's phase.",
        }
    }

    fn mutants() -> &'static [MutantInfo] {
        MUTANTS
    }

    fn view(&self, node: &Node) -> NodeView {
        let mut roles: Vec<&str> = Vec::new();
        let mut fields: Vec<(String, String)> = Vec::new();
        let mut badge = String::new();
        let mut summary: Vec<String> = Vec::new();
        let mut hue_key = None;
        if let Some(p) = &node.proposer {
            roles.push("proposer");
            let phase = match p.phase {
                Phase::Idle if p.value.is_none() => "idle (no client value)",
                Phase::Idle => "backing off",
                Phase::Preparing => "phase 1: preparing",
                Phase::Accepting => "phase 2: accepting",
                Phase::Decided => "decided",
            };
            fields.push(("phase".into(), phase.into()));
            fields.push(("ballot".into(), format!("{}", p.ballot)));
            if let Some(v) = p.value {
                fields.push(("client value".into(), format!("{v}")));
            }
            if let Some(v) = p.proposal {
                fields.push(("proposing".into(), format!("{v}")));
            }
            let short = match p.phase {
                Phase::Idle if p.value.is_none() => String::from("proposer idle"),
                Phase::Idle => format!("backing off (b {})", p.ballot),
                Phase::Preparing => format!("preparing b {}", p.ballot),
                Phase::Accepting => format!("accepting b {}", p.ballot),
                Phase::Decided => format!("decided at b {}", p.ballot),
            };
            summary.push(short);
        }
        if let Some(a) = &node.acceptor {
            roles.push("acceptor");
            fields.push(("promised".into(), format!("{}", a.promised)));
            let acc = match a.accepted {
                Some((b, v)) => format!("{v} at {b}"),
                None => "nothing".into(),
            };
            fields.push(("accepted".into(), acc));
            if a.promised.round > 0 {
                hue_key = Some(a.promised.node as u64);
            }
            summary.push(format!("promised {}", a.promised));
            summary.push(match a.accepted {
                Some((b, v)) => format!("accepted {v} @ {b}"),
                None => String::from("accepted nothing"),
            });
        }
        if let Some(l) = &node.learner {
            roles.push("learner");
            let learned = match l.learned {
                Some(v) => format!("{v}"),
                None => "—".into(),
            };
            if l.learned.is_some() {
                badge = format!("✓ {learned}");
                summary.push(format!("learned {learned}"));
            }
            fields.push(("learned".into(), learned));
        }
        if badge.is_empty() {
            badge = roles.iter().map(|r| &r[..1]).collect::<Vec<_>>().join("·").to_uppercase();
        }
        let accepts = node.proposer.as_ref().map(|_| String::from("a value to propose, e.g. 42"));
        NodeView { role: roles.join(" · "), badge, fields, summary, hue_key, accepts, actions: Vec::new() }
    }

    fn timer_label(_: &Timer) -> &'static str {
        "retry"
    }

    fn script(&self) -> Vec<(Time, crate::protocol::ScriptAction<Propose>)> {
        self.script.clone()
    }
    fn narration(&self) -> Vec<(Time, String)> {
        self.narration.clone()
    }
    fn parse_client(&self, text: &str) -> Result<Propose, String> {
        parse_value(text)
    }

    fn note_summary(_: &()) -> String {
        String::new()
    }

    fn client_summary(op: &Propose) -> String {
        format!("propose {}", op.0)
    }
}

/// Parse a value typed by the user.
pub fn parse_value(s: &str) -> Result<Propose, String> {
    s.trim()
        .parse::<u64>()
        .ok()
        .filter(|v| *v <= 1_000_000)
        .map(Propose)
        .ok_or_else(|| format!("a value is a whole number from 0 to 1000000 (got {})", Echo(s)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::TimerEffect;
    use alloc::vec;

    /// Paxos's handlers run at time zero.
    type Fx = crate::testing::Effects<Paxos>;

    fn fx() -> Fx {
        Fx::at(Time::ZERO)
    }

    fn b(round: u64, node: u32) -> Ballot {
        Ballot { round, node }
    }

    #[test]
    fn client_value_starts_phase_one_to_every_acceptor() {
        let px = Paxos::default();
        let mut fx = fx();
        let mut n = px.init(&mut fx.ctx(1));
        px.on_client(&mut n, Propose(20), &mut fx.ctx(1));
        let want: Vec<(NodeId, Msg)> =
            (0..3).map(|a| (NodeId(a), Msg::Prepare { ballot: b(1, 1) })).collect();
        assert_eq!(fx.sends, want);
        assert!(matches!(fx.timers.as_slice(), [TimerEffect::Set(Timer::Retry, _)]));
    }

    #[test]
    fn acceptor_promises_higher_and_nacks_lower() {
        let px = Paxos::default();
        let mut fx = fx();
        let mut n = px.init(&mut fx.ctx(0));
        px.on_message(&mut n, NodeId(2), Msg::Prepare { ballot: b(2, 2) }, &mut fx.ctx(0));
        px.on_message(&mut n, NodeId(1), Msg::Prepare { ballot: b(1, 1) }, &mut fx.ctx(0));
        assert_eq!(
            fx.sends,
            vec![
                (NodeId(2), Msg::Promise { ballot: b(2, 2), accepted: None }),
                (NodeId(1), Msg::Nack { ballot: b(1, 1), promised: b(2, 2) }),
            ]
        );
        assert_eq!(n.acceptor.as_ref().map(|a| a.promised), Some(b(2, 2)));
    }

    #[test]
    fn acceptor_accepts_and_tells_proposer_and_learners() {
        let px = Paxos::default();
        let mut fx = fx();
        let mut n = px.init(&mut fx.ctx(0));
        px.on_message(&mut n, NodeId(1), Msg::Accept { ballot: b(1, 1), value: 20 }, &mut fx.ctx(0));
        let acc = Msg::Accepted { ballot: b(1, 1), value: 20 };
        assert_eq!(fx.sends, vec![(NodeId(1), acc.clone()), (NodeId(0), acc.clone()), (NodeId(2), acc)]);
    }

    #[test]
    fn accept_below_promise_is_refused_unless_mutant() {
        for (mutant, accepts) in [(None, false), (Some(Mutant::AcceptBelowPromise), true)] {
            let px = Paxos { mutant, ..Paxos::default() };
            let mut fx = fx();
            let mut n = px.init(&mut fx.ctx(0));
            px.on_message(&mut n, NodeId(2), Msg::Prepare { ballot: b(3, 2) }, &mut fx.ctx(0));
            px.on_message(&mut n, NodeId(1), Msg::Accept { ballot: b(1, 1), value: 20 }, &mut fx.ctx(0));
            assert_eq!(n.acceptor.unwrap().accepted.is_some(), accepts, "mutant {mutant:?}");
        }
    }

    #[test]
    fn proposer_adopts_highest_accepted_value_from_promises() {
        let px = Paxos::default();
        let mut fx = fx();
        let mut n = px.init(&mut fx.ctx(0));
        px.on_client(&mut n, Propose(10), &mut fx.ctx(0));
        fx.sends.clear();
        let bal = b(1, 0);
        px.on_message(
            &mut n,
            NodeId(1),
            Msg::Promise { ballot: bal, accepted: Some((b(0, 2), 30)) },
            &mut fx.ctx(0),
        );
        assert!(fx.sends.is_empty(), "one promise is not a majority");
        px.on_message(&mut n, NodeId(2), Msg::Promise { ballot: bal, accepted: None }, &mut fx.ctx(0));
        let want: Vec<(NodeId, Msg)> =
            (0..3).map(|a| (NodeId(a), Msg::Accept { ballot: bal, value: 30 })).collect();
        assert_eq!(fx.sends, want);
    }

    #[test]
    fn restart_keeps_acceptor_state_unless_forget_mutant() {
        for (mutant, kept) in [(None, true), (Some(Mutant::ForgetPromise), false)] {
            let px = Paxos { mutant, ..Paxos::default() };
            let mut fx = fx();
            let mut n = px.init(&mut fx.ctx(0));
            px.on_message(&mut n, NodeId(1), Msg::Accept { ballot: b(1, 1), value: 20 }, &mut fx.ctx(0));
            let back = px.on_restart(&n, &mut fx.ctx(0));
            assert_eq!(back.acceptor.unwrap().accepted.is_some(), kept);
            assert_eq!(back.learner.unwrap().learned, None, "learned values are volatile");
        }
    }

    /// "Paxos Made Simple" §2.5: a proposer keeps the highest round it tried in stable storage,
    /// so that after a crash it never reuses a ballot, even when no acceptor (itself included)
    /// heard its Prepare and so no promise remembers that round.
    #[test]
    fn a_restarted_proposer_never_reuses_a_ballot() {
        let px = Paxos::default();
        let mut fx = fx();
        let mut n = px.init(&mut fx.ctx(1));
        px.on_client(&mut n, Propose(20), &mut fx.ctx(1));
        assert_eq!(fx.sends[0], (NodeId(0), Msg::Prepare { ballot: b(1, 1) }));
        fx.sends.clear();
        let mut back = px.on_restart(&n, &mut fx.ctx(1));
        assert_eq!(back.acceptor.as_ref().map(|a| a.promised), Some(Ballot::default()), "no promise");
        px.on_timer(&mut back, Timer::Retry, &mut fx.ctx(1));
        let want: Vec<(NodeId, Msg)> =
            (0..3).map(|a| (NodeId(a), Msg::Prepare { ballot: b(2, 1) })).collect();
        assert_eq!(fx.sends, want);
    }

    /// A ballot carries one value; votes for two values in one ballot are not pooled into a
    /// majority for either, they are a violation at once.
    #[test]
    fn checker_flags_two_values_in_one_ballot() {
        let px = Paxos::default();
        let mut m = Monitor::default();
        let mut nodes: Vec<Node> = (0..3).map(|i| px.fresh(NodeId(i))).collect();
        px.check(&mut m, &nodes, None, Some(&Propose(10)), &[]).unwrap();
        px.check(&mut m, &nodes, None, Some(&Propose(20)), &[]).unwrap();
        nodes[0].acceptor.as_mut().unwrap().accepted = Some((b(1, 1), 10));
        assert!(px.check(&mut m, &nodes, Some(NodeId(0)), None, &[]).is_ok());
        nodes[1].acceptor.as_mut().unwrap().accepted = Some((b(1, 1), 20));
        let err = px.check(&mut m, &nodes, Some(NodeId(1)), None, &[]).unwrap_err();
        assert_eq!(err.0, "agreement", "{err:?}");
    }

    #[test]
    fn checker_flags_two_chosen_values() {
        let px = Paxos::default();
        let mut m = Monitor::default();
        let mut nodes: Vec<Node> = (0..3).map(|i| px.fresh(NodeId(i))).collect();
        px.check(&mut m, &nodes, None, Some(&Propose(10)), &[]).unwrap();
        px.check(&mut m, &nodes, None, Some(&Propose(20)), &[]).unwrap();
        let mut accept = |nodes: &mut Vec<Node>, i: usize, bal: Ballot, v: Value| {
            nodes[i].acceptor.as_mut().unwrap().accepted = Some((bal, v));
            px.check(&mut m, nodes, Some(NodeId(i as u32)), None, &[])
        };
        assert!(accept(&mut nodes, 0, b(1, 0), 10).is_ok());
        assert!(accept(&mut nodes, 1, b(1, 0), 10).is_ok());
        assert!(accept(&mut nodes, 1, b(2, 1), 20).is_ok());
        let err = accept(&mut nodes, 2, b(2, 1), 20).unwrap_err();
        assert_eq!(err.0, "agreement");
    }
}
