//! The group coordinator (on the controller node), as Kafka's `GroupCoordinator` runs the
//! classic group protocol: a group is *stable*, *joining* (PreparingRebalance: members rejoin
//! until a deadline) or *syncing* (CompletingRebalance: the generation is formed and waits for
//! its leader's assignment).
//!
//! - A JoinGroup while the group is joining joins *that* rebalance: the coordinator waits for
//!   every known member up to the rebalance timeout (three sessions here), then forms the next
//!   generation from those that joined (a member that did not is removed); one that has not
//!   joined and whose session runs out meanwhile (it stopped heartbeating) is removed then, as
//!   Kafka expires it, and the rest need not wait for it. Only a new member, a member whose
//!   subscription changed, or the leader starts a new rebalance of a stable or syncing group;
//!   a follower that joins again with the same subscription (its answer, or its assignment's,
//!   was lost) is sent the current generation again, while the group syncs and once it is
//!   stable (Kafka's `doCurrentMemberJoinGroup`). The leader may ask for a rebalance so: it
//!   rejoins when it sees the topic gain partitions, which no subscription says.
//! - A member's JoinGroups are taken once each and in the order it sent them (each says when, on
//!   its clock), as Kafka's connection delivers one member's requests: a copy the network made
//!   of one taken already, arriving after its member was assigned more, would count the member
//!   as owning less than it does, and the assignor could hand the rest to another. Nor is one
//!   sent before a SyncGroup taken from the same life (a retry that crossed its answer).
//! - Each member's JoinGroup says which partitions it owns (KIP-429's owned partitions) and the
//!   generation it was in when it sent it. A JoinGroup from before the member was last sent an
//!   assignment is stale (a duplicate, or one that arrived late): the owned partitions it lists
//!   may be fewer than the member holds now, so the coordinator does not count it (KIP-792 puts
//!   the generation in the subscription for the same reason).
//! - Every request names the member id of the consumer's life that sent it (Kafka's
//!   `member.id`): a consumer that left or was removed joins afresh with a new one. A request
//!   from a life the group has ended (late, or duplicated by the network) is answered
//!   UNKNOWN_MEMBER_ID or ignored: it neither counts as a join (the group remembers each
//!   consumer's newest ended life, so even a first JoinGroup of a life that left is refused
//!   once the member is gone), nor removes the member's next life (a late LeaveGroup), nor
//!   commits for it. The answer names the life, so only that life starts afresh.
//! - The coordinator cannot tell a consumer's lives apart from other consumers (Kafka's dynamic
//!   membership): a restarted consumer, or one that left and joins again while its LeaveGroup
//!   is lost, joins as a new member, and the old life stays one, holding its partitions, until
//!   its session runs out (or, once a rebalance starts, its rebalance timeout). So a consumer
//!   that restarts within its session holds the group's rebalance until its old life expires,
//!   as Kafka's does; KIP-345's static members exist to spare that wait.
//! - A request from a member the group does not know (its session expired, or it missed a
//!   rebalance) is answered UNKNOWN_MEMBER_ID: the member gives up its partitions and joins
//!   afresh. A heartbeat or SyncGroup of a known member naming another generation is answered
//!   ILLEGAL_GENERATION (the member gives up its partitions and joins afresh, as Kafka's
//!   `resetGenerationOnResponseError` makes it do; since KAFKA-13419 Kafka keeps its member id
//!   and rejoins as the same member, where here it takes a new one, and its next life replaces
//!   the life told so at once, which comes to the same; Kafka's fix was for an old id left
//!   waiting out its session); a heartbeat while the group is joining, or a SyncGroup before
//!   the join ends, REBALANCE_IN_PROGRESS. Each answer names the generation
//!   of its request, so that a member that has moved on since ignores it.
//! - The leader member's SyncGroup carries the assignment; every member of the generation is
//!   sent its part (a simplification: Kafka answers each member's own SyncGroup), and a member
//!   that asks later is sent it again.
//! - Offsets are committed by a member of the group in the current generation, while the group
//!   is stable or joining; a commit while it syncs (CompletingRebalance) is refused, as Kafka
//!   answers REBALANCE_IN_PROGRESS, and so is one from another generation or an ended life. A
//!   commit also counts as a sign of life. The model sends no commit answers (a refused
//!   member learns from its next heartbeat). A commit taken overwrites the offsets it names,
//!   lower or higher, as Kafka's offset cache does; a life's commits are taken in the order
//!   it sent them (each says when), as Kafka's connection delivers them, where the simulated
//!   network may reorder them.

use alloc::collections::BTreeMap;
use alloc::vec::Vec;

use super::config::Kafka;
use super::types::{Life, Msg, Note};
use crate::protocol::{Ctx, NodeId, Time};

/// Where the group is in a rebalance (Kafka's `GroupMetadata` states; an empty group is stable
/// with no members).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum GroupState {
    #[default]
    Stable,
    /// PreparingRebalance: members (re)join until `deadline`. A group that had no members waits
    /// for the deadline however many join (Kafka's initial rebalance delay), so that consumers
    /// starting together form one first generation.
    Joining { deadline: Time, initial: bool },
    /// CompletingRebalance: the generation is formed; its leader's assignment is awaited.
    Syncing,
}

/// A member, as the coordinator knows it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct MemberInfo {
    pub id: NodeId,
    /// When it last heartbeated or joined: its session runs from here.
    pub seen: Time,
    /// The partitions it owned when it last joined (KIP-429's owned partitions).
    pub owned: Vec<u32>,
    /// Whether it has joined the rebalance in progress.
    pub joined: bool,
    /// The last generation whose assignment it was sent (0: none yet).
    pub synced: u32,
    /// The member id of the consumer's life that joined (Kafka's `member.id`): requests from
    /// its other lives are not its.
    pub member: u32,
    /// When the newest JoinGroup taken from this life was sent: a copy of it, or one sent
    /// before it, is not taken (Kafka's connection delivers each once, in order). A restarted
    /// consumer joins with a member id none of its earlier lives had, as Kafka's new process
    /// gets a new one: the group counts it as a new member.
    pub last_join: Time,
    /// When the newest SyncGroup taken from this life was sent: a JoinGroup sent before it is
    /// not taken either (a retry that crossed its answer; the connection would have delivered
    /// it before the SyncGroup). Were it taken, the leader's would start a rebalance of a group
    /// that has just formed the very generation it asked for.
    pub synced_at: Time,
    /// When the newest commit taken from this life was sent: one sent before it is not taken
    /// (it would move the offsets back to where the member was; Kafka's connection delivers
    /// a member's commits in order).
    pub last_commit: Time,
    /// It was answered ILLEGAL_GENERATION: it gives up its partitions and joins again. Kafka's
    /// member keeps its member id then (since KAFKA-13419) and rejoins as the same member; here
    /// it takes a new one, and its next life replaces this one at once.
    pub reset: bool,
}

impl MemberInfo {
    pub fn life(&self) -> Life {
        Life { consumer: self.id, member: self.member }
    }
}

/// The coordinator's view of the group.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Group {
    pub generation: u32,
    pub state: GroupState,
    /// The members: those of the current generation, and new ones joining the next. Two lives
    /// of one consumer may both be members (it restarted within its old life's session).
    pub members: Vec<MemberInfo>,
    /// The member that computes the assignment (kept across rebalances while it stays).
    pub leader: Option<Life>,
    /// The last assignment the leader handed out, by member.
    pub assignment: BTreeMap<Life, Vec<u32>>,
    /// Committed offset per partition.
    pub committed: Vec<u64>,
    /// Per consumer (`NodeId.0`): the newest of its lives the group has ended (it left, was
    /// removed, or joined afresh). A JoinGroup of that life or an older one, late or
    /// duplicated, is answered UNKNOWN_MEMBER_ID, even once the member is gone.
    pub ended: BTreeMap<u32, u32>,
}

impl Group {
    /// Whether the group counts consumer `id` as a member, in its life `member`.
    pub fn counts(&self, id: NodeId, member: u32) -> bool {
        self.members.iter().any(|m| m.id == id && m.member == member)
    }
    /// The member `id` in its life `member`, if the group has it.
    fn life(&mut self, id: NodeId, member: u32) -> Option<&mut MemberInfo> {
        self.members.iter_mut().find(|m| m.id == id && m.member == member)
    }
    pub fn rebalancing(&self) -> bool {
        self.state != GroupState::Stable
    }
    /// Remove the members `gone` picks, noting each one's life as ended, and their assignments.
    fn remove(&mut self, gone: impl Fn(&MemberInfo) -> bool) {
        for m in self.members.iter().filter(|m| gone(m)) {
            let e = self.ended.entry(m.id.0).or_insert(m.member);
            *e = (*e).max(m.member);
        }
        self.members.retain(|m| !gone(m));
        let members = &self.members;
        self.assignment.retain(|life, _| members.iter().any(|m| m.life() == *life));
    }
}

pub fn coordinator_message(k: &Kafka, g: &mut Group, from: NodeId, msg: Msg, ctx: &mut Ctx<Kafka>) {
    match msg {
        Msg::JoinGroup { member, generation, owned, sent } => {
            join(k, g, from, (member, generation, sent), owned, ctx)
        }
        Msg::SyncGroup { member, generation, assignment, sent } => {
            sync(g, from, (member, generation, sent), assignment, ctx)
        }
        Msg::GroupHeartbeat { member, generation } => {
            let now = ctx.now();
            let (current, joining) = (g.generation, matches!(g.state, GroupState::Joining { .. }));
            match g.life(from, member) {
                None => ctx.send(from, Msg::UnknownMember { member, generation }),
                Some(m) if generation != current => {
                    m.reset = true;
                    ctx.send(from, Msg::IllegalGeneration { generation })
                }
                Some(m) => {
                    m.seen = now;
                    if joining {
                        ctx.send(from, Msg::RebalanceInProgress { generation });
                    }
                }
            }
        }
        Msg::OffsetCommit { member, generation, offsets, sent } => {
            // Generations fence members that missed a rebalance, and member ids a consumer's
            // ended lives; no commit while the generation awaits its assignment.
            let (current, syncing, now) = (g.generation, g.state == GroupState::Syncing, ctx.now());
            match g.life(from, member) {
                Some(m) if generation == current && !syncing => {
                    m.seen = now;
                    if sent < m.last_commit {
                        return;
                    }
                    m.last_commit = sent;
                }
                // Broken: whoever sends it.
                _ if k.is(super::config::Mutant::ZombieCommit) => {}
                _ => return,
            }
            // A commit overwrites, as Kafka's offset cache does: what it names becomes the
            // group's offset, lower or higher.
            for (p, o) in offsets {
                if let Some(c) = g.committed.get_mut(p as usize) {
                    *c = o;
                }
            }
        }
        Msg::LeaveGroup { member } => {
            if !g.counts(from, member) {
                return;
            }
            g.remove(|m| m.id == from && m.member == member);
            if !matches!(g.state, GroupState::Joining { .. }) {
                prepare_rebalance(k, g, None, ctx);
            }
            try_complete_join(g, ctx);
        }
        _ => {}
    }
}

fn join(
    k: &Kafka,
    g: &mut Group,
    from: NodeId,
    (member, generation, sent): (u32, u32, Time),
    owned: Vec<u32>,
    ctx: &mut Ctx<Kafka>,
) {
    let (now, state, life) = (ctx.now(), g.state, Life { consumer: from, member });
    let leads = g.leader == Some(life);
    // A life older than one the group has of this consumer (a late or duplicated first
    // JoinGroup of a life that has moved on); one the group removed (it was a member once) or
    // that ended: what it says it owns, it owned in that life, and gave up since. A newer life
    // joins as a new member, beside the old if the old is still one (the coordinator cannot
    // tell them apart).
    if !g.counts(from, member) {
        let newer = g.members.iter().any(|m| m.id == from && m.member > member);
        if newer || generation > 0 || g.ended.get(&from.0).is_some_and(|e| member <= *e) {
            ctx.send(from, Msg::UnknownMember { member, generation });
            return;
        }
        // Kafka's member would rejoin under the id of the life told ILLEGAL_GENERATION.
        g.remove(|m| m.id == from && m.reset);
    }
    let Some(m) = g.life(from, member) else {
        g.members.push(MemberInfo {
            id: from,
            seen: now,
            owned,
            joined: true,
            synced: 0,
            member,
            last_join: sent,
            synced_at: Time::ZERO,
            last_commit: Time::ZERO,
            reset: false,
        });
        if !matches!(state, GroupState::Joining { .. }) {
            prepare_rebalance(k, g, Some(life), ctx);
        }
        try_complete_join(g, ctx);
        return;
    };
    if sent <= m.last_join || sent < m.synced_at {
        // A copy of a JoinGroup taken already (the network duplicated it), or one sent before
        // it or before a SyncGroup taken: what it lists the member may have outgrown since
        // (partitions assigned to it after it was sent), and Kafka's connection would never
        // deliver it.
        return;
    }
    m.last_join = sent;
    if generation < m.synced {
        // Sent before its last assignment: stale. A member still waiting for that generation
        // (its JoinGroup answer was lost) is sent it again.
        if !matches!(state, GroupState::Joining { .. }) {
            send_join_response(g, life, ctx);
        }
        return;
    }
    match state {
        GroupState::Joining { .. } => {
            m.owned = owned;
            m.joined = true;
            m.seen = now;
            try_complete_join(g, ctx);
        }
        // The same subscription again (its answer, or its assignment's, was lost): the current
        // generation, from a follower while the group is stable too. The leader's JoinGroup
        // always starts a rebalance, as Kafka lets the leader ask for one (it has seen the
        // topic's partitions change, which no member's subscription says).
        GroupState::Syncing if m.owned == owned => send_join_response(g, life, ctx),
        GroupState::Stable if m.owned == owned && !leads => {
            m.seen = now;
            send_join_response(g, life, ctx)
        }
        _ => {
            m.owned = owned;
            m.seen = now;
            prepare_rebalance(k, g, Some(life), ctx);
            try_complete_join(g, ctx);
        }
    }
}

/// Start a rebalance: every member must join again, by the rebalance timeout; those already in
/// the group are told at once (and on their next heartbeat). The `joiner` whose JoinGroup
/// started it has joined already. A group that was empty waits the initial delay instead.
pub fn prepare_rebalance(k: &Kafka, g: &mut Group, joiner: Option<Life>, ctx: &mut Ctx<Kafka>) {
    // A group whose only member is one joining for the first time was empty.
    let initial = g.members.iter().all(|m| Some(m.life()) == joiner && m.synced == 0);
    let wait = if initial { k.initial_rebalance_delay_us() } else { k.rebalance_timeout_us() };
    let deadline = ctx.now().plus(Time(wait));
    g.state = GroupState::Joining { deadline, initial };
    for m in &mut g.members {
        m.joined = Some(m.life()) == joiner;
        if !m.joined {
            ctx.send(m.id, Msg::RebalanceInProgress { generation: g.generation });
        }
    }
}

/// Form the next generation once every member has joined (never early for a new group).
fn try_complete_join(g: &mut Group, ctx: &mut Ctx<Kafka>) {
    if let GroupState::Joining { initial: false, .. } = g.state {
        if g.members.iter().all(|m| m.joined) {
            complete_join(g, ctx);
        }
    }
}

/// The join phase ends: members that did not join are removed, and the rest form the next
/// generation; each is sent the members and what they own, for the leader to assign.
fn complete_join(g: &mut Group, ctx: &mut Ctx<Kafka>) {
    let now = ctx.now();
    g.remove(|m| !m.joined);
    g.generation += 1;
    if g.members.is_empty() {
        g.state = GroupState::Stable;
        g.leader = None;
        return;
    }
    g.leader = g.leader.filter(|l| g.members.iter().any(|m| m.life() == *l)).or(Some(g.members[0].life()));
    g.state = GroupState::Syncing;
    for m in &mut g.members {
        m.seen = now;
        m.joined = false;
    }
    for i in 0..g.members.len() {
        send_join_response(g, g.members[i].life(), ctx);
    }
}

fn send_join_response(g: &Group, to: Life, ctx: &mut Ctx<Kafka>) {
    let Some(leader) = g.leader else { return };
    ctx.send(
        to.consumer,
        Msg::JoinResponse {
            member: to.member,
            generation: g.generation,
            leader,
            members: g.members.iter().map(|m| (m.life(), m.owned.clone())).collect(),
            partitions: g.committed.len() as u32,
        },
    );
}

fn sync(
    g: &mut Group,
    from: NodeId,
    (member, generation, sent): (u32, u32, Time),
    assignment: Vec<(Life, Vec<u32>)>,
    ctx: &mut Ctx<Kafka>,
) {
    let (current, state, life) = (g.generation, g.state, Life { consumer: from, member });
    let Some(m) = g.life(from, member) else {
        ctx.send(from, Msg::UnknownMember { member, generation });
        return;
    };
    m.synced_at = m.synced_at.max(sent);
    if generation != current {
        m.reset = true;
        ctx.send(from, Msg::IllegalGeneration { generation });
        return;
    }
    if matches!(state, GroupState::Joining { .. }) {
        ctx.send(from, Msg::RebalanceInProgress { generation });
        return;
    }
    if state == GroupState::Stable {
        m.synced = current;
        let partitions = g.assignment.get(&life).cloned().unwrap_or_default();
        ctx.send(from, Msg::SyncResponse { member, generation, partitions, committed: g.committed.clone() });
        return;
    }
    // Syncing: the leader's assignment completes the rebalance; a follower waits for it.
    if g.leader != Some(life) {
        return;
    }
    g.assignment = g
        .members
        .iter()
        .map(|m| {
            (m.life(), assignment.iter().find(|a| a.0 == m.life()).map(|a| a.1.clone()).unwrap_or_default())
        })
        .collect();
    g.state = GroupState::Stable;
    for m in &mut g.members {
        m.synced = current;
        let partitions = g.assignment.get(&m.life()).cloned().unwrap_or_default();
        let member = m.member;
        ctx.send(m.id, Msg::SyncResponse { member, generation, partitions, committed: g.committed.clone() });
    }
    ctx.note(Note::Rebalanced { generation, members: g.members.len() as u32 });
}

/// Coordinator timer: remove members whose session expired. In a join phase, those that have
/// not joined (one that has is waiting for the answer, and kept, as Kafka keeps a member
/// awaiting its JoinGroup answer), and the phase ends once every member left has joined, or at
/// its deadline; outside one, the group rebalances without them.
pub fn coordinator_tick(k: &Kafka, g: &mut Group, ctx: &mut Ctx<Kafka>) {
    let now = ctx.now();
    let expired = |m: &MemberInfo| now.0.saturating_sub(m.seen.0) > k.group_session_us;
    if let GroupState::Joining { deadline, .. } = g.state {
        if now >= deadline {
            complete_join(g, ctx);
        } else if g.members.iter().any(|m| !m.joined && expired(m)) {
            g.remove(|m| !m.joined && expired(m));
            try_complete_join(g, ctx);
        }
        return;
    }
    let before = g.members.len();
    g.remove(expired);
    if g.members.len() != before {
        prepare_rebalance(k, g, None, ctx);
        try_complete_join(g, ctx);
    }
}
