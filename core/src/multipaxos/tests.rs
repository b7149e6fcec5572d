use super::*;
use crate::kv::{KvOp, KvResult, Outcome};
use crate::net::FaultPreset;
use crate::protocol::TimerEffect;
use crate::sim::Sim;
use alloc::vec;

pub(super) type Fx = crate::testing::Effects<MultiPaxos>;

pub(super) fn b(round: u64, node: u32) -> Ballot {
    Ballot { round, node }
}

/// Server 1 of three, leading ballot b1.1 with nothing proposed yet.
pub(super) fn leader(mp: &MultiPaxos, fx: &mut Fx) -> Server {
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
        assert!(s.hard.chosen.iter().take(min as usize).eq(ss[0].hard.chosen.iter().take(min as usize)));
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

/// The election timer is armed again, within `[election_us, 2 × election_us)`.
pub(super) fn election_rearmed(mp: &MultiPaxos, timers: &[TimerEffect<Timer>]) -> bool {
    matches!(timers, [TimerEffect::Set(Timer::Election, t)] if (mp.election_us..2 * mp.election_us).contains(&t.0))
}

/// "Paxos Made Simple" §3: a new leader runs phase 1 for all instances at once, with one short
/// message. A follower whose election timeout fires with no word from a leader for a timeout
/// picks a ballot above any it has promised and sends Prepare(ballot, first) to every acceptor,
/// itself included, where `first` is the first slot it does not know to be chosen. One that
/// heard from a leader within the timeout only waits again.
#[test]
fn an_election_timeout_prepares_every_slot_from_the_first_unchosen_at_every_acceptor() {
    let mp = MultiPaxos { servers: 3, ..MultiPaxos::default() };
    let me = NodeId(1);
    // Handlers run at 1 s; the election timeout is 150 ms.
    for (heard_ms, campaigns) in [(0, true), (700, true), (950, false)] {
        let mut fx = Fx::new();
        let mut s = server::init(&mp, &mut fx.ctx(me));
        fx.take();
        s.heard = Time::from_ms(heard_ms);
        s.prefix = 2;
        s.hard.promised = b(4, 2);
        server::on_timer(&mp, &mut s, Timer::Election, &mut fx.ctx(me));
        let want: Vec<(NodeId, Msg)> = match campaigns {
            true => (0..3).map(|i| (NodeId(i), Msg::Prepare { ballot: b(5, 1), first: 3 })).collect(),
            false => vec![],
        };
        assert_eq!(fx.sends, want, "last heard at {heard_ms} ms");
        let (role, ballot) = if campaigns { (Role::Candidate, b(5, 1)) } else { (Role::Follower, b(0, 0)) };
        assert_eq!((s.role, s.hard.ballot), (role, ballot), "last heard at {heard_ms} ms");
        assert!(election_rearmed(&mp, &fx.timers), "{:?}", fx.timers);
    }
}

/// S1 of three, a candidate in ballot `ballot` for every slot from 1 on, at 1 s.
fn candidate(mp: &MultiPaxos, fx: &mut Fx, ballot: Ballot) -> Server {
    let mut s = server::init(mp, &mut fx.ctx(0));
    s.role = Role::Candidate;
    s.hard.ballot = ballot;
    s.hard.promised = ballot;
    s.first = 1;
    fx.take();
    s
}

pub(super) fn put(client: u32, req: u64, key: &str, value: u64) -> Command {
    Command::Kv { client: NodeId(client), req, op: KvOp::Put(key.into(), value) }
}

/// The Accepts a leader of `ballot` sends for these slots, each to all three acceptors.
fn accepts(ballot: Ballot, slots: &[(Slot, Command)]) -> Vec<(NodeId, Msg)> {
    slots
        .iter()
        .flat_map(|(slot, cmd)| {
            (0..3).map(move |i| (NodeId(i), Msg::Accept { ballot, slot: *slot, cmd: cmd.clone(), commit: 0 }))
        })
        .collect()
}

/// Phase 1 of Multi-Paxos ("Paxos Made Simple" §2.2 applied per instance, §3): with promises
/// from a majority, the new leader proposes in each slot the value with the *highest* ballot any
/// promise reported for it, since only that one may have been chosen, whatever order the
/// promises came in. It says it leads, and arms its heartbeat. With the mutant `no-adopt` it
/// proposes no-ops instead, and a value that was chosen is lost.
#[test]
fn a_new_leader_adopts_the_highest_ballot_value_reported_for_each_slot() {
    let (s1, s2) = (NodeId(0), NodeId(1));
    let (a, bb, c) = (put(5, 1, "x", 1), put(5, 2, "x", 2), put(5, 3, "y", 3));
    let from_s1 = Msg::Promise { ballot: b(3, 0), accepted: vec![(1, b(1, 0), a.clone())] };
    let from_s2 =
        Msg::Promise { ballot: b(3, 0), accepted: vec![(1, b(2, 1), bb.clone()), (2, b(2, 1), c.clone())] };
    for mutant in [None, Some(Mutant::NoAdopt)] {
        for order in [[(s1, &from_s1), (s2, &from_s2)], [(s2, &from_s2), (s1, &from_s1)]] {
            let mp = MultiPaxos { servers: 3, mutant, ..MultiPaxos::default() };
            let mut fx = Fx::new();
            let mut s = candidate(&mp, &mut fx, b(3, 0));
            server::on_message(&mp, &mut s, order[0].0, order[0].1.clone(), &mut fx.ctx(0));
            assert_eq!(
                (fx.sends.len(), s.role),
                (0, Role::Candidate),
                "one promise of three is not a majority"
            );
            server::on_message(&mp, &mut s, order[1].0, order[1].1.clone(), &mut fx.ctx(0));
            let chosen = match mutant {
                None => [(1, bb.clone()), (2, c.clone())],
                Some(_) => [(1, Command::Noop), (2, Command::Noop)],
            };
            assert_eq!(
                fx.sends,
                accepts(b(3, 0), &chosen),
                "{mutant:?}, promises from {:?} first",
                order[0].0
            );
            assert_eq!(fx.notes, vec![Note::Elected { node: s1, ballot: b(3, 0) }]);
            assert_eq!(fx.timers, vec![TimerEffect::Set(Timer::Heartbeat, Time(mp.heartbeat_us))]);
            assert_eq!((s.role, s.next_slot), (Role::Leader, 3));
            let carriers: Vec<(Slot, Ballot, NodeId)> =
                s.adopted.iter().map(|x| (x.slot, x.from, x.carrier)).collect();
            let want = if mutant.is_none() { vec![(1, b(2, 1), s2), (2, b(2, 1), s2)] } else { vec![] };
            assert_eq!(carriers, want, "{mutant:?}");
        }
    }
}

/// A new leader proposes every slot up to the highest one any promise reported: a slot no
/// promise reported gets a no-op (PMMC's gap filling; nothing can have been chosen there, and
/// the replicas cannot apply past a gap), a slot it already knows chosen needs no phase 2
/// (Paxos Made Simple, §3), and the next client request goes after them all.
#[test]
fn a_new_leader_fills_the_gaps_with_no_ops_and_proposes_new_requests_after_them() {
    let mp = MultiPaxos { servers: 3, ..MultiPaxos::default() };
    let (s1, s3, client) = (NodeId(0), NodeId(2), NodeId(5));
    let mut fx = Fx::new();
    let mut s = candidate(&mp, &mut fx, b(3, 0));
    // Slot 2 is known chosen (learned from a catch-up), slot 1 is not.
    let known = put(5, 1, "k", 1);
    server::on_message(&mp, &mut s, s3, Msg::Chosen { slot: 2, cmd: known.clone() }, &mut fx.ctx(0));
    assert_eq!(s.chosen_prefix(), 0);
    fx.take();
    let reported = put(5, 2, "z", 9);
    let promises = [
        (s1, Msg::Promise { ballot: b(3, 0), accepted: vec![] }),
        (s3, Msg::Promise { ballot: b(3, 0), accepted: vec![(4, b(2, 2), reported.clone())] }),
    ];
    for (from, p) in promises {
        server::on_message(&mp, &mut s, from, p, &mut fx.ctx(0));
    }
    let want = accepts(b(3, 0), &[(1, Command::Noop), (3, Command::Noop), (4, reported)]);
    assert_eq!(fx.take(), want);
    let get = KvOp::Get("z".into());
    server::on_message(&mp, &mut s, client, Msg::Request { req: 3, op: get.clone() }, &mut fx.ctx(0));
    let cmd = Command::Kv { client, req: 3, op: get };
    assert_eq!(fx.take(), accepts(b(3, 0), &[(5, cmd)]), "the request takes slot 5");
}

/// A proposer that learns of a higher ballot from a Nack (its Prepare or Accept was refused)
/// gives up its own: it remembers the higher ballot's round, so that its next ballot is above
/// it (its acceptor's promise is left as it was: only a Prepare changes it), and, with back-off, becomes a follower that waits a random election timeout, pointing
/// clients at the ballot's owner, whether it was campaigning or leading (its proposals in flight
/// are dropped). Without back-off it campaigns again at once with a higher ballot (dueling
/// proposers). A Nack for a ballot it no longer uses, or for a lower one, changes nothing.
#[test]
fn a_nack_with_a_higher_ballot_makes_the_proposer_step_down_and_back_off() {
    let client = NodeId(5);
    let nack = |ballot, promised| Msg::Nack { ballot, promised };
    let cases = [
        ("candidate, back-off", Role::Candidate, true, nack(b(1, 0), b(2, 1)), Role::Follower),
        ("leader, back-off", Role::Leader, true, nack(b(1, 0), b(2, 1)), Role::Follower),
        ("candidate, no back-off", Role::Candidate, false, nack(b(1, 0), b(2, 1)), Role::Candidate),
        ("an old ballot's Nack", Role::Leader, true, nack(b(0, 0), b(2, 1)), Role::Leader),
        ("a Nack of a lower ballot", Role::Leader, true, nack(b(1, 0), b(0, 2)), Role::Leader),
    ];
    for (name, role, backoff, msg, after) in cases {
        let mp = MultiPaxos { servers: 3, backoff, ..MultiPaxos::default() };
        let mut fx = Fx::new();
        let mut s = leader(&mp, &mut fx);
        server::on_message(
            &mp,
            &mut s,
            client,
            Msg::Request { req: 1, op: KvOp::Get("x".into()) },
            &mut fx.ctx(0),
        );
        s.role = role;
        fx.take();
        server::on_message(&mp, &mut s, NodeId(1), msg, &mut fx.ctx(0));
        assert_eq!(s.role, after, "{name}");
        match (name, after) {
            (_, Role::Follower) => {
                assert_eq!(fx.sends, vec![], "{name}");
                assert!(election_rearmed(&mp, &fx.timers), "{name}: {:?}", fx.timers);
                // The proposer remembers the round it met; its acceptor promised nothing new
                // (an Accept of b1.0 would still be taken: only a Prepare changes a promise).
                assert_eq!(
                    (s.hard.ballot, s.hard.promised, s.leader_hint, s.in_flight.len()),
                    (b(2, 0), b(1, 0), Some(NodeId(1)), 0),
                    "{name}"
                );
            }
            (_, Role::Candidate) => {
                let prepare: Vec<(NodeId, Msg)> =
                    (0..3).map(|i| (NodeId(i), Msg::Prepare { ballot: b(3, 0), first: 1 })).collect();
                assert_eq!(fx.sends, prepare, "{name}");
                assert!(election_rearmed(&mp, &fx.timers), "{name}: {:?}", fx.timers);
            }
            _ => {
                assert_eq!((fx.sends.len(), fx.timers.len(), s.in_flight.len()), (0, 0, 1), "{name}");
                assert_eq!(s.hard.promised, b(1, 0), "{name}");
            }
        }
    }
}

/// The acceptor's side of phase 1 ("Paxos Made Simple" §2.2, per slot): a Prepare at or above
/// its promise is promised, and the answer carries every value it accepted in a slot from
/// `first` on, with its ballot; one below is refused with a Nack naming the promise, and so is
/// an Accept below it.
#[test]
fn an_acceptor_promises_with_its_values_from_first_on_and_refuses_lower_ballots() {
    let mp = MultiPaxos { servers: 3, ..MultiPaxos::default() };
    let (s1, s2, s3) = (NodeId(0), NodeId(1), NodeId(2));
    let mut fx = Fx::new();
    let mut s = server::init(&mp, &mut fx.ctx(s2));
    fx.take();
    let (a, c) = (put(5, 1, "x", 1), put(5, 2, "y", 2));
    s.hard.accepted.set_grow(0, Some((b(1, 0), a)), None);
    s.hard.accepted.set_grow(2, Some((b(2, 2), c.clone())), None);
    server::on_message(&mp, &mut s, s1, Msg::Prepare { ballot: b(3, 0), first: 2 }, &mut fx.ctx(s2));
    let promise = Msg::Promise { ballot: b(3, 0), accepted: vec![(3, b(2, 2), c)] };
    assert_eq!(fx.take(), vec![(s1, promise)]);
    assert_eq!(s.hard.promised, b(3, 0));
    server::on_message(&mp, &mut s, s3, Msg::Prepare { ballot: b(2, 2), first: 1 }, &mut fx.ctx(s2));
    let accept = Msg::Accept { ballot: b(2, 2), slot: 4, cmd: Command::Noop, commit: 0 };
    server::on_message(&mp, &mut s, s3, accept, &mut fx.ctx(s2));
    let refusal = (s3, Msg::Nack { ballot: b(2, 2), promised: b(3, 0) });
    assert_eq!(fx.take(), vec![refusal.clone(), refusal]);
    assert_eq!((fx.notes.len(), s.hard.accepted.len()), (0, 3), "nothing accepted");
}

/// Persistence is a type: a restart sees only the hard state (PMS §2.5), and a client only its
/// next request number. Every node of a busy run, restarted, equals a freshly started node
/// given the same hard state and restarted, with the same timers, and keeps that hard state
/// whole. Under forget-on-restart a server's restart differs from the correct one exactly in
/// the acceptor's promise and accepted values: the proposer's ballot and the learner's chosen
/// log are kept.
#[test]
fn a_restart_is_built_from_the_hard_state_alone() {
    use crate::testing::restart;
    let mp = MultiPaxos::default();
    let sim = run(mp.clone(), FaultPreset::None, 1, 3_000);
    let forget = MultiPaxos { mutant: Some(Mutant::ForgetOnRestart), ..mp.clone() };
    for (i, busy) in sim.nodes().iter().enumerate() {
        let me = NodeId(i as u32);
        let bare = match busy {
            Node::Server(s) => {
                assert!(s.applied > 0 && !s.hard.accepted.is_empty(), "a busy server: {s:?}");
                Node::Server(Server { hard: s.hard.clone(), ..server::init(&mp, &mut Fx::new().ctx(me)) })
            }
            Node::Client(c) => {
                assert!(c.hard.next_req > 1, "a busy client: {c:?}");
                Node::Client(crate::kv::Client {
                    hard: c.hard.clone(),
                    ..client::init(&mp, &mut Fx::new().ctx(me))
                })
            }
        };
        assert_ne!(&bare, busy, "the busy node has volatile state to lose");
        let back = restart(&mp, me, busy);
        assert_eq!(back, restart(&mp, me, &bare), "{me}");
        assert_eq!(
            MultiPaxos::durable(&back.0),
            MultiPaxos::durable(busy),
            "{me} keeps its hard state whole"
        );
        if let Node::Server(kept) = &back.0 {
            let mut want = kept.clone();
            want.hard = HardState {
                ballot: kept.hard.ballot,
                chosen: kept.hard.chosen.clone(),
                ..HardState::default()
            };
            assert_eq!(restart(&forget, me, busy), (Node::Server(want), back.1, back.2), "{me}");
        }
    }
}

#[test]
fn a_starting_state_is_refused_unless_it_fits_the_cluster_and_each_promise() {
    let with = |initial: Vec<(Ballot, Vec<(Slot, Ballot)>)>| MultiPaxos {
        servers: 3,
        initial,
        ..MultiPaxos::default()
    };
    assert!(with(vec![(b(1, 0), vec![(1, b(1, 0))]); 3]).validate().is_ok());
    let too_many = with(vec![(b(1, 0), vec![]); 4]).validate().unwrap_err();
    assert!(too_many.contains("4 servers"), "{too_many}");
    for bad in [
        vec![(1, b(2, 0))],
        vec![(0, b(1, 0))],
        vec![(MAX_INITIAL_SLOT + 1, b(1, 0))],
        vec![(1, Ballot::ZERO)],
    ] {
        let err = with(vec![(b(1, 0), bad.clone())]).validate().unwrap_err();
        assert!(err.contains("does not fit its promise"), "{bad:?}: {err}");
    }
}
