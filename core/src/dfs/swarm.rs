//! Sweeps of the file system: plain (the default cluster under one fault level) and swarm
//! (every seed draws its own racks, replication factor, clients, files and fault mix, with its
//! own generator seeded from the run's seed). Every property is checked after every event, and
//! each run's client history goes through the search-based linearizability checker too. The
//! sweep lives here, not in the tests, so that it is built with the core's optimisation.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::ops::Range;

use super::types::{Dfs, Mutant};
use crate::kv::Workload;
use crate::net::{FaultConfig, FaultPreset};
use crate::rng::Rng;
use crate::sim::Sim;

/// Separates the configuration's generator from the simulator's.
const SALT: u64 = 0x4446_5353_5745_4550;

/// One seed's file system and fault mix.
pub fn case(seed: u64) -> (Dfs, FaultConfig) {
    let mut rng = Rng::new(seed ^ SALT);
    let mut of = |n: usize| rng.below(n as u64) as usize;
    let racks: Vec<u32> = (0..1 + of(4)).map(|_| 1 + of(4) as u32).collect();
    let nodes: u32 = racks.iter().sum();
    let d = Dfs {
        rf: (1 + of(3) as u32).min(nodes),
        racks,
        clients: 1 + of(4),
        think_ms: [20, 80, 300][of(3)],
        workload: Workload { keys: [1, 3, 8][of(3)], reads_pct: [10, 40, 70][of(3)], cas_pct: 0 },
        ..Dfs::default()
    };
    let (faults, _) = crate::swarm::faults(&mut rng);
    (d, faults)
}

/// What a sweep saw.
#[derive(Debug, Default)]
pub struct Swept {
    pub runs: u64,
    pub violations: u64,
    /// The first violation: seed, property ("lincheck" for a history found not linearizable)
    /// and message.
    pub first: Option<(u64, String, String)>,
    /// Client operations in the histories judged: a sweep that saw few proved little.
    pub operations: u64,
}

impl Swept {
    pub fn first_words(&self) -> Option<String> {
        self.first.as_ref().map(|(seed, property, message)| format!("seed {seed}: {property} — {message}"))
    }
}

/// Run each seed for `events` events: the default file system under `plain`'s faults, or
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
        let (mut d, faults) = match plain {
            Some(faults) => (Dfs::default(), faults.config()),
            None => case(seed),
        };
        d.mutant = mutant;
        let mut sim = Sim::new(d, faults, seed);
        sim.keep_records = false;
        while sim.events() < events && sim.step() {}
        out.runs += 1;
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
