//! A broker: the replicas it holds, the leader's side of replication (appending produced
//! records, answering fetches, moving the high watermark over the maximal ISR of KIP-497,
//! answering acks=all once it passes a record, asking the controller to shrink or grow the ISR)
//! and the follower's side (fetching, applying only the answer to its current fetch, truncating
//! where its log diverges, KIP-101 and KIP-279), and what survives its crash.

use alloc::vec;
use alloc::vec::Vec;

use super::config::{Kafka, Mutant, ACKS_ALL};
use super::group::serve_fetch;
use super::idempotence::sequence_check;
use super::types::{EpochEnd, IsrError, Msg, Note, ProduceError, Rec, Timer, MAX_PARTITIONS};
use crate::protocol::{Ctx, NodeId, Time};

/// What a replica keeps across a crash: its log, the high watermark it checkpointed, and the
/// leader epoch it last heard of (Kafka's leader-epoch checkpoint).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct ReplicaHard {
    pub log: Vec<Rec>,
    pub hw: u64,
    pub epoch: u32,
}

/// One replica of one partition on a broker.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Replica {
    /// Persistent: the log, the high watermark, the leader epoch.
    pub hard: ReplicaHard,
    pub leader: Option<NodeId>,
    pub isr: Vec<NodeId>,
    /// The partition epoch of the state it holds (0 after a restart, until it hears again).
    pub partition_epoch: u32,
    /// On the leader: what it knows of each follower.
    pub follower_leo: Vec<Follower>,
    /// On the leader: its log end offset when it became leader, where its leader epoch starts.
    pub lead_start: u64,
    /// On the leader: acks=all requests waiting for the HW: (offset, producer, request).
    pub waiting: Vec<(u64, NodeId, u64)>,
    /// On the leader: an ISR change sent to the controller and not yet answered.
    pub pending_isr: Option<PendingIsr>,
    /// On the leader: the number of its last `AlterIsr` send (from 0 in each incarnation).
    pub alter_req: u64,
    /// On a follower: the epoch whose leader last set its high watermark.
    pub hw_epoch: Option<u32>,
}

/// An ISR change a leader has asked the controller for (Kafka's `PendingPartitionChange`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PendingIsr {
    pub isr: Vec<NodeId>,
    /// When it was last sent: unanswered, it is sent again (the request or its answer may be
    /// lost; Kafka's channel to the controller retries).
    pub sent: Time,
    /// The number of its last send: only the answer to that one counts.
    pub req: u64,
    /// Refused as stale (a fenced leader epoch, an old partition epoch): not asked again; the
    /// newer state the controller sends ends it (`handleAlterPartitionError`).
    pub refused: bool,
}

/// What a leader knows of one follower (Kafka's `Replica` state on the leader).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Follower {
    pub id: NodeId,
    /// Its log end offset, as its last fetch said.
    pub leo: u64,
    /// When it was last caught up with the leader (`lastCaughtUpTimeMs`); none: never, since
    /// this leader knows it (Kafka's 0, an instant decades before its clock's now; here the
    /// clock starts at 0, where 0 would count as just now).
    pub caught_up: Option<Time>,
    /// The leader's log end offset at the follower's last fetch, and when that fetch came
    /// (`lastFetchLeaderLogEndOffset`, `lastFetchTimeMs`); none before its first fetch here.
    pub last_fetch: Option<(u64, Time)>,
    /// Not added to the ISR before this time. Kafka's leader adds no broker its metadata shows
    /// fenced (KIP-841's `isReplicaIsrEligible`); brokers here do not follow broker
    /// registrations, so the controller's refusal of this follower as ineligible stands for
    /// that news for half a lag time, instead of a request at every fetch.
    pub eligible_after: Time,
}

impl Follower {
    /// A follower as a new leader first knows it: caught up now if it is in the ISR.
    fn new(id: NodeId, in_sync: bool, now: Time) -> Follower {
        Follower {
            id,
            leo: 0,
            caught_up: in_sync.then_some(now),
            last_fetch: None,
            eligible_after: Time::ZERO,
        }
    }

    /// A fetch from offset `offset` at `now`, when the leader's log ends at `end`
    /// (`Replica.updateFetchState`): caught up now if it reached the end; caught up as of its
    /// previous fetch if it reached where the log ended then (under steady load a follower is
    /// always a batch behind, yet keeps up).
    fn fetched(&mut self, offset: u64, end: u64, now: Time) {
        let caught_up = match self.last_fetch {
            _ if offset >= end => Some(now),
            Some((then_end, then)) if offset >= then_end => Some(then),
            _ => self.caught_up,
        };
        self.caught_up = self.caught_up.max(caught_up);
        self.leo = offset;
        self.last_fetch = Some((end.max(self.last_fetch.map_or(0, |l| l.0)), now));
    }

    /// `Replica.isCaughtUp`: at the end of the leader's log `end`, or caught up within `lag`.
    fn in_sync(&self, end: u64, now: Time, lag: u64) -> bool {
        self.leo == end || self.caught_up.is_some_and(|t| now.0.saturating_sub(t.0) <= lag)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Broker {
    pub id: NodeId,
    /// How many times this broker has started before (kept across a crash).
    pub incarnation: u64,
    /// Replicas by partition (`None` where this broker holds no replica).
    pub replicas: Vec<Option<Replica>>,
}

pub(crate) fn leo(r: &Replica) -> u64 {
    r.hard.log.len() as u64
}

/// A leader's request to change the ISR, from the state it holds, as its send number
/// `r.alter_req`.
pub(super) fn alter_isr(partition: u32, isr: Vec<NodeId>, r: &Replica, incarnation: u64) -> Msg {
    let (leader_epoch, partition_epoch, req) = (r.hard.epoch, r.partition_epoch, r.alter_req);
    Msg::AlterIsr { partition, isr, leader_epoch, partition_epoch, incarnation, req }
}

/// Ask the controller for ISR `isr` (again, if it is the pending change), under a new number.
fn ask_isr(
    k: &Kafka,
    partition: u32,
    isr: Vec<NodeId>,
    r: &mut Replica,
    incarnation: u64,
    ctx: &mut Ctx<Kafka>,
) {
    r.alter_req += 1;
    let refused = false;
    r.pending_isr = Some(PendingIsr { isr: isr.clone(), sent: ctx.now(), req: r.alter_req, refused });
    ctx.send(k.controller(), alter_isr(partition, isr, r, incarnation));
}

/// The epoch of a replica's last record (0 for an empty log: epochs start at 1).
fn last_epoch_of(r: &Replica) -> u32 {
    r.hard.log.last().map(|x| x.epoch).unwrap_or(0)
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
    let answer = if last_epoch == r.hard.epoch {
        // My current epoch ends at my log end (Kafka's cache holds the leader's own epoch).
        EpochEnd { epoch: last_epoch, end: leo(r) }
    } else {
        // No epoch ≤ last_epoch at all: Kafka answers the requested epoch with the start of the
        // first later one (here offset 0), so the follower truncates everything.
        let (floor, end) = epoch_end(&r.hard.log, last_epoch);
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

/// The *maximal* ISR (KIP-497): the ISR with the additions the leader has asked for, which
/// count already, so the HW never passes a record that a replica the controller may elect
/// lacks.
fn maximal_isr(r: &Replica) -> impl Iterator<Item = &NodeId> {
    let pending = r.pending_isr.as_ref().map(|p| p.isr.as_slice()).unwrap_or(&[]);
    r.isr.iter().chain(pending.iter().filter(|m| !r.isr.contains(m)))
}

/// The HW the leader may move to (`Partition.maybeIncrementLeaderHW`): the least log end over
/// the maximal ISR and over the followers outside it that are caught up (within the lag), which
/// may join it (KAFKA-4485: else a follower behind a leader alone in the ISR never reaches the
/// HW it must reach to join).
fn isr_hw(k: &Kafka, me: NodeId, r: &Replica, now: Time) -> u64 {
    if k.is(Mutant::HwBeforeIsr) {
        return leo(r);
    }
    let end = leo(r);
    let mut hw = end;
    for f in &r.follower_leo {
        if f.leo < hw && (maximal_isr(r).any(|m| *m == f.id) || f.in_sync(end, now, k.replica_lag_us)) {
            hw = f.leo;
        }
    }
    // A member the leader has no follower state for (itself aside) holds nothing it knows of.
    if maximal_isr(r).any(|m| *m != me && !r.follower_leo.iter().any(|f| f.id == *m)) {
        hw = 0;
    }
    hw
}

/// Leader: move the HW up to what the ISR has, unless the ISR is below min.insync.replicas
/// (Kafka 3.7, KAFKA-15583: a record is committed only with that many replicas in sync), and
/// answer acks=all requests below it.
fn advance_hw(k: &Kafka, me: NodeId, p: u32, r: &mut Replica, ctx: &mut Ctx<Kafka>) {
    if (r.isr.len() as u32) >= k.min_insync {
        r.hard.hw = isr_hw(k, me, r, ctx.now()).max(r.hard.hw).min(leo(r));
    }
    let hw = r.hard.hw;
    // Kafka's NOT_ENOUGH_REPLICAS_AFTER_APPEND (`checkEnoughReplicasReachOffset`): a record the
    // HW has passed while the maximal ISR is below min.insync.replicas is not acknowledged,
    // though it is in the log.
    let enough = maximal_isr(r).count() as u32 >= k.min_insync || k.is(Mutant::AckBeforeReplication);
    let mut keep = Vec::new();
    for (offset, producer, req) in core::mem::take(&mut r.waiting) {
        if offset < hw {
            if enough {
                acknowledge_all(p, offset, r, producer, req, ctx);
            } else {
                let result = Err(ProduceError::NotEnoughReplicasAfterAppend);
                ctx.send(producer, Msg::ProduceResponse { req, result });
            }
        } else {
            keep.push((offset, producer, req));
        }
    }
    r.waiting = keep;
}

/// Answer an acks=all request for the record at `offset`, and say so: the checker judges the
/// acknowledgement when it leaves the leader (acked-min-insync), before followers fetching
/// while the answer travels could make up for an early one.
fn acknowledge_all(p: u32, offset: u64, r: &Replica, producer: NodeId, req: u64, ctx: &mut Ctx<Kafka>) {
    let value = r.hard.log.get(offset as usize).map_or(0, |x| x.value);
    ctx.note(Note::Answered { partition: p, offset, value });
    ctx.send(producer, Msg::ProduceResponse { req, result: Ok(offset) });
}

pub(super) fn broker_init(k: &Kafka, ctx: &mut Ctx<Kafka>) -> Broker {
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

pub(super) fn broker_message(k: &Kafka, b: &mut Broker, from: NodeId, msg: Msg, ctx: &mut Ctx<Kafka>) {
    let me = b.id;
    let now = ctx.now();
    match msg {
        // Sent to an incarnation before a restart (a duplicate, or a late answer): what it says
        // was true of a broker that knew what this one forgot (the ISR change it asked for).
        Msg::LeaderAndIsr { incarnation, .. } if incarnation < b.incarnation => {}
        Msg::LeaderAndIsr { partition, replicas, leader, isr, leader_epoch, partition_epoch, .. } => {
            // A partition added to the topic: create its replica here if this broker holds one.
            let p = partition as usize;
            if p < MAX_PARTITIONS as usize && replicas.contains(&me) {
                if b.replicas.len() <= p {
                    b.replicas.resize(p + 1, None);
                }
                b.replicas[p].get_or_insert_with(Replica::default);
            }
            let Some(Some(r)) = b.replicas.get_mut(p) else { return };
            if leader_epoch >= r.hard.epoch && partition_epoch >= r.partition_epoch {
                // A new leader epoch starts a leadership, even one of the same broker
                // (`Partition.makeLeader`'s `isNewLeaderEpoch`).
                let new_leadership = leader_epoch > r.hard.epoch || r.leader != Some(me);
                // A newer state is the controller's answer to any ISR change I asked for (applied
                // or refused). The state I hold, announced again (a duplicate), is not: until the
                // answer comes, the change I asked for still counts (KIP-497's maximal ISR), since
                // the controller may have made it already.
                if partition_epoch > r.partition_epoch {
                    r.pending_isr = None;
                }
                r.hard.epoch = leader_epoch;
                r.partition_epoch = partition_epoch;
                r.leader = leader;
                r.isr = isr;
                if leader == Some(me) {
                    if new_leadership {
                        let followers = replicas.into_iter().filter(|f| *f != me);
                        r.follower_leo =
                            followers.map(|f| Follower::new(f, r.isr.contains(&f), now)).collect();
                        r.lead_start = leo(r);
                    }
                    advance_hw(k, me, p as u32, r, ctx);
                } else {
                    for (_, producer, req) in core::mem::take(&mut r.waiting) {
                        ctx.send(
                            producer,
                            Msg::ProduceResponse { req, result: Err(ProduceError::NotLeader) },
                        );
                    }
                    r.follower_leo.clear();
                }
            }
            let (epoch, incarnation) = (r.partition_epoch, b.incarnation);
            ctx.send(from, Msg::LeaderAndIsrResponse { partition, epoch, incarnation });
        }
        Msg::AlterIsrResponse { partition, isr, leader_epoch, partition_epoch, req, error } => {
            let Some(Some(r)) = b.replicas.get_mut(partition as usize) else { return };
            // Only the answer to my last send of the change I wait for, asked from the state I
            // hold, counts (Kafka ignores one for a state it has left: `partitionState !=
            // proposedIsrState`).
            let current =
                r.leader == Some(me) && leader_epoch == r.hard.epoch && partition_epoch == r.partition_epoch;
            let Some(pending) = r.pending_isr.as_mut().filter(|p| current && p.req == req && p.isr == isr)
            else {
                return;
            };
            if error == IsrError::IneligibleReplica {
                // The controller says my state is current and the change was not made: back to
                // that state, so the members refused no longer count in my maximal ISR, and
                // those I asked to add wait before I ask for them again.
                r.pending_isr = None;
                let until = Time(now.0.saturating_add(k.replica_lag_us / 2));
                for f in r.follower_leo.iter_mut().filter(|f| isr.contains(&f.id) && !r.isr.contains(&f.id)) {
                    f.eligible_after = until;
                }
            } else {
                pending.refused = true;
            }
        }
        Msg::Fetch { partition, offset, last_epoch, epoch } => {
            let Some(Some(r)) = b.replicas.get_mut(partition as usize) else { return };
            if r.leader != Some(me) || epoch != r.hard.epoch {
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
                        hw: r.hard.hw,
                        diverging: Some(d),
                        epoch,
                    },
                );
                return;
            }
            let end_of_log = leo(r);
            if let Some(f) = r.follower_leo.iter_mut().find(|f| f.id == from) {
                f.fetched(offset, end_of_log, now);
            }
            // Back in sync (`Partition.isFollowerInSync`): at or past the high watermark and
            // the start of this leader's epoch (KAFKA-7128: a new leader's high watermark can
            // lag the records its predecessor committed). The HW cannot fall by it: the
            // follower holds everything below it.
            let at_start = offset >= r.lead_start || k.is(Mutant::RejoinBeforeEpochStart);
            let in_sync = offset >= r.hard.hw && at_start;
            let eligible =
                r.follower_leo.iter().find(|f| f.id == from).is_none_or(|f| now >= f.eligible_after);
            if in_sync && !r.isr.contains(&from) && r.pending_isr.is_none() && eligible {
                let mut isr = r.isr.clone();
                isr.push(from);
                ask_isr(k, partition, isr, r, b.incarnation, ctx);
            }
            advance_hw(k, me, partition, r, ctx);
            let upto = (offset as usize + 16).min(r.hard.log.len());
            let records = r.hard.log[offset as usize..upto].to_vec();
            ctx.send(
                from,
                Msg::FetchResponse {
                    partition,
                    records,
                    from: offset,
                    last_epoch,
                    hw: r.hard.hw,
                    diverging: None,
                    epoch,
                },
            );
        }
        Msg::FetchResponse { partition, records, from: at, last_epoch, hw, diverging, epoch } => {
            let Some(Some(r)) = b.replicas.get_mut(partition as usize) else { return };
            if epoch != r.hard.epoch || r.leader == Some(me) {
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
                let t = truncation_point(&r.hard.log, d);
                r.hard.log.truncate(t as usize);
                r.hard.hw = r.hard.hw.min(t);
                return;
            }
            r.hard.log.extend(records);
            // A follower takes its leader's high watermark, capped at its own log end
            // (`UnifiedLog.maybeUpdateHighWatermark`): after a failover it goes down to the new
            // leader's, which may lag the old one's. Within one epoch the leader's only grows,
            // and Kafka's one ordered connection brings it in order; here answers come late, so
            // within an epoch a lower one is an old answer and does not lower it.
            let capped = hw.min(leo(r));
            r.hard.hw = if r.hw_epoch == Some(epoch) { capped.max(r.hard.hw.min(leo(r))) } else { capped };
            r.hw_epoch = Some(epoch);
        }
        Msg::ConsumerFetch { partition, offset } => {
            let Some(Some(r)) = b.replicas.get(partition as usize) else { return };
            if r.leader != Some(me) {
                return;
            }
            // Consumers read only committed records, below the high watermark.
            let end = if k.is(Mutant::ConsumeUncommitted) { leo(r) } else { r.hard.hw };
            let records = serve_fetch(&r.hard.log, end, offset);
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
            // An idempotent producer's retry of a record the log holds is answered with where
            // it is, not appended again; one out of sequence is refused.
            let held = match rec.producer {
                Some(s) => {
                    let start = if k.is(Mutant::SequencesNotReplicated) { r.lead_start as usize } else { 0 };
                    match sequence_check(&r.hard.log, start, s) {
                        Ok(held) => held,
                        Err(e) => {
                            ctx.send(from, Msg::ProduceResponse { req, result: Err(e) });
                            return;
                        }
                    }
                }
                None => None,
            };
            let offset = held.unwrap_or_else(|| {
                r.hard.log.push(Rec { epoch: r.hard.epoch, ..rec });
                leo(r) - 1
            });
            match k.acks {
                0 => {}
                ACKS_ALL if !k.is(Mutant::AckBeforeReplication) => r.waiting.push((offset, from, req)),
                ACKS_ALL => acknowledge_all(partition, offset, r, from, req, ctx),
                _ => ctx.send(from, Msg::ProduceResponse { req, result: Ok(offset) }),
            }
            advance_hw(k, me, partition, r, ctx);
        }
        _ => {}
    }
}

pub(super) fn broker_timer(k: &Kafka, b: &mut Broker, timer: Timer, ctx: &mut Ctx<Kafka>) {
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
                                epoch: r.hard.epoch,
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
                if let Some(pending) = &r.pending_isr {
                    // Unanswered (the request or its answer may be lost): ask again.
                    if !pending.refused && now.0.saturating_sub(pending.sent.0) > k.replica_lag_us / 2 {
                        let isr = pending.isr.clone();
                        ask_isr(k, p as u32, isr, r, b.incarnation, ctx);
                    }
                    continue;
                }
                let lagging: Vec<NodeId> = r
                    .follower_leo
                    .iter()
                    // Out of sync (`Replica.isCaughtUp`): behind the log's end, and not caught
                    // up for longer than replica.lag.time.max.ms.
                    .filter(|f| r.isr.contains(&f.id) && !f.in_sync(leo(r), now, k.replica_lag_us))
                    .map(|f| f.id)
                    .collect();
                if !lagging.is_empty() {
                    let isr: Vec<NodeId> = r.isr.iter().copied().filter(|m| !lagging.contains(m)).collect();
                    ask_isr(k, p as u32, isr, r, b.incarnation, ctx);
                }
            }
            ctx.set_timer(Timer::IsrCheck, Time(k.replica_lag_us / 2));
        }
        _ => {}
    }
}

/// What a broker keeps across a crash, and all its restart sees: how many times it started
/// before, and each of its replicas' hard state (`None` where it holds no replica).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct BrokerDurable {
    pub incarnation: u64,
    pub replicas: Vec<Option<ReplicaHard>>,
}

pub(super) fn broker_durable(b: &Broker) -> BrokerDurable {
    BrokerDurable {
        incarnation: b.incarnation,
        replicas: b.replicas.iter().map(|r| r.as_ref().map(|r| r.hard.clone())).collect(),
    }
}

/// A broker comes back from a crash with only what survived: its logs, their checkpointed high
/// watermarks and epochs. Leadership and the ISR are re-learned from the controller, which it
/// tells at once that it runs in a new incarnation.
pub(super) fn broker_restart(k: &Kafka, durable: BrokerDurable, ctx: &mut Ctx<Kafka>) -> Broker {
    let replicas =
        durable.replicas.into_iter().map(|r| r.map(|hard| Replica { hard, ..Replica::default() })).collect();
    arm_broker(k, ctx);
    // Register at once, in a new incarnation.
    let incarnation = durable.incarnation + 1;
    ctx.send(k.controller(), Msg::Heartbeat { incarnation });
    Broker { id: ctx.me(), incarnation, replicas }
}
