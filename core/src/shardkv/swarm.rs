//! Sweeps of the sharded database: plain (the default database under one fault level) and
//! swarm (see `crate::swarm`: every seed draws its own groups, shards, ring, clients, pace of
//! joins and leaves and fault mix, with its own generator seeded from the run's seed). Every
//! property is checked after every event, and each run's client history goes through the
//! search-based linearizability checker too. The sweep lives here, not in the tests, so that
//! it is built with the core's optimisation.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::ops::Range;

use super::node::Node;
use super::types::{Mutant, ShardKv};
use crate::kv::Workload;
use crate::net::{FaultConfig, FaultPreset};
use crate::rng::Rng;
use crate::sim::Sim;

/// Separates the configuration's generator from the simulator's.
const SALT: u64 = 0x5348_4152_444b_5653;

/// One seed's database and fault mix.
pub fn case(seed: u64) -> (ShardKv, FaultConfig) {
    let mut rng = Rng::new(seed ^ SALT);
    let mut of = |n: usize| rng.below(n as u64) as usize;
    let groups = 2 + of(4);
    let k = ShardKv {
        groups,
        joined: 1 + of(groups),
        shards: [1, 4, 10, 24, 64][of(5)],
        vnodes: [1, 8, 64][of(3)],
        clients: 1 + of(5),
        think_ms: [20, 60, 200][of(3)],
        workload: Workload {
            keys: [2, 6, 16][of(3)],
            reads_pct: [10, 30, 50][of(3)],
            cas_pct: [0, 20, 40][of(3)],
        },
        moves_ms: [300, 800, 2_000][of(3)],
        ..ShardKv::default()
    };
    let (faults, _) = crate::swarm::faults(&mut rng);
    (k, faults)
}

/// What a sweep saw.
#[derive(Debug, Default)]
pub struct Swept {
    pub runs: u64,
    pub violations: u64,
    /// The first violation: seed, property ("lincheck" for a history found not linearizable)
    /// and message.
    pub first: Option<(u64, String, String)>,
    /// Client operations in the histories judged, and configurations the groups reached: a
    /// sweep that saw few of either proved little.
    pub operations: u64,
    pub configs: u64,
    /// Runs that ended with a group more than two configurations behind the newest (its most
    /// advanced server): a move that stalled.
    pub stalled: u64,
    /// Moves shard-arrives judged (finished with every server up and the network whole since
    /// they could start), and the longest of them in milliseconds: how near its bound came.
    pub moves_judged: u64,
    pub slowest_move_ms: u64,
}

impl Swept {
    /// The first violation in words.
    pub fn first_words(&self) -> Option<String> {
        self.first.as_ref().map(|(seed, property, message)| format!("seed {seed}: {property} — {message}"))
    }
}

/// Run each seed for `events` events: the default database under `plain`'s faults, or
/// (`None`) the swarm's case for the seed; with `mutant`. Stops at the first violation when
/// `stop_at_first`.
pub fn sweep(
    seeds: Range<u64>,
    plain: Option<FaultPreset>,
    mutant: Option<Mutant>,
    events: u64,
    stop_at_first: bool,
) -> Swept {
    let mut out = Swept::default();
    for seed in seeds {
        let (mut k, faults) = match plain {
            Some(faults) => (ShardKv::default(), faults.config()),
            None => case(seed),
        };
        k.mutant = mutant;
        let mut sim = Sim::new(k, faults, seed);
        sim.keep_records = false;
        // A violation halts the simulator: `step` stops there.
        while sim.events() < events && sim.step() {}
        out.runs += 1;
        let k = sim.proto.clone();
        let newest = sim
            .nodes()
            .iter()
            .filter_map(|n| if let Node::Config(s) = n { Some(s.raft.kv.history.len() as u64) } else { None })
            .max()
            .unwrap_or(0);
        let reached: Vec<u64> = (0..k.groups as u8)
            .map(|g| {
                let group = sim.nodes().iter().filter_map(|n| match n {
                    Node::Replica(s) if s.group == g => Some(s.raft.kv.config.num),
                    _ => None,
                });
                group.max().unwrap_or(0)
            })
            .collect();
        out.configs += reached.iter().max().copied().unwrap_or(0);
        out.stalled += u64::from(reached.iter().any(|r| r + 2 < newest));
        let arrivals = &sim.monitor().arrivals;
        out.moves_judged += arrivals.judged;
        out.slowest_move_ms = out.slowest_move_ms.max(arrivals.slowest_us / 1000);
        let (operations, found) = crate::swarm::verdict(&sim);
        out.operations += operations;
        if let Some((property, message)) = found {
            out.violations += 1;
            out.first.get_or_insert((seed, property, message));
            if stop_at_first {
                break;
            }
        }
    }
    out
}
