//! The consumer-group assignors: range, round-robin, sticky (KIP-54) and cooperative-sticky
//! (KIP-429), as the Java client's `RangeAssignor`, `RoundRobinAssignor`, `StickyAssignor` and
//! `CooperativeStickyAssignor` compute them.
//!
//! **What a member owned.** The sticky assignors start from the partitions each member says it
//! owned before the rebalance and the generation it owned them in (the subscription's
//! `generationId`, or the cooperative assignor's user data), as `AbstractStickyAssignor`'s
//! `allSubscriptionsEqual` reads them since KAFKA-14639 (Kafka 3.4.1 and 3.5.0; read at
//! apache/kafka 1eb7644, trunk of October 2024, the file as in 3.9). A member that reports no
//! generation is of `DEFAULT_GENERATION`, −1.
//! A claim counts if its topic is one that some member subscribes to; then, per partition:
//! - claimed by one member, it is that member's, whatever its generation (before KAFKA-14639
//!   a member older than the newest generation counted as a new one, owning nothing);
//! - claimed by members of different generations, it is the one's of the highest;
//! - claimed by two or more members of that highest generation, it is nobody's (Kafka logs
//!   an error and puts it in `partitionsWithMultiplePreviousOwners`): it is assigned like a
//!   partition nobody owned.
//!
//! **Two paths.** When every member subscribes to the same topics Kafka takes
//! `ConstrainedAssignmentBuilder`, computed here step for step (`constrained.rs`): each member,
//! in the order Kafka's `HashMap` of members iterates, keeps what it owns (by partition number,
//! then topic) up to its quota (⌊P/C⌋, or ⌈P/C⌉ for the first P mod C met that own that
//! many), and the rest is dealt round-robin to the members below quota in id order, then one
//! each to those at ⌊P/C⌋. The order members joined in (the `members` list) matters only
//! between ids in one bucket of that map. Otherwise `GeneralAssignmentBuilder`: members keep what they own and still subscribe
//! to, each free partition goes to the least loaded member that may take it, and partitions
//! move from the fullest to the emptiest until no move helps. (The general path here is that
//! outline, not Kafka's search: it may pick other partitions to move, and it does not prefer
//! a partition's owner of an older generation, Kafka's `prevAssignment`.)
//!
//! **Cooperative-sticky** (KIP-429) computes the same assignment, then takes out each partition
//! that changes hands: its owner must first revoke it, and its new owner gets it in the
//! follow-up rebalance (`CooperativeStickyAssignor.adjustAssignment`). The two paths decide
//! "changes hands" differently:
//! - constrained: a partition another member owns, and every partition two members of one
//!   generation claimed, even given back to one of them (`assignNewPartition` adds both to
//!   `partitionsTransferringOwnership`), since either may still be reading it;
//! - general (`computePartitionsTransferringOwnership`, from the claims as sent): a partition
//!   given to a member that did not claim it, while another member did, of whatever
//!   generation, and even one no longer subscribed to its topic.
//!
//! Where this differs from the Java code: Kafka compares each claim with the one it last kept,
//! in its `HashMap`'s order, so when two members of generation g claim a partition before one
//! of g+1 does, it voids the partition for all three; here the newest claimant keeps it in any
//! order. A member listing one partition twice claims it once (Kafka would void it). Racks
//! (KIP-881) are not modelled, and on the general path a member over its quota keeps its
//! partitions in the order it lists them.

use alloc::collections::{BTreeMap, BTreeSet};
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use serde::{Deserialize, Serialize};

/// Kafka's `AbstractStickyAssignor.DEFAULT_GENERATION`: the generation of a member that
/// reports none.
pub const DEFAULT_GENERATION: i32 = -1;

/// A topic partition.
pub type TopicPartition = (String, u32);

/// A group member as the assignor sees it: its id, its subscription, and (for the sticky
/// assignors) the partitions it owned before this rebalance and the generation it owned them
/// in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Member {
    pub id: String,
    pub topics: Vec<String>,
    #[serde(default)]
    pub owned: Vec<TopicPartition>,
    /// The generation `owned` is from; `None` is [`DEFAULT_GENERATION`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generation: Option<i32>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Strategy {
    Range,
    RoundRobin,
    Sticky,
    CooperativeSticky,
}

impl Strategy {
    pub const ALL: [Strategy; 4] =
        [Strategy::Range, Strategy::RoundRobin, Strategy::Sticky, Strategy::CooperativeSticky];
    pub fn name(self) -> &'static str {
        match self {
            Strategy::Range => "range",
            Strategy::RoundRobin => "roundrobin",
            Strategy::Sticky => "sticky",
            Strategy::CooperativeSticky => "cooperative-sticky",
        }
    }
    pub fn parse(s: &str) -> Option<Strategy> {
        Strategy::ALL.into_iter().find(|x| x.name() == s)
    }
}

/// Most members and partitions an assignment may involve.
pub const MAX_MEMBERS: usize = 10_000;
pub const MAX_PARTITIONS: u64 = 1_000_000;

/// Each member's partitions, sorted by (topic, partition).
pub type Assignment = BTreeMap<String, Vec<TopicPartition>>;

/// Check an assignor input against its limits; the message says what is wrong.
pub fn validate(topics: &BTreeMap<String, u32>, members: &[Member]) -> Result<(), String> {
    if members.len() > MAX_MEMBERS {
        return Err(format!("at most {MAX_MEMBERS} members"));
    }
    let total: u64 = topics.values().map(|p| *p as u64).sum();
    if total > MAX_PARTITIONS {
        return Err(format!("at most {MAX_PARTITIONS} partitions in all"));
    }
    let mut ids: Vec<&str> = members.iter().map(|m| m.id.as_str()).collect();
    #[allow(clippy::disallowed_methods)]
    // member ids as in the Java client: strings, which crate::order cannot key
    ids.sort_unstable();
    if let Some(w) = ids.windows(2).find(|w| w[0] == w[1]) {
        return Err(format!("member id \"{}\" appears twice", w[0]));
    }
    Ok(())
}

/// Run an assignor.
pub fn assign(strategy: Strategy, topics: &BTreeMap<String, u32>, members: &[Member]) -> Assignment {
    let mut sorted: Vec<&Member> = members.iter().collect();
    #[allow(clippy::disallowed_methods)]
    // member ids as in the Java client: strings, which crate::order cannot key
    sorted.sort_unstable_by(|a, b| a.id.cmp(&b.id));
    let mut out: Assignment = members.iter().map(|m| (m.id.clone(), Vec::new())).collect();
    match strategy {
        Strategy::Range => range(topics, &sorted, &mut out),
        Strategy::RoundRobin => round_robin(topics, &sorted, &mut out),
        Strategy::Sticky => sticky(topics, &sorted, members, &claims(topics, &sorted), &mut out),
        Strategy::CooperativeSticky => {
            let claims = claims(topics, &sorted);
            sticky(topics, &sorted, members, &claims, &mut out);
            // KIP-429: a partition changing hands is only revoked from its owner in this
            // round; the new owner gets it in the follow-up rebalance.
            if same_subscriptions(&sorted) {
                for (id, parts) in out.iter_mut() {
                    parts.retain(|tp| {
                        !claims.contested.contains(tp)
                            && claims.owner.get(tp).is_none_or(|o| *o == id.as_str())
                    });
                }
            } else {
                let mut claimants: BTreeMap<&TopicPartition, Vec<&str>> = BTreeMap::new();
                for m in &sorted {
                    for tp in &m.owned {
                        claimants.entry(tp).or_default().push(m.id.as_str());
                    }
                }
                for (id, parts) in out.iter_mut() {
                    parts.retain(|tp| claimants.get(tp).is_none_or(|ids| ids.contains(&id.as_str())));
                }
            }
        }
    }
    for parts in out.values_mut() {
        #[allow(clippy::disallowed_methods)]
        // topic-partitions as in the Java client, which crate::order cannot key
        parts.sort_unstable();
    }
    out
}

fn subscribed(m: &Member, topic: &str) -> bool {
    m.topics.iter().any(|t| t == topic)
}

/// All partitions of topics someone subscribes to, sorted by (topic, partition).
fn all_partitions(topics: &BTreeMap<String, u32>, members: &[&Member]) -> Vec<TopicPartition> {
    let mut out = Vec::new();
    for (t, &n) in topics {
        if members.iter().any(|m| subscribed(m, t)) {
            out.extend((0..n).map(|p| (t.clone(), p)));
        }
    }
    out
}

fn range(topics: &BTreeMap<String, u32>, members: &[&Member], out: &mut Assignment) {
    for (t, &n) in topics {
        let subs: Vec<&&Member> = members.iter().filter(|m| subscribed(m, t)).collect();
        if subs.is_empty() {
            continue;
        }
        let c = subs.len() as u32;
        let (per, extra) = (n / c, n % c);
        for (i, m) in subs.iter().enumerate() {
            let i = i as u32;
            let start = i * per + i.min(extra);
            let len = per + u32::from(i < extra);
            let list = out.get_mut(&m.id).expect("every member has an entry");
            list.extend((start..start + len).map(|p| (t.clone(), p)));
        }
    }
}

fn round_robin(topics: &BTreeMap<String, u32>, members: &[&Member], out: &mut Assignment) {
    if members.is_empty() {
        return;
    }
    let mut next = 0usize;
    for tp in all_partitions(topics, members) {
        // The circular iterator skips members not subscribed to this topic.
        for _ in 0..members.len() {
            let m = members[next % members.len()];
            next += 1;
            if subscribed(m, &tp.0) {
                out.get_mut(&m.id).expect("every member has an entry").push(tp);
                break;
            }
        }
    }
}

/// What the members' claims come to (`allSubscriptionsEqual`; the module's essay).
struct Claims<'a> {
    /// A partition's previous owner: the one member of the highest generation claiming it.
    owner: BTreeMap<&'a TopicPartition, &'a str>,
    /// Partitions two or more members of that generation claim: nobody's.
    contested: BTreeSet<&'a TopicPartition>,
}

fn claims<'a>(topics: &BTreeMap<String, u32>, members: &[&'a Member]) -> Claims<'a> {
    let subscribed_by_someone: BTreeSet<&str> =
        members.iter().flat_map(|m| m.topics.iter().map(String::as_str)).collect();
    // Per partition: the highest generation claiming it, and its claimants of that generation.
    let mut best: BTreeMap<&TopicPartition, (i32, Vec<&str>)> = BTreeMap::new();
    for m in members {
        let generation = m.generation.unwrap_or(DEFAULT_GENERATION);
        for tp in &m.owned {
            let exists = topics.get(&tp.0).is_some_and(|n| tp.1 < *n);
            if !exists || !subscribed_by_someone.contains(tp.0.as_str()) {
                continue;
            }
            let entry = best.entry(tp).or_insert((generation, Vec::new()));
            if generation > entry.0 {
                *entry = (generation, Vec::new());
            }
            // (A member's claims are all read together, so its repeats are adjacent.)
            if generation == entry.0 && entry.1.last() != Some(&m.id.as_str()) {
                entry.1.push(m.id.as_str());
            }
        }
    }
    let mut claims = Claims { owner: BTreeMap::new(), contested: BTreeSet::new() };
    for (tp, (_, ids)) in best {
        if let [only] = ids[..] {
            claims.owner.insert(tp, only);
        } else {
            claims.contested.insert(tp);
        }
    }
    claims
}

/// Whether every member subscribes to the same topics (Kafka's constrained path).
fn same_subscriptions(members: &[&Member]) -> bool {
    members.windows(2).all(|w| {
        let (mut a, mut b) = (w[0].topics.clone(), w[1].topics.clone());
        #[allow(clippy::disallowed_methods)]
        // topic names as in the Java client, which crate::order cannot key
        a.sort_unstable();
        a.dedup();
        #[allow(clippy::disallowed_methods)]
        // topic names as in the Java client, which crate::order cannot key
        b.sort_unstable();
        b.dedup();
        a == b
    })
}

/// `members` sorted by id; `joined`, the same in the order they joined (the order Kafka's
/// constrained path meets them in depends on it).
fn sticky(
    topics: &BTreeMap<String, u32>,
    members: &[&Member],
    joined: &[Member],
    claims: &Claims,
    out: &mut Assignment,
) {
    if members.is_empty() {
        return;
    }
    let all = all_partitions(topics, members);
    // What each member keeps of what it owned and still subscribes to, in the order it listed
    // them.
    let mut kept: BTreeMap<&str, Vec<TopicPartition>> =
        members.iter().map(|m| (m.id.as_str(), Vec::new())).collect();
    let mut seen: BTreeSet<&TopicPartition> = BTreeSet::new();
    for m in members {
        let list = kept.get_mut(m.id.as_str()).expect("member");
        for tp in &m.owned {
            if claims.owner.get(tp) == Some(&m.id.as_str()) && subscribed(m, &tp.0) && seen.insert(tp) {
                list.push(tp.clone());
            }
        }
    }
    let same_subscriptions = same_subscriptions(members);
    if same_subscriptions {
        // Balanced quotas: everyone ends with ⌊P/C⌋ or ⌈P/C⌉, as Kafka deals them.
        let ids: Vec<&str> = joined.iter().map(|m| m.id.as_str()).collect();
        for (id, list) in super::constrained::build(&ids, &kept, &all) {
            out.insert(String::from(id), list);
        }
        return;
    }
    let mut taken: BTreeMap<&TopicPartition, ()> = BTreeMap::new();
    for list in kept.values() {
        for tp in list {
            taken.insert(tp, ());
        }
    }
    let free: Vec<TopicPartition> = all.iter().filter(|tp| !taken.contains_key(tp)).cloned().collect();
    // Each free partition goes to the eligible member with the fewest partitions (ties: id).
    for tp in free {
        let best = members
            .iter()
            .filter(|m| subscribed(m, &tp.0))
            .min_by_key(|m| (kept[m.id.as_str()].len(), m.id.as_str()))
            .map(|m| m.id.as_str());
        if let Some(id) = best {
            kept.get_mut(id).expect("member").push(tp);
        }
    }
    // Unequal subscriptions can leave members two or more apart: move partitions from the
    // fullest to the emptiest eligible member until no move helps.
    {
        let limit = all.len() * members.len() + 1;
        for _ in 0..limit {
            let mut moved = false;
            let mut order: Vec<&str> = members.iter().map(|m| m.id.as_str()).collect();
            #[allow(clippy::disallowed_methods)]
            // member ids order as in the Java client: strings, which crate::order cannot key
            order.sort_unstable_by_key(|id| (core::cmp::Reverse(kept[id].len()), *id));
            'outer: for from in order {
                let candidates: Vec<TopicPartition> = kept[from].clone();
                for tp in candidates {
                    let to = members
                        .iter()
                        .filter(|m| subscribed(m, &tp.0) && m.id != from)
                        .min_by_key(|m| (kept[m.id.as_str()].len(), m.id.as_str()));
                    if let Some(to) = to {
                        if kept[to.id.as_str()].len() + 1 < kept[from].len() {
                            kept.get_mut(from).expect("member").retain(|x| *x != tp);
                            kept.get_mut(to.id.as_str()).expect("member").push(tp);
                            moved = true;
                            break 'outer;
                        }
                    }
                }
            }
            if !moved {
                break;
            }
        }
    }
    for (id, list) in kept {
        out.insert(String::from(id), list);
    }
}
