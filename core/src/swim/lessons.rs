//! The SWIM lessons on seeds 1 to 8, with every mutant a step offers: the mutant's lesson
//! follows the plain one up to the break and ends on the violation the badge names, of the
//! property the mutant breaks; and what the plain lessons say is what the run shows.

use alloc::string::ToString;

use crate::lab::{build, LabConfig};
use crate::lesson::Cue;

use super::scenarios::SCENARIOS;

fn preset(name: &str, seed: u64, mutant: Option<&str>) -> LabConfig {
    LabConfig {
        scenario: Some(name.to_string()),
        seed,
        mutant: mutant.map(ToString::to_string),
        ..LabConfig::opening("swim").expect("registered")
    }
}

/// The property each offered mutant breaks first.
fn breaks(mutant: &str) -> &'static str {
    match mutant {
        "suspect-forever" => "completeness",
        "suspicion-skipped" => "accuracy",
        "refutation-ignored" => "refutation",
        other => panic!("no lesson offers {other}"),
    }
}

#[test]
fn every_offered_mutant_breaks_its_property_at_the_lessons_last_step() {
    for (name, _) in SCENARIOS {
        for seed in 1..=8 {
            let plain = build(&preset(name, seed, None)).expect("builds");
            let steps = plain.narration();
            for (i, step) in steps.iter().enumerate() {
                let Some(mutant) = step.break_it else { continue };
                let what = alloc::format!("{name} seed {seed} {mutant}");
                let mut broken = build(&preset(name, seed, Some(mutant))).expect("builds");
                broken.run_past_violations();
                let bsteps = broken.narration();
                let stops = broken.locate();
                assert!(stops.iter().all(|s| s.is_some()), "{what}: a step never happens");
                let last = bsteps.last().expect("steps");
                assert_eq!(last.cue, Cue::Violation, "{what}");
                assert!(bsteps.len() >= i, "{what}: the mutant's lesson mirrors the plain one to the break");
                let mut run = build(&preset(name, seed, Some(mutant))).expect("builds");
                while run.step() {}
                let v = run.violation().unwrap_or_else(|| panic!("{what}: no violation"));
                assert_eq!(v.property, breaks(mutant), "{what}: {}", v.message);
            }
        }
    }
}

/// The crash lesson: after the last step someone believes S3 dead, and by the run's end every
/// live member does; the partition lesson: by the run's end every list shows everyone alive;
/// the false suspicion lesson: S4 refuted at #1 and nobody believes it dead.
#[test]
fn the_lessons_end_where_they_say() {
    for seed in 1..=8 {
        let mut lab = build(&preset("crash-detected", seed, None)).expect("builds");
        let stops: alloc::vec::Vec<u64> =
            lab.locate().into_iter().map(|s| s.expect("found").position).collect();
        let believers = |lab: &mut dyn crate::lab::Lab, at: u64| {
            lab.seek(at);
            let snap = lab.snapshot();
            let says_dead = snap
                .nodes
                .iter()
                .filter(|n| n.view.fields.iter().any(|f| f.0 == "believes dead" && f.1.contains("S3")));
            says_dead.count()
        };
        let [.., declared, everyone] = stops[..] else { panic!("crash-detected has its steps") };
        assert!(believers(&mut *lab, declared) >= 1, "crash-detected seed {seed}: someone believes S3 dead");
        assert!(believers(&mut *lab, declared) < 7, "crash-detected seed {seed}: not yet everyone");
        // "Every live member's list shows S3 dead": all seven, at the last step and just before it not.
        assert_eq!(believers(&mut *lab, everyone), 7, "crash-detected seed {seed}: every live member");
        assert!(believers(&mut *lab, everyone - 1) < 7, "crash-detected seed {seed}: the step is the moment");

        // The partition heals, and every list shows everyone alive again by the run's end.
        let mut lab = build(&preset("partition-heals", seed, None)).expect("builds");
        while lab.step() {}
        assert!(lab.violation().is_none(), "partition-heals seed {seed}");
        let snap = lab.snapshot();
        for n in &snap.nodes {
            let believes = n.view.fields.iter().find(|f| f.0 == "believes").map(|f| f.1.as_str());
            assert_eq!(
                believes,
                Some("8 alive · 0 suspect · 0 dead"),
                "partition-heals seed {seed}: {}",
                n.name
            );
        }

        let mut lab = build(&preset("false-suspicion", seed, None)).expect("builds");
        let stops = lab.locate();
        let end = stops.last().copied().flatten().expect("found").position;
        lab.seek(end);
        let snap = lab.snapshot();
        let inc = snap.nodes[3].view.fields.iter().find(|f| f.0 == "incarnation").map(|f| f.1.clone());
        assert_eq!(inc.as_deref(), Some("#1"), "false-suspicion seed {seed}");
        while lab.step() {}
        assert!(lab.violation().is_none(), "false-suspicion seed {seed}");
    }
}
