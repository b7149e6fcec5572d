#![cfg(not(target_arch = "wasm32"))]
//! SWIM sweeps: the default group (eight members, round-robin probes) keeps every property over
//! 1,000 seeds under heavy and under light faults, and the fault levels catch the mutants they
//! can: under heavy faults a crash rarely lasts long enough for completeness to come due, and so
//! many messages are lost that accuracy's evidence is always there, so the swarm
//! (`swim::swarm`, in core's tests) catches the rest.

use distlab_core::lab;
use distlab_core::net::FaultPreset;
use distlab_tests::sweep;

const SEEDS: u64 = 1_000;

#[test]
fn swim_holds_under_heavy_and_light_faults_for_a_thousand_seeds() {
    for faults in [FaultPreset::Heavy, FaultPreset::Light] {
        let (violations, first) = sweep("swim", None, faults, SEEDS);
        assert_eq!(violations, 0, "{faults:?}: first violation: {first:?}");
    }
}

#[test]
fn a_plain_seed_sweep_catches_the_mutants_of_refutation_suspicion_gossip_incarnation_and_precedence() {
    let want = [
        ("refutation-ignored", FaultPreset::Light, "refutation"),
        ("suspicion-skipped", FaultPreset::Heavy, "accuracy"),
        ("no-piggyback", FaultPreset::Light, "accuracy"),
        ("forget-incarnation", FaultPreset::Heavy, "incarnation"),
        ("alive-ties", FaultPreset::Light, "incarnation"),
        ("relay-by-sender", FaultPreset::Light, "suspicion"),
    ];
    let names: Vec<&str> = lab::mutants("swim").unwrap().iter().map(|m| m.0).collect();
    for (name, faults, property) in want {
        assert!(names.contains(&name));
        let (violations, first) = sweep("swim", Some(name), faults, 100);
        assert!(violations > 0, "mutant {name} was never caught under {faults:?}");
        let first = first.unwrap();
        assert!(first.contains(&format!(": {property} — ")), "{name}: {first}");
    }
}
