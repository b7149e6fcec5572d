//! The coordination service: runs with faults, and each mutant caught.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use super::*;
use crate::net::FaultPreset;
use crate::sim::Sim;

/// Run the swarm's cases for `seeds` for `events` events each, with this mutant; the first
/// violation, if any: (seed, property, message); and how many writes storage took or refused.
fn sweep(
    seeds: core::ops::Range<u64>,
    mutant: Option<Mutant>,
    events: u64,
) -> (Option<(u64, String, String)>, u64) {
    let mut stored = 0;
    for seed in seeds {
        let (mut c, faults) = swarm::case(seed);
        c.mutant = mutant;
        let mut sim = Sim::new(c, faults, seed);
        sim.keep_records = false;
        while sim.events() < events && sim.step() {
            if sim.violation().is_some() {
                break;
            }
        }
        stored += sim
            .nodes()
            .iter()
            .map(|n| match n {
                Node::Storage(st) => st.writes.len() as u64 + st.refused,
                _ => 0,
            })
            .sum::<u64>();
        if let Some(v) = sim.violation() {
            return (Some((seed, v.property.clone(), v.message.clone())), stored);
        }
    }
    (None, stored)
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
    let (found, stored) = sweep(0..200, None, 20_000);
    assert_eq!(found, None);
    assert!(stored > 400, "the sweep saw {stored} writes to storage");
}

#[test]
fn the_swarm_catches_every_mutant() {
    let mut caught = Vec::new();
    for m in MUTANTS {
        let found = sweep(0..200, Mutant::parse(m.name), 20_000).0;
        caught.push((m.name, found.map(|f| format!("{} (seed {}): {}", f.1, f.0, f.2))));
    }
    assert!(caught.iter().all(|c| c.1.is_some()), "{caught:#?}");
}
