#![cfg(not(target_arch = "wasm32"))]
//! Same seed + same scenario + same inputs ⇒ same trace, and the golden hash is pinned.

use distlab_core::lab::LabConfig;
use distlab_core::net::FaultPreset;
use distlab_tests::{golden_config, run, GOLDEN_EVENTS, GOLDEN_HASH};

#[test]
fn golden_trace_hash_is_pinned() {
    let out = run(&golden_config(), GOLDEN_EVENTS);
    assert_eq!(out.events, GOLDEN_EVENTS);
    assert_eq!(out.trace_hash, GOLDEN_HASH);
}

#[test]
fn same_seed_same_trace_different_seed_different_trace() {
    for faults in FaultPreset::ALL {
        let cfg = LabConfig { seed: 9, faults, ..LabConfig::default() };
        let a = run(&cfg, 3_000);
        let b = run(&cfg, 3_000);
        assert_eq!(a, b, "{faults:?}");
        let c = run(&LabConfig { seed: 10, ..cfg.clone() }, 3_000);
        assert_ne!(a.trace_hash, c.trace_hash, "{faults:?}");
    }
}

#[test]
fn the_mutant_changes_behaviour_only_where_it_bites() {
    // With no faults and no contention on values, the forget-promise mutant never matters:
    // nobody restarts, so the run is identical to the correct protocol.
    let cfg = LabConfig { seed: 3, ..LabConfig::default() };
    let plain = run(&cfg, 10_000);
    let mutated = run(&LabConfig { mutant: Some("forget-promise".into()), ..cfg }, 10_000);
    assert_eq!(plain.trace_hash, mutated.trace_hash);
    assert!(plain.violation.is_none());
}
