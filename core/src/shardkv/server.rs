//! The servers: those of the configuration service, and those of the replica groups, each a
//! Raft server (the Raft module's own handlers, run through `Ctx::nest_in` with the group's
//! servers numbered from 0) with what the sharded database adds around it.
//!
//! A configuration server takes an operator's join or leave into its log (retrying until it
//! is applied) and answers anyone's question for a configuration from its own copy: a
//! configuration, once applied, never changes, so any replica that has it may give it.
//!
//! A replica group's leader, every tick, asks for the configuration after its own, once every
//! shard it owns has its data, and puts it in the group's log; it asks the previous owner of
//! each shard it waits for, and puts the data it receives in the log too. A client's request
//! goes into the log if the group serves the key's shard; the server that took it answers
//! once it has applied it.

use alloc::collections::BTreeSet;
use alloc::format;
use alloc::vec::Vec;

use crate::kv::KvOp;
use crate::protocol::{Ctx, NodeId, Time};
use crate::raft::server::Role;
use crate::raft::{self, Group};

use super::configs::{shard_of, Change, Configs, GroupId};
use super::machine::{Applied, Cmd, Shards, Status};
use super::types::*;

type Cx<'a, 'b> = &'a mut Ctx<'b, ShardKv>;

/// A server of the configuration service.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ConfigServer {
    pub raft: raft::Server<Configs>,
    /// Operators' commands taken here and not yet applied (kept across a crash).
    pub pending: Vec<Change>,
}

/// A server of a replica group.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Replica {
    pub group: GroupId,
    pub raft: raft::Server<Shards>,
    /// Clients' requests this server put in the log as leader and has yet to answer: (client,
    /// request). Emptied when it stops leading.
    pub waiting: BTreeSet<(u32, u64)>,
    /// Which configuration server to ask next.
    pub ask: u32,
}

// Requests a server puts in its own group's log are numbered apart from the clients'
// (client << 40 | request): a configuration by its number, a shard's data by both.
const RECONFIG: u64 = 1 << 62;
const INSTALL: u64 = 2 << 62;

fn forwarded(client: NodeId, req: u64) -> u64 {
    ((client.0 as u64) << 40) | req
}

pub fn init_config(k: &ShardKv, ctx: Cx) -> ConfigServer {
    let (mut raft, notes) =
        ctx.nest_in(k.config_members(), Msg::Cfg, Timer::Raft, |inner| raft::server::init(&k.raft, inner));
    raft.hard.snapshot.kv = k.configs();
    raft.kv = k.configs();
    boot_config(raft, notes, ctx)
}

/// Back from a crash with Raft's hard state and the operators' commands it had taken (kept
/// on disk, so that a command taken is not lost to a crash before the log has it).
pub fn restart_config(
    k: &ShardKv,
    hard: raft::HardState<Configs>,
    pending: Vec<Change>,
    ctx: Cx,
) -> ConfigServer {
    let (raft, notes) = ctx.nest_in(k.config_members(), Msg::Cfg, Timer::Raft, |inner| {
        raft::server::restart(&k.raft, hard, inner)
    });
    ConfigServer { pending, ..boot_config(raft, notes, ctx) }
}

fn boot_config(raft: raft::Server<Configs>, notes: Vec<raft::Note>, ctx: Cx) -> ConfigServer {
    for n in notes {
        ctx.note(Note::Cfg(n));
    }
    ctx.set_timer(Timer::Tick, Time(TICK_US));
    ConfigServer { raft, pending: Vec::new() }
}

pub fn init_replica(k: &ShardKv, g: GroupId, ctx: Cx) -> Replica {
    let (mut raft, notes) =
        ctx.nest_in(k.members(g), Msg::Rep, Timer::Raft, |inner| raft::server::init(&k.raft, inner));
    let machine = Shards::new(g, k.shards, k.mutant);
    raft.hard.snapshot.kv = machine.clone();
    raft.kv = machine;
    boot_replica(g, raft, notes, ctx)
}

pub fn restart_replica(k: &ShardKv, g: GroupId, hard: raft::HardState<Shards>, ctx: Cx) -> Replica {
    let (raft, notes) =
        ctx.nest_in(k.members(g), Msg::Rep, Timer::Raft, |inner| raft::server::restart(&k.raft, hard, inner));
    boot_replica(g, raft, notes, ctx)
}

fn boot_replica(group: GroupId, mut raft: raft::Server<Shards>, notes: Vec<raft::Note>, ctx: Cx) -> Replica {
    for note in notes {
        ctx.note(Note::Rep { group, note });
    }
    raft.kv.take_served();
    ctx.set_timer(Timer::Tick, Time(TICK_US));
    Replica { group, raft, waiting: BTreeSet::new(), ask: ctx.me().0 % GROUP_SIZE as u32 }
}

// ---- The configuration service ----

fn with_config_raft<R>(
    k: &ShardKv,
    s: &mut ConfigServer,
    ctx: Cx,
    f: impl FnOnce(&raft::Raft, &mut raft::Server<Configs>, &mut Ctx<Group<Configs>>) -> R,
) -> R {
    let (r, notes) =
        ctx.nest_in(k.config_members(), Msg::Cfg, Timer::Raft, |inner| f(&k.raft, &mut s.raft, inner));
    for n in notes {
        ctx.note(Note::Cfg(n));
    }
    s.pending.retain(|c| !s.raft.kv.done.contains(&c.id));
    r
}

/// Hand an operator's command to the service's leader: this server's Raft if it leads, else
/// the leader it knows (none: the next tick tries again).
fn propose_change(k: &ShardKv, s: &mut ConfigServer, change: Change, ctx: Cx) {
    let msg = raft::Msg::Request { req: change.id, op: change };
    if s.raft.role == Role::Leader {
        with_config_raft(k, s, ctx, |r, rs, inner| {
            let me = inner.me();
            raft::server::on_message(r, rs, me, msg, inner)
        });
    } else if let Some(l) = s.raft.leader {
        ctx.send(k.config_members().global(l), Msg::Cfg(msg));
    }
}

pub fn config_on_admin(k: &ShardKv, s: &mut ConfigServer, join: bool, group: GroupId, ctx: Cx) {
    if group as usize >= k.groups {
        let why = format!("there is no group {}", super::configs::group_name(group));
        ctx.note(Note::Refused { node: ctx.me(), why });
        return;
    }
    // Unique in the run: the time, this server, and how many it holds already.
    let id = (ctx.now().0 << 16) | ((ctx.me().0 as u64) << 8) | (s.pending.len() as u64 & 0xff);
    let change = Change { id, join, group };
    s.pending.push(change.clone());
    propose_change(k, s, change, ctx);
}

pub fn config_on_message(k: &ShardKv, s: &mut ConfigServer, from: NodeId, msg: Msg, ctx: Cx) {
    match msg {
        Msg::Cfg(raft::Msg::Reply { .. }) => {}
        Msg::Cfg(m) if k.is_config_server(from) => {
            let local = k.config_members().local(from);
            with_config_raft(k, s, ctx, |r, rs, inner| raft::server::on_message(r, rs, local, m, inner))
        }
        Msg::Query { num } => {
            let config = match num {
                Some(n) => s.raft.kv.get(n),
                None => Some(s.raft.kv.latest()),
            };
            if let Some(config) = config {
                ctx.send(from, Msg::Config(config));
            }
        }
        _ => {}
    }
}

pub fn config_on_timer(k: &ShardKv, s: &mut ConfigServer, timer: Timer, ctx: Cx) {
    match timer {
        Timer::Raft(t) => with_config_raft(k, s, ctx, |r, rs, inner| raft::server::on_timer(r, rs, t, inner)),
        Timer::Tick => {
            ctx.set_timer(Timer::Tick, Time(TICK_US));
            for change in s.pending.clone() {
                propose_change(k, s, change, ctx);
            }
        }
        _ => {}
    }
}

// ---- A replica group ----

/// Run one of Raft's handlers on this server, then answer the clients whose commands it
/// applied and tell the checker.
fn with_raft<R>(
    k: &ShardKv,
    s: &mut Replica,
    ctx: Cx,
    f: impl FnOnce(&raft::Raft, &mut raft::Server<Shards>, &mut Ctx<Group<Shards>>) -> R,
) -> R {
    let group = s.group;
    let (r, notes) =
        ctx.nest_in(k.members(group), Msg::Rep, Timer::Raft, |inner| f(&k.raft, &mut s.raft, inner));
    for note in notes {
        ctx.note(Note::Rep { group, note });
    }
    let (served, reached, installed) = s.raft.kv.take_served();
    let me = ctx.me();
    if k.is(Mutant::PullOnce) && !reached.is_empty() && leads(s) {
        // Broken: the shards it gained are asked for once, as the leader applies the move.
        pull(k, s, ctx);
    }
    for num in reached {
        ctx.note(Note::Reached { server: me, num });
    }
    for (shard, num, ops) in installed {
        ctx.note(Note::Installed { server: me, shard, num, ops });
    }
    for x in served {
        if let Applied::Kv { result, pos } = &x.result {
            ctx.note(Note::Applied {
                group,
                server: me,
                shard: x.shard,
                client: x.client,
                req: x.req,
                op: x.op.clone(),
                result: result.clone(),
                pos: *pos,
                fresh: x.fresh,
            });
        }
        if x.result == Applied::WrongGroup {
            ctx.note(Note::WrongGroup { server: me, shard: x.shard, num: x.num });
        }
        if s.waiting.remove(&(x.client.0, x.req)) {
            let answer = match x.result {
                Applied::Kv { result, pos } => Answer::Ok { result, pos },
                _ => Answer::WrongGroup,
            };
            ctx.send(x.client, Msg::Reply { req: x.req, answer });
        }
    }
    if !leads(s) {
        // Its proposals may never commit now: the clients retry with the next leader.
        s.waiting.clear();
    }
    r
}

/// Put a command in the group's log (this server leads).
fn propose(k: &ShardKv, s: &mut Replica, req: u64, cmd: Cmd, ctx: Cx) {
    with_raft(k, s, ctx, |r, rs, inner| {
        let me = inner.me();
        raft::server::on_message(r, rs, me, raft::Msg::Request { req, op: cmd }, inner)
    });
}

fn leads(s: &Replica) -> bool {
    s.raft.role == Role::Leader
}

pub fn on_message(k: &ShardKv, s: &mut Replica, from: NodeId, msg: Msg, ctx: Cx) {
    let members = k.members(s.group);
    match msg {
        Msg::Rep(raft::Msg::Reply { .. }) => {}
        Msg::Rep(m) if k.group_of(from) == Some(s.group) => {
            let local = members.local(from);
            with_raft(k, s, ctx, |r, rs, inner| raft::server::on_message(r, rs, local, m, inner))
        }
        Msg::Request { req, op } => on_request(k, s, from, req, op, ctx),
        Msg::Config(config) => {
            let machine = &s.raft.kv;
            let next = if k.is(Mutant::SkipConfigs) {
                config.num > machine.config.num
            } else {
                config.num == machine.config.num + 1 && machine.settled()
            };
            if leads(s) && next {
                propose(k, s, RECONFIG | config.num, Cmd::Reconfig(config), ctx);
            }
        }
        Msg::Pull { shard, num } => {
            let machine = &s.raft.kv;
            if machine.config.num >= num {
                if let Some((_, copy)) = machine.handoff.get(&shard).filter(|(at, _)| *at == num) {
                    ctx.send(from, Msg::ShardData { shard, num, copy: copy.clone() });
                }
            }
        }
        Msg::ShardData { shard, num, copy } => {
            let machine = &s.raft.kv;
            let waiting = machine.config.num == num
                && machine
                    .shards
                    .get(shard as usize)
                    .is_some_and(|x| matches!(x.status, Status::Pulling { .. }));
            if leads(s) && waiting {
                propose(k, s, INSTALL | (num << 8) | shard as u64, Cmd::Install { shard, num, copy }, ctx);
            }
        }
        _ => {}
    }
}

fn on_request(k: &ShardKv, s: &mut Replica, client: NodeId, req: u64, op: KvOp, ctx: Cx) {
    if !leads(s) {
        let hint = s.raft.leader.map(|l| k.members(s.group).global(l));
        ctx.send(client, Msg::Reply { req, answer: Answer::NotLeader(hint) });
        return;
    }
    let machine = &s.raft.kv;
    let shard = shard_of(op.key().as_str(), k.shards);
    if !machine.serves(op.key()) {
        // Its data is on the way: the client's retry will find it. Otherwise, not here.
        if !matches!(machine.shards[shard].status, Status::Pulling { .. }) {
            ctx.note(Note::WrongGroup { server: ctx.me(), shard: shard as u8, num: machine.config.num });
            ctx.send(client, Msg::Reply { req, answer: Answer::WrongGroup });
        }
        return;
    }
    s.waiting.insert((client.0, req));
    propose(k, s, forwarded(client, req), Cmd::Client { client, req, op }, ctx);
}

pub fn on_timer(k: &ShardKv, s: &mut Replica, timer: Timer, ctx: Cx) {
    match timer {
        Timer::Raft(t) => with_raft(k, s, ctx, |r, rs, inner| raft::server::on_timer(r, rs, t, inner)),
        Timer::Tick => {
            ctx.set_timer(Timer::Tick, Time(TICK_US));
            if leads(s) {
                tick(k, s, ctx);
            }
        }
        _ => {}
    }
}

/// The leader's round: ask for the next configuration once every shard has its data, and ask
/// the previous owners for the shards still missing.
fn tick(k: &ShardKv, s: &mut Replica, ctx: Cx) {
    // Every tick the next server in turn, of the configuration service and of each old owner:
    // one that is down or behind holds nothing up for long.
    s.ask = (s.ask + 1) % GROUP_SIZE as u32;
    let machine = &s.raft.kv;
    if machine.settled() || k.is(Mutant::SkipConfigs) {
        let num = if k.is(Mutant::SkipConfigs) { None } else { Some(machine.config.num + 1) };
        ctx.send(k.config_members().global(NodeId(s.ask)), Msg::Query { num });
    }
    if !k.is(Mutant::PullOnce) {
        pull(k, s, ctx);
    }
}

/// Ask the previous owner of each shard still missing for it: the server whose turn it is
/// (any old server that has applied the configuration holds the same frozen copy).
fn pull(k: &ShardKv, s: &Replica, ctx: Cx) {
    let machine = &s.raft.kv;
    let num = machine.config.num;
    let turn = s.ask;
    for (shard, x) in machine.shards.iter().enumerate() {
        if let Status::Pulling { from, .. } = x.status {
            let old = k.members(from);
            ctx.send(old.global(NodeId(turn % old.size)), Msg::Pull { shard: shard as u8, num });
        }
    }
}
