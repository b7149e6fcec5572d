//! The one reducer that owns the page's playback state.
//!
//! The run itself lives in `distlab-core` behind [`Lab`]; the reducer drives it (step, seek,
//! act) and keeps the [`Snapshot`] that the components draw. Nothing here computes protocol
//! logic. Playback runs on *display time*: virtual microseconds that advance with wall time
//! times the speed, so messages glide between send and delivery at any speed; the run executes
//! every event whose time has come.
//!
//! Architecture invariant: [`Player::reduce`](Reducible::reduce) is pure. It calls no browser
//! API (no web-sys, js-sys or gloo), reads no clock and writes no storage, URL or history: the
//! wall time arrives in [`Msg::Frame`], a file's text in [`Msg::Import`], and what must outlive
//! the page (the scenario document, [`Player::doc`]) is saved by an effect keyed on it. So the
//! reducer runs natively, and `web/tests/reducer.rs` drives it message by message.

use std::cell::RefCell;
use std::rc::Rc;

use distlab_core::diagram::Diagram;
use distlab_core::history::HistoryOp;
use distlab_core::lab::{self, EventLine, Lab, LabConfig, Snapshot};
use distlab_core::lesson::{Step, Stop};

pub use crate::msg::{Msg, Selection};
use distlab_core::scenario::ScenarioDoc;
use yew::Reducible;

use crate::i18n::{keep, t};
use crate::tf;

mod frame;

/// Virtual microseconds per wall millisecond at 1× speed: a 10 ms message takes a second.
pub const US_PER_WALL_MS_AT_1X: f64 = 10.0;
/// Slowest and fastest playback, as powers of ten (0.01× to 100×).
pub const SPEED_LOG_MIN: f64 = -2.0;
pub const SPEED_LOG_MAX: f64 = 2.0;
/// Most events one animation frame may run, so a frame never stalls.
const MAX_EVENTS_PER_FRAME: u32 = 20_000;
/// Event-log lines shown.
pub const LOG_LINES: u64 = 40;
/// Event-log lines for one event; the rest are counted on one line.
pub const LOG_LINES_PER_EVENT: usize = 6;
/// The space-time diagram's window sizes, in events.
pub const DIAGRAM_SPANS: [u64; 5] = [50, 200, 1_000, 5_000, 20_000];

/// Wall time the guided lesson takes to play from one step to the next, at most (it plays at
/// the chosen speed when that is faster).
pub const GUIDE_WALL_MS: f64 = 4_000.0;

/// Playing towards a lesson step.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Guide {
    /// The step, and the position at which the run pauses for it.
    pub step: usize,
    pub to: u64,
    /// The speed multiplier for this stretch.
    pub speed: f64,
}

pub struct Player {
    pub lab: Rc<RefCell<Box<dyn Lab>>>,
    pub config: LabConfig,
    pub snap: Rc<Snapshot>,
    pub log: Rc<Vec<EventLine>>,
    /// The preset's lesson, if any, and where each step's moment is in this run.
    pub narration: Rc<Vec<Step>>,
    pub stops: Rc<Vec<Option<Stop>>>,
    /// Playing towards a lesson step: pause when the run reaches it.
    pub guide: Option<Guide>,
    pub playing: bool,
    /// log10 of the speed multiplier.
    pub speed_log: f64,
    /// Virtual time being drawn, in microseconds (between the last event and the next).
    pub display_us: f64,
    pub selection: Option<Selection>,
    /// Nodes the user has put on side B of a planned partition.
    pub side_b: Vec<u32>,
    pub error: Option<String>,
    pub notice: Option<String>,
    pub show_help: bool,
    /// The space-time diagram of the last `diagram_span` events.
    pub diagram: Rc<Diagram>,
    pub diagram_span: u64,
    /// Client operations around the diagram's window, how many the run holds in all, and the
    /// last linearizability verdict (cleared when the position changes).
    pub history: Rc<Vec<HistoryOp>>,
    /// Animation frames drawn while playing (the diagram is redrawn every sixth).
    pub frames: u32,
    /// Whether the space-time diagram or the client history is on screen; while playing, they
    /// are not redrawn when nobody can see them (they catch up when they come into view).
    pub diagram_seen: bool,
    pub history_first: usize,
    pub history_total: usize,
    pub lin: crate::judging::Linearity,
    /// The exhaustive exploration of the protocol's small cluster, under way or done (kept
    /// when another run is installed: its counterexample is one).
    pub explore: crate::exploring::Exploration,
    /// The run as a scenario document (the page keeps it in local storage as it changes), with
    /// the position the run last stood still at.
    pub doc: Rc<ScenarioDoc>,
    /// Whether the page keeps `doc` in local storage. False while the page shows its opening
    /// run because a link or the saved scenario could not be opened (so a bad link never
    /// replaces what the user built), until the user changes the run.
    pub save: bool,
    /// What the screen-reader live region says, and the wall time it said it (at most one
    /// line every two seconds while playing).
    pub announce: Rc<String>,
    pub announced_ms: f64,
    pub wall_ms: f64,
}

impl PartialEq for Player {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.snap, &other.snap)
            && self.playing == other.playing
            && self.speed_log == other.speed_log
            && self.display_us == other.display_us
            && self.selection == other.selection
            && self.side_b == other.side_b
            && self.error == other.error
            && self.notice == other.notice
            && self.show_help == other.show_help
            && self.config == other.config
            && Rc::ptr_eq(&self.diagram, &other.diagram)
            && Rc::ptr_eq(&self.history, &other.history)
            && self.lin == other.lin
            && self.explore == other.explore
    }
}

impl Player {
    pub fn new(config: LabConfig) -> Player {
        let built = lab::build(&config);
        let (mut lab, config, error) = match built {
            Ok(l) => (l, config, None),
            Err(e) => {
                let fallback = LabConfig::default();
                (lab::build(&fallback).expect("the default config is valid"), fallback, Some(e))
            }
        };
        lab.run_past_violations();
        let speed_log = config.setup.page().speed_log;
        let mut p = Player {
            lab: Rc::new(RefCell::new(lab)),
            config,
            snap: Rc::new(Snapshot::default()),
            log: Rc::new(Vec::new()),
            narration: Rc::new(Vec::new()),
            stops: Rc::new(Vec::new()),
            guide: None,
            playing: false,
            // Kafka's clients and brokers talk every few tens of milliseconds: start it faster.
            speed_log,
            display_us: 0.0,
            selection: None,
            side_b: Vec::new(),
            error,
            notice: None,
            show_help: false,
            diagram: Rc::new(Diagram::default()),
            diagram_span: DIAGRAM_SPANS[1],
            history: Rc::new(Vec::new()),
            doc: Rc::new(distlab_core::scenario::export(&LabConfig::default(), &[])),
            save: true,
            announce: Rc::new(String::new()),
            announced_ms: 0.0,
            wall_ms: 0.0,
            frames: 0,
            diagram_seen: true,
            history_first: 0,
            history_total: 0,
            lin: Default::default(),
            explore: Default::default(),
        };
        p.refresh();
        p.record_doc();
        p
    }

    /// Make `lab` (built from `cfg`) the run on the page, paused where it stands.
    pub fn install(&mut self, cfg: LabConfig, mut lab: Box<dyn Lab>) {
        lab.run_past_violations();
        self.narration = Rc::new(lab.narration());
        self.stops = Rc::new(lab.locate());
        self.guide = None;
        self.lab = Rc::new(RefCell::new(lab));
        self.config = cfg;
        self.playing = false;
        self.lin = Default::default();
        self.error = None;
        self.jump_display_to_now();
        self.refresh();
        self.record_doc();
    }

    /// Refresh the scenario document after the configuration or the actions changed. (The
    /// page keeps it in local storage from an effect: `share::use_saved_scenario`.)
    fn record_doc(&mut self) {
        let lab = self.lab.borrow();
        let doc = distlab_core::scenario::export(&self.config, &lab.actions());
        self.doc = Rc::new(ScenarioDoc { position: Some(lab.position()), ..doc });
        self.save = true;
    }

    /// Keep the document's position with the run's whenever the run stands still (paused,
    /// stepped, moved), so a link or a reload opens it there. Not while playing: the document
    /// is saved as it changes, and local storage is no place to write every frame.
    fn record_position(&mut self) {
        if self.playing {
            return;
        }
        let pos = self.lab.borrow().position();
        if self.doc.position != Some(pos) {
            self.doc = Rc::new(ScenarioDoc { position: Some(pos), ..(*self.doc).clone() });
        }
    }

    pub fn speed(&self) -> f64 {
        crate::trig::pow10(self.speed_log)
    }

    pub(crate) fn refresh(&mut self) {
        let lab = self.lab.borrow();
        if self.snap.position == 0 || self.narration.is_empty() {
            self.narration = Rc::new(lab.narration());
        }
        if self.stops.len() != self.narration.len() {
            self.stops = Rc::new(lab.locate());
        }
        let snap = lab.snapshot();
        let pos = snap.position;
        // While playing, the diagram is redrawn every 2% of its window; when paused or moved by
        // hand, always (first: the event log reads the records it keeps).
        let span = self.diagram_span;
        let d = &self.diagram;
        let stale = !self.playing
            || pos < d.to
            || d.to.saturating_sub(d.from) != span.min(d.to)
            || (pos - d.to >= (span / 50).max(1) && self.frames.is_multiple_of(6) && self.diagram_seen);
        if stale {
            self.diagram = Rc::new(lab.diagram(pos.saturating_sub(span), pos));
            let (first, ops, total) = lab.history(self.diagram.t0, 400);
            self.history = Rc::new(ops);
            self.history_first = first;
            self.history_total = total;
        }
        self.log = Rc::new(lab.log(pos.saturating_sub(LOG_LINES), pos, LOG_LINES_PER_EVENT));
        self.snap = Rc::new(snap);
    }

    /// While playing, the diagram and the history may lag (off screen, or between redraws):
    /// when the run stops (paused, ended, or broken), bring them to where it stands, so a
    /// reader who scrolls down after pausing never sees an old window.
    fn catch_up_if_stopped(&mut self, was_playing: bool) {
        if was_playing && !self.playing {
            self.refresh();
        }
    }

    /// Put the latest event in the live region, for screen readers.
    fn announce(&mut self) {
        if let Some(last) = self.log.last() {
            let said = if last.phrase.template.is_empty() {
                last.text.clone()
            } else {
                crate::i18n::phrase_kept(&last.phrase)
            };
            self.announce = Rc::new(tf!("Event {}: {}", last.event, said));
            self.announced_ms = self.wall_ms;
        }
    }

    pub(crate) fn jump_display_to_now(&mut self) {
        self.display_us = self.lab.borrow().time().0 as f64;
    }
}

/// Read a scenario document's text and rebuild its run (see [`open_doc`]).
pub fn open_scenario(text: &str) -> Result<(LabConfig, Box<dyn Lab>), String> {
    open_doc(&distlab_core::scenario::from_json(text)?)
}

/// Rebuild a scenario document's run: the configuration, and the run with the recorded actions
/// replayed, standing at the document's position (or, without one, at its last action).
pub fn open_doc(doc: &ScenarioDoc) -> Result<(LabConfig, Box<dyn Lab>), String> {
    let (cfg, actions) = distlab_core::scenario::import(doc)?;
    let mut l = lab::replay(&cfg, &actions)?;
    if let Some(pos) = doc.position {
        l.seek(pos);
    }
    Ok((cfg, l))
}

impl Reducible for Player {
    type Action = Msg;

    fn reduce(self: Rc<Self>, msg: Msg) -> Rc<Self> {
        let mut p = Player {
            lab: self.lab.clone(),
            config: self.config.clone(),
            snap: self.snap.clone(),
            log: self.log.clone(),
            narration: self.narration.clone(),
            stops: self.stops.clone(),
            guide: self.guide,
            playing: self.playing,
            speed_log: self.speed_log,
            display_us: self.display_us,
            selection: self.selection.clone(),
            side_b: self.side_b.clone(),
            error: self.error.clone(),
            notice: self.notice.clone(),
            show_help: self.show_help,
            diagram: self.diagram.clone(),
            diagram_span: self.diagram_span,
            history: self.history.clone(),
            doc: self.doc.clone(),
            save: self.save,
            announce: self.announce.clone(),
            announced_ms: self.announced_ms,
            wall_ms: self.wall_ms,
            frames: self.frames,
            diagram_seen: self.diagram_seen,
            history_first: self.history_first,
            history_total: self.history_total,
            lin: self.lin.clone(),
            explore: self.explore.clone(),
        };
        match msg {
            Msg::TogglePlay => {
                p.playing = !p.playing && !p.lab.borrow().at_end();
                p.guide = None;
                p.notice = None;
            }
            Msg::Guide(i) => p.guide_to(i),
            Msg::BreakIt(i) => p.break_it(i),
            Msg::Step => {
                p.playing = false;
                let stepped = p.lab.borrow_mut().step();
                if stepped {
                    p.jump_display_to_now();
                    p.refresh();
                }
            }
            Msg::Back => {
                p.playing = false;
                let pos = p.lab.borrow().position();
                if pos > 0 {
                    p.lab.borrow_mut().seek(pos - 1);
                    p.jump_display_to_now();
                    p.refresh();
                }
            }
            Msg::Pause => p.playing = false,
            Msg::Seek(target) => {
                p.playing = false;
                p.lab.borrow_mut().seek(target);
                p.jump_display_to_now();
                p.refresh();
            }
            Msg::SeekTime(t) => {
                p.playing = false;
                {
                    let mut lab = p.lab.borrow_mut();
                    if lab.time().0 > t {
                        lab.seek(0);
                    }
                    let mut budget = MAX_EVENTS_PER_FRAME * 10;
                    while budget > 0 && lab.next_time().is_some_and(|n| n.0 <= t) && lab.step() {
                        budget -= 1;
                    }
                }
                p.display_us = t as f64;
                p.refresh();
            }
            Msg::Frame(ms, seen) => {
                p.diagram_seen = seen;
                p.lin.slice();
                p.explore.slice(ms);
                p.frame(ms);
                p.catch_up_if_stopped(self.playing);
                p.record_position();
                return Rc::new(p);
            }
            Msg::SetSpeedLog(s) => p.speed_log = s.clamp(SPEED_LOG_MIN, SPEED_LOG_MAX),
            Msg::Configure(cfg) => match lab::build(&cfg) {
                Ok(l) => {
                    p.selection = None;
                    p.side_b.clear();
                    p.notice = None;
                    p.install(cfg, l);
                }
                Err(e) => p.error = Some(t(&e)),
            },
            Msg::Reset => {
                let cfg = p.config.clone();
                let (speed_log, diagram_span, explore) = (p.speed_log, p.diagram_span, p.explore.clone());
                let mut fresh = Player { speed_log, diagram_span, explore, ..Player::new(cfg) };
                fresh.refresh();
                return Rc::new(fresh);
            }
            Msg::Act(action) => {
                // A new branch: the last verdict was about another history.
                p.lin = Default::default();
                let res = p.lab.borrow_mut().act(action);
                match res {
                    Ok(()) => {
                        p.jump_display_to_now();
                        // The run after this position changed: find the lesson's moments in it.
                        p.stops = Rc::new(p.lab.borrow().locate());
                        p.refresh();
                        p.record_doc();
                        p.error = None;
                    }
                    Err(e) => p.error = Some(e),
                }
            }
            Msg::Select(s) => {
                // Inspecting a message pauses the run, so it is still there to drop. The live
                // region says which one, for a reader picking messages from the keyboard.
                p.selection = s.clone();
                if let Some(Selection::Message(id)) = s {
                    p.playing = false;
                    p.record_position();
                    if let Some(f) = p.snap.flights.iter().find(|f| f.id.0 == id) {
                        p.announce = Rc::new(format!(
                            "{} #{id} {} → {} {}",
                            keep(f.kind),
                            t(&f.from_name),
                            t(&f.to_name),
                            keep(&f.summary)
                        ));
                        return Rc::new(p);
                    }
                }
            }
            Msg::ToggleSide(n) => toggle(&mut p.side_b, n),
            Msg::SetSide(side) => p.side_b = side,
            Msg::Error(e) => p.error = Some(t(&e)),
            Msg::DismissError => p.error = None,
            Msg::ToggleHelp => p.show_help = !p.show_help,
            Msg::CloseHelp => p.show_help = false,
            Msg::Reconfigure(cfg) => match lab::build(&cfg) {
                Ok(mut l) => {
                    let t = p.lab.borrow().time();
                    let mut budget = MAX_EVENTS_PER_FRAME * 10;
                    while budget > 0 && l.next_time().is_some_and(|n| n <= t) && l.step() {
                        budget -= 1;
                    }
                    p.install(cfg, l);
                }
                Err(e) => p.error = Some(e),
            },
            Msg::Import(text) => match open_scenario(&text) {
                Ok((cfg, l)) if cfg.protocol() == p.config.protocol() => {
                    p.selection = None;
                    p.notice = Some(tf!("Scenario imported: the run stands at event {}.", l.position()));
                    p.install(cfg, l);
                }
                Ok((cfg, _)) => {
                    p.error = Some(tf!(
                        "This scenario is for the {} page; open that tab and import it there. Nothing changed here.",
                        t(cfg.setup.title())
                    ))
                }
                Err(e) => p.error = Some(tf!("Import failed: {}. Your run is unchanged.", t(&e))),
            },
            Msg::CheckHistory => {
                // The run pauses while its history is checked.
                let (pos, judging) = (p.lab.borrow().position(), p.lab.borrow().judging());
                (p.playing, p.lin) = (false, crate::judging::Linearity::start(pos, judging));
            }
            Msg::StopCheck => p.lin.checking = None,
            Msg::Explore(bounds, from_preset) => {
                // The run pauses while the explorer searches (both would share the frames).
                p.playing = false;
                let started = crate::exploring::config_for(&p.config, from_preset)
                    .and_then(|cfg| crate::exploring::Exploration::start(&cfg, bounds));
                match started {
                    Ok(e) => (p.explore, p.error) = (e, None),
                    Err(e) => p.error = Some(tf!("The exploration could not start: {}.", t(&e))),
                }
            }
            Msg::StopExplore => p.explore.stop(),
            Msg::OpenCounterexample => p.open_counterexample(),
            Msg::DiagramSpan(n) => {
                p.diagram_span = n.clamp(DIAGRAM_SPANS[0], DIAGRAM_SPANS[DIAGRAM_SPANS.len() - 1]);
                p.refresh();
            }
        }
        if !p.playing {
            p.guide = None;
        }
        p.catch_up_if_stopped(self.playing);
        p.record_position();
        // Every user step is announced at once (playing announces at a readable rate).
        p.announce();
        Rc::new(p)
    }
}

impl Player {
    /// Open the last exploration's counterexample: its run, standing at the event that broke
    /// the property.
    fn open_counterexample(&mut self) {
        let Some(found) = self.explore.report.as_ref().and_then(|r| r.violation.clone()) else { return };
        match open_doc(&found.doc) {
            Ok((cfg, l)) => {
                self.selection = None;
                self.notice = Some(tf!(
                    "Counterexample opened: the run stands at event {}, where {} breaks.",
                    l.position(),
                    t(&found.property)
                ));
                self.install(cfg, l);
            }
            Err(e) => self.error = Some(tf!("The counterexample could not be opened: {}.", t(&e))),
        }
    }
}

/// Add `item` to `list` if it is not there, else take it out.
pub fn toggle<T: PartialEq>(list: &mut Vec<T>, item: T) {
    match list.iter().position(|x| *x == item) {
        Some(i) => {
            list.remove(i);
        }
        None => list.push(item),
    }
}
