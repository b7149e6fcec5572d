//! The explorer against the protocols: every mutant it is asked to find is found, at a pinned
//! depth, and its counterexample replays to the same violation; correct protocols close their
//! bounded spaces; equal states reached in different orders are one state.

use super::*;
use crate::lab::{self, Lab};
use alloc::string::ToString;
use alloc::vec::Vec;

fn config(protocol: &str, mutant: Option<&str>) -> LabConfig {
    let mut cfg = explore_config(protocol).unwrap();
    cfg.mutant = mutant.map(|m| m.to_string());
    cfg
}

fn bounds(requests: u32, max_term: u64, timeouts: u32) -> Bounds {
    Bounds { requests, max_term: Some(max_term), timeouts: Some(timeouts), ..Bounds::default() }
}

/// Open the counterexample as the page and the CLI do: through its JSON, then replayed.
fn replay(found: &Found) -> Box<dyn Lab> {
    let text = crate::scenario::to_json(&found.doc);
    let doc = crate::scenario::from_json(&text).unwrap();
    assert!(doc.explored);
    let (cfg, actions) = crate::scenario::import(&doc).unwrap();
    assert!(cfg.explored);
    let mut lab = lab::replay(&cfg, &actions).unwrap();
    lab.seek(doc.position.unwrap());
    lab
}

/// (protocol, mutant, bounds, property broken, events to it): each found by breadth-first
/// search, so the path is one of the shortest.
fn mutants() -> Vec<(&'static str, &'static str, Bounds, &'static str, u32)> {
    alloc::vec![
        ("paxos", "ignore-promised-value", bounds(2, 1, 0), "agreement", 14),
        ("paxos", "accept-below-promise", bounds(2, 1, 0), "agreement", 14),
        ("raft", "forget-term-and-vote", Bounds { crashes: 1, ..bounds(0, 3, 3) }, "election-safety", 8),
        ("multipaxos", "reply-before-chosen", bounds(1, 2, 3), "acked-not-lost", 8),
    ]
}

/// Explore `mutant` within `b`: it breaks `property` after `steps` events, and the
/// counterexample opens on that event with the same violation.
fn found_and_replayed(protocol: &str, mutant: &str, b: Bounds, property: &str, steps: u32) {
    found_from(&config(protocol, Some(mutant)), b, property, steps)
}

fn found_from(cfg: &LabConfig, b: Bounds, property: &str, steps: u32) {
    let (protocol, mutant) = (cfg.protocol(), cfg.mutant.as_deref().unwrap_or("none"));
    let r = explore(cfg, b).unwrap();
    let found = r.violation.as_ref().unwrap_or_else(|| panic!("{protocol} {mutant}: nothing found in {r:?}"));
    assert_eq!((found.property.as_str(), found.steps), (property, steps), "{protocol} {mutant}");
    assert!(!r.complete, "a violation ends the search early");
    let lab = replay(found);
    assert_eq!(lab.position(), steps as u64, "{protocol} {mutant}: the document opens on the violation");
    let v = lab.violation().unwrap_or_else(|| panic!("{protocol} {mutant}: the replay breaks nothing"));
    assert_eq!((v.property.as_str(), v.event), (property, steps as u64), "{protocol} {mutant}");
    assert_eq!(v.message, found.message, "{protocol} {mutant}");
}

#[test]
fn every_mutant_is_found_at_its_shortest_and_its_counterexample_replays() {
    for (protocol, mutant, b, property, steps) in mutants() {
        found_and_replayed(protocol, mutant, b, property, steps);
    }
}

/// Mutants whose shortest path is too deep for a breadth-first test, found depth first:
/// (protocol, mutant, bounds, property, events to it).
fn deep_mutants() -> Vec<(&'static str, &'static str, Bounds, &'static str, u32)> {
    let dfs = |requests, max_term, timeouts, depth| Bounds {
        depth,
        search: Search::Dfs,
        ..bounds(requests, max_term, timeouts)
    };
    alloc::vec![
        ("raft", "vote-without-log-check", dfs(1, 3, 3, 24), "leader-completeness", 24),
        ("raft", "leader-overwrites", dfs(2, 2, 3, 20), "leader-append-only", 20),
        ("raft", "ack-before-commit", dfs(1, 2, 3, 20), "acked-write-durable", 20),
        ("multipaxos", "no-adopt", dfs(2, 2, 3, 20), "agreement", 20),
        ("multipaxos", "skip-phase1", dfs(2, 2, 3, 20), "agreement", 20),
        ("multipaxos", "slot-for-request", dfs(2, 2, 3, 20), "validity", 20),
        ("kafka", "hw-before-isr", Bounds { crashes: 2, ..dfs(1, 2, 3, 24) }, "hw-in-isr", 16),
        (
            "kafka",
            "ack-before-replication",
            Bounds { crashes: 2, ..dfs(1, 2, 3, 24) },
            "acked-min-insync",
            16
        ),
    ]
}

#[test]
fn deep_mutants_are_found_depth_first_and_replay() {
    for (protocol, mutant, b, property, steps) in deep_mutants() {
        found_and_replayed(protocol, mutant, b, property, steps);
    }
}

/// Mutants whose shortest path from an empty cluster is out of reach, found breadth first from
/// the state a preset starts in (as Raft's Figure 8): (protocol, preset, mutant, bounds,
/// property, events to it).
fn preset_mutants() -> Vec<(&'static str, &'static str, &'static str, Bounds, &'static str, u32)> {
    alloc::vec![
        (
            "multipaxos",
            "crash-after-choosing",
            "forget-on-restart",
            Bounds { crashes: 1, ..bounds(1, 2, 1) },
            "agreement",
            11
        ),
        ("multipaxos", "minority-accept", "learn-any-ballot", bounds(1, 2, 2), "same-order", 13),
    ]
}

#[test]
fn mutants_out_of_reach_from_empty_are_found_from_a_presets_state() {
    for (protocol, preset, mutant, b, property, steps) in preset_mutants() {
        let cfg = LabConfig { scenario: Some(preset.to_string()), ..config(protocol, Some(mutant)) };
        found_from(&cfg, b, property, steps);
    }
}

/// The same presets without their mutants, to the depth their mutants break at: nothing is
/// broken (a starting state the checker misread would show here), and the spaces are pinned.
#[test]
fn correct_multi_paxos_holds_from_the_presets_states() {
    for (preset, b, unique) in [
        (
            "crash-after-choosing",
            Bounds { crashes: 1, depth: 11, search: Search::Dfs, ..bounds(1, 2, 1) },
            29_454,
        ),
        ("minority-accept", Bounds { depth: 13, search: Search::Dfs, ..bounds(1, 2, 2) }, 266_396),
    ] {
        let cfg = LabConfig { scenario: Some(preset.to_string()), ..config("multipaxos", None) };
        let r = explore(&cfg, b).unwrap();
        assert!(r.violation.is_none() && r.complete, "{preset}: {r:?}");
        assert_eq!(r.unique_states, unique, "{preset}");
    }
}

/// The mutants whose searches take from ten seconds to two minutes, found and replayed by the
/// release check (`scripts/release-check.sh`), with the bounds BENCHMARKS.md states.
#[test]
#[ignore = "minutes: run by scripts/release-check.sh"]
fn release_check_the_slowest_mutants_are_found_and_replay() {
    let dfs = |requests, max_term: Option<u64>, timeouts, depth| Bounds {
        requests,
        max_term,
        timeouts: Some(timeouts),
        depth,
        max_states: 50_000_000,
        search: Search::Dfs,
        ..Bounds::default()
    };
    let two_clients = |mutant: &str| {
        let mut cfg = config("multipaxos", Some(mutant));
        assert!(cfg.setup.flag("clients", "2").unwrap());
        cfg
    };
    let figure8 =
        LabConfig { scenario: Some("figure-8".to_string()), ..config("raft", Some("commit-old-term")) };
    for (cfg, b, property, steps) in [
        (
            config("paxos", Some("forget-promise")),
            Bounds { crashes: 1, ..dfs(2, Some(1), 0, 64) },
            "agreement",
            24,
        ),
        (figure8, dfs(0, None, 2, 16), "leader-completeness", 16),
        (two_clients("accept-below-promise"), dfs(2, Some(2), 3, 24), "agreement", 24),
        (two_clients("read-local"), dfs(3, Some(2), 3, 28), "linearizable", 28),
    ] {
        found_from(&cfg, b, property, steps);
    }
}

/// SWIM's completeness and accuracy assume messages arrive within the timeouts, which an
/// explored run does not: they are not judged there (before, the correct protocol "broke"
/// both within three events), and the report names them. Incarnation is judged, and its
/// mutant is found and replays; so are refutation and suspicion, which judge what arrived and
/// hold whatever the delays (the correct protocol passes every explored path).
#[test]
fn swim_explored_judges_only_what_holds_whatever_the_delays() {
    let b = Bounds { crashes: 1, depth: 7, search: Search::Dfs, timeouts: Some(4), ..Bounds::default() };
    let r = explore(&config("swim", None), b).unwrap();
    assert!(r.violation.is_none() && r.complete, "{r:?}");
    assert_eq!(r.unique_states, 112_237);
    assert_eq!(r.unjudged, ["completeness", "accuracy"]);
    let b = Bounds { crashes: 1, timeouts: Some(4), ..Bounds::default() };
    found_and_replayed("swim", "forget-incarnation", b, "incarnation", 6);
    assert!(explore(&config("paxos", None), Bounds { depth: 2, ..Bounds::default() })
        .unwrap()
        .unjudged
        .is_empty());
}

/// The properties a checker skips in explored runs (`World::explored`) are the ones the report
/// names as not judged: Kafka's and the file system's timed ones too (they were skipped without
/// a word, so a search of `no-re-replication` could end "complete, no violation"). Every name
/// listed is a property of its protocol.
#[test]
fn every_property_skipped_when_explored_is_named_as_not_judged() {
    let small = Bounds { depth: 2, ..Bounds::default() };
    for (protocol, skipped) in [
        ("kafka", &["replicas-informed", "group-settles"][..]),
        ("dfs", &["re-replicated", "rack-spread", "lease"][..]),
        ("swim", &["completeness", "accuracy"][..]),
    ] {
        let r = explore(&config(protocol, None), small).unwrap();
        assert_eq!(r.unjudged, skipped, "{protocol}");
    }
    for protocol in crate::registry::PROTOCOLS {
        let Ok(cfg) = explore_config(protocol) else { continue };
        let lab = lab::build(&cfg).unwrap();
        let names: Vec<&str> = lab.properties().iter().map(|p| p.0).collect();
        let r = explore(&cfg, small).unwrap();
        for u in r.unjudged {
            assert!(names.contains(u), "{protocol}: {u} is not one of its properties");
        }
    }
}

/// A counterexample names which of a node's timers of one label fired: SWIM keeps the ack
/// timeout of a probe it has moved on from, and firing the current probe's (the second) asks
/// for indirect probes where firing the stale first does nothing. Before, a replay fired the
/// first of the label whichever the explorer had fired.
#[test]
fn a_counterexample_names_which_of_a_nodes_like_timers_fired() {
    assert_eq!(lab::timer_place(&lab::timer_name("ack timeout", 1)), ("ack timeout", 1));
    assert_eq!(lab::timer_place("ack timeout"), ("ack timeout", 0));
    assert_eq!(lab::timer_place("x #1"), ("x #1", 0));
    let indirect = |which: &str| {
        let mut lab = lab::build(&config("swim", None)).unwrap();
        let s1 = crate::protocol::NodeId(0);
        for _ in 0..2 {
            lab.act(lab::Action::Fire(s1, "protocol period".into())).unwrap();
        }
        lab.act(lab::Action::Fire(s1, which.into())).unwrap();
        lab.snapshot().flights.iter().filter(|f| f.kind == "PingReq").count()
    };
    assert_eq!(indirect("ack timeout"), 0, "the first probe's timeout is stale");
    assert!(indirect("ack timeout #2") > 0, "the second probe's asks others");
    let mut lab = lab::build(&config("swim", None)).unwrap();
    let e = lab.act(lab::Action::Fire(crate::protocol::NodeId(0), "ack timeout #2".into())).unwrap_err();
    assert!(e.contains("no \"ack timeout #2\" timer armed"), "{e}");
}

#[test]
fn depth_first_finds_what_breadth_first_finds_by_a_path_no_shorter() {
    let (protocol, mutant, b, property, steps) = mutants()[2];
    let r = explore(&config(protocol, Some(mutant)), Bounds { search: Search::Dfs, ..b }).unwrap();
    let found = r.violation.expect("found depth first");
    // Depth first may meet another property the mutant breaks first on its path.
    assert!(found.steps >= steps, "{} < {steps}", found.steps);
    let v = replay(&found).violation().expect("the replay breaks a property");
    assert_eq!((v.property.as_str(), v.event), (found.property.as_str(), found.steps as u64));
    let _ = property;
}

#[test]
fn correct_protocols_close_their_bounded_spaces() {
    let dfs = |depth, b: Bounds| Bounds { depth, search: Search::Dfs, ..b };
    for (protocol, b, unique) in [
        ("paxos", dfs(14, bounds(2, 1, 0)), 172_646),
        ("raft", dfs(10, bounds(1, 2, 2)), 61_211),
        ("multipaxos", dfs(12, bounds(1, 2, 2)), 170_852),
        ("kafka", dfs(9, bounds(1, 2, 2)), 613_977),
    ] {
        let r = explore(&config(protocol, None), b).unwrap();
        assert!(r.violation.is_none(), "{protocol}: {:?}", r.violation);
        assert!(r.complete, "{protocol}: {r:?}");
        // The size of each bounded space, pinned: a fingerprint that merged states it should
        // not (or no longer merged equal ones) changes it.
        assert_eq!((r.unique_states, r.max_depth), (unique, b.depth), "{protocol}");
    }
}

#[test]
fn deliveries_in_either_order_reach_one_state() {
    // Paxos, one proposal, no timer: the request puts three Prepares in flight. Depth 2: one
    // delivered (3 states). Depth 3: two delivered ({0,1}, {0,2}, {1,2}, each reached in two
    // orders) or one delivered and its Promise back (3): 6 states from 9 successors.
    let r = explore(&config("paxos", None), Bounds { depth: 3, ..bounds(1, 1, 0) }).unwrap();
    assert_eq!((r.states, r.unique_states), (1 + 1 + 3 + 9, 1 + 1 + 3 + 6));
}

/// A request bound past the protocol's menu is the menu: Paxos's two proposers give two.
#[test]
fn a_request_bound_past_the_menu_reports_the_menu() {
    let menu = explore(&config("paxos", None), Bounds { depth: 8, ..bounds(2, 1, 0) }).unwrap();
    let past = explore(&config("paxos", None), Bounds { depth: 8, ..bounds(16, 1, 0) }).unwrap();
    assert_eq!((past.bounds.requests, menu.bounds.requests), (2, 2));
    assert_eq!(past.unique_states, menu.unique_states);
}

/// A complete search says whether the depth bound cut runs short: at depth 3 every state kept
/// at the bound still has a message to deliver; without the bound's cut, no run goes on.
#[test]
fn a_complete_search_counts_the_states_its_depth_bound_cut() {
    let cut = explore(&config("paxos", None), Bounds { depth: 3, ..bounds(1, 1, 0) }).unwrap();
    assert!(cut.complete && cut.violation.is_none());
    assert_eq!(cut.depth_cut, 6, "every state at depth 3 has moves left");
    let whole = explore(&config("paxos", None), Bounds { depth: 64, ..bounds(1, 1, 0) }).unwrap();
    assert!(whole.complete && whole.max_depth < 64, "{whole:?}");
    assert_eq!(whole.depth_cut, 0);
    let dfs =
        explore(&config("paxos", None), Bounds { depth: 3, search: Search::Dfs, ..bounds(1, 1, 0) }).unwrap();
    assert_eq!(dfs.depth_cut, 6, "depth first counts the same states");
}

#[test]
fn the_state_limit_stops_a_search_incomplete() {
    let r = explore(&config("paxos", None), Bounds { max_states: 50, ..bounds(2, 1, 0) }).unwrap();
    assert_eq!(r.unique_states, 50);
    assert!(!r.complete && r.violation.is_none());
}

#[test]
fn bad_bounds_are_refused_naming_the_flag() {
    for (b, flag) in [
        (Bounds { depth: 0, ..Bounds::default() }, "--depth"),
        (Bounds { max_states: 0, ..Bounds::default() }, "--max-states"),
        (Bounds { requests: MAX_REQUESTS + 1, ..Bounds::default() }, "--requests"),
        (Bounds { crashes: MAX_FAULTS + 1, ..Bounds::default() }, "--crashes"),
        (Bounds { max_term: Some(0), ..Bounds::default() }, "--max-term"),
        (Bounds { symmetry: true, ..Bounds::default() }, "--symmetry"),
    ] {
        let err = explore(&config("paxos", None), b).err().unwrap();
        assert!(err.contains(flag), "{err}");
    }
}

#[test]
fn an_explored_run_has_no_injected_faults() {
    let cfg = LabConfig { faults: crate::net::FaultPreset::Heavy, ..config("raft", None) };
    assert!(explore(&cfg, Bounds::default()).err().unwrap().contains("no injected faults"));
}

/// An exploration of `cfg` within `b` (to the end) twice: merging states under every renaming
/// of Raft's three servers, whatever the protocol declares, and without merging, counting the
/// orbits of the states it kept. (unique states reduced, orbits, unique states without).
fn reduced_and_orbits(cfg: &LabConfig, b: Bounds) -> (u64, u64, u64) {
    struct Run(Bounds, bool);
    impl crate::lab::SimVisitor for Run {
        type Output = (u64, u64);
        fn visit<P: crate::registry::Registered>(self, sim: crate::sim::Sim<P>) -> (u64, u64) {
            let Run(b, reduce) = self;
            let servers = [(0..3).map(crate::protocol::NodeId).collect()];
            let renamings = symmetry::renamings(sim.nodes().len(), &servers, "raft").unwrap();
            let mut ex = search::Explorer::new(&LabConfig::default(), sim, b).unwrap();
            if reduce {
                ex.force_renamings(renamings);
            } else {
                ex.count_orbits(renamings);
            }
            ex.run(u64::MAX);
            let r = ex.report().unwrap();
            assert!(r.complete, "{r:?}");
            (r.unique_states, ex.orbits.take().map_or(0, |(_, o)| o.len() as u64))
        }
    }
    let cfg = LabConfig { explored: true, ..cfg.clone() };
    let (reduced, _) = crate::lab::with_sim(&cfg, Run(b, true)).unwrap();
    let (full, orbits) = crate::lab::with_sim(&cfg, Run(b, false)).unwrap();
    (reduced, orbits, full)
}

/// Raft's elections without requests, 3 servers, a crash: every renaming of the servers maps
/// runs onto runs, so the reduced search keeps exactly one state of each orbit the full search
/// reaches, and fewer states.
#[test]
fn symmetry_reduction_keeps_one_state_per_orbit() {
    let b = Bounds { crashes: 1, depth: 9, ..bounds(0, 2, 3) };
    let (reduced, orbits, full) = reduced_and_orbits(&config("raft", None), b);
    assert_eq!(reduced, orbits, "one state per orbit");
    assert!(reduced * 3 < full, "{reduced} of {full}");
}

/// The same check catches a wrong declaration: with a request, a client's first server is a
/// random draw the renaming does not follow, and merging renamed states then loses orbits the
/// full search reaches (why Raft declares no symmetry there).
#[test]
fn a_wrong_symmetry_declaration_loses_states() {
    let b = Bounds { depth: 9, ..bounds(1, 2, 2) };
    let (reduced, orbits, _) = reduced_and_orbits(&config("raft", None), b);
    assert_ne!(reduced, orbits);
}

/// `--symmetry on` where Raft declares its servers interchangeable: the election mutant is
/// found at the same shortest depth in fewer states, and its counterexample replays; elsewhere
/// it is refused with the reason.
#[test]
fn symmetry_finds_the_shortest_counterexample_in_fewer_states() {
    let b = Bounds { crashes: 1, ..bounds(0, 3, 3) };
    let cfg = config("raft", Some("forget-term-and-vote"));
    let plain = explore(&cfg, b).unwrap();
    found_from(&cfg, Bounds { symmetry: true, ..b }, "election-safety", 8);
    let reduced = explore(&cfg, Bounds { symmetry: true, ..b }).unwrap();
    assert!(
        reduced.unique_states * 3 < plain.unique_states,
        "{} vs {}",
        reduced.unique_states,
        plain.unique_states
    );
    let mut seven = config("raft", None);
    assert!(seven.setup.flag("servers", "7").unwrap());
    let err = explore(&seven, Bounds { symmetry: true, ..bounds(0, 2, 2) }).unwrap_err();
    assert!(err.contains("more than 720 renamings"), "{err}");
    for (protocol, requests) in [("raft", 1), ("paxos", 2), ("multipaxos", 1)] {
        let err = explore(&config(protocol, None), Bounds { symmetry: true, ..bounds(requests, 2, 2) })
            .unwrap_err();
        assert!(err.starts_with("--symmetry on: no interchangeable nodes here: "), "{err}");
    }
}

/// Two states that differ only in which of two equal copies of an ack is still in flight are
/// two states where the checker judges the copies apart: SWIM's `refutation` counts the
/// target's answer to the accusing ping it took (sent in that instant), not its answer to a
/// duplicate taken later. From the first, S1 declaring its accused target dead breaks
/// `refutation` (the refutation-ignored mutant: the answer refutes nothing); from the second
/// the same steps break nothing. Before the explorer read the checker's mark, the two had one
/// fingerprint, so the search could keep the second and never judge the first.
#[test]
fn copies_the_checker_judges_apart_are_not_one_state() {
    use crate::protocol::NodeId;
    use crate::sim::{Input, Sim};
    use crate::swim::{Msg, Status, Swim, Timer};
    let cfg = crate::swim::setup::Config { members: 3, ..Default::default() };
    let sw = <Swim as crate::setup::Registered>::make(&cfg, Some("refutation-ignored"), None).unwrap();
    let mut sim = Sim::new(sw, crate::net::FaultConfig::default(), 1).explored();
    let s1 = NodeId(0);
    let ping_from_s1 = |sim: &Sim<Swim>| {
        sim.flights()
            .find(|f| f.from == s1 && matches!(f.msg, Msg::Ping { .. }))
            .map(|f| (f.id, f.to, f.msg.clone()))
    };
    let deliver_where = |sim: &mut Sim<Swim>, pick: &dyn Fn(NodeId, &Msg) -> bool| {
        let id = sim.flights().find(|f| pick(f.from, f.msg)).map(|f| f.id).expect("in flight");
        sim.apply_input(Input::Deliver(id));
    };
    // S1 probes; its first target's ping is lost, so the next period suspects it. Then S1
    // probes on (its other targets answer) until it pings the suspect, accusing it.
    sim.apply_input(Input::Fire(s1, Timer::Tick));
    let (lost, target, _) = ping_from_s1(&sim).unwrap();
    sim.apply_input(Input::Drop(lost));
    let accusing = loop {
        sim.apply_input(Input::Fire(s1, Timer::Tick));
        let (id, to, msg) = ping_from_s1(&sim).unwrap();
        if to == target {
            assert!(matches!(msg, Msg::Ping { suspect: Some(0), .. }), "{msg:?}");
            break id;
        }
        sim.apply_input(Input::Deliver(id));
        deliver_where(&mut sim, &|from, m| from == to && matches!(m, Msg::Ack { .. }));
    };
    assert_eq!(sim.nodes()[0].entry(target).status, Status::Suspect);
    // A copy of the accusing ping; the target takes both and answers each.
    sim.apply_input(Input::Duplicate(accusing));
    for _ in 0..2 {
        deliver_where(&mut sim, &|from, m| from == s1 && matches!(m, Msg::Ping { .. }));
    }
    let acks: Vec<_> =
        sim.flights().filter(|f| f.from == target && f.to == s1).map(|f| (f.id, f.msg.clone())).collect();
    assert_eq!(acks.len(), 2);
    assert_eq!(acks[0].1, acks[1].1, "the two answers are equal in content");
    let keep = |kept: usize| {
        let mut sim = sim.clone();
        sim.apply_input(Input::Drop(acks[1 - kept].0));
        sim
    };
    let (answer, later) = (keep(0), keep(1));
    assert_ne!(search::fingerprint_of(&answer), search::fingerprint_of(&later));
    // Their futures differ: the same steps break refutation from one only.
    let declare = |mut sim: Sim<Swim>| {
        let ack = sim.flights().find(|f| f.from == target).expect("the answer kept").id;
        sim.apply_input(Input::Deliver(ack));
        sim.apply_input(Input::Fire(s1, Timer::Suspicion(target)));
        assert_eq!(sim.nodes()[0].entry(target).status, Status::Dead);
        sim.violation().map(|v| v.property.clone())
    };
    assert_eq!(declare(answer).as_deref(), Some("refutation"));
    assert_eq!(declare(later), None);
}
