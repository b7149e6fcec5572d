//! A simulated client: it sends one request at a time to the server it thinks leads, follows
//! redirects, and retries on timeout with the same request number, so the state machine's
//! session table applies a retried write only once.

use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use super::key::Key;
use super::store::{KvOp, KvResult, Outcome};
use crate::protocol::{Ctx, NodeId, NodeView, Protocol, Time};

/// What a protocol tells the client about itself: its servers, its timing, and how its
/// messages, timers and checker notes carry a request.
pub trait KvHost: Protocol {
    /// Servers are nodes `0..kv_servers()`; clients pick among them.
    fn kv_servers(&self) -> usize;
    /// Mean pause between a client's own requests (0: only what the user sends).
    fn think_us(&self) -> u64;
    /// How long a client waits for an answer before trying another server.
    fn timeout_us(&self) -> u64;
    /// How long to wait when nobody knows a leader.
    fn retry_wait_us(&self) -> u64;
    /// What clients ask for by themselves.
    fn client_workload(&self) -> Workload;
    fn request(req: u64, op: KvOp) -> Self::Msg;
    /// The request number and outcome of a reply, if `msg` is one.
    fn reply(msg: Self::Msg) -> Option<(u64, Outcome)>;
    fn next_timer() -> Self::Timer;
    fn retry_timer() -> Self::Timer;
    fn invoked(client: NodeId, req: u64, op: KvOp) -> Self::Note;
    fn acked(client: NodeId, req: u64, op: KvOp, result: KvResult, index: u64, term: u64) -> Self::Note;
    fn refused(node: NodeId, why: String) -> Self::Note;
}

/// Most operations a user may queue at one client.
pub const MAX_QUEUE: usize = 16;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Pending {
    pub req: u64,
    pub op: KvOp,
    pub target: NodeId,
    pub tries: u32,
}

/// What a client keeps across a crash, and all its restart sees: the number of its next
/// request, so that it never reuses one (the servers' session table would take a new request
/// under an old number for a retry and answer it with the old result).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ClientHard {
    pub next_req: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Client {
    pub id: NodeId,
    /// Persistent: the next request number.
    pub hard: ClientHard,
    pub pending: Option<Pending>,
    pub queue: Vec<KvOp>,
    pub leader_hint: Option<NodeId>,
    pub completed: u64,
    pub last: Option<(KvOp, KvResult)>,
}

impl Client {
    /// The client with every node id it holds renamed (symmetry reduction).
    pub fn renamed(&self, r: &crate::explorable::Rename) -> Client {
        let mut c = self.clone();
        c.id = r.node(c.id);
        c.leader_hint = c.leader_hint.map(|n| r.node(n));
        if let Some(p) = &mut c.pending {
            p.target = r.node(p.target);
        }
        c
    }
}

pub fn init<P: KvHost>(p: &P, ctx: &mut Ctx<P>) -> Client {
    if p.think_us() > 0 {
        let first = ctx.rng().range(p.think_us() / 2, p.think_us() * 3);
        ctx.set_timer(P::next_timer(), Time(first));
    }
    Client {
        id: ctx.me(),
        hard: ClientHard { next_req: 1 },
        pending: None,
        queue: Vec::new(),
        leader_hint: None,
        completed: 0,
        last: None,
    }
}

/// A client comes back from a crash with only its hard state: it forgets what it was waiting
/// for and what it had queued, but never reuses a request number.
pub fn restart<P: KvHost>(p: &P, hard: ClientHard, ctx: &mut Ctx<P>) -> Client {
    Client { hard, ..init(p, ctx) }
}

/// The `KvHost` of a protocol whose configuration has `servers`, `client_think_us`,
/// `client_timeout_us`, `heartbeat_us` (the wait when no leader is known) and `workload`, and
/// whose `Msg`, `Timer` and `Note` (named at the call site) carry client requests as
/// `Msg::Request`/`Msg::Reply`, `Timer::ClientNext`/`Timer::ClientRetry` and
/// `Note::Invoke`/`Note::Ack`/`Note::Refused`: Raft and Multi-Paxos.
/// `kv_host!(Config, spares)` counts the configuration's `spares` among the servers a client
/// may try: a spare added to the cluster may come to lead.
macro_rules! kv_host {
    ($config:ty $(, $spares:ident)?) => {
        impl $crate::kv::KvHost for $config {
            fn kv_servers(&self) -> usize {
                self.servers $(+ self.$spares)?
            }
            fn think_us(&self) -> u64 {
                self.client_think_us
            }
            fn timeout_us(&self) -> u64 {
                self.client_timeout_us
            }
            fn retry_wait_us(&self) -> u64 {
                self.heartbeat_us
            }
            fn client_workload(&self) -> $crate::kv::Workload {
                self.workload
            }
            fn request(req: u64, op: $crate::kv::KvOp) -> Msg {
                Msg::Request { req, op }
            }
            fn reply(msg: Msg) -> Option<(u64, $crate::kv::Outcome)> {
                match msg {
                    Msg::Reply { req, outcome } => Some((req, outcome)),
                    _ => None,
                }
            }
            fn next_timer() -> Timer {
                Timer::ClientNext
            }
            fn retry_timer() -> Timer {
                Timer::ClientRetry
            }
            fn invoked(client: $crate::protocol::NodeId, req: u64, op: $crate::kv::KvOp) -> Note {
                Note::Invoke { client, req, op }
            }
            fn acked(
                client: $crate::protocol::NodeId,
                req: u64,
                op: $crate::kv::KvOp,
                result: $crate::kv::KvResult,
                index: u64,
                term: u64,
            ) -> Note {
                Note::Ack { client, req, op, result, index, term }
            }
            fn refused(node: $crate::protocol::NodeId, why: alloc::string::String) -> Note {
                Note::Refused { node, why }
            }
        }
    };
}
pub(crate) use kv_host;

/// What simulated clients ask for by themselves: how many keys, and the share of reads and of
/// compare-and-sets (the rest are writes: puts, and deletes at 10 for every 45 puts).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Workload {
    pub keys: u32,
    pub reads_pct: u32,
    pub cas_pct: u32,
}

/// Most keys a workload may use.
pub const MAX_KEYS: u32 = 16;

impl Default for Workload {
    fn default() -> Self {
        Workload { keys: 3, reads_pct: 30, cas_pct: 15 }
    }
}

impl Workload {
    /// Check the workload and the clients' think time (`think_us`) against their limits.
    pub fn validate(&self, think_us: u64) -> Result<(), String> {
        if think_us > 10_000_000 {
            return Err("the clients' think time must be at most 10000 ms".into());
        }
        if !(1..=MAX_KEYS).contains(&self.keys) {
            return Err(format!("the workload's keys must be between 1 and {MAX_KEYS} (got {})", self.keys));
        }
        if self.reads_pct.saturating_add(self.cas_pct) > 100 {
            return Err("reads and compare-and-sets together are at most 100 %".into());
        }
        Ok(())
    }
    /// The name of key `i`: x, y, z, then k3, k4, …
    pub fn key(i: u32) -> Key {
        match i {
            0 => "x".into(),
            1 => "y".into(),
            2 => "z".into(),
            n => Key::new(&format!("k{n}")).unwrap_or_else(|| "k".into()),
        }
    }
}

pub(crate) fn random_op<P: Protocol>(w: Workload, ctx: &mut Ctx<P>) -> KvOp {
    let key = Workload::key(ctx.rng().below(w.keys.max(1) as u64) as u32);
    let roll = ctx.rng().below(100) as u32;
    let v = ctx.rng().range(1, 99);
    let writes = 100 - (w.reads_pct + w.cas_pct).min(100);
    let puts = writes * 45 / 55;
    if roll < puts {
        KvOp::Put(key, v)
    } else if roll < puts + w.reads_pct {
        KvOp::Get(key)
    } else if roll < puts + w.reads_pct + w.cas_pct {
        let expected = if ctx.rng().chance(0.2) { None } else { Some(ctx.rng().range(1, 99)) };
        KvOp::Cas(key, expected, v)
    } else {
        KvOp::Delete(key)
    }
}

fn pick_server<P: KvHost>(p: &P, c: &Client, avoid: Option<NodeId>, ctx: &mut Ctx<P>) -> NodeId {
    if let Some(l) = c.leader_hint.filter(|l| Some(*l) != avoid) {
        return l;
    }
    let n = p.kv_servers() as u32;
    let mut t = NodeId(ctx.rng().below(n as u64) as u32);
    if Some(t) == avoid && n > 1 {
        t = NodeId((t.0 + 1) % n);
    }
    t
}

fn issue<P: KvHost>(p: &P, c: &mut Client, op: KvOp, ctx: &mut Ctx<P>) {
    let req = c.hard.next_req;
    c.hard.next_req += 1;
    let target = pick_server(p, c, None, ctx);
    ctx.note(P::invoked(c.id, req, op.clone()));
    ctx.send(target, P::request(req, op.clone()));
    c.pending = Some(Pending { req, op, target, tries: 1 });
    ctx.set_timer(P::retry_timer(), Time(p.timeout_us()));
}

fn next<P: KvHost>(p: &P, c: &mut Client, ctx: &mut Ctx<P>) {
    if c.pending.is_some() {
        return;
    }
    if !c.queue.is_empty() {
        let op = c.queue.remove(0);
        return issue(p, c, op, ctx);
    }
    if p.think_us() > 0 {
        let op = random_op(p.client_workload(), ctx);
        issue(p, c, op, ctx);
    }
}

pub fn on_timer<P: KvHost>(p: &P, c: &mut Client, timer: P::Timer, ctx: &mut Ctx<P>) {
    if timer == P::next_timer() {
        return next(p, c, ctx);
    }
    if timer != P::retry_timer() {
        return;
    }
    let Some(pending) = c.pending.clone() else { return };
    // No answer: that server may be down or cut off. Try another one.
    if c.leader_hint == Some(pending.target) {
        c.leader_hint = None;
    }
    let target = pick_server(p, c, Some(pending.target), ctx);
    ctx.send(target, P::request(pending.req, pending.op.clone()));
    c.pending = Some(Pending { target, tries: pending.tries + 1, ..pending });
    ctx.set_timer(P::retry_timer(), Time(p.timeout_us()));
}

pub fn on_message<P: KvHost>(p: &P, c: &mut Client, from: NodeId, msg: P::Msg, ctx: &mut Ctx<P>) {
    let Some((req, outcome)) = P::reply(msg) else { return };
    let Some(pending) = c.pending.clone() else { return };
    if pending.req != req {
        return;
    }
    match outcome {
        Outcome::Redirect(hint) => {
            c.leader_hint = hint.filter(|h| h.index() < p.kv_servers() && *h != from);
            if let Some(l) = c.leader_hint {
                ctx.send(l, P::request(req, pending.op.clone()));
                c.pending = Some(Pending { target: l, tries: pending.tries + 1, ..pending });
                ctx.set_timer(P::retry_timer(), Time(p.timeout_us()));
            } else {
                // Nobody knows a leader yet: wait a little, then try elsewhere.
                ctx.set_timer(P::retry_timer(), Time(p.retry_wait_us()));
            }
        }
        Outcome::Ok { result, index, term } => {
            ctx.note(P::acked(c.id, req, pending.op.clone(), result.clone(), index, term));
            c.pending = None;
            c.completed += 1;
            c.leader_hint = Some(from);
            c.last = Some((pending.op, result));
            ctx.cancel_timer(P::retry_timer());
            let think = if c.queue.is_empty() { p.think_us() } else { 1_000 };
            if think > 0 {
                let wait = ctx.rng().range(think / 2, think * 3 / 2);
                ctx.set_timer(P::next_timer(), Time(wait));
            }
        }
    }
}

/// A user's operation arrives at a client: queue it and send it when the client is free.
pub fn on_op<P: KvHost>(p: &P, c: &mut Client, op: KvOp, ctx: &mut Ctx<P>) {
    if c.queue.len() >= MAX_QUEUE {
        ctx.note(P::refused(c.id, format!("the client's queue is full ({MAX_QUEUE})")));
        return;
    }
    c.queue.push(op);
    next(p, c, ctx);
}

pub fn view<P: KvHost>(p: &P, c: &Client) -> NodeView {
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
                if p.think_us() > 0 {
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
