//! Linearizability checking for register histories (Wing and Gong, 1993; with Lowe's
//! just-in-time linearization and memoization, 2017; per-key partitioning, as in Knossos and
//! Porcupine).
//!
//! A history is a sequence of invocations and completions by processes. It is *linearizable*
//! if every operation can be given a point, between its invocation and its completion, at which
//! it takes effect atomically, so that the resulting sequence is legal for a register. Keys are
//! independent registers, so each key is checked on its own (P-compositionality), which keeps
//! the search small.
//!
//! The search walks the history in time order. At a call it tries to linearize that operation
//! now (if the register allows it), lifts it out of the history and continues; at a return of
//! an operation not yet linearized it backtracks. Configurations already explored, (set of
//! linearized operations, register value), are remembered and skipped.
//!
//! Outcomes: `ok` completed with effect; `fail` completed without effect (a failed
//! compare-and-set saw a value other than the one it expected; a failed read or write did
//! nothing and imposes nothing); `info` means unknown: it may take effect at any point after
//! its invocation, or never.

pub mod hard;
mod lines;
mod types;

pub use lines::{operations, Func, HistoryLine, LineKind, LineValue};
pub use types::{Op, Operation, Outcome, Value};

use alloc::collections::BTreeSet;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

/// The verdict for a history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    pub linearizable: bool,
    /// When not linearizable: the key whose history fails.
    pub key: Option<Option<String>>,
    /// When not linearizable: a smallest set of that key's operations (no one of them can be
    /// removed) that cannot be ordered.
    pub minimal: Vec<Operation>,
}

/// Most operations per key the minimizer works on (it re-runs the check once per operation).
pub const MINIMIZE_LIMIT: usize = 400;

/// Apply `op` to register value `v`: the new value, or `None` if the operation cannot take
/// effect here.
fn step(v: &Value, o: &Operation) -> Option<Value> {
    match (&o.op, o.outcome) {
        (Op::Read(Some(seen)), Outcome::Ok) => (seen == v).then(|| v.clone()),
        (Op::Read(_), _) => Some(v.clone()),
        (Op::Write(x), Outcome::Ok | Outcome::Info) => Some(x.clone()),
        (Op::Write(_), Outcome::Fail) => Some(v.clone()),
        (Op::Cas(e, n), Outcome::Ok | Outcome::Info) => (e == v).then(|| n.clone()),
        (Op::Cas(e, _), Outcome::Fail) => (e != v).then(|| v.clone()),
    }
}

/// Operations that impose nothing and change nothing are dropped before searching.
fn relevant(o: &Operation) -> bool {
    !matches!(
        (&o.op, o.outcome),
        (Op::Read(_), Outcome::Fail | Outcome::Info) | (Op::Write(_), Outcome::Fail)
    )
}

/// Is this one key's history linearizable (starting from an unset register)?
pub fn check_key(ops: &[Operation]) -> bool {
    linearization(ops).is_some()
}

/// A linearization of one key's history, if it has one: the indices into `ops` of the
/// operations that take effect, in the order they do (operations that impose nothing, such as
/// a failed read, are left out).
pub fn linearization(all: &[Operation]) -> Option<Vec<usize>> {
    let idx: Vec<usize> = (0..all.len()).filter(|i| relevant(&all[*i])).collect();
    let ops: Vec<&Operation> = idx.iter().map(|i| &all[*i]).collect();
    let n = ops.len();
    if n == 0 {
        return Some(Vec::new());
    }
    // Events in time order: (position, is_return, op index). Calls sort before returns at the
    // same position (a position holds one event, so ties do not occur in practice).
    // Sorted as (position, is a completion, operation) through the crate's one sort: the key
    // packs the first two.
    let mut keyed: Vec<(u64, u32)> = Vec::with_capacity(2 * n);
    for (i, o) in ops.iter().enumerate() {
        keyed.push(((o.invoke as u64) << 1, i as u32));
        if let Some(c) = o.complete.filter(|_| o.outcome != Outcome::Info) {
            keyed.push(((c as u64) << 1 | 1, i as u32));
        }
    }
    crate::order::sort_keyed(&mut keyed);
    let events: Vec<(usize, bool, usize)> =
        keyed.into_iter().map(|(k, i)| ((k >> 1) as usize, k & 1 == 1, i as usize)).collect();
    // A doubly linked list over `events`, with index `len` as the head sentinel.
    let len = events.len();
    let head = len;
    // next[k] = k + 1 (the last event points back at the head); prev[k] = k - 1.
    let mut next: Vec<usize> = (1..=len).chain(core::iter::once(0)).collect();
    let mut prev: Vec<usize> = core::iter::once(head).chain(0..len).collect();
    let end = head;
    let mut ret_of = vec![usize::MAX; n];
    for (k, e) in events.iter().enumerate() {
        if e.1 {
            ret_of[e.2] = k;
        }
    }
    let returns_total = events.iter().filter(|e| e.1).count();
    let words = n.div_ceil(64);
    let mut linearized = vec![0u64; words];
    let mut returns_left = returns_total;
    let mut seen: BTreeSet<(Vec<u64>, Value)> = BTreeSet::new();
    let mut stack: Vec<(usize, Value)> = Vec::new();
    let mut state = Value::Null;
    let unlink = |next: &mut Vec<usize>, prev: &mut Vec<usize>, k: usize| {
        let (p, q) = (prev[k], next[k]);
        next[p] = q;
        prev[q] = p;
    };
    let relink = |next: &mut Vec<usize>, prev: &mut Vec<usize>, k: usize| {
        let (p, q) = (prev[k], next[k]);
        next[p] = k;
        prev[q] = k;
    };
    let mut entry = next[head];
    loop {
        if returns_left == 0 {
            return Some(stack.iter().map(|(k, _)| idx[events[*k].2]).collect());
        }
        // Past the end (only unknown-outcome calls were left to try), or at the return of an
        // operation not yet linearized: undo the last choice and try the next call after it.
        if entry == end || events[entry].1 {
            let (k, s) = stack.pop()?;
            let j = events[k].2;
            state = s;
            linearized[j / 64] &= !(1 << (j % 64));
            if ret_of[j] != usize::MAX {
                relink(&mut next, &mut prev, ret_of[j]);
                returns_left += 1;
            }
            relink(&mut next, &mut prev, k);
            entry = next[k];
            continue;
        }
        // A call: try to linearize it here.
        let i = events[entry].2;
        if let Some(new_state) = step(&state, ops[i]) {
            let mut lin = linearized.clone();
            lin[i / 64] |= 1 << (i % 64);
            if seen.insert((lin.clone(), new_state.clone())) {
                stack.push((entry, state.clone()));
                state = new_state;
                linearized = lin;
                unlink(&mut next, &mut prev, entry);
                if ret_of[i] != usize::MAX {
                    unlink(&mut next, &mut prev, ret_of[i]);
                    returns_left -= 1;
                }
                entry = next[head];
                continue;
            }
        }
        entry = next[entry];
    }
}

/// Check a whole history, key by key. When it is not linearizable, also find a smallest failing
/// set of operations for the first failing key.
pub fn check(ops: &[Operation]) -> Verdict {
    let mut keys: Vec<Option<String>> = ops.iter().map(|o| o.key.clone()).collect();
    #[allow(clippy::disallowed_methods)] // keys are strings, which crate::order cannot key
    keys.sort_unstable();
    keys.dedup();
    for k in keys {
        let of_key: Vec<Operation> = ops.iter().filter(|o| o.key == k).cloned().collect();
        if !check_key(&of_key) {
            let minimal = if of_key.len() <= MINIMIZE_LIMIT { minimize(of_key) } else { of_key };
            return Verdict { linearizable: false, key: Some(k), minimal };
        }
    }
    Verdict { linearizable: true, key: None, minimal: Vec::new() }
}

/// Does every value the operations observe (a read's result, a successful compare-and-set's
/// expected value) come from a write among them? A witness that drops the write of a value it
/// reads would "fail" for a trivial reason and explain nothing.
fn explained(ops: &[Operation]) -> bool {
    let written = |v: &Value| {
        *v == Value::Null
            || ops.iter().any(|o| match (&o.op, o.outcome) {
                (Op::Write(x), Outcome::Ok | Outcome::Info) => x == v,
                (Op::Cas(_, n), Outcome::Ok | Outcome::Info) => n == v,
                _ => false,
            })
    };
    ops.iter().all(|o| match (&o.op, o.outcome) {
        (Op::Read(Some(v)), Outcome::Ok) => written(v),
        (Op::Cas(e, _), Outcome::Ok) => written(e),
        _ => true,
    })
}

/// Remove operations one at a time while the rest still fails for a real reason (every value
/// read is still written by someone): the result cannot lose any single operation and stay a
/// non-linearizable, self-explaining history.
fn minimize(mut ops: Vec<Operation>) -> Vec<Operation> {
    // Repeat passes: removing a read can free the write that explained it.
    for _ in 0..32 {
        let before = ops.len();
        let mut i = 0;
        while i < ops.len() {
            let mut without = ops.clone();
            without.remove(i);
            if (explained(&without) || !explained(&ops)) && !check_key(&without) {
                ops = without;
            } else {
                i += 1;
            }
        }
        if ops.len() == before {
            break;
        }
    }
    ops
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    fn op(process: i64, op: Op, outcome: Outcome, invoke: usize, complete: Option<usize>) -> Operation {
        Operation { process, key: None, op, outcome, invoke, complete }
    }
    fn w(v: i64) -> Op {
        Op::Write(Value::Int(v))
    }
    fn r(v: Option<i64>) -> Op {
        Op::Read(Some(v.map(Value::Int).unwrap_or(Value::Null)))
    }

    #[test]
    fn sequential_and_concurrent_histories() {
        use Outcome::*;
        // write 1; read 1: fine.
        assert!(check_key(&[op(0, w(1), Ok, 0, Some(1)), op(1, r(Some(1)), Ok, 2, Some(3))]));
        // write 1 completes, then a read sees the unset value: stale.
        assert!(!check_key(&[op(0, w(1), Ok, 0, Some(1)), op(1, r(None), Ok, 2, Some(3))]));
        // The same read overlapping the write may see either.
        assert!(check_key(&[op(0, w(1), Ok, 0, Some(3)), op(1, r(None), Ok, 1, Some(2))]));
        // An info write may or may not have happened.
        assert!(check_key(&[op(0, w(1), Info, 0, None), op(1, r(None), Ok, 2, Some(3))]));
        assert!(check_key(&[op(0, w(1), Info, 0, None), op(1, r(Some(1)), Ok, 2, Some(3))]));
        // But a read cannot see a value before anyone wrote it.
        assert!(!check_key(&[op(1, r(Some(1)), Ok, 0, Some(1)), op(0, w(1), Ok, 2, Some(3))]));
    }

    #[test]
    fn compare_and_set_success_and_failure() {
        use Outcome::*;
        let cas = |e: i64, n: i64| Op::Cas(Value::Int(e), Value::Int(n));
        let h = [
            op(0, w(1), Ok, 0, Some(1)),
            op(1, cas(1, 2), Ok, 2, Some(3)),
            op(2, r(Some(2)), Ok, 4, Some(5)),
        ];
        assert!(check_key(&h));
        // A failed cas must have seen something other than 1: impossible right after write 1.
        let h = [op(0, w(1), Ok, 0, Some(1)), op(1, cas(1, 2), Fail, 2, Some(3))];
        assert!(!check_key(&h));
        // Two cas(1→2) cannot both succeed.
        let h =
            [op(0, w(1), Ok, 0, Some(1)), op(1, cas(1, 2), Ok, 2, Some(5)), op(2, cas(1, 2), Ok, 3, Some(4))];
        assert!(!check_key(&h));
    }

    #[test]
    fn the_minimal_failing_set_is_small() {
        use Outcome::*;
        // Ten sequential writes, then a read of the register before all of them: the read and
        // the last write are the whole problem.
        let mut h: Vec<Operation> =
            (0..10).map(|i| op(i, w(100 + i), Ok, 2 * i as usize, Some(2 * i as usize + 1))).collect();
        h.push(op(20, r(None), Ok, 40, Some(41)));
        let v = check(&h);
        assert!(!v.linearizable);
        assert_eq!(v.minimal.len(), 2, "{:?}", v.minimal);
        assert_eq!(v.minimal[1].op, r(None));
        // A read of a value nobody wrote fails on its own.
        let v = check(&[op(0, w(1), Ok, 0, Some(1)), op(1, r(Some(7)), Ok, 2, Some(3))]);
        assert_eq!(v.minimal.len(), 1);
        // A stale read keeps the writes that explain it: write 1, write 2, then read 1.
        let v = check(&[
            op(0, w(1), Ok, 0, Some(1)),
            op(0, w(2), Ok, 2, Some(3)),
            op(1, r(Some(1)), Ok, 4, Some(5)),
        ]);
        assert_eq!(v.minimal.len(), 3, "{:?}", v.minimal);
    }
}
