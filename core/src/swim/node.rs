//! A member's handlers: the protocol period (probe, indirect probe, suspicion), the rules by
//! which updates override each other, piggybacking, refutation, and the all-to-all heartbeat
//! detector SWIM is compared with.

use alloc::vec;
use alloc::vec::Vec;

use crate::protocol::{Ctx, NodeId, Time};

use super::types::*;

type C<'a, 'b> = &'a mut Ctx<'b, Swim>;

/// What a member notes for the event log and the measurements.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
pub enum Note {
    /// Its own probe of `about` failed: it suspects it (the failure's first detection).
    Suspected { by: NodeId, about: NodeId, inc: u32 },
    /// Its own suspicion ripened, or its heartbeat detector timed out: it declares `about`
    /// dead (not a death it heard of).
    Declared { by: NodeId, about: NodeId, inc: u32 },
    /// It heard it was suspected (or declared dead) and refuted at a new incarnation.
    Refuted { by: NodeId, inc: u32 },
}

/// A new member (or a restarted one, at incarnation `inc`): its first period starts at a
/// random phase, so the members' periods are not in step.
pub(super) fn fresh(sw: &Swim, me: NodeId, inc: u32, ctx: C) -> Node {
    let mut n = Node {
        me,
        hard: Hard { inc },
        view: Vec::new(),
        suspicions: Vec::new(),
        queue: Vec::new(),
        probe: None,
        next_seq: 0,
        round: (1, 0, 0),
        relays: Vec::new(),
        periods: 0,
        reconnect: None,
        heard: Vec::new(),
    };
    if sw.detector == Detector::Heartbeat {
        n.heard = vec![ctx.now(); sw.members];
    }
    new_round(sw, &mut n, ctx);
    let phase = ctx.rng().range(1, sw.period().0);
    ctx.set_timer(Timer::Tick, Time(phase));
    n
}

/// A restarted member rejoins above the incarnation it had, and says so: its `Alive`
/// overrides the `Suspect` or `Dead` the others concluded while it was down.
pub(super) fn on_restart(sw: &Swim, hard: Hard, ctx: C) -> Node {
    let inc = if sw.is(Mutant::ForgetIncarnation) { 0 } else { hard.inc.saturating_add(1) };
    let mut n = fresh(sw, ctx.me(), inc, ctx);
    if sw.detector == Detector::Swim {
        let me = n.me;
        enqueue(&mut n, Update { about: me, status: Status::Alive, inc });
    }
    n
}

pub(super) fn on_timer(sw: &Swim, n: &mut Node, timer: Timer, ctx: C) {
    match timer {
        Timer::Tick => {
            ctx.set_timer(Timer::Tick, sw.period());
            match sw.detector {
                Detector::Swim => tick(sw, n, ctx),
                Detector::Heartbeat => heartbeat_tick(sw, n, ctx),
            }
        }
        Timer::AckTimeout(seq) => ask_others(sw, n, seq, ctx),
        Timer::Suspicion(who) => {
            let e = n.entry(who);
            n.suspicions.retain(|s| s.0 != who);
            if e.status == Status::Suspect {
                declare_dead(sw, n, who, e.inc, ctx);
            }
        }
    }
}

/// A protocol period: judge the last probe (unanswered, directly or indirectly: its target
/// becomes a suspect), then ping the next target.
fn tick(sw: &Swim, n: &mut Node, ctx: C) {
    let now = ctx.now();
    n.relays.retain(|r| r.until > now);
    if let Some(p) = n.probe.take().filter(|p| !p.acked) {
        let e = n.entry(p.target);
        if e.status == Status::Alive {
            ctx.note(Note::Suspected { by: n.me, about: p.target, inc: e.inc });
            if sw.is(Mutant::SuspicionSkipped) {
                declare_dead(sw, n, p.target, e.inc, ctx);
            } else {
                hear(sw, n, Update { about: p.target, status: Status::Suspect, inc: e.inc }, ctx);
            }
        }
    }
    n.periods = n.periods.wrapping_add(1);
    if n.periods.is_multiple_of(RECONNECT_PERIODS) {
        reconnect(sw, n, ctx);
    }
    let Some(target) = next_target(sw, n, ctx) else { return };
    let seq = take_seq(n);
    n.probe = Some(Probe { target, seq, acked: false });
    let (suspect, gossip) = (accusation(sw, n, target), piggyback(sw, n));
    ctx.send(target, Msg::Ping { seq, suspect, gossip });
    ctx.set_timer(Timer::AckTimeout(seq), Time::from_ms(sw.ack_timeout_ms));
}

/// Ping one member it believes dead, with the accusation: if it is up, it refutes in its ack
/// and is alive again (Serf's reconnect; how a healed partition's two sides rejoin).
fn reconnect(sw: &Swim, n: &mut Node, ctx: C) {
    let dead: Vec<(NodeId, u32)> =
        n.view.iter().filter(|e| e.1.status == Status::Dead).map(|e| (e.0, e.1.inc)).collect();
    if dead.is_empty() {
        return;
    }
    let (who, inc) = dead[ctx.rng().below(dead.len() as u64) as usize];
    let seq = take_seq(n);
    n.reconnect = Some((who, seq));
    let suspect = (!sw.is(Mutant::NoPiggyback)).then_some(inc);
    let gossip = piggyback(sw, n);
    ctx.send(who, Msg::Ping { seq, suspect, gossip });
}

/// The direct ping went unanswered: ask k others to ping the target (§3.1).
fn ask_others(sw: &Swim, n: &mut Node, seq: u32, ctx: C) {
    let Some(p) = n.probe.filter(|p| p.seq == seq && !p.acked) else { return };
    let others = sw.members - 1;
    let mut asked: Vec<NodeId> = Vec::new();
    let mut tries = 0;
    while asked.len() < sw.indirect && tries < 4 * others + 8 {
        tries += 1;
        let h = other(n.me, ctx.rng().below(others as u64) as usize);
        if h != p.target && !asked.contains(&h) && n.entry(h).status != Status::Dead {
            asked.push(h);
        }
    }
    let suspect = accusation(sw, n, p.target);
    for h in asked {
        let gossip = piggyback(sw, n);
        ctx.send(h, Msg::PingReq { seq, target: p.target, suspect, gossip });
    }
}

pub(super) fn on_message(sw: &Swim, n: &mut Node, from: NodeId, msg: Msg, ctx: C) {
    for u in msg.gossip() {
        hear(sw, n, *u, ctx);
    }
    match msg {
        Msg::Ping { seq, suspect, .. } => {
            let alive = suspect.map(|i| {
                // Accused by its prober: refute (if the accusation is current), and answer
                // with the incarnation that clears it.
                hear(sw, n, Update { about: n.me, status: Status::Suspect, inc: i }, ctx);
                n.hard.inc
            });
            let alive = alive.filter(|_| !sw.is(Mutant::RefutationIgnored));
            let gossip = piggyback(sw, n);
            ctx.send(from, Msg::Ack { seq, of: n.me, alive, gossip });
        }
        Msg::Ack { seq, of, alive, .. } => {
            if let Some(i) = n.relays.iter().position(|r| r.seq == seq && r.target == of) {
                // An indirect probe's answer: pass it on to the member that asked.
                let r = n.relays.remove(i);
                let gossip = piggyback(sw, n);
                ctx.send(r.origin, Msg::Ack { seq: r.origin_seq, of, alive, gossip });
            }
            if let Some((who, _)) = n.reconnect.filter(|r| *r == (of, seq)) {
                n.reconnect = None;
                if let Some(inc) = alive {
                    hear(sw, n, Update { about: who, status: Status::Alive, inc }, ctx);
                }
            }
            let answered = if sw.is(Mutant::RelayBySender) { from } else { of };
            if let Some(p) = n.probe.as_mut().filter(|p| p.seq == seq && p.target == answered) {
                p.acked = true;
                let target = p.target;
                if let Some(inc) = alive {
                    hear(sw, n, Update { about: target, status: Status::Alive, inc }, ctx);
                }
            }
        }
        Msg::PingReq { seq, target, suspect, .. } => {
            let mine = take_seq(n);
            let until = ctx.now().plus(sw.period());
            n.relays.push(Relay { seq: mine, target, origin: from, origin_seq: seq, until });
            let gossip = piggyback(sw, n);
            ctx.send(target, Msg::Ping { seq: mine, suspect, gossip });
        }
        Msg::Heartbeat { inc } => {
            if let Some(h) = n.heard.get_mut(from.index()) {
                *h = ctx.now();
            }
            let e = n.entry(from);
            if inc >= e.inc && (e.status != Status::Alive || inc > e.inc) {
                n.set_entry(from, Entry { status: Status::Alive, inc });
            }
        }
    }
}

/// One update heard (piggybacked, or concluded here), by the paper's rules (§4.2) as
/// memberlist applies them. About itself: a suspicion or death at its current incarnation or
/// above is refuted by raising its incarnation above it. About another: `Alive` at a higher
/// incarnation clears a suspicion (and revives the dead); `Suspect` overrides `Alive` at the
/// same incarnation or below and starts the suspicion timeout (again, at a higher one);
/// `Dead` overrides both at its incarnation or below. The paper's `Confirm` overrides any
/// incarnation; memberlist ignores a death older than what it believes, as here: a member
/// restarts one incarnation up (and refutes at a higher one), so an older death is news of a
/// life it has left. Whatever changes a belief is passed on, piggybacked.
fn hear(sw: &Swim, n: &mut Node, u: Update, ctx: C) {
    if u.about == n.me {
        if u.status != Status::Alive && u.inc >= n.hard.inc && !sw.is(Mutant::RefutationIgnored) {
            n.hard.inc = u.inc.saturating_add(1);
            ctx.note(Note::Refuted { by: n.me, inc: n.hard.inc });
            enqueue(n, Update { about: n.me, status: Status::Alive, inc: n.hard.inc });
        }
        return;
    }
    let e = n.entry(u.about);
    let takes = match u.status {
        Status::Alive => {
            u.inc > e.inc || (sw.is(Mutant::AliveTies) && u.inc == e.inc && e.status == Status::Suspect)
        }
        Status::Suspect => match e.status {
            Status::Alive => u.inc >= e.inc,
            Status::Suspect => u.inc > e.inc,
            Status::Dead => false,
        },
        Status::Dead => e.status != Status::Dead && u.inc >= e.inc,
    };
    if !takes {
        return;
    }
    n.set_entry(u.about, Entry { status: u.status, inc: u.inc });
    match u.status {
        Status::Suspect => {
            let now = ctx.now();
            n.suspicions.retain(|s| s.0 != u.about);
            n.suspicions.push((u.about, now));
            if !sw.is(Mutant::SuspectForever) {
                ctx.set_timer(Timer::Suspicion(u.about), sw.suspicion_timeout());
            }
        }
        Status::Alive | Status::Dead => {
            if n.suspicions.iter().any(|s| s.0 == u.about) {
                n.suspicions.retain(|s| s.0 != u.about);
                ctx.cancel_timer(Timer::Suspicion(u.about));
            }
        }
    }
    enqueue(n, u);
}

/// Its own detector concluded `who` is dead: record it, and tell the others.
fn declare_dead(sw: &Swim, n: &mut Node, who: NodeId, inc: u32, ctx: C) {
    ctx.note(Note::Declared { by: n.me, about: who, inc });
    hear(sw, n, Update { about: who, status: Status::Dead, inc }, ctx);
}

/// The incarnation at which it suspects `target`, to carry on a ping to it.
fn accusation(sw: &Swim, n: &Node, target: NodeId) -> Option<u32> {
    let e = n.entry(target);
    (e.status == Status::Suspect && !sw.is(Mutant::NoPiggyback)).then_some(e.inc)
}

/// Queue an update for piggybacking, replacing any older one about the same member.
fn enqueue(n: &mut Node, u: Update) {
    n.queue.retain(|q| q.0.about != u.about);
    n.queue.push((u, 0));
}

/// The updates one message carries: those sent least often first (the newest among equals),
/// each counted; an update sent `transmit_limit` times leaves the queue.
fn piggyback(sw: &Swim, n: &mut Node) -> Vec<Update> {
    if sw.is(Mutant::NoPiggyback) || n.queue.is_empty() {
        return Vec::new();
    }
    let len = n.queue.len();
    let mut order: Vec<(u64, u32)> = n
        .queue
        .iter()
        .enumerate()
        .map(|(i, q)| (((q.1 as u64) << 32) | (len - 1 - i) as u64, i as u32))
        .collect();
    crate::order::sort_keyed(&mut order);
    let limit = sw.transmit_limit();
    let mut out = Vec::new();
    for &(_, i) in order.iter().take(MAX_PIGGYBACK) {
        let q = &mut n.queue[i as usize];
        q.1 += 1;
        out.push(q.0);
    }
    n.queue.retain(|q| q.1 < limit);
    out
}

fn take_seq(n: &mut Node) -> u32 {
    n.next_seq = n.next_seq.wrapping_add(1);
    n.next_seq
}

/// The `i`th of the other members (every member but `me`, in order).
fn other(me: NodeId, i: usize) -> NodeId {
    let i = i as u32;
    NodeId(if i < me.0 { i } else { i + 1 })
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// A new round of round-robin probing: a fresh order of the others, `(a·i + b) mod (n−1)`
/// with `a` coprime to n−1 (a permutation drawn from the seeded generator).
fn new_round(sw: &Swim, n: &mut Node, ctx: C) {
    let m = (sw.members - 1) as u64;
    if m <= 1 {
        n.round = (1, 0, 0);
        return;
    }
    let mut a = 1;
    for _ in 0..64 {
        let x = ctx.rng().range(1, m - 1);
        if gcd(x, m) == 1 {
            a = x;
            break;
        }
    }
    let b = ctx.rng().below(m);
    n.round = (a as u32, b as u32, 0);
}

/// The next member to probe: the next in this round's order (round-robin) or one drawn at
/// random, skipping those it believes dead.
fn next_target(sw: &Swim, n: &mut Node, ctx: C) -> Option<NodeId> {
    let m = sw.members - 1;
    match sw.selection {
        Selection::RoundRobin => {
            for _ in 0..2 * m {
                if n.round.2 as usize >= m {
                    new_round(sw, n, ctx);
                }
                let (a, b, pos) = n.round;
                n.round.2 += 1;
                let idx = (a as u64 * pos as u64 + b as u64) % m as u64;
                let t = other(n.me, idx as usize);
                if n.entry(t).status != Status::Dead {
                    return Some(t);
                }
            }
            None
        }
        Selection::Random => {
            // Uniform among the others it believes alive or suspect: draw until one is (in a
            // group it believes mostly dead, the first such after a random start).
            for _ in 0..32 {
                let t = other(n.me, ctx.rng().below(m as u64) as usize);
                if n.entry(t).status != Status::Dead {
                    return Some(t);
                }
            }
            let start = ctx.rng().below(m as u64) as usize;
            (0..m).map(|k| other(n.me, (start + k) % m)).find(|t| n.entry(*t).status != Status::Dead)
        }
    }
}

/// All-to-all heartbeating: tell everyone, and declare dead whoever has been silent for
/// `heartbeat_periods` periods.
fn heartbeat_tick(sw: &Swim, n: &mut Node, ctx: C) {
    for i in 0..sw.members - 1 {
        ctx.send(other(n.me, i), Msg::Heartbeat { inc: n.hard.inc });
    }
    let silence = Time(sw.period().0.saturating_mul(sw.heartbeat_periods as u64));
    let now = ctx.now();
    for i in 0..sw.members - 1 {
        let who = other(n.me, i);
        let e = n.entry(who);
        let heard = n.heard.get(who.index()).copied().unwrap_or(Time::ZERO);
        if e.status != Status::Dead && now.0.saturating_sub(heard.0) > silence.0 {
            ctx.note(Note::Declared { by: n.me, about: who, inc: e.inc });
            n.set_entry(who, Entry { status: Status::Dead, inc: e.inc });
        }
    }
}
