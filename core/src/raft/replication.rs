//! How entries get committed and applied: the leader appends, replicates and commits (§5.3, and
//! §5.4.2's rule that only an entry of the leader's own term is committed by counting replicas),
//! every server applies committed entries and compacts its log into a snapshot (§7), and the
//! leader answers reads once their ReadIndex is confirmed or its lease holds (thesis §6.4).
//! Stepping down lives here as well, because committing a configuration without the leader
//! makes it step down (thesis §4.2.2); the election handlers in `server.rs` use it too.

use alloc::boxed::Box;
use alloc::vec::Vec;

use crate::protocol::{Ctx, NodeId, Time};

use super::state::{Role, Server};
use super::types::*;

pub(super) fn election_timeout<M: Machine>(raft: &Raft, ctx: &mut Ctx<Group<M>>) -> Time {
    Time(ctx.rng().range(raft.election_us.0, raft.election_us.1))
}

pub(super) fn become_follower<M: Machine>(
    raft: &Raft,
    s: &mut Server<M>,
    term: Term,
    leader: Option<NodeId>,
    ctx: &mut Ctx<Group<M>>,
) {
    if term > s.hard.term {
        s.hard.term = term;
        s.hard.voted_for = None;
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

/// Leader: append a command to the log and send it out.
pub(super) fn append<M: Machine>(raft: &Raft, s: &mut Server<M>, cmd: Command<M>, ctx: &mut Ctx<Group<M>>) {
    if raft.is(Mutant::LeaderOverwrites) && matches!(cmd, Command::Kv { .. }) && s.last_index() > s.commit {
        // Broken: write over the leader's own uncommitted entries instead of appending.
        let keep = (s.commit.max(s.hard.snapshot.last_index) - s.hard.snapshot.last_index) as usize;
        s.hard.log.truncate(keep);
    }
    let is_config = matches!(cmd, Command::Config(_));
    s.hard.log.push(Entry { term: s.hard.term, cmd });
    if is_config {
        s.recompute_config();
    }
    let me = s.id.index();
    s.match_index[me] = s.last_index();
    broadcast(s, ctx);
    advance_commit(raft, s, ctx);
}

pub(super) fn broadcast<M: Machine>(s: &mut Server<M>, ctx: &mut Ctx<Group<M>>) {
    s.seq += 1;
    s.sent_at.push((s.seq, ctx.now()));
    if s.sent_at.len() > 32 {
        s.sent_at.remove(0);
    }
    for p in s.peers() {
        replicate_to(s, p, ctx);
    }
}

pub(super) fn replicate_to<M: Machine>(s: &mut Server<M>, peer: NodeId, ctx: &mut Ctx<Group<M>>) {
    let p = peer.index();
    let last = s.last_index();
    let next = s.next_index[p].clamp(1, last + 1);
    s.next_index[p] = next;
    if next <= s.hard.snapshot.last_index {
        ctx.send(
            peer,
            Msg::InstallSnapshot {
                term: s.hard.term,
                snapshot: Box::new(s.hard.snapshot.clone()),
                seq: s.seq,
            },
        );
        return;
    }
    let prev_index = next - 1;
    let prev_term = s.term_at(prev_index).unwrap_or(0);
    let from = (next - s.hard.snapshot.last_index - 1) as usize;
    let to = (from + MAX_BATCH).min(s.hard.log.len());
    let entries = s.hard.log[from..to].to_vec();
    ctx.send(
        peer,
        Msg::Append { term: s.hard.term, prev_index, prev_term, entries, commit: s.commit, seq: s.seq },
    );
}

pub(super) fn advance_commit<M: Machine>(raft: &Raft, s: &mut Server<M>, ctx: &mut Ctx<Group<M>>) {
    if s.role != Role::Leader {
        return;
    }
    let majority = s.majority();
    let mut n = s.last_index();
    while n > s.commit {
        let t = s.term_at(n).unwrap_or(0);
        if t != s.hard.term && !raft.is(Mutant::CommitOldTerm) {
            if t < s.hard.term {
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
    release_reads(raft, s, ctx);
    // A leader that removed itself steps down once the new configuration is committed.
    if s.role == Role::Leader && !s.is_member() && !s.config_change_pending() {
        let term = s.hard.term;
        become_follower(raft, s, term, None, ctx);
    }
}

pub(super) fn apply<M: Machine>(raft: &Raft, s: &mut Server<M>, ctx: &mut Ctx<Group<M>>) {
    while s.applied < s.commit {
        let i = s.applied + 1;
        let Some(entry) = s.entry(i).cloned() else { break };
        s.applied = i;
        if let Command::Kv { client, req, op } = &entry.cmd {
            let result = s.kv.apply(*client, *req, op, i, entry.term);
            if M::LEADER_REPLIES && s.role == Role::Leader {
                if !M::is_read(op) {
                    ctx.note(Note::Answered { server: s.id, client: *client, req: *req, index: result.1 });
                }
                let outcome = Outcome::Ok { result: result.0, index: result.1, term: result.2 };
                ctx.send(*client, Msg::Reply { req: *req, outcome });
            }
        }
    }
    if raft.snapshot_every > 0 && s.applied >= s.hard.snapshot.last_index.saturating_add(raft.snapshot_every)
    {
        compact(s);
    }
    serve_reads(s, ctx);
}

/// Take a snapshot of the applied state and drop the log up to it.
pub fn compact<M: Machine>(s: &mut Server<M>) {
    if s.applied <= s.hard.snapshot.last_index {
        return;
    }
    let config = s.config_at(s.applied);
    let last_term = s.term_at(s.applied).unwrap_or(0);
    let first = s.hard.snapshot.last_index + 1;
    let cut = (s.applied - s.hard.snapshot.last_index) as usize;
    s.hard.snapshot = Snapshot { last_index: s.applied, last_term, kv: s.kv.snapshot(), config };
    s.folded.keep(first, s.hard.log.drain(..cut));
}

pub(super) fn serve_reads<M: Machine>(s: &mut Server<M>, ctx: &mut Ctx<Group<M>>) {
    if s.role != Role::Leader || s.reads.is_empty() {
        return;
    }
    let applied = s.applied;
    let term = s.hard.term;
    let mut i = 0;
    while i < s.reads.len() {
        let r = &s.reads[i];
        if r.confirmed && applied >= r.read_index {
            let r = s.reads.remove(i);
            let result = s.kv.read(&r.op);
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

/// Once the leader has committed an entry of its term, the reads held until then take the
/// commit index as their read index, and are confirmed by the lease or by a heartbeat round.
fn release_reads<M: Machine>(raft: &Raft, s: &mut Server<M>, ctx: &mut Ctx<Group<M>>) {
    if s.role != Role::Leader || !s.committed_in_term() || !s.reads.iter().any(|r| r.is_held()) {
        return;
    }
    let lease = raft.read_mode == ReadMode::Lease && ctx.now() < s.lease_until;
    let (commit, seq) = (s.commit, s.seq + 1);
    for r in s.reads.iter_mut().filter(|r| r.is_held()) {
        (r.read_index, r.seq, r.confirmed) = (commit, seq, lease);
    }
    if !lease {
        broadcast(s, ctx);
        confirm_reads(s);
    }
    serve_reads(s, ctx);
}

pub(super) fn confirm_reads<M: Machine>(s: &mut Server<M>) {
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

pub(super) fn update_lease<M: Machine>(raft: &Raft, s: &mut Server<M>) {
    if s.lease_given_up {
        return;
    }
    // Each member's last acknowledged broadcast, latest first (inverted, sorted ascending), in
    // a buffer on the stack: this runs on every acknowledgement.
    let mut buffer = [(0u64, 0u32); MAX_SERVERS];
    let mut spill = Vec::new();
    let seqs: &mut [(u64, u32)] = if s.config.len() <= MAX_SERVERS {
        &mut buffer[..s.config.len()]
    } else {
        spill.resize(s.config.len(), (0, 0));
        &mut spill
    };
    for (slot, m) in seqs.iter_mut().zip(&s.config) {
        *slot = (!(if *m == s.id { s.seq } else { s.acked_seq[m.index()] }), 0);
    }
    crate::order::sort_keyed(seqs);
    let Some(&(inverted, _)) = seqs.get(s.majority() - 1) else { return };
    let seq = !inverted;
    // `sent_at` holds increasing sequence numbers, each once; the one wanted is recent.
    if let Some((_, sent)) = s.sent_at.iter().rfind(|(q, _)| *q == seq) {
        // The lease runs for most of the minimum election timeout after the acknowledged
        // broadcast was *sent*; it is only as safe as the clocks' agreement on that duration.
        let until = Time(sent.0 + raft.election_us.0 * 9 / 10);
        if until > s.lease_until {
            s.lease_until = until;
        }
    }
}
