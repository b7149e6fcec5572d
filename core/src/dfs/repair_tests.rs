//! The metadata leader's repairs, run whole on the simulator: replicas in excess deleted after a
//! cut heals, keeping the block's racks.

use alloc::vec::Vec;

use super::node::Node;
use super::types::*;
use crate::kv::KvOp;
use crate::net::FaultPreset;
use crate::protocol::{NodeId, ScriptAction, Target, Time};
use crate::sim::Sim;

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
