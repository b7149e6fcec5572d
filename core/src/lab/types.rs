//! What the page draws and sends, whatever the protocol: the object-safe [`Lab`] trait, the
//! [`Snapshot`] of one position, an event-log line, and a user's [`Action`].

use alloc::string::String;
use alloc::vec::Vec;

use serde::Serialize;

use crate::protocol::{About, Board, Enclosure, LogDetail, MsgId, NodeId, NodeView, Time, Violation};
use crate::trace::RecordClass;

/// Most events a run on the page may reach.
pub const MAX_EVENTS: u64 = 2_000_000;

/// A user action on the page.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    Crash(NodeId),
    Restart(NodeId),
    Drop(MsgId),
    /// Split into two sides: nodes listed go to side 1, the rest stay on side 0.
    Partition(Vec<NodeId>),
    Heal,
    Cut(NodeId, NodeId),
    Uncut(NodeId, NodeId),
    /// A client request, typed by the user in the protocol's syntax ("20" for Paxos).
    Client(NodeId, String),
    /// Deliver a message in flight now (explored runs only, as the next three).
    Deliver(MsgId),
    /// Fire a node's armed timer, named as the page names it ("election"), now; where the node
    /// holds several of that name, the name of the k-th (k ≥ 2) ends " #k" ([`timer_name`]).
    Fire(NodeId, String),
    /// Put another copy of a message in flight.
    Duplicate(MsgId),
}

/// The name [`Action::Fire`] gives the `k`-th (from 0) of a node's armed timers labelled
/// `label`: the label alone for the first, else "label #k+1".
pub fn timer_name(label: &str, k: usize) -> String {
    if k == 0 {
        String::from(label)
    } else {
        alloc::format!("{label} #{}", k + 1)
    }
}

/// The label and place (from 0) that a [`timer_name`] names.
pub fn timer_place(name: &str) -> (&str, usize) {
    match name.rsplit_once(" #").map(|(label, k)| (label, k.parse::<usize>())) {
        Some((label, Ok(k))) if k >= 2 => (label, k - 1),
        _ => (name, 0),
    }
}

/// A node as drawn.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NodeSnap {
    pub id: NodeId,
    /// The page's name for the node ("S1", "C1").
    pub name: String,
    pub up: bool,
    /// The node's replicated log, for protocols that have one.
    pub log: Option<LogDetail>,
    pub view: NodeView,
    /// (label, set at, fires at) for each armed timer.
    pub timers: Vec<(&'static str, Time, Time)>,
    /// What the node's own clock reads, when a skew has made it differ from true time (the
    /// node's lease and timeouts are measured on it).
    pub clock: Option<Time>,
}

/// A message copy in flight, as drawn.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FlightSnap {
    pub id: MsgId,
    pub from: NodeId,
    pub to: NodeId,
    pub sent_at: Time,
    pub arrive_at: Time,
    pub kind: &'static str,
    pub summary: String,
    /// Colour key of the payload (a record's key), if any.
    #[serde(with = "crate::hash::hex_opt")]
    pub hue: Option<u64>,
    /// Names of sender and receiver.
    pub from_name: String,
    pub to_name: String,
}

/// Everything the page draws for one position of the run.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Snapshot {
    pub protocol: &'static str,
    /// How the page draws this protocol.
    pub page: crate::registry::Page,
    pub position: u64,
    pub horizon: u64,
    pub limit: u64,
    pub time: Time,
    pub at_end: bool,
    pub nodes: Vec<NodeSnap>,
    pub flights: Vec<FlightSnap>,
    pub groups: Vec<u8>,
    /// The protocol's own tables (see [`Board`]).
    pub boards: Vec<Board>,
    /// The boxes around groups of nodes, for a `Drawing::Boxes` page (see [`Enclosure`]).
    pub enclosures: Vec<Enclosure>,
    /// The run's measurements up to this position.
    pub metrics: crate::metrics::Metrics,
    pub cuts: Vec<(NodeId, NodeId)>,
    /// Clogged nodes: (node, its outgoing links cut, its incoming links cut).
    pub clogs: Vec<(NodeId, bool, bool)>,
    /// The violation at this position, if the run stopped here.
    pub violation: Option<Violation>,
    /// The violation that stopped this branch, wherever the run is now (so the page can lead
    /// the user to it after stepping back).
    pub found_violation: Option<Violation>,
    #[serde(with = "crate::hash::hex")]
    pub trace_hash: u64,
}

impl Snapshot {
    /// The violation the safety badge shows: the one that stopped the run's branch, wherever
    /// the run is now, else the one at this position.
    pub fn shown_violation(&self) -> Option<&Violation> {
        self.found_violation.as_ref().or(self.violation.as_ref())
    }
}

/// One line of the event log.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EventLine {
    pub event: u64,
    pub time: Time,
    pub class: RecordClass,
    pub text: String,
    /// The same line in parts, for a page in another language.
    #[serde(skip)]
    pub phrase: crate::trace::Phrase,
    /// Records of the same event this line stands for besides itself: a line "… and 92 more"
    /// replaces the records past the per-event limit of [`Lab::log`].
    pub folded: u32,
}

/// A run the page can drive, whatever its protocol.
pub trait Lab {
    fn protocol(&self) -> &'static str;
    fn position(&self) -> u64;
    fn horizon(&self) -> u64;
    fn at_end(&self) -> bool;
    fn time(&self) -> Time;
    /// Virtual time of the next event, if one can run.
    fn next_time(&self) -> Option<Time>;
    fn step(&mut self) -> bool;
    fn seek(&mut self, position: u64);
    /// Apply a user action at the current position (a new branch if in the past).
    fn act(&mut self, action: Action) -> Result<(), String>;
    fn snapshot(&self) -> Snapshot;
    /// What every node believes of `about`, or of the node most in doubt (see
    /// [`crate::protocol::Present::opinions`]); None for protocols without such beliefs.
    fn opinions(&self, about: Option<NodeId>) -> Option<crate::protocol::Opinions>;
    /// Event-log lines of events `from+1 ..= to`.
    /// The event log of events `from+1 ..= to`: each record as a line, but at most `per_event`
    /// lines for one event (a proposer's Prepare to a hundred acceptors is one event); the
    /// records past that are folded into one more line that counts them.
    fn log(&self, from: u64, to: u64, per_event: usize) -> Vec<EventLine>;
    fn trace_hash(&self) -> u64;
    fn violation(&self) -> Option<Violation>;
    fn properties(&self) -> Vec<(&'static str, &'static str)>;
    /// Those of `properties` the protocol does not promise (`Protocol::not_promised`).
    fn not_promised(&self) -> &'static [&'static str];
    fn node_count(&self) -> usize;
    fn about(&self) -> About;
    /// Let the run go on past its first violation, which stays its verdict (the page lets a
    /// learner see what a broken rule leads to).
    fn run_past_violations(&mut self);
    /// The preset's lesson, one step per moment.
    fn narration(&self) -> Vec<crate::lesson::Step>;
    /// Where each lesson step's moment is in this run: the position just after its event
    /// (see [`crate::lesson::locate`]).
    fn locate(&self) -> Vec<Option<crate::lesson::Stop>>;
    /// The space-time diagram of events `from+1 ..= to`.
    fn diagram(&self, from: u64, to: u64) -> crate::diagram::Diagram;
    /// Client operations invoked from virtual time `since` on (at most `limit`): the index of
    /// the first, the operations, and how many the whole history holds.
    fn history(&self, since: Time, limit: usize) -> (usize, Vec<crate::history::HistoryOp>, usize);
    /// Check the whole client history so far for linearizability.
    fn judge(&self) -> crate::history::Judgement;
    /// The same check, to run in slices (a page that must keep drawing).
    fn judging(&self) -> crate::history::Judging;
    /// The user's actions on this branch, each with the position it was taken at.
    fn actions(&self) -> Vec<(u64, Action)>;
}
