//! The controller: the partitions' leaders, ISRs and epochs. It watches the brokers'
//! heartbeats, elects a leader from the live ISR when one fails (a clean election; unclean with
//! the mutant), applies ISR changes fenced by the epochs, pushes `LeaderAndIsr` to the replicas,
//! answers metadata, adds partitions, and hosts the consumer group's coordinator
//! (`coordinator.rs`).

use alloc::vec;
use alloc::vec::Vec;

use super::config::{Kafka, Mutant};
use super::coordinator::{self, Group};
use super::partitioner::added_partition_replicas;
use super::types::{IsrError, Msg, Note, Timer, MAX_PARTITIONS};
use crate::protocol::{Ctx, NodeId, Protocol, Time};

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PartitionState {
    pub replicas: Vec<NodeId>,
    pub leader: Option<NodeId>,
    pub isr: Vec<NodeId>,
    /// Grows with each election (and only then: since Kafka 3.6 an ISR shrink no longer bumps
    /// it, `PartitionChangeBuilder`); it stamps the leader's records and fences fetches.
    pub leader_epoch: u32,
    /// Grows with every change of this state, an ISR change too; it fences `AlterIsr`.
    pub partition_epoch: u32,
    /// The last `AlterIsr` taken from each broker, and the refusal it got (none: made).
    pub alter_seen: Vec<AlterSeen>,
}

/// An `AlterIsr` the controller took: from which broker's incarnation, its number, and its
/// answer (a refusal, or none: the change was made).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct AlterSeen {
    pub from: NodeId,
    pub incarnation: u64,
    pub req: u64,
    pub refused: Option<IsrError>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Controller {
    pub partitions: Vec<PartitionState>,
    /// The consumer group this node coordinates.
    pub group: Group,
    /// Last heartbeat from each broker, and whether it is considered alive.
    pub brokers: Vec<(Time, bool)>,
    /// The incarnation each broker last registered with.
    pub incarnations: Vec<u64>,
    /// Per partition and broker: the partition epoch of the state that broker's current
    /// incarnation has answered for (0: none). A live replica behind the partition epoch is
    /// sent the state again at each liveness check.
    pub answered: Vec<Vec<u32>>,
    /// The next producer id to hand out (KIP-98's InitProducerId): each life of an idempotent
    /// producer asks for one, and takes only an answer to its own life, so no two lives share
    /// an id.
    pub next_pid: u32,
}

/// The controller comes back from a restart with all it knew, and arms both of its periodic
/// checks again: the brokers' liveness and the group coordinator's (without `GroupTick` a
/// consumer that died meanwhile would keep its partitions forever). Every broker's and every
/// member's session starts again from now, as Kafka's new active controller touches every
/// registered broker (`ClusterControlManager.activate`) and a coordinator that loads a group
/// schedules each member's heartbeat expiry afresh: nobody could heartbeat to it while it was
/// down, and judged by the times from before the crash, every broker would be fenced and every
/// member removed at its first check.
pub(super) fn controller_restart(k: &Kafka, mut c: Controller, ctx: &mut Ctx<Kafka>) -> Controller {
    let now = ctx.now();
    for (heard, _) in &mut c.brokers {
        *heard = now;
    }
    for m in &mut c.group.members {
        m.seen = now;
    }
    ctx.set_timer(Timer::LivenessCheck, Time(k.session_us / 3));
    ctx.set_timer(Timer::GroupTick, Time(k.group_heartbeat_us));
    c
}

pub(super) fn controller_init(k: &Kafka, ctx: &mut Ctx<Kafka>) -> Controller {
    let partitions: Vec<PartitionState> = k
        .placement()
        .into_iter()
        .map(|rs| {
            let replicas: Vec<NodeId> = rs.into_iter().map(NodeId).collect();
            PartitionState {
                leader: replicas.first().copied(),
                isr: replicas.clone(),
                replicas,
                leader_epoch: 1,
                partition_epoch: 1,
                alter_seen: Vec::new(),
            }
        })
        .collect();
    for (p, s) in partitions.iter().enumerate() {
        announce(p as u32, s, &vec![(Time::ZERO, true); k.brokers], &vec![0; k.brokers], ctx);
    }
    ctx.set_timer(Timer::LivenessCheck, Time(k.session_us / 3));
    ctx.set_timer(Timer::GroupTick, Time(k.group_heartbeat_us));
    let group = Group { committed: vec![0; k.partitions as usize], ..Default::default() };
    Controller {
        answered: vec![vec![0; k.brokers]; partitions.len()],
        partitions,
        brokers: vec![(Time::ZERO, true); k.brokers],
        incarnations: vec![0; k.brokers],
        group,
        next_pid: 0,
    }
}

/// The state of partition `p` for a broker in `incarnation`.
fn leader_and_isr(p: u32, s: &PartitionState, incarnation: u64) -> Msg {
    Msg::LeaderAndIsr {
        partition: p,
        replicas: s.replicas.clone(),
        leader: s.leader,
        isr: s.isr.clone(),
        leader_epoch: s.leader_epoch,
        partition_epoch: s.partition_epoch,
        incarnation,
    }
}

/// Tell every live replica of partition `p` its state, each addressed to the incarnation the
/// controller knows of it.
fn announce(p: u32, s: &PartitionState, live: &[(Time, bool)], incarnations: &[u64], ctx: &mut Ctx<Kafka>) {
    for r in &s.replicas {
        if live[r.index()].1 {
            ctx.send(*r, leader_and_isr(p, s, incarnations[r.index()]));
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
    s.leader_epoch += 1;
    s.partition_epoch += 1;
    ctx.note(Note::Elected { partition: p as u32, leader, epoch: s.leader_epoch, unclean });
    let snapshot = s.clone();
    announce(p as u32, &snapshot, &c.brokers, &c.incarnations, ctx);
}

pub(super) fn controller_message(
    k: &Kafka,
    c: &mut Controller,
    from: NodeId,
    msg: Msg,
    ctx: &mut Ctx<Kafka>,
) {
    match msg {
        Msg::Heartbeat { incarnation } => {
            let b = from.index();
            if b >= c.brokers.len() {
                return;
            }
            // A late heartbeat of an incarnation that has since restarted says nothing of the
            // broker now (KRaft fences a registration by its incarnation id).
            if incarnation < c.incarnations[b] {
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
                        ctx.send(from, leader_and_isr(p as u32, &c.partitions[p], c.incarnations[b]));
                    }
                }
            }
        }
        Msg::LeaderAndIsrResponse { partition, epoch, incarnation } => {
            let b = from.index();
            if c.incarnations.get(b) != Some(&incarnation) {
                return;
            }
            if let Some(e) = c.answered.get_mut(partition as usize).and_then(|a| a.get_mut(b)) {
                *e = (*e).max(epoch);
            }
        }
        Msg::AlterIsr { partition, isr, leader_epoch, partition_epoch, incarnation, req } => {
            let Some(s) = c.partitions.get_mut(partition as usize) else { return };
            // From another life of the broker than the one the controller knows: no answer
            // (Kafka's STALE_BROKER_EPOCH; that life leads nothing the controller knows of).
            if c.incarnations.get(from.index()) != Some(&incarnation) {
                return;
            }
            // A copy of the last request taken from this broker gets the same answer, not a second
            // judgement; an older one, none (Kafka's connection is ordered, one request in flight).
            let at = s.alter_seen.iter().position(|a| a.from == from);
            let last = at.map(|i| &s.alter_seen[i]);
            let refused = match last.map(|a| ((incarnation, req).cmp(&(a.incarnation, a.req)), a.refused)) {
                Some((core::cmp::Ordering::Less, _)) | Some((core::cmp::Ordering::Equal, None)) => return,
                Some((core::cmp::Ordering::Equal, refused)) => refused,
                _ => {
                    // Kafka's AlterPartition, in `ReplicationControlManager.validateAlterPartitionData`'s
                    // order: a stale leader epoch is fenced, a request from another broker than the
                    // leader invalid, a stale partition epoch refused; an ISR without its leader or
                    // with a broker that is no replica is invalid, and every member must be a broker
                    // the controller counts live (KIP-841: it could not elect a dead one).
                    let live = |b: &NodeId| c.brokers.get(b.index()).is_some_and(|x| x.1);
                    let refused = if leader_epoch != s.leader_epoch {
                        Some(IsrError::FencedLeaderEpoch)
                    } else if s.leader != Some(from) {
                        Some(IsrError::InvalidRequest)
                    } else if partition_epoch != s.partition_epoch {
                        Some(IsrError::InvalidUpdateVersion)
                    } else if !isr.contains(&from) || !isr.iter().all(|b| s.replicas.contains(b)) {
                        Some(IsrError::InvalidRequest)
                    } else if !isr.iter().all(live) {
                        Some(IsrError::IneligibleReplica)
                    } else {
                        None
                    };
                    let seen = AlterSeen { from, incarnation, req, refused };
                    match at {
                        Some(i) => s.alter_seen[i] = seen,
                        None => s.alter_seen.push(seen),
                    }
                    refused
                }
            };
            if let Some(error) = refused {
                let answer =
                    Msg::AlterIsrResponse { partition, isr, leader_epoch, partition_epoch, req, error };
                ctx.send(from, answer);
                return;
            }
            s.isr = isr;
            s.partition_epoch += 1;
            let s = s.clone();
            announce(partition, &s, &c.brokers, &c.incarnations, ctx);
        }
        Msg::Metadata => {
            let leaders = c.partitions.iter().map(|s| s.leader).collect();
            ctx.send(from, Msg::MetadataResponse { leaders });
        }
        Msg::InitProducerId { life } => {
            // Four billion lives are out of any run's reach; past them ids would repeat.
            let pid = c.next_pid;
            c.next_pid = c.next_pid.saturating_add(1);
            ctx.send(from, Msg::InitProducerIdResponse { pid, life });
        }
        other => coordinator::coordinator_message(k, &mut c.group, from, other, ctx),
    }
}

pub(super) fn controller_timer(k: &Kafka, c: &mut Controller, timer: Timer, ctx: &mut Ctx<Kafka>) {
    if timer == Timer::GroupTick {
        coordinator::coordinator_tick(k, &mut c.group, ctx);
        ctx.set_timer(Timer::GroupTick, Time(k.group_heartbeat_us));
        return;
    }
    // Again to every live replica that has not answered for its partition's current state
    // (before the failures found below announce states of their own).
    for (p, s) in c.partitions.iter().enumerate() {
        for r in &s.replicas {
            let b = r.index();
            if c.brokers[b].1 && c.answered[p][b] < s.partition_epoch {
                ctx.send(*r, leader_and_isr(p as u32, s, c.incarnations[b]));
            }
        }
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
    // What it answered, it answered in a life that may end here: ask its next one again.
    for a in &mut c.answered {
        a[dead.index()] = 0;
    }
    for p in 0..c.partitions.len() {
        let s = &mut c.partitions[p];
        if s.isr.contains(&dead) && s.isr.len() > 1 {
            s.isr.retain(|m| *m != dead);
            if s.leader != Some(dead) {
                s.partition_epoch += 1;
                let snap = s.clone();
                announce(p as u32, &snap, &c.brokers, &c.incarnations, ctx);
            }
        }
        if c.partitions[p].leader == Some(dead) {
            elect(k, c, p, ctx);
        }
    }
}

/// The controller adds a partition: placed as Kafka places an added partition, a leader from
/// the live replicas, and metadata pushed to every client (a simplification: real clients
/// refresh theirs periodically). The group rebalances so someone consumes the new partition.
pub(super) fn add_partition(k: &Kafka, c: &mut Controller, ctx: &mut Ctx<Kafka>) {
    let p = c.partitions.len() as u32;
    if p >= MAX_PARTITIONS {
        return;
    }
    // Kafka starts the rule afresh at the new partition, from partition 0's first replica.
    let first = c.partitions.first().and_then(|s| s.replicas.first()).map_or(0, |b| b.0);
    let Ok(placement) = added_partition_replicas(k.brokers as u32, p, k.rf, first) else { return };
    let replicas: Vec<NodeId> = placement.iter().map(|b| NodeId(*b)).collect();
    let live: Vec<NodeId> = replicas.iter().copied().filter(|r| c.brokers[r.index()].1).collect();
    let state = PartitionState {
        leader: live.first().copied(),
        isr: if live.is_empty() { replicas.clone() } else { live },
        replicas,
        leader_epoch: 1,
        partition_epoch: 1,
        alter_seen: Vec::new(),
    };
    announce(p, &state, &c.brokers, &c.incarnations, ctx);
    c.partitions.push(state);
    c.answered.push(vec![0; k.brokers]);
    c.group.committed.push(0);
    ctx.note(Note::PartitionAdded { partitions: p + 1 });
    // The clients hear of it at once (Kafka's learn it at their next metadata refresh). The
    // group's leader member, seeing more partitions than it assigned, asks the group to rebalance
    // (`group.rs`); a join in progress hands out the new count when it completes.
    let leaders: Vec<Option<NodeId>> = c.partitions.iter().map(|s| s.leader).collect();
    for client in k.brokers + 1..k.nodes() {
        ctx.send(NodeId(client as u32), Msg::MetadataResponse { leaders: leaders.clone() });
    }
}
