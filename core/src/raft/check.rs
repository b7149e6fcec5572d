//! The Figure 3 properties, checked after every event, plus durability of acknowledged writes.
//! Commitment is judged as the paper defines it too, not only as servers' commit indices learn
//! it: Leader Completeness holds every new leader to the entries a majority of an earlier
//! leader's configuration stored in its term (`Reach`), and a write's answer must come after
//! some server committed its index.
//!
//! The checks are incremental so that a run with a long log stays fast: the monitor mirrors
//! each server's log as entry digests and, after an event, compares only the changed suffix.
//! Log Matching is checked through its inductive form: every (index, term) names one entry and
//! one predecessor term, across all servers and all time; by induction, two logs that share an
//! (index, term) then agree on every entry up to it.

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use crate::chunked::ChunkVec;
use crate::explorable::Rename;
use crate::hash::digest;
use crate::kv::realtime::Linearizability;
use crate::protocol::{NodeId, Present, Protocol};

use super::state::{Node, Role, Server};
use super::types::*;

#[path = "commitment.rs"]
mod commitment;
use commitment::{leader_completeness, snapshot_config, stored_in_term, Reach};

/// Ghost state: what the checker has seen so far. Clones share history (see `ChunkVec`).
#[derive(Clone, Debug, Default, Hash)]
pub struct Monitor<M: Machine = Kv> {
    /// The leader of each term.
    pub leaders: BTreeMap<Term, NodeId>,
    /// Per server: digest of its entry at each index (index 1 at position 0; 0 = unknown).
    mirrors: Vec<ChunkVec<u64>>,
    /// Per server: the entry whose digest ends its mirror, when the checker knows it. A log
    /// whose entry there is still equal to it has the same digest there, which saves hashing
    /// the entry again after every event (see `sync_mirror`).
    tips: Vec<Option<Entry<M>>>,
    /// Per server: the term of its entry at each index as the last check saw it (index 1 at
    /// position 0; entries folded into a snapshot keep a stale or zero term, never read).
    terms: Vec<ChunkVec<Term>>,
    /// Per server: (term it led in, length of its log at the last check), while it leads.
    leading: Vec<Option<(Term, LogIndex)>>,
    /// Every (index, term) seen: its entry's digest, the term of the entry before it, and the
    /// entry itself (the checker of a protocol on Raft replays the committed log from them).
    seen: ChunkVec<AtIndex<M>>,
    /// Term and digest of the committed entry at each index.
    committed: ChunkVec<Option<(Term, u64)>>,
    /// Digest of the entry applied at each index.
    applied: ChunkVec<Option<u64>>,
    /// Acknowledged writes: index → (client, request).
    acked: ChunkVec<Option<(NodeId, u64)>>,
    /// Digest of the state machine (data and client sessions) after applying each index, as
    /// the first server to report it held it.
    states: ChunkVec<Option<u64>>,
    /// Client operations against real time and the committed log (see `kv::realtime`).
    lin: Linearizability,
    last_commit: Vec<LogIndex>,
    last_applied: Vec<LogIndex>,
    /// Per server: (applied index, snapshot index) when its state was last compared.
    last_state: Vec<(LogIndex, LogIndex)>,
    /// By term (term 1 first): how far the term's entries reached (see `Reach`).
    reach: ChunkVec<Reach>,
    /// The committed configuration entries, by index: a snapshot's configuration must be the
    /// last of them at or before its end (or the first configuration).
    configs: Vec<(LogIndex, Vec<NodeId>)>,
}

impl<M: Machine> Monitor<M> {
    /// The ghost state with node ids renamed and the places it keeps per server moved
    /// (symmetry reduction). What it keeps per index holds entries' digests, which cannot be
    /// renamed: Raft declares its servers interchangeable only where no request, so no
    /// membership change or client command, reaches a log (`Explorable::symmetric`).
    pub fn renamed(&self, r: &Rename) -> Self {
        let mut m = self.clone();
        m.leaders.values_mut().for_each(|n| *n = r.node(*n));
        r.places(&mut m.mirrors);
        r.places(&mut m.terms);
        m.tips.iter_mut().flatten().for_each(|e| *e = e.renamed(r));
        r.places(&mut m.tips);
        r.places(&mut m.leading);
        r.places(&mut m.last_commit);
        r.places(&mut m.last_applied);
        r.places(&mut m.last_state);
        for (_, c) in m.configs.iter_mut() {
            r.set(c);
        }
        for k in 0..m.reach.len() {
            if let Some(x) = m.reach.get_mut(k) {
                x.rename(r);
            }
        }
        m
    }
}

impl<M: Machine> Monitor<M> {
    /// The entry some server committed at `i`, once one has (a checker of a protocol that runs
    /// Raft underneath replays the committed log with it).
    pub fn committed_entry(&self, i: LogIndex) -> Option<&Entry<M>> {
        let k = i.checked_sub(1)? as usize;
        let (term, d) = (*self.committed.get(k)?)?;
        self.seen.get(k)?.iter().find(|x| x.term == term && x.digest == d).map(|x| &x.entry)
    }
}

/// One (index, term) the checker saw in some log.
#[derive(Clone, Debug, Hash)]
struct Seen<M: Machine> {
    term: Term,
    digest: u64,
    /// The term of the entry before it.
    prev: Term,
    entry: Entry<M>,
}

/// What the checker saw at one index, term by term. Almost every index only ever holds one
/// term; it is kept inline (a `Vec` for each index was an allocation per entry).
#[derive(Clone, Debug, Hash)]
struct AtIndex<M: Machine> {
    first: Option<Seen<M>>,
    more: Vec<Seen<M>>,
}

impl<M: Machine> Default for AtIndex<M> {
    fn default() -> Self {
        AtIndex { first: None, more: Vec::new() }
    }
}

impl<M: Machine> AtIndex<M> {
    fn iter(&self) -> impl Iterator<Item = &Seen<M>> {
        self.first.iter().chain(&self.more)
    }
    fn push(&mut self, seen: Seen<M>) {
        match self.first {
            None => self.first = Some(seen),
            Some(_) => self.more.push(seen),
        }
    }
}

type Fail = (&'static str, String);

fn slot<T: Clone + Default>(v: &mut ChunkVec<T>, i: LogIndex) -> usize {
    let k = (i - 1) as usize;
    while v.len() <= k {
        v.push(T::default());
    }
    k
}

pub fn check(
    raft: &Raft,
    m: &mut Monitor,
    nodes: &[Node],
    touched: Option<NodeId>,
    notes: &[Note],
) -> Result<(), Fail> {
    let server = touched.and_then(|t| match nodes.get(t.index()) {
        Some(Node::Server(s)) => Some(s),
        _ => None,
    });
    check_server(raft, m, server, notes)
}

/// The checks after an event on `touched` (the server the event ran on, if it was one), with
/// the notes the event produced: the Raft page's, and those of every protocol that runs Raft
/// groups inside (the coordination service).
pub fn check_server<M: Machine>(
    raft: &Raft,
    m: &mut Monitor<M>,
    touched: Option<&Server<M>>,
    notes: &[Note],
) -> Result<(), Fail> {
    let n = raft.servers + raft.spares;
    if m.mirrors.len() < n {
        m.mirrors.resize(n, ChunkVec::default());
        m.tips.resize(n, None);
        m.terms.resize(n, ChunkVec::default());
        m.leading.resize(n, None);
        m.last_commit.resize(n, 0);
        m.last_applied.resize(n, 0);
        m.last_state.resize(n, (0, 0));
        m.lin.names = (0..raft.nodes() as u32).map(|i| raft.node_name(NodeId(i))).collect();
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
            Note::Invoke { client, req, .. } => m.lin.invoked(*client, *req),
            Note::Ack { client, req, op, result, index, .. } => {
                if !op.is_read() {
                    // The leader commits in an event before the one its answer arrives in: an
                    // answer for an index no server has committed may yet be lost (and a run
                    // that ends first would never show it).
                    if !committed(m, *index) {
                        let who = client_name(m, *client);
                        return Err((
                            "acked-write-durable",
                            format!("write #{req} of {who} was acknowledged at index {index}, which no server had committed"),
                        ));
                    }
                    m.acked.set_grow(*index as usize, Some((*client, *req)), None);
                }
                m.lin.acked(*client, *req, op, result, *index)?;
            }
            _ => {}
        }
    }
    let Some(s) = touched else { return Ok(()) };
    let rewritten = rewritten_from(m, s);
    if elected_now == Some(s.id) || rewritten.is_some() || !unchanged(m, s) {
        check_changed(raft, m, s, elected_now, rewritten)?;
    }
    answered_committed(m, notes)
}

/// A write is answered only once it is committed: judged as the answer is sent, after this
/// event's commits are known (on arrival, an entry that committed while the answer travelled
/// would hide an answer sent too early).
fn answered_committed<M: Machine>(m: &Monitor<M>, notes: &[Note]) -> Result<(), Fail> {
    for note in notes {
        let Note::Answered { server, client, req, index } = note else { continue };
        if !committed(m, *index) {
            let who = client_name(m, *client);
            return Err((
                "acked-write-durable",
                format!("{server} answered write #{req} of {who} as done at index {index}, which no server had committed"),
            ));
        }
    }
    Ok(())
}

/// Whether some server has committed `index` (as far as the checker has seen).
fn committed<M: Machine>(m: &Monitor<M>, index: LogIndex) -> bool {
    index.checked_sub(1).and_then(|k| m.committed.get(k as usize)).is_some_and(|c| c.is_some())
}

/// A client's name, as the page shows it.
fn client_name<M: Machine>(m: &Monitor<M>, client: NodeId) -> String {
    m.lin.names.get(client.index()).cloned().unwrap_or_else(|| format!("{client}"))
}

/// The checks of `s`'s log, commit and state, when something they read moved.
fn check_changed<M: Machine>(
    raft: &Raft,
    m: &mut Monitor<M>,
    s: &Server<M>,
    elected_now: Option<NodeId>,
    rewritten: Option<LogIndex>,
) -> Result<(), Fail> {
    let changed_from = sync_mirror(m, s, rewritten)?;
    if elected_now == Some(s.id) {
        leader_completeness(m, s)?;
    }
    log_matching(m, s, changed_from)?;
    stored_in_term(m, s);
    commits_and_applies(m, s)?;
    same_state(m, s, &raft.initial_config())?;
    Ok(())
}

/// Whether nothing the checks below read of `s` moved since they last ran: its log still
/// ends with the entry the mirror ends with, it leads in the same term (or still does not
/// lead), and its commit index, applied index and snapshot are where they were. Then every
/// check would find nothing new (most events are such: a heartbeat, a reply that does not
/// advance the commit index), and they are skipped.
fn unchanged<M: Machine>(m: &Monitor<M>, s: &Server<M>) -> bool {
    let k = s.id.index();
    let len = m.mirrors[k].len() as u64;
    let leading = (s.role == Role::Leader).then_some((s.hard.term, len));
    s.last_index() == len
        && m.leading[k] == leading
        && s.commit == m.last_commit[k]
        && s.applied == m.last_applied[k]
        && (s.applied, s.hard.snapshot.last_index) == m.last_state[k]
        && m.tips[k].is_some()
        && s.entry(len) == m.tips[k].as_ref()
}

/// The first index after the snapshot whose entry's term is not the one the last check saw
/// there, with the terms brought up to date. `unchanged` and `sync_mirror` look at a log from
/// its end, so without this a log rewritten in the middle under an unchanged last entry (a
/// follower that replaces a conflicting entry and keeps the ones after it) would never be
/// looked at again. Terms suffice: an entry is named by its index and term, and one term's
/// leader writes one entry per index, so a rewrite that keeps every term keeps every entry
/// (or is a leader's, which Leader Append-Only judges). Only entries past the commit index of
/// the last check are compared: a follower given a different entry where it had committed one
/// was given it by a leader without a committed entry, which Leader Completeness judges at
/// that leader's election (and the commit check where the entry is committed again).
fn rewritten_from<M: Machine>(m: &mut Monitor<M>, s: &Server<M>) -> Option<LogIndex> {
    let k = s.id.index();
    let terms = &mut m.terms[k];
    let known = (terms.len() as u64).min(s.last_index());
    let first = (s.hard.snapshot.last_index.max(m.last_commit[k]) + 1..=known)
        .find(|&i| terms.get((i - 1) as usize).copied() != s.term_at(i));
    terms.truncate(first.unwrap_or(known + 1).saturating_sub(1) as usize);
    for i in terms.len() as u64 + 1..=s.last_index() {
        terms.push(s.term_at(i).unwrap_or(0));
    }
    first
}

/// Servers that applied the same index hold the same state machine there (data and client
/// sessions), and a snapshot holds the state, the term and the configuration of the entry it
/// ends at (the configuration by `snapshot_config`). Log digests alone cannot see a state machine that went wrong, nor entries already
/// folded into a snapshot.
fn same_state<M: Machine>(m: &mut Monitor<M>, s: &Server<M>, initial: &[NodeId]) -> Result<(), Fail> {
    let (applied, snapshot) = (s.applied, s.hard.snapshot.last_index);
    let (applied_before, snapshot_before) = m.last_state[s.id.index()];
    m.last_state[s.id.index()] = (applied, snapshot);
    let mut check = |index: LogIndex, kv: &M, what: &str| -> Result<(), Fail> {
        if index == 0 {
            return Ok(());
        }
        let d = digest(kv);
        let at = slot(&mut m.states, index);
        match m.states.get(at).copied().flatten() {
            None => m.states.set(at, Some(d)),
            Some(old) if old != d => {
                return Err((
                    "state-machine-safety",
                    format!("{}'s {what} after index {index} differs from another server's", s.id),
                ))
            }
            Some(_) => {}
        }
        Ok(())
    };
    if applied != applied_before {
        check(applied, &s.kv, M::STATE)?;
    }
    if snapshot == snapshot_before {
        return Ok(());
    }
    let snap = &s.hard.snapshot;
    check(snap.last_index, &snap.kv, "snapshot")?;
    snapshot_config(m, s, initial)?;
    if snap.last_index > 0 {
        if let Some(Some((term, _))) = m.committed.get((snap.last_index - 1) as usize) {
            if *term != snap.last_term {
                return Err((
                    "state-machine-safety",
                    format!(
                        "{}'s snapshot ends at index {} in term {}, where the committed entry has term {term}",
                        s.id, snap.last_index, snap.last_term
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// Bring the mirror of `s` up to date; returns the first index whose entry changed (at most
/// `rewritten`, where `rewritten_from` saw a term change). Checks Leader Append-Only on the
/// way: a leader's change must start after its old last entry.
fn sync_mirror<M: Machine>(
    m: &mut Monitor<M>,
    s: &Server<M>,
    rewritten: Option<LogIndex>,
) -> Result<LogIndex, Fail> {
    let k = s.id.index();
    let mirror = &mut m.mirrors[k];
    let old_len = mirror.len() as u64;
    let base = s.hard.snapshot.last_index;
    // Walk back from the end of the shorter log to the last entry both still agree on. Where
    // the mirror ends, an entry equal to the one hashed there has its digest: no need to hash.
    let mut same = old_len.min(s.last_index());
    let tip = m.tips[k].as_ref().filter(|_| same == old_len);
    let mut confirmed = same > base && tip.is_some() && s.entry(same) == tip;
    while same > base && !confirmed {
        let d = mirror.get((same - 1) as usize).copied().unwrap_or(0);
        if s.entry(same).is_some_and(|e| digest(e) == d) {
            confirmed = true;
            break;
        }
        same -= 1;
    }
    let agreed = same.max(base.min(old_len));
    let agreed = rewritten.map_or(agreed, |r| agreed.min(r - 1));
    if s.role == Role::Leader {
        if let Some((term, len)) = m.leading[k] {
            if term == s.hard.term && agreed < len && agreed < s.last_index().max(len) {
                let i = agreed + 1;
                let what = match s.entry(i) {
                    Some(e) => format!("overwrote its entry {i} with {} (term {})", e.cmd, e.term),
                    None => format!("deleted its entry {i}"),
                };
                return Err(("leader-append-only", format!("leader {} {what}", s.id)));
            }
        }
        m.leading[k] = Some((s.hard.term, s.last_index()));
    } else {
        m.leading[k] = None;
    }
    let mirror = &mut m.mirrors[k];
    mirror.truncate(agreed as usize);
    for i in (mirror.len() as u64 + 1)..=s.last_index() {
        mirror.push(s.entry(i).map(digest).unwrap_or(0));
    }
    // The entry that the mirror's last digest is known to be of: one just hashed, or the one
    // the walk back found equal.
    let len = mirror.len() as u64;
    let known = len > agreed || (confirmed && same == len);
    m.tips[k] = if known { s.entry(len).cloned() } else { None };
    Ok(agreed + 1)
}

/// Log Matching for the entries from `from` on, which `sync_mirror` has just hashed into the
/// mirror (from this same log: their digests are read back rather than computed again).
fn log_matching<M: Machine>(m: &mut Monitor<M>, s: &Server<M>, from: LogIndex) -> Result<(), Fail> {
    let mirror = &m.mirrors[s.id.index()];
    for i in from.max(s.hard.snapshot.last_index + 1)..=s.last_index() {
        let Some(e) = s.entry(i) else { continue };
        let d = match mirror.get((i - 1) as usize) {
            Some(d) => *d,
            None => digest(e),
        };
        let prev = s.term_at(i - 1).unwrap_or(0);
        let k = slot(&mut m.seen, i);
        let known = m
            .seen
            .get(k)
            .and_then(|v| v.iter().find(|x| x.term == e.term))
            .map(|x| (x.term, x.digest, x.prev));
        match known {
            None => {
                if let Some(v) = m.seen.get_mut(k) {
                    v.push(Seen { term: e.term, digest: d, prev, entry: e.clone() });
                }
            }
            Some((_, d0, _)) if d0 != d => {
                return Err((
                    "log-matching",
                    format!(
                        "{} has {} at index {i} in term {}, where another log has a different entry",
                        s.id, e.cmd, e.term
                    ),
                ))
            }
            Some((_, _, p0)) if p0 != prev => {
                return Err((
                    "log-matching",
                    format!(
                        "{} and another log agree at index {i} (term {}) but differ before it",
                        s.id, e.term
                    ),
                ))
            }
            Some(_) => {}
        }
    }
    Ok(())
}

/// The entry at `i` in `s`'s log, or, if the server has already folded it into its snapshot
/// (append, commit, apply and compaction can happen in one event, to a leader or to a
/// follower catching up), the one its last compaction dropped there.
pub fn seen_entry<M: Machine>(s: &Server<M>, i: LogIndex) -> Option<&Entry<M>> {
    s.entry(i).or_else(|| s.folded.get(i))
}

/// A server as a restart leaves it: a follower that knows no leader and has heard none, its
/// commit and applied indices at its snapshot's.
fn freshly_booted<M: Machine>(s: &Server<M>) -> bool {
    s.role == Role::Follower
        && s.leader.is_none()
        && s.last_leader_contact.is_none()
        && s.commit == s.hard.snapshot.last_index
        && s.applied == s.commit
}

fn commits_and_applies<M: Machine>(m: &mut Monitor<M>, s: &Server<M>) -> Result<(), Fail> {
    let k = s.id.index();
    // Figure 2: commitIndex and lastApplied only grow, but for a restart (volatile state
    // begins again at the snapshot). A server that falls back otherwise (a snapshot installed
    // over a later commit, say) would apply entries twice.
    for (what, was, is) in [("commit", m.last_commit[k], s.commit), ("applied", m.last_applied[k], s.applied)]
    {
        if is < was && !freshly_booted(s) {
            return Err((
                "state-machine-safety",
                format!("{}'s {what} index fell from {was} to {is} without a restart", s.id),
            ));
        }
    }
    if s.commit < m.last_commit[k] {
        m.last_commit[k] = s.commit; // restarted
    }
    // The digests of the first few entries committed now, by index from `first` (0: none):
    // the same entries are often applied in the same step, and are not hashed twice.
    let first = m.last_commit[k] + 1;
    let mut hashed = [0u64; 8];
    for i in first..=s.commit {
        let Some(e) = seen_entry(s, i) else { continue };
        let d = digest(e);
        if let Some(h) = hashed.get_mut((i - first) as usize) {
            *h = d;
        }
        let at = slot(&mut m.committed, i);
        match m.committed.get(at).copied().flatten() {
            None => {
                m.committed.set(at, Some((e.term, d)));
                if let Command::Config(c) = &e.cmd {
                    let at = m.configs.iter().position(|x| x.0 > i).unwrap_or(m.configs.len());
                    m.configs.insert(at, (i, c.clone()));
                }
                let cmd = match &e.cmd {
                    Command::Kv { client, req, op } => M::as_kv(op).map(|op| (*client, *req, op)),
                    _ => None,
                };
                m.lin.committed(i, cmd)?;
            }
            Some((_, old)) if old != d => {
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
        let Some(e) = seen_entry(s, i) else { continue };
        // `seen_entry` gives the same entry for an index in both loops (nothing it reads has
        // changed in between).
        let known = i.checked_sub(first).and_then(|j| hashed.get(j as usize)).filter(|d| **d != 0);
        let d = known.copied().unwrap_or_else(|| digest(e));
        let at = slot(&mut m.applied, i);
        match m.applied.get(at).copied().flatten() {
            None => m.applied.set(at, Some(d)),
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
        if let Some(Some((client, req))) = m.acked.get(i as usize) {
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
