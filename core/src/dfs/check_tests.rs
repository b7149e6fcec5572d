//! The checker's own rules, fed notes directly.

use alloc::vec;

use super::*;
use crate::protocol::Lost;

/// A pipeline placement could spread its block over two racks only if two had live nodes and
/// it chose a node: a pipeline rebuilt from two nodes left on one rack, with none added (the
/// live nodes were too few to add one), keeps that rack, as HDFS's pipeline recovery does, and
/// the loss of that rack is then not a violation. Before, any placement made while two racks
/// had live nodes counted as able to spread, and the rack's loss was a false acked-block-kept.
#[test]
fn a_rebuilt_pipeline_that_added_no_node_could_not_spread() {
    let d = Dfs::default();
    let (a, b, c) = (NodeId(META as u32), NodeId(META as u32 + 1), NodeId(META as u32 + 3));
    let placed = |targets: Vec<NodeId>, racks| Note::Placed {
        block: 4,
        targets,
        holders: vec![a, b],
        racks,
        pipeline: true,
    };
    let mut m = Monitor::default();
    for (targets, racks, could) in [(vec![], 2, false), (vec![c], 2, true), (vec![c], 1, false)] {
        assert_eq!(check(&d, &mut m, &[], None, &[placed(targets.clone(), racks)]), Ok(()));
        assert_eq!(m.spread.get(&4).map(|s| s.1), Some(could), "{targets:?} with {racks} live racks");
    }
}

/// `lease` counts a metadata server's start and its taking office as hearing every writer (the
/// server does: HDFS's new active NameNode renews every lease). A server elected at 5 s that
/// gives C1's file to C2 at 5.1 s breaks it though it never heard from C1 itself; at 7.1 s it
/// does not. Before, a takeover of a writer the server had never heard from was not judged.
#[test]
fn a_new_leader_counts_every_writer_as_heard_when_it_takes_office() {
    let d = Dfs::default();
    let (m2, c1, c2) = (NodeId(1), NodeId(d.first_client() as u32), NodeId(d.first_client() as u32 + 1));
    let up = vec![true; d.nodes_total()];
    let changed = vec![Time::ZERO; d.nodes_total()];
    let world = |ms: u64| World::quiet(Time::from_ms(ms), &up, &changed);
    let took = Note::LeaseRecovered { server: m2, file: "x".into(), holder: c1, by: Some(c2) };
    let mut watch = crate::dfs::lease::LeaseWatch::default();
    let elected = Note::Raft(crate::raft::Note::Elected { node: m2, term: 2 });
    assert_eq!(watch.judge(&d, &[elected], &world(5_000)), Ok(()));
    let (property, message) = watch.judge(&d, core::slice::from_ref(&took), &world(5_100)).unwrap_err();
    assert_eq!(property, "lease");
    assert!(message.contains("0.10 s after it last heard from C1, started or took office"), "{message}");
    assert_eq!(watch.judge(&d, &[took], &world(7_100)), Ok(()));
}

/// A repair's order or copy that the network loses is a fault, and `re-replicated`'s bound runs
/// from it: with a fifth of messages lost, four lost attempts in a row (about one repair in
/// sixty) outlast the bound on a correct model (swarm seed 1847 at 40,000 events; an outside
/// review's finding). One lost because its receiver was down is not: a repair sent to a dead
/// node is the model's own doing.
#[test]
fn a_repair_message_the_network_loses_restarts_the_repair_bound() {
    let d = Dfs::default();
    let up = vec![true; d.nodes_total()];
    let changed = vec![Time::ZERO; d.nodes_total()];
    let (a, b) = (NodeId(META as u32), NodeId(META as u32 + 1));
    let copy = Msg::Copy { block: 4, gen: 1, file: "x".into(), value: 7 };
    let judge = |m: &mut Monitor, ms: u64, lost: Option<&Lost<Msg>>| {
        let mut world = World::quiet(Time::from_ms(ms), &up, &changed);
        world.dropped = lost;
        note_lost_repair(m, &world);
        repaired(&d, m, &[], &world, (Held(0), false)).map_err(|f| f.0)
    };
    for (to_down, want) in [(false, Ok(())), (true, Err("re-replicated"))] {
        let mut m = Monitor::default();
        m.short_since.insert(4, (Time::ZERO, "x".into(), 2, 3));
        let lost = Lost { from: a, to: b, to_down, msg: copy.clone() };
        assert_eq!(judge(&mut m, 3_000, Some(&lost)), Ok(()));
        assert_eq!(judge(&mut m, 3_000 + REPAIR_BOUND_US / 1000 - 500, None), want, "to_down {to_down}");
    }
}
