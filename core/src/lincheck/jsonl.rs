//! A history as JSON lines (Jepsen's and Porcupine's shape: `{"process":0,"type":"invoke",
//! "f":"write","key":"x","value":1}`, one object a line) and the verdict as one JSON object:
//! the format `distlab lincheck` reads and prints and the JavaScript package's `lincheck`
//! takes and returns, in one place.
//!
//! One reading differs from Knossos's: a `fail` of a `cas` says the comparison found another
//! value (a constraint on the register, as the lab's stores answer), where Jepsen's checkers
//! drop every `fail` as "did not happen". A cas that failed without comparing (an error, a
//! refusal) imposes nothing: give it no completion, or leave it out.

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use super::{operations, Check, Func, HistoryLine, Limits, LineKind, LineValue, Op, Outcome, Value};
use crate::json::{self, Json};

fn to_value(v: &Json, line: usize) -> Result<Value, String> {
    match v {
        Json::Null => Ok(Value::Null),
        Json::Int(n) => i64::try_from(*n)
            .map(Value::Int)
            .map_err(|_| format!("line {line}: values must be integers, strings or null")),
        Json::Str(s) => Ok(Value::Str(s.clone())),
        _ => Err(format!("line {line}: values must be integers, strings or null")),
    }
}

fn from_value(v: &Value) -> Json {
    match v {
        Value::Null => Json::Null,
        Value::Int(i) => Json::Int(*i as i128),
        Value::Str(s) => Json::str(s),
    }
}

fn field<'a>(fields: &'a [(String, Json)], name: &str) -> Option<&'a Json> {
    fields.iter().find(|(n, _)| n == name).map(|(_, v)| v)
}

/// Parse one JSON line of a history (`line` counts from 1, for the messages), and whether its
/// key was a number.
fn parse_line(text: &str, line: usize) -> Result<(HistoryLine, bool), String> {
    let v = json::parse(text).map_err(|e| format!("line {line}: not JSON: {e}"))?;
    let Json::Object(o) = &v else { return Err(format!("line {line}: each line is a JSON object")) };
    let process = match field(o, "process") {
        Some(Json::Int(n)) => i64::try_from(*n).ok(),
        _ => None,
    }
    .ok_or_else(|| format!("line {line}: \"process\" must be an integer"))?;
    let kind = match field(o, "type") {
        Some(Json::Str(s)) if s == "invoke" => LineKind::Invoke,
        Some(Json::Str(s)) if s == "ok" => LineKind::Ok,
        Some(Json::Str(s)) if s == "fail" => LineKind::Fail,
        Some(Json::Str(s)) if s == "info" => LineKind::Info,
        _ => return Err(format!("line {line}: \"type\" must be invoke, ok, fail or info")),
    };
    let f = match field(o, "f") {
        Some(Json::Str(s)) if s == "read" => Func::Read,
        Some(Json::Str(s)) if s == "write" => Func::Write,
        Some(Json::Str(s)) if s == "cas" => Func::Cas,
        _ => return Err(format!("line {line}: \"f\" must be read, write or cas")),
    };
    let (key, numeric) = match field(o, "key") {
        None | Some(Json::Null) => (None, false),
        Some(Json::Str(s)) => (Some(s.clone()), false),
        Some(Json::Int(n)) => (Some(n.to_string()), true),
        Some(_) => return Err(format!("line {line}: \"key\" must be a string or an integer")),
    };
    let value = match field(o, "value") {
        None => LineValue::Absent,
        Some(Json::Array(a)) if f == Func::Cas && a.len() == 2 => {
            LineValue::Pair(to_value(&a[0], line)?, to_value(&a[1], line)?)
        }
        Some(Json::Array(_)) => {
            return Err(format!("line {line}: only a cas carries a pair [expected, new]"))
        }
        Some(v) => LineValue::One(to_value(v, line)?),
    };
    Ok((HistoryLine { process, kind, f, key, value }, numeric))
}

/// The lines of a history text, blank lines skipped. A key given as the number 1 on one line
/// and as the string "1" on another is refused: they would be judged as one register.
pub fn parse_history(text: &str) -> Result<Vec<HistoryLine>, String> {
    let mut lines = Vec::new();
    let mut numeric: BTreeMap<String, bool> = BTreeMap::new();
    for (i, t) in text.lines().enumerate() {
        if t.trim().is_empty() {
            continue;
        }
        let (l, number) = parse_line(t, i + 1)?;
        if let Some(k) = &l.key {
            if *numeric.entry(k.clone()).or_insert(number) != number {
                let (here, before) = if number { ("a number", "a string") } else { ("a string", "a number") };
                return Err(format!(
                    "line {}: key {k} is {here} here and {before} on an earlier line; give every key one type",
                    i + 1
                ));
            }
        }
        lines.push(l);
    }
    Ok(lines)
}

/// One history line as JSON, its fields in name order.
pub fn render_line(l: &HistoryLine) -> String {
    let kind = match l.kind {
        LineKind::Invoke => "invoke",
        LineKind::Ok => "ok",
        LineKind::Fail => "fail",
        LineKind::Info => "info",
    };
    let f = match l.f {
        Func::Read => "read",
        Func::Write => "write",
        Func::Cas => "cas",
    };
    let value = match &l.value {
        LineValue::Absent => None,
        LineValue::One(v) => Some(from_value(v)),
        LineValue::Pair(a, b) => Some(Json::Array(alloc::vec![from_value(a), from_value(b)])),
    };
    json::write(
        &json::object([
            ("f", Some(Json::str(f))),
            ("key", l.key.as_deref().map(Json::str)),
            ("process", Some(Json::Int(l.process as i128))),
            ("type", Some(Json::str(kind))),
            ("value", value),
        ]),
        None,
    )
}

/// The verdict on a history's lines, as `distlab lincheck` prints it (fields in name order):
/// `linearizable` (true, false, or "unknown" with the reason and how far the search went),
/// the operations and keys counted, and when not linearizable the failing key and a smallest
/// set of its operations that cannot be ordered. `Err((entry, why))` when the lines do not
/// make a history (an ok without its invoke).
pub fn verdict(lines: &[HistoryLine], limits: Limits) -> Result<(Json, bool), (usize, String)> {
    let ops = operations(lines)?;
    let verdict = Check::new(&ops, limits).finish();
    let keys: alloc::collections::BTreeSet<Option<&str>> = ops.iter().map(|o| o.key.as_deref()).collect();
    let minimal = verdict.minimal.iter().map(|o| {
        let (f, value) = match &o.op {
            Op::Read(v) => ("read", v.as_ref().map_or(Json::Null, from_value)),
            Op::Write(v) => ("write", from_value(v)),
            Op::Cas(a, b) => ("cas", Json::Array(alloc::vec![from_value(a), from_value(b)])),
        };
        let outcome = match o.outcome {
            Outcome::Ok => "ok",
            Outcome::Fail => "fail",
            Outcome::Info => "info",
        };
        json::object([
            ("complete_entry", Some(Json::opt(o.complete, |c| Json::Int(c as i128 + 1)))),
            ("f", Some(Json::str(f))),
            ("invoke_entry", Some(Json::Int(o.invoke as i128 + 1))),
            ("key", Some(Json::opt(o.key.as_deref(), Json::str))),
            ("process", Some(Json::Int(o.process as i128))),
            ("type", Some(Json::str(outcome))),
            ("value", Some(value)),
        ])
    });
    let key = |k: &Option<Option<String>>| Json::opt(k.clone().flatten(), Json::Str);
    let count = |n: usize| Some(Json::Int(n as i128));
    let out = match &verdict.unknown {
        None => json::object([
            ("failing_key", Some(key(&verdict.key))),
            ("keys", count(keys.len())),
            ("linearizable", Some(Json::Bool(verdict.linearizable))),
            ("minimal", Some(Json::Array(minimal.collect()))),
            ("operations", count(ops.len())),
        ]),
        Some(u) => json::object([
            ("explored", Some(Json::Int(u.explored as i128))),
            ("failing_key", Some(Json::Null)),
            ("keys", count(keys.len())),
            ("linearizable", Some(Json::str("unknown"))),
            ("minimal", Some(Json::Array(Vec::new()))),
            ("operations", count(ops.len())),
            ("reason", Some(Json::str(&u.reason))),
            ("unknown_key", Some(key(&verdict.key))),
        ]),
    };
    Ok((out, verdict.unknown.is_some()))
}
