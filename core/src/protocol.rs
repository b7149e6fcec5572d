//! The contract between a protocol and the simulator.
//!
//! A protocol is a set of node state machines. The simulator calls a handler with one input (a
//! message, a timer, a client request, a restart) and a [`Ctx`] that *records* what the handler
//! wants to happen: messages to send, timers to set or cancel, observations for the property
//! checker. The handler never sends, sleeps or reads a clock; the simulator applies the
//! recorded effects after the handler returns. This is the sans-IO shape of tikv/raft-rs and
//! stateright: the same handler code runs under the simulator, in tests that assert its exact
//! effects, and in the browser. What survives a crash is a type of its own ([`Protocol::Durable`]): a restart is handed only
//! that. How a protocol is shown (the page, the event log, the diagram) is a trait of its own,
//! [`Present`], apart from the logic.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::Debug;
use core::hash::Hash;

use serde::{Deserialize, Serialize};

use crate::rng::Rng;

pub use crate::ids::{MsgId, NodeId, Time};
pub use crate::present::{
    About, Board, BoardCell, BoardRow, Chip, ChipState, Enclosure, LogDetail, NodeView, Opinions, Tone,
};

/// What the user interface needs to know about a message type.
pub trait MessageInfo {
    /// Short name of the message type ("Prepare", "AppendEntries").
    fn kind(&self) -> &'static str;
    /// One-line description of the fields, for tooltips and the event log.
    fn summary(&self) -> String;
    /// A colour key for the message's payload (Kafka: the record's key), if it has one.
    fn hue(&self) -> Option<u64> {
        None
    }
}

/// A violated property: which one, and what was seen.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Violation {
    /// Index of the event after which the property failed (1-based: the n-th event executed).
    pub event: u64,
    /// Stable name of the property (`"agreement"`).
    pub property: String,
    /// What the checker saw, in words.
    pub message: String,
}

/// A named safety property, for listing on the page and in the CLI.
#[derive(Clone, Copy, Debug)]
pub struct PropertyInfo {
    pub name: &'static str,
    pub description: &'static str,
}

/// A deliberately broken protocol variant, for showing that the checkers catch bugs.
#[derive(Clone, Copy, Debug)]
pub struct MutantInfo {
    pub name: &'static str,
    pub description: &'static str,
}

/// Which node a scripted step acts on, resolved when the step runs.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Target {
    Node(NodeId),
    /// The current leader (per [`Protocol::leader`]); the step does nothing if there is none.
    Leader,
    /// The lowest-numbered live fault target that is not the leader.
    Follower,
    /// The leader among these nodes (one Raft group of several, by [`Protocol::leader_rank`]);
    /// the step does nothing if none of them leads.
    LeaderAmong(Vec<NodeId>),
}

/// A timed step of a scenario's script.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(bound = "")]
pub enum ScriptAction<C: Clone + core::fmt::Debug + Hash + PartialEq + Eq + Serialize> {
    Crash(Target),
    Restart(Target),
    /// Restart every crashed node.
    RestartAll,
    /// Put the target, and the listed nodes, on one side of a partition; the rest on the other.
    Isolate(Target, Vec<NodeId>),
    Heal,
    /// Skew the target's clock by this percentage (see `sim::Clock`): +50 makes it run slow.
    Skew(Target, i32),
    /// A client request or operator command to the target.
    Client(Target, C),
}

/// What the simulator knows beside the nodes, for [`Protocol::check_world`]: the ground truth
/// a node cannot see.
#[derive(Clone, Copy, Debug)]
pub struct World<'a, M> {
    /// The true time of the event.
    pub now: Time,
    /// Whether each node is up.
    pub up: &'a [bool],
    /// When each node last crashed or restarted (zero: never).
    pub changed_at: &'a [Time],
    /// How many crashes and restarts there have been so far.
    pub up_epoch: u64,
    /// When a partition, cut or clog was last made or healed (zero: never).
    pub shape_at: Time,
    /// The network now: each node's side of a partition, its clogs, and the one-way cuts
    /// (see [`World::link_up`]).
    pub groups: &'a [u8],
    pub clogs: &'a [u8],
    pub cuts: &'a alloc::collections::BTreeSet<(NodeId, NodeId)>,
    /// Whether the network is whole now: no partition, cut or clog in force.
    pub whole: bool,
    /// The message lost in this event (by the network's loss, a partition or cut, the user,
    /// or because its receiver was down).
    pub dropped: Option<&'a Lost<M>>,
    /// Whether any node's clock has been skewed, or any link slowed, so far in the run.
    pub skewed: bool,
    pub slowed: bool,
    /// An explored run (`Sim::explored`): time is only the order of events, so any message may
    /// arrive after any timeout. A property that assumes delays shorter than the timeouts is
    /// not judged in one (`Explorable::unjudged` names them).
    pub explored: bool,
}

/// A message the network delivers (`Protocol::delivered`): who sent it to whom, when it was
/// sent (an answer is sent when its request is delivered, so the two times tie them), and now.
pub struct Delivered<'a, M> {
    pub from: NodeId,
    pub to: NodeId,
    /// A checker that reads this tells the explorer what it reads (`Explorable::flight_mark`):
    /// explored states are merged without send times.
    pub sent: Time,
    pub now: Time,
    pub msg: &'a M,
}

impl<M> World<'_, M> {
    /// Whether `n` is up (a node the world does not know is not).
    pub fn is_up(&self, n: NodeId) -> bool {
        self.up.get(n.index()).copied().unwrap_or(false)
    }

    /// The last fault: the latest crash or restart, or change of the network's shape.
    /// Whether the link from `a` to `b` is up now (as `Sim::link_up`).
    pub fn link_up(&self, a: NodeId, b: NodeId) -> bool {
        link_open(self.groups, self.clogs, self.cuts, a, b)
    }
    /// Whether time in this run is the model's own: not an explored run (where time is only the
    /// order of events), no clock skewed, no link slowed. A property that bounds a delay is
    /// judged only then.
    pub fn timed(&self) -> bool {
        !(self.explored || self.skewed || self.slowed)
    }
    pub fn last_fault(&self) -> Time {
        self.changed_at.iter().copied().chain([self.shape_at]).max().unwrap_or(Time::ZERO)
    }
}

impl<'a, M> World<'a, M> {
    /// A world at `now` with no fault in it but the nodes' `up` and `changed_at` (tests of a
    /// checker's judgement build one).
    #[cfg(test)]
    pub(crate) fn quiet(now: Time, up: &'a [bool], changed_at: &'a [Time]) -> Self {
        World {
            now,
            up,
            changed_at,
            up_epoch: 0,
            shape_at: Time::ZERO,
            groups: &[],
            clogs: &[],
            cuts: &NO_CUTS,
            whole: true,
            dropped: None,
            skewed: false,
            slowed: false,
            explored: false,
        }
    }
}

#[cfg(test)]
static NO_CUTS: alloc::collections::BTreeSet<(NodeId, NodeId)> = alloc::collections::BTreeSet::new();

/// A clogged node's outgoing links are cut.
pub const CLOG_OUT: u8 = 1;
/// A clogged node's incoming links are cut.
pub const CLOG_IN: u8 = 2;

/// Whether the link from `a` to `b` is up, given each node's side of a partition, its clogs and
/// the one-way cuts (a node outside them: up).
pub(crate) fn link_open(
    groups: &[u8],
    clogs: &[u8],
    cuts: &alloc::collections::BTreeSet<(NodeId, NodeId)>,
    a: NodeId,
    b: NodeId,
) -> bool {
    let side = |n: NodeId| groups.get(n.index());
    let clog = |n: NodeId| clogs.get(n.index()).copied().unwrap_or(0);
    side(a) == side(b) && clog(a) & CLOG_OUT == 0 && clog(b) & CLOG_IN == 0 && !cuts.contains(&(a, b))
}

/// A message lost, for [`World`].
#[derive(Clone, Debug)]
pub struct Lost<M> {
    pub from: NodeId,
    pub to: NodeId,
    /// Whether it was lost because its receiver was down.
    pub to_down: bool,
    pub msg: M,
}

/// What a handler's effects are made of: its messages, timers and notes. Every [`Protocol`] is
/// one; a protocol run inside another (Raft inside the coordination service) is one without
/// being a whole protocol, and the outer one translates its effects (see [`Ctx::nest`]).
pub trait Effects {
    type Msg: Clone + Debug + Hash + PartialEq + MessageInfo + Serialize;
    type Timer: Clone + Copy + Debug + Hash + PartialEq + Eq + Serialize;
    /// Facts handlers report to the checker ("client acknowledged write 7").
    type Note: Clone + Debug + Hash + Serialize;
}

pub struct Ctx<'a, P: Effects> {
    pub(crate) me: NodeId,
    pub(crate) now: Time,
    pub(crate) rng: &'a mut Rng,
    pub(crate) sends: &'a mut Vec<(NodeId, P::Msg)>,
    pub(crate) timers: &'a mut Vec<TimerEffect<P::Timer>>,
    pub(crate) notes: &'a mut Vec<P::Note>,
}

/// A timer change recorded by a handler.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TimerEffect<T> {
    /// Arm (or re-arm) the timer to fire after the given delay.
    Set(T, Time),
    /// Disarm the timer if it is armed.
    Cancel(T),
}

/// Nodes `first..first + size`, which a protocol embedded in this one numbers `0..size`; any
/// other node `n` is `OUTSIDE + n` there, so an answer to a node outside still finds it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Members {
    pub first: u32,
    pub size: u32,
}

impl Members {
    /// Where the embedded protocol's numbering of nodes outside its group starts.
    pub const OUTSIDE: u32 = 1 << 20;
    /// Every node, numbered as it is: no translation.
    pub const ALL: Members = Members { first: 0, size: Members::OUTSIDE };

    /// The group's number for this node.
    pub fn local(self, n: NodeId) -> NodeId {
        if self == Members::ALL {
            n
        } else if (self.first..self.first + self.size).contains(&n.0) {
            NodeId(n.0 - self.first)
        } else {
            NodeId(Members::OUTSIDE + n.0)
        }
    }

    /// The group's nodes, as the simulator numbers them.
    pub fn nodes(self) -> impl Iterator<Item = NodeId> {
        (0..self.size).map(move |i| self.global(NodeId(i)))
    }

    /// The node the group's number `n` stands for.
    pub fn global(self, n: NodeId) -> NodeId {
        if self == Members::ALL {
            n
        } else if n.0 >= Members::OUTSIDE {
            NodeId(n.0 - Members::OUTSIDE)
        } else {
            NodeId(self.first + n.0)
        }
    }
}

impl<'a, P: Effects> Ctx<'a, P> {
    /// The node this handler runs on.
    pub fn me(&self) -> NodeId {
        self.me
    }
    /// Current virtual time. Protocols that depend on clocks (lease reads) read it here and say so.
    pub fn now(&self) -> Time {
        self.now
    }
    /// Send a message (the network decides whether and when it arrives).
    pub fn send(&mut self, to: NodeId, msg: P::Msg) {
        self.sends.push((to, msg));
    }
    /// Arm a timer; a timer of the same kind that is already armed is replaced.
    pub fn set_timer(&mut self, timer: P::Timer, after: Time) {
        self.timers.push(TimerEffect::Set(timer, after));
    }
    /// Disarm a timer.
    pub fn cancel_timer(&mut self, timer: P::Timer) {
        self.timers.push(TimerEffect::Cancel(timer));
    }
    /// Draw from the simulator's seeded generator, the only randomness a handler may use.
    pub fn rng(&mut self) -> &mut Rng {
        self.rng
    }
    /// Tell the property checker something only the protocol knows (a client acknowledgement).
    pub fn note(&mut self, note: P::Note) {
        self.notes.push(note);
    }
    /// This context as one of another `Effects` with the same messages, timers and notes
    /// (`Raft`'s handlers are those of `raft::Group<Kv>`): nothing is copied.
    pub fn cast<Q: Effects<Msg = P::Msg, Timer = P::Timer, Note = P::Note>>(&mut self) -> Ctx<'_, Q> {
        Ctx {
            me: self.me,
            now: self.now,
            rng: &mut *self.rng,
            sends: &mut *self.sends,
            timers: &mut *self.timers,
            notes: &mut *self.notes,
        }
    }
    /// Run a handler of a protocol `Q` embedded in this node's (the coordination service's
    /// Raft), on the same node, clock and random source, and translate what it did into this
    /// protocol's effects: its messages with `msg`, its timers with `timer`; its notes are
    /// returned with the handler's result, for the caller to act on.
    pub fn nest<Q: Effects, R>(
        &mut self,
        msg: impl Fn(Q::Msg) -> P::Msg,
        timer: impl Fn(Q::Timer) -> P::Timer,
        f: impl FnOnce(&mut Ctx<Q>) -> R,
    ) -> (R, Vec<Q::Note>) {
        self.nest_in(Members::ALL, msg, timer, f)
    }
    /// As [`Ctx::nest`], for a group of this protocol's nodes that the embedded protocol
    /// numbers from 0 (one of the sharded database's Raft groups): the handler runs as
    /// `members.local(me)`, and what it sends to a node of its own numbering reaches
    /// `members.global(to)`.
    pub fn nest_in<Q: Effects, R>(
        &mut self,
        members: Members,
        msg: impl Fn(Q::Msg) -> P::Msg,
        timer: impl Fn(Q::Timer) -> P::Timer,
        f: impl FnOnce(&mut Ctx<Q>) -> R,
    ) -> (R, Vec<Q::Note>) {
        let (mut sends, mut timers, mut notes) = (Vec::new(), Vec::new(), Vec::new());
        let mut inner = Ctx {
            me: members.local(self.me),
            now: self.now,
            rng: &mut *self.rng,
            sends: &mut sends,
            timers: &mut timers,
            notes: &mut notes,
        };
        let r = f(&mut inner);
        self.sends.extend(sends.into_iter().map(|(to, m)| (members.global(to), msg(m))));
        self.timers.extend(timers.into_iter().map(|t| match t {
            TimerEffect::Set(t, after) => TimerEffect::Set(timer(t), after),
            TimerEffect::Cancel(t) => TimerEffect::Cancel(timer(t)),
        }));
        (r, notes)
    }
}

/// A protocol: its node state, its messages, and its handlers. `self` is the protocol's
/// configuration (cluster size, options, an optional mutant) and is immutable during a run.
/// The leader among nodes with these `Protocol::leader_rank`s: the up node with the highest
/// rank, the highest id among equals.
pub fn leader_of(ranks: impl Iterator<Item = Option<u128>>, up: &[bool]) -> Option<NodeId> {
    ranks
        .zip(up)
        .enumerate()
        .filter_map(|(i, (rank, up))| rank.filter(|_| *up).map(|r| (r, i)))
        .max()
        .map(|(_, i)| NodeId(i as u32))
}

pub trait Protocol: Effects + Clone + Debug + Hash + 'static {
    type ClientOp: Clone + Debug + Hash + PartialEq + Eq + Serialize;
    /// All of a node's state, persistent and volatile.
    type Node: Clone + Debug + Hash;
    /// What survives a node's crash, and all that its restart sees. Protocols keep it in a
    /// struct of its own inside the node (raft-rs's `HardState`, stateright's `Storage`), so
    /// that a restart which forgets a persistent field, or reads a volatile one, does not
    /// compile.
    type Durable: Clone + Debug + Hash;
    /// The checker's ghost state (values proposed, values chosen so far).
    type Monitor: Clone + Debug + Default + Hash;

    /// Number of nodes in the simulation (servers and any simulated clients).
    fn nodes(&self) -> usize;
    /// Nodes `0..fault_targets()` may be crashed or cut off by injected faults; the rest (such
    /// as simulated clients) only by the user or by partitions.
    fn fault_targets(&self) -> usize {
        self.nodes()
    }
    /// A fresh node, with its initial timers recorded in `ctx`.
    fn init(&self, ctx: &mut Ctx<Self>) -> Self::Node;
    /// A message arrived.
    fn on_message(&self, node: &mut Self::Node, from: NodeId, msg: Self::Msg, ctx: &mut Ctx<Self>);
    /// A timer fired.
    fn on_timer(&self, node: &mut Self::Node, timer: Self::Timer, ctx: &mut Ctx<Self>);
    /// A client request arrived at this node.
    fn on_client(&self, node: &mut Self::Node, op: Self::ClientOp, ctx: &mut Ctx<Self>);
    /// The part of a node that survives its crash: what its stable storage holds.
    fn durable(node: &Self::Node) -> Self::Durable;
    /// The node crashed and comes back with only what survived: rebuild the rest from it, and
    /// record the timers a freshly started node would arm.
    fn on_restart(&self, durable: Self::Durable, ctx: &mut Ctx<Self>) -> Self::Node;
    /// Client requests the scenario issues on its own, as (time, node, op).
    fn workload(&self, rng: &mut Rng) -> Vec<(Time, NodeId, Self::ClientOp)>;
    /// Check every safety property after an event. `touched` is the node whose handler ran
    /// (if any), `client` the client request of this event, `notes` what handlers reported.
    fn check(
        &self,
        monitor: &mut Self::Monitor,
        nodes: &[Self::Node],
        touched: Option<NodeId>,
        client: Option<&Self::ClientOp>,
        notes: &[Self::Note],
    ) -> Result<(), (&'static str, String)>;
    /// Check what needs the world beside the nodes (which nodes are up and since when, what
    /// the network lost, the true time): properties that speak of real crashes and real loss,
    /// as a failure detector's do. Called after `check`, after every event and every lost
    /// message; most protocols need none.
    fn check_world(
        &self,
        _monitor: &mut Self::Monitor,
        _nodes: &[Self::Node],
        _touched: Option<NodeId>,
        _notes: &[Self::Note],
        _world: &World<'_, Self::Msg>,
    ) -> Result<(), (&'static str, String)> {
        Ok(())
    }
    /// The network delivers a message, before its receiver's handler takes it: what arrived,
    /// first hand, for a checker that judges a node by what it was told (a failure detector
    /// that was answered). Most checkers need only the nodes.
    fn delivered(&self, _monitor: &mut Self::Monitor, _nodes: &[Self::Node], _d: &Delivered<'_, Self::Msg>) {}
    /// The safety properties `check` enforces.
    fn properties(&self) -> &'static [PropertyInfo];
    /// Those of `properties` the protocol does not promise, checked to show what a setting
    /// trades away (Kafka's acks=1 losing an acknowledged record): the badge lists them apart,
    /// and their breaking is shown as a demonstration, not as the protocol's safety failing.
    fn not_promised(&self) -> &'static [&'static str] {
        &[]
    }
    /// The mutants this protocol offers.
    fn mutants() -> &'static [MutantInfo];
    /// A digest that changes whenever the node's state does, for the trace's state-change
    /// records. The default hashes everything; a protocol with large state (a long log) may
    /// hash a summary that still changes on every change it makes.
    fn state_digest(&self, node: &Self::Node) -> u64 {
        crate::hash::digest(node)
    }
    /// Whether the protocol has one leader at a time (then the metrics count the time without
    /// one, and elections).
    fn has_leader(&self) -> bool {
        false
    }
    /// How a node claims to lead, for protocols that have a leader: `Some(rank)` while it
    /// believes it leads (a Raft term, a Multi-Paxos ballot). The simulator asks it of a node
    /// after each of its handlers and keeps the answer, so that finding the leader after every
    /// event does not read every node.
    fn leader_rank(&self, _node: &Self::Node) -> Option<u128> {
        None
    }
    /// The current leader, for protocols that have one (scripts target it): the up node with
    /// the highest `leader_rank`, the highest id among equals.
    fn leader(&self, nodes: &[Self::Node], up: &[bool]) -> Option<NodeId> {
        leader_of(nodes.iter().map(|n| self.leader_rank(n)), up)
    }
    /// Timed steps the scenario performs by itself.
    fn script(&self) -> Vec<(Time, ScriptAction<Self::ClientOp>)> {
        Vec::new()
    }
    /// Parse a client request typed by the user.
    fn parse_client(&self, text: &str) -> Result<Self::ClientOp, String>;
    /// Whether `node` takes this request (the page says why not, rather than ignoring it).
    fn check_client(&self, _node: NodeId, _op: &Self::ClientOp) -> Result<(), String> {
        Ok(())
    }
    /// The client-history line a note stands for (for `distlab run --history` and the
    /// linearizability checker), if any.
    fn history_line(_note: &Self::Note) -> Option<crate::lincheck::HistoryLine> {
        None
    }
}

/// How a protocol is presented: how the page introduces it and draws its nodes, logs and
/// tables, and how the event log and the diagram put its timers, requests and notes in words.
/// Apart from [`Protocol`], which holds what the simulator, the checker, the CLI and the parsers
/// need; the page's code asks for `Present` (through `registry::Registered`).
pub trait Present: Protocol {
    /// How the page introduces the protocol.
    fn about(&self) -> About;
    /// How the page shows a node.
    fn view(&self, node: &Self::Node) -> NodeView;
    /// How the page shows a crashed node. `restarted` is the node a restart would rebuild from
    /// what survived the crash (`Protocol::durable`, then `on_restart`), so a crashed node can
    /// show only durable facts. The default is that node's view, said to be down; a protocol
    /// whose role names a state (a Raft leader) says so with [`NodeView::down`].
    fn down_view(&self, restarted: &Self::Node) -> NodeView {
        self.view(restarted).down(false)
    }
    /// The node's replicated log, for protocols that have one.
    fn log_detail(&self, _node: &Self::Node) -> Option<LogDetail> {
        None
    }
    /// The protocol's own tables for the page, built from every node's state.
    fn boards(&self, _nodes: &[Self::Node], _up: &[bool]) -> Vec<Board> {
        Vec::new()
    }
    /// The boxes a `Drawing::Boxes` page draws around its nodes, built from every node's state.
    fn enclosures(&self, _nodes: &[Self::Node], _up: &[bool]) -> Vec<Enclosure> {
        Vec::new()
    }
    /// What every node believes of `about` (if None, of the node the protocol finds most in
    /// doubt), for protocols whose nodes judge each other (SWIM). `up` is whether each is up.
    fn opinions(&self, _nodes: &[Self::Node], _up: &[bool], _about: Option<NodeId>) -> Option<Opinions> {
        None
    }
    /// The name of a node as the page shows it ("S1", or "C1" for a client).
    fn node_name(&self, id: NodeId) -> String {
        alloc::format!("{id}")
    }
    /// The preset's lesson: its narration, one step per moment (see [`crate::lesson`]).
    fn narration(&self) -> Vec<crate::lesson::Step> {
        Vec::new()
    }
    /// A human label for a timer ("election", "retry").
    fn timer_label(timer: &Self::Timer) -> &'static str;
    /// One-line description of a client request.
    fn client_summary(op: &Self::ClientOp) -> String;
    /// One-line description of a checker note.
    fn note_summary(note: &Self::Note) -> String {
        alloc::format!("{note:?}")
    }
}
