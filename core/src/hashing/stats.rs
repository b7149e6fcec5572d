//! The lab's measurements: load spread on N nodes, and how many keys move when a node joins
//! (N → N+1) or leaves (N → N−1, the highest-numbered node).

use alloc::vec;
use alloc::vec::Vec;

use serde::Serialize;

use super::algos::{Algo, Params, Placement};
use super::key::hash_key;

/// The keys the lab and `distlab ring stats` use: `key-0`, `key-1`, …
pub fn generated_keys(k: usize) -> Vec<u64> {
    (0..k).map(|j| hash_key(alloc::format!("key-{j}").as_bytes())).collect()
}

/// Most keys the lab accepts.
pub const MAX_KEYS: usize = 1_000_000;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Stats {
    pub algo: &'static str,
    pub nodes: usize,
    pub keys: usize,
    /// Keys owned by each node, on N nodes.
    pub loads: Vec<usize>,
    pub load_stddev_over_mean: f64,
    pub max_over_mean: f64,
    /// Fraction of keys whose owner changed when a node was added.
    pub moved_fraction_add: f64,
    /// Fraction of keys whose owner changed when the last node was removed.
    pub moved_fraction_remove: f64,
    /// Fraction of all keys that, on adding a node, moved somewhere other than the new node.
    pub moved_to_other_than_added: f64,
    /// What minimal movement would be on add: 1/(N+1).
    pub ideal_moved_add: f64,
}

/// Load spread of an owner assignment over `members`.
pub fn spread(owners: &[u32], members: &[u32]) -> (Vec<usize>, f64, f64) {
    let max_id = members.iter().copied().max().unwrap_or(0) as usize;
    let mut by_id = vec![0usize; max_id + 1];
    for &o in owners {
        if (o as usize) < by_id.len() {
            by_id[o as usize] += 1;
        }
    }
    let loads: Vec<usize> = members.iter().map(|&m| by_id[m as usize]).collect();
    let n = loads.len().max(1) as f64;
    let mean = owners.len() as f64 / n;
    if mean == 0.0 {
        return (loads, 0.0, 0.0);
    }
    let var = loads.iter().map(|&l| (l as f64 - mean) * (l as f64 - mean)).sum::<f64>() / n;
    let max = loads.iter().copied().max().unwrap_or(0) as f64;
    (loads, libm::sqrt(var) / mean, max / mean)
}

/// Measure an algorithm on `hashes` with `n` nodes (ids 0..n), all of weight 1.
pub fn measure(algo: Algo, n: usize, hashes: &[u64], params: &Params) -> Stats {
    let members: Vec<u32> = (0..n as u32).collect();
    let before = Placement::new(algo, &members, &[], params).assign(hashes);
    let (loads, sd, mx) = spread(&before, &members);
    let grown: Vec<u32> = (0..=n as u32).collect();
    let after_add = Placement::new(algo, &grown, &[], params).assign(hashes);
    let shrunk: Vec<u32> = (0..n.saturating_sub(1) as u32).collect();
    let after_remove = if shrunk.is_empty() {
        before.clone()
    } else {
        Placement::new(algo, &shrunk, &[], params).assign(hashes)
    };
    let k = hashes.len().max(1) as f64;
    let moved_add = before.iter().zip(&after_add).filter(|(a, b)| a != b).count();
    let moved_other = before.iter().zip(&after_add).filter(|(a, b)| a != b && **b != n as u32).count();
    let moved_remove = before.iter().zip(&after_remove).filter(|(a, b)| a != b).count();
    Stats {
        algo: algo.name(),
        nodes: n,
        keys: hashes.len(),
        loads,
        load_stddev_over_mean: sd,
        max_over_mean: mx,
        moved_fraction_add: moved_add as f64 / k,
        moved_fraction_remove: moved_remove as f64 / k,
        moved_to_other_than_added: moved_other as f64 / k,
        ideal_moved_add: 1.0 / (n as f64 + 1.0),
    }
}
