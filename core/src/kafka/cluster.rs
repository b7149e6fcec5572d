//! Kafka's data path as a sans-IO protocol: brokers holding partition replicas, a controller
//! that elects leaders from the in-sync replicas (ISR), followers fetching from leaders, and
//! producers with `acks` 0, 1 or all.
//!
//! Each partition has a leader and followers. Followers fetch from the leader; a follower that
//! has not caught up for `replica_lag_us` leaves the ISR, and rejoins when it catches up. The
//! **high watermark** (HW) is the smallest log end offset (LEO) across the ISR: records below
//! it are on every in-sync replica, and only they are "committed". A producer with `acks=all`
//! is answered once the HW passes its record, and is refused outright while the ISR is smaller
//! than `min.insync.replicas`. When a broker dies, the controller elects a new leader from the
//! ISR (a *clean* election); with `unclean.leader.election` it may pick an out-of-sync replica,
//! which can throw away acknowledged records. A follower that rejoins truncates its log to the
//! point where it agrees with the new leader: each fetch names the epoch of the follower's last
//! record, and the leader answers with where its largest epoch up to that one ends (leader
//! epochs, KIP-101, with KIP-279's fix for logs that differ in epochs the leader never had).
//!
//! The checker holds Kafka's promise: with `acks=all` and clean elections an acknowledged record
//! is never lost (`acked-not-lost`), and replicas never disagree below the HW. Kafka asks for
//! `min.insync.replicas ≥ 2` as well, because a broker may lose its disk, or the page cache
//! Kafka did not flush; here a crashed broker keeps its whole log, so the promise holds at 1 too.
//! With `acks=1` the leader answers alone, and a leader failure loses records: Kafka does not
//! promise otherwise, and `acks1-not-lost` is checked apart to show it. `acks=0` is never
//! answered.
//!
//! The rules, where they live, and what breaks without each:
//! - HW = the smallest LEO over the *maximal* ISR, counting a member the leader has asked to add
//!   until a newer epoch answers (KIP-497): `isr_hw`, the `LeaderAndIsr` handler; mutant
//!   `hw-before-isr`, test `a_repeated_leader_and_isr_keeps_the_pending_isr_expansion`.
//! - acks=all is answered once the HW passes the record, refused below `min.insync.replicas`:
//!   `advance_hw`, the `Produce` handler; mutant `ack-before-replication`.
//! - Clean elections, from the live ISR only: `elect`; mutant `unclean-election`.
//! - Consumers read below the HW: the `ConsumerFetch` handler; mutant `consume-uncommitted`,
//!   caught every time by the `high-watermark` preset.
//! - A fetch names the epoch of the follower's last record; the leader answers with a
//!   DivergingEpoch when that log is not a prefix of its own (KIP-101, KIP-279, KIP-320):
//!   `diverging`, `truncation_point`; test `a_follower_truncates_to_where_it_agrees_with_the_leader`.
//! - A follower applies only the answer to its current fetch (offset and last epoch): the
//!   `FetchResponse` handler; tests `a_late_truncation_answer_is_ignored*`.
//! - ISR changes go through the controller and are fenced by the epoch: `AlterIsr`.
//! - A restarted broker heartbeats in a new incarnation, and the controller handles the bounce
//!   as a failure and a start: test `a_broker_in_a_new_incarnation_is_handled_as_a_bounce`.
//!
//! Where this model is simpler than Kafka:
//! one epoch counts both leader and ISR changes (Kafka keeps a leader epoch and a partition
//! epoch), so an ISR change also fences fetches; the controller is one node that never crashes
//! (no ZooKeeper or KRaft quorum, no controller epoch); a crash keeps the whole log and the
//! latest HW (no unflushed page cache, no HW checkpoint interval); producers are not idempotent
//! (a retry may append a record twice; nothing here promises exactly once) and have one request
//! in flight; a broker that does not lead ignores a fetch instead of answering
//! NOT_LEADER_OR_FOLLOWER; logs are never deleted or compacted.

use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use serde::Serialize;

use crate::protocol::{About, Ctx, MessageInfo, MutantInfo, NodeId, NodeView, PropertyInfo, Protocol, Time};
use crate::rng::Rng;

/// One record: its key (none: the producer chose the partition by sticky partitioning), a
/// unique value (the producer and its sequence number), the text the user sees, and the leader
/// epoch it was appended in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Rec {
    pub key: Option<u32>,
    pub value: u64,
    pub text: Text8,
    pub epoch: u32,
}

/// A record's payload as text, up to 8 bytes, kept inline so records stay `Copy`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub struct Text8(pub [u8; 8]);

impl Text8 {
    pub fn new(text: &str) -> Result<Text8, String> {
        if text.len() > 8 {
            return Err(format!("a record's text is at most 8 bytes (\"{text}\" has {})", text.len()));
        }
        let mut b = [0u8; 8];
        b[..text.len()].copy_from_slice(text.as_bytes());
        Ok(Text8(b))
    }
    pub fn as_str(&self) -> &str {
        let n = self.0.iter().position(|b| *b == 0).unwrap_or(8);
        core::str::from_utf8(&self.0[..n]).unwrap_or("?")
    }
}

/// Most partitions a topic may grow to.
pub const MAX_PARTITIONS: u32 = 32;
/// Longest GC pause a consumer may be given, in milliseconds.
pub const MAX_PAUSE_MS: u32 = 10_000;
/// Most records a producer holds for sending.
pub const MAX_QUEUE: usize = 64;

/// A leader epoch and the offset where it ends in some log: the first offset of a later epoch,
/// or the log end (Kafka's `EpochEndOffset`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct EpochEnd {
    pub epoch: u32,
    pub end: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum ProduceError {
    NotLeader,
    NotEnoughReplicas,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Msg {
    /// Broker → controller: I am alive, in this incarnation (KRaft's broker registration and
    /// heartbeat in one: the number grows each time the broker process starts).
    Heartbeat {
        incarnation: u64,
    },
    /// Controller → replicas: the partition's leader, ISR and epoch.
    LeaderAndIsr {
        partition: u32,
        replicas: Vec<NodeId>,
        leader: Option<NodeId>,
        isr: Vec<NodeId>,
        epoch: u32,
    },
    /// Leader → controller: change the ISR (valid only for the current epoch).
    AlterIsr {
        partition: u32,
        isr: Vec<NodeId>,
        epoch: u32,
    },
    /// Follower → leader: my log ends at `offset`, its last record is of `last_epoch` (0: the log
    /// is empty), and I am in the partition's `epoch`.
    Fetch {
        partition: u32,
        offset: u64,
        last_epoch: u32,
        epoch: u32,
    },
    /// Leader → follower: the answer to the fetch at `from` whose last record was of
    /// `last_epoch` (echoed so that the follower applies only an answer to its current fetch).
    /// Either records from `from` on, or `diverging`: the follower's log is not a prefix of the
    /// leader's, and the leader's largest epoch up to `last_epoch` ends at this offset (the
    /// fetch response's DivergingEpoch, KIP-320 and KIP-595, carrying KIP-279's answer).
    FetchResponse {
        partition: u32,
        records: Vec<Rec>,
        from: u64,
        last_epoch: u32,
        hw: u64,
        diverging: Option<EpochEnd>,
        epoch: u32,
    },
    Produce {
        partition: u32,
        rec: Rec,
        req: u64,
    },
    ProduceResponse {
        req: u64,
        result: Result<u64, ProduceError>,
    },
    Metadata,
    /// Consumer groups (see `group.rs`).
    JoinGroup {
        owned: Vec<u32>,
    },
    JoinResponse {
        generation: u32,
        leader: NodeId,
        members: Vec<(NodeId, Vec<u32>)>,
        /// The topic's partition count, for the leader member's assignment.
        partitions: u32,
    },
    LeaveGroup,
    SyncGroup {
        generation: u32,
        assignment: Vec<(NodeId, Vec<u32>)>,
    },
    SyncResponse {
        generation: u32,
        partitions: Vec<u32>,
        committed: Vec<u64>,
    },
    GroupHeartbeat {
        generation: u32,
    },
    /// The group is rebalancing away from this generation: rejoin (unless already past it).
    RebalanceInProgress {
        generation: u32,
    },
    OffsetCommit {
        generation: u32,
        offsets: Vec<(u32, u64)>,
    },
    ConsumerFetch {
        partition: u32,
        offset: u64,
    },
    ConsumerFetchResponse {
        partition: u32,
        from: u64,
        records: Vec<Rec>,
    },
    MetadataResponse {
        leaders: Vec<Option<NodeId>>,
    },
}

impl MessageInfo for Msg {
    fn kind(&self) -> &'static str {
        match self {
            Msg::Heartbeat { .. } => "BrokerHeartbeat",
            Msg::LeaderAndIsr { .. } => "LeaderAndIsr",
            Msg::AlterIsr { .. } => "AlterPartition",
            Msg::Fetch { .. } => "Fetch",
            Msg::FetchResponse { .. } => "FetchResponse",
            Msg::Produce { .. } => "Produce",
            Msg::ProduceResponse { .. } => "ProduceResponse",
            Msg::Metadata => "Metadata",
            Msg::MetadataResponse { .. } => "MetadataResponse",
            Msg::JoinGroup { .. } => "JoinGroup",
            Msg::LeaveGroup => "LeaveGroup",
            Msg::JoinResponse { .. } => "JoinGroupResponse",
            Msg::SyncGroup { .. } => "SyncGroup",
            Msg::SyncResponse { .. } => "SyncGroupResponse",
            Msg::GroupHeartbeat { .. } => "Heartbeat",
            Msg::RebalanceInProgress { .. } => "RebalanceInProgress",
            Msg::OffsetCommit { .. } => "OffsetCommit",
            Msg::ConsumerFetch { .. } => "ConsumerFetch",
            Msg::ConsumerFetchResponse { .. } => "ConsumerFetchResponse",
        }
    }
    fn summary(&self) -> String {
        match self {
            Msg::LeaderAndIsr { partition, leader, isr, epoch, .. } => {
                format!(
                    "(p{partition} leader {} isr {} epoch {epoch})",
                    names(leader.iter()),
                    names(isr.iter())
                )
            }
            Msg::AlterIsr { partition, isr, epoch } => {
                format!("(p{partition} isr {} epoch {epoch})", names(isr.iter()))
            }
            Msg::Fetch { partition, offset, last_epoch, .. } => {
                format!("(p{partition} from offset {offset}, last epoch {last_epoch})")
            }
            Msg::FetchResponse { partition, records, hw, diverging, .. } => match diverging {
                Some(d) => format!("(p{partition}: diverging; epoch {} ends at {})", d.epoch, d.end),
                None => format!("(p{partition}: {} records, hw {hw})", records.len()),
            },
            Msg::Produce { partition, rec, .. } => match rec.key {
                Some(k) => format!("(p{partition} key k{k} \"{}\")", rec.text.as_str()),
                None => format!("(p{partition} no key \"{}\")", rec.text.as_str()),
            },
            Msg::ProduceResponse { result: Ok(o), .. } => format!("(offset {o})"),
            Msg::ProduceResponse { result: Err(e), .. } => format!("({e:?})"),
            Msg::MetadataResponse { leaders } => format!("(leaders {})", names(leaders.iter().flatten())),
            Msg::JoinResponse { generation, members, .. } => {
                format!("(generation {generation}, {} members)", members.len())
            }
            Msg::SyncResponse { generation, partitions, .. } => {
                format!("(generation {generation}, partitions {partitions:?})")
            }
            Msg::ConsumerFetch { partition, offset } => format!("(p{partition} from {offset})"),
            Msg::ConsumerFetchResponse { partition, records, .. } => {
                format!("(p{partition}: {} records)", records.len())
            }
            _ => String::new(),
        }
    }
    fn hue(&self) -> Option<u64> {
        match self {
            Msg::Produce { rec, .. } => rec.key.map(u64::from),
            _ => None,
        }
    }
}

fn names<'a>(ids: impl Iterator<Item = &'a NodeId>) -> String {
    let v: Vec<String> = ids.map(|n| format!("B{}", n.0 + 1)).collect();
    format!("[{}]", v.join(","))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Timer {
    Heartbeat,
    FetchTick,
    IsrCheck,
    LivenessCheck,
    Produce,
    ProduceTimeout,
    GroupHeartbeat,
    Poll,
    GroupTick,
    /// A paused consumer wakes up.
    Resume,
}

/// Requests the user (or a scenario script) sends to a node.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum ClientOp {
    /// Producer: send a record with this key (none: sticky partitioning) and text.
    Produce { key: Option<u32>, text: Option<Text8> },
    /// Consumer: join the group.
    Join,
    /// Consumer: commit and leave the group.
    Leave,
    /// Consumer: stop for this many milliseconds (a long garbage-collection pause).
    Pause(u32),
    /// Controller: add a partition to the topic.
    AddPartition,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Note {
    /// A producer got an acknowledgement for a record at this offset.
    Acked { partition: u32, offset: u64, rec_value: u64, acks: u8 },
    /// The controller chose a leader.
    Elected { partition: u32, leader: Option<NodeId>, epoch: u32, unclean: bool },
    /// A consumer read a record.
    Consumed { partition: u32, offset: u64, value: u64 },
    /// The group coordinator completed a rebalance.
    Rebalanced { generation: u32, members: u32 },
    /// The controller added a partition.
    PartitionAdded { partitions: u32 },
}

/// One replica of one partition on a broker.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Replica {
    pub log: Vec<Rec>,
    pub hw: u64,
    pub leader: Option<NodeId>,
    pub epoch: u32,
    pub isr: Vec<NodeId>,
    /// On the leader: each follower's log end offset and when it was last caught up.
    pub follower_leo: Vec<(NodeId, u64, Time)>,
    /// On the leader: acks=all requests waiting for the HW: (offset, producer, request).
    pub waiting: Vec<(u64, NodeId, u64)>,
    /// On the leader: an ISR change sent to the controller and not yet confirmed, and when.
    pub pending_isr: Option<(Vec<NodeId>, Time)>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Broker {
    pub id: NodeId,
    /// How many times this broker has started before (kept across a crash).
    pub incarnation: u64,
    /// Replicas by partition (`None` where this broker holds no replica).
    pub replicas: Vec<Option<Replica>>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PartitionState {
    pub replicas: Vec<NodeId>,
    pub leader: Option<NodeId>,
    pub isr: Vec<NodeId>,
    pub epoch: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Controller {
    pub partitions: Vec<PartitionState>,
    /// The consumer group this node coordinates, and what each member said it owned.
    pub group: super::group::Group,
    pub owned: alloc::collections::BTreeMap<NodeId, Vec<u32>>,
    /// Last heartbeat from each broker, and whether it is considered alive.
    pub brokers: Vec<(Time, bool)>,
    /// The incarnation each broker last registered with.
    pub incarnations: Vec<u64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Producer {
    pub id: NodeId,
    pub next_seq: u64,
    pub partitioner: super::partitioner::StickyPartitioner,
    pub leaders: Vec<Option<NodeId>>,
    pub pending: Option<(u32, Rec, u64)>,
    pub acked: u64,
    /// Records the user asked for, not yet sent: (key, text).
    pub queue: Vec<(Option<u32>, Option<Text8>)>,
    /// The last acknowledged record: (partition, offset, text).
    pub last: Option<(u32, u64, Text8)>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[allow(clippy::large_enum_variant)]
pub enum Node {
    Broker(Broker),
    Controller(Controller),
    Producer(Producer),
    Consumer(super::group::Consumer),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Mutant {
    /// The controller may elect an out-of-sync replica.
    UncleanElection,
    /// The leader moves the high watermark to its own log end, before the ISR has the record.
    HwBeforeIsr,
    /// With acks=all, the leader answers as soon as it appends, before replication.
    AckBeforeReplication,
    /// Brokers serve consumers up to the log end, not the high watermark.
    ConsumeUncommitted,
}

const MUTANTS: &[MutantInfo] = &[
    MutantInfo {
        name: "unclean-election",
        description: "the controller elects out-of-sync replicas when the ISR is gone",
    },
    MutantInfo {
        name: "hw-before-isr",
        description: "the high watermark advances before the ISR has the record",
    },
    MutantInfo {
        name: "ack-before-replication",
        description: "acks=all is answered on append, before the followers have it",
    },
    MutantInfo {
        name: "consume-uncommitted",
        description: "consumers read past the high watermark, records a new leader may not have",
    },
];

const PROPERTIES: &[PropertyInfo] = &[
    PropertyInfo {
        name: "acked-not-lost",
        description: "a record acknowledged with acks=all stays in its partition at its offset (Kafka's \
            promise, with clean leader elections); acks=1 is checked apart (acks1-not-lost), and acks=0 \
            is never acknowledged",
    },
    PropertyInfo {
        name: "committed-agree",
        description: "replicas agree on every record below the high watermark",
    },
    PropertyInfo {
        name: "consumed-stable",
        description: "a record a consumer read never disappears: every read of that offset returns it",
    },
    PropertyInfo {
        name: "acks1-not-lost",
        description: "not a Kafka promise, checked to show why acks=all exists: a record acknowledged \
            with acks=1 stays at its offset. The leader answers before any follower has copied the \
            record, so a leader that fails first loses it",
    },
];

/// Kafka cluster configuration: one topic.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Kafka {
    pub brokers: usize,
    pub partitions: u32,
    pub rf: u32,
    pub min_insync: u32,
    /// 0, 1 or all (-1 in Kafka; written 255 here).
    pub acks: u8,
    pub producers: usize,
    pub keys: u32,
    pub replica_lag_us: u64,
    pub fetch_us: u64,
    pub session_us: u64,
    /// How often each producer writes a record by itself (0: only what the user sends).
    pub produce_every_us: u64,
    /// Consumers, and how partitions are assigned to them. The last `idle_consumers` of them
    /// start outside the group (the user can make them join).
    pub consumers: usize,
    pub idle_consumers: usize,
    pub strategy: super::assign::Strategy,
    pub group_heartbeat_us: u64,
    pub group_session_us: u64,
    pub mutant: Option<Mutant>,
    /// A scenario's timed steps and narration.
    pub script: Vec<(Time, crate::protocol::ScriptAction<ClientOp>)>,
    pub narration: Vec<(Time, String)>,
}

pub const ACKS_ALL: u8 = 255;

impl Default for Kafka {
    fn default() -> Self {
        Kafka {
            brokers: 3,
            partitions: 3,
            rf: 3,
            min_insync: 2,
            acks: ACKS_ALL,
            producers: 1,
            keys: 8,
            replica_lag_us: 120_000,
            fetch_us: 20_000,
            session_us: 150_000,
            produce_every_us: 30_000,
            consumers: 2,
            idle_consumers: 0,
            strategy: super::assign::Strategy::Range,
            group_heartbeat_us: 50_000,
            group_session_us: 200_000,
            mutant: None,
            script: Vec::new(),
            narration: Vec::new(),
        }
    }
}

impl Mutant {
    pub fn parse(s: &str) -> Option<Mutant> {
        match s {
            "unclean-election" => Some(Mutant::UncleanElection),
            "hw-before-isr" => Some(Mutant::HwBeforeIsr),
            "ack-before-replication" => Some(Mutant::AckBeforeReplication),
            "consume-uncommitted" => Some(Mutant::ConsumeUncommitted),
            _ => None,
        }
    }
}

impl Kafka {
    pub fn validate(&self) -> Result<(), String> {
        if !(1..=9).contains(&self.brokers) {
            return Err(format!("brokers must be between 1 and 9 (got {})", self.brokers));
        }
        if !(1..=MAX_PARTITIONS).contains(&self.partitions) {
            return Err(format!(
                "partitions must be between 1 and {MAX_PARTITIONS} (got {})",
                self.partitions
            ));
        }
        if self.rf == 0 || self.rf as usize > self.brokers {
            return Err(format!(
                "the replication factor must be between 1 and the brokers ({})",
                self.brokers
            ));
        }
        if self.min_insync == 0 || self.min_insync > self.rf {
            return Err("min.insync.replicas must be between 1 and the replication factor".into());
        }
        if !matches!(self.acks, 0 | 1 | ACKS_ALL) {
            return Err("acks must be 0, 1 or all".into());
        }
        if !(1..=4).contains(&self.producers) {
            return Err("producers must be between 1 and 4".into());
        }
        if self.consumers > 6 {
            return Err("consumers must be between 0 and 6".into());
        }
        if self.idle_consumers > self.consumers {
            return Err("idle consumers cannot outnumber the consumers".into());
        }
        Ok(())
    }
    pub(crate) fn controller(&self) -> NodeId {
        NodeId(self.brokers as u32)
    }
    fn is(&self, m: Mutant) -> bool {
        self.mutant == Some(m)
    }
    fn placement(&self) -> Vec<Vec<u32>> {
        super::partitioner::assign_replicas(self.brokers as u32, self.partitions, self.rf, 0)
            .expect("validated")
    }
}

/// "1 partition", "3 partitions".
pub fn plural(n: usize, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}

pub fn acks_name(acks: u8) -> &'static str {
    match acks {
        0 => "0 (fire and forget)",
        1 => "1 (leader only)",
        _ => "all (every in-sync replica)",
    }
}

pub(crate) fn leo(r: &Replica) -> u64 {
    r.log.len() as u64
}

/// The epoch of a replica's last record (0 for an empty log: epochs start at 1).
fn last_epoch_of(r: &Replica) -> u32 {
    r.log.last().map(|x| x.epoch).unwrap_or(0)
}

/// Where `epoch` ends in a log, as Kafka's leader epoch cache answers it
/// (`LeaderEpochFileCache.endOffsetFor`): the largest epoch ≤ `epoch` that the log has (none if
/// every record is of a later epoch), and the offset where the first later epoch starts, or the
/// log end. A log's epochs never decrease, so the records of each epoch are contiguous. Every
/// log here starts at offset 0 with its epochs recorded, so a log with no epoch ≤ `epoch`
/// ends that epoch at offset 0.
pub(crate) fn epoch_end(log: &[Rec], epoch: u32) -> (Option<u32>, u64) {
    let end = log.iter().position(|x| x.epoch > epoch).unwrap_or(log.len());
    (end.checked_sub(1).map(|i| log[i].epoch), end as u64)
}

/// Leader: is the log of a follower that fetches at `offset`, its last record of `last_epoch`,
/// not a prefix of mine? If so, my largest epoch ≤ `last_epoch` and where it ends in my log
/// (KIP-279; Kafka's `Partition.readRecords` answers a fetch with this DivergingEpoch when
/// `epochEndOffset.leaderEpoch < lastFetchedEpoch || epochEndOffset.endOffset < fetchOffset`).
/// By the leader epoch rule (the records of one epoch at one offset are the same record, with
/// the same log before them), a follower log whose last epoch ends in mine at or after its own
/// end is a prefix of mine. An empty log is a prefix of every log: it is never told to truncate.
fn diverging(r: &Replica, offset: u64, last_epoch: u32) -> Option<EpochEnd> {
    if offset == 0 {
        return None;
    }
    let answer = if last_epoch == r.epoch {
        // My current epoch ends at my log end (Kafka's cache holds the leader's own epoch).
        EpochEnd { epoch: last_epoch, end: leo(r) }
    } else {
        // No epoch ≤ last_epoch at all: Kafka answers the requested epoch with the start of the
        // first later one (here offset 0), so the follower truncates everything.
        let (floor, end) = epoch_end(&r.log, last_epoch);
        EpochEnd { epoch: floor.unwrap_or(last_epoch), end }
    };
    (answer.epoch < last_epoch || answer.end < offset).then_some(answer)
}

/// Follower: where to cut my log when the leader says it diverges (KIP-279; Kafka's
/// `AbstractFetcherThread.getOffsetTruncationState`). If I have the leader's epoch too, the logs
/// agree up to the smaller of the two ends of that epoch. If I do not, I cut back to the end of
/// my largest epoch below it, and my next fetch, with that epoch as its last, asks again. Either
/// way the log gets strictly shorter (the leader's epoch is below my last one, or it ends before
/// my log does), so the exchange ends, at worst at the empty log, which never diverges.
pub(crate) fn truncation_point(log: &[Rec], leader: EpochEnd) -> u64 {
    let (mine, end) = epoch_end(log, leader.epoch);
    if mine == Some(leader.epoch) {
        end.min(leader.end)
    } else {
        end
    }
}

fn isr_hw(k: &Kafka, me: NodeId, r: &Replica) -> u64 {
    if k.is(Mutant::HwBeforeIsr) {
        return leo(r);
    }
    // The *maximal* ISR (KIP-497): a follower the leader has asked to add counts already, so
    // the HW never passes a record that a replica the controller may elect lacks.
    let pending = r.pending_isr.as_ref().map(|p| p.0.as_slice()).unwrap_or(&[]);
    r.isr
        .iter()
        .chain(pending.iter().filter(|m| !r.isr.contains(m)))
        .map(|m| {
            if *m == me {
                leo(r)
            } else {
                r.follower_leo.iter().find(|f| f.0 == *m).map(|f| f.1).unwrap_or(0)
            }
        })
        .min()
        .unwrap_or(0)
}

/// Leader: move the HW up to what the ISR has, and answer acks=all requests below it.
fn advance_hw(k: &Kafka, me: NodeId, r: &mut Replica, ctx: &mut Ctx<Kafka>) {
    let hw = isr_hw(k, me, r).max(r.hw).min(leo(r));
    r.hw = hw;
    // Kafka's NOT_ENOUGH_REPLICAS_AFTER_APPEND: a record that became committed while the ISR
    // was below min.insync.replicas is not acknowledged.
    let enough = r.isr.len() as u32 >= k.min_insync || k.is(Mutant::AckBeforeReplication);
    let mut keep = Vec::new();
    for (offset, producer, req) in core::mem::take(&mut r.waiting) {
        if offset < hw {
            let result = if enough { Ok(offset) } else { Err(ProduceError::NotEnoughReplicas) };
            ctx.send(producer, Msg::ProduceResponse { req, result });
        } else {
            keep.push((offset, producer, req));
        }
    }
    r.waiting = keep;
}

fn broker_init(k: &Kafka, ctx: &mut Ctx<Kafka>) -> Broker {
    let me = ctx.me();
    let placement = k.placement();
    let replicas = placement.iter().map(|rs| rs.contains(&me.0).then(Replica::default)).collect();
    arm_broker(k, ctx);
    Broker { id: me, incarnation: 0, replicas }
}

fn arm_broker(k: &Kafka, ctx: &mut Ctx<Kafka>) {
    let jitter = ctx.rng().range(0, k.fetch_us);
    ctx.set_timer(Timer::Heartbeat, Time(k.session_us / 3));
    ctx.set_timer(Timer::FetchTick, Time(k.fetch_us + jitter));
    ctx.set_timer(Timer::IsrCheck, Time(k.replica_lag_us / 2));
}

fn broker_message(k: &Kafka, b: &mut Broker, from: NodeId, msg: Msg, ctx: &mut Ctx<Kafka>) {
    let me = b.id;
    let now = ctx.now();
    match msg {
        Msg::LeaderAndIsr { partition, replicas, leader, isr, epoch } => {
            // A partition added to the topic: create its replica here if this broker holds one.
            let p = partition as usize;
            if p < MAX_PARTITIONS as usize && replicas.contains(&me) {
                if b.replicas.len() <= p {
                    b.replicas.resize(p + 1, None);
                }
                b.replicas[p].get_or_insert_with(Replica::default);
            }
            let Some(Some(r)) = b.replicas.get_mut(p) else { return };
            if epoch < r.epoch {
                return;
            }
            let was_leader = r.leader == Some(me);
            // A newer epoch is the controller's answer to any ISR change I asked for (applied
            // or refused). The epoch I am in, announced again (a duplicate, or a re-send after
            // a restart), is not: until the answer comes, the change I asked for still counts
            // (KIP-497's maximal ISR), since the controller may have made it already.
            if epoch > r.epoch {
                r.pending_isr = None;
            }
            r.epoch = epoch;
            r.leader = leader;
            r.isr = isr;
            if leader == Some(me) {
                if !was_leader {
                    r.follower_leo = replicas.into_iter().filter(|f| *f != me).map(|f| (f, 0, now)).collect();
                }
                advance_hw(k, me, r, ctx);
            } else {
                for (_, producer, req) in core::mem::take(&mut r.waiting) {
                    ctx.send(producer, Msg::ProduceResponse { req, result: Err(ProduceError::NotLeader) });
                }
                r.follower_leo.clear();
            }
        }
        Msg::Fetch { partition, offset, last_epoch, epoch } => {
            let Some(Some(r)) = b.replicas.get_mut(partition as usize) else { return };
            if r.leader != Some(me) || epoch != r.epoch {
                return;
            }
            // KIP-101 and KIP-279: is the follower's log a prefix of mine?
            if let Some(d) = diverging(r, offset, last_epoch) {
                ctx.send(
                    from,
                    Msg::FetchResponse {
                        partition,
                        records: vec![],
                        from: offset,
                        last_epoch,
                        hw: r.hw,
                        diverging: Some(d),
                        epoch,
                    },
                );
                return;
            }
            let end_of_log = leo(r);
            if let Some(f) = r.follower_leo.iter_mut().find(|f| f.0 == from) {
                f.1 = offset;
                if offset >= end_of_log {
                    f.2 = now;
                }
            }
            if offset >= leo(r) && !r.isr.contains(&from) && r.pending_isr.is_none() {
                let mut isr = r.isr.clone();
                isr.push(from);
                r.pending_isr = Some((isr.clone(), now));
                ctx.send(k.controller(), Msg::AlterIsr { partition, isr, epoch: r.epoch });
            }
            advance_hw(k, me, r, ctx);
            let upto = (offset as usize + 16).min(r.log.len());
            let records = r.log[offset as usize..upto].to_vec();
            ctx.send(
                from,
                Msg::FetchResponse {
                    partition,
                    records,
                    from: offset,
                    last_epoch,
                    hw: r.hw,
                    diverging: None,
                    epoch,
                },
            );
        }
        Msg::FetchResponse { partition, records, from: at, last_epoch, hw, diverging, epoch } => {
            let Some(Some(r)) = b.replicas.get_mut(partition as usize) else { return };
            if epoch != r.epoch || r.leader == Some(me) {
                return;
            }
            // Only an answer to the current fetch counts, as in Kafka's AbstractFetcherThread
            // (it drops a response whose fetch offset is not the partition's current one). Kafka
            // relies on one ordered connection; here answers come late and twice, so the log
            // may have been cut and grown back to the same length since: the fetch's last epoch
            // must match too. That is enough: within one epoch the leader's log only grows, so
            // its verdict on a fetch is a function of (offset, last epoch) alone, and by the
            // leader epoch rule (records of one epoch at one offset are the same record, with
            // the same log before them) so is whether my log is a prefix of the leader's. Hence
            // a truncation applies only while my log still diverges; once it has been a prefix
            // of the leader's in this epoch (the only state the leader counts towards the high
            // watermark), it stays one, as it only takes the leader's records at its end.
            if at != leo(r) || last_epoch != last_epoch_of(r) {
                return;
            }
            if let Some(d) = diverging {
                let t = truncation_point(&r.log, d);
                r.log.truncate(t as usize);
                r.hw = r.hw.min(t);
                return;
            }
            r.log.extend(records);
            r.hw = hw.min(leo(r)).max(r.hw.min(leo(r)));
        }
        Msg::ConsumerFetch { partition, offset } => {
            let Some(Some(r)) = b.replicas.get(partition as usize) else { return };
            if r.leader != Some(me) {
                return;
            }
            // Consumers read only committed records, below the high watermark.
            let end = if k.is(Mutant::ConsumeUncommitted) { leo(r) } else { r.hw };
            let records = super::group::serve_fetch(&r.log, end, offset);
            ctx.send(from, Msg::ConsumerFetchResponse { partition, from: offset, records });
        }
        Msg::Produce { partition, rec, req } => {
            let Some(Some(r)) = b.replicas.get_mut(partition as usize) else {
                ctx.send(from, Msg::ProduceResponse { req, result: Err(ProduceError::NotLeader) });
                return;
            };
            if r.leader != Some(me) {
                ctx.send(from, Msg::ProduceResponse { req, result: Err(ProduceError::NotLeader) });
                return;
            }
            if k.acks == ACKS_ALL && (r.isr.len() as u32) < k.min_insync {
                ctx.send(from, Msg::ProduceResponse { req, result: Err(ProduceError::NotEnoughReplicas) });
                return;
            }
            r.log.push(Rec { epoch: r.epoch, ..rec });
            let offset = leo(r) - 1;
            match k.acks {
                0 => {}
                ACKS_ALL if !k.is(Mutant::AckBeforeReplication) => r.waiting.push((offset, from, req)),
                _ => ctx.send(from, Msg::ProduceResponse { req, result: Ok(offset) }),
            }
            advance_hw(k, me, r, ctx);
        }
        _ => {}
    }
}

fn broker_timer(k: &Kafka, b: &mut Broker, timer: Timer, ctx: &mut Ctx<Kafka>) {
    let me = b.id;
    let now = ctx.now();
    match timer {
        Timer::Heartbeat => {
            ctx.send(k.controller(), Msg::Heartbeat { incarnation: b.incarnation });
            ctx.set_timer(Timer::Heartbeat, Time(k.session_us / 3));
        }
        Timer::FetchTick => {
            for (p, r) in b.replicas.iter().enumerate() {
                if let Some(r) = r {
                    if let Some(l) = r.leader.filter(|l| *l != me) {
                        ctx.send(
                            l,
                            Msg::Fetch {
                                partition: p as u32,
                                offset: leo(r),
                                last_epoch: last_epoch_of(r),
                                epoch: r.epoch,
                            },
                        );
                    }
                }
            }
            ctx.set_timer(Timer::FetchTick, Time(k.fetch_us));
        }
        Timer::IsrCheck => {
            for (p, r) in b.replicas.iter_mut().enumerate() {
                let Some(r) = r else { continue };
                if r.leader != Some(me) {
                    continue;
                }
                if let Some((isr, since)) = &r.pending_isr {
                    // Unconfirmed (the answer may be lost): ask again; a stale request is
                    // answered with the current state.
                    if now.0.saturating_sub(since.0) > k.replica_lag_us / 2 {
                        let isr = isr.clone();
                        r.pending_isr = Some((isr.clone(), now));
                        ctx.send(k.controller(), Msg::AlterIsr { partition: p as u32, isr, epoch: r.epoch });
                    }
                    continue;
                }
                let lagging: Vec<NodeId> = r
                    .follower_leo
                    .iter()
                    .filter(|f| r.isr.contains(&f.0) && now.0.saturating_sub(f.2 .0) > k.replica_lag_us)
                    .map(|f| f.0)
                    .collect();
                if !lagging.is_empty() {
                    let isr: Vec<NodeId> = r.isr.iter().copied().filter(|m| !lagging.contains(m)).collect();
                    r.pending_isr = Some((isr.clone(), now));
                    ctx.send(k.controller(), Msg::AlterIsr { partition: p as u32, isr, epoch: r.epoch });
                }
            }
            ctx.set_timer(Timer::IsrCheck, Time(k.replica_lag_us / 2));
        }
        _ => {}
    }
}

fn controller_init(k: &Kafka, ctx: &mut Ctx<Kafka>) -> Controller {
    let partitions: Vec<PartitionState> = k
        .placement()
        .into_iter()
        .map(|rs| {
            let replicas: Vec<NodeId> = rs.into_iter().map(NodeId).collect();
            PartitionState { leader: replicas.first().copied(), isr: replicas.clone(), replicas, epoch: 1 }
        })
        .collect();
    for (p, s) in partitions.iter().enumerate() {
        announce(p as u32, s, &vec![(Time::ZERO, true); k.brokers], ctx);
    }
    ctx.set_timer(Timer::LivenessCheck, Time(k.session_us / 3));
    ctx.set_timer(Timer::GroupTick, Time(k.group_heartbeat_us));
    let group = super::group::Group { committed: vec![0; k.partitions as usize], ..Default::default() };
    Controller {
        partitions,
        brokers: vec![(Time::ZERO, true); k.brokers],
        incarnations: vec![0; k.brokers],
        group,
        owned: Default::default(),
    }
}

fn leader_and_isr(p: u32, s: &PartitionState) -> Msg {
    Msg::LeaderAndIsr {
        partition: p,
        replicas: s.replicas.clone(),
        leader: s.leader,
        isr: s.isr.clone(),
        epoch: s.epoch,
    }
}

fn announce(p: u32, s: &PartitionState, live: &[(Time, bool)], ctx: &mut Ctx<Kafka>) {
    for r in &s.replicas {
        if live[r.index()].1 {
            ctx.send(*r, leader_and_isr(p, s));
        }
    }
}

/// Elect a leader for partition `p` from the live ISR (or, unclean, from any live replica).
fn elect(k: &Kafka, c: &mut Controller, p: usize, ctx: &mut Ctx<Kafka>) {
    let s = &mut c.partitions[p];
    let live = |n: &NodeId| c.brokers[n.index()].1;
    let clean = s.replicas.iter().copied().find(|r| live(r) && s.isr.contains(r));
    let (leader, unclean) = match clean {
        Some(l) => (Some(l), false),
        None if k.is(Mutant::UncleanElection) => (s.replicas.iter().copied().find(|r| live(r)), true),
        None => (None, false),
    };
    s.leader = leader;
    if unclean {
        s.isr = leader.into_iter().collect();
    }
    s.epoch += 1;
    ctx.note(Note::Elected { partition: p as u32, leader, epoch: s.epoch, unclean });
    let snapshot = s.clone();
    announce(p as u32, &snapshot, &c.brokers, ctx);
}

fn controller_message(k: &Kafka, c: &mut Controller, from: NodeId, msg: Msg, ctx: &mut Ctx<Kafka>) {
    match msg {
        Msg::Heartbeat { incarnation } => {
            let b = from.index();
            if b >= c.brokers.len() {
                return;
            }
            // A broker that restarted before its session ran out lost what it knew (whom it
            // leads, the ISR changes it asked for): handle the bounce as a failure and a start,
            // as Kafka's controller does, so that new epochs fence its previous incarnation.
            if incarnation > c.incarnations[b] {
                c.incarnations[b] = incarnation;
                if c.brokers[b].1 {
                    broker_failed(k, c, from, ctx);
                }
            }
            c.brokers[b].0 = ctx.now();
            if !c.brokers[b].1 {
                c.brokers[b].1 = true;
                for p in 0..c.partitions.len() {
                    if !c.partitions[p].replicas.contains(&from) {
                        continue;
                    }
                    if c.partitions[p].leader.is_none() {
                        elect(k, c, p, ctx);
                    } else {
                        ctx.send(from, leader_and_isr(p as u32, &c.partitions[p]));
                    }
                }
            }
        }
        Msg::AlterIsr { partition, isr, epoch } => {
            let Some(s) = c.partitions.get_mut(partition as usize) else { return };
            if epoch != s.epoch || s.leader != Some(from) || isr.is_empty() || !isr.contains(&from) {
                // Stale: tell the sender the current state.
                ctx.send(from, leader_and_isr(partition, s));
                return;
            }
            s.isr = isr;
            s.epoch += 1;
            let s = s.clone();
            announce(partition, &s, &c.brokers, ctx);
        }
        Msg::Metadata => {
            let leaders = c.partitions.iter().map(|s| s.leader).collect();
            ctx.send(from, Msg::MetadataResponse { leaders });
        }
        other => super::group::coordinator_message(k, &mut c.group, &mut c.owned, from, other, ctx),
    }
}

fn controller_timer(k: &Kafka, c: &mut Controller, timer: Timer, ctx: &mut Ctx<Kafka>) {
    if timer == Timer::GroupTick {
        super::group::coordinator_tick(k, &mut c.group, &mut c.owned, ctx);
        ctx.set_timer(Timer::GroupTick, Time(k.group_heartbeat_us));
        return;
    }
    let now = ctx.now();
    for b in 0..c.brokers.len() {
        if c.brokers[b].1 && now.0.saturating_sub(c.brokers[b].0 .0) > k.session_us {
            broker_failed(k, c, NodeId(b as u32), ctx);
        }
    }
    ctx.set_timer(Timer::LivenessCheck, Time(k.session_us / 3));
}

/// The controller considers a broker dead: it leaves every ISR it is in (unless it is the last
/// member), and the partitions it led get new leaders.
fn broker_failed(k: &Kafka, c: &mut Controller, dead: NodeId, ctx: &mut Ctx<Kafka>) {
    c.brokers[dead.index()].1 = false;
    for p in 0..c.partitions.len() {
        let s = &mut c.partitions[p];
        if s.isr.contains(&dead) && s.isr.len() > 1 {
            s.isr.retain(|m| *m != dead);
            if s.leader != Some(dead) {
                s.epoch += 1;
                let snap = s.clone();
                announce(p as u32, &snap, &c.brokers, ctx);
            }
        }
        if c.partitions[p].leader == Some(dead) {
            elect(k, c, p, ctx);
        }
    }
}

/// The controller adds a partition: Kafka's placement rule extended by one row, a leader from
/// the live replicas, and metadata pushed to every client (a simplification: real clients
/// refresh theirs periodically). The group rebalances so someone consumes the new partition.
fn add_partition(k: &Kafka, c: &mut Controller, ctx: &mut Ctx<Kafka>) {
    let p = c.partitions.len() as u32;
    if p >= MAX_PARTITIONS {
        return;
    }
    let Ok(placement) = super::partitioner::assign_replicas(k.brokers as u32, p + 1, k.rf, 0) else { return };
    let replicas: Vec<NodeId> = placement[p as usize].iter().map(|b| NodeId(*b)).collect();
    let live: Vec<NodeId> = replicas.iter().copied().filter(|r| c.brokers[r.index()].1).collect();
    let state = PartitionState {
        leader: live.first().copied(),
        isr: if live.is_empty() { replicas.clone() } else { live },
        replicas,
        epoch: 1,
    };
    announce(p, &state, &c.brokers, ctx);
    c.partitions.push(state);
    c.group.committed.push(0);
    ctx.note(Note::PartitionAdded { partitions: p + 1 });
    let leaders: Vec<Option<NodeId>> = c.partitions.iter().map(|s| s.leader).collect();
    for client in k.brokers + 1..k.nodes() {
        ctx.send(NodeId(client as u32), Msg::MetadataResponse { leaders: leaders.clone() });
    }
    if !c.group.members.is_empty() && c.group.joining.is_none() {
        super::group::start_rebalance(k, &mut c.group, None, ctx);
    }
}

/// Schedule the producer's next record: at once if the user queued one, else after the
/// configured interval (or not at all when the producer writes only what the user sends).
fn produce_next(k: &Kafka, pr: &Producer, ctx: &mut Ctx<Kafka>) {
    if !pr.queue.is_empty() {
        ctx.set_timer(Timer::Produce, Time(1_000));
    } else if k.produce_every_us > 0 {
        ctx.set_timer(Timer::Produce, Time(k.produce_every_us));
    }
}

fn producer_send(k: &Kafka, pr: &mut Producer, ctx: &mut Ctx<Kafka>) {
    let Some((p, rec, req)) = pr.pending else { return };
    match pr.leaders.get(p as usize).copied().flatten() {
        Some(l) => {
            ctx.send(l, Msg::Produce { partition: p, rec, req });
            if k.acks == 0 {
                pr.pending = None;
                produce_next(k, pr, ctx);
            } else {
                ctx.set_timer(Timer::ProduceTimeout, Time(k.session_us));
            }
        }
        None => {
            ctx.send(k.controller(), Msg::Metadata);
            ctx.set_timer(Timer::ProduceTimeout, Time(k.fetch_us * 2));
        }
    }
}

fn producer_timer(k: &Kafka, pr: &mut Producer, timer: Timer, ctx: &mut Ctx<Kafka>) {
    match timer {
        Timer::Produce => {
            if pr.pending.is_none() {
                let (key, text) = if !pr.queue.is_empty() {
                    pr.queue.remove(0)
                } else if k.produce_every_us > 0 {
                    // A quarter of the records have no key: they use sticky partitioning.
                    let key = ctx.rng().below(k.keys as u64) as u32;
                    let keyed = !ctx.rng().chance(0.25);
                    (keyed.then_some(key), None)
                } else {
                    return;
                };
                let key_bytes = key.map(|key| format!("k{key}"));
                let partitions = pr.leaders.len() as u32;
                let p = pr.partitioner.partition(
                    key_bytes.as_ref().map(|b| b.as_bytes()),
                    None,
                    partitions,
                    ctx.rng(),
                );
                pr.next_seq += 1;
                let value = ((pr.id.0 as u64) << 32) | pr.next_seq;
                let text = text.unwrap_or_else(|| {
                    Text8::new(&format!("v{}", pr.next_seq % 10_000_000)).unwrap_or_default()
                });
                pr.pending = Some((p, Rec { key, value, text, epoch: 0 }, pr.next_seq));
            }
            producer_send(k, pr, ctx);
        }
        Timer::ProduceTimeout => {
            ctx.send(k.controller(), Msg::Metadata);
            producer_send(k, pr, ctx);
        }
        _ => {}
    }
}

fn producer_message(k: &Kafka, pr: &mut Producer, msg: Msg, ctx: &mut Ctx<Kafka>) {
    match msg {
        Msg::MetadataResponse { leaders } => {
            // Metadata never shrinks the topic (a stale answer may list fewer partitions).
            if leaders.len() >= pr.leaders.len() {
                pr.leaders = leaders;
            }
        }
        Msg::ProduceResponse { req, result } => {
            let Some((p, rec, pending_req)) = pr.pending else { return };
            if req != pending_req {
                return;
            }
            match result {
                Ok(offset) => {
                    ctx.note(Note::Acked { partition: p, offset, rec_value: rec.value, acks: k.acks });
                    pr.pending = None;
                    pr.acked += 1;
                    pr.last = Some((p, offset, rec.text));
                    pr.partitioner.batch_sent(pr.leaders.len() as u32, ctx.rng());
                    ctx.cancel_timer(Timer::ProduceTimeout);
                    produce_next(k, pr, ctx);
                }
                Err(_) => {
                    ctx.send(k.controller(), Msg::Metadata);
                    ctx.set_timer(Timer::ProduceTimeout, Time(k.fetch_us * 2));
                }
            }
        }
        _ => {}
    }
}

/// Ghost state: acknowledged records and committed prefixes. Checks are incremental: each
/// replica's committed prefix is compared from where it was last compared, and a leader's log
/// against the acknowledgements it has not been checked against yet.
#[derive(Clone, Debug, Default)]
pub struct Monitor {
    /// Per partition: (offset, value, acks) of every acknowledged record, in order.
    pub acked: Vec<Vec<(u64, u64, u8)>>,
    /// Per partition: the values of the committed prefix seen so far.
    pub committed: Vec<Vec<u64>>,
    /// Per broker and partition: how much of the committed prefix has been compared.
    checked: Vec<Vec<u64>>,
    /// Per partition: (leader, epoch, acknowledgements verified on that leader).
    verified: Vec<(Option<NodeId>, u32, usize)>,
    /// Per partition: the value consumers read at each offset.
    pub consumed: Vec<Vec<Option<u64>>>,
}

impl Protocol for Kafka {
    type Msg = Msg;
    type Timer = Timer;
    type ClientOp = ClientOp;
    type Note = Note;
    type Node = Node;
    type Monitor = Monitor;

    fn name(&self) -> &'static str {
        "kafka"
    }
    fn nodes(&self) -> usize {
        self.brokers + 1 + self.producers + self.consumers
    }
    fn fault_targets(&self) -> usize {
        self.brokers
    }
    fn init(&self, ctx: &mut Ctx<Self>) -> Node {
        let me = ctx.me();
        if me.index() < self.brokers {
            Node::Broker(broker_init(self, ctx))
        } else if me == self.controller() {
            Node::Controller(controller_init(self, ctx))
        } else if me.index() > self.brokers + self.producers {
            Node::Consumer(super::group::consumer_init(self, ctx))
        } else {
            if self.produce_every_us > 1_000 {
                let first = ctx.rng().range(1_000, self.produce_every_us);
                ctx.set_timer(Timer::Produce, Time(first));
            }
            ctx.send(self.controller(), Msg::Metadata);
            Node::Producer(Producer {
                id: me,
                next_seq: 0,
                partitioner: Default::default(),
                leaders: vec![None; self.partitions as usize],
                pending: None,
                acked: 0,
                queue: Vec::new(),
                last: None,
            })
        }
    }
    fn on_message(&self, node: &mut Node, from: NodeId, msg: Msg, ctx: &mut Ctx<Self>) {
        match node {
            Node::Broker(b) => broker_message(self, b, from, msg, ctx),
            Node::Controller(c) => controller_message(self, c, from, msg, ctx),
            Node::Producer(p) => producer_message(self, p, msg, ctx),
            Node::Consumer(c) => super::group::consumer_message(self, c, from, msg, ctx),
        }
    }
    fn on_timer(&self, node: &mut Node, timer: Timer, ctx: &mut Ctx<Self>) {
        match node {
            Node::Broker(b) => broker_timer(self, b, timer, ctx),
            Node::Controller(c) => controller_timer(self, c, timer, ctx),
            Node::Consumer(c) => super::group::consumer_timer(self, c, timer, ctx),
            Node::Producer(p) => producer_timer(self, p, timer, ctx),
        }
    }
    fn on_client(&self, node: &mut Node, op: ClientOp, ctx: &mut Ctx<Self>) {
        match (node, op) {
            (Node::Producer(p), ClientOp::Produce { key, text }) => {
                if p.queue.len() < MAX_QUEUE {
                    p.queue.push((key, text));
                }
                if p.pending.is_none() {
                    producer_timer(self, p, Timer::Produce, ctx);
                }
            }
            (Node::Controller(c), ClientOp::AddPartition) => add_partition(self, c, ctx),
            (Node::Consumer(c), op) => super::group::consumer_request(self, c, op, ctx),
            _ => {}
        }
    }
    fn on_restart(&self, crashed: &Node, ctx: &mut Ctx<Self>) -> Node {
        match crashed {
            Node::Broker(b) => {
                // The log (and its checkpointed HW) persist; leadership is re-learned.
                let replicas = b
                    .replicas
                    .iter()
                    .map(|r| {
                        r.as_ref().map(|r| Replica {
                            log: r.log.clone(),
                            hw: r.hw,
                            epoch: r.epoch,
                            ..Replica::default()
                        })
                    })
                    .collect();
                arm_broker(self, ctx);
                // Register at once, in a new incarnation.
                let incarnation = b.incarnation + 1;
                ctx.send(self.controller(), Msg::Heartbeat { incarnation });
                Node::Broker(Broker { id: b.id, incarnation, replicas })
            }
            other => self.init_again(other, ctx),
        }
    }
    fn workload(&self, _rng: &mut Rng) -> Vec<(Time, NodeId, ClientOp)> {
        Vec::new()
    }
    fn check(
        &self,
        m: &mut Monitor,
        nodes: &[Node],
        touched: Option<NodeId>,
        _client: Option<&ClientOp>,
        notes: &[Note],
    ) -> Result<(), (&'static str, String)> {
        // The topic may grow while the run goes on: size the ghost state to the controller's.
        let parts = match nodes.get(self.controller().index()) {
            Some(Node::Controller(c)) => c.partitions.len(),
            _ => self.partitions as usize,
        };
        if m.committed.len() < parts {
            m.committed.resize(parts, Vec::new());
            m.acked.resize(parts, Vec::new());
            m.checked.resize(self.brokers, Vec::new());
            for row in &mut m.checked {
                row.resize(parts, 0);
            }
            m.verified.resize(parts, (None, 0, 0));
            m.consumed.resize(parts, Vec::new());
        }
        for n in notes {
            match n {
                Note::Acked { partition, offset, rec_value, acks } => {
                    m.acked[*partition as usize].push((*offset, *rec_value, *acks));
                }
                Note::Consumed { partition, offset, value } => {
                    let (p, o) = (*partition as usize, *offset as usize);
                    let seen = &mut m.consumed[p];
                    if seen.len() <= o {
                        seen.resize(o + 1, None);
                    }
                    let committed = m.committed[p].get(o).copied();
                    match (seen[o], committed) {
                        (Some(v), _) if v != *value => {
                            return Err((
                                "consumed-stable",
                                format!("consumers read two different records at p{p} offset {o}"),
                            ));
                        }
                        (_, Some(v)) if v != *value => {
                            return Err(("consumed-stable", format!("a consumer read p{p} offset {o}, which the replicas committed differently")));
                        }
                        _ => seen[o] = Some(*value),
                    }
                }
                _ => {}
            }
        }
        let Some(Node::Controller(c)) = nodes.get(self.controller().index()) else { return Ok(()) };
        let Some(t) = touched else { return Ok(()) };
        let Some(Node::Broker(b)) = nodes.get(t.index()) else { return Ok(()) };
        for (p, r) in b.replicas.iter().enumerate().take(parts) {
            let Some(r) = r else { continue };
            // Committed prefixes agree across replicas and over time.
            let upto = (r.hw as usize).min(r.log.len());
            let from = (m.checked[t.index()][p] as usize).min(upto);
            let seen = &mut m.committed[p];
            for i in from..upto {
                match seen.get(i) {
                    Some(v) if *v != r.log[i].value => {
                        return Err((
                            "committed-agree",
                            format!("B{} has a different record at committed offset {i} of p{p}", t.0 + 1),
                        ));
                    }
                    Some(_) => {}
                    None => {
                        // A record a consumer already read must be the one that commits there.
                        if m.consumed[p].get(i).copied().flatten().is_some_and(|v| v != r.log[i].value) {
                            return Err((
                                "consumed-stable",
                                format!(
                                    "a consumer read p{p} offset {i}, but a different record committed there"
                                ),
                            ));
                        }
                        seen.push(r.log[i].value)
                    }
                }
            }
            m.checked[t.index()][p] = upto as u64;
            // Acknowledged records are in the partition leader's log. A leader's log only grows
            // while it leads, so each acknowledgement is checked once per leader and epoch.
            if c.partitions[p].leader == Some(t) && r.leader == Some(t) {
                let (who, epoch, done) = m.verified[p];
                let start = if who == Some(t) && epoch == r.epoch { done } else { 0 };
                for &(off, val, acks) in &m.acked[p][start..] {
                    if r.log.get(off as usize).map(|x| x.value) != Some(val) {
                        // acks=all is Kafka's promise; acks=1 has a property of its own, which
                        // Kafka does not promise (acks=0 is never acknowledged).
                        let property = if acks == ACKS_ALL { "acked-not-lost" } else { "acks1-not-lost" };
                        return Err((
                            property,
                            format!(
                                "the record acknowledged with acks={} at p{p} offset {off} is gone from leader B{}",
                                if acks == ACKS_ALL { "all".into() } else { format!("{acks}") },
                                t.0 + 1
                            ),
                        ));
                    }
                }
                m.verified[p] = (Some(t), r.epoch, m.acked[p].len());
            }
        }
        Ok(())
    }
    fn properties(&self) -> &'static [PropertyInfo] {
        PROPERTIES
    }
    fn mutants() -> &'static [MutantInfo] {
        MUTANTS
    }
    fn state_digest(&self, node: &Node) -> u64 {
        match node {
            // Logs are summarised by their ends: brokers only append to and truncate them.
            Node::Broker(b) => crate::hash::digest(
                &b.replicas
                    .iter()
                    .map(|r| {
                        r.as_ref().map(|r| {
                            (
                                r.log.len(),
                                r.log.last(),
                                r.hw,
                                r.leader,
                                r.epoch,
                                &r.isr,
                                &r.follower_leo,
                                r.waiting.len(),
                                &r.pending_isr,
                            )
                        })
                    })
                    .collect::<Vec<_>>(),
            ),
            other => crate::hash::digest(other),
        }
    }
    fn about(&self) -> About {
        About {
            title: "Kafka partitions",
            tagline: "Brokers replicate partitions; the controller elects leaders from the in-sync replicas.",
            persistence: "Persistent across a crash: each replica's log and checkpointed high watermark. Lost: leadership and ISR state, re-learned from the controller.",
        }
    }
    fn view(&self, node: &Node) -> NodeView {
        match node {
            Node::Broker(b) => {
                let fields = b
                    .replicas
                    .iter()
                    .enumerate()
                    .filter_map(|(p, r)| {
                        r.as_ref().map(|r| {
                            let role = if r.leader == Some(b.id) { "leader" } else { "follower" };
                            (
                                format!("p{p}"),
                                format!(
                                    "{role}, LEO {}, HW {}, ISR {}",
                                    r.log.len(),
                                    r.hw,
                                    names(r.isr.iter())
                                ),
                            )
                        })
                    })
                    .collect::<Vec<_>>();
                let leads =
                    b.replicas.iter().filter(|r| r.as_ref().is_some_and(|r| r.leader == Some(b.id))).count();
                NodeView {
                    role: "broker".into(),
                    badge: format!("leads {leads}"),
                    summary: vec![format!("leads {leads} of {}", b.replicas.len())],
                    fields,
                    ..NodeView::default()
                }
            }
            Node::Controller(c) => NodeView {
                role: "controller".into(),
                badge: format!("gen {}", c.group.generation),
                fields: c
                    .partitions
                    .iter()
                    .enumerate()
                    .map(|(p, s)| {
                        (
                            format!("p{p}"),
                            format!(
                                "leader {} ISR {} epoch {}",
                                names(s.leader.iter()),
                                names(s.isr.iter()),
                                s.epoch
                            ),
                        )
                    })
                    .chain([("group generation".into(), format!("{}", c.group.generation))])
                    .collect(),
                summary: vec![format!(
                    "{} · gen {}",
                    plural(c.partitions.len(), "partition"),
                    c.group.generation
                )],
                accepts: Some("add-partition".into()),
                actions: vec![("Add a partition".into(), "add-partition".into())],
                ..NodeView::default()
            },
            Node::Consumer(c) => {
                let state = if !c.active {
                    "not in the group"
                } else if c.paused_until.is_some() {
                    "paused (GC)"
                } else if c.joined {
                    "consuming"
                } else {
                    "rebalancing"
                };
                let parts: Vec<String> = c.assigned.iter().map(|p| format!("p{p}")).collect();
                let last = c.last.map(|(p, o, t)| format!("p{p}@{o} \"{}\"", t.as_str()));
                NodeView {
                    role: "consumer".into(),
                    badge: format!("gen {}", c.generation),
                    fields: vec![
                        ("state".into(), state.into()),
                        ("partitions".into(), parts.join(" ")),
                        ("records read".into(), format!("{}", c.consumed)),
                        ("last read".into(), last.clone().unwrap_or_else(|| "—".into())),
                    ],
                    summary: vec![
                        state.into(),
                        if parts.is_empty() { "no partitions".into() } else { parts.join(" ") },
                    ],
                    accepts: Some("join · leave · pause 500".into()),
                    actions: if c.active {
                        vec![
                            ("GC pause 500 ms".into(), "pause 500".into()),
                            ("Leave the group".into(), "leave".into()),
                        ]
                    } else {
                        vec![("Join the group".into(), "join".into())]
                    },
                    ..NodeView::default()
                }
            }
            Node::Producer(p) => {
                let last = p.last.map(|(part, o, t)| format!("p{part}@{o} \"{}\"", t.as_str()));
                NodeView {
                    role: "producer".into(),
                    badge: "producer".into(),
                    fields: vec![
                        ("acknowledged".into(), format!("{}", p.acked)),
                        ("last acknowledged".into(), last.unwrap_or_else(|| "—".into())),
                        (
                            "waiting to send".into(),
                            format!("{}", p.queue.len() + p.pending.is_some() as usize),
                        ),
                        ("acks".into(), acks_name(self.acks).into()),
                    ],
                    summary: vec![format!("{} acked", p.acked)],
                    accepts: Some("k3 hello · - hello (no key)".into()),
                    actions: vec![
                        ("Produce with key k1".into(), "k1".into()),
                        ("Produce with key k2".into(), "k2".into()),
                        ("Produce without a key".into(), "-".into()),
                    ],
                    ..NodeView::default()
                }
            }
        }
    }
    fn node_name(&self, id: NodeId) -> String {
        if id.index() < self.brokers {
            format!("B{}", id.0 + 1)
        } else if id == self.controller() {
            "controller".into()
        } else if id.index() > self.brokers + self.producers {
            super::group::member_name(self, id)
        } else {
            format!("P{}", id.index() - self.brokers)
        }
    }
    fn parse_client(&self, text: &str) -> Result<ClientOp, String> {
        parse_request(text)
    }
    fn check_client(&self, node: NodeId, op: &ClientOp) -> Result<(), String> {
        let i = node.index();
        let (ok, who) = match op {
            ClientOp::Produce { .. } => {
                (i > self.brokers && i <= self.brokers + self.producers, "a producer")
            }
            ClientOp::AddPartition => (node == self.controller(), "the controller"),
            _ => (i > self.brokers + self.producers && i < self.nodes(), "a consumer"),
        };
        if ok {
            Ok(())
        } else {
            Err(format!(
                "{} is not {who}: send \"{}\" to {who}",
                self.node_name(node),
                Self::client_summary(op)
            ))
        }
    }
    fn boards(&self, nodes: &[Node], up: &[bool]) -> Vec<crate::protocol::Board> {
        super::board::boards(self, nodes, up)
    }
    fn script(&self) -> Vec<(Time, crate::protocol::ScriptAction<ClientOp>)> {
        self.script.clone()
    }
    fn narration(&self) -> Vec<(Time, String)> {
        self.narration.clone()
    }
    fn timer_label(t: &Timer) -> &'static str {
        match t {
            Timer::Heartbeat => "heartbeat",
            Timer::FetchTick => "fetch",
            Timer::IsrCheck => "ISR check",
            Timer::LivenessCheck => "liveness check",
            Timer::Produce => "produce",
            Timer::ProduceTimeout => "produce timeout",
            Timer::GroupHeartbeat => "group heartbeat",
            Timer::Poll => "poll",
            Timer::GroupTick => "group check",
            Timer::Resume => "end of pause",
        }
    }
    fn client_summary(op: &ClientOp) -> String {
        match op {
            ClientOp::Produce { key, text } => format!(
                "produce {}{}",
                key.map(|k| format!("key k{k}")).unwrap_or_else(|| "without a key".into()),
                text.map(|t| format!(" \"{}\"", t.as_str())).unwrap_or_default()
            ),
            ClientOp::Join => "join the group".into(),
            ClientOp::Leave => "leave the group".into(),
            ClientOp::Pause(ms) => format!("pause for {ms} ms (GC)"),
            ClientOp::AddPartition => "add a partition".into(),
        }
    }
    fn note_summary(n: &Note) -> String {
        match n {
            Note::Acked { partition, offset, .. } => {
                format!("producer acknowledged at p{partition} offset {offset}")
            }
            Note::Consumed { partition, offset, .. } => format!("consumer read p{partition} offset {offset}"),
            Note::PartitionAdded { partitions } => format!("the topic now has {partitions} partitions"),
            Note::Rebalanced { generation, members } => {
                format!("group rebalanced: generation {generation}, {members} members")
            }
            Note::Elected { partition, leader, epoch, unclean } => format!(
                "p{partition}: leader {} (epoch {epoch}){}",
                names(leader.iter()),
                if *unclean { ", UNCLEAN election" } else { "" }
            ),
        }
    }
}

/// A request as typed: `k3 hello` (key k3), `- hello` or `hello` (no key), `join`, `leave`,
/// `pause 500` (milliseconds), `add-partition`.
pub fn parse_request(text: &str) -> Result<ClientOp, String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    match words.as_slice() {
        ["join"] => Ok(ClientOp::Join),
        ["leave"] => Ok(ClientOp::Leave),
        ["add-partition"] => Ok(ClientOp::AddPartition),
        ["pause", ms] => match ms.parse::<u32>() {
            Ok(ms) if (1..=MAX_PAUSE_MS).contains(&ms) => Ok(ClientOp::Pause(ms)),
            _ => Err(format!("a pause is a whole number of milliseconds from 1 to {MAX_PAUSE_MS}")),
        },
        [] => Err("type a request: k3 hello · - hello · join · leave · pause 500 · add-partition".into()),
        [first, rest @ ..] if rest.len() <= 1 => {
            let text = rest.first().map(|t| Text8::new(t)).transpose()?;
            if *first == "-" {
                return Ok(ClientOp::Produce { key: None, text });
            }
            match first.strip_prefix('k').map(|n| n.parse::<u32>()) {
                Some(Ok(key)) if key < 1_000_000 => Ok(ClientOp::Produce { key: Some(key), text }),
                _ if rest.is_empty() => Ok(ClientOp::Produce { key: None, text: Some(Text8::new(first)?) }),
                _ => Err(format!("\"{first}\" is not a key: keys are k0 to k999999, or - for none")),
            }
        }
        _ => Err("a record's text is one word of at most 8 bytes".into()),
    }
}

impl Kafka {
    /// Controllers and producers are not fault targets; a user restart starts them afresh.
    fn init_again(&self, old: &Node, ctx: &mut Ctx<Self>) -> Node {
        match old {
            Node::Controller(c) => {
                ctx.set_timer(Timer::LivenessCheck, Time(self.session_us / 3));
                Node::Controller(c.clone())
            }
            _ => self.init(ctx),
        }
    }
}
