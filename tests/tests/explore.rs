#![cfg(not(target_arch = "wasm32"))]
//! Explored runs: inputs that deliver, fire and duplicate out of time order, the documents
//! that record them, and the lab that refuses them on a run that follows time.

use distlab_core::lab::{self, Action, LabConfig};
use distlab_core::net::FaultConfig;
use distlab_core::paxos::{Paxos, Propose};
use distlab_core::protocol::{MsgId, NodeId};
use distlab_core::scenario;
use distlab_core::sim::{Input, Sim};
use distlab_core::trace::RecordKind;

/// An explored Paxos run whose proposer 1 has proposed: three Prepares in flight.
fn proposed() -> Sim<Paxos> {
    let mut sim = Sim::new(Paxos::default(), FaultConfig::default(), 1).explored();
    assert!(sim.flights().next().is_none(), "the workload's proposals are off the queue");
    sim.apply_input(Input::Client(NodeId(0), Propose(10)));
    sim
}

fn ids(sim: &Sim<Paxos>) -> Vec<u64> {
    let mut v: Vec<u64> = sim.flights().map(|f| f.id.0).collect();
    v.sort();
    v
}

#[test]
fn deliver_runs_a_message_that_is_not_next_and_leaves_the_rest() {
    let mut sim = proposed();
    let before = ids(&sim);
    assert_eq!(before.len(), 3);
    let last = MsgId(before[2]);
    sim.apply_input(Input::Deliver(last));
    assert!(
        sim.last_records().iter().any(|r| matches!(r.kind, RecordKind::Deliver { id, .. } if id == last)),
        "{:?}",
        sim.last_records()
    );
    let after = ids(&sim);
    assert!(after.contains(&before[0]) && after.contains(&before[1]) && !after.contains(&before[2]));
    assert_eq!(after.len(), 3, "the two Prepares stay, and a Promise is on its way");
}

#[test]
fn fire_runs_an_armed_timer_now_and_disarms_it() {
    let mut sim = proposed();
    let timer = sim.status()[0].timers[0].timer;
    let time = sim.now();
    sim.apply_input(Input::Fire(NodeId(0), timer));
    assert!(sim.last_records().iter().any(|r| matches!(r.kind, RecordKind::Timer { node: NodeId(0), .. })));
    assert!(sim.now() > time, "time leaps before each step of an explored run");
    // The retry sent Prepares of a higher ballot and armed the timer again.
    assert_eq!(ids(&sim).len(), 6);
    assert_eq!(sim.status()[0].timers.len(), 1);
}

#[test]
fn duplicate_puts_a_second_copy_in_flight_with_its_own_id() {
    let mut sim = proposed();
    let first = MsgId(ids(&sim)[0]);
    sim.apply_input(Input::Duplicate(first));
    let copies: Vec<_> =
        sim.flights().filter(|f| f.to == sim.flights().find(|g| g.id == first).unwrap().to).collect();
    assert_eq!(copies.len(), 2);
    assert_ne!(copies[0].id, copies[1].id);
    assert_eq!(copies[0].msg, copies[1].msg);
}

#[test]
fn the_same_state_and_choice_lead_to_the_same_state_whatever_came_before() {
    // Two paths to one state: deliver the Prepares to 1 then 2, or 2 then 1. From there the
    // same delivery makes the same messages (the random source is drawn from the content).
    let mut a = proposed();
    let mut b = proposed();
    let f = ids(&a);
    a.apply_input(Input::Deliver(MsgId(f[1])));
    a.apply_input(Input::Deliver(MsgId(f[2])));
    b.apply_input(Input::Deliver(MsgId(f[2])));
    b.apply_input(Input::Deliver(MsgId(f[1])));
    let content = |s: &Sim<Paxos>| {
        let mut v: Vec<String> = s.flights().map(|f| format!("{:?}{:?}{:?}", f.from, f.to, f.msg)).collect();
        v.sort();
        v
    };
    assert_eq!(content(&a), content(&b));
    assert_eq!(a.nodes(), b.nodes());
}

#[test]
fn a_run_that_follows_time_refuses_explored_actions() {
    let mut l = lab::build(&LabConfig::default()).unwrap();
    l.step();
    for action in
        [Action::Deliver(MsgId(0)), Action::Duplicate(MsgId(0)), Action::Fire(NodeId(0), "retry".into())]
    {
        let err = l.act(action).unwrap_err();
        assert!(err.contains("explored run"), "{err}");
    }
}

#[test]
fn an_explored_document_round_trips_and_names_what_it_cannot_replay() {
    let cfg = LabConfig { explored: true, ..LabConfig::default() };
    let actions = vec![
        (0, Action::Client(NodeId(0), "10".into())),
        (1, Action::Fire(NodeId(0), "retry".into())),
        (2, Action::Deliver(MsgId(4))),
        (3, Action::Duplicate(MsgId(5))),
    ];
    let doc = scenario::export(&cfg, &actions);
    let text = scenario::to_json(&doc);
    assert!(text.contains("\"explored\": true") && text.contains("\"do\": \"fire\""), "{text}");
    let (back, acts) = scenario::import(&scenario::from_json(&text).unwrap()).unwrap();
    assert_eq!((back, acts), (cfg.clone(), actions.clone()));
    lab::replay(&cfg, &actions).expect("each action applies");
    // A timer the node has not armed, and a message not in flight, are named.
    let err = lab::replay(&cfg, &[(0, Action::Fire(NodeId(1), "retry".into()))]).err().unwrap();
    assert!(err.contains("S2 has no \"retry\" timer armed"), "{err}");
    let err = lab::replay(&cfg, &[(0, Action::Deliver(MsgId(99)))]).err().unwrap();
    assert!(err.contains("#99 is not in flight"), "{err}");
    // A document that is not explored keeps its form: no "explored" field.
    let plain = scenario::to_json(&scenario::export(&LabConfig::default(), &[]));
    assert!(!plain.contains("explored"));
}

#[test]
fn an_explored_runs_messages_in_flight_are_drawn_on_their_way() {
    let cfg = LabConfig { explored: true, ..LabConfig::default() };
    let mut l = lab::replay(&cfg, &[(0, Action::Client(NodeId(0), "10".into()))]).unwrap();
    let now = l.snapshot().time;
    let snap = l.snapshot();
    assert!(!snap.flights.is_empty());
    for f in &snap.flights {
        assert!(f.sent_at <= now && f.arrive_at > now, "{f:?} at {now:?}: drawn as arrived");
    }
    // A run that follows time keeps the times its queue holds.
    l = lab::build(&LabConfig::default()).unwrap();
    while l.snapshot().flights.is_empty() && l.step() {}
    let snap = l.snapshot();
    assert!(snap.flights.iter().all(|f| f.arrive_at.0 - f.sent_at.0 < 1_000_000), "{:?}", snap.flights);
}
