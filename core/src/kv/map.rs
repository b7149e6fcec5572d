//! `SmallMap`: a map kept as a sorted `Vec` of pairs, for the store's few keys and clients.
//!
//! The store holds at most `MAX_KEY_LEN`-byte keys from a workload of at most 16 and a session
//! per client; the checker hashes a whole store each time a server applies an entry. A sorted
//! `Vec` is faster than a `BTreeMap` to search, to change and above all to walk at that size,
//! and it hashes and prints exactly as the `BTreeMap` it replaced (its length, then each key
//! and value in key order), so state digests did not move.

use alloc::vec::Vec;
use core::borrow::Borrow;
use core::fmt;
use core::hash::{Hash, Hasher};

/// A map ordered by key (see the module's opening).
#[derive(Clone, PartialEq, Eq)]
pub struct SmallMap<K, V> {
    entries: Vec<(K, V)>,
}

impl<K, V> Default for SmallMap<K, V> {
    fn default() -> Self {
        SmallMap { entries: Vec::new() }
    }
}

impl<K: Ord, V> SmallMap<K, V> {
    fn find<Q: Ord + ?Sized>(&self, key: &Q) -> Result<usize, usize>
    where
        K: Borrow<Q>,
    {
        self.entries.binary_search_by(|(k, _)| k.borrow().cmp(key))
    }

    pub fn get<Q: Ord + ?Sized>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
    {
        self.find(key).ok().map(|i| &self.entries[i].1)
    }

    /// Set `key` to `value`; the value it had, if any.
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        match self.find(&key) {
            Ok(i) => Some(core::mem::replace(&mut self.entries[i].1, value)),
            Err(i) => {
                self.entries.insert(i, (key, value));
                None
            }
        }
    }

    pub fn remove<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
    {
        self.find(key).ok().map(|i| self.entries.remove(i).1)
    }

    /// The pairs in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&K, &V)> {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// As a `BTreeMap`: the length, then each key and value in key order.
impl<K: Hash, V: Hash> Hash for SmallMap<K, V> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_usize(self.entries.len());
        for (k, v) in &self.entries {
            k.hash(state);
            v.hash(state);
        }
    }
}

/// As a `BTreeMap`: `{k: v, …}`.
impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for SmallMap<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.entries.iter().map(|(k, v)| (k, v))).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::{digest, encoded_len};
    use crate::rng::Rng;
    use alloc::collections::BTreeMap;
    use alloc::format;

    /// Random changes leave both maps alike: the same answers, hash, size and print.
    #[test]
    fn it_acts_hashes_and_prints_as_a_btree_map() {
        let mut rng = Rng::new(3);
        let (mut small, mut tree) = (SmallMap::default(), BTreeMap::new());
        for _ in 0..2_000 {
            let k = rng.below(12) as u32;
            let v = rng.below(1_000);
            match rng.below(3) {
                0 => assert_eq!(small.insert(k, v), tree.insert(k, v)),
                1 => assert_eq!(small.remove(&k), tree.remove(&k)),
                _ => assert_eq!(small.get(&k), tree.get(&k)),
            }
            assert_eq!((digest(&small), encoded_len(&small)), (digest(&tree), encoded_len(&tree)));
            assert_eq!((small.len(), small.is_empty()), (tree.len(), tree.is_empty()));
            assert!(small.iter().eq(tree.iter()));
        }
        assert_eq!(format!("{small:?}"), format!("{tree:?}"));
    }
}
