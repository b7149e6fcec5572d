//! The Figure 3 properties, checked after every event, plus durability of acknowledged writes.

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use crate::hash::digest;
use crate::protocol::NodeId;

use super::server::{Role, Server};
use super::types::*;

/// Ghost state: what the checker has seen so far.
#[derive(Clone, Debug, Default)]
pub struct Monitor {
    /// The leader of each term.
    pub leaders: BTreeMap<Term, NodeId>,
    /// Per server, while it leads: its term and the digests of its log entries (by index).
    leader_logs: Vec<Option<(Term, LogIndex, Vec<u64>)>>,
    /// Digest and term of the committed entry at each index (index 1 at position 0).
    committed: Vec<Option<(Term, u64)>>,
    /// Digest of the entry applied at each index.
    applied: Vec<Option<u64>>,
    /// Acknowledged writes: index → (client, request).
    acked: BTreeMap<LogIndex, (NodeId, u64)>,
    last_commit: Vec<LogIndex>,
    last_applied: Vec<LogIndex>,
}

type Fail = (&'static str, String);

fn set(v: &mut Vec<Option<(Term, u64)>>, i: LogIndex) -> &mut Option<(Term, u64)> {
    let k = (i - 1) as usize;
    if v.len() <= k {
        v.resize(k + 1, None);
    }
    &mut v[k]
}

pub fn check(
    raft: &Raft,
    m: &mut Monitor,
    nodes: &[Node],
    touched: Option<NodeId>,
    notes: &[Note],
) -> Result<(), Fail> {
    let n = raft.servers + raft.spares;
    if m.leader_logs.len() < n {
        m.leader_logs.resize(n, None);
        m.last_commit.resize(n, 0);
        m.last_applied.resize(n, 0);
    }
    let mut elected_now = None;
    for note in notes {
        match note {
            Note::Elected { node, term } => {
                if let Some(other) = m.leaders.insert(*term, *node) {
                    if other != *node {
                        return Err((
                            "election-safety",
                            format!("{other} and {node} both became leader in term {term}"),
                        ));
                    }
                }
                elected_now = Some(*node);
            }
            Note::Ack { client, req, op, index, .. } if !op.is_read() => {
                m.acked.insert(*index, (*client, *req));
            }
            _ => {}
        }
    }
    let Some(t) = touched else { return Ok(()) };
    let Some(Node::Server(s)) = nodes.get(t.index()) else { return Ok(()) };
    let servers: Vec<&Server> = nodes
        .iter()
        .filter_map(|x| match x {
            Node::Server(s) => Some(s),
            Node::Client(_) => None,
        })
        .collect();
    leader_append_only(m, s)?;
    if elected_now == Some(t) {
        leader_completeness(m, s)?;
    }
    log_matching(s, &servers)?;
    commits_and_applies(m, s)?;
    Ok(())
}

fn leader_append_only(m: &mut Monitor, s: &Server) -> Result<(), Fail> {
    let slot = &mut m.leader_logs[s.id.index()];
    if s.role != Role::Leader {
        *slot = None;
        return Ok(());
    }
    if let Some((term, first, old)) = slot {
        if *term == s.term {
            for (k, d) in old.iter().enumerate() {
                let i = *first + k as u64;
                if i <= s.snapshot.last_index {
                    continue;
                }
                match s.entry(i) {
                    Some(e) if digest(e) == *d => {}
                    Some(e) => {
                        return Err((
                            "leader-append-only",
                            format!(
                                "leader {} overwrote its entry {i} with {} (term {})",
                                s.id, e.cmd, e.term
                            ),
                        ))
                    }
                    None => {
                        return Err(("leader-append-only", format!("leader {} deleted its entry {i}", s.id)))
                    }
                }
            }
        }
    }
    let first = s.snapshot.last_index + 1;
    *slot = Some((s.term, first, s.log.iter().map(digest).collect()));
    Ok(())
}

fn leader_completeness(m: &Monitor, s: &Server) -> Result<(), Fail> {
    for (k, c) in m.committed.iter().enumerate() {
        let i = k as u64 + 1;
        let Some((term, d)) = c else { continue };
        if *term >= s.term || i <= s.snapshot.last_index {
            continue;
        }
        let ok = s.entry(i).is_some_and(|e| digest(e) == *d);
        if !ok {
            return Err((
                "leader-completeness",
                format!(
                    "{} became leader of term {} without committed entry {i} (term {term})",
                    s.id, s.term
                ),
            ));
        }
    }
    Ok(())
}

fn log_matching(s: &Server, all: &[&Server]) -> Result<(), Fail> {
    for o in all.iter().filter(|o| o.id != s.id) {
        let lo = s.snapshot.last_index.max(o.snapshot.last_index) + 1;
        let hi = s.last_index().min(o.last_index());
        let mut first_difference = None;
        for i in lo..=hi {
            let (a, b) = (s.entry(i), o.entry(i));
            let (Some(a), Some(b)) = (a, b) else { continue };
            if a != b {
                if a.term == b.term {
                    return Err((
                        "log-matching",
                        format!(
                            "{} and {} both have term {} at index {i} but different entries",
                            s.id, o.id, a.term
                        ),
                    ));
                }
                first_difference.get_or_insert(i);
            } else if let Some(d) = first_difference {
                return Err((
                    "log-matching",
                    format!("{} and {} agree at index {i} (term {}) but differ at {d}", s.id, o.id, a.term),
                ));
            }
        }
    }
    Ok(())
}

fn commits_and_applies(m: &mut Monitor, s: &Server) -> Result<(), Fail> {
    let k = s.id.index();
    if s.commit < m.last_commit[k] {
        m.last_commit[k] = s.commit; // restarted
    }
    for i in (m.last_commit[k] + 1)..=s.commit {
        let Some(e) = s.entry(i) else { continue };
        let d = digest(e);
        match set(&mut m.committed, i) {
            slot @ None => *slot = Some((e.term, d)),
            Some((_, old)) if *old != d => {
                return Err((
                    "state-machine-safety",
                    format!(
                    "{} committed {} (term {}) at index {i}, where a different entry was committed before",
                    s.id, e.cmd, e.term
                ),
                ))
            }
            Some(_) => {}
        }
    }
    m.last_commit[k] = s.commit;
    if s.applied < m.last_applied[k] {
        m.last_applied[k] = s.applied;
    }
    for i in (m.last_applied[k] + 1)..=s.applied {
        let Some(e) = s.entry(i) else { continue };
        let d = digest(e);
        let pos = (i - 1) as usize;
        if m.applied.len() <= pos {
            m.applied.resize(pos + 1, None);
        }
        match m.applied[pos] {
            None => m.applied[pos] = Some(d),
            Some(old) if old != d => {
                return Err((
                    "state-machine-safety",
                    format!(
                        "{} applied {} at index {i}, where another server applied a different entry",
                        s.id, e.cmd
                    ),
                ))
            }
            Some(_) => {}
        }
        if let Some((client, req)) = m.acked.get(&i) {
            let same = matches!(&e.cmd, Command::Kv { client: c, req: r, .. } if c == client && r == req);
            if !same {
                return Err((
                    "acked-write-durable",
                    format!(
                        "write #{req} of {client} was acknowledged at index {i}, but {} applied {} there",
                        s.id, e.cmd
                    ),
                ));
            }
        }
    }
    m.last_applied[k] = s.applied;
    Ok(())
}
