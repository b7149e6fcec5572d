//! The Paxos lessons on seeds 1 to 8: every step's moment happens, in order, and what a step
//! says about the run at its event is what the page shows there (node fields and the event
//! log), with the mutant off and, where a step offers to break the protocol, on.

use alloc::vec::Vec;

use crate::lesson::Cue;
use crate::testing::{field, LessonRun as Lesson};

use super::scenarios::{ADOPT_MUTANT, SCENARIOS};

const SEEDS: core::ops::RangeInclusive<u64> = 1..=8;

/// A preset's lesson on one seed, walked.
fn lesson(name: &str, seed: u64, mutant: Option<&str>) -> Lesson {
    Lesson::walk("paxos", name, seed, mutant)
}

#[test]
fn every_paxos_lesson_step_happens_in_order_on_seeds_1_to_8_with_and_without_its_mutant() {
    for (name, _) in SCENARIOS {
        for seed in SEEDS {
            let plain = lesson(name, seed, None);
            // A step that offers to break the protocol is the same step in the mutant's lesson
            // (the page replays to it), and that lesson ends on the break.
            for (i, step) in plain.steps.iter().enumerate() {
                let Some(mutant) = step.break_it else { continue };
                let broken = lesson(name, seed, Some(mutant));
                assert_eq!(broken.steps[i].cue, step.cue, "{}", broken.what);
                assert_eq!(broken.steps[i].break_it, Some(mutant), "{}", broken.what);
                let v = broken.steps[i + 1..].iter().position(|s| s.cue == Cue::Violation);
                assert!(v.is_some(), "{}: the mutant's lesson shows no violation", broken.what);
            }
        }
    }
}

/// The basic lesson: S1's two phases, each step at the moment it names, and a learner that has
/// learned 10 at the end.
#[test]
fn the_basic_lesson_shows_both_phases_and_a_value_learned() {
    for seed in SEEDS {
        let mut l = lesson("basic", seed, None);
        let what = l.what.clone();
        let prepare = l.index(&Cue::Send("Prepare"), 0);
        assert_eq!(field(&l.after(prepare), 0, "phase"), "phase 1: preparing", "{what}");
        let accept = l.index(&Cue::Send("Accept"), 0);
        let snap = l.after(accept);
        assert_eq!((field(&snap, 0, "ballot"), field(&snap, 0, "proposing")), ("1.1", "10"), "{what}");
        assert_eq!(field(&l.before(accept), 0, "phase"), "phase 1: preparing", "{what}");
        let accepted = l.index(&Cue::Send("Accepted"), 0);
        let snap = l.after(accepted);
        assert!((0..3).any(|n| field(&snap, n, "accepted") == "10 at 1.1"), "{what}");
        let learned = l.index(&Cue::Shows("✓"), 0);
        let snap = l.after(learned);
        assert!((0..3).any(|n| field(&snap, n, "learned") == "10"), "{what}");
        assert!((0..3).all(|n| field(&l.before(learned), n, "learned") == "—"), "{what}");
        assert!(l.lab.violation().is_none(), "{what}");
    }
}

/// The adoption lesson: S1 gets 10 accepted by S1, S3 and S4 while S2 and S5 are cut off; after
/// the heal, S2's promises report it and S2 proposes 10, not its own 20.
#[test]
fn the_adopt_lesson_shows_s2_proposing_the_value_its_promises_report() {
    for seed in SEEDS {
        let mut l = lesson("adopt", seed, None);
        let what = l.what.clone();

        let split = l.index(&Cue::Partition, 0);
        assert_eq!(l.after(split).groups, [0, 1, 0, 0, 1], "{what}: S2 and S5 on the other side");

        let s1_accept = l.index(&Cue::Send("Accept"), 0);
        let snap = l.after(s1_accept);
        assert_eq!((field(&snap, 0, "ballot"), field(&snap, 0, "proposing")), ("1.1", "10"), "{what}");
        assert!(l.event(s1_accept).iter().any(|e| e.starts_with("S1 receives Promise")), "{what}");

        let retry = l.index(&Cue::Timer("retry"), 0);
        assert!(l.event(retry).iter().any(|e| e == "S2: retry timer fires"), "{what}: {:?}", l.event(retry));
        assert_eq!(field(&l.after(retry), 1, "phase"), "phase 1: preparing", "{what}");

        let heal = l.index(&Cue::Heal, 0);
        let snap = l.after(heal);
        let accepted: Vec<&str> = (0..5).map(|n| field(&snap, n, "accepted")).collect();
        assert_eq!(accepted, ["10 at 1.1", "nothing", "10 at 1.1", "10 at 1.1", "nothing"], "{what}");
        assert_eq!((field(&snap, 1, "learned"), field(&snap, 4, "learned")), ("—", "—"), "{what}");

        let report = l.index(&Cue::Says("accepted 10 at 1.1"), 0);
        let said = l.event(report);
        let promise =
            said.iter().find(|e| e.contains("Promise")).unwrap_or_else(|| panic!("{what}: {said:?}"));
        assert!(
            ["S1 → S2", "S3 → S2", "S4 → S2"].iter().any(|p| promise.starts_with(p)),
            "{what}: {promise}"
        );

        let adopt = l.index(&Cue::Send("Accept"), 1);
        assert_eq!(l.steps[adopt].break_it, Some(ADOPT_MUTANT));
        assert_eq!(field(&l.before(adopt), 1, "phase"), "phase 1: preparing", "{what}");
        let snap = l.after(adopt);
        assert_eq!(field(&snap, 1, "phase"), "phase 2: accepting", "{what}");
        assert_eq!((field(&snap, 1, "client value"), field(&snap, 1, "proposing")), ("20", "10"), "{what}");
        assert!(
            l.event(adopt).iter().any(|e| e.starts_with("S2 → S1: Accept") && e.ends_with("v=10)")),
            "{what}"
        );

        let last = l.steps.len() - 1;
        assert_eq!(l.steps[last].cue, Cue::Send("Accepted"));
        let said = l.event(last);
        assert!(
            said.iter().any(|e| e.contains(": Accepted (b=") && e.ends_with(".2, v=10)")),
            "{what}: {said:?}"
        );
        l.lab.seek(l.at[last]);
        while l.lab.step() {}
        assert!(l.lab.violation().is_none(), "{what}");
        let snap = l.lab.snapshot();
        assert!((0..5).all(|n| field(&snap, n, "learned") == "10"), "{what}: every learner learns 10");
    }
}

/// With ignore-promised-value S2 proposes its own 20 at the same step, and the lesson's last
/// step is the violation the checker reports: two values chosen.
#[test]
fn with_ignore_promised_value_the_adopt_lesson_ends_on_two_chosen_values() {
    for seed in SEEDS {
        let mut l = lesson("adopt", seed, Some(ADOPT_MUTANT));
        let what = l.what.clone();
        let adopt = l.index(&Cue::Send("Accept"), 1);
        assert_eq!(l.steps[adopt].break_it, Some(ADOPT_MUTANT));
        let snap = l.after(adopt);
        assert_eq!((field(&snap, 1, "client value"), field(&snap, 1, "proposing")), ("20", "20"), "{what}");
        let broken = l.index(&Cue::Violation, 0);
        assert_eq!(broken, adopt + 1);
        let mut run = lesson("adopt", seed, Some(ADOPT_MUTANT)).lab;
        while run.step() {}
        let v = run.violation().unwrap_or_else(|| panic!("{what}: the mutant breaks nothing"));
        assert_eq!(v.event, l.at[broken], "{what}");
        assert_eq!(v.property, "agreement", "{what}");
        assert!(
            v.message.contains("10 was chosen at ballot 1.1, then 20 was chosen"),
            "{what}: {}",
            v.message
        );
    }
}

/// Two of five acceptors cut off: the Accept goes out on promises from S1 to S3, and by the
/// heal a majority has accepted one value, which all three learners learned, S4 and S5 nothing.
#[test]
fn the_minority_lesson_decides_with_s1_to_s3_alone() {
    for seed in SEEDS {
        let mut l = lesson("minority-cut-off", seed, None);
        let what = l.what.clone();
        let split = l.index(&Cue::Partition, 0);
        assert_eq!(l.after(split).groups, [0, 0, 0, 1, 1], "{what}");
        let accept = l.index(&Cue::Send("Accept"), 0);
        let said = l.event(accept);
        let promise =
            said.iter().find(|e| e.contains("receives Promise")).expect("a promise completes a majority");
        assert!(["from S1", "from S2", "from S3"].iter().any(|f| promise.contains(f)), "{what}: {promise}");
        let snap = l.after(l.index(&Cue::Heal, 0));
        let accepted: Vec<&str> = (0..5).map(|n| field(&snap, n, "accepted")).collect();
        assert_eq!(&accepted[3..], ["nothing", "nothing"], "{what}");
        assert!(
            accepted[0] != "nothing" && accepted[..3].iter().all(|a| *a == accepted[0]),
            "{what}: {accepted:?}"
        );
        let value = accepted[0].split(' ').next().expect("a value");
        assert!((0..3).all(|n| field(&snap, n, "learned") == value), "{what}");
    }
}

/// The duels: without back-off, refusals send proposers back to phase 1 within milliseconds and
/// ballots climb to round 3 at least on every seed (the lesson steps on rounds 2 and 3); the last
/// step's promise reports an accepted value. With back-off the same duel climbs less high.
#[test]
fn the_duel_lessons_climb_through_the_rounds_they_name() {
    let mut rounds = (0, 0);
    for seed in SEEDS {
        let mut l = lesson("dueling", seed, None);
        let what = l.what.clone();
        let nack = l.index(&Cue::Send("Nack"), 0);
        assert!(
            l.event(nack).iter().any(|e| e.contains(": Nack (b=1.")),
            "{what}: the first refusal is of round 1"
        );
        for (round, cue) in [(2, Cue::Says("Prepare (b=2.")), (3, Cue::Says("Prepare (b=3."))] {
            let i = l.index(&cue, 0);
            let said = l.event(i);
            let prepares =
                said.iter().filter(|e| e.contains(&alloc::format!(": Prepare (b={round}."))).count();
            assert_eq!(prepares, 5, "{what}: a proposer prepares round {round} at all five acceptors");
        }
        let last = l.steps.len() - 1;
        assert!(l.event(last).iter().any(|e| e.contains("Promise") && e.contains(", accepted ")), "{what}");
        rounds.0 += top_round(&mut l);

        let mut l = lesson("dueling-backoff", seed, None);
        let what = l.what.clone();
        let nack = l.index(&Cue::Send("Nack"), 0);
        assert!(
            l.event(nack).iter().any(|e| e.contains(": Nack (b=1.")),
            "{what}: the first refusal is of round 1"
        );
        let said = l.event(l.index(&Cue::Send("Accepted"), 0));
        assert!(said.iter().any(|e| e.contains(": Accepted (b=")), "{what}");
        let retry = l.index(&Cue::Timer("retry"), 0);
        let said = l.event(retry);
        let again = said.iter().filter(|e| e.contains(": Prepare (b=") && !e.contains("(b=1.")).count();
        assert_eq!(again, 5, "{what}: a retry prepares a higher ballot at all five acceptors: {said:?}");
        rounds.1 += top_round(&mut l);
    }
    assert!(rounds.0 > 2 * rounds.1, "without back-off the rounds climb higher: {rounds:?}");
}

/// The highest round any proposer reached, by the end of the run.
fn top_round(l: &mut Lesson) -> u64 {
    while l.lab.step() {}
    let snap = l.lab.snapshot();
    let rounds = snap.nodes.iter().filter_map(|n| n.view.fields.iter().find(|(k, _)| k == "ballot"));
    rounds.filter_map(|(_, b)| b.split('.').next()?.parse::<u64>().ok()).max().unwrap_or(0)
}
