#![cfg(not(target_arch = "wasm32"))]
//! Paxos presets: with back-off a duel ends in a decision sooner than without; with two of five
//! acceptors cut off, the majority still decides; a later proposer's adopted value reaches every
//! learner; and every preset is safe.

use distlab_core::lab::{self, LabConfig};
use distlab_core::paxos::setup::Config as PaxosConfig;
use distlab_core::protocol::Time;
use distlab_core::registry::Setup;

/// Virtual time (ms) when every learner has learned, or None within 3 s.
fn decided_at(scenario: &str, seed: u64) -> Option<u64> {
    let cfg = LabConfig { scenario: Some(scenario.into()), seed, ..LabConfig::default() };
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
        assert!(decided_at("adopt", seed).is_some(), "every learner learns the adopted value, seed {seed}");
        assert!(decided_at("basic", seed).is_some(), "one proposer's value is learned by all, seed {seed}");
    }
    assert!(calm_total < duel_total, "back-off {calm_total} ms vs duel {duel_total} ms over 10 seeds");
    assert_eq!(lab::scenarios("paxos").len(), 5);
}

/// A hundred-and-one acceptors with the first fifty down: the proposer's majority (51) needs
/// every live acceptor, including those numbered above 64, so the vote sets must hold them.
#[test]
fn a_large_cluster_decides_with_votes_from_nodes_above_64() {
    let roles = PaxosConfig { proposers: 1, acceptors: 101, learners: 101, backoff: true };
    let cfg = LabConfig { seed: 5, ..LabConfig::new(Setup::Paxos(roles.clone())) };
    let mut l = lab::build(&cfg).unwrap();
    for i in 1..=50 {
        l.act(lab::Action::Crash(distlab_core::protocol::NodeId(i))).unwrap();
    }
    while l.time() < Time::from_ms(3_000) && l.step() {
        assert!(l.violation().is_none());
    }
    let snap = l.snapshot();
    assert_eq!(snap.nodes.len(), 101);
    let learned: Vec<&str> = snap
        .nodes
        .iter()
        .filter(|n| n.up)
        .filter_map(|n| n.view.fields.iter().find(|(k, _)| k == "learned").map(|(_, v)| v.as_str()))
        .collect();
    assert_eq!(learned.len(), 51);
    assert!(
        learned.iter().all(|v| *v == "10"),
        "every live learner learns the proposer's value: {learned:?}"
    );
    let too_many = Setup::Paxos(PaxosConfig { acceptors: 129, ..roles });
    assert!(lab::build(&LabConfig { setup: too_many, ..cfg }).is_err(), "129 acceptors exceed the limit");
}
