#![cfg(not(target_arch = "wasm32"))]
//! The history lane's data: the simulator's client history, the linearizability judgement,
//! and linearization points that fall inside each operation's interval in a valid order.

use distlab_core::history::judge;
use distlab_core::lab::{self, LabConfig};
use distlab_core::lincheck::LineKind;
use distlab_core::multipaxos::setup::Config as MpConfig;
use distlab_core::net::FaultPreset;
use distlab_core::raft::setup::Config as RaftConfig;
use distlab_core::raft::ReadMode;
use distlab_core::registry::Setup;

fn lab_for(read_mode: ReadMode, seed: u64, events: u64) -> Box<dyn lab::Lab> {
    let setup = Setup::Raft(RaftConfig { servers: 3, clients: 3, read_mode, ..Default::default() });
    let cfg = LabConfig { faults: FaultPreset::Heavy, seed, ..LabConfig::new(setup) };
    let mut l = lab::build(&cfg).unwrap();
    while l.position() < events && l.step() {}
    l
}

#[test]
fn a_correct_run_is_linearizable_and_every_point_is_inside_its_interval() {
    for seed in 0..5 {
        let l = lab_for(ReadMode::ReadIndex, seed, 20_000);
        let (first, ops, total) = l.history(distlab_core::protocol::Time::ZERO, usize::MAX);
        assert_eq!(first, 0);
        assert_eq!(ops.len(), total);
        assert!(total > 30, "seed {seed}: {total} operations");
        let j = l.judge();
        assert!(j.linearizable, "seed {seed}");
        assert!(!j.points.is_empty());
        for (i, t) in &j.points {
            let o = &ops[*i];
            assert!(o.invoke.1 <= *t, "point before invocation");
            if let Some(d) = &o.done {
                if d.2 != LineKind::Info {
                    assert!(*t <= d.1, "seed {seed}: point after completion");
                }
            }
        }
    }
}

#[test]
fn stale_local_reads_are_caught_with_a_small_witness() {
    let found = (0..40).find_map(|seed| {
        let l = lab_for(ReadMode::Local, seed, 30_000);
        let j = l.judge();
        j.violated().then_some((seed, j))
    });
    let (seed, j) = found.expect("local reads from a deposed leader are stale in some seed");
    assert!(!j.witness.is_empty() && j.witness.len() <= 10, "seed {seed}: {:?}", j.witness);
    let l = lab_for(ReadMode::Local, seed, 30_000);
    let (_, ops, _) = l.history(distlab_core::protocol::Time::ZERO, usize::MAX);
    assert_eq!(j.witness_ops.len(), j.witness.len());
    assert_eq!(judge(&ops), j, "judging the lab's history directly gives the same answer");
    eprintln!("first non-linearizable local-read seed: {seed}");
}

/// The workload settings shape what clients ask for: the keys, the share of reads, the rate.
#[test]
fn the_workload_decides_keys_mix_and_rate() {
    let run = |w: distlab_core::kv::Workload, think_ms: u64| {
        let setup = Setup::MultiPaxos(MpConfig {
            clients: 3,
            workload: w,
            think_ms: Some(think_ms),
            ..Default::default()
        });
        let cfg = LabConfig::new(setup);
        let mut l = lab::build(&cfg).unwrap();
        while l.position() < 20_000 && l.step() {}
        l.history(distlab_core::protocol::Time::ZERO, usize::MAX).1
    };
    let reads = run(distlab_core::kv::Workload { keys: 1, reads_pct: 100, cas_pct: 0 }, 50);
    assert!(reads.len() > 50);
    assert!(reads.iter().all(|o| o.f == distlab_core::lincheck::Func::Read && o.key.as_deref() == Some("x")));
    let many = run(distlab_core::kv::Workload { keys: 16, reads_pct: 0, cas_pct: 100 }, 50);
    assert!(many.iter().all(|o| o.f == distlab_core::lincheck::Func::Cas));
    let keys: std::collections::BTreeSet<_> = many.iter().map(|o| o.key.clone()).collect();
    assert!(keys.len() > 10, "{keys:?}");
    assert!(run(Default::default(), 0).is_empty(), "think time 0: clients only send what the user types");
    let workload = distlab_core::kv::Workload { keys: 3, reads_pct: 80, cas_pct: 30 };
    let bad = LabConfig::new(Setup::Raft(RaftConfig { workload, ..Default::default() }));
    assert!(lab::build(&bad).err().unwrap().contains("at most 100"));
}

/// The page's judgement in slices (as a page spreads it over frames) is the one made at once;
/// and a judgement that reaches its limit says unknown, which is no violation.
#[test]
fn a_judgement_in_slices_matches_and_out_of_budget_is_unknown_not_violated() {
    use distlab_core::history::Judging;
    use distlab_core::lincheck::{Limits, Step};
    for (mode, seed) in [(ReadMode::ReadIndex, 1), (ReadMode::Local, 0)] {
        let l = lab_for(mode, seed, 30_000);
        let (_, ops, _) = l.history(distlab_core::protocol::Time::ZERO, usize::MAX);
        let whole = judge(&ops);
        assert_eq!(whole.violated(), mode == ReadMode::Local, "{mode:?}: {whole:?}");
        let mut j = Judging::new(&ops, Limits::default());
        let mut slices = 0;
        let sliced = loop {
            match j.run(5) {
                Step::Running(_) => slices += 1,
                Step::Done(judgement) => break judgement,
            }
        };
        assert!(slices > 3, "{mode:?}: only {slices} slices");
        assert_eq!(sliced, whole, "{mode:?}");
        let mut small = Judging::new(&ops, Limits { states: 5, ..Limits::default() });
        let Step::Done(u) = small.run(u64::MAX) else { panic!("a run without limit ends") };
        assert!(u.unknown.is_some() && !u.linearizable && !u.violated(), "{mode:?}: {u:?}");
        assert!(u.witness.is_empty() && u.points.is_empty());
    }
}
