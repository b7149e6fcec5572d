#![cfg(not(target_arch = "wasm32"))]
//! SWIM sweeps: the default group (eight members, round-robin probes) keeps every property over
//! 1,000 seeds under heavy and under light faults, and the fault levels catch the mutants they
//! can: under heavy faults a crash rarely lasts long enough for completeness to come due, and so
//! many messages are lost that accuracy's evidence is always there, so the swarm
//! (`swim::swarm`, in core's tests) catches the rest.

use distlab_core::lab::{self, LabConfig};
use distlab_core::net::FaultPreset;
use distlab_core::registry::Setup;
use distlab_tests::run;

const SEEDS: u64 = 1_000;
const EVENTS: u64 = 20_000;

fn sweep(faults: FaultPreset, mutant: Option<&str>, seeds: u64) -> (u64, Option<(u64, String)>) {
    let mut violations = 0;
    let mut first = None;
    for seed in 0..seeds {
        let cfg = LabConfig {
            seed,
            faults,
            mutant: mutant.map(str::to_string),
            setup: Setup::default_for("swim").expect("registered"),
            scenario: None,
            ..LabConfig::default()
        };
        if let Some(v) = run(&cfg, EVENTS).violation {
            violations += 1;
            first.get_or_insert((seed, v.property));
        }
    }
    (violations, first)
}

#[test]
fn swim_holds_under_heavy_and_light_faults_for_a_thousand_seeds() {
    for faults in [FaultPreset::Heavy, FaultPreset::Light] {
        let (violations, first) = sweep(faults, None, SEEDS);
        assert_eq!(violations, 0, "{faults:?}: first violation: {first:?}");
    }
}

#[test]
fn a_plain_seed_sweep_catches_the_mutants_of_refutation_suspicion_gossip_and_incarnation() {
    let want = [
        ("refutation-ignored", FaultPreset::Light, "accuracy"),
        ("suspicion-skipped", FaultPreset::Heavy, "accuracy"),
        ("no-piggyback", FaultPreset::Light, "accuracy"),
        ("forget-incarnation", FaultPreset::Heavy, "incarnation"),
    ];
    let names: Vec<&str> = lab::mutants("swim").unwrap().iter().map(|m| m.0).collect();
    for (name, faults, property) in want {
        assert!(names.contains(&name));
        let (violations, first) = sweep(faults, Some(name), 100);
        assert!(violations > 0, "mutant {name} was never caught under {faults:?}");
        assert_eq!(first.unwrap().1, property, "{name}");
    }
}
