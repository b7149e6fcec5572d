use super::*;
use crate::kv::KvOp;
use crate::net::FaultPreset;
use crate::sim::Sim;

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
        let top_ballot = ss.iter().map(|s| s.promised.round).max().unwrap();
        (ss.iter().map(|s| s.chosen_prefix()).max().unwrap(), top_ballot)
    };
    let (duel, duel_rounds) = chosen("dueling");
    let (calm, calm_rounds) = chosen("dueling-backoff");
    assert!(calm > duel + 5, "back-off {calm} vs duel {duel}");
    assert!(duel_rounds > calm_rounds + 5, "ballots climb in the duel: {duel_rounds} vs {calm_rounds}");
}
