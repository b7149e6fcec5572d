//! How the page presents Paxos (its `Present` impl): a node's roles, phase, ballot, promise,
//! vote and learned value; timers and requests in words.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use crate::protocol::{About, NodeView, Present};

use super::types::*;

/// A node's roles and state as labelled fields, a badge and a few summary lines. A node that
/// is `down` shows no proposer phase or ballot: those live in memory only (§2.5 keeps the
/// acceptor's promise and vote on stable storage, and this model the proposer's value and
/// highest round).
fn node_view(node: &Node, down: bool) -> NodeView {
    let mut roles: Vec<&str> = Vec::new();
    let mut fields: Vec<(String, String)> = Vec::new();
    let mut badge = String::new();
    let mut summary: Vec<String> = Vec::new();
    let mut hue_key = None;
    if let Some(p) = node.proposer.as_ref().filter(|_| down) {
        roles.push("proposer");
        if let Some(v) = p.hard.value {
            fields.push(("client value".into(), format!("{v}")));
        }
        fields.push(("highest round used".into(), format!("{}", p.hard.max_round)));
    } else if let Some(p) = &node.proposer {
        roles.push("proposer");
        let phase = match p.phase {
            Phase::Idle if p.hard.value.is_none() => "idle (no client value)",
            Phase::Idle => "backing off",
            Phase::Preparing => "phase 1: preparing",
            Phase::Accepting => "phase 2: accepting",
            Phase::Decided => "decided",
        };
        fields.push(("phase".into(), phase.into()));
        fields.push(("ballot".into(), format!("{}", p.ballot)));
        if let Some(v) = p.hard.value {
            fields.push(("client value".into(), format!("{v}")));
        }
        if let Some(v) = p.proposal {
            fields.push(("proposing".into(), format!("{v}")));
        }
        let short = match p.phase {
            Phase::Idle if p.hard.value.is_none() => String::from("proposer idle"),
            Phase::Idle => format!("backing off (b {})", p.ballot),
            Phase::Preparing => format!("preparing b {}", p.ballot),
            Phase::Accepting => format!("accepting b {}", p.ballot),
            Phase::Decided => format!("decided at b {}", p.ballot),
        };
        summary.push(short);
    }
    if let Some(a) = &node.acceptor {
        roles.push("acceptor");
        fields.push(("promised".into(), format!("{}", a.promised)));
        let acc = match a.accepted {
            Some((b, v)) => format!("{v} at {b}"),
            None => "nothing".into(),
        };
        fields.push(("accepted".into(), acc));
        if a.promised.round > 0 {
            hue_key = Some(a.promised.node as u64);
        }
        summary.push(if a.promised.round == 0 {
            String::from("promised nothing")
        } else {
            format!("promised {}", a.promised)
        });
        summary.push(match a.accepted {
            Some((b, v)) => format!("accepted {v} @ {b}"),
            None => String::from("accepted nothing"),
        });
    }
    if let Some(l) = &node.learner {
        roles.push("learner");
        let learned = match l.learned {
            Some(v) => format!("{v}"),
            None => "—".into(),
        };
        if l.learned.is_some() {
            badge = format!("✓ {learned}");
            summary.push(format!("learned {learned}"));
        }
        fields.push(("learned".into(), learned));
    }
    if badge.is_empty() {
        badge = roles.iter().map(|r| &r[..1]).collect::<Vec<_>>().join("·").to_uppercase();
    }
    let accepts = node.proposer.as_ref().map(|_| String::from("a value to propose, e.g. 42"));
    NodeView { role: roles.join(" · "), badge, fields, summary, hue_key, accepts, actions: Vec::new() }
}

impl Present for Paxos {
    fn about(&self) -> About {
        About {
            title: "single-decree Paxos",
            tagline: "Proposers, acceptors and learners agree on one value despite lost messages, crashes and partitions. Press play, then break things.",
            persistence: "Persistent across a crash: the acceptor's promise and accepted value, the proposer's round. Lost: learned values and the proposer's phase.",
        }
    }

    fn view(&self, n: &Node) -> NodeView {
        node_view(n, false)
    }

    fn down_view(&self, restarted: &Node) -> NodeView {
        node_view(restarted, true).down(false)
    }

    fn narration(&self) -> Vec<crate::lesson::Step> {
        self.narration.clone()
    }

    fn timer_label(_: &Timer) -> &'static str {
        "retry"
    }

    fn client_summary(op: &Propose) -> String {
        format!("propose {}", op.0)
    }

    fn note_summary(_: &()) -> String {
        String::new()
    }
}
