//! Exact-effect tests of when the consumer group rebalances and who is in it: a restarted
//! consumer is a new member, a join phase drops a silent member at its session and waits for
//! one it hears, a stable group answers a follower's unchanged JoinGroup with its generation,
//! the leader member notices a new partition, and members refresh their metadata. (The rules
//! of `coordinator.rs` and `group.rs`, as an outside review measured them against Kafka's.)

use alloc::vec;
use alloc::vec::Vec;

use super::assign::Strategy;
use super::cluster::*;
use super::controller::{add_partition, controller_init};
use super::coordinator::{Group, GroupState};
use super::group::{Consumer, MemberState};
use super::group_tests::*;
use crate::protocol::{NodeId, Protocol, Time};

/// A partition added is noticed by the group's leader member, which asks for a rebalance by
/// rejoining (Kafka's leader compares the metadata its assignment used with the latest); the
/// coordinator starts none itself, and a follower does not rejoin. A leader that assigned
/// before the partition was added, its assignment arriving after the news, rejoins once stable:
/// the partition is handed out at the next generation. (Before, the controller started the
/// rebalance itself, which Kafka's does not: an outside review's finding. Earlier still, a
/// partition added while the group synced went unread until some other rebalance.)
#[test]
fn a_partition_added_is_noticed_by_the_leader_which_asks_for_a_rebalance() {
    let k = kafka(Strategy::CooperativeSticky);
    let mut fx = Fx::new();
    let mut c = controller_init(&k, &mut fx.ctx(CTL));
    c.group = group(2, GroupState::Stable, vec![member(C1, &[0, 1], false, 2), member(C2, &[2], false, 2)]);
    fx.take();
    add_partition(&k, &mut c, &mut fx.ctx(CTL));
    assert_eq!(c.group.state, GroupState::Stable, "the coordinator starts no rebalance");
    assert_eq!(c.group.committed.len(), 4);
    let news =
        fx.take().into_iter().find_map(|(_, m)| matches!(m, Msg::MetadataResponse { .. }).then_some(m));
    let news = news.expect("the clients are told");
    let joined = |sent: &[(NodeId, Msg)]| sent.iter().any(|(_, m)| matches!(m, Msg::JoinGroup { .. }));

    let mut follower = consumer(&k, 2, MemberState::Stable, &[2]);
    assert!(!joined(&to_member(&k, &mut follower, news.clone())), "a follower does not rejoin");

    let mut leader = consumer(&k, 2, MemberState::Stable, &[0, 1]);
    leader.assigned_over = Some(3);
    assert!(joined(&to_member(&k, &mut leader, news.clone())), "the leader rejoins");
    assert_eq!(leader.state, MemberState::Joining);

    // The leader assigned over three partitions; the news came before its assignment.
    let mut leader = consumer(&k, 2, MemberState::Syncing, &[0, 1]);
    leader.assigned_over = Some(3);
    assert!(!joined(&to_member(&k, &mut leader, news)), "not while it syncs");
    let assigned =
        Msg::SyncResponse { member: 0, generation: 2, partitions: vec![0, 1], committed: vec![0; 4] };
    assert!(joined(&to_member(&k, &mut leader, assigned)), "once stable");
}

/// A restarted consumer is a new member: it joins with a member id none of its lives had (Kafka's
/// coordinator gives a new process a new `member.id`), the group ends its old life and
/// rebalances. Before, a restart began again at member id 0: the coordinator took its JoinGroup
/// for a lost answer of the old life, sent it the current generation, and it took its old
/// assignment back with no rebalance, as only a static member (KIP-345) would. Found by an
/// outside review.
#[test]
fn a_restarted_consumer_joins_as_a_new_member_and_the_group_rebalances() {
    let k = kafka(Strategy::CooperativeSticky);
    let mut g = group(5, GroupState::Stable, vec![member(C1, &[0, 1], false, 5), member(C2, &[2], false, 5)]);
    let busy = Node::Consumer(consumer(&k, 5, MemberState::Stable, &[2]));
    let mut fx = Fx::new();
    let _back = k.on_restart(Kafka::durable(&busy), &mut fx.ctx(C2));
    let join = fx.take().into_iter().find(|(_, m)| matches!(m, Msg::JoinGroup { .. })).expect("it joins");
    assert!(matches!(join.1, Msg::JoinGroup { member: 1, generation: 0, .. }), "{join:?}");
    let sent = to_coordinator(&k, &mut g, C2, join.1);
    assert_eq!(sent, vec![(C1, Msg::RebalanceInProgress { generation: 5 })], "a rebalance");
    assert!(matches!(g.state, GroupState::Joining { .. }));
    assert_eq!(g.member(C2).map(|m| (m.member, m.owned.clone(), m.joined)), Some((1, vec![], true)));
    assert_eq!(g.ended.get(&C2.0), Some(&0), "its old life ended");
}

/// In a join phase the coordinator removes a member that has not joined once its session runs
/// out (it has stopped heartbeating: crashed, paused or cut off), and the phase ends when every
/// member left has joined; a member it still hears from is waited for up to the rebalance
/// timeout, and a member that has joined is kept (it awaits its answer). Before, every rebalance
/// ended at half a session, dropping a member paused for longer than that.
#[test]
fn a_join_phase_drops_a_silent_member_at_its_session_and_waits_for_one_it_hears() {
    let k = kafka(Strategy::CooperativeSticky);
    let tick = |g: &mut Group, at: u64| {
        let mut fx = Fx::new();
        fx.now = Time::from_ms(at);
        super::coordinator::coordinator_tick(&k, g, &mut fx.ctx(CTL));
        fx.take()
    };
    let deadline = Time::from_ms(1000 + k.rebalance_timeout_us() / 1000);
    let phase = GroupState::Joining { deadline, initial: false };
    let fresh = || {
        let mut joined = member(C1, &[0, 1], true, 1);
        joined.seen = Time::from_ms(900);
        group(1, phase, vec![joined, member(C2, &[2], false, 1)])
    };
    // C2 last heard at 1 s: kept through its session, removed after it; C1 then forms generation
    // 2 alone, though it joined at 0.9 s (a joined member is not expired).
    let mut g = fresh();
    assert_eq!(tick(&mut g, 1_200), vec![]);
    assert_eq!(g.members.len(), 2, "within C2's session");
    let sent = tick(&mut g, 1_250);
    assert_eq!(g.members.iter().map(|m| m.id).collect::<Vec<_>>(), vec![C1], "C2 removed");
    assert_eq!((g.generation, g.state), (2, GroupState::Syncing));
    assert_eq!(sent, vec![(C1, join_response(2, &[(C1, &[0, 1])]))]);
    // C2 heartbeats (it cannot hear the coordinator, so never rejoins): waited for until the
    // rebalance timeout.
    let mut g = fresh();
    for at in (1_050..deadline.0 / 1000).step_by(50) {
        g.members[1].seen = Time::from_ms(at);
        tick(&mut g, at);
        assert_eq!(g.members.len(), 2, "at {at} ms");
    }
    tick(&mut g, deadline.0 / 1000);
    assert_eq!((g.members.len(), g.generation), (1, 2), "removed at the rebalance timeout");
}

/// A follower that joins a stable group again with its subscription unchanged (its SyncGroup's
/// answer was lost, and it asked again) is sent the current generation, and then its
/// assignment: no rebalance (Kafka's `doCurrentMemberJoinGroup`). The leader's JoinGroup starts
/// one (Kafka lets the leader ask for a rebalance so), and so does a changed subscription.
/// Before, every JoinGroup of a known member started a rebalance of a stable group, against the
/// coordinator's own description (an outside review's finding).
#[test]
fn a_stable_group_answers_a_followers_unchanged_join_with_its_generation() {
    let k = kafka(Strategy::CooperativeSticky);
    let both = [(C1, &[0, 1][..]), (C2, &[2][..])];
    let stable = || {
        let mut g =
            group(4, GroupState::Stable, vec![member(C1, &[0, 1], false, 4), member(C2, &[2], false, 4)]);
        g.assignment = [(C1.0, vec![0, 1]), (C2.0, vec![2])].into_iter().collect();
        g
    };
    let mut g = stable();
    assert_eq!(to_coordinator(&k, &mut g, C2, join(4, &[2])), vec![(C2, join_response(4, &both))]);
    assert_eq!(g.state, GroupState::Stable);
    let sync = Msg::SyncGroup { member: 0, generation: 4, assignment: vec![] };
    let sent = to_coordinator(&k, &mut g, C2, sync);
    assert!(
        matches!(&sent[..], [(C2, Msg::SyncResponse { generation: 4, partitions, .. })] if *partitions == vec![2]),
        "{sent:?}"
    );
    for (who, owned) in [(C1, &[0, 1][..]), (C2, &[][..])] {
        let mut g = stable();
        let sent = to_coordinator(&k, &mut g, who, join(4, owned));
        assert!(matches!(g.state, GroupState::Joining { .. }), "{who}: {owned:?}");
        assert_eq!(sent.len(), 1, "{who}: the other member is told: {sent:?}");
    }
}

/// An eager member that asks again (no answer for a session) lists what its JoinGroup listed,
/// though it gave those partitions up: the same subscription, so a group that formed its
/// generation sends that generation again. Before, it listed nothing, and the coordinator, seeing
/// the subscription changed, started another rebalance.
#[test]
fn an_eager_member_asking_again_lists_what_it_listed() {
    let k = kafka(Strategy::Range);
    let mut c = consumer(&k, 4, MemberState::Stable, &[0, 1]);
    let sent = to_member(&k, &mut c, Msg::RebalanceInProgress { generation: 4 });
    let listed = |sent: &[(NodeId, Msg)]| {
        sent.iter().find_map(|(_, m)| match m {
            Msg::JoinGroup { owned, .. } => Some(owned.clone()),
            _ => None,
        })
    };
    assert_eq!(listed(&sent), Some(vec![0, 1]));
    assert_eq!(c.assigned, Vec::<u32>::new(), "eager: given up");
    let mut fx = Fx::new();
    fx.now = c.since.plus(Time(k.group_session_us + 1));
    super::group::consumer_timer(&k, &mut c, Timer::GroupHeartbeat, &mut fx.ctx(C1));
    assert_eq!(listed(&fx.take()), Some(vec![0, 1]), "the same subscription again");
}

/// A member of the group asks for the topic's metadata by itself every two sessions (Kafka's
/// `metadata.max.age.ms`): the controller's news of a new partition may be lost, and the
/// leader would never notice it. An idle consumer does not ask.
#[test]
fn a_member_refreshes_its_metadata_now_and_then() {
    let k = kafka(Strategy::CooperativeSticky);
    let asks = |c: &mut Consumer, at: Time| {
        let mut fx = Fx::new();
        fx.now = at;
        super::group::consumer_timer(&k, c, Timer::GroupHeartbeat, &mut fx.ctx(C1));
        fx.take().iter().any(|(to, m)| *to == CTL && matches!(m, Msg::Metadata))
    };
    let mut c = consumer(&k, 2, MemberState::Stable, &[0]);
    let due = c.refreshed.plus(Time(k.metadata_max_age_us()));
    assert!(!asks(&mut c, Time(due.0 - 1)));
    assert!(asks(&mut c, due));
    let beat = Time(k.group_heartbeat_us);
    assert!(asks(&mut c, due.plus(beat)), "unanswered: again at the next heartbeat");
    let news = Msg::MetadataResponse { leaders: vec![Some(NodeId(0)); 3] };
    to_member(&k, &mut c, news);
    assert!(!asks(&mut c, due.plus(Time(beat.0 * 2))), "answered: not again until the next is due");
    let mut idle = consumer(&k, 1, MemberState::Out, &[]);
    assert!(!asks(&mut idle, due));
}

/// A member whose metadata refresh is lost asks again at its next heartbeat (Kafka retries a
/// failed metadata request after `retry.backoff.ms`); a stale answer listing fewer partitions
/// than it knows is not an answer. Before, it waited a whole refresh period (two sessions), and
/// a few losses in a row could leave a new partition unread past `group-settles`' bound (an
/// outside review's finding).
#[test]
fn a_lost_metadata_refresh_is_asked_again_at_the_next_heartbeat() {
    let k = kafka(Strategy::CooperativeSticky);
    let mut c = consumer(&k, 2, MemberState::Stable, &[0]);
    c.leaders = vec![Some(NodeId(0)); 3];
    let mut at = c.refreshed.plus(Time(k.metadata_max_age_us()));
    let mut fx = Fx::new();
    for beat in 0..4 {
        fx.now = at;
        super::group::consumer_timer(&k, &mut c, Timer::GroupHeartbeat, &mut fx.ctx(C1));
        assert!(fx.take().iter().any(|(_, m)| matches!(m, Msg::Metadata)), "heartbeat {beat}");
        at = at.plus(Time(k.group_heartbeat_us));
    }
    to_member(&k, &mut c, Msg::MetadataResponse { leaders: vec![Some(NodeId(0)); 2] });
    assert!(c.refreshing, "a stale answer (fewer partitions) is not an answer");
    to_member(&k, &mut c, Msg::MetadataResponse { leaders: vec![Some(NodeId(0)); 3] });
    assert!(!c.refreshing);
}

/// A member awaiting its JoinGroup's answer sends no heartbeats, so if the JoinGroup was lost it
/// asks again within its session, at half a session: the coordinator would expire it a session
/// after its last heartbeat, before a later retry arrived, and rebalance again. A SyncGroup's
/// answer is awaited a session (the member heartbeats meanwhile). Before, both waited a session,
/// and an eager member whose rejoin was lost was removed and cost the group another rebalance
/// (an outside review's finding).
#[test]
fn a_lost_join_group_is_sent_again_within_the_members_session() {
    let k = kafka(Strategy::Range);
    let half = Time(k.group_session_us / 2);
    let sends_join = |c: &mut Consumer, at: Time| {
        let mut fx = Fx::new();
        fx.now = at;
        super::group::consumer_timer(&k, c, Timer::GroupHeartbeat, &mut fx.ctx(C1));
        fx.take().iter().any(|(_, m)| matches!(m, Msg::JoinGroup { .. }))
    };
    let mut c = consumer(&k, 4, MemberState::Stable, &[0, 1]);
    to_member(&k, &mut c, Msg::RebalanceInProgress { generation: 4 });
    assert_eq!(c.state, MemberState::Joining);
    let since = c.since;
    assert!(!sends_join(&mut c, since.plus(half)));
    assert!(sends_join(&mut c, since.plus(Time(half.0 + 1))), "again after half a session");
    let mut c = consumer(&k, 4, MemberState::Syncing, &[]);
    let since = c.since;
    assert!(!sends_join(&mut c, since.plus(Time(half.0 + 1))), "a SyncGroup is awaited longer");
    assert!(sends_join(&mut c, since.plus(Time(k.group_session_us + 1))));
}

/// A consumer in a GC pause acts on nothing: a leave (or a join) asked of it meanwhile is done
/// when it wakes, after what arrived meanwhile. Before, a paused consumer sent its LeaveGroup and
/// commit at once (an outside review's finding).
#[test]
fn a_paused_consumer_leaves_when_it_wakes() {
    let k = kafka(Strategy::CooperativeSticky);
    let mut c = consumer(&k, 2, MemberState::Stable, &[0]);
    let mut fx = Fx::new();
    super::group::consumer_request(&k, &mut c, ClientOp::Pause(100), &mut fx.ctx(C1));
    super::group::consumer_request(&k, &mut c, ClientOp::Leave, &mut fx.ctx(C1));
    let sent = fx.take();
    assert!(sent.is_empty() && c.active(), "asleep: {sent:?}");
    super::group::consumer_timer(&k, &mut c, Timer::Resume, &mut fx.ctx(C1));
    assert!(fx.take().iter().any(|(_, m)| matches!(m, Msg::LeaveGroup { member: 0 })), "it leaves on waking");
    assert!(!c.active());
}
