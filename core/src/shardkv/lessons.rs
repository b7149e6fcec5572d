//! The sharded database's lesson, step by step: the events it names happen, in order, on
//! many seeds, and show what the narration says.

use alloc::string::String;
use alloc::vec::Vec;

use crate::lesson::Cue;

fn lesson(seed: u64, mutant: Option<&str>) -> (Box<dyn crate::lab::Lab>, Vec<crate::lesson::Step>, Vec<u64>) {
    crate::testing::walk_lesson("shardkv", "join-and-move", seed, mutant)
}

fn leader_dies(
    seed: u64,
    mutant: Option<&str>,
) -> (Box<dyn crate::lab::Lab>, Vec<crate::lesson::Step>, Vec<u64>) {
    crate::testing::walk_lesson("shardkv", "leader-dies-mid-move", seed, mutant)
}

use alloc::boxed::Box;

/// A lesson walked with its mutant, run on to 3.5 s: single-history breaks, and the lesson's
/// last step, the violation, is where it breaks. The violation's message.
fn breaks_single_history(
    mut lab: Box<dyn crate::lab::Lab>,
    steps: &[crate::lesson::Step],
    at: &[u64],
    seed: u64,
) -> String {
    while lab.time().0 < 3_500_000 && lab.step() {}
    let v = lab.violation().unwrap_or_else(|| panic!("seed {seed}: no violation"));
    assert_eq!(v.property, "single-history", "seed {seed}: {}", v.message);
    assert_eq!(steps.last().map(|s| &s.cue), Some(&Cue::Violation));
    assert_eq!(at.last().copied(), Some(v.event), "seed {seed}: the last step is the break");
    v.message.clone()
}

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
        let (lab, steps, at) = lesson(seed, Some("keep-serving"));
        // Where the narration says: at configuration 2, a group keeping a shard it gave away.
        let said = breaks_single_history(lab, &steps, &at, seed);
        assert!(
            said.contains("serves shard") && said.contains("configuration 2 gives it to G"),
            "seed {seed}: {said}"
        );
    }
}

#[test]
fn the_drawing_shows_each_moving_shard_leave_one_group_and_arrive_in_the_other() {
    use crate::protocol::ChipState;
    for seed in 1..=4 {
        let (mut lab, steps, at) = lesson(seed, None);
        // When G3's Pull goes out, G3's box waits for a shard its old owner's box still holds as
        // a copy, in G3's colour, and G3's label names the configuration it reached.
        let pull = steps.iter().position(|s| s.cue == Cue::Send("Pull")).expect("the step");
        lab.seek(at[pull]);
        let boxes = lab.snapshot().enclosures;
        assert_eq!(boxes.len(), 3, "seed {seed}");
        assert!(boxes[2].label.starts_with("G3 · config 3"), "seed {seed}: {}", boxes[2].label);
        let coming: Vec<&str> = boxes[2]
            .chips
            .iter()
            .filter(|c| c.state == ChipState::Arriving)
            .map(|c| c.text.as_str())
            .collect();
        assert!(!coming.is_empty(), "seed {seed}: G3 waits for nothing: {:?}", boxes[2].chips);
        let leaving = boxes[..2].iter().flat_map(|b| &b.chips).filter(|c| c.state == ChipState::Leaving);
        assert!(
            leaving.clone().all(|c| coming.contains(&c.text.as_str()) && c.hue == Some(3)),
            "seed {seed}: {:?}",
            boxes
        );
        assert!(leaving.count() > 0, "seed {seed}: no copy kept for G3: {boxes:?}");
        // Once the move is done, every box holds only its own shards, in its own colour, all
        // served.
        lab.seek(lab.horizon());
        let done = lab.time().0 + 3_000_000;
        while lab.time().0 < done && lab.step() {}
        for (g, b) in lab.snapshot().enclosures.iter().enumerate() {
            assert_eq!(b.members.len(), 3);
            assert!(
                b.chips.iter().all(|c| c.state == ChipState::Held && c.hue == Some(g as u64 + 1)),
                "seed {seed}, G{}: {:?}",
                g + 1,
                b.chips
            );
        }
    }
}

#[test]
fn when_the_new_owners_leader_dies_mid_move_the_next_one_finishes_it_and_nothing_is_lost() {
    for seed in 1..=8 {
        let (mut lab, steps, at) = leader_dies(seed, None);
        assert!(lab.violation().is_none(), "seed {seed}: {:?}", lab.violation());
        let step = |cue: Cue| steps.iter().position(|s| s.cue == cue).expect("the step");
        // The crash comes after G3's leader asked for the shards and before any arrived.
        let (pull, crash, data) =
            (step(Cue::Send("Pull")), step(Cue::Crash), step(Cue::Deliver("ShardData")));
        assert!(at[pull] < at[crash] && at[crash] < at[data], "seed {seed}: {at:?}");
        let said = events(&mut lab, at[crash]);
        assert!(said.contains("G3.") && said.contains("crash"), "seed {seed}: {said}");
        lab.seek(at[crash]);
        let g3 = &lab.snapshot().enclosures[2];
        assert!(
            g3.chips.iter().any(|c| c.state == crate::protocol::ChipState::Arriving),
            "seed {seed}: G3 awaits no shard when its leader crashes: {g3:?}"
        );
        // C1's read, answered by G3 after the crash, finds the value written before the move.
        let read = step(Cue::Deliver("Reply"));
        let said = events(&mut lab, at[read]);
        assert!(said.contains("C1 receives Reply from G3."), "seed {seed}: {said}");
        let c1 = lab.snapshot().nodes.iter().find(|n| n.name == "C1").map(|n| n.view.summary.join(" · "));
        assert!(c1.as_deref().is_some_and(|s| s.contains("→ = 1")), "seed {seed}: C1 shows {c1:?}");
    }
}

#[test]
fn with_serve_before_data_the_new_leader_serves_a_shard_it_does_not_have() {
    for seed in 1..=8 {
        let (lab, steps, at) = leader_dies(seed, Some("serve-before-data"));
        breaks_single_history(lab, &steps, &at, seed);
    }
}
