//! The checker: Raft's own properties on the ensemble underneath (its checker, run on each
//! server's Raft), and what the service and its lock recipe promise.
//!
//! - **fenced-writes** (mutual exclusion as storage sees it): the storage node never accepts a
//!   write whose token is older than one it accepted before. Two holders may believe they hold
//!   the lock at once (one paused past its session's expiry); their writes still land in token
//!   order.
//! - **lock-order**: a client takes the lock only when every node before its own under
//!   `/lock` is gone, in the most advanced replica's tree. Sequence numbers grow in log order,
//!   so a node before it was created before it, and one still there was never deleted.
//! - **ephemerals-expire**: on every replica, every ephemeral node belongs to a session still
//!   open there: a replica that has applied a session's expiry holds none of its nodes.
//! - **watch-once**: a watch fires at most once per registration, and never before the change
//!   it reports is applied on the server that sends it.
//! - **client-order** (ZooKeeper's single system image): the zxids a client sees in its
//!   replies never go back, even when it moves to another server.
//! - **expiry-after-timeout**: the leader proposes to expire a session only when it has heard
//!   nothing of it (a heartbeat, a relay) for the session's timeout, on its own clock.

use alloc::collections::{BTreeMap, BTreeSet};
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use crate::protocol::{NodeId, Present, PropertyInfo, Time};
use crate::raft::{self, Raft};

use super::node::Node;
use super::tree::{name, parent, SessionId, Tree};
use super::types::*;

pub(super) const PROPERTIES: &[PropertyInfo] = &[
    PropertyInfo { name: "election-safety", description: "at most one leader per term" },
    PropertyInfo {
        name: "leader-append-only",
        description: "a leader never overwrites or deletes its entries",
    },
    PropertyInfo { name: "log-matching", description: "same index and term ⇒ identical logs up to there" },
    PropertyInfo {
        name: "leader-completeness",
        description: "a committed entry is in every later leader's log",
    },
    PropertyInfo {
        name: "state-machine-safety",
        description: "no two servers apply different entries at one index, and their trees agree after it",
    },
    PropertyInfo {
        name: "fenced-writes",
        description: "storage never accepts a write with a token older than one it accepted before",
    },
    PropertyInfo {
        name: "lock-order",
        description: "a client takes the lock only when every lock node before its own is gone",
    },
    PropertyInfo {
        name: "ephemerals-expire",
        description: "on every replica, every ephemeral node belongs to a session still open there",
    },
    PropertyInfo {
        name: "watch-once",
        description: "a watch fires at most once, and only after its server applied the change it reports",
    },
    PropertyInfo {
        name: "client-order",
        description: "a client never sees an older zxid than one it has seen, even on another server",
    },
    PropertyInfo {
        name: "expiry-after-timeout",
        description: "the leader expires a session only after hearing nothing of it for its timeout",
    },
];

/// Ghost state.
#[derive(Clone, Debug, Default, Hash)]
pub struct Monitor {
    pub raft: raft::Monitor<Tree>,
    /// The largest token storage accepted.
    stored: u64,
    /// Watches fired: (server, watch id).
    fired: BTreeSet<(u32, u64)>,
    /// The latest zxid each client has seen.
    observed: BTreeMap<u32, u64>,
    /// When each leader last heard of each session, on its clock.
    heard: BTreeMap<(u32, SessionId), Time>,
}

type Fail = (&'static str, String);

pub(super) fn check(
    c: &Coordination,
    m: &mut Monitor,
    nodes: &[Node],
    touched: Option<NodeId>,
    notes: &[Note],
) -> Result<(), Fail> {
    let raft_notes: Vec<raft::Note> =
        notes.iter().filter_map(|n| if let Note::Raft(r) = n { Some(r.clone()) } else { None }).collect();
    let server = touched.and_then(|t| match nodes.get(t.index()) {
        Some(Node::Server(s)) => Some(&s.raft),
        _ => None,
    });
    raft_check(&c.raft, &mut m.raft, server, &raft_notes)?;
    for note in notes {
        match note {
            Note::Stored { client, token } => {
                if *token < m.stored {
                    return Err((
                        "fenced-writes",
                        format!(
                            "storage accepted {}'s write with token {token} after one with token {}",
                            c.node_name(*client),
                            m.stored
                        ),
                    ));
                }
                m.stored = *token;
            }
            Note::Acquired { client, path, .. } => lock_order(nodes, &c.node_name(*client), path)?,
            Note::Fired { server, id, zxid, applied } => {
                if !m.fired.insert((server.0, *id)) {
                    return Err((
                        "watch-once",
                        format!("a watch {server} had fired already fired again (zxid {zxid})"),
                    ));
                }
                if zxid > applied {
                    return Err((
                        "watch-once",
                        format!("{server} fired watch {id} for zxid {zxid}, having applied only {applied}"),
                    ));
                }
            }
            Note::Heard { leader, session, at } => {
                m.heard.insert((leader.0, *session), *at);
            }
            Note::Expiring { leader, session, at, timeout_ms } => {
                let last = m.heard.get(&(leader.0, *session)).copied().unwrap_or(Time::ZERO);
                if at.0 < last.0 + *timeout_ms as u64 * 1000 {
                    return Err((
                        "expiry-after-timeout",
                        format!(
                            "{leader} expires session {session} {} ms after it last heard of it (timeout {timeout_ms} ms)",
                            (at.0 - last.0) / 1000
                        ),
                    ));
                }
            }
            Note::Observed { client, zxid } => {
                let seen = m.observed.entry(client.0).or_insert(0);
                if zxid < seen {
                    return Err((
                        "client-order",
                        format!("{} saw zxid {zxid} after it had seen zxid {seen}", c.node_name(*client)),
                    ));
                }
                *seen = *zxid;
            }
            // The configuration recipe's history goes to the linearizability checker.
            Note::Raft(_) | Note::Invoke { .. } | Note::Ack { .. } | Note::Serving { .. } => {}
        }
    }
    if let Some(Node::Server(s)) = touched.and_then(|t| nodes.get(t.index())) {
        let tree = &s.raft.kv;
        if let Some((path, n)) =
            tree.nodes.iter().find(|(_, n)| n.owner.is_some_and(|o| !tree.sessions.contains_key(&o)))
        {
            return Err((
                "ephemerals-expire",
                format!(
                    "{} holds ephemeral {path} of session {}, which it has closed or expired",
                    s.raft.id,
                    n.owner.unwrap_or(0)
                ),
            ));
        }
    }
    Ok(())
}

fn raft_check(
    r: &Raft,
    m: &mut raft::Monitor<Tree>,
    server: Option<&raft::Server<Tree>>,
    notes: &[raft::Note],
) -> Result<(), Fail> {
    raft::check_server(r, m, server, notes)
}

/// No node before `path` under its parent is left in the most advanced replica.
fn lock_order(nodes: &[Node], client: &str, path: &str) -> Result<(), Fail> {
    let ahead = nodes
        .iter()
        .filter_map(|n| match n {
            Node::Server(s) => Some(&s.raft.kv),
            _ => None,
        })
        .max_by_key(|t| t.zxid);
    let Some(tree) = ahead else { return Ok(()) };
    let me = name(path);
    if let Some(before) = tree.children(parent(path)).into_iter().find(|k| k.as_str() < me) {
        return Err((
            "lock-order",
            format!("{client} took the lock through {path} while {}/{before} was still there", parent(path)),
        ));
    }
    Ok(())
}
