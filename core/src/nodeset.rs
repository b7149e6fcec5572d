//! A set of up to [`NodeSet::CAPACITY`] nodes as a bitset: who promised, who accepted.

use core::hash::{Hash, Hasher};

use crate::protocol::NodeId;

/// A set of node ids below [`NodeSet::CAPACITY`], two machine words wide.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NodeSet([u64; 2]);

impl NodeSet {
    /// The most nodes a set holds: ids `0..CAPACITY`.
    pub const CAPACITY: usize = 128;

    /// Add a node. Panics on an id at or above the capacity (the protocols' limits keep
    /// clusters below it).
    pub fn insert(&mut self, n: NodeId) {
        let i = n.index();
        assert!(i < Self::CAPACITY, "node {i} is outside a NodeSet");
        self.0[i / 64] |= 1 << (i % 64);
    }

    pub fn contains(&self, n: NodeId) -> bool {
        let i = n.index();
        i < Self::CAPACITY && self.0[i / 64] & (1 << (i % 64)) != 0
    }

    pub fn len(&self) -> u32 {
        self.0[0].count_ones() + self.0[1].count_ones()
    }

    pub fn is_empty(&self) -> bool {
        self.0 == [0, 0]
    }
}

impl From<NodeId> for NodeSet {
    fn from(n: NodeId) -> NodeSet {
        let mut s = NodeSet::default();
        s.insert(n);
        s
    }
}

/// A set of nodes below 64 hashes as the single word it used to be, so the state digests
/// (and with them the trace hashes of recorded runs) of clusters that fit in one word stay
/// what they were before sets grew a second word.
impl Hash for NodeSet {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0[0].hash(state);
        if self.0[1] != 0 {
            self.0[1].hash(state);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holds_ids_across_both_words() {
        let mut s = NodeSet::default();
        assert!(s.is_empty());
        for i in [0, 5, 63, 64, 100, 127] {
            s.insert(NodeId(i));
        }
        s.insert(NodeId(64));
        assert_eq!(s.len(), 6);
        assert!(s.contains(NodeId(63)) && s.contains(NodeId(64)) && s.contains(NodeId(127)));
        assert!(!s.contains(NodeId(1)) && !s.contains(NodeId(65)) && !s.contains(NodeId(500)));
    }

    #[test]
    fn a_set_below_64_digests_like_its_word() {
        let s = NodeSet::from(NodeId(3));
        assert_eq!(crate::hash::digest(&s), crate::hash::digest(&(1u64 << 3)));
        let high = NodeSet::from(NodeId(70));
        assert_ne!(crate::hash::digest(&high), crate::hash::digest(&0u64));
    }
}
