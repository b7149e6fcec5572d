//! A Multi-Paxos server: acceptor, learner and proposer in one node.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use super::types::*;
use crate::chunked::ChunkVec;
use crate::hash::digest;
use crate::kv::{Client, ClientHard, Kv, Outcome};
use crate::protocol::{Ctx, NodeId, Time};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    Follower,
    /// Running phase 1 for its ballot (`HardState::ballot`).
    Candidate,
    Leader,
}

/// Why a slot's value survived the latest change of leader: in phase 1 the new leader heard,
/// for `slot`, the highest accepted ballot `from` from acceptor `carrier`, and re-proposed it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Adopted {
    pub slot: Slot,
    pub from: Ballot,
    pub carrier: NodeId,
    pub cmd: Command,
}

/// What survives a crash, and all a restart sees (raft-rs's `HardState`): the acceptor's promise
/// and accepted values, the proposer's latest ballot, and the values the learner knows chosen.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct HardState {
    /// Acceptor: the highest ballot promised; Accepts below it are refused.
    pub promised: Ballot,
    /// Acceptor: accepted (ballot, value) per slot; slot 1 at position 0.
    pub accepted: ChunkVec<Option<(Ballot, Command)>>,
    /// Proposer: the highest ballot this server ever tried (its current one while it campaigns
    /// or leads). Written before its Prepare goes out, so that a restarted proposer starts
    /// above it: "Paxos Made Simple" §2.5, a proposer never reuses a ballot. Its own promise
    /// is no substitute, because its Prepare to itself crosses the network and can be lost.
    pub ballot: Ballot,
    /// Learner: the values it knows chosen, per slot: its log, which production Multi-Paxos
    /// systems keep on disk and replay on recovery ("Paxos Made Live": Chubby's replicas), so
    /// that a restarted server applies it again locally and asks the leader only for the slots
    /// it missed. (Relearning the whole log from the leader instead cost a message per slot at
    /// every restart, and a restarted server that won an election re-proposed every slot from
    /// the first: a cost that grew with the log.)
    pub chosen: ChunkVec<Option<Command>>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Server {
    pub id: NodeId,
    /// Acceptor state and the proposer's ballot: persistent.
    pub hard: HardState,
    // Learner (its chosen values are in `hard`).
    /// Every slot up to this one is chosen (as far as this learner knows).
    pub prefix: Slot,
    /// The state machine, volatile: after a restart it applies the chosen values again from
    /// slot 1, at the server's first event (`apply`).
    pub applied: Slot,
    pub kv: Kv,
    // Proposer (volatile, but for its ballot in `hard`).
    pub role: Role,
    /// Phase 1: who promised `hard.ballot` (a bit per server), and the highest accepted value
    /// each slot reported, with its carrier.
    pub promised_by: u64,
    pub reported: Vec<(Slot, Ballot, NodeId, Command)>,
    pub first: Slot,
    /// Leader: the next free slot, proposals in flight (slot, value, who accepted), clients
    /// waiting for a slot to be applied.
    pub next_slot: Slot,
    /// (slot, value, who accepted, when last sent).
    pub in_flight: Vec<(Slot, Command, u64, Time)>,
    /// Leader: when it last sent Accepts to everyone (they double as heartbeats).
    pub last_sent: Time,
    pub waiting: Vec<(Slot, NodeId, u64)>,
    /// Leader: what phase 1 adopted (the last few), and the quorum that chose the latest slot.
    pub adopted: Vec<Adopted>,
    pub last_quorum: Option<(Slot, u64)>,
    pub leader_hint: Option<NodeId>,
    pub heard: Time,
}

/// A server or a simulated client.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[allow(clippy::large_enum_variant)]
pub enum Node {
    Server(Server),
    Client(Client),
}

/// What a server or a client keeps across a crash.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Durable {
    Server(HardState),
    Client(ClientHard),
}

impl Server {
    /// Every slot up to this one is chosen (as far as this learner knows).
    pub fn chosen_prefix(&self) -> Slot {
        self.prefix
    }
}

fn put<T: Clone>(v: &mut ChunkVec<Option<T>>, slot: Slot, item: T) {
    v.set_grow((slot - 1) as usize, Some(item), None);
}

fn servers(mp: &MultiPaxos) -> impl Iterator<Item = NodeId> {
    (0..mp.servers as u32).map(NodeId)
}

fn broadcast(mp: &MultiPaxos, ctx: &mut Ctx<MultiPaxos>, msg: Msg) {
    for s in servers(mp) {
        ctx.send(s, msg.clone());
    }
}

fn arm_election(mp: &MultiPaxos, ctx: &mut Ctx<MultiPaxos>) {
    let t = ctx.rng().range(mp.election_us, mp.election_us * 2);
    ctx.set_timer(Timer::Election, Time(t));
}

pub fn init(mp: &MultiPaxos, ctx: &mut Ctx<MultiPaxos>) -> Server {
    let id = ctx.me();
    match mp.first_election.iter().find(|(n, _)| *n == id) {
        Some((_, t)) => ctx.set_timer(Timer::Election, *t),
        None => arm_election(mp, ctx),
    }
    let mut hard = HardState::default();
    if let Some((promised, accepted)) = mp.initial.get(id.index()) {
        hard.promised = *promised;
        if promised.node == id.0 {
            hard.ballot = *promised;
        }
        for (slot, ballot) in accepted {
            put(&mut hard.accepted, *slot, (*ballot, Command::Noop));
        }
    }
    Server {
        id,
        hard,
        prefix: 0,
        applied: 0,
        kv: Kv::default(),
        role: Role::Follower,
        promised_by: 0,
        reported: Vec::new(),
        first: 1,
        next_slot: 1,
        in_flight: Vec::new(),
        last_sent: Time::ZERO,
        waiting: Vec::new(),
        adopted: Vec::new(),
        last_quorum: None,
        leader_hint: None,
        heard: Time::ZERO,
    }
}

/// A crashed server comes back with only its hard state.
pub fn restart(mp: &MultiPaxos, hard: HardState, ctx: &mut Ctx<MultiPaxos>) -> Server {
    let mut s = init(mp, ctx);
    s.hard = if mp.is(Mutant::ForgetOnRestart) {
        HardState { ballot: hard.ballot, chosen: hard.chosen, ..HardState::default() }
    } else {
        hard
    };
    s.heard = ctx.now();
    // The chosen log is applied again at the server's first event, not here: the checker
    // learns of the restart after this event's notes (`check::restarts`), so an `Applied` note
    // written now would be judged against the life before the crash.
    advance_prefix(&mut s);
    s
}

/// Move the known-chosen prefix past every slot the learner now knows chosen.
fn advance_prefix(s: &mut Server) {
    while matches!(s.hard.chosen.get(s.prefix as usize), Some(Some(_))) {
        s.prefix += 1;
    }
}

/// Start phase 1 with a ballot above any seen (or, with the skip-phase1 mutant, lead at once).
fn campaign(mp: &MultiPaxos, s: &mut Server, ctx: &mut Ctx<MultiPaxos>) {
    let round = s.hard.promised.round.max(s.hard.ballot.round) + 1;
    s.hard.ballot = Ballot { round, node: s.id.0 };
    s.first = s.chosen_prefix() + 1;
    s.promised_by = 0;
    s.reported.clear();
    s.in_flight.clear();
    s.leader_hint = None;
    if mp.is(Mutant::SkipPhase1) {
        s.hard.promised = s.hard.ballot;
        s.next_slot = (s.hard.accepted.len().max(s.hard.chosen.len()) as Slot) + 1;
        s.role = Role::Leader;
        s.adopted.clear();
        ctx.note(Note::Elected { node: s.id, ballot: s.hard.ballot });
        heartbeat(mp, s, ctx);
        return;
    }
    s.role = Role::Candidate;
    broadcast(mp, ctx, Msg::Prepare { ballot: s.hard.ballot, first: s.first });
    arm_election(mp, ctx);
}

/// Meeting a higher ballot: with back-off, give up and wait a random timeout; without it, a
/// candidate or leader tries again at once with a higher ballot (dueling proposers). The
/// proposer remembers the round it met, so that its next ballot is above it; its acceptor's
/// promise changes only on a Prepare (Paxos Made Simple, §2).
fn preempted(mp: &MultiPaxos, s: &mut Server, higher: Ballot, ctx: &mut Ctx<MultiPaxos>) {
    if s.role == Role::Follower {
        return;
    }
    s.hard.ballot.round = s.hard.ballot.round.max(higher.round);
    if !mp.backoff {
        return campaign(mp, s, ctx);
    }
    s.role = Role::Follower;
    s.in_flight.clear();
    s.heard = ctx.now();
    s.leader_hint = Some(NodeId(higher.node));
    arm_election(mp, ctx);
}

/// Whether this leader proposed `cmd` in `slot` under its own ballot (or already knows it chosen).
fn proposed(s: &Server, slot: Slot, cmd: &Command) -> bool {
    let i = (slot - 1) as usize;
    matches!(s.hard.chosen.get(i), Some(Some(c)) if c == cmd)
        || s.in_flight.iter().any(|p| p.0 == slot && p.1 == *cmd)
        || matches!(s.hard.accepted.get(i), Some(Some((b, c))) if *b == s.hard.ballot && c == cmd)
}

/// A leader told (by a catch-up answer it asked for as a follower) that a slot holds a value it
/// did not propose there: a higher ballot chose it, since a value chosen under a lower one would
/// have been reported in this leader's phase 1 and proposed again. It no longer leads. Leading
/// on, its `commit` would tell an acceptor that took this ballot's proposal for the slot to
/// learn that proposal, not the chosen value (`learn_up_to`).
fn outvoted(mp: &MultiPaxos, s: &mut Server, ctx: &mut Ctx<MultiPaxos>) {
    s.role = Role::Follower;
    s.in_flight.clear();
    s.heard = ctx.now();
    s.leader_hint = None;
    arm_election(mp, ctx);
}

/// The leader's heartbeat: skipped while Accepts went out recently (they carry the same
/// news), and a resend of every proposal that has waited a whole period for its quorum.
fn heartbeat(mp: &MultiPaxos, s: &mut Server, ctx: &mut Ctx<MultiPaxos>) {
    let now = ctx.now();
    let commit = s.chosen_prefix();
    if now.0.saturating_sub(s.last_sent.0) >= mp.heartbeat_us / 2 || s.last_sent == Time::ZERO {
        for t in servers(mp).filter(|t| *t != s.id) {
            ctx.send(t, Msg::Heartbeat { ballot: s.hard.ballot, commit });
        }
    }
    for (slot, cmd, votes, sent) in &mut s.in_flight {
        if now.0.saturating_sub(sent.0) < mp.heartbeat_us {
            continue;
        }
        *sent = now;
        for t in servers(mp).filter(|t| *votes & (1 << t.0) == 0) {
            ctx.send(t, Msg::Accept { ballot: s.hard.ballot, slot: *slot, cmd: cmd.clone(), commit });
        }
    }
    ctx.set_timer(Timer::Heartbeat, Time(mp.heartbeat_us));
}

fn propose(mp: &MultiPaxos, s: &mut Server, slot: Slot, cmd: Command, ctx: &mut Ctx<MultiPaxos>) {
    let commit = s.chosen_prefix();
    s.in_flight.push((slot, cmd.clone(), 0, ctx.now()));
    s.last_sent = ctx.now();
    broadcast(mp, ctx, Msg::Accept { ballot: s.hard.ballot, slot, cmd, commit });
}

/// Whether a client's request waiting on `slot` is still bound for it: proposed there in this
/// ballot, or chosen there.
fn on_its_way(s: &Server, (slot, client, req): &(Slot, NodeId, u64)) -> bool {
    let carries =
        |cmd: &Command| matches!(cmd, Command::Kv { client: c, req: r, .. } if c == client && r == req);
    s.in_flight.iter().any(|p| p.0 == *slot && carries(&p.1))
        || s.hard.chosen.get((*slot - 1) as usize).is_some_and(|c| c.as_ref().is_some_and(carries))
}

/// Phase 1 done: adopt, for each slot, the value with the highest accepted ballot reported;
/// fill gaps with no-ops; re-propose them all in the new ballot, up to the last slot reported
/// or known chosen (one learnt meanwhile, from a catch-up answer: a new command there would be
/// a second value for a chosen slot, and the leader's `commit` would have acceptors learn it).
/// A slot it already knows chosen needs no phase 2 (Paxos Made Simple, §3: the new leader runs
/// the protocol only for the instances whose commands it does not know); an acceptor that
/// lacks it asks for it (`learn_up_to`).
fn become_leader(mp: &MultiPaxos, s: &mut Server, ctx: &mut Ctx<MultiPaxos>) {
    s.role = Role::Leader;
    s.leader_hint = Some(s.id);
    ctx.note(Note::Elected { node: s.id, ballot: s.hard.ballot });
    let reported = s.reported.iter().map(|r| r.0).max().unwrap_or(0);
    let top = reported.max(s.hard.chosen.len() as Slot).max(s.first - 1);
    s.adopted.clear();
    for slot in s.first..=top {
        if matches!(s.hard.chosen.get((slot - 1) as usize), Some(Some(_))) {
            continue;
        }
        let cmd = match s.reported.iter().find(|r| r.0 == slot) {
            Some((_, from, carrier, cmd)) if !mp.is(Mutant::NoAdopt) => {
                s.adopted.push(Adopted { slot, from: *from, carrier: *carrier, cmd: cmd.clone() });
                cmd.clone()
            }
            _ => Command::Noop,
        };
        propose(mp, s, slot, cmd, ctx);
    }
    if s.adopted.len() > 8 {
        s.adopted.drain(..s.adopted.len() - 8);
    }
    s.next_slot = top + 1;
    heartbeat(mp, s, ctx);
}

/// Learn a chosen value and apply every slot now complete, in order; the leader answers the
/// clients whose commands it applied.
fn learn(s: &mut Server, slot: Slot, cmd: Command, ctx: &mut Ctx<MultiPaxos>) {
    if !matches!(s.hard.chosen.get((slot - 1) as usize), Some(Some(_))) {
        put(&mut s.hard.chosen, slot, cmd);
    }
    advance_prefix(s);
    apply(s, ctx);
}

/// Apply every chosen slot after the last applied, in order; the leader answers the clients
/// whose commands it applied. (After a restart, the server's first event applies its chosen
/// log again from slot 1.)
fn apply(s: &mut Server, ctx: &mut Ctx<MultiPaxos>) {
    while let Some(Some(cmd)) = s.hard.chosen.get(s.applied as usize) {
        let slot = s.applied + 1;
        let cmd = cmd.clone();
        s.applied = slot;
        ctx.note(Note::Applied { node: s.id, slot, value: digest(&cmd) });
        let Command::Kv { client, req, op } = cmd else { continue };
        // A retried request chosen twice is applied once; its answer names the first slot.
        let (result, index, term) = s.kv.apply(client, req, &op, slot, s.hard.ballot.round);
        let mut keep = Vec::new();
        for (w, c, r) in core::mem::take(&mut s.waiting) {
            if w == slot && c == client && r == req {
                let outcome = Outcome::Ok { result: result.clone(), index, term };
                ctx.send(c, Msg::Reply { req: r, outcome });
            } else if w > slot {
                keep.push((w, c, r));
            }
        }
        s.waiting = keep;
    }
}

/// Another server says `cmd` is chosen in `slot`. A leader that proposed something else there
/// (or nothing, in a slot of its own) was outvoted under a higher ballot: it steps down.
fn told_chosen(mp: &MultiPaxos, s: &mut Server, slot: Slot, cmd: Command, ctx: &mut Ctx<MultiPaxos>) {
    if s.role == Role::Leader && slot >= s.first && !proposed(s, slot, &cmd) {
        outvoted(mp, s, ctx);
    }
    learn(s, slot, cmd, ctx)
}

/// The leader of `ballot` says every slot up to `commit` is chosen. A slot this acceptor
/// accepted in that same ballot holds the chosen value (one ballot proposes one value per
/// slot, because no proposer reuses a ballot: `HardState::ballot`); for any other, ask the
/// leader.
fn learn_up_to(
    mp: &MultiPaxos,
    s: &mut Server,
    leader: NodeId,
    ballot: Ballot,
    commit: Slot,
    ctx: &mut Ctx<MultiPaxos>,
) {
    let mut slot = s.chosen_prefix() + 1;
    while slot <= commit {
        match s.hard.accepted.get((slot - 1) as usize).cloned().flatten() {
            Some((b, cmd)) if b == ballot || mp.is(Mutant::LearnAnyBallot) => {
                told_chosen(mp, s, slot, cmd, ctx)
            }
            _ if matches!(s.hard.chosen.get((slot - 1) as usize), Some(Some(_))) => {}
            _ => {
                ctx.send(leader, Msg::CatchUp { from: slot });
                return;
            }
        }
        slot = s.chosen_prefix().max(slot) + 1;
    }
}

pub fn on_timer(mp: &MultiPaxos, s: &mut Server, timer: Timer, ctx: &mut Ctx<MultiPaxos>) {
    apply(s, ctx);
    match timer {
        Timer::Election => match s.role {
            Role::Leader => {}
            Role::Candidate => campaign(mp, s, ctx),
            Role::Follower => {
                if ctx.now().0.saturating_sub(s.heard.0) >= mp.election_us || s.heard == Time::ZERO {
                    campaign(mp, s, ctx);
                } else {
                    arm_election(mp, ctx);
                }
            }
        },
        Timer::Heartbeat if s.role == Role::Leader => heartbeat(mp, s, ctx),
        _ => {}
    }
}

pub fn on_message(mp: &MultiPaxos, s: &mut Server, from: NodeId, msg: Msg, ctx: &mut Ctx<MultiPaxos>) {
    apply(s, ctx);
    let now = ctx.now();
    match msg {
        Msg::Prepare { ballot, first } => {
            if ballot < s.hard.promised {
                ctx.send(from, Msg::Nack { ballot, promised: s.hard.promised });
                return;
            }
            s.hard.promised = ballot;
            if from != s.id {
                s.heard = now;
                if s.hard.ballot < ballot {
                    preempted(mp, s, ballot, ctx);
                }
            }
            let accepted = s
                .hard
                .accepted
                .iter()
                .enumerate()
                .skip((first.max(1) - 1) as usize)
                .filter_map(|(i, a)| a.as_ref().map(|(b, c)| (i as Slot + 1, *b, c.clone())))
                .collect();
            ctx.send(from, Msg::Promise { ballot, accepted });
        }
        Msg::Promise { ballot, accepted } => {
            if s.role != Role::Candidate || ballot != s.hard.ballot {
                return;
            }
            s.promised_by |= 1 << from.0;
            for (slot, b, cmd) in accepted {
                match s.reported.iter_mut().find(|r| r.0 == slot) {
                    Some(r) if r.1 >= b => {}
                    Some(r) => *r = (slot, b, from, cmd),
                    None => s.reported.push((slot, b, from, cmd)),
                }
            }
            if s.promised_by.count_ones() >= mp.majority() {
                become_leader(mp, s, ctx);
            }
        }
        Msg::Nack { ballot, promised } => {
            if ballot == s.hard.ballot && promised > s.hard.ballot {
                preempted(mp, s, promised, ctx);
            }
        }
        Msg::Accept { ballot, slot, cmd, commit } => {
            if ballot < s.hard.promised && !mp.is(Mutant::AcceptBelowPromise) {
                ctx.send(from, Msg::Nack { ballot, promised: s.hard.promised });
                return;
            }
            s.hard.promised = s.hard.promised.max(ballot);
            let proposal = match &cmd {
                Command::Kv { client, req, .. } => Some((*client, *req)),
                Command::Noop => None,
            };
            ctx.note(Note::Accepted { node: s.id, slot, ballot, value: digest(&cmd), proposal });
            put(&mut s.hard.accepted, slot, (ballot, cmd));
            ctx.send(from, Msg::Accepted { ballot, slot });
            if from != s.id {
                s.heard = now;
                s.leader_hint = Some(from);
                if s.hard.ballot < ballot {
                    preempted(mp, s, ballot, ctx);
                }
                learn_up_to(mp, s, from, ballot, commit, ctx);
            }
        }
        Msg::Accepted { ballot, slot } => {
            if s.role != Role::Leader || ballot != s.hard.ballot {
                return;
            }
            let Some(i) = s.in_flight.iter().position(|p| p.0 == slot) else { return };
            s.in_flight[i].2 |= 1 << from.0;
            if s.in_flight[i].2.count_ones() >= mp.majority() {
                let (slot, cmd, votes, _) = s.in_flight.remove(i);
                s.last_quorum = Some((slot, votes));
                learn(s, slot, cmd, ctx);
            }
        }
        Msg::Chosen { slot, cmd } => told_chosen(mp, s, slot, cmd, ctx),
        Msg::Heartbeat { ballot, commit } => {
            if ballot < s.hard.promised {
                ctx.send(from, Msg::Nack { ballot, promised: s.hard.promised });
                return;
            }
            s.heard = now;
            s.leader_hint = Some(from);
            if s.hard.ballot < ballot {
                preempted(mp, s, ballot, ctx);
            }
            learn_up_to(mp, s, from, ballot, commit, ctx);
        }
        Msg::CatchUp { from: first } => {
            let end = (first + CATCH_UP_BATCH).min(s.hard.chosen.len() as Slot + 1);
            for slot in first.max(1)..end {
                if let Some(Some(cmd)) = s.hard.chosen.get((slot - 1) as usize) {
                    ctx.send(from, Msg::Chosen { slot, cmd: cmd.clone() });
                }
            }
        }
        Msg::Request { req, op } => {
            if s.role != Role::Leader {
                let hint = s.leader_hint.filter(|h| *h != s.id);
                ctx.send(from, Msg::Reply { req, outcome: Outcome::Redirect(hint) });
                return;
            }
            // A retry of a request on its way (proposed in this ballot, or chosen and waiting
            // for the slots before it): just wait for it. One proposed in a ballot this server
            // has since lost is not on its way; its slot may be another's now: propose it again
            // (the store answers a request chosen twice from its first slot).
            if s.waiting.iter().any(|w| w.1 == from && w.2 == req && on_its_way(s, w)) {
                return;
            }
            s.waiting.retain(|w| !(w.1 == from && w.2 == req));
            if s.in_flight.len() >= MAX_IN_FLIGHT {
                return;
            }
            if mp.is(Mutant::ReadLocal) && op.is_read() {
                // Broken: no slot, so nothing checks that this server still leads.
                let result = s.kv.execute(&op);
                let outcome = Outcome::Ok { result, index: s.applied, term: s.hard.ballot.round };
                ctx.send(from, Msg::Reply { req, outcome });
                return;
            }
            let slot = s.next_slot;
            s.next_slot += 1;
            if mp.is(Mutant::ReplyBeforeChosen) {
                let result = s.kv.clone().execute(&op);
                let outcome = Outcome::Ok { result, index: slot, term: s.hard.ballot.round };
                ctx.send(from, Msg::Reply { req, outcome });
            }
            let req = if mp.is(Mutant::SlotForRequest) { slot } else { req };
            s.waiting.push((slot, from, req));
            propose(mp, s, slot, Command::Kv { client: from, req, op }, ctx);
        }
        Msg::Reply { .. } => {}
    }
}

/// The acceptor's value in a slot, as the page shows it.
pub fn accepted_label(s: &Server, slot: Slot) -> Option<String> {
    s.hard.accepted.get((slot - 1) as usize)?.as_ref().map(|(b, c)| format!("{b} {c}"))
}
