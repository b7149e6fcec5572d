//! `distlab lincheck [FILE]` and the history writer of `distlab run --history FILE`.

use std::io::{Read, Write};
use std::process::ExitCode;

use distlab_core::lincheck::{self, Func, HistoryLine, Limits, LineKind, LineValue, Outcome, Value};
use serde_json::{json, Map, Value as J};

fn to_value(v: &J, line: usize) -> Result<Value, String> {
    match v {
        J::Null => Ok(Value::Null),
        J::Number(n) => n
            .as_i64()
            .map(Value::Int)
            .ok_or_else(|| format!("line {line}: values must be integers, strings or null")),
        J::String(s) => Ok(Value::Str(s.clone())),
        _ => Err(format!("line {line}: values must be integers, strings or null")),
    }
}

fn from_value(v: &Value) -> J {
    match v {
        Value::Null => J::Null,
        Value::Int(i) => json!(i),
        Value::Str(s) => json!(s),
    }
}

/// Parse one JSON line of a history.
pub fn parse_line(text: &str, line: usize) -> Result<HistoryLine, String> {
    let v: J = serde_json::from_str(text).map_err(|e| format!("line {line}: not JSON: {e}"))?;
    let o = v.as_object().ok_or_else(|| format!("line {line}: each line is a JSON object"))?;
    let process = o
        .get("process")
        .and_then(J::as_i64)
        .ok_or_else(|| format!("line {line}: \"process\" must be an integer"))?;
    let kind = match o.get("type").and_then(J::as_str) {
        Some("invoke") => LineKind::Invoke,
        Some("ok") => LineKind::Ok,
        Some("fail") => LineKind::Fail,
        Some("info") => LineKind::Info,
        _ => return Err(format!("line {line}: \"type\" must be invoke, ok, fail or info")),
    };
    let f = match o.get("f").and_then(J::as_str) {
        Some("read") => Func::Read,
        Some("write") => Func::Write,
        Some("cas") => Func::Cas,
        _ => return Err(format!("line {line}: \"f\" must be read, write or cas")),
    };
    let key = match o.get("key") {
        None | Some(J::Null) => None,
        Some(J::String(s)) => Some(s.clone()),
        Some(J::Number(n)) => Some(n.to_string()),
        Some(_) => return Err(format!("line {line}: \"key\" must be a string")),
    };
    let value = match o.get("value") {
        None => LineValue::Absent,
        Some(J::Array(a)) if f == Func::Cas && a.len() == 2 => {
            LineValue::Pair(to_value(&a[0], line)?, to_value(&a[1], line)?)
        }
        Some(J::Array(_)) => return Err(format!("line {line}: only a cas carries a pair [expected, new]")),
        Some(v) => LineValue::One(to_value(v, line)?),
    };
    Ok(HistoryLine { process, kind, f, key, value })
}

/// Render one history line as JSON.
pub fn render_line(l: &HistoryLine) -> String {
    let mut o = Map::new();
    o.insert("process".into(), json!(l.process));
    let t = match l.kind {
        LineKind::Invoke => "invoke",
        LineKind::Ok => "ok",
        LineKind::Fail => "fail",
        LineKind::Info => "info",
    };
    o.insert("type".into(), json!(t));
    let f = match l.f {
        Func::Read => "read",
        Func::Write => "write",
        Func::Cas => "cas",
    };
    o.insert("f".into(), json!(f));
    if let Some(k) = &l.key {
        o.insert("key".into(), json!(k));
    }
    match &l.value {
        LineValue::Absent => {}
        LineValue::One(v) => {
            o.insert("value".into(), from_value(v));
        }
        LineValue::Pair(a, b) => {
            o.insert("value".into(), json!([from_value(a), from_value(b)]));
        }
    }
    J::Object(o).to_string()
}

/// Exit status when the search reached its limit before it could tell (the verdict printed is
/// `"linearizable": "unknown"`, with the reason).
const EXIT_UNKNOWN: u8 = 3;

/// `[--max-states N] [FILE]`: the limit and the file (stdin when absent).
fn arguments(argv: &[String]) -> Result<(Limits, Option<&String>), String> {
    let mut limits = Limits::default();
    let mut file = None;
    let mut rest = argv.iter();
    while let Some(a) = rest.next() {
        if a == "--max-states" {
            let n = rest.next().ok_or("--max-states needs a number of configurations")?;
            limits.states = match n.parse::<u64>() {
                Ok(n) if n > 0 => n,
                _ => {
                    return Err(format!(
                        "--max-states must be a whole number from 1 to {}, not {n:?}",
                        u64::MAX
                    ))
                }
            };
        } else if file.is_none() && !a.starts_with("--") {
            file = Some(a);
        } else {
            return Err("lincheck takes [--max-states N] and at most one file (or reads stdin)".into());
        }
    }
    Ok((limits, file))
}

pub fn run(argv: &[String]) -> Result<ExitCode, String> {
    let (limits, file) = arguments(argv)?;
    let mut text = String::new();
    match file {
        None => {
            std::io::stdin().read_to_string(&mut text).map_err(|e| format!("cannot read stdin: {e}"))?;
        }
        Some(path) => {
            text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))?;
        }
    }
    let mut lines = Vec::new();
    for (i, t) in text.lines().enumerate() {
        if t.trim().is_empty() {
            continue;
        }
        match parse_line(t, i + 1) {
            Ok(l) => lines.push(l),
            Err(e) => {
                eprintln!("distlab: {e}");
                return Ok(ExitCode::from(2));
            }
        }
    }
    let ops = match lincheck::operations(&lines) {
        Ok(ops) => ops,
        Err((at, e)) => {
            eprintln!("distlab: history entry {at}: {e}");
            return Ok(ExitCode::from(2));
        }
    };
    let verdict = lincheck::Check::new(&ops, limits).finish();
    let mut keys: Vec<Option<String>> = ops.iter().map(|o| o.key.clone()).collect();
    keys.sort();
    keys.dedup();
    let minimal: Vec<J> = verdict
        .minimal
        .iter()
        .map(|o| {
            let (f, value) = match &o.op {
                lincheck::Op::Read(v) => ("read", v.as_ref().map(from_value).unwrap_or(J::Null)),
                lincheck::Op::Write(v) => ("write", from_value(v)),
                lincheck::Op::Cas(a, b) => ("cas", json!([from_value(a), from_value(b)])),
            };
            let outcome = match o.outcome {
                Outcome::Ok => "ok",
                Outcome::Fail => "fail",
                Outcome::Info => "info",
            };
            json!({"process": o.process, "f": f, "key": o.key, "value": value, "type": outcome,
                   "invoke_entry": o.invoke + 1, "complete_entry": o.complete.map(|c| c + 1)})
        })
        .collect();
    let out = match &verdict.unknown {
        None => json!({
            "linearizable": verdict.linearizable,
            "operations": ops.len(),
            "keys": keys.len(),
            "failing_key": verdict.key.clone().flatten(),
            "minimal": minimal,
        }),
        Some(u) => json!({
            "linearizable": "unknown",
            "operations": ops.len(),
            "keys": keys.len(),
            "failing_key": null,
            "minimal": [],
            "unknown_key": verdict.key.clone().flatten(),
            "reason": u.reason,
            "explored": u.explored,
        }),
    };
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{out}").map_err(|e| format!("cannot write: {e}"))?;
    Ok(if verdict.unknown.is_some() { ExitCode::from(EXIT_UNKNOWN) } else { ExitCode::SUCCESS })
}
