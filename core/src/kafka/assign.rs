//! The consumer-group assignors: range, round-robin, sticky (KIP-54) and cooperative-sticky
//! (KIP-429).

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use serde::{Deserialize, Serialize};

/// A topic partition.
pub type TopicPartition = (String, u32);

/// A group member as the assignor sees it: its id, its subscription, and (for the sticky
/// assignors) the partitions it owned before this rebalance.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub id: String,
    pub topics: Vec<String>,
    #[serde(default)]
    pub owned: Vec<TopicPartition>,
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
        Strategy::Sticky => sticky(topics, &sorted, &mut out),
        Strategy::CooperativeSticky => {
            sticky(topics, &sorted, &mut out);
            // KIP-429: a partition moving to a new owner is only revoked from the old one in
            // this round; the new owner gets it in the follow-up rebalance.
            let previous = claimed_owners(topics, &sorted);
            for (id, parts) in out.iter_mut() {
                parts.retain(|tp| previous.get(tp).is_none_or(|owner| owner == id));
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

/// Previous owners that still count: the partition exists, the member still subscribes to its
/// topic, and no earlier member (by id) claimed it.
fn claimed_owners(topics: &BTreeMap<String, u32>, members: &[&Member]) -> BTreeMap<TopicPartition, String> {
    let mut owner: BTreeMap<TopicPartition, String> = BTreeMap::new();
    for m in members {
        for tp in &m.owned {
            let exists = topics.get(&tp.0).is_some_and(|n| tp.1 < *n);
            if exists && subscribed(m, &tp.0) && !owner.contains_key(tp) {
                owner.insert(tp.clone(), m.id.clone());
            }
        }
    }
    owner
}

fn sticky(topics: &BTreeMap<String, u32>, members: &[&Member], out: &mut Assignment) {
    if members.is_empty() {
        return;
    }
    let all = all_partitions(topics, members);
    let previous = claimed_owners(topics, members);
    // What each member keeps of what it owned, in the order it listed them.
    let mut kept: BTreeMap<&str, Vec<TopicPartition>> =
        members.iter().map(|m| (m.id.as_str(), Vec::new())).collect();
    for m in members {
        for tp in &m.owned {
            if previous.get(tp) == Some(&m.id) && !kept[m.id.as_str()].contains(tp) {
                kept.get_mut(m.id.as_str()).expect("member").push(tp.clone());
            }
        }
    }
    let same_subscriptions = members.windows(2).all(|w| {
        let (mut a, mut b) = (w[0].topics.clone(), w[1].topics.clone());
        #[allow(clippy::disallowed_methods)]
        // topic-partitions as in the Java client, which crate::order cannot key
        a.sort_unstable();
        a.dedup();
        #[allow(clippy::disallowed_methods)]
        // topic-partitions as in the Java client, which crate::order cannot key
        b.sort_unstable();
        b.dedup();
        a == b
    });
    if same_subscriptions {
        // Balanced quotas (the constrained case): everyone ends with ⌊P/C⌋ or ⌈P/C⌉, and
        // members keep as much of what they owned as their quota allows.
        let c = members.len();
        let min = all.len() / c;
        let mut extra = all.len() % c;
        for m in members {
            let list = kept.get_mut(m.id.as_str()).expect("member");
            let quota = if list.len() > min && extra > 0 {
                extra -= 1;
                min + 1
            } else {
                min
            };
            list.truncate(quota.max(list.len().min(min)));
        }
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
    if !same_subscriptions {
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

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    fn topics(list: &[(&str, u32)]) -> BTreeMap<String, u32> {
        list.iter().map(|(t, n)| (t.to_string(), *n)).collect()
    }

    fn member(id: &str, subs: &[&str], owned: &[(&str, u32)]) -> Member {
        Member {
            id: id.into(),
            topics: subs.iter().map(|s| s.to_string()).collect(),
            owned: owned.iter().map(|(t, p)| (t.to_string(), *p)).collect(),
        }
    }

    fn tps(list: &[(&str, u32)]) -> Vec<TopicPartition> {
        list.iter().map(|(t, p)| (t.to_string(), *p)).collect()
    }

    #[test]
    fn range_matches_the_javadoc_example() {
        // RangeAssignor javadoc: two consumers, two topics with three partitions each.
        let t = topics(&[("t0", 3), ("t1", 3)]);
        let m = [member("C0", &["t0", "t1"], &[]), member("C1", &["t0", "t1"], &[])];
        let a = assign(Strategy::Range, &t, &m);
        assert_eq!(a["C0"], tps(&[("t0", 0), ("t0", 1), ("t1", 0), ("t1", 1)]));
        assert_eq!(a["C1"], tps(&[("t0", 2), ("t1", 2)]));
    }

    #[test]
    fn round_robin_matches_the_javadoc_examples() {
        let t = topics(&[("t0", 3), ("t1", 3)]);
        let m = [member("C0", &["t0", "t1"], &[]), member("C1", &["t0", "t1"], &[])];
        let a = assign(Strategy::RoundRobin, &t, &m);
        assert_eq!(a["C0"], tps(&[("t0", 0), ("t0", 2), ("t1", 1)]));
        assert_eq!(a["C1"], tps(&[("t0", 1), ("t1", 0), ("t1", 2)]));
        // Unequal subscriptions: C0 t0; C1 t0, t1; C2 t0, t1, t2 (t0 1, t1 2, t2 3 partitions).
        let t = topics(&[("t0", 1), ("t1", 2), ("t2", 3)]);
        let m = [
            member("C0", &["t0"], &[]),
            member("C1", &["t0", "t1"], &[]),
            member("C2", &["t0", "t1", "t2"], &[]),
        ];
        let a = assign(Strategy::RoundRobin, &t, &m);
        assert_eq!(a["C0"], tps(&[("t0", 0)]));
        assert_eq!(a["C1"], tps(&[("t1", 0)]));
        assert_eq!(a["C2"], tps(&[("t1", 1), ("t2", 0), ("t2", 1), ("t2", 2)]));
    }

    #[test]
    fn sticky_matches_the_kip_54_example() {
        // StickyAssignor javadoc: C0, C1, C2 on t0..t3 with 2 partitions each; then C1 leaves.
        let t = topics(&[("t0", 2), ("t1", 2), ("t2", 2), ("t3", 2)]);
        let all = ["t0", "t1", "t2", "t3"];
        let m = [member("C0", &all, &[]), member("C1", &all, &[]), member("C2", &all, &[])];
        let a = assign(Strategy::Sticky, &t, &m);
        assert_eq!(a["C0"], tps(&[("t0", 0), ("t1", 1), ("t3", 0)]));
        assert_eq!(a["C1"], tps(&[("t0", 1), ("t2", 0), ("t3", 1)]));
        assert_eq!(a["C2"], tps(&[("t1", 0), ("t2", 1)]));
        let m = [
            member("C0", &all, &[("t0", 0), ("t1", 1), ("t3", 0)]),
            member("C2", &all, &[("t1", 0), ("t2", 1)]),
        ];
        let a = assign(Strategy::Sticky, &t, &m);
        assert_eq!(a["C0"], tps(&[("t0", 0), ("t1", 1), ("t2", 0), ("t3", 0)]));
        assert_eq!(a["C2"], tps(&[("t0", 1), ("t1", 0), ("t2", 1), ("t3", 1)]));
    }

    #[test]
    fn cooperative_sticky_revokes_before_reassigning() {
        // A third member joins: sticky would move partitions to it; cooperative-sticky first
        // only takes them away from their owners.
        let t = topics(&[("t0", 4)]);
        let m = [
            member("C0", &["t0"], &[("t0", 0), ("t0", 1)]),
            member("C1", &["t0"], &[("t0", 2), ("t0", 3)]),
            member("C2", &["t0"], &[]),
        ];
        let target = assign(Strategy::Sticky, &t, &m);
        let first = assign(Strategy::CooperativeSticky, &t, &m);
        assert_eq!(target["C2"].len(), 1);
        assert!(first["C2"].is_empty(), "the moving partition is revoked, not yet assigned");
        let moving = &target["C2"][0];
        assert!(!first["C0"].contains(moving) && !first["C1"].contains(moving));
        // The follow-up rebalance, with what each now owns, completes the move.
        let m2 = [
            member("C0", &["t0"], &first["C0"].iter().map(|(t, p)| (t.as_str(), *p)).collect::<Vec<_>>()),
            member("C1", &["t0"], &first["C1"].iter().map(|(t, p)| (t.as_str(), *p)).collect::<Vec<_>>()),
            member("C2", &["t0"], &[]),
        ];
        let second = assign(Strategy::CooperativeSticky, &t, &m2);
        assert_eq!(second, target);
    }

    #[test]
    fn sticky_balances_unequal_subscriptions() {
        let t = topics(&[("a", 6), ("b", 2)]);
        let m = [
            member("C0", &["a"], &[("a", 0), ("a", 1), ("a", 2), ("a", 3), ("a", 4), ("a", 5)]),
            member("C1", &["a", "b"], &[]),
        ];
        let a = assign(Strategy::Sticky, &t, &m);
        assert_eq!(a["C0"].len(), 4);
        assert_eq!(a["C1"].len(), 4);
        assert!(a["C0"].iter().all(|(t, _)| t == "a"));
        assert_eq!([a["C0"].len(), a["C1"].len()].iter().sum::<usize>(), 8);
    }
}
