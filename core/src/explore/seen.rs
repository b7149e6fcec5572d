//! The states an exploration has seen: a hash table of 64-bit fingerprints, each with the
//! shallowest depth it was reached at (12 bytes a state, not a whole simulator).

use alloc::vec;
use alloc::vec::Vec;

/// Fingerprints with their shallowest depth. Open addressing; fingerprint 0 marks an empty
/// slot (a state whose fingerprint is 0 is stored as 1).
pub(super) struct Seen {
    keys: Vec<u64>,
    depths: Vec<u32>,
    len: usize,
}

impl Seen {
    pub(super) fn new() -> Seen {
        Seen { keys: vec![0; 1024], depths: vec![0; 1024], len: 0 }
    }

    pub(super) fn len(&self) -> usize {
        self.len
    }

    /// Record `fp` reached at `depth`: true if it is new, or reached shallower than before
    /// (then the shallower depth is kept).
    pub(super) fn visit(&mut self, fp: u64, depth: u32) -> bool {
        if 4 * (self.len + 1) > 3 * self.keys.len() {
            self.grow();
        }
        let fp = fp.max(1);
        let mask = self.keys.len() - 1;
        let mut at = (fp ^ (fp >> 29)) as usize & mask;
        loop {
            match self.keys[at] {
                0 => {
                    self.keys[at] = fp;
                    self.depths[at] = depth;
                    self.len += 1;
                    return true;
                }
                k if k == fp => {
                    if depth < self.depths[at] {
                        self.depths[at] = depth;
                        return true;
                    }
                    return false;
                }
                _ => at = (at + 1) & mask,
            }
        }
    }

    fn grow(&mut self) {
        let keys = core::mem::replace(&mut self.keys, vec![0; 0]);
        let depths = core::mem::take(&mut self.depths);
        self.keys = vec![0; keys.len() * 2];
        self.depths = vec![0; keys.len() * 2];
        self.len = 0;
        for (k, d) in keys.into_iter().zip(depths).filter(|(k, _)| *k != 0) {
            self.visit(k, d);
        }
    }

    /// Bytes the table holds.
    pub(super) fn bytes(&self) -> usize {
        self.keys.len() * 12
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_state_is_new_once_unless_reached_shallower() {
        let mut s = Seen::new();
        for i in 1..=10_000u64 {
            assert!(s.visit(i.wrapping_mul(0x9e37_79b9_7f4a_7c15), 5));
        }
        assert_eq!(s.len(), 10_000);
        assert!(!s.visit(3u64.wrapping_mul(0x9e37_79b9_7f4a_7c15), 5), "seen at that depth");
        assert!(!s.visit(3u64.wrapping_mul(0x9e37_79b9_7f4a_7c15), 7), "seen shallower");
        assert!(s.visit(3u64.wrapping_mul(0x9e37_79b9_7f4a_7c15), 2), "reached shallower");
        assert!(s.visit(0, 1) && !s.visit(1, 1), "0 is stored as 1");
        assert_eq!(s.len(), 10_001);
    }
}
