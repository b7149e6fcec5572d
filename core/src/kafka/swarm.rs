//! Swarm testing (Groce, Zhang, Eide, Chen and Regehr, "Swarm Testing", ISSTA 2012): instead of
//! sweeping seeds of one configuration under one fault preset, every seed draws its own
//! cluster, workload, timing and fault mix. A default configuration never visits a single
//! replica, `min.insync.replicas` equal to the replication factor, four producers on one
//! partition, a network that duplicates one message in five but never crashes a broker, or a
//! fetch interval longer than the ISR lag; a swarm does, and turning some fault kinds off often
//! lets the others reach deeper states.
//!
//! Every knob takes one of a few named values, so a configuration is a small tuple of choices
//! (its [`Shape`]) and a sweep can say how many distinct configurations it covered. The draw
//! uses its own generator, seeded from the run's seed: same seed, same configuration, same run.

use super::assign::Strategy;
use super::config::{Kafka, ACKS_ALL};
use crate::net::FaultConfig;
use crate::rng::Rng;

/// One seed's configuration: the cluster and what the network and the fault injector do.
#[derive(Clone, Debug, PartialEq)]
pub struct Case {
    pub kafka: Kafka,
    pub faults: FaultConfig,
    pub shape: Shape,
}

/// The choice made for every knob of a [`Case`], in the order [`case`] draws them: equal shapes
/// are equal configurations.
pub type Shape = [u8; KNOBS];

/// How many knobs a case draws.
pub const KNOBS: usize = 25;

/// acks, and how often each is drawn: all in half the runs, since an acks=1 run stops at the
/// first acknowledgement a leader failure loses.
const ACKS: [(u8, u32); 3] = [(ACKS_ALL, 2), (1, 1), (0, 1)];
const KEYS: [u32; 3] = [1, 8, 32];
const PRODUCE_EVERY_US: [u64; 4] = [5_000, 15_000, 30_000, 60_000];
const FETCH_US: [u64; 3] = [10_000, 20_000, 40_000];
const REPLICA_LAG_US: [u64; 3] = [60_000, 120_000, 240_000];
const SESSION_US: [u64; 3] = [100_000, 150_000, 300_000];
const LATENCY_US: [(u64, u64); 3] = [(1_000, 30_000), (5_000, 15_000), (1_000, 100_000)];
const LOSS: [f64; 4] = [0.0, 0.02, 0.10, 0.25];
const DUPLICATE: [f64; 4] = [0.0, 0.01, 0.05, 0.20];
const INTERVAL_US: [(u64, u64); 3] = [(5_000, 60_000), (50_000, 300_000), (300_000, 900_000)];
const WEIGHT: [u32; 3] = [0, 1, 4];
const DOWN_US: [(u64, u64); 2] = [(5_000, 120_000), (100_000, 400_000)];
const HEAL_US: [(u64, u64); 2] = [(10_000, 150_000), (100_000, 400_000)];
const MAX_DOWN: [usize; 3] = [1, 2, usize::MAX];
/// Idempotent producers in three runs of four (Kafka's default), off in the rest (where a
/// retry may be written twice, which Kafka does not promise against). Drawn last, so that the
/// knobs before it draw as they did before it was a knob.
const IDEMPOTENCE: [(bool, u32); 2] = [(true, 3), (false, 1)];

/// Separates the configuration's generator from the simulator's, which starts from the seed.
const SALT: u64 = 0x5741_524d_4b41_464b;

/// Draws choices and remembers them.
struct Draw {
    rng: Rng,
    shape: Shape,
    n: usize,
}

impl Draw {
    /// A choice among `options` values.
    fn pick(&mut self, options: usize) -> usize {
        let i = self.rng.below(options as u64) as usize;
        self.shape[self.n] = i as u8;
        self.n += 1;
        i
    }
    fn of<T: Copy>(&mut self, options: &[T]) -> T {
        options[self.pick(options.len())]
    }
    /// A choice among (value, weight) options, drawn in proportion to the weights.
    fn weighted<T: Copy>(&mut self, options: &[(T, u32)]) -> T {
        let total = options.iter().map(|o| o.1 as u64).sum();
        let mut x = self.rng.below(total);
        let mut i = 0;
        while x >= options[i].1 as u64 {
            x -= options[i].1 as u64;
            i += 1;
        }
        self.shape[self.n] = i as u8;
        self.n += 1;
        options[i].0
    }
    /// A number in `lo..=hi`.
    fn within(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.pick(hi - lo + 1)
    }
}

/// The configuration seed `seed` runs: every knob drawn from the seed. Always valid.
pub fn case(seed: u64) -> Case {
    let mut d = Draw { rng: Rng::new(seed ^ SALT), shape: [0; KNOBS], n: 0 };
    let brokers = d.within(3, 5);
    let partitions = d.within(1, 6) as u32;
    let rf = d.within(1, brokers) as u32;
    let min_insync = d.within(1, rf as usize) as u32;
    let kafka = Kafka {
        brokers,
        partitions,
        rf,
        min_insync,
        acks: d.weighted(&ACKS),
        producers: d.within(1, 4),
        consumers: d.within(0, 4),
        strategy: d.of(&Strategy::ALL),
        keys: d.of(&KEYS),
        produce_every_us: d.of(&PRODUCE_EVERY_US),
        fetch_us: d.of(&FETCH_US),
        replica_lag_us: d.of(&REPLICA_LAG_US),
        session_us: d.of(&SESSION_US),
        ..Kafka::default()
    };
    let (latency_us_min, latency_us_max) = d.of(&LATENCY_US);
    let (interval_us_min, interval_us_max) = d.of(&INTERVAL_US);
    let faults = FaultConfig {
        latency_us_min,
        latency_us_max,
        loss: d.of(&LOSS),
        duplicate: d.of(&DUPLICATE),
        interval_us_min,
        interval_us_max,
        crash_weight: d.of(&WEIGHT),
        partition_weight: d.of(&WEIGHT),
        cut_weight: d.of(&WEIGHT),
        swizzle_weight: d.of(&WEIGHT),
        down_us: d.of(&DOWN_US),
        heal_us: d.of(&HEAL_US),
        max_down: d.of(&MAX_DOWN),
    };
    let kafka = Kafka { idempotence: d.weighted(&IDEMPOTENCE), ..kafka };
    debug_assert_eq!(d.n, KNOBS);
    debug_assert_eq!(kafka.validate(), Ok(()));
    Case { kafka, faults, shape: d.shape }
}

/// The cluster part of a shape: brokers, partitions, replication factor, min.insync.replicas
/// and acks (the knobs Kafka's guarantees are stated in terms of).
pub fn cluster_shape(shape: &Shape) -> [u8; 5] {
    [shape[0], shape[1], shape[2], shape[3], shape[4]]
}

/// How many cluster shapes a swarm can draw: 3 to 5 brokers, 1 to 6 partitions, every
/// replication factor up to the brokers and min.insync.replicas up to it, three acks settings.
pub fn clusters() -> usize {
    (3..=5).map(|brokers| (1..=brokers).sum::<usize>()).sum::<usize>() * 6 * ACKS.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_case_is_a_function_of_its_seed_and_always_valid() {
        for seed in 0..2_000 {
            let c = case(seed);
            assert_eq!(c, case(seed));
            assert_eq!(c.kafka.validate(), Ok(()), "seed {seed}");
            assert!(c.kafka.min_insync <= c.kafka.rf && c.kafka.rf as usize <= c.kafka.brokers);
        }
        // The draw reaches the corners: one replica, min.insync = rf = brokers, no injected
        // faults at all, and every acks setting.
        let cases: alloc::vec::Vec<Case> = (0..2_000).map(case).collect();
        assert!(cases.iter().any(|c| c.kafka.rf == 1));
        assert!(cases.iter().any(|c| c.kafka.min_insync == 5));
        assert!(cases.iter().any(|c| c.faults.crash_weight
            + c.faults.partition_weight
            + c.faults.cut_weight
            + c.faults.swizzle_weight
            == 0));
        for acks in [0, 1, ACKS_ALL] {
            assert!(cases.iter().any(|c| c.kafka.acks == acks));
        }
        let idempotent = cases.iter().filter(|c| c.kafka.idempotent()).count();
        assert!((600..900).contains(&idempotent), "idempotent in 3 of 4 acks=all runs: {idempotent}");
        let all = cases.iter().filter(|c| c.kafka.acks == ACKS_ALL).count();
        assert!((900..1_100).contains(&all), "acks=all in half the runs: {all}");
        let shapes: alloc::collections::BTreeSet<[u8; 5]> =
            cases.iter().map(|c| cluster_shape(&c.shape)).collect();
        assert!(shapes.len() <= clusters() && clusters() == 558);
    }
}
