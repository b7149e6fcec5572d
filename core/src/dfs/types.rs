//! The words of the file system: its configuration, messages, timers, the user's requests,
//! notes for the checker, and mutants.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use serde::Serialize;

use crate::kv::{Key, KvOp, KvResult, Workload};
use crate::protocol::{Members, NodeId, ScriptAction, Time};
use crate::raft::{self, Raft, Term};

use super::names::Names;
pub use super::names::{BlockId, Pipeline};
use super::placement::{self, Rack, Topology};

/// Metadata servers (a Raft group).
pub const META: usize = 3;
/// Most racks, data nodes per rack, data nodes in all, clients, and the highest replication
/// factor of a run.
pub const MAX_RACKS: usize = 8;
pub const MAX_PER_RACK: u32 = 8;
pub const MAX_DATA_NODES: u32 = 32;
pub const MAX_CLIENTS: usize = 8;
pub const MAX_RF: u32 = 5;

/// A data node's heartbeat (with its block report), and how long the metadata servers wait
/// without one before they count it dead.
pub const HEARTBEAT_US: u64 = 200_000;
pub const DEAD_AFTER_US: u64 = 1_000_000;
/// How often the metadata leader looks for blocks short of replicas, or with replicas in excess.
pub const SCAN_US: u64 = 200_000;
/// A copy ordered and not reported within this is ordered again; a replica ordered deleted and
/// still reported after this counts again.
pub const COPY_TIMEOUT_US: u64 = 1_000_000;
/// Copies one data node sends at once (HDFS's `dfs.namenode.replication.max-streams`).
pub const MAX_STREAMS: usize = 2;
/// How long a pipeline's node waits for the acknowledgement of the rest of the pipeline, per
/// node downstream.
pub const HOP_US: u64 = 100_000;
/// How long a client waits for a metadata server's answer.
pub const CLIENT_TIMEOUT_US: u64 = 400_000;
/// Rounds of a read over every replica the leader named before the client gives up on the
/// block (HDFS's `dfs.client.max.block.acquire.failures`, 3, after which `DFSInputStream`
/// throws `BlockMissingException`).
pub const READ_ROUNDS: u32 = 3;
/// A file's lease (HDFS's single writer): its writer holds it while its requests keep
/// reaching the metadata leader. Past the soft limit without one, another client may take the
/// file; past the hard limit the leader releases the lease itself. HDFS's are 60 s and 20 min,
/// and its clients renew every 30 s on a timer as well; a write here lasts under a second and
/// its writer asks the leader at every step, so the steps of its write renew it.
pub const LEASE_SOFT_US: u64 = 2_000_000;
pub const LEASE_HARD_US: u64 = 10_000_000;
/// After the last crash, restart or change of the network, every block is back to its
/// replication factor on running data nodes within this (when enough are running): the time to
/// count a node dead, scan, and copy, with retries.
pub const REPAIR_BOUND_US: u64 = 4_000_000;

/// The file system: metadata servers M1–M3 (nodes 0–2), the data nodes rack by rack, then
/// the clients, each on a rack (C1 on the first, C2 on the second, …) but not a data node.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Dfs {
    /// Raft's timing for the metadata group (its server and client counts are not used).
    pub raft: Raft,
    /// Data nodes per rack (racks r1, r2, …).
    pub racks: Vec<u32>,
    /// Replicas per block.
    pub rf: u32,
    pub clients: usize,
    /// Mean pause between a client's requests, milliseconds (0: clients wait for the user).
    pub think_ms: u32,
    /// Files (the workload's keys) and the share of reads; every other request writes a file.
    pub workload: Workload,
    pub script: Vec<(Time, ScriptAction<ClientOp>)>,
    pub narration: Vec<crate::lesson::Step>,
    pub mutant: Option<Mutant>,
}

impl Default for Dfs {
    fn default() -> Self {
        Dfs {
            raft: Raft { servers: META, clients: 0, snapshot_every: 100, ..Raft::default() },
            racks: alloc::vec![3, 3, 3],
            rf: 3,
            clients: 2,
            think_ms: 150,
            workload: Workload { keys: 4, reads_pct: 40, cas_pct: 0 },
            script: Vec::new(),
            narration: Vec::new(),
            mutant: None,
        }
    }
}

/// The deliberately broken variants.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Mutant {
    /// The first data node of a pipeline acknowledges the write as soon as it has the block.
    AckFirst,
    /// Every replica of a block goes on the first replica's rack.
    OneRack,
    /// The metadata leader never copies a block that is short of replicas.
    NoReReplication,
    /// The metadata leader counts replicas alone: a block whose replicas all sit on one rack
    /// stays there while other racks run.
    NoRackRepair,
    /// The metadata leader deletes a block's excess replicas from the rack that holds the
    /// fewest, not the most.
    DeleteWrongRack,
    /// The metadata leader answers where a file's block is from its own namespace, not
    /// through the log.
    ReadLocal,
    /// The metadata leader gives a file being written to any client that asks, however
    /// recently its writer was heard, and says nothing of it (no note: the checker must read
    /// the handover from the log).
    LeaseIgnored,
    /// A data node serves a replica only if its generation is later than the one asked for
    /// (an off-by-one: `>` for `≥`), so it answers "no block" to reads of blocks it holds.
    ReadGenOffByOne,
    /// A data node leaves reads of blocks it holds unanswered.
    ReadsDropped,
    /// A data node carries out a copy or deletion order of a metadata leadership older than
    /// one it has heard of (HDFS-1972's first fence gone).
    StaleOrders,
    /// A metadata leader deletes replicas in excess without waiting for every holder to report
    /// under its term (HDFS-1972's second fence gone).
    EagerExcess,
}

impl Dfs {
    pub fn is(&self, m: Mutant) -> bool {
        self.mutant == Some(m)
    }

    pub fn data_nodes(&self) -> usize {
        self.racks.iter().map(|n| *n as usize).sum()
    }

    pub fn validate(&self) -> Result<(), String> {
        if !(1..=MAX_RACKS).contains(&self.racks.len()) {
            return Err(format!("racks must be between 1 and {MAX_RACKS} (got {})", self.racks.len()));
        }
        if let Some(n) = self.racks.iter().find(|n| !(1..=MAX_PER_RACK).contains(*n)) {
            return Err(format!("a rack holds between 1 and {MAX_PER_RACK} data nodes (got {n})"));
        }
        if self.data_nodes() > MAX_DATA_NODES as usize {
            return Err(format!("at most {MAX_DATA_NODES} data nodes in all (got {})", self.data_nodes()));
        }
        if !(1..=MAX_RF).contains(&self.rf) {
            return Err(format!("the replication factor must be between 1 and {MAX_RF} (got {})", self.rf));
        }
        if self.rf as usize > self.data_nodes() {
            return Err(format!(
                "the replication factor ({}) is more than the data nodes ({})",
                self.rf,
                self.data_nodes()
            ));
        }
        if !(1..=MAX_CLIENTS).contains(&self.clients) {
            return Err(format!("clients must be between 1 and {MAX_CLIENTS} (got {})", self.clients));
        }
        if self.workload.cas_pct != 0 {
            return Err(String::from(
                "the file system's clients write and read whole files: compare-and-sets must be 0 %",
            ));
        }
        self.workload.validate(self.think_ms as u64 * 1000)?;
        self.raft.validate()
    }

    /// The racks as the placement rule reads them, every node alive.
    pub fn topology(&self) -> Topology {
        let racks: Vec<Rack> =
            self.racks.iter().enumerate().map(|(i, n)| Rack { number: i as u32 + 1, nodes: *n }).collect();
        Topology { nodes: self.data_nodes() as u32, racks, dead: Vec::new() }
    }

    pub fn meta_members(&self) -> Members {
        Members { first: 0, size: META as u32 }
    }

    pub fn is_meta(&self, node: NodeId) -> bool {
        node.index() < META
    }

    /// Data node `node` as a place on the racks, if it is one.
    pub fn place_of(&self, node: NodeId) -> Option<placement::Node> {
        let mut i = node.index().checked_sub(META)?;
        for (rack, n) in self.racks.iter().enumerate() {
            if i < *n as usize {
                return Some(placement::Node { rack, index: i as u32 });
            }
            i -= *n as usize;
        }
        None
    }

    /// The data node at a place on the racks.
    pub fn node_at(&self, p: placement::Node) -> NodeId {
        let before: u32 = self.racks[..p.rack].iter().sum();
        NodeId(META as u32 + before + p.index)
    }

    pub fn is_data_node(&self, node: NodeId) -> bool {
        self.place_of(node).is_some()
    }

    /// Every data node, in order.
    pub fn data_node_ids(&self) -> impl Iterator<Item = NodeId> {
        (META..META + self.data_nodes()).map(|i| NodeId(i as u32))
    }

    pub fn first_client(&self) -> usize {
        META + self.data_nodes()
    }

    pub fn nodes_total(&self) -> usize {
        self.first_client() + self.clients
    }

    pub fn is_client(&self, node: NodeId) -> bool {
        (self.first_client()..self.nodes_total()).contains(&node.index())
    }

    /// The rack a client sits on (clients take the racks in turn).
    pub fn client_rack(&self, node: NodeId) -> usize {
        node.index().saturating_sub(self.first_client()) % self.racks.len().max(1)
    }

    /// The rack of any node that has one (data nodes and clients).
    pub fn rack_of(&self, node: NodeId) -> Option<usize> {
        match self.place_of(node) {
            Some(p) => Some(p.rack),
            None if self.is_client(node) => Some(self.client_rack(node)),
            None => None,
        }
    }

    /// The page's name of a node: M1–M3, the data nodes `r1/n0`, … (as `distlab dfs place`
    /// names them), C1, C2, ….
    pub fn name(&self, node: NodeId) -> String {
        let i = node.index();
        if i < META {
            format!("M{}", i + 1)
        } else if let Some(p) = self.place_of(node) {
            format!("r{}/n{}", p.rack + 1, p.index)
        } else {
            format!("C{}", i + 1 - self.first_client())
        }
    }

    /// Names of a list of nodes, comma-separated.
    pub fn names(&self, nodes: &[NodeId]) -> String {
        let names: Vec<String> = nodes.iter().map(|n| self.name(*n)).collect();
        names.join(", ")
    }
}

/// What the user (or a script) asks a client: write a file whole (its content a number), or
/// read it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct ClientOp(pub KvOp);

impl fmt::Display for ClientOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            KvOp::Put(k, v) => write!(f, "write {k} {v}"),
            KvOp::Get(k) => write!(f, "read {k}"),
            op => write!(f, "{op}"),
        }
    }
}

/// Parse what a user typed: `write FILE N` (or `put`), `read FILE` (or `get`).
pub fn parse_op(text: &str) -> Result<ClientOp, String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let as_kv: Vec<&str> = words
        .iter()
        .enumerate()
        .map(|(i, w)| match (i, *w) {
            (0, "write") => "put",
            (0, "read") => "get",
            _ => w,
        })
        .collect();
    match as_kv.as_slice() {
        ["put", _, _] | ["get", _] => match crate::kv::parse_kv(&as_kv) {
            Some(op) => op.map(ClientOp),
            None => Err(String::from("commands: write FILE N, read FILE")),
        },
        _ => Err(String::from("commands: write FILE N (a file's whole content, a number), read FILE")),
    }
}

/// A metadata server's answer to a client.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Answer {
    /// Write the block through this pipeline.
    Write(Pipeline),
    /// The file's write is complete.
    Done,
    /// The file's block, and where its replicas are, nearest the client first (`None`: no
    /// such file).
    Located(Option<(BlockId, u32, Vec<NodeId>)>),
    /// No data node can take the block now.
    NoSpace,
    /// Not complete yet: no data node has reported the block finished (HDFS's `completeFile`
    /// returning false until the last block has its minimum replication, one replica). The
    /// client asks again after a while.
    NotReplicated,
    /// Another client holds the file's lease: it is being written (HDFS's
    /// `AlreadyBeingCreatedException`). The client asks again after a while.
    Busy(NodeId),
    /// The block is no longer being written (another write of the file replaced it): start
    /// again.
    Stale,
    /// Not the leader; try this one (or another).
    NotLeader(Option<NodeId>),
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Msg {
    /// Raft among the metadata servers.
    Meta(raft::Msg<Names>),
    /// A client asks the metadata leader.
    Request {
        req: u64,
        ask: super::names::Ask,
    },
    Reply {
        req: u64,
        answer: Answer,
    },
    /// A block's data down a pipeline: this node stores it and sends it on to `rest`.
    Packet {
        block: BlockId,
        gen: u32,
        file: Key,
        value: u64,
        rest: Vec<NodeId>,
    },
    /// Back up a pipeline: every node from here down has the block (`bad: None`), or the
    /// named node did not answer.
    Ack {
        block: BlockId,
        gen: u32,
        bad: Option<NodeId>,
    },
    /// A data node's heartbeat with its whole block report: every finished replica it holds,
    /// the newest term of a metadata leader it has heard (it takes no order of an earlier one),
    /// and the report's number.
    Heartbeat {
        blocks: Vec<(BlockId, u32)>,
        term: Term,
        seq: u64,
    },
    /// The metadata leader answers a heartbeat from a data node that has not heard of its term
    /// (HDFS's name node says in every heartbeat answer which name node is active).
    Leading {
        term: Term,
    },
    /// The metadata leader of `term` orders a copy of a block to another data node.
    Transfer {
        block: BlockId,
        gen: u32,
        to: NodeId,
        term: Term,
    },
    /// The copy itself, data node to data node.
    Copy {
        block: BlockId,
        gen: u32,
        file: Key,
        value: u64,
    },
    /// The metadata leader of `term` tells a data node to delete replicas no file needs: each
    /// block at the generation it reported, or older (a later one, written since, stays), as
    /// the node's block report numbered `report` showed them (one stored since stays too).
    Invalidate {
        blocks: Vec<(BlockId, u32)>,
        term: Term,
        report: u64,
    },
    /// A client reads a block from a data node.
    ReadBlock {
        req: u64,
        block: BlockId,
        gen: u32,
    },
    /// The block's content, or (`None`) the node does not have it.
    BlockData {
        req: u64,
        block: BlockId,
        value: Option<u64>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Timer {
    Raft(raft::Timer),
    /// A data node's heartbeat; the metadata servers' scan for blocks short of replicas.
    Heartbeat,
    Scan,
    /// A pipeline's node gives up waiting for the acknowledgement of block `.0`.
    Pipeline(BlockId),
    ClientNext,
    ClientRetry,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Note {
    /// From the metadata group's Raft.
    Raft(raft::Note),
    /// A client sent a request for the first time.
    Invoke { client: NodeId, req: u64, op: KvOp },
    /// A client got its answer.
    Ack { client: NodeId, req: u64, op: KvOp, result: KvResult },
    /// A client gave up a read: no replica of the block answered in `READ_ROUNDS` rounds.
    Missing { client: NodeId, req: u64, op: KvOp, block: BlockId },
    /// A metadata server applied the completion of a file's block, at this log index.
    Completed { server: NodeId, index: u64, file: Key, pipeline: Pipeline },
    /// The metadata leader chose `targets` for a block that `holders` (as it knows them)
    /// already hold: a new or rebuilt pipeline (`pipeline`), or copies; `racks` is how many
    /// racks had a node it could choose.
    Placed { block: BlockId, targets: Vec<NodeId>, holders: Vec<NodeId>, racks: u32, pipeline: bool },
    /// A metadata server (the leader, or not) counted a data node dead (no heartbeat for
    /// `DEAD_AFTER_US`).
    Dead { server: NodeId, node: NodeId, leader: bool },
    /// The metadata leader `server` decided to take `holder`'s lease on `file`, silent past the
    /// soft limit, for the client `by`, or (`by: None`) to release it past the hard limit, and
    /// put that in its log (the entry may yet not commit, or find the file's writer changed).
    /// For the page's narration: the `lease` property reads handovers from the committed log.
    LeaseRecovered { server: NodeId, file: Key, holder: NodeId, by: Option<NodeId> },
    /// A user's command was refused, and why.
    Refused { node: NodeId, why: String },
}
