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
//!
//! The consumer group changes too: in two runs of three, members leave and join back, pause for
//! longer or shorter than their session (a garbage-collection pause), and the controller adds
//! partitions, at random times; some consumers may start outside the group; and a consumer, a
//! producer or the controller crashes and restarts (the fault injector crashes only brokers).
//! Without it the group rebalances only when a cut takes a member away.

use alloc::vec::Vec;

use super::assign::Strategy;
use super::config::{Kafka, ACKS_ALL};
use super::types::{ClientOp, MAX_PAUSE_MS};
use crate::net::FaultConfig;
use crate::protocol::{NodeId, ScriptAction, Target, Time};
use crate::rng::Rng;

/// One seed's configuration: the cluster and what the network and the fault injector do.
#[derive(Clone, Debug, PartialEq)]
pub struct Case {
    pub kafka: Kafka,
    pub faults: FaultConfig,
    pub shape: Shape,
}

/// The choice made for every knob of a [`Case`], in the order [`case`] draws them: equal shapes
/// are equal configurations, but for the times and targets of the group's churn.
pub type Shape = [u8; KNOBS];

/// How many knobs a case draws.
pub const KNOBS: usize = 27;

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
/// How many times the consumer group is stirred (a leave, a join, a pause, a new partition, a
/// client or the controller restarted),
/// drawn after idempotence for the same reason.
const CHURN: [usize; 3] = [0, 4, 12];
/// The stirring falls between these times: after the group's first rebalance, and within the
/// simulated time a run of 20,000 events reaches in most configurations.
const CHURN_US: (u64, u64) = (300_000, 2_500_000);

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
    let churn = d.of(&CHURN);
    let idle_consumers = if churn == 0 { 0 } else { d.within(0, kafka.consumers) };
    if churn == 0 {
        d.pick(1);
    }
    let script = stir(&mut d.rng, &kafka, churn);
    let kafka = Kafka { idle_consumers, script, ..kafka };
    debug_assert_eq!(d.n, KNOBS);
    debug_assert_eq!(kafka.validate(), Ok(()));
    Case { kafka, faults, shape: d.shape }
}

/// `churn` of the group's own events at random times: a member leaves or joins (one already
/// in does nothing), pauses for a tenth of its session or for one and a half sessions (it is
/// removed, and finds out when it wakes), or the controller adds a partition (one in ten,
/// Kafka's `kafka-topics --alter`); or a process crashes and restarts a while later: a consumer
/// (it comes back as a new member), a producer (it asks for a new producer id) or the
/// controller with its group coordinator (it comes back with what it kept). With no consumers
/// only partitions are added and processes restarted. The brokers' crashes are the fault
/// injector's.
fn stir(rng: &mut Rng, k: &Kafka, churn: usize) -> Vec<(Time, ScriptAction<ClientOp>)> {
    let mut script = Vec::with_capacity(churn);
    let pick = |rng: &mut Rng, first: usize, count: usize| {
        NodeId(first as u32 + rng.below(count.max(1) as u64) as u32)
    };
    let session = k.group_session_us;
    for _ in 0..churn {
        let at = Time(rng.range(CHURN_US.0, CHURN_US.1));
        let consumer = pick(rng, k.brokers + 1 + k.producers, k.consumers);
        let session_ms = (session / 1000) as u32;
        let (victim, down) = match rng.below(13) {
            10 if k.consumers > 0 => (consumer, (session / 10, session * 2)),
            11 => (pick(rng, k.brokers + 1, k.producers), (5_000, 300_000)),
            12 => (k.controller(), (10_000, 400_000)),
            kind => {
                let (to, op) = match kind {
                    _ if k.consumers == 0 => (k.controller(), ClientOp::AddPartition),
                    0 => (k.controller(), ClientOp::AddPartition),
                    1..=3 => (consumer, ClientOp::Leave),
                    4..=6 => (consumer, ClientOp::Join),
                    7 => (consumer, ClientOp::Pause((session_ms / 10).clamp(1, MAX_PAUSE_MS))),
                    _ => (consumer, ClientOp::Pause((session_ms * 3 / 2).clamp(1, MAX_PAUSE_MS))),
                };
                script.push((at, ScriptAction::Client(Target::Node(to), op)));
                continue;
            }
        };
        let back = at.plus(Time(rng.range(down.0, down.1)));
        script.push((at, ScriptAction::Crash(Target::Node(victim))));
        script.push((back, ScriptAction::Restart(Target::Node(victim))));
    }
    #[allow(clippy::disallowed_methods)] // the sweeps only: never reached from the page
    script.sort_by_key(|(t, _)| *t);
    script
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
        // The group is stirred in two runs of three, each op sent to a node that takes it.
        let stirred = cases.iter().filter(|c| !c.kafka.script.is_empty()).count();
        assert!((1_200..1_450).contains(&stirred), "{stirred}");
        let session_ms = (Kafka::default().group_session_us / 1000) as u32;
        for op in [
            ClientOp::Leave,
            ClientOp::Join,
            ClientOp::AddPartition,
            ClientOp::Pause(session_ms / 10),
            ClientOp::Pause(session_ms * 3 / 2),
        ] {
            let sent = |c: &Case| {
                c.kafka.script.iter().any(|s| matches!(&s.1, ScriptAction::Client(_, o) if *o == op))
            };
            assert!(cases.iter().any(sent), "{op:?}");
        }
        assert!(cases.iter().any(|c| c.kafka.idle_consumers > 0));
        // Each crash is of a consumer, a producer or the controller (never a broker: the fault
        // injector's), and is followed by its restart; each kind is reached.
        let mut crashed = [false; 3];
        for c in &cases {
            let k = &c.kafka;
            for (at, step) in &k.script {
                match step {
                    ScriptAction::Client(Target::Node(to), op) => {
                        assert_eq!(crate::protocol::Protocol::check_client(k, *to, op), Ok(()));
                    }
                    ScriptAction::Crash(Target::Node(n)) => {
                        let i = n.index();
                        assert!(i >= k.brokers && i < crate::protocol::Protocol::nodes(k), "{n}");
                        let kind = if i == k.brokers {
                            0
                        } else if i <= k.brokers + k.producers {
                            1
                        } else {
                            2
                        };
                        crashed[kind] = true;
                        let restart = |s: &(Time, ScriptAction<ClientOp>)| {
                            s.0 > *at && s.1 == ScriptAction::Restart(Target::Node(*n))
                        };
                        assert!(k.script.iter().any(restart), "{n} restarts");
                    }
                    ScriptAction::Restart(Target::Node(_)) => {}
                    _ => panic!("{step:?}"),
                }
            }
        }
        assert_eq!(crashed, [true; 3], "the controller, a producer and a consumer");
    }
}
