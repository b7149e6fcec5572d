//! A data node (HDFS's DataNode): it stores block replicas on its disk, passes a block down a
//! write pipeline and its acknowledgement back up, sends every metadata server a heartbeat
//! with its block report, copies a block to another node when the metadata leader orders it,
//! deletes what the leader says no file needs, and serves reads.
//!
//! In a pipeline a node stores the block, sends it on, and waits for the acknowledgement of
//! the nodes below it (`HOP_US` for each). If one does not come, it tells the node above which
//! node did not answer (HDFS's ack carries the first bad node's index): the client drops that
//! node and has the pipeline rebuilt. A node finishes its replica only when everything below
//! it has the block, so a finished replica on the first node means a finished one on every
//! node.
//!
//! A node takes orders (copy, delete) only from the newest metadata leadership it has heard
//! of, and says in each heartbeat which that is: a late order of a leader that has lost its
//! office is dropped, and a report that names the new leader's term shows every order of the
//! old one the node will ever carry out. The new leader deletes a replica in excess only once
//! every holder's report names its term (HDFS-1972: a data node takes commands only from the
//! name node it knows as active, and a new active name node postpones deleting replicas in
//! excess while a holder has not reported since it took over). The term is kept on disk: here
//! an order sent before a crash may arrive after the restart, where HDFS's come back in the
//! heartbeat's answer on a connection the crash closes.

use alloc::collections::BTreeMap;
use alloc::vec::Vec;

use crate::kv::Key;
use crate::protocol::{Ctx, NodeId, Time};
use crate::raft::Term;

use super::types::*;

type Cx<'a, 'b> = &'a mut Ctx<'b, Dfs>;

/// A replica on disk: its generation, its file and content, whether it is finished
/// (reported, and served to readers), and how many block reports the node had sent when it
/// stored it (a deletion decided on an earlier report was about a replica deleted since).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Replica {
    pub gen: u32,
    pub file: Key,
    pub value: u64,
    pub done: bool,
    pub since: u64,
}

/// A data node's disk, what survives its crash: its replicas, the newest metadata leader's
/// term it has heard of, and how many block reports it has sent.
pub type Disk = (BTreeMap<BlockId, Replica>, Term, u64);

/// A block this node sent down a pipeline and waits to hear back about.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Forward {
    pub gen: u32,
    pub upstream: NodeId,
    pub next: NodeId,
    /// Already acknowledged upstream (the ack-first mutant's first node).
    pub acked: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct DataNode {
    pub id: NodeId,
    /// On disk: kept across a crash.
    pub replicas: BTreeMap<BlockId, Replica>,
    pub forwarding: BTreeMap<BlockId, Forward>,
    /// Copies sent, for the page.
    pub copies_sent: u64,
    /// Changes to the disk since this node started: the checker looks at the disks again only
    /// when one moved.
    pub disk_changes: u64,
    /// The newest term of a metadata leader it has heard of (on disk: kept across a crash).
    pub leader_term: Term,
    /// Block reports sent, on disk: each heartbeat is numbered, and a metadata server takes
    /// none older than the last it took (HDFS's reports come in order over one connection;
    /// here a late or duplicated one would show a replica deleted since).
    pub reports: u64,
}

impl DataNode {
    /// Its finished replica of `block` at generation `gen` or later: what it serves a read and
    /// copies from (and what the checker counts as holding the block).
    pub fn finished(&self, block: BlockId, gen: u32) -> Option<&Replica> {
        self.replicas.get(&block).filter(|r| r.done && r.gen >= gen)
    }
}

pub fn init(_: &Dfs, ctx: Cx) -> DataNode {
    let first = ctx.rng().range(1, HEARTBEAT_US);
    ctx.set_timer(Timer::Heartbeat, Time(first));
    DataNode {
        id: ctx.me(),
        replicas: BTreeMap::new(),
        forwarding: BTreeMap::new(),
        copies_sent: 0,
        disk_changes: 0,
        leader_term: 0,
        reports: 0,
    }
}

/// Back from a crash with its disk: it reports at once. A replica it was writing stays
/// unfinished, and unfinished replicas are never reported: the client rebuilt its pipeline
/// without this node, and the replica stays on disk, unread, unless a later generation of the
/// block is written over it. (HDFS reports such a replica, as RBW, and the name node recovers
/// or deletes it; here it is neither.)
pub fn restart(d: &Dfs, (replicas, leader_term, reports): Disk, ctx: Cx) -> DataNode {
    let mut n = DataNode {
        id: ctx.me(),
        replicas,
        forwarding: BTreeMap::new(),
        copies_sent: 0,
        disk_changes: 0,
        leader_term,
        reports,
    };
    report(d, &mut n, ctx);
    ctx.set_timer(Timer::Heartbeat, Time(HEARTBEAT_US));
    n
}

/// A heartbeat with the whole block report, to every metadata server.
fn report(d: &Dfs, n: &mut DataNode, ctx: Cx) {
    let blocks: Vec<(BlockId, u32)> =
        n.replicas.iter().filter(|(_, r)| r.done).map(|(b, r)| (*b, r.gen)).collect();
    n.reports += 1;
    for m in 0..META as u32 {
        let msg = Msg::Heartbeat { blocks: blocks.clone(), term: n.leader_term, seq: n.reports };
        ctx.send(d.meta_members().global(NodeId(m)), msg);
    }
}

/// Whether to carry out an order of the metadata leader of `term`: not if a later leadership
/// has been heard of. A later term is heard of here, as from its leader's answer.
/// (Broken, stale-orders: carried out all the same.)
fn follows(d: &Dfs, n: &mut DataNode, term: Term) -> bool {
    if term < n.leader_term {
        return d.is(Mutant::StaleOrders);
    }
    n.leader_term = term;
    true
}

/// Store a replica unless this node has a later generation of the block.
fn store(n: &mut DataNode, block: BlockId, replica: Replica) -> bool {
    if n.replicas.get(&block).is_some_and(|r| r.gen > replica.gen || (r.gen == replica.gen && r.done)) {
        return false;
    }
    n.replicas.insert(block, replica);
    n.disk_changes += 1;
    true
}

fn finish(d: &Dfs, n: &mut DataNode, block: BlockId, gen: u32, ctx: Cx) {
    if let Some(r) = n.replicas.get_mut(&block).filter(|r| r.gen == gen) {
        r.done = true;
        n.disk_changes += 1;
        report(d, n, ctx);
    }
}

pub fn on_message(d: &Dfs, n: &mut DataNode, from: NodeId, msg: Msg, ctx: Cx) {
    match msg {
        Msg::Packet { block, gen, file, value, rest } => {
            if !store(n, block, Replica { gen, file, value, done: false, since: n.reports }) {
                // A later generation is here: this packet belongs to a pipeline already
                // rebuilt. Say nothing: the client has moved on.
                if n.replicas.get(&block).is_some_and(|r| r.gen == gen && r.done) {
                    ctx.send(from, Msg::Ack { block, gen, bad: None });
                }
                return;
            }
            let first = d.is_client(from);
            let ack_first = first && d.is(Mutant::AckFirst);
            match rest.split_first() {
                None => {
                    finish(d, n, block, gen, ctx);
                    ctx.send(from, Msg::Ack { block, gen, bad: None });
                }
                Some((next, rest)) => {
                    ctx.send(*next, Msg::Packet { block, gen, file, value, rest: rest.to_vec() });
                    n.forwarding
                        .insert(block, Forward { gen, upstream: from, next: *next, acked: ack_first });
                    ctx.set_timer(Timer::Pipeline(block), Time(HOP_US * (rest.len() as u64 + 1)));
                    if ack_first {
                        finish(d, n, block, gen, ctx);
                        ctx.send(from, Msg::Ack { block, gen, bad: None });
                    }
                }
            }
        }
        Msg::Ack { block, gen, bad } => {
            let Some(f) = n.forwarding.get(&block).filter(|f| f.gen == gen && f.next == from).cloned() else {
                return;
            };
            n.forwarding.remove(&block);
            ctx.cancel_timer(Timer::Pipeline(block));
            if bad.is_none() {
                finish(d, n, block, gen, ctx);
            }
            if !f.acked {
                ctx.send(f.upstream, Msg::Ack { block, gen, bad });
            }
        }
        Msg::Leading { term } if d.is_meta(from) => {
            follows(d, n, term);
        }
        Msg::Transfer { block, gen, to, term } if d.is_meta(from) && follows(d, n, term) => {
            if let Some(r) = n.finished(block, gen) {
                let (gen, file, value) = (r.gen, r.file, r.value);
                n.copies_sent += 1;
                ctx.send(to, Msg::Copy { block, gen, file, value });
            }
        }
        Msg::Copy { block, gen, file, value }
            if d.is_data_node(from)
                && store(n, block, Replica { gen, file, value, done: true, since: n.reports }) =>
        {
            report(d, n, ctx);
        }
        Msg::Invalidate { blocks, term, report } if d.is_meta(from) && follows(d, n, term) => {
            // Only a replica the report the order was decided on showed: a late or duplicated
            // order must not delete one copied here again since (HDFS's orders come back in
            // order, in the answers to the heartbeats).
            for (b, gen) in blocks {
                let shown = |r: &Replica| r.gen <= gen && r.since < report;
                if !n.forwarding.contains_key(&b) && n.replicas.get(&b).is_some_and(shown) {
                    n.replicas.remove(&b);
                    n.disk_changes += 1;
                }
            }
        }
        Msg::ReadBlock { req, block, gen } => {
            // Broken (read-gen-off-by-one): `>` for `≥`.
            let served = match d.is(Mutant::ReadGenOffByOne) {
                true => n.replicas.get(&block).filter(|r| r.done && r.gen > gen),
                false => n.finished(block, gen),
            };
            let value = served.map(|r| r.value);
            // Broken (reads-dropped): the data left unsent.
            if value.is_some() && d.is(Mutant::ReadsDropped) {
                return;
            }
            ctx.send(from, Msg::BlockData { req, block, value });
        }
        _ => {}
    }
}

pub fn on_timer(d: &Dfs, n: &mut DataNode, timer: Timer, ctx: Cx) {
    match timer {
        Timer::Heartbeat => {
            report(d, n, ctx);
            ctx.set_timer(Timer::Heartbeat, Time(HEARTBEAT_US));
        }
        Timer::Pipeline(block) => {
            if let Some(f) = n.forwarding.remove(&block) {
                if !f.acked {
                    ctx.send(f.upstream, Msg::Ack { block, gen: f.gen, bad: Some(f.next) });
                }
            }
        }
        _ => {}
    }
}
