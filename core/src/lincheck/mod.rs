//! Linearizability checking for register histories (Wing and Gong, 1993; Lowe's just-in-time
//! linearization, in its breadth-first form, "Testing for linearizability", 2017, as Knossos's
//! `linear` checker implements it; per-key partitioning, P-compositionality in Horn and
//! Kroening, 2015, as in Knossos and Porcupine).
//!
//! A history is a sequence of invocations and completions by processes. It is *linearizable*
//! if every operation can be given a point, between its invocation and its completion, at which
//! it takes effect atomically, so that the resulting sequence is legal for a register. Keys are
//! independent registers, so each key is checked on its own.
//!
//! Outcomes: `ok` completed with effect; `fail` completed without effect (a failed
//! compare-and-set saw a value other than the one it expected; a failed read or write did
//! nothing and imposes nothing); `info` means unknown: it may take effect at any point after
//! its invocation, or never.
//!
//! The search (`search.rs`, `sweep.rs`) walks one key's history in time order, keeping every
//! *configuration* a partial linearization can be in: which pending operations it has
//! linearized, the register's value, and how many crashed operations of each kind it used. At
//! each return, a configuration that has not linearized the returning operation must do so now,
//! after any other legal steps; configurations that cannot are dropped, and when none is left
//! the history is not linearizable. Its memory is the set alive at one return, not the whole
//! search's past, so it is bounded by how many operations overlap.
//!
//! Crashed (`info`) operations are what made the depth-first Wing–Gong search explode (issue
//! #20): each stays pending for ever, so every subset of them was another state. Here they are
//! counted, not named (crashed writes of one value are interchangeable once invoked, and the
//! earliest are used first); used only in short runs just before an operation that needs what
//! they leave; forgotten once nothing left can observe it; and a configuration that could reach
//! another's state with one crashed operation it has not used makes that one redundant
//! (`dominance.rs`). A read of a value nobody writes is refused before any search
//! (`prepare.rs`). Counting is still what costs, so the search first sweeps keeping only two
//! configurations per slots and value (an order found is real), then with crashed operations
//! reusable for free (if even that fails, nothing can succeed), then wider, and only then with
//! every configuration ([`Pass`]).
//!
//! Every search has limits ([`Limits`]: configurations explored, bytes held). Reaching one
//! gives the third answer, unknown, with the reason, instead of a hang. [`Search`] (one key),
//! [`Check`] (a history) and `history::Judging` (the page's judgement) run in slices
//! (`run(steps)`), so a page can spread a check over frames and show its [`Progress`].

mod check;
mod dominance;
pub mod hard;
pub mod jsonl;
mod lines;
mod prepare;
mod rows;
mod search;
mod sweep;
mod types;

pub use check::{check, check_key, linearization, Check, Verdict, MINIMIZE_LIMIT};
pub use lines::{operations, Func, HistoryLine, LineKind, LineValue};
pub use search::{Answer, Limits, Pass, Progress, Search, Step, Unknown};
pub use types::{Op, Operation, Outcome, Value};

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
