//! A distributed file system in the style of HDFS and GFS: files as blocks, each with R
//! replicas on data nodes in racks, and a metadata service that decides where they go.
//!
//! **Metadata servers** (HDFS's NameNode, replicated) are a Raft group of three run by the Raft
//! module's own handlers (`meta.rs`); their machine is the namespace (`names.rs`): each file's
//! complete block, the blocks being written and their pipelines. Where the replicas *are* is
//! soft state, rebuilt from the data nodes' heartbeats and block reports.
//!
//! **Placement** is HDFS's default rule (`placement.rs`, also `distlab dfs place`): the first
//! replica on the writer's rack, the second on another rack, the third on the second's rack.
//! So with R ≥ 2 a block goes on two racks whenever two have a live node; one placed while only
//! one rack had (or left on one by failures) gets a replica on another rack once one is live
//! again, and then loses one of the first rack's (HDFS's mis-replicated blocks). A block on two
//! racks keeps a replica through the loss of either.
//!
//! **Writes** go through a pipeline (`datanode.rs`, `client.rs`): the client sends the block to
//! the first data node, each stores it and sends it on, and the acknowledgement comes back up
//! only when every node below has it; the client then has the leader complete the file, which
//! it does once a data node has reported the block finished (HDFS's minimum replication). A node
//! that fails mid-pipeline is named in the acknowledgement (or, the first one, by the client's
//! timeout), dropped, and the pipeline rebuilt at the block's next generation with a
//! replacement node.
//!
//! **One writer per file** (`lease.rs`, HDFS's leases): the namespace names the one client
//! writing each file beside its block. Another client that asks to write it is told it is busy
//! and asks again, until the writer has been silent to the leader for the soft limit; then the
//! leader takes the file from it (the silent writer's block is abandoned, where HDFS would
//! recover it and close the file with it) and, past the hard limit, releases it unasked. The
//! `lease` property reads every handover from the committed log and holds the leader that
//! logged it to what the network had delivered to it by then (not to what it says it did).
//!
//! **Failures**: a data node without a heartbeat for a second is counted dead; the leader copies
//! each block it held from a surviving replica, a bounded number at a time per node, until R
//! replicas run again, and tells nodes to delete replicas no file needs (an old generation, a
//! file overwritten) and those beyond R (a node counted dead that came back), from the racks
//! that hold the most. **Reads** go to the nearest replica (same rack first) and fall back.
//!
//! The files: `placement.rs`, `names.rs`, `meta.rs`, `lease.rs`, `datanode.rs`, `client.rs`,
//! `check.rs` (the properties), `types.rs` (settings, messages, mutants), `view.rs`,
//! `scenarios.rs`.

pub mod check;
pub mod client;
pub mod datanode;
mod held;
pub mod lease;
pub mod meta;
pub mod names;
mod node;
pub mod placement;
mod reads;
pub mod scenarios;
mod setup;
#[cfg(feature = "dfs")]
pub mod swarm;
mod targets;
mod types;
mod view;

#[cfg(test)]
mod lessons;
#[cfg(test)]
mod meta_tests;
#[cfg(test)]
mod repair_tests;
#[cfg(test)]
mod tests;

pub use check::Monitor;
pub use node::{Durable, Node};
pub use setup::{parse_racks, racks_spec, Config};
pub use types::*;

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use crate::protocol::{
    Ctx, MessageInfo, MutantInfo, NodeId, PropertyInfo, Protocol, ScriptAction, Time, World,
};
use crate::raft::server_digest;
use crate::rng::Rng;

pub(crate) const MUTANTS: &[MutantInfo] = &[
    MutantInfo {
        name: "ack-first",
        description: "the first data node acknowledges a write as soon as it has the block, before the rest of the pipeline",
    },
    MutantInfo { name: "one-rack", description: "every replica of a block goes on the first replica's rack" },
    MutantInfo {
        name: "no-re-replication",
        description: "the metadata leader never copies a block that is short of replicas",
    },
    MutantInfo {
        name: "no-rack-repair",
        description: "the metadata leader counts replicas alone: a block left on one rack stays there",
    },
    MutantInfo {
        name: "delete-wrong-rack",
        description: "the metadata leader deletes a block's replicas in excess from the rack that holds the fewest",
    },
    MutantInfo {
        name: "read-local",
        description: "the metadata leader answers where a file's block is from its own namespace, not through the log, so a leader that lost its office unawares sends a reader to an old block",
    },
    MutantInfo {
        name: "lease-ignored",
        description: "the metadata leader gives a file being written to any client that asks, taking it from its writer however recently that writer was heard",
    },
    MutantInfo {
        name: "read-gen-off-by-one",
        description: "a data node serves a replica only if its generation is later than the one the client asks for (> for ≥), so it tells readers it lacks blocks it holds",
    },
    MutantInfo {
        name: "reads-dropped",
        description: "a data node leaves reads of blocks it holds unanswered, so readers time out and give up",
    },
    MutantInfo {
        name: "stale-orders",
        description: "a data node carries out a copy or deletion order of a metadata leader older than one it has heard of",
    },
    MutantInfo {
        name: "eager-excess",
        description: "a new metadata leader deletes replicas in excess before every holder has reported under its term",
    },
];

impl Mutant {
    pub fn parse(name: &str) -> Option<Mutant> {
        Some(match name {
            "ack-first" => Mutant::AckFirst,
            "one-rack" => Mutant::OneRack,
            "no-re-replication" => Mutant::NoReReplication,
            "no-rack-repair" => Mutant::NoRackRepair,
            "delete-wrong-rack" => Mutant::DeleteWrongRack,
            "read-local" => Mutant::ReadLocal,
            "lease-ignored" => Mutant::LeaseIgnored,
            "read-gen-off-by-one" => Mutant::ReadGenOffByOne,
            "reads-dropped" => Mutant::ReadsDropped,
            "stale-orders" => Mutant::StaleOrders,
            "eager-excess" => Mutant::EagerExcess,
            _ => return None,
        })
    }
}

impl MessageInfo for Msg {
    fn kind(&self) -> &'static str {
        match self {
            Msg::Meta(m) => m.kind(),
            Msg::Request { .. } => "Request",
            Msg::Reply { answer: Answer::NotLeader(_), .. } => "NotLeader",
            Msg::Reply { .. } => "Reply",
            Msg::Packet { .. } => "Packet",
            Msg::Ack { .. } => "Ack",
            Msg::Heartbeat { .. } => "Heartbeat",
            Msg::Leading { .. } => "Leading",
            Msg::Transfer { .. } => "Transfer",
            Msg::Copy { .. } => "Copy",
            Msg::Invalidate { .. } => "Invalidate",
            Msg::ReadBlock { .. } => "ReadBlock",
            Msg::BlockData { .. } => "BlockData",
        }
    }
    fn summary(&self) -> String {
        match self {
            Msg::Meta(m) => m.summary(),
            Msg::Request { req, ask } => format!("(#{req} {ask})"),
            Msg::Reply { req, answer } => match answer {
                Answer::Write(p) => {
                    format!("(#{req} block {} gen {} → {} nodes)", p.block, p.gen, p.targets.len())
                }
                Answer::Done => format!("(#{req} complete)"),
                Answer::Located(Some((b, _, nodes))) => {
                    format!("(#{req} block {b} on {} nodes)", nodes.len())
                }
                Answer::Located(None) => format!("(#{req} no such file)"),
                Answer::NoSpace => format!("(#{req} no data node free)"),
                Answer::NotReplicated => format!("(#{req} no data node has reported it yet)"),
                Answer::Busy(_) => format!("(#{req} another client is writing it)"),
                Answer::Stale => format!("(#{req} start again)"),
                Answer::NotLeader(_) => format!("(#{req} not the leader)"),
            },
            Msg::Packet { block, gen, file, rest, .. } => {
                format!("(block {block} gen {gen} of {file}, {} more after this)", rest.len())
            }
            Msg::Ack { block, bad: None, .. } => format!("(block {block}: all below have it)"),
            Msg::Ack { block, bad: Some(_), .. } => format!("(block {block}: a node below failed)"),
            Msg::Heartbeat { blocks, .. } => format!("({} blocks)", blocks.len()),
            Msg::Leading { term } => format!("(leader in term {term})"),
            Msg::Transfer { block, .. } => format!("(copy block {block})"),
            Msg::Copy { block, .. } => format!("(block {block})"),
            Msg::Invalidate { blocks, .. } => format!("(delete {} blocks)", blocks.len()),
            Msg::ReadBlock { block, .. } => format!("(block {block}?)"),
            Msg::BlockData { block, value: Some(_), .. } => format!("(block {block})"),
            Msg::BlockData { block, value: None, .. } => format!("(no block {block} here)"),
        }
    }
}

impl crate::protocol::Effects for Dfs {
    type Msg = Msg;
    type Timer = Timer;
    type Note = Note;
}

impl Protocol for Dfs {
    type ClientOp = ClientOp;
    type Node = Node;
    type Durable = Durable;
    type Monitor = Monitor;

    fn nodes(&self) -> usize {
        self.nodes_total()
    }

    /// Metadata servers and data nodes crash; clients stand outside the experiment.
    fn fault_targets(&self) -> usize {
        self.first_client()
    }

    fn init(&self, ctx: &mut Ctx<Self>) -> Node {
        let id = ctx.me();
        if self.is_meta(id) {
            Node::Meta(meta::init(self, ctx))
        } else if self.is_data_node(id) {
            Node::Data(datanode::init(self, ctx))
        } else {
            Node::Client(client::init(self, ctx))
        }
    }

    fn on_message(&self, node: &mut Node, from: NodeId, msg: Msg, ctx: &mut Ctx<Self>) {
        match node {
            Node::Meta(s) => meta::on_message(self, s, from, msg, ctx),
            Node::Data(n) => datanode::on_message(self, n, from, msg, ctx),
            Node::Client(c) => client::on_message(self, c, from, msg, ctx),
        }
    }

    fn on_timer(&self, node: &mut Node, timer: Timer, ctx: &mut Ctx<Self>) {
        match node {
            Node::Meta(s) => meta::on_timer(self, s, timer, ctx),
            Node::Data(n) => datanode::on_timer(self, n, timer, ctx),
            Node::Client(c) => client::on_timer(self, c, timer, ctx),
        }
    }

    fn on_client(&self, node: &mut Node, op: ClientOp, ctx: &mut Ctx<Self>) {
        match node {
            Node::Client(c) => client::on_op(self, c, op, ctx),
            _ => ctx.note(Note::Refused { node: ctx.me(), why: format!("{op} goes to a client") }),
        }
    }

    fn check_client(&self, node: NodeId, op: &ClientOp) -> Result<(), String> {
        if self.is_client(node) {
            Ok(())
        } else {
            Err(format!("{op} goes to a client"))
        }
    }

    fn durable(node: &Node) -> Durable {
        match node {
            Node::Meta(s) => Durable::Meta(s.raft.hard.clone()),
            Node::Data(n) => Durable::Data((n.replicas.clone(), n.leader_term, n.reports)),
            Node::Client(c) => Durable::Client(c.hard.clone()),
        }
    }

    fn on_restart(&self, durable: Durable, ctx: &mut Ctx<Self>) -> Node {
        match durable {
            Durable::Meta(hard) => Node::Meta(meta::restart(self, hard, ctx)),
            Durable::Data(disk) => Node::Data(datanode::restart(self, disk, ctx)),
            Durable::Client(hard) => Node::Client(client::restart(self, hard, ctx)),
        }
    }

    /// The clients make their own requests (`think_ms`); nothing else is planned.
    fn workload(&self, _rng: &mut Rng) -> Vec<(Time, NodeId, ClientOp)> {
        Vec::new()
    }

    fn script(&self) -> Vec<(Time, ScriptAction<ClientOp>)> {
        self.script.clone()
    }

    fn check(
        &self,
        m: &mut Monitor,
        nodes: &[Node],
        touched: Option<NodeId>,
        _client: Option<&ClientOp>,
        notes: &[Note],
    ) -> Result<(), (&'static str, String)> {
        check::check(self, m, nodes, touched, notes)
    }

    fn check_world(
        &self,
        m: &mut Monitor,
        nodes: &[Node],
        touched: Option<NodeId>,
        notes: &[Note],
        world: &World<'_, Msg>,
    ) -> Result<(), (&'static str, String)> {
        check::check_world(self, m, nodes, touched, notes, world)
    }

    /// A client's request reaching a metadata server: what the `lease` property judges a
    /// takeover by; a read reaching a data node, and its answer the client: `read-available`.
    fn delivered(&self, m: &mut Monitor, nodes: &[Node], d: &crate::protocol::Delivered<'_, Msg>) {
        m.leases.delivered(self, d.from, d.to, d.msg, d.now);
        m.reads.delivered(self, nodes, d);
    }

    fn properties(&self) -> &'static [PropertyInfo] {
        check::PROPERTIES
    }

    fn mutants() -> &'static [MutantInfo] {
        MUTANTS
    }

    fn state_digest(&self, node: &Node) -> u64 {
        match node {
            Node::Meta(s) => crate::hash::digest(&(
                server_digest(&s.raft),
                &s.waiting,
                &s.dead,
                &s.reports,
                &s.copying,
                &s.deleting,
            )),
            Node::Data(n) => crate::hash::digest(n),
            Node::Client(c) => crate::hash::digest(c),
        }
    }

    fn parse_client(&self, text: &str) -> Result<ClientOp, String> {
        parse_op(text)
    }

    fn history_line(note: &Note) -> Option<crate::lincheck::HistoryLine> {
        match note {
            Note::Invoke { client, op, .. } => Some(crate::kv::history_line(*client, op, None)),
            Note::Ack { client, op, result, .. } => Some(crate::kv::history_line(*client, op, Some(result))),
            // A read given up took no effect: Jepsen's fail.
            Note::Missing { client, op, .. } => Some(crate::lincheck::HistoryLine {
                kind: crate::lincheck::LineKind::Fail,
                ..crate::kv::history_line(*client, op, None)
            }),
            _ => None,
        }
    }
}
