//! Symmetry reduction's renamings: every permutation of a protocol's interchangeable nodes
//! (`Explorable::symmetric`), counted before any is made.

use alloc::string::String;
use alloc::vec::Vec;

use crate::explorable::Rename;
use crate::protocol::NodeId;

/// Most renamings symmetry reduction tries per state (6! : six interchangeable servers).
const MAX_RENAMINGS: usize = 720;

/// Every renaming that permutes nodes within each of `groups` (the identity first), for
/// `nodes` nodes.
pub(super) fn renamings(nodes: usize, groups: &[Vec<NodeId>], protocol: &str) -> Result<Vec<Rename>, String> {
    if groups.iter().flatten().any(|n| n.index() >= nodes) {
        return Err(alloc::format!("{protocol} declared a group that is not a set of its nodes"));
    }
    // Counted before any is made: nine interchangeable servers would be 362,880.
    let factorial = |n: usize| (1..=n).fold(1usize, |acc, k| acc.saturating_mul(k));
    if groups.iter().fold(1usize, |acc, g| acc.saturating_mul(factorial(g.len()))) > MAX_RENAMINGS {
        return Err(alloc::format!(
            "--symmetry on: more than {MAX_RENAMINGS} renamings of the interchangeable nodes (at most six interchangeable servers)"
        ));
    }
    let mut all: Vec<Vec<NodeId>> = alloc::vec![(0..nodes as u32).map(NodeId).collect()];
    for group in groups {
        let mut next = Vec::new();
        for base in &all {
            for order in permutations(group.len()) {
                let mut to = base.clone();
                for (k, &member) in group.iter().enumerate() {
                    to[member.index()] = group[order[k]];
                }
                next.push(to);
            }
        }
        all = next;
    }
    all.into_iter()
        .map(|to| {
            Rename::new(to)
                .ok_or_else(|| alloc::format!("{protocol} declared a group that is not a set of its nodes"))
        })
        .collect()
}

/// Every order of `0..n`, the identity first.
fn permutations(n: usize) -> Vec<Vec<usize>> {
    if n == 0 {
        return alloc::vec![Vec::new()];
    }
    let mut out = Vec::new();
    for rest in permutations(n - 1) {
        for at in (0..n).rev() {
            let mut p = rest.clone();
            p.insert(at, n - 1);
            out.push(p);
        }
    }
    out
}
