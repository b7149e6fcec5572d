//! Which data nodes hold a complete block, as the checker keeps it (`check.rs`): one bit per
//! data node, kept one disk at a time, and how many replicas the running nodes can hold.

use crate::protocol::NodeId;

use super::node::Node;
use super::types::*;

/// Whether data node `n` holds a finished replica of the block at its generation or later.
pub(super) fn finished(nodes: &[Node], n: NodeId, p: &Pipeline) -> bool {
    match nodes.get(n.index()) {
        Some(Node::Data(x)) => x.finished(p.block, p.gen).is_some(),
        _ => false,
    }
}

/// The data nodes that hold a finished replica of a block, bit i for the i-th data node (at
/// most `MAX_DATA_NODES`, 32). A replica changes only where its node's disk does, so the
/// checker keeps each block's set one disk at a time instead of asking every node after every
/// change (debug builds check the two agree).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub(super) struct Held(pub(super) u32);

impl Held {
    /// Data node `n` alone.
    pub(super) fn of(n: NodeId) -> Held {
        Held(1u32.checked_shl(n.index().saturating_sub(META) as u32).unwrap_or(0))
    }

    /// Asked of every data node: those whose disks hold a finished replica of `p`'s block.
    pub(super) fn on(d: &Dfs, nodes: &[Node], p: &Pipeline) -> Held {
        Held(d.data_node_ids().filter(|n| finished(nodes, *n, p)).fold(0, |m, n| m | Held::of(n).0))
    }

    /// This set with `n` in it or not.
    pub(super) fn with(self, n: NodeId, holds: bool) -> Held {
        let b = Held::of(n).0;
        Held(if holds { self.0 | b } else { self.0 & !b })
    }

    pub(super) fn and(self, other: Held) -> Held {
        Held(self.0 & other.0)
    }

    pub(super) fn count(self) -> usize {
        self.0.count_ones() as usize
    }

    /// The racks its nodes are on, bit r for rack r.
    pub(super) fn racks(self, d: &Dfs) -> u32 {
        d.data_node_ids()
            .filter(|n| self.0 & Held::of(*n).0 != 0)
            .filter_map(|n| d.rack_of(n))
            .fold(0, |m, r| m | 1u32.checked_shl(r as u32).unwrap_or(0))
    }
}

/// How many replicas the running data nodes can hold under the rack limit: R, or fewer when
/// too few nodes run. The limit is the one the name node places by once it has declared the
/// others dead (the bound for repair is longer than that takes): over the running nodes and
/// the racks that have one.
pub(super) fn reachable(d: &Dfs, up: &dyn Fn(&NodeId) -> bool) -> usize {
    let mut topo = d.topology();
    topo.dead = d.data_node_ids().filter(|n| !up(n)).filter_map(|n| d.place_of(n)).collect();
    let max = topo.max_per_rack(d.rf.min(topo.live_nodes())) as usize;
    let per_rack = (0..d.racks.len())
        .map(|r| d.data_node_ids().filter(|n| d.rack_of(*n) == Some(r) && up(n)).count().min(max));
    per_rack.sum::<usize>().min(d.rf as usize)
}
