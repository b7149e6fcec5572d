#![cfg(not(target_arch = "wasm32"))]
//! The fault script: each step happens at its time, slow links and skewed clocks change what
//! they should, swizzles clog and unclog every node, bad scripts are refused with the step and
//! field named, and scripts travel in scenario documents.

use distlab_core::faultscript::{expand, FaultStep, Primitive, Timed};
use distlab_core::lab::{self, LabConfig};
use distlab_core::protocol::Time;
use distlab_core::raft::setup::Config as RaftConfig;
use distlab_core::registry::Setup;
use distlab_core::scenario;
use distlab_core::trace::RecordKind;

fn timed(at_ms: u64, step: FaultStep) -> Timed {
    Timed { at_ms, step }
}

fn raft(script: Vec<Timed>) -> LabConfig {
    let setup = Setup::Raft(RaftConfig { servers: 3, clients: 1, ..Default::default() });
    LabConfig { fault_script: script, ..LabConfig::new(setup) }
}

#[test]
fn steps_happen_at_their_time_and_change_the_run() {
    let script = vec![
        timed(300, FaultStep::Crash { node: 0 }),
        timed(600, FaultStep::Restart { node: 0 }),
        timed(700, FaultStep::SlowLink { node: 1, to: 2, factor: 20 }),
        timed(800, FaultStep::ClockSkew { node: 2, pct: 200 }),
        timed(900, FaultStep::Partition { nodes: vec![2] }),
        timed(1000, FaultStep::Heal),
    ];
    let cfg = raft(script);
    let base = lab::build(&raft(Vec::new())).unwrap();
    let mut l = lab::build(&cfg).unwrap();
    let mut seen = Vec::new();
    while l.time() < Time::from_ms(1_200) && l.step() {}
    for line in l.log(0, l.position(), usize::MAX) {
        if line.class == distlab_core::trace::RecordClass::Fault {
            seen.push((line.time.0 / 1000, line.text));
        }
    }
    let at = |t: u64| seen.iter().filter(|s| s.0 == t).count();
    assert!(
        at(300) >= 1 && at(600) >= 1 && at(700) >= 1 && at(800) >= 1 && at(900) >= 1 && at(1000) >= 1,
        "{seen:?}"
    );
    assert!(seen.iter().any(|s| s.1.contains("20× slower")), "{seen:?}");
    assert!(seen.iter().any(|s| s.1.contains("+200%")), "{seen:?}");
    assert_ne!(l.trace_hash(), base.trace_hash());
    // Same script, same seed: the same run.
    let mut again = lab::build(&cfg).unwrap();
    while again.position() < l.position() && again.step() {}
    assert_eq!(again.trace_hash(), l.trace_hash());
}

#[test]
fn a_slow_link_delays_its_messages() {
    let cfg = raft(vec![timed(0, FaultStep::SlowLink { node: 0, to: 1, factor: 50 })]);
    let mut sim_lab = lab::build(&cfg).unwrap();
    while sim_lab.time() < Time::from_ms(2_000) && sim_lab.step() {}
    let d = sim_lab.diagram(0, sim_lab.position());
    let slow: Vec<u64> = d
        .arrows
        .iter()
        .filter(|a| a.from.0 == 0 && a.to.0 == 1 && a.sent.is_some() && a.end.is_some())
        .map(|a| a.end.unwrap().1 .0 - a.sent.unwrap().1 .0)
        .collect();
    let fast: Vec<u64> = d
        .arrows
        .iter()
        .filter(|a| a.from.0 == 1 && a.to.0 == 0 && a.sent.is_some() && a.end.is_some())
        .map(|a| a.end.unwrap().1 .0 - a.sent.unwrap().1 .0)
        .collect();
    assert!(!slow.is_empty() && !fast.is_empty());
    assert!(slow.iter().min() > fast.iter().max(), "slow {slow:?} fast {fast:?}");
}

#[test]
fn a_swizzle_clogs_every_node_and_unclogs_them_all() {
    let prims = expand(&[timed(100, FaultStep::Swizzle { nodes: vec![0, 1, 2], spacing_ms: 50 })], 9);
    assert_eq!(prims.len(), 6);
    assert!(prims[..3].iter().all(|p| matches!(p.1, Primitive::Clog(_))));
    assert!(prims[3..].iter().all(|p| matches!(p.1, Primitive::Unclog(_))));
    assert!(prims.windows(2).all(|w| w[0].0 <= w[1].0));
    let mut unclogged: Vec<u32> =
        prims[3..].iter().map(|p| if let Primitive::Unclog(n) = p.1 { n.0 } else { 9 }).collect();
    unclogged.sort_unstable();
    assert_eq!(unclogged, vec![0, 1, 2]);
    // Random order, from the seed: some seed gives an order other than 0, 1, 2.
    let differs = (0..20).any(|seed| {
        let p = expand(&[timed(0, FaultStep::Swizzle { nodes: vec![0, 1, 2, 3], spacing_ms: 10 })], seed);
        !matches!(p[4].1, Primitive::Unclog(n) if n.0 == 0)
    });
    assert!(differs);
    let cfg = raft(vec![timed(100, FaultStep::Swizzle { nodes: vec![0, 1, 2], spacing_ms: 50 })]);
    let mut l = lab::build(&cfg).unwrap();
    // Clogged at 100, 150 and 200 ms; the first unclogged at 250 ms.
    while l.time() < Time::from_ms(220) && l.step() {}
    let clogs = l.snapshot().clogs;
    assert_eq!(
        clogs.iter().map(|c| (c.0 .0, c.1, c.2)).collect::<Vec<_>>(),
        vec![(0, true, true), (1, true, true), (2, true, true)]
    );
    while l.time() < Time::from_ms(600) && l.step() {}
    assert!(l.snapshot().clogs.is_empty() && l.snapshot().cuts.is_empty(), "all unclogged by the end");
    let records = l.log(0, l.position(), usize::MAX);
    let said = |words: &str| records.iter().filter(|r| r.text.contains(words)).count();
    assert_eq!((said("every link to and from S"), said("cut"), said("restored")), (6, 3, 3));
}

#[test]
fn bad_scripts_are_refused_and_scripts_travel_in_documents() {
    let err = |s: Vec<Timed>| lab::build(&raft(s)).err().unwrap_or_default();
    assert!(err(vec![timed(5, FaultStep::Crash { node: 9 })]).contains("fault step 1: there is no node 10"));
    assert!(err(vec![timed(5, FaultStep::SlowLink { node: 0, to: 1, factor: 0 })]).contains("\"factor\""));
    assert!(err(vec![timed(5, FaultStep::ClockSkew { node: 0, pct: -95 })]).contains("\"pct\""));
    assert!(err(vec![timed(5, FaultStep::Partition { nodes: vec![0, 1, 2, 3] })]).contains("each side"));
    assert!(err(vec![timed(u64::MAX, FaultStep::Heal)]).contains("\"at_ms\""));
    let cfg = raft(vec![
        timed(5, FaultStep::Swizzle { nodes: vec![0, 2], spacing_ms: 30 }),
        timed(9, FaultStep::Heal),
    ]);
    let doc = scenario::export(&cfg, &[]);
    let json = scenario::to_json(&doc);
    assert!(json.contains("\"do\": \"swizzle\""), "{json}");
    let (back, _) = scenario::import(&scenario::from_json(&json).unwrap()).unwrap();
    assert_eq!(back.fault_script, cfg.fault_script);
    let bad = json.replace("\"swizzle\"", "\"earthquake\"");
    assert!(scenario::from_json(&bad).is_err());
    let _ = RecordKind::<distlab_core::raft::Raft>::Heal;
}

/// The sharded database with G3 running but out of the map, no automatic moves, and `script`.
fn shardkv(script: Vec<Timed>) -> LabConfig {
    use distlab_core::shardkv::Config;
    let setup = Setup::ShardKv(Config { groups: 3, joined: 2, moves_ms: 0, ..Config::default() });
    LabConfig { fault_script: script, ..LabConfig::new(setup) }
}

#[test]
fn a_request_in_the_script_is_typed_at_its_node_at_its_time() {
    // An operator's join on the timeline: G3 joins at 1.5 s, and its share of the shards moves.
    let join = vec![timed(1_500, FaultStep::Request { node: 0, op: "join G3".into() })];
    let mut with = lab::build(&shardkv(join.clone())).unwrap();
    let mut without = lab::build(&shardkv(Vec::new())).unwrap();
    for l in [&mut with, &mut without] {
        while l.time().0 < 4_000_000 && l.step() {}
        assert!(l.violation().is_none(), "{:?}", l.violation());
    }
    let g3 = |l: &dyn lab::Lab| l.snapshot().enclosures[2].clone();
    assert!(g3(&*with).label.ends_with("config 3"), "{:?}", g3(&*with));
    assert!(!g3(&*with).chips.is_empty(), "G3 serves no shard: {:?}", g3(&*with));
    assert!(g3(&*without).chips.is_empty(), "{:?}", g3(&*without));
    let said = with.log(0, with.position(), 10).into_iter().map(|l| l.text).collect::<Vec<_>>().join("\n");
    assert!(said.contains("join G3"), "{said}");
    // A request the protocol refuses names its step and the reason; a blank one, its length.
    let err = |s: Vec<Timed>| lab::build(&shardkv(s)).err().unwrap_or_default();
    let bad = err(vec![timed(5, FaultStep::Request { node: 0, op: "join G9".into() })]);
    assert!(bad.starts_with("fault step 1: ") && bad.contains("G9"), "{bad}");
    let client = err(vec![timed(5, FaultStep::Request { node: 12, op: "join G3".into() })]);
    assert!(client.starts_with("fault step 1: "), "{client}");
    assert!(
        err(vec![timed(5, FaultStep::Request { node: 0, op: " ".into() })]).contains("1 to 100 characters")
    );
    let long = "put x ".to_string() + &"9".repeat(200);
    assert!(err(vec![timed(5, FaultStep::Request { node: 12, op: long })]).contains("1 to 100 characters"));
    // It travels in scenario documents.
    let doc = scenario::to_json(&scenario::export(&shardkv(join.clone()), &[]));
    assert!(doc.contains("\"do\": \"request\"") && doc.contains("\"op\": \"join G3\""), "{doc}");
    let (back, _) = scenario::import(&scenario::from_json(&doc).unwrap()).unwrap();
    assert_eq!(back.fault_script, join);
    assert_eq!(
        expand(&join, 1),
        vec![(Time::from_ms(1_500), Primitive::Request(distlab_core::protocol::NodeId(0), "join G3".into()))]
    );
}
