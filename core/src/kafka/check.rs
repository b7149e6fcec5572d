//! The checker: Kafka's promise that a record acknowledged with acks=all is never lost (with
//! clean elections) and was on `min.insync.replicas` replicas when it was, a high watermark
//! that never passes a record an in-sync replica lacks, replicas that agree below the high
//! watermark, records consumers read only once committed and that never change, partitions
//! that never have two owners in one generation, records committed at most once however often
//! they were sent (an idempotent producer's promise), and, apart, acks=1's weaker behaviour and
//! a producer without idempotence writing a retry twice. Checks are incremental.
//!
//! "Committed" for `consumed-committed` and `committed-agree` is the replicas' own high
//! watermark: `hw-in-isr` is what ties that line to the replicas that hold the records (without
//! it a leader moving its high watermark too early moves the line the others measure by).

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use super::broker::Replica;
use super::config::{Kafka, ACKS_ALL};
use super::controller::PartitionState;
use super::group::{member_name, Consumer};
use super::node::Node;
use super::types::{Msg, Note};

type Fail = (&'static str, String);
use crate::protocol::{NodeId, PropertyInfo, Time, World};

pub(super) const PROPERTIES: &[PropertyInfo] = &[
    PropertyInfo {
        name: "acked-not-lost",
        description: "a record acknowledged with acks=all stays in its partition at its offset (Kafka's \
            promise, with clean leader elections); acks=1 is checked apart (acks1-not-lost), and acks=0 \
            is never acknowledged",
    },
    PropertyInfo {
        name: "acked-min-insync",
        description: "a record acknowledged with acks=all is held by at least min.insync.replicas \
            replicas of the leader's ISR when the leader answers",
    },
    PropertyInfo {
        name: "hw-in-isr",
        description: "a leader's high watermark never passes a record that a replica in its ISR lacks \
            (Kafka's high watermark: the least log end offset over the ISR)",
    },
    PropertyInfo {
        name: "isr-holds-committed",
        description: "every replica in the controller's ISR, the replicas it may elect, holds every \
            committed record (an unclean election or a follower let back in too early breaks it)",
    },
    PropertyInfo {
        name: "committed-agree",
        description: "replicas agree on every record below the high watermark",
    },
    PropertyInfo {
        name: "consumed-stable",
        description: "a record a consumer read never disappears: every read of that offset returns it",
    },
    PropertyInfo {
        name: "consumed-committed",
        description: "a consumer reads a record only once it is committed, below the high watermark: \
            a record above it may still be replaced",
    },
    PropertyInfo {
        name: "commit-after-read",
        description: "the group commits an offset only once every record below it was delivered to \
            one of its members: a committed offset past an unread record loses that record for the \
            group (at-least-once)",
    },
    PropertyInfo {
        name: "one-owner",
        description: "no partition is owned by two consumers of the same generation at once, nor by \
            two the coordinator counts as members: it \
            changes owner only once its old owner has given it up (eager: every member gives up \
            everything before rejoining; cooperative: KIP-429 revokes in one rebalance and assigns \
            in the next)",
    },
    PropertyInfo {
        name: "commit-fenced",
        description: "the group coordinator takes an offset commit only from a member of the current \
            generation, in the life the group counts, while the group is not awaiting its assignment: \
            a member the group removed, still reading, cannot move the offsets the partitions' new \
            owners start from",
    },
    PropertyInfo {
        name: "replicas-informed",
        description: "every live replica learns its partition's leader, ISR and epochs: a state the \
            controller decided reaches each replica it counts live within 8 broker sessions of the \
            decision or the last crash or network change (a lost LeaderAndIsr is sent again)",
    },
    PropertyInfo {
        name: "group-settles",
        description: "the consumer group comes to rest: within 10 group sessions of whatever last \
            stirred it (a crash, a request, a change of the network, a lost rebalance message), \
            every running member holds what the coordinator gave it in the current generation, \
            and every partition has an owner",
    },
    PropertyInfo {
        name: "no-duplicates",
        description: "a record a producer sent is committed at most once, however often it was \
            sent again: an idempotent producer's stamp (KIP-98) lets the leader answer a retry it \
            holds instead of appending it again. Not a promise with idempotence off, or with acks \
            below all, where Kafka's producer turns it off",
    },
    PropertyInfo {
        name: "acks1-not-lost",
        description: "not a Kafka promise, checked to show why acks=all exists: a record acknowledged \
            with acks=1 stays at its offset. The leader answers before any follower has copied the \
            record, so a leader that fails first loses it",
    },
];

/// Ghost state: acknowledged records and committed prefixes. Checks are incremental: each
/// replica's committed prefix is compared from where it was last compared, and a leader's log
/// against the acknowledgements it has not been checked against yet.
#[derive(Clone, Debug, Default, Hash)]
pub struct Monitor {
    /// Per partition: (offset, value, acks) of every acknowledged record, in order.
    pub acked: Vec<Vec<(u64, u64, u8)>>,
    /// Per partition: the values of the committed prefix seen so far.
    pub committed: Vec<Vec<u64>>,
    /// Where each value of a committed prefix is: (partition, offset). One map for the topic,
    /// so that a record committed in two partitions is seen too (no-duplicates).
    placed: BTreeMap<u64, (usize, u64)>,
    /// Per broker and partition: how much of the committed prefix has been compared.
    checked: Vec<Vec<u64>>,
    /// Per partition: (leader, epoch, acknowledgements verified on that leader).
    verified: Vec<(Option<NodeId>, u32, usize)>,
    /// Per partition: the value consumers read at each offset.
    pub consumed: Vec<Vec<Option<u64>>>,
    /// Per partition: the first offset no member of the group has been delivered.
    read_to: Vec<u64>,
    /// Per partition and broker: the epoch of a state the controller decided that the broker,
    /// live, does not hold yet, and since when.
    pub uninformed: Vec<Vec<Option<(u32, Time)>>>,
    /// The last scan of every replica: see `check_world`.
    scanned: Scanned,
    /// The members the coordinator counted at its last event, and in which lives.
    counted: Vec<(u32, u32)>,
    /// An offset commit the coordinator must refuse, delivered in this event (`fence.rs`).
    pub(super) fence: super::fence::Fence,
    /// Since when the group has been unsettled (`settle.rs`).
    pub(super) settle: super::settle::Settle,
}

/// When `check_world` last compared every replica with the controller: the world's count of
/// crashes and restarts and its last change of shape then, and the earliest time a replica's
/// wait could pass its bound. Until then, and until a fault, only the controller's events and
/// a broker's own can change what it compares (a broker's, its own replicas alone).
#[derive(Clone, Debug, Default, Hash)]
struct Scanned {
    done: bool,
    epoch: u64,
    shape_at: Time,
    due: Time,
}

/// How long, in broker sessions, a live replica may go without the state the controller decided.
pub const INFORM_SESSIONS: u64 = 8;

/// replicas-informed: each replica the controller counts live and that runs holds its
/// partition's state (leader, ISR, epoch) within `INFORM_SESSIONS` of the controller deciding it,
/// or of the last crash, restart or change of the network. A state replaced by a newer one starts
/// the count again: under churn each state is a new message to deliver.
/// It compares every replica only when something it compares may have changed (the
/// controller ran, a fault came) or a wait may have passed its bound; after a broker's event,
/// that broker's replicas alone. The verdicts, and the events they come at, are those of a
/// comparison after every event.
pub(super) fn check_world(
    k: &Kafka,
    m: &mut Monitor,
    nodes: &[Node],
    touched: Option<NodeId>,
    world: &World<'_, Msg>,
) -> Result<(), (&'static str, String)> {
    if !world.timed() {
        return Ok(());
    }
    let Some(Node::Controller(c)) = nodes.get(k.controller().index()) else { return Ok(()) };
    let sc = &m.scanned;
    let faulted = !sc.done || world.up_epoch != sc.epoch || world.shape_at != sc.shape_at;
    let all = faulted || touched == Some(k.controller()) || world.now > sc.due;
    let broker = touched.filter(|t| t.index() < k.brokers);
    if !all && broker.is_none() {
        return Ok(());
    }
    if m.uninformed.len() < c.partitions.len() {
        m.uninformed.resize(c.partitions.len(), vec![None; k.brokers]);
    }
    let mut due = if all { Time(u64::MAX) } else { m.scanned.due };
    // Due at once until this scan ends (a violation ends it early: the next event looks again).
    m.scanned = Scanned { done: true, epoch: world.up_epoch, shape_at: world.shape_at, due: Time::ZERO };
    let last_fault = world.last_fault();
    let bound = INFORM_SESSIONS.saturating_mul(k.session_us);
    for (p, s) in c.partitions.iter().enumerate() {
        for r in &s.replicas {
            let b = r.index();
            if !all && broker != Some(*r) {
                continue;
            }
            let live = c.brokers.get(b).is_some_and(|x| x.1) && world.is_up(*r);
            let held = match nodes.get(b) {
                Some(Node::Broker(x)) => x.replicas.get(p).and_then(|r| r.as_ref()),
                _ => None,
            };
            let informed = held.is_some_and(|h| {
                h.partition_epoch == s.partition_epoch && h.leader == s.leader && h.isr == s.isr
            });
            let slot = &mut m.uninformed[p][b];
            if !live || informed {
                *slot = None;
                continue;
            }
            let since = match *slot {
                Some((epoch, since)) if epoch == s.partition_epoch => since,
                _ => world.now,
            };
            *slot = Some((s.partition_epoch, since));
            let from = since.max(last_fault);
            due = due.min(Time(from.0.saturating_add(bound)));
            if world.now.0.saturating_sub(from.0) > bound {
                return Err((
                    "replicas-informed",
                    format!(
                        "B{} has not learnt p{p}'s partition epoch {} (leader {}) in {} ms, though the controller counts it live",
                        b + 1,
                        s.partition_epoch,
                        s.leader.map_or(String::from("none"), |l| format!("B{}", l.0 + 1)),
                        world.now.0.saturating_sub(from.0) / 1000
                    ),
                ));
            }
        }
    }
    m.scanned.due = due;
    Ok(())
}

/// Check every property after an event: `touched` is the node whose handler ran, `notes` what
/// the handlers reported (acknowledgements, reads).
pub(super) fn check(
    k: &Kafka,
    m: &mut Monitor,
    nodes: &[Node],
    touched: Option<NodeId>,
    notes: &[Note],
) -> Result<(), (&'static str, String)> {
    if let Some(t) = touched {
        m.fence.judge(k, nodes, t)?;
    }
    // The topic may grow while the run goes on: size the ghost state to the controller's.
    let parts = match nodes.get(k.controller().index()) {
        Some(Node::Controller(c)) => c.partitions.len(),
        _ => k.partitions as usize,
    };
    if m.committed.len() < parts {
        m.committed.resize(parts, Vec::new());
        m.acked.resize(parts, Vec::new());
        m.checked.resize(k.brokers, Vec::new());
        for row in &mut m.checked {
            row.resize(parts, 0);
        }
        m.verified.resize(parts, (None, 0, 0));
        m.consumed.resize(parts, Vec::new());
        m.read_to.resize(parts, 0);
    }
    for n in notes {
        match n {
            Note::Acked { partition, offset, rec_value, acks } => {
                m.acked[*partition as usize].push((*offset, *rec_value, *acks));
            }
            Note::Consumed { partition, offset, value } => {
                let (p, o) = (*partition as usize, *offset as usize);
                let seen = &mut m.consumed[p];
                if seen.len() <= o {
                    seen.resize(o + 1, None);
                }
                // Committed means below some replica's high watermark: every broker's high
                // watermark has been taken into `committed` in the event that moved it.
                let hw = m.committed[p].len();
                if o >= hw {
                    return Err((
                        "consumed-committed",
                        format!("a consumer read p{p} offset {o}, above the high watermark ({hw})"),
                    ));
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
                        return Err((
                            "consumed-stable",
                            format!(
                                "a consumer read p{p} offset {o}, which the replicas committed differently"
                            ),
                        ));
                    }
                    _ => seen[o] = Some(*value),
                }
            }
            _ => {}
        }
    }
    let Some(t) = touched else { return Ok(()) };
    if let Some(Node::Consumer(_)) = nodes.get(t.index()) {
        return one_owner(k, nodes, t);
    }
    let Some(Node::Controller(c)) = nodes.get(k.controller().index()) else { return Ok(()) };
    if t == k.controller() {
        // Whom the coordinator counts changes only at some of its events.
        let counted: Vec<(u32, u32)> = c.group.members.iter().map(|m| (m.id.0, m.member)).collect();
        if counted != m.counted {
            m.counted = counted;
            one_owner(k, nodes, t)?;
        }
        for (p, s) in c.partitions.iter().enumerate().take(parts) {
            for &b in &s.isr {
                isr_holds_committed(m, nodes, p, b)?;
            }
        }
        return commit_after_read(m, &c.group.committed);
    }
    let Some(Node::Broker(b)) = nodes.get(t.index()) else { return Ok(()) };
    // A loss acks=1 allows, kept until every promised property has been judged in this event:
    // it must not hide one of them (`Protocol::not_promised`).
    let mut unpromised: Option<Fail> = None;
    for (p, r) in b.replicas.iter().enumerate().take(parts) {
        let Some(r) = r else { continue };
        hw_in_isr(nodes, c.partitions.get(p), t, p, r)?;
        // Committed prefixes agree across replicas and over time.
        let upto = (r.hard.hw as usize).min(r.hard.log.len());
        let from = (m.checked[t.index()][p] as usize).min(upto);
        let seen = &mut m.committed[p];
        for i in from..upto {
            match seen.get(i) {
                Some(v) if *v != r.hard.log[i].value => {
                    return Err((
                        "committed-agree",
                        format!("B{} has a different record at committed offset {i} of p{p}", t.0 + 1),
                    ));
                }
                Some(_) => {}
                None => {
                    // A record a consumer already read must be the one that commits there.
                    if m.consumed[p].get(i).copied().flatten().is_some_and(|v| v != r.hard.log[i].value) {
                        return Err((
                            "consumed-stable",
                            format!(
                                "a consumer read p{p} offset {i}, but a different record committed there"
                            ),
                        ));
                    }
                    let value = r.hard.log[i].value;
                    seen.push(value);
                    if let Some(first) = m.placed.insert(value, (p, i as u64)) {
                        m.placed.insert(value, first);
                        let fail = super::idempotence::duplicate(
                            k,
                            first,
                            (p, i as u64),
                            r.hard.log[i].text.as_str(),
                        );
                        if k.idempotent() {
                            return Err(fail);
                        }
                        unpromised.get_or_insert(fail);
                    }
                }
            }
        }
        m.checked[t.index()][p] = upto as u64;
        if c.partitions.get(p).is_some_and(|s| s.isr.contains(&t)) {
            isr_holds_committed(m, nodes, p, t)?;
        }
        // Acknowledged records are in the partition leader's log. A leader's log only grows
        // while it leads, so each acknowledgement is checked once per leader and epoch.
        if c.partitions[p].leader == Some(t) && r.leader == Some(t) {
            let (who, epoch, done) = m.verified[p];
            let start = if who == Some(t) && epoch == r.hard.epoch { done } else { 0 };
            for &(off, val, acks) in &m.acked[p][start..] {
                if r.hard.log.get(off as usize).map(|x| x.value) != Some(val) {
                    // acks=all is Kafka's promise; acks=1 has a property of its own, which
                    // Kafka does not promise (acks=0 is never acknowledged).
                    let (property, why) = if acks == ACKS_ALL {
                        ("acked-not-lost", "")
                    } else {
                        (
                            "acks1-not-lost",
                            ": with acks=1 a leader answers before its followers have the record, and \
                             Kafka promises no more (acks=all would have kept it)",
                        )
                    };
                    let fail = (
                        property,
                        format!(
                            "the record acknowledged with acks={} at p{p} offset {off} is gone from leader B{}{why}",
                            if acks == ACKS_ALL { "all".into() } else { format!("{acks}") },
                            t.0 + 1
                        ),
                    );
                    if acks == ACKS_ALL {
                        return Err(fail);
                    }
                    unpromised.get_or_insert(fail);
                }
            }
            m.verified[p] = (Some(t), r.hard.epoch, m.acked[p].len());
        }
    }
    // After hw-in-isr: a high watermark ahead of the ISR is the cause, the answer it lets out
    // the consequence.
    for n in notes {
        if let Note::Answered { partition, offset, value } = n {
            min_insync(k, nodes, t, *partition as usize, *offset, *value)?;
        }
    }
    unpromised.map_or(Ok(()), Err)
}

/// The replica of partition `p` on broker `b`, if it runs one.
fn replica(nodes: &[Node], b: NodeId, p: usize) -> Option<&Replica> {
    match nodes.get(b.index()) {
        Some(Node::Broker(x)) => x.replicas.get(p).and_then(|r| r.as_ref()),
        _ => None,
    }
}

/// acked-min-insync: an acks=all acknowledgement of the record `value` at `offset` of `p`, as
/// the leader `t` sends it: at least `min.insync.replicas` replicas of its ISR (counting the
/// additions it has asked for, KIP-497's maximal ISR) hold it there, as Kafka's
/// `checkEnoughReplicasReachOffset` counts them: a caught-up follower outside the ISR does not
/// count. Judged when it leaves the leader, not when the producer hears it: followers fetching
/// meanwhile would make up for an acknowledgement sent one replica short.
fn min_insync(k: &Kafka, nodes: &[Node], t: NodeId, p: usize, offset: u64, value: u64) -> Result<(), Fail> {
    let holds = |b: &NodeId| {
        replica(nodes, *b, p).and_then(|r| r.hard.log.get(offset as usize)).map(|x| x.value) == Some(value)
    };
    let Some(lead) = replica(nodes, t, p) else { return Ok(()) };
    let pending = lead.pending_isr.as_ref().map_or(&[][..], |x| x.isr.as_slice());
    let mut isr: Vec<NodeId> = Vec::new();
    for b in lead.isr.iter().chain(pending).chain(core::iter::once(&t)) {
        if !isr.contains(b) {
            isr.push(*b);
        }
    }
    let held = isr.iter().filter(|b| holds(b)).count();
    if (held as u32) < k.min_insync {
        return Err((
            "acked-min-insync",
            format!(
                "the record acknowledged with acks=all at p{p} offset {offset} is on {held} replica{} of the leader's ISR, fewer than min.insync.replicas = {}",
                if held == 1 { "" } else { "s" },
                k.min_insync
            ),
        ));
    }
    Ok(())
}

/// hw-in-isr, after broker `t`'s event, for its replica `r` of `p`: against the leader it
/// follows (itself, if it leads), every replica in that leader's ISR, counting the additions
/// it has asked for (KIP-497's maximal ISR), holds the leader's log below its high watermark
/// (its length, and the record just below it). A leader checks all of them; a follower, itself.
/// The ISR is also the controller's (`decided`), while the controller has this leader, in the
/// leader's epoch or a later one: a leader that dropped a member from its own ISR before the
/// controller did (the shrink KIP-497 made wait for the controller), or forgot an addition the
/// controller made, is judged by the ISR the controller would elect from (Kafka's maximal ISR).
/// The controller adds only members the leader asked for, so a correct leader counts them all.
fn hw_in_isr(
    nodes: &[Node],
    decided: Option<&PartitionState>,
    t: NodeId,
    p: usize,
    r: &Replica,
) -> Result<(), Fail> {
    let Some(l) = r.leader else { return Ok(()) };
    let Some(lead) = replica(nodes, l, p).filter(|x| x.leader == Some(l)) else { return Ok(()) };
    let hw = lead.hard.hw as usize;
    if hw == 0 {
        return Ok(());
    }
    let pending = lead.pending_isr.as_ref().map_or(&[][..], |x| x.isr.as_slice());
    let decided = decided.filter(|s| s.leader == Some(l) && s.leader_epoch >= lead.hard.epoch);
    let controllers = decided.map_or(&[][..], |s| s.isr.as_slice());
    for m in lead.isr.iter().chain(pending).chain(controllers) {
        if *m == l || (l != t && *m != t) {
            continue;
        }
        let Some(f) = replica(nodes, *m, p) else { continue };
        let below = f.hard.log.get(hw - 1).map(|x| x.value);
        if below != lead.hard.log.get(hw - 1).map(|x| x.value) {
            let why = if f.hard.log.len() < hw {
                format!("its log ends at {}", f.hard.log.len())
            } else {
                format!("it holds another record at offset {}", hw - 1)
            };
            return Err((
                "hw-in-isr",
                format!(
                    "B{}'s high watermark of p{p} is {hw}, but B{}, in its ISR, lacks the record below it: {why}",
                    l.0 + 1,
                    m.0 + 1
                ),
            ));
        }
    }
    Ok(())
}

/// isr-holds-committed: broker `b`, in the controller's ISR of `p`, holds the committed prefix
/// (its length, and the record at its end: by the leader epoch rule a record of one epoch at
/// one offset has the same log before it, and `committed-agree` compares the rest as `b`'s
/// own high watermark passes it). Judged when the controller changes an ISR and when a member
/// changes its log; a committed prefix that grows past a member is `hw-in-isr`'s to judge.
fn isr_holds_committed(m: &Monitor, nodes: &[Node], p: usize, b: NodeId) -> Result<(), Fail> {
    let Some(&last) = m.committed.get(p).and_then(|c| c.last()) else { return Ok(()) };
    let n = m.committed[p].len();
    let Some(r) = replica(nodes, b, p) else { return Ok(()) };
    let why = match r.hard.log.get(n - 1) {
        Some(x) if x.value == last => return Ok(()),
        Some(_) => format!("it holds another record at offset {}", n - 1),
        None => format!("its log ends at {}", r.hard.log.len()),
    };
    Err((
        "isr-holds-committed",
        format!(
            "B{}, in the controller's ISR of p{p}, lacks a committed record: {why} (committed: {n})",
            b.0 + 1
        ),
    ))
}

/// No partition has two owners in one generation, nor two among the consumers the coordinator
/// counts as members (each in the life it counts): the consumer whose handler ran against every
/// other consumer (only a consumer's own handler changes what it owns), or, after the
/// coordinator's event (which changes whom it counts), every pair. A consumer the group has
/// removed may still read what it owned (a zombie: Kafka's classic protocol does not stop it),
/// so it is held to its own generation alone.
fn one_owner(k: &Kafka, nodes: &[Node], t: NodeId) -> Result<(), (&'static str, String)> {
    let group = match nodes.get(k.controller().index()) {
        Some(Node::Controller(c)) => Some(&c.group),
        _ => None,
    };
    let counted = |c: &Consumer| group.is_some_and(|g| g.counts(c.id, c.member));
    let consumers = || {
        nodes.iter().enumerate().filter_map(|(i, n)| match n {
            Node::Consumer(c) => Some((NodeId(i as u32), c)),
            _ => None,
        })
    };
    for (a, me) in consumers().filter(|(i, _)| *i == t || t == k.controller()) {
        for (b, other) in consumers().filter(|(b, _)| *b != a) {
            let same = me.generation != 0 && other.generation == me.generation;
            let both = counted(me) && counted(other);
            if !(same || both) {
                continue;
            }
            if let Some(p) = me.assigned.iter().find(|p| other.assigned.contains(p)) {
                let when = if same {
                    format!("in generation {}", me.generation)
                } else {
                    format!(
                        "(generations {} and {}) while the coordinator counts both as members",
                        me.generation, other.generation
                    )
                };
                let (x, y) = (member_name(k, a), member_name(k, b));
                return Err(("one-owner", format!("{x} and {y} both own p{p} {when}")));
            }
        }
    }
    Ok(())
}

/// The group's committed offsets, after an event of the coordinator's: every record below each
/// was delivered to some member (a member commits the position it has read to, so a commit
/// past an unread record skips it for whoever owns the partition next).
fn commit_after_read(m: &mut Monitor, committed: &[u64]) -> Result<(), Fail> {
    for (p, &at) in committed.iter().enumerate() {
        let Some(read) = m.read_to.get_mut(p) else { continue };
        let seen = &m.consumed[p];
        while seen.get(*read as usize).is_some_and(|v| v.is_some()) {
            *read += 1;
        }
        if at > *read {
            return Err((
                "commit-after-read",
                format!("the group committed offset {at} of p{p}, but no member was delivered offset {read}"),
            ));
        }
    }
    Ok(())
}
