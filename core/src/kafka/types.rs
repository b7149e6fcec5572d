//! The words of the Kafka cluster: records, messages, timers, requests and the checker's notes,
//! with the request parser. Every other file of the cluster builds on these.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use serde::Serialize;

use crate::protocol::{MessageInfo, NodeId, Time};

/// One record: its key (none: the producer chose the partition by sticky partitioning), a
/// unique value (the producer, the life it is in, and its count of records in that life: see
/// `producer::record_value`), the text the user sees, the leader epoch it was appended in, and an idempotent producer's stamp
/// (KIP-98's batch header).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub struct Rec {
    pub key: Option<u32>,
    pub value: u64,
    pub text: Text8,
    pub epoch: u32,
    pub producer: Option<Stamp>,
}

/// What an idempotent producer writes on each record (KIP-98): its producer id, that id's
/// epoch, and the record's sequence number in its partition under that epoch. A broker
/// appends a record once: a retry it already holds is answered with where it is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub struct Stamp {
    pub pid: u32,
    pub epoch: u16,
    pub seq: u32,
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

/// Why the controller refused an ISR change (Kafka's AlterPartition errors).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum IsrError {
    /// The request's leader epoch is not the partition's (FENCED_LEADER_EPOCH).
    FencedLeaderEpoch,
    /// The request's partition epoch is not the partition's (INVALID_UPDATE_VERSION).
    InvalidUpdateVersion,
    /// From a broker that does not lead the partition, or an ISR without its leader or with a
    /// broker that is no replica of the partition (INVALID_REQUEST).
    InvalidRequest,
    /// A member is a broker the controller counts dead (INELIGIBLE_REPLICA, KIP-841): the state
    /// the leader holds is current, and the change was not made.
    IneligibleReplica,
}

impl IsrError {
    pub fn name(self) -> &'static str {
        match self {
            IsrError::FencedLeaderEpoch => "FENCED_LEADER_EPOCH",
            IsrError::InvalidUpdateVersion => "INVALID_UPDATE_VERSION",
            IsrError::InvalidRequest => "INVALID_REQUEST",
            IsrError::IneligibleReplica => "INELIGIBLE_REPLICA",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum ProduceError {
    NotLeader,
    /// Refused before the append: fewer in-sync replicas than min.insync.replicas.
    NotEnoughReplicas,
    /// Not acknowledged, though appended (and committed): the high watermark passed it while
    /// the maximal ISR was below min.insync.replicas (`checkEnoughReplicasReachOffset`). Since
    /// KAFKA-15583 the high watermark does not move while the ISR is that small, and the
    /// maximal ISR holds the ISR, so a request whose ISR shrank waits instead; the answer is
    /// kept as Kafka keeps it.
    NotEnoughReplicasAfterAppend,
    /// An idempotent producer's record is neither the next in its partition nor one the
    /// leader holds (OUT_OF_ORDER_SEQUENCE_NUMBER): records it acknowledged are gone, as after
    /// an unclean election. The producer bumps its epoch and sends the record again, at
    /// sequence 0 (KIP-360).
    OutOfOrderSequence,
    /// The record's producer epoch is older than one the leader holds (INVALID_PRODUCER_EPOCH):
    /// not retriable, the record fails and the producer bumps its epoch.
    InvalidProducerEpoch,
}

/// A member of a consumer group: one life of a consumer, named by its member id (Kafka's
/// `member.id`). The coordinator cannot tell a consumer's lives apart from other consumers: a
/// restarted consumer joins as a new member while its old life is still one, until that life's
/// session runs out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Life {
    pub consumer: NodeId,
    pub member: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Msg {
    /// Broker → controller: I am alive, in this incarnation (KRaft's broker registration and
    /// heartbeat in one: the number grows each time the broker process starts).
    Heartbeat {
        incarnation: u64,
    },
    /// Controller → replicas: the partition's leader, ISR and epochs, addressed to the
    /// incarnation of the broker the controller knows (KIP-380's broker epoch): a broker that
    /// restarted since ignores it. The leader epoch grows with each new leader; the partition
    /// epoch with every change of the state, an ISR change too (Kafka's `PartitionRegistration`).
    LeaderAndIsr {
        partition: u32,
        replicas: Vec<NodeId>,
        leader: Option<NodeId>,
        isr: Vec<NodeId>,
        leader_epoch: u32,
        partition_epoch: u32,
        incarnation: u64,
    },
    /// Broker → controller: this incarnation holds the partition's state at partition epoch
    /// `epoch` (Kafka's
    /// LeaderAndIsrResponse). Until it comes, the controller sends the state again at each of
    /// its liveness checks: Kafka's channel to a broker retries a request until the broker
    /// takes it, so one lost message does not leave a partition without a leader that knows it.
    LeaderAndIsrResponse {
        partition: u32,
        epoch: u32,
        incarnation: u64,
    },
    /// Leader → controller: change the ISR (KIP-497's AlterPartition: valid only from the
    /// current leader epoch and partition epoch), from the broker's incarnation (its broker
    /// epoch, KIP-903), numbered: each send has its own number, and the controller answers a
    /// copy of one it has taken as it answered the first (Kafka's ordered connection and single
    /// request in flight, which a network that duplicates and reorders does not give).
    AlterIsr {
        partition: u32,
        isr: Vec<NodeId>,
        leader_epoch: u32,
        partition_epoch: u32,
        incarnation: u64,
        req: u64,
    },
    /// Controller → leader: the ISR change it asked for (echoed, with the epochs it was asked
    /// from) is refused. A change made is answered by the new state (`LeaderAndIsr`), as
    /// Kafka's AlterPartition response carries it.
    AlterIsrResponse {
        partition: u32,
        isr: Vec<NodeId>,
        leader_epoch: u32,
        partition_epoch: u32,
        req: u64,
        error: IsrError,
    },
    /// Follower → leader: my log ends at `offset`, its last record is of `last_epoch` (0: the log
    /// is empty), and I am in the partition's leader epoch `epoch`.
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
    /// Producer → controller: give me a producer id (KIP-98's InitProducerId; in KRaft the
    /// controller hands out the ids, through the brokers). It names the producer's life, and
    /// the answer echoes it: a producer takes only an answer to its own life, as Kafka's takes
    /// only answers on its own connections (this network delivers a late answer, or a copy,
    /// to a producer restarted since).
    InitProducerId {
        life: u32,
    },
    InitProducerIdResponse {
        pid: u32,
        life: u32,
    },
    /// Consumer groups (see `group.rs` and `coordinator.rs`). A member's requests carry its
    /// member id: which life of the consumer sends them (Kafka gives a consumer that joins
    /// afresh a new member id, so that nothing its earlier life sent is taken for it). A member
    /// joins in the generation it last joined (0: never, or removed since), listing the
    /// partitions it owns (KIP-429). `sent` is when, on its clock: the coordinator takes a
    /// life's JoinGroups once each and in the order sent, as Kafka's connection delivers a
    /// member's requests (this network duplicates and reorders them).
    JoinGroup {
        member: u32,
        generation: u32,
        owned: Vec<u32>,
        sent: Time,
    },
    /// The generation formed: its leader and its members (each a consumer's life), with what
    /// the coordinator counted each as owning.
    JoinResponse {
        member: u32,
        generation: u32,
        leader: Life,
        members: Vec<(Life, Vec<u32>)>,
        /// The topic's partition count, for the leader member's assignment.
        partitions: u32,
    },
    LeaveGroup {
        member: u32,
    },
    /// `sent`, as a JoinGroup's: a JoinGroup of the same life sent before it is not taken once
    /// it is (the connection would have delivered that first).
    SyncGroup {
        member: u32,
        generation: u32,
        assignment: Vec<(Life, Vec<u32>)>,
        sent: Time,
    },
    SyncResponse {
        member: u32,
        generation: u32,
        partitions: Vec<u32>,
        committed: Vec<u64>,
    },
    GroupHeartbeat {
        member: u32,
        generation: u32,
    },
    /// The group is rebalancing away from this generation: rejoin (unless already past it).
    RebalanceInProgress {
        generation: u32,
    },
    /// The member is known, but the group has moved past the generation its request named:
    /// Kafka's ILLEGAL_GENERATION. It gives up its partitions and joins afresh.
    IllegalGeneration {
        generation: u32,
    },
    /// The coordinator does not know the member that sent a request of this generation, in the
    /// life `member` (its session ran out, it missed a rebalance, or that life ended): Kafka's
    /// UNKNOWN_MEMBER_ID.
    UnknownMember {
        member: u32,
        generation: u32,
    },
    /// The member's positions, to be the group's committed offsets; `sent`: when, so that the
    /// coordinator takes a life's commits in the order they were sent, as Kafka's connection
    /// delivers them.
    OffsetCommit {
        member: u32,
        generation: u32,
        offsets: Vec<(u32, u64)>,
        sent: Time,
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
            Msg::LeaderAndIsrResponse { .. } => "LeaderAndIsrResponse",
            Msg::AlterIsr { .. } => "AlterPartition",
            Msg::AlterIsrResponse { .. } => "AlterPartitionResponse",
            Msg::Fetch { .. } => "Fetch",
            Msg::FetchResponse { .. } => "FetchResponse",
            Msg::Produce { .. } => "Produce",
            Msg::ProduceResponse { .. } => "ProduceResponse",
            Msg::Metadata => "Metadata",
            Msg::MetadataResponse { .. } => "MetadataResponse",
            Msg::InitProducerId { .. } => "InitProducerId",
            Msg::InitProducerIdResponse { .. } => "InitProducerIdResponse",
            Msg::JoinGroup { .. } => "JoinGroup",
            Msg::LeaveGroup { .. } => "LeaveGroup",
            Msg::JoinResponse { .. } => "JoinGroupResponse",
            Msg::SyncGroup { .. } => "SyncGroup",
            Msg::SyncResponse { .. } => "SyncGroupResponse",
            Msg::GroupHeartbeat { .. } => "Heartbeat",
            Msg::RebalanceInProgress { .. } => "RebalanceInProgress",
            Msg::IllegalGeneration { .. } => "IllegalGeneration",
            Msg::UnknownMember { .. } => "UnknownMemberId",
            Msg::OffsetCommit { .. } => "OffsetCommit",
            Msg::ConsumerFetch { .. } => "ConsumerFetch",
            Msg::ConsumerFetchResponse { .. } => "ConsumerFetchResponse",
        }
    }
    fn summary(&self) -> String {
        match self {
            Msg::LeaderAndIsr { partition, leader, isr, leader_epoch: epoch, .. } => {
                format!(
                    "(p{partition} leader {} isr {} epoch {epoch})",
                    names(leader.iter()),
                    names(isr.iter())
                )
            }
            Msg::LeaderAndIsrResponse { partition, epoch, .. } => {
                format!("(p{partition} partition epoch {epoch})")
            }
            Msg::AlterIsr { partition, isr, partition_epoch, .. } => {
                format!("(p{partition} isr {} partition epoch {partition_epoch})", names(isr.iter()))
            }
            Msg::AlterIsrResponse { partition, isr, error, .. } => {
                format!("(p{partition} isr {}: {})", names(isr.iter()), error.name())
            }
            Msg::Fetch { partition, offset, last_epoch, .. } => {
                format!("(p{partition} from offset {offset}, last epoch {last_epoch})")
            }
            Msg::FetchResponse { partition, records, hw, diverging, .. } => match diverging {
                Some(d) => format!("(p{partition}: diverging; epoch {} ends at {})", d.epoch, d.end),
                None => format!("(p{partition}: {} records, hw {hw})", records.len()),
            },
            Msg::Produce { partition, rec, .. } => {
                let key = rec.key.map_or(String::from("no key"), |k| format!("key k{k}"));
                let stamp = rec.producer.map_or(String::new(), |s| {
                    format!(" producer {} epoch {} seq {}", s.pid, s.epoch, s.seq)
                });
                format!("(p{partition} {key} \"{}\"{stamp})", rec.text.as_str())
            }
            Msg::ProduceResponse { result: Ok(o), .. } => format!("(offset {o})"),
            Msg::ProduceResponse { result: Err(e), .. } => format!("({e:?})"),
            Msg::MetadataResponse { leaders } => format!("(leaders {})", names(leaders.iter().flatten())),
            Msg::InitProducerIdResponse { pid, .. } => format!("(producer id {pid})"),
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

/// "1 partition", "3 partitions".
pub fn plural(n: usize, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}

pub(super) fn names<'a>(ids: impl Iterator<Item = &'a NodeId>) -> String {
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
    /// A leader acknowledged an acks=all request for the record at this offset.
    Answered { partition: u32, offset: u64, value: u64 },
    /// The controller chose a leader.
    Elected { partition: u32, leader: Option<NodeId>, epoch: u32, unclean: bool },
    /// A consumer read a record.
    Consumed { partition: u32, offset: u64, value: u64 },
    /// The group coordinator completed a rebalance.
    Rebalanced { generation: u32, members: u32 },
    /// The controller added a partition.
    PartitionAdded { partitions: u32 },
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
