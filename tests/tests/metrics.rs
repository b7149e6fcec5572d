#![cfg(not(target_arch = "wasm32"))]
//! The metrics strip's numbers: they add up, they count what the trace shows, and stepping
//! back gives the same numbers as running forward to the same position.

use distlab_core::lab::{self, LabConfig};
use distlab_core::net::FaultPreset;
use distlab_core::protocol::MessageInfo;
use distlab_core::raft::Raft;
use distlab_core::registry::Setup;
use distlab_core::sim::Sim;
use distlab_core::trace::RecordKind;

#[test]
fn metrics_count_what_the_trace_shows() {
    let mut sim = Sim::new(Raft { clients: 3, ..Raft::default() }, FaultPreset::Light.config(), 4);
    let mut sends = 0u64;
    let mut votes = 0u64;
    while sim.events() < 20_000 && sim.step() {
        for r in sim.last_records() {
            if let RecordKind::Send { msg, .. } = &r.kind {
                sends += 1;
                votes += (msg.kind() == "RequestVote") as u64;
            }
        }
    }
    let m = sim.metrics();
    assert_eq!(m.messages.iter().map(|x| x.1).sum::<u64>(), sends);
    assert_eq!(m.messages.iter().find(|x| x.0 == "RequestVote").map(|x| x.1).unwrap_or(0), votes);
    assert!(m.messages.iter().all(|x| x.2 >= x.1 * 8), "every message has bytes");
    assert!(m.completed > 50);
    assert_eq!(m.latency.iter().sum::<u64>(), m.completed);
    assert!(m.has_leader && m.elections >= 1);
    assert!(m.leaderless_until(sim.now()) < sim.now().0);
    let csv = m.csv("raft", 4, sim.events(), sim.now());
    assert!(csv.starts_with("metric,value\nprotocol,raft\nseed,4\n"), "{csv}");
    assert!(csv.contains(&format!("\nmessages,{sends}\n")));
    assert!(csv.contains("\nmessages_AppendEntries,"));
}

#[test]
fn stepping_back_restores_the_metrics_of_that_position() {
    let setup =
        Setup::MultiPaxos(distlab_core::multipaxos::setup::Config { clients: 2, ..Default::default() });
    let cfg = LabConfig { faults: FaultPreset::Light, ..LabConfig::new(setup) };
    let mut a = lab::build(&cfg).unwrap();
    let mut b = lab::build(&cfg).unwrap();
    for _ in 0..6_000 {
        a.step();
    }
    for _ in 0..4_321 {
        b.step();
    }
    a.seek(4_321);
    assert_eq!(a.snapshot().metrics, b.snapshot().metrics);
    assert!(a.snapshot().metrics.completed > 0);
    let paxos = lab::build(&LabConfig::default()).unwrap();
    assert!(!paxos.snapshot().metrics.has_leader, "single-decree Paxos has no leader to count");
}
