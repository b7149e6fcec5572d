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
//! point where it agrees with the new leader (leader epochs, KIP-101).
//!
//! The checker holds Kafka's promise: with `acks=all`, `min.insync.replicas ≥ 2` and clean
//! elections, an acknowledged record is never lost, and replicas never disagree below the HW.

use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use serde::Serialize;

use crate::protocol::{About, Ctx, MessageInfo, MutantInfo, NodeId, NodeView, PropertyInfo, Protocol, Time};
use crate::rng::Rng;

/// One record: which producer wrote it (and its sequence number), and the leader epoch it was
/// appended in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Rec {
    pub key: u32,
    pub value: u64,
    pub epoch: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum ProduceError {
    NotLeader,
    NotEnoughReplicas,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Msg {
    Heartbeat,
    /// Controller → replicas: the partition's leader, ISR and epoch.
    LeaderAndIsr {
        partition: u32,
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
    Fetch {
        partition: u32,
        offset: u64,
        last_epoch: u32,
        epoch: u32,
    },
    FetchResponse {
        partition: u32,
        records: Vec<Rec>,
        from: u64,
        hw: u64,
        truncate_to: Option<u64>,
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
    },
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
    RebalanceInProgress,
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
        records: Vec<u64>,
    },
    MetadataResponse {
        leaders: Vec<Option<NodeId>>,
    },
}

impl MessageInfo for Msg {
    fn kind(&self) -> &'static str {
        match self {
            Msg::Heartbeat => "BrokerHeartbeat",
            Msg::LeaderAndIsr { .. } => "LeaderAndIsr",
            Msg::AlterIsr { .. } => "AlterPartition",
            Msg::Fetch { .. } => "Fetch",
            Msg::FetchResponse { .. } => "FetchResponse",
            Msg::Produce { .. } => "Produce",
            Msg::ProduceResponse { .. } => "ProduceResponse",
            Msg::Metadata => "Metadata",
            Msg::MetadataResponse { .. } => "MetadataResponse",
            Msg::JoinGroup { .. } => "JoinGroup",
            Msg::JoinResponse { .. } => "JoinGroupResponse",
            Msg::SyncGroup { .. } => "SyncGroup",
            Msg::SyncResponse { .. } => "SyncGroupResponse",
            Msg::GroupHeartbeat { .. } => "Heartbeat",
            Msg::RebalanceInProgress => "RebalanceInProgress",
            Msg::OffsetCommit { .. } => "OffsetCommit",
            Msg::ConsumerFetch { .. } => "ConsumerFetch",
            Msg::ConsumerFetchResponse { .. } => "ConsumerFetchResponse",
        }
    }
    fn summary(&self) -> String {
        match self {
            Msg::LeaderAndIsr { partition, leader, isr, epoch } => {
                format!(
                    "(p{partition} leader {} isr {} epoch {epoch})",
                    names(leader.iter()),
                    names(isr.iter())
                )
            }
            Msg::AlterIsr { partition, isr, epoch } => {
                format!("(p{partition} isr {} epoch {epoch})", names(isr.iter()))
            }
            Msg::Fetch { partition, offset, .. } => format!("(p{partition} from offset {offset})"),
            Msg::FetchResponse { partition, records, hw, truncate_to, .. } => match truncate_to {
                Some(t) => format!("(p{partition}: truncate to {t})"),
                None => format!("(p{partition}: {} records, hw {hw})", records.len()),
            },
            Msg::Produce { partition, rec, .. } => {
                format!("(p{partition} key k{} value {})", rec.key, rec.value)
            }
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
}

/// Not used by this protocol's page yet; kept for scripted requests.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum ClientOp {
    /// Produce a record with this key now.
    Produce(u32),
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
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Producer {
    pub id: NodeId,
    pub next_seq: u64,
    pub partitioner: super::partitioner::StickyPartitioner,
    pub leaders: Vec<Option<NodeId>>,
    pub pending: Option<(u32, Rec, u64)>,
    pub acked: u64,
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
];

const PROPERTIES: &[PropertyInfo] = &[
    PropertyInfo {
        name: "acked-not-lost",
        description: "a record acknowledged with acks=all stays in its partition at its offset",
    },
    PropertyInfo {
        name: "committed-agree",
        description: "replicas agree on every record below the high watermark",
    },
    PropertyInfo {
        name: "consumed-stable",
        description: "a record a consumer read never disappears: every read of that offset returns it",
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
    pub produce_every_us: u64,
    /// Consumers in the group, and how partitions are assigned to them.
    pub consumers: usize,
    pub strategy: super::assign::Strategy,
    pub group_heartbeat_us: u64,
    pub group_session_us: u64,
    pub mutant: Option<Mutant>,
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
            strategy: super::assign::Strategy::Range,
            group_heartbeat_us: 50_000,
            group_session_us: 200_000,
            mutant: None,
        }
    }
}

impl Mutant {
    pub fn parse(s: &str) -> Option<Mutant> {
        match s {
            "unclean-election" => Some(Mutant::UncleanElection),
            "hw-before-isr" => Some(Mutant::HwBeforeIsr),
            "ack-before-replication" => Some(Mutant::AckBeforeReplication),
            _ => None,
        }
    }
}

impl Kafka {
    pub fn validate(&self) -> Result<(), String> {
        if !(1..=9).contains(&self.brokers) {
            return Err(format!("brokers must be between 1 and 9 (got {})", self.brokers));
        }
        if !(1..=32).contains(&self.partitions) {
            return Err(format!("partitions must be between 1 and 32 (got {})", self.partitions));
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

fn leo(r: &Replica) -> u64 {
    r.log.len() as u64
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
    Broker { id: me, replicas }
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
        Msg::LeaderAndIsr { partition, leader, isr, epoch } => {
            let Some(Some(r)) = b.replicas.get_mut(partition as usize) else { return };
            if epoch < r.epoch {
                return;
            }
            let was_leader = r.leader == Some(me);
            r.epoch = epoch;
            r.leader = leader;
            r.isr = isr;
            r.pending_isr = None;
            if leader == Some(me) {
                if !was_leader {
                    let followers: Vec<u32> = k.placement()[partition as usize].clone();
                    r.follower_leo =
                        followers.into_iter().filter(|f| *f != me.0).map(|f| (NodeId(f), 0, now)).collect();
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
            // KIP-101: where does the follower's last epoch end in my log?
            let end = r.log.iter().position(|x| x.epoch > last_epoch).map(|i| i as u64).unwrap_or(leo(r));
            if offset > end {
                ctx.send(
                    from,
                    Msg::FetchResponse {
                        partition,
                        records: vec![],
                        from: offset,
                        hw: r.hw,
                        truncate_to: Some(end),
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
                Msg::FetchResponse { partition, records, from: offset, hw: r.hw, truncate_to: None, epoch },
            );
        }
        Msg::FetchResponse { partition, records, from: at, hw, truncate_to, epoch } => {
            let Some(Some(r)) = b.replicas.get_mut(partition as usize) else { return };
            if epoch != r.epoch || r.leader == Some(me) {
                return;
            }
            if let Some(t) = truncate_to {
                r.log.truncate(t as usize);
                r.hw = r.hw.min(t);
                return;
            }
            if at == leo(r) {
                r.log.extend(records);
                r.hw = hw.min(leo(r)).max(r.hw.min(leo(r)));
            }
        }
        Msg::ConsumerFetch { partition, offset } => {
            let Some(Some(r)) = b.replicas.get(partition as usize) else { return };
            if r.leader != Some(me) {
                return;
            }
            let values: Vec<u64> = r.log.iter().map(|x| x.value).collect();
            let records = super::group::serve_fetch(&values, r.hw, offset);
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
            ctx.send(k.controller(), Msg::Heartbeat);
            ctx.set_timer(Timer::Heartbeat, Time(k.session_us / 3));
        }
        Timer::FetchTick => {
            for (p, r) in b.replicas.iter().enumerate() {
                if let Some(r) = r {
                    if let Some(l) = r.leader.filter(|l| *l != me) {
                        let last_epoch = r.log.last().map(|x| x.epoch).unwrap_or(0);
                        ctx.send(
                            l,
                            Msg::Fetch { partition: p as u32, offset: leo(r), last_epoch, epoch: r.epoch },
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
    Controller { partitions, brokers: vec![(Time::ZERO, true); k.brokers], group, owned: Default::default() }
}

fn announce(p: u32, s: &PartitionState, live: &[(Time, bool)], ctx: &mut Ctx<Kafka>) {
    for r in &s.replicas {
        if live[r.index()].1 {
            ctx.send(
                *r,
                Msg::LeaderAndIsr { partition: p, leader: s.leader, isr: s.isr.clone(), epoch: s.epoch },
            );
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
        Msg::Heartbeat => {
            let Some(entry) = c.brokers.get_mut(from.index()) else { return };
            entry.0 = ctx.now();
            if !entry.1 {
                entry.1 = true;
                for p in 0..c.partitions.len() {
                    if !c.partitions[p].replicas.contains(&from) {
                        continue;
                    }
                    if c.partitions[p].leader.is_none() {
                        elect(k, c, p, ctx);
                    } else {
                        let s = c.partitions[p].clone();
                        ctx.send(
                            from,
                            Msg::LeaderAndIsr {
                                partition: p as u32,
                                leader: s.leader,
                                isr: s.isr,
                                epoch: s.epoch,
                            },
                        );
                    }
                }
            }
        }
        Msg::AlterIsr { partition, isr, epoch } => {
            let Some(s) = c.partitions.get_mut(partition as usize) else { return };
            if epoch != s.epoch || s.leader != Some(from) || isr.is_empty() || !isr.contains(&from) {
                // Stale: tell the sender the current state.
                let s = s.clone();
                ctx.send(from, Msg::LeaderAndIsr { partition, leader: s.leader, isr: s.isr, epoch: s.epoch });
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
            c.brokers[b].1 = false;
            let dead = NodeId(b as u32);
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
    }
    ctx.set_timer(Timer::LivenessCheck, Time(k.session_us / 3));
}

fn producer_send(k: &Kafka, pr: &mut Producer, ctx: &mut Ctx<Kafka>) {
    let Some((p, rec, req)) = pr.pending else { return };
    match pr.leaders.get(p as usize).copied().flatten() {
        Some(l) => {
            ctx.send(l, Msg::Produce { partition: p, rec, req });
            if k.acks == 0 {
                pr.pending = None;
                ctx.set_timer(Timer::Produce, Time(k.produce_every_us));
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
                // A quarter of the records have no key: they use sticky partitioning.
                let key = ctx.rng().below(k.keys as u64) as u32;
                let keyed = !ctx.rng().chance(0.25);
                let key_bytes = format!("k{key}");
                let p = pr.partitioner.partition(
                    keyed.then_some(key_bytes.as_bytes()),
                    None,
                    k.partitions,
                    ctx.rng(),
                );
                pr.next_seq += 1;
                let value = ((pr.id.0 as u64) << 32) | pr.next_seq;
                pr.pending = Some((p, Rec { key, value, epoch: 0 }, pr.next_seq));
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
        Msg::MetadataResponse { leaders } => pr.leaders = leaders,
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
                    pr.partitioner.batch_sent(k.partitions, ctx.rng());
                    ctx.cancel_timer(Timer::ProduceTimeout);
                    ctx.set_timer(Timer::Produce, Time(k.produce_every_us));
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
    /// Per partition: (offset, value) of every acknowledged record, in order.
    pub acked: Vec<Vec<(u64, u64)>>,
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
            let first = ctx.rng().range(1_000, self.produce_every_us);
            ctx.set_timer(Timer::Produce, Time(first));
            ctx.send(self.controller(), Msg::Metadata);
            Node::Producer(Producer {
                id: me,
                next_seq: 0,
                partitioner: Default::default(),
                leaders: vec![None; self.partitions as usize],
                pending: None,
                acked: 0,
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
        if let (Node::Producer(p), ClientOp::Produce(_)) = (node, op) {
            producer_timer(self, p, Timer::Produce, ctx);
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
                Node::Broker(Broker { id: b.id, replicas })
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
        let parts = self.partitions as usize;
        if m.committed.len() < parts {
            m.committed.resize(parts, Vec::new());
            m.acked.resize(parts, Vec::new());
            m.checked = vec![vec![0; parts]; self.brokers];
            m.verified = vec![(None, 0, 0); parts];
            m.consumed = vec![Vec::new(); parts];
        }
        for n in notes {
            match n {
                Note::Acked { partition, offset, rec_value, .. } => {
                    m.acked[*partition as usize].push((*offset, *rec_value));
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
        for (p, r) in b.replicas.iter().enumerate() {
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
                    None => seen.push(r.log[i].value),
                }
            }
            m.checked[t.index()][p] = upto as u64;
            // Acknowledged records are in the partition leader's log. A leader's log only grows
            // while it leads, so each acknowledgement is checked once per leader and epoch.
            if c.partitions[p].leader == Some(t) && r.leader == Some(t) {
                let (who, epoch, done) = m.verified[p];
                let start = if who == Some(t) && epoch == r.epoch { done } else { 0 };
                for &(off, val) in &m.acked[p][start..] {
                    if r.log.get(off as usize).map(|x| x.value) != Some(val) {
                        return Err((
                            "acked-not-lost",
                            format!(
                                "the record acknowledged at p{p} offset {off} is gone from leader B{}",
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
                    summary: fields.iter().map(|(k, v)| format!("{k}: {v}")).collect(),
                    fields,
                    hue_key: None,
                    accepts: None,
                }
            }
            Node::Controller(c) => NodeView {
                role: "controller".into(),
                badge: "controller".into(),
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
                    .collect(),
                summary: Vec::new(),
                hue_key: None,
                accepts: None,
            },
            Node::Consumer(c) => NodeView {
                role: "consumer".into(),
                badge: format!("gen {}", c.generation),
                fields: vec![
                    ("partitions".into(), format!("{:?}", c.assigned)),
                    ("consumed".into(), format!("{}", c.consumed)),
                ],
                summary: vec![format!("partitions {:?}", c.assigned)],
                hue_key: None,
                accepts: None,
            },
            Node::Producer(p) => NodeView {
                role: "producer".into(),
                badge: "producer".into(),
                fields: vec![("acknowledged".into(), format!("{}", p.acked))],
                summary: vec![format!("{} acked", p.acked)],
                hue_key: None,
                accepts: None,
            },
        }
    }
    fn node_name(&self, id: NodeId) -> String {
        if id.index() < self.brokers {
            format!("B{}", id.0 + 1)
        } else if id == self.controller() {
            "controller".into()
        } else if id.index() > self.brokers + self.producers {
            format!("C{}", id.index() - self.brokers - 1 - self.producers)
        } else {
            format!("P{}", id.index() - self.brokers)
        }
    }
    fn parse_client(&self, text: &str) -> Result<ClientOp, String> {
        text.trim().parse::<u32>().map(ClientOp::Produce).map_err(|_| "a record key is a whole number".into())
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
        }
    }
    fn client_summary(op: &ClientOp) -> String {
        match op {
            ClientOp::Produce(k) => format!("produce key k{k}"),
        }
    }
    fn note_summary(n: &Note) -> String {
        match n {
            Note::Acked { partition, offset, .. } => {
                format!("producer acknowledged at p{partition} offset {offset}")
            }
            Note::Consumed { partition, offset, .. } => format!("consumer read p{partition} offset {offset}"),
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
