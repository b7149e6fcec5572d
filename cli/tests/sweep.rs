//! Sweeps split across threads (`--jobs`) and across processes (`--shard I/N`, then
//! `distlab merge`) print byte for byte what one process on one core prints.

use std::path::PathBuf;
use std::process::{Command, Output};

fn distlab(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_distlab")).args(args).output().expect("the binary runs")
}

fn dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("distlab-sweep-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// `check ARGS` whole, on one thread; then as `parts` shards in separate processes, each
/// report in its own file, merged: the same bytes and exit status.
fn whole_equals_merged(name: &str, args: &[&str], parts: u64) -> String {
    let whole = distlab(&[&["check", "--jobs", "1"], args].concat());
    assert!(matches!(whole.status.code(), Some(0 | 1)), "{}", String::from_utf8_lossy(&whole.stderr));
    let d = dir(name);
    let mut files = Vec::new();
    for i in 0..parts {
        let shard = format!("{i}/{parts}");
        let o = distlab(&[&["check", "--shard", &shard], args].concat());
        assert_eq!(o.status.code().unwrap() & !1, 0, "{}", String::from_utf8_lossy(&o.stderr));
        let file = d.join(format!("part-{i}.json"));
        std::fs::write(&file, &o.stdout).unwrap();
        files.push(file.to_string_lossy().into_owned());
    }
    // In any order.
    files.reverse();
    let merged = distlab(&[&["merge"], &files.iter().map(String::as_str).collect::<Vec<_>>()[..]].concat());
    assert_eq!(String::from_utf8_lossy(&merged.stdout), String::from_utf8_lossy(&whole.stdout), "{name}");
    assert_eq!(merged.status.code(), whole.status.code(), "{name}");
    let _ = std::fs::remove_dir_all(d);
    String::from_utf8(whole.stdout).unwrap()
}

#[test]
fn shards_merged_equal_the_whole_sweep_byte_for_byte() {
    // Violations in every part: the first by seed order is the whole sweep's first.
    let out = whole_equals_merged(
        "paxos",
        &["--protocol", "paxos", "--seeds", "3..=121", "--faults", "heavy", "--mutant", "forget-promise"],
        4,
    );
    assert!(
        out.contains("\"seeds\":\"3..122\"") && out.contains("\"first_violation\":{\"seed\":3,"),
        "{out}"
    );
    // A swarm: the configurations drawn are a union, not a sum.
    let out = whole_equals_merged(
        "swarm",
        &["--protocol", "raft", "--swarm", "on", "--seeds", "0..24", "--events", "2000"],
        3,
    );
    assert!(out.contains("\"configurations\":"), "{out}");
    // Client histories through the linearizability search, and more parts than some seeds fill.
    whole_equals_merged(
        "raft",
        &["--protocol", "raft", "--seeds", "0..5", "--faults", "light", "--events", "3000"],
        7,
    );
}

#[test]
fn jobs_change_nothing_but_the_time() {
    let args =
        ["check", "--protocol", "multipaxos", "--seeds", "0..40", "--faults", "heavy", "--events", "4000"];
    let one = distlab(&[&args[..], &["--jobs", "1"]].concat());
    let two = distlab(&[&args[..], &["--jobs", "2"]].concat());
    let all = distlab(&args);
    assert_eq!(one.stdout, two.stdout);
    assert_eq!(one.stdout, all.stdout);
    assert!(String::from_utf8_lossy(&one.stdout).contains("\"runs\":40"));
}

/// The first violation is said on standard error with a command that replays it, and written
/// as a scenario document on request, which opens on the breaking event.
#[test]
fn the_first_violation_comes_with_its_replay() {
    let d = dir("replay");
    let file = d.join("first.json");
    let path = file.to_string_lossy().into_owned();
    let args = [
        "check",
        "--protocol",
        "paxos",
        "--seeds",
        "10..40",
        "--faults",
        "heavy",
        "--mutant",
        "forget-promise",
    ];
    let o = distlab(&[&args[..], &["--counterexample", &path]].concat());
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    let replay = err.lines().find_map(|l| l.strip_prefix("replay it: distlab ")).expect("a replay command");
    let again = distlab(&replay.split(' ').collect::<Vec<_>>());
    let again = String::from_utf8_lossy(&again.stdout);
    assert!(again.contains("\"violation\":{") && again.contains("\"seed\":10"), "{replay}: {again}");
    let doc = distlab_core::scenario::from_json(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let (cfg, actions) = distlab_core::scenario::import(&doc).unwrap();
    assert_eq!(cfg.seed, 10);
    let mut lab = distlab_core::lab::replay(&cfg, &actions).unwrap();
    lab.seek(doc.position.unwrap());
    let v = lab.violation().expect("the document opens on the violation");
    assert!(err.contains(&format!("event {}: {}: {}", v.event, v.property, v.message)), "{err}");
    // Nothing found: no file left behind.
    let ok = distlab(&["check", "--protocol", "paxos", "--seeds", "0..5", "--counterexample", &path]);
    assert_eq!(ok.status.code(), Some(0));
    assert!(!file.exists());
    let _ = std::fs::remove_dir_all(d);
}

#[test]
fn bad_shards_and_merges_exit_2_saying_why() {
    for (args, says) in [
        (&["--shard", "4/4"][..], "--shard: the part must be between 0 and 3"),
        (&["--shard", "0/0"], "--shard: the number of parts must be between 1"),
        (&["--shard", "1-4"], "--shard must look like 0/4"),
        (&["--jobs", "0"], "--jobs must be between 1 and 256"),
        (&["--swarm", "on", "--counterexample", "x.json"], "--counterexample needs a cluster given by flags"),
    ] {
        let protocol = if args.contains(&"--swarm") { "raft" } else { "paxos" };
        let o = distlab(&[&["check", "--protocol", protocol, "--seeds", "0..10"], args].concat());
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(says), "{args:?}: {err}");
    }
    let d = dir("bad");
    let write = |name: &str, args: &[&str]| {
        let o = distlab(&[&["check", "--protocol", "paxos", "--events", "500"], args].concat());
        let f = d.join(name);
        std::fs::write(&f, &o.stdout).unwrap();
        f.to_string_lossy().into_owned()
    };
    let p0 = write("p0", &["--seeds", "0..10", "--shard", "0/2"]);
    let p1 = write("p1", &["--seeds", "0..10", "--shard", "1/2"]);
    let other = write("other", &["--seeds", "0..10", "--shard", "1/2", "--faults", "light"]);
    let whole = write("whole", &["--seeds", "0..10"]);
    for (files, says) in [
        (vec![p0.as_str()], "parts missing from the 2: 1"),
        (vec![p0.as_str(), p0.as_str()], "part 0 of 2 given twice"),
        (vec![p0.as_str(), other.as_str()], "a shard of another sweep"),
        (vec![whole.as_str()], "a whole sweep's report, not a shard's"),
        (vec!["/nonexistent/p.json"], "cannot read /nonexistent/p.json"),
        (vec![], "merge needs the shards' report files"),
        (vec![p0.as_str(), "--jobs"], "unexpected argument '--jobs'"),
    ] {
        let o = distlab(&[&["merge"], &files[..]].concat());
        assert_eq!(o.status.code(), Some(2), "{files:?}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(says), "{files:?}: {err}");
    }
    let ok = distlab(&["merge", &p1, &p0]);
    assert_eq!(ok.status.code(), Some(0));
    let _ = std::fs::remove_dir_all(d);
}
