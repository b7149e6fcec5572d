#![cfg(not(target_arch = "wasm32"))]
//! Coordination sweeps: the default service (three servers, three clients taking the lock,
//! one holding in ten pausing past its session) keeps every property over 300 seeds under
//! heavy and under light faults (a coordination run costs about five Raft runs; the release
//! check, `scripts/release-check.sh`, sweeps 20,000 of each), and a plain light-fault sweep
//! catches every mutant, each by the property it breaks (the lock's configuration, or the
//! catalog's for the watch that fires twice). (Heavy faults leave the lock little
//! progress to break: a fault every few tens of milliseconds keeps sessions expiring.)
//!
//! The service is not in the registry yet (its page comes next), so these run it directly.

use distlab_core::coord::{Coordination, Mutant, Recipe};
use distlab_core::net::FaultPreset;
use distlab_core::protocol::Protocol;
use distlab_core::sim::Sim;

/// Seeds per fault level: 300, or `DISTLAB_RELEASE_SEEDS` (the release check's).
fn seeds() -> u64 {
    std::env::var("DISTLAB_RELEASE_SEEDS").ok().and_then(|s| s.parse().ok()).unwrap_or(300)
}

/// Violations in `seeds` runs of 20,000 events, and the first in words.
fn sweep(recipe: Recipe, mutant: Option<Mutant>, faults: FaultPreset, seeds: u64) -> (u64, Option<String>) {
    let (mut violations, mut first) = (0, None);
    for seed in 0..seeds {
        let c = Coordination { recipe, mutant, ..Coordination::default() };
        let mut sim = Sim::new(c, faults.config(), seed);
        sim.keep_records = false;
        while sim.events() < 20_000 && sim.step() {
            if sim.violation().is_some() {
                break;
            }
        }
        if let Some(v) = sim.violation() {
            violations += 1;
            first.get_or_insert(format!("seed {seed}: {} — {}", v.property, v.message));
        }
    }
    (violations, first)
}

#[test]
fn coordination_holds_under_heavy_faults() {
    let (violations, first) = sweep(Recipe::Lock, None, FaultPreset::Heavy, seeds());
    assert_eq!(violations, 0, "first violation: {first:?}");
}

#[test]
fn coordination_holds_under_light_faults() {
    let (violations, first) = sweep(Recipe::Lock, None, FaultPreset::Light, seeds());
    assert_eq!(violations, 0, "first violation: {first:?}");
}

#[test]
fn a_plain_seed_sweep_catches_every_mutant_by_the_property_it_breaks() {
    // The lock's watches are on nodes that never come back; a watch that stays registered
    // shows itself where the same node changes again: the service catalog.
    let want = [
        ("no-fencing", Recipe::Lock, "fenced-writes"),
        ("local-expiry", Recipe::Lock, "state-machine-safety"),
        ("watch-wrong-node", Recipe::Lock, "lock-order"),
        ("client-clock", Recipe::Lock, "expiry-after-timeout"),
        ("persistent-watch", Recipe::Discovery, "watch-once"),
        ("keep-ephemerals", Recipe::Lock, "ephemerals-expire"),
        ("any-server", Recipe::Lock, "client-order"),
    ];
    assert_eq!(Coordination::mutants().len(), want.len());
    for (name, recipe, property) in want {
        let mutant = Mutant::parse(name).expect("a known mutant");
        let (violations, first) = sweep(recipe, Some(mutant), FaultPreset::Light, 100);
        assert!(violations > 0, "mutant {name} was never caught");
        let first = first.unwrap();
        assert!(first.contains(&format!(": {property} — ")), "{name}: {first}");
    }
}
