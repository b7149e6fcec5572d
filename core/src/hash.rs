//! A platform-stable hasher for trace hashes and state digests.
//!
//! `core::hash::Hash` derives feed integers through `write_usize`, `write_isize` and friends,
//! whose default implementations use native byte order and width. `usize` is 64 bits on x86_64
//! and 32 on wasm32, so the default would give different hashes on native and in the browser.
//! `StableHasher` widens every integer to 64 bits, little-endian, before mixing, which makes a
//! derived `Hash` produce the same value everywhere.

use core::hash::{Hash, Hasher};

const K: u64 = 0x9e37_79b9_7f4a_7c15;

/// A fast word-at-a-time mixer (a 64-bit multiply-rotate in the style of FxHash, with a final
/// avalanche). Stable across platforms; not collision-resistant against an adversary.
#[derive(Clone, Debug)]
pub struct StableHasher {
    h: u64,
}

impl Default for StableHasher {
    fn default() -> Self {
        StableHasher { h: 0x243f_6a88_85a3_08d3 }
    }
}

impl StableHasher {
    #[inline]
    fn mix(&mut self, w: u64) {
        self.h = (self.h.rotate_left(5) ^ w).wrapping_mul(K);
    }
}

impl Hasher for StableHasher {
    #[inline]
    fn finish(&self) -> u64 {
        let mut z = self.h;
        z = (z ^ (z >> 33)).wrapping_mul(0xff51_afd7_ed55_8ccd);
        z = (z ^ (z >> 33)).wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        z ^ (z >> 33)
    }
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.mix(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        // The remainder as a little-endian word, zero-padded (built byte by byte: a copy of a
        // variable length was a call to `memcpy` for every short string hashed).
        let w = rest.iter().rev().fold(0u64, |w, b| (w << 8) | *b as u64);
        self.mix(w ^ ((rest.len() as u64) << 56));
    }
    #[inline]
    fn write_u8(&mut self, n: u8) {
        self.mix(n as u64)
    }
    #[inline]
    fn write_u16(&mut self, n: u16) {
        self.mix(n as u64)
    }
    #[inline]
    fn write_u32(&mut self, n: u32) {
        self.mix(n as u64)
    }
    #[inline]
    fn write_u64(&mut self, n: u64) {
        self.mix(n)
    }
    #[inline]
    fn write_u128(&mut self, n: u128) {
        self.mix(n as u64);
        self.mix((n >> 64) as u64)
    }
    #[inline]
    fn write_usize(&mut self, n: usize) {
        self.mix(n as u64)
    }
    #[inline]
    fn write_i8(&mut self, n: i8) {
        self.mix(n as i64 as u64)
    }
    #[inline]
    fn write_i16(&mut self, n: i16) {
        self.mix(n as i64 as u64)
    }
    #[inline]
    fn write_i32(&mut self, n: i32) {
        self.mix(n as i64 as u64)
    }
    #[inline]
    fn write_i64(&mut self, n: i64) {
        self.mix(n as u64)
    }
    #[inline]
    fn write_i128(&mut self, n: i128) {
        self.write_u128(n as u128)
    }
    #[inline]
    fn write_isize(&mut self, n: isize) {
        self.mix(n as i64 as u64)
    }
}

/// The stable digest of any hashable value.
pub fn digest<T: Hash + ?Sized>(value: &T) -> u64 {
    let mut h = StableHasher::default();
    value.hash(&mut h);
    h.finish()
}

/// Counts the bytes of a value's stable encoding: what the hasher is fed, with every integer
/// widened to 8 bytes. Used as a message's size on the wire.
#[derive(Default)]
struct ByteCounter(u64);

impl Hasher for ByteCounter {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        self.0 += bytes.len() as u64;
    }
    fn write_u8(&mut self, _: u8) {
        self.0 += 1;
    }
    fn write_u16(&mut self, _: u16) {
        self.0 += 2;
    }
    fn write_u32(&mut self, _: u32) {
        self.0 += 4;
    }
    fn write_u64(&mut self, _: u64) {
        self.0 += 8;
    }
    fn write_usize(&mut self, _: usize) {
        self.0 += 8;
    }
}

/// The size of a value's stable encoding, in bytes (the same on every platform).
pub fn encoded_len<T: Hash + ?Sized>(value: &T) -> u64 {
    let mut c = ByteCounter::default();
    value.hash(&mut c);
    c.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    #[test]
    fn digest_is_pinned() {
        // Golden values: a change here changes every trace hash on every platform.
        assert_eq!(digest(&(1u32, 2usize, -3i64)), digest(&(1u64, 2u64, -3i64)));
        assert_ne!(digest(&vec![1u8, 2]), digest(&vec![2u8, 1]));
        assert_ne!(digest("ab"), digest("ba"));
        // The digests themselves, so that a change of hasher (or of how it widens integers)
        // cannot pass unseen.
        assert_eq!(digest(&(1u32, 2usize, -3i64)), PINNED_TUPLE, "{:#018x}", digest(&(1u32, 2usize, -3i64)));
        assert_eq!(digest(&vec![1u8, 2]), PINNED_VEC, "{:#018x}", digest(&vec![1u8, 2]));
        assert_eq!(digest("ab"), PINNED_STR, "{:#018x}", digest("ab"));
    }

    const PINNED_TUPLE: u64 = 0x0f4b_0892_e8a0_fefb;
    const PINNED_VEC: u64 = 0xedfe_c2f1_ead1_38f1;
    const PINNED_STR: u64 = 0xa4f4_9784_eef1_4554;
}

/// Serializes a 64-bit hash or colour key as 16 hex digits: it names, it does not count, and a
/// JavaScript number holds only 53 bits (the JavaScript package's snapshots; `with = "…::hex"`).
pub mod hex {
    pub fn serialize<S: serde::Serializer>(h: &u64, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&format_args!("{h:016x}"))
    }
}

/// [`hex`] for an optional one (none stays null).
pub mod hex_opt {
    pub fn serialize<S: serde::Serializer>(h: &Option<u64>, s: S) -> Result<S::Ok, S::Error> {
        match h {
            Some(h) => super::hex::serialize(h, s),
            None => s.serialize_none(),
        }
    }
}
