//! The trace: one stable record per thing that happened.
//!
//! Records are plain data. Their `Hash` (through [`crate::hash::StableHasher`]) is the same on
//! every platform, so the running trace hash names a run: same seed, same scenario, same user
//! inputs ⇒ same hash, on native and on wasm. Their `Serialize` is the JSON-lines format of
//! `distlab run --trace FILE`.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec;
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
    /// A node's outgoing links (`out`), incoming links (`into`) or both cut at once.
    Clog {
        node: NodeId,
        out: bool,
        into: bool,
    },
    /// Those links back.
    Unclog {
        node: NodeId,
        out: bool,
        into: bool,
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
            | RecordKind::Clog { .. }
            | RecordKind::Unclog { .. }
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
        self.phrase_with(name).to_string()
    }

    /// The record in words, in parts (see [`Phrase`]): what [`Record::describe_with`] writes.
    pub fn phrase_with(&self, name: &dyn Fn(NodeId) -> String) -> Phrase {
        use Fill::{Name, Vocabulary, Words};
        let node = |n: &NodeId| (Name, name(*n));
        let p = |template: &'static str, args: Vec<(Fill, String)>| Phrase { template, args };
        match &self.kind {
            RecordKind::Send { from, to, msg, .. } => p(
                "{} → {}: {} {}",
                vec![node(from), node(to), (Vocabulary, msg.kind().into()), (Vocabulary, msg.summary())],
            ),
            RecordKind::Duplicate { id, of, .. } => p(
                "network duplicated message #{} as #{}",
                vec![(Name, format!("{}", of.0)), (Name, format!("{}", id.0))],
            ),
            RecordKind::Deliver { from, to, msg, .. } => p(
                "{} receives {} from {} {}",
                vec![node(to), (Vocabulary, msg.kind().into()), node(from), (Vocabulary, msg.summary())],
            ),
            RecordKind::Drop { from, to, reason, .. } => {
                let why = match reason {
                    DropReason::Loss => "message {} → {} dropped: lost by the network",
                    DropReason::Partition => "message {} → {} dropped: blocked by the partition",
                    DropReason::Crashed => "message {} → {} dropped: receiver is down",
                    DropReason::User => "message {} → {} dropped: dropped by you",
                };
                p(why, vec![node(from), node(to)])
            }
            RecordKind::Timer { node: n, timer } => {
                p("{}: {} timer fires", vec![node(n), (Words, P::timer_label(timer).into())])
            }
            RecordKind::Client { node: n, op, accepted } => p(
                if *accepted { "request → {}: {}" } else { "request → {}: {} (node is down)" },
                vec![node(n), (Vocabulary, P::client_summary(op))],
            ),
            RecordKind::Crash { node: n } => p("{} crashes", vec![node(n)]),
            RecordKind::Restart { node: n } => p("{} restarts", vec![node(n)]),
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
                p("network partitioned: {}", vec![(Name, sides.join(" | "))])
            }
            RecordKind::Heal => p("network healed", Vec::new()),
            RecordKind::Cut { from, to } => p("link {} → {} cut", vec![node(from), node(to)]),
            RecordKind::Uncut { from, to } => p("link {} → {} restored", vec![node(from), node(to)]),
            RecordKind::Clog { node: x, out, into } => match (out, into) {
                (true, false) => p("every link from {} cut", vec![node(x)]),
                (false, true) => p("every link to {} cut", vec![node(x)]),
                _ => p("every link to and from {} cut", vec![node(x)]),
            },
            RecordKind::Unclog { node: x, out, into } => match (out, into) {
                (true, false) => p("every link from {} restored", vec![node(x)]),
                (false, true) => p("every link to {} restored", vec![node(x)]),
                _ => p("every link to and from {} restored", vec![node(x)]),
            },
            RecordKind::SlowLink { from, to, factor: 1 } => {
                p("link {} → {} back to normal speed", vec![node(from), node(to)])
            }
            RecordKind::SlowLink { from, to, factor } => {
                p("link {} → {} now {}× slower", vec![node(from), node(to), (Name, format!("{factor}"))])
            }
            RecordKind::ClockSkew { node: n, pct: 0 } => p("{}'s clock runs true again", vec![node(n)]),
            RecordKind::ClockSkew { node: n, pct } => {
                p("{}'s clock now runs {}%", vec![node(n), (Name, format!("{pct:+}"))])
            }
            RecordKind::State { node: n, .. } => p("{} state changed", vec![node(n)]),
            RecordKind::Note { note } => p("{}", vec![(Words, P::note_summary(note))]),
            RecordKind::Violation { property, message } => {
                p("VIOLATION of {}: {}", vec![(Vocabulary, property.clone()), (Words, message.clone())])
            }
        }
    }
}

/// What fills a hole of a [`Phrase`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Fill {
    /// A node's name or a number: the same in every language.
    Name,
    /// The protocol's own vocabulary (a message's name and fields, a command as typed, a
    /// property's name): kept as the paper and the user write it.
    Vocabulary,
    /// Words the page translates.
    Words,
}

/// A sentence with `{}` holes and what fills each, so a page in another language can translate
/// the sentence and the words and keep the rest. Its `Display` is the English sentence.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Phrase {
    pub template: &'static str,
    pub args: Vec<(Fill, String)>,
}

impl core::fmt::Display for Phrase {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let mut args = self.args.iter();
        let mut rest = self.template;
        while let Some(at) = rest.find("{}") {
            f.write_str(&rest[..at])?;
            f.write_str(args.next().map(|(_, a)| a.as_str()).unwrap_or_default())?;
            rest = &rest[at + 2..];
        }
        f.write_str(rest)
    }
}

/// A record as the simulator makes it, its contents borrowed: hashed exactly as the [`Record`]
/// it stands for (the same variants in the same order with the same fields, and a reference
/// hashes as what it points to, a slice as the `Vec` it stands for; the tests below check every
/// variant). The simulator hashes every record through it, and copies it into an owned
/// `Record` only while it keeps records (`Sim::keep_records`), so a run whose records nobody
/// reads copies no message, request or note for them.
#[derive(Hash)]
pub(crate) struct RecordRef<'a, P: Protocol> {
    pub event: u64,
    pub time: Time,
    pub kind: KindRef<'a, P>,
}

/// [`RecordKind`], borrowed. New kinds go last here too, in the same order.
#[derive(Hash)]
pub(crate) enum KindRef<'a, P: Protocol> {
    Send { id: MsgId, from: NodeId, to: NodeId, msg: &'a P::Msg, deliver_at: Time },
    Duplicate { id: MsgId, of: MsgId, deliver_at: Time },
    Deliver { id: MsgId, from: NodeId, to: NodeId, msg: &'a P::Msg },
    Drop { id: MsgId, from: NodeId, to: NodeId, reason: DropReason },
    Timer { node: NodeId, timer: P::Timer },
    Client { node: NodeId, op: &'a P::ClientOp, accepted: bool },
    Crash { node: NodeId },
    Restart { node: NodeId },
    Partition { groups: &'a [u8] },
    Heal,
    Cut { from: NodeId, to: NodeId },
    Uncut { from: NodeId, to: NodeId },
    State { node: NodeId, digest: u64 },
    Note { note: &'a P::Note },
    Violation { property: &'a str, message: &'a str },
    SlowLink { from: NodeId, to: NodeId, factor: u32 },
    ClockSkew { node: NodeId, pct: i32 },
    Clog { node: NodeId, out: bool, into: bool },
    Unclog { node: NodeId, out: bool, into: bool },
}

impl<P: Protocol> RecordRef<'_, P> {
    /// The owned record, its borrowed parts cloned.
    pub(crate) fn owned(&self) -> Record<P> {
        let kind = match &self.kind {
            KindRef::Send { id, from, to, msg, deliver_at } => RecordKind::Send {
                id: *id,
                from: *from,
                to: *to,
                msg: (*msg).clone(),
                deliver_at: *deliver_at,
            },
            KindRef::Duplicate { id, of, deliver_at } => {
                RecordKind::Duplicate { id: *id, of: *of, deliver_at: *deliver_at }
            }
            KindRef::Deliver { id, from, to, msg } => {
                RecordKind::Deliver { id: *id, from: *from, to: *to, msg: (*msg).clone() }
            }
            KindRef::Drop { id, from, to, reason } => {
                RecordKind::Drop { id: *id, from: *from, to: *to, reason: *reason }
            }
            KindRef::Timer { node, timer } => RecordKind::Timer { node: *node, timer: *timer },
            KindRef::Client { node, op, accepted } => {
                RecordKind::Client { node: *node, op: (*op).clone(), accepted: *accepted }
            }
            KindRef::Crash { node } => RecordKind::Crash { node: *node },
            KindRef::Restart { node } => RecordKind::Restart { node: *node },
            KindRef::Partition { groups } => RecordKind::Partition { groups: groups.to_vec() },
            KindRef::Heal => RecordKind::Heal,
            KindRef::Cut { from, to } => RecordKind::Cut { from: *from, to: *to },
            KindRef::Uncut { from, to } => RecordKind::Uncut { from: *from, to: *to },
            KindRef::Clog { node, out, into } => RecordKind::Clog { node: *node, out: *out, into: *into },
            KindRef::Unclog { node, out, into } => RecordKind::Unclog { node: *node, out: *out, into: *into },
            KindRef::State { node, digest } => RecordKind::State { node: *node, digest: *digest },
            KindRef::Note { note } => RecordKind::Note { note: (*note).clone() },
            KindRef::Violation { property, message } => {
                RecordKind::Violation { property: String::from(*property), message: String::from(*message) }
            }
            KindRef::SlowLink { from, to, factor } => {
                RecordKind::SlowLink { from: *from, to: *to, factor: *factor }
            }
            KindRef::ClockSkew { node, pct } => RecordKind::ClockSkew { node: *node, pct: *pct },
        };
        Record { event: self.event, time: self.time, kind }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::digest;
    use crate::kv::KvOp;
    use crate::raft::{ClientOp, Command, Entry, Msg, Note, Raft, Timer};
    use alloc::vec;

    /// Every kind, borrowed and owned, hashes alike: the trace hash does not depend on whether
    /// records are kept.
    #[test]
    fn a_borrowed_record_hashes_as_the_owned_one() {
        let (a, b) = (NodeId(1), NodeId(2));
        let entry =
            Entry { term: 3, cmd: Command::Kv { client: NodeId(5), req: 7, op: KvOp::Put("k3".into(), 9) } };
        let msg =
            Msg::Append { term: 3, prev_index: 4, prev_term: 2, entries: vec![entry], commit: 4, seq: 8 };
        let op = ClientOp::Kv(KvOp::Cas("x".into(), None, 2));
        let note = Note::Elected { node: a, term: 3 };
        let groups = vec![0u8, 1, 1];
        let kinds: Vec<KindRef<'_, Raft>> = vec![
            KindRef::Send { id: MsgId(1), from: a, to: b, msg: &msg, deliver_at: Time(5) },
            KindRef::Duplicate { id: MsgId(2), of: MsgId(1), deliver_at: Time(6) },
            KindRef::Deliver { id: MsgId(1), from: a, to: b, msg: &msg },
            KindRef::Drop { id: MsgId(2), from: a, to: b, reason: DropReason::Partition },
            KindRef::Timer { node: a, timer: Timer::Election },
            KindRef::Client { node: b, op: &op, accepted: true },
            KindRef::Crash { node: a },
            KindRef::Restart { node: a },
            KindRef::Partition { groups: &groups },
            KindRef::Heal,
            KindRef::Cut { from: a, to: b },
            KindRef::Uncut { from: a, to: b },
            KindRef::Clog { node: a, out: true, into: false },
            KindRef::Unclog { node: a, out: true, into: true },
            KindRef::State { node: b, digest: 0xdead_beef },
            KindRef::Note { note: &note },
            KindRef::Violation { property: "agreement", message: "two values" },
            KindRef::SlowLink { from: a, to: b, factor: 3 },
            KindRef::ClockSkew { node: a, pct: -20 },
        ];
        let mut seen = Vec::new();
        for kind in kinds {
            let r = RecordRef { event: 9, time: Time(11), kind };
            let d = digest(&r);
            assert_eq!(d, digest(&r.owned()), "{:?}", r.owned().kind);
            assert!(!seen.contains(&d), "two kinds hash alike");
            seen.push(d);
        }
    }
}
