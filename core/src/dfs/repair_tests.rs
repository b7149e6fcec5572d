//! The metadata leader's repairs, run whole on the simulator: replicas in excess deleted after a
//! cut heals, keeping the block's racks; a block written while one rack ran given a replica on
//! another once it is back, and the checker catching a leader that does not.

use alloc::vec::Vec;

use super::node::Node;
use super::types::*;
use crate::kv::KvOp;
use crate::net::FaultPreset;
use crate::protocol::{NodeId, ScriptAction, Target, Time};
use crate::sim::Sim;
use alloc::vec;

/// Each file's complete block (as the metadata server that applied most has it), with the data
/// nodes whose disks hold it finished at its generation.
fn placed(d: &Dfs, sim: &Sim<Dfs>) -> Vec<(Pipeline, Vec<NodeId>)> {
    let servers = sim.nodes().iter().filter_map(|n| if let Node::Meta(s) = n { Some(s) } else { None });
    let Some(m) = servers.max_by_key(|s| s.raft.applied) else { return Vec::new() };
    m.raft
        .kv
        .files
        .values()
        .filter_map(|f| f.complete.clone())
        .map(|p| {
            let on = d.data_node_ids().filter(|n| {
                matches!(&sim.nodes()[n.index()], Node::Data(x)
                    if x.replicas.get(&p.block).is_some_and(|r| r.done && r.gen == p.gen))
            });
            let on = on.collect();
            (p, on)
        })
        .collect()
}

/// The racks a list of data nodes is on.
fn racks(d: &Dfs, nodes: &[NodeId]) -> Vec<usize> {
    let mut r: Vec<usize> = nodes.iter().filter_map(|n| d.rack_of(*n)).collect();
    r.dedup();
    r
}

fn write(d: &mut Dfs, at_ms: u64, client: usize, file: &str, v: u64) {
    let c = Target::Node(NodeId((d.first_client() + client) as u32));
    let op = ClientOp(KvOp::Put(file.into(), v));
    d.script.push((Time::from_ms(at_ms), ScriptAction::Client(c, op)));
}

/// Rack r1 is cut off from everything else at 2 s and comes back at 5 s. Meanwhile the
/// leader counts its nodes dead and copies their blocks elsewhere; when they report again,
/// each of those blocks has a replica too many (two, for a block with two on r1). HDFS deletes
/// the excess (`processExtraRedundancyBlock`), from the rack with the most replicas: by 9 s
/// every block is back to exactly R replicas, still on two racks or more. They stayed at R + 1
/// (or R + 2) for ever.
#[test]
fn replicas_in_excess_after_a_cut_heals_are_deleted_keeping_the_racks() {
    for seed in 0..8 {
        let mut d = Dfs { think_ms: 0, ..Dfs::default() };
        for (i, f) in ["x", "y", "z", "k3"].iter().enumerate() {
            write(&mut d, 1_000 + 100 * i as u64, i % 2, f, i as u64 + 1);
        }
        let r1: Vec<NodeId> = (1..3).map(|i| NodeId(META as u32 + i)).collect();
        d.script.push((Time::from_ms(2_000), ScriptAction::Isolate(Target::Node(NodeId(META as u32)), r1)));
        d.script.push((Time::from_ms(5_000), ScriptAction::Heal));
        let mut sim = Sim::new(d.clone(), FaultPreset::None.config(), seed);
        let mut excess_seen = false;
        while sim.now().0 < 9_000_000 && sim.step() {
            excess_seen |= placed(&d, &sim).iter().any(|(_, on)| on.len() > d.rf as usize);
        }
        assert!(sim.violation().is_none(), "seed {seed}: {:?}", sim.violation());
        assert!(excess_seen, "seed {seed}: no block ever had a replica too many");
        let blocks = placed(&d, &sim);
        assert_eq!(blocks.len(), 4, "seed {seed}");
        for (p, on) in blocks {
            assert_eq!(on.len(), d.rf as usize, "seed {seed}: block {} on {}", p.block, d.names(&on));
            assert!(racks(&d, &on).len() >= 2, "seed {seed}: block {} on {}", p.block, d.names(&on));
        }
    }
}

/// Racks r2 and r3 are down from 0.5 s to 3 s; C1 (on r1) writes x at 2 s, when the leader
/// counts only r1's nodes alive, so all three replicas go there (the rack limit allows it with
/// one rack). Once r2 and r3 are back the leader gives x a replica on another rack and deletes
/// one of r1's (HDFS's mis-replicated block: `isNeededReconstruction` asks
/// `isPlacementPolicySatisfied`); then r1 fails, and C2 still reads x. x stayed on r1 for ever,
/// and r1's loss took it.
fn written_on_one_rack(seed: u64, mutant: Option<Mutant>) -> (Sim<Dfs>, Dfs) {
    let mut d = Dfs { think_ms: 0, mutant, ..Dfs::default() };
    let node = |i: u32| Target::Node(NodeId(META as u32 + i));
    for i in 3..9 {
        d.script.push((Time::from_ms(500), ScriptAction::Crash(node(i))));
        d.script.push((Time::from_ms(3_000), ScriptAction::Restart(node(i))));
    }
    write(&mut d, 2_000, 0, "x", 7);
    for i in 0..3 {
        d.script.push((Time::from_ms(8_000), ScriptAction::Crash(node(i))));
    }
    let c2 = Target::Node(NodeId(d.first_client() as u32 + 1));
    d.script.push((Time::from_ms(8_500), ScriptAction::Client(c2, ClientOp(KvOp::Get("x".into())))));
    (Sim::new(d.clone(), FaultPreset::None.config(), seed), d)
}

#[test]
fn a_block_written_while_one_rack_ran_gets_a_replica_on_another() {
    for seed in 0..8 {
        let (mut sim, d) = written_on_one_rack(seed, None);
        while sim.now().0 < 2_900_000 && sim.step() {}
        let x = placed(&d, &sim);
        assert!(x.len() == 1 && racks(&d, &x[0].1) == vec![0], "seed {seed}: x on {:?}", x);
        while sim.now().0 < 8_000_000 && sim.step() {}
        let x = placed(&d, &sim);
        let on = &x[0].1;
        assert_eq!(on.len(), 3, "seed {seed}: x on {}", d.names(on));
        assert!(racks(&d, on).len() >= 2, "seed {seed}: x on {}", d.names(on));
        while sim.now().0 < 10_000_000 && sim.step() {}
        assert!(sim.violation().is_none(), "seed {seed}: {:?}", sim.violation());
        let Node::Client(c2) = &sim.nodes()[d.first_client() + 1] else { panic!("C2 is a client") };
        let read = c2.last.as_ref().map(|(op, r)| alloc::format!("{} → {r}", ClientOp(op.clone())));
        assert_eq!(read.as_deref(), Some("read x → = 7"), "seed {seed}");
    }
}

/// With no-rack-repair the leader counts replicas alone: x stays on r1, and rack-spread says
/// so 4 s after r2 and r3 came back, before r1's loss takes it.
#[test]
fn rack_spread_catches_a_leader_that_leaves_a_block_on_one_rack() {
    for seed in 0..8 {
        let (mut sim, _) = written_on_one_rack(seed, Some(Mutant::NoRackRepair));
        while sim.now().0 < 10_000_000 && sim.step() {}
        let at = sim.now();
        let v = sim.violation().unwrap_or_else(|| panic!("seed {seed}: no violation"));
        assert_eq!(v.property, "rack-spread", "seed {seed}: {}", v.message);
        assert!(v.message.contains("on rack r1 alone"), "seed {seed}: {}", v.message);
        assert!((7_000_000..8_000_000).contains(&at.0), "seed {seed}: at {at:?}");
    }
}
