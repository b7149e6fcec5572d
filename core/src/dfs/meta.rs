//! A metadata server (HDFS's NameNode, replicated): a Raft server (the Raft module's own
//! handlers, through `Ctx::nest_in`) whose machine is the namespace, with the soft state every
//! metadata server rebuilds from the data nodes (HDFS's data nodes report to the active and
//! the standby NameNodes alike): when each data node last sent a heartbeat, and the replicas
//! it reported.
//!
//! The leader chooses the data nodes of a new block by HDFS's placement rule over the nodes it
//! counts alive, and puts the choice in the log. Everything else it does once it has applied an
//! entry of its own term (`current`: its namespace holds every committed write):
//!
//! - rebuilds a pipeline: keeps the nodes the namespace lists for the block, bar the failed
//!   one, and chooses replacements. Until it is current it does not answer, and the client
//!   asks again: a new leader that has not applied its predecessors' entries may not have the
//!   block at all;
//! - answers a read (through the log) with the block's replicas, nearest the client first;
//! - has a data node delete replicas no file needs, once its log agrees that none does (a
//!   deposed leader that still thinks it leads has an old namespace);
//! - every scan, orders a copy of each complete block that has fewer than R replicas on live
//!   nodes, from a live holder with a free stream to a node the placement rule picks; and of
//!   each whose replicas all sit on one rack while another rack has a live node (placed while
//!   none had: HDFS's `isNeededReconstruction` asks `isPlacementPolicySatisfied`), one copy to a
//!   node on another rack, after which the next bullet removes one of the first rack's;
//! - every scan, has the replicas beyond R of a complete block deleted (a node counted dead
//!   came back after its blocks were copied: HDFS's `processExtraRedundancyBlock`), from the
//!   racks that hold the most, so the block keeps R replicas and its racks. A replica ordered
//!   deleted no longer counts, so the next scan orders no second one; the order goes through the
//!   log, and the server sends it when it applies the entry, if it still leads and still means
//!   it (a restarted server replaying its log, or one that has led again since, does not).
//!
//! A server that starts, or becomes leader, waits `DEAD_AFTER_US` before it copies anything
//! (HDFS's safe mode): until every live node has reported, a block looks short of replicas
//! that is not.

use alloc::collections::{BTreeMap, BTreeSet};
use alloc::vec;
use alloc::vec::Vec;

use crate::protocol::{Ctx, NodeId, Time};
use crate::raft::server::Role;
use crate::raft::{self, Group, Term};

use super::lease::Leases;
use super::names::{Applied, Ask, Cmd, Names, Op};
use super::placement::{self, Writer};
use super::targets::{choose, live_racks, live_topology, places};
use super::types::*;

type Cx<'a, 'b> = &'a mut Ctx<'b, Dfs>;

/// A replica in excess this leader decided to delete: its node, the block's generation, the
/// number of the node's block report it decided on, and when the order last went out (`None`:
/// its entry is in the log, not yet applied).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Going {
    pub node: NodeId,
    pub gen: u32,
    pub report: u64,
    pub sent: Option<Time>,
}

/// A copy ordered: to whom, from whom, of which generation, and when.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Copying {
    pub to: NodeId,
    pub from: NodeId,
    pub gen: u32,
    pub at: Time,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct MetaServer {
    pub raft: raft::Server<Names>,
    /// Clients' requests this server put in the log as leader and has yet to answer: (client,
    /// request). Emptied when it stops leading.
    pub waiting: BTreeSet<(u32, u64)>,
    /// Per data node (in order): its last heartbeat, whether it is counted dead, and the
    /// finished replicas it last reported.
    pub seen: Vec<Time>,
    pub dead: Vec<bool>,
    pub reports: Vec<Vec<(BlockId, u32)>>,
    /// Per data node: the leader's term its last heartbeat named (`datanode.rs`), and that
    /// heartbeat's number (an older one arriving late is dropped).
    pub heard: Vec<Term>,
    pub report_seq: Vec<u64>,
    /// Copies ordered and not yet reported, per block.
    pub copying: BTreeMap<BlockId, Vec<Copying>>,
    /// Replicas in excess this leader decided to delete and that are still reported, per
    /// block. They no longer count as replicas (HDFS's `excessRedundancyMap`), and the order
    /// goes again while the node still reports the replica: forgetting it would count the
    /// replica again, and a second deletion could meet the late first.
    pub deleting: BTreeMap<BlockId, Vec<Going>>,
    /// When this server started, and when it last became leader: it copies nothing for
    /// `DEAD_AFTER_US` after either, and counts every writer as heard then.
    pub since: Time,
    /// When each client was last heard: its file's lease (`lease.rs`).
    pub leases: Leases,
}

pub fn init(d: &Dfs, ctx: Cx) -> MetaServer {
    let (raft, notes) =
        ctx.nest_in(d.meta_members(), Msg::Meta, Timer::Raft, |inner| raft::server::init(&d.raft, inner));
    boot(d, raft, notes, ctx)
}

/// Back from a crash with Raft's hard state: the namespace comes back from the log; where the
/// replicas are comes back with the next heartbeats.
pub fn restart(d: &Dfs, hard: raft::HardState<Names>, ctx: Cx) -> MetaServer {
    let (raft, notes) = ctx.nest_in(d.meta_members(), Msg::Meta, Timer::Raft, |inner| {
        raft::server::restart(&d.raft, hard, inner)
    });
    boot(d, raft, notes, ctx)
}

fn boot(d: &Dfs, mut raft: raft::Server<Names>, notes: Vec<raft::Note>, ctx: Cx) -> MetaServer {
    for n in notes {
        ctx.note(Note::Raft(n));
    }
    raft.kv.take_served();
    ctx.set_timer(Timer::Scan, Time(SCAN_US));
    let n = d.data_nodes();
    let now = ctx.now();
    MetaServer {
        raft,
        waiting: BTreeSet::new(),
        seen: vec![now; n],
        dead: vec![false; n],
        reports: vec![Vec::new(); n],
        heard: vec![0; n],
        report_seq: vec![0; n],
        copying: BTreeMap::new(),
        deleting: BTreeMap::new(),
        since: now,
        leases: Leases::default(),
    }
}

/// Whether this server leads with a namespace that holds every committed entry.
pub fn current(s: &MetaServer) -> bool {
    s.raft.role == Role::Leader && s.raft.term_at(s.raft.applied) == Some(s.raft.hard.term)
}

/// A data node's number among the data nodes.
fn dn(node: NodeId) -> usize {
    node.index().saturating_sub(META)
}

/// Run one of Raft's handlers, then answer the clients whose requests this server applied,
/// and tell the checker what was completed.
fn with_raft<R>(
    d: &Dfs,
    s: &mut MetaServer,
    ctx: Cx,
    f: impl FnOnce(&raft::Raft, &mut raft::Server<Names>, &mut Ctx<Group<Names>>) -> R,
) -> R {
    let was_leader = s.raft.role == Role::Leader;
    let (r, notes) =
        ctx.nest_in(d.meta_members(), Msg::Meta, Timer::Raft, |inner| f(&d.raft, &mut s.raft, inner));
    for n in notes {
        ctx.note(Note::Raft(n));
    }
    if !was_leader && s.raft.role == Role::Leader {
        s.since = ctx.now();
        s.copying.clear();
        s.deleting.clear();
    }
    let me = ctx.me();
    for x in s.raft.kv.take_served() {
        // The pipeline the completion took (the file's complete block may already be a later
        // one, when two completions of the file apply in one batch).
        if let (true, Applied::Done(p), Op::Complete { file, .. }) = (x.fresh, &x.result, &x.cmd.op) {
            ctx.note(Note::Completed { server: me, index: x.index, file: *file, pipeline: p.clone() });
        }
        let client = x.cmd.client;
        if let (Applied::Invalidate(blocks), Op::Invalidate { node, report, .. }) = (&x.result, &x.cmd.op) {
            if client == me && !blocks.is_empty() && s.raft.role == Role::Leader {
                let (blocks, term, report) = (blocks.clone(), s.raft.hard.term, *report);
                ctx.send(*node, Msg::Invalidate { blocks, term, report });
            }
            continue;
        }
        if let (Applied::Invalidate(blocks), Op::Excess { node, block, .. }) = (&x.result, &x.cmd.op) {
            // Sent only while this leadership still means it: not by a server that lost office
            // (its successor counts afresh), nor for an entry of an earlier term replayed.
            let now = ctx.now();
            let going = s.deleting.get_mut(block).and_then(|l| l.iter_mut().find(|g| g.node == *node));
            if let Some(g) = going.filter(|g| g.sent.is_none() && s.raft.role == Role::Leader) {
                g.sent = Some(now);
                let (blocks, term, report) = (blocks.clone(), s.raft.hard.term, g.report);
                ctx.send(*node, Msg::Invalidate { blocks, term, report });
            }
            continue;
        }
        if s.waiting.remove(&(client.0, x.cmd.req)) {
            let answer = match x.result {
                Applied::Write(p) => Answer::Write(p),
                Applied::Done(_) => Answer::Done,
                Applied::Busy(holder) => Answer::Busy(holder),
                Applied::Stale | Applied::Invalidate(_) | Applied::Released => Answer::Stale,
                Applied::Located(None) => Answer::Located(None),
                Applied::Located(Some(p)) => {
                    let nodes = locations(d, s, &p, client);
                    Answer::Located(Some((p.block, p.gen, nodes)))
                }
            };
            ctx.send(client, Msg::Reply { req: x.cmd.req, answer });
        }
    }
    if s.raft.role != Role::Leader {
        // Its proposals may never commit now: the clients retry with the next leader.
        s.waiting.clear();
    }
    r
}

/// The live data nodes that reported a finished replica of the block at its generation (after a
/// fresh start with no report yet, its pipeline); nearest `client` first, its rack, then others.
fn locations(d: &Dfs, s: &MetaServer, p: &Pipeline, client: NodeId) -> Vec<NodeId> {
    let mut nodes = holders(d, s, p.block, p.gen);
    if nodes.is_empty() {
        nodes = p.targets.clone();
    }
    let rack = d.rack_of(client);
    let (mut near, far): (Vec<NodeId>, Vec<NodeId>) = nodes.into_iter().partition(|n| d.rack_of(*n) == rack);
    near.extend(far);
    near
}

/// The data nodes this server counts alive that reported the block at `gen` or later.
pub fn holders(d: &Dfs, s: &MetaServer, block: BlockId, gen: u32) -> Vec<NodeId> {
    d.data_node_ids()
        .filter(|n| {
            let i = dn(*n);
            !s.dead[i] && s.reports[i].iter().any(|(b, g)| *b == block && *g >= gen)
        })
        .collect()
}

pub fn on_message(d: &Dfs, s: &mut MetaServer, from: NodeId, msg: Msg, ctx: Cx) {
    match msg {
        Msg::Meta(raft::Msg::Reply { .. }) => {}
        Msg::Meta(m) if d.is_meta(from) => {
            let local = d.meta_members().local(from);
            with_raft(d, s, ctx, |r, rs, inner| raft::server::on_message(r, rs, local, m, inner))
        }
        Msg::Request { req, ask } if d.is_client(from) => {
            if ask.writes() {
                s.leases.renew(from, ctx.now());
            }
            on_request(d, s, from, req, ask, ctx)
        }
        Msg::Heartbeat { blocks, term, seq } if d.is_data_node(from) && seq > s.report_seq[dn(from)] => {
            let i = dn(from);
            s.report_seq[i] = seq;
            s.seen[i] = ctx.now();
            s.dead[i] = false;
            s.heard[i] = term;
            if s.raft.role == Role::Leader && term < s.raft.hard.term {
                ctx.send(from, Msg::Leading { term: s.raft.hard.term });
            }
            for (b, g) in &blocks {
                if let Some(list) = s.copying.get_mut(b) {
                    // Only the copy's generation ends the wait: an older one the node kept is
                    // not the copy.
                    list.retain(|c| c.to != from || *g < c.gen);
                }
            }
            s.copying.retain(|_, list| !list.is_empty());
            s.deleting.retain(|b, list| {
                list.retain(|g| g.node != from || g.sent.is_none() || blocks.iter().any(|(x, _)| x == b));
                !list.is_empty()
            });
            if current(s) {
                let names = &s.raft.kv;
                let unwanted: Vec<(BlockId, u32)> =
                    blocks.iter().filter(|(b, g)| !names.wanted(*b, *g)).copied().collect();
                if !unwanted.is_empty() {
                    let me = ctx.me();
                    let op = Op::Invalidate { node: from, blocks: unwanted, report: seq };
                    let cmd = Cmd { client: me, req: 0, op };
                    propose(d, s, INVALIDATE | from.0 as u64, cmd, ctx);
                }
            }
            s.reports[i] = blocks;
        }
        _ => {}
    }
}

/// The number the log will give the block of the next new file: one past the namespace's, past
/// every new file this leader's log holds and has not applied yet (they are applied first; a
/// retry of one already counted or applied makes none).
fn next_new_block(s: &MetaServer) -> BlockId {
    let kv = &s.raft.kv;
    let mut pending: Vec<(NodeId, u64)> = Vec::new();
    for i in s.raft.applied + 1..=s.raft.last_index() {
        let Some(raft::Entry {
            cmd: raft::Command::Kv { op: Cmd { client, req, op: Op::Create { .. } }, .. },
            ..
        }) = s.raft.entry(i)
        else {
            continue;
        };
        let applied = kv.sessions.get(&client.0).is_some_and(|(last, _)| *last >= *req);
        if !applied && !pending.contains(&(*client, *req)) {
            pending.push((*client, *req));
        }
    }
    kv.next_block + pending.len() as BlockId + 1
}

fn on_request(d: &Dfs, s: &mut MetaServer, client: NodeId, req: u64, ask: Ask, ctx: Cx) {
    if s.raft.role != Role::Leader {
        let hint = s.raft.leader.map(|l| d.meta_members().global(l));
        ctx.send(client, Msg::Reply { req, answer: Answer::NotLeader(hint) });
        return;
    }
    let writer = Writer::Rack(d.client_rack(client));
    let op = match ask {
        Ask::Create { file } => {
            // Broken (lease-ignored): taken from a writer still heard, unannounced (not noted).
            let (recover, honest) = match s.leases.for_create(&s.raft.kv, &file, client, s.since, ctx.now()) {
                Err(h) if !d.is(Mutant::LeaseIgnored) => {
                    return ctx.send(client, Msg::Reply { req, answer: Answer::Busy(h) });
                }
                Err(h) => (Some(h), false),
                Ok(silent) => (silent, true),
            };
            let targets = choose(d, &s.dead, writer, &[], &[], ctx);
            if targets.is_empty() {
                ctx.send(client, Msg::Reply { req, answer: Answer::NoSpace });
                return;
            }
            let racks = live_racks(d, &s.dead, &[]);
            ctx.note(Note::Placed {
                block: next_new_block(s),
                targets: targets.clone(),
                holders: Vec::new(),
                racks,
                pipeline: true,
            });
            if let Some(holder) = recover.filter(|_| honest) {
                ctx.note(Note::LeaseRecovered { server: ctx.me(), file, holder, by: Some(client) });
            }
            Op::Create { file, targets, recover }
        }
        Ask::Rebuild { .. } if !current(s) => return,
        Ask::Rebuild { file, block, gen, bad } => {
            let now =
                s.raft.kv.files.get(&file).and_then(|f| f.writing.iter().find(|(_, p)| p.block == block));
            let kept: Vec<NodeId> = match now {
                Some((_, p)) if p.gen == gen => p.targets.iter().copied().filter(|n| *n != bad).collect(),
                // Rebuilt already (a retry: the log answers it from the duplicate table) or
                // gone (overwritten: the log answers that it is stale).
                _ => Vec::new(),
            };
            let mut targets = kept.clone();
            if now.is_some_and(|(_, p)| p.gen == gen) {
                let more = choose(d, &s.dead, writer, &kept, &[bad], ctx);
                let racks = live_racks(d, &s.dead, &[bad]);
                ctx.note(Note::Placed { block, targets: more.clone(), holders: kept, racks, pipeline: true });
                targets.extend(more);
                if targets.is_empty() {
                    ctx.send(client, Msg::Reply { req, answer: Answer::NoSpace });
                    return;
                }
            }
            Op::Rebuild { file, block, gen, targets }
        }
        // Not before a data node has reported the block finished (HDFS's minimum replication):
        // unless the log will answer it (a retry already applied, or a block no longer written).
        Ask::Complete { file, block, gen }
            if s.raft.kv.writes(&file, client, block, gen)
                && s.raft.kv.sessions.get(&client.0).is_none_or(|(last, _)| *last < req)
                && holders(d, s, block, gen).is_empty() =>
        {
            return ctx.send(client, Msg::Reply { req, answer: Answer::NotReplicated });
        }
        Ask::Complete { file, block, gen } => Op::Complete { file, block, gen },
        Ask::Read { file } if d.is(Mutant::ReadLocal) => {
            // Broken: answered from this server's own namespace, which a leader that lost its
            // office without knowing it has not brought up to date.
            let complete = s.raft.kv.files.get(&file).and_then(|f| f.complete.clone());
            let answer = Answer::Located(complete.map(|p| (p.block, p.gen, locations(d, s, &p, client))));
            ctx.send(client, Msg::Reply { req, answer });
            return;
        }
        Ask::Read { file } => Op::Read { file },
    };
    s.waiting.insert((client.0, req));
    propose(d, s, ((client.0 as u64) << 40) | req, Cmd { client, req, op }, ctx);
}

/// Requests a server puts in its own log are numbered apart from clients' (client << 40 |
/// request): a deletion of stale replicas by the node, one in excess by the block and the
/// node (node numbers are below 256), a lease's release by the block.
const INVALIDATE: u64 = 1 << 62;
const EXCESS: u64 = 1 << 61;
const RELEASE: u64 = 1 << 60;

/// Put a command in the log (this server leads).
fn propose(d: &Dfs, s: &mut MetaServer, id: u64, cmd: Cmd, ctx: Cx) {
    with_raft(d, s, ctx, |r, rs, inner| {
        let me = inner.me();
        raft::server::on_message(r, rs, me, raft::Msg::Request { req: id, op: cmd }, inner)
    });
}

pub fn on_timer(d: &Dfs, s: &mut MetaServer, timer: Timer, ctx: Cx) {
    match timer {
        Timer::Raft(t) => with_raft(d, s, ctx, |r, rs, inner| raft::server::on_timer(r, rs, t, inner)),
        Timer::Scan => {
            ctx.set_timer(Timer::Scan, Time(SCAN_US));
            scan(d, s, ctx);
        }
        _ => {}
    }
}

/// Count the silent nodes dead; as the leader, order the copies that blocks short of
/// replicas need, and the deletion of replicas in excess.
fn scan(d: &Dfs, s: &mut MetaServer, ctx: Cx) {
    let now = ctx.now();
    let me = ctx.me();
    let leader = s.raft.role == Role::Leader;
    for (i, node) in d.data_node_ids().enumerate() {
        if !s.dead[i] && now.0.saturating_sub(s.seen[i].0) > DEAD_AFTER_US {
            s.dead[i] = true;
            ctx.note(Note::Dead { server: me, node, leader });
        }
    }
    for list in s.copying.values_mut() {
        list.retain(|c| now.0.saturating_sub(c.at.0) < COPY_TIMEOUT_US);
    }
    s.copying.retain(|_, list| !list.is_empty());
    if leader {
        for (block, list) in s.deleting.iter_mut() {
            for g in list.iter_mut() {
                if g.sent.is_some_and(|at| now.0.saturating_sub(at.0) >= COPY_TIMEOUT_US) {
                    g.sent = Some(now);
                    let blocks = vec![(*block, g.gen)];
                    ctx.send(g.node, Msg::Invalidate { blocks, term: s.raft.hard.term, report: g.report });
                }
            }
        }
    }
    let settled = now.0.saturating_sub(s.since.0) >= DEAD_AFTER_US;
    if !current(s) || !settled {
        return;
    }
    for (file, holder, block) in s.leases.lapsed(&s.raft.kv, s.since, now) {
        ctx.note(Note::LeaseRecovered { server: me, file, holder, by: None });
        let cmd = Cmd { client: me, req: 0, op: Op::Release { file, holder, block } };
        propose(d, s, RELEASE | block, cmd, ctx);
    }
    let mut streams: BTreeMap<NodeId, usize> = BTreeMap::new();
    for c in s.copying.values().flatten() {
        *streams.entry(c.from).or_default() += 1;
    }
    let blocks: Vec<Pipeline> = s.raft.kv.files.values().filter_map(|f| f.complete.clone()).collect();
    // Whether a node's report shows every order of an earlier leader it will carry out.
    let term = s.raft.hard.term;
    let heard_at = s.heard.clone();
    let heard = |n: &NodeId| heard_at[dn(*n)] == term || d.is(Mutant::EagerExcess);
    for p in blocks {
        let going: Vec<NodeId> =
            s.deleting.get(&p.block).map_or(Vec::new(), |l| l.iter().map(|g| g.node).collect());
        let have: Vec<NodeId> =
            holders(d, s, p.block, p.gen).into_iter().filter(|n| !going.contains(n)).collect();
        let coming: Vec<NodeId> =
            s.copying.get(&p.block).map_or(Vec::new(), |l| l.iter().map(|c| c.to).collect());
        if have.is_empty() {
            continue;
        }
        let mut all = have.clone();
        all.extend(&coming);
        let short = all.len() < d.rf as usize;
        // HDFS's isNeededReconstruction: short of replicas, or all on one rack while another
        // has a live node (placed while it had none). The one-rack mutant's rule wants one rack.
        let one_rack = !placement::spread(&live_topology(d, &s.dead), d.rf, &places(d, &all))
            && !d.is(Mutant::OneRack)
            && !d.is(Mutant::NoRackRepair);
        if short && d.is(Mutant::NoReReplication) {
            continue;
        }
        if short || one_rack {
            copy(d, s, &p, &have, &coming, &going, &mut streams, ctx);
        } else if coming.is_empty() && have.len() > d.rf as usize && have.iter().all(&heard) {
            delete_excess(d, s, &p, &have, ctx);
        }
    }
}

/// Order copies of a block short of replicas, or of its racks, from a live holder (`have`)
/// with a free stream, at random (HDFS's `chooseSourceDatanodes`: one whose copies fail is not
/// picked every time): to nodes the placement rule picks beside the replicas it has and those
/// `coming`, or (R of them there, on one rack) to one node on another rack; never to a node
/// whose replica is `going`.
#[allow(clippy::too_many_arguments)]
fn copy(
    d: &Dfs,
    s: &mut MetaServer,
    p: &Pipeline,
    have: &[NodeId],
    coming: &[NodeId],
    going: &[NodeId],
    streams: &mut BTreeMap<NodeId, usize>,
    ctx: Cx,
) {
    let busy = |n: &NodeId| streams.get(n).copied().unwrap_or(0);
    let free: Vec<NodeId> = have.iter().copied().filter(|n| busy(n) < MAX_STREAMS).collect();
    let Some(&from) = free.get(ctx.rng().below(free.len().max(1) as u64) as usize) else { return };
    let mut existing = have.to_vec();
    existing.extend(coming);
    // Nodes that hold an older generation of it, or are being written, are not counted as
    // holders; they may take the copy.
    let mut targets = if existing.len() < d.rf as usize {
        // The node copied from is the writer (HDFS's `ReplicationWork` passes its source).
        let source = places(d, &[from]).first().map_or(Writer::Off, |n| Writer::Node(*n));
        choose(d, &s.dead, source, &existing, going, ctx)
    } else {
        let (topo, on, not) = (live_topology(d, &s.dead), places(d, &existing), places(d, going));
        let more = placement::place_on_another_rack(&topo, &on, &not, ctx.rng());
        more.into_iter().map(|n| d.node_at(n)).collect()
    };
    targets.truncate(MAX_STREAMS - busy(&from));
    if targets.is_empty() {
        return;
    }
    let racks = live_racks(d, &s.dead, &[]);
    ctx.note(Note::Placed {
        block: p.block,
        targets: targets.clone(),
        holders: existing,
        racks,
        pipeline: false,
    });
    let now = ctx.now();
    for to in targets {
        *streams.entry(from).or_default() += 1;
        ctx.send(from, Msg::Transfer { block: p.block, gen: p.gen, to, term: s.raft.hard.term });
        s.copying.entry(p.block).or_default().push(Copying { to, from, gen: p.gen, at: now });
    }
}

/// Have the replicas of a block beyond R (`have`, finished at its generation on nodes counted
/// alive, none already going) deleted, from the racks that hold the most
/// (`placement::excess`), through the log.
fn delete_excess(d: &Dfs, s: &mut MetaServer, p: &Pipeline, have: &[NodeId], ctx: Cx) {
    let me = ctx.me();
    let now = ctx.now();
    let silent: Vec<u64> = have.iter().map(|n| now.0.saturating_sub(s.seen[dn(*n)].0)).collect();
    // HDFS tolerates four heartbeat intervals of silence (`dfs.namenode.tolerate.heartbeat.multiplier`).
    let tolerated = 4 * HEARTBEAT_US;
    let fewest = d.is(Mutant::DeleteWrongRack);
    for victim in placement::excess(d.rf, &places(d, have), &silent, tolerated, fewest, ctx.rng()) {
        let node = d.node_at(victim);
        let report = s.report_seq[dn(node)];
        s.deleting.entry(p.block).or_default().push(Going { node, gen: p.gen, report, sent: None });
        let cmd = Cmd { client: me, req: 0, op: Op::Excess { node, block: p.block, gen: p.gen } };
        // Numbered by block and node: Raft drops a request whose number is in its log unapplied.
        propose(d, s, EXCESS | (p.block << 8) | node.0 as u64, cmd, ctx);
    }
}
