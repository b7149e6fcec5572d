//! Leases (HDFS's `LeaseManager`): a file being written has one writer, the holder of its
//! lease, named in the namespace beside the block it writes (`names.rs`). When each writer was
//! last heard is soft state every metadata server keeps, as HDFS's NameNode keeps it in
//! memory: a server that starts, or becomes leader, counts every writer as heard then (HDFS's
//! NameNode, loading its image, gives each file under construction a fresh lease). A writer is
//! heard through the steps of its write (create, rebuild, complete), which it sends throughout:
//! a client here writes one file at a time and renews on no timer, so a client that has left
//! its write (it restarted, and reads now) lets the lease lapse, as a new HDFS client process,
//! with a name of its own, would.
//!
//! Another client that asks to write a file whose writer was heard within the soft limit is
//! told the file is busy (HDFS's `AlreadyBeingCreatedException`) and asks again later; past
//! the soft limit the leader takes the lease from the silent writer for it (HDFS's lease
//! recovery: here the silent writer's block is abandoned, where HDFS would recover it to what
//! its replicas hold and close the file with it; a block here is written whole). Past the hard
//! limit the leader releases the lease itself.

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use crate::kv::Key;
use crate::protocol::{NodeId, Time, World};
use crate::raft::server::Role;
use crate::raft::{self, LogIndex, Term};

use super::names::Names;
use super::types::*;

#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Leases {
    /// Per client (by node number): when a request of its last reached this server.
    heard: BTreeMap<u32, Time>,
}

impl Leases {
    /// A request from `client` reached this server (leading or not).
    pub fn renew(&mut self, client: NodeId, now: Time) {
        self.heard.insert(client.0, now);
    }

    /// How long `writer` has been silent to this server, counted from `since` (this server's
    /// start, or its leadership's) at the earliest.
    pub fn silent(&self, writer: NodeId, since: Time, now: Time) -> u64 {
        let last = self.heard.get(&writer.0).copied().unwrap_or(Time::ZERO).max(since);
        now.0.saturating_sub(last.0)
    }

    /// Whether `writer`'s lease is within its soft limit: no other client may take its file.
    pub fn held(&self, writer: NodeId, since: Time, now: Time) -> bool {
        self.silent(writer, since, now) < LEASE_SOFT_US
    }

    /// `file`'s lease as `client`'s creation of it finds it: `Ok(None)`, no other client writes
    /// it; `Ok(Some(w))`, `w` writes it but is silent past the soft limit (the creation takes
    /// it from `w`); `Err(w)`, `w` holds it (the file is busy).
    pub fn for_create(
        &self,
        names: &Names,
        file: &Key,
        client: NodeId,
        since: Time,
        now: Time,
    ) -> Result<Option<NodeId>, NodeId> {
        match names.writer(file).filter(|w| *w != client) {
            Some(w) if self.held(w, since, now) => Err(w),
            other => Ok(other),
        }
    }

    /// The leases in `names` past their hard limit: (file, writer, the block it writes). Each
    /// counts as heard now, so that its release is proposed once, not at every scan while the
    /// log takes it.
    pub fn lapsed(&mut self, names: &Names, since: Time, now: Time) -> Vec<(Key, NodeId, BlockId)> {
        let mut out = Vec::new();
        for (file, f) in &names.files {
            if let Some((writer, p)) = &f.writing {
                let writer = NodeId(*writer);
                if self.silent(writer, since, now) >= LEASE_HARD_US {
                    out.push((*file, writer, p.block));
                }
            }
        }
        for (_, writer, _) in &out {
            self.renew(*writer, now);
        }
        out
    }
}

/// The checker's ghost state for the `lease` property: per (metadata server, client), when a
/// request of the client last reached the server, as the network delivered it; per server, when
/// it last became leader (a server counts every writer as heard then, and when it starts); and
/// each command a leader put in its log (any may take a lease, in a broken model), with
/// what the leader had heard by then. The handovers themselves are read from the committed log
/// (`check.rs` feeds the ghost namespace and hands them here), not from the leader's word: a
/// leader that gives a file away without saying so is judged all the same.
#[derive(Clone, Debug, Default, Hash)]
pub struct LeaseWatch {
    heard: BTreeMap<(u32, u32), Time>,
    elected: BTreeMap<u32, Time>,
    /// Per metadata server: the term it last led in, and the last index of its log read then.
    read: BTreeMap<u32, (Term, LogIndex)>,
    /// Commands in a leader's log, by (index, term), not yet committed or lost.
    proposed: BTreeMap<(LogIndex, Term), Proposal>,
    /// What the committed log handed over since the last judgment.
    pub(super) handed: Vec<Handover>,
}

/// An entry a leader put in its log: the leader, when, and, per client (the first first), the
/// latest of when a request of the client reached it, when it started and when it took office.
#[derive(Clone, Debug, Hash)]
struct Proposal {
    server: NodeId,
    at: Time,
    news: Vec<Time>,
}

/// A committed entry took `file` from `holder`: for the client `by` (a creation that took it),
/// or for nobody (a release, or any other entry that left the file with no writer).
#[derive(Clone, Debug, Hash)]
pub struct Handover {
    pub index: LogIndex,
    pub term: Term,
    pub file: Key,
    pub holder: NodeId,
    pub by: Option<NodeId>,
}

impl LeaseWatch {
    /// A message arrives: a client's request to a metadata server is the news a lease lives on.
    pub fn delivered(&mut self, d: &Dfs, from: NodeId, to: NodeId, msg: &Msg, now: Time) {
        if matches!(msg, Msg::Request { ask, .. } if ask.writes()) && d.is_client(from) && d.is_meta(to) {
            self.heard.insert((to.0, from.0), now);
        }
    }

    /// lease: a file being written changes hands in the committed log only through an entry its
    /// leader put there once the writer had been silent to it for the soft limit (no request of
    /// the writer had reached it, and it had not started or taken office, in that time), and is
    /// released only past the hard limit. `touched`: the metadata server whose handler ran, whose
    /// new entries as leader are read here. Judged in true time, so not while a clock is skewed,
    /// nor in an explored run (where every timeout has expired by the next step).
    pub fn judge(
        &mut self,
        d: &Dfs,
        touched: Option<(NodeId, &raft::Server<Names>)>,
        notes: &[Note],
        fed: LogIndex,
        world: &World<'_, Msg>,
    ) -> Result<(), (&'static str, String)> {
        for note in notes {
            if let Note::Raft(raft::Note::Elected { node, .. }) = *note {
                self.elected.insert(node.0, world.now);
            }
        }
        if let Some((server, s)) = touched.filter(|(_, s)| s.role == Role::Leader) {
            self.read_log(d, server, s, world);
        }
        if self.handed.is_empty() && self.proposed.first_key_value().is_none_or(|(k, _)| k.0 > fed) {
            return Ok(());
        }
        let handed = core::mem::take(&mut self.handed);
        let timed = !world.explored && !world.skewed;
        for h in handed.iter().filter(|_| timed) {
            // Every entry a leader appends is read as it appends it: one never seen is a hole in
            // the checker, reported rather than passed over.
            let Some(p) = self.proposed.get(&(h.index, h.term)) else {
                let (file, writer) = (h.file, d.name(h.holder));
                let message = format!(
                    "{file} was taken from {writer} at position {}, by an entry no leader was seen to log",
                    h.index
                );
                return Err(("lease", message));
            };
            let limit = if h.by.is_some() { LEASE_SOFT_US } else { LEASE_HARD_US };
            let news = p.news.get(h.holder.index().wrapping_sub(d.first_client())).copied();
            let ago = p.at.0.saturating_sub(news.unwrap_or(Time::ZERO).0);
            if ago < limit {
                let (server, writer, ago) = (d.name(p.server), d.name(h.holder), ago as f64 / 1e6);
                let (file, limit) = (h.file, limit / 1_000_000);
                let message = match h.by {
                    Some(c) => format!(
                        "{server} gave {file}, being written by {writer}, to {} {ago:.2} s after it last heard from {writer}, started or took office: the lease's soft limit is {limit} s",
                        d.name(c)
                    ),
                    None => format!(
                        "{server} released {writer}'s lease on {file} {ago:.2} s after it last heard from {writer}, started or took office: the lease's hard limit is {limit} s"
                    ),
                };
                return Err(("lease", message));
            }
        }
        // An entry at or below the fed position has committed (judged now) or never will.
        if self.proposed.first_key_value().is_some_and(|(k, _)| k.0 <= fed) {
            self.proposed = self.proposed.split_off(&(fed + 1, 0));
        }
        Ok(())
    }

    /// Read the entries leader `s` appended since the last look: each command, with
    /// what the leader had heard of every client by then.
    fn read_log(&mut self, d: &Dfs, server: NodeId, s: &raft::Server<Names>, world: &World<'_, Msg>) {
        let term = s.hard.term;
        let last = s.last_index();
        let from = match self.read.get(&server.0) {
            Some((t, i)) if *t == term => *i,
            // Its first look in this term: its entries of this term, which it appended since.
            _ => (s.commit..last).rev().find(|i| s.term_at(*i) != Some(term)).unwrap_or(s.commit),
        };
        self.read.insert(server.0, (term, last));
        let elected = self.elected.get(&server.0).copied().unwrap_or(Time::ZERO);
        let started = world.changed_at.get(server.index()).copied().unwrap_or(Time::ZERO);
        let since = elected.max(started);
        for i in from + 1..=last {
            let Some(e) = s.entry(i).filter(|e| e.term == term) else { continue };
            // Every client's or server's command (a broken one may change a writer too).
            let raft::Command::Kv { .. } = &e.cmd else { continue };
            let news = (0..d.clients)
                .map(|c| {
                    let client = (d.first_client() + c) as u32;
                    self.heard.get(&(server.0, client)).copied().unwrap_or(Time::ZERO).max(since)
                })
                .collect();
            self.proposed.insert((i, term), Proposal { server, at: world.now, news });
        }
    }
}
