//! Swarm testing for Multi-Paxos, after Groce, Zhang, Eide, Chen and Regehr, "Swarm Testing"
//! (ISSTA 2012).
//!
//! A sweep of one configuration with every feature switched on tests the features' average:
//! a bug that needs a quiet network, or several clients racing for slots, or no back-off, can
//! hide under the rest. A swarm sweep draws a configuration per seed, from the seed alone: the
//! cluster's size, how many clients and what they ask, back-off, the timeouts, the network's
//! latency, and which faults exist at all (each is switched off in about half of the seeds).
//! The simulator checks every property after every event, as in any run; the sweep counts
//! the distinct configurations it ran, so a sweep that kept drawing the same few shows it.
//!
//! Same seed ⇒ same configuration ⇒ same run: [`draw`] uses its own generator, seeded from
//! the seed, and the run is seeded with the seed itself.

use alloc::collections::{BTreeMap, BTreeSet};
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::ops::Range;

use super::types::{MultiPaxos, Mutant};
use crate::kv::Workload;
use crate::net::FaultConfig;
use crate::rng::Rng;
use crate::sim::Sim;

/// One seed's configuration, and its choices in words (two seeds with the same label ran the
/// same configuration).
#[derive(Clone, Debug)]
pub struct Swarm {
    pub mp: MultiPaxos,
    pub faults: FaultConfig,
    pub label: String,
}

fn pick<T: Copy>(rng: &mut Rng, options: &[T]) -> T {
    options[rng.below(options.len() as u64) as usize]
}

/// A feature is in about half of the configurations.
fn switched_on(rng: &mut Rng) -> bool {
    rng.chance(0.5)
}

/// The configuration of `seed` (with `mutant`, if any).
pub fn draw(seed: u64, mutant: Option<Mutant>) -> Swarm {
    let mut rng = Rng::new(seed ^ 0x5357_4152_4d00_0001);
    let mut words: Vec<String> = Vec::new();
    let servers = pick(&mut rng, &[3, 5]);
    let clients = rng.range(1, 4) as usize;
    let backoff = rng.chance(0.5);
    let keys = pick(&mut rng, &[1, 2, 3, 5]);
    let (mix, reads_pct, cas_pct) =
        pick(&mut rng, &[("writes", 0, 0), ("mixed", 30, 15), ("reads", 70, 0), ("cas", 10, 60)]);
    let think_ms = pick(&mut rng, &[5, 20, 100]);
    let (election_ms, heartbeat_ms) = pick(&mut rng, &[(150, 50), (60, 20)]);
    words.push(format!(
        "{servers} servers, {clients} client{}, back-off {}, {keys} key{} {mix}, think {think_ms} ms, \
         timeouts {election_ms}/{heartbeat_ms} ms",
        if clients == 1 { "" } else { "s" },
        if backoff { "on" } else { "off" },
        if keys == 1 { "" } else { "s" },
    ));
    let mp = MultiPaxos {
        servers,
        clients,
        backoff,
        workload: Workload { keys, reads_pct, cas_pct },
        client_think_us: think_ms * 1000,
        election_us: election_ms * 1000,
        heartbeat_us: heartbeat_ms * 1000,
        mutant,
        ..MultiPaxos::default()
    };

    let (latency_us_min, latency_us_max) =
        pick(&mut rng, &[(5_000, 15_000), (1_000, 30_000), (1_000, 80_000)]);
    words.push(format!("latency {}-{} ms", latency_us_min / 1000, latency_us_max / 1000));
    let loss = if switched_on(&mut rng) { pick(&mut rng, &[0.02, 0.1, 0.25]) } else { 0.0 };
    let duplicate = if switched_on(&mut rng) { pick(&mut rng, &[0.02, 0.1]) } else { 0.0 };
    if loss > 0.0 {
        words.push(format!("{:.0}% lost", loss * 100.0));
    }
    if duplicate > 0.0 {
        words.push(format!("{:.0}% twice", duplicate * 100.0));
    }
    let mut on = |word: &str| {
        let yes = switched_on(&mut rng);
        if yes {
            words.push(String::from(word));
        }
        yes
    };
    let crash_weight = on("crashes") as u32 * 4;
    let partition_weight = on("partitions") as u32 * 2;
    let cut_weight = on("cuts") as u32 * 2;
    let swizzle_weight = on("swizzles") as u32;
    let max_down = if crash_weight > 0 {
        let (n, word) = pick(
            &mut rng,
            &[(1, "one down"), (servers / 2, "a minority down"), (usize::MAX, "any number down")],
        );
        words.push(String::from(word));
        n
    } else {
        0
    };
    let injected = crash_weight + partition_weight + cut_weight + swizzle_weight > 0;
    // Frequent and short, as in the heavy preset, or now and then and longer, as in the light.
    let often = injected && rng.chance(0.5);
    let ((interval_us_min, interval_us_max), down_us, heal_us) = match (injected, often) {
        (false, _) => ((0, 0), (0, 0), (0, 0)),
        (true, true) => ((5_000, 60_000), (5_000, 120_000), (10_000, 150_000)),
        (true, false) => ((300_000, 900_000), (100_000, 400_000), (100_000, 400_000)),
    };
    if injected {
        words.push(String::from(if often { "faults often" } else { "faults now and then" }));
    }
    let faults = FaultConfig {
        latency_us_min,
        latency_us_max,
        loss,
        duplicate,
        interval_us_min,
        interval_us_max,
        crash_weight,
        partition_weight,
        cut_weight,
        swizzle_weight,
        down_us,
        heal_us,
        max_down,
    };
    Swarm { mp, faults, label: words.join(", ") }
}

/// What a swarm sweep saw.
#[derive(Clone, Debug, Default)]
pub struct Report {
    pub runs: u64,
    pub events: u64,
    pub violations: u64,
    /// The labels of the configurations run (so `configs.len()` distinct ones).
    pub configs: BTreeSet<String>,
    /// How often each property was the one that failed (the first to, in its run).
    pub failed: BTreeMap<String, u64>,
    /// The first violation: seed, configuration, property and what the checker saw.
    pub first: Option<String>,
    /// Not vacuous: client requests answered and leaders elected, over all runs.
    pub acked: u64,
    pub elections: u64,
}

/// Run `seed`'s configuration for up to `events` events, every property checked after each.
pub fn run(seed: u64, mutant: Option<Mutant>, events: u64) -> (Swarm, Sim<MultiPaxos>) {
    let swarm = draw(seed, mutant);
    let mut sim = Sim::new(swarm.mp.clone(), swarm.faults.clone(), seed);
    while sim.events() < events && sim.step() {}
    (swarm, sim)
}

/// Run the seeds in order, `events` events each, until they run out or `stop` says so.
pub fn sweep(
    seeds: Range<u64>,
    mutant: Option<Mutant>,
    events: u64,
    mut stop: impl FnMut(&Report) -> bool,
) -> Report {
    let mut report = Report::default();
    for seed in seeds {
        let (swarm, sim) = run(seed, mutant, events);
        report.runs += 1;
        report.events += sim.events();
        report.acked += sim.metrics().completed;
        report.elections += sim.metrics().elections;
        if let Some(v) = sim.violation() {
            report.violations += 1;
            *report.failed.entry(v.property.clone()).or_default() += 1;
            report.first.get_or_insert_with(|| {
                format!("seed {seed} ({}): {} at event {}: {}", swarm.label, v.property, v.event, v.message)
            });
        }
        report.configs.insert(swarm.label);
        if stop(&report) {
            break;
        }
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seed_names_its_configuration_and_every_one_is_valid() {
        let a = draw(7, None);
        let b = draw(7, None);
        assert_eq!((a.mp, a.faults, a.label), (b.mp, b.faults, b.label));
        let labels: BTreeSet<String> = (0..200).map(|s| draw(s, None).label).collect();
        assert!(labels.len() > 150, "only {} distinct configurations in 200 seeds", labels.len());
        for seed in 0..200 {
            let s = draw(seed, Some(Mutant::NoAdopt));
            assert_eq!(s.mp.validate(), Ok(()), "seed {seed}: {}", s.label);
            assert_eq!(s.mp.mutant, Some(Mutant::NoAdopt));
        }
        // Every choice is taken by some seed: both sizes, back-off on and off, no faults at all.
        let all: Vec<Swarm> = (0..200).map(|s| draw(s, None)).collect();
        assert!(all.iter().any(|s| s.mp.servers == 3) && all.iter().any(|s| s.mp.servers == 5));
        assert!(all.iter().any(|s| s.mp.backoff) && all.iter().any(|s| !s.mp.backoff));
        assert!(all.iter().any(|s| s.faults.interval_us_max == 0 && s.faults.loss == 0.0));
        assert!(
            all.iter().any(|s| s.faults.max_down == 1) && all.iter().any(|s| s.faults.swizzle_weight > 0)
        );
    }
}
