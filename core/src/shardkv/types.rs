//! The words of the sharded database: its configuration, messages, timers, the user's
//! requests, notes for the checker, and mutants.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use serde::Serialize;

use crate::kv::{KvOp, KvResult, Workload};
use crate::protocol::{Members, NodeId, ScriptAction, Time};
use crate::raft::{self, Raft};

use super::configs::{group_name, Config, Configs, GroupId};
pub use super::machine::Mutant;
use super::machine::{ShardCopy, Shards};

/// Servers of the configuration service, and of each replica group.
pub const GROUP_SIZE: usize = 3;
/// Most replica groups.
pub const MAX_GROUPS: usize = 5;
/// Most shards.
pub const MAX_SHARDS: usize = 64;
/// Most virtual nodes a group has on the ring.
pub const MAX_VNODES: usize = 256;
/// Most clients.
pub const MAX_CLIENTS: usize = 8;
/// Longest pause between two automatic joins or leaves, milliseconds.
pub const MAX_MOVES_MS: u32 = 60_000;
/// Automatic joins and leaves are planned this far ahead.
pub const MOVES_HORIZON_US: u64 = 120_000_000;

/// How often a group's leader asks for the next configuration and for the shards it waits
/// for, and a configuration server retries an operator's command.
pub const TICK_US: u64 = 100_000;
/// How long a client waits for an answer before it asks again elsewhere.
pub const CLIENT_TIMEOUT_US: u64 = 400_000;

/// The sharded database: a configuration service (nodes 0–2), `groups` replica groups of
/// three (group A is nodes 3–5, B 6–8, …), then the clients. Every group is a Raft group run
/// by the Raft module's own handlers.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ShardKv {
    /// Raft's timing for every group (its server and client counts are not used).
    pub raft: Raft,
    /// Replica groups that exist; the first `joined` join at the start, one configuration
    /// each (configuration 1 holds the first group alone, 2 the first two, and so on).
    pub groups: usize,
    pub joined: usize,
    pub shards: usize,
    /// Virtual nodes per group on the ring that places shards.
    pub vnodes: usize,
    pub clients: usize,
    /// Mean pause between a client's requests, milliseconds (0: clients wait for the user).
    pub think_ms: u32,
    pub workload: Workload,
    /// Mean pause between automatic joins and leaves, milliseconds (0: only the script's).
    pub moves_ms: u32,
    pub script: Vec<(Time, ScriptAction<ClientOp>)>,
    pub narration: Vec<crate::lesson::Step>,
    pub mutant: Option<Mutant>,
}

impl Default for ShardKv {
    fn default() -> Self {
        ShardKv {
            // Every group snapshots its log every 100 entries: its length, and the cost of the
            // checks that read it, stay flat however long the run.
            raft: Raft { servers: GROUP_SIZE, clients: 0, snapshot_every: 100, ..Raft::default() },
            groups: 3,
            joined: 2,
            shards: 12,
            vnodes: 32,
            clients: 3,
            think_ms: 60,
            workload: Workload { keys: 8, reads_pct: 30, cas_pct: 20 },
            moves_ms: 1_500,
            script: Vec::new(),
            narration: Vec::new(),
            mutant: None,
        }
    }
}

impl ShardKv {
    pub fn is(&self, m: Mutant) -> bool {
        self.mutant == Some(m)
    }

    pub fn validate(&self) -> Result<(), String> {
        if !(1..=MAX_GROUPS).contains(&self.groups) {
            return Err(format!("groups must be between 1 and {MAX_GROUPS} (got {})", self.groups));
        }
        if !(1..=self.groups).contains(&self.joined) {
            return Err(format!(
                "the groups in the first configuration must be between 1 and {} (got {})",
                self.groups, self.joined
            ));
        }
        if !(1..=MAX_SHARDS).contains(&self.shards) {
            return Err(format!("shards must be between 1 and {MAX_SHARDS} (got {})", self.shards));
        }
        if !(1..=MAX_VNODES).contains(&self.vnodes) {
            return Err(format!("virtual nodes must be between 1 and {MAX_VNODES} (got {})", self.vnodes));
        }
        if !(1..=MAX_CLIENTS).contains(&self.clients) {
            return Err(format!("clients must be between 1 and {MAX_CLIENTS} (got {})", self.clients));
        }
        if self.moves_ms > MAX_MOVES_MS {
            return Err(format!(
                "the pause between moves must be at most {MAX_MOVES_MS} ms (got {})",
                self.moves_ms
            ));
        }
        if self.moves_ms != 0 && self.moves_ms < 100 {
            return Err(format!(
                "the pause between moves must be 0 (none) or at least 100 ms (got {})",
                self.moves_ms
            ));
        }
        self.workload.validate(self.think_ms as u64 * 1000)?;
        self.raft.validate()
    }

    /// The configuration service's servers.
    pub fn config_members(&self) -> Members {
        Members { first: 0, size: GROUP_SIZE as u32 }
    }

    /// Group `g`'s servers.
    pub fn members(&self, g: GroupId) -> Members {
        Members { first: (GROUP_SIZE * (1 + g as usize)) as u32, size: GROUP_SIZE as u32 }
    }

    /// The group `node` serves in, if it is a replica server.
    pub fn group_of(&self, node: NodeId) -> Option<GroupId> {
        let i = node.index();
        (GROUP_SIZE..GROUP_SIZE * (1 + self.groups)).contains(&i).then(|| (i / GROUP_SIZE - 1) as GroupId)
    }

    pub fn is_config_server(&self, node: NodeId) -> bool {
        node.index() < GROUP_SIZE
    }

    pub fn first_client(&self) -> usize {
        GROUP_SIZE * (1 + self.groups)
    }

    /// Every node: the configuration service, the groups, the clients.
    pub fn nodes_total(&self) -> usize {
        self.first_client() + self.clients
    }

    pub fn is_client(&self, node: NodeId) -> bool {
        (self.first_client()..self.first_client() + self.clients).contains(&node.index())
    }

    /// The configuration service's machine as it starts.
    pub fn configs(&self) -> Configs {
        Configs { shards: self.shards, vnodes: self.vnodes, ..Configs::default() }
    }

    /// The page's name of a node: Cfg1–Cfg3, G1.1–G1.3, G2.1–G2.3, …, C1, C2, ….
    pub fn name(&self, node: NodeId) -> String {
        let i = node.index();
        if i < GROUP_SIZE {
            format!("Cfg{}", i + 1)
        } else if let Some(g) = self.group_of(node) {
            format!("{}.{}", group_name(g), i % GROUP_SIZE + 1)
        } else {
            format!("C{}", i + 1 - self.first_client())
        }
    }
}

/// What the user (or a script) asks: an operation at a client, or an operator's join or
/// leave at a configuration server.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum ClientOp {
    Kv(KvOp),
    Join(GroupId),
    Leave(GroupId),
}

impl fmt::Display for ClientOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClientOp::Kv(op) => write!(f, "{op}"),
            ClientOp::Join(g) => write!(f, "join {}", group_name(*g)),
            ClientOp::Leave(g) => write!(f, "leave {}", group_name(*g)),
        }
    }
}

/// Parse what a user typed: `put k v`, `get k`, `delete k`, `cas k old new`, `join G2`,
/// `leave G1` (or `join 2`).
pub fn parse_op(text: &str) -> Result<ClientOp, String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    if let Some(op) = crate::kv::parse_kv(&words) {
        return op.map(ClientOp::Kv);
    }
    let group = |g: &str| -> Result<GroupId, String> {
        match g.trim_start_matches(['G', 'g']).parse::<u8>() {
            Ok(n) if (1..=MAX_GROUPS as u8).contains(&n) => Ok(n - 1),
            _ => Err(format!("a group is named G1 to G{MAX_GROUPS} (got {})", crate::echo::Echo(g))),
        }
    };
    match words.as_slice() {
        ["join", g] => Ok(ClientOp::Join(group(g)?)),
        ["leave", g] => Ok(ClientOp::Leave(group(g)?)),
        _ => Err(String::from(
            "commands: put KEY VALUE, get KEY, delete KEY, cas KEY OLD|- NEW at a client; join G2, leave G1 at a configuration server",
        )),
    }
}

/// A replica group's answer to a client.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Answer {
    /// Applied, at this position of its shard's history.
    Ok { result: KvResult, pos: u64 },
    /// This group does not serve the key's shard (now).
    WrongGroup,
    /// Not the group's leader; try this one (or another).
    NotLeader(Option<NodeId>),
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Msg {
    /// Raft within the configuration service.
    Cfg(raft::Msg<Configs>),
    /// Raft within a replica group.
    Rep(raft::Msg<Shards>),
    /// Configuration `num` (`None`: the newest), please.
    Query {
        num: Option<u64>,
    },
    Config(Config),
    Request {
        req: u64,
        op: KvOp,
    },
    Reply {
        req: u64,
        answer: Answer,
    },
    /// A new owner asks the old one for a shard it gave away in configuration `num`.
    Pull {
        shard: u8,
        num: u64,
    },
    ShardData {
        shard: u8,
        num: u64,
        copy: ShardCopy,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Timer {
    Raft(raft::Timer),
    Tick,
    ClientNext,
    ClientRetry,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Note {
    /// From the configuration service's Raft.
    Cfg(raft::Note),
    /// From a replica group's Raft (its servers numbered within the group).
    Rep { group: GroupId, note: raft::Note },
    /// A client sent a request for the first time.
    Invoke { client: NodeId, req: u64, op: KvOp },
    /// A client got its answer: the result at position `pos` of shard `shard`'s history.
    Ack { client: NodeId, req: u64, op: KvOp, result: KvResult, shard: u8, pos: u64 },
    /// A server applied a client's command to a shard (`fresh`: not answered from the
    /// duplicate table).
    Applied {
        group: GroupId,
        server: NodeId,
        shard: u8,
        client: NodeId,
        req: u64,
        op: KvOp,
        result: KvResult,
        pos: u64,
        fresh: bool,
    },
    /// A group's server reached configuration `num`.
    Reached { server: NodeId, num: u64 },
    /// A group's server took shard `shard` in for configuration `num`, its copy holding the
    /// shard's first `ops` operations.
    Installed { server: NodeId, shard: u8, num: u64, ops: u64 },
    /// A group's server told a client that shard `shard` is not its group's (its leader before
    /// proposing the request, or any server as its log applied it), standing at configuration
    /// `num`.
    WrongGroup { server: NodeId, shard: u8, num: u64 },
    /// A user's command was refused, and why.
    Refused { node: NodeId, why: String },
}
