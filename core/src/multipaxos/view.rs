//! How the page presents Multi-Paxos (its `Present` impl): a server's roles and ballots, its
//! log, the slots × acceptors table (what each acceptor accepted, what is chosen), and the quorum
//! table that shows why a chosen value survives a change of leader; node names, timers,
//! requests and notes in words.

use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use super::server::{Node, Role, Server};
use super::types::*;
use crate::kv::client;
use crate::protocol::{About, Board, BoardCell, BoardRow, LogDetail, NodeId, NodeView, Present, Tone};

fn server_view(mp: &MultiPaxos, s: &Server) -> NodeView {
    let role = match s.role {
        Role::Leader => "leader",
        Role::Candidate => "candidate",
        Role::Follower => "follower",
    };
    let badge = match s.role {
        Role::Leader => String::from("★ leader"),
        Role::Candidate => format!("phase 1 {}", s.hard.ballot),
        Role::Follower => format!("{}", s.hard.promised),
    };
    let mut fields = vec![
        ("promised".into(), format!("{}", s.hard.promised)),
        ("own ballot".into(), format!("{}", s.hard.ballot)),
        ("accepted slots".into(), format!("{}", s.hard.accepted.iter().filter(|a| a.is_some()).count())),
        ("chosen up to".into(), format!("slot {}", s.chosen_prefix())),
        ("applied up to".into(), format!("slot {}", s.applied)),
        ("leader hint".into(), s.leader_hint.map(|l| format!("{l}")).unwrap_or_else(|| "—".into())),
    ];
    if s.role == Role::Candidate {
        fields.push(("promises".into(), names(s.promised_by, mp.servers)));
    }
    if s.role == Role::Leader {
        fields.push(("phase-1 quorum".into(), names(s.promised_by, mp.servers)));
        fields.push(("next slot".into(), format!("{}", s.next_slot)));
        fields.push(("in flight".into(), format!("{}", s.in_flight.len())));
    }
    let summary = vec![format!("chosen ≤ {} · applied {}", s.chosen_prefix(), s.applied)];
    NodeView {
        role: role.into(),
        badge,
        fields,
        summary,
        hue_key: (s.hard.promised.round > 0).then_some(s.hard.promised.node as u64),
        accepts: None,
        actions: Vec::new(),
    }
}

/// Most slots the slot table shows (the latest ones).
const SLOT_ROWS: u64 = 12;

fn boards(mp: &MultiPaxos, nodes: &[Node], up: &[bool]) -> Vec<Board> {
    let servers: Vec<&Server> = nodes
        .iter()
        .filter_map(|n| match n {
            Node::Server(s) => Some(s),
            Node::Client(_) => None,
        })
        .collect();
    // What is chosen first: it is what the table is for, and a narrow table keeps it in sight.
    let mut columns: Vec<String> = vec!["chosen".into()];
    columns.extend(servers.iter().map(|s| {
        let down = if up[s.id.index()] { "" } else { " (down)" };
        format!("{}{down} · promised {}", s.id, s.hard.promised)
    }));
    let top =
        servers.iter().map(|s| s.hard.accepted.len().max(s.hard.chosen.len()) as u64).max().unwrap_or(0);
    let chosen_at =
        |slot: Slot| servers.iter().find_map(|s| s.hard.chosen.get((slot - 1) as usize).cloned().flatten());
    let rows = (top.saturating_sub(SLOT_ROWS) + 1..=top)
        .rev()
        .map(|slot| {
            let chosen = chosen_at(slot);
            let mut cells: Vec<BoardCell> = Vec::with_capacity(servers.len() + 1);
            cells.push(match &chosen {
                Some(c) => BoardCell { text: format!("✓ {c}"), tone: Tone::Lead, ..BoardCell::default() },
                None => BoardCell { text: "not yet".into(), tone: Tone::Dim, ..BoardCell::default() },
            });
            cells.extend(servers.iter().map(|s| {
                let a = s.hard.accepted.get((slot - 1) as usize).cloned().flatten();
                let Some((b, c)) = a else {
                    return BoardCell {
                        text: "—".into(),
                        title: "nothing accepted".into(),
                        ..BoardCell::default()
                    };
                };
                let agrees = chosen.as_ref() == Some(&c);
                let tone = if !up[s.id.index()] {
                    Tone::Dim
                } else if agrees {
                    Tone::Good
                } else if chosen.is_some() {
                    Tone::Bad
                } else {
                    Tone::Warn
                };
                BoardCell {
                    text: format!("{b} {c}"),
                    title: format!(
                        "{} accepted \"{c}\" in ballot {b}{}",
                        s.id,
                        if agrees { " (the chosen value)" } else { "" }
                    ),
                    tone,
                    hue: Some(b.node as u64),
                    ..BoardCell::default()
                }
            }));
            BoardRow { label: format!("slot {slot}"), cells }
        })
        .collect();
    let mut out = vec![Board {
        title: String::from("slots × acceptors"),
        legend: String::from(
            "What each acceptor accepted in each slot (ballot and value), the latest slots first. Solid: the \
             chosen value; dashed: accepted but not known chosen; red: a value that lost to the chosen one.",
        ),
        columns,
        rows,
    }];
    if let Some(l) =
        servers.iter().filter(|s| s.role == Role::Leader && up[s.id.index()]).max_by_key(|s| s.hard.ballot)
    {
        out.push(quorum_board(mp, l));
    }
    out
}

/// The quorums of the current leader's ballot, and the acceptors that carried earlier values
/// into its phase 1.
fn quorum_board(mp: &MultiPaxos, l: &Server) -> Board {
    let mark = |on: bool, tone: Tone, word: &str| BoardCell {
        text: String::from(if on { "✓" } else { "" }),
        title: String::from(if on { word } else { "" }),
        tone: if on { tone } else { Tone::Plain },
        ..BoardCell::default()
    };
    let columns = (0..mp.servers).map(|i| format!("S{}", i + 1)).collect();
    let mut rows = vec![BoardRow {
        label: format!("phase 1 ({}): promised", l.hard.ballot),
        cells: (0..mp.servers).map(|i| mark(l.promised_by & (1 << i) != 0, Tone::Good, "promised")).collect(),
    }];
    if let Some((slot, votes)) = l.last_quorum {
        rows.push(BoardRow {
            label: format!("phase 2, slot {slot}: accepted"),
            cells: (0..mp.servers).map(|i| mark(votes & (1 << i) != 0, Tone::Good, "accepted")).collect(),
        });
        let both = votes & l.promised_by;
        rows.push(BoardRow {
            label: String::from("in both quorums"),
            cells: (0..mp.servers)
                .map(|i| mark(both & (1 << i) != 0, Tone::Lead, "in both quorums"))
                .collect(),
        });
    }
    for a in l.adopted.iter().rev().take(3) {
        rows.push(BoardRow {
            label: format!("slot {}: {} from {}", a.slot, a.cmd, a.from),
            cells: (0..mp.servers).map(|i| mark(a.carrier.index() == i, Tone::Lead, "carried it")).collect(),
        });
    }
    Board {
        title: format!("why values survive: the quorums of {}", l.hard.ballot),
        legend: String::from(
            "Any two majorities share an acceptor. A value chosen in an earlier ballot was accepted by a \
             majority, so at least one acceptor of the new phase-1 quorum reports it; the new leader adopts \
             the highest-ballot value reported for each slot. The rows below the quorums: the acceptor \
             that carried each adopted value across the change of leader.",
        ),
        columns,
        rows,
    }
}

/// Bits set in a mask, as server names.
pub fn names(mask: u64, servers: usize) -> String {
    let v: Vec<String> =
        (0..servers).filter(|i| mask & (1 << i) != 0).map(|i| format!("S{}", i + 1)).collect();
    if v.is_empty() {
        String::from("—")
    } else {
        v.join(" ")
    }
}

impl Present for MultiPaxos {
    fn about(&self) -> About {
        About {
            title: "Multi-Paxos",
            tagline: "A leader runs phase 1 once for all slots, then one round trip per command; a new leader adopts what a majority may have chosen.",
            persistence: "Persistent across a crash: the acceptor's promise and accepted values, the proposer's latest ballot (a restarted proposer never reuses one) and the values the learner knows chosen (its log). Lost: the key-value store (rebuilt from that log) and the rest of the proposer's state; the slots chosen while it was down it learns from the leader.",
        }
    }
    fn view(&self, node: &Node) -> NodeView {
        match node {
            Node::Client(c) => client::view(self, c),
            Node::Server(s) => server_view(self, s),
        }
    }
    fn down_view(&self, restarted: &Node) -> NodeView {
        // A server's role (leader, candidate, follower) lives in memory: a crashed one has none.
        self.view(restarted).down(matches!(restarted, Node::Server(_)))
    }
    fn log_detail(&self, node: &Node) -> Option<LogDetail> {
        let Node::Server(s) = node else { return None };
        // The latest slots only: the log view shows the end of the log.
        let len = s.hard.accepted.len().max(s.hard.chosen.len());
        let first = len.saturating_sub(64);
        let entries = (first..len)
            .map(|i| {
                match (s.hard.chosen.get(i).cloned().flatten(), s.hard.accepted.get(i).cloned().flatten()) {
                    (Some(c), a) => (a.map(|a| a.0.round).unwrap_or(0), format!("{c}")),
                    (None, Some((b, c))) => (b.round, format!("{c} (accepted in {b}, not known chosen)")),
                    (None, None) => (0, String::from("empty")),
                }
            })
            .collect();
        Some(LogDetail {
            first_index: first as u64 + 1,
            snapshot: None,
            entries,
            commit: s.chosen_prefix(),
            applied: s.applied,
            leader: None,
            kv: s.kv.data.iter().map(|(k, v)| (String::from(k.as_str()), format!("{v}"))).collect(),
        })
    }
    fn boards(&self, nodes: &[Node], up: &[bool]) -> Vec<Board> {
        boards(self, nodes, up)
    }
    fn node_name(&self, id: NodeId) -> String {
        if self.is_server(id) {
            format!("{id}")
        } else {
            format!("C{}", id.index() - self.servers + 1)
        }
    }
    fn narration(&self) -> Vec<crate::lesson::Step> {
        self.narration.clone()
    }
    fn timer_label(timer: &Timer) -> &'static str {
        match timer {
            Timer::Election => "election",
            Timer::Heartbeat => "heartbeat",
            Timer::ClientNext => "next request",
            Timer::ClientRetry => "retry",
        }
    }
    fn client_summary(op: &ClientOp) -> String {
        let ClientOp::Kv(op) = op;
        format!("{op}")
    }
    fn note_summary(note: &Note) -> String {
        match note {
            Note::Invoke { req, op, .. } => format!("client issues #{req}: {op}"),
            Note::Ack { req, result, index, .. } => format!("client gets #{req}: {result} (slot {index})"),
            Note::Elected { node, ballot } => format!("{node} leads with ballot {ballot}"),
            Note::Accepted { node, slot, ballot, .. } => format!("{node} accepts slot {slot} in {ballot}"),
            Note::Applied { node, slot, .. } => format!("{node} applies slot {slot}"),
            Note::Refused { node, why } => format!("{node} refuses: {why}"),
        }
    }
}
