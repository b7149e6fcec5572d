#![cfg(not(target_arch = "wasm32"))]
//! Time travel: seeking anywhere gives the state a straight run reaches, and user actions in
//! the past start a new branch that replays exactly.

use distlab_core::lab::{self, Action, LabConfig};
use distlab_core::net::FaultPreset;
use distlab_core::paxos::setup::Config as PaxosConfig;
use distlab_core::protocol::NodeId;
use distlab_core::registry::Setup;
use distlab_core::timeline::CHECKPOINT_EVERY;

fn heavy(seed: u64) -> LabConfig {
    LabConfig { seed, faults: FaultPreset::Heavy, ..LabConfig::default() }
}

fn straight(cfg: &LabConfig, n: u64) -> u64 {
    let mut l = lab::build(cfg).unwrap();
    while l.position() < n && l.step() {}
    l.trace_hash()
}

#[test]
fn seeking_back_and_forth_matches_a_straight_run() {
    let cfg = heavy(5);
    let mut l = lab::build(&cfg).unwrap();
    l.seek(5_000);
    assert_eq!(l.position(), 5_000);
    for target in [4_999, 1, 0, CHECKPOINT_EVERY, CHECKPOINT_EVERY - 1, 3_333, 5_000, 4_096] {
        l.seek(target);
        assert_eq!(l.position(), target);
        assert_eq!(l.trace_hash(), straight(&cfg, target), "at {target}");
    }
}

#[test]
fn step_back_restores_the_previous_snapshot() {
    let mut l = lab::build(&heavy(6)).unwrap();
    l.seek(2_500);
    let before = l.snapshot();
    l.step();
    assert_ne!(l.snapshot(), before);
    l.seek(2_500);
    let after = l.snapshot();
    assert_eq!(after.horizon, 2_501, "stepping back keeps the future reachable");
    assert_eq!(lab::Snapshot { horizon: before.horizon, ..after }, before);
}

#[test]
fn acting_in_the_past_truncates_and_replays_the_new_branch() {
    let cfg = heavy(7);
    let mut l = lab::build(&cfg).unwrap();
    l.seek(3_000);
    let old_future = l.trace_hash();
    l.seek(1_000);
    l.act(Action::Crash(NodeId(0))).unwrap();
    assert_eq!(l.position(), 1_001);
    assert_eq!(l.horizon(), 1_001, "the old future is gone");
    l.seek(3_000);
    let new_future = l.trace_hash();
    assert_ne!(new_future, old_future);
    // Going back before the action and forward again replays the recorded input.
    l.seek(10);
    l.seek(3_000);
    assert_eq!(l.trace_hash(), new_future);
}

#[test]
fn the_event_log_replays_exactly_the_requested_events() {
    let mut l = lab::build(&heavy(8)).unwrap();
    l.seek(2_000);
    let lines = l.log(1_990, 2_000, usize::MAX);
    assert!(!lines.is_empty());
    assert!(lines.iter().all(|e| e.event > 1_990 && e.event <= 2_000));
    assert_eq!(l.position(), 2_000, "reading the log does not move the run");
}

#[test]
fn bad_actions_are_refused_with_a_message_and_change_nothing() {
    let mut l = lab::build(&LabConfig::default()).unwrap();
    l.seek(5);
    let before = l.trace_hash();
    let errors = [
        l.act(Action::Crash(NodeId(7))).unwrap_err(),
        l.act(Action::Partition(vec![])).unwrap_err(),
        l.act(Action::Cut(NodeId(1), NodeId(1))).unwrap_err(),
        l.act(Action::Client(NodeId(0), "ten".into())).unwrap_err(),
        l.act(Action::Drop(distlab_core::protocol::MsgId(999_999))).unwrap_err(),
    ];
    assert!(errors[0].contains("no node S8"), "{}", errors[0]);
    assert!(errors[3].contains("whole number"), "{}", errors[3]);
    assert_eq!(l.trace_hash(), before);
    assert_eq!(l.position(), 5);
}

#[test]
fn config_limits_are_enforced_with_named_fields() {
    let roles = PaxosConfig { acceptors: distlab_core::paxos::MAX_ROLE + 1, ..Default::default() };
    let too_many = LabConfig::new(Setup::Paxos(roles));
    let err = lab::build(&too_many).err().unwrap();
    assert!(err.contains("acceptors"), "{err}");
    let bad_mutant = LabConfig { mutant: Some("nope".into()), ..LabConfig::default() };
    assert!(lab::build(&bad_mutant).err().unwrap().contains("forget-promise"));
    assert!(LabConfig::opening("zab").err().unwrap().contains("unknown protocol"));
}

#[test]
fn long_runs_thin_their_checkpoints_and_still_seek_exactly() {
    use distlab_core::timeline::MAX_CHECKPOINTS;
    let cfg = heavy(11);
    let far = CHECKPOINT_EVERY * (MAX_CHECKPOINTS as u64 + 100);
    let mut l = lab::build(&cfg).unwrap();
    l.seek(far);
    assert_eq!(l.position(), far);
    for target in [far - 1, far / 2 + 17, 3, far - CHECKPOINT_EVERY * 3] {
        l.seek(target);
        assert_eq!(l.trace_hash(), straight(&cfg, target), "at {target}");
    }
}

#[test]
fn the_event_log_folds_an_event_with_many_records_into_a_count() {
    // One proposer and 100 acceptors: the client request is one event with 100 Prepares.
    let roles = PaxosConfig { proposers: 1, acceptors: 100, learners: 1, ..Default::default() };
    let cfg = LabConfig::new(Setup::Paxos(roles));
    let mut l = lab::build(&cfg).unwrap();
    l.seek(1);
    let all = l.log(0, 1, usize::MAX);
    assert_eq!(all.len(), 101, "the request and 100 sends");
    let folded = l.log(0, 1, 6);
    assert_eq!(folded.len(), 7);
    assert_eq!(folded[..6], all[..6]);
    assert_eq!(folded[6].folded, 94);
    assert_eq!(folded[6].text, "… and 95 more");
    assert_eq!(folded.iter().map(|x| 1 + x.folded as usize).sum::<usize>(), all.len());
}

/// The diagram of events `from+1 ..= to` of a lab that took `actions`, built by a lab that
/// never drew another window.
fn fresh_diagram(
    cfg: &LabConfig,
    actions: &[(u64, Action)],
    from: u64,
    to: u64,
) -> distlab_core::diagram::Diagram {
    let mut l = lab::build(cfg).unwrap();
    for (at, action) in actions {
        l.seek(*at);
        l.act(action.clone()).unwrap();
    }
    l.seek(to);
    l.diagram(from, to)
}

#[test]
fn the_diagram_keeps_its_window_between_steps_and_draws_what_a_fresh_one_draws() {
    let cfg = heavy(8);
    let mut l = lab::build(&cfg).unwrap();
    l.seek(3_000);
    let mut windows =
        vec![(2_000, 3_000), (1_999, 2_999), (2_001, 3_000), (1_500, 2_500), (2_400, 3_000), (100, 300)];
    windows.extend((0..20).map(|i| (2_500 - i, 3_000 - i)));
    for (from, to) in windows {
        l.seek(to);
        let d = l.diagram(from, to);
        assert!(!d.arrows.is_empty(), "{from}..{to}");
        assert_eq!(d, fresh_diagram(&cfg, &[], from, to), "window {from}..{to}");
    }
    // A crash in the past makes another future: the window kept from the old one is not reused.
    l.seek(2_000);
    let old = l.diagram(2_000, 3_000);
    l.seek(2_500);
    l.act(Action::Crash(NodeId(0))).unwrap();
    l.seek(3_000);
    let new = l.diagram(2_000, 3_000);
    assert_ne!(new, old, "the crash changed events 2,501–3,000");
    assert_eq!(new, fresh_diagram(&cfg, &[(2_500, Action::Crash(NodeId(0)))], 2_000, 3_000));
}

/// Sliding forward one event at a time continues the replay the last window left (no
/// checkpoint): what it draws is what a fresh lab draws, across a branch made in its past too.
#[test]
fn a_window_sliding_forward_draws_what_a_fresh_one_draws() {
    let cfg = heavy(8);
    let mut l = lab::build(&cfg).unwrap();
    let mut actions = Vec::new();
    for i in 0..40u64 {
        if i == 20 {
            l.seek(2_515);
            l.act(Action::Crash(NodeId(1))).unwrap();
            actions.push((2_515, Action::Crash(NodeId(1))));
        }
        let (from, to) = (2_000 + i, 2_500 + i);
        l.seek(to);
        let d = l.diagram(from, to);
        if i % 7 == 0 || i == 20 || i == 21 || i == 39 {
            assert_eq!(d, fresh_diagram(&cfg, &actions, from, to), "window {from}..{to}");
        }
    }
}

#[test]
fn the_diagram_marks_the_deliveries_that_changed_their_receiver() {
    let mut l = lab::build(&heavy(9)).unwrap();
    l.seek(2_000);
    let d = l.diagram(1_000, 2_000);
    let delivered: Vec<_> =
        d.arrows.iter().filter(|a| a.fate == distlab_core::diagram::Fate::Delivered).collect();
    assert!(d.arrows.iter().all(|a| !a.changed || a.fate == distlab_core::diagram::Fate::Delivered));
    assert!(delivered.iter().any(|a| a.changed), "some deliveries change their receiver");
    assert!(delivered.iter().any(|a| !a.changed), "and some (a duplicate vote, a stale reply) do not");
}

#[test]
fn the_event_log_reads_the_diagrams_window_and_says_the_same() {
    let cfg = heavy(10);
    let mut l = lab::build(&cfg).unwrap();
    l.seek(3_000);
    let replayed = l.log(2_960, 3_000, 6);
    l.diagram(2_000, 3_000);
    assert_eq!(l.log(2_960, 3_000, 6), replayed, "read from the window");
    assert_eq!(
        l.log(1_990, 2_010, 6),
        lab::build(&cfg)
            .map(|mut f| {
                f.seek(3_000);
                f.log(1_990, 2_010, 6)
            })
            .unwrap(),
        "partly outside it: replayed"
    );
    l.seek(2_990);
    l.act(Action::Crash(NodeId(1))).unwrap();
    l.seek(3_000);
    let after = l.log(2_960, 3_000, 6);
    assert_ne!(after, replayed, "another branch: not the old window's records");
    assert!(after.iter().any(|e| e.text.contains("crash")), "{after:?}");
}
