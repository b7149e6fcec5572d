//! Consumer groups: a coordinator (on the controller node), members that join, a leader member
//! that computes the assignment with the configured assignor, SyncGroup to hand it out,
//! heartbeats to stay in the group, generations that fence stale members, and committed
//! offsets. A member that stops heartbeating is removed after the session timeout and the
//! group rebalances. With cooperative-sticky, partitions that move are first revoked and a
//! follow-up rebalance assigns them (KIP-429).

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use super::assign::{assign, Member, Strategy};
use super::config::Kafka;
use super::types::{ClientOp, Msg, Note, Rec, Text8, Timer};
use crate::protocol::{Ctx, NodeId, Time};

pub const TOPIC: &str = "my_topic";

/// The coordinator's view of the group.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Group {
    pub generation: u32,
    /// Members of the current generation and when each last heartbeated.
    pub members: Vec<(NodeId, Time)>,
    /// While rebalancing: who has (re)joined, and the deadline.
    pub joining: Option<(Vec<NodeId>, Time)>,
    /// Waiting for the leader's SyncGroup: the members of the new generation.
    pub syncing: Option<Vec<NodeId>>,
    pub assignment: BTreeMap<u32, Vec<u32>>,
    /// Committed offset per partition.
    pub committed: Vec<u64>,
}

/// A consumer group member.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Consumer {
    pub id: NodeId,
    pub generation: u32,
    pub assigned: Vec<u32>,
    /// Next offset to read, per partition (meaningful for assigned ones).
    pub position: Vec<u64>,
    /// Per partition: when its leader last answered a fetch (or the partition was assigned).
    pub answered: Vec<Time>,
    pub leaders: Vec<Option<NodeId>>,
    pub joined: bool,
    pub consumed: u64,
    /// In the group (or wanting to be); false for an idle consumer or one that left.
    pub active: bool,
    /// A GC pause: until when, and the messages that arrived meanwhile (handled on waking).
    pub paused_until: Option<Time>,
    pub stash: Vec<(NodeId, Msg)>,
    /// The last record read: (partition, offset, text).
    pub last: Option<(u32, u64, Text8)>,
    /// The generation this member left to rejoin, while its JoinGroup is outstanding (a second
    /// notice of the same rebalance is not a new one).
    pub rejoining: Option<u32>,
}

/// Most messages a paused consumer holds for when it wakes (the rest are lost, as if a socket
/// buffer overflowed).
const MAX_STASH: usize = 256;

/// A consumer's name, C1, C2, …: also its member id in the assignors.
pub fn member_name(k: &Kafka, id: NodeId) -> String {
    format!("C{}", id.index() - k.brokers - k.producers)
}

pub fn consumer_init(k: &Kafka, ctx: &mut Ctx<Kafka>) -> Consumer {
    let me = ctx.me();
    let active = me.index() < crate::protocol::Protocol::nodes(k) - k.idle_consumers;
    if active {
        ctx.send(k.controller(), Msg::JoinGroup { owned: Vec::new() });
    }
    ctx.send(k.controller(), Msg::Metadata);
    ctx.set_timer(Timer::GroupHeartbeat, Time(k.group_heartbeat_us));
    ctx.set_timer(Timer::Poll, Time(k.fetch_us));
    Consumer {
        id: me,
        generation: 0,
        assigned: Vec::new(),
        position: vec![0; k.partitions as usize],
        answered: vec![Time::ZERO; k.partitions as usize],
        leaders: vec![None; k.partitions as usize],
        joined: false,
        consumed: 0,
        active,
        paused_until: None,
        stash: Vec::new(),
        last: None,
        rejoining: None,
    }
}

/// The user's requests to a consumer: join, leave, or a GC pause.
pub fn consumer_request(k: &Kafka, c: &mut Consumer, op: ClientOp, ctx: &mut Ctx<Kafka>) {
    match op {
        ClientOp::Join if !c.active => {
            c.active = true;
            ctx.send(k.controller(), Msg::JoinGroup { owned: Vec::new() });
        }
        ClientOp::Leave if c.active => {
            commit(k, c, ctx);
            ctx.send(k.controller(), Msg::LeaveGroup);
            c.active = false;
            c.joined = false;
            c.assigned.clear();
        }
        ClientOp::Pause(ms) if c.paused_until.is_none() => {
            let d = Time(ms as u64 * 1000);
            c.paused_until = Some(ctx.now().plus(d));
            ctx.set_timer(Timer::Resume, d);
        }
        _ => {}
    }
}

/// Grow the consumer's per-partition state when the topic grows.
fn fit(c: &mut Consumer, partitions: usize) {
    if c.position.len() < partitions {
        c.position.resize(partitions, 0);
        c.answered.resize(partitions, Time::ZERO);
        c.leaders.resize(partitions, None);
    }
}

pub fn consumer_message(k: &Kafka, c: &mut Consumer, from: NodeId, msg: Msg, ctx: &mut Ctx<Kafka>) {
    if c.paused_until.is_some() {
        if c.stash.len() < MAX_STASH {
            c.stash.push((from, msg));
        }
        return;
    }
    match msg {
        // Metadata never shrinks the topic (a stale answer may list fewer partitions).
        Msg::MetadataResponse { leaders } if leaders.len() >= c.leaders.len() => {
            fit(c, leaders.len());
            c.leaders = leaders;
        }
        Msg::JoinResponse { generation, leader, members, partitions } => {
            if !c.active {
                return;
            }
            c.generation = generation;
            fit(c, partitions as usize);
            // The leader member computes the assignment with the group's assignor.
            let assignment = if leader == c.id {
                let topics: BTreeMap<String, u32> = [(String::from(TOPIC), partitions)].into_iter().collect();
                let ms: Vec<Member> = members
                    .iter()
                    .map(|(id, owned)| Member {
                        id: member_name(k, *id),
                        topics: vec![String::from(TOPIC)],
                        owned: owned.iter().map(|p| (String::from(TOPIC), *p)).collect(),
                    })
                    .collect();
                let out = assign(k.strategy, &topics, &ms);
                members
                    .iter()
                    .map(|(id, _)| (*id, out[&member_name(k, *id)].iter().map(|(_, p)| *p).collect()))
                    .collect()
            } else {
                Vec::new()
            };
            ctx.send(from, Msg::SyncGroup { generation, assignment });
        }
        Msg::SyncResponse { generation, partitions, committed } => {
            if generation != c.generation || !c.active {
                return;
            }
            fit(c, committed.len());
            for &p in &partitions {
                if !c.assigned.contains(&p) {
                    c.position[p as usize] = committed.get(p as usize).copied().unwrap_or(0);
                    c.answered[p as usize] = ctx.now();
                }
            }
            c.assigned = partitions;
            c.joined = true;
            c.rejoining = None;
        }
        Msg::RebalanceInProgress { generation } => {
            // A stale notice (the member already joined a later generation) is ignored.
            if !c.active || c.generation > generation || c.rejoining == Some(generation) {
                return;
            }
            c.rejoining = Some(generation);
            c.joined = false;
            let owned = c.assigned.clone();
            if k.strategy != Strategy::CooperativeSticky {
                // Eager: give everything up before rejoining.
                commit(k, c, ctx);
                c.assigned.clear();
            }
            ctx.send(k.controller(), Msg::JoinGroup { owned });
        }
        Msg::ConsumerFetchResponse { partition, from: at, records } => {
            if let Some(t) = c.answered.get_mut(partition as usize) {
                *t = ctx.now();
            }
            if !c.assigned.contains(&partition) || c.position[partition as usize] != at {
                return;
            }
            for (i, r) in records.iter().enumerate() {
                ctx.note(Note::Consumed { partition, offset: at + i as u64, value: r.value });
                c.consumed += 1;
                c.last = Some((partition, at + i as u64, r.text));
            }
            c.position[partition as usize] = at + records.len() as u64;
        }
        _ => {}
    }
}

fn commit(k: &Kafka, c: &Consumer, ctx: &mut Ctx<Kafka>) {
    if c.assigned.is_empty() {
        return;
    }
    let offsets = c.assigned.iter().map(|p| (*p, c.position[*p as usize])).collect();
    ctx.send(k.controller(), Msg::OffsetCommit { generation: c.generation, offsets });
}

pub fn consumer_timer(k: &Kafka, c: &mut Consumer, timer: Timer, ctx: &mut Ctx<Kafka>) {
    if timer == Timer::Resume {
        // Awake: handle what arrived meanwhile, then heartbeat at once.
        c.paused_until = None;
        for (from, msg) in core::mem::take(&mut c.stash) {
            consumer_message(k, c, from, msg, ctx);
        }
        consumer_timer(k, c, Timer::GroupHeartbeat, ctx);
        return;
    }
    if c.paused_until.is_some() {
        // A paused process runs no timers; they fire again after it wakes.
        let period = if timer == Timer::Poll { k.fetch_us * 2 } else { k.group_heartbeat_us };
        ctx.set_timer(timer, Time(period));
        return;
    }
    match timer {
        Timer::GroupHeartbeat => {
            if c.active {
                ctx.send(k.controller(), Msg::GroupHeartbeat { generation: c.generation });
                commit(k, c, ctx);
            }
            ctx.set_timer(Timer::GroupHeartbeat, Time(k.group_heartbeat_us));
        }
        Timer::Poll => {
            if c.joined && c.active {
                // A leader that has not answered for a session has died or moved (a broker
                // that no longer leads ignores the fetch): ask for the partition's leaders
                // again, as a Kafka client refreshes its metadata when a request times out.
                let now = ctx.now();
                let silent = |t: Time| now.0.saturating_sub(t.0) > k.session_us;
                if c.assigned.iter().any(|p| silent(c.answered[*p as usize])) {
                    ctx.send(k.controller(), Msg::Metadata);
                    for &p in &c.assigned {
                        if silent(c.answered[p as usize]) {
                            c.answered[p as usize] = now;
                        }
                    }
                }
                for &p in &c.assigned {
                    match c.leaders.get(p as usize).copied().flatten() {
                        Some(l) => {
                            ctx.send(l, Msg::ConsumerFetch { partition: p, offset: c.position[p as usize] })
                        }
                        None => ctx.send(k.controller(), Msg::Metadata),
                    }
                }
            }
            ctx.set_timer(Timer::Poll, Time(k.fetch_us * 2));
        }
        _ => {}
    }
}

/// Broker side: a consumer reads only up to `end` (the high watermark), 16 records at a time.
pub fn serve_fetch(log: &[Rec], end: u64, offset: u64) -> Vec<Rec> {
    let end = (end as usize).min(log.len());
    if offset as usize >= end {
        return Vec::new();
    }
    log[offset as usize..end.min(offset as usize + 16)].to_vec()
}

pub fn start_rebalance(k: &Kafka, g: &mut Group, first: Option<NodeId>, ctx: &mut Ctx<Kafka>) {
    let joined: Vec<NodeId> = first.into_iter().collect();
    // Wait up to half a session for everyone to (re)join (Kafka's rebalance timeout; for a new
    // group, its initial rebalance delay).
    g.joining = Some((joined, Time(ctx.now().0 + k.group_session_us / 2)));
    g.syncing = None;
    // Tell current members to rejoin (they learn it on their next heartbeat too).
    for (m, _) in &g.members {
        if Some(*m) != first {
            ctx.send(*m, Msg::RebalanceInProgress { generation: g.generation });
        }
    }
}

fn finish_join(g: &mut Group, owned: &BTreeMap<NodeId, Vec<u32>>, ctx: &mut Ctx<Kafka>) {
    let Some((joined, _)) = g.joining.take() else { return };
    g.generation += 1;
    let now = ctx.now();
    g.members = joined.iter().map(|m| (*m, now)).collect();
    if joined.is_empty() {
        return;
    }
    let leader = joined[0];
    let members: Vec<(NodeId, Vec<u32>)> =
        joined.iter().map(|m| (*m, owned.get(m).cloned().unwrap_or_default())).collect();
    let partitions = g.committed.len() as u32;
    for m in &joined {
        ctx.send(
            *m,
            Msg::JoinResponse { generation: g.generation, leader, members: members.clone(), partitions },
        );
    }
    g.syncing = Some(joined);
}

pub fn coordinator_message(
    k: &Kafka,
    g: &mut Group,
    owned: &mut BTreeMap<NodeId, Vec<u32>>,
    from: NodeId,
    msg: Msg,
    ctx: &mut Ctx<Kafka>,
) {
    let now = ctx.now();
    match msg {
        Msg::JoinGroup { owned: o } => {
            owned.insert(from, o);
            match &mut g.joining {
                Some((joined, _)) => {
                    if !joined.contains(&from) {
                        joined.push(from);
                    }
                }
                None => start_rebalance(k, g, Some(from), ctx),
            }
            // Everyone expected has joined: complete the round now.
            let expected: Vec<NodeId> = g.members.iter().map(|m| m.0).collect();
            if let Some((joined, _)) = &g.joining {
                if !expected.is_empty() && expected.iter().all(|m| joined.contains(m)) {
                    finish_join(g, owned, ctx);
                }
            }
        }
        Msg::SyncGroup { generation, assignment } => {
            if generation != g.generation || g.joining.is_some() {
                ctx.send(from, Msg::RebalanceInProgress { generation: g.generation });
                return;
            }
            if !assignment.is_empty() && g.syncing.is_some() {
                g.assignment = assignment.iter().map(|(m, ps)| (m.0, ps.clone())).collect();
                let members = g.syncing.take().unwrap_or_default();
                // KIP-429: if the new assignment took partitions from their owners, a
                // follow-up rebalance hands them out.
                let moved = members.iter().any(|m| {
                    let now_has = g.assignment.get(&m.0).cloned().unwrap_or_default();
                    owned.get(m).is_some_and(|o| o.iter().any(|p| !now_has.contains(p)))
                });
                let unassigned =
                    (0..g.committed.len() as u32).any(|p| !g.assignment.values().any(|ps| ps.contains(&p)));
                for m in &members {
                    let partitions = g.assignment.get(&m.0).cloned().unwrap_or_default();
                    ctx.send(
                        *m,
                        Msg::SyncResponse { generation, partitions, committed: g.committed.clone() },
                    );
                }
                ctx.note(Note::Rebalanced { generation, members: members.len() as u32 });
                if k.strategy == Strategy::CooperativeSticky && moved && unassigned {
                    for m in &members {
                        owned.insert(*m, g.assignment.get(&m.0).cloned().unwrap_or_default());
                    }
                    start_rebalance(k, g, None, ctx);
                }
            } else if g.syncing.is_none() {
                let partitions = g.assignment.get(&from.0).cloned().unwrap_or_default();
                ctx.send(from, Msg::SyncResponse { generation, partitions, committed: g.committed.clone() });
            }
        }
        Msg::GroupHeartbeat { generation } => {
            let rebalancing = g.joining.is_some();
            let syncing = g.syncing.is_some();
            let current = g.generation;
            match g.members.iter_mut().find(|m| m.0 == from) {
                Some(m) if !rebalancing && (generation == current || syncing) => m.1 = now,
                _ => ctx.send(from, Msg::RebalanceInProgress { generation: current }),
            }
        }
        Msg::OffsetCommit { generation, offsets } => {
            // Generations fence members that missed a rebalance.
            if generation != g.generation || g.assignment.get(&from.0).is_none_or(|ps| ps.is_empty()) {
                return;
            }
            let mine = g.assignment.get(&from.0).cloned().unwrap_or_default();
            for (p, o) in offsets {
                if let Some(c) = g.committed.get_mut(p as usize).filter(|c| mine.contains(&p) && o > **c) {
                    *c = o;
                }
            }
        }
        Msg::LeaveGroup => {
            owned.remove(&from);
            g.assignment.remove(&from.0);
            if let Some((joined, _)) = &mut g.joining {
                joined.retain(|m| *m != from);
            }
            let before = g.members.len();
            g.members.retain(|m| m.0 != from);
            if g.members.len() != before && !g.members.is_empty() && g.joining.is_none() {
                start_rebalance(k, g, None, ctx);
            }
        }
        _ => {}
    }
}

/// Coordinator timer: end a join round at its deadline, and drop members whose session expired.
pub fn coordinator_tick(
    k: &Kafka,
    g: &mut Group,
    owned: &mut BTreeMap<NodeId, Vec<u32>>,
    ctx: &mut Ctx<Kafka>,
) {
    let now = ctx.now();
    if let Some((_, deadline)) = &g.joining {
        if now >= *deadline {
            finish_join(g, owned, ctx);
        }
    }
    if g.joining.is_none() && g.syncing.is_none() {
        let before = g.members.len();
        g.members.retain(|m| now.0.saturating_sub(m.1 .0) <= k.group_session_us);
        if g.members.len() != before {
            start_rebalance(k, g, None, ctx);
        }
    }
}
