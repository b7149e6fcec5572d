//! A client of the file system. To write a file it asks the metadata leader for a block and
//! its pipeline, sends the block to the pipeline's first node, and when the acknowledgement
//! comes back from the whole pipeline asks the leader to complete the file: the write is done
//! when the leader has that in its log. A node that fails in the pipeline is dropped and the
//! pipeline rebuilt (with a new generation, and a replacement node where one is free), and the
//! block sent again: HDFS's `replace-datanode-on-failure` policy `ALWAYS`. (Its `DEFAULT` policy
//! replaces a node only when R ≥ 3 and at most ⌊R/2⌋ nodes are left, and otherwise writes on
//! with fewer, leaving the block to re-replication.) A first node that never answers is dropped
//! the same way: HDFS, failing to set a pipeline up, abandons the block and asks for a new one,
//! but here the block goes whole with the setup, so setting up and streaming are one step. To read, it asks the leader where the file's block is and reads the
//! nearest replica, falling back on the next; when none answers it asks the leader again, and
//! after `READ_ROUNDS` such rounds it gives the read up (HDFS's `BlockMissingException`; HDFS
//! also waits longer before each new round, 3 s times the round and more, which the client here
//! does not).
//!
//! Every request to the metadata servers carries a number kept across retries, so a retried
//! request the log already holds is answered from the duplicate table, not applied again.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use crate::kv::{ClientHard, Key, KvOp, KvResult, MAX_QUEUE};
use crate::protocol::{Ctx, NodeId, Time};

use super::names::Ask;
use super::types::*;

type Cx<'a, 'b> = &'a mut Ctx<'b, Dfs>;

/// Where the client's operation stands.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Stage {
    /// Waiting for the metadata leader's answer to request `req`.
    Asking { req: u64, ask: Ask, to: NodeId },
    /// Waiting for the pipeline's acknowledgement.
    Writing(Pipeline),
    /// Reading the block from its replicas in turn (`next` is the one asked).
    Reading { req: u64, block: BlockId, gen: u32, nodes: Vec<NodeId>, next: usize },
    /// Another client holds the file's lease: ask to write it again after a while.
    Waiting { holder: NodeId },
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Pending {
    /// The operation's number in the history.
    pub id: u64,
    pub op: KvOp,
    pub stage: Stage,
    /// Rounds of a read that ran out of replicas.
    pub rounds: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Client {
    pub id: NodeId,
    pub hard: ClientHard,
    pub pending: Option<Pending>,
    pub queue: Vec<KvOp>,
    pub leader: Option<NodeId>,
    pub completed: u64,
    /// Pipelines rebuilt, reads that fell back on a farther replica, and reads given up.
    pub rebuilt: u64,
    pub fallbacks: u64,
    pub missing: u64,
    /// The last operation ended, and its result (`None`: a read given up).
    pub last: Option<(KvOp, Option<KvResult>)>,
}

pub fn init(d: &Dfs, ctx: Cx) -> Client {
    if d.think_ms > 0 {
        let think = d.think_ms as u64 * 1000;
        let first = ctx.rng().range(think / 2, think * 3);
        ctx.set_timer(Timer::ClientNext, Time(first));
    }
    Client {
        id: ctx.me(),
        hard: ClientHard { next_req: 1 },
        pending: None,
        queue: Vec::new(),
        leader: None,
        completed: 0,
        rebuilt: 0,
        fallbacks: 0,
        missing: 0,
        last: None,
    }
}

pub fn restart(d: &Dfs, hard: ClientHard, ctx: Cx) -> Client {
    Client { hard, ..init(d, ctx) }
}

fn file(op: &KvOp) -> Key {
    *op.key()
}

fn fresh_req(c: &mut Client) -> u64 {
    let req = c.hard.next_req;
    c.hard.next_req += 1;
    req
}

/// Send `ask` (as request `req`) to the leader the client knows, else to a metadata server
/// at random (not `avoid`).
fn ask(c: &mut Client, req: u64, ask: Ask, avoid: Option<NodeId>, ctx: Cx) {
    let to = match c.leader.filter(|l| Some(*l) != avoid) {
        Some(l) => l,
        None => {
            let mut t = NodeId(ctx.rng().below(META as u64) as u32);
            if Some(t) == avoid {
                t = NodeId((t.0 + 1) % META as u32);
            }
            t
        }
    };
    ctx.send(to, Msg::Request { req, ask: ask.clone() });
    if let Some(p) = c.pending.as_mut() {
        p.stage = Stage::Asking { req, ask, to };
    }
    ctx.set_timer(Timer::ClientRetry, Time(CLIENT_TIMEOUT_US));
}

fn ask_new(c: &mut Client, a: Ask, ctx: Cx) {
    let req = fresh_req(c);
    ask(c, req, a, None, ctx);
}

fn issue(c: &mut Client, op: KvOp, ctx: Cx) {
    let id = fresh_req(c);
    ctx.note(Note::Invoke { client: c.id, req: id, op: op.clone() });
    let f = file(&op);
    let first = match op {
        KvOp::Get(_) => Ask::Read { file: f },
        _ => Ask::Create { file: f },
    };
    let stage = Stage::Writing(Pipeline { block: 0, gen: 0, targets: Vec::new() });
    c.pending = Some(Pending { id, op, stage, rounds: 0 });
    ask_new(c, first, ctx);
}

fn next(d: &Dfs, c: &mut Client, ctx: Cx) {
    if c.pending.is_some() {
        return;
    }
    if !c.queue.is_empty() {
        let op = c.queue.remove(0);
        return issue(c, op, ctx);
    }
    if d.think_ms > 0 {
        let think = d.think_ms as u64 * 1000;
        let pause = ctx.rng().range(think / 2, think * 3 / 2);
        ctx.set_timer(Timer::ClientNext, Time(pause));
    }
}

fn done(d: &Dfs, c: &mut Client, result: KvResult, ctx: Cx) {
    end(d, c, Ok(result), ctx);
}

/// The operation ends with its result, or (a read) given up on its block.
fn end(d: &Dfs, c: &mut Client, result: Result<KvResult, BlockId>, ctx: Cx) {
    let Some(p) = c.pending.take() else { return };
    ctx.cancel_timer(Timer::ClientRetry);
    let (client, req, op) = (c.id, p.id, p.op.clone());
    match &result {
        Ok(r) => {
            ctx.note(Note::Ack { client, req, op, result: r.clone() });
            c.completed += 1;
        }
        Err(block) => {
            ctx.note(Note::Missing { client, req, op, block: *block });
            c.missing += 1;
        }
    }
    c.last = Some((p.op, result.ok()));
    next(d, c, ctx);
}

/// Send the block down the pipeline.
fn write(c: &mut Client, p: Pipeline, ctx: Cx) {
    let Some(pending) = c.pending.as_mut() else { return };
    let KvOp::Put(f, value) = pending.op else { return };
    if let Some((first, rest)) = p.targets.split_first() {
        let packet = Msg::Packet { block: p.block, gen: p.gen, file: f, value, rest: rest.to_vec() };
        ctx.send(*first, packet);
    }
    ctx.set_timer(Timer::ClientRetry, Time(HOP_US * (p.targets.len() as u64 + 1)));
    pending.stage = Stage::Writing(p);
}

/// Read from the next replica; out of replicas, ask where the block is again, or after
/// `READ_ROUNDS` rounds give the read up.
fn read_next(d: &Dfs, c: &mut Client, ctx: Cx) {
    let Some(p) = c.pending.as_mut() else { return };
    let f = file(&p.op);
    match &mut p.stage {
        Stage::Reading { req, block, gen, nodes, next } if *next < nodes.len() => {
            ctx.send(nodes[*next], Msg::ReadBlock { req: *req, block: *block, gen: *gen });
            ctx.set_timer(Timer::ClientRetry, Time(HOP_US * 2));
        }
        Stage::Reading { block, .. } => {
            let block = *block;
            p.rounds += 1;
            if p.rounds >= READ_ROUNDS {
                end(d, c, Err(block), ctx);
            } else {
                ask_new(c, Ask::Read { file: f }, ctx);
            }
        }
        _ => ask_new(c, Ask::Read { file: f }, ctx),
    }
}

/// A file at random, written (with a number from 1 to 99) or read.
fn random_op(d: &Dfs, ctx: Cx) -> KvOp {
    let w = d.workload;
    let key = crate::kv::Workload::key(ctx.rng().below(w.keys.max(1) as u64) as u32);
    if ctx.rng().below(100) < w.reads_pct as u64 {
        KvOp::Get(key)
    } else {
        KvOp::Put(key, ctx.rng().range(1, 99))
    }
}

pub fn on_op(d: &Dfs, c: &mut Client, op: ClientOp, ctx: Cx) {
    if c.pending.is_none() {
        issue(c, op.0, ctx);
    } else if c.queue.len() < MAX_QUEUE {
        c.queue.push(op.0);
    } else {
        let why = format!("{} already has {MAX_QUEUE} requests waiting", d.name(c.id));
        ctx.note(Note::Refused { node: c.id, why });
    }
}

pub fn on_message(d: &Dfs, c: &mut Client, from: NodeId, msg: Msg, ctx: Cx) {
    let Some(p) = c.pending.as_ref() else { return };
    let f = file(&p.op);
    match (msg, &p.stage) {
        (Msg::Reply { req, answer }, Stage::Asking { req: want, ask: a, .. }) if req == *want => {
            let a = a.clone();
            match answer {
                Answer::NotLeader(hint) => {
                    c.leader = hint;
                    if hint.is_some() {
                        ask(c, req, a, Some(from), ctx);
                    }
                    // No leader known: the retry timer asks again after a while.
                }
                // The retry timer asks again (HDFS's client sleeps 400 ms, then longer).
                Answer::NoSpace | Answer::NotReplicated => {}
                Answer::Busy(holder) => {
                    c.leader = Some(from);
                    if let Some(p) = c.pending.as_mut() {
                        p.stage = Stage::Waiting { holder };
                    }
                    ctx.set_timer(Timer::ClientRetry, Time(CLIENT_TIMEOUT_US));
                }
                Answer::Write(pipeline) => {
                    c.leader = Some(from);
                    write(c, pipeline, ctx);
                }
                Answer::Done => {
                    c.leader = Some(from);
                    done(d, c, KvResult::Done, ctx);
                }
                Answer::Stale => {
                    c.leader = Some(from);
                    ask_new(c, Ask::Create { file: f }, ctx);
                }
                Answer::Located(None) => {
                    c.leader = Some(from);
                    done(d, c, KvResult::Value(None), ctx);
                }
                Answer::Located(Some((block, gen, nodes))) => {
                    c.leader = Some(from);
                    if let Some(p) = c.pending.as_mut() {
                        p.stage = Stage::Reading { req, block, gen, nodes, next: 0 };
                    }
                    read_next(d, c, ctx);
                }
            }
        }
        (Msg::Ack { block, gen, bad }, Stage::Writing(w)) if w.block == block && w.gen == gen => match bad {
            None => ask_new(c, Ask::Complete { file: f, block, gen }, ctx),
            Some(bad) => {
                c.rebuilt += 1;
                ask_new(c, Ask::Rebuild { file: f, block, gen, bad }, ctx);
            }
        },
        (Msg::BlockData { req, block, value }, Stage::Reading { req: want, block: b, .. })
            if req == *want && block == *b =>
        {
            match value {
                Some(v) => done(d, c, KvResult::Value(Some(v)), ctx),
                None => {
                    c.fallbacks += 1;
                    if let Some(Pending { stage: Stage::Reading { next, .. }, .. }) = c.pending.as_mut() {
                        *next += 1;
                    }
                    read_next(d, c, ctx);
                }
            }
        }
        _ => {}
    }
}

pub fn on_timer(d: &Dfs, c: &mut Client, timer: Timer, ctx: Cx) {
    match timer {
        Timer::ClientNext if c.pending.is_none() => {
            let op = random_op(d, ctx);
            issue(c, op, ctx);
        }
        Timer::ClientRetry => {
            let Some(p) = c.pending.as_ref() else { return };
            let f = file(&p.op);
            match p.stage.clone() {
                Stage::Asking { req, ask: a, to } => {
                    if c.leader == Some(to) {
                        c.leader = None;
                    }
                    ask(c, req, a, Some(to), ctx);
                }
                // The first node did not answer at all: drop it.
                Stage::Writing(w) => match w.targets.first() {
                    Some(bad) => {
                        c.rebuilt += 1;
                        ask_new(c, Ask::Rebuild { file: f, block: w.block, gen: w.gen, bad: *bad }, ctx);
                    }
                    None => ask_new(c, Ask::Create { file: f }, ctx),
                },
                Stage::Waiting { .. } => ask_new(c, Ask::Create { file: f }, ctx),
                Stage::Reading { .. } => {
                    c.fallbacks += 1;
                    if let Some(Pending { stage: Stage::Reading { next, .. }, .. }) = c.pending.as_mut() {
                        *next += 1;
                    }
                    read_next(d, c, ctx);
                }
            }
        }
        _ => {}
    }
}

/// The client's request in words, for the page.
pub fn summary(c: &Client, d: &Dfs) -> String {
    match &c.pending {
        None => String::from("idle"),
        Some(p) => match &p.stage {
            Stage::Asking { ask, to, .. } => format!("{ask} → {}", d.name(*to)),
            Stage::Writing(w) => format!("writing block {} through {} nodes", w.block, w.targets.len()),
            Stage::Waiting { holder } => format!("waiting: {} is writing {}", d.name(*holder), file(&p.op)),
            Stage::Reading { block, nodes, next, .. } => {
                format!(
                    "reading block {} from {}",
                    block,
                    nodes.get(*next).map_or(String::from("?"), |n| d.name(*n))
                )
            }
        },
    }
}
