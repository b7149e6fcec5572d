//! Which configurations past a return are worth keeping.
//!
//! Configuration A makes B redundant when A can do everything B can: they have linearized the
//! same pending operations, and either the register holds the same value in both and A used
//! no more crashed operations of any kind, or A can reach B's value with one crashed write or
//! compare-and-set it has not used (one already invoked) and, after it, has used no more of
//! any kind than B. Only configurations kept are compared with, so whatever is dropped has a
//! kept one that can do all it can.

use alloc::vec::Vec;

use super::prepare::Kind;
use super::rows::hash;

/// The rows of `rows` (each `width` words: `mask_words` of slots, the value, a count per kind)
/// that no other makes redundant, by index; `now` is the return just passed. With `free`,
/// using a crashed operation costs nothing (the relaxed sweep, where counts stay 0); and of
/// each slots and value at most `per_head` rows are kept, those that used fewest.
pub(super) fn minimal(
    rows: &[u32],
    width: usize,
    mask_words: usize,
    kinds: &[Kind],
    now: usize,
    free: bool,
    per_head: usize,
) -> Vec<usize> {
    let mw = mask_words;
    let n = rows.len() / width;
    let row = |i: usize| &rows[i * width..(i + 1) * width];
    let total = |r: &[u32]| r[mw + 1..].iter().map(|c| *c as u64).sum::<u64>().min(0xF_FFFF);
    // Grouped by slots (a hash, compared exactly below), fewest crashed operations used first:
    // a configuration can only be made redundant by one that used no more in all.
    let mut keyed: Vec<(u64, u32)> =
        (0..n).map(|i| ((hash(&row(i)[..mw]) & !0xF_FFFF) | total(row(i)), i as u32)).collect();
    crate::order::sort_keyed(&mut keyed);
    let le = |a: &[u32], b: &[u32]| a[mw + 1..].iter().zip(&b[mw + 1..]).all(|(x, y)| x <= y);
    // Can `a` reach `b`'s value with one crashed operation, and then have used no more than
    // `b`?
    let writes_to = |a: &[u32], b: &[u32]| {
        kinds.iter().enumerate().any(|(k, kind)| {
            kind.act.step(a[mw]) == Some(b[mw])
                && kind.horizon > now
                && kind.tokens.get(a[mw + 1 + k] as usize).is_some_and(|t| t.0 <= now)
                && a[mw + 1..]
                    .iter()
                    .zip(&b[mw + 1..])
                    .enumerate()
                    .all(|(j, (x, y))| x + (j == k && !free) as u32 <= *y)
        })
    };
    let mut keep: Vec<usize> = Vec::new();
    let mut group = 0;
    for (j, (key, i)) in keyed.iter().enumerate() {
        if j > 0 && keyed[j - 1].0 >> 20 != key >> 20 {
            group = keep.len();
        }
        let b = row(*i as usize);
        let mut same = 0;
        let redundant = keep[group..].iter().any(|k| {
            let a = row(*k);
            same += (a[..=mw] == b[..=mw]) as usize;
            a[..mw] == b[..mw] && if a[mw] == b[mw] { le(a, b) } else { writes_to(a, b) }
        });
        if !redundant && same < per_head {
            keep.push(*i as usize);
        }
    }
    keep
}
