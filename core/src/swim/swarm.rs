//! Swarm testing for SWIM (see `kafka/swarm.rs` for the idea): every seed draws its own group
//! size, probe selection, detector, timing and fault mix, including crashes long enough for
//! the completeness bound to come due and suspicion timeouts too short for a refutation to be
//! promised. The draw uses its own generator, seeded from the run's seed.

use super::types::{Detector, Selection, Swim};
use crate::net::FaultConfig;
use crate::rng::Rng;

const MEMBERS: [usize; 6] = [2, 3, 5, 8, 16, 33];
const PERIOD_MS: [u64; 3] = [100, 200, 500];
const INDIRECT: [usize; 4] = [0, 1, 3, 8];
const RETRANSMIT: [u32; 3] = [1, 2, 4];
const LATENCY_US: [(u64, u64); 3] = [(1_000, 30_000), (5_000, 15_000), (1_000, 45_000)];
const LOSS: [f64; 4] = [0.0, 0.02, 0.10, 0.25];
const DUPLICATE: [f64; 3] = [0.0, 0.05, 0.20];
const INTERVAL_US: [(u64, u64); 3] = [(5_000, 60_000), (50_000, 300_000), (300_000, 2_000_000)];
const WEIGHT: [u32; 3] = [0, 1, 4];
/// Down times: blips, a few periods, and long enough for every bound to come due.
const DOWN_US: [(u64, u64); 3] = [(5_000, 120_000), (100_000, 1_000_000), (5_000_000, 30_000_000)];
const HEAL_US: [(u64, u64); 3] = [(10_000, 150_000), (100_000, 1_000_000), (2_000_000, 10_000_000)];
const MAX_DOWN: [usize; 3] = [1, 2, usize::MAX];

/// Separates the configuration's generator from the simulator's.
const SALT: u64 = 0x5357_494d_5357_524d;

/// One seed's members, detector and fault mix.
pub fn case(seed: u64) -> (Swim, FaultConfig) {
    let mut rng = Rng::new(seed ^ SALT);
    let mut of = |n: usize| rng.below(n as u64) as usize;
    let members = MEMBERS[of(MEMBERS.len())];
    let detector = if of(4) == 0 && members <= 16 { Detector::Heartbeat } else { Detector::Swim };
    let selection = if of(3) == 0 { Selection::Random } else { Selection::RoundRobin };
    let period_ms = PERIOD_MS[of(PERIOD_MS.len())];
    let ack_timeout_ms = [period_ms / 4, period_ms / 2, period_ms * 3 / 4][of(3)].max(1);
    let rounds = 2 * (members as u32 - 1);
    let suspicion = [None, Some(1), Some(rounds.max(1)), Some(3 * rounds.max(1))][of(4)];
    let sw = Swim {
        members,
        detector,
        selection,
        period_ms,
        ack_timeout_ms,
        indirect: INDIRECT[of(INDIRECT.len())],
        suspicion,
        retransmit: RETRANSMIT[of(RETRANSMIT.len())],
        heartbeat_periods: [3, 5, 8][of(3)],
        ..Swim::default()
    };
    let (latency_us_min, latency_us_max) = LATENCY_US[of(LATENCY_US.len())];
    let (interval_us_min, interval_us_max) = INTERVAL_US[of(INTERVAL_US.len())];
    let faults = FaultConfig {
        latency_us_min,
        latency_us_max,
        loss: LOSS[of(LOSS.len())],
        duplicate: DUPLICATE[of(DUPLICATE.len())],
        interval_us_min,
        interval_us_max,
        crash_weight: WEIGHT[of(WEIGHT.len())].max(1),
        partition_weight: WEIGHT[of(WEIGHT.len())],
        cut_weight: WEIGHT[of(WEIGHT.len())],
        swizzle_weight: WEIGHT[of(WEIGHT.len())],
        down_us: DOWN_US[of(DOWN_US.len())],
        heal_us: HEAL_US[of(HEAL_US.len())],
        max_down: MAX_DOWN[of(MAX_DOWN.len())],
    };
    (sw, faults)
}
