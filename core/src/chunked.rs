//! `ChunkVec`: a growable array whose clones share storage.
//!
//! Checkpoints clone the whole simulator every thousand events or so. Ghost state that only
//! grows (the checker's record of every committed entry) would make each clone cost as much as
//! the whole history. `ChunkVec` stores its items in reference-counted chunks, so a clone copies
//! one pointer per chunk, and a write copies only the chunk it touches, if it is shared.

use alloc::rc::Rc;
use alloc::vec::Vec;

const CHUNK: usize = 256;

#[derive(Clone, Debug)]
pub struct ChunkVec<T: Clone> {
    chunks: Vec<Rc<Vec<T>>>,
    len: usize,
}

impl<T: Clone> Default for ChunkVec<T> {
    fn default() -> Self {
        ChunkVec { chunks: Vec::new(), len: 0 }
    }
}

impl<T: Clone> ChunkVec<T> {
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn get(&self, i: usize) -> Option<&T> {
        if i >= self.len {
            return None;
        }
        self.chunks[i / CHUNK].get(i % CHUNK)
    }

    pub fn push(&mut self, item: T) {
        if self.len.is_multiple_of(CHUNK) {
            self.chunks.push(Rc::new(Vec::with_capacity(CHUNK)));
        }
        let last = self.chunks.last_mut().expect("a chunk was just ensured");
        Rc::make_mut(last).push(item);
        self.len += 1;
    }

    /// Item `i` to change in place (its chunk is copied first if a clone shares it).
    pub fn get_mut(&mut self, i: usize) -> Option<&mut T> {
        if i >= self.len {
            return None;
        }
        Rc::make_mut(&mut self.chunks[i / CHUNK]).get_mut(i % CHUNK)
    }

    /// Replace item `i` (which must exist).
    pub fn set(&mut self, i: usize, item: T) {
        assert!(i < self.len, "index {i} past the end ({})", self.len);
        Rc::make_mut(&mut self.chunks[i / CHUNK])[i % CHUNK] = item;
    }

    /// Keep the first `len` items.
    pub fn truncate(&mut self, len: usize) {
        if len >= self.len {
            return;
        }
        let chunks = len.div_ceil(CHUNK);
        self.chunks.truncate(chunks);
        if let Some(last) = self.chunks.last_mut() {
            let keep = len - (chunks - 1) * CHUNK;
            Rc::make_mut(last).truncate(keep);
        }
        self.len = len;
    }

    pub fn iter(&self) -> impl Iterator<Item = &T> {
        self.chunks.iter().flat_map(|c| c.iter())
    }
}

/// Equal when the items are, whatever the chunks' sharing.
impl<T: Clone + PartialEq> PartialEq for ChunkVec<T> {
    fn eq(&self, other: &Self) -> bool {
        self.len == other.len && self.iter().eq(other.iter())
    }
}

impl<T: Clone + Eq> Eq for ChunkVec<T> {}

impl<T: Clone + core::hash::Hash> core::hash::Hash for ChunkVec<T> {
    fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
        self.len.hash(state);
        for item in self.iter() {
            item.hash(state);
        }
    }
}

impl<T: Clone> ChunkVec<T> {
    /// Item `i`, growing the array with `fill` up to it first.
    pub fn set_grow(&mut self, i: usize, item: T, fill: T) {
        while self.len <= i {
            self.push(fill.clone());
        }
        self.set(i, item);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clones_share_until_written() {
        let mut a: ChunkVec<u32> = ChunkVec::default();
        for i in 0..1000 {
            a.push(i);
        }
        let b = a.clone();
        a.set(3, 99);
        a.truncate(600);
        a.push(7);
        assert_eq!((a.get(3), a.get(600), a.len()), (Some(&99), Some(&7), 601));
        let c = a.clone();
        *a.get_mut(4).expect("in range") = 44;
        assert_eq!((a.get(4), c.get(4)), (Some(&44), Some(&4)));
        assert_eq!(a.get_mut(601), None);
        assert_eq!((b.get(3), b.get(999), b.len()), (Some(&3), Some(&999), 1000));
        assert_eq!(b.iter().copied().sum::<u32>(), (0..1000u32).sum::<u32>());
        assert!(!Rc::ptr_eq(&a.chunks[0], &b.chunks[1 - 1]));
        assert!(Rc::ptr_eq(&a.chunks[1], &b.chunks[1]), "untouched chunks stay shared");
    }
}
