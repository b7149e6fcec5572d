#![cfg(not(target_arch = "wasm32"))]
//! Paxos presets: with back-off a duel ends in a decision sooner than without; with two of five
//! acceptors cut off, the majority still decides; and every preset is safe.

use distlab_core::lab::{self, LabConfig};
use distlab_core::protocol::Time;

/// Virtual time (ms) when every learner has learned, or None within 3 s.
fn decided_at(scenario: &str, seed: u64) -> Option<u64> {
    let cfg =
        LabConfig { protocol: "paxos".into(), scenario: Some(scenario.into()), seed, ..LabConfig::default() };
    let mut l = lab::build(&cfg).unwrap();
    while l.time() < Time::from_ms(3_000) && l.step() {
        assert!(l.violation().is_none(), "{scenario} seed {seed}");
        let snap = l.snapshot();
        let learners = snap.nodes.iter().filter(|n| n.view.role.contains("learner")).count();
        let learned = snap
            .nodes
            .iter()
            .filter(|n| n.view.fields.iter().any(|(k, v)| k == "learned" && v != "—"))
            .count();
        if learners > 0 && learned == learners {
            return Some(l.time().0 / 1000);
        }
    }
    None
}

#[test]
fn presets_decide_and_back_off_ends_a_duel_sooner() {
    let mut calm_total = 0;
    let mut duel_total = 0;
    for seed in 0..10 {
        calm_total += decided_at("dueling-backoff", seed).expect("back-off decides");
        duel_total += decided_at("dueling", seed).unwrap_or(3_000);
        assert!(decided_at("minority-cut-off", seed).is_some(), "a majority decides, seed {seed}");
    }
    assert!(calm_total < duel_total, "back-off {calm_total} ms vs duel {duel_total} ms over 10 seeds");
    assert_eq!(lab::scenarios("paxos").len(), 3);
}
