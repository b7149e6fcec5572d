//! A sharded key-value database over Raft groups, in the style of Spanner's and CockroachDB's
//! ranges, and of MIT 6.824's shardkv lab: the keyspace is cut into shards, each served by one
//! replica group, and a configuration service decides which.
//!
//! **The configuration service** is a Raft group of three (`configs.rs`). Its log holds the
//! operators' joins and leaves; each makes the next numbered configuration, whose shard map
//! the consistent-hash ring (the hashing module's, with virtual nodes) computes from the set
//! of groups, so a joining group takes about 1/(G+1) of the shards and the others stay put.
//!
//! **Replica groups** are Raft groups of three (the Raft module's own handlers, through
//! `Ctx::nest_in`), each holding the shards it owns as key-value stores with their duplicate
//! tables (`machine.rs`). A group serves a key only if it owns the key's shard in the
//! configuration it has reached *and* has the shard's data. Its leader polls for the
//! configuration after its own and puts it in the group's log: configurations are applied one
//! at a time, in order, and only once every shard of the current one has its data. On applying
//! one, the group stops serving the shards it loses at once (keeping a frozen copy for the new
//! owner), and waits for those it gains: its leader pulls each from the previous owner, which
//! answers from the copy its own log fixed, and puts what it receives (data *and* duplicate
//! table) in the group's log. Shards that do not move keep serving throughout.
//!
//! **Clients** cache the newest configuration they have seen, send each request to the key's
//! owner, and on "wrong group" or silence ask the configuration service again, retrying with
//! the same request number, so the shard's duplicate table, wherever it now is, applies a
//! retried write once.
//!
//! The files: `configs.rs` (the service's machine, the shard map), `machine.rs` (a group's
//! machine), `server.rs` (both kinds of server around their Raft), `client.rs`, `check.rs`
//! (the safety properties), `arrives.rs` (the liveness one: every move finishes), `types.rs`
//! (settings, messages, mutants).

mod answered;
mod arrives;
pub mod check;
pub mod client;
pub mod configs;
pub mod machine;
mod node;
pub mod scenarios;
pub mod server;
mod setup;
mod standing;
pub mod swarm;
mod types;
mod unmoved;
mod view;

#[cfg(test)]
mod lessons;
#[cfg(test)]
mod tests;

pub use check::Monitor;
pub use node::{Durable, Node};
pub use setup::Config;
pub use types::*;

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use crate::protocol::{Ctx, MessageInfo, MutantInfo, NodeId, PropertyInfo, Protocol, ScriptAction, Time};
use crate::raft::server_digest;
use crate::rng::Rng;

use configs::group_name;

pub(crate) const MUTANTS: &[MutantInfo] = &[
    MutantInfo {
        name: "keep-serving",
        description:
            "the old owner keeps serving a shard after it applies the configuration that moved it away",
    },
    MutantInfo {
        name: "no-duplicate-table",
        description: "a shard moves without its duplicate table: a retried request applies twice",
    },
    MutantInfo {
        name: "serve-before-data",
        description: "the new owner serves a shard at once, without pulling its data from the old owner",
    },
    MutantInfo {
        name: "skip-configs",
        description: "a group jumps to the newest configuration it hears of, skipping those in between",
    },
    MutantInfo {
        name: "drop-data",
        description: "a shard moves without its data: the new owner starts it with no keys",
    },
    MutantInfo {
        name: "early-reconfig",
        description: "a group moves to the next configuration before every shard it gained has arrived",
    },
    MutantInfo {
        name: "reapply-duplicates",
        description: "a retried request is answered from the duplicate table, and its write is done again: a put retried after another client's put to the same key undoes it",
    },
    MutantInfo {
        name: "install-absent",
        description: "a group takes a shard it pulled in, and then leaves it absent: it neither serves it nor waits for it, and answers its clients 'wrong group' for good",
    },
    MutantInfo {
        name: "table-without-results",
        description: "a shard moves with its duplicate table's requests but not their answers: a read or compare-and-set retried across the move is answered 'done'",
    },
    MutantInfo {
        name: "pause-while-moving",
        description: "a group answers 'wrong group' for every key while a shard it gained is on its way, the shards that stay with it too (6.824's design before its second challenge)",
    },
    MutantInfo {
        name: "stale-client-map",
        description: "a client keeps the first map it hears of: a request for a shard that has moved since is sent back 'wrong group' for good",
    },
    MutantInfo {
        name: "pull-once",
        description: "a group's leader asks the old owner for a shard it gained once, as it applies the move, and never again: a request lost, or sent before the old owner has moved, leaves the shard waiting for good",
    },
];

impl Mutant {
    pub fn parse(name: &str) -> Option<Mutant> {
        Some(match name {
            "keep-serving" => Mutant::KeepServing,
            "no-duplicate-table" => Mutant::DropDuplicateTable,
            "serve-before-data" => Mutant::ServeBeforeData,
            "skip-configs" => Mutant::SkipConfigs,
            "drop-data" => Mutant::DropData,
            "early-reconfig" => Mutant::EarlyReconfig,
            "reapply-duplicates" => Mutant::ReapplyDuplicates,
            "pull-once" => Mutant::PullOnce,
            "install-absent" => Mutant::InstallAbsent,
            "table-without-results" => Mutant::TableWithoutResults,
            "pause-while-moving" => Mutant::PauseWhileMoving,
            "stale-client-map" => Mutant::StaleClientMap,
            _ => return None,
        })
    }
}

impl MessageInfo for Msg {
    fn kind(&self) -> &'static str {
        match self {
            Msg::Cfg(m) => m.kind(),
            Msg::Rep(m) => m.kind(),
            Msg::Query { .. } => "Query",
            Msg::Config(_) => "Config",
            Msg::Request { .. } => "Request",
            Msg::Reply { answer: Answer::WrongGroup, .. } => "WrongGroup",
            Msg::Reply { answer: Answer::NotLeader(_), .. } => "NotLeader",
            Msg::Reply { .. } => "Reply",
            Msg::Pull { .. } => "Pull",
            Msg::ShardData { .. } => "ShardData",
        }
    }
    fn summary(&self) -> String {
        match self {
            Msg::Cfg(m) => m.summary(),
            Msg::Rep(m) => m.summary(),
            Msg::Query { num: Some(n) } => format!("(config {n}?)"),
            Msg::Query { num: None } => String::from("(newest config?)"),
            Msg::Config(c) => format!("({c})"),
            Msg::Request { req, op } => format!("(#{req} {op})"),
            Msg::Reply { req, answer: Answer::Ok { result, pos } } => format!("(#{req} {result}, op {pos})"),
            Msg::Reply { req, answer: Answer::WrongGroup } => format!("(#{req} not this group's shard)"),
            Msg::Reply { req, answer: Answer::NotLeader(_) } => format!("(#{req} not the leader)"),
            Msg::Pull { shard, num } => format!("(shard {shard}, config {num})"),
            Msg::ShardData { shard, num, copy } => format!(
                "(shard {shard}, config {num}: {} keys, {} clients' last requests)",
                copy.data.len(),
                copy.sessions.len()
            ),
        }
    }
}

impl crate::protocol::Effects for ShardKv {
    type Msg = Msg;
    type Timer = Timer;
    type Note = Note;
}

impl Protocol for ShardKv {
    type ClientOp = ClientOp;
    type Node = Node;
    type Durable = Durable;
    type Monitor = Monitor;

    fn nodes(&self) -> usize {
        self.nodes_total()
    }

    /// Servers crash; clients stand outside the experiment (as on the Raft page).
    fn fault_targets(&self) -> usize {
        self.first_client()
    }

    fn init(&self, ctx: &mut Ctx<Self>) -> Node {
        let id = ctx.me();
        match self.group_of(id) {
            _ if self.is_config_server(id) => Node::Config(server::init_config(self, ctx)),
            Some(g) => Node::Replica(server::init_replica(self, g, ctx)),
            None => Node::Client(client::init(self, ctx)),
        }
    }

    fn on_message(&self, node: &mut Node, from: NodeId, msg: Msg, ctx: &mut Ctx<Self>) {
        match node {
            Node::Config(s) => server::config_on_message(self, s, from, msg, ctx),
            Node::Replica(s) => server::on_message(self, s, from, msg, ctx),
            Node::Client(c) => client::on_message(self, c, from, msg, ctx),
        }
    }

    fn on_timer(&self, node: &mut Node, timer: Timer, ctx: &mut Ctx<Self>) {
        match node {
            Node::Config(s) => server::config_on_timer(self, s, timer, ctx),
            Node::Replica(s) => server::on_timer(self, s, timer, ctx),
            Node::Client(c) => client::on_timer(self, c, timer, ctx),
        }
    }

    fn on_client(&self, node: &mut Node, op: ClientOp, ctx: &mut Ctx<Self>) {
        match (node, op) {
            (Node::Client(c), ClientOp::Kv(op)) => client::on_op(self, c, op, ctx),
            (Node::Config(s), ClientOp::Join(g)) => server::config_on_admin(self, s, true, g, ctx),
            (Node::Config(s), ClientOp::Leave(g)) => server::config_on_admin(self, s, false, g, ctx),
            (_, op) => {
                let why = format!(
                    "{op} goes to {}",
                    if let ClientOp::Kv(_) = op { "a client" } else { "a configuration server" }
                );
                ctx.note(Note::Refused { node: ctx.me(), why });
            }
        }
    }

    fn check_client(&self, node: NodeId, op: &ClientOp) -> Result<(), String> {
        match op {
            ClientOp::Kv(_) if !self.is_client(node) => Err(format!("{op} goes to a client")),
            ClientOp::Join(_) | ClientOp::Leave(_) if !self.is_config_server(node) => {
                Err(format!("{op} goes to a configuration server (Cfg1–Cfg3)"))
            }
            ClientOp::Join(g) | ClientOp::Leave(g) if *g as usize >= self.groups => Err(format!(
                "there is no group {}: the groups are A to {}",
                group_name(*g),
                group_name(self.groups as u8 - 1)
            )),
            _ => Ok(()),
        }
    }

    fn durable(node: &Node) -> Durable {
        match node {
            Node::Config(s) => Durable::Config(s.raft.hard.clone(), s.pending.clone()),
            Node::Replica(s) => Durable::Replica(s.raft.hard.clone()),
            Node::Client(c) => Durable::Client(c.hard.clone()),
        }
    }

    fn on_restart(&self, durable: Durable, ctx: &mut Ctx<Self>) -> Node {
        match durable {
            Durable::Config(hard, pending) => Node::Config(server::restart_config(self, hard, pending, ctx)),
            Durable::Replica(hard) => {
                let g = self.group_of(ctx.me()).unwrap_or(0);
                Node::Replica(server::restart_replica(self, g, hard, ctx))
            }
            Durable::Client(hard) => Node::Client(client::restart(self, hard, ctx)),
        }
    }

    /// The first `joined` groups join at the start, one configuration each; then, every
    /// `moves_ms` or so, a group joins or leaves (at least one stays), as an operator would ask.
    fn workload(&self, rng: &mut Rng) -> Vec<(Time, NodeId, ClientOp)> {
        let mut out: Vec<(Time, NodeId, ClientOp)> =
            (0..self.joined).map(|g| (Time(1_000), NodeId(0), ClientOp::Join(g as u8))).collect();
        if self.moves_ms == 0 || self.groups < 2 {
            return out;
        }
        let mut joined: Vec<bool> = (0..self.groups).map(|g| g < self.joined).collect();
        let mean = self.moves_ms as u64 * 1000;
        let mut at = 1_000 + rng.range(mean / 2, mean * 3 / 2);
        while at < MOVES_HORIZON_US {
            let ins = joined.iter().filter(|j| **j).count();
            let join = ins == 1 || (ins < self.groups && rng.chance(0.5));
            let choices: Vec<usize> = (0..self.groups).filter(|g| joined[*g] != join).collect();
            let g = choices[rng.below(choices.len() as u64) as usize];
            joined[g] = join;
            let server = NodeId(rng.below(GROUP_SIZE as u64) as u32);
            let op = if join { ClientOp::Join(g as u8) } else { ClientOp::Leave(g as u8) };
            out.push((Time(at), server, op));
            at += rng.range(mean / 2, mean * 3 / 2);
        }
        out
    }

    fn script(&self) -> Vec<(Time, ScriptAction<ClientOp>)> {
        self.script.clone()
    }

    /// A Raft leader's term (of the configuration service or of a group), so that a script
    /// can name one group's leader (`Target::LeaderAmong`).
    fn leader_rank(&self, node: &Node) -> Option<u128> {
        match node {
            Node::Config(s) => s.raft.leader_rank(),
            Node::Replica(s) => s.raft.leader_rank(),
            Node::Client(_) => None,
        }
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

    /// shard-arrives and requests-answered, which need the true time and the faults
    /// (`arrives.rs`, `answered.rs`).
    fn check_world(
        &self,
        m: &mut Monitor,
        nodes: &[Node],
        touched: Option<NodeId>,
        notes: &[Note],
        world: &crate::protocol::World<'_, Msg>,
    ) -> Result<(), (&'static str, String)> {
        arrives::check_world(self, &mut m.arrivals, nodes, touched, world)?;
        answered::check_world(self, &mut m.answered, &m.arrivals, nodes, notes, world)
    }

    fn properties(&self) -> &'static [PropertyInfo] {
        check::PROPERTIES
    }

    fn mutants() -> &'static [MutantInfo] {
        MUTANTS
    }

    /// A server's Raft state by its summary (`raft::server_digest`), with what the server
    /// adds around it; a client whole.
    fn state_digest(&self, node: &Node) -> u64 {
        match node {
            Node::Config(s) => crate::hash::digest(&(server_digest(&s.raft), &s.pending)),
            Node::Replica(s) => crate::hash::digest(&(server_digest(&s.raft), &s.waiting, s.ask)),
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
            _ => None,
        }
    }
}
