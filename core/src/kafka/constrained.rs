//! The sticky assignors' path when every member subscribes to the same topics, as Kafka's
//! `AbstractStickyAssignor.ConstrainedAssignmentBuilder` computes it (read at apache/kafka's
//! trunk with KIP-881's racks, which are not modelled), step for step, because its output
//! depends on the order it meets members in:
//!
//! 1. Members in the order Kafka's `HashMap` of them iterates (`java_map_order`), each keeps
//!    what it owned, sorted by partition number then topic: all of it while under ⌊P/C⌋; ⌈P/C⌉
//!    of it while fewer than P mod C members have taken ⌈P/C⌉; else ⌊P/C⌋ (and it may get one
//!    more later, while fewer than P mod C have).
//! 2. The partitions left, by topic then number, are dealt round-robin to the members under
//!    ⌊P/C⌋ in id order; a member that reaches ⌊P/C⌋ leaves that round for the queue of members
//!    at ⌊P/C⌋, which then get one more each, first in, first served, once nobody is under.

use alloc::collections::{BTreeMap, BTreeSet, VecDeque};
use alloc::vec::Vec;
use core::cmp::Ordering;

/// A topic partition (`assign::TopicPartition`, which calls this module).
type TopicPartition = (alloc::string::String, u32);

/// Each member's assignment (`owned`: per member id, in the group's order, what it owned and
/// still may keep; `all`: every partition, by topic then number).
pub(super) fn build<'a>(
    ids: &[&'a str],
    owned: &BTreeMap<&'a str, Vec<TopicPartition>>,
    all: &[TopicPartition],
) -> BTreeMap<&'a str, Vec<TopicPartition>> {
    let mut out: BTreeMap<&str, Vec<TopicPartition>> = ids.iter().map(|id| (*id, Vec::new())).collect();
    let c = ids.len();
    if c == 0 {
        return out;
    }
    let (min, max) = (all.len() / c, all.len().div_ceil(c));
    let expected_over = all.len() % c;
    let mut over = 0;
    let mut under: Vec<&str> = Vec::new();
    let mut at_min: VecDeque<&str> = VecDeque::new();
    let mut taken: BTreeSet<&TopicPartition> = BTreeSet::new();
    for id in java_map_order(ids) {
        let mut mine: Vec<&TopicPartition> = owned.get(id).map_or(Vec::new(), |v| v.iter().collect());
        #[allow(clippy::disallowed_methods)]
        // topic names as in the Java client, which crate::order cannot key
        mine.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
        let keep = if mine.len() < min {
            under.push(id);
            mine.len()
        } else if mine.len() >= max && over < expected_over {
            over += 1;
            if over == expected_over {
                at_min.clear();
            }
            max
        } else {
            if over < expected_over {
                at_min.push_back(id);
            }
            min
        };
        for tp in &mine[..keep] {
            taken.insert(tp);
        }
        out.entry(id).or_default().extend(mine[..keep].iter().map(|tp| (*tp).clone()));
    }
    let free: Vec<&TopicPartition> = all.iter().filter(|tp| !taken.contains(tp)).collect();
    let java = |a: &&str, b: &&str| java_cmp(a, b);
    #[allow(clippy::disallowed_methods)]
    // member ids as in the Java client: strings, which crate::order cannot key
    under.sort_by(java);
    let mut sorted: Vec<&str> = at_min.into_iter().collect();
    #[allow(clippy::disallowed_methods)]
    // member ids as in the Java client: strings, which crate::order cannot key
    sorted.sort_by(java);
    let mut at_min: VecDeque<&str> = sorted.into();
    // `assignRoundRobin`: an iterator over `under` (the next place, and the last one handed
    // out, which `remove` takes out), started again from the front when it runs out.
    let mut next = 0;
    for tp in free {
        let (id, last) = if next < under.len() {
            next += 1;
            (under[next - 1], Some(next - 1))
        } else if under.is_empty() {
            // Kafka throws when both are empty: the quotas add up to the partitions, so it
            // cannot happen; stop rather than guess.
            let Some(id) = at_min.pop_front() else { break };
            (id, None)
        } else {
            next = 1;
            (under[0], Some(0))
        };
        let list = out.entry(id).or_default();
        list.push(tp.clone());
        if list.len() == min {
            if let Some(k) = last {
                under.remove(k);
                next = k;
            }
            at_min.push_back(id);
        }
    }
    out
}

/// Java's `String.compareTo`: by UTF-16 code units (UTF-8 order differs only between
/// characters at U+E000 and above and those beyond U+FFFF).
pub(super) fn java_cmp(a: &str, b: &str) -> Ordering {
    a.encode_utf16().cmp(b.encode_utf16())
}

/// Java's `String.hashCode`.
fn java_hash(s: &str) -> i32 {
    s.encode_utf16().fold(0i32, |h, u| h.wrapping_mul(31).wrapping_add(u as i32))
}

/// The order a `java.util.HashMap` built by putting `ids` in this order, at the default
/// capacity and load factor, iterates its keys: by bucket (the hash spread as `HashMap.hash`
/// spreads it, masked by the table size, which doubles from 16 while more than three quarters
/// full), and within a bucket in the order put (a resize keeps it). (A bucket of eight or more
/// in a table of 64 or more becomes a tree, which may iterate otherwise: 8 ids in one bucket.)
pub(super) fn java_map_order<'a>(ids: &[&'a str]) -> Vec<&'a str> {
    let mut table = 16usize;
    while ids.len() * 4 > table * 3 {
        table *= 2;
    }
    let bucket = |id: &str| {
        let h = java_hash(id) as u32;
        ((h ^ (h >> 16)) as usize) & (table - 1)
    };
    let order = crate::order::order_by(ids.iter().map(|id| bucket(id) as u64));
    order.iter().map(|k| ids[*k as usize]).collect()
}
