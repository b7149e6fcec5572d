//! The checker's replication properties against the mutants they are for, with no faults at
//! all: a leader that moves its high watermark before its ISR has the record, and one that
//! answers acks=all on append. Before `hw-in-isr`, no property saw the first without faults
//! (consumers read records no follower had, and "committed" moved with the leader's own high
//! watermark); before `acked-min-insync`, the second showed only when a later failover lost
//! the record.

use super::config::{Kafka, Mutant};
use crate::net::FaultPreset;
use crate::sim::Sim;

/// The property that ends a fault-free run of the mutant, per seed.
fn caught_by(mutant: Option<Mutant>, seed: u64) -> Option<alloc::string::String> {
    let k = Kafka { mutant, ..Kafka::default() };
    let mut sim = Sim::new(k, FaultPreset::None.config(), seed);
    while sim.events() < 20_000 && sim.step() {}
    sim.violation().map(|v| v.property.clone())
}

#[test]
fn a_high_watermark_ahead_of_the_isr_is_caught_without_faults() {
    for seed in 0..10 {
        assert_eq!(caught_by(Some(Mutant::HwBeforeIsr), seed), Some("hw-in-isr".into()), "seed {seed}");
        assert_eq!(caught_by(None, seed), None, "seed {seed}");
    }
}

#[test]
fn an_acknowledgement_before_min_insync_replicas_hold_the_record_is_caught_without_faults() {
    for seed in 0..10 {
        assert_eq!(
            caught_by(Some(Mutant::AckBeforeReplication), seed),
            Some("acked-min-insync".into()),
            "seed {seed}"
        );
    }
}
