//! The Multi-Paxos lessons on seeds 1 to 8: every step's moment happens, in order, and what a
//! step says about the run at its event is what the page shows there (node fields, the slot and
//! quorum tables, the event log), with the mutant off and, where a step offers to break the
//! protocol, on.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use crate::lab::Snapshot;
use crate::lesson::Cue;
use crate::protocol::{Board, BoardCell, Tone};
use crate::testing::{field, LessonRun as Lesson};

use super::scenarios::{CRASH_AFTER_CHOOSING_MUTANT, MINORITY_ACCEPT_MUTANT, SCENARIOS, STALE_LEADER_MUTANT};

const SEEDS: core::ops::RangeInclusive<u64> = 1..=8;

/// A preset's lesson on one seed, walked.
fn lesson(name: &str, seed: u64, mutant: Option<&str>) -> Lesson {
    Lesson::walk("multipaxos", name, seed, mutant)
}

/// The live servers that lead, as S1 = 0.
fn leaders(snap: &Snapshot) -> Vec<usize> {
    snap.nodes.iter().filter(|n| n.up && n.view.role == "leader").map(|n| n.id.index()).collect()
}

/// The slot table's row for `slot`: one cell per server, then the chosen value (the page shows
/// the chosen value first).
fn slot_row(snap: &Snapshot, slot: u64) -> Vec<BoardCell> {
    let table = &snap.boards[0];
    assert_eq!(table.title, "slots × acceptors");
    assert_eq!(table.columns[0], "chosen");
    let row = table.rows.iter().find(|r| r.label == format!("slot {slot}"));
    let mut cells = row.unwrap_or_else(|| panic!("no row for slot {slot}")).cells.clone();
    cells.rotate_left(1);
    cells
}

/// The quorum table of the current leader, if one leads.
fn quorum_table(snap: &Snapshot) -> Option<&Board> {
    snap.boards.iter().find(|b| b.title.starts_with("why values survive"))
}

/// The highest round any server tried as a proposer.
fn top_round(snap: &Snapshot, servers: usize) -> u64 {
    let round = |b: &str| b.strip_prefix('b')?.split('.').next()?.parse::<u64>().ok();
    (0..servers).filter_map(|n| round(field(snap, n, "own ballot"))).max().unwrap_or(0)
}

#[test]
fn every_multipaxos_lesson_step_happens_in_order_on_seeds_1_to_8_with_and_without_its_mutant() {
    for info in SCENARIOS {
        for seed in SEEDS {
            let plain = lesson(info.name, seed, None);
            // A step that offers to break the protocol is the same step in the mutant's lesson
            // (the page replays to it), and that lesson ends on the break.
            for (i, step) in plain.steps.iter().enumerate() {
                let Some(mutant) = step.break_it else { continue };
                let broken = lesson(info.name, seed, Some(mutant));
                assert_eq!(broken.steps[i].cue, step.cue, "{}", broken.what);
                assert_eq!(broken.steps[i].break_it, Some(mutant), "{}", broken.what);
                let v = broken.steps[i + 1..].iter().position(|s| s.cue == Cue::Violation);
                assert!(v.is_some(), "{}: the mutant's lesson shows no violation", broken.what);
            }
        }
    }
}

/// The leader-crash lesson: put z 3 is accepted in slot 3 by S1 and S2 only when S1 dies; the
/// new leader's phase-1 quorum is S2, S3 and S4, S2's promise carries the value across, and it
/// is chosen in the same slot. The slot table and the quorum table show it at those steps.
#[test]
fn the_leader_crash_lesson_carries_an_unchosen_value_across_the_change_of_leader() {
    for seed in SEEDS {
        let mut l = lesson("leader-crash", seed, None);
        let what = l.what.clone();

        assert!(l.event(l.index(&Cue::Crash, 0)).contains(&"S5 crashes".to_string()), "{what}");
        assert_eq!(leaders(&l.after(l.index(&Cue::Role("leader"), 0))), [0], "{what}");
        assert_eq!(field(&l.after(l.index(&Cue::Role("leader"), 0)), 0, "own ballot"), "b1.1", "{what}");
        let snap = l.after(l.index(&Cue::Says("S1 applies slot 1"), 0));
        assert_eq!(slot_row(&snap, 1)[5].text, "✓ put x 1", "{what}");

        assert_eq!(l.after(l.index(&Cue::Partition, 0)).groups[..5], [0, 0, 1, 1, 0], "{what}");
        let propose = l.index(&Cue::Send("Accept"), 0);
        assert!(l.event(propose).contains(&"S1 → S2: Accept (b1.1, slot 3: put z 3)".to_string()), "{what}");

        // S1 dies with slot 3 accepted by S1 and S2 only, not chosen; slots 1 and 2 are.
        let crash = l.index(&Cue::Crash, 1);
        assert!(l.event(crash).contains(&"S1 crashes".to_string()), "{what}");
        let snap = l.after(crash);
        let cells = slot_row(&snap, 3);
        let row: Vec<(&str, Tone)> = cells.iter().map(|c| (c.text.as_str(), c.tone)).collect();
        assert_eq!(
            row,
            [
                ("b1.1 put z 3", Tone::Dim),
                ("b1.1 put z 3", Tone::Warn),
                ("—", Tone::Plain),
                ("—", Tone::Plain),
                ("—", Tone::Plain),
                ("not yet", Tone::Dim)
            ],
            "{what}"
        );
        assert_eq!(slot_row(&snap, 2)[5].text, "✓ put y 2", "{what}");

        let prepare = l.index(&Cue::Send("Prepare"), 0);
        let said = l.event(prepare);
        assert!(
            said.iter().any(|e| e.contains(": Prepare (b") && e.ends_with(", slots ≥ 3)")),
            "{what}: {said:?}"
        );

        // The new leader: elected by S2, S3 and S4; S2 carried slot 3 across.
        let elected = l.index(&Cue::Role("leader"), 1);
        assert!(leaders(&l.before(elected)).is_empty(), "{what}");
        let snap = l.after(elected);
        let new = leaders(&snap);
        assert!(new.len() == 1 && (1..4).contains(&new[0]), "{what}: {new:?}");
        let quorum = quorum_table(&snap).unwrap_or_else(|| panic!("{what}: no quorum table"));
        let marks = |label: &str| -> Vec<&str> {
            let row = quorum.rows.iter().find(|r| r.label.starts_with(label));
            let row = row.unwrap_or_else(|| panic!("{what}: no row {label}: {:?}", quorum.rows));
            row.cells.iter().map(|c| c.text.as_str()).collect()
        };
        assert_eq!(marks("phase 1"), ["", "✓", "✓", "✓", ""], "{what}");
        assert_eq!(marks("slot 3: put z 3 from b1.1"), ["", "✓", "", "", ""], "{what}: S2 carried it");
        let ballot = field(&snap, new[0], "own ballot").to_string();
        let reproposed = format!("S{} → S3: Accept ({ballot}, slot 3: put z 3)", new[0] + 1);
        assert!(l.event(elected).contains(&reproposed), "{what}: {reproposed}");

        // Chosen in the same slot, in the new ballot.
        let snap = l.after(l.index(&Cue::Says("applies slot 3"), 0));
        let row = slot_row(&snap, 3);
        assert_eq!(row[5].text, "✓ put z 3", "{what}");
        assert_eq!(row[1].text, format!("{ballot} put z 3"), "{what}");

        // C1's retry is chosen again in a later slot, and answered with slot 3.
        let answer = l.index(&Cue::Says("client gets #3"), 0);
        assert!(l.event(answer).contains(&"client gets #3: ok (slot 3)".to_string()), "{what}");
        let snap = l.after(answer);
        assert_eq!(slot_row(&snap, 4)[5].text, "✓ put z 3", "{what}: the retry took slot 4");

        let snap = l.after(l.index(&Cue::Restart, 0));
        assert!(snap.nodes[..5].iter().all(|n| n.up), "{what}: S1 and S5 are back");
        l.lab.seek(l.at[l.at.len() - 1] + 200);
        assert!(l.lab.violation().is_none(), "{what}");
    }
}

/// Steady: one election, then slots chosen one round trip each; the steps name the first
/// timer, the leader, its first Accept and the slots applied.
#[test]
fn the_steady_lesson_elects_once_then_chooses_slot_after_slot() {
    for seed in SEEDS {
        let mut l = lesson("steady", seed, None);
        let what = l.what.clone();
        let timer = l.index(&Cue::Timer("election"), 0);
        let said = l.event(timer);
        assert!(said.iter().any(|e| e.contains(": Prepare (b1.")), "{what}: {said:?}");
        let leader = leaders(&l.after(l.index(&Cue::Role("leader"), 0)));
        assert_eq!(leader.len(), 1, "{what}");
        let said = l.event(l.index(&Cue::Send("Accept"), 0));
        assert!(said.iter().any(|e| e.contains("slot 1:")), "{what}: {said:?}");
        for slot in [1, 10] {
            let snap =
                l.after(l.index(&Cue::Says(if slot == 1 { "applies slot 1" } else { "applies slot 10" }), 0));
            assert_eq!(leaders(&snap), leader, "{what}: the same leader");
            // Slots chosen out of order are applied together, once the gap below them fills.
            let applied =
                field(&snap, leader[0], "applied up to").strip_prefix("slot ").and_then(|n| n.parse().ok());
            assert!(applied.is_some_and(|n: u64| n >= slot), "{what}: {applied:?}");
            let said =
                l.event(l.index(&Cue::Says(if slot == 1 { "applies slot 1" } else { "applies slot 10" }), 0));
            assert!(
                said.contains(&format!("S{} applies slot {slot}", leader[0] + 1)),
                "{what}: the leader applies it"
            );
        }
    }
}

/// The duels: without back-off the ballots reach rounds 6 and 100 with no slot chosen; with
/// back-off one server leads in round 1 and slot 1 is chosen.
#[test]
fn the_duel_lessons_livelock_without_back_off_and_lead_with_it() {
    for seed in SEEDS {
        let mut l = lesson("dueling", seed, None);
        let what = l.what.clone();
        assert_eq!(
            l.event(1),
            ["S1: election timer fires"]
                .iter()
                .map(|s| s.to_string())
                .chain(prepares(1, 1))
                .collect::<Vec<_>>(),
            "{what}"
        );
        assert!(l.event(2).starts_with(&["S2: election timer fires".to_string()]), "{what}");
        assert!(l.event(2).iter().any(|e| e.starts_with("S2 → S1: Prepare (b1.2")), "{what}");
        for (round, cue) in [(6, "Prepare (b6."), (100, "Prepare (b100.")] {
            let climbed = l.after(l.index(&Cue::Says(cue), 0));
            assert_eq!(top_round(&climbed, 3), round, "{what}");
            let chosen: Vec<&str> = (0..3).map(|n| field(&climbed, n, "chosen up to")).collect();
            assert_eq!(chosen, ["slot 0"; 3], "{what}: nothing is chosen by round {round}");
        }

        let mut l = lesson("dueling-backoff", seed, None);
        let what = l.what.clone();
        let snap = l.after(l.index(&Cue::Role("leader"), 0));
        assert_eq!(leaders(&snap).len(), 1, "{what}");
        let snap = l.after(l.steps.len() - 1);
        assert_eq!(leaders(&snap).len(), 1, "{what}");
        assert_eq!(top_round(&snap, 3), 1, "{what}: one duel, settled in round 1");
        assert_eq!(field(&snap, leaders(&snap)[0], "applied up to"), "slot 1", "{what}");
    }
}

/// S1's Prepare lines for ballot b`round`.1, as the event log writes them.
fn prepares(round: u64, first: u64) -> impl Iterator<Item = String> {
    (1..=3).map(move |to| format!("S1 → S{to}: Prepare (b{round}.1, slots ≥ {first})"))
}

/// Stale leader: S1 is cut off and replaced; the new leader crashes; after the heal the
/// survivor refuses S1's old ballot and S1 steps down. With accept-below-promise, the lesson's
/// last step is the agreement violation the checker reports.
#[test]
fn the_stale_leader_lesson_refuses_the_old_ballot_or_breaks_with_the_mutant() {
    for seed in SEEDS {
        let mut l = lesson("stale-leader", seed, None);
        let what = l.what.clone();
        assert_eq!(leaders(&l.after(l.index(&Cue::Role("leader"), 0))), [0], "{what}");
        assert_eq!(l.after(l.index(&Cue::Partition, 0)).groups[..5], [1, 0, 0, 1, 1], "{what}");
        let snap = l.after(l.index(&Cue::Role("leader"), 1));
        let both = leaders(&snap);
        assert!(both.len() == 2 && both[0] == 0, "{what}: S1 still thinks it leads, beside {both:?}");
        let replaced = both[1];
        let crash = l.index(&Cue::Crash, 0);
        assert!(
            l.event(crash).contains(&format!("S{} crashes", replaced + 1)),
            "{what}: the new leader crashes"
        );
        let heal = l.index(&Cue::Heal, 0);
        assert_eq!(l.steps[heal].break_it, Some(STALE_LEADER_MUTANT));
        let said = l.event(l.index(&Cue::Send("Nack"), 0));
        assert!(said.iter().any(|e| e.contains(" → S1: Nack (b1.1 < promised")), "{what}: {said:?}");
        let follower = l.index(&Cue::Role("follower"), 0);
        assert_eq!(l.before(follower).nodes[0].view.role, "leader", "{what}");
        let snap = l.after(follower);
        assert_eq!(snap.nodes[0].view.role, "follower", "{what}: S1 steps down");
        assert!(
            l.event(l.index(&Cue::Restart, 0)).contains(&format!("S{} restarts", replaced + 1)),
            "{what}"
        );

        assert_eq!(breaks_at("stale-leader", seed, STALE_LEADER_MUTANT, heal, "agreement"), heal + 1);
    }
}

/// The texts of slot `slot`'s row: S1 to S3, then the chosen value.
fn row_texts(snap: &Snapshot, slot: u64) -> Vec<String> {
    slot_row(snap, slot).iter().map(|c| c.text.clone()).collect()
}

/// The mutant's lesson: its violation step comes after `breaking`, and the run breaks
/// `property` at that step's event. Returns the violation step.
fn breaks_at(name: &str, seed: u64, mutant: &str, breaking: usize, property: &str) -> usize {
    let broken = lesson(name, seed, Some(mutant));
    let v = broken.index(&Cue::Violation, 0);
    assert!(v > breaking, "{}", broken.what);
    let at = broken.at[v];
    let mut run = broken.lab;
    while run.violation().is_none() && run.step() {}
    let found = run.violation().unwrap_or_else(|| panic!("{name} seed {seed}: the mutant breaks nothing"));
    assert_eq!((found.event, found.property.as_str()), (at, property), "{name} seed {seed}");
    v
}

/// Minority-accept: the run starts with a no-op at S3 alone in slot 1; S2 chooses put x 1 there
/// while S3 is cut off; after the heal S3 asks the leader and applies put x 1. With
/// learn-any-ballot S3 applies its own no-op and same-order breaks.
#[test]
fn the_minority_accept_lesson_learns_from_the_leader_not_from_an_old_ballot() {
    for seed in SEEDS {
        let mut l = lesson("minority-accept", seed, None);
        let what = l.what.clone();
        l.lab.seek(0);
        assert_eq!(row_texts(&l.lab.snapshot(), 1), ["—", "—", "b1.1 no-op", "not yet"], "{what}");
        assert_eq!(leaders(&l.after(l.index(&Cue::Role("leader"), 0))), [1], "{what}");
        let snap = l.after(l.index(&Cue::Says("S2 applies slot 1"), 0));
        assert_eq!(
            row_texts(&snap, 1),
            ["b2.2 put x 1", "b2.2 put x 1", "b1.1 no-op", "✓ put x 1"],
            "{what}"
        );
        let heal = l.index(&Cue::Heal, 0);
        assert_eq!(l.steps[heal].break_it, Some(MINORITY_ACCEPT_MUTANT));
        let asks = l.event(l.index(&Cue::Send("CatchUp"), 0));
        assert!(asks.contains(&"S3 → S2: CatchUp (from slot 1)".to_string()), "{what}: {asks:?}");
        let learned = l.index(&Cue::Says("S3 applies slot 1"), 0);
        let said = l.event(learned);
        assert!(said.iter().any(|e| e.starts_with("S3 receives Chosen from S2")), "{what}: {said:?}");
        l.lab.seek(l.at[learned] + 200);
        assert!(l.lab.violation().is_none(), "{what}");

        breaks_at("minority-accept", seed, MINORITY_ACCEPT_MUTANT, heal, "same-order");
    }
}

/// Crash-after-choosing: a no-op starts chosen in slot 1 (S1 and S2 accepted it); S1 goes down,
/// S2 crashes and restarts with it on disk, and S3's phase 1 with S2 adopts it; put x 1 takes
/// slot 2. With forget-on-restart S2 forgets it and put x 1 is chosen in slot 1 too.
#[test]
fn the_crash_after_choosing_lesson_keeps_the_chosen_value_on_disk() {
    for seed in SEEDS {
        let mut l = lesson("crash-after-choosing", seed, None);
        let what = l.what.clone();
        l.lab.seek(0);
        assert_eq!(row_texts(&l.lab.snapshot(), 1), ["b1.1 no-op", "b1.1 no-op", "—", "not yet"], "{what}");
        assert!(l.event(l.index(&Cue::Crash, 0)).contains(&"S1 crashes".to_string()), "{what}");
        assert!(l.event(l.index(&Cue::Crash, 1)).contains(&"S2 crashes".to_string()), "{what}");
        let restart = l.index(&Cue::Restart, 0);
        assert_eq!(l.steps[restart].break_it, Some(CRASH_AFTER_CHOOSING_MUTANT));
        assert_eq!(row_texts(&l.after(restart), 1)[1], "b1.1 no-op", "{what}: S2 kept it");
        let elected = l.index(&Cue::Role("leader"), 0);
        assert_eq!(leaders(&l.after(elected)), [2], "{what}");
        assert!(l.event(elected).contains(&"S3 → S2: Accept (b2.3, slot 1: no-op)".to_string()), "{what}");
        let snap = l.after(l.index(&Cue::Says("S3 applies slot 2"), 0));
        assert_eq!(row_texts(&snap, 2)[3], "✓ put x 1", "{what}");
        assert_eq!(row_texts(&snap, 1)[3], "✓ no-op", "{what}");
        assert!(l.lab.violation().is_none(), "{what}");

        breaks_at("crash-after-choosing", seed, CRASH_AFTER_CHOOSING_MUTANT, restart, "agreement");
    }
}
