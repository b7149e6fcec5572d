//! Finding a lesson's moments in a run: [`locate`] replays it and matches each step's
//! [`Cue`] against the events, in order.

use alloc::string::String;
use alloc::vec::Vec;

use crate::lesson::{Cue, Step, Stop};
use crate::protocol::{MessageInfo, Present, Time};
use crate::sim::Sim;
use crate::timeline::Timeline;
use crate::trace::RecordKind;

/// Most events [`locate`] replays looking for the steps' moments.
pub const MAX_SCAN: u64 = 50_000;

/// How each node is drawn, for the cues that compare before and after an event: its role, and
/// its badge and card lines in one string.
type Looks = Vec<(String, String)>;

/// Does the event just run on `sim` match `cue`? `looks` holds how each node was drawn before
/// the event and is brought up to date.
fn matches<P: Present>(cue: &Cue, sim: &Sim<P>, looks: &mut Looks) -> bool {
    let records = sim.last_records();
    let any = |f: &dyn Fn(&RecordKind<P>) -> bool| records.iter().any(|r| f(&r.kind));
    match cue {
        Cue::Start => true,
        Cue::At(ms) => sim.now() >= Time::from_ms(*ms),
        Cue::Send(kind) => any(&|k| matches!(k, RecordKind::Send { msg, .. } if msg.kind() == *kind)),
        Cue::Deliver(kind) => any(&|k| matches!(k, RecordKind::Deliver { msg, .. } if msg.kind() == *kind)),
        Cue::Timer(label) => {
            any(&|k| matches!(k, RecordKind::Timer { timer, .. } if P::timer_label(timer) == *label))
        }
        Cue::Crash => any(&|k| matches!(k, RecordKind::Crash { .. })),
        Cue::Restart => any(&|k| matches!(k, RecordKind::Restart { .. })),
        Cue::Partition => any(&|k| matches!(k, RecordKind::Partition { .. })),
        Cue::Heal => any(&|k| matches!(k, RecordKind::Heal)),
        Cue::Violation => any(&|k| matches!(k, RecordKind::Violation { .. })),
        Cue::LogsAgree => {
            let ends = sim.nodes().iter().zip(sim.status()).filter(|(_, st)| st.up).filter_map(|(n, _)| {
                sim.proto.log_detail(n).map(|l| {
                    let last = l.first_index + l.entries.len() as u64;
                    let term = l.entries.last().map(|e| e.0).or(l.snapshot.map(|s| s.1)).unwrap_or(0);
                    (last, term, l.commit)
                })
            });
            let ends: Vec<(u64, u64, u64)> = ends.collect();
            ends.len() >= 2 && ends.iter().all(|e| *e == ends[0])
        }
        Cue::Says(text) => records.iter().any(|r| r.describe().contains(text)),
        Cue::Role(role) => {
            let now = node_looks(sim);
            let found = now.iter().enumerate().any(|(i, (r, _))| {
                r == role && sim.status()[i].up && looks.get(i).is_none_or(|before| before.0 != *role)
            });
            *looks = now;
            found
        }
        Cue::Shows(text) => {
            let now = node_looks(sim);
            let found = now.iter().enumerate().any(|(i, (_, shown))| {
                shown.contains(text)
                    && sim.status()[i].up
                    && looks.get(i).is_none_or(|before| !before.1.contains(text))
            });
            *looks = now;
            found
        }
        Cue::EveryoneShows(text) => {
            let now = node_looks(sim);
            let live = || now.iter().enumerate().filter(|(i, _)| sim.status()[*i].up);
            let everyone = live().all(|(_, (_, shown))| shown.contains(text));
            let news = live().any(|(i, _)| looks.get(i).is_none_or(|before| !before.1.contains(text)));
            *looks = now;
            everyone && news
        }
    }
}

fn node_looks<P: Present>(sim: &Sim<P>) -> Looks {
    sim.nodes()
        .iter()
        .map(|n| {
            let v = sim.proto.view(n);
            let mut shown = v.badge;
            for line in v.summary {
                shown.push_str(" · ");
                shown.push_str(&line);
            }
            (v.role, shown)
        })
        .collect()
}

/// Where each step's moment is: the position just after its event (0 for the start), found in
/// order, each at a later event than the previous step's; `None` for a step whose moment the run does not
/// reach within [`MAX_SCAN`] events (and for every step after it). The run is replayed from its
/// start with the timeline's inputs; the timeline itself does not move.
pub fn locate<P: Present>(steps: &[Step], timeline: &Timeline<P>) -> Vec<Option<Stop>> {
    let mut replay = timeline.scratch_from_start();
    let mut out: Vec<Option<Stop>> = Vec::with_capacity(steps.len());
    let mut looks = node_looks(replay.sim());
    let mut i = 0;
    // Steps cued at the start (or at time zero) sit at position 0.
    while i < steps.len() && (steps[i].cue == Cue::Start || steps[i].cue == Cue::At(0)) {
        out.push(Some(Stop { position: 0, time_us: 0 }));
        i += 1;
    }
    while i < steps.len() && replay.position() < MAX_SCAN && replay.step_no_checkpoint() {
        let sim = replay.sim();
        if matches(&steps[i].cue, sim, &mut looks) {
            out.push(Some(Stop { position: replay.position(), time_us: sim.now().0 }));
            i += 1;
            // The next step's moment is a later event; a role cue starts from the looks now.
            looks = node_looks(sim);
        }
    }
    out.resize(steps.len(), None);
    out
}

#[cfg(test)]
mod tests {
    use alloc::string::ToString;
    use alloc::vec::Vec;

    use crate::lab::{build, LabConfig};
    use crate::lesson::Cue;
    use crate::registry::{presets, PROTOCOLS};

    fn preset(protocol: &str, name: &str, seed: u64, mutant: Option<&str>) -> LabConfig {
        LabConfig {
            scenario: Some(name.to_string()),
            seed,
            mutant: mutant.map(ToString::to_string),
            ..LabConfig::opening(protocol).expect("registered")
        }
    }

    #[test]
    fn every_step_of_every_preset_happens_in_order_on_many_seeds() {
        for protocol in PROTOCOLS {
            for (name, _) in presets(protocol) {
                for seed in 1..=8 {
                    let mut lab = build(&preset(protocol, name, seed, None)).expect("a preset builds");
                    // As on the page: a lesson may go on past the violation it shows.
                    lab.run_past_violations();
                    let steps = lab.narration();
                    let stops = lab.locate();
                    assert_eq!(stops.len(), steps.len());
                    let mut last = 0;
                    for (step, stop) in steps.iter().zip(&stops) {
                        let stop = stop.unwrap_or_else(|| {
                            panic!(
                                "{protocol} {name} seed {seed}: \"{}\" ({:?}) never happens",
                                step.text, step.cue
                            )
                        });
                        assert!(stop.position >= last, "{protocol} {name} seed {seed}: steps out of order");
                        last = stop.position;
                    }
                }
            }
        }
    }

    #[test]
    fn a_role_cue_stops_at_the_event_that_made_a_node_leader() {
        let mut lab = build(&preset("raft", "leader-crash", 1, None)).expect("builds");
        let steps = lab.narration();
        let stops = lab.locate();
        let (i, _) =
            steps.iter().enumerate().find(|(_, s)| s.cue == Cue::Role("leader")).expect("a role step");
        let at = stops[i].expect("found").position;
        let leaders = |lab: &dyn crate::lab::Lab| {
            lab.snapshot()
                .nodes
                .iter()
                .filter(|n| n.up && n.view.role == "leader")
                .map(|n| n.id)
                .collect::<Vec<_>>()
        };
        lab.seek(at - 1);
        let before = leaders(lab.as_ref());
        lab.seek(at);
        let after = leaders(lab.as_ref());
        assert!(after.iter().any(|n| !before.contains(n)), "before {before:?}, after {after:?}");
    }

    #[test]
    fn a_violation_cue_is_the_event_the_badge_names() {
        let lab = build(&preset("raft", "figure-8", 1, Some("commit-old-term"))).expect("builds");
        let steps = lab.narration();
        let stops = lab.locate();
        let i =
            steps.iter().position(|s| s.cue == Cue::Violation).expect("the mutant's lesson shows the break");
        let mut run = build(&preset("raft", "figure-8", 1, Some("commit-old-term"))).expect("builds");
        while run.step() {}
        let v = run.violation().expect("the mutant breaks safety");
        assert_eq!(stops[i].expect("found").position, v.event);
    }
}
