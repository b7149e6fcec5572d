//! The metadata servers' state machine, the namespace (HDFS's edit log replayed): each file's
//! complete block, the block being written to it and its pipeline, and the next block number.
//! Everything that changes it goes through the metadata group's Raft log, so every metadata
//! server has the same namespace at the same index.
//!
//! Where the replicas of a block *are* is not in it: as in HDFS, that is soft state every
//! metadata server rebuilds from the data nodes' block reports (`meta.rs`).
//!
//! A file is written whole, as one block (an overwrite replaces the block): its content is a
//! number, so a file reads as a register and the client history goes through the
//! linearizability checker. An overwrite takes effect at once, when its completion applies, as
//! an HDFS writer's file written aside and renamed over the old one does; HDFS's `create` with
//! overwrite deletes the old file as it starts, and a reader meanwhile finds none.

use alloc::collections::BTreeMap;
use alloc::vec::Vec;
use core::fmt;

use serde::Serialize;

use crate::kv::Key;
use crate::protocol::NodeId;
use crate::raft::{LogIndex, Machine, Term};

/// A block's number, unique in the run (the metadata machine hands them out).
pub type BlockId = u64;

/// Where a block is being written, as the metadata servers have it: the block, its generation
/// (a new one for every rebuilt pipeline), and the pipeline's data nodes, first first.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Pipeline {
    pub block: BlockId,
    pub gen: u32,
    pub targets: Vec<NodeId>,
}

/// A client's request to the metadata servers, as the log carries it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Op {
    /// Start writing `file`: a new block through the pipeline the leader chose, and the
    /// file's lease (HDFS's single writer). `recover`: the writer whose lease the leader found
    /// past its soft limit, whose block this one replaces; any other writer's holds the file.
    Create { file: Key, targets: Vec<NodeId>, recover: Option<NodeId> },
    /// The pipeline of `block` (at generation `gen`) failed: carry on through `targets` at
    /// the next generation.
    Rebuild { file: Key, block: BlockId, gen: u32, targets: Vec<NodeId> },
    /// Every node of the pipeline has the block: it becomes the file's content.
    Complete { file: Key, block: BlockId, gen: u32 },
    /// Which block is the file's now (through the log, so that a deposed leader cannot
    /// answer with an old one).
    Read { file: Key },
    /// Data node `node` reported these replicas, which the leader found no file needs: the
    /// log decides (a deposed leader, whose namespace is behind, must not delete a block a
    /// newer leader created). `report`: the number of the node's report that showed them.
    Invalidate { node: NodeId, blocks: Vec<(BlockId, u32)>, report: u64 },
    /// The complete block has more finished replicas than R: `node`'s is to go. Through the log
    /// only so that a leader that lost office sends no order: the server that proposed it sends
    /// the deletion when it applies it, if it still leads and still means it (`meta.rs`).
    Excess { node: NodeId, block: BlockId, gen: u32 },
    /// `holder`'s lease on `file` ran past the hard limit while it wrote `block`: released,
    /// and the block abandoned (the file keeps its last complete block).
    Release { file: Key, holder: NodeId, block: BlockId },
}

/// What a client asks the metadata leader; the leader turns it into an [`Op`], choosing the
/// data nodes where one is needed.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Ask {
    Create {
        file: Key,
    },
    /// The pipeline of `block` at `gen` lost `bad`.
    Rebuild {
        file: Key,
        block: BlockId,
        gen: u32,
        bad: NodeId,
    },
    Complete {
        file: Key,
        block: BlockId,
        gen: u32,
    },
    Read {
        file: Key,
    },
}

impl Ask {
    /// Whether the request is a step of a write: the steps renew their client's lease
    /// (`lease.rs`), a read does not.
    pub fn writes(&self) -> bool {
        !matches!(self, Ask::Read { .. })
    }
}

impl fmt::Display for Ask {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ask::Create { file } => write!(f, "create {file}"),
            Ask::Rebuild { file, block, .. } => write!(f, "rebuild {file}'s pipeline (block {block})"),
            Ask::Complete { file, block, .. } => write!(f, "complete {file} (block {block})"),
            Ask::Read { file } => write!(f, "locate {file}"),
        }
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Op::Create { file, targets, .. } => write!(f, "create {file} on {} nodes", targets.len()),
            Op::Rebuild { file, block, gen, .. } => {
                write!(f, "rebuild {file}'s pipeline (block {block}, gen {gen})")
            }
            Op::Complete { file, block, .. } => write!(f, "complete {file} (block {block})"),
            Op::Read { file } => write!(f, "locate {file}"),
            Op::Invalidate { blocks, .. } => write!(f, "delete {} stale replicas", blocks.len()),
            Op::Excess { block, .. } => write!(f, "delete a replica of block {block} in excess"),
            Op::Release { file, .. } => write!(f, "release the lease on {file}"),
        }
    }
}

/// A command in the metadata log: a client's request, with who sent it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Cmd {
    pub client: NodeId,
    pub req: u64,
    pub op: Op,
}

impl fmt::Display for Cmd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.op.fmt(f)
    }
}

/// What applying a command returned.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Applied {
    /// Write through this pipeline.
    Write(Pipeline),
    /// The block is the file's now: the pipeline that wrote it.
    Done(Pipeline),
    /// The file's complete block (`None`: no such file).
    Located(Option<Pipeline>),
    /// Too late: the block is no longer the one being written (another write replaced it).
    Stale,
    /// The replicas to delete, of those reported.
    Invalidate(Vec<(BlockId, u32)>),
    /// Another client holds the file's lease: it is being written (HDFS's
    /// `AlreadyBeingCreatedException`).
    Busy(NodeId),
    /// A lease released (or already gone).
    Released,
}

impl fmt::Display for Applied {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Applied::Write(p) => write!(f, "block {} gen {} on {} nodes", p.block, p.gen, p.targets.len()),
            Applied::Done(_) => f.write_str("complete"),
            Applied::Located(Some(p)) => write!(f, "block {}", p.block),
            Applied::Located(None) => f.write_str("no such file"),
            Applied::Stale => f.write_str("stale"),
            Applied::Invalidate(blocks) => write!(f, "delete {}", blocks.len()),
            Applied::Busy(_) => f.write_str("another client is writing it"),
            Applied::Released => f.write_str("released"),
        }
    }
}

/// One file.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub struct File {
    /// The block readers get.
    pub complete: Option<Pipeline>,
    /// The block being written to it, with its writer's number: the holder of the file's
    /// lease, its only writer (a writer that starts again drops the block it left).
    pub writing: Option<(u32, Pipeline)>,
}

/// A command applied, for the server that proposed it to answer and the checker to see.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Served {
    pub index: LogIndex,
    pub cmd: Cmd,
    pub result: Applied,
    /// Applied now, not answered from the duplicate table.
    pub fresh: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Names {
    pub files: BTreeMap<Key, File>,
    pub next_block: BlockId,
    /// Per client: its last request applied, and the answer (the duplicate table).
    pub sessions: BTreeMap<u32, (u64, Applied)>,
    /// Applied since the server last looked (not state: not in a snapshot).
    pub served: Vec<Served>,
}

impl Names {
    /// Take what was applied since the last call.
    pub fn take_served(&mut self) -> Vec<Served> {
        core::mem::take(&mut self.served)
    }

    /// Whether a data node should keep its replica of `block` at `gen`: it is a file's
    /// complete block, or the one being written at this generation or a later one.
    pub fn wanted(&self, block: BlockId, gen: u32) -> bool {
        self.files.values().any(|f| {
            f.complete.as_ref().is_some_and(|p| p.block == block && p.gen <= gen)
                || f.writing.as_ref().is_some_and(|(_, p)| p.block == block && p.gen <= gen)
        })
    }

    /// The client writing `file`, the holder of its lease.
    pub fn writer(&self, file: &Key) -> Option<NodeId> {
        self.files.get(file).and_then(|f| f.writing.as_ref()).map(|(c, _)| NodeId(*c))
    }

    /// Every file being written, with its writer.
    pub fn writers(&self) -> Vec<(Key, NodeId)> {
        self.files.iter().filter_map(|(k, f)| f.writing.as_ref().map(|(c, _)| (*k, NodeId(*c)))).collect()
    }

    /// Whether `client` writes `file` through `block` at generation `gen`.
    pub fn writes(&self, file: &Key, client: NodeId, block: BlockId, gen: u32) -> bool {
        let f = self.files.get(file).and_then(|f| f.writing.as_ref());
        f.is_some_and(|(c, p)| *c == client.0 && p.block == block && p.gen == gen)
    }

    fn execute(&mut self, client: NodeId, op: &Op) -> Applied {
        // A writer writes one file at a time: whatever else it was writing, it left.
        if let Op::Create { .. } = op {
            for f in self.files.values_mut() {
                if f.writing.as_ref().is_some_and(|(c, _)| *c == client.0) {
                    f.writing = None;
                }
            }
        }
        match op {
            Op::Create { file, targets, recover } => {
                // Numbered even when refused: the leader counts the block numbers its log
                // will hand out from the creations in it.
                self.next_block += 1;
                let f = self.files.entry(*file).or_default();
                if let Some((holder, _)) =
                    f.writing.as_ref().filter(|(h, _)| recover.map(|r| r.0) != Some(*h))
                {
                    return Applied::Busy(NodeId(*holder));
                }
                let p = Pipeline { block: self.next_block, gen: 1, targets: targets.clone() };
                f.writing = Some((client.0, p.clone()));
                Applied::Write(p)
            }
            Op::Rebuild { file, block, gen, targets } => {
                let f = self.files.entry(*file).or_default();
                match f.writing.as_mut().filter(|(_, p)| p.block == *block && p.gen == *gen) {
                    Some((_, p)) => {
                        *p = Pipeline { block: *block, gen: gen + 1, targets: targets.clone() };
                        Applied::Write(p.clone())
                    }
                    None => Applied::Stale,
                }
            }
            Op::Complete { file, block, gen } => {
                let f = self.files.entry(*file).or_default();
                match f.writing.take_if(|(_, p)| p.block == *block && p.gen == *gen) {
                    Some((_, p)) => {
                        f.complete = Some(p.clone());
                        Applied::Done(p)
                    }
                    None => Applied::Stale,
                }
            }
            Op::Read { file } => Applied::Located(self.files.get(file).and_then(|f| f.complete.clone())),
            Op::Invalidate { blocks, .. } => {
                Applied::Invalidate(blocks.iter().copied().filter(|(b, g)| !self.wanted(*b, *g)).collect())
            }
            Op::Excess { block, gen, .. } => Applied::Invalidate(alloc::vec![(*block, *gen)]),
            Op::Release { file, holder, block } => {
                if let Some(f) = self.files.get_mut(file) {
                    f.writing.take_if(|(c, p)| *c == holder.0 && p.block == *block);
                }
                Applied::Released
            }
        }
    }
}

impl Machine for Names {
    type Op = Cmd;
    type Result = Applied;
    /// The server that took the client's request answers it, once it has applied it.
    const LEADER_REPLIES: bool = false;
    const STATE: &'static str = "namespace";

    fn snapshot(&self) -> Names {
        Names { served: Vec::new(), ..self.clone() }
    }

    /// A request already applied (a client's retry, through another leader) is answered from
    /// the duplicate table, not applied again.
    fn apply(
        &mut self,
        _: NodeId,
        _: u64,
        cmd: &Cmd,
        index: LogIndex,
        term: Term,
    ) -> (Applied, LogIndex, Term) {
        let (result, fresh) = match self.sessions.get(&cmd.client.0) {
            // A server's own command, not a client's: applied each time (a deletion only reads;
            // a release names the writer and block it frees, so a second application frees nothing).
            _ if matches!(cmd.op, Op::Invalidate { .. } | Op::Excess { .. } | Op::Release { .. }) => {
                (self.execute(cmd.client, &cmd.op), true)
            }
            Some((last, result)) if *last >= cmd.req => (result.clone(), false),
            _ => {
                let result = self.execute(cmd.client, &cmd.op);
                self.sessions.insert(cmd.client.0, (cmd.req, result.clone()));
                (result, true)
            }
        };
        self.served.push(Served { index, cmd: cmd.clone(), result: result.clone(), fresh });
        (result, index, term)
    }

    fn last_applied(&self, _: NodeId) -> Option<(u64, &Applied, LogIndex, Term)> {
        None
    }

    fn is_read(_: &Cmd) -> bool {
        false
    }

    fn read(&self, _: &Cmd) -> Applied {
        Applied::Stale
    }
}
