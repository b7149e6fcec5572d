//! `expiry-after-timeout` judged from what the network delivered, not from what the leader
//! says it heard. The leader's `Heard` notes are written by the code that keeps its record: a
//! leader that drops a heartbeat it should count (a follower's relay, a client's ping on its
//! connection) neither records nor notes it, and expires the session a timeout after the last
//! one it did count, while its client pings. Here a heartbeat counts when it reaches the
//! leader and a correct leader must count it; a leader may propose to expire a session only a
//! whole timeout after the last such heartbeat and after it took office.

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::String;

use crate::protocol::{Delivered, Time, World};
use crate::raft::{self, server::Role};

use super::node::Node;
use super::server::Server;
use super::tree::SessionId;
use super::types::*;

/// What leaders were told, in true time.
#[derive(Clone, Debug, Default)]
pub struct Heartbeats {
    /// When each leader last took a heartbeat of each session that it must count.
    heard: BTreeMap<(u32, SessionId), Time>,
    /// When each server last took office.
    elected: BTreeMap<u32, Time>,
}

/// Judged only in true time, never in an explored run (where time is only the order of
/// events), so explored states need not be told apart by it: it hashes to nothing, and the
/// explorer's spaces are those of the leader's own record.
impl core::hash::Hash for Heartbeats {
    fn hash<H: core::hash::Hasher>(&self, _state: &mut H) {}
}

impl Heartbeats {
    /// A message reaches a server, before it takes it.
    pub fn delivered(&mut self, c: &Coordination, nodes: &[Node], d: &Delivered<'_, Msg>) {
        let Some(Node::Server(s)) = nodes.get(d.to.index()) else { return };
        if s.raft.role != Role::Leader {
            return;
        }
        match d.msg {
            // A leader counts every session a relay names (one it no longer has is dropped
            // from its record at its next tick, and cannot expire again).
            Msg::Touch { sessions } => {
                for (session, _) in sessions {
                    self.heard.insert((d.to.0, *session), d.now);
                }
            }
            Msg::Ping { conn, session, seen, .. } | Msg::Request { conn, session, seen, .. }
                if must_count(c, s, d.from.0, *conn, *session, *seen) =>
            {
                self.heard.insert((d.to.0, *session), d.now);
            }
            _ => {}
        }
    }

    /// expiry-after-timeout, in true time: so not once a clock has been skewed (then the
    /// leader's own record, on its clock, is what is judged), nor in an explored run.
    pub fn judge(&mut self, notes: &[Note], world: &World<'_, Msg>) -> Result<(), (&'static str, String)> {
        for note in notes {
            if let Note::Raft(raft::Note::Elected { node, .. }) = note {
                self.elected.insert(node.0, world.now);
            }
        }
        if world.skewed || world.explored {
            return Ok(());
        }
        for note in notes {
            let Note::Expiring { leader, session, timeout_ms, .. } = *note else { continue };
            let heard = self.heard.get(&(leader.0, session)).copied().unwrap_or(Time::ZERO);
            let elected = self.elected.get(&leader.0).copied().unwrap_or(Time::ZERO);
            let after = world.now.0.saturating_sub(heard.max(elected).0);
            if after < timeout_ms as u64 * 1000 {
                let what = if heard >= elected { "a heartbeat of it reached it" } else { "it took office" };
                return Err((
                    "expiry-after-timeout",
                    format!(
                        "{leader} expires session {session} {} ms after {what} (timeout {timeout_ms} ms)",
                        after / 1000
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// Whether a correct leader counts a client's ping or request on its connection: one it knows,
/// of a session it has, from a client that has seen nothing it has not applied. (It also counts
/// one that opens a new connection; this judges by the messages it cannot have a reason to
/// ignore.)
fn must_count(c: &Coordination, s: &Server, client: u32, conn: u32, session: SessionId, seen: u64) -> bool {
    session != 0
        && s.conns.get(&client).is_some_and(|k| k.conn == conn)
        && s.raft.kv.sessions.contains_key(&session)
        && (seen <= s.raft.kv.zxid || c.is(Mutant::AnyServer))
}
