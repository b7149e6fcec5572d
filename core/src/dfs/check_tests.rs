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

/// `read-available`, each answer: a data node that held a finished replica when a read arrived
/// must answer with it. A "no block" to the client's current read is judged against its
/// arrivals at the node: if one found no replica (a duplicate that arrived before a copy
/// landed), any "no block" may be that one's answer; if every one found it, none may. Answers
/// to a read the client has moved on from are not judged (an outside review: a late honest
/// answer met a later duplicate's arrival). Before, no property looked at reads that fail:
/// data nodes answering every read "no block" passed every check.
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
    let up = vec![true; d.nodes_total()];
    let changed = vec![Time::ZERO; d.nodes_total()];
    let world = World::quiet(Time::ZERO, &up, &changed);
    let arrive = |m: &mut Monitor, nodes: &[Node], from, to, msg: Msg| {
        m.reads.delivered(&d, nodes, &Delivered { from, to, sent: Time::ZERO, now: Time::ZERO, msg: &msg });
        m.reads.judge(&d, &m.ghost, nodes, &[], &world).map_err(|f| f.1)
    };
    let read = |req, gen| Msg::ReadBlock { req, block: 4, gen };
    let answer = |req, value| Msg::BlockData { req, block: 4, value };
    // Arrives before the copy lands, and (a duplicate) after: "no block" may answer the first.
    assert_eq!(arrive(&mut m, &nodes, c1, x, read(1, 2)), Ok(()));
    nodes[x.index()] = Node::Data(full.clone());
    assert_eq!(arrive(&mut m, &nodes, c1, x, read(1, 2)), Ok(()));
    assert_eq!(arrive(&mut m, &nodes, x, c1, answer(1, None)), Ok(()));
    assert_eq!(arrive(&mut m, &nodes, x, c1, answer(1, None)), Ok(()));
    // Every arrival found it: "no block" is a lie.
    assert_eq!(arrive(&mut m, &nodes, c1, x, read(2, 2)), Ok(()));
    let message = arrive(&mut m, &nodes, x, c1, answer(2, None)).unwrap_err();
    assert_eq!(
        message,
        "r1/n0 told C1 it had no block 4, though it held a finished replica of it when the read arrived"
    );
    // A read of a later generation than the replica's finds none: its "no block" is right.
    assert_eq!(arrive(&mut m, &nodes, c1, x, read(3, 3)), Ok(()));
    assert_eq!(arrive(&mut m, &nodes, x, c1, answer(3, None)), Ok(()));
    // A read the client has moved on from: neither its answers nor a late duplicate's arrival.
    assert_eq!(arrive(&mut m, &nodes, c1, x, read(4, 2)), Ok(()));
    assert_eq!(arrive(&mut m, &nodes, c1, x, read(5, 2)), Ok(()));
    assert_eq!(arrive(&mut m, &nodes, x, c1, answer(4, None)), Ok(()));
    assert_eq!(arrive(&mut m, &nodes, c1, x, read(4, 2)), Ok(()));
    assert_eq!(arrive(&mut m, &nodes, x, c1, answer(4, None)), Ok(()));
}

/// `read-available`, each read given up: with no fault or lost message from a second before the
/// read began, a read given up while a running data node holds a finished replica of the
/// file's block breaks it (a node that drops reads unanswered, or a leader naming the wrong
/// nodes, shows only here: an outside review's finding). A restart 0.9 s before the read, or a
/// lost message during it, and it is not judged; nor once the file has another block.
#[test]
fn a_read_given_up_in_calm_while_a_node_holds_its_block_breaks_read_available() {
    use super::super::datanode::{self, Replica};
    use super::super::names::File;
    use crate::protocol::Lost;
    let d = Dfs::default();
    let (x, c1) = (NodeId(META as u32), NodeId(d.first_client() as u32));
    let mut fx = crate::testing::Effects::<Dfs>::at(Time::ZERO);
    let mut full = datanode::init(&d, &mut fx.ctx(x));
    full.replicas.insert(4, Replica { gen: 2, file: "x".into(), value: 7, done: true, since: 0 });
    let nodes: Vec<Node> = (0..d.nodes_total()).map(|_| Node::Data(full.clone())).collect();
    let up = vec![true; d.nodes_total()];
    let file: Key = "x".into();
    let p = Pipeline { block: 4, gen: 2, targets: vec![x] };
    let give_up = |restart_ms: u64, lost: bool, block: BlockId| {
        let mut m = Monitor::default();
        m.ghost.files.insert(file, File { complete: Some(p.clone()), writing: None });
        let mut changed = vec![Time::ZERO; d.nodes_total()];
        changed[META + 5] = Time::from_ms(restart_ms);
        let invoke = Note::Invoke { client: c1, req: 3, op: KvOp::Get(file) };
        let begun = World::quiet(Time::from_ms(5_000), &up, &changed);
        m.reads.judge(&d, &m.ghost, &nodes, &[invoke], &begun).unwrap();
        let loss =
            Lost { from: x, to: c1, to_down: false, msg: Msg::BlockData { req: 9, block, value: None } };
        let mut during = World::quiet(Time::from_ms(5_300), &up, &changed);
        during.dropped = lost.then_some(&loss);
        m.reads.judge(&d, &m.ghost, &nodes, &[], &during).unwrap();
        let missing = Note::Missing { client: c1, req: 3, op: KvOp::Get(file), block };
        let end = World::quiet(Time::from_ms(5_600), &up, &changed);
        m.reads.judge(&d, &m.ghost, &nodes, &[missing], &end).map_err(|f| f.1)
    };
    let message = give_up(3_900, false, 4).unwrap_err();
    assert!(message.starts_with("C1 gave up reading x (block 4) while r1/n0, running, held"), "{message}");
    assert_eq!(give_up(4_100, false, 4), Ok(()), "a restart 0.9 s before the read");
    assert_eq!(give_up(3_900, true, 4), Ok(()), "a message lost during the read");
    assert_eq!(give_up(3_900, false, 3), Ok(()), "a block the file no longer has");
}
