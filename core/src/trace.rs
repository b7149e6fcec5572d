//! The trace: one stable record per thing that happened.
//!
//! Records are plain data. Their `Hash` (through [`crate::hash::StableHasher`]) is the same on
//! every platform, so the running trace hash names a run: same seed, same scenario, same user
//! inputs ⇒ same hash, on native and on wasm. Their `Serialize` is the JSON-lines format of
//! `distlab run --trace FILE`.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use serde::Serialize;

use crate::protocol::{MessageInfo, MsgId, NodeId, Present, Protocol, Time};

/// Why a message copy did not arrive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DropReason {
    /// The network lost it (the `loss` probability).
    Loss,
    /// Sender and receiver were on different sides of a partition, or the link was cut.
    Partition,
    /// The receiver was down when it arrived.
    Crashed,
    /// The user dropped it by hand.
    User,
}

/// One thing that happened during event `event` at virtual time `time`.
#[derive(Clone, Debug, Hash, Serialize)]
#[serde(bound = "")]
pub struct Record<P: Protocol> {
    pub event: u64,
    pub time: Time,
    #[serde(flatten)]
    pub kind: RecordKind<P>,
}

#[derive(Clone, Debug, Hash, Serialize)]
#[serde(bound = "", tag = "type", rename_all = "snake_case")]
pub enum RecordKind<P: Protocol> {
    Send {
        id: MsgId,
        from: NodeId,
        to: NodeId,
        msg: P::Msg,
        deliver_at: Time,
    },
    Duplicate {
        id: MsgId,
        of: MsgId,
        deliver_at: Time,
    },
    Deliver {
        id: MsgId,
        from: NodeId,
        to: NodeId,
        msg: P::Msg,
    },
    Drop {
        id: MsgId,
        from: NodeId,
        to: NodeId,
        reason: DropReason,
    },
    Timer {
        node: NodeId,
        timer: P::Timer,
    },
    Client {
        node: NodeId,
        op: P::ClientOp,
        accepted: bool,
    },
    Crash {
        node: NodeId,
    },
    Restart {
        node: NodeId,
    },
    Partition {
        groups: Vec<u8>,
    },
    Heal,
    Cut {
        from: NodeId,
        to: NodeId,
    },
    Uncut {
        from: NodeId,
        to: NodeId,
    },
    /// A node's state changed; `digest` is its stable hash after the change.
    State {
        node: NodeId,
        digest: u64,
    },
    /// A fact a handler reported to the checker.
    Note {
        note: P::Note,
    },
    Violation {
        property: String,
        message: String,
    },
    // New kinds go last: the derived hash numbers variants in order, and the golden trace
    // hash must not move.
    /// Messages on this link now take `factor` times as long (1: normal again).
    SlowLink {
        from: NodeId,
        to: NodeId,
        factor: u32,
    },
    /// The node's clock now runs `pct` percent slow (its timers fire that much later) or fast.
    ClockSkew {
        node: NodeId,
        pct: i32,
    },
}

/// A coarse category for colouring the event log.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum RecordClass {
    Message,
    Drop,
    Timer,
    Client,
    Fault,
    State,
    Violation,
}

impl<P: Protocol> Record<P> {
    pub fn class(&self) -> RecordClass {
        match &self.kind {
            RecordKind::Send { .. } | RecordKind::Deliver { .. } | RecordKind::Duplicate { .. } => {
                RecordClass::Message
            }
            RecordKind::Drop { .. } => RecordClass::Drop,
            RecordKind::Timer { .. } => RecordClass::Timer,
            RecordKind::Client { .. } | RecordKind::Note { .. } => RecordClass::Client,
            RecordKind::Crash { .. }
            | RecordKind::Restart { .. }
            | RecordKind::Partition { .. }
            | RecordKind::Heal
            | RecordKind::Cut { .. }
            | RecordKind::Uncut { .. }
            | RecordKind::SlowLink { .. }
            | RecordKind::ClockSkew { .. } => RecordClass::Fault,
            RecordKind::State { .. } => RecordClass::State,
            RecordKind::Violation { .. } => RecordClass::Violation,
        }
    }
}

impl<P: Present> Record<P> {
    /// The record in words, naming nodes `S1`, `S2`, ….
    pub fn describe(&self) -> String {
        self.describe_with(&|n| format!("{n}"))
    }

    /// The record in words, for the event log and the live region, with the protocol's names
    /// for nodes.
    pub fn describe_with(&self, name: &dyn Fn(NodeId) -> String) -> String {
        let node = |n: &NodeId| name(*n);
        match &self.kind {
            RecordKind::Send { from, to, msg, .. } => {
                format!("{} → {}: {} {}", node(from), node(to), msg.kind(), msg.summary())
            }
            RecordKind::Duplicate { id, of, .. } => {
                format!("network duplicated message #{} as #{}", of.0, id.0)
            }
            RecordKind::Deliver { from, to, msg, .. } => {
                format!("{} receives {} from {} {}", node(to), msg.kind(), node(from), msg.summary())
            }
            RecordKind::Drop { from, to, reason, .. } => {
                let why = match reason {
                    DropReason::Loss => "lost by the network",
                    DropReason::Partition => "blocked by the partition",
                    DropReason::Crashed => "receiver is down",
                    DropReason::User => "dropped by you",
                };
                format!("message {} → {} dropped: {why}", node(from), node(to))
            }
            RecordKind::Timer { node: n, timer } => {
                format!("{}: {} timer fires", node(n), P::timer_label(timer))
            }
            RecordKind::Client { node: n, op, accepted } => {
                if *accepted {
                    format!("request → {}: {}", node(n), P::client_summary(op))
                } else {
                    format!("request → {}: {} (node is down)", node(n), P::client_summary(op))
                }
            }
            RecordKind::Crash { node: n } => format!("{} crashes", node(n)),
            RecordKind::Restart { node: n } => format!("{} restarts", node(n)),
            RecordKind::Partition { groups } => {
                let mut sides: Vec<String> = Vec::new();
                let mut ids: Vec<u8> = Vec::new();
                for g in groups {
                    if !ids.contains(g) {
                        ids.push(*g);
                    }
                }
                // Few groups: a simple insertion sort.
                for i in 1..ids.len() {
                    let mut j = i;
                    while j > 0 && ids[j - 1] > ids[j] {
                        ids.swap(j - 1, j);
                        j -= 1;
                    }
                }
                for g in ids {
                    let members: Vec<String> = groups
                        .iter()
                        .enumerate()
                        .filter(|(_, x)| **x == g)
                        .map(|(i, _)| name(NodeId(i as u32)))
                        .collect();
                    sides.push(format!("{{{}}}", members.join(" ")));
                }
                format!("network partitioned: {}", sides.join(" | "))
            }
            RecordKind::Heal => String::from("network healed"),
            RecordKind::Cut { from, to } => format!("link {} → {} cut", node(from), node(to)),
            RecordKind::Uncut { from, to } => format!("link {} → {} restored", node(from), node(to)),
            RecordKind::SlowLink { from, to, factor: 1 } => {
                format!("link {} → {} back to normal speed", node(from), node(to))
            }
            RecordKind::SlowLink { from, to, factor } => {
                format!("link {} → {} now {factor}× slower", node(from), node(to))
            }
            RecordKind::ClockSkew { node: n, pct: 0 } => format!("{}'s clock runs true again", node(n)),
            RecordKind::ClockSkew { node: n, pct } => format!("{}'s clock now runs {pct:+}%", node(n)),
            RecordKind::State { node: n, .. } => format!("{} state changed", node(n)),
            RecordKind::Note { note } => P::note_summary(note),
            RecordKind::Violation { property, message } => {
                format!("VIOLATION of {property}: {message}")
            }
        }
    }
}
