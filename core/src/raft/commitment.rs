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
    if term == 0 || (s.term_at(last) != Some(term) && !leads) {
        return;
    }
    let k = slot(&mut m.reach, term);
    let Some(mut r) = m.reach.get(k).cloned() else { return };
    if leads {
        r.voters = s.config.clone();
        r.canonical();
    }
    if s.term_at(last) == Some(term) {
        match r.stored.iter_mut().find(|x| x.0 == s.id) {
            Some(x) => x.1 = x.1.max(last),
            None => {
                r.stored.push((s.id, last));
                r.canonical();
            }
        }
    }
    // The majority's lowest: the q-th highest index among the voters that stored any.
    let mut at: Vec<LogIndex> = r.stored.iter().filter(|x| r.voters.contains(&x.0)).map(|x| x.1).collect();
    let q = r.voters.len() / 2 + 1;
    if !r.voters.is_empty() && at.len() >= q {
        let order = crate::order::order_by(at.iter().map(|i| u64::MAX - *i));
        at = order.iter().map(|j| at[*j as usize]).collect();
        let i = at[q - 1];
        let digest =
            m.seen.get((i - 1) as usize).and_then(|v| v.iter().find(|x| x.term == term)).map(|x| x.digest);
        if let (Some(d), true) = (digest, r.committed.is_none_or(|c| c.0 < i)) {
            r.committed = Some((i, d));
        }
    }
    m.reach.set(k, r);
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
    let want = m.configs.iter().rev().find(|(i, _)| *i <= snap.last_index).map_or(initial, |(_, c)| c);
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
