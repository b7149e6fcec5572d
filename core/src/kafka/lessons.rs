//! The presets' lessons, run end to end (#16): each test runs a preset on many seeds and checks
//! that the lesson happens, the way a learner would see it: acks=1 loses an acknowledged record
//! where acks=all, on the same scripted crash, loses none.

use alloc::vec::Vec;

use super::cluster::*;
use super::scenarios;
use crate::net::FaultPreset;
use crate::protocol::Time;
use crate::sim::Sim;
use crate::trace::RecordKind;

fn preset(name: &str) -> Kafka {
    scenarios::apply(name, Kafka::default()).expect("a known preset")
}

/// Run until `t` (or the run stops at a violation).
fn run_to(sim: &mut Sim<Kafka>, t: Time) {
    while sim.next_time().is_some_and(|n| n <= t) && sim.step() {}
}

/// The records a run's producers were acknowledged for: (partition, offset, value).
fn acknowledged(sim: &mut Sim<Kafka>, until: Time) -> Vec<(u32, u64, u64)> {
    let mut acked = Vec::new();
    while sim.next_time().is_some_and(|n| n <= until) && sim.step() {
        for r in sim.last_records() {
            if let RecordKind::Note { note: Note::Acked { partition, offset, rec_value, .. } } = &r.kind {
                acked.push((*partition, *offset, *rec_value));
            }
        }
    }
    acked
}

/// `acks-one-loss`: B1, p0's leader, is cut off from its followers with the producer, takes a
/// record, and crashes. With acks=1 it has acknowledged the record alone; the controller elects
/// B2 from the ISR, and B2 never had it: the checker's `acks1-not-lost` fires then, on every
/// seed. The same script with acks=all (the `failover` preset) loses nothing: B1 never answers,
/// and the producer's retry is acknowledged by B2, so every scripted record ends acknowledged.
#[test]
fn acks_one_loses_an_acknowledged_record_where_acks_all_loses_none() {
    let one = preset("acks-one-loss");
    let all = preset("failover");
    assert_eq!((one.acks, all.acks), (1, ACKS_ALL));
    assert_eq!(one.script, all.script, "the same crash");
    let produced = one.script.iter().filter(|(_, a)| matches!(a, crate::protocol::ScriptAction::Client(..))).count();
    for seed in 1..=50 {
        let mut sim = Sim::new(one.clone(), FaultPreset::None.config(), seed);
        run_to(&mut sim, Time::from_ms(4_000));
        let v = sim.violation().unwrap_or_else(|| panic!("seed {seed}: acks=1 lost nothing"));
        assert_eq!(v.property, "acks1-not-lost", "seed {seed}: {}", v.message);
        assert!(v.message.contains("p0") && v.message.contains("B2"), "seed {seed}: {}", v.message);
        let at = sim.now();
        assert!((Time::from_ms(1_100)..Time::from_ms(1_300)).contains(&at), "seed {seed}: at {at:?}");

        let mut sim = Sim::new(all.clone(), FaultPreset::None.config(), seed);
        let acked = acknowledged(&mut sim, Time::from_ms(4_000));
        assert_eq!(sim.violation(), None, "seed {seed}: acks=all");
        assert_eq!(acked.len(), produced, "seed {seed}: every record acknowledged: {acked:?}");
    }
}
