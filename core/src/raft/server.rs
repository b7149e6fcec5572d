//! A Raft server's handlers: start and restart, elections (§5.2, PreVote, CheckQuorum,
//! leadership transfer), AppendEntries and InstallSnapshot on the follower's side (§5.3, §7),
//! the leader's handling of replies, client requests and reads (§6.4), and operator commands
//! (transfer, membership changes, snapshots). What a server holds is in `state.rs`; appending,
//! committing and applying entries in `replication.rs`.
//!
//! Over 600 lines: the handlers of one server, each a Raft rule, read best in the paper's order
//! in one place; what they share is already in `state.rs` and `replication.rs`.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;

use crate::protocol::{Ctx, NodeId, Time};

use super::replication::{
    advance_commit, append, apply, become_follower, broadcast, compact, confirm_reads, election_timeout,
    replicate_to, serve_reads, update_lease,
};
use super::state::bit;
pub use super::state::{Catchup, Folded, HardState, Node, PendingRead, Role, Server};
use super::types::*;

const MAX_CATCHUP_ROUNDS: u32 = 10;
const MAX_PENDING_READS: usize = 64;

/// A server with the given persistent state and fresh volatile state: what a first start and a
/// restart have in common. The state machine starts from the snapshot.
fn boot<M: Machine>(raft: &Raft, id: NodeId, hard: HardState<M>) -> Server<M> {
    let n = raft.servers + raft.spares;
    let snapshot = &hard.snapshot;
    let mut s = Server {
        id,
        role: Role::Follower,
        leader: None,
        commit: snapshot.last_index,
        applied: snapshot.last_index,
        kv: snapshot.kv.clone(),
        hard,
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
        folded: Folded::default(),
    };
    s.recompute_config();
    s
}

/// The first election timeout: a scenario's fixed value for this server, else a random one.
fn first_timeout<M: Machine>(raft: &Raft, fixed: &[u64], id: NodeId, ctx: &mut Ctx<Group<M>>) -> Time {
    match fixed.get(id.index()) {
        Some(&us) if us > 0 => Time(us),
        _ => election_timeout(raft, ctx),
    }
}

pub fn init<M: Machine>(raft: &Raft, ctx: &mut Ctx<Group<M>>) -> Server<M> {
    let id = ctx.me();
    let member = id.index() < raft.servers;
    let config = if member { raft.initial_config() } else { Vec::new() };
    let (term, log) = match raft.initial_logs.get(id.index()) {
        Some((t, terms)) => (*t, terms.iter().map(|&term| Entry { term, cmd: Command::Noop }).collect()),
        None => (0, Vec::new()),
    };
    let hard = HardState { term, voted_for: None, log, snapshot: Snapshot { config, ..Snapshot::default() } };
    let s = boot(raft, id, hard);
    if s.is_member() {
        let t = first_timeout(raft, &raft.first_election_us, id, ctx);
        ctx.set_timer(Timer::Election, t);
    }
    s
}

/// A server comes back from a crash with only its hard state: everything else starts afresh
/// (the state machine from the snapshot, the commit index rebuilt as the leader's heartbeats
/// tell it). The mutant forget-term-and-vote drops the term and the vote.
pub fn restart<M: Machine>(raft: &Raft, hard: HardState<M>, ctx: &mut Ctx<Group<M>>) -> Server<M> {
    let hard = if raft.is(Mutant::ForgetTermAndVote) {
        HardState { term: 0, voted_for: None, ..hard }
    } else {
        hard
    };
    let mut s = boot(raft, ctx.me(), hard);
    if raft.read_mode == ReadMode::Lease {
        s.vote_hold_until = Time(ctx.now().0.saturating_add(raft.election_us.0));
    }
    let t = first_timeout(raft, &raft.restart_election_us, s.id, ctx);
    ctx.set_timer(Timer::Election, t);
    s
}

fn request_votes<M: Machine>(s: &Server<M>, pre: bool, transfer: bool, ctx: &mut Ctx<Group<M>>) {
    let term = if pre { s.hard.term + 1 } else { s.hard.term };
    for m in s.config.iter().copied().filter(|m| *m != s.id) {
        ctx.send(
            m,
            Msg::RequestVote { term, last_index: s.last_index(), last_term: s.last_term(), pre, transfer },
        );
    }
}

fn start_election<M: Machine>(raft: &Raft, s: &mut Server<M>, transfer: bool, ctx: &mut Ctx<Group<M>>) {
    let t = election_timeout(raft, ctx);
    ctx.set_timer(Timer::Election, t);
    // Back from a crash with leases on, a server grants no vote until a minimum election
    // timeout has passed (the lease it may have promised runs that long); its own candidacy
    // is a vote too (a scenario's short restart timeout must not get past it). A transfer's
    // TimeoutNow comes from the leader, which gave its lease up when it sent it.
    if !s.is_member() || (!transfer && ctx.now() < s.vote_hold_until) {
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

fn campaign<M: Machine>(raft: &Raft, s: &mut Server<M>, transfer: bool, ctx: &mut Ctx<Group<M>>) {
    s.hard.term += 1;
    s.hard.voted_for = Some(s.id);
    s.role = Role::Candidate;
    s.leader = None;
    s.votes = bit(s.id);
    if s.quorum(s.votes) {
        return become_leader(raft, s, ctx);
    }
    request_votes(s, false, transfer, ctx);
}

fn become_leader<M: Machine>(raft: &Raft, s: &mut Server<M>, ctx: &mut Ctx<Group<M>>) {
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
    ctx.note(Note::Elected { node: s.id, term: s.hard.term });
    if raft.is(Mutant::CommitOldTerm) {
        // The paper's Figure 8 leader: no no-op at the start of its term, so earlier entries
        // are only ever committed by (wrongly) counting their replicas.
        broadcast(s, ctx);
    } else {
        append(raft, s, Command::Noop, ctx);
    }
    ctx.set_timer(Timer::Heartbeat, Time(raft.heartbeat_us));
    if raft.check_quorum {
        // Every election timeout (§6.2), the base one: etcd's leader checks each time
        // `electionElapsed` reaches `electionTimeout`, the low end of its followers' range.
        ctx.set_timer(Timer::CheckQuorum, Time(raft.election_us.0));
    }
}

pub fn on_message<M: Machine>(
    raft: &Raft,
    s: &mut Server<M>,
    from: NodeId,
    msg: Msg<M>,
    ctx: &mut Ctx<Group<M>>,
) {
    match msg {
        Msg::RequestVote { term, last_index, last_term, pre, transfer } => {
            let log_ok = raft.is(Mutant::VoteWithoutLogCheck)
                || last_term > s.last_term()
                || (last_term == s.last_term() && last_index >= s.last_index());
            let sticky = (raft.check_quorum || raft.prevote) && !transfer && s.in_lease(raft, ctx.now());
            if pre {
                let granted = term > s.hard.term && log_ok && !sticky;
                ctx.send(
                    from,
                    Msg::Vote { term: if granted { term } else { s.hard.term }, granted, pre: true },
                );
                return;
            }
            if term >= s.hard.term && sticky && raft.check_quorum {
                return; // Thesis §4.2.3: disregard while a current leader may still lead.
            }
            if term > s.hard.term {
                become_follower(raft, s, term, None, ctx);
            }
            let granted = term == s.hard.term
                && s.role != Role::Leader
                && (s.hard.voted_for.is_none() || s.hard.voted_for == Some(from))
                && log_ok;
            if granted {
                s.hard.voted_for = Some(from);
                let t = election_timeout(raft, ctx);
                ctx.set_timer(Timer::Election, t);
            }
            ctx.send(from, Msg::Vote { term: s.hard.term, granted, pre: false });
        }
        Msg::Vote { term, granted, pre: true } => {
            if s.role == Role::PreCandidate && term == s.hard.term + 1 && granted {
                s.votes |= bit(from);
                if s.quorum(s.votes) {
                    campaign(raft, s, false, ctx);
                }
            } else if !granted && term > s.hard.term {
                become_follower(raft, s, term, None, ctx);
            }
        }
        Msg::Vote { term, granted, pre: false } => {
            if term > s.hard.term {
                become_follower(raft, s, term, None, ctx);
            } else if s.role == Role::Candidate && term == s.hard.term && granted {
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
                    Some(t) => ((s.hard.snapshot.last_index + 1)..=s.last_index())
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
            if term < s.hard.term {
                ctx.send(from, Msg::SnapshotReply { term: s.hard.term, last_index: 0 });
                return;
            }
            follow(raft, s, term, from, ctx);
            if snapshot.last_index > s.commit || raft.is(Mutant::InstallStaleSnapshot) {
                if s.term_at(snapshot.last_index) == Some(snapshot.last_term)
                    && snapshot.last_index > s.hard.snapshot.last_index
                {
                    let cut = (snapshot.last_index - s.hard.snapshot.last_index) as usize;
                    s.hard.log.drain(..cut.min(s.hard.log.len()));
                } else {
                    s.hard.log.clear();
                }
                s.folded.clear();
                s.kv = snapshot.kv.clone();
                s.commit = snapshot.last_index;
                s.applied = snapshot.last_index;
                s.hard.snapshot = *snapshot;
                s.recompute_config();
            }
            ctx.send(
                from,
                Msg::SnapshotReply {
                    term: s.hard.term,
                    last_index: s.commit.max(s.hard.snapshot.last_index),
                },
            );
        }
        Msg::TimeoutNow { term } => {
            if term == s.hard.term && s.role == Role::Follower {
                start_election(raft, s, true, ctx);
            }
        }
        Msg::Request { req, op } => on_request(raft, s, from, req, op, ctx),
        Msg::Reply { .. } => {}
    }
}

/// A follower answered the leader: a higher term deposes it; otherwise the answer counts only
/// if this server still leads in that term (and it shows the follower is reachable).
fn counts_as_reply<M: Machine>(
    raft: &Raft,
    s: &mut Server<M>,
    from: NodeId,
    term: Term,
    ctx: &mut Ctx<Group<M>>,
) -> bool {
    if term > s.hard.term {
        become_follower(raft, s, term, None, ctx);
        return false;
    }
    if s.role != Role::Leader || term != s.hard.term {
        return false;
    }
    s.heard |= bit(from);
    true
}

/// The follower holds the leader's log up to `upto`.
fn matched<M: Machine>(s: &mut Server<M>, from: NodeId, upto: LogIndex) {
    let f = from.index();
    s.match_index[f] = s.match_index[f].max(upto);
    s.next_index[f] = s.next_index[f].max(upto + 1);
}

/// A current leader spoke (AppendEntries or InstallSnapshot in a term at least ours): follow it
/// and restart the election timer.
fn follow<M: Machine>(raft: &Raft, s: &mut Server<M>, term: Term, leader: NodeId, ctx: &mut Ctx<Group<M>>) {
    if term > s.hard.term || s.role != Role::Follower {
        become_follower(raft, s, term, Some(leader), ctx);
    } else {
        s.leader = Some(leader);
        let t = election_timeout(raft, ctx);
        ctx.set_timer(Timer::Election, t);
    }
    s.last_leader_contact = Some(ctx.now());
}

#[allow(clippy::too_many_arguments)]
fn on_append<M: Machine>(
    raft: &Raft,
    s: &mut Server<M>,
    from: NodeId,
    term: Term,
    mut prev_index: LogIndex,
    mut prev_term: Term,
    mut entries: Vec<Entry<M>>,
    commit: LogIndex,
    seq: u64,
    ctx: &mut Ctx<Group<M>>,
) {
    let reply = |s: &Server<M>, success: bool, match_index, conflict_index, conflict_term| Msg::AppendReply {
        term: s.hard.term,
        success,
        match_index,
        conflict_index,
        conflict_term,
        seq,
    };
    if term < s.hard.term {
        // An older term's request: the reply acknowledges nothing, so it carries no sequence
        // number (the sender's numbering may since have begun again after a restart).
        let stale = Msg::AppendReply {
            term: s.hard.term,
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
    if prev_index < s.hard.snapshot.last_index {
        let skip = (s.hard.snapshot.last_index - prev_index) as usize;
        if skip >= entries.len() {
            let m = prev_index + entries.len() as u64;
            ctx.send(from, reply(s, true, m, 0, None));
            return;
        }
        entries.drain(..skip);
        prev_index = s.hard.snapshot.last_index;
        prev_term = s.hard.snapshot.last_term;
    }
    if prev_index > s.last_index() {
        let ci = s.last_index() + 1;
        ctx.send(from, reply(s, false, 0, ci, None));
        return;
    }
    let here = s.term_at(prev_index).unwrap_or(0);
    if here != prev_term {
        let mut first = prev_index;
        while first > s.hard.snapshot.last_index + 1 && s.term_at(first - 1) == Some(here) {
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
            let keep = (idx - 1 - s.hard.snapshot.last_index) as usize;
            changed_config |= s.hard.log[keep..].iter().any(|x| matches!(x.cmd, Command::Config(_)));
            if raft.is(Mutant::KeepConflictingSuffix) {
                changed_config |= matches!(e.cmd, Command::Config(_));
                s.hard.log[keep] = e;
                continue;
            }
            s.hard.log.truncate(keep);
        }
        changed_config |= matches!(e.cmd, Command::Config(_));
        s.hard.log.push(e);
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

fn after_ack<M: Machine>(raft: &Raft, s: &mut Server<M>, from: NodeId, ctx: &mut Ctx<Group<M>>) {
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
    // A caught-up new server joins the configuration only when no transfer is under way (its
    // target would campaign without the new entry); the catch-up waits for the transfer's end.
    if let Some(c) = s.adding.clone().filter(|_| s.transfer.is_none()) {
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
fn send_timeout_now<M: Machine>(s: &mut Server<M>, target: NodeId, ctx: &mut Ctx<Group<M>>) {
    s.lease_until = Time::ZERO;
    s.lease_given_up = true;
    ctx.send(target, Msg::TimeoutNow { term: s.hard.term });
}

fn on_request<M: Machine>(
    raft: &Raft,
    s: &mut Server<M>,
    client: NodeId,
    req: u64,
    op: M::Op,
    ctx: &mut Ctx<Group<M>>,
) {
    if s.role != Role::Leader || s.transfer.is_some() || !s.is_member() {
        let hint = if s.role == Role::Leader { None } else { s.leader };
        ctx.send(client, Msg::Reply { req, outcome: Outcome::Redirect(hint) });
        return;
    }
    if let Some((last, result, index, term)) = s.kv.last_applied(client) {
        if last == req {
            if !M::is_read(&op) {
                ctx.note(Note::Answered { server: s.id, client, req, index });
            }
            let outcome = Outcome::Ok { result: result.clone(), index, term };
            ctx.send(client, Msg::Reply { req, outcome });
            return;
        }
        if last > req {
            return;
        }
    }
    if M::is_read(&op) && raft.read_mode == ReadMode::Local {
        let result = s.kv.read(&op);
        ctx.send(
            client,
            Msg::Reply { req, outcome: Outcome::Ok { result, index: s.applied, term: s.hard.term } },
        );
        return;
    }
    if M::is_read(&op) && raft.read_mode != ReadMode::Log {
        if s.reads.iter().any(|r| r.client == client && r.req == req) || s.reads.len() >= MAX_PENDING_READS {
            return;
        }
        if !s.committed_in_term() && !raft.is(Mutant::ReadBeforeTermCommit) {
            // Thesis §6.4: until it has committed an entry of its term, a new leader does not
            // know its commit index is the latest; the read waits for that (as etcd's does).
            s.reads.push(PendingRead::held(client, req, op));
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
        if raft.is(Mutant::AckBeforeCommit) && !M::is_read(&op) {
            // Broken: answer from what the write would do, before anyone else has it.
            let (index, term) = (s.last_index() + 1, s.hard.term);
            let (result, ..) = s.kv.clone().apply(client, req, &op, index, term);
            ctx.note(Note::Answered { server: s.id, client, req, index });
            ctx.send(client, Msg::Reply { req, outcome: Outcome::Ok { result, index, term } });
        }
        append(raft, s, Command::Kv { client, req, op }, ctx);
    }
}

pub fn on_timer<M: Machine>(raft: &Raft, s: &mut Server<M>, timer: Timer, ctx: &mut Ctx<Group<M>>) {
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
                    let term = s.hard.term;
                    return become_follower(raft, s, term, None, ctx);
                }
                s.heard = bit(s.id);
                ctx.set_timer(Timer::CheckQuorum, Time(raft.election_us.0));
            }
        }
        Timer::TransferDeadline => s.transfer = None,
        Timer::ClientNext | Timer::ClientRetry => {}
    }
}

/// Operator commands; only a leader acts on membership and transfer.
pub fn on_admin<M: Machine>(raft: &Raft, s: &mut Server<M>, op: ClientOp, ctx: &mut Ctx<Group<M>>) {
    let refuse = |ctx: &mut Ctx<Group<M>>, why: String| ctx.note(Note::Refused { node: ctx.me(), why });
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
        ClientOp::AddServer(_) | ClientOp::RemoveServer(_) if s.transfer.is_some() => {
            // As every proposal during a transfer (etcd's `stepLeader` drops them while
            // `leadTransferee` is set): a change would reach the voters but not, perhaps, the
            // target, which then campaigns under the old configuration.
            refuse(ctx, format!("{} is transferring its leadership; try again shortly", s.id))
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
            // A fresh start, as etcd's new Progress: nothing known to match (a server removed
            // and added again keeps no stale matchIndex).
            s.next_index[n.index()] = s.last_index() + 1;
            s.match_index[n.index()] = 0;
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
