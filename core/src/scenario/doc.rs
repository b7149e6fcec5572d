//! The scenario document's fields, as plain data, with the limits the format sets. Every
//! protocol's registration reads and writes its own fields here (`setup.rs`), so this file
//! depends on nothing above it.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

/// The document format's version. A link or file from another version is refused with a
/// message that says so.
pub const FORMAT_VERSION: u32 = 1;
/// Most recorded actions a scenario may carry.
pub const MAX_ACTIONS: usize = 10_000;
/// Longest request text in an action.
pub const MAX_TEXT: usize = 200;
/// Longest scenario document, in bytes, and longest share link fragment.
pub const MAX_DOC_BYTES: usize = 1 << 20;
pub const MAX_LINK_CHARS: usize = 64 * 1024;

#[derive(Clone, Debug, PartialEq)]
pub struct KafkaDoc {
    pub brokers: usize,
    pub partitions: u32,
    pub rf: u32,
    pub min_insync: u32,
    /// "0", "1" or "all".
    pub acks: String,
    pub consumers: usize,
    pub idle_consumers: usize,
    pub strategy: String,
    pub produce_every_ms: u64,
    /// Idempotent producers (absent in documents written before they were modelled: on, as
    /// Kafka's default).
    pub idempotence: Option<bool>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SwimDoc {
    pub members: usize,
    pub detector: String,
    pub selection: String,
    pub period_ms: u64,
    pub ack_timeout_ms: u64,
    pub indirect: usize,
    pub suspicion_periods: Option<u32>,
    pub retransmit: u32,
    pub heartbeat_periods: u32,
}

/// The coordination service's own settings (its servers and clients are `servers`, `clients`).
#[derive(Clone, Debug, PartialEq)]
pub struct CoordDoc {
    pub recipe: String,
    pub session_timeout_ms: u32,
    pub work_ms: u32,
    pub think_ms: u32,
    pub pause_pct: u32,
    pub pause_ms: u32,
    pub stagger_ms: u32,
}

/// The sharded database's own settings (its clients are `clients`, their requests
/// `workload`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShardKvDoc {
    pub groups: usize,
    pub joined: usize,
    pub shards: usize,
    pub vnodes: usize,
    pub moves_ms: u32,
}

/// The file system's own settings: its racks as `--racks` gives them (`r1:3,r2:3`) and the
/// replication factor (its clients are `clients`, their requests `workload`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DfsDoc {
    pub racks: String,
    pub rf: u32,
}

/// The key-value clients' workload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkloadDoc {
    pub keys: u32,
    pub reads_pct: u32,
    pub cas_pct: u32,
    pub think_ms: Option<u64>,
}

/// One recorded user action: applied as the event after `at`.
/// In the document, `act` is the field `do`; fields the action does not have are left out.
#[derive(Clone, Debug, PartialEq)]
pub struct ActionDoc {
    pub at: u64,
    /// crash, restart, drop, partition, heal, cut, uncut, request; in an explored run also
    /// deliver and duplicate (a `message`) and fire (a `node` and the timer's name in `text`).
    pub act: String,
    pub node: Option<u32>,
    pub to: Option<u32>,
    pub nodes: Vec<u32>,
    pub message: Option<u64>,
    pub text: Option<String>,
}

/// Every field but the version, protocol, seed and faults may be missing or null.
#[derive(Clone, Debug, PartialEq)]
pub struct ScenarioDoc {
    /// The format version (see [`FORMAT_VERSION`]).
    pub distlab_scenario: u32,
    pub protocol: String,
    pub seed: u64,
    pub faults: String,
    pub mutant: Option<String>,
    pub preset: Option<String>,
    pub servers: Option<usize>,
    pub spares: Option<usize>,
    pub clients: Option<usize>,
    pub proposers: Option<usize>,
    pub acceptors: Option<usize>,
    pub learners: Option<usize>,
    pub backoff: Option<bool>,
    pub prevote: Option<bool>,
    pub check_quorum: Option<bool>,
    pub read_mode: Option<String>,
    pub snapshot_every: Option<u64>,
    pub kafka: Option<KafkaDoc>,
    pub swim: Option<SwimDoc>,
    /// Written only for the coordination service, so other documents keep their form.
    pub coordination: Option<CoordDoc>,
    /// Written only for the sharded database.
    pub shardkv: Option<ShardKvDoc>,
    pub dfs: Option<DfsDoc>,
    /// Raft and Multi-Paxos clients' own requests: keys, shares of reads and compare-and-sets,
    /// and the think time between requests.
    pub workload: Option<WorkloadDoc>,
    /// Timed faults: crash, restart, partition, heal, slow-link, clock-skew, swizzle.
    pub fault_script: Vec<crate::faultscript::Timed>,
    pub actions: Vec<ActionDoc>,
    /// An explored run (see `Sim::explored`): every action says what happens at its event, in
    /// an order time does not decide. Written only when true, so other documents keep their
    /// form.
    pub explored: bool,
    /// The event the run stood at when the document was written: a link or a reload opens it
    /// there. Without it, the run stands at its last recorded action.
    pub position: Option<u64>,
}

/// The document's form of the clients' workload.
pub fn workload_doc(w: crate::kv::client::Workload, think_ms: Option<u64>) -> WorkloadDoc {
    WorkloadDoc { keys: w.keys, reads_pct: w.reads_pct, cas_pct: w.cas_pct, think_ms }
}

impl WorkloadDoc {
    /// The workload and think time it describes.
    pub fn get(&self) -> (crate::kv::client::Workload, Option<u64>) {
        (
            crate::kv::client::Workload { keys: self.keys, reads_pct: self.reads_pct, cas_pct: self.cas_pct },
            self.think_ms,
        )
    }
}

/// A field the document must have for its protocol, or a message naming it.
pub fn required<T>(v: Option<T>, name: &str) -> Result<T, String> {
    v.ok_or_else(|| format!("the scenario has no \"{name}\""))
}
