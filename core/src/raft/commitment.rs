//! Commitment as the paper defines it, as ground truth beside what servers' commit indices
//! learn: how far each term's entries reached (Leader Completeness is judged against it), and
//! the configuration a snapshot must hold.

use alloc::format;
use alloc::vec::Vec;

use super::{slot, Fail, Monitor};
use crate::explorable::Rename;
use crate::hash::digest;
use crate::protocol::NodeId;
use crate::raft::state::{Role, Server};
use crate::raft::types::*;

/// The paper's commitment, as ground truth: an entry of term T is committed once a majority
/// of the term's leader's configuration has stored it, each server while in term T (so from
/// that leader, before it could vote in a later term). Servers' commit indices only learn of
/// it later, or never (the leader may crash first); Leader Completeness is judged against
/// this too.
#[derive(Clone, Debug, Default, Hash)]
pub(super) struct Reach {
    /// The leader's configuration, as it last was.
    voters: Vec<NodeId>,
    /// Per server: the last index of the term it stored while in the term.
    stored: Vec<(NodeId, LogIndex)>,
    /// The last entry of the term on a majority of `voters`, and its digest.
    committed: Option<(LogIndex, u64)>,
}

impl Reach {
    /// Both lists in node order, so that equal ghost states hash equal however they were
    /// reached (and after a renaming).
    /// With node ids renamed (symmetry reduction).
    pub(super) fn rename(&mut self, r: &Rename) {
        self.voters.iter_mut().for_each(|n| *n = r.node(*n));
        self.stored.iter_mut().for_each(|s| s.0 = r.node(s.0));
        self.canonical();
    }

    fn canonical(&mut self) {
        let voters = crate::order::order_by(self.voters.iter().map(|n| n.0 as u64));
        self.voters = voters.iter().map(|k| self.voters[*k as usize]).collect();
        let stored = crate::order::order_by(self.stored.iter().map(|x| x.0 .0 as u64));
        self.stored = stored.iter().map(|k| self.stored[*k as usize]).collect();
    }
}

/// `s` holds entries of its own term up to its last: it stored them in the term. Counted
/// toward the term's `Reach`, and the term's committed entry moved on if a majority of its
/// leader's configuration now has one further.
pub(super) fn stored_in_term<M: Machine>(m: &mut Monitor<M>, s: &Server<M>) {
    let (term, last) = (s.hard.term, s.last_index());
    let leads = s.role == Role::Leader;
    let stores = s.term_at(last) == Some(term);
    if term == 0 || (!stores && !leads) {
        return;
    }
    let k = slot(&mut m.reach, term);
    // Most events move neither: the leader's configuration as last seen, this server's store
    // no further than counted. Looked at before anything is copied.
    if let Some(r) = m.reach.get(k) {
        let same_voters =
            !leads || (r.voters.len() == s.config.len() && s.config.iter().all(|n| r.voters.contains(n)));
        let same_store = !stores || r.stored.iter().any(|x| x.0 == s.id && x.1 >= last);
        if same_voters && same_store {
            return;
        }
    }
    let seen = &m.seen;
    let Some(r) = m.reach.get_mut(k) else { return };
    if leads {
        r.voters.clone_from(&s.config);
        r.canonical();
    }
    if stores {
        match r.stored.iter_mut().find(|x| x.0 == s.id) {
            Some(x) => x.1 = x.1.max(last),
            None => {
                r.stored.push((s.id, last));
                r.canonical();
            }
        }
    }
    // The majority's lowest: the highest index that q of the voters stored (a handful of
    // servers: counted, not sorted).
    let q = r.voters.len() / 2 + 1;
    let voting = |x: &&(NodeId, LogIndex)| r.voters.contains(&x.0);
    let mut best: Option<LogIndex> = None;
    for a in r.stored.iter().filter(voting) {
        let reached = r.stored.iter().filter(voting).filter(|b| b.1 >= a.1).count();
        if reached >= q && best.is_none_or(|b| a.1 > b) {
            best = Some(a.1);
        }
    }
    let Some(i) = best else { return };
    if r.committed.is_some_and(|c| c.0 >= i) {
        return;
    }
    if let Some(d) =
        seen.get((i - 1) as usize).and_then(|v| v.iter().find(|x| x.term == term)).map(|x| x.digest)
    {
        r.committed = Some((i, d));
    }
}

pub(super) fn leader_completeness<M: Machine>(m: &Monitor<M>, s: &Server<M>) -> Result<(), Fail> {
    // Entries a majority stored in an earlier term, whether or not any server has yet
    // learned they are committed.
    for (k, r) in m.reach.iter().enumerate() {
        let term = k as u64 + 1;
        let Some((i, d)) = r.committed else { continue };
        if term >= s.hard.term || i <= s.hard.snapshot.last_index {
            continue;
        }
        if s.entry(i).is_none_or(|e| digest(e) != d) {
            return Err((
                "leader-completeness",
                format!(
                    "{} became leader of term {} without entry {i} (term {term}), which a majority had stored in term {term}",
                    s.id, s.hard.term
                ),
            ));
        }
    }
    for (k, c) in m.committed.iter().enumerate() {
        let i = k as u64 + 1;
        let Some((term, d)) = c else { continue };
        if *term >= s.hard.term || i <= s.hard.snapshot.last_index {
            continue;
        }
        if s.entry(i).is_none_or(|e| digest(e) != *d) {
            return Err((
                "leader-completeness",
                format!(
                    "{} became leader of term {} without committed entry {i} (term {term})",
                    s.id, s.hard.term
                ),
            ));
        }
    }
    Ok(())
}

/// A snapshot's configuration is the one in effect at its end: the last configuration
/// committed at or before it, else the first. (Judged only where the checker saw every entry
/// committed up to it: one it never saw could have been a configuration.)
pub(super) fn snapshot_config<M: Machine>(
    m: &Monitor<M>,
    s: &Server<M>,
    initial: &[NodeId],
) -> Result<(), Fail> {
    let snap = &s.hard.snapshot;
    let committed = m.configs.iter().rev().find(|(i, _)| *i <= snap.last_index);
    // A spare boots knowing no configuration: its own compaction before a configuration entry
    // keeps that empty one (one sent by a leader holds the first).
    if committed.is_none() && snap.config.is_empty() && !initial.contains(&s.id) {
        return Ok(());
    }
    let want = committed.map_or(initial, |(_, c)| c);
    let as_set = |c: &[NodeId]| {
        crate::order::order_by(c.iter().map(|n| n.0 as u64))
            .iter()
            .map(|k| c[*k as usize])
            .collect::<Vec<_>>()
    };
    if as_set(want) == as_set(&snap.config) {
        return Ok(());
    }
    let seen_all = (0..snap.last_index as usize).all(|k| m.committed.get(k).is_some_and(|c| c.is_some()));
    if !seen_all {
        return Ok(());
    }
    let names = |c: &[NodeId]| c.iter().map(|n| format!("{n}")).collect::<Vec<_>>().join(", ");
    Err((
        "state-machine-safety",
        format!(
            "{}'s snapshot ends at index {} with the voters {}, where the committed log has {}",
            s.id,
            snap.last_index,
            names(&snap.config),
            names(want)
        ),
    ))
}
