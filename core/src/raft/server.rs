//! A Raft server: election, replication, commitment, the state machine, and the extensions.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;

use crate::protocol::{Ctx, NodeId, Time};

use super::types::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    Follower,
    PreCandidate,
    Candidate,
    Leader,
}

/// A linearizable read waiting for leadership to be confirmed and the state machine to catch up.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PendingRead {
    pub client: NodeId,
    pub req: u64,
    pub op: KvOp,
    pub read_index: LogIndex,
    pub seq: u64,
    pub confirmed: bool,
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

const MAX_CATCHUP_ROUNDS: u32 = 10;
const MAX_PENDING_READS: usize = 64;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Server {
    pub id: NodeId,
    // Persistent.
    pub term: Term,
    pub voted_for: Option<NodeId>,
    /// Entries after the snapshot: `log[0]` has index `snapshot.last_index + 1`.
    pub log: Vec<Entry>,
    pub snapshot: Snapshot,
    // Volatile.
    pub role: Role,
    pub leader: Option<NodeId>,
    pub commit: LogIndex,
    pub applied: LogIndex,
    pub kv: Kv,
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
    pub reads: Vec<PendingRead>,
    pub transfer: Option<NodeId>,
    pub adding: Option<Catchup>,
}

/// A server or a simulated client.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[allow(clippy::large_enum_variant)]
pub enum Node {
    Server(Server),
    Client(Client),
}

fn bit(n: NodeId) -> u64 {
    1u64 << n.0
}

impl Server {
    pub fn last_index(&self) -> LogIndex {
        self.snapshot.last_index + self.log.len() as u64
    }

    pub fn term_at(&self, i: LogIndex) -> Option<Term> {
        if i == self.snapshot.last_index {
            return Some(self.snapshot.last_term);
        }
        self.entry(i).map(|e| e.term)
    }

    pub fn entry(&self, i: LogIndex) -> Option<&Entry> {
        if i <= self.snapshot.last_index {
            return None;
        }
        self.log.get((i - self.snapshot.last_index - 1) as usize)
    }

    pub fn last_term(&self) -> Term {
        self.term_at(self.last_index()).unwrap_or(0)
    }

    pub fn is_member(&self) -> bool {
        self.config.contains(&self.id)
    }

    fn majority(&self) -> usize {
        self.config.len() / 2 + 1
    }

    fn quorum(&self, set: u64) -> bool {
        self.config.iter().filter(|m| set & bit(**m) != 0).count() >= self.majority()
    }

    fn recompute_config(&mut self) {
        self.config = self
            .log
            .iter()
            .rev()
            .find_map(|e| match &e.cmd {
                Command::Config(c) => Some(c.clone()),
                _ => None,
            })
            .unwrap_or_else(|| self.snapshot.config.clone());
    }

    fn config_at(&self, index: LogIndex) -> Vec<NodeId> {
        let upto = (index - self.snapshot.last_index) as usize;
        self.log[..upto.min(self.log.len())]
            .iter()
            .rev()
            .find_map(|e| match &e.cmd {
                Command::Config(c) => Some(c.clone()),
                _ => None,
            })
            .unwrap_or_else(|| self.snapshot.config.clone())
    }

    fn config_change_pending(&self) -> bool {
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
        self.term_at(self.commit) == Some(self.term)
    }

    fn in_lease(&self, raft: &Raft, now: Time) -> bool {
        self.role == Role::Leader
            || now < self.vote_hold_until
            || (self.leader.is_some()
                && self.last_leader_contact.is_some_and(|t| now.0 < t.0 + raft.election_us.0))
    }
}

fn election_timeout(raft: &Raft, ctx: &mut Ctx<Raft>) -> Time {
    Time(ctx.rng().range(raft.election_us.0, raft.election_us.1))
}

/// A server with the given persistent state and fresh volatile state: what a first start and a
/// restart have in common. The state machine starts from the snapshot.
fn boot(
    raft: &Raft,
    id: NodeId,
    term: Term,
    voted_for: Option<NodeId>,
    log: Vec<Entry>,
    snapshot: Snapshot,
) -> Server {
    let n = raft.servers + raft.spares;
    let mut s = Server {
        id,
        term,
        voted_for,
        log,
        role: Role::Follower,
        leader: None,
        commit: snapshot.last_index,
        applied: snapshot.last_index,
        kv: snapshot.kv.clone(),
        snapshot,
        config: Vec::new(),
        votes: 0,
        last_leader_contact: None,
        vote_hold_until: Time::ZERO,
        next_index: vec![1; n],
        match_index: vec![0; n],
        acked_seq: vec![0; n],
        seq: 0,
        sent_at: Vec::new(),
        heard: 0,
        lease_until: Time::ZERO,
        lease_given_up: false,
        reads: Vec::new(),
        transfer: None,
        adding: None,
    };
    s.recompute_config();
    s
}

/// The first election timeout: a scenario's fixed value for this server, else a random one.
fn first_timeout(raft: &Raft, fixed: &[u64], id: NodeId, ctx: &mut Ctx<Raft>) -> Time {
    match fixed.get(id.index()) {
        Some(&us) if us > 0 => Time(us),
        _ => election_timeout(raft, ctx),
    }
}

pub fn init(raft: &Raft, ctx: &mut Ctx<Raft>) -> Server {
    let id = ctx.me();
    let member = id.index() < raft.servers;
    let config = if member { raft.initial_config() } else { Vec::new() };
    let (term, log) = match raft.initial_logs.get(id.index()) {
        Some((t, terms)) => (*t, terms.iter().map(|&term| Entry { term, cmd: Command::Noop }).collect()),
        None => (0, Vec::new()),
    };
    let s = boot(raft, id, term, None, log, Snapshot { config, ..Snapshot::default() });
    if s.is_member() {
        let t = first_timeout(raft, &raft.first_election_us, id, ctx);
        ctx.set_timer(Timer::Election, t);
    }
    s
}

pub fn restart(raft: &Raft, old: &Server, ctx: &mut Ctx<Raft>) -> Server {
    let forget = raft.is(Mutant::ForgetTermAndVote);
    let (term, voted_for) = if forget { (0, None) } else { (old.term, old.voted_for) };
    let mut s = boot(raft, old.id, term, voted_for, old.log.clone(), old.snapshot.clone());
    if raft.read_mode == ReadMode::Lease {
        s.vote_hold_until = Time(ctx.now().0.saturating_add(raft.election_us.0));
    }
    let t = first_timeout(raft, &raft.restart_election_us, s.id, ctx);
    ctx.set_timer(Timer::Election, t);
    s
}

fn become_follower(raft: &Raft, s: &mut Server, term: Term, leader: Option<NodeId>, ctx: &mut Ctx<Raft>) {
    if term > s.term {
        s.term = term;
        s.voted_for = None;
    }
    if s.role == Role::Leader {
        for r in core::mem::take(&mut s.reads) {
            ctx.send(r.client, Msg::Reply { req: r.req, outcome: Outcome::Redirect(None) });
        }
        ctx.cancel_timer(Timer::Heartbeat);
        ctx.cancel_timer(Timer::CheckQuorum);
        ctx.cancel_timer(Timer::TransferDeadline);
    }
    s.role = Role::Follower;
    s.leader = leader;
    s.transfer = None;
    s.adding = None;
    s.votes = 0;
    let t = election_timeout(raft, ctx);
    ctx.set_timer(Timer::Election, t);
}

fn request_votes(s: &Server, pre: bool, transfer: bool, ctx: &mut Ctx<Raft>) {
    let term = if pre { s.term + 1 } else { s.term };
    for m in s.config.iter().copied().filter(|m| *m != s.id) {
        ctx.send(
            m,
            Msg::RequestVote { term, last_index: s.last_index(), last_term: s.last_term(), pre, transfer },
        );
    }
}

fn start_election(raft: &Raft, s: &mut Server, transfer: bool, ctx: &mut Ctx<Raft>) {
    let t = election_timeout(raft, ctx);
    ctx.set_timer(Timer::Election, t);
    if !s.is_member() {
        return;
    }
    if raft.prevote && !transfer {
        s.role = Role::PreCandidate;
        s.votes = bit(s.id);
        if s.quorum(s.votes) {
            return campaign(raft, s, false, ctx);
        }
        request_votes(s, true, false, ctx);
    } else {
        campaign(raft, s, transfer, ctx);
    }
}

fn campaign(raft: &Raft, s: &mut Server, transfer: bool, ctx: &mut Ctx<Raft>) {
    s.term += 1;
    s.voted_for = Some(s.id);
    s.role = Role::Candidate;
    s.leader = None;
    s.votes = bit(s.id);
    if s.quorum(s.votes) {
        return become_leader(raft, s, ctx);
    }
    request_votes(s, false, transfer, ctx);
}

fn become_leader(raft: &Raft, s: &mut Server, ctx: &mut Ctx<Raft>) {
    let n = raft.servers + raft.spares;
    s.role = Role::Leader;
    s.leader = Some(s.id);
    s.next_index = vec![s.last_index() + 1; n];
    s.match_index = vec![0; n];
    s.acked_seq = vec![0; n];
    s.heard = bit(s.id);
    s.transfer = None;
    s.adding = None;
    s.reads.clear();
    s.lease_until = Time::ZERO;
    s.lease_given_up = false;
    ctx.cancel_timer(Timer::Election);
    ctx.note(Note::Elected { node: s.id, term: s.term });
    if raft.is(Mutant::CommitOldTerm) {
        // The paper's Figure 8 leader: no no-op at the start of its term, so earlier entries
        // are only ever committed by (wrongly) counting their replicas.
        broadcast(s, ctx);
    } else {
        append(raft, s, Command::Noop, ctx);
    }
    ctx.set_timer(Timer::Heartbeat, Time(raft.heartbeat_us));
    if raft.check_quorum {
        ctx.set_timer(Timer::CheckQuorum, Time(raft.election_us.1));
    }
}

/// Leader: append a command to the log and send it out.
fn append(raft: &Raft, s: &mut Server, cmd: Command, ctx: &mut Ctx<Raft>) {
    if raft.is(Mutant::LeaderOverwrites) && matches!(cmd, Command::Kv { .. }) && s.last_index() > s.commit {
        // Broken: write over the leader's own uncommitted entries instead of appending.
        let keep = (s.commit.max(s.snapshot.last_index) - s.snapshot.last_index) as usize;
        s.log.truncate(keep);
    }
    let is_config = matches!(cmd, Command::Config(_));
    s.log.push(Entry { term: s.term, cmd });
    if is_config {
        s.recompute_config();
    }
    let me = s.id.index();
    s.match_index[me] = s.last_index();
    broadcast(s, ctx);
    advance_commit(raft, s, ctx);
}

fn broadcast(s: &mut Server, ctx: &mut Ctx<Raft>) {
    s.seq += 1;
    s.sent_at.push((s.seq, ctx.now()));
    if s.sent_at.len() > 32 {
        s.sent_at.remove(0);
    }
    for p in s.peers() {
        replicate_to(s, p, ctx);
    }
}

fn replicate_to(s: &mut Server, peer: NodeId, ctx: &mut Ctx<Raft>) {
    let p = peer.index();
    let last = s.last_index();
    let next = s.next_index[p].clamp(1, last + 1);
    s.next_index[p] = next;
    if next <= s.snapshot.last_index {
        ctx.send(peer, Msg::InstallSnapshot { term: s.term, snapshot: s.snapshot.clone(), seq: s.seq });
        return;
    }
    let prev_index = next - 1;
    let prev_term = s.term_at(prev_index).unwrap_or(0);
    let from = (next - s.snapshot.last_index - 1) as usize;
    let to = (from + MAX_BATCH).min(s.log.len());
    let entries = s.log[from..to].to_vec();
    ctx.send(
        peer,
        Msg::Append { term: s.term, prev_index, prev_term, entries, commit: s.commit, seq: s.seq },
    );
}

fn advance_commit(raft: &Raft, s: &mut Server, ctx: &mut Ctx<Raft>) {
    if s.role != Role::Leader {
        return;
    }
    let majority = s.majority();
    let mut n = s.last_index();
    while n > s.commit {
        let t = s.term_at(n).unwrap_or(0);
        if t != s.term && !raft.is(Mutant::CommitOldTerm) {
            if t < s.term {
                break;
            }
            n -= 1;
            continue;
        }
        let count = s
            .config
            .iter()
            .filter(|m| if **m == s.id { s.last_index() >= n } else { s.match_index[m.index()] >= n })
            .count();
        if count >= majority {
            s.commit = n;
            break;
        }
        n -= 1;
    }
    apply(raft, s, ctx);
    // A leader that removed itself steps down once the new configuration is committed.
    if s.role == Role::Leader && !s.is_member() && !s.config_change_pending() {
        let term = s.term;
        become_follower(raft, s, term, None, ctx);
    }
}

fn apply(raft: &Raft, s: &mut Server, ctx: &mut Ctx<Raft>) {
    while s.applied < s.commit {
        let i = s.applied + 1;
        let Some(entry) = s.entry(i).cloned() else { break };
        s.applied = i;
        if let Command::Kv { client, req, op } = &entry.cmd {
            let result = s.kv.apply(*client, *req, op, i, entry.term);
            if s.role == Role::Leader {
                let outcome = Outcome::Ok { result: result.0, index: result.1, term: result.2 };
                ctx.send(*client, Msg::Reply { req: *req, outcome });
            }
        }
    }
    if raft.snapshot_every > 0 && s.applied >= s.snapshot.last_index.saturating_add(raft.snapshot_every) {
        compact(s);
    }
    serve_reads(s, ctx);
}

/// Take a snapshot of the applied state and drop the log up to it.
pub fn compact(s: &mut Server) {
    if s.applied <= s.snapshot.last_index {
        return;
    }
    let config = s.config_at(s.applied);
    let last_term = s.term_at(s.applied).unwrap_or(0);
    let cut = (s.applied - s.snapshot.last_index) as usize;
    s.snapshot = Snapshot { last_index: s.applied, last_term, kv: s.kv.clone(), config };
    s.log.drain(..cut);
}

fn serve_reads(s: &mut Server, ctx: &mut Ctx<Raft>) {
    if s.role != Role::Leader || s.reads.is_empty() {
        return;
    }
    let applied = s.applied;
    let term = s.term;
    let mut i = 0;
    while i < s.reads.len() {
        let r = &s.reads[i];
        if r.confirmed && applied >= r.read_index {
            let r = s.reads.remove(i);
            let result = s.kv.execute(&r.op);
            ctx.send(
                r.client,
                // The position the read saw is the applied index (at least its read index).
                Msg::Reply { req: r.req, outcome: Outcome::Ok { result, index: applied, term } },
            );
        } else {
            i += 1;
        }
    }
}

fn confirm_reads(s: &mut Server) {
    for k in 0..s.reads.len() {
        if s.reads[k].confirmed {
            continue;
        }
        let seq = s.reads[k].seq;
        let acks = s.config.iter().filter(|m| **m == s.id || s.acked_seq[m.index()] >= seq).count();
        if acks >= s.majority() {
            s.reads[k].confirmed = true;
        }
    }
}

fn update_lease(raft: &Raft, s: &mut Server) {
    if s.lease_given_up {
        return;
    }
    let mut seqs: Vec<(u64, u32)> =
        s.config.iter().map(|m| (!(if *m == s.id { s.seq } else { s.acked_seq[m.index()] }), 0)).collect();
    crate::order::sort_keyed(&mut seqs);
    let Some(&(inverted, _)) = seqs.get(s.majority() - 1) else { return };
    let seq = !inverted;
    if let Some((_, sent)) = s.sent_at.iter().find(|(q, _)| *q == seq) {
        // The lease runs for most of the minimum election timeout after the acknowledged
        // broadcast was *sent*; it is only as safe as the clocks' agreement on that duration.
        let until = Time(sent.0 + raft.election_us.0 * 9 / 10);
        if until > s.lease_until {
            s.lease_until = until;
        }
    }
}

pub fn on_message(raft: &Raft, s: &mut Server, from: NodeId, msg: Msg, ctx: &mut Ctx<Raft>) {
    match msg {
        Msg::RequestVote { term, last_index, last_term, pre, transfer } => {
            let log_ok = raft.is(Mutant::VoteWithoutLogCheck)
                || last_term > s.last_term()
                || (last_term == s.last_term() && last_index >= s.last_index());
            let sticky = (raft.check_quorum || raft.prevote) && !transfer && s.in_lease(raft, ctx.now());
            if pre {
                let granted = term > s.term && log_ok && !sticky;
                ctx.send(from, Msg::Vote { term: if granted { term } else { s.term }, granted, pre: true });
                return;
            }
            if term > s.term && sticky && raft.check_quorum {
                return; // Thesis §4.2.3: disregard while a current leader is known.
            }
            if term > s.term {
                become_follower(raft, s, term, None, ctx);
            }
            let granted = term == s.term
                && s.role != Role::Leader
                && (s.voted_for.is_none() || s.voted_for == Some(from))
                && log_ok;
            if granted {
                s.voted_for = Some(from);
                let t = election_timeout(raft, ctx);
                ctx.set_timer(Timer::Election, t);
            }
            ctx.send(from, Msg::Vote { term: s.term, granted, pre: false });
        }
        Msg::Vote { term, granted, pre: true } => {
            if s.role == Role::PreCandidate && term == s.term + 1 && granted {
                s.votes |= bit(from);
                if s.quorum(s.votes) {
                    campaign(raft, s, false, ctx);
                }
            } else if !granted && term > s.term {
                become_follower(raft, s, term, None, ctx);
            }
        }
        Msg::Vote { term, granted, pre: false } => {
            if term > s.term {
                become_follower(raft, s, term, None, ctx);
            } else if s.role == Role::Candidate && term == s.term && granted {
                s.votes |= bit(from);
                if s.quorum(s.votes) {
                    become_leader(raft, s, ctx);
                }
            }
        }
        Msg::Append { term, prev_index, prev_term, entries, commit, seq } => {
            on_append(raft, s, from, term, prev_index, prev_term, entries, commit, seq, ctx)
        }
        Msg::AppendReply { term, success, match_index, conflict_index, conflict_term, seq } => {
            if !counts_as_reply(raft, s, from, term, ctx) {
                return;
            }
            let f = from.index();
            s.acked_seq[f] = s.acked_seq[f].max(seq);
            if success {
                matched(s, from, match_index);
            } else {
                let hinted = match conflict_term {
                    Some(t) => ((s.snapshot.last_index + 1)..=s.last_index())
                        .rev()
                        .find(|i| s.term_at(*i) == Some(t))
                        .map(|i| i + 1)
                        .unwrap_or(conflict_index),
                    None => conflict_index,
                };
                s.next_index[f] = hinted.max(s.match_index[f] + 1).min(s.next_index[f].max(1));
            }
            after_ack(raft, s, from, ctx);
        }
        Msg::SnapshotReply { term, last_index } => {
            if !counts_as_reply(raft, s, from, term, ctx) {
                return;
            }
            matched(s, from, last_index);
            after_ack(raft, s, from, ctx);
        }
        Msg::InstallSnapshot { term, snapshot, seq: _ } => {
            if term < s.term {
                ctx.send(from, Msg::SnapshotReply { term: s.term, last_index: 0 });
                return;
            }
            follow(raft, s, term, from, ctx);
            if snapshot.last_index > s.commit {
                if s.term_at(snapshot.last_index) == Some(snapshot.last_term)
                    && snapshot.last_index > s.snapshot.last_index
                {
                    let cut = (snapshot.last_index - s.snapshot.last_index) as usize;
                    s.log.drain(..cut.min(s.log.len()));
                } else {
                    s.log.clear();
                }
                s.kv = snapshot.kv.clone();
                s.commit = snapshot.last_index;
                s.applied = snapshot.last_index;
                s.snapshot = snapshot;
                s.recompute_config();
            }
            ctx.send(
                from,
                Msg::SnapshotReply { term: s.term, last_index: s.commit.max(s.snapshot.last_index) },
            );
        }
        Msg::TimeoutNow { term } => {
            if term == s.term && s.role == Role::Follower {
                start_election(raft, s, true, ctx);
            }
        }
        Msg::Request { req, op } => on_request(raft, s, from, req, op, ctx),
        Msg::Reply { .. } => {}
    }
}

/// A follower answered the leader: a higher term deposes it; otherwise the answer counts only
/// if this server still leads in that term (and it shows the follower is reachable).
fn counts_as_reply(raft: &Raft, s: &mut Server, from: NodeId, term: Term, ctx: &mut Ctx<Raft>) -> bool {
    if term > s.term {
        become_follower(raft, s, term, None, ctx);
        return false;
    }
    if s.role != Role::Leader || term != s.term {
        return false;
    }
    s.heard |= bit(from);
    true
}

/// The follower holds the leader's log up to `upto`.
fn matched(s: &mut Server, from: NodeId, upto: LogIndex) {
    let f = from.index();
    s.match_index[f] = s.match_index[f].max(upto);
    s.next_index[f] = s.next_index[f].max(upto + 1);
}

/// A current leader spoke (AppendEntries or InstallSnapshot in a term at least ours): follow it
/// and restart the election timer.
fn follow(raft: &Raft, s: &mut Server, term: Term, leader: NodeId, ctx: &mut Ctx<Raft>) {
    if term > s.term || s.role != Role::Follower {
        become_follower(raft, s, term, Some(leader), ctx);
    } else {
        s.leader = Some(leader);
        let t = election_timeout(raft, ctx);
        ctx.set_timer(Timer::Election, t);
    }
    s.last_leader_contact = Some(ctx.now());
}

#[allow(clippy::too_many_arguments)]
fn on_append(
    raft: &Raft,
    s: &mut Server,
    from: NodeId,
    term: Term,
    mut prev_index: LogIndex,
    mut prev_term: Term,
    mut entries: Vec<Entry>,
    commit: LogIndex,
    seq: u64,
    ctx: &mut Ctx<Raft>,
) {
    let reply = |s: &Server, success: bool, match_index, conflict_index, conflict_term| Msg::AppendReply {
        term: s.term,
        success,
        match_index,
        conflict_index,
        conflict_term,
        seq,
    };
    if term < s.term {
        // An older term's request: the reply acknowledges nothing, so it carries no sequence
        // number (the sender's numbering may since have begun again after a restart).
        let stale = Msg::AppendReply {
            term: s.term,
            success: false,
            match_index: 0,
            conflict_index: 0,
            conflict_term: None,
            seq: 0,
        };
        ctx.send(from, stale);
        return;
    }
    follow(raft, s, term, from, ctx);
    // Entries already folded into our snapshot are committed: skip them.
    if prev_index < s.snapshot.last_index {
        let skip = (s.snapshot.last_index - prev_index) as usize;
        if skip >= entries.len() {
            let m = prev_index + entries.len() as u64;
            ctx.send(from, reply(s, true, m, 0, None));
            return;
        }
        entries.drain(..skip);
        prev_index = s.snapshot.last_index;
        prev_term = s.snapshot.last_term;
    }
    if prev_index > s.last_index() {
        let ci = s.last_index() + 1;
        ctx.send(from, reply(s, false, 0, ci, None));
        return;
    }
    let here = s.term_at(prev_index).unwrap_or(0);
    if here != prev_term {
        let mut first = prev_index;
        while first > s.snapshot.last_index + 1 && s.term_at(first - 1) == Some(here) {
            first -= 1;
        }
        ctx.send(from, reply(s, false, 0, first, Some(here)));
        return;
    }
    let n = entries.len() as u64;
    let mut changed_config = false;
    for (k, e) in entries.into_iter().enumerate() {
        let idx = prev_index + 1 + k as u64;
        if idx <= s.last_index() {
            if s.term_at(idx) == Some(e.term) {
                continue;
            }
            let keep = (idx - 1 - s.snapshot.last_index) as usize;
            changed_config |= s.log[keep..].iter().any(|x| matches!(x.cmd, Command::Config(_)));
            s.log.truncate(keep);
        }
        changed_config |= matches!(e.cmd, Command::Config(_));
        s.log.push(e);
    }
    if changed_config {
        s.recompute_config();
    }
    let match_index = prev_index + n;
    if commit > s.commit {
        s.commit = commit.min(match_index).max(s.commit);
        apply(raft, s, ctx);
    }
    ctx.send(from, reply(s, true, match_index, 0, None));
}

fn after_ack(raft: &Raft, s: &mut Server, from: NodeId, ctx: &mut Ctx<Raft>) {
    advance_commit(raft, s, ctx);
    if s.role != Role::Leader {
        return;
    }
    confirm_reads(s);
    update_lease(raft, s);
    serve_reads(s, ctx);
    let f = from.index();
    if s.next_index[f] <= s.last_index() {
        replicate_to(s, from, ctx);
    }
    if s.transfer == Some(from) && s.match_index[f] >= s.last_index() {
        send_timeout_now(s, from, ctx);
    }
    if let Some(c) = s.adding.as_mut().filter(|c| c.node == from) {
        c.heard = ctx.now();
    }
    if let Some(c) = s.adding.clone() {
        if c.node == from && s.match_index[f] >= c.target {
            let quick = ctx.now().0 < c.round_start.0 + raft.election_us.0;
            if quick || s.match_index[f] >= s.last_index() {
                s.adding = None;
                let mut members = s.config.clone();
                members.push(from);
                let mut keyed: Vec<(u64, u32)> = members.iter().map(|m| (m.0 as u64, m.0)).collect();
                crate::order::sort_keyed(&mut keyed);
                let members: Vec<NodeId> = keyed.into_iter().map(|(_, m)| NodeId(m)).collect();
                append(raft, s, Command::Config(members), ctx);
            } else if c.rounds >= MAX_CATCHUP_ROUNDS {
                s.adding = None;
                ctx.note(Note::Refused { node: s.id, why: format!("{from} could not catch up; not added") });
            } else {
                s.adding = Some(Catchup {
                    node: from,
                    target: s.last_index(),
                    round_start: ctx.now(),
                    rounds: c.rounds + 1,
                    heard: ctx.now(),
                });
            }
        }
    }
}

/// Leadership transfer (§3.10): tell the target to start an election now. Its RequestVotes
/// override the voters' lease, so this leader's lease ends here for the rest of its term.
fn send_timeout_now(s: &mut Server, target: NodeId, ctx: &mut Ctx<Raft>) {
    s.lease_until = Time::ZERO;
    s.lease_given_up = true;
    ctx.send(target, Msg::TimeoutNow { term: s.term });
}

fn on_request(raft: &Raft, s: &mut Server, client: NodeId, req: u64, op: KvOp, ctx: &mut Ctx<Raft>) {
    if s.role != Role::Leader || s.transfer.is_some() || !s.is_member() {
        let hint = if s.role == Role::Leader { None } else { s.leader };
        ctx.send(client, Msg::Reply { req, outcome: Outcome::Redirect(hint) });
        return;
    }
    if let Some((last, result, index, term)) = s.kv.sessions.get(&client.0) {
        if *last == req {
            let outcome = Outcome::Ok { result: result.clone(), index: *index, term: *term };
            ctx.send(client, Msg::Reply { req, outcome });
            return;
        }
        if *last > req {
            return;
        }
    }
    if op.is_read() && raft.read_mode == ReadMode::Local {
        let result = s.kv.execute(&op);
        ctx.send(client, Msg::Reply { req, outcome: Outcome::Ok { result, index: s.applied, term: s.term } });
        return;
    }
    if op.is_read() && raft.read_mode != ReadMode::Log && s.committed_in_term() {
        if s.reads.iter().any(|r| r.client == client && r.req == req) || s.reads.len() >= MAX_PENDING_READS {
            return;
        }
        let lease = raft.read_mode == ReadMode::Lease && ctx.now() < s.lease_until;
        s.reads.push(PendingRead { client, req, op, read_index: s.commit, seq: s.seq + 1, confirmed: lease });
        if lease {
            serve_reads(s, ctx);
        } else {
            broadcast(s, ctx);
            confirm_reads(s);
            serve_reads(s, ctx);
        }
        return;
    }
    let in_log = ((s.commit + 1)..=s.last_index()).any(|i| {
        matches!(s.entry(i).map(|e| &e.cmd), Some(Command::Kv { client: c, req: r, .. }) if *c == client && *r == req)
    });
    if !in_log {
        if raft.is(Mutant::AckBeforeCommit) && !op.is_read() {
            // Broken: answer from what the write would do, before anyone else has it.
            let (index, term) = (s.last_index() + 1, s.term);
            let (result, ..) = s.kv.clone().apply(client, req, &op, index, term);
            ctx.send(client, Msg::Reply { req, outcome: Outcome::Ok { result, index, term } });
        }
        append(raft, s, Command::Kv { client, req, op }, ctx);
    }
}

pub fn on_timer(raft: &Raft, s: &mut Server, timer: Timer, ctx: &mut Ctx<Raft>) {
    match timer {
        Timer::Election => {
            if s.role != Role::Leader {
                start_election(raft, s, false, ctx);
            }
        }
        Timer::Heartbeat => {
            if s.role == Role::Leader {
                let silent = |c: &Catchup| ctx.now().0 > c.heard.0.saturating_add(2 * raft.election_us.1);
                if let Some(c) = s.adding.take_if(|c| silent(c)) {
                    let why = format!("{} did not answer while being caught up; not added", c.node);
                    ctx.note(Note::Refused { node: s.id, why });
                }
                broadcast(s, ctx);
                ctx.set_timer(Timer::Heartbeat, Time(raft.heartbeat_us));
            }
        }
        Timer::CheckQuorum => {
            if s.role == Role::Leader {
                if !s.quorum(s.heard | bit(s.id)) {
                    let term = s.term;
                    return become_follower(raft, s, term, None, ctx);
                }
                s.heard = bit(s.id);
                ctx.set_timer(Timer::CheckQuorum, Time(raft.election_us.1));
            }
        }
        Timer::TransferDeadline => s.transfer = None,
        Timer::ClientNext | Timer::ClientRetry => {}
    }
}

/// Operator commands; only a leader acts on membership and transfer.
pub fn on_admin(raft: &Raft, s: &mut Server, op: ClientOp, ctx: &mut Ctx<Raft>) {
    let refuse = |ctx: &mut Ctx<Raft>, why: String| ctx.note(Note::Refused { node: ctx.me(), why });
    if op == ClientOp::Compact {
        return compact(s);
    }
    if s.role != Role::Leader {
        return refuse(ctx, format!("{} is not the leader", s.id));
    }
    match op {
        ClientOp::TransferLeadership(target) => {
            let target = target.unwrap_or_else(|| {
                s.config
                    .iter()
                    .copied()
                    .filter(|m| *m != s.id)
                    .max_by_key(|m| (s.match_index[m.index()], core::cmp::Reverse(m.0)))
                    .unwrap_or(s.id)
            });
            if target == s.id || !s.config.contains(&target) {
                return refuse(ctx, format!("{target} is not another member"));
            }
            s.transfer = Some(target);
            ctx.set_timer(Timer::TransferDeadline, Time(raft.election_us.1));
            if s.match_index[target.index()] >= s.last_index() {
                send_timeout_now(s, target, ctx);
            } else {
                replicate_to(s, target, ctx);
            }
        }
        ClientOp::AddServer(_) | ClientOp::RemoveServer(_) if !s.committed_in_term() => {
            // The erratum to the single-server change (Ongaro, 2015): until an entry of this
            // term is committed, a configuration entry of an earlier term that reached only
            // some servers could still elect a leader that overwrites what this one commits.
            refuse(ctx, format!("{} has not yet committed an entry of its own term; try again shortly", s.id))
        }
        ClientOp::AddServer(n) => {
            if !raft.is_server(n) {
                return refuse(ctx, format!("{n} is not a server"));
            }
            if s.config.contains(&n) {
                return refuse(ctx, format!("{n} is already a member"));
            }
            if s.config_change_pending() || s.adding.is_some() {
                return refuse(ctx, "one membership change at a time".to_string());
            }
            let now = ctx.now();
            s.adding =
                Some(Catchup { node: n, target: s.last_index(), round_start: now, rounds: 1, heard: now });
            s.next_index[n.index()] = s.last_index() + 1;
            replicate_to(s, n, ctx);
        }
        ClientOp::RemoveServer(n) => {
            if !s.config.contains(&n) {
                return refuse(ctx, format!("{n} is not a member"));
            }
            if s.config.len() <= 1 {
                return refuse(ctx, "the last member cannot be removed".to_string());
            }
            if s.config_change_pending() || s.adding.is_some() {
                return refuse(ctx, "one membership change at a time".to_string());
            }
            let members: Vec<NodeId> = s.config.iter().copied().filter(|m| *m != n).collect();
            append(raft, s, Command::Config(members), ctx);
        }
        ClientOp::Kv(_) => refuse(ctx, "client operations go to a client node".to_string()),
        ClientOp::Compact => {}
    }
}
