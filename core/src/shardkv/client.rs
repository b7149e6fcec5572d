//! A client of the sharded database: it keeps the newest configuration it has seen, sends each
//! request to a server of the group that owns the key's shard there, follows "not the leader"
//! hints, and on "wrong group" or silence asks the configuration service again. It retries
//! with the same request number, so a shard's duplicate table applies a retried write once,
//! wherever the shard has moved meanwhile.

use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use crate::kv::{ClientHard, KvOp, KvResult, MAX_QUEUE};
use crate::protocol::{Ctx, NodeId, Time};

use super::configs::{shard_of, Config, GroupId, NOBODY};
use super::types::*;

type Cx<'a, 'b> = &'a mut Ctx<'b, ShardKv>;

/// The request a client waits for.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Pending {
    pub req: u64,
    pub op: KvOp,
    /// The server it went to last (none: it waits for a configuration that names an owner).
    pub target: Option<NodeId>,
    pub tries: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Client {
    pub id: NodeId,
    pub hard: ClientHard,
    /// The newest configuration it has seen.
    pub config: Config,
    pub pending: Option<Pending>,
    pub queue: Vec<KvOp>,
    /// The leader it last heard of, per group.
    pub hints: Vec<Option<NodeId>>,
    pub completed: u64,
    /// Answers of "wrong group" it has had: each sent it back to the configuration service.
    pub redirected: u64,
    pub last: Option<(KvOp, KvResult)>,
}

pub fn init(k: &ShardKv, ctx: Cx) -> Client {
    if k.think_ms > 0 {
        let think = k.think_ms as u64 * 1000;
        let first = ctx.rng().range(think / 2, think * 3);
        ctx.set_timer(Timer::ClientNext, Time(first));
    }
    Client {
        id: ctx.me(),
        hard: ClientHard { next_req: 1 },
        config: Config::empty(k.shards),
        pending: None,
        queue: Vec::new(),
        hints: vec![None; k.groups],
        completed: 0,
        redirected: 0,
        last: None,
    }
}

/// Back from a crash with only its request numbers: it asks for the configuration afresh.
pub fn restart(k: &ShardKv, hard: ClientHard, ctx: Cx) -> Client {
    Client { hard, ..init(k, ctx) }
}

/// Ask a configuration server (chosen at random) for the newest configuration.
fn ask_config(ctx: Cx) {
    let server = NodeId(ctx.rng().below(GROUP_SIZE as u64) as u32);
    ctx.send(server, Msg::Query { num: None });
}

/// The group that owns the key's shard in the client's configuration.
fn owner(k: &ShardKv, c: &Client, op: &KvOp) -> GroupId {
    c.config.owners.get(shard_of(op.key().as_str(), k.shards)).copied().unwrap_or(NOBODY)
}

/// Send the pending request to the owner's leader as the client knows it, else to one of the
/// owner's servers (not `avoid`, the one that just failed it).
fn send(k: &ShardKv, c: &mut Client, avoid: Option<NodeId>, ctx: Cx) {
    let Some(p) = c.pending.as_mut() else { return };
    let g = c.config.owners.get(shard_of(p.op.key().as_str(), k.shards)).copied().unwrap_or(NOBODY);
    if g == NOBODY || g as usize >= k.groups {
        p.target = None;
        ask_config(ctx);
    } else {
        let members = k.members(g);
        let target = match c.hints[g as usize].filter(|h| Some(*h) != avoid) {
            Some(h) => h,
            None => {
                let mut t = members.global(NodeId(ctx.rng().below(members.size as u64) as u32));
                if Some(t) == avoid {
                    t = members.global(NodeId((members.local(t).0 + 1) % members.size));
                }
                t
            }
        };
        p.target = Some(target);
        p.tries += 1;
        ctx.send(target, Msg::Request { req: p.req, op: p.op.clone() });
    }
    ctx.set_timer(Timer::ClientRetry, Time(CLIENT_TIMEOUT_US));
}

fn issue(k: &ShardKv, c: &mut Client, op: KvOp, ctx: Cx) {
    let req = c.hard.next_req;
    c.hard.next_req += 1;
    ctx.note(Note::Invoke { client: c.id, req, op: op.clone() });
    c.pending = Some(Pending { req, op, target: None, tries: 0 });
    send(k, c, None, ctx);
}

fn next(k: &ShardKv, c: &mut Client, ctx: Cx) {
    if c.pending.is_some() {
        return;
    }
    if !c.queue.is_empty() {
        let op = c.queue.remove(0);
        return issue(k, c, op, ctx);
    }
    if k.think_ms > 0 {
        let op = crate::kv::client::random_op(k.workload, ctx);
        issue(k, c, op, ctx);
    }
}

pub fn on_timer(k: &ShardKv, c: &mut Client, timer: Timer, ctx: Cx) {
    match timer {
        Timer::ClientNext => next(k, c, ctx),
        Timer::ClientRetry => {
            let Some(p) = c.pending.clone() else { return };
            // Silence: that server may be down, cut off or no longer the leader, or the
            // shard may have moved. Ask where it is, and try another server meanwhile.
            if let Some(t) = p.target {
                for h in c.hints.iter_mut().filter(|h| **h == Some(t)) {
                    *h = None;
                }
            }
            ask_config(ctx);
            send(k, c, p.target, ctx);
        }
        _ => {}
    }
}

pub fn on_message(k: &ShardKv, c: &mut Client, from: NodeId, msg: Msg, ctx: Cx) {
    match msg {
        Msg::Config(config) => {
            // Broken (stale-client-map): only the first map is taken.
            let stuck = k.is(Mutant::StaleClientMap) && c.config.num > 0;
            if config.num <= c.config.num || config.owners.len() != k.shards || stuck {
                return;
            }
            let before = c.pending.as_ref().map(|p| owner(k, c, &p.op));
            c.config = config;
            let after = c.pending.as_ref().map(|p| owner(k, c, &p.op));
            // The owner changed, or there was none: go there now rather than at the timeout.
            let waiting = c.pending.as_ref().is_some_and(|p| p.target.is_none());
            if before != after || waiting {
                send(k, c, None, ctx);
            }
        }
        Msg::Reply { req, answer } => {
            let Some(p) = c.pending.clone() else { return };
            if p.req != req {
                return;
            }
            match answer {
                Answer::Ok { result, pos } => {
                    let shard = shard_of(p.op.key().as_str(), k.shards) as u8;
                    let op = p.op.clone();
                    ctx.note(Note::Ack { client: c.id, req, op, result: result.clone(), shard, pos });
                    if let Some(g) = k.group_of(from) {
                        c.hints[g as usize] = Some(from);
                    }
                    c.pending = None;
                    c.completed += 1;
                    c.last = Some((p.op, result));
                    ctx.cancel_timer(Timer::ClientRetry);
                    let think = if c.queue.is_empty() { k.think_ms as u64 * 1000 } else { 1_000 };
                    if think > 0 {
                        let wait = ctx.rng().range(think / 2, think * 3 / 2);
                        ctx.set_timer(Timer::ClientNext, Time(wait));
                    }
                }
                Answer::WrongGroup => {
                    // The map moved: ask for the newest; the retry timer covers a stale answer.
                    c.redirected += 1;
                    ask_config(ctx);
                }
                Answer::NotLeader(hint) => {
                    let g = k.group_of(from);
                    let hint = hint.filter(|h| *h != from && k.group_of(*h) == g);
                    if let Some(g) = g {
                        c.hints[g as usize] = hint;
                    }
                    if hint.is_some() {
                        send(k, c, Some(from), ctx);
                    } else {
                        // Nobody there knows a leader (an election): wait a heartbeat, then try
                        // another, rather than circle the group at the network's speed.
                        ctx.set_timer(Timer::ClientRetry, Time(k.raft.heartbeat_us));
                    }
                }
            }
        }
        _ => {}
    }
}

/// A user's operation arrives at a client: queue it and send it when the client is free.
pub fn on_op(k: &ShardKv, c: &mut Client, op: KvOp, ctx: Cx) {
    if c.queue.len() >= MAX_QUEUE {
        ctx.note(Note::Refused { node: c.id, why: format!("the client's queue is full ({MAX_QUEUE})") });
        return;
    }
    c.queue.push(op);
    next(k, c, ctx);
}

/// One line on what the client waits for.
pub fn waiting(k: &ShardKv, c: &Client) -> String {
    match &c.pending {
        Some(Pending { req, op, target: Some(t), tries }) => {
            format!("#{req} {op} → {} (try {tries})", k.name(*t))
        }
        Some(Pending { req, op, target: None, .. }) => format!("#{req} {op}: asking where its shard is"),
        None => String::from("idle"),
    }
}
