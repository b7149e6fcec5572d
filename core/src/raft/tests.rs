//! Exact-effect tests of the server handlers, one per rule of the paper.

use alloc::vec;
use alloc::vec::Vec;

use super::server::{self, Role, Server};
use super::*;
use crate::protocol::{NodeId, Time};

pub(super) type Fx = crate::testing::Effects<Group<Kv>>;

pub(super) fn raft3() -> Raft {
    Raft { servers: 3, clients: 0, ..Raft::default() }
}

fn server(r: &Raft, fx: &mut Fx, me: u32, term: Term, log: &[Term]) -> Server {
    let mut s = server::init(r, &mut fx.ctx(me));
    s.hard.term = term;
    s.hard.log = log.iter().map(|&t| Entry { term: t, cmd: Command::Noop }).collect();
    fx.take();
    s
}

fn vote_req(term: Term, last_index: LogIndex, last_term: Term) -> Msg {
    Msg::RequestVote { term, last_index, last_term, pre: false, transfer: false }
}

/// §5.2: at most one vote per term, and a higher term makes the server adopt it.
#[test]
fn grants_one_vote_per_term() {
    let r = raft3();
    let mut fx = Fx::new();
    let mut s = server(&r, &mut fx, 0, 1, &[]);
    server::on_message(&r, &mut s, NodeId(1), vote_req(2, 0, 0), &mut fx.ctx(0));
    server::on_message(&r, &mut s, NodeId(2), vote_req(2, 0, 0), &mut fx.ctx(0));
    assert_eq!(
        fx.take(),
        vec![
            (NodeId(1), Msg::Vote { term: 2, granted: true, pre: false }),
            (NodeId(2), Msg::Vote { term: 2, granted: false, pre: false }),
        ]
    );
    assert_eq!((s.hard.term, s.hard.voted_for), (2, Some(NodeId(1))));
}

/// §5.4.1: a vote goes only to a candidate whose log is at least as up to date.
#[test]
fn refuses_candidates_with_stale_logs() {
    let r = raft3();
    let cases = [
        (vote_req(5, 3, 2), false), // lower last term
        (vote_req(5, 1, 3), false), // same last term, shorter
        (vote_req(5, 2, 3), true),  // same last term, same length
        (vote_req(5, 1, 4), true),  // higher last term, shorter
    ];
    for (req, want) in cases {
        let mut fx = Fx::new();
        let mut s = server(&r, &mut fx, 0, 3, &[1, 3]);
        server::on_message(&r, &mut s, NodeId(1), req.clone(), &mut fx.ctx(0));
        assert_eq!(fx.take(), vec![(NodeId(1), Msg::Vote { term: 5, granted: want, pre: false })], "{req:?}");
    }
    // The mutant skips the check.
    let bad = Raft { mutant: Some(Mutant::VoteWithoutLogCheck), ..raft3() };
    let mut fx = Fx::new();
    let mut s = server(&bad, &mut fx, 0, 3, &[1, 3]);
    server::on_message(&bad, &mut s, NodeId(1), vote_req(5, 3, 2), &mut fx.ctx(0));
    assert_eq!(fx.take(), vec![(NodeId(1), Msg::Vote { term: 5, granted: true, pre: false })]);
}

/// §5.3: the consistency check refuses with a conflict hint naming the term and its first index.
#[test]
fn append_entries_mismatch_returns_a_conflict_hint() {
    let r = raft3();
    let mut fx = Fx::new();
    let mut s = server(&r, &mut fx, 1, 3, &[1, 2, 2, 2]);
    let ae = Msg::Append { term: 3, prev_index: 4, prev_term: 3, entries: vec![], commit: 0, seq: 7 };
    server::on_message(&r, &mut s, NodeId(0), ae, &mut fx.ctx(1));
    let reply = Msg::AppendReply {
        term: 3,
        success: false,
        match_index: 0,
        conflict_index: 2,
        conflict_term: Some(2),
        seq: 7,
    };
    assert_eq!(fx.take(), vec![(NodeId(0), reply)]);
    // A log that ends too early says where it ends.
    let ae = Msg::Append { term: 3, prev_index: 9, prev_term: 3, entries: vec![], commit: 0, seq: 8 };
    server::on_message(&r, &mut s, NodeId(0), ae, &mut fx.ctx(1));
    let reply = Msg::AppendReply {
        term: 3,
        success: false,
        match_index: 0,
        conflict_index: 5,
        conflict_term: None,
        seq: 8,
    };
    assert_eq!(fx.take(), vec![(NodeId(0), reply)]);
}

/// §5.3: conflicting entries are replaced, matching ones kept, and commit follows the leader.
#[test]
fn append_entries_truncates_conflicts_and_advances_commit() {
    let r = raft3();
    let mut fx = Fx::new();
    let mut s = server(&r, &mut fx, 1, 3, &[1, 2, 2]);
    let e = |t| Entry { term: t, cmd: Command::Noop };
    let ae =
        Msg::Append { term: 3, prev_index: 1, prev_term: 1, entries: vec![e(3), e(3)], commit: 2, seq: 1 };
    server::on_message(&r, &mut s, NodeId(0), ae, &mut fx.ctx(1));
    assert_eq!(s.hard.log.iter().map(|e| e.term).collect::<Vec<_>>(), vec![1, 3, 3]);
    assert_eq!(s.commit, 2);
    let reply = Msg::AppendReply {
        term: 3,
        success: true,
        match_index: 3,
        conflict_index: 0,
        conflict_term: None,
        seq: 1,
    };
    assert_eq!(fx.take(), vec![(NodeId(0), reply)]);
    // A stale, shorter copy of the same AppendEntries must not truncate anything.
    let old = Msg::Append { term: 3, prev_index: 1, prev_term: 1, entries: vec![e(3)], commit: 2, seq: 1 };
    server::on_message(&r, &mut s, NodeId(0), old, &mut fx.ctx(1));
    assert_eq!(s.last_index(), 3);
}

/// §5.4.2: a leader commits only entries of its own term by counting replicas.
#[test]
fn leader_commits_only_current_term_entries_by_counting() {
    for (mutant, want_commit) in [(None, 0), (Some(Mutant::CommitOldTerm), 2)] {
        let r = Raft { mutant, ..raft3() };
        let mut fx = Fx::new();
        let mut s = server(&r, &mut fx, 0, 3, &[1, 2]);
        // Win an election in term 4.
        server::on_timer(&r, &mut s, Timer::Election, &mut fx.ctx(0));
        server::on_message(
            &r,
            &mut s,
            NodeId(1),
            Msg::Vote { term: 4, granted: true, pre: false },
            &mut fx.ctx(0),
        );
        assert_eq!(s.role, Role::Leader);
        fx.take();
        // A follower confirms it holds entry 2 (term 2) but not the new term's entry.
        let ack = Msg::AppendReply {
            term: 4,
            success: true,
            match_index: 2,
            conflict_index: 0,
            conflict_term: None,
            seq: 1,
        };
        server::on_message(&r, &mut s, NodeId(1), ack, &mut fx.ctx(0));
        assert_eq!(s.commit, want_commit, "mutant {mutant:?}");
    }
}

/// Persistence: term, vote and log survive a restart; commit and leadership do not.
#[test]
fn restart_keeps_term_vote_and_log_only() {
    let r = raft3();
    let mut fx = Fx::new();
    let mut s = server(&r, &mut fx, 0, 3, &[1, 2]);
    s.hard.voted_for = Some(NodeId(2));
    s.commit = 2;
    s.applied = 2;
    s.role = Role::Leader;
    let back = server::restart(&r, s.hard.clone(), &mut fx.ctx(0));
    assert_eq!((back.hard.term, back.hard.voted_for, back.hard.log.len()), (3, Some(NodeId(2)), 2));
    assert_eq!((back.commit, back.applied, back.role), (0, 0, Role::Follower));
    let forget = Raft { mutant: Some(Mutant::ForgetTermAndVote), ..raft3() };
    let back = server::restart(&forget, s.hard.clone(), &mut fx.ctx(0));
    assert_eq!((back.hard.term, back.hard.voted_for), (0, None));
}

/// Clients: a retried write is applied once.
#[test]
fn retried_request_is_applied_once() {
    let mut kv = Kv::default();
    let op = KvOp::Cas("x".into(), None, 5);
    let first = kv.apply(NodeId(9), 1, &op, 3, 1);
    let again = kv.apply(NodeId(9), 1, &op, 4, 1);
    assert_eq!(first, (KvResult::Cas { swapped: true, found: None }, 3, 1));
    assert_eq!(again, first, "the retry gets the first result, not a failed cas");
}

#[test]
fn user_commands_parse_with_clear_errors() {
    assert_eq!(parse_op("put x 5"), Ok(ClientOp::Kv(KvOp::Put("x".into(), 5))));
    assert_eq!(parse_op("cas x - 7"), Ok(ClientOp::Kv(KvOp::Cas("x".into(), None, 7))));
    assert_eq!(parse_op("add S4"), Ok(ClientOp::AddServer(NodeId(3))));
    assert!(parse_op("put this_key_is_far_too_long 1").unwrap_err().contains("key"));
    assert!(parse_op("put x -1").unwrap_err().contains("value"));
    assert!(parse_op("add S10").unwrap_err().contains("S1 to S9"));
    assert!(parse_op("frobnicate").unwrap_err().contains("commands"));
}

/// Win an election in the next term on a three-server cluster: the leader's no-op is appended
/// but not yet committed.
pub(super) fn elected(r: &Raft, fx: &mut Fx, log: &[Term]) -> Server {
    let mut s = server(r, fx, 0, 3, log);
    server::on_timer(r, &mut s, Timer::Election, &mut fx.ctx(0));
    server::on_message(
        r,
        &mut s,
        NodeId(1),
        Msg::Vote { term: 4, granted: true, pre: false },
        &mut fx.ctx(0),
    );
    assert_eq!(s.role, Role::Leader);
    fx.take();
    s
}

/// A follower's success in term 4 holding the leader's log up to its no-op (index 3), in
/// answer to broadcast `seq`.
pub(super) fn term4_ack(seq: u64) -> Msg {
    Msg::AppendReply { term: 4, success: true, match_index: 3, conflict_index: 0, conflict_term: None, seq }
}

/// A reply to an AppendEntries from an older term acknowledges nothing: its sequence number
/// belongs to another leader (or to this leader before a restart, when numbering began again),
/// so a ReadIndex round must not count it.
#[test]
fn a_reply_to_an_old_term_append_carries_no_sequence_number() {
    let r = raft3();
    let mut fx = Fx::new();
    let mut s = server(&r, &mut fx, 1, 5, &[1]);
    let old = Msg::Append { term: 4, prev_index: 1, prev_term: 1, entries: vec![], commit: 0, seq: 40 };
    server::on_message(&r, &mut s, NodeId(0), old, &mut fx.ctx(1));
    let reply = Msg::AppendReply {
        term: 5,
        success: false,
        match_index: 0,
        conflict_index: 0,
        conflict_term: None,
        seq: 0,
    };
    assert_eq!(fx.take(), vec![(NodeId(0), reply)]);
}

/// Thesis §6.4: a new leader serves a ReadIndex read only once it has committed an entry of
/// its term (before, its commit index may be behind its predecessor's). A read that comes
/// sooner waits for that, and never enters the log; then it is confirmed by a heartbeat round.
/// Before, such a read was appended to the log like a write.
#[test]
fn a_read_before_the_leaders_first_commit_waits_for_it_and_stays_out_of_the_log() {
    let r = Raft { read_mode: ReadMode::ReadIndex, clients: 1, ..raft3() };
    let mut fx = Fx::new();
    let mut s = elected(&r, &mut fx, &[1, 2]);
    let (client, log) = (NodeId(3), s.last_index());
    let get = Msg::Request { req: 1, op: KvOp::Get("x".into()) };
    server::on_message(&r, &mut s, client, get, &mut fx.ctx(0));
    assert_eq!((s.last_index(), s.reads.len()), (log, 1), "held, not logged");
    assert!(fx.take().is_empty(), "nothing sent for it yet");
    // The no-op commits: the read takes the commit index and a heartbeat round goes out.
    server::on_message(&r, &mut s, NodeId(1), term4_ack(1), &mut fx.ctx(0));
    assert_eq!((s.commit, s.reads[0].read_index), (3, 3));
    let seq = s.reads[0].seq;
    assert!(fx.take().iter().any(|(_, m)| matches!(m, Msg::Append { seq: q, .. } if *q == seq)));
    server::on_message(&r, &mut s, NodeId(2), term4_ack(seq), &mut fx.ctx(0));
    assert!(s.reads.is_empty());
    assert!(fx.take().iter().any(|(to, m)| *to == client && matches!(m, Msg::Reply { req: 1, .. })));
    assert_eq!(s.last_index(), log, "the read never entered the log");
}

/// Thesis §6.4 on a leader that restarted: the numbering of its broadcasts began again at 0,
/// so a late reply to a broadcast of its previous life must not confirm a read of this one.
#[test]
fn read_index_is_not_confirmed_by_a_reply_from_an_earlier_life() {
    let r = Raft { read_mode: ReadMode::ReadIndex, clients: 1, ..raft3() };
    let mut fx = Fx::new();
    let mut s = elected(&r, &mut fx, &[1, 2]);
    // Commit the no-op, so reads are served by ReadIndex.
    server::on_message(&r, &mut s, NodeId(1), term4_ack(1), &mut fx.ctx(0));
    assert_eq!(s.commit, 3);
    fx.take();
    let client = NodeId(3);
    server::on_message(
        &r,
        &mut s,
        client,
        Msg::Request { req: 1, op: KvOp::Get("x".into()) },
        &mut fx.ctx(0),
    );
    assert_eq!(s.reads.len(), 1, "the read waits for a heartbeat round");
    let seq = s.reads[0].seq;
    fx.take();
    // S3 answers an AppendEntries of term 3 (this server's previous life) in term 4, with a
    // sequence number far beyond this life's.
    let stale =
        Msg::Append { term: 3, prev_index: 1, prev_term: 1, entries: vec![], commit: 0, seq: seq + 50 };
    let mut f = server(&r, &mut fx, 2, 4, &[1, 2]);
    server::on_message(&r, &mut f, NodeId(0), stale, &mut fx.ctx(2));
    let replies = fx.take();
    assert_eq!(replies.len(), 1);
    server::on_message(&r, &mut s, NodeId(2), replies[0].1.clone(), &mut fx.ctx(0));
    assert!(
        s.reads.first().is_some_and(|r| !r.confirmed),
        "a reply to an old-term broadcast confirmed a read"
    );
    assert!(fx.take().iter().all(|(to, _)| *to != client), "no answer to the client yet");
}

/// Thesis §6.4: a lease holds only if no voter helps elect another leader before it expires.
/// A voter that restarts cannot remember whose heartbeat it acknowledged, so with lease reads
/// it grants no vote for a minimum election timeout after it comes back.
#[test]
fn with_leases_a_restarted_server_waits_before_voting() {
    for (read_mode, check_quorum, held) in [(ReadMode::Lease, true, true), (ReadMode::ReadIndex, true, false)]
    {
        let r = Raft { read_mode, check_quorum, ..raft3() };
        let mut fx = Fx::new();
        let s = server(&r, &mut fx, 1, 3, &[1]);
        let mut back = server::restart(&r, s.hard.clone(), &mut fx.ctx(1));
        fx.take();
        server::on_message(&r, &mut back, NodeId(2), vote_req(4, 1, 1), &mut fx.ctx(1));
        let granted = fx.take().iter().any(|(_, m)| matches!(m, Msg::Vote { granted: true, .. }));
        assert_eq!(granted, !held, "{read_mode:?}");
        assert_eq!(
            back.hard.term,
            if held { 3 } else { 4 },
            "{read_mode:?}: a held vote does not adopt the term"
        );
        // Nor does it vote for itself: an election timeout inside the hold (a scenario's short
        // restart timeout) starts no campaign.
        let mut back = server::restart(&r, s.hard.clone(), &mut fx.ctx(1));
        fx.now = Time(fx.now.0 + 10_000);
        server::on_timer(&r, &mut back, Timer::Election, &mut fx.ctx(1));
        assert_eq!(back.hard.term == 3, held, "{read_mode:?}: campaigned at term {}", back.hard.term);
    }
}

/// Thesis §4.2.3, on which §6.4's leases rest: a server that heard from a current leader within
/// the minimum election timeout neither adopts a RequestVote's term nor grants its vote, even
/// if something else moved it to a new term and it no longer knows who leads (here a late
/// reply from a higher term). It granted the vote at its own new term, and a lease-holding
/// leader's stale read became possible with perfect clocks (red-team finding).
#[test]
fn a_server_that_heard_a_leader_lately_votes_for_no_one_even_after_a_term_bump() {
    let r = Raft { read_mode: ReadMode::Lease, check_quorum: true, ..raft3() };
    let mut fx = Fx::new();
    let mut s = server(&r, &mut fx, 1, 3, &[1]);
    let heartbeat = Msg::Append { term: 3, prev_index: 1, prev_term: 1, entries: vec![], commit: 0, seq: 1 };
    server::on_message(&r, &mut s, NodeId(0), heartbeat, &mut fx.ctx(1));
    server::on_message(
        &r,
        &mut s,
        NodeId(2),
        Msg::Vote { term: 4, granted: false, pre: false },
        &mut fx.ctx(1),
    );
    assert_eq!((s.hard.term, s.leader), (4, None));
    fx.take();
    for term in [4, 5] {
        server::on_message(&r, &mut s, NodeId(2), vote_req(term, 1, 1), &mut fx.ctx(1));
        let granted = fx.take().iter().any(|(_, m)| matches!(m, Msg::Vote { granted: true, .. }));
        assert!(!granted, "a vote at term {term} within the leader's lease");
    }
    assert_eq!((s.hard.term, s.hard.voted_for), (4, None));
    // A minimum election timeout after the leader last spoke, it votes again.
    fx.now = Time(fx.now.0 + r.election_us.0);
    server::on_message(&r, &mut s, NodeId(2), vote_req(5, 1, 1), &mut fx.ctx(1));
    let granted = fx.take().iter().any(|(_, m)| matches!(m, Msg::Vote { granted: true, .. }));
    assert!(granted);
}

/// §3.10 with leases: TimeoutNow lets its target be elected past the voters' lease, so the
/// leader that sends it stops trusting its lease for the rest of its term.
#[test]
fn a_leader_that_transfers_leadership_gives_up_its_lease() {
    let r = Raft { read_mode: ReadMode::Lease, check_quorum: true, ..raft3() };
    let mut fx = Fx::new();
    let mut s = elected(&r, &mut fx, &[1, 2]);
    server::on_message(&r, &mut s, NodeId(1), term4_ack(1), &mut fx.ctx(0));
    assert!(s.lease_until > Time::from_ms(1000), "a majority acknowledged: the lease runs");
    fx.take();
    server::on_admin(&r, &mut s, ClientOp::TransferLeadership(Some(NodeId(1))), &mut fx.ctx(0));
    assert!(fx.take().iter().any(|(to, m)| *to == NodeId(1) && matches!(m, Msg::TimeoutNow { .. })));
    assert_eq!(s.lease_until, Time::ZERO);
    server::on_message(&r, &mut s, NodeId(2), term4_ack(2), &mut fx.ctx(0));
    assert_eq!(s.lease_until, Time::ZERO, "later acknowledgements do not renew it");
}

/// A client's write of `key` as an entry of `term`, for the checker's hand-built logs.
fn put(term: Term, key: &str) -> Entry {
    Entry { term, cmd: Command::Kv { client: NodeId(3), req: 1, op: KvOp::Put(key.into(), 1) } }
}

/// The checker's own failures, on hand-built states: Log Matching and State Machine Safety,
/// each on its own (in the swarm the checks before them may fire at the same step).
#[test]
fn the_checker_catches_log_matching_and_state_machine_safety_on_their_own() {
    use super::check::{check, Monitor};
    let r = raft3();
    let mut fx = Fx::new();
    let entry = put;
    // Same index and term, different entries: Log Matching.
    let mut a = server(&r, &mut fx, 0, 2, &[]);
    a.hard.log = vec![entry(1, "x")];
    let mut b = server(&r, &mut fx, 1, 2, &[]);
    b.hard.log = vec![entry(1, "y")];
    let nodes = vec![Node::Server(a.clone()), Node::Server(b.clone())];
    let mut m = Monitor::default();
    assert_eq!(check(&r, &mut m, &nodes, Some(NodeId(0)), &[]), Ok(()));
    let e = check(&r, &mut m, &nodes, Some(NodeId(1)), &[]).unwrap_err();
    assert_eq!(e.0, "log-matching", "{e:?}");
    // Different entries committed at one index (in different terms): State Machine Safety.
    a.hard.log = vec![entry(1, "x")];
    a.commit = 1;
    b.hard.log = vec![entry(2, "y")];
    b.commit = 1;
    let nodes = vec![Node::Server(a), Node::Server(b)];
    let mut m = Monitor::default();
    assert_eq!(check(&r, &mut m, &nodes, Some(NodeId(0)), &[]), Ok(()));
    let e = check(&r, &mut m, &nodes, Some(NodeId(1)), &[]).unwrap_err();
    assert_eq!(e.0, "state-machine-safety", "{e:?}");
}

/// A follower that replaces a conflicting entry and keeps the ones after it changes its log in
/// the middle under an unchanged last entry: the checker looks at its log again there (the
/// `keep-conflicting-suffix` mutant; before, the checker compared a log from its end and saw
/// nothing new).
#[test]
fn the_checker_sees_a_log_rewritten_under_an_unchanged_last_entry() {
    use super::check::{check, Monitor};
    let r = raft3();
    let mut fx = Fx::new();
    let entry = put;
    let (x, y, z) = (entry(1, "x"), entry(2, "y"), entry(2, "z"));
    let mut a = server(&r, &mut fx, 0, 3, &[]);
    a.hard.log = vec![x.clone(), y.clone(), z.clone()];
    let b = server(&r, &mut fx, 1, 3, &[]);
    let mut nodes = vec![Node::Server(a.clone()), Node::Server(b)];
    let mut m = Monitor::default();
    assert_eq!(check(&r, &mut m, &nodes, Some(NodeId(0)), &[]), Ok(()));
    // Index 2 now holds a term-3 entry, and (3, term 2) still follows it.
    a.hard.log = vec![x, entry(3, "w"), z];
    nodes[0] = Node::Server(a);
    let e = check(&r, &mut m, &nodes, Some(NodeId(0)), &[]).unwrap_err();
    assert_eq!(e.0, "log-matching", "{e:?}");
}

/// A follower catching up may append entries, commit, apply and fold them into its snapshot
/// in one event, so the checker never sees them in its log. It must still compare them with
/// the committed ones: here a follower takes a different entry at index 1 (a no-op of another
/// term, which leaves the same state machine and the same snapshot term at its end).
#[test]
fn the_checker_compares_entries_a_follower_folds_away_in_the_event_it_gets_them() {
    use super::check::{check, Monitor};
    let r = Raft { snapshot_every: 2, ..raft3() };
    let mut fx = Fx::new();
    let mut a = server(&r, &mut fx, 0, 1, &[1, 1]);
    a.commit = 2;
    let mut b = server(&r, &mut fx, 1, 2, &[]);
    let e = |t| Entry { term: t, cmd: Command::Noop };
    let ae =
        Msg::Append { term: 2, prev_index: 0, prev_term: 0, entries: vec![e(2), e(1)], commit: 2, seq: 1 };
    server::on_message(&r, &mut b, NodeId(0), ae, &mut fx.ctx(1));
    assert_eq!((b.applied, b.hard.snapshot.last_index, b.hard.log.len()), (2, 2, 0));
    let nodes = vec![Node::Server(a), Node::Server(b)];
    let mut m = Monitor::default();
    assert_eq!(check(&r, &mut m, &nodes, Some(NodeId(0)), &[]), Ok(()));
    let e = check(&r, &mut m, &nodes, Some(NodeId(1)), &[]).unwrap_err();
    assert_eq!(e.0, "state-machine-safety", "{e:?}");
    assert!(e.1.contains("index 1"), "{e:?}");
}

/// Persistence is a type: a restart sees only the hard state (Figure 2's persistent state and
/// the snapshot), and a client only its next request number. Every node of a busy run,
/// restarted, equals a freshly started node given the same hard state and restarted, with the
/// same timers, and keeps that hard state whole. Under forget-term-and-vote a server's restart
/// differs from the correct one exactly in the term and the vote.
#[test]
fn a_restart_is_built_from_the_hard_state_alone() {
    use crate::kv::client;
    use crate::testing::restart;
    let r = Raft { servers: 3, clients: 1, ..Raft::default() };
    let mut sim = crate::sim::Sim::new(r.clone(), crate::net::FaultPreset::None.config(), 1);
    while sim.events() < 3_000 && sim.step() {}
    let forget = Raft { mutant: Some(Mutant::ForgetTermAndVote), ..r.clone() };
    let mut leaders = 0;
    for (i, busy) in sim.nodes().iter().enumerate() {
        let me = NodeId(i as u32);
        let bare = match busy {
            Node::Server(s) => {
                leaders += usize::from(s.role == Role::Leader);
                assert!(s.hard.term > 0 && s.commit > 0, "a busy server: {s:?}");
                Node::Server(Server { hard: s.hard.clone(), ..server::init(&r, &mut Fx::new().ctx(me)) })
            }
            Node::Client(c) => {
                assert!(c.hard.next_req > 1 && c.completed > 0, "a busy client: {c:?}");
                Node::Client(Client {
                    hard: c.hard.clone(),
                    ..client::init(&r, &mut crate::testing::Effects::<Raft>::new().ctx(me))
                })
            }
        };
        assert_ne!(&bare, busy, "the busy node has volatile state to lose");
        let back = restart(&r, me, busy);
        assert_eq!(back, restart(&r, me, &bare), "{me}");
        assert_eq!(Raft::durable(&back.0), Raft::durable(busy), "{me} keeps its hard state whole");
        if let Node::Server(kept) = &back.0 {
            let mut want = kept.clone();
            want.hard.term = 0;
            want.hard.voted_for = None;
            assert_eq!(restart(&forget, me, busy), (Node::Server(want), back.1, back.2), "{me}");
        }
    }
    assert_eq!(leaders, 1);
}

/// Figure 2: commitIndex and lastApplied only grow, but for a restart. A server that falls
/// back without one (a stale snapshot installed over later commits) is caught; one freshly
/// restarted, at its snapshot's index, is not.
#[test]
fn the_checker_catches_a_commit_index_that_falls_without_a_restart() {
    use super::check::{check, Monitor};
    let r = raft3();
    let mut fx = Fx::new();
    let mut s = server(&r, &mut fx, 0, 2, &[1, 1, 2]);
    (s.commit, s.applied, s.leader, s.last_leader_contact) = (3, 3, Some(NodeId(0)), Some(Time::ZERO));
    let mut m = Monitor::default();
    assert_eq!(check(&r, &mut m, &[Node::Server(s.clone())], Some(NodeId(0)), &[]), Ok(()));
    let mut fell = s.clone();
    fell.commit = 1;
    let e = check(&r, &mut m.clone(), &[Node::Server(fell)], Some(NodeId(0)), &[]).unwrap_err();
    assert_eq!(e.0, "state-machine-safety", "{e:?}");
    assert!(e.1.contains("commit index fell from 3 to 1 without a restart"), "{e:?}");
    let restarted = server::restart(&r, s.hard.clone(), &mut fx.ctx(0));
    assert_eq!(restarted.commit, 0);
    assert_eq!(check(&r, &mut m, &[Node::Server(restarted)], Some(NodeId(0)), &[]), Ok(()));
}

/// Commitment as the paper defines it (a majority stored the leader's entry in its term), not
/// only as commit indices have learned it: a leader elected without an entry its predecessor
/// had on a majority breaks Leader Completeness at its election, though no server had yet
/// counted the entry committed (red-team finding: it showed later as another property, or
/// never if the new leader crashed first). And a write acknowledged at an index no server has
/// committed is named at once.
#[test]
fn the_checker_judges_commitment_by_what_a_majority_stored() {
    use super::check::{check, Monitor};
    let r = raft3();
    let mut fx = Fx::new();
    let put = Entry { term: 1, cmd: Command::Kv { client: NodeId(3), req: 1, op: KvOp::Put("x".into(), 1) } };
    // S0 leads term 1 with its no-op committed and a write after it; S1 stores the write.
    let mut s0 = server(&r, &mut fx, 0, 1, &[1]);
    s0.role = Role::Leader;
    s0.hard.log.push(put.clone());
    s0.commit = 1;
    let mut s1 = server(&r, &mut fx, 1, 1, &[1]);
    s1.hard.log.push(put);
    s1.commit = 1;
    // S2 never got the write, and is elected in term 2 (as a vote without the log check would).
    let mut s2 = server(&r, &mut fx, 2, 2, &[1]);
    s2.role = Role::Leader;
    s2.commit = 1;
    let nodes = vec![Node::Server(s0), Node::Server(s1), Node::Server(s2)];
    let mut m = Monitor::default();
    let elected = |node, term| Note::Elected { node: NodeId(node), term };
    assert_eq!(check(&r, &mut m, &nodes, Some(NodeId(0)), &[elected(0, 1)]), Ok(()));
    assert_eq!(check(&r, &mut m, &nodes, Some(NodeId(1)), &[]), Ok(()));
    let e = check(&r, &mut m, &nodes, Some(NodeId(2)), &[elected(2, 2)]).unwrap_err();
    assert_eq!(e.0, "leader-completeness", "{e:?}");
    assert!(e.1.contains("without entry 2 (term 1), which a majority had stored in term 1"), "{e:?}");

    // The write's answer reaches its client before any server has counted index 2 committed.
    let mut m = Monitor::default();
    let ack = Note::Ack {
        client: NodeId(3),
        req: 1,
        op: KvOp::Put("x".into(), 1),
        result: crate::kv::KvResult::Done,
        index: 2,
        term: 1,
    };
    assert_eq!(check(&r, &mut m, &nodes, Some(NodeId(0)), &[elected(0, 1)]), Ok(()));
    let e = check(
        &r,
        &mut m,
        &nodes,
        Some(NodeId(3)),
        &[Note::Invoke { client: NodeId(3), req: 1, op: KvOp::Put("x".into(), 1) }, ack],
    )
    .unwrap_err();
    assert_eq!(e.0, "acked-write-durable", "{e:?}");
    assert!(e.1.contains("which no server had committed"), "{e:?}");
}
