//! The discrete-event simulator: virtual time, the network, faults, and the one seeded `Rng`.
//!
//! A run is a sequence of *events*. Each event is one item taken from the queue (a message
//! delivery, a timer, a client request, an injected fault) or one user input (crash, restart,
//! drop, partition). Items are ordered by (time, sequence number), so ties break in the order
//! they were scheduled and the run is a pure function of the seed, the configuration and the
//! inputs. Every event appends [`Record`]s to the trace and folds them into a running hash.
//! After every event the protocol's properties are checked; the first violation stops the run
//! (the page may let it go on past it: [`Sim::run_past_violations`]). A property the protocol
//! checks but never promised (`Protocol::not_promised`) is recorded without stopping it, and a
//! promised one that breaks later replaces it as the verdict.
//!
//! Over 600 lines: on purpose. It is one type, `Sim`,
//! whose event loop, network, faults, restarts and checks all act on the same private queue,
//! timers and trace, in an order that the golden trace hashes pin. Kept in one file, that order
//! reads top to bottom; the parts that stand alone already live elsewhere (`net`, `trace`,
//! `faultscript`, `metrics`, `history`).

use alloc::collections::BTreeSet;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use serde::Serialize;

use crate::hash::digest;
use crate::net::FaultConfig;
use crate::protocol::{Ctx, MsgId, NodeId, Protocol, ScriptAction, Target, Time, TimerEffect, Violation};
use crate::queue::{EventQueue, Ticket};
use crate::rng::Rng;
use crate::trace::{DropReason, KindRef, Record, RecordRef};

/// A user action, recorded as an input so that the run stays replayable.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(bound = "")]
pub enum Input<P: Protocol> {
    Crash(NodeId),
    Restart(NodeId),
    /// Drop one message copy that is in flight.
    Drop(MsgId),
    /// Put each node in the numbered group; messages cross no group boundary.
    Partition(Vec<u8>),
    /// Remove every partition and link cut.
    Heal,
    /// Cut the link in one direction only.
    Cut(NodeId, NodeId),
    /// Restore a one-way link.
    Uncut(NodeId, NodeId),
    /// A client request to a node.
    Client(NodeId, P::ClientOp),
    /// Deliver this message copy now, ahead of its time (an explored run's step: see
    /// [`Sim::explored`]). A copy for a crashed node is lost.
    Deliver(MsgId),
    /// Fire this armed timer of the node now, ahead of its time (an explored run's step).
    Fire(NodeId, P::Timer),
    /// Put another copy of a message in flight, with an id of its own.
    Duplicate(MsgId),
}

use crate::protocol::link_open;
pub use crate::protocol::{CLOG_IN, CLOG_OUT};

/// How far virtual time leaps before each input of an explored run: far beyond every timing
/// limit a protocol's settings accept (the longest is SWIM's heartbeat silence: 1,000 periods
/// of 10 s), so that when an explored step happens every timeout a node measures has expired,
/// whatever the path to it (see [`Sim::explored`]). A million seconds.
pub const EXPLORE_LEAP: Time = Time(1_000_000_000_000);

#[derive(Clone, Debug)]
enum Pending<P: Protocol> {
    Deliver {
        id: MsgId,
        from: NodeId,
        to: NodeId,
        msg: P::Msg,
        sent_at: Time,
        lost: bool,
    },
    Timer {
        node: NodeId,
        timer: P::Timer,
        arm: u64,
    },
    Client {
        node: NodeId,
        op: P::ClientOp,
    },
    FaultTick,
    Restart {
        node: NodeId,
    },
    Uncut {
        from: NodeId,
        to: NodeId,
    },
    /// The end of a random swizzle's clog of one node (its outgoing links).
    Unclog {
        node: NodeId,
    },
    HealGroups {
        epoch: u64,
    },
    Script {
        step: usize,
    },
    /// A step of the user's fault script (see `faultscript`).
    Fault {
        step: usize,
    },
}

/// An armed timer.
///
/// Its item in the queue may be an earlier arming's: a timer armed again for a later time
/// (a Raft follower pushes its election timeout back on every AppendEntries) keeps the item it
/// has, and when that item's time comes it is queued again for the timer's time, under the
/// sequence number of the latest arming, which is where moving it at once would have put it;
/// only then is it an event. That spares the queue a move at every arming.
#[derive(Clone, Debug)]
pub struct ArmedTimer<T> {
    pub timer: T,
    pub set_at: Time,
    pub fires_at: Time,
    arm: u64,
    /// Its item in the queue, taken out when the timer is disarmed: queued at `queued_at`
    /// (no later than `fires_at`) with the sequence number `carrier` of the arming that
    /// queued it.
    ticket: Ticket,
    carrier: u64,
    queued_at: Time,
}

/// Disarm the timers `which` selects: off the node's list, and their items out of the queue
/// (where they would only have been skipped as stale when their time came).
fn disarm<P: Protocol>(
    queue: &mut EventQueue<Pending<P>>,
    timers: &mut Vec<ArmedTimer<P::Timer>>,
    which: impl Fn(&ArmedTimer<P::Timer>) -> bool,
) {
    timers.retain(|a| {
        if which(a) {
            queue.remove(a.ticket);
        }
        !which(a)
    });
}

/// Whether a node runs, and its armed timers.
#[derive(Clone, Debug)]
pub struct NodeStatus<T> {
    pub up: bool,
    pub timers: Vec<ArmedTimer<T>>,
}

/// A message copy in flight, as the page draws it.
#[derive(Clone, Debug, PartialEq)]
pub struct Flight<'a, M> {
    pub id: MsgId,
    pub from: NodeId,
    pub to: NodeId,
    pub msg: &'a M,
    pub sent_at: Time,
    pub arrive_at: Time,
}

/// A node's own clock. Handlers read time only through it (`Ctx::now`), so a skewed clock is
/// skewed everywhere the node reads time: timers, leases, session timeouts. `pct` is how much
/// longer (or, negative, shorter) a true interval is than the node measures it: at +50 the
/// node's clock runs at two thirds of the true rate, so its timers fire late and it believes
/// less time has passed than has. The clock reads `local_at` at true time `true_at`, the last
/// time its rate changed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Clock {
    pub true_at: Time,
    pub local_at: Time,
    pub pct: i32,
}

impl Clock {
    /// The node's reading at true time `now`.
    pub fn read(&self, now: Time) -> Time {
        if self.pct == 0 {
            // A true clock: the same as below, without a 128-bit division on every event.
            return Time(self.local_at.0.saturating_add(now.0.saturating_sub(self.true_at.0)));
        }
        let elapsed = now.0.saturating_sub(self.true_at.0) as u128;
        let local = elapsed * 100 / (100 + self.pct.max(-99) as i128) as u128;
        Time(self.local_at.0.saturating_add(local.min(u64::MAX as u128) as u64))
    }
    /// The true interval in which the node measures `local`.
    pub fn true_duration(&self, local: Time) -> Time {
        if self.pct == 0 {
            return local;
        }
        let t = local.0 as u128 * (100 + self.pct.max(-99) as i128) as u128 / 100;
        Time(t.min(u64::MAX as u128) as u64)
    }
}

/// Everything that makes up a run at one instant. Cloning it is a checkpoint.
#[derive(Clone, Debug)]
pub struct Sim<P: Protocol> {
    pub proto: P,
    pub faults: FaultConfig,
    pub seed: u64,
    now: Time,
    events: u64,
    rng: Rng,
    queue: EventQueue<Pending<P>>,
    seq: u64,
    next_msg: u64,
    nodes: Vec<P::Node>,
    /// Each node's `state_digest` as of its last change: nodes change only in handlers and
    /// restarts, which update it, so a handler needs to hash the node once, after it ran.
    digests: Vec<u64>,
    status: Vec<NodeStatus<P::Timer>>,
    groups: Vec<u8>,
    group_epoch: u64,
    /// One-way cuts in force: a set, since a swizzle of a crowd cuts hundreds of thousands of
    /// links at once (a list made each cut and each delivery scan them all).
    cuts: BTreeSet<(NodeId, NodeId)>,
    /// Clogged nodes: [`CLOG_OUT`] every link from the node is cut, [`CLOG_IN`] every link to
    /// it. A swizzle clogs hundreds of a crowd's nodes; as cuts, that was hundreds of thousands
    /// of links in every checkpoint.
    clogs: Vec<u8>,
    /// Whether the partition in force splits the nodes, and how many nodes are clogged: with
    /// no cut either, the network is whole (`World::whole`).
    split: bool,
    clogged: usize,
    dropped: Vec<MsgId>,
    monitor: P::Monitor,
    violation: Option<Violation>,
    /// Whether events go on after the first violation (the page lets a learner step past it
    /// to see what it leads to; the first one stays the run's verdict).
    past_violations: bool,
    hash: u64,
    sends: Vec<(NodeId, P::Msg)>,
    timer_fx: Vec<TimerEffect<P::Timer>>,
    notes: Vec<P::Note>,
    records: Vec<Record<P>>,
    /// Whether each event's records are kept for [`Sim::last_records`] (on unless turned off).
    /// The trace hash is the same either way; a run whose records nobody reads (the page's
    /// timeline, sweeps, the benchmark) saves copying every message, request and note into
    /// them.
    pub keep_records: bool,
    /// Whether each node is up (mirrors `status`, for `Protocol::leader`).
    up: Vec<bool>,
    /// Each node's `Protocol::leader_rank` as of its last handler, and the leader they and
    /// `up` make (`None` inside: to be found again, as a rank or `up` changed).
    ranks: Vec<Option<u128>>,
    leader: Option<Option<NodeId>>,
    /// The fault script's primitives, and the links slowed and clocks skewed so far.
    fault_script: alloc::rc::Rc<Vec<(Time, crate::faultscript::Primitive)>>,
    slow: Vec<(NodeId, NodeId, u32)>,
    clocks: Vec<Clock>,
    metrics: crate::metrics::Metrics,
    history: crate::history::History,
    /// An explored run (see [`Sim::explored`]).
    explore: bool,
    /// What a checker of the whole world sees beside the nodes (`Protocol::check_world`):
    /// when each node last crashed or restarted, the message the network or the user lost in
    /// this event, and whether any clock was skewed or link slowed so far.
    changed_at: Vec<Time>,
    /// When a partition, cut or clog was last made or healed.
    shape_at: Time,
    /// How many crashes and restarts so far (a checker rescans who is up only when it moves).
    up_epoch: u64,
    event_drop: Option<crate::protocol::Lost<P::Msg>>,
    skewed: bool,
    slowed: bool,
}

impl<P: Protocol> Sim<P> {
    /// A new run: nodes initialised at time zero, the workload and fault injection scheduled.
    pub fn new(proto: P, faults: FaultConfig, seed: u64) -> Sim<P> {
        let n = proto.nodes();
        let proto_has_leader = proto.has_leader();
        let mut sim = Sim {
            proto,
            faults,
            seed,
            now: Time::ZERO,
            events: 0,
            rng: Rng::new(seed),
            queue: EventQueue::default(),
            seq: 0,
            next_msg: 0,
            nodes: Vec::with_capacity(n),
            digests: Vec::with_capacity(n),
            status: (0..n).map(|_| NodeStatus { up: true, timers: Vec::new() }).collect(),
            groups: vec![0; n],
            group_epoch: 0,
            cuts: BTreeSet::new(),
            clogs: vec![0; n],
            split: false,
            clogged: 0,
            dropped: Vec::new(),
            monitor: P::Monitor::default(),
            violation: None,
            past_violations: false,
            hash: 0,
            sends: Vec::new(),
            timer_fx: Vec::new(),
            notes: Vec::new(),
            records: Vec::new(),
            keep_records: true,
            up: vec![true; n],
            ranks: Vec::with_capacity(n),
            leader: None,
            fault_script: Default::default(),
            slow: Vec::new(),
            clocks: vec![Clock::default(); n],
            metrics: crate::metrics::Metrics { has_leader: proto_has_leader, ..Default::default() },
            history: Default::default(),
            explore: false,
            changed_at: vec![Time::ZERO; n],
            shape_at: Time::ZERO,
            up_epoch: 0,
            event_drop: None,
            skewed: false,
            slowed: false,
        };
        for i in 0..n {
            let me = NodeId(i as u32);
            let node = {
                let mut ctx = Ctx {
                    me,
                    now: Time::ZERO,
                    rng: &mut sim.rng,
                    sends: &mut sim.sends,
                    timers: &mut sim.timer_fx,
                    notes: &mut sim.notes,
                };
                sim.proto.init(&mut ctx)
            };
            sim.digests.push(sim.proto.state_digest(&node));
            sim.ranks.push(sim.proto.leader_rank(&node));
            sim.nodes.push(node);
            sim.apply_effects(me);
        }
        let work = sim.proto.workload(&mut sim.rng);
        for (at, node, op) in work {
            sim.schedule(at, Pending::Client { node, op });
        }
        for (step, (at, _)) in sim.proto.script().into_iter().enumerate() {
            sim.schedule(at, Pending::Script { step });
        }
        sim.schedule_fault_tick();
        sim.records.clear();
        sim
    }

    /// Give the run a fault script (before its first event): each primitive happens at its time.
    pub fn with_fault_script(mut self, script: Vec<(Time, crate::faultscript::Primitive)>) -> Self {
        for (step, (at, _)) in script.iter().enumerate() {
            self.schedule(*at, Pending::Fault { step });
        }
        self.fault_script = alloc::rc::Rc::new(script);
        self
    }

    /// This run as the explorer drives it: every event is an input that says what happens
    /// (deliver this message, fire that timer, crash, request), in any order, whatever the
    /// times the queue holds. Its scheduled client requests, scripts and injected faults are
    /// taken off the queue; only messages in flight and armed timers stay. Before each input,
    /// time leaps by [`EXPLORE_LEAP`], so time is only the order of events; and the random
    /// source is drawn afresh from the seed and the input's content, so the same state and the
    /// same choice always lead to the same state, whichever path led there.
    pub fn explored(mut self) -> Self {
        self.explore = true;
        while self
            .queue
            .remove_where(|p| !matches!(p, Pending::Deliver { .. } | Pending::Timer { .. }))
            .is_some()
        {}
        self
    }

    /// Whether this is an explored run (see [`Sim::explored`]).
    pub fn is_explored(&self) -> bool {
        self.explore
    }

    /// The property checker's ghost state.
    pub fn monitor(&self) -> &P::Monitor {
        &self.monitor
    }

    /// In an explored run, draw the random source afresh from the seed and `salt`, a digest of
    /// what happens next.
    fn reseed(&mut self, salt: u64) {
        if self.explore {
            self.rng = Rng::new(digest(&(self.seed, salt)));
        }
    }

    /// Virtual time of the last event.
    pub fn now(&self) -> Time {
        self.now
    }
    /// Number of events executed so far.
    pub fn events(&self) -> u64 {
        self.events
    }
    /// Running hash of every trace record so far.
    pub fn trace_hash(&self) -> u64 {
        self.hash
    }
    /// The first property violation, if any.
    pub fn violation(&self) -> Option<&Violation> {
        self.violation.as_ref()
    }
    pub fn nodes(&self) -> &[P::Node] {
        &self.nodes
    }
    pub fn status(&self) -> &[NodeStatus<P::Timer>] {
        &self.status
    }
    /// Partition group of each node (all equal when the network is whole).
    pub fn groups(&self) -> &[u8] {
        &self.groups
    }
    /// One-way link cuts in force.
    pub fn cuts(&self) -> impl Iterator<Item = (NodeId, NodeId)> + '_ {
        self.cuts.iter().copied()
    }

    /// Clogged nodes, each with whether its outgoing and its incoming links are cut.
    pub fn clogs(&self) -> impl Iterator<Item = (NodeId, bool, bool)> + '_ {
        let flags = self.clogs.iter().enumerate().filter(|(_, c)| **c != 0);
        flags.map(|(i, c)| (NodeId(i as u32), c & CLOG_OUT != 0, c & CLOG_IN != 0))
    }
    /// Records produced by the last event (none while [`Sim::keep_records`] is off).
    pub fn last_records(&self) -> &[Record<P>] {
        &self.records
    }
    /// Let events go on after the first violation (it stays the one [`Sim::violation`] reports).
    pub fn run_past_violations(&mut self) {
        self.past_violations = true;
    }

    /// True when a violation stopped the run: no more events or inputs.
    pub fn halted(&self) -> bool {
        self.violation.as_ref().is_some_and(|v| self.promised(&v.property)) && !self.past_violations
    }

    /// True when nothing more can happen: a violation stopped the run or the queue is empty.
    pub fn done(&self) -> bool {
        self.halted() || self.next_time().is_none()
    }

    /// Time of the next live event in the queue, if any.
    pub fn next_time(&self) -> Option<Time> {
        // Every event ends by taking stale items off the head (`drop_stale_head`).
        self.queue.peek().map(|(at, _)| at)
    }

    /// Message copies in flight, in no particular order.
    pub fn flights(&self) -> impl Iterator<Item = Flight<'_, P::Msg>> {
        self.queue.iter().filter_map(move |(at, item)| match item {
            Pending::Deliver { id, from, to, msg, sent_at, .. } if !self.dropped.contains(id) => {
                Some(Flight { id: *id, from: *from, to: *to, msg, sent_at: *sent_at, arrive_at: at })
            }
            _ => None,
        })
    }

    /// Is the link from `a` to `b` up right now?
    pub fn link_up(&self, a: NodeId, b: NodeId) -> bool {
        link_open(&self.groups, &self.clogs, &self.cuts, a, b)
    }

    /// Execute the next event. Returns false when nothing could run.
    pub fn step(&mut self) -> bool {
        if self.halted() {
            return false;
        }
        self.records.clear();
        loop {
            let Some((at, item)) = self.queue.pop() else {
                return false;
            };
            if self.is_stale(&item) {
                continue;
            }
            self.events += 1;
            self.now = at;
            self.execute(item);
            self.finish_event();
            return true;
        }
    }

    /// Let virtual time pass up to `t` without an event, so that an input applied next happens
    /// at `t`. Time never moves backwards, nor past the next scheduled event.
    pub fn advance_to(&mut self, t: Time) {
        let limit = self.next_time().unwrap_or(t);
        self.now = self.now.max(t.min(limit));
    }

    /// Apply a user input as one event at the current time.
    pub fn apply_input(&mut self, input: Input<P>) {
        self.records.clear();
        self.events += 1;
        if self.explore {
            self.now = self.now.plus(EXPLORE_LEAP);
        }
        let mut touched = None;
        let mut client = None;
        match input {
            Input::Crash(n) => self.crash(n),
            Input::Restart(n) => {
                self.reseed(digest(&n));
                self.restart(n);
                touched = Some(n);
            }
            Input::Drop(id) => {
                let found = self.flights().find(|f| f.id == id).map(|f| (f.from, f.to, f.msg.clone()));
                if let Some((from, to, msg)) = found {
                    if self.explore {
                        // Nothing in an explored run runs in time order: take it off the queue.
                        self.queue.remove_where(|p| matches!(p, Pending::Deliver { id: i, .. } if *i == id));
                    } else {
                        self.dropped.push(id);
                    }
                    self.record(KindRef::Drop { id, from, to, reason: DropReason::User });
                    self.event_drop = Some(crate::protocol::Lost { from, to, to_down: false, msg });
                }
            }
            Input::Deliver(id) => {
                let live = !self.dropped.contains(&id);
                let found =
                    self.queue.remove_where(|p| matches!(p, Pending::Deliver { id: i, .. } if *i == id));
                if let Some((_, item)) = found.filter(|_| live) {
                    if let Pending::Deliver { from, to, msg, .. } = &item {
                        self.reseed(digest(&(from, to, msg)));
                    }
                    // Records the delivery, runs the handler and checks.
                    self.execute(item);
                    return self.finish_event();
                }
            }
            Input::Fire(n, timer) => {
                let armed =
                    self.status.get(n.index()).and_then(|s| s.timers.iter().find(|a| a.timer == timer));
                if let Some((arm, ticket)) = armed.map(|a| (a.arm, a.ticket)) {
                    self.queue.remove(ticket);
                    self.reseed(digest(&(n, timer)));
                    self.execute(Pending::Timer { node: n, timer, arm });
                    return self.finish_event();
                }
            }
            Input::Duplicate(of) => {
                let copy = self.queue.iter().find_map(|(at, p)| match p {
                    Pending::Deliver { id, .. } if *id == of && !self.dropped.contains(id) => {
                        Some((at, p.clone()))
                    }
                    _ => None,
                });
                if let Some((deliver_at, Pending::Deliver { from, to, msg, sent_at, lost, .. })) = copy {
                    let id = MsgId(self.next_msg);
                    self.next_msg += 1;
                    self.record(KindRef::Duplicate { id, of, deliver_at });
                    self.schedule(deliver_at, Pending::Deliver { id, from, to, msg, sent_at, lost });
                }
            }
            Input::Partition(groups) => {
                if groups.len() == self.groups.len() {
                    self.partition(groups);
                }
            }
            Input::Heal => self.heal_all(),
            Input::Cut(a, b) => self.cut(a, b),
            Input::Uncut(a, b) => self.uncut(a, b),
            Input::Client(n, op) => {
                self.reseed(digest(&(n, &op)));
                client = self.client(n, op);
                if client.is_some() {
                    touched = Some(n);
                }
            }
        }
        self.check(touched, client.as_ref());
        self.finish_event();
    }

    /// Take stale items (disarmed timers, dropped copies, old heals) off the head of the
    /// queue, and queue again for its time a timer whose item comes before it, so that [`Sim::next_time`] is the time of the next event that will run: the
    /// page paces its animation by it, and a stale head made it run an event far ahead of the
    /// drawn time. `step` would skip the same items, so the run does not change.
    fn drop_stale_head(&mut self) {
        while let Some((_, item)) = self.queue.peek() {
            let stale = match item {
                Pending::Timer { node, arm, .. } => {
                    !self.status[node.index()].timers.iter().any(|t| t.arm == *arm)
                }
                Pending::Deliver { id, .. } => self.dropped.contains(id),
                Pending::HealGroups { epoch } => *epoch != self.group_epoch,
                _ => false,
            };
            if !stale {
                return;
            }
            if let Some((_, item)) = self.queue.pop() {
                self.is_stale(&item);
            }
        }
    }

    fn is_stale(&mut self, item: &Pending<P>) -> bool {
        match item {
            Pending::Timer { node, timer, arm } => {
                let timers = &mut self.status[node.index()].timers;
                if timers.iter().any(|t| t.arm == *arm) {
                    return false;
                }
                // The item of a timer armed again for later: queue it for the timer's time.
                if let Some(t) = timers.iter_mut().find(|t| t.carrier == *arm) {
                    let item = Pending::Timer { node: *node, timer: *timer, arm: t.arm };
                    t.ticket = self.queue.push(t.fires_at, t.arm, item);
                    (t.carrier, t.queued_at) = (t.arm, t.fires_at);
                }
                true
            }
            Pending::Deliver { id, .. } => {
                if let Some(pos) = self.dropped.iter().position(|d| d == id) {
                    self.dropped.swap_remove(pos);
                    true
                } else {
                    false
                }
            }
            Pending::HealGroups { epoch } => *epoch != self.group_epoch,
            _ => false,
        }
    }

    fn execute(&mut self, item: Pending<P>) {
        match item {
            Pending::Deliver { id, from, to, msg, lost, sent_at } => {
                let reason = if lost {
                    Some(DropReason::Loss)
                } else if !self.status[to.index()].up {
                    Some(DropReason::Crashed)
                } else if !self.link_up(from, to) {
                    Some(DropReason::Partition)
                } else {
                    None
                };
                if let Some(reason) = reason {
                    self.record(KindRef::Drop { id, from, to, reason });
                    let to_down = reason == DropReason::Crashed;
                    self.event_drop = Some(crate::protocol::Lost { from, to, to_down, msg });
                    self.check_world(None, &[]);
                    return;
                }
                self.record(KindRef::Deliver { id, from, to, msg: &msg });
                let d = crate::protocol::Delivered { from, to, sent: sent_at, now: self.now, msg: &msg };
                self.proto.delivered(&mut self.monitor, &self.nodes, &d);
                self.run_handler(to, |p, node, ctx| p.on_message(node, from, msg, ctx));
                self.check(Some(to), None);
            }
            Pending::Timer { node, timer, arm } => {
                let timers = &mut self.status[node.index()].timers;
                timers.retain(|t| t.arm != arm);
                self.record(KindRef::Timer { node, timer });
                self.run_handler(node, |p, n, ctx| p.on_timer(n, timer, ctx));
                self.check(Some(node), None);
            }
            Pending::Client { node, op } => {
                let client = self.client(node, op);
                let touched = client.as_ref().map(|_| node);
                self.check(touched, client.as_ref());
            }
            Pending::FaultTick => {
                self.inject_fault();
                self.schedule_fault_tick();
                self.check(None, None);
            }
            Pending::Restart { node } => {
                self.restart(node);
                self.check(Some(node), None);
            }
            Pending::Uncut { from, to } => {
                self.uncut(from, to);
                self.check(None, None);
            }
            Pending::Unclog { node } => {
                self.unclog(node, CLOG_OUT);
                self.check(None, None);
            }
            Pending::HealGroups { .. } => {
                self.groups.iter_mut().for_each(|g| *g = 0);
                self.split = false;
                self.group_epoch += 1;
                self.shape_at = self.now;
                self.record(KindRef::Heal);
                self.check(None, None);
            }
            Pending::Script { step } => self.run_script(step),
            Pending::Fault { step } => {
                let (touched, request) = self.run_fault(step);
                self.check(touched, request.as_ref());
            }
        }
    }

    fn resolve(&self, target: &Target) -> Option<NodeId> {
        let up: Vec<bool> = self.status.iter().map(|s| s.up).collect();
        let leader = self.proto.leader(&self.nodes, &up);
        match target {
            Target::Node(n) => (n.index() < self.nodes.len()).then_some(*n),
            Target::Leader => leader,
            Target::Follower => (0..self.proto.fault_targets().min(self.nodes.len()))
                .map(|i| NodeId(i as u32))
                .find(|n| up[n.index()] && Some(*n) != leader),
            Target::LeaderAmong(group) => crate::protocol::leader_of(
                self.nodes.iter().enumerate().map(|(i, node)| {
                    group.contains(&NodeId(i as u32)).then(|| self.proto.leader_rank(node)).flatten()
                }),
                &up,
            ),
        }
    }

    /// Run the fault script's step; returns the node it ran on, for a restart or a request
    /// (the checker looks at it), and the request it handled.
    fn run_fault(&mut self, step: usize) -> (Option<NodeId>, Option<P::ClientOp>) {
        use crate::faultscript::Primitive;
        let Some((_, p)) = self.fault_script.get(step).cloned() else { return (None, None) };
        let n = self.nodes.len();
        let ok = |x: NodeId| x.index() < n;
        match p {
            Primitive::Crash(x) if ok(x) => self.crash(x),
            Primitive::Restart(x) if ok(x) => {
                self.restart(x);
                return (Some(x), None);
            }
            Primitive::Partition(side) => {
                let groups = (0..n as u32).map(|i| side.contains(&NodeId(i)) as u8).collect();
                self.partition(groups);
            }
            Primitive::Heal => self.heal_all(),
            Primitive::SlowLink(a, b, factor) if ok(a) && ok(b) => {
                self.slow.retain(|l| (l.0, l.1) != (a, b));
                if factor > 1 {
                    self.slow.push((a, b, factor));
                    self.slowed = true;
                }
                self.record(KindRef::SlowLink { from: a, to: b, factor });
            }
            Primitive::Skew(x, pct) if ok(x) => self.skew(x, pct),
            Primitive::Clog(x) if ok(x) => self.clog(x, CLOG_OUT | CLOG_IN),
            Primitive::Unclog(x) if ok(x) => self.unclog(x, CLOG_OUT | CLOG_IN),
            // Parsed and checked when the run was built (`lab::config`); a request the
            // protocol refuses does nothing.
            Primitive::Request(x, text) if ok(x) => {
                let Some(op) =
                    self.proto.parse_client(&text).ok().filter(|op| self.proto.check_client(x, op).is_ok())
                else {
                    return (None, None);
                };
                let handled = self.client(x, op);
                return (handled.as_ref().map(|_| x), handled);
            }
            _ => {}
        }
        (None, None)
    }

    fn run_script(&mut self, step: usize) {
        let Some((_, action)) = self.proto.script().into_iter().nth(step) else { return };
        let mut touched = None;
        let mut client = None;
        match action {
            ScriptAction::Crash(t) => {
                if let Some(n) = self.resolve(&t) {
                    self.crash(n);
                }
            }
            ScriptAction::Restart(t) => {
                if let Some(n) = self.resolve(&t) {
                    self.restart(n);
                    touched = Some(n);
                }
            }
            ScriptAction::RestartAll => {
                for i in 0..self.nodes.len() {
                    self.restart(NodeId(i as u32));
                }
                // The checker sees each node as its restart left it (a property may allow
                // there what it allows nowhere else: a Raft server's commit index falling).
                for i in 0..self.nodes.len() {
                    self.check(Some(NodeId(i as u32)), None);
                }
                return;
            }
            ScriptAction::Isolate(t, with) => {
                if let Some(n) = self.resolve(&t) {
                    let groups: Vec<u8> = (0..self.nodes.len() as u32)
                        .map(|i| (NodeId(i) == n || with.contains(&NodeId(i))) as u8)
                        .collect();
                    self.partition(groups);
                }
            }
            ScriptAction::Heal => self.heal_all(),
            ScriptAction::Skew(t, pct) => {
                if let Some(n) = self.resolve(&t) {
                    self.skew(n, pct);
                }
            }
            ScriptAction::Client(t, op) => {
                if let Some(n) = self.resolve(&t) {
                    client = self.client(n, op);
                    if client.is_some() {
                        touched = Some(n);
                    }
                }
            }
        }
        self.check(touched, client.as_ref());
    }

    /// Deliver a client request; returns the op when a live node handled it.
    fn client(&mut self, node: NodeId, op: P::ClientOp) -> Option<P::ClientOp> {
        let up = self.status[node.index()].up;
        self.record(KindRef::Client { node, op: &op, accepted: up });
        if !up {
            return None;
        }
        let handled = op.clone();
        self.run_handler(node, |p, n, ctx| p.on_client(n, op, ctx));
        Some(handled)
    }

    fn crash(&mut self, n: NodeId) {
        let st = &mut self.status[n.index()];
        if !st.up {
            return;
        }
        st.up = false;
        self.up[n.index()] = false;
        self.changed_at[n.index()] = self.now;
        self.up_epoch += 1;
        self.leader = None;
        disarm(&mut self.queue, &mut st.timers, |_| true);
        self.record(KindRef::Crash { node: n });
    }

    fn restart(&mut self, n: NodeId) {
        if self.status[n.index()].up {
            return;
        }
        self.status[n.index()].up = true;
        self.up[n.index()] = true;
        self.changed_at[n.index()] = self.now;
        self.up_epoch += 1;
        self.leader = None;
        self.record(KindRef::Restart { node: n });
        let before = self.digests[n.index()];
        // All the restart sees of the crashed node is what survived the crash.
        let durable = P::durable(&self.nodes[n.index()]);
        let fresh = {
            let mut ctx = Ctx {
                me: n,
                now: self.clocks[n.index()].read(self.now),
                rng: &mut self.rng,
                sends: &mut self.sends,
                timers: &mut self.timer_fx,
                notes: &mut self.notes,
            };
            self.proto.on_restart(durable, &mut ctx)
        };
        self.nodes[n.index()] = fresh;
        self.after_handler(n, before);
    }

    /// From now on `n`'s clock runs `pct` percent slow (negative: fast).
    fn skew(&mut self, n: NodeId, pct: i32) {
        let local = self.clocks[n.index()].read(self.now);
        self.clocks[n.index()] = Clock { true_at: self.now, local_at: local, pct };
        self.skewed |= pct != 0;
        self.record(KindRef::ClockSkew { node: n, pct });
    }

    /// What `n`'s own clock reads now.
    pub fn local_time(&self, n: NodeId) -> Time {
        self.clocks.get(n.index()).map_or(self.now, |c| c.read(self.now))
    }

    fn partition(&mut self, groups: Vec<u8>) {
        self.split = groups.iter().any(|g| Some(g) != groups.first());
        self.groups = groups.clone();
        self.group_epoch += 1;
        self.shape_at = self.now;
        self.record(KindRef::Partition { groups: &groups });
    }

    /// Remove every partition and one-way cut.
    fn heal_all(&mut self) {
        self.groups.iter_mut().for_each(|g| *g = 0);
        self.cuts.clear();
        self.clogs.iter_mut().for_each(|c| *c = 0);
        (self.split, self.clogged) = (false, 0);
        self.group_epoch += 1;
        self.shape_at = self.now;
        self.record(KindRef::Heal);
    }

    fn cut(&mut self, a: NodeId, b: NodeId) {
        if a != b && self.cuts.insert((a, b)) {
            self.shape_at = self.now;
            self.record(KindRef::Cut { from: a, to: b });
        }
    }

    /// Clog `x`: cut its outgoing links, its incoming ones, or both (`how`).
    fn clog(&mut self, x: NodeId, how: u8) {
        let was = self.clogs[x.index()];
        if was | how != was {
            self.clogs[x.index()] = was | how;
            self.clogged += usize::from(was == 0);
            self.shape_at = self.now;
            self.record(KindRef::Clog { node: x, out: how & CLOG_OUT != 0, into: how & CLOG_IN != 0 });
        }
    }

    fn unclog(&mut self, x: NodeId, how: u8) {
        let was = self.clogs[x.index()];
        if was & how != 0 {
            self.clogs[x.index()] = was & !how;
            self.clogged -= usize::from(was & !how == 0);
            self.shape_at = self.now;
            self.record(KindRef::Unclog { node: x, out: how & CLOG_OUT != 0, into: how & CLOG_IN != 0 });
        }
    }

    fn uncut(&mut self, a: NodeId, b: NodeId) {
        if self.cuts.remove(&(a, b)) {
            self.shape_at = self.now;
            self.record(KindRef::Uncut { from: a, to: b });
        }
    }

    fn run_handler(&mut self, me: NodeId, f: impl FnOnce(&P, &mut P::Node, &mut Ctx<P>)) {
        let before = self.digests[me.index()];
        {
            let mut ctx = Ctx {
                me,
                now: self.clocks[me.index()].read(self.now),
                rng: &mut self.rng,
                sends: &mut self.sends,
                timers: &mut self.timer_fx,
                notes: &mut self.notes,
            };
            f(&self.proto, &mut self.nodes[me.index()], &mut ctx);
        }
        self.after_handler(me, before);
    }

    fn after_handler(&mut self, me: NodeId, before: u64) {
        let after = self.proto.state_digest(&self.nodes[me.index()]);
        if self.metrics.has_leader {
            let rank = self.proto.leader_rank(&self.nodes[me.index()]);
            if rank != self.ranks[me.index()] {
                self.ranks[me.index()] = rank;
                self.leader = None;
            }
        }
        self.digests[me.index()] = after;
        if after != before {
            self.record(KindRef::State { node: me, digest: after });
        }
        self.apply_effects(me);
    }

    fn apply_effects(&mut self, me: NodeId) {
        let mut fx = core::mem::take(&mut self.timer_fx);
        for t in fx.drain(..) {
            let timers = &mut self.status[me.index()].timers;
            match t {
                TimerEffect::Set(timer, after) => {
                    // A skewed clock: the node thinks `after` passed when more (or less) did. (A
                    // timer armed before a skew changes keeps the firing time it was given.)
                    let after = self.clocks[me.index()].true_duration(after);
                    let arm = self.seq;
                    self.seq += 1;
                    let fires_at = self.now.plus(after);
                    let item = Pending::Timer { node: me, timer, arm };
                    // Arming replaces the timer of the same kind: its item is moved in the
                    // queue (one sift instead of a removal and an insertion) and it goes to the
                    // end of the list, as if taken off and armed anew.
                    let (ticket, carrier, queued_at) = match timers.iter().position(|a| a.timer == timer) {
                        Some(i) => {
                            let old = timers.remove(i);
                            disarm(&mut self.queue, timers, |a| a.timer == timer);
                            if fires_at >= old.queued_at && self.queue.contains(old.ticket) {
                                // Later than its item: the item stays (see `ArmedTimer`).
                                (old.ticket, old.carrier, old.queued_at)
                            } else {
                                let ticket = match self.queue.reschedule(old.ticket, fires_at, arm, item) {
                                    Ok(ticket) => ticket,
                                    Err(item) => self.queue.push(fires_at, arm, item),
                                };
                                (ticket, arm, fires_at)
                            }
                        }
                        None => (self.queue.push(fires_at, arm, item), arm, fires_at),
                    };
                    timers.push(ArmedTimer {
                        timer,
                        set_at: self.now,
                        fires_at,
                        arm,
                        ticket,
                        carrier,
                        queued_at,
                    });
                }
                TimerEffect::Cancel(timer) => disarm(&mut self.queue, timers, |a| a.timer == timer),
            }
        }
        self.timer_fx = fx;
        let mut sends = core::mem::take(&mut self.sends);
        for (to, msg) in sends.drain(..) {
            self.transmit(me, to, msg);
        }
        self.sends = sends;
    }

    fn transmit(&mut self, from: NodeId, to: NodeId, msg: P::Msg) {
        let copies = if self.rng.chance(self.faults.duplicate) { 2 } else { 1 };
        let mut first = None;
        // The last copy takes the message itself; only a duplicate is a clone.
        let mut msg = Some(msg);
        for copy in 0..copies {
            let Some(this) = (if copy + 1 == copies { msg.take() } else { msg.clone() }) else { return };
            let id = MsgId(self.next_msg);
            self.next_msg += 1;
            let lost = self.rng.chance(self.faults.loss);
            let mut delay = self.rng.range(self.faults.latency_us_min, self.faults.latency_us_max);
            if let Some(l) = self.slow.iter().find(|l| (l.0, l.1) == (from, to)) {
                delay = delay.saturating_mul(l.2 as u64);
            }
            let deliver_at = self.now.plus(Time(delay));
            match first {
                None => {
                    first = Some(id);
                    self.record(KindRef::Send { id, from, to, msg: &this, deliver_at });
                }
                Some(of) => self.record(KindRef::Duplicate { id, of, deliver_at }),
            }
            let item = Pending::Deliver { id, from, to, msg: this, sent_at: self.now, lost };
            self.schedule(deliver_at, item);
        }
    }

    fn schedule(&mut self, at: Time, item: Pending<P>) -> Ticket {
        let seq = self.seq;
        self.seq += 1;
        self.queue.push(at, seq, item)
    }

    fn schedule_fault_tick(&mut self) {
        let f = &self.faults;
        if f.interval_us_max == 0 {
            return;
        }
        let (lo, hi) = (f.interval_us_min, f.interval_us_max);
        let gap = self.rng.range(lo, hi);
        self.schedule(self.now.plus(Time(gap)), Pending::FaultTick);
    }

    fn inject_fault(&mut self) {
        let f = self.faults.clone();
        let total = f.crash_weight + f.partition_weight + f.cut_weight + f.swizzle_weight;
        if total == 0 {
            return;
        }
        let n = self.nodes.len();
        let targets = self.proto.fault_targets().min(n);
        let mut pick = self.rng.below(total as u64) as u32;
        if pick < f.crash_weight {
            let down = self.status.iter().filter(|s| !s.up).count();
            let live: Vec<usize> = (0..targets).filter(|&i| self.status[i].up).collect();
            if down >= f.max_down || live.is_empty() {
                return;
            }
            let victim = NodeId(live[self.rng.below(live.len() as u64) as usize] as u32);
            self.crash(victim);
            let back = self.rng.range(f.down_us.0, f.down_us.1);
            self.schedule(self.now.plus(Time(back)), Pending::Restart { node: victim });
            return;
        }
        pick -= f.crash_weight;
        let heal = Time(self.rng.range(f.heal_us.0, f.heal_us.1));
        if pick < f.partition_weight {
            // A random split into two non-empty sides: isolate one node half of the time.
            let groups: Vec<u8> = if self.rng.chance(0.5) {
                let lone = self.rng.below(n as u64) as usize;
                (0..n).map(|i| (i == lone) as u8).collect()
            } else {
                let mut g: Vec<u8> = (0..n).map(|_| self.rng.below(2) as u8).collect();
                if g.iter().all(|&x| x == g[0]) {
                    g[0] ^= 1;
                }
                g
            };
            self.split = true;
            self.groups = groups.clone();
            self.group_epoch += 1;
            self.shape_at = self.now;
            self.record(KindRef::Partition { groups: &groups });
            self.schedule(self.now.plus(heal), Pending::HealGroups { epoch: self.group_epoch });
            return;
        }
        pick -= f.partition_weight;
        if targets < 2 {
            return;
        }
        if pick < f.cut_weight {
            let a = self.rng.below(targets as u64) as u32;
            let b = (a + 1 + self.rng.below(targets as u64 - 1) as u32) % targets as u32;
            let (a, b) = (NodeId(a), NodeId(b));
            self.cut(a, b);
            self.schedule(self.now.plus(heal), Pending::Uncut { from: a, to: b });
            return;
        }
        // Swizzle: pick a random subset, clog each node (all its outgoing links) one by one,
        // then unclog in a random order.
        let mut order: Vec<u32> = (0..targets as u32).collect();
        for i in (1..order.len()).rev() {
            let j = self.rng.below(i as u64 + 1) as usize;
            order.swap(i, j);
        }
        let k = 1 + self.rng.below(targets as u64 / 2 + 1) as usize;
        let chosen = &order[..k.min(targets)];
        let step = Time(heal.0 / (2 * k as u64 + 1));
        let mut at = self.now;
        let mut unclog = chosen.to_vec();
        for &a in chosen {
            self.clog(NodeId(a), CLOG_OUT);
        }
        for i in (1..unclog.len()).rev() {
            let j = self.rng.below(i as u64 + 1) as usize;
            unclog.swap(i, j);
        }
        for a in unclog {
            at = at.plus(step).plus(step);
            self.schedule(at, Pending::Unclog { node: NodeId(a) });
        }
    }

    fn check(&mut self, touched: Option<NodeId>, client: Option<&P::ClientOp>) {
        let notes = core::mem::take(&mut self.notes);
        for note in &notes {
            self.record(KindRef::Note { note });
        }
        let res = self.proto.check(&mut self.monitor, &self.nodes, touched, client, &notes);
        if let Err((property, message)) = res {
            self.violated(property, message);
        }
        self.check_world(touched, &notes);
        self.notes = notes;
        self.notes.clear();
    }

    /// The checks that need the world beside the nodes (`Protocol::check_world`).
    fn check_world(&mut self, touched: Option<NodeId>, notes: &[P::Note]) {
        let lost = self.event_drop.take();
        let world = crate::protocol::World {
            now: self.now,
            up: &self.up,
            changed_at: &self.changed_at,
            up_epoch: self.up_epoch,
            shape_at: self.shape_at,
            groups: &self.groups,
            clogs: &self.clogs,
            cuts: &self.cuts,
            whole: !self.split && self.clogged == 0 && self.cuts.is_empty(),
            dropped: lost.as_ref(),
            skewed: self.skewed,
            slowed: self.slowed,
            explored: self.explore,
        };
        let res = self.proto.check_world(&mut self.monitor, &self.nodes, touched, notes, &world);
        if let Err((property, message)) = res {
            self.violated(property, message);
        }
    }

    /// Whether the protocol promises `property` (`Protocol::not_promised`).
    pub fn promised(&self, property: &str) -> bool {
        !self.proto.not_promised().contains(&property)
    }

    /// A property broke in this event. The run's verdict is its first violation, but a break
    /// of a property the protocol never promised neither halts the run nor hides a promised
    /// one that breaks after it: that one becomes the verdict.
    fn violated(&mut self, property: &str, message: String) {
        let replace = match &self.violation {
            None => true,
            Some(v) => !self.promised(&v.property) && self.promised(property),
        };
        if replace {
            self.violation =
                Some(Violation { event: self.events, property: String::from(property), message });
        }
    }

    /// The client history so far.
    pub fn history(&self) -> &crate::history::History {
        &self.history
    }

    /// The run's measurements so far.
    pub fn metrics(&self) -> &crate::metrics::Metrics {
        &self.metrics
    }

    fn finish_event(&mut self) {
        self.drop_stale_head();
        if self.metrics.has_leader {
            let leader = match self.leader {
                Some(leader) => leader,
                None => crate::protocol::leader_of(self.ranks.iter().copied(), &self.up),
            };
            self.leader = Some(leader);
            self.metrics.leader_now(leader, self.now);
        }
        if let Some(v) = &self.violation {
            if v.event == self.events {
                let v = v.clone();
                self.record(KindRef::Violation { property: &v.property, message: &v.message });
            }
        }
    }

    fn record(&mut self, kind: KindRef<'_, P>) {
        match &kind {
            KindRef::Send { msg, .. } => {
                self.metrics.sent(crate::protocol::MessageInfo::kind(*msg), crate::hash::encoded_len(*msg))
            }
            KindRef::Note { note } => {
                if let Some(line) = P::history_line(note) {
                    let process = line.process.max(0) as usize;
                    match line.kind {
                        crate::lincheck::LineKind::Invoke => self.metrics.invoke(process, self.now),
                        _ => self.metrics.complete(process, self.now),
                    }
                    self.history.line(line, self.events, self.now);
                }
            }
            _ => {}
        }
        let r = RecordRef { event: self.events, time: self.now, kind };
        self.hash = (self.hash.rotate_left(7) ^ digest(&r)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        if self.keep_records {
            self.records.push(r.owned());
        }
    }
}
