//! What the explorer (`explore`) asks of a protocol beyond [`Protocol`]: how to tell two of its
//! nodes apart once time no longer matters, how far its rounds have climbed, which requests a
//! small cluster may be sent, and how big the cluster is. Every registered protocol provides
//! it (`Registered` requires it), so every page can be explored.

use alloc::string::String;
use alloc::vec::Vec;

use crate::protocol::{NodeId, Protocol};

/// A renaming of nodes, for symmetry reduction: node `i` is called `to[i]`, a permutation
/// of the nodes that moves only nodes a protocol declared interchangeable
/// (`Explorable::symmetric`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rename {
    to: Vec<NodeId>,
}

impl Rename {
    /// `to[i]` is node i's new name; `None` unless `to` is a permutation of `0..to.len()`.
    pub fn new(to: Vec<NodeId>) -> Option<Rename> {
        let mut hit = alloc::vec![false; to.len()];
        for n in &to {
            if n.index() >= to.len() || core::mem::replace(&mut hit[n.index()], true) {
                return None;
            }
        }
        Some(Rename { to })
    }
    pub fn is_identity(&self) -> bool {
        self.to.iter().enumerate().all(|(i, n)| n.index() == i)
    }
    /// The new name of `n` (a node past the permutation keeps its own).
    pub fn node(&self, n: NodeId) -> NodeId {
        self.to.get(n.index()).copied().unwrap_or(n)
    }
    /// A set of nodes as a bit mask (bit i for node i), renamed.
    pub fn bits(&self, mask: u64) -> u64 {
        (0..64).filter(|i| mask & (1 << i) != 0).fold(0, |acc, i| acc | 1 << self.node(NodeId(i)).0)
    }
    /// Renamed and put in order: a set of nodes stored as a list.
    pub fn set(&self, nodes: &mut [NodeId]) {
        let mut keyed: Vec<(u64, u32)> = nodes.iter().map(|n| (self.node(*n).0 as u64, 0)).collect();
        crate::order::sort_keyed(&mut keyed);
        nodes.iter_mut().zip(keyed).for_each(|(n, (k, _))| *n = NodeId(k as u32));
    }
    /// A list with one place per node (place i for node i): each moved to its node's new place.
    pub fn places<T: Clone>(&self, per_node: &mut [T]) {
        let old = per_node.to_vec();
        for (i, x) in old.into_iter().enumerate() {
            let j = self.node(NodeId(i as u32)).index();
            if let Some(slot) = per_node.get_mut(j) {
                *slot = x;
            }
        }
    }
}

pub trait Explorable: Protocol {
    /// A digest of the node with every time it stores set to zero (an `Option<Time>` keeps
    /// its shape). In an explored run every stored time is far in the past by the next event
    /// (`sim::EXPLORE_LEAP`), so two nodes that differ only in their times behave alike from
    /// here on and are one state. The default hashes everything: always sound, it only merges
    /// fewer states, and is right for a node that stores no time.
    fn timeless_digest(&self, node: &Self::Node) -> u64 {
        crate::hash::digest(node)
    }
    /// The highest round the node has reached (a term, a ballot's round, a leader epoch): what
    /// the explorer's `max_term` bound limits.
    fn round(&self, node: &Self::Node) -> u64;
    /// Up to `n` requests the explorer may issue, each once and in any order: the node that
    /// takes it and the request as `Protocol::parse_client` reads it.
    fn requests(&self, n: u32) -> Vec<(NodeId, String)>;
    /// The cluster's servers and clients, as the explorer's bounds print them.
    fn cluster(&self) -> (usize, usize);
    /// How many requests an exploration issues unless told otherwise.
    fn default_requests(&self) -> u32 {
        1
    }
    /// The timer firings an exploration allows unless told otherwise: two elections or
    /// retries, enough for a leader to be replaced.
    fn default_timeouts(&self) -> Option<u32> {
        Some(2)
    }
    /// The highest round an exploration reaches unless told otherwise.
    fn default_max_term(&self) -> Option<u64> {
        Some(2)
    }
    /// What the checker will make of a message in flight beyond its content, for a checker
    /// whose `Protocol::delivered` reads `Delivered::sent`. The explorer's fingerprint leaves
    /// send times out (in an explored run they are only the order of events), so two copies
    /// with equal content are one choice, and two states that differ only in when their
    /// messages were sent are one state, only where their marks agree too. A mark must settle
    /// what the checker will decide when the message arrives, from the checker's state now:
    /// whatever happens meanwhile must move both copies' judgement alike. Renaming nodes must
    /// not change it (the renamed fingerprint reads it from the state as it is). The default,
    /// for a checker that reads content only, marks nothing.
    fn flight_mark(&self, monitor: &Self::Monitor, flight: &crate::sim::Flight<'_, Self::Msg>) -> u64 {
        let _ = (monitor, flight);
        0
    }
    /// The properties an explored run does not judge, because they assume messages arrive
    /// within the timeouts (`World::explored`); the explorer's report names them.
    fn unjudged(&self) -> &'static [&'static str] {
        &[]
    }
    /// Groups of interchangeable nodes, for symmetry reduction (`--symmetry on`): renaming
    /// nodes within a group maps every explored run of this cluster onto another (handlers
    /// draw nothing that depends on a node's name, the settings treat the group's nodes
    /// alike), and every property judges the renamed run as it judged the first. `requests`
    /// is how many requests the exploration may issue. `Err` says why there are none (the
    /// default). A protocol that declares groups also gives the three `renamed_*` digests.
    fn symmetric(&self, requests: u32) -> Result<Vec<Vec<NodeId>>, &'static str> {
        let _ = requests;
        Err("its nodes are not interchangeable")
    }
    /// `timeless_digest` of the node as it would be with every node id it holds renamed
    /// (and every place it keeps per node moved). Asked only where `symmetric` has groups.
    fn renamed_digest(&self, node: &Self::Node, rename: &Rename) -> u64 {
        let _ = rename;
        self.timeless_digest(node)
    }
    /// A message's digest with every node id in it renamed. Asked only where `symmetric` has
    /// groups.
    fn renamed_message_digest(&self, msg: &Self::Msg, rename: &Rename) -> u64 {
        let _ = rename;
        crate::hash::digest(msg)
    }
    /// The checker's ghost state's digest with every node id and per-node place renamed.
    /// Asked only where `symmetric` has groups.
    fn renamed_monitor_digest(&self, monitor: &Self::Monitor, rename: &Rename) -> u64 {
        let _ = rename;
        crate::hash::digest(monitor)
    }
}
