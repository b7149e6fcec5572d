#![cfg(not(target_arch = "wasm32"))]
//! Fault sweeps: the correct protocol holds every property over 1,000 seeds with heavy faults,
//! and every mutant is caught. A checker that never failed has not been tested.

use distlab_core::lab::{self, LabConfig};
use distlab_core::net::FaultPreset;
use distlab_tests::run;

const SEEDS: u64 = 1_000;
const EVENTS: u64 = 20_000;

fn sweep(mutant: Option<&str>) -> (u64, Option<(u64, String)>) {
    let mut violations = 0;
    let mut first = None;
    for seed in 0..SEEDS {
        let cfg = LabConfig {
            seed,
            faults: FaultPreset::Heavy,
            mutant: mutant.map(str::to_string),
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
fn paxos_holds_under_heavy_faults_for_a_thousand_seeds() {
    let (violations, first) = sweep(None);
    assert_eq!(violations, 0, "first violation: {first:?}");
}

#[test]
fn every_paxos_mutant_is_caught() {
    for (name, _) in lab::mutants("paxos").unwrap() {
        let (violations, first) = sweep(Some(name));
        assert!(violations > 0, "mutant {name} was never caught");
        let (_, property) = first.unwrap();
        assert!(["validity", "agreement", "learned-chosen"].contains(&property.as_str()));
    }
}
