//! The client history of a run, kept by the simulator as it goes (like the metrics, so it is
//! exact at every position): each key-value operation from invocation to completion. The page
//! draws it as a lane per client and asks the linearizability checker about it.

use alloc::string::String;
use alloc::vec::Vec;

use crate::chunked::ChunkVec;
use crate::lincheck::{self, Check, Func, HistoryLine, Limits, LineKind, LineValue, Step, Unknown, Verdict};
use crate::protocol::Time;

/// One client operation.
#[derive(Clone, Debug, PartialEq)]
pub struct HistoryOp {
    pub process: u32,
    pub f: Func,
    pub key: Option<String>,
    /// The invocation's value (a write's value, a cas's pair).
    pub input: LineValue,
    pub invoke: (u64, Time),
    /// The completion: event, time, kind (ok or fail) and value (a read's result).
    pub done: Option<(u64, Time, LineKind, LineValue)>,
}

/// The history so far. Clones share it (checkpoints hold one).
#[derive(Clone, Debug, Default)]
pub struct History {
    pub ops: ChunkVec<HistoryOp>,
    /// Per process, the index of its open operation.
    open: Vec<Option<usize>>,
}

/// Most operations the history keeps (later ones are not recorded).
pub const MAX_OPS: usize = 1_000_000;

impl History {
    pub(crate) fn line(&mut self, l: HistoryLine, event: u64, now: Time) {
        self.line_within(l, event, now, MAX_OPS);
    }

    /// `line`, keeping at most `cap` operations.
    fn line_within(&mut self, l: HistoryLine, event: u64, now: Time, cap: usize) {
        let p = l.process.max(0) as usize;
        if p >= 1024 {
            return;
        }
        if self.open.len() <= p {
            self.open.resize(p + 1, None);
        }
        match l.kind {
            LineKind::Invoke => {
                // An operation past the cap is not kept, and neither is its completion: it
                // must not complete an older operation of the process, one it gave up on.
                self.open[p] = None;
                if self.ops.len() < cap {
                    self.open[p] = Some(self.ops.len());
                    self.ops.push(HistoryOp {
                        process: p as u32,
                        f: l.f,
                        key: l.key,
                        input: l.value,
                        invoke: (event, now),
                        done: None,
                    });
                }
            }
            kind => {
                if let Some(i) = self.open[p].take() {
                    if let Some(op) = self.ops.get_mut(i) {
                        op.done = Some((event, now, kind, l.value));
                    }
                }
            }
        }
    }
}

/// The verdict on a history, with what the page draws.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Judgement {
    /// True only when the search showed the history linearizable.
    pub linearizable: bool,
    /// When linearizable: a linearization point (virtual time) for each operation that took
    /// effect, by index into the history.
    pub points: Vec<(usize, Time)>,
    /// When not: the operations (by index, and themselves) of a minimal set that cannot be
    /// ordered.
    pub witness: Vec<usize>,
    pub witness_ops: Vec<HistoryOp>,
    pub operations: usize,
    /// When the search reached its limits before it could tell: why. Then `linearizable` is
    /// false and `witness` empty: nothing was refuted, and the page must say "unknown", not
    /// "holds" or "violated".
    pub unknown: Option<Unknown>,
}

impl Judgement {
    /// Was the history shown not linearizable (a violation to report)? Not when unknown.
    pub fn violated(&self) -> bool {
        !self.linearizable && self.unknown.is_none()
    }
}

/// Check `ops` for linearizability with the default limits; when it is, place each operation's
/// linearization point.
pub fn judge(ops: &[HistoryOp]) -> Judgement {
    let mut j = Judging::new(ops, Limits::default());
    loop {
        if let Step::Done(judgement) = j.run(u64::MAX) {
            return judgement;
        }
    }
}

/// A judgement made in slices, for a page that must keep drawing: `run(steps)` explores about
/// `steps` configurations (0.2 to 1 µs each natively) and says how far it came,
/// until it is done.
#[derive(Clone, Debug)]
pub struct Judging {
    ops: Vec<HistoryOp>,
    /// For each history line the check saw, the operation it belongs to.
    op_of_line: Vec<usize>,
    operations: Vec<lincheck::Operation>,
    /// `None` when the history's lines do not pair up (nothing to judge).
    check: Option<Check>,
}

impl Judging {
    pub fn new(ops: &[HistoryOp], limits: Limits) -> Judging {
        let (lines, op_of_line) = lines_of(ops);
        let parsed = lincheck::operations(&lines);
        let check = parsed.as_ref().ok().map(|operations| Check::new(operations, limits));
        let operations = parsed.unwrap_or_default();
        Judging { ops: ops.to_vec(), op_of_line, operations, check }
    }

    pub fn run(&mut self, steps: u64) -> Step<Judgement> {
        let Some(check) = &mut self.check else {
            // Nothing was refuted: a history that cannot be read is no violation.
            let why = "the history's lines do not pair into operations";
            let unknown = Some(lincheck::Unknown { reason: why.into(), explored: 0 });
            return Step::Done(Judgement { unknown, ..Judgement::default() });
        };
        match check.run(steps) {
            Step::Running(p) => Step::Running(p),
            Step::Done(verdict) => Step::Done(self.judgement(verdict)),
        }
    }

    fn judgement(&self, verdict: Verdict) -> Judgement {
        let ops = &self.ops;
        let index_of = |o: &lincheck::Operation| self.op_of_line[o.invoke];
        let Verdict { linearizable, minimal, unknown, .. } = verdict;
        let mut j =
            Judgement { linearizable, operations: self.operations.len(), unknown, ..Judgement::default() };
        if !linearizable {
            j.witness = minimal.iter().map(index_of).collect();
            j.witness_ops = j.witness.iter().map(|i| ops[*i].clone()).collect();
            return j;
        }
        // Per key, the order the search found; each point as early as the order allows.
        for order in self.check.as_ref().map(Check::orders).unwrap_or_default() {
            let mut at = Time::ZERO;
            for i in order {
                let h = index_of(&self.operations[*i]);
                at = at.max(ops[h].invoke.1);
                j.points.push((h, at));
            }
        }
        j
    }
}

/// The history as lines in event order, and for each line the operation it belongs to. An
/// operation its client gave up on (it invoked another before this one completed) is closed
/// as `info` just before that next invocation: it may or may not have taken effect.
fn lines_of(ops: &[HistoryOp]) -> (Vec<HistoryLine>, Vec<usize>) {
    let mut items: Vec<(u64, u32)> = Vec::with_capacity(ops.len() * 2);
    let mut open: Vec<Option<usize>> = Vec::new();
    for (i, o) in ops.iter().enumerate() {
        let p = o.process as usize;
        if open.len() <= p {
            open.resize(p + 1, None);
        }
        // Within one event (one node's handler), completions come before invocations: a client
        // that is answered and sends its next operation in the same event has finished the
        // first before it began the second. A given-up operation ends just before the next.
        if let Some(before) = open[p].take() {
            items.push((o.invoke.0 * 2, (before * 2 + 1) as u32));
        }
        items.push((o.invoke.0 * 2 + 1, (i * 2) as u32));
        match &o.done {
            Some(d) => items.push((d.0 * 2, (i * 2 + 1) as u32)),
            None => open[p] = Some(i),
        }
    }
    crate::order::sort_keyed(&mut items);
    let mut lines = Vec::with_capacity(items.len());
    let mut op_of_line = Vec::with_capacity(items.len());
    for (_, code) in &items {
        let i = (*code / 2) as usize;
        let o = &ops[i];
        let line = if code % 2 == 0 {
            HistoryLine {
                process: o.process as i64,
                kind: LineKind::Invoke,
                f: o.f,
                key: o.key.clone(),
                value: o.input.clone(),
            }
        } else {
            let (kind, value) = match &o.done {
                Some(d) => (d.2, d.3.clone()),
                None => (LineKind::Info, LineValue::Absent),
            };
            HistoryLine { process: o.process as i64, kind, f: o.f, key: o.key.clone(), value }
        };
        lines.push(line);
        op_of_line.push(i);
    }
    (lines, op_of_line)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lincheck::Value;

    fn op(
        process: u32,
        f: Func,
        input: LineValue,
        at: u64,
        done: Option<(u64, LineKind, LineValue)>,
    ) -> HistoryOp {
        HistoryOp {
            process,
            f,
            key: Some("k".into()),
            input,
            invoke: (at, Time(at)),
            done: done.map(|(e, kind, v)| (e, Time(e), kind, v)),
        }
    }

    /// A client answered in the event that sends its next operation finished the first before
    /// it began the second (red-team finding: the invocation sorted first, the lines did not
    /// pair, and the history was reported as not linearizable). A history whose lines do not
    /// pair is unknown, not a violation.
    #[test]
    fn a_completion_comes_before_an_invocation_of_the_same_event() {
        let one = LineValue::One(Value::Int(1));
        let ops = [
            op(1, Func::Write, one.clone(), 1, Some((5, LineKind::Ok, LineValue::Absent))),
            op(1, Func::Read, LineValue::Absent, 5, Some((6, LineKind::Ok, one.clone()))),
        ];
        let j = judge(&ops);
        assert!(j.linearizable, "{j:?}");
        // The read began after the write ended: it must see it.
        let ops = [
            op(1, Func::Write, one.clone(), 1, Some((5, LineKind::Ok, LineValue::Absent))),
            op(2, Func::Read, LineValue::Absent, 5, Some((6, LineKind::Ok, LineValue::One(Value::Null)))),
        ];
        assert!(judge(&ops).violated());
        // Two open operations of one process (no client does this): unknown, not violated.
        let ops = [
            op(1, Func::Write, one.clone(), 1, Some((9, LineKind::Ok, LineValue::Absent))),
            op(1, Func::Read, LineValue::Absent, 5, Some((6, LineKind::Ok, one))),
        ];
        let j = judge(&ops);
        assert!(!j.violated() && j.unknown.is_some(), "{j:?}");
    }

    /// A client that gives up on an operation and invokes another leaves the first open: it
    /// may have taken effect (a write seen later), or not, and the history is judged on that,
    /// not refused as malformed.
    #[test]
    fn an_operation_given_up_on_may_or_may_not_have_taken_effect() {
        let one = LineValue::One(Value::Int(1));
        let ops = [
            op(1, Func::Write, one.clone(), 1, None),
            op(1, Func::Read, LineValue::Absent, 5, Some((6, LineKind::Ok, LineValue::One(Value::Null)))),
            op(2, Func::Read, LineValue::Absent, 7, Some((8, LineKind::Ok, one.clone()))),
        ];
        let j = judge(&ops);
        assert!(j.linearizable, "{j:?}");
        // It cannot undo itself: once read, the write's value stays.
        let ops = [
            op(1, Func::Write, one.clone(), 1, None),
            op(1, Func::Read, LineValue::Absent, 5, Some((6, LineKind::Ok, one.clone()))),
            op(2, Func::Read, LineValue::Absent, 7, Some((8, LineKind::Ok, LineValue::One(Value::Null)))),
        ];
        assert!(judge(&ops).violated());
    }

    /// Past the cap, a completion belongs to an operation that was not kept: it does not
    /// complete the process's older one it gave up on (red-team finding: the abandoned write
    /// was recorded as done when the read was, and a later read of the old value looked
    /// stale).
    #[test]
    fn past_the_cap_a_completion_does_not_close_an_older_operation() {
        let line =
            |kind: LineKind, f: Func, value: LineValue| HistoryLine { process: 1, kind, f, key: None, value };
        let one = LineValue::One(Value::Int(1));
        let mut h = History::default();
        h.line_within(line(LineKind::Invoke, Func::Write, one.clone()), 1, Time(1), 1);
        h.line_within(line(LineKind::Invoke, Func::Read, LineValue::Absent), 2, Time(2), 1);
        h.line_within(line(LineKind::Ok, Func::Read, one), 3, Time(3), 1);
        assert_eq!(h.ops.len(), 1);
        assert_eq!(h.ops.get(0).and_then(|o| o.done.clone()), None, "the given-up write stays open");
    }
}
