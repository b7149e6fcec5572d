#![cfg(not(target_arch = "wasm32"))]
//! Coordination sweeps: the default service (three servers, three clients taking the lock,
//! one holding in ten pausing past its session) keeps every property over 1,000 seeds under
//! heavy faults and 300 under light ones; the configuration store (synced reads, plain and
//! conditional sets) keeps them too and its client histories are linearizable, over 300 seeds
//! of each (the release check, `scripts/release-check.sh`, sweeps more). A plain light-fault
//! sweep catches every mutant, each by the property it breaks (the lock's configuration, the
//! catalog's for the watch that fires twice, the configuration store's for the sync answered
//! locally, which only the linearizability checker sees; the configuration store's for the
//! watches forgotten on reconnection, as its clients watch the keys they read). (Heavy faults leave the lock little
//! progress to break: a fault every few tens of milliseconds keeps sessions expiring.)

use distlab_core::coord::swarm::{self, Swept};
use distlab_core::coord::{Coordination, Mutant, Recipe};
use distlab_core::net::FaultPreset;
use distlab_core::protocol::Protocol;

/// Seeds for a sweep: `default`, or `DISTLAB_RELEASE_SEEDS` (the release check's).
fn seeds(default: u64) -> u64 {
    std::env::var("DISTLAB_RELEASE_SEEDS").ok().and_then(|s| s.parse().ok()).unwrap_or(default)
}

/// `seeds` runs of 20,000 events of the default service with this recipe, mutant and faults
/// (the sweep is core's, built with its optimisation).
fn sweep(recipe: Recipe, mutant: Option<Mutant>, faults: FaultPreset, seeds: u64) -> Swept {
    swarm::sweep(0..seeds, Some((recipe, faults)), mutant, 20_000, false)
}

#[test]
fn coordination_holds_under_heavy_faults() {
    let s = sweep(Recipe::Lock, None, FaultPreset::Heavy, seeds(1_000));
    assert_eq!(s.violations, 0, "first violation: {:?}", s.first_words());
}

#[test]
fn coordination_holds_under_light_faults() {
    let s = sweep(Recipe::Lock, None, FaultPreset::Light, seeds(300));
    assert_eq!(s.violations, 0, "first violation: {:?}", s.first_words());
}

#[test]
fn the_configuration_stores_writes_and_synced_reads_are_linearizable() {
    for faults in [FaultPreset::Heavy, FaultPreset::Light] {
        let n = seeds(300);
        let s = sweep(Recipe::Config, None, faults, n);
        assert_eq!(s.violations, 0, "{faults:?}: first violation: {:?}", s.first_words());
        assert!(s.operations > 20 * n, "{faults:?}: only {} operations in {n} histories", s.operations);
    }
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
        ("local-sync", Recipe::Config, "lincheck"),
        ("forget-watches", Recipe::Config, "watch-first"),
        ("count-sequence", Recipe::Lock, "lock-order"),
        ("no-grace", Recipe::Lock, "expiry-after-timeout"),
        ("rearm-watch", Recipe::Discovery, "watch-once"),
        ("ignore-relays", Recipe::Lock, "expiry-after-timeout"),
    ];
    assert_eq!(Coordination::mutants().len(), want.len());
    for (name, recipe, property) in want {
        let mutant = Mutant::parse(name).expect("a known mutant");
        let s = sweep(recipe, Some(mutant), FaultPreset::Light, 100);
        assert!(s.violations > 0, "mutant {name} was never caught");
        let first = s.first_words().unwrap();
        assert!(first.contains(&format!(": {property} — ")), "{name}: {first}");
    }
}
