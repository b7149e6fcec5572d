//! The checker: Raft's properties in the metadata group (its own checker), and what the file
//! system promises on top, judged against the data nodes' disks, which the checker sees whole
//! (a crashed node's disk included: a crash loses no replica here, it only takes the node
//! away).
//!
//! - **pipeline-acked**: when a file's block is completed, every node of its pipeline holds
//!   the block, finished. A pipeline that answers before all its nodes have the block breaks it.
//! - **one-replica-per-node**: the metadata leader never chooses, for a block, a node it
//!   already counts as holding the block, nor one node twice.
//! - **acked-block-kept**: a file's complete block always has a finished replica on a running
//!   data node, unless as many of its holders are down as its pipeline had nodes (R, or fewer
//!   when the rack limit or dead nodes left fewer), and not all on one rack: fewer failures, or
//!   the loss of one rack when the leader could place the block on two, never take a block.
//! - **excess-only**: a finished replica of a file's complete block is deleted only while R
//!   others stay finished on disk, and (R ≥ 2) not the last on its rack while the others are
//!   all on one: the leader deletes replicas in excess, never one the block needs, from the
//!   racks that hold more than one (HDFS's `chooseReplicasToDelete`), so a deletion never
//!   leaves a block on one rack. Two deletions decided apart (an order that arrived late, after its sender had
//!   stopped counting on it or lost its office, and another leader's or its own later one)
//!   break it (HDFS-1972's fencing).
//! - **re-replicated**: once faults stop, every file's block is back to R finished replicas on
//!   running nodes (as many as the rack limit lets the running nodes hold) within
//!   `REPAIR_BOUND_US`.
//! - **rack-spread**: once faults stop, a block (R ≥ 2) whose finished replicas on running
//!   nodes are all on one rack has one on another within `REPAIR_BOUND_US` of the metadata
//!   leader counting a running node there alive (a block placed while its rack was the only one
//!   live, or left there by failures, is not left there).
//!
//!   For both, a repair's order or copy the network loses is a fault: the bound runs from the
//!   last one (a loss to a node that is down is not: a repair sent there is the model's).
//!
//! - **read-available** (`reads.rs`): a data node asked for a block it holds finished answers
//!   with it; and with no fault or lost message from a second before a read to its end, the
//!   read is not given up while a running data node holds its block.
//! - **linearizable**: the client history (files read and written whole, as registers) is
//!   judged as each operation completes (`kv::realtime`): a write takes effect at the log
//!   position of its completion, which a ghost namespace, fed the committed log in order,
//!   finds; a read, whose data comes from a replica and not from the log, must return what the
//!   file held at some position from the last operation on it that completed before the read
//!   began up to the last committed (a stale read, or data no completed write left there,
//!   breaks it). The search-based checker also judges the whole history in every sweep and
//!   on the page.

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use crate::kv::realtime::Linearizability;
use crate::kv::{Key, KvOp};
use crate::protocol::{NodeId, PropertyInfo, Time, World};
use crate::raft;

use super::held::{finished, reachable, Held};
use super::lease::Handover;
use super::meta::MetaServer;
use super::names::{Applied, Names, Op};
use super::node::Node;
use super::types::*;

const OWN: [PropertyInfo; 11] = [
    PropertyInfo {
        name: "state-machine-safety",
        description: "no two metadata servers apply different entries at one index",
    },
    PropertyInfo {
        name: "pipeline-acked",
        description: "a write completes only when every node of its pipeline has the block",
    },
    PropertyInfo { name: "one-replica-per-node", description: "a block is never placed twice on one node" },
    PropertyInfo {
        name: "acked-block-kept",
        description:
            "a completed block keeps a running replica through fewer than R failures, or the loss of one rack",
    },
    PropertyInfo {
        name: "excess-only",
        description: "a completed block's replica is deleted only while R others stay on disk, on two racks if it was on two",
    },
    PropertyInfo {
        name: "re-replicated",
        description: "after the last fault, every block is back to R replicas on running nodes within 4 s",
    },
    PropertyInfo {
        name: "rack-spread",
        description: "a block on one rack gets a replica on another within 4 s of the leader counting a node there alive",
    },
    PropertyInfo {
        name: "lease",
        description: "one writer per file: the metadata leader gives a file being written to another client only after no request of its writer has reached it for the lease's soft limit (2 s), and releases it only past the hard limit (10 s)",
    },
    PropertyInfo {
        name: "linearizable",
        description: "every read returns what the file held at some moment between its call and its answer: no stale read",
    },
    PropertyInfo {
        name: "read-available",
        description: "a data node asked for a block it holds finished answers with it, and in a calm stretch no read is given up while a running node holds its block",
    },
    PropertyInfo {
        name: "acked-write-durable",
        description: "a write is answered only once its completion is committed in the metadata log",
    },
];

pub(super) const PROPERTIES: &[PropertyInfo] = &raft::with_log_properties::<15>(&OWN);

/// Ghost state.
#[derive(Clone, Debug, Default, Hash)]
pub struct Monitor {
    raft: raft::Monitor<Names>,
    /// Per file: the log index of its newest completion, and the block it completed.
    complete: BTreeMap<Key, (u64, Pipeline)>,
    /// Blocks short of replicas on running nodes: since when, the file, and the replicas
    /// running against those wanted.
    short_since: BTreeMap<BlockId, (Time, Key, usize, usize)>,
    /// Blocks (R ≥ 2) whose replicas on running nodes are all on one rack: the file, the rack,
    /// and since when the metadata leader has counted a running node on another rack alive.
    one_rack: BTreeMap<BlockId, (Key, usize, Option<Time>)>,
    /// The network's last change of shape at the last look.
    shape_at: Time,
    /// When the network last lost a repair's order or copy (not to a node that was down).
    repair_lost: Time,
    /// Each data node's count of disk changes at the last look.
    disks: Vec<u64>,
    /// Per complete block: the data nodes whose disks held a finished replica of it at the
    /// last look (crashed nodes' included; see `Held`), kept one disk at a time.
    held: BTreeMap<BlockId, Held>,
    /// The crashes and restarts counted at the last look at the disks.
    up_epoch: u64,
    /// Each block's last pipeline placement: its nodes, and whether it could put them on two
    /// racks (two had live nodes, and it chose a node).
    spread: BTreeMap<BlockId, (Vec<NodeId>, bool)>,
    /// Client operations against real time and the committed log.
    lin: Linearizability,
    /// The namespace as the committed log builds it, entry by entry up to `fed`: which
    /// completion took effect.
    ghost: Names,
    fed: u64,
    /// When each client's requests last reached each metadata server.
    pub(super) leases: super::lease::LeaseWatch,
    /// Reads as they reached data nodes, and their answers (`read-available`).
    pub(super) reads: super::reads::ReadWatch,
    /// Writes not yet placed, by client and request (a restarted client's may still take
    /// effect), and the position of each placed write not yet answered.
    writes: BTreeMap<(u32, u64), (KvOp, Option<u64>)>,
}

type Fail = (&'static str, String);

/// Rewrite Raft's checker's server names (S1–S3) as the page's (M1–M3).
fn named((p, msg): Fail) -> Fail {
    let chars: Vec<char> = msg.chars().collect();
    let out = chars
        .iter()
        .enumerate()
        .map(
            |(i, c)| if *c == 'S' && chars.get(i + 1).is_some_and(|n| n.is_ascii_digit()) { 'M' } else { *c },
        )
        .collect();
    (p, out)
}

pub(super) fn check(
    d: &Dfs,
    m: &mut Monitor,
    nodes: &[Node],
    touched: Option<NodeId>,
    notes: &[Note],
) -> Result<(), Fail> {
    if let Some(Node::Meta(s)) = touched.and_then(|t| nodes.get(t.index())) {
        let mine: Vec<raft::Note> =
            notes.iter().filter_map(|n| if let Note::Raft(r) = n { Some(r.clone()) } else { None }).collect();
        raft::check_server(&d.raft, &mut m.raft, Some(&s.raft), &mine).map_err(named)?;
        feed(d, m, &s.raft)?;
    }
    for note in notes {
        match note {
            Note::Invoke { client, req, op } => {
                if m.lin.names.is_empty() {
                    m.lin.names =
                        (0..d.first_client() + d.clients).map(|i| d.name(NodeId(i as u32))).collect();
                }
                m.lin.invoked(*client, *req);
                if !op.is_read() {
                    m.writes.insert((client.0, *req), (op.clone(), None));
                }
            }
            Note::Ack { client, req, op, result } if op.is_read() => {
                m.lin.acked_read(*client, *req, op, result)?
            }
            Note::Ack { client, req, op, result } => {
                let Some((_, Some(position))) = m.writes.remove(&(client.0, *req)) else {
                    return Err((
                        "acked-write-durable",
                        format!(
                            "{}'s {op} was answered, but no completion of it is committed",
                            d.name(*client)
                        ),
                    ));
                };
                m.lin.acked(*client, *req, op, result, position)?;
            }
            Note::Completed { index, file, pipeline, .. } => {
                if m.complete.get(file).is_some_and(|(i, _)| *i >= *index) {
                    continue;
                }
                let missing: Vec<NodeId> =
                    pipeline.targets.iter().copied().filter(|n| !finished(nodes, *n, pipeline)).collect();
                if let Some(first) = missing.first() {
                    return Err((
                        "pipeline-acked",
                        format!(
                            "{file}'s block {} was completed while {} of its pipeline's {} nodes had no finished replica ({} first)",
                            pipeline.block,
                            missing.len(),
                            pipeline.targets.len(),
                            d.name(*first)
                        ),
                    ));
                }
                m.complete.insert(*file, (*index, pipeline.clone()));
            }
            Note::Placed { block, targets, holders, racks, pipeline } => {
                if *pipeline {
                    // The pipeline it makes: the nodes kept, then the new ones. It could go on
                    // two racks if two had live nodes and it chose a node at all (a pipeline
                    // rebuilt with no node added keeps the racks it had, as HDFS's does).
                    let nodes = holders.iter().chain(targets).copied().collect();
                    m.spread.insert(*block, (nodes, *racks >= 2 && !targets.is_empty()));
                }
                let twice = targets
                    .iter()
                    .enumerate()
                    .find(|(i, t)| holders.contains(t) || targets[..*i].contains(t))
                    .map(|(_, t)| *t);
                if let Some(t) = twice {
                    return Err((
                        "one-replica-per-node",
                        format!("block {block} was placed on {}, which already holds it", d.name(t)),
                    ));
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// Feed the ghost namespace and the linearizability check the entries `s` has committed
/// beyond those fed. A client's completion that takes effect places its write: the client's
/// latest write invoked before the request (a client numbers its requests in order, and a
/// write's requests follow its invocation).
fn feed(d: &Dfs, m: &mut Monitor, s: &raft::Server<Names>) -> Result<(), Fail> {
    use raft::Machine;
    while m.fed < s.commit {
        let i = m.fed + 1;
        let Some(e) = raft::seen_entry(s, i) else { break };
        let mut placed = None;
        if let raft::Command::Kv { op: cmd, .. } = &e.cmd {
            let writers = m.ghost.writers();
            let (result, ..) = m.ghost.apply(cmd.client, cmd.req, cmd, i, e.term);
            // Every file that changed hands but by its writer's own step (its completion, or its
            // creation of another file): the lease is judged against the leader that logged it.
            for (file, holder) in writers.into_iter().filter(|(_, w)| *w != cmd.client) {
                let now = m.ghost.writer(&file);
                if now != Some(holder) {
                    let h = Handover { index: i, term: e.term, file, holder, by: now };
                    m.leases.handed.push(h);
                }
            }
            let fresh = m.ghost.take_served().iter().any(|x| x.fresh);
            if let (true, Applied::Done(_), Op::Complete { file, .. }) = (fresh, &result, &cmd.op) {
                let c = cmd.client.0;
                let write = m.writes.range_mut((c, 0)..(c, cmd.req)).next_back();
                match write {
                    Some(((_, id), (op, at))) if matches!(&*op, KvOp::Put(f, _) if f == file) => {
                        *at = Some(i);
                        placed = Some((cmd.client, *id, op.clone()));
                    }
                    _ => {
                        return Err((
                            "linearizable",
                            format!(
                                "{file} was completed at position {i} by {}, which has no write of it open",
                                d.name(cmd.client)
                            ),
                        ))
                    }
                }
            }
        }
        m.fed = i;
        let id = placed.as_ref().map(|(c, id, _)| (c.0, *id));
        m.lin.committed(i, placed.as_ref().map(|(c, id, op)| (*c, *id, op)))?;
        // The client's earlier writes can no longer take effect (the duplicate table).
        if let Some((c, id)) = id {
            m.writes.retain(|(x, y), _| *x != c || *y >= id);
        }
    }
    Ok(())
}

pub(super) fn check_world(
    d: &Dfs,
    m: &mut Monitor,
    nodes: &[Node],
    touched: Option<NodeId>,
    notes: &[Note],
    world: &World<'_, Msg>,
) -> Result<(), Fail> {
    m.reads.judge(d, &m.ghost, nodes, notes, world)?;
    let disk = |t: NodeId| match nodes.get(t.index()) {
        Some(Node::Data(x)) => Some(x.disk_changes),
        _ => None,
    };
    // Which data nodes run, as `Held` names them.
    let running = Held(d.data_node_ids().filter(|n| world.is_up(*n)).fold(0, |m, n| m | Held::of(n).0));
    let moved = touched.and_then(|t| disk(t).map(|v| (t, v))).is_some_and(|(t, v)| {
        let i = t.index() - META;
        if m.disks.len() <= i {
            m.disks.resize(i + 1, u64::MAX);
        }
        core::mem::replace(&mut m.disks[i], v) != v
    });
    if let Some(t) = touched.filter(|_| moved) {
        kept_on_disk(d, m, nodes, t)?;
    }
    let disks_changed =
        moved || m.up_epoch != world.up_epoch || notes.iter().any(|n| matches!(n, Note::Completed { .. }));
    m.up_epoch = world.up_epoch;
    let meta = match touched.and_then(|t| nodes.get(t.index())) {
        Some(Node::Meta(s)) => touched.map(|t| (t, &s.raft)),
        _ => None,
    };
    m.leases.judge(d, meta, notes, m.fed, world)?;
    if disks_changed {
        for (file, (_, p)) in &m.complete {
            let kept = held(m, d, nodes, p);
            if kept.and(running).count() > 0 {
                continue;
            }
            let holders = kept.count();
            let racks = kept.racks(d);
            // As many holders down as its pipeline had nodes (R, or fewer when the rack limit or
            // dead nodes left fewer) may take a block; fewer may not, nor one rack's loss when
            // the block could have gone on two.
            let few = holders < (d.rf as usize).min(p.targets.len());
            // Judged only for the placement that made this pipeline (a leader that lost its
            // office may have named the block for a file the log never made).
            let could_spread =
                m.spread.get(&p.block).is_some_and(|(nodes, spread)| *spread && *nodes == p.targets);
            let one_rack = d.rf >= 2 && p.targets.len() >= 2 && racks.count_ones() == 1 && could_spread;
            if few || one_rack {
                let why = if few {
                    format!(
                        "only {} of its holders failed, and its pipeline had {} nodes",
                        holders,
                        p.targets.len()
                    )
                } else {
                    format!(
                        "all {} of its replicas were on rack r{}, and the rack is down",
                        holders,
                        racks.trailing_zeros() + 1
                    )
                };
                return Err((
                    "acked-block-kept",
                    format!("{file}'s block {} has no replica on a running node: {why}", p.block),
                ));
            }
        }
    }
    if notes.iter().any(|n| matches!(n, Note::Completed { .. })) {
        // Blocks no file holds any more are not judged (those still being written are kept).
        let current: Vec<BlockId> = m.complete.values().map(|(_, p)| p.block).collect();
        m.short_since.retain(|b, _| current.contains(b));
        m.held.retain(|b, _| current.contains(b));
        for (_, p) in m.complete.values() {
            m.held.entry(p.block).or_insert_with(|| Held::on(d, nodes, p));
        }
        let newest = current.iter().max().copied().unwrap_or(0);
        m.spread.retain(|b, _| current.contains(b) || *b > newest);
    }
    #[cfg(debug_assertions)]
    for (_, p) in m.complete.values() {
        let kept = m.held.get(&p.block).copied();
        debug_assert!(
            kept.is_none_or(|h| h == Held::on(d, nodes, p)),
            "block {}'s holders kept one disk at a time",
            p.block
        );
    }
    // Which blocks are short, or on one rack, changes only with the disks, the nodes that run,
    // or the network's shape; between such events only the clock runs on those already found.
    let changed = disks_changed || m.shape_at != world.shape_at;
    m.shape_at = world.shape_at;
    if !world.timed() {
        return Ok(());
    }
    note_lost_repair(m, world);
    repaired(d, m, nodes, world, (running, changed))?;
    spread(d, m, nodes, world, (running, changed))
}

/// The excess-only property, after data node `t`'s disk changed: a complete block's count of
/// finished replicas on disk falls only by a deletion, and never below R. (A crash loses no
/// replica here, and a complete block has no later generation to be written over it.)
fn kept_on_disk(d: &Dfs, m: &mut Monitor, nodes: &[Node], t: NodeId) -> Result<(), Fail> {
    for (file, (_, p)) in &m.complete {
        // Only `t`'s disk changed: only its bit of each block's holders can have.
        let now = match m.held.get(&p.block) {
            Some(h) => h.with(t, finished(nodes, t, p)),
            None => Held::on(d, nodes, p),
        };
        let count = now.count();
        // Only a deletion is judged.
        let Some(before) = m.held.insert(p.block, now).filter(|b| count < b.count()) else { continue };
        let racks = now.racks(d).count_ones();
        if d.rf >= 2 && racks == 1 && before.racks(d).count_ones() >= 2 {
            return Err((
                "excess-only",
                format!(
                    "{}'s replica of {file}'s block {} was deleted, the last on its rack: the block's {count} others are all on one rack",
                    d.name(t),
                    p.block
                ),
            ));
        }
        if count < d.rf as usize {
            return Err((
                "excess-only",
                format!(
                    "{}'s replica of {file}'s block {} was deleted, leaving {count} on disk where R is {}",
                    d.name(t),
                    p.block,
                    d.rf
                ),
            ));
        }
    }
    Ok(())
}

/// `p`'s block's holders as last kept (asked of every node if not kept yet).
fn held(m: &Monitor, d: &Dfs, nodes: &[Node], p: &Pipeline) -> Held {
    m.held.get(&p.block).copied().unwrap_or_else(|| Held::on(d, nodes, p))
}

/// A repair's order or copy the network lost is a fault too, and both repair bounds
/// (`re-replicated`, `rack-spread`) run from it: at a fifth of messages lost, four in a row
/// outlast them in about one repair in sixty.
fn note_lost_repair(m: &mut Monitor, world: &World<'_, Msg>) {
    let repair = |msg: &Msg| matches!(msg, Msg::Transfer { .. } | Msg::Copy { .. });
    if world.dropped.is_some_and(|l| !l.to_down && repair(&l.msg)) {
        m.repair_lost = world.now;
    }
}

fn repaired(
    d: &Dfs,
    m: &mut Monitor,
    nodes: &[Node],
    world: &World<'_, Msg>,
    (running, changed): (Held, bool),
) -> Result<(), Fail> {
    if changed {
        let up = |n: &NodeId| world.is_up(*n);
        let want = reachable(d, &up);
        for (file, (_, p)) in &m.complete {
            let live = held(m, d, nodes, p).and(running).count();
            if live >= want || live == 0 {
                m.short_since.remove(&p.block);
            } else {
                let entry = m.short_since.entry(p.block).or_insert((world.now, *file, live, want));
                (entry.2, entry.3) = (live, want);
            }
        }
    }
    if m.short_since.is_empty() {
        return Ok(());
    }
    let last_fault = world.last_fault().max(m.repair_lost);
    for (block, (since, file, live, want)) in &m.short_since {
        let from = (*since).max(last_fault);
        if world.now.0.saturating_sub(from.0) > REPAIR_BOUND_US {
            return Err((
                "re-replicated",
                format!(
                    "{file}'s block {block} has had {live} replica{} on running nodes for {} ms since the last fault, short of {want}",
                    if *live == 1 { "" } else { "s" },
                    world.now.0.saturating_sub(from.0) / 1000
                ),
            ));
        }
    }
    Ok(())
}

/// The rack-spread property: judged against the metadata leader's view of which nodes are
/// alive (a rack cut off from the metadata servers runs, but no replica can be sent there).
fn spread(
    d: &Dfs,
    m: &mut Monitor,
    nodes: &[Node],
    world: &World<'_, Msg>,
    (running, changed): (Held, bool),
) -> Result<(), Fail> {
    if d.rf < 2 || d.racks.len() < 2 {
        return Ok(());
    }
    let up = |n: &NodeId| world.is_up(*n);
    // Whether the leader could move the blocks on one rack changes with any event.
    if changed {
        let mut one_rack = BTreeMap::new();
        for (file, (_, p)) in &m.complete {
            let racks = held(m, d, nodes, p).and(running).racks(d);
            if racks.count_ones() == 1 {
                let first = racks.trailing_zeros() as usize;
                let since = m.one_rack.get(&p.block).filter(|(_, r, _)| *r == first).and_then(|x| x.2);
                one_rack.insert(p.block, (*file, first, since));
            }
        }
        m.one_rack = one_rack;
    }
    if m.one_rack.is_empty() {
        return Ok(());
    }
    let leads = |s: &&MetaServer| {
        s.raft.role == raft::server::Role::Leader && up(&d.meta_members().global(s.raft.id))
    };
    let servers = nodes.iter().filter_map(|n| if let Node::Meta(s) = n { Some(s) } else { None });
    let leader = servers.filter(leads).max_by_key(|s| s.raft.hard.term);
    let last_fault = world.last_fault().max(m.repair_lost);
    for (block, (file, rack, since)) in m.one_rack.iter_mut() {
        let elsewhere = leader.is_some_and(|s| {
            d.data_node_ids().any(|n| d.rack_of(n) != Some(*rack) && up(&n) && !s.dead[n.index() - META])
        });
        if !elsewhere {
            *since = None;
            continue;
        }
        let from = (*since.get_or_insert(world.now)).max(last_fault);
        if world.now.0.saturating_sub(from.0) > REPAIR_BOUND_US {
            return Err((
                "rack-spread",
                format!(
                    "{file}'s block {block} has been on rack r{} alone for {} ms while the metadata leader counts a running node on another rack alive",
                    *rack + 1,
                    world.now.0.saturating_sub(from.0) / 1000
                ),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
#[path = "check_tests.rs"]
mod tests;
