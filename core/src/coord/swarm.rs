//! Swarm testing for the coordination service (see `crate::swarm`): every seed draws its own
//! recipe, ensemble and client counts, session timeout, GC pauses and fault mix. The draw uses
//! its own generator, seeded from the run's seed.

use super::types::{Coordination, Recipe};
use crate::net::FaultConfig;
use crate::raft::Raft;
use crate::rng::Rng;

const RECIPES: [Recipe; 3] = [Recipe::Lock, Recipe::Election, Recipe::Discovery];
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
        raft: Raft { servers: [3, 3, 5][of(3)], clients: 0, ..Raft::default() },
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
