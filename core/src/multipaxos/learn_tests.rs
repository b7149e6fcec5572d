//! Learning what is chosen: from a leader's `commit`, and from a catch-up answer; a retry of a
//! request whose proposal was lost with a ballot; and the checker's view of applying in order.

use super::tests::{b, election_rearmed, leader, put, Fx};
use super::*;
use crate::kv::KvOp;
use alloc::vec;
use alloc::vec::Vec;

/// A learner told by the leader of ballot b that slots up to k are chosen takes the value it
/// accepted in a slot only if it accepted it in b: one ballot proposes one value per slot, so
/// that is the chosen one. A value from an older ballot may have lost; it asks (CatchUp).
#[test]
fn a_learner_takes_only_a_value_accepted_in_the_leaders_ballot() {
    for (mutant, learns) in [(None, false), (Some(Mutant::LearnAnyBallot), true)] {
        let mp = MultiPaxos { servers: 3, mutant, ..MultiPaxos::default() };
        let mut fx = Fx::at(Time::from_ms(1));
        let mut s = server::init(&mp, &mut fx.ctx(2));
        let cmd = Command::Kv { client: NodeId(3), req: 1, op: KvOp::Put("x".into(), 1) };
        server::on_message(
            &mp,
            &mut s,
            NodeId(0),
            Msg::Accept { ballot: b(1, 0), slot: 1, cmd, commit: 0 },
            &mut fx.ctx(2),
        );
        fx.sends.clear();
        server::on_message(
            &mp,
            &mut s,
            NodeId(1),
            Msg::Heartbeat { ballot: b(2, 1), commit: 1 },
            &mut fx.ctx(2),
        );
        assert_eq!(s.chosen_prefix(), learns as Slot, "{mutant:?}");
        let asks = vec![(NodeId(1), Msg::CatchUp { from: 1 })];
        assert_eq!(fx.sends, if learns { vec![] } else { asks }, "{mutant:?}");
    }
}

/// A leader whose ballot was overtaken can still hear, from a catch-up answer it asked for as
/// a follower, which value a slot holds. A value it did not propose there was chosen under a
/// higher ballot: the leader steps down. Leading on, its heartbeat's `commit` made an acceptor
/// that took its proposal for the slot learn that proposal instead of the chosen value (five
/// servers: S1 leads b2.0 with W in slot 1 and Y in slot 2, accepted by S2 only; S3 wins b3.2
/// with S4 and S5 and chooses Z in slot 2; S1's delayed catch-up reaches S3).
#[test]
fn a_leader_told_of_another_value_chosen_in_its_slots_steps_down() {
    let mp = MultiPaxos { servers: 5, ..MultiPaxos::default() };
    let (w, y, z) = (put(5, 1, "x", 1), put(6, 1, "x", 2), put(7, 1, "x", 3));
    let mut fx = Fx::at(Time::from_ms(1));
    let now = Time::from_ms(1);
    let mut s1 = server::init(&mp, &mut fx.ctx(0));
    (s1.role, s1.hard.ballot, s1.hard.promised, s1.next_slot) = (Role::Leader, b(2, 0), b(2, 0), 3);
    s1.in_flight = vec![(1, w.clone(), 0b11, now), (2, y.clone(), 0b11, now)];
    let mut s2 = server::init(&mp, &mut fx.ctx(1));
    for (slot, cmd) in [(1, w.clone()), (2, y.clone())] {
        let accept = Msg::Accept { ballot: b(2, 0), slot, cmd, commit: 0 };
        server::on_message(&mp, &mut s2, NodeId(0), accept, &mut fx.ctx(1));
    }
    fx.take();
    // The value S1 proposed, chosen: it leads on.
    server::on_message(&mp, &mut s1, NodeId(2), Msg::Chosen { slot: 1, cmd: w.clone() }, &mut fx.ctx(0));
    assert_eq!(s1.role, Role::Leader);
    // Another value in its slot 2: it steps down and waits for an election timeout.
    server::on_message(&mp, &mut s1, NodeId(2), Msg::Chosen { slot: 2, cmd: z.clone() }, &mut fx.ctx(0));
    assert_eq!(s1.role, Role::Follower);
    assert!(s1.in_flight.is_empty());
    assert!(election_rearmed(&mp, &fx.timers));
    server::on_timer(&mp, &mut s1, Timer::Heartbeat, &mut fx.ctx(0));
    for (to, m) in fx.take() {
        if to == NodeId(1) {
            server::on_message(&mp, &mut s2, NodeId(0), m, &mut fx.ctx(1));
        }
    }
    assert_ne!(
        s2.hard.chosen.get(1),
        Some(&Some(y)),
        "S2 learned S1's proposal for slot 2, not the chosen Z"
    );
    // A slot past every one it proposed in was chosen under a higher ballot too.
    let mut s1 = server::init(&mp, &mut fx.ctx(0));
    (s1.role, s1.hard.ballot, s1.hard.promised, s1.next_slot) = (Role::Leader, b(2, 0), b(2, 0), 1);
    server::on_message(&mp, &mut s1, NodeId(2), Msg::Chosen { slot: 1, cmd: z }, &mut fx.ctx(0));
    assert_eq!(s1.role, Role::Follower);
}

/// A leader that proposed a client's request in a ballot it then lost, and leads again in a
/// ballot whose phase 1 found nothing in that slot, proposes the client's retry afresh (red-team
/// finding: it took the retry for one still on its way and dropped it, every time, so a lone
/// client waited for ever). A retry of a request proposed in the current ballot still waits.
#[test]
fn a_retry_of_a_request_lost_with_an_old_ballot_is_proposed_again() {
    let mp = MultiPaxos { servers: 3, ..MultiPaxos::default() };
    let mut fx = Fx::at(Time::from_ms(1));
    let client = NodeId(3);
    let op = KvOp::Put("x".into(), 1);
    let mut s = leader(&mp, &mut fx);
    // Slot 1 held the request in a ballot lost since; phase 1 of b1.1 found slot 1 empty.
    (s.waiting, s.next_slot) = (vec![(1, client, 1)], 1);
    let retry = Msg::Request { req: 1, op: op.clone() };
    server::on_message(&mp, &mut s, client, retry.clone(), &mut fx.ctx(0));
    let cmd = Command::Kv { client, req: 1, op };
    let accept = Msg::Accept { ballot: b(1, 0), slot: 1, cmd, commit: 0 };
    assert!(fx.sends.iter().any(|(_, m)| *m == accept), "{:?}", fx.sends);
    assert_eq!(s.waiting, vec![(1, client, 1)]);
    fx.sends.clear();
    // Retried again while that proposal is in flight: it waits.
    server::on_message(&mp, &mut s, client, retry, &mut fx.ctx(0));
    assert_eq!(fx.sends, vec![]);
}

/// A learner applies slot after slot; slot 1 again only after a restart (it applies its log from the
/// start). A replica that went back to slot 1 without one (applying every command twice) is
/// caught by `same-order`; it passed before, since slot 1 was accepted at any time.
#[test]
fn the_checker_accepts_slot_one_again_only_after_a_restart() {
    use crate::protocol::{Time, World};
    let mp = MultiPaxos::default();
    let mut m = check::Monitor::default();
    let value = crate::hash::digest(&Command::Noop);
    let accepted =
        |node: u32| Note::Accepted { node: NodeId(node), slot: 1, ballot: b(1, 0), value, proposal: None };
    let applied = Note::Applied { node: NodeId(0), slot: 1, value };
    let mut notes: Vec<Note> = (0..=mp.servers as u32 / 2).map(accepted).collect(); // a majority
    notes.push(applied.clone());
    assert_eq!(check::check(&mp, &mut m, &notes), Ok(()));
    let again = check::check(&mp, &mut m.clone(), core::slice::from_ref(&applied)).unwrap_err();
    assert_eq!(again.0, "same-order", "{again:?}");
    // S1 crashes and restarts at one instant (a paused user's two clicks): the checker looks
    // after each, and its learner starts again from slot 1. (Told by the time of the node's
    // last change, as before, the two looked like none.)
    let n = mp.nodes();
    let changed_at = vec![Time::from_ms(5); n];
    let look = |m: &mut check::Monitor, s1_up: bool, up_epoch: u64| {
        let mut up = vec![true; n];
        up[0] = s1_up;
        let world = World::<Msg> {
            now: Time::from_ms(5),
            up: &up,
            changed_at: &changed_at,
            up_epoch,
            shape_at: Time::ZERO,
            groups: &[],
            clogs: &[],
            cuts: &alloc::collections::BTreeSet::new(),
            whole: true,
            dropped: None,
            skewed: false,
            slowed: false,
            explored: false,
        };
        check::restarts(m, &world);
    };
    look(&mut m, true, 0);
    look(&mut m, false, 1);
    assert_eq!(
        check::check(&mp, &mut m.clone(), core::slice::from_ref(&applied)).map_err(|e| e.0),
        Err("same-order")
    );
    look(&mut m, true, 2);
    assert_eq!(check::check(&mp, &mut m, &[applied]), Ok(()));
}

/// A candidate that learns a slot is chosen before its promises arrive (a catch-up answer it
/// asked for earlier) leads from past it: it puts new commands after it (and, knowing it chosen,
/// runs no phase 2 there; an acceptor that lacks it asks). Before, it led from the last slot
/// its promises reported, put a new command in the chosen slot, and its `commit` told an
/// acceptor that took that proposal to learn it: S5 applied P where Z was chosen (five
/// servers; from an outside review).
#[test]
fn a_new_leader_never_proposes_a_new_command_in_a_slot_it_knows_is_chosen() {
    let mp = MultiPaxos { servers: 5, ..MultiPaxos::default() };
    let z = put(7, 1, "x", 3);
    let mut fx = Fx::at(Time::from_ms(1));
    let mut s1 = server::init(&mp, &mut fx.ctx(0));
    (s1.role, s1.hard.ballot, s1.hard.promised, s1.first) = (Role::Candidate, b(3, 0), b(3, 0), 1);
    server::on_message(&mp, &mut s1, NodeId(1), Msg::Chosen { slot: 1, cmd: z.clone() }, &mut fx.ctx(0));
    for from in [0, 2, 4] {
        let promise = Msg::Promise { ballot: b(3, 0), accepted: vec![] };
        server::on_message(&mp, &mut s1, NodeId(from), promise, &mut fx.ctx(0));
    }
    assert_eq!(s1.role, Role::Leader);
    let request = Msg::Request { req: 1, op: KvOp::Put("x".into(), 4) };
    server::on_message(&mp, &mut s1, NodeId(5), request, &mut fx.ctx(0));
    let mut s5 = server::init(&mp, &mut fx.ctx(4));
    s5.hard.promised = b(3, 0);
    let sent = fx.take();
    assert!(
        !sent.iter().any(|(_, m)| matches!(m, Msg::Accept { slot: 1, .. })),
        "a slot known chosen needs no phase 2: {sent:?}"
    );
    for (to, m) in sent {
        if to == NodeId(4) {
            server::on_message(&mp, &mut s5, NodeId(0), m, &mut fx.ctx(4));
        }
    }
    // S5 did not accept slot 1 in this ballot: it asks the leader, who tells it.
    let asked: Vec<_> = fx.take().into_iter().filter(|m| matches!(m.1, Msg::CatchUp { .. })).collect();
    assert!(
        !asked.is_empty() && asked.iter().all(|m| *m == (NodeId(0), Msg::CatchUp { from: 1 })),
        "{asked:?}"
    );
    for (_, m) in asked {
        server::on_message(&mp, &mut s1, NodeId(4), m, &mut fx.ctx(0));
    }
    for (to, m) in fx.take() {
        assert_eq!(to, NodeId(4));
        server::on_message(&mp, &mut s5, NodeId(0), m, &mut fx.ctx(4));
    }
    assert_eq!(s5.hard.chosen.get(0), Some(&Some(z)), "S5 learns the chosen value of slot 1");
    assert_eq!(s1.next_slot, 3, "the new command went to slot 2");
}

/// A restarted server keeps the values it knew chosen (its log is on disk): at its first event
/// it applies them again from slot 1 up to the first hole, rebuilding its store as it was; it
/// asks the leader only for the slots it missed; and if it campaigns, its phase 1 starts at the
/// hole. Before, it kept only its acceptor's state: it asked for every slot from 1 (a Chosen
/// message each) and a restarted candidate prepared from slot 1 and re-proposed the whole log.
#[test]
fn a_restarted_server_keeps_its_chosen_log_and_asks_only_for_what_it_missed() {
    let mp = MultiPaxos { servers: 3, ..MultiPaxos::default() };
    let [x, y, z, w] = [put(3, 1, "x", 1), put(3, 2, "y", 2), put(3, 3, "z", 3), put(3, 4, "w", 4)];
    let mut fx = Fx::at(Time::from_ms(1));
    let mut s = server::init(&mp, &mut fx.ctx(2));
    // Slots 1, 2 and 4 known chosen; slot 3 not: a hole in the log.
    for (slot, cmd) in [(1, x), (2, y), (4, w)] {
        server::on_message(&mp, &mut s, NodeId(0), Msg::Chosen { slot, cmd }, &mut fx.ctx(2));
    }
    assert_eq!((s.chosen_prefix(), s.applied), (2, 2));
    let store = s.kv.clone();
    let restarted = |s: Server| {
        let (back, _, _) = crate::testing::restart(&mp, NodeId(2), &Node::Server(s));
        let Node::Server(s) = back else { panic!("a server restarts as a server") };
        s
    };
    let mut s = restarted(s);
    assert_eq!(
        (s.chosen_prefix(), s.applied, s.kv.clone()),
        (2, 0, crate::kv::Kv::default()),
        "the log kept, the store lost"
    );
    let before_heartbeat = s.clone();
    fx.take();
    let applied = |fx: &Fx| -> Vec<Slot> {
        fx.notes
            .iter()
            .filter_map(|n| if let Note::Applied { slot, .. } = n { Some(*slot) } else { None })
            .collect()
    };
    server::on_message(&mp, &mut s, NodeId(0), Msg::Heartbeat { ballot: b(1, 0), commit: 4 }, &mut fx.ctx(2));
    assert_eq!(applied(&fx), vec![1, 2], "applied again, in order, at its first event, up to the hole");
    assert_eq!(s.kv, store, "the store rebuilt as it was");
    assert_eq!(fx.take(), vec![(NodeId(0), Msg::CatchUp { from: 3 })], "asks only for slots 3 on");
    server::on_message(&mp, &mut s, NodeId(0), Msg::Chosen { slot: 3, cmd: z }, &mut fx.ctx(2));
    assert_eq!((applied(&fx), s.chosen_prefix()), (vec![3, 4], 4), "the hole filled, slot 4 follows");
    fx.take();
    // Restarted with the hole, it campaigns: phase 1 starts at the hole, for every acceptor.
    let mut s = before_heartbeat;
    s.heard = Time::ZERO;
    server::on_timer(&mp, &mut s, Timer::Election, &mut fx.ctx(2));
    assert_eq!(applied(&fx), vec![1, 2], "its first event, a timer, applies the log too");
    let prepares: Vec<Slot> = fx
        .take()
        .into_iter()
        .filter_map(|(_, m)| if let Msg::Prepare { first, .. } = m { Some(first) } else { None })
        .collect();
    assert_eq!(prepares, vec![3; 3], "phase 1 from the first slot it does not know chosen");
}
