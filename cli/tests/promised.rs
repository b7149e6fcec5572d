//! A break of a property the protocol checks but never promised (Kafka's `acks1-not-lost`: with
//! acks=1 a leader answers before its followers have the record; and `no-duplicates` without
//! idempotence, which acks=1 turns off) is no violation: `run`,
//! `check`, `merge` and `explore` say it apart and exit 0. Before, each reported it as a
//! violation (exit 1), as if Kafka had broken a promise.

use std::process::{Command, Output};

fn distlab(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_distlab")).args(args).output().expect("the binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

const ACKS1: &[&str] = &["--protocol", "kafka", "--acks", "1", "--faults", "heavy"];

#[test]
fn run_marks_a_violation_the_protocol_never_promised() {
    let o = distlab(&[&["run"], ACKS1, &["--seed", "0", "--events", "20000"]].concat());
    let out = stdout(&o);
    assert!(o.status.success(), "{out}");
    // With acks=1 the producer is not idempotent either: its first unpromised break may be a
    // retry written twice rather than a record lost.
    assert!(
        out.contains("\"property\":\"acks1-not-lost\"") || out.contains("\"property\":\"no-duplicates\""),
        "{out}"
    );
    assert!(out.contains("\"not_promised\":true"), "{out}");
    // A promised property broken is not marked.
    let o = distlab(&[
        "run",
        "--protocol",
        "kafka",
        "--mutant",
        "hw-before-isr",
        "--faults",
        "heavy",
        "--seed",
        "0",
    ]);
    let out = stdout(&o);
    assert!(out.contains("\"property\":\"hw-in-isr\"") && !out.contains("not_promised"), "{out}");
}

#[test]
fn check_and_merge_count_breaks_never_promised_apart() {
    let o = distlab(&[&["check"], ACKS1, &["--seeds", "0..4", "--jobs", "2"]].concat());
    let out = stdout(&o);
    assert!(o.status.success(), "exit {:?}: {out}", o.status.code());
    assert!(out.contains("\"violations\":0,"), "{out}");
    assert!(out.contains("\"first_violation\":null"), "{out}");
    assert!(out.contains("\"not_promised\":4,"), "{out}");
    assert!(out.contains("\"first_not_promised\":{\"seed\":0,"), "{out}");
    // Shards add up to the same report.
    let dir = std::env::temp_dir().join(format!("distlab-promised-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut files = Vec::new();
    for i in 0..2 {
        let shard = format!("{i}/2");
        let o = distlab(&[&["check"], ACKS1, &["--seeds", "0..4", "--shard", &shard]].concat());
        let path = dir.join(format!("{i}.json"));
        std::fs::write(&path, &o.stdout).unwrap();
        files.push(path.to_string_lossy().into_owned());
    }
    let merged = distlab(&[vec!["merge"], files.iter().map(String::as_str).collect()].concat());
    assert!(merged.status.success(), "{}", stdout(&merged));
    assert_eq!(stdout(&merged), out);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn explore_goes_on_past_a_break_never_promised() {
    let o = distlab(&[
        "explore",
        "--protocol",
        "kafka",
        "--scenario",
        "acks-one-loss",
        "--crashes",
        "1",
        "--depth",
        "12",
        "--search",
        "dfs",
        "--max-states",
        "300000",
    ]);
    let out = stdout(&o);
    assert!(o.status.success(), "exit {:?}: {out}", o.status.code());
    assert!(out.contains("\"violation\":null"), "{out}");
    assert!(out.contains("\"not_promised\":{\"property\":\"acks1-not-lost\""), "{out}");
}
