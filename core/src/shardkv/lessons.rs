//! The sharded database's lesson, step by step: the events it names happen, in order, on
//! many seeds, and show what the narration says.

use alloc::string::String;
use alloc::vec::Vec;

use crate::lesson::Cue;

fn lesson(seed: u64, mutant: Option<&str>) -> (Box<dyn crate::lab::Lab>, Vec<crate::lesson::Step>, Vec<u64>) {
    crate::testing::walk_lesson("shardkv", "join-and-move", seed, mutant)
}

use alloc::boxed::Box;

/// The event log's lines for the event at `at` (the position just after it).
fn events(lab: &mut Box<dyn crate::lab::Lab>, at: u64) -> String {
    lab.seek(at);
    lab.log(at - 1, at, 100).into_iter().map(|l| l.text).collect::<Vec<_>>().join("\n")
}

#[test]
fn the_value_moves_with_its_shard_and_the_stale_client_is_sent_on() {
    for seed in 1..=8 {
        let (mut lab, steps, at) = lesson(seed, None);
        assert!(lab.violation().is_none(), "seed {seed}: {:?}", lab.violation());
        let wrong = steps.iter().position(|s| s.cue == Cue::Deliver("WrongGroup")).expect("the step");
        let read = steps.len() - 1;
        assert!(at[wrong] < at[read], "seed {seed}");
        // C1's read is answered by G3, with the value written before the move, and C1 shows it.
        let said = events(&mut lab, at[read]);
        assert!(said.contains("C1 receives Reply from G3."), "seed {seed}: {said}");
        let c1 = lab.snapshot().nodes.iter().find(|n| n.name == "C1").map(|n| n.view.summary.join(" · "));
        assert!(c1.as_deref().is_some_and(|s| s.contains("→ = 1")), "seed {seed}: C1 shows {c1:?}");
    }
}

#[test]
fn with_keep_serving_two_groups_write_the_shards_history() {
    for seed in 1..=8 {
        let (mut lab, steps, at) = lesson(seed, Some("keep-serving"));
        while lab.time().0 < 3_500_000 && lab.step() {}
        let v = lab.violation().unwrap_or_else(|| panic!("seed {seed}: no violation"));
        assert_eq!(v.property, "single-history", "seed {seed}: {}", v.message);
        assert_eq!(steps.last().map(|s| s.cue.clone()), Some(Cue::Violation));
        assert_eq!(at.last().copied(), Some(v.event), "seed {seed}: the last step is the break");
    }
}
