#![cfg(not(target_arch = "wasm32"))]
//! The network and fault model: partitions, one-way cuts, crashes, loss and duplication.

use distlab_core::net::FaultConfig;
use distlab_core::paxos::{Paxos, Propose};
use distlab_core::protocol::NodeId;
use distlab_core::sim::{Input, Sim};
use distlab_core::trace::{DropReason, Record, RecordKind};

fn quiet(net: FaultConfig) -> Sim<Paxos> {
    Sim::new(Paxos::default(), net, 1)
}

fn all_records(sim: &mut Sim<Paxos>, n: usize) -> Vec<Record<Paxos>> {
    let mut out = Vec::new();
    for _ in 0..n {
        if !sim.step() {
            break;
        }
        out.extend_from_slice(sim.last_records());
    }
    out
}

#[test]
fn a_partition_blocks_messages_between_sides_only() {
    let mut sim = quiet(FaultConfig::default());
    sim.apply_input(Input::Partition(vec![0, 1, 1]));
    let recs = all_records(&mut sim, 10_000);
    for r in &recs {
        match &r.kind {
            RecordKind::Deliver { from, to, .. } => {
                assert_eq!(from.0 == 0, to.0 == 0, "delivered across the partition: {r:?}");
            }
            RecordKind::Drop { from, to, reason, .. } => {
                assert_eq!(*reason, DropReason::Partition);
                assert_ne!(from.0 == 0, to.0 == 0);
            }
            _ => {}
        }
    }
    assert!(recs.iter().any(|r| matches!(r.kind, RecordKind::Drop { .. })));
}

#[test]
fn a_one_way_cut_blocks_one_direction() {
    let mut sim = quiet(FaultConfig::default());
    sim.apply_input(Input::Cut(NodeId(0), NodeId(1)));
    let recs = all_records(&mut sim, 10_000);
    let delivered = |a: u32, b: u32| {
        recs.iter()
            .any(|r| matches!(r.kind, RecordKind::Deliver { from, to, .. } if from.0 == a && to.0 == b))
    };
    assert!(!delivered(0, 1));
    assert!(delivered(1, 0));
}

#[test]
fn a_crashed_node_receives_nothing_and_keeps_acceptor_state_on_restart() {
    let mut sim = quiet(FaultConfig::default());
    while sim.nodes()[2].acceptor.as_ref().unwrap().accepted.is_none() {
        assert!(sim.step());
    }
    let accepted = sim.nodes()[2].acceptor.clone();
    sim.apply_input(Input::Crash(NodeId(2)));
    assert!(sim.status()[2].timers.is_empty());
    let recs = all_records(&mut sim, 50);
    assert!(!recs.iter().any(|r| matches!(r.kind, RecordKind::Deliver { to, .. } if to.0 == 2)));
    sim.apply_input(Input::Restart(NodeId(2)));
    assert_eq!(sim.nodes()[2].acceptor, accepted);
}

#[test]
fn loss_and_duplication_happen_at_their_rates() {
    let mut sim = quiet(FaultConfig { loss: 0.3, duplicate: 0.2, ..FaultConfig::default() });
    // Keep clients proposing so there is traffic to measure.
    for i in 0..3 {
        sim.apply_input(Input::Client(NodeId(i), Propose(10)));
    }
    let recs = all_records(&mut sim, 20_000);
    let sends = recs.iter().filter(|r| matches!(r.kind, RecordKind::Send { .. })).count() as f64;
    let dups = recs.iter().filter(|r| matches!(r.kind, RecordKind::Duplicate { .. })).count() as f64;
    let lost =
        recs.iter().filter(|r| matches!(r.kind, RecordKind::Drop { reason: DropReason::Loss, .. })).count()
            as f64;
    assert!(sends > 50.0, "only {sends} sends");
    let dup_rate = dups / sends;
    let loss_rate = lost / (sends + dups);
    assert!((0.1..0.3).contains(&dup_rate), "duplication rate {dup_rate}");
    assert!((0.2..0.4).contains(&loss_rate), "loss rate {loss_rate}");
}

#[test]
fn every_run_eventually_decides_without_faults() {
    for seed in 0..200 {
        let mut sim = Sim::new(Paxos::default(), FaultConfig::default(), seed);
        while sim.step() {}
        let learned: Vec<_> = sim.nodes().iter().map(|n| n.learner.as_ref().unwrap().learned).collect();
        assert!(learned.iter().all(|l| l.is_some() && *l == learned[0]), "seed {seed}: {learned:?}");
        assert!(sim.violation().is_none());
    }
}
