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
        let writer = names.files.get(file).and_then(|f| f.writing.as_ref()).map(|w| NodeId(w.0));
        match writer.filter(|w| *w != client) {
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
/// request of the client last reached the server, as the network delivered it; and per server,
/// when it last became leader (a server counts every writer as heard then, and when it starts).
#[derive(Clone, Debug, Default, Hash)]
pub struct LeaseWatch {
    heard: BTreeMap<(u32, u32), Time>,
    elected: BTreeMap<u32, Time>,
}

impl LeaseWatch {
    /// A message arrives: a client's request to a metadata server is the news a lease lives on.
    pub fn delivered(&mut self, d: &Dfs, from: NodeId, to: NodeId, msg: &Msg, now: Time) {
        if matches!(msg, Msg::Request { ask, .. } if ask.writes()) && d.is_client(from) && d.is_meta(to) {
            self.heard.insert((to.0, from.0), now);
        }
    }

    /// lease: a metadata leader takes a file from its writer for another client only once the
    /// writer has been silent to it for the soft limit (no request of the writer has reached
    /// it, and it has not started or taken office, in that time), and releases it only past the
    /// hard limit. Judged in true time, so not while a clock is skewed, nor in an explored run
    /// (where every timeout has expired by the next step).
    pub fn judge(
        &mut self,
        d: &Dfs,
        notes: &[Note],
        world: &World<'_, Msg>,
    ) -> Result<(), (&'static str, String)> {
        for note in notes {
            if let Note::Raft(crate::raft::Note::Elected { node, .. }) = *note {
                self.elected.insert(node.0, world.now);
            }
        }
        if world.explored || world.skewed {
            return Ok(());
        }
        for note in notes {
            let Note::LeaseRecovered { server, file, holder, by } = *note else { continue };
            let limit = if by.is_some() { LEASE_SOFT_US } else { LEASE_HARD_US };
            let heard = self.heard.get(&(server.0, holder.0)).copied().unwrap_or(Time::ZERO);
            let elected = self.elected.get(&server.0).copied().unwrap_or(Time::ZERO);
            let started = world.changed_at.get(server.index()).copied().unwrap_or(Time::ZERO);
            let ago = world.now.0.saturating_sub(heard.max(elected).max(started).0);
            if ago < limit {
                let (server, writer, ago) = (d.name(server), d.name(holder), ago as f64 / 1e6);
                let limit = limit / 1_000_000;
                let message = match by {
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
        Ok(())
    }
}
