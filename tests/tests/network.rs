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

/// A random swizzle clogs nodes (every link from each cut) and unclogs each later, one event
/// per node: its outgoing links are down while it is clogged, its incoming ones are not.
#[test]
fn a_random_swizzle_clogs_outgoing_links_and_unclogs_them() {
    let net = FaultConfig {
        loss: 0.0,
        duplicate: 0.0,
        crash_weight: 0,
        partition_weight: 0,
        cut_weight: 0,
        swizzle_weight: 1,
        ..distlab_core::net::FaultPreset::Heavy.config()
    };
    let mut sim = quiet(net);
    let n = sim.nodes().len() as u32;
    let (mut clogged, mut unclogged) = (Vec::new(), Vec::new());
    for _ in 0..200_000 {
        if !sim.step() {
            break;
        }
        for r in sim.last_records() {
            match &r.kind {
                RecordKind::Clog { node, out: true, into: false } => {
                    clogged.push(*node);
                    let other = NodeId((node.0 + 1) % n);
                    assert!(!sim.link_up(*node, other), "{node} → {other} clogged");
                    // Incoming links stay up: from any node not clogged itself.
                    let free = (0..n).map(NodeId).find(|o| *o != *node && sim.clogs().all(|(c, ..)| c != *o));
                    if let Some(o) = free {
                        assert!(sim.link_up(o, *node), "{o} → {node} stays up");
                    }
                }
                RecordKind::Unclog { node, out: true, into: false } => {
                    unclogged.push(*node);
                    let other = NodeId((node.0 + 1) % n);
                    assert!(sim.link_up(*node, other), "{node} → {other} unclogged");
                }
                RecordKind::Clog { .. } | RecordKind::Unclog { .. } => {
                    panic!("a random swizzle clogs outgoing links: {r:?}")
                }
                _ => {}
            }
        }
        if unclogged.len() >= 6 {
            break;
        }
    }
    assert!(clogged.len() >= 6 && unclogged.len() >= 6, "clogged {clogged:?}, unclogged {unclogged:?}");
    assert_eq!(sim.clogs().count(), clogged.len() - unclogged.len());
}
