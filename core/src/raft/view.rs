//! How the page shows a Raft server: its role, term, vote, log and commit index, the leader's
//! view of each follower, and the replicated log for the log table. Clients are drawn by
//! `kv::client`.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;

use crate::fixed::Fixed;
use crate::protocol::{LogDetail, NodeId, NodeView};

use super::state::{Role, Server};
use super::types::*;

pub fn view(raft: &Raft, s: &Server) -> NodeView {
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

pub fn detail(s: &Server) -> LogDetail {
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
        kv: s.kv.data.iter().map(|(k, v)| (k.clone(), format!("{v}"))).collect(),
    }
}
