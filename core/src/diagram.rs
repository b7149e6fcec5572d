//! The space-time (Lamport) diagram of a window of events: one lane per node, each message an
//! arrow from its send to its delivery (or to the cross where it was dropped), and marks for
//! timers, crashes, restarts and client requests. Built from the trace records, so the page
//! draws only the window it shows, however long the run.

use alloc::string::String;
use alloc::vec::Vec;

use serde::Serialize;

use crate::protocol::{MessageInfo, MsgId, NodeId, Present, Protocol, Time};
use crate::trace::{DropReason, Record, RecordKind};

/// Most arrows one diagram carries (the window is cut short beyond it).
pub const MAX_ARROWS: usize = 4_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Fate {
    Delivered,
    Dropped(DropReason),
    /// Still in flight at the end of the window.
    InFlight,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Arrow {
    pub id: MsgId,
    pub from: NodeId,
    pub to: NodeId,
    pub kind: &'static str,
    pub summary: String,
    /// Sent in this event at this time; `None` when the send is before the window.
    pub sent: Option<(u64, Time)>,
    /// Delivered or dropped in this event at this time.
    pub end: Option<(u64, Time)>,
    pub fate: Fate,
    /// A copy made by the network's duplication.
    pub duplicate: bool,
    /// The delivery changed the receiver's state.
    pub changed: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum MarkKind {
    Timer,
    Crash,
    Restart,
    Client,
    Violation,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Mark {
    pub node: Option<NodeId>,
    pub event: u64,
    pub time: Time,
    pub kind: MarkKind,
    pub label: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Diagram {
    /// Events `from+1 ..= to`, spanning virtual times `t0 ..= t1`.
    pub from: u64,
    pub to: u64,
    pub t0: Time,
    pub t1: Time,
    pub arrows: Vec<Arrow>,
    pub marks: Vec<Mark>,
}

/// Build the diagram of `records` (events `from+1 ..= to`).
pub fn build<P: Present>(records: &[Record<P>], from: u64, to: u64) -> Diagram {
    let t0 = records.first().map(|r| r.time).unwrap_or_default();
    let t1 = records.last().map(|r| r.time).unwrap_or(t0);
    let mut d = Diagram { from, to, t0, t1, ..Diagram::default() };
    let find = |arrows: &[Arrow], id: MsgId| arrows.iter().rposition(|a| a.id == id);
    // The arrow delivered in an event, which the receiver's state change in it is owed to.
    let mut delivered: Option<(u64, usize)> = None;
    for r in records {
        let at = Some((r.event, r.time));
        match &r.kind {
            RecordKind::Send { id, from, to, msg, .. } if d.arrows.len() < MAX_ARROWS => {
                d.arrows.push(arrow::<P>(*id, *from, *to, msg, at, None, Fate::InFlight))
            }
            RecordKind::Duplicate { id, of, .. } => {
                if let Some(i) = find(&d.arrows, *of).filter(|_| d.arrows.len() < MAX_ARROWS) {
                    let copy = Arrow {
                        id: *id,
                        duplicate: true,
                        end: None,
                        fate: Fate::InFlight,
                        ..d.arrows[i].clone()
                    };
                    d.arrows.push(copy);
                }
            }
            RecordKind::Deliver { id, from, to, msg } => {
                let fate = Fate::Delivered;
                match find(&d.arrows, *id) {
                    Some(i) => {
                        d.arrows[i].end = at;
                        d.arrows[i].fate = fate;
                        delivered = Some((r.event, i));
                    }
                    None if d.arrows.len() < MAX_ARROWS => {
                        delivered = Some((r.event, d.arrows.len()));
                        d.arrows.push(arrow::<P>(*id, *from, *to, msg, None, at, fate))
                    }
                    None => {}
                }
            }
            RecordKind::Drop { id, reason, .. } => {
                if let Some(i) = find(&d.arrows, *id) {
                    d.arrows[i].end = at;
                    d.arrows[i].fate = Fate::Dropped(*reason);
                }
            }
            RecordKind::State { node, .. } => {
                // A state change in the same event as a delivery to that node: the delivery caused it.
                if let Some(a) =
                    delivered.filter(|(e, _)| *e == r.event).and_then(|(_, i)| d.arrows.get_mut(i))
                {
                    if a.to == *node {
                        a.changed = true;
                    }
                }
            }
            RecordKind::Timer { node, timer } => d.marks.push(Mark {
                node: Some(*node),
                event: r.event,
                time: r.time,
                kind: MarkKind::Timer,
                label: String::from(P::timer_label(timer)),
            }),
            RecordKind::Crash { node } => d.marks.push(mark(Some(*node), r, MarkKind::Crash, "crash")),
            RecordKind::Restart { node } => d.marks.push(mark(Some(*node), r, MarkKind::Restart, "restart")),
            RecordKind::Client { node, op, .. } => d.marks.push(Mark {
                node: Some(*node),
                event: r.event,
                time: r.time,
                kind: MarkKind::Client,
                label: P::client_summary(op),
            }),
            RecordKind::Violation { property, .. } => d.marks.push(Mark {
                node: None,
                event: r.event,
                time: r.time,
                kind: MarkKind::Violation,
                label: property.clone(),
            }),
            _ => {}
        }
    }
    d
}

/// The arrow of message `msg`, neither a duplicate nor (yet) known to change its receiver.
fn arrow<P: Protocol>(
    id: MsgId,
    from: NodeId,
    to: NodeId,
    msg: &P::Msg,
    sent: Option<(u64, Time)>,
    end: Option<(u64, Time)>,
    fate: Fate,
) -> Arrow {
    Arrow {
        id,
        from,
        to,
        kind: msg.kind(),
        summary: msg.summary(),
        sent,
        end,
        fate,
        duplicate: false,
        changed: false,
    }
}

fn mark<P: Protocol>(node: Option<NodeId>, r: &Record<P>, kind: MarkKind, label: &str) -> Mark {
    Mark { node, event: r.event, time: r.time, kind, label: String::from(label) }
}
