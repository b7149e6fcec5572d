//! Exact-effect tests of the three roles' handlers, and the checker on hand-made states.

use super::*;
use crate::protocol::TimerEffect;
use alloc::vec;

/// Paxos's handlers run at time zero.
type Fx = crate::testing::Effects<Paxos>;

fn fx() -> Fx {
    Fx::at(Time::ZERO)
}

fn b(round: u64, node: u32) -> Ballot {
    Ballot { round, node }
}

#[test]
fn client_value_starts_phase_one_to_every_acceptor() {
    let px = Paxos::default();
    let mut fx = fx();
    let mut n = px.init(&mut fx.ctx(1));
    px.on_client(&mut n, Propose(20), &mut fx.ctx(1));
    let want: Vec<(NodeId, Msg)> = (0..3).map(|a| (NodeId(a), Msg::Prepare { ballot: b(1, 1) })).collect();
    assert_eq!(fx.sends, want);
    assert!(matches!(fx.timers.as_slice(), [TimerEffect::Set(Timer::Retry, _)]));
}

#[test]
fn acceptor_promises_higher_and_nacks_lower() {
    let px = Paxos::default();
    let mut fx = fx();
    let mut n = px.init(&mut fx.ctx(0));
    px.on_message(&mut n, NodeId(2), Msg::Prepare { ballot: b(2, 2) }, &mut fx.ctx(0));
    px.on_message(&mut n, NodeId(1), Msg::Prepare { ballot: b(1, 1) }, &mut fx.ctx(0));
    assert_eq!(
        fx.sends,
        vec![
            (NodeId(2), Msg::Promise { ballot: b(2, 2), accepted: None }),
            (NodeId(1), Msg::Nack { ballot: b(1, 1), promised: b(2, 2) }),
        ]
    );
    assert_eq!(n.acceptor.as_ref().map(|a| a.promised), Some(b(2, 2)));
}

#[test]
fn acceptor_accepts_and_tells_proposer_and_learners() {
    let px = Paxos::default();
    let mut fx = fx();
    let mut n = px.init(&mut fx.ctx(0));
    px.on_message(&mut n, NodeId(1), Msg::Accept { ballot: b(1, 1), value: 20 }, &mut fx.ctx(0));
    let acc = Msg::Accepted { ballot: b(1, 1), value: 20 };
    assert_eq!(fx.sends, vec![(NodeId(1), acc.clone()), (NodeId(0), acc.clone()), (NodeId(2), acc)]);
}

#[test]
fn accept_below_promise_is_refused_unless_mutant() {
    for (mutant, accepts) in [(None, false), (Some(Mutant::AcceptBelowPromise), true)] {
        let px = Paxos { mutant, ..Paxos::default() };
        let mut fx = fx();
        let mut n = px.init(&mut fx.ctx(0));
        px.on_message(&mut n, NodeId(2), Msg::Prepare { ballot: b(3, 2) }, &mut fx.ctx(0));
        px.on_message(&mut n, NodeId(1), Msg::Accept { ballot: b(1, 1), value: 20 }, &mut fx.ctx(0));
        assert_eq!(n.acceptor.unwrap().accepted.is_some(), accepts, "mutant {mutant:?}");
    }
}

#[test]
fn proposer_adopts_highest_accepted_value_from_promises() {
    let px = Paxos::default();
    let mut fx = fx();
    let mut n = px.init(&mut fx.ctx(0));
    px.on_client(&mut n, Propose(10), &mut fx.ctx(0));
    fx.sends.clear();
    let bal = b(1, 0);
    px.on_message(
        &mut n,
        NodeId(1),
        Msg::Promise { ballot: bal, accepted: Some((b(0, 2), 30)) },
        &mut fx.ctx(0),
    );
    assert!(fx.sends.is_empty(), "one promise is not a majority");
    px.on_message(&mut n, NodeId(2), Msg::Promise { ballot: bal, accepted: None }, &mut fx.ctx(0));
    let want: Vec<(NodeId, Msg)> =
        (0..3).map(|a| (NodeId(a), Msg::Accept { ballot: bal, value: 30 })).collect();
    assert_eq!(fx.sends, want);
}

#[test]
fn restart_keeps_acceptor_state_unless_forget_mutant() {
    for (mutant, kept) in [(None, true), (Some(Mutant::ForgetPromise), false)] {
        let px = Paxos { mutant, ..Paxos::default() };
        let mut fx = fx();
        let mut n = px.init(&mut fx.ctx(0));
        px.on_message(&mut n, NodeId(1), Msg::Accept { ballot: b(1, 1), value: 20 }, &mut fx.ctx(0));
        let back = px.on_restart(Paxos::durable(&n), &mut fx.ctx(0));
        assert_eq!(back.acceptor.unwrap().accepted.is_some(), kept);
        assert_eq!(back.learner.unwrap().learned, None, "learned values are volatile");
    }
}

/// "Paxos Made Simple" §2.5: a proposer keeps the highest round it tried in stable storage,
/// so that after a crash it never reuses a ballot, even when no acceptor (itself included)
/// heard its Prepare and so no promise remembers that round.
#[test]
fn a_restarted_proposer_never_reuses_a_ballot() {
    let px = Paxos::default();
    let mut fx = fx();
    let mut n = px.init(&mut fx.ctx(1));
    px.on_client(&mut n, Propose(20), &mut fx.ctx(1));
    assert_eq!(fx.sends[0], (NodeId(0), Msg::Prepare { ballot: b(1, 1) }));
    fx.sends.clear();
    let mut back = px.on_restart(Paxos::durable(&n), &mut fx.ctx(1));
    assert_eq!(back.acceptor.as_ref().map(|a| a.promised), Some(Ballot::default()), "no promise");
    px.on_timer(&mut back, Timer::Retry, &mut fx.ctx(1));
    let want: Vec<(NodeId, Msg)> = (0..3).map(|a| (NodeId(a), Msg::Prepare { ballot: b(2, 1) })).collect();
    assert_eq!(fx.sends, want);
}

/// A ballot carries one value; votes for two values in one ballot are not pooled into a
/// majority for either, they are a violation at once.
#[test]
fn checker_flags_two_values_in_one_ballot() {
    let px = Paxos::default();
    let mut m = Monitor::default();
    let mut nodes: Vec<Node> = (0..3).map(|i| px.fresh(NodeId(i))).collect();
    px.check(&mut m, &nodes, None, Some(&Propose(10)), &[]).unwrap();
    px.check(&mut m, &nodes, None, Some(&Propose(20)), &[]).unwrap();
    nodes[0].acceptor.as_mut().unwrap().accepted = Some((b(1, 1), 10));
    assert!(px.check(&mut m, &nodes, Some(NodeId(0)), None, &[]).is_ok());
    nodes[1].acceptor.as_mut().unwrap().accepted = Some((b(1, 1), 20));
    let err = px.check(&mut m, &nodes, Some(NodeId(1)), None, &[]).unwrap_err();
    assert_eq!(err.0, "agreement", "{err:?}");
}

#[test]
fn checker_flags_two_chosen_values() {
    let px = Paxos::default();
    let mut m = Monitor::default();
    let mut nodes: Vec<Node> = (0..3).map(|i| px.fresh(NodeId(i))).collect();
    px.check(&mut m, &nodes, None, Some(&Propose(10)), &[]).unwrap();
    px.check(&mut m, &nodes, None, Some(&Propose(20)), &[]).unwrap();
    let mut accept = |nodes: &mut Vec<Node>, i: usize, bal: Ballot, v: Value| {
        nodes[i].acceptor.as_mut().unwrap().accepted = Some((bal, v));
        px.check(&mut m, nodes, Some(NodeId(i as u32)), None, &[])
    };
    assert!(accept(&mut nodes, 0, b(1, 0), 10).is_ok());
    assert!(accept(&mut nodes, 1, b(1, 0), 10).is_ok());
    assert!(accept(&mut nodes, 1, b(2, 1), 20).is_ok());
    let err = accept(&mut nodes, 2, b(2, 1), 20).unwrap_err();
    assert_eq!(err.0, "agreement");
}

/// A proposer that takes its value as decided before a majority accepted it (a broken count)
/// shows a value as chosen that is not, and stops retrying: learned-chosen names it (red-team
/// finding: no property looked at the proposer's own decision).
#[test]
fn checker_flags_a_proposer_decided_without_a_majority() {
    let px = Paxos::default();
    let mut m = Monitor::default();
    let mut nodes: Vec<Node> = (0..3).map(|i| px.fresh(NodeId(i))).collect();
    px.check(&mut m, &nodes, None, Some(&Propose(10)), &[]).unwrap();
    nodes[1].acceptor.as_mut().unwrap().accepted = Some((b(1, 0), 10));
    px.check(&mut m, &nodes, Some(NodeId(1)), None, &[]).unwrap();
    let p = nodes[0].proposer.as_mut().unwrap();
    (p.ballot, p.proposal, p.phase) = (b(1, 0), Some(10), Phase::Decided);
    let err = px.check(&mut m, &nodes, Some(NodeId(0)), None, &[]).unwrap_err();
    assert_eq!(err.0, "learned-chosen", "{err:?}");
    assert!(err.1.contains("took 10 as decided at ballot"), "{err:?}");
    // Once a second acceptor has it, the decision is the truth.
    nodes[2].acceptor.as_mut().unwrap().accepted = Some((b(1, 0), 10));
    px.check(&mut m, &nodes, Some(NodeId(2)), None, &[]).unwrap();
    assert_eq!(px.check(&mut m, &nodes, Some(NodeId(0)), None, &[]), Ok(()));
}

/// Persistence is a type: a restart sees only what survived (§2.5). A node in the middle of
/// both phases (its proposer accepting, its acceptor voting, its learner counting), restarted,
/// equals a fresh node given the same proposer round and value and acceptor state and
/// restarted, with the same retry timer, and keeps its durable part whole. Under
/// forget-promise the restart differs exactly in the acceptor's state.
#[test]
fn a_restart_is_built_from_the_durable_part_alone() {
    use crate::testing::restart;
    let px = Paxos::default();
    let mut fx = fx();
    let mut busy = px.init(&mut fx.ctx(0));
    let bal = b(1, 0);
    px.on_client(&mut busy, Propose(20), &mut fx.ctx(0));
    px.on_message(&mut busy, NodeId(0), Msg::Prepare { ballot: bal }, &mut fx.ctx(0));
    for from in [0, 1] {
        px.on_message(&mut busy, NodeId(from), Msg::Promise { ballot: bal, accepted: None }, &mut fx.ctx(0));
    }
    px.on_message(&mut busy, NodeId(0), Msg::Accept { ballot: bal, value: 20 }, &mut fx.ctx(0));
    px.on_message(&mut busy, NodeId(1), Msg::Accepted { ballot: bal, value: 20 }, &mut fx.ctx(0));
    assert_eq!(busy.proposer.as_ref().map(|p| p.phase), Some(Phase::Accepting));
    assert!(busy.learner.as_ref().is_some_and(|l| !l.votes.is_empty()));
    let mut bare = px.fresh(NodeId(0));
    bare.proposer.as_mut().unwrap().hard = busy.proposer.as_ref().unwrap().hard.clone();
    bare.acceptor.clone_from(&busy.acceptor);
    assert_ne!(bare, busy, "the busy node has volatile state to lose");
    let back = restart(&px, 0, &busy);
    assert_eq!(back, restart(&px, 0, &bare));
    assert!(matches!(back.2.as_slice(), [TimerEffect::Set(Timer::Retry, _)]), "it tries again");
    assert_eq!(Paxos::durable(&back.0), Paxos::durable(&busy));
    let forget = Paxos { mutant: Some(Mutant::ForgetPromise), ..Paxos::default() };
    let mut want = back.0.clone();
    want.acceptor = Some(Acceptor::default());
    assert_eq!(restart(&forget, 0, &busy), (want, back.1, back.2));
}

/// A proposer whose value was chosen does not try again after a restart. The restarted
/// proposer is idle (its phase is volatile), so a second crash forgets that it had decided.
#[test]
fn a_decided_proposer_does_not_retry_after_a_restart() {
    use crate::testing::restart;
    let px = Paxos::default();
    let mut decided = px.fresh(NodeId(0));
    let p = decided.proposer.as_mut().unwrap();
    p.hard = ProposerHard { max_round: 1, value: Some(20) };
    p.phase = Phase::Decided;
    assert!(Paxos::durable(&decided).decided);
    let (back, _, timers) = restart(&px, 0, &decided);
    assert_eq!(timers, vec![], "no retry");
    assert_eq!(back.proposer.as_ref().map(|p| p.phase), Some(Phase::Idle));
    assert!(!Paxos::durable(&back).decided);
    assert!(matches!(restart(&px, 0, &back).2.as_slice(), [TimerEffect::Set(Timer::Retry, _)]));
}
