//! A consumer group member, as Kafka's `ConsumerCoordinator` runs the classic protocol with
//! the coordinator of `coordinator.rs`: join (JoinGroup, saying what it owns), learn the
//! generation and the members, compute the assignment if it is the leader, fetch its own part
//! (SyncGroup), heartbeat, commit offsets, and rejoin when the group rebalances.
//!
//! The two rebalance protocols differ in what a member gives up, and when:
//! - **Eager** (range, round-robin, sticky): on a rebalance every member commits, gives up all
//!   its partitions and rejoins; nobody reads until the new assignment arrives.
//! - **Cooperative** (cooperative-sticky, KIP-429): members rejoin *keeping* what they own,
//!   listing it in their JoinGroup, and go on reading it. The assignor computes the balanced
//!   target but gives no partition still owned by one member to another; it only takes it away
//!   (`assign.rs`). A member whose new assignment lacks partitions it owned commits them, gives
//!   them up and rejoins at once; in that follow-up rebalance nobody owns them, and they go to
//!   their new owners. Two rebalances, and no member stops reading what it keeps
//!   (`ConsumerCoordinator.onJoinComplete`: revoked partitions, then `requestRejoin`).
//!
//! Either way a partition is never owned by two members of one generation at once (the
//! checker's `one-owner`). A member accepts the generation it is sent only while it is joining,
//! and keeps only the partitions the coordinator counted it as owning when it formed the
//! generation: a duplicated or late JoinGroup that listed fewer does not make it a second owner.
//! A member the coordinator no longer knows (its session ran out), or whose generation the group
//! has moved past (ILLEGAL_GENERATION), loses all its partitions and joins afresh with a new
//! member id (`onPartitionsLost`; Kafka keeps the id on ILLEGAL_GENERATION since KAFKA-13419,
//! which here comes to the same, as `coordinator.rs` says). A member syncing takes a later
//! generation too: its JoinGroup asked again crossed the answer it syncs with.
//!
//! The rules, where they live, and what breaks without each (tests in `group_tests.rs` and, run
//! end to end on the join presets, `lessons.rs`):
//! - Eager members commit and give up everything before they rejoin: `rejoin`; the mutant
//!   `SkipRevocation` keeps them, and `one-owner` catches it on `join-eager`
//!   (`a_partition_handed_over_without_being_revoked_first_is_caught`).
//! - Cooperative members rejoin keeping, reading and listing what they own: `rejoin`, the
//!   `Poll` timer; `a_member_rejoins_once_and_only_for_its_own_generation`, and
//!   `a_cooperative_join_takes_kip_429s_two_rebalances_and_nobody_stops_reading`.
//! - The assignor only revokes a partition that moves away from a member that still owns it:
//!   `assign.rs`; `cooperative_sticky_revokes_before_reassigning`, and the mutant on
//!   `join-cooperative` (the same test as eager's).
//! - A member that lost partitions commits them and rejoins at once, and the follow-up
//!   rebalance hands them out: the `SyncResponse` handler;
//!   `a_cooperative_member_that_lost_partitions_rejoins_at_once` (and without it C3 never gets
//!   a partition in the lesson's test).
//! - A JoinGroup during a rebalance joins that rebalance, and the coordinator waits for the
//!   known members up to the rebalance timeout: `coordinator.rs`;
//!   `a_join_counts_towards_the_rebalance_in_progress_unless_it_is_stale`, and the lesson's
//!   exactly two generations and six JoinGroups.
//! - A member that asks again (no answer for a session) sends the same subscription: an eager
//!   one lists what it listed, though it has given it up, and a follower's unchanged JoinGroup
//!   is answered with the current generation, where a changed one would start a rebalance:
//!   `send_join`; `an_eager_member_asking_again_lists_what_it_listed` and, on the coordinator,
//!   `a_stable_group_answers_a_followers_unchanged_join_with_its_generation`.
//! - Answers name the generation of their request, and a member acts only on its own:
//!   the `RebalanceInProgress` and `UnknownMember` handlers;
//!   `the_coordinator_answers_each_request_in_the_generation_it_named` and
//!   `a_member_rejoins_once_and_only_for_its_own_generation` (the old storm: a heartbeat sent
//!   before a rebalance, answered after it, sent its member into the next one).
//! - Every request and answer names the member id of the consumer's life (Kafka's `member.id`,
//!   new when it joins afresh): a late LeaveGroup, commit or JoinGroup of an ended life does not
//!   act for the next, nor an answer meant for it: `coordinator.rs`'s `life` and `join`, the
//!   `JoinResponse` and `SyncResponse` handlers; `a_consumers_ended_life_does_not_act_for_its_next`,
//!   `a_join_from_a_members_previous_life_is_answered_unknown_member` and
//!   `a_late_first_join_of_an_ended_life_is_not_a_new_member`.
//! - A stale JoinGroup is not counted, and a member keeps only what the coordinator counted it
//!   as owning: `coordinator.rs`'s `join` and the `JoinResponse` handler;
//!   `a_join_counts_towards_the_rebalance_in_progress_unless_it_is_stale` and
//!   `a_member_keeps_only_what_the_coordinator_counted_and_loses_all_when_removed`. A copy of a
//!   JoinGroup the coordinator took already is not taken again (its send time):
//!   `a_copy_of_a_join_is_taken_once` (an outside review found that a copy arriving after its
//!   member was assigned more started a rebalance counting the member as owning less; random
//!   faults had not reached it, and `one-owner`, then comparing one generation's consumers
//!   only, could not have seen it).

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use super::assign::{assign, Member, Strategy};
use super::config::{Kafka, Mutant};
use super::types::{ClientOp, Life, Msg, Note, Rec, Text8, Timer};
use crate::protocol::{Ctx, NodeId, Time};

pub const TOPIC: &str = "my_topic";

/// Where a member is in the group protocol (the Java client's `MemberState`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MemberState {
    /// Not in the group: an idle consumer, or one that left.
    Out,
    /// Its JoinGroup is outstanding.
    Joining,
    /// It has joined a generation and awaits its assignment.
    Syncing,
    /// It has its generation's assignment.
    Stable,
}

/// A consumer group member.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Consumer {
    pub id: NodeId,
    /// Its member id: which life this is (Kafka's `member.id`, new each time it joins afresh).
    pub member: u32,
    /// The last generation it joined (0: none, or it was removed and joins afresh).
    pub generation: u32,
    /// The partitions it owns and reads.
    pub assigned: Vec<u32>,
    /// Next offset to read, per partition (meaningful for assigned ones).
    pub position: Vec<u64>,
    /// Per partition: when its leader last answered a fetch (or the partition was assigned).
    pub answered: Vec<Time>,
    pub leaders: Vec<Option<NodeId>>,
    pub state: MemberState,
    /// When its outstanding JoinGroup or SyncGroup was sent (retried after half a session, or a
    /// session).
    pub since: Time,
    /// What the coordinator counted it as owning when it formed `generation`.
    pub owned_at_join: Vec<u32>,
    /// The last generation whose assignment it applied.
    pub synced: u32,
    pub consumed: u64,
    /// A GC pause: until when, and the messages that arrived meanwhile (handled on waking).
    pub paused_until: Option<Time>,
    pub stash: Vec<(NodeId, Msg)>,
    /// Joins and leaves asked of it during a pause, done when it wakes.
    pub deferred: Vec<ClientOp>,
    /// The last record read: (partition, offset, text).
    pub last: Option<(u32, u64, Text8)>,
    /// What its last JoinGroup listed as owned: an eager member sends the same again if it must
    /// repeat the request (its answer lost), as Kafka's repeated JoinGroup carries the same
    /// subscription, though it has given those partitions up since.
    pub listed: Vec<u32>,
    /// As its generation's leader, over how many partitions it assigned (Kafka's
    /// `assignmentSnapshot`): once the metadata lists more, it rejoins, asking for a rebalance.
    pub assigned_over: Option<u32>,
    /// When it last asked for metadata by itself (Kafka's `metadata.max.age.ms`).
    pub refreshed: Time,
    /// Whether that request is unanswered: it asks again after half a session, as a Kafka
    /// client retries a failed metadata request (after `retry.backoff.ms`).
    pub refreshing: bool,
}

impl Consumer {
    /// In the group, or wanting to be.
    pub fn active(&self) -> bool {
        self.state != MemberState::Out
    }
}

/// Most messages a paused consumer holds for when it wakes (the rest are lost, as if a socket
/// buffer overflowed).
const MAX_STASH: usize = 256;

/// Most requests a paused consumer holds for when it wakes.
const MAX_DEFERRED: usize = 8;

/// A consumer's name, C1, C2, ….
pub fn member_name(k: &Kafka, id: NodeId) -> String {
    format!("C{}", id.index() - k.brokers - k.producers)
}

/// A member's id in the assignors: its consumer's name, and its member id after a dot past the
/// first life (C1, C1.1, …), so two lives of one consumer are two members, and the assignors,
/// which order members by id, order consumers with one life each as by their names.
fn assignor_id(k: &Kafka, life: Life) -> String {
    match life.member {
        0 => member_name(k, life.consumer),
        n => format!("{}.{n}", member_name(k, life.consumer)),
    }
}

/// A consumer starting, its member id `member` (0 at first; after a crash, one its previous life
/// never had: the group counts it as a new member).
pub fn consumer_init(k: &Kafka, member: u32, ctx: &mut Ctx<Kafka>) -> Consumer {
    let me = ctx.me();
    let mut c = Consumer {
        id: me,
        member,
        generation: 0,
        assigned: Vec::new(),
        position: vec![0; k.partitions as usize],
        answered: vec![Time::ZERO; k.partitions as usize],
        leaders: vec![None; k.partitions as usize],
        state: MemberState::Out,
        since: ctx.now(),
        owned_at_join: Vec::new(),
        synced: 0,
        consumed: 0,
        paused_until: None,
        stash: Vec::new(),
        deferred: Vec::new(),
        last: None,
        listed: Vec::new(),
        assigned_over: None,
        refreshed: ctx.now(),
        refreshing: false,
    };
    if me.index() < crate::protocol::Protocol::nodes(k) - k.idle_consumers {
        join(k, &mut c, ctx);
    }
    ctx.send(k.controller(), Msg::Metadata);
    ctx.set_timer(Timer::GroupHeartbeat, Time(k.group_heartbeat_us));
    ctx.set_timer(Timer::Poll, Time(k.fetch_us));
    c
}

/// The group's protocol: cooperative when its assignor is (Kafka picks the protocol that every
/// member's assignors support).
fn cooperative(k: &Kafka) -> bool {
    k.strategy == Strategy::CooperativeSticky
}

/// Send a JoinGroup in the member's generation, listing what it owns.
fn join(k: &Kafka, c: &mut Consumer, ctx: &mut Ctx<Kafka>) {
    send_join(k, c, c.assigned.clone(), ctx);
}

fn send_join(k: &Kafka, c: &mut Consumer, owned: Vec<u32>, ctx: &mut Ctx<Kafka>) {
    c.state = MemberState::Joining;
    c.since = ctx.now();
    c.listed = owned.clone();
    let (member, generation, sent) = (c.member, c.generation, ctx.now());
    ctx.send(k.controller(), Msg::JoinGroup { member, generation, owned, sent });
}

/// Join the group again (Kafka's `onJoinPrepare`, then JoinGroup). Eager: commit and give up
/// every partition first. Cooperative: keep them, keep reading them, and list them.
fn rejoin(k: &Kafka, c: &mut Consumer, ctx: &mut Ctx<Kafka>) {
    if cooperative(k) || k.is(Mutant::SkipRevocation) {
        join(k, c, ctx);
        return;
    }
    commit(k, c, &c.assigned, ctx);
    // The eager sticky assignor still hears what the member owned before, to keep it there.
    let owned = core::mem::take(&mut c.assigned);
    send_join(k, c, owned, ctx);
}

/// The user's requests to a consumer: join, leave, or a GC pause.
pub fn consumer_request(k: &Kafka, c: &mut Consumer, op: ClientOp, ctx: &mut Ctx<Kafka>) {
    // A paused process acts on nothing: a join or leave waits for it to wake.
    if c.paused_until.is_some() && matches!(op, ClientOp::Join | ClientOp::Leave) {
        if c.deferred.len() < MAX_DEFERRED {
            c.deferred.push(op);
        }
        return;
    }
    match op {
        ClientOp::Join if !c.active() => join(k, c, ctx),
        ClientOp::Leave if c.active() => {
            commit(k, c, &c.assigned, ctx);
            ctx.send(k.controller(), Msg::LeaveGroup { member: c.member });
            c.state = MemberState::Out;
            c.generation = 0;
            c.synced = 0;
            c.member = c.member.wrapping_add(1);
            c.assigned.clear();
            c.listed.clear();
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

/// The leader member's assignment, with the group's assignor, from the members and what each
/// owns. (The mutant assigns the cooperative target at once, revoking nothing first.)
fn assignment(k: &Kafka, members: &[(Life, Vec<u32>)], partitions: u32) -> Vec<(Life, Vec<u32>)> {
    let topics: BTreeMap<String, u32> = [(String::from(TOPIC), partitions)].into_iter().collect();
    let ms: Vec<Member> = members
        .iter()
        .map(|(life, owned)| Member {
            id: assignor_id(k, *life),
            topics: vec![String::from(TOPIC)],
            owned: owned.iter().map(|p| (String::from(TOPIC), *p)).collect(),
            // One generation for all, as the assignor would see them: the coordinator counts
            // no stale JoinGroup, so the members listed here joined from the group's current
            // generation (a new member owns nothing). The assignor compares generations only
            // between claimants of one partition, and two of one generation void the claim.
            generation: None,
        })
        .collect();
    let strategy = match k.strategy {
        Strategy::CooperativeSticky if k.is(Mutant::SkipRevocation) => Strategy::Sticky,
        s => s,
    };
    let out = assign(strategy, &topics, &ms);
    members
        .iter()
        .map(|(life, _)| (*life, out[&assignor_id(k, *life)].iter().map(|(_, p)| *p).collect()))
        .collect()
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
            c.refreshing = false;
            ask_for_new_partitions(k, c, ctx);
        }
        Msg::JoinResponse { member, generation, leader, members, partitions } => {
            // Only a member that is joining takes a generation: a later one, or again the one
            // it joined if it has not had that generation's assignment (its sync was lost);
            // and only an answer to this life's JoinGroup.
            let fresh = generation > c.generation || (generation == c.generation && c.synced < generation);
            // A member syncing takes a later generation too: its JoinGroup asked again (no answer
            // yet) crossed the answer it is syncing with, and the group formed the next generation
            // from that one. It holds no more than it listed there (it has applied nothing since).
            let joined_again = c.state == MemberState::Syncing && generation > c.generation;
            if !(c.state == MemberState::Joining && fresh || joined_again) || member != c.member {
                return;
            }
            let me = Life { consumer: c.id, member };
            let Some((_, counted)) = members.iter().find(|(m, _)| *m == me) else { return };
            // Keep only what the coordinator counted it as owning: it may give the rest away.
            c.assigned.retain(|p| counted.contains(p));
            c.owned_at_join = counted.clone();
            c.generation = generation;
            c.state = MemberState::Syncing;
            c.since = ctx.now();
            fit(c, partitions as usize);
            let leads = leader == me;
            c.assigned_over = leads.then_some(partitions);
            let assignment = if leads { assignment(k, &members, partitions) } else { Vec::new() };
            ctx.send(from, Msg::SyncGroup { member, generation, assignment, sent: ctx.now() });
        }
        Msg::SyncResponse { member, generation, partitions, committed } => {
            if c.state != MemberState::Syncing || generation != c.generation || member != c.member {
                return;
            }
            fit(c, committed.len());
            let now = ctx.now();
            // A partition handed over is read from its committed offset; one nobody has
            // committed, from its start (`auto.offset.reset=earliest`: Kafka's default, `latest`,
            // would skip what was written before the group assigned it).
            for &p in &partitions {
                if !c.assigned.contains(&p) {
                    c.position[p as usize] = committed.get(p as usize).copied().unwrap_or(0);
                    c.answered[p as usize] = now;
                }
            }
            // Cooperative: commit what is taken away before giving it up (onPartitionsRevoked).
            let revoked: Vec<u32> = c.assigned.iter().copied().filter(|p| !partitions.contains(p)).collect();
            commit(k, c, &revoked, ctx);
            c.assigned = partitions;
            c.state = MemberState::Stable;
            c.synced = generation;
            // KIP-429: a member that lost partitions it owned rejoins at once, and the
            // follow-up rebalance hands them to their new owners.
            let lost = c.owned_at_join.iter().any(|p| !c.assigned.contains(p));
            if cooperative(k) && lost && !k.is(Mutant::SkipRevocation) && !k.is(Mutant::NoFollowUp) {
                join(k, c, ctx);
            } else {
                ask_for_new_partitions(k, c, ctx);
            }
        }
        Msg::RebalanceInProgress { generation } => {
            // About its own generation (not a stale answer), and not already rejoining.
            let settled = matches!(c.state, MemberState::Syncing | MemberState::Stable);
            if settled && generation == c.generation {
                rejoin(k, c, ctx);
            }
        }
        // The group removed it, or moved past its generation: its partitions may have new
        // owners already (onPartitionsLost). It gives them up without committing and joins
        // afresh, as a new member.
        // Only for this life and its generation (a life's first JoinGroup, of generation 0, is
        // answered so when the life has ended).
        Msg::UnknownMember { member, generation }
            if c.active() && generation == c.generation && member == c.member =>
        {
            start_afresh(k, c, ctx);
        }
        Msg::IllegalGeneration { generation } => {
            let settled = matches!(c.state, MemberState::Syncing | MemberState::Stable);
            if settled && generation == c.generation && generation > 0 {
                start_afresh(k, c, ctx);
            }
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

/// The leader of a stable generation that assigned fewer partitions than the topic has now
/// rejoins, and so asks the group to rebalance (Kafka's leader compares its assignment's
/// metadata with the latest, `ConsumerCoordinator.rejoinNeededOrPending`): nobody else knows
/// the topic grew, for no member's subscription changed.
fn ask_for_new_partitions(k: &Kafka, c: &mut Consumer, ctx: &mut Ctx<Kafka>) {
    let grew = c.assigned_over.is_some_and(|n| (n as usize) < c.leaders.len());
    if grew && c.state == MemberState::Stable {
        c.assigned_over = None;
        rejoin(k, c, ctx);
    }
}

/// Give up everything without committing, and join again with a new member id.
fn start_afresh(k: &Kafka, c: &mut Consumer, ctx: &mut Ctx<Kafka>) {
    c.assigned.clear();
    c.listed.clear();
    c.generation = 0;
    c.synced = 0;
    c.member = c.member.wrapping_add(1);
    join(k, c, ctx);
}

/// Commit the positions of these partitions, in the member's generation.
fn commit(k: &Kafka, c: &Consumer, partitions: &[u32], ctx: &mut Ctx<Kafka>) {
    if partitions.is_empty() {
        return;
    }
    let ahead = u64::from(k.is(Mutant::CommitAhead));
    let offsets = partitions.iter().map(|p| (*p, c.position[*p as usize] + ahead)).collect();
    let (member, generation, sent) = (c.member, c.generation, ctx.now());
    ctx.send(k.controller(), Msg::OffsetCommit { member, generation, offsets, sent });
}

pub fn consumer_timer(k: &Kafka, c: &mut Consumer, timer: Timer, ctx: &mut Ctx<Kafka>) {
    if timer == Timer::Resume {
        // Awake: handle what arrived and what was asked meanwhile, then heartbeat at once.
        c.paused_until = None;
        for (from, msg) in core::mem::take(&mut c.stash) {
            consumer_message(k, c, from, msg, ctx);
        }
        for op in core::mem::take(&mut c.deferred) {
            consumer_request(k, c, op, ctx);
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
            let now = ctx.now();
            match c.state {
                MemberState::Stable | MemberState::Syncing => ctx
                    .send(k.controller(), Msg::GroupHeartbeat { member: c.member, generation: c.generation }),
                _ => {}
            }
            commit(k, c, &c.assigned, ctx);
            // Metadata grows stale: a member of the group asks for it again now and then (the
            // controller tells the clients of a new partition at once, but the news may be
            // lost), and again after half a session if that request went unanswered (longer
            // than a round trip, so a slow answer is not asked for twice).
            let since = now.0.saturating_sub(c.refreshed.0);
            let stale = since >= k.metadata_max_age_us();
            let unanswered = c.refreshing && since >= k.group_session_us / 2;
            if c.active() && (stale || unanswered) {
                c.refreshed = now;
                c.refreshing = true;
                ctx.send(k.controller(), Msg::Metadata);
            }
            // A JoinGroup unanswered for half a session, or a SyncGroup for a session, was lost,
            // or the group moved on without it: join again (the coordinator answers a repeated
            // one in kind), with the same subscription: an eager member lists what it listed (it
            // owns nothing now), a cooperative one what it owns. A member awaiting its JoinGroup
            // answer sends no heartbeats, so it asks again within its session: the coordinator
            // would expire it before a later retry arrived (Kafka's JoinGroup is not lost, and a
            // broken connection is retried after `retry.backoff.ms`).
            let patience = match c.state {
                MemberState::Joining => k.group_session_us / 2,
                _ => k.group_session_us,
            };
            let waiting = matches!(c.state, MemberState::Joining | MemberState::Syncing);
            if waiting && now.0.saturating_sub(c.since.0) > patience {
                let owned = if cooperative(k) { c.assigned.clone() } else { c.listed.clone() };
                send_join(k, c, owned, ctx);
            }
            ctx.set_timer(Timer::GroupHeartbeat, Time(k.group_heartbeat_us));
        }
        Timer::Poll => {
            // Whatever the member owns it reads, rebalancing or not (an eager member owns
            // nothing while it rebalances).
            if !c.assigned.is_empty() {
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
