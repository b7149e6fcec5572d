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

/// `lease` reads each handover from the committed log and judges it against what the leader
/// that logged it had heard by then, counting its start and its taking office as hearing every
/// writer (HDFS's new active NameNode renews every lease). M2, elected at 5 s, logs C2's
/// creation of C1's file at 5.1 s: broken, though M2 never heard from C1 itself, and though it
/// said nothing of a takeover. Logged at 7.2 s (2.05 s after C1's request that followed the
/// first) it is not, even if a request of C1's reaches M2 before the entry commits (M2 could not
/// know). A release logged at 7.3 s, 50 ms after that request, breaks the hard limit. Before, only a leader's own note of a takeover was judged: a leader that handed files
/// over without one (the lease-ignored mutant now) went unseen.
#[test]
fn a_handover_in_the_log_is_judged_against_its_leaders_news() {
    use super::super::names::{Ask, Cmd};
    use crate::raft::{Command, Entry};
    let d = Dfs::default();
    let (m2, c1, c2) = (NodeId(1), NodeId(d.first_client() as u32), NodeId(d.first_client() as u32 + 1));
    let up = vec![true; d.nodes_total()];
    let changed = vec![Time::ZERO; d.nodes_total()];
    let world = |ms: u64| World::quiet(Time::from_ms(ms), &up, &changed);
    let mut fx = crate::testing::Effects::<Dfs>::at(Time::ZERO);
    let mut s = super::super::meta::init(&d, &mut fx.ctx(1)).raft;
    (s.hard.term, s.role) = (2, crate::raft::server::Role::Leader);
    s.hard.log = vec![Entry { term: 2, cmd: Command::Noop }];
    let x: Key = "x".into();
    let mut watch = crate::dfs::lease::LeaseWatch::default();
    let elected = Note::Raft(crate::raft::Note::Elected { node: m2, term: 2 });
    assert_eq!(watch.judge(&d, Some((m2, &s)), &[elected], 0, &world(5_000)), Ok(()));
    // M2 logs an entry at `ms`; it commits at `then`, handing x over from C1 to `by`.
    let mut log = |watch: &mut super::super::lease::LeaseWatch, ms: u64, op: Op, by, then: u64| {
        s.hard.log.push(Entry {
            term: 2,
            cmd: Command::Kv { client: c2, req: ms, op: Cmd { client: c2, req: ms, op } },
        });
        let index = s.last_index();
        assert_eq!(watch.judge(&d, Some((m2, &s)), &[], index - 1, &world(ms)), Ok(()));
        let msg = Msg::Request { req: 1, ask: Ask::Complete { file: x, block: 1, gen: 1 } };
        watch.delivered(&d, c1, m2, &msg, Time::from_ms(ms + 50));
        watch.handed.push(Handover { index, term: 2, file: x, holder: c1, by });
        watch.judge(&d, None, &[], index, &world(then))
    };
    let create = Op::Create { file: x, targets: vec![], recover: Some(c1) };
    let (property, message) = log(&mut watch, 5_100, create.clone(), Some(c2), 5_200).unwrap_err();
    assert_eq!(property, "lease");
    assert!(message.contains("0.10 s after it last heard from C1, started or took office"), "{message}");
    assert!(message.contains("soft limit is 2 s"), "{message}");
    assert_eq!(log(&mut watch, 7_200, create, Some(c2), 7_400), Ok(()));
    let release = Op::Release { file: x, holder: c1, block: 1 };
    let (_, message) = log(&mut watch, 7_300, release, None, 7_400).unwrap_err();
    assert!(message.contains("released C1's lease on x 0.05 s after"), "{message}");
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

/// `read-available`: a data node that held a finished replica when a read arrived must answer
/// with it. Its "no block" is judged against the read's arrivals at it: one that found no
/// replica (the read of a duplicate that arrived before a copy landed) excuses one "no block";
/// none excuses it when every arrival found the replica. Before, no property looked at reads
/// that fail: data nodes answering every read "no block" passed every check.
#[test]
fn a_no_block_answer_needs_an_arrival_that_found_none() {
    use super::super::datanode::{self, Replica};
    use crate::protocol::Delivered;
    let d = Dfs::default();
    let (x, c1) = (NodeId(META as u32), NodeId(d.first_client() as u32));
    let mut fx = crate::testing::Effects::<Dfs>::at(Time::ZERO);
    let empty = datanode::init(&d, &mut fx.ctx(x));
    let mut full = empty.clone();
    full.replicas.insert(4, Replica { gen: 2, file: "x".into(), value: 7, done: true, since: 0 });
    let mut nodes: Vec<Node> = (0..d.nodes_total()).map(|_| Node::Data(empty.clone())).collect();
    let mut m = Monitor::default();
    let arrive = |m: &mut Monitor, nodes: &[Node], from, to, msg: Msg| {
        m.reads.delivered(&d, nodes, &Delivered { from, to, sent: Time::ZERO, now: Time::ZERO, msg: &msg });
        m.reads.judge().map_err(|f| f.1)
    };
    let read = |req, gen| Msg::ReadBlock { req, block: 4, gen };
    let answer = |req, value| Msg::BlockData { req, block: 4, value };
    // Arrives before the copy lands, and (a duplicate) after: one "no block" is fine, not two.
    assert_eq!(arrive(&mut m, &nodes, c1, x, read(1, 2)), Ok(()));
    nodes[x.index()] = Node::Data(full.clone());
    assert_eq!(arrive(&mut m, &nodes, c1, x, read(1, 2)), Ok(()));
    assert_eq!(arrive(&mut m, &nodes, x, c1, answer(1, None)), Ok(()));
    let message = arrive(&mut m, &nodes, x, c1, answer(1, None)).unwrap_err();
    assert_eq!(
        message,
        "r1/n0 told C1 it had no block 4, though it held a finished replica of it when the read arrived"
    );
    // A read of a later generation than the replica's finds none: its "no block" is right.
    assert_eq!(arrive(&mut m, &nodes, c1, x, read(2, 3)), Ok(()));
    assert_eq!(arrive(&mut m, &nodes, x, c1, answer(2, None)), Ok(()));
    // An answer to a round the client has left is not judged.
    assert_eq!(arrive(&mut m, &nodes, c1, x, read(3, 2)), Ok(()));
    assert_eq!(arrive(&mut m, &nodes, c1, x, read(4, 2)), Ok(()));
    assert_eq!(arrive(&mut m, &nodes, x, c1, answer(3, None)), Ok(()));
    assert_eq!(arrive(&mut m, &nodes, x, c1, answer(4, Some(7))), Ok(()));
}
