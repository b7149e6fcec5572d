//! Lessons: a preset's narration as steps, each tied to the event it explains.
//!
//! A step says what to look at and names its moment as a [`Cue`]: the run's start, a kind of
//! record (a message sent or delivered, a timer, a crash), a node taking a role, a violation.
//! `lab::locate` replays the run and finds, step after step, the first event that matches each
//! cue after the previous step's; the page plays to that event and pauses there. Narration
//! never states a time it has not measured: the step's time is the event's.
//!
//! A step may also offer to break the protocol ([`Step::break_it`]): the page switches the
//! mutant on, replays, and the preset's narration for the mutant takes over.

use alloc::string::String;
use alloc::vec::Vec;

/// The moment a step explains.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Cue {
    /// The run's start, before any event.
    Start,
    /// The first event at or after this virtual time, in milliseconds (a scripted fault
    /// happens exactly then).
    At(u64),
    /// A message of this kind is sent.
    Send(&'static str),
    /// A message of this kind is delivered.
    Deliver(&'static str),
    /// A timer with this label fires ("election").
    Timer(&'static str),
    /// A node crashes.
    Crash,
    /// A node restarts.
    Restart,
    /// The network splits, or heals.
    Partition,
    Heal,
    /// A node's role, as drawn, becomes this ("leader"): it did not have it before the event.
    Role(&'static str),
    /// A node's badge or card (as drawn) comes to contain this text: it did not before the
    /// event ("✓", a Paxos learner that has learned the chosen value).
    Shows(&'static str),
    /// Every live node's badge or card comes to contain this text: some did not before the
    /// event (the news has reached everyone).
    EveryoneShows(&'static str),
    /// Some record of the event, in words, contains this text (the escape hatch for moments
    /// the other cues cannot name; a lesson test keeps it honest).
    Says(&'static str),
    /// Every live server's replicated log ends at the same index and term, with the same
    /// commit index (for protocols with a log): the cluster has caught up.
    LogsAgree,
    /// A safety property breaks.
    Violation,
}

/// One step of a lesson.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Step {
    pub cue: Cue,
    pub text: String,
    /// The mutant this step invites the reader to switch on, to see what it breaks.
    pub break_it: Option<&'static str>,
}

impl Step {
    pub fn new(cue: Cue, text: &str) -> Step {
        Step { cue, text: String::from(text), break_it: None }
    }

    /// This step, with a "Break it" button that switches `mutant` on.
    pub fn breaking(mut self, mutant: &'static str) -> Step {
        self.break_it = Some(mutant);
        self
    }
}

/// Steps cued by time alone, from `(milliseconds, text)` pairs: the first at the start.
pub fn timed(lines: &[(u64, &str)]) -> Vec<Step> {
    lines.iter().map(|(ms, text)| at(*ms, text)).collect()
}

/// A step cued by time alone (`0`: the start).
pub fn at(ms: u64, text: &str) -> Step {
    Step::new(if ms == 0 { Cue::Start } else { Cue::At(ms) }, text)
}

/// Where a step's moment is in a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stop {
    /// The position just after the step's event (0 for the start).
    pub position: u64,
    /// The event's virtual time, in microseconds.
    pub time_us: u64,
}
