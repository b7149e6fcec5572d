//! The history-line form shared by `distlab lincheck` and `distlab run --history`: one line per
//! invocation or completion, and `operations`, which pairs them into operations.

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use super::types::{Op, Operation, Outcome, Value};

/// One line of a client history, as `distlab lincheck` reads it and `distlab run --history`
/// writes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HistoryLine {
    pub process: i64,
    pub kind: LineKind,
    pub f: Func,
    pub key: Option<String>,
    /// The line's `value`: absent (`None`), or a value, or for cas a pair.
    pub value: LineValue,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineKind {
    Invoke,
    Ok,
    Fail,
    Info,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Func {
    Read,
    Write,
    Cas,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LineValue {
    Absent,
    One(Value),
    Pair(Value, Value),
}

/// Turn history lines into operations, pairing each completion with its process's open
/// invocation. Errors name the 1-based line.
pub fn operations(lines: &[HistoryLine]) -> Result<Vec<Operation>, (usize, String)> {
    let mut ops: Vec<Operation> = Vec::new();
    let mut open: BTreeMap<i64, usize> = BTreeMap::new();
    for (i, l) in lines.iter().enumerate() {
        let at = i + 1;
        match l.kind {
            LineKind::Invoke => {
                if open.contains_key(&l.process) {
                    return Err((
                        at,
                        format!("process {} invokes while its previous operation is still open", l.process),
                    ));
                }
                let op = match (l.f, &l.value) {
                    (Func::Read, _) => Op::Read(None),
                    (Func::Write, LineValue::One(v)) => Op::Write(v.clone()),
                    (Func::Write, _) => {
                        return Err((at, "a write's invoke carries the value written".into()))
                    }
                    (Func::Cas, LineValue::Pair(e, n)) => Op::Cas(e.clone(), n.clone()),
                    (Func::Cas, _) => return Err((at, "a cas's invoke carries [expected, new]".into())),
                };
                open.insert(l.process, ops.len());
                ops.push(Operation {
                    process: l.process,
                    key: l.key.clone(),
                    op,
                    outcome: Outcome::Info,
                    invoke: i,
                    complete: None,
                });
            }
            kind => {
                let Some(k) = open.remove(&l.process) else {
                    return Err((
                        at,
                        format!("process {} completes an operation it never invoked", l.process),
                    ));
                };
                let o = &mut ops[k];
                let f = match o.op {
                    Op::Read(_) => Func::Read,
                    Op::Write(_) => Func::Write,
                    Op::Cas(..) => Func::Cas,
                };
                if f != l.f || o.key != l.key {
                    return Err((at, "a completion must name the same f and key as its invoke".into()));
                }
                o.outcome = match kind {
                    LineKind::Ok => Outcome::Ok,
                    LineKind::Fail => Outcome::Fail,
                    _ => Outcome::Info,
                };
                if kind != LineKind::Info {
                    o.complete = Some(i);
                }
                if let (Op::Read(seen), LineKind::Ok) = (&mut o.op, kind) {
                    *seen = Some(match &l.value {
                        LineValue::One(v) => v.clone(),
                        LineValue::Absent => Value::Null,
                        LineValue::Pair(..) => return Err((at, "a read returns one value".into())),
                    });
                }
            }
        }
    }
    Ok(ops)
}
