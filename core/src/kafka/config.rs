//! The cluster's configuration: brokers, the topic, producers, the consumer group, timing, and
//! the mutants, with the limits `validate` enforces.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use serde::Serialize;

use super::assign::Strategy;
use super::partitioner::assign_replicas;
use super::types::{ClientOp, MAX_PARTITIONS};
use crate::protocol::{MutantInfo, NodeId, ScriptAction, Time};

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
    /// Consumers commit one past their position: the group skips a record at each commit.
    CommitAhead,
    /// Partitions move straight to their new owners: eager members keep theirs while they
    /// rejoin, and the cooperative assignor hands over partitions that other members still
    /// own.
    SkipRevocation,
    /// A leader lets a follower back into the ISR once it reaches the high watermark, though
    /// it is short of the start of the leader's epoch (before KAFKA-7128).
    RejoinBeforeEpochStart,
    /// The coordinator takes offset commits from any member, of any generation or life, even
    /// while the group awaits its assignment.
    ZombieCommit,
    /// A leader's record of each idempotent producer's sequence numbers starts empty at every
    /// new leadership (it counts only the records it appended in its current leader epoch): a
    /// retry of a record the old leader appended, and this one copied, is appended twice.
    SequencesNotReplicated,
    /// A cooperative member that gave up partitions does not rejoin: KIP-429's follow-up
    /// rebalance never comes, and what it gave up stays unowned.
    NoFollowUp,
}

pub(super) const MUTANTS: &[MutantInfo] = &[
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
    MutantInfo {
        name: "skip-revocation",
        description: "partitions move straight to their new owners, before the old owners give them up",
    },
    MutantInfo {
        name: "commit-ahead",
        description: "consumers commit one offset past what they have read, so the group skips a record",
    },
    MutantInfo {
        name: "rejoin-before-epoch-start",
        description: "a leader takes a follower back into the ISR once it reaches the high watermark, \
            short of the start of the leader's epoch, where a new leader's high watermark can lag \
            (KAFKA-7128)",
    },
    MutantInfo {
        name: "zombie-commit",
        description: "the group coordinator takes offset commits from any member, whatever its \
            generation or life, even while the group awaits its assignment: a member removed from \
            the group, still reading, moves the offsets its partitions' new owners start from",
    },
    MutantInfo {
        name: "sequences-not-replicated",
        description: "a leader's record of each idempotent producer's sequence numbers starts \
            empty at every new leadership: it counts only the records it appended in its current \
            leader epoch, not those it copied as a follower or appended before, so the producer's \
            retry of a record the old leader appended is appended again",
    },
    MutantInfo {
        name: "no-follow-up",
        description: "a cooperative member that gave up partitions in a rebalance does not rejoin \
            at once: KIP-429's follow-up rebalance never comes, and the partitions it gave up stay \
            unowned, nobody reading them",
    },
];

impl Mutant {
    pub fn parse(s: &str) -> Option<Mutant> {
        match s {
            "unclean-election" => Some(Mutant::UncleanElection),
            "hw-before-isr" => Some(Mutant::HwBeforeIsr),
            "ack-before-replication" => Some(Mutant::AckBeforeReplication),
            "consume-uncommitted" => Some(Mutant::ConsumeUncommitted),
            "commit-ahead" => Some(Mutant::CommitAhead),
            "skip-revocation" => Some(Mutant::SkipRevocation),
            "rejoin-before-epoch-start" => Some(Mutant::RejoinBeforeEpochStart),
            "zombie-commit" => Some(Mutant::ZombieCommit),
            "sequences-not-replicated" => Some(Mutant::SequencesNotReplicated),
            "no-follow-up" => Some(Mutant::NoFollowUp),
            _ => None,
        }
    }
}

/// Kafka cluster configuration: one topic.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Kafka {
    pub brokers: usize,
    pub partitions: u32,
    pub rf: u32,
    pub min_insync: u32,
    /// 0, 1 or all (-1 in Kafka; written 255 here).
    pub acks: u8,
    /// Idempotent producers (KIP-98, `enable.idempotence`, on by default since Kafka 3.0):
    /// each record carries the producer's id, epoch and sequence number, and a leader appends
    /// a retry only once. As in Kafka, it takes acks=all: with acks 0 or 1 it is off.
    pub idempotence: bool,
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
    pub strategy: Strategy,
    pub group_heartbeat_us: u64,
    pub group_session_us: u64,
    pub mutant: Option<Mutant>,
    /// A scenario's timed steps and narration.
    pub script: Vec<(Time, ScriptAction<ClientOp>)>,
    pub narration: Vec<crate::lesson::Step>,
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
            idempotence: true,
            producers: 1,
            keys: 8,
            replica_lag_us: 120_000,
            fetch_us: 20_000,
            session_us: 150_000,
            produce_every_us: 30_000,
            consumers: 2,
            idle_consumers: 0,
            strategy: Strategy::Range,
            group_heartbeat_us: 50_000,
            group_session_us: 200_000,
            mutant: None,
            script: Vec::new(),
            narration: Vec::new(),
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
    /// Whether producers are idempotent: asked for, and with acks=all (Kafka's producer turns
    /// idempotence off with a weaker `acks` unless it was asked for explicitly, and refuses
    /// the combination then).
    pub fn idempotent(&self) -> bool {
        self.idempotence && self.acks == ACKS_ALL
    }
    /// How long a rebalance waits for the known members to rejoin (Kafka's rebalance timeout,
    /// the consumer's `max.poll.interval.ms`: 5 minutes by default against a 45 s session).
    /// Here three sessions: longer than a session, so that a member the coordinator still hears
    /// from is waited for, and one it no longer hears from is dropped when its session runs out.
    pub fn rebalance_timeout_us(&self) -> u64 {
        self.group_session_us.saturating_mul(3)
    }
    /// How often a consumer in a group asks for the topic's metadata by itself (Kafka's
    /// `metadata.max.age.ms`, 5 minutes by default): here two group sessions.
    pub fn metadata_max_age_us(&self) -> u64 {
        self.group_session_us.saturating_mul(2)
    }
    /// How long a group with no members waits for more to join before it forms its first
    /// generation (Kafka's `group.initial.rebalance.delay.ms`, 3 s by default): half a session.
    pub fn initial_rebalance_delay_us(&self) -> u64 {
        self.group_session_us / 2
    }
    pub(super) fn is(&self, m: Mutant) -> bool {
        self.mutant == Some(m)
    }
    pub(super) fn placement(&self) -> Vec<Vec<u32>> {
        assign_replicas(self.brokers as u32, self.partitions, self.rf, 0).expect("validated")
    }
}
