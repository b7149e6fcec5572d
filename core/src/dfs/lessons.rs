//! The file system's lessons, step by step: the events each names happen, in order, on many
//! seeds, with nothing broken; with the step's mutant on, the lesson ends at the break it
//! promises.

use alloc::boxed::Box;
use alloc::string::String;

use super::types::LEASE_SOFT_US;
use crate::lab::Lab;
use crate::lesson::Cue;
use crate::testing::walk_lesson;

/// The C1 card's summary at the end of the run.
fn c1(lab: &mut Box<dyn Lab>) -> String {
    lab.snapshot()
        .nodes
        .iter()
        .find(|n| n.name == "C1")
        .map(|n| n.view.summary.join(" · "))
        .unwrap_or_default()
}

/// The Files board's title at the end of the run.
fn files(lab: &mut Box<dyn Lab>) -> String {
    lab.snapshot().boards.first().map(|b| b.title.clone()).unwrap_or_default()
}

#[test]
fn a_dead_nodes_blocks_are_copied_back_to_three() {
    for seed in 1..=8 {
        let (mut lab, steps, at) = walk_lesson("dfs", "node-dies", seed, None);
        while lab.time().0 < 8_000_000 && lab.step() {}
        assert!(lab.violation().is_none(), "seed {seed}: {:?}", lab.violation());
        let copy = steps.iter().position(|s| s.cue == Cue::Deliver("Copy")).expect("the step");
        let dead = steps
            .iter()
            .position(|s| s.cue == Cue::Says("leader counts a data node dead"))
            .expect("the step");
        assert!(at[dead] < at[copy], "seed {seed}");
        assert!(c1(&mut lab).contains("read x → = 7"), "seed {seed}: C1 shows {}", c1(&mut lab));
        assert_eq!(files(&mut lab), "Files (every block at R = 3)", "seed {seed}");
    }
}

#[test]
fn without_re_replication_the_block_stays_short_and_the_badge_says_so() {
    for seed in 1..=8 {
        let (mut lab, steps, at) = walk_lesson("dfs", "node-dies", seed, Some("no-re-replication"));
        while lab.time().0 < 8_000_000 && lab.step() {}
        let v = lab.violation().unwrap_or_else(|| panic!("seed {seed}: no violation"));
        assert_eq!(v.property, "re-replicated", "seed {seed}: {}", v.message);
        assert_eq!(steps.last().map(|s| s.cue.clone()), Some(Cue::Violation));
        assert_eq!(at.last().copied(), Some(v.event), "seed {seed}: the last step is the break");
    }
}

#[test]
fn a_rack_fails_and_every_block_survives_it() {
    for seed in 1..=8 {
        let (mut lab, _, _) = walk_lesson("dfs", "rack-fails", seed, None);
        while lab.time().0 < 8_000_000 && lab.step() {}
        assert!(lab.violation().is_none(), "seed {seed}: {:?}", lab.violation());
        assert_eq!(files(&mut lab), "Files (every block at R = 3)", "seed {seed}");
    }
}

#[test]
fn with_one_rack_the_racks_loss_takes_a_block() {
    for seed in 1..=8 {
        let (mut lab, _, at) = walk_lesson("dfs", "rack-fails", seed, Some("one-rack"));
        while lab.time().0 < 3_000_000 && lab.step() {}
        let v = lab.violation().unwrap_or_else(|| panic!("seed {seed}: no violation"));
        assert_eq!(v.property, "acked-block-kept", "seed {seed}: {}", v.message);
        assert!(v.message.contains("rack r1"), "seed {seed}: {}", v.message);
        assert_eq!(at.last().copied(), Some(v.event), "seed {seed}: the last step is the break");
    }
}

#[test]
fn a_pipeline_that_loses_its_first_node_is_rebuilt_around_it() {
    for seed in 1..=8 {
        let (mut lab, _, _) = walk_lesson("dfs", "pipeline-break", seed, None);
        while lab.time().0 < 5_000_000 && lab.step() {}
        assert!(lab.violation().is_none(), "seed {seed}: {:?}", lab.violation());
        assert!(c1(&mut lab).contains("read x → = 5"), "seed {seed}: C1 shows {}", c1(&mut lab));
    }
}

/// Two writers of one file take turns by its lease: the second waits while the first is heard,
/// and takes the file once the first, cut off mid-write, has been silent past the soft limit;
/// the first, back, starts over and writes last. With lease-ignored the leader takes the file
/// from a writer it has just heard, and the lesson ends on that break.
#[test]
fn two_writers_of_one_file_take_turns_by_its_lease() {
    for seed in 1..=8 {
        let (mut lab, steps, at) = walk_lesson("dfs", "one-writer", seed, None);
        while lab.time().0 < 9_000_000 && lab.step() {}
        assert!(lab.violation().is_none(), "seed {seed}: {:?}", lab.violation());
        let writer = |lab: &mut Box<dyn Lab>| {
            let snap = lab.snapshot();
            let row = snap.boards[0].rows.iter().find(|r| r.label == "x").map(|r| r.cells[3].text.clone());
            row.unwrap_or_default()
        };
        // C1 wrote last, and x has no writer.
        assert!(c1(&mut lab).contains("write x 3 →"), "seed {seed}: C1 shows {}", c1(&mut lab));
        assert_eq!(writer(&mut lab), "—", "seed {seed} at {:?} position {}", lab.time(), lab.position());
        let took =
            steps.iter().position(|s| s.cue == Cue::Says("handover to another client")).expect("the step");
        let cut = steps.iter().position(|s| s.cue == Cue::Partition).expect("the step");
        lab.seek(at[took]);
        assert!(
            lab.time().0 >= 3_200_000 + LEASE_SOFT_US - 300_000,
            "seed {seed}: taken at {:?}",
            lab.time()
        );
        // Logged then; applied before C2's write completes.
        lab.seek(at[took + 1] - 1);
        assert!(writer(&mut lab).starts_with("C2"), "seed {seed}: {}", writer(&mut lab));
        lab.seek(at[cut]);
        assert!(writer(&mut lab).starts_with("C1"), "seed {seed}: {}", writer(&mut lab));
    }
    for seed in 1..=8 {
        let (mut lab, steps, at) = walk_lesson("dfs", "one-writer", seed, Some("lease-ignored"));
        while lab.time().0 < 3_000_000 && lab.step() {}
        let v = lab.violation().unwrap_or_else(|| panic!("seed {seed}: no violation"));
        assert_eq!(v.property, "lease", "seed {seed}: {}", v.message);
        assert_eq!(steps.last().map(|s| s.cue.clone()), Some(Cue::Violation));
        assert_eq!(at.last().copied(), Some(v.event), "seed {seed}: the last step is the break");
    }
}
