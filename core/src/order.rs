//! One sort for the whole crate.
//!
//! Every sort in distlab goes through `sort_keyed`, on (u64 key, u32 payload) pairs, so the
//! page's wasm carries one instance of the sorting code instead of one per element type and
//! comparison (each instance costs kilobytes). `f64_key` turns a float into a key with the
//! same order.

use alloc::vec::Vec;

/// Sort (key, payload) pairs by key, then payload. Not stable, but deterministic.
#[inline(never)]
pub fn sort_keyed(v: &mut [(u64, u32)]) {
    #[allow(clippy::disallowed_methods)] // the one sort the rest of the crate goes through
    v.sort_unstable();
}

/// A u64 whose unsigned order is the total order of `x` (negative < positive, -0 < +0).
pub fn f64_key(x: f64) -> u64 {
    let b = x.to_bits();
    if b >> 63 == 1 {
        !b
    } else {
        b | (1 << 63)
    }
}

/// Indices `0..keys.len()` ordered by ascending key (ties by index).
pub fn order_by(keys: impl Iterator<Item = u64>) -> Vec<u32> {
    let mut pairs: Vec<(u64, u32)> = keys.enumerate().map(|(i, k)| (k, i as u32)).collect();
    sort_keyed(&mut pairs);
    pairs.into_iter().map(|(_, i)| i).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    #[test]
    fn float_keys_keep_order() {
        let xs = [-3.5, -0.0, 0.0, 1e-9, 2.0, f64::INFINITY];
        for w in xs.windows(2) {
            assert!(f64_key(w[0]) < f64_key(w[1]), "{w:?}");
        }
        assert_eq!(order_by(vec![5u64, 1, 3].into_iter()), vec![1, 2, 0]);
    }
}
