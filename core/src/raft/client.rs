//! A simulated client: it sends one request at a time to the server it thinks leads, follows
//! redirects, and retries on timeout with the same request number, so the state machine's
//! session table applies a retried write only once.

use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use crate::protocol::{Ctx, NodeId, NodeView, Time};

use super::types::*;

/// Most operations a user may queue at one client.
pub const MAX_QUEUE: usize = 16;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Pending {
    pub req: u64,
    pub op: KvOp,
    pub target: NodeId,
    pub tries: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Client {
    pub id: NodeId,
    pub next_req: u64,
    pub pending: Option<Pending>,
    pub queue: Vec<KvOp>,
    pub leader_hint: Option<NodeId>,
    pub completed: u64,
    pub last: Option<(KvOp, KvResult)>,
}

pub fn init(raft: &Raft, ctx: &mut Ctx<Raft>) -> Client {
    if raft.client_think_us > 0 {
        let first = ctx.rng().range(raft.client_think_us / 2, raft.client_think_us * 3);
        ctx.set_timer(Timer::ClientNext, Time(first));
    }
    Client {
        id: ctx.me(),
        next_req: 1,
        pending: None,
        queue: Vec::new(),
        leader_hint: None,
        completed: 0,
        last: None,
    }
}

pub fn restart(raft: &Raft, old: &Client, ctx: &mut Ctx<Raft>) -> Client {
    // A restarted client forgets what it was waiting for, but never reuses a request number.
    let mut c = init(raft, ctx);
    c.next_req = old.next_req;
    c
}

fn random_op(ctx: &mut Ctx<Raft>) -> KvOp {
    let keys = ["x", "y", "z"];
    let key = String::from(keys[ctx.rng().below(3) as usize]);
    let roll = ctx.rng().below(100);
    let v = ctx.rng().range(1, 99);
    match roll {
        0..=44 => KvOp::Put(key, v),
        45..=74 => KvOp::Get(key),
        75..=89 => {
            let expected = if ctx.rng().chance(0.2) { None } else { Some(ctx.rng().range(1, 99)) };
            KvOp::Cas(key, expected, v)
        }
        _ => KvOp::Delete(key),
    }
}

fn pick_server(raft: &Raft, c: &Client, avoid: Option<NodeId>, ctx: &mut Ctx<Raft>) -> NodeId {
    if let Some(l) = c.leader_hint.filter(|l| Some(*l) != avoid) {
        return l;
    }
    let n = (raft.servers + raft.spares) as u64;
    let mut t = NodeId(ctx.rng().below(raft.servers as u64) as u32);
    if Some(t) == avoid && n > 1 {
        t = NodeId((t.0 + 1) % raft.servers as u32);
    }
    t
}

fn issue(raft: &Raft, c: &mut Client, op: KvOp, ctx: &mut Ctx<Raft>) {
    let req = c.next_req;
    c.next_req += 1;
    let target = pick_server(raft, c, None, ctx);
    ctx.note(Note::Invoke { client: c.id, req, op: op.clone() });
    ctx.send(target, Msg::Request { req, op: op.clone() });
    c.pending = Some(Pending { req, op, target, tries: 1 });
    ctx.set_timer(Timer::ClientRetry, Time(raft.client_timeout_us));
}

fn next(raft: &Raft, c: &mut Client, ctx: &mut Ctx<Raft>) {
    if c.pending.is_some() {
        return;
    }
    if !c.queue.is_empty() {
        let op = c.queue.remove(0);
        return issue(raft, c, op, ctx);
    }
    if raft.client_think_us > 0 {
        let op = random_op(ctx);
        issue(raft, c, op, ctx);
    }
}

pub fn on_timer(raft: &Raft, c: &mut Client, timer: Timer, ctx: &mut Ctx<Raft>) {
    match timer {
        Timer::ClientNext => next(raft, c, ctx),
        Timer::ClientRetry => {
            let Some(p) = c.pending.clone() else { return };
            // No answer: that server may be down or cut off. Try another one.
            if c.leader_hint == Some(p.target) {
                c.leader_hint = None;
            }
            let target = pick_server(raft, c, Some(p.target), ctx);
            ctx.send(target, Msg::Request { req: p.req, op: p.op.clone() });
            c.pending = Some(Pending { target, tries: p.tries + 1, ..p });
            ctx.set_timer(Timer::ClientRetry, Time(raft.client_timeout_us));
        }
        _ => {}
    }
}

pub fn on_message(raft: &Raft, c: &mut Client, from: NodeId, msg: Msg, ctx: &mut Ctx<Raft>) {
    let Msg::Reply { req, outcome } = msg else { return };
    let Some(p) = c.pending.clone() else { return };
    if p.req != req {
        return;
    }
    match outcome {
        Outcome::Redirect(hint) => {
            c.leader_hint = hint.filter(|h| raft.is_server(*h) && *h != from);
            if let Some(l) = c.leader_hint {
                ctx.send(l, Msg::Request { req, op: p.op.clone() });
                c.pending = Some(Pending { target: l, tries: p.tries + 1, ..p });
                ctx.set_timer(Timer::ClientRetry, Time(raft.client_timeout_us));
            } else {
                // Nobody knows a leader yet: wait a little, then try elsewhere.
                ctx.set_timer(Timer::ClientRetry, Time(raft.heartbeat_us));
            }
        }
        Outcome::Ok { result, index, term } => {
            ctx.note(Note::Ack { client: c.id, req, op: p.op.clone(), result: result.clone(), index, term });
            c.pending = None;
            c.completed += 1;
            c.leader_hint = Some(from);
            c.last = Some((p.op, result));
            ctx.cancel_timer(Timer::ClientRetry);
            let think = if c.queue.is_empty() { raft.client_think_us } else { 1_000 };
            if think > 0 {
                let wait = ctx.rng().range(think / 2, think * 3 / 2);
                ctx.set_timer(Timer::ClientNext, Time(wait));
            }
        }
    }
}

/// A user's operation arrives at a client: queue it and send it when the client is free.
pub fn on_op(raft: &Raft, c: &mut Client, op: ClientOp, ctx: &mut Ctx<Raft>) {
    match op {
        ClientOp::Kv(op) => {
            if c.queue.len() >= MAX_QUEUE {
                ctx.note(Note::Refused {
                    node: c.id,
                    why: format!("the client's queue is full ({MAX_QUEUE})"),
                });
                return;
            }
            c.queue.push(op);
            next(raft, c, ctx);
        }
        other => ctx
            .note(Note::Refused { node: c.id, why: format!("{other} goes to the leader, not to a client") }),
    }
}

pub fn view(raft: &Raft, c: &Client) -> NodeView {
    let waiting = match &c.pending {
        Some(p) => format!("#{} {} → {} (try {})", p.req, p.op, p.target, p.tries),
        None => String::from("idle"),
    };
    let last = match &c.last {
        Some((op, r)) => format!("{op} → {r}"),
        None => String::from("—"),
    };
    let mut summary = vec![match &c.pending {
        Some(p) => format!("waiting: {}", p.op),
        None => String::from("idle"),
    }];
    summary.push(format!("{} done", c.completed));
    NodeView {
        role: String::from("client"),
        badge: String::from("client"),
        fields: vec![
            ("request".into(), waiting),
            ("last result".into(), last),
            ("completed".into(), format!("{}", c.completed)),
            ("queued".into(), format!("{}", c.queue.len())),
            ("leader hint".into(), c.leader_hint.map(|l| format!("{l}")).unwrap_or_else(|| "—".into())),
            (
                "workload".into(),
                if raft.client_think_us > 0 {
                    "random put/get/cas/delete on x, y, z".into()
                } else {
                    "only what you send".into()
                },
            ),
        ],
        summary,
        hue_key: None,
        accepts: Some("put x 5 · get x · cas x 5 6 · cas x - 1 · delete x".into()),
        actions: Vec::new(),
    }
}
