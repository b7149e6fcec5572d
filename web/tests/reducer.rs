//! The page's reducer, natively: each test builds a [`Player`] for a configuration, sends it
//! messages through `Reducible::reduce` exactly as the page's dispatcher does, and checks the
//! state that comes out. This only runs because the reducer is pure: a browser call inside it
//! (local storage, the clock, the URL) would panic here, outside a browser.
//!
//! The player's run (`Lab`) is shared between successive states, as on the page: a test reads
//! only the latest state, and compares positions with a second player built the same way.
#![cfg(not(target_arch = "wasm32"))]

use std::rc::Rc;

use distlab_core::explore::Bounds;
use distlab_core::lab::{Action, LabConfig, Snapshot};
use distlab_core::net::FaultPreset;
use distlab_core::protocol::{MsgId, NodeId};
use distlab_core::scenario;
use distlab_web::exploring::{BUDGET_MIN, BUDGET_START};
use distlab_web::state::{Msg, Player, Selection, DIAGRAM_SPANS, SPEED_LOG_MAX, SPEED_LOG_MIN};
use yew::Reducible;

/// A configuration for `protocol` with the defaults otherwise.
fn config(protocol: &str) -> LabConfig {
    LabConfig::new(distlab_core::registry::Setup::default_for(protocol).expect("a registered protocol"))
}

fn player(cfg: LabConfig) -> Rc<Player> {
    Rc::new(Player::new(cfg))
}

/// Send each message in turn, as the dispatcher would.
fn send(p: Rc<Player>, msgs: impl IntoIterator<Item = Msg>) -> Rc<Player> {
    msgs.into_iter().fold(p, |p, m| p.reduce(m))
}

/// A snapshot without its horizon (how far the run has ever been), which going back keeps.
fn here(s: &Snapshot) -> Snapshot {
    Snapshot { horizon: 0, ..s.clone() }
}

fn steps(n: usize) -> impl Iterator<Item = Msg> {
    (0..n).map(|_| Msg::Step)
}

/// Play with frames of `ms` wall milliseconds until the run stops by itself (at most `frames`).
fn play_until_stopped(p: Rc<Player>, ms: f64, frames: usize) -> Rc<Player> {
    let mut p = send(p, [Msg::TogglePlay]);
    assert!(p.playing);
    for _ in 0..frames {
        if !p.playing {
            break;
        }
        p = p.reduce(Msg::Frame(ms, true));
    }
    p
}

/// The first message in flight after stepping from the start, and the player there.
fn with_a_message_in_flight() -> (Rc<Player>, u64) {
    let mut p = player(LabConfig::default());
    for _ in 0..50 {
        if let Some(f) = p.snap.flights.first() {
            return (p.clone(), f.id.0);
        }
        p = p.reduce(Msg::Step);
    }
    panic!("no message was sent in 50 events");
}

#[test]
fn a_new_player_stands_paused_at_the_start_with_its_scenario_document() {
    let p = player(LabConfig { seed: 9, ..LabConfig::default() });
    assert!(!p.playing);
    assert_eq!(p.snap.position, 0);
    assert_eq!(p.display_us, 0.0);
    assert_eq!(p.error, None);
    assert_eq!(p.speed_log, 0.0);
    assert_eq!(p.diagram_span, DIAGRAM_SPANS[1]);
    assert_eq!(p.doc.protocol, "paxos");
    assert_eq!(p.doc.seed, 9);
    assert!(p.doc.actions.is_empty());
    // Kafka's clients talk every few tens of milliseconds: its page starts faster.
    let kafka = player(LabConfig { scenario: Some("hello".into()), ..config("kafka") });
    assert_eq!(kafka.error, None);
    assert_eq!(kafka.speed_log, 0.5);
}

#[test]
fn a_config_that_does_not_build_opens_the_default_run_and_says_why() {
    let p = player(LabConfig { mutant: Some("nope".into()), seed: 4, ..LabConfig::default() });
    let error = p.error.as_deref().expect("an error");
    assert!(error.contains("nope"), "{error}");
    assert_eq!(p.config, LabConfig::default());
    assert_eq!(p.doc.seed, LabConfig::default().seed);
}

#[test]
fn step_runs_one_event_and_announces_it() {
    let p = send(player(LabConfig::default()), steps(1));
    assert_eq!(p.snap.position, 1);
    assert!(!p.playing);
    assert_eq!(p.display_us, p.snap.time.0 as f64);
    let last = p.log.last().expect("a log line");
    assert_eq!(last.event, 1);
    assert_eq!(distlab_web::i18n::unmarked(&p.announce), format!("Event 1: {}", last.text));
    // Stepping pauses a playing run.
    let p = send(p, [Msg::TogglePlay, Msg::Step]);
    assert!(!p.playing);
    assert_eq!(p.snap.position, 2);
}

#[test]
fn back_restores_exactly_the_previous_position() {
    let back = send(player(LabConfig::default()), steps(12).chain([Msg::Back]));
    let straight = send(player(LabConfig::default()), steps(11));
    assert_eq!(back.snap.position, 11);
    assert_eq!(here(&back.snap), here(&straight.snap));
    assert_eq!(back.snap.horizon, 12);
    assert_eq!(back.log, straight.log);
    assert_eq!(back.display_us, straight.display_us);
    // At the start there is nothing to go back to.
    let start = send(player(LabConfig::default()), [Msg::Back]);
    assert_eq!(start.snap.position, 0);
}

#[test]
fn seek_moves_to_an_event_either_way_and_pauses() {
    let p = send(player(LabConfig::default()), [Msg::TogglePlay, Msg::Seek(30)]);
    assert!(!p.playing);
    assert_eq!(p.snap.position, 30);
    assert_eq!(p.display_us, p.snap.time.0 as f64);
    let p = send(p, [Msg::Seek(10)]);
    assert_eq!(p.snap.position, 10);
    assert_eq!(here(&p.snap), here(&send(player(LabConfig::default()), steps(10)).snap));
    assert_eq!(p.snap.horizon, 30);
}

#[test]
fn seek_time_runs_every_event_up_to_that_time_and_no_further() {
    let later = send(player(LabConfig::default()), steps(20));
    let t = later.snap.time.0;
    for from in [0, 40] {
        // From the start (forward) and from past it (rewinding).
        let p = send(player(LabConfig::default()), steps(from).chain([Msg::SeekTime(t)]));
        assert!(p.snap.time.0 <= t);
        let next = p.lab.borrow().next_time().expect("more events");
        assert!(next.0 > t, "an event at {} ≤ {t} did not run", next.0);
        assert!(p.snap.position >= 20);
        assert_eq!(p.display_us, t as f64);
    }
}

#[test]
fn frames_advance_display_time_with_wall_time_and_speed_only_while_playing() {
    // Paused: a frame changes nothing.
    let paused = send(player(LabConfig::default()), [Msg::Frame(16.0, true)]);
    assert_eq!(paused.display_us, 0.0);
    assert_eq!(paused.frames, 0);
    // Playing: the drawn time advances by wall time × speed (× 10 while nothing is in flight),
    // and every event up to it runs.
    let at = |speed_log: f64| {
        let p = send(player(LabConfig::default()), [Msg::SetSpeedLog(speed_log), Msg::TogglePlay]);
        send(p, [Msg::Frame(16.0, true)])
    };
    let (slow, fast) = (at(0.0), at(1.0));
    assert_eq!(slow.frames, 1);
    assert!(slow.display_us > 0.0);
    let ratio = fast.display_us / slow.display_us;
    assert!((ratio - 10.0).abs() < 1e-9, "10× speed drew {ratio}× the time");
    for p in [&slow, &fast] {
        let next = p.lab.borrow().next_time().map_or(f64::MAX, |t| t.0 as f64);
        assert!(next > p.display_us, "an event due at {next} did not run by {}", p.display_us);
    }
    // A long pause between frames (a background tab) counts as at most 100 ms.
    let long = send(player(LabConfig::default()), [Msg::TogglePlay, Msg::Frame(60_000.0, true)]);
    let short = send(player(LabConfig::default()), [Msg::TogglePlay, Msg::Frame(100.0, true)]);
    assert_eq!(long.display_us, short.display_us);
}

#[test]
fn speed_stays_within_its_range() {
    let p = send(player(LabConfig::default()), [Msg::SetSpeedLog(9.0)]);
    assert_eq!(p.speed_log, SPEED_LOG_MAX);
    let p = send(p, [Msg::SetSpeedLog(-9.0)]);
    assert_eq!(p.speed_log, SPEED_LOG_MIN);
    let p = send(p, [Msg::SetSpeedLog(1.0)]);
    assert!((p.speed() - 10.0).abs() < 1e-6);
}

#[test]
fn play_and_pause_toggle_and_clear_the_notice() {
    let p = play_until_stopped(player(LabConfig::default()), 100.0, 5_000);
    assert!(p.notice.is_some());
    let p = send(p, [Msg::Seek(3), Msg::TogglePlay]);
    assert!(p.playing);
    assert_eq!(p.notice, None);
    let p = send(p, [Msg::TogglePlay]);
    assert!(!p.playing);
}

#[test]
fn a_run_that_ends_stops_playing_and_says_so() {
    // Paxos without faults decides and falls idle within a hundred events or so.
    let p = play_until_stopped(player(LabConfig::default()), 100.0, 5_000);
    assert!(!p.playing);
    assert!(p.snap.at_end);
    assert!(p.snap.violation.is_none());
    assert_eq!(p.notice.as_deref(), Some("Nothing more can happen in this run: every node is idle."));
    // At the end, play does not start again.
    let p = send(p, [Msg::TogglePlay]);
    assert!(!p.playing);
}

#[test]
fn a_violation_stops_play_at_the_event_that_broke_safety() {
    // Seed 1 of the accept-below-promise mutant breaks agreement at event 27; the correct
    // protocol with the same seed runs to its end (the test above).
    let cfg = LabConfig { mutant: Some("accept-below-promise".into()), seed: 1, ..LabConfig::default() };
    let p = play_until_stopped(player(cfg), 100.0, 5_000);
    assert!(!p.playing);
    let v = p.snap.violation.as_ref().expect("a violation");
    assert_eq!((v.event, v.property.as_str()), (27, "agreement"));
    assert_eq!(p.snap.position, 27);
    assert_eq!(p.display_us, p.snap.time.0 as f64);
    assert_eq!(
        p.notice.as_deref(),
        Some("A safety property broke: the run paused at the event that broke it. Step → goes on past it.")
    );
    let clean = play_until_stopped(player(LabConfig { seed: 1, ..LabConfig::default() }), 100.0, 5_000);
    assert!(clean.snap.violation.is_none());
    assert!(clean.snap.position > 27);
}

#[test]
fn selecting_a_message_pauses_the_run_and_names_it() {
    let (p, id) = with_a_message_in_flight();
    let p = send(p, [Msg::TogglePlay, Msg::Select(Some(Selection::Message(id)))]);
    assert!(!p.playing);
    assert_eq!(p.selection, Some(Selection::Message(id)));
    let f = p.snap.flights.iter().find(|f| f.id.0 == id).unwrap();
    assert!(
        distlab_web::i18n::unmarked(&p.announce)
            .starts_with(&format!("{} #{id} {} → {}", f.kind, f.from_name, f.to_name)),
        "{}",
        p.announce
    );
    // A node is selected without pausing; None clears.
    let p = send(p, [Msg::TogglePlay, Msg::Select(Some(Selection::Node(1)))]);
    assert!(p.playing);
    assert_eq!(p.selection, Some(Selection::Node(1)));
    let p = send(p, [Msg::Select(None)]);
    assert_eq!(p.selection, None);
}

#[test]
fn the_partition_plan_toggles_nodes_in_and_out() {
    let p = send(player(LabConfig::default()), [Msg::ToggleSide(1), Msg::ToggleSide(2), Msg::ToggleSide(1)]);
    assert_eq!(p.side_b, vec![2]);
    let p = send(p, [Msg::ToggleSide(0)]);
    assert_eq!(p.side_b, vec![2, 0]);
}

#[test]
fn errors_show_until_dismissed_and_help_opens_and_closes() {
    let p = send(player(LabConfig::default()), [Msg::Error("the seed must be a number".into())]);
    assert_eq!(p.error.as_deref(), Some("the seed must be a number"));
    let p = send(p, [Msg::DismissError]);
    assert_eq!(p.error, None);
    let p = send(p, [Msg::ToggleHelp]);
    assert!(p.show_help);
    let p = send(p, [Msg::ToggleHelp, Msg::ToggleHelp, Msg::CloseHelp]);
    assert!(!p.show_help);
    let p = send(p, [Msg::CloseHelp]);
    assert!(!p.show_help);
}

#[test]
fn an_action_changes_the_run_and_is_recorded_in_the_scenario_document() {
    let p = send(player(LabConfig::default()), steps(3).chain([Msg::Act(Action::Crash(NodeId(0)))]));
    assert_eq!(p.error, None);
    assert!(!p.snap.nodes[0].up);
    assert_eq!(p.doc.actions.len(), 1);
    let (_, actions) = scenario::import(&p.doc).unwrap();
    assert_eq!(actions, vec![(3, Action::Crash(NodeId(0)))]);
    // A refused action says why and changes neither the run nor the document.
    let before = (p.snap.clone(), p.doc.clone());
    let p = send(p, [Msg::Act(Action::Drop(MsgId(999_999)))]);
    assert_eq!(p.error.as_deref(), Some("message #999999 is no longer in flight"));
    assert!(Rc::ptr_eq(&p.doc, &before.1));
    assert_eq!(p.snap, before.0);
    // The next good action clears the error.
    let p = send(p, [Msg::Act(Action::Restart(NodeId(0)))]);
    assert_eq!(p.error, None);
    assert!(p.snap.nodes[0].up);
    assert_eq!(p.doc.actions.len(), 2);
}

#[test]
fn a_dropped_message_leaves_the_sky() {
    let (p, id) = with_a_message_in_flight();
    let p = send(p, [Msg::Act(Action::Drop(MsgId(id)))]);
    assert_eq!(p.error, None);
    assert!(p.snap.flights.iter().all(|f| f.id.0 != id));
}

#[test]
fn configure_rebuilds_the_run_or_reports_the_bad_setting() {
    let p = send(
        player(LabConfig::default()),
        steps(5).chain([
            Msg::Select(Some(Selection::Node(1))),
            Msg::ToggleSide(2),
            Msg::Configure(LabConfig { seed: 7, faults: FaultPreset::Light, ..LabConfig::default() }),
        ]),
    );
    assert_eq!(p.error, None);
    assert_eq!((p.config.seed, p.config.faults), (7, FaultPreset::Light));
    assert_eq!(p.snap.position, 0);
    assert_eq!(p.selection, None);
    assert!(p.side_b.is_empty());
    assert_eq!(p.doc.seed, 7);
    let bad = LabConfig { mutant: Some("nope".into()), ..LabConfig::default() };
    let p = send(p, [Msg::Step, Msg::Configure(bad)]);
    assert!(p.error.as_deref().is_some_and(|e| e.contains("nope")));
    assert_eq!(p.config.seed, 7);
    assert_eq!(p.snap.position, 1);
}

#[test]
fn reset_returns_to_the_start_but_keeps_speed_and_diagram_span() {
    let p = send(
        player(LabConfig { seed: 5, ..LabConfig::default() }),
        [Msg::SetSpeedLog(1.0), Msg::DiagramSpan(1_000)]
            .into_iter()
            .chain(steps(4))
            .chain([Msg::Act(Action::Crash(NodeId(1))), Msg::Reset]),
    );
    assert_eq!(p.snap.position, 0);
    assert_eq!(p.speed_log, 1.0);
    assert_eq!(p.diagram_span, 1_000);
    assert_eq!(p.config.seed, 5);
    assert!(p.doc.actions.is_empty());
    assert!(p.snap.nodes.iter().all(|n| n.up));
}

#[test]
fn import_opens_a_scenario_for_this_page_and_refuses_another_pages() {
    let recorded = send(
        player(LabConfig { seed: 3, ..LabConfig::default() }),
        steps(6).chain([Msg::Act(Action::Crash(NodeId(2)))]).chain(steps(2)),
    );
    let text = scenario::to_json(&recorded.doc);
    let p = send(player(LabConfig::default()), [Msg::Import(text)]);
    assert_eq!(p.error, None);
    assert_eq!(p.notice.as_deref(), Some("Scenario imported: the run stands at event 9."));
    assert_eq!(p.config.seed, 3);
    assert_eq!(*p.doc, *recorded.doc);
    // It stands where it was exported, two events past its action.
    assert_eq!(p.snap.position, 9);
    assert!(!p.snap.nodes[2].up);
    // A document without a position (an older one) stands at its last recorded action.
    let older = scenario::to_json(&scenario::ScenarioDoc { position: None, ..(*recorded.doc).clone() });
    let p = send(p, [Msg::Import(older)]);
    assert_eq!(p.snap.position, 7);
    assert_eq!(p.notice.as_deref(), Some("Scenario imported: the run stands at event 7."));

    let raft = scenario::to_json(&send(player(config("raft")), steps(1)).doc);
    let p = send(p, [Msg::Import(raft)]);
    let e = p.error.as_deref().expect("an error");
    assert!(e.contains("for the Raft page"), "{e}");
    assert_eq!(p.config.seed, 3);
    assert_eq!(p.snap.position, 7);

    let p = send(p, [Msg::Import("{ not json".into())]);
    let e = p.error.as_deref().expect("an error");
    assert!(e.starts_with("Import failed") && e.ends_with("Your run is unchanged."), "{e}");
    assert_eq!(p.snap.position, 7);
    assert_eq!(p.doc.position, Some(7));
}

#[test]
fn reconfigure_rebuilds_the_run_at_the_same_virtual_time() {
    let p = send(player(LabConfig::default()), steps(25));
    let t = p.snap.time;
    let p = send(p, [Msg::Reconfigure(LabConfig { seed: 2, ..LabConfig::default() })]);
    assert_eq!(p.error, None);
    assert_eq!(p.config.seed, 2);
    assert!(p.snap.time <= t);
    assert!(p.lab.borrow().next_time().is_none_or(|n| n > t));
    assert_eq!(p.display_us, p.snap.time.0 as f64);
}

#[test]
fn check_history_judges_this_position_until_the_next_action() {
    let raft = distlab_core::raft::setup::Config { clients: 1, ..Default::default() };
    let cfg = LabConfig::new(distlab_core::registry::Setup::Raft(raft));
    let p = send(player(cfg), steps(200).chain([Msg::TogglePlay, Msg::CheckHistory]));
    assert!(!p.playing);
    // A short history is judged in the check's first slice.
    assert!(p.lin.checking.is_none());
    let (at, j) = p.lin.judgement.as_ref().expect("a judgement");
    assert_eq!(*at, 200);
    assert!(j.linearizable);
    let p = send(p, [Msg::Step]);
    assert!(p.lin.judgement.is_some());
    let p = send(p, [Msg::Act(Action::Crash(NodeId(0)))]);
    assert!(p.lin.judgement.is_none());
}

/// A check under way goes on one slice per animation frame, even while the run is paused, and
/// Stop ends it without a verdict.
#[test]
fn a_check_under_way_advances_with_the_frames_and_stops_on_request() {
    use std::cell::RefCell;
    let raft = distlab_core::raft::setup::Config { clients: 2, ..Default::default() };
    let cfg = LabConfig::new(distlab_core::registry::Setup::Raft(raft));
    // A check left under way, as a long history leaves it after its first slice.
    let under_way = |p: Rc<Player>| {
        let Ok(mut p) = Rc::try_unwrap(p) else { panic!("the test holds the only player") };
        let judging = p.lab.borrow().judging();
        // As `Linearity::start` leaves it: no verdict while the search runs.
        p.lin.judgement = None;
        p.lin.checking = Some((p.snap.position, Rc::new(RefCell::new(judging)), Default::default()));
        Rc::new(p)
    };
    let p = under_way(send(player(cfg), steps(300)));
    assert!(!p.playing);
    let p = send(p, [Msg::Frame(16.0, true)]);
    assert!(p.lin.checking.is_none(), "the frame ran the check");
    assert_eq!(p.lin.judgement.as_ref().map(|j| (j.0, j.1.linearizable)), Some((300, true)));
    let p = under_way(send(p, [Msg::Step]));
    let p = send(p, [Msg::StopCheck, Msg::Frame(16.0, true)]);
    assert!(p.lin.checking.is_none() && p.lin.judgement.is_none(), "stopped: no verdict");
}

#[test]
fn the_diagram_span_is_bounded_and_the_diagram_follows_the_position() {
    let p = send(player(LabConfig::default()), [Msg::DiagramSpan(1)]);
    assert_eq!(p.diagram_span, DIAGRAM_SPANS[0]);
    let p = send(p, [Msg::DiagramSpan(u64::MAX)]);
    assert_eq!(p.diagram_span, DIAGRAM_SPANS[DIAGRAM_SPANS.len() - 1]);
    let p = send(p, [Msg::DiagramSpan(50)].into_iter().chain(steps(70)));
    assert_eq!((p.diagram.from, p.diagram.to), (20, 70));
    let p = send(p, [Msg::Seek(30)]);
    assert_eq!((p.diagram.from, p.diagram.to), (0, 30));
}

#[test]
fn while_playing_an_unseen_diagram_waits_and_pausing_brings_it_up_to_date() {
    let mut p = send(player(LabConfig::default()), [Msg::TogglePlay]);
    for _ in 0..200 {
        if p.snap.position > 0 {
            break;
        }
        p = p.reduce(Msg::Frame(16.0, false));
    }
    assert!(p.playing && p.snap.position > 0);
    assert_eq!(p.diagram.to, 0, "the off-screen diagram was rebuilt while playing");
    let p = send(p, [Msg::TogglePlay]);
    assert_eq!(p.diagram.to, p.snap.position);
}

fn preset(protocol: &str, name: &str) -> LabConfig {
    LabConfig { scenario: Some(name.to_string()), ..LabConfig::opening(protocol).expect("registered") }
}

/// Frames of 16 ms until the player stops by itself; how many it took.
fn frames_until_paused(mut p: Rc<Player>, limit: usize) -> (Rc<Player>, usize) {
    for i in 0..limit {
        if !p.playing {
            return (p, i);
        }
        p = p.reduce(Msg::Frame(16.0, true));
    }
    (p, limit)
}

#[test]
fn next_plays_to_the_next_steps_event_and_pauses_there_within_seconds() {
    let mut p = player(preset("raft", "leader-crash"));
    assert_eq!(p.lesson_step(), Some(0));
    let stops: Vec<_> = p.stops.iter().map(|s| s.expect("every step happens")).collect();
    for (i, stop) in stops.iter().enumerate().skip(1) {
        p = send(p, [Msg::Guide(i)]);
        assert!(p.playing, "step {i} plays");
        let (q, frames) = frames_until_paused(p, 2_000);
        p = q;
        assert!(!p.playing);
        assert_eq!(p.snap.position, stop.position, "step {i} pauses at its event");
        assert_eq!(p.lesson_step(), Some(i));
        // The guided stretch takes at most about GUIDE_WALL_MS (at 16 ms a frame, with slack
        // for the first frame's catch-up), whatever the gap in virtual time.
        assert!(frames as f64 * 16.0 <= distlab_web::state::GUIDE_WALL_MS * 1.2, "step {i}: {frames} frames");
    }
    // Back to an earlier step: at once, paused.
    p = send(p, [Msg::Guide(1)]);
    assert!(!p.playing);
    assert_eq!(p.snap.position, stops[1].position);
}

#[test]
fn break_it_turns_the_mutant_on_and_plays_to_what_it_breaks_then_past_it() {
    let p = player(preset("raft", "figure-8"));
    let i = p.narration.iter().position(|s| s.break_it.is_some()).expect("Figure 8 offers to break it");
    let p = send(p, [Msg::Guide(i)]);
    let (p, _) = frames_until_paused(p, 2_000);
    let p = send(p, [Msg::BreakIt(i)]);
    assert_eq!(p.config.mutant.as_deref(), Some("commit-old-term"));
    // The narration follows the mutant, and the lesson plays to the violation.
    assert!(p.narration[0].text.contains("mutant"), "{}", p.narration[0].text);
    let (p, _) = frames_until_paused(p, 4_000);
    let v = p.snap.violation.clone().expect("the badge turns red");
    assert_eq!(p.snap.position, v.event);
    // Stepping past the violation shows what it leads to; the verdict stays.
    let p = send(p, steps(5));
    assert_eq!(p.snap.position, v.event + 5);
    assert_eq!(p.snap.violation.as_ref().map(|x| x.event), Some(v.event));
    // Repair: the violation's step offers to turn it off again, back on the correct lesson.
    let j = p
        .narration
        .iter()
        .position(|s| s.cue == distlab_core::lesson::Cue::Violation)
        .expect("a violation step");
    assert_eq!(p.narration[j].break_it, Some("commit-old-term"));
    let p = send(p, [Msg::BreakIt(j)]);
    assert_eq!(p.config.mutant, None);
    let (p, _) = frames_until_paused(p, 2_000);
    assert_eq!(p.lesson_step(), Some(i));
}

#[test]
fn a_user_action_moves_the_lessons_moments_to_the_new_branch() {
    let p = player(preset("raft", "leader-crash"));
    let before = p.stops.clone();
    let p = send(p, steps(3));
    let p = send(p, [Msg::Act(Action::Crash(NodeId(0)))]);
    assert_ne!(*p.stops, *before, "the lesson's events were found again on the new branch");
}

#[test]
fn a_history_label_is_drawn_only_where_its_bar_holds_it() {
    use distlab_web::historylane::label_fits;
    assert!(label_fits("put x 5", 80.0));
    assert!(!label_fits("put x 5", 40.0), "a short bar at 1,000 events keeps its label to its tooltip");
    assert!(!label_fits("get x → 12", 30.0));
}

#[test]
fn a_scenario_document_and_its_link_reopen_the_run_where_it_stood() {
    // Shared at event 34, three events after the last action: opened at 34, not at 31.
    let p =
        send(player(config("raft")), steps(30).chain([Msg::Act(Action::Crash(NodeId(0)))]).chain(steps(3)));
    assert_eq!(p.snap.position, 34);
    let link = scenario::to_link(&p.doc);
    for text in [scenario::to_json(&p.doc), scenario::to_json(&scenario::from_link(&link).unwrap())] {
        let (cfg, lab) = distlab_web::state::open_scenario(&text).unwrap();
        assert_eq!(cfg, p.config);
        assert_eq!(lab.position(), 34);
        assert_eq!(lab.trace_hash(), p.snap.trace_hash);
    }
    // Back over the action, too: the document follows the position.
    let p = send(p, [Msg::Seek(12)]);
    let (_, lab) = distlab_web::state::open_scenario(&scenario::to_json(&p.doc)).unwrap();
    assert_eq!(lab.position(), 12);
    assert_eq!(lab.actions(), vec![(30, Action::Crash(NodeId(0)))], "the recorded future is kept");
}

#[test]
fn the_document_keeps_the_position_only_while_the_run_stands_still() {
    let p = send(player(LabConfig::default()), steps(5));
    assert_eq!(p.doc.position, Some(5));
    // Playing: frames move the run but not the document (it is saved as it changes).
    let mut p = send(p, [Msg::TogglePlay]);
    while p.playing && p.snap.position < 12 {
        p = p.reduce(Msg::Frame(16.0, true));
    }
    assert!(p.playing && p.snap.position >= 12);
    assert_eq!(p.doc.position, Some(5));
    let doc = p.doc.clone();
    let p = send(p, [Msg::Frame(16.0, true)]);
    assert!(Rc::ptr_eq(&p.doc, &doc), "no new document while playing");
    // Paused (as the share button does): the document stands where the run does.
    let p = send(p, [Msg::Pause]);
    assert!(!p.playing);
    assert_eq!(p.doc.position, Some(p.snap.position));
    let p = send(p, [Msg::Pause, Msg::Back]);
    assert_eq!(p.doc.position, Some(p.snap.position));
}

/// A saved Raft run with a crash recorded, as local storage holds it, and its position.
fn saved_raft_run() -> (String, u64) {
    let p =
        send(player(config("raft")), steps(30).chain([Msg::Act(Action::Crash(NodeId(0)))]).chain(steps(3)));
    (scenario::to_json(&p.doc), p.snap.position)
}

#[test]
fn a_page_opens_its_link_else_its_saved_scenario_else_its_opening_run() {
    use distlab_web::opening::open_page;
    let (saved, at) = saved_raft_run();
    let opening = || LabConfig::opening("raft").unwrap();
    // A link wins over the saved run.
    let link = scenario::export(&LabConfig { seed: 9, ..opening() }, &[]);
    let p = open_page(opening(), Some(Ok(link)), Some(saved.clone()));
    assert_eq!((p.config.seed, p.error.clone(), p.save), (9, None, true));
    // Without a link: the saved run, where it stood.
    let p = open_page(opening(), None, Some(saved.clone()));
    assert_eq!((p.snap.position, p.doc.actions.len(), p.error.clone()), (at, 1, None));
    // Nothing: the opening run.
    let p = open_page(opening(), None, None);
    assert_eq!((p.config.clone(), p.error.clone(), p.save), (opening(), None, true));
}

#[test]
fn a_bad_link_opens_the_saved_run_and_never_saves_over_it() {
    use distlab_web::opening::open_page;
    let (saved, at) = saved_raft_run();
    let opening = || LabConfig::opening("raft").unwrap();
    for link in [
        Err("the link looks cut short — copy it again in full".to_string()),
        Ok(scenario::export(&LabConfig { mutant: Some("nope".into()), ..opening() }, &[])),
        Ok(scenario::export(&LabConfig::default(), &[])),
    ] {
        let p = open_page(opening(), Some(link.clone()), Some(saved.clone()));
        let e = p.error.clone().expect("the link's error");
        assert!(
            e.starts_with("The link could not be opened: ")
                && e.ends_with("This is your saved run, as you left it."),
            "{e}"
        );
        assert_eq!((p.snap.position, p.doc.actions.len()), (at, 1), "{e}");
        assert_eq!(p.doc.position, Some(at));
        assert!(p.save, "the saved run is kept as it changes");
        // Nothing saved: the opening run, said so, and not saved over anything.
        let p = open_page(opening(), Some(link.clone()), None);
        assert_eq!(p.config, opening());
        assert!(p.error.as_deref().is_some_and(|e| e.ends_with("This is the page's opening run.")));
        assert!(!p.save, "the stand-in run is not saved");
        // Nor over a saved scenario that cannot be restored (a newer format, say).
        let newer = saved.replace("\"distlab_scenario\": 1", "\"distlab_scenario\": 2");
        let p = open_page(opening(), Some(link), Some(newer));
        let e = p.error.clone().unwrap();
        assert!(
            e.contains("The saved scenario could not be restored either") && e.contains("version 2"),
            "{e}"
        );
        assert!(!p.save);
        // Once the user changes the run, it is theirs to keep.
        let p = send(Rc::new(p), [Msg::Act(Action::Crash(NodeId(1)))]);
        assert!(p.save);
    }
    // A saved scenario that cannot be restored, without a link: the opening run, not saved.
    let p = open_page(opening(), None, Some("{".into()));
    assert!(p.error.as_deref().is_some_and(|e| e.starts_with("The saved scenario could not be restored: ")));
    assert!(!p.save);
}

/// The explorer runs a slice per frame while the run on the page stands still, finds the
/// mutant's violation by one of its shortest paths, and opens it on the event that breaks it.
#[test]
fn exploring_finds_the_mutants_violation_and_opens_its_counterexample() {
    let cfg = LabConfig { mutant: Some("ignore-promised-value".into()), ..config("paxos") };
    let bounds = Bounds { requests: 2, max_term: Some(1), timeouts: Some(0), ..Bounds::default() };
    let mut p = send(player(cfg), [Msg::TogglePlay, Msg::Explore(bounds, false)]);
    assert!(!p.playing, "exploring pauses the run");
    assert!(p.explore.is_running(), "a search this size takes more than its first slice");
    assert_eq!(p.explore.mutant.as_deref(), Some("ignore-promised-value"));
    let position = p.snap.position;
    for _ in 0..1_000 {
        if p.explore.report.is_some() {
            break;
        }
        p = p.reduce(Msg::Frame(16.0, false));
    }
    let report = p.explore.report.clone().expect("the search ends within 1,000 frames");
    assert!(!p.explore.is_running());
    assert_eq!(p.snap.position, position, "the run on the page stood still");
    assert!(p.explore.budget > BUDGET_START, "quick frames grow the slice");
    let found = report.violation.as_ref().expect("the mutant breaks a property");
    assert_eq!((found.property.as_str(), found.steps), ("agreement", 14));
    let p = send(p, [Msg::OpenCounterexample]);
    assert_eq!(p.error, None);
    assert!(p.config.explored && !p.playing);
    assert_eq!(p.snap.position, 14);
    let v = p.snap.violation.as_ref().expect("the counterexample's run breaks it");
    assert_eq!((v.property.as_str(), v.event), ("agreement", 14));
    let notice = p.notice.clone().unwrap_or_default();
    assert!(notice.contains("event 14") && notice.contains("agreement"), "{notice}");
    assert!(p.explore.report.is_some(), "the verdict stays beside its counterexample");
}

/// Frames that come quickly grow the slice and slow ones halve it, within its bounds; Stop
/// ends the search with a report that says it is not complete, and bad bounds start nothing.
#[test]
fn the_slice_follows_the_frames_and_stop_leaves_an_incomplete_report() {
    // The correct protocol, any number of timer firings: far more states than these frames make.
    let p = send(player(config("paxos")), [Msg::Explore(Bounds::default(), false)]);
    assert_eq!(p.error, None);
    assert_eq!(p.explore.budget, BUDGET_START);
    let mut made = p.explore.progress.states;
    let mut p = p;
    for (ms, budget) in [(16.0, 625), (30.0, 625), (50.0, 312)] {
        p = send(p, [Msg::Frame(ms, false)]);
        assert_eq!(p.explore.budget, budget, "after a frame of {ms} ms");
        assert!(p.explore.progress.states > made, "each frame runs a slice");
        made = p.explore.progress.states;
    }
    p = send(p, (0..20).map(|_| Msg::Frame(100.0, false)));
    assert_eq!(p.explore.budget, BUDGET_MIN);
    assert!(p.explore.is_running() && p.explore.report.is_none());
    assert_eq!(p.explore.elapsed_ms, 16.0 + 30.0 + 50.0 + 20.0 * 100.0);
    let p = send(p, [Msg::StopExplore]);
    assert!(!p.explore.is_running());
    let r = p.explore.report.clone().expect("a stopped search has a report");
    assert!(!r.complete && r.violation.is_none());
    assert_eq!(r.unique_states, p.explore.progress.unique_states);
    let after = send(p.clone(), [Msg::Frame(16.0, false)]);
    assert_eq!(after.explore.progress, p.explore.progress, "nothing runs after the stop");
    let p = send(p, [Msg::Explore(Bounds { depth: 0, ..Bounds::default() }, false)]);
    assert!(p.error.as_deref().is_some_and(|e| e.contains("depth")), "{:?}", p.error);
    assert!(Rc::ptr_eq(p.explore.report.as_ref().unwrap(), &r), "the last report stays");
}

/// On a preset, the explorer can start from the preset's first state: from crash-after-choosing
/// it finds forget-on-restart (out of reach from an empty cluster) and opens it on that preset.
#[test]
fn exploring_from_a_presets_first_state_finds_what_an_empty_cluster_hides() {
    let cfg = LabConfig {
        scenario: Some("crash-after-choosing".into()),
        mutant: Some("forget-on-restart".into()),
        ..config("multipaxos")
    };
    assert_eq!(distlab_web::exploring::config_for(&cfg, false).unwrap().scenario, None);
    let bounds =
        Bounds { requests: 1, crashes: 1, timeouts: Some(1), max_term: Some(2), ..Bounds::default() };
    let mut p = send(player(cfg), [Msg::Explore(bounds, true)]);
    for _ in 0..1_000 {
        if p.explore.report.is_some() {
            break;
        }
        p = p.reduce(Msg::Frame(16.0, false));
    }
    let report = p.explore.report.clone().expect("the search ends within 1,000 frames");
    let found = report.violation.as_ref().expect("forget-on-restart breaks a property");
    assert_eq!((found.property.as_str(), found.steps), ("agreement", 11));
    let p = send(p, [Msg::OpenCounterexample]);
    assert_eq!(p.error, None);
    assert_eq!(p.config.scenario.as_deref(), Some("crash-after-choosing"));
    assert_eq!(p.snap.position, 11);
    assert_eq!(p.snap.violation.as_ref().map(|v| v.property.as_str()), Some("agreement"));
}

/// An opened counterexample plays one event per beat: its events are an hour apart (time is
/// only their order), so playing by time would run them all in one frame, or wait an hour each.
#[test]
fn an_opened_counterexample_plays_one_event_per_beat() {
    let cfg = LabConfig { mutant: Some("ignore-promised-value".into()), ..config("paxos") };
    let bounds = Bounds { requests: 2, max_term: Some(1), timeouts: Some(0), ..Bounds::default() };
    let mut p = send(player(cfg), [Msg::Explore(bounds, false)]);
    while p.explore.report.is_none() {
        p = p.reduce(Msg::Frame(16.0, false));
    }
    let mut p = send(p, [Msg::OpenCounterexample, Msg::Seek(0), Msg::SetSpeedLog(0.0), Msg::TogglePlay]);
    assert!(p.playing && p.snap.position == 0);
    let mut at = Vec::new();
    for _ in 0..40 {
        p = p.reduce(Msg::Frame(100.0, false));
        at.push(p.snap.position);
    }
    // 800 ms a beat at 1×: 4 s of frames play 5 events, each after the one before.
    assert_eq!(at[39], 5, "{at:?}");
    assert!(at.windows(2).all(|w| w[1] <= w[0] + 1), "one event at a time: {at:?}");
    assert!(p.playing);
}
