//! Sweeps of the coordination service: plain (the default service with one recipe, under one
//! fault level) and swarm (see `crate::swarm`: every seed draws its own recipe, ensemble and
//! client counts, session timeout, GC pauses and fault mix, with its own generator seeded from
//! the run's seed). Every property is checked after every event, and each run's client history
//! (the configuration store's) goes through the linearizability checker. The sweep lives here,
//! not in the tests, so that it is built with the core's optimisation.

use alloc::format;
use alloc::string::String;
use core::ops::Range;

use super::node::Node;
use super::types::{Coordination, Mutant, Recipe};
use crate::net::{FaultConfig, FaultPreset};
use crate::raft::Raft;
use crate::rng::Rng;
use crate::sim::Sim;

const RECIPES: [Recipe; 4] = [Recipe::Lock, Recipe::Election, Recipe::Discovery, Recipe::Config];
const TIMEOUT_MS: [u32; 4] = [700, 1_000, 2_000, 4_000];
const PAUSE_PCT: [u32; 3] = [0, 10, 30];

/// Separates the configuration's generator from the simulator's.
const SALT: u64 = 0x434f_4f52_4453_574d;

/// One seed's service and fault mix.
pub fn case(seed: u64) -> (Coordination, FaultConfig) {
    let mut rng = Rng::new(seed ^ SALT);
    let mut of = |n: usize| rng.below(n as u64) as usize;
    let session_timeout_ms = TIMEOUT_MS[of(TIMEOUT_MS.len())];
    let c = Coordination {
        raft: Raft { servers: [3, 3, 5][of(3)], clients: 0, check_quorum: true, ..Raft::default() },
        clients: 2 + of(4),
        recipe: RECIPES[of(RECIPES.len())],
        session_timeout_ms,
        work_ms: [50, 150, 400][of(3)],
        think_ms: [50, 200][of(2)],
        pause_pct: PAUSE_PCT[of(PAUSE_PCT.len())],
        pause_ms: session_timeout_ms * [1, 2, 4][of(3)] / 2,
        ..Coordination::default()
    };
    let (faults, _) = crate::swarm::faults(&mut rng);
    (c, faults)
}

/// What a sweep saw.
#[derive(Debug, Default)]
pub struct Swept {
    pub runs: u64,
    pub violations: u64,
    /// The first violation: seed, property ("lincheck" for a history found not linearizable)
    /// and message.
    pub first: Option<(u64, String, String)>,
    /// Client operations in the histories judged, and writes storage took or refused: a sweep
    /// that saw none of either proved little.
    pub operations: u64,
    pub stored: u64,
}

impl Swept {
    /// The first violation in words.
    pub fn first_words(&self) -> Option<String> {
        self.first.as_ref().map(|(seed, property, message)| format!("seed {seed}: {property} — {message}"))
    }
}

/// Run each seed for `events` events: the default service with `plain`'s recipe under its
/// faults, or (`None`) the swarm's case for the seed; with `mutant`. Stops at the first
/// violation when `stop_at_first`.
pub fn sweep(
    seeds: Range<u64>,
    plain: Option<(Recipe, FaultPreset)>,
    mutant: Option<Mutant>,
    events: u64,
    stop_at_first: bool,
) -> Swept {
    let mut out = Swept::default();
    for seed in seeds {
        let (mut c, faults) = match plain {
            Some((recipe, faults)) => (Coordination { recipe, ..Coordination::default() }, faults.config()),
            None => case(seed),
        };
        c.mutant = mutant;
        let mut sim = Sim::new(c, faults, seed);
        sim.keep_records = false;
        // A violation halts the simulator: `step` stops there.
        while sim.events() < events && sim.step() {}
        out.runs += 1;
        out.stored += sim
            .nodes()
            .iter()
            .map(|n| match n {
                Node::Storage(st) => st.writes.len() as u64 + st.refused,
                _ => 0,
            })
            .sum::<u64>();
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
