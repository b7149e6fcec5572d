use super::*;
use crate::kv::{KvOp, KvResult, Outcome};
use crate::net::FaultPreset;
use crate::sim::Sim;
use alloc::vec;

type Fx = crate::testing::Effects<MultiPaxos>;

fn b(round: u64, node: u32) -> Ballot {
    Ballot { round, node }
}

/// Server 1 of three, leading ballot b1.1 with nothing proposed yet.
fn leader(mp: &MultiPaxos, fx: &mut Fx) -> Server {
    let mut s = server::init(mp, &mut fx.ctx(0));
    s.role = Role::Leader;
    s.hard.ballot = b(1, 0);
    s.hard.promised = b(1, 0);
    fx.sends.clear();
    s
}

fn run(mp: MultiPaxos, faults: FaultPreset, seed: u64, events: u64) -> Sim<MultiPaxos> {
    let mut sim = Sim::new(mp, faults.config(), seed);
    while sim.events() < events && sim.step() {}
    sim
}

fn servers(sim: &Sim<MultiPaxos>) -> Vec<&Server> {
    sim.nodes()
        .iter()
        .filter_map(|n| match n {
            Node::Server(s) => Some(s),
            _ => None,
        })
        .collect()
}

#[test]
fn a_leader_is_elected_and_commands_are_chosen_and_applied_everywhere() {
    let sim = run(MultiPaxos::default(), FaultPreset::None, 1, 20_000);
    assert!(sim.violation().is_none(), "{:?}", sim.violation());
    let ss = servers(&sim);
    assert_eq!(ss.iter().filter(|s| s.role == Role::Leader).count(), 1);
    let applied: Vec<u64> = ss.iter().map(|s| s.applied).collect();
    assert!(applied.iter().all(|a| *a > 20), "{applied:?}");
    // Same data everywhere the replicas have applied the same prefix.
    let min = *applied.iter().min().unwrap();
    for s in &ss {
        assert!(s.chosen.iter().take(min as usize).eq(ss[0].chosen.iter().take(min as usize)));
    }
    // Phase 1 ran once: one election for the whole run.
    let Node::Client(c) = &sim.nodes()[5] else { panic!() };
    assert!(c.completed > 20);
}

#[test]
fn requests_typed_at_a_server_are_refused_with_a_reason() {
    let mp = MultiPaxos::default();
    assert!(mp.check_client(NodeId(0), &ClientOp::Kv(KvOp::Get("x".into()))).unwrap_err().contains("server"));
    assert!(mp.check_client(NodeId(5), &ClientOp::Kv(KvOp::Get("x".into()))).is_ok());
    assert!(mp.parse_client("put x").is_err());
    assert_eq!(mp.parse_client("put x 5"), Ok(ClientOp::Kv(KvOp::Put("x".into(), 5))));
}

#[test]
fn without_back_off_dueling_proposers_choose_less() {
    let chosen = |name: &str| {
        let mp = scenarios::apply(name, MultiPaxos::default()).unwrap();
        let mut sim = Sim::new(mp, FaultPreset::None.config(), 3);
        while sim.next_time().is_some_and(|t| t < Time::from_ms(1_500)) && sim.step() {}
        assert!(sim.violation().is_none());
        let ss = servers(&sim);
        let top_ballot = ss.iter().map(|s| s.hard.promised.round).max().unwrap();
        (ss.iter().map(|s| s.chosen_prefix()).max().unwrap(), top_ballot)
    };
    let (duel, duel_rounds) = chosen("dueling");
    let (calm, calm_rounds) = chosen("dueling-backoff");
    assert!(calm > duel + 5, "back-off {calm} vs duel {duel}");
    assert!(duel_rounds > calm_rounds + 5, "ballots climb in the duel: {duel_rounds} vs {calm_rounds}");
}

/// A run driven by hand: step until a condition holds, drop chosen messages in flight, crash
/// and restart servers, and keep every note the checker saw.
struct Driven {
    sim: Sim<MultiPaxos>,
    notes: Vec<Note>,
}

impl Driven {
    fn new(mp: MultiPaxos) -> Driven {
        Driven { sim: Sim::new(mp, FaultPreset::None.config(), 1), notes: Vec::new() }
    }
    fn keep_notes(&mut self) {
        for r in self.sim.last_records() {
            if let crate::trace::RecordKind::Note { note } = &r.kind {
                self.notes.push(note.clone());
            }
        }
    }
    /// Step until `done` holds; false if the run stopped (a violation) or 5,000 events passed.
    fn until(&mut self, mut done: impl FnMut(&Sim<MultiPaxos>, &[Note]) -> bool) -> bool {
        let end = self.sim.events() + 5_000;
        while !done(&self.sim, &self.notes) {
            if self.sim.events() >= end || !self.sim.step() {
                return false;
            }
            self.keep_notes();
        }
        true
    }
    fn input(&mut self, input: crate::sim::Input<MultiPaxos>) {
        self.sim.apply_input(input);
        self.keep_notes();
    }
    /// Drop every message in flight that `pick` selects; how many.
    fn drop(&mut self, pick: impl Fn(NodeId, NodeId, &Msg) -> bool) -> usize {
        let ids: Vec<_> = self.sim.flights().filter(|f| pick(f.from, f.to, f.msg)).map(|f| f.id).collect();
        for id in &ids {
            self.input(crate::sim::Input::Drop(*id));
        }
        ids.len()
    }
}

/// Does server `n` lead?
fn leads(sim: &Sim<MultiPaxos>, n: NodeId) -> bool {
    matches!(&sim.nodes()[n.index()], Node::Server(s) if s.role == Role::Leader)
}

/// "Paxos Made Simple" §2.5: a proposer must remember the highest-numbered proposal it tried
/// to issue across a crash, so that it never reuses a ballot. Here the leader's own Prepare and
/// Accept to itself are lost, so its acceptor never promised its ballot; it crashes after one
/// acceptor (S2) accepted "put x 1" in slot 1; restarted, its phase 1 misses S2. A proposer
/// that derived its ballot from its promise would lead with the same ballot again and propose
/// "put x 2" for slot 1: two values in one slot and one ballot, and S2 would report the wrong
/// one to a later leader.
#[test]
fn a_restarted_proposer_never_reuses_a_ballot() {
    let (s1, s2, s3, c1, c2) = (NodeId(0), NodeId(1), NodeId(2), NodeId(3), NodeId(4));
    let never = Time::from_ms(1_000_000);
    let mp = MultiPaxos {
        servers: 3,
        clients: 2,
        client_think_us: 0,
        client_timeout_us: 100_000_000,
        first_election: vec![(s1, Time::from_ms(10)), (s2, never), (s3, never)],
        ..MultiPaxos::default()
    };
    let mut run = Driven::new(mp);
    let prepare_sent =
        |sim: &Sim<MultiPaxos>, _: &[Note]| sim.flights().any(|f| matches!(f.msg, Msg::Prepare { .. }));
    assert!(run.until(prepare_sent));
    assert_eq!(run.drop(|from, to, m| from == s1 && to == s1 && matches!(m, Msg::Prepare { .. })), 1);
    assert!(run.until(|sim, _| leads(sim, s1)));
    run.input(crate::sim::Input::Client(c1, ClientOp::Kv(KvOp::Put("x".into(), 1))));
    assert!(run.until(|sim, _| sim.flights().any(|f| matches!(f.msg, Msg::Accept { .. }))));
    let lost =
        run.drop(|from, to, m| from == s1 && (to == s1 || to == s3) && matches!(m, Msg::Accept { .. }));
    assert_eq!(lost, 2, "the Accepts to S1 itself and to S3");
    let s2_accepted_slot_1 = |notes: &[Note]| {
        notes.iter().filter(|n| matches!(n, Note::Accepted { node, slot: 1, .. } if *node == s2)).count()
    };
    assert!(run.until(|_, notes| s2_accepted_slot_1(notes) == 1));
    run.input(crate::sim::Input::Crash(s1));
    run.input(crate::sim::Input::Restart(s1));
    assert!(run.until(prepare_sent));
    assert_eq!(run.drop(|from, to, m| from == s1 && to == s2 && matches!(m, Msg::Prepare { .. })), 1);
    assert!(run.until(|sim, _| leads(sim, s1)));
    run.input(crate::sim::Input::Client(c2, ClientOp::Kv(KvOp::Put("x".into(), 2))));
    let reached = run.until(|_, notes| s2_accepted_slot_1(notes) == 2);
    assert!(run.sim.violation().is_none(), "{:?}", run.sim.violation());
    assert!(reached, "S2 accepts the new leader's value for slot 1");
    let elected: Vec<Ballot> = run
        .notes
        .iter()
        .filter_map(|n| match n {
            Note::Elected { node, ballot } if *node == s1 => Some(*ballot),
            _ => None,
        })
        .collect();
    assert_eq!(elected.len(), 2, "{elected:?}");
    assert!(elected[1] > elected[0], "a new ballot after the restart: {elected:?}");
    let s2_slot1: Vec<Ballot> = run
        .notes
        .iter()
        .filter_map(|n| match n {
            Note::Accepted { node, slot: 1, ballot, .. } if *node == s2 => Some(*ballot),
            _ => None,
        })
        .collect();
    assert_eq!(s2_slot1, elected, "S2 accepted slot 1 once in each ballot");
}

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

/// The leader answers a client only once the command's slot is chosen (a majority accepted it)
/// and applied, with the client's own request number in the command.
#[test]
fn the_leader_answers_only_a_chosen_command_under_the_clients_request_number() {
    let client = NodeId(3);
    let put = KvOp::Put("x".into(), 5);
    for mutant in [None, Some(Mutant::ReplyBeforeChosen), Some(Mutant::SlotForRequest)] {
        let mp = MultiPaxos { servers: 3, mutant, ..MultiPaxos::default() };
        let mut fx = Fx::at(Time::from_ms(1));
        let mut s = leader(&mp, &mut fx);
        server::on_message(&mp, &mut s, client, Msg::Request { req: 7, op: put.clone() }, &mut fx.ctx(0));
        let req = if mutant == Some(Mutant::SlotForRequest) { 1 } else { 7 };
        let cmd = Command::Kv { client, req, op: put.clone() };
        let accept = Msg::Accept { ballot: b(1, 0), slot: 1, cmd, commit: 0 };
        let mut want: Vec<(NodeId, Msg)> = (0..3).map(|i| (NodeId(i), accept.clone())).collect();
        let done = Outcome::Ok { result: KvResult::Done, index: 1, term: 1 };
        if mutant == Some(Mutant::ReplyBeforeChosen) {
            want.insert(0, (client, Msg::Reply { req: 7, outcome: done.clone() }));
        }
        assert_eq!(fx.sends, want, "{mutant:?}");
        fx.sends.clear();
        server::on_message(
            &mp,
            &mut s,
            NodeId(0),
            Msg::Accepted { ballot: b(1, 0), slot: 1 },
            &mut fx.ctx(0),
        );
        assert_eq!(fx.sends, vec![], "one acceptance of three is not a majority");
        server::on_message(
            &mp,
            &mut s,
            NodeId(2),
            Msg::Accepted { ballot: b(1, 0), slot: 1 },
            &mut fx.ctx(0),
        );
        let answer = vec![(client, Msg::Reply { req, outcome: done })];
        assert_eq!(fx.sends, answer, "{mutant:?}");
    }
}

/// Validity is about the command, not only its name: a chosen command must be exactly one a
/// client sent, so a leader that changed the operation of request #1 is caught too.
#[test]
fn validity_checks_the_chosen_command_not_only_its_request_number() {
    let mp = MultiPaxos::default();
    let c = NodeId(5);
    let sent = KvOp::Put("x".into(), 5);
    for (op, valid) in [(sent.clone(), true), (KvOp::Put("x".into(), 6), false)] {
        let mut m = Monitor::default();
        let mut notes = vec![Note::Invoke { client: c, req: 1, op: sent.clone() }];
        let value = crate::hash::digest(&Command::Kv { client: c, req: 1, op });
        for node in 0..3 {
            notes.push(Note::Accepted {
                node: NodeId(node),
                slot: 1,
                ballot: b(1, 0),
                value,
                proposal: Some((c, 1)),
            });
        }
        let verdict = mp.check(&mut m, &[], None, None, &notes);
        assert_eq!(verdict.is_ok(), valid, "{verdict:?}");
        if !valid {
            assert_eq!(verdict.unwrap_err().0, "validity");
        }
    }
}
