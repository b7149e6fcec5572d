//! The coordination service: runs with faults, and each mutant caught.

use alloc::vec::Vec;

use super::*;
use crate::net::FaultPreset;
use crate::sim::Sim;

/// The swarm's cases for `seeds`, 20,000 events each, with this mutant, up to the first
/// violation.
fn swarm(seeds: core::ops::Range<u64>, mutant: Option<Mutant>) -> swarm::Swept {
    swarm::sweep(seeds, None, mutant, 20_000, true)
}

#[test]
fn without_faults_the_clients_take_turns_with_the_lock() {
    let c = Coordination::default();
    let mut sim = Sim::new(c.clone(), FaultPreset::None.config(), 1);
    while sim.now().0 < 10_000_000 && sim.step() {}
    assert!(sim.violation().is_none(), "{:?}", sim.violation());
    let Some(Node::Storage(st)) = sim.nodes().last() else { panic!("no storage node") };
    let writers: Vec<u32> = st.writes.iter().map(|w| w.0 .0).collect();
    assert!(st.highest > 0, "{st:?}");
    for c in 3..6 {
        assert!(writers.contains(&c), "client {c} never wrote: {writers:?}");
    }
}

#[test]
fn a_swarm_of_configurations_keeps_every_promise() {
    let s = swarm(0..200, None);
    assert_eq!(s.first, None);
    assert!(s.stored > 400, "the sweep saw {} writes to storage", s.stored);
    assert!(s.operations > 1_000, "the sweep judged {} operations of client histories", s.operations);
}

#[test]
fn the_swarm_catches_every_mutant() {
    let mut caught = Vec::new();
    for m in MUTANTS {
        caught.push((m.name, swarm(0..200, Mutant::parse(m.name)).first_words()));
    }
    assert!(caught.iter().all(|c| c.1.is_some()), "{caught:#?}");
}
