//! Where the metadata leader sends a block (`meta.rs`): HDFS's placement rule (`placement.rs`)
//! over the racks as the leader sees them, the data nodes it counts dead left out.

use alloc::vec::Vec;

use crate::protocol::{Ctx, NodeId};

use super::placement::{self, Writer};
use super::types::*;

type Cx<'a, 'b> = &'a mut Ctx<'b, Dfs>;

/// Whether the leader counts data node `n` dead, from its list by data node.
fn is_dead(dead: &[bool], n: NodeId) -> bool {
    dead.get(n.index().saturating_sub(META)).copied().unwrap_or(false)
}

/// How many racks have a data node this server counts alive, other than `also_not`.
pub(super) fn live_racks(d: &Dfs, dead: &[bool], also_not: &[NodeId]) -> u32 {
    let eligible = d.data_node_ids().filter(|n| !is_dead(dead, *n) && !also_not.contains(n));
    let mut racks: Vec<usize> = eligible.filter_map(|n| d.rack_of(n)).collect();
    racks.dedup();
    racks.len() as u32
}

/// The racks as the leader sees them: the nodes it counts dead (`dead`, by data node) out of
/// the map.
pub(super) fn live_topology(d: &Dfs, dead: &[bool]) -> placement::Topology {
    let mut topo = d.topology();
    topo.dead = d.data_node_ids().filter(|n| is_dead(dead, *n)).filter_map(|n| d.place_of(n)).collect();
    topo
}

pub(super) fn places(d: &Dfs, nodes: &[NodeId]) -> Vec<placement::Node> {
    nodes.iter().filter_map(|n| d.place_of(*n)).collect()
}

/// Where a block's replicas go, beside those it has (`existing`) and never on `also_not`:
/// HDFS's rule over the nodes counted alive, or (the one-rack mutant) every replica on the
/// first one's rack.
pub(super) fn choose(
    d: &Dfs,
    dead: &[bool],
    writer: Writer,
    existing: &[NodeId],
    also_not: &[NodeId],
    ctx: Cx,
) -> Vec<NodeId> {
    let topo = live_topology(d, dead);
    let (excluded, have) = (places(d, also_not), places(d, existing));
    let mut out: Vec<placement::Node> =
        placement::place_more(&topo, d.rf, writer, &have, &excluded, ctx.rng());
    if d.is(Mutant::OneRack) {
        if let Some(rack) = have.first().or(out.first()).map(|n| n.rack) {
            let wanted = (d.rf as usize).saturating_sub(have.len());
            out = (0..topo.racks[rack].nodes)
                .map(|index| placement::Node { rack, index })
                .filter(|n| !have.contains(n) && !excluded.contains(n) && !topo.dead.contains(n))
                .take(wanted)
                .collect();
        }
    }
    out.into_iter().map(|p| d.node_at(p)).collect()
}
