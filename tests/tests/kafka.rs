#![cfg(not(target_arch = "wasm32"))]
//! Kafka's replication: with acks=all, min.insync.replicas 2 and clean elections no
//! acknowledged record is lost under heavy faults; every mutant is caught; and acks=1 shows why
//! acks=all exists.

use distlab_core::kafka::cluster::{Kafka, Mutant, Note};
use distlab_core::lab::{self, LabConfig};
use distlab_core::net::FaultPreset;
use distlab_core::sim::Sim;
use distlab_core::trace::RecordKind;
use distlab_tests::run;

fn sweep(mutant: Option<&str>, faults: FaultPreset, seeds: u64) -> (u64, Option<String>) {
    let mut violations = 0;
    let mut first = None;
    for seed in 0..seeds {
        let cfg = LabConfig {
            protocol: "kafka".into(),
            seed,
            faults,
            mutant: mutant.map(str::to_string),
            ..LabConfig::default()
        };
        if let Some(v) = run(&cfg, 20_000).violation {
            violations += 1;
            first.get_or_insert(format!("seed {seed}: {} — {}", v.property, v.message));
        }
    }
    (violations, first)
}

#[test]
fn no_acknowledged_record_is_lost_with_acks_all() {
    for (faults, seeds) in [(FaultPreset::Heavy, 1_000), (FaultPreset::Light, 300)] {
        let (v, first) = sweep(None, faults, seeds);
        assert_eq!(v, 0, "{faults:?}: {first:?}");
    }
}

#[test]
fn every_kafka_mutant_is_caught() {
    for (name, _) in lab::mutants("kafka").unwrap() {
        let (v, _) = sweep(Some(name), FaultPreset::Heavy, 300);
        assert!(v > 0, "mutant {name} was never caught");
    }
}

/// The sweeps are not vacuous: producers get plenty of acknowledgements, and leaders change.
#[test]
fn producers_are_acknowledged_and_leaders_fail_over() {
    let (mut acked, mut elections) = (0, 0);
    for seed in 0..20 {
        let mut sim = Sim::new(Kafka::default(), FaultPreset::Light.config(), seed);
        while sim.events() < 20_000 && sim.step() {
            for r in sim.last_records() {
                match &r.kind {
                    RecordKind::Note { note: Note::Acked { .. } } => acked += 1,
                    RecordKind::Note { note: Note::Elected { .. } } => elections += 1,
                    _ => {}
                }
            }
        }
        assert!(sim.violation().is_none());
    }
    assert!(acked > 1_000, "only {acked} acknowledgements");
    assert!(elections > 20, "only {elections} elections");
}

/// With acks=1 a leader acknowledges before replicating; losing it loses the record, even with
/// clean elections. With unclean elections too, loss is common.
#[test]
fn acks_one_loses_acknowledged_records() {
    let lost = |mutant: Option<Mutant>| {
        (0..300)
            .filter(|&seed| {
                let k = Kafka { acks: 1, mutant, ..Kafka::default() };
                let mut sim = Sim::new(k, FaultPreset::Heavy.config(), seed);
                while sim.events() < 20_000 && sim.step() {}
                sim.violation().is_some_and(|v| v.property == "acked-not-lost")
            })
            .count()
    };
    let clean = lost(None);
    let unclean = lost(Some(Mutant::UncleanElection));
    assert!(clean > 0, "acks=1 never lost a record");
    assert!(unclean >= clean, "{unclean} < {clean}");
}

use distlab_core::kafka::cluster::Node;
use distlab_core::kafka::Strategy;
use distlab_core::protocol::{NodeId, Time};
use distlab_core::sim::Input;

fn consumers(sim: &Sim<Kafka>) -> Vec<(NodeId, Vec<u32>, u64)> {
    sim.nodes()
        .iter()
        .enumerate()
        .filter_map(|(i, n)| match n {
            Node::Consumer(c) if sim.status()[i].up => {
                Some((NodeId(i as u32), c.assigned.clone(), c.consumed))
            }
            _ => None,
        })
        .collect()
}

fn run_to(sim: &mut Sim<Kafka>, t: Time) {
    while sim.next_time().is_some_and(|n| n <= t) && sim.step() {}
}

#[test]
fn a_group_splits_the_partitions_and_survives_a_member_crash() {
    for strategy in [Strategy::Range, Strategy::RoundRobin, Strategy::Sticky, Strategy::CooperativeSticky] {
        let k = Kafka { consumers: 2, partitions: 4, strategy, ..Kafka::default() };
        let mut sim = Sim::new(k, FaultPreset::None.config(), 7);
        run_to(&mut sim, Time::from_ms(1_500));
        let cs = consumers(&sim);
        let mut all: Vec<u32> = cs.iter().flat_map(|c| c.1.clone()).collect();
        all.sort_unstable();
        assert_eq!(all, vec![0, 1, 2, 3], "{strategy:?}: {cs:?}");
        assert!(cs.iter().all(|c| c.1.len() == 2 && c.2 > 0), "{strategy:?}: {cs:?}");
        // Crash one member: after the session timeout the other owns everything and goes on.
        sim.apply_input(Input::Crash(cs[0].0));
        run_to(&mut sim, Time::from_ms(3_500));
        let after = consumers(&sim);
        assert_eq!(after.len(), 1);
        let mut mine = after[0].1.clone();
        mine.sort_unstable();
        assert_eq!(mine, vec![0, 1, 2, 3], "{strategy:?}");
        assert!(after[0].2 > cs[1].2, "{strategy:?}: the survivor kept consuming");
        assert!(sim.violation().is_none(), "{strategy:?}: {:?}", sim.violation());
    }
}
