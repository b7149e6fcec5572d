//! Lookup time per key for each distlab placement algorithm, beside the `hashring` and `maglev`
//! crates, measured in the same run on the same string keys. Each figure is the best of five
//! timed rounds over 10,000 keys (`key-0` … `key-9999`) on 10 nodes, and includes hashing the
//! key (XXH3-64 for distlab, the crates' own SipHash for the others).
//!
//! It also times Kafka's default partitioner (murmur2) on the same keys.
//!
//! Run: `cargo bench -p distlab-bench`.

use std::hint::black_box;
use std::time::Instant;

use distlab_core::hashing::{hash_key, Algo, Params, Placement};
use maglev::ConsistentHasher;

const NODES: u32 = 10;
const VNODES: usize = 100;
const KEYS: usize = 10_000;

fn time_per_lookup(mut f: impl FnMut(&str) -> u64, keys: &[String]) -> f64 {
    let mut best = f64::MAX;
    for _ in 0..5 {
        let mut reps = 0u64;
        let start = Instant::now();
        let mut sink = 0u64;
        while start.elapsed().as_secs_f64() < 0.2 {
            for k in keys {
                sink = sink.wrapping_add(f(k));
            }
            reps += 1;
        }
        black_box(sink);
        let ns = start.elapsed().as_secs_f64() * 1e9 / (reps as f64 * keys.len() as f64);
        best = best.min(ns);
    }
    best
}

fn main() {
    let keys: Vec<String> = (0..KEYS).map(|j| format!("key-{j}")).collect();
    let members: Vec<u32> = (0..NODES).collect();
    let params = Params { vnodes: VNODES, ..Params::default() };
    println!("{{\"nodes\":{NODES},\"vnodes\":{VNODES},\"keys\":{KEYS}}}");
    for algo in Algo::ALL {
        if algo == Algo::Bounded {
            // Bounded loads assigns a whole key set (capacities depend on it): time per key of
            // assigning all of them.
            let p = Placement::new(algo, &members, &[], &params);
            let hashes: Vec<u64> = keys.iter().map(|k| hash_key(k.as_bytes())).collect();
            let mut best = f64::MAX;
            for _ in 0..5 {
                let start = Instant::now();
                black_box(p.assign(black_box(&hashes)));
                best = best.min(start.elapsed().as_secs_f64() * 1e9 / KEYS as f64);
            }
            println!("{{\"impl\":\"distlab {}\",\"ns_per_lookup\":{best:.1}}}", algo.name());
            continue;
        }
        let p = Placement::new(algo, &members, &[], &params);
        let ns = time_per_lookup(|k| p.lookup(hash_key(k.as_bytes())) as u64, &keys);
        println!("{{\"impl\":\"distlab {}\",\"ns_per_lookup\":{ns:.1}}}", algo.name());
    }
    // The hashring crate: a ring of (node, vnode) entries, the same 10 × 100 as ours.
    let mut ring: hashring::HashRing<(u32, usize)> = hashring::HashRing::new();
    for n in 0..NODES {
        for v in 0..VNODES {
            ring.add((n, v));
        }
    }
    let ns = time_per_lookup(|k| ring.get(&k).map(|(n, _)| *n as u64).unwrap_or(0), &keys);
    println!("{{\"impl\":\"hashring 0.3 (100 vnodes)\",\"ns_per_lookup\":{ns:.1}}}");
    // Kafka's default partitioner on the same keys (12 partitions).
    let ns = time_per_lookup(|k| distlab_core::kafka::partition_for_key(k.as_bytes(), 12) as u64, &keys);
    println!("{{\"impl\":\"distlab kafka partitioner (murmur2, 12 partitions)\",\"ns_per_key\":{ns:.1},\"keys_per_sec\":{:.0}}}", 1e9 / ns);
    let m = maglev::Maglev::new((0..NODES).collect::<Vec<u32>>());
    let ns = time_per_lookup(|k| m.get(k).copied().unwrap_or(0) as u64, &keys);
    println!("{{\"impl\":\"maglev 0.2 (table {})\",\"ns_per_lookup\":{ns:.1}}}", m.capacity());
}
