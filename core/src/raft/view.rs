//! How the page presents Raft (its `Present` impl): a server's role, term, vote, log and commit
//! index, the leader's view of each follower, and the replicated log for the log table; node
//! names, timers, requests and notes in words. Clients are drawn by `kv::client`.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;

use crate::fixed::Fixed;
use crate::kv::client;
use crate::protocol::{About, LogDetail, NodeId, NodeView, Present};

use super::state::{Node, Role, Server};
use super::types::*;

fn server_view(raft: &Raft, s: &Server) -> NodeView {
    let role = match s.role {
        Role::Follower if !s.is_member() => "not a member",
        Role::Follower => "follower",
        Role::PreCandidate => "pre-candidate",
        Role::Candidate => "candidate",
        Role::Leader => "leader",
    };
    let name = |n: Option<NodeId>| n.map(|x| format!("{x}")).unwrap_or_else(|| "—".into());
    let members: Vec<String> = s.config.iter().map(|m| format!("{m}")).collect();
    let kv: Vec<String> = s.kv.data.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let mut fields = vec![
        ("role".into(), role.into()),
        ("term".into(), format!("{}", s.hard.term)),
        ("voted for".into(), name(s.hard.voted_for)),
        ("leader".into(), name(s.leader)),
        ("last log".into(), format!("{} (term {})", s.last_index(), s.last_term())),
        ("commit index".into(), format!("{}", s.commit)),
        ("applied".into(), format!("{}", s.applied)),
        ("members".into(), format!("{{{}}}", members.join(","))),
        ("kv".into(), if kv.is_empty() { "empty".into() } else { kv.join(" ") }),
    ];
    if s.hard.snapshot.last_index > 0 {
        fields.push((
            "snapshot".into(),
            format!("up to {} (term {})", s.hard.snapshot.last_index, s.hard.snapshot.last_term),
        ));
    }
    if s.role == Role::Leader {
        if raft.read_mode == ReadMode::Lease {
            fields.push(("lease until".into(), format!("{} ms", Fixed(s.lease_until.as_ms_f64(), 1))));
        }
        if let Some(t) = s.transfer {
            fields.push(("transferring to".into(), format!("{t}")));
        }
        if let Some(c) = &s.adding {
            fields.push(("catching up".into(), format!("{} (round {})", c.node, c.rounds)));
        }
        for p in s.peers() {
            fields.push((
                format!("{p} next / match"),
                format!("{} / {}", s.next_index[p.index()], s.match_index[p.index()]),
            ));
        }
    }
    let mut summary = vec![format!("{role} · term {}", s.hard.term)];
    if let (Some(v), true) = (s.hard.voted_for, s.role != Role::Leader) {
        summary.push(format!("voted for {v}"));
    }
    summary.push(format!("log {} · commit {}", s.last_index(), s.commit));
    if !kv.is_empty() {
        let mut line = kv.join(" ");
        if line.len() > 22 {
            line.truncate(20);
            line.push('…');
        }
        summary.push(line);
    }
    NodeView {
        role: role.into(),
        badge: match s.role {
            Role::Leader => "★ leader".into(),
            Role::Candidate => "candidate".into(),
            Role::PreCandidate => "pre-vote".into(),
            Role::Follower => format!("T{}", s.hard.term),
        },
        fields,
        summary,
        hue_key: (s.hard.term > 0).then_some(s.hard.term),
        accepts: Some("transfer [S2] · add S4 · remove S2 · snapshot".into()),
        actions: match s.role {
            Role::Leader => vec![("Transfer leadership".into(), "transfer".into())],
            _ => Vec::new(),
        }
        .into_iter()
        .chain([("Snapshot now".into(), "snapshot".into())])
        .collect(),
    }
}

fn detail(s: &Server) -> LogDetail {
    let kv = s.kv.data.iter().map(|(k, v)| (String::from(k.as_str()), format!("{v}"))).collect();
    log_detail(s, kv)
}

/// A Raft server's log for the log table, with its state machine's contents as `kv` rows:
/// the Raft page's and every protocol's that runs Raft inside (the coordination service).
pub fn log_detail<M: Machine>(s: &Server<M>, kv: Vec<(String, String)>) -> LogDetail {
    LogDetail {
        first_index: s.hard.snapshot.last_index + 1,
        snapshot: (s.hard.snapshot.last_index > 0)
            .then_some((s.hard.snapshot.last_index, s.hard.snapshot.last_term)),
        entries: s.hard.log.iter().map(|e| (e.term, e.cmd.to_string())).collect(),
        commit: s.commit,
        applied: s.applied,
        leader: (s.role == Role::Leader).then(|| {
            s.peers().iter().map(|p| (*p, s.next_index[p.index()], s.match_index[p.index()])).collect()
        }),
        kv,
    }
}

impl Present for Raft {
    fn about(&self) -> About {
        About {
            title: "Raft",
            tagline: "A leader replicates a log of key-value commands; a majority commits them. Crash the leader, split the network, and watch terms, votes and logs.",
            persistence: "Persistent across a crash: currentTerm, votedFor, the log and the snapshot. Lost: commit index, applied state (rebuilt from the snapshot and the log) and all leader state.",
        }
    }

    fn view(&self, node: &Node) -> NodeView {
        match node {
            Node::Server(s) => server_view(self, s),
            Node::Client(c) => client::view(self, c),
        }
    }

    fn down_view(&self, restarted: &Node) -> NodeView {
        // A server's role (leader, candidate, follower) lives in memory: a crashed one has none
        // (§5.1: it restarts as a follower with its term, vote and log).
        self.view(restarted).down(matches!(restarted, Node::Server(_)))
    }

    fn log_detail(&self, node: &Node) -> Option<LogDetail> {
        match node {
            Node::Server(s) => Some(detail(s)),
            Node::Client(_) => None,
        }
    }

    fn node_name(&self, id: NodeId) -> String {
        if self.is_server(id) {
            format!("{id}")
        } else {
            format!("C{}", id.index() - self.servers - self.spares + 1)
        }
    }

    fn narration(&self) -> Vec<crate::lesson::Step> {
        self.narration.clone()
    }

    fn timer_label(timer: &Timer) -> &'static str {
        match timer {
            Timer::Election => "election",
            Timer::Heartbeat => "heartbeat",
            Timer::CheckQuorum => "check-quorum",
            Timer::TransferDeadline => "transfer deadline",
            Timer::ClientNext => "next request",
            Timer::ClientRetry => "request timeout",
        }
    }

    fn client_summary(op: &ClientOp) -> String {
        format!("{op}")
    }

    fn note_summary(note: &Note) -> String {
        match note {
            Note::Invoke { req, op, .. } => format!("client issues #{req}: {op}"),
            Note::Ack { req, op, result, .. } => format!("client gets #{req}: {op} → {result}"),
            Note::Elected { node, term } => format!("{node} becomes leader of term {term}"),
            Note::Refused { why, .. } => format!("refused: {why}"),
            Note::Answered { server, req, index, .. } => {
                format!("{server} answers #{req}: done at index {index}")
            }
        }
    }
}
