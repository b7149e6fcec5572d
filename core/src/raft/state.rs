//! What a Raft server holds: the persistent state of Figure 2 (term, vote, log, snapshot) and
//! the volatile state (role, commit and applied indices, the state machine, the leader's
//! bookkeeping), with the queries every handler asks of it (the term at an index, the
//! configuration in force, whether a set of votes is a quorum).

use alloc::vec::Vec;

use crate::explorable::Rename;
use crate::kv::ClientHard;
use crate::protocol::{NodeId, Time};

use super::types::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    Follower,
    PreCandidate,
    Candidate,
    Leader,
}

impl Role {
    /// The role in a word, as the pages of protocols built on Raft show it.
    pub fn word(self) -> &'static str {
        match self {
            Role::Follower => "follower",
            Role::PreCandidate => "pre-candidate",
            Role::Candidate => "candidate",
            Role::Leader => "leader",
        }
    }

    /// A server's badge on those pages: a star for the leader, the term for a follower.
    pub fn badge(self, term: u64) -> alloc::string::String {
        match self {
            Role::Leader => "★ leader".into(),
            Role::Candidate | Role::PreCandidate => "candidate".into(),
            Role::Follower => alloc::format!("T{term}"),
        }
    }
}

/// A linearizable read waiting for leadership to be confirmed and the state machine to catch up.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PendingRead<M: Machine = Kv> {
    pub client: NodeId,
    pub req: u64,
    pub op: M::Op,
    pub read_index: LogIndex,
    pub seq: u64,
    pub confirmed: bool,
}

impl<M: Machine> PendingRead<M> {
    /// A read that came before the leader committed an entry of its term: no read index yet,
    /// nothing to confirm it (`release_reads` gives it both).
    pub(super) fn held(client: NodeId, req: u64, op: M::Op) -> Self {
        PendingRead { client, req, op, read_index: LogIndex::MAX, seq: u64::MAX, confirmed: false }
    }

    pub fn is_held(&self) -> bool {
        self.read_index == LogIndex::MAX
    }
}

/// A new server being caught up before it joins the configuration (thesis §4.2.1).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Catchup {
    pub node: NodeId,
    pub target: LogIndex,
    pub round_start: Time,
    pub rounds: u32,
    /// When the new server last answered: one that stays silent for two maximum election
    /// timeouts is given up on, so that a change to an unreachable server cannot block every
    /// later membership change.
    pub heard: Time,
}

/// What survives a crash, and all a restart sees (raft-rs's `HardState`): Figure 2's persistent
/// state, currentTerm, votedFor and the log, and the snapshot the log starts after (§7).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct HardState<M: Machine = Kv> {
    pub term: Term,
    pub voted_for: Option<NodeId>,
    /// Entries after the snapshot: `log[0]` has index `snapshot.last_index + 1`.
    pub log: Vec<Entry<M>>,
    pub snapshot: Snapshot<M>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Server<M: Machine = Kv> {
    pub id: NodeId,
    /// Persistent: term, vote, log and snapshot.
    pub hard: HardState<M>,
    // Volatile.
    pub role: Role,
    pub leader: Option<NodeId>,
    pub commit: LogIndex,
    pub applied: LogIndex,
    pub kv: M,
    /// Voting members: the latest configuration in the log (or the snapshot's).
    pub config: Vec<NodeId>,
    pub votes: u64,
    pub last_leader_contact: Option<Time>,
    /// With lease reads, a restarted server grants no vote before this time: before the crash
    /// it may have acknowledged a heartbeat that extended a leader's lease, and it cannot
    /// remember which (thesis §6.4 assumes voters keep the lease's promise).
    pub vote_hold_until: Time,
    // Leader only.
    pub next_index: Vec<LogIndex>,
    pub match_index: Vec<LogIndex>,
    pub acked_seq: Vec<u64>,
    pub seq: u64,
    pub sent_at: Vec<(u64, Time)>,
    pub heard: u64,
    pub lease_until: Time,
    /// Set once this leader has sent TimeoutNow in its term: the target's election ignores
    /// the voters' lease, so this leader never again trusts one in this term.
    pub lease_given_up: bool,
    pub reads: Vec<PendingRead<M>>,
    pub transfer: Option<NodeId>,
    pub adding: Option<Catchup>,
    /// Ghost: the entries the last compaction folded into the snapshot (for the checker).
    pub folded: Folded<M>,
}

/// The entries one compaction dropped from the log, for the checker alone. A server may
/// append, commit, apply and fold entries into its snapshot in a single event (a follower
/// catching up), and the checker, which looks after the event, must still compare them with
/// the committed ones; it sees them here. A server compacts at most once in an event, so the
/// last compaction's entries are all the checker can have missed.
///
/// Not part of the server's state: it never counts in equality or in a digest, and a copy
/// starts without it (a copy has had no event yet; rewinding and exploring copy servers).
#[derive(Debug, Default)]
pub struct Folded<M: Machine = Kv> {
    /// The index of `entries[0]`.
    first: LogIndex,
    entries: Vec<Entry<M>>,
}

impl<M: Machine> Folded<M> {
    /// The folded entry at `i`, if the last compaction dropped it.
    pub fn get(&self, i: LogIndex) -> Option<&Entry<M>> {
        self.entries.get(usize::try_from(i.checked_sub(self.first)?).ok()?)
    }

    /// Keep `entries`, from index `first` on, in place of the previous compaction's.
    pub fn keep(&mut self, first: LogIndex, entries: impl Iterator<Item = Entry<M>>) {
        self.first = first;
        self.entries.clear();
        self.entries.extend(entries);
    }

    pub fn clear(&mut self) {
        self.entries.clear();
    }
}

impl<M: Machine> Clone for Folded<M> {
    fn clone(&self) -> Self {
        Folded { first: 0, entries: Vec::new() }
    }
}

impl<M: Machine> PartialEq for Folded<M> {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl<M: Machine> Eq for Folded<M> {}

impl<M: Machine> core::hash::Hash for Folded<M> {
    fn hash<H: core::hash::Hasher>(&self, _: &mut H) {}
}

/// A server or a simulated client.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[allow(clippy::large_enum_variant)]
pub enum Node {
    Server(Server),
    Client(Client),
}

/// What a server or a client keeps across a crash.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Durable {
    Server(HardState),
    Client(ClientHard),
}

pub(super) fn bit(n: NodeId) -> u64 {
    1u64 << n.0
}

impl<M: Machine> Server<M> {
    /// The server as it would be with every node id renamed (symmetry reduction): its own,
    /// its vote, leader, membership, votes and acknowledgements, and the leader's places
    /// kept per follower.
    pub fn renamed(&self, r: &Rename) -> Self {
        let mut s = self.clone();
        s.id = r.node(s.id);
        s.hard.voted_for = s.hard.voted_for.map(|n| r.node(n));
        s.hard.log.iter_mut().for_each(|e| *e = e.renamed(r));
        s.hard.snapshot = s.hard.snapshot.renamed(r);
        s.leader = s.leader.map(|n| r.node(n));
        r.set(&mut s.config);
        s.votes = r.bits(s.votes);
        s.heard = r.bits(s.heard);
        r.places(&mut s.next_index);
        r.places(&mut s.match_index);
        r.places(&mut s.acked_seq);
        s.reads.iter_mut().for_each(|read| read.client = r.node(read.client));
        s.transfer = s.transfer.map(|n| r.node(n));
        if let Some(c) = &mut s.adding {
            c.node = r.node(c.node);
        }
        s
    }

    /// Its term while it leads (`Protocol::leader_rank` of every protocol built on Raft).
    pub fn leader_rank(&self) -> Option<u128> {
        (self.role == Role::Leader).then_some(self.hard.term as u128)
    }

    pub fn last_index(&self) -> LogIndex {
        self.hard.snapshot.last_index + self.hard.log.len() as u64
    }

    pub fn term_at(&self, i: LogIndex) -> Option<Term> {
        if i == self.hard.snapshot.last_index {
            return Some(self.hard.snapshot.last_term);
        }
        self.entry(i).map(|e| e.term)
    }

    pub fn entry(&self, i: LogIndex) -> Option<&Entry<M>> {
        if i <= self.hard.snapshot.last_index {
            return None;
        }
        self.hard.log.get((i - self.hard.snapshot.last_index - 1) as usize)
    }

    pub fn last_term(&self) -> Term {
        self.term_at(self.last_index()).unwrap_or(0)
    }

    pub fn is_member(&self) -> bool {
        self.config.contains(&self.id)
    }

    pub(super) fn majority(&self) -> usize {
        self.config.len() / 2 + 1
    }

    pub(super) fn quorum(&self, set: u64) -> bool {
        self.config.iter().filter(|m| set & bit(**m) != 0).count() >= self.majority()
    }

    pub(super) fn recompute_config(&mut self) {
        self.config = self
            .hard
            .log
            .iter()
            .rev()
            .find_map(|e| match &e.cmd {
                Command::Config(c) => Some(c.clone()),
                _ => None,
            })
            .unwrap_or_else(|| self.hard.snapshot.config.clone());
    }

    pub(super) fn config_at(&self, index: LogIndex) -> Vec<NodeId> {
        let upto = (index - self.hard.snapshot.last_index) as usize;
        self.hard.log[..upto.min(self.hard.log.len())]
            .iter()
            .rev()
            .find_map(|e| match &e.cmd {
                Command::Config(c) => Some(c.clone()),
                _ => None,
            })
            .unwrap_or_else(|| self.hard.snapshot.config.clone())
    }

    pub(super) fn config_change_pending(&self) -> bool {
        ((self.commit + 1)..=self.last_index())
            .any(|i| matches!(self.entry(i).map(|e| &e.cmd), Some(Command::Config(_))))
    }

    /// Servers the leader replicates to: the members and a server being caught up.
    pub(super) fn peers(&self) -> Vec<NodeId> {
        let mut p: Vec<NodeId> = self.config.iter().copied().filter(|m| *m != self.id).collect();
        if let Some(c) = &self.adding {
            if !p.contains(&c.node) {
                p.push(c.node);
            }
        }
        p
    }

    /// Whether the commit index has reached an entry of the current term (the leader's
    /// no-op, at least): only then may a leader serve ReadIndex reads or change membership.
    pub fn committed_in_term(&self) -> bool {
        self.term_at(self.commit) == Some(self.hard.term)
    }

    /// Whether a leader may still count on this server's support (thesis §4.2.3): it leads, or
    /// it heard from a current leader less than a minimum election timeout ago (whether or not
    /// it still knows who leads: a higher term from elsewhere does not end that), or it came
    /// back from a crash less than that ago (it cannot know whom it heard).
    pub(super) fn in_lease(&self, raft: &Raft, now: Time) -> bool {
        self.role == Role::Leader
            || now < self.vote_hold_until
            || self.last_leader_contact.is_some_and(|t| now.0 < t.0 + raft.election_us.0)
    }
}
