//! The search's storage: a hash set of fixed-width rows of `u32` (one configuration each, so a
//! million of them are a few megabytes, not a few gigabytes of boxed sets), and the trail, a
//! tree of linearization steps that the configurations taking them share.

use alloc::vec::Vec;

/// Rows of `width` words, each stored once.
#[derive(Clone, Debug)]
pub(super) struct RowSet {
    width: usize,
    rows: Vec<u32>,
    /// Open addressing: 0 is empty, else the row's hash in the high half and 1 + its number in
    /// the low (rows are compared only when the hashes agree). Its length is a power of two.
    table: Vec<u64>,
}

/// A row's hash: each word mixed in by a multiply and a fold of the high half into the low
/// (the table indexes by the low bits, so every word must reach them).
pub(super) fn hash(row: &[u32]) -> u64 {
    let mut h: u64 = 0x243f_6a88_85a3_08d3;
    for w in row {
        h = (h ^ *w as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        h ^= h >> 29;
    }
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^ (h >> 32)
}

impl RowSet {
    pub(super) fn new(width: usize) -> RowSet {
        RowSet { width, rows: Vec::new(), table: alloc::vec![0; 64] }
    }

    pub(super) fn len(&self) -> usize {
        self.rows.len() / self.width
    }

    /// Row number `k`.
    pub(super) fn row(&self, k: usize) -> &[u32] {
        &self.rows[k * self.width..(k + 1) * self.width]
    }

    /// Add `row`: its number, and whether it is new.
    pub(super) fn insert(&mut self, row: &[u32]) -> (usize, bool) {
        if 2 * (self.len() + 1) > self.table.len() {
            self.grow();
        }
        let mask = self.table.len() - 1;
        let h = hash(row);
        let tag = h & !0xffff_ffff;
        let mut at = h as usize & mask;
        loop {
            match self.table[at] {
                0 => {
                    self.table[at] = tag | (self.len() as u64 + 1);
                    self.rows.extend_from_slice(row);
                    return (self.len() - 1, true);
                }
                e if e & !0xffff_ffff == tag => {
                    let k = (e & 0xffff_ffff) as usize - 1;
                    if self.rows[k * self.width..(k + 1) * self.width] == *row {
                        return (k, false);
                    }
                }
                _ => {}
            }
            at = (at + 1) & mask;
        }
    }

    fn grow(&mut self) {
        let mut table = alloc::vec![0u64; 2 * self.table.len()];
        let mask = table.len() - 1;
        for e in self.table.iter().filter(|e| **e != 0) {
            let k = (e & 0xffff_ffff) as usize - 1;
            let mut at = hash(&self.rows[k * self.width..(k + 1) * self.width]) as usize & mask;
            while table[at] != 0 {
                at = (at + 1) & mask;
            }
            table[at] = *e;
        }
        self.table = table;
    }

    /// Empty the set, keeping its memory unless it was far larger than what it held.
    pub(super) fn clear(&mut self) {
        if self.table.len() > 1024 && self.table.len() > 16 * self.len() {
            self.table = alloc::vec![0; 64];
            self.rows = Vec::new();
        } else {
            self.table.iter_mut().for_each(|t| *t = 0);
            self.rows.clear();
        }
    }

    /// Bytes held.
    pub(super) fn bytes(&self) -> usize {
        4 * self.rows.capacity() + 8 * self.table.len()
    }
}

/// The trail's root: the empty linearization.
pub(super) const ROOT: u32 = u32::MAX;

/// A tree of steps: each node is (parent, operation taking effect), so a configuration holds
/// its whole linearization as one node index.
#[derive(Clone, Debug, Default)]
pub(super) struct Trail {
    nodes: Vec<(u32, u32)>,
}

impl Trail {
    pub(super) fn push(&mut self, parent: u32, op: usize) -> u32 {
        self.nodes.push((parent, op as u32));
        self.nodes.len() as u32 - 1
    }

    pub(super) fn len(&self) -> usize {
        self.nodes.len()
    }

    /// The operations from the root to `at`, in order.
    pub(super) fn path(&self, mut at: u32) -> Vec<usize> {
        let mut out = Vec::new();
        while at != ROOT {
            let (parent, op) = self.nodes[at as usize];
            out.push(op as usize);
            at = parent;
        }
        out.reverse();
        out
    }

    /// Keep only the nodes on the paths to `roots`, and renumber `roots` to match.
    pub(super) fn compact(&mut self, roots: &mut [u32]) {
        const UNSEEN: u32 = u32::MAX;
        let mut new_index = alloc::vec![UNSEEN; self.nodes.len()];
        for r in roots.iter() {
            let mut at = *r;
            while at != ROOT && new_index[at as usize] == UNSEEN {
                new_index[at as usize] = 0;
                at = self.nodes[at as usize].0;
            }
        }
        // A parent is always older than its children, so one pass in order renumbers both.
        let mut kept = Vec::new();
        for (i, (parent, op)) in self.nodes.iter().enumerate() {
            if new_index[i] != UNSEEN {
                new_index[i] = kept.len() as u32;
                let parent = if *parent == ROOT { ROOT } else { new_index[*parent as usize] };
                kept.push((parent, *op));
            }
        }
        for r in roots.iter_mut() {
            if *r != ROOT {
                *r = new_index[*r as usize];
            }
        }
        self.nodes = kept;
    }

    pub(super) fn bytes(&self) -> usize {
        8 * self.nodes.capacity()
    }
}
