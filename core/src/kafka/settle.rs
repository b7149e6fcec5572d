//! `group-settles`: the consumer group comes to rest. Every safety property of the group holds
//! in a group that never finishes a rebalance, or leaves a partition nobody reads: a follow-up
//! rebalance that never comes (KIP-429's second phase), a member that never learns it was
//! removed, a rebalance stuck waiting. This is the liveness promise they leave out, bounded as
//! `replicas-informed` bounds the controller's: once nothing stirs the group, it settles within
//! `SETTLE_SESSIONS` group sessions.
//!
//! Settled: the coordinator is stable, every running member holds exactly what the coordinator
//! gave it in the current generation, and together they own every partition (when any member
//! runs at all). A member in a GC pause is asleep, not wrong: what it holds counts if it is
//! current, and it is not judged until it wakes; a partition added while the group's leader
//! sleeps waits for it (the leader is the member that notices new partitions). The count
//! starts when the group is first seen unsettled, and again at every crash or restart of the
//! coordinator or a consumer, every request made of the group (a join, a leave, a new
//! partition; a pause, and again when it ends), every message of a rebalance the network
//! loses, and whenever a consumer's link with the coordinator is cut or restored; a consumer
//! cut off from the coordinator is asleep too, and it waits while the coordinator is down.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use super::config::Kafka;
use super::controller::Controller;
use super::coordinator::GroupState;
use super::group::member_name;
use super::node::Node;
use super::types::{ClientOp, Life, Msg};
use crate::protocol::{NodeId, Time, World};

/// How long, in group sessions, the group may take to settle once nothing stirs it. A
/// rebalance here takes a session to notice a member gone (removed when its session runs out,
/// in a join phase or out of one), then a heartbeat and a message for the others to hear of it
/// and four message delays (at most 100 ms each in the sweeps: JoinGroup, its answer,
/// SyncGroup, its answer): about four sessions of 200 ms for a cooperative group's two
/// rebalances. The longest wait is a member the coordinator still hears that cannot hear it (a
/// one-way cut): the rebalance waits for it the whole rebalance timeout, three sessions, then
/// some two sessions of messages and the follow-up rebalance, two or three more: eight at the
/// worst. (A new partition: the leader hears of it at once, or at its next metadata refresh,
/// two sessions on, if the news is lost; then the rebalance it asks for.) Ten sessions leave
/// room for that, and no more.
pub const SETTLE_SESSIONS: u64 = 10;

/// Since when the group has been seen unsettled; when it was last stirred (a rebalance's
/// message lost, or a consumer's link with the coordinator cut or restored); and which
/// consumers could talk with the coordinator at the last look (a bit each).
#[derive(Clone, Debug, Default, Hash)]
pub(super) struct Settle {
    since: Option<Time>,
    stirred_at: Time,
    reach: u64,
    /// The world's count of crashes and restarts, and its last change of shape, at the last
    /// look: until either moves, only the coordinator's and the consumers' own events change
    /// what it judges (and time, past `due`).
    epoch: u64,
    shape_at: Time,
    due: Time,
    looked: bool,
    /// What the coordinator and each consumer looked like at the last look (`mark`): an event
    /// of theirs that changes none of it (most are fetches) changes no verdict.
    marks: [u64; 1 + MAX_CONSUMERS],
    /// A request this event made of the group (a join, a leave, a pause, a new partition): it
    /// stirs the group now, and a pause again when it ends, this many microseconds from now.
    asked: Option<u64>,
}

impl Settle {
    /// The event's request, if it was one to the group.
    pub(super) fn asked(&mut self, op: Option<&ClientOp>) {
        self.asked = match op {
            Some(ClientOp::Pause(ms)) => Some(*ms as u64 * 1000),
            Some(ClientOp::Join | ClientOp::Leave | ClientOp::AddPartition) => Some(0),
            _ => None,
        };
    }
}

/// Judge the group after an event whose handler ran on `touched`.
pub(super) fn group_settles(
    k: &Kafka,
    s: &mut Settle,
    nodes: &[Node],
    touched: Option<NodeId>,
    world: &World<'_, Msg>,
) -> Result<(), (&'static str, String)> {
    if k.consumers == 0 || !world.timed() {
        return Ok(());
    }
    let coordinator = k.controller();
    let first = k.brokers + 1 + k.producers;
    let consumers = first..first + k.consumers;
    let stirred = world.dropped.is_some_and(|l| rebalancing(&l.msg)) || s.asked.is_some();
    if stirred {
        s.stirred_at = world.now;
    }
    if let Some(later) = s.asked.take() {
        s.stirred_at = s.stirred_at.max(Time(world.now.0.saturating_add(later)));
    }
    let faulted = world.up_epoch != s.epoch || world.shape_at != s.shape_at;
    let ran = touched.is_some_and(|t| {
        let slot = match t {
            _ if t == coordinator => 0,
            _ if consumers.contains(&t.index()) => 1 + t.index() - first,
            _ => return false,
        };
        let now = nodes.get(t.index()).map_or(0, mark);
        s.marks.get_mut(slot).is_some_and(|was| core::mem::replace(was, now) != now)
    });
    if !(faulted || ran || stirred || s.since.is_some_and(|_| world.now > s.due)) {
        return Ok(());
    }
    if world.shape_at != s.shape_at || !s.looked {
        let reach = consumers.clone().fold(0u64, |bits, i| {
            let n = NodeId(i as u32);
            let talks = world.link_up(n, coordinator) && world.link_up(coordinator, n);
            bits | (talks as u64) << (i - first)
        });
        if reach != s.reach {
            s.stirred_at = world.now;
            s.reach = reach;
        }
    }
    (s.epoch, s.shape_at, s.looked) = (world.up_epoch, world.shape_at, true);
    let reach = s.reach;
    let Some(Node::Controller(c)) = nodes.get(coordinator.index()) else { return Ok(()) };
    if !world.is_up(coordinator) {
        s.since = None;
        return Ok(());
    }
    let talks = |n: NodeId| reach >> (n.index() - first) & 1 == 1;
    let Some(why) = unsettled(c, nodes.get(consumers).unwrap_or_default(), &talks, world) else {
        s.since = None;
        return Ok(());
    };
    let since = *s.since.get_or_insert(world.now);
    // Crashes and restarts of the coordinator and the consumers: the brokers' do not stir the group.
    let changed = |i: usize| world.changed_at.get(i).copied().unwrap_or(Time::ZERO);
    let restarted = (first..first + k.consumers).map(changed).fold(changed(coordinator.index()), Time::max);
    let from = since.max(restarted).max(s.stirred_at);
    let waited = world.now.0.saturating_sub(from.0);
    let bound = SETTLE_SESSIONS.saturating_mul(k.group_session_us);
    s.due = Time(from.0.saturating_add(bound));
    if waited > bound {
        return Err((
            "group-settles",
            format!(
                "the consumer group has not settled in {} ms: {}",
                waited / 1000,
                why.words(k, c.group.generation)
            ),
        ));
    }
    Ok(())
}

/// Most consumers a cluster has (`Kafka::validate`).
const MAX_CONSUMERS: usize = 6;

/// What the verdict depends on of a node, in one number: the coordinator's generation, group
/// state and member count; a consumer's generation, the one it last synced, its state, how
/// many partitions it holds and whether it is paused.
fn mark(node: &Node) -> u64 {
    match node {
        Node::Controller(c) => {
            let state = match c.group.state {
                GroupState::Stable => 0,
                GroupState::Joining { .. } => 1,
                GroupState::Syncing => 2,
            };
            (c.group.generation as u64) << 32 | (c.group.members.len() as u64) << 8 | state
        }
        Node::Consumer(m) => {
            (m.generation as u64) << 40
                | (m.synced as u64 & 0xff_ffff) << 16
                | (m.assigned.len() as u64) << 8
                | (m.state as u64) << 1
                | m.paused_until.is_some() as u64
        }
        _ => 0,
    }
}

/// A message of a rebalance: losing one delays it (by a session: the member sends it again).
/// A lost heartbeat does not, unless enough are lost to remove a member, and a removal unsettles
/// the group afresh, which starts the count.
fn rebalancing(m: &Msg) -> bool {
    matches!(
        m,
        Msg::JoinGroup { .. }
            | Msg::JoinResponse { .. }
            | Msg::SyncGroup { .. }
            | Msg::SyncResponse { .. }
            | Msg::LeaveGroup { .. }
            | Msg::RebalanceInProgress { .. }
            | Msg::IllegalGeneration { .. }
            | Msg::UnknownMember { .. }
    )
}

/// Why the group is not at rest (words only for a violation: the check runs often).
enum Why {
    Rebalancing { generation: u32 },
    Behind { member: NodeId, generation: u32 },
    Elsewhere { member: NodeId },
    Unowned { partition: usize },
}

impl Why {
    fn words(&self, k: &Kafka, generation: u32) -> String {
        match *self {
            Why::Rebalancing { generation } => {
                format!("the coordinator is still rebalancing generation {generation}")
            }
            Why::Behind { member, generation: behind } => format!(
                "{} is in generation {behind}, the coordinator in generation {generation}",
                member_name(k, member)
            ),
            Why::Elsewhere { member } => format!(
                "{} holds other partitions than the coordinator gave it in generation {generation}",
                member_name(k, member)
            ),
            Why::Unowned { partition } => {
                format!("p{partition} is owned by no member of generation {generation}")
            }
        }
    }
}

/// Why the group is not at rest, if it is not.
fn unsettled(
    c: &Controller,
    consumers: &[Node],
    talks: &dyn Fn(NodeId) -> bool,
    world: &World<'_, Msg>,
) -> Option<Why> {
    let g = &c.group;
    if g.rebalancing() {
        return Some(Why::Rebalancing { generation: g.generation });
    }
    // A bit per partition (at most `MAX_PARTITIONS`, 32).
    let mut owned = 0u64;
    let mut running = false;
    // Partitions from here on the leader has not assigned; only it notices them (`group.rs`).
    let mut unseen = u32::MAX;
    for node in consumers {
        let Node::Consumer(m) = node else { continue };
        if !m.active() || !world.is_up(m.id) {
            continue;
        }
        let life = Life { consumer: m.id, member: m.member };
        let given = g.assignment.get(&life).map_or(&[][..], Vec::as_slice);
        let current = m.generation == g.generation && m.assigned == given;
        // In a GC pause, or cut off from the coordinator: it cannot learn anything now.
        let asleep = m.paused_until.is_some_and(|t| t > world.now) || !talks(m.id);
        if current {
            owned |= m.assigned.iter().fold(0u64, |bits, p| bits | 1u64.checked_shl(*p).unwrap_or(0));
        } else if !asleep {
            return Some(if m.generation != g.generation {
                Why::Behind { member: m.id, generation: m.generation }
            } else {
                Why::Elsewhere { member: m.id }
            });
        }
        running |= !asleep;
        if asleep && g.leader == Some(life) {
            unseen = m.assigned_over.unwrap_or(unseen);
        }
    }
    // A partition added while the leader sleeps waits for it to wake.
    let unowned = (0..c.partitions.len()).find(|&p| owned >> p & 1 == 0 && (p as u64) < unseen as u64);
    unowned.filter(|_| running).map(|partition| Why::Unowned { partition })
}

#[cfg(test)]
mod tests {
    use super::super::cluster::{Kafka, Mutant};
    use super::super::scenarios;
    use super::*;
    use crate::net::FaultPreset;
    use crate::sim::Sim;

    /// The cooperative join settles (two rebalances, every partition owned); without its
    /// follow-up rebalance (no-follow-up) the partitions C1 and C2 gave up stay unowned, which
    /// only group-settles sees: every other property holds. Fails before the property existed.
    #[test]
    fn a_cooperative_join_without_its_follow_up_never_settles() {
        let k = scenarios::apply("join-cooperative", Kafka::default()).expect("a preset");
        let broken = Kafka { mutant: Some(Mutant::NoFollowUp), ..k.clone() };
        for seed in 0..20 {
            let mut sim = Sim::new(k.clone(), FaultPreset::None.config(), seed);
            while sim.now() < Time::from_ms(6_000) && sim.step() {}
            assert_eq!(sim.violation(), None, "seed {seed}");
            let mut sim = Sim::new(broken.clone(), FaultPreset::None.config(), seed);
            while sim.violation().is_none() && sim.now() < Time::from_ms(6_000) && sim.step() {}
            let v = sim.violation().unwrap_or_else(|| panic!("seed {seed}: the mutant settled"));
            assert_eq!(v.property, "group-settles", "seed {seed}: {}", v.message);
            assert!(v.message.contains("is owned by no member"), "seed {seed}: {}", v.message);
        }
    }
    /// A partition added while the group's leader cannot hear the coordinator (a one-way cut:
    /// its heartbeats keep it in the group) is unowned until the leader hears of it: only the
    /// leader notices new partitions, so the group waits for it, as Kafka's would. Any other
    /// unowned partition, or the same one with the leader awake, is unsettled.
    #[test]
    fn a_partition_added_while_the_leader_sleeps_waits_for_it() {
        use super::super::controller::{add_partition, controller_init};
        use super::super::group::{consumer_init, MemberState};
        use crate::testing::Effects;
        let k = Kafka { brokers: 1, partitions: 3, rf: 1, min_insync: 1, consumers: 2, ..Kafka::default() };
        let (ctl, c1, c2) = (NodeId(1), NodeId(3), NodeId(4));
        let mut fx = Effects::<Kafka>::new();
        let mut c = controller_init(&k, &mut fx.ctx(ctl));
        c.group.generation = 2;
        let first = |consumer| Life { consumer, member: 0 };
        c.group.leader = Some(first(c1));
        c.group.assignment =
            [(first(c1), alloc::vec![0, 1]), (first(c2), alloc::vec![2])].into_iter().collect();
        let mut member = |id: NodeId, assigned: &[u32], over: Option<u32>| {
            let mut m = consumer_init(&k, 0, &mut fx.ctx(id));
            (m.generation, m.synced, m.state, m.assigned, m.assigned_over) =
                (2, 2, MemberState::Stable, assigned.to_vec(), over);
            Node::Consumer(m)
        };
        let consumers = [member(c1, &[0, 1], Some(3)), member(c2, &[2], None)];
        let p1_unowned = [member(c1, &[0], Some(3)), member(c2, &[2], None)];
        add_partition(&k, &mut c, &mut fx.ctx(ctl));
        let (up, changed) = ([true; 5], [Time::ZERO; 5]);
        let world = World::quiet(Time::from_ms(1_000), &up, &changed);
        let judge = |leader_hears: bool| unsettled(&c, &consumers, &|n| n != c1 || leader_hears, &world);
        assert!(judge(false).is_none(), "p3 waits for the sleeping leader");
        assert!(matches!(judge(true), Some(Why::Unowned { partition: 3 })));
        // A partition the sleeping leader did assign, and nobody owns, is not excused.
        c.group.assignment.insert(first(c1), alloc::vec![0]);
        let asleep = unsettled(&c, &p1_unowned, &|n| n != c1, &world);
        assert!(matches!(asleep, Some(Why::Unowned { partition: 1 })));
    }
}
