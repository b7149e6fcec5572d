//! When a write's answer is judged: as the server sends it, not as it arrives.

use alloc::vec::Vec;

use super::*;
use crate::protocol::{NodeId, Time};

/// acked-write-durable judges a write's answer as it is sent: with every link from a server to
/// a client twenty times slower, an answer sent before its entry commits arrives after it
/// has, and judged on arrival (as before) the ack-before-commit mutant passed unseen.
#[test]
fn an_answer_sent_before_its_entry_commits_is_caught_though_it_arrives_after() {
    use crate::faultscript::Primitive;
    use crate::net::FaultPreset;
    use crate::sim::Sim;
    let raft = Raft { mutant: Some(Mutant::AckBeforeCommit), ..Raft::default() };
    let (servers, nodes) = (raft.servers as u32, raft.nodes() as u32);
    let slow: Vec<(Time, Primitive)> = (0..servers)
        .flat_map(|s| (servers..nodes).map(move |c| (Time(0), Primitive::SlowLink(NodeId(s), NodeId(c), 20))))
        .collect();
    for seed in 0..5 {
        let mut sim =
            Sim::new(raft.clone(), FaultPreset::None.config(), seed).with_fault_script(slow.clone());
        while sim.events() < 20_000 && sim.step() {}
        let v = sim.violation().expect("the early answer is caught");
        assert_eq!(v.property, "acked-write-durable", "seed {seed}: {}", v.message);
        assert!(v.message.contains(" answered write #"), "seed {seed}: judged on arrival: {}", v.message);
    }
}
