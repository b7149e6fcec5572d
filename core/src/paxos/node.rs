//! The three roles' handlers: a proposer's two phases and its back-off, an acceptor's promise
//! and vote, a learner's count of votes per ballot (§2.2 and §2.3 of "Paxos Made Simple"), and
//! what a node keeps across a crash (§2.5: the acceptor's promise and vote, the proposer's
//! highest round).

use crate::nodeset::NodeSet;
use crate::protocol::{Ctx, NodeId, Time};

use super::types::*;

/// Ballots a learner keeps votes for.
const LEARNER_BALLOTS: usize = 8;

/// A message arrived: each of the node's roles sees it (acceptor, then proposer, then learner).
pub(super) fn on_message(px: &Paxos, node: &mut Node, from: NodeId, msg: Msg, ctx: &mut Ctx<Paxos>) {
    if let Some(a) = &mut node.acceptor {
        px.acceptor_step(a, from, &msg, ctx);
    }
    if let Some(p) = &mut node.proposer {
        px.proposer_step(p, from, &msg, ctx);
    }
    if let Some(l) = &mut node.learner {
        px.learner_step(l, from, &msg);
    }
}

/// The proposer's retry timer fired: start phase 1 again with a higher ballot, unless decided.
pub(super) fn on_timer(px: &Paxos, node: &mut Node, timer: Timer, ctx: &mut Ctx<Paxos>) {
    let Timer::Retry = timer;
    if let Some(p) = &mut node.proposer {
        if p.hard.value.is_some() && p.phase != Phase::Decided {
            if matches!(p.phase, Phase::Preparing | Phase::Accepting) {
                p.attempts = p.attempts.saturating_add(1);
            }
            px.start_phase1(p, ctx);
        }
    }
}

/// A client's value: a proposer without one takes it and, if idle, starts phase 1.
pub(super) fn on_client(px: &Paxos, node: &mut Node, op: Propose, ctx: &mut Ctx<Paxos>) {
    if let Some(p) = &mut node.proposer {
        if p.hard.value.is_none() {
            p.hard.value = Some(op.0);
            if p.phase == Phase::Idle {
                px.start_phase1(p, ctx);
            }
        }
    }
}

/// What survives a crash: the acceptor's state and the proposer's round and value (§2.5),
/// and whether the proposer had seen its value chosen.
pub(super) fn durable(node: &Node) -> Durable {
    Durable {
        proposer: node.proposer.as_ref().map(|p| p.hard.clone()),
        decided: node.proposer.as_ref().is_some_and(|p| p.phase == Phase::Decided),
        acceptor: node.acceptor.clone(),
    }
}

/// A node comes back from a crash with only what survived: the acceptor's state and the
/// proposer's round and value persist (the mutant `forget-promise` drops the acceptor's);
/// learned values and the proposer's phase do not. A proposer whose value was not yet chosen
/// tries again after a random wait.
pub(super) fn on_restart(px: &Paxos, durable: Durable, ctx: &mut Ctx<Paxos>) -> Node {
    let mut node = px.fresh(ctx.me());
    if let (Some(p), Some(hard)) = (&mut node.proposer, durable.proposer) {
        p.hard = hard;
        if p.hard.value.is_some() && !durable.decided {
            let wait = ctx.rng().range(1_000, px.phase_timeout_us);
            ctx.set_timer(Timer::Retry, Time(wait));
        }
    }
    if let (Some(a), Some(kept)) = (&mut node.acceptor, durable.acceptor) {
        if !px.is(Mutant::ForgetPromise) {
            *a = kept;
        }
    }
    node
}

impl Paxos {
    pub(super) fn start_phase1(&self, p: &mut Proposer, ctx: &mut Ctx<Paxos>) {
        p.hard.max_round += 1;
        p.ballot = Ballot { round: p.hard.max_round, node: ctx.me().0 };
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

    fn back_off(&self, p: &mut Proposer, ctx: &mut Ctx<Paxos>) {
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

    pub(super) fn proposer_step(&self, p: &mut Proposer, from: NodeId, msg: &Msg, ctx: &mut Ctx<Paxos>) {
        match *msg {
            Msg::Promise { ballot, accepted } if ballot == p.ballot && p.phase == Phase::Preparing => {
                p.promises.insert(from);
                if let Some((ab, v)) = accepted {
                    if p.highest.is_none_or(|(hb, _)| ab > hb) {
                        p.highest = Some((ab, v));
                    }
                }
                if p.promises.len() >= self.majority() {
                    let own = p.hard.value.unwrap_or_default();
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
                p.hard.max_round = p.hard.max_round.max(promised.round);
                self.back_off(p, ctx);
            }
            _ => {}
        }
    }

    pub(super) fn acceptor_step(&self, a: &mut Acceptor, from: NodeId, msg: &Msg, ctx: &mut Ctx<Paxos>) {
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

    pub(super) fn learner_step(&self, l: &mut Learner, from: NodeId, msg: &Msg) {
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

    pub(super) fn fresh(&self, id: NodeId) -> Node {
        let i = id.index();
        Node {
            id,
            proposer: (i < self.proposers).then(Proposer::default),
            acceptor: (i < self.acceptors).then(Acceptor::default),
            learner: (i < self.learners).then(Learner::default),
        }
    }
}
