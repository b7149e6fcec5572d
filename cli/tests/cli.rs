//! The CLI's exact interfaces: flags, JSON fields, exit codes.

use std::process::{Command, Output};

fn distlab(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_distlab")).args(args).output().expect("the binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn field<'a>(json: &'a str, name: &str) -> &'a str {
    let key = format!("\"{name}\":");
    let start = json.find(&key).unwrap_or_else(|| panic!("no {name} in {json}")) + key.len();
    let rest = &json[start..];
    let end = rest.find([',', '}']).unwrap();
    &rest[..end]
}

#[test]
fn run_prints_events_violations_and_hash_and_is_deterministic() {
    let args = ["run", "--protocol", "paxos", "--seed", "7", "--events", "3000", "--faults", "heavy"];
    let a = distlab(&args);
    assert!(a.status.success());
    let out = stdout(&a);
    assert_eq!(field(&out, "events"), "3000");
    assert_eq!(field(&out, "violation"), "null");
    assert_eq!(field(&out, "trace_hash").len(), 18, "16 hex digits in quotes");
    assert_eq!(stdout(&distlab(&args)), out);
}

#[test]
fn run_writes_the_trace_as_json_lines() {
    let dir = std::env::temp_dir().join(format!("distlab-trace-{}", std::process::id()));
    let path = dir.with_extension("jsonl");
    let o = distlab(&[
        "run",
        "--protocol",
        "paxos",
        "--seed",
        "1",
        "--events",
        "200",
        "--trace",
        path.to_str().unwrap(),
    ]);
    assert!(o.status.success());
    let trace = std::fs::read_to_string(&path).unwrap();
    std::fs::remove_file(&path).ok();
    let lines: Vec<&str> = trace.lines().collect();
    assert!(lines.len() >= 84, "at least one record per event");
    assert!(lines.iter().all(|l| l.starts_with("{\"event\":") && l.contains("\"type\":")));
    assert!(trace.contains("\"type\":\"send\"") && trace.contains("\"type\":\"deliver\""));
}

#[test]
fn check_passes_a_thousand_heavy_seeds_and_catches_every_mutant() {
    let ok = distlab(&["check", "--protocol", "paxos", "--seeds", "0..1000", "--faults", "heavy"]);
    let out = stdout(&ok);
    assert_eq!(ok.status.code(), Some(0), "{out}");
    assert_eq!(field(&out, "runs"), "1000");
    assert_eq!(field(&out, "violations"), "0");
    let names = stdout(&distlab(&["mutants", "--protocol", "paxos"]));
    let names: Vec<&str> = names.lines().collect();
    assert_eq!(names, ["forget-promise", "accept-below-promise", "ignore-promised-value"]);
    for m in names {
        let bad = distlab(&[
            "check",
            "--protocol",
            "paxos",
            "--seeds",
            "0..1000",
            "--faults",
            "heavy",
            "--mutant",
            m,
        ]);
        let out = stdout(&bad);
        assert_eq!(bad.status.code(), Some(1), "mutant {m} not caught: {out}");
        assert!(out.contains("\"first_violation\":{\"seed\":"), "{out}");
    }
}

#[test]
fn bad_arguments_exit_2_with_a_message() {
    for args in [
        &["run", "--protocol", "paxos"][..],
        &["run", "--protocol", "nope", "--seed", "1"],
        &["run", "--protocol", "paxos", "--seed", "x"],
        &["check", "--protocol", "paxos", "--seeds", "5..2"],
        &["check", "--protocol", "paxos", "--seeds", "0..10", "--faults", "extreme"],
        &["run", "--protocol", "paxos", "--seed", "1", "--mutant", "nope"],
        &["frobnicate"],
    ] {
        let o = distlab(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.starts_with("distlab: "), "{args:?}: {err}");
    }
}

#[test]
fn bench_reports_events_per_second() {
    let o = distlab(&["bench", "--protocol", "paxos", "--events", "20000"]);
    assert!(o.status.success());
    let out = stdout(&o);
    assert_eq!(field(&out, "events"), "20000");
    assert!(field(&out, "events_per_sec").parse::<f64>().unwrap() > 0.0);
}
