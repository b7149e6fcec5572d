//! Exact-effect tests of the metadata leader's handlers: a server set up as the leader of term
//! 1 with its own no-op applied (so its namespace is current), fed heartbeats, requests and
//! scans, and judged by the messages it sends and the entries it logs.

use alloc::vec;
use alloc::vec::Vec;

use super::meta::{self, MetaServer};
use super::names::{Ask, Cmd, File, Op};
use super::types::*;
use crate::protocol::{NodeId, Time};
use crate::raft::server::Role;
use crate::raft::{Command, Entry};

type Fx = crate::testing::Effects<Dfs>;

fn n(i: u32) -> NodeId {
    NodeId(i)
}

/// M1 as the leader of term 1, its no-op committed and applied, every data node heard from
/// now (and naming its term), settled (it started long ago), with these files complete.
fn leader(d: &Dfs, fx: &mut Fx, files: &[(&str, Pipeline)]) -> MetaServer {
    let mut s = meta::init(d, &mut fx.ctx(0));
    s.since = Time::ZERO;
    s.heard = vec![1; d.data_nodes()];
    let r = &mut s.raft;
    r.hard.term = 1;
    r.hard.log = vec![Entry { term: 1, cmd: Command::Noop }];
    (r.commit, r.applied) = (1, 1);
    (r.role, r.leader) = (Role::Leader, Some(n(0)));
    (r.next_index, r.match_index, r.acked_seq, r.heard) = (vec![2; META], vec![1; META], vec![0; META], 1);
    for (file, p) in files {
        let key = (*file).into();
        r.kv.files.insert(key, File { complete: Some(p.clone()), writing: None });
        r.kv.next_block = r.kv.next_block.max(p.block);
    }
    assert!(meta::current(&s), "the test's leader is current");
    fx.take();
    s
}

/// The copy orders among the messages sent.
fn transfers(sent: Vec<(NodeId, Msg)>) -> Vec<(NodeId, Msg)> {
    sent.into_iter().filter(|(_, m)| matches!(m, Msg::Transfer { .. })).collect()
}

/// Racks r1 and r2 of two nodes each (r1/n0 = 3, r1/n1 = 4, r2/n0 = 5, r2/n1 = 6), R = 3.
fn two_by_two() -> Dfs {
    Dfs { racks: vec![2, 2], ..Dfs::default() }
}

/// A copy ordered to a node that holds an older generation of the block is still under way
/// when that node reports the old generation: only the copy's generation ends the wait (a
/// report of any generation ended it, and the next scan ordered the copy again).
#[test]
fn a_copy_is_done_only_when_its_generation_is_reported() {
    let d = two_by_two();
    let mut fx = Fx::at(Time::from_ms(2_000));
    let p = Pipeline { block: 1, gen: 2, targets: vec![n(3), n(5), n(6)] };
    let mut s = leader(&d, &mut fx, &[("x", p)]);
    // r2/n1 fell silent; r1/n1 kept a finished replica of the block's first generation.
    s.reports = vec![vec![(1, 2)], vec![(1, 1)], vec![(1, 2)], vec![]];
    s.seen[3] = Time::ZERO;
    meta::on_timer(&d, &mut s, Timer::Scan, &mut fx.ctx(0));
    let sent = transfers(fx.take());
    let ordered = |(from, m): &(NodeId, Msg)| {
        [n(3), n(5)].contains(from) && *m == Msg::Transfer { block: 1, gen: 2, to: n(4), term: 1 }
    };
    assert!(sent.len() == 1 && sent.iter().all(ordered), "from a live holder: {sent:?}");

    fx.now = Time::from_ms(2_100);
    meta::on_message(
        &d,
        &mut s,
        n(4),
        Msg::Heartbeat { blocks: vec![(1, 1)], term: 1, seq: 1 },
        &mut fx.ctx(0),
    );
    fx.now = Time::from_ms(2_200);
    meta::on_timer(&d, &mut s, Timer::Scan, &mut fx.ctx(0));
    assert_eq!(transfers(fx.take()), Vec::new(), "the copy to r1/n1 is still under way");
    assert_eq!(s.copying.get(&1).map(Vec::len), Some(1));

    fx.now = Time::from_ms(2_300);
    meta::on_message(
        &d,
        &mut s,
        n(4),
        Msg::Heartbeat { blocks: vec![(1, 2)], term: 1, seq: 2 },
        &mut fx.ctx(0),
    );
    assert!(s.copying.is_empty(), "the copy arrived: {:?}", s.copying);
}

/// A copy's source is picked at random among the live holders with a free stream (HDFS's
/// `chooseSourceDatanodes`), so that a holder whose copies keep failing (cut off from the
/// other data nodes, its heartbeats still arriving) is not picked every time. Before, the
/// lowest-numbered holder always was, and such a block stayed short of replicas for ever (an
/// outside review's finding: five seeds of five, still two replicas at 60 s).
#[test]
fn a_copys_source_is_any_live_holder() {
    let d = two_by_two();
    let mut sources = alloc::collections::BTreeSet::new();
    for seed in 0..20 {
        let mut fx = Fx::at(Time::from_ms(2_000));
        fx.rng = crate::rng::Rng::new(seed);
        let p = Pipeline { block: 1, gen: 2, targets: vec![n(3), n(5), n(6)] };
        let mut s = leader(&d, &mut fx, &[("x", p)]);
        s.reports = vec![vec![(1, 2)], vec![], vec![(1, 2)], vec![]];
        s.seen[3] = Time::ZERO;
        meta::on_timer(&d, &mut s, Timer::Scan, &mut fx.ctx(0));
        sources.extend(transfers(fx.take()).into_iter().map(|(from, _)| from));
    }
    assert_eq!(sources.into_iter().collect::<Vec<_>>(), vec![n(3), n(5)]);
}

/// A new leader whose log holds its predecessor's creation of x's block, not yet applied, is
/// asked to rebuild that block's pipeline. Its namespace does not have the block yet: it says
/// nothing (the client asks again) until it has applied its log, then keeps the pipeline's
/// other nodes and adds one. It logged a rebuild onto no node, and the client was handed an
/// empty pipeline.
#[test]
fn a_rebuild_waits_until_the_leader_has_applied_its_log() {
    let d = two_by_two();
    let mut fx = Fx::at(Time::from_ms(2_000));
    let client = n(d.first_client() as u32);
    let targets = vec![n(3), n(5), n(6)];
    let mut s = leader(&d, &mut fx, &[]);
    let create =
        Cmd { client, req: 1, op: Op::Create { file: "x".into(), targets: targets.clone(), recover: None } };
    let r = &mut s.raft;
    r.hard.term = 2;
    r.hard.log = vec![
        Entry { term: 1, cmd: Command::Kv { client, req: 1, op: create } },
        Entry { term: 2, cmd: Command::Noop },
    ];
    (r.commit, r.applied, r.next_index) = (0, 0, vec![3; META]);
    assert!(!meta::current(&s));
    let ask = Ask::Rebuild { file: "x".into(), block: 1, gen: 1, bad: n(3) };
    let request = Msg::Request { req: 2, ask };
    meta::on_message(&d, &mut s, client, request.clone(), &mut fx.ctx(0));
    assert_eq!(fx.take(), Vec::new(), "nothing sent");
    assert_eq!(s.raft.last_index(), 2, "nothing logged: {:?}", s.raft.hard.log.last());

    // Applied: the block is being written through the three nodes at generation 1.
    let r = &mut s.raft;
    let p = Pipeline { block: 1, gen: 1, targets };
    r.kv.files.insert("x".into(), File { complete: None, writing: Some((client.0, p)) });
    (r.kv.next_block, r.commit, r.applied) = (1, 2, 2);
    assert!(meta::current(&s));
    meta::on_message(&d, &mut s, client, request, &mut fx.ctx(0));
    let logged = s.raft.hard.log.last().map(|e| e.cmd.clone());
    let Some(Command::Kv { op: Cmd { op: Op::Rebuild { block: 1, gen: 1, targets, .. }, .. }, .. }) = logged
    else {
        panic!("not a rebuild: {logged:?}");
    };
    assert_eq!((&targets[..2], targets.len()), (&[n(5), n(6)][..], 3), "{targets:?}");
    assert!(!targets.contains(&n(3)), "{targets:?}");
}

/// The ops of the entries this leader logged after its no-op.
fn logged(s: &MetaServer) -> Vec<Op> {
    let ops = s.raft.hard.log.iter().skip(1).filter_map(|e| match &e.cmd {
        Command::Kv { op, .. } => Some(op.op.clone()),
        _ => None,
    });
    ops.collect()
}

/// M2 acknowledges M1's log up to its end: the entries commit and M1 applies them.
fn commit(d: &Dfs, s: &mut MetaServer, fx: &mut Fx) {
    let match_index = s.raft.last_index();
    let reply = crate::raft::Msg::AppendReply {
        term: 1,
        success: true,
        match_index,
        conflict_index: 0,
        conflict_term: None,
        seq: 0,
    };
    meta::on_message(d, s, n(1), Msg::Meta(reply), &mut fx.ctx(0));
    assert_eq!(s.raft.applied, match_index);
}

/// The deletions sent among the messages.
fn invalidations(sent: Vec<(NodeId, Msg)>) -> Vec<(NodeId, Msg)> {
    sent.into_iter().filter(|(_, m)| matches!(m, Msg::Invalidate { .. })).collect()
}

/// A block with a finished replica more than R at its generation gets one deletion, through
/// the log, of a replica on a rack that holds two; while it is under way the scan orders none
/// again, and a replica of an older generation never counts toward R. The order goes out when
/// the entry is applied, and only if the leader still means it: a server that has led afresh
/// since it logged it (or restarted, and replays its log) has no record of it and sends nothing.
#[test]
fn one_replica_in_excess_is_deleted_and_an_older_generation_does_not_count() {
    let d = two_by_two();
    let p = Pipeline { block: 1, gen: 2, targets: vec![n(3), n(5), n(6)] };
    // r2/n1's replica is of generation 1: three replicas count, none is in excess.
    let mut fx = Fx::at(Time::from_ms(2_000));
    let mut s = leader(&d, &mut fx, &[("x", p.clone())]);
    s.reports = vec![vec![(1, 2)], vec![(1, 2)], vec![(1, 2)], vec![(1, 1)]];
    meta::on_timer(&d, &mut s, Timer::Scan, &mut fx.ctx(0));
    assert_eq!(logged(&s), Vec::new());

    s.reports[3] = vec![(1, 2)];
    s.report_seq = vec![11, 12, 13, 14];
    meta::on_timer(&d, &mut s, Timer::Scan, &mut fx.ctx(0));
    let ops = logged(&s);
    let [Op::Excess { node, block: 1, gen: 2 }] = ops[..] else { panic!("{ops:?}") };
    assert!((3..=6).contains(&node.0), "{node:?}");
    fx.now = Time::from_ms(2_200);
    meta::on_timer(&d, &mut s, Timer::Scan, &mut fx.ctx(0));
    assert_eq!(logged(&s).len(), 1, "no second deletion while the first is under way");
    fx.take();

    let mut afresh = s.clone();
    afresh.deleting.clear();
    commit(&d, &mut afresh, &mut fx);
    assert_eq!(invalidations(fx.take()), Vec::new(), "a decision this leadership did not make");

    commit(&d, &mut s, &mut fx);
    // Decided on the node's last report, and says so.
    let report = s.report_seq[node.index() - META];
    assert!(report > 10, "{report}");
    assert_eq!(
        invalidations(fx.take()),
        vec![(node, Msg::Invalidate { blocks: vec![(1, 2)], term: 1, report })]
    );
    // The node reports without the block: the deletion is done, and three replicas are left.
    meta::on_message(
        &d,
        &mut s,
        node,
        Msg::Heartbeat { blocks: Vec::new(), term: 1, seq: report + 1 },
        &mut fx.ctx(0),
    );
    assert!(s.deleting.is_empty(), "{:?}", s.deleting);
    // An older report, late or duplicated, still lists it: dropped (the replica counted again,
    // and a second one went).
    let late = Msg::Heartbeat { blocks: vec![(1, 2)], term: 1, seq: report };
    meta::on_message(&d, &mut s, node, late, &mut fx.ctx(0));
    assert_eq!(s.reports[node.index() - META], Vec::new());
    s.reports[node.index() - META] = Vec::new();
    fx.now = Time::from_ms(2_400);
    meta::on_timer(&d, &mut s, Timer::Scan, &mut fx.ctx(0));
    assert_eq!(logged(&s).len(), 1);
}

/// Three blocks each one replica over R = 2 on r1/n0, r1/n1 and r2/n0: one of r1's goes from
/// each, so two blocks at least lose theirs on the same node. Each gets its deletion logged
/// (they were numbered by node alone, and Raft dropped a second request of a number still in
/// its log).
#[test]
fn deletions_on_one_node_for_several_blocks_are_all_logged() {
    let d = Dfs { racks: vec![2, 1], rf: 2, ..Dfs::default() };
    let mut fx = Fx::at(Time::from_ms(2_000));
    let files: Vec<(&str, Pipeline)> = ["x", "y", "z"]
        .iter()
        .zip(1..)
        .map(|(f, block)| (*f, Pipeline { block, gen: 1, targets: vec![n(3), n(4), n(5)] }))
        .collect();
    let mut s = leader(&d, &mut fx, &files);
    s.reports = vec![vec![(1, 1), (2, 1), (3, 1)]; 3];
    meta::on_timer(&d, &mut s, Timer::Scan, &mut fx.ctx(0));
    let ops = logged(&s);
    let blocks: Vec<u64> = ops
        .iter()
        .filter_map(|op| match op {
            Op::Excess { node, block, .. } if *node != n(5) => Some(*block),
            _ => None,
        })
        .collect();
    assert_eq!(blocks, vec![1, 2, 3], "{ops:?}");
}

/// A replica in excess of x's block (four finished, R = 3), and r2/n1's last report names no
/// term (it has not heard of this leader): the leader deletes nothing, and answers its next
/// heartbeat with its term. Once the report names it, one replica goes; that order, still
/// unreported after the copy timeout, goes again to the same node, and no second replica is
/// picked. (Without the wait a late order of an earlier leader could meet this one; forgotten
/// after the timeout, the replica counted again and a second one went.)
#[test]
fn excess_is_deleted_only_after_every_holder_named_the_term_and_the_order_is_sent_again() {
    let d = two_by_two();
    let p = Pipeline { block: 1, gen: 2, targets: vec![n(3), n(5), n(6)] };
    let mut fx = Fx::at(Time::from_ms(2_000));
    let mut s = leader(&d, &mut fx, &[("x", p)]);
    s.reports = vec![vec![(1, 2)]; 4];
    s.heard[3] = 0;
    meta::on_timer(&d, &mut s, Timer::Scan, &mut fx.ctx(0));
    assert_eq!(logged(&s), Vec::new(), "r2/n1 has not named term 1");

    meta::on_message(
        &d,
        &mut s,
        n(6),
        Msg::Heartbeat { blocks: vec![(1, 2)], term: 0, seq: 1 },
        &mut fx.ctx(0),
    );
    assert_eq!(fx.take(), vec![(n(6), Msg::Leading { term: 1 })]);
    meta::on_message(
        &d,
        &mut s,
        n(6),
        Msg::Heartbeat { blocks: vec![(1, 2)], term: 1, seq: 2 },
        &mut fx.ctx(0),
    );
    assert_eq!(fx.take(), Vec::new(), "a node that names the term is not told again");
    meta::on_timer(&d, &mut s, Timer::Scan, &mut fx.ctx(0));
    let ops = logged(&s);
    let [Op::Excess { node, block: 1, gen: 2 }] = ops[..] else { panic!("{ops:?}") };
    commit(&d, &mut s, &mut fx);
    let report = s.report_seq[node.index() - META];
    let order = (node, Msg::Invalidate { blocks: vec![(1, 2)], term: 1, report });
    assert_eq!(invalidations(fx.take()), vec![order.clone()]);

    // Still reported a copy timeout later: the same order again, and no second deletion.
    fx.now = Time::from_ms(2_000 + COPY_TIMEOUT_US / 1_000);
    meta::on_timer(&d, &mut s, Timer::Scan, &mut fx.ctx(0));
    assert_eq!(invalidations(fx.take()), vec![order]);
    assert_eq!(logged(&s).len(), 1, "{:?}", logged(&s));
}

/// Two writers of one file complete in one batch of applied entries (the second creates it
/// once the first has completed): each completion carries the pipeline it took, so the checker
/// judges both (`pipeline-acked`). Before, the server looked the first block up as the file's
/// complete one after the batch, found the second, and told the checker nothing of the first,
/// which a read between the two could have returned.
#[test]
fn each_completion_carries_the_pipeline_it_took() {
    use super::names::{Applied, Names};
    use crate::raft::Machine;
    let (a, b) = (n(20), n(21));
    let mut names = Names::default();
    let mut pipelines = Vec::new();
    for (i, writer) in [a, b].into_iter().enumerate() {
        let op = Op::Create { file: "x".into(), targets: vec![n(3 + i as u32)], recover: None };
        let at = 1 + 2 * i as u64;
        let (Applied::Write(p), ..) = names.apply(writer, 1, &Cmd { client: writer, req: 1, op }, at, 1)
        else {
            panic!("a write")
        };
        let op = Op::Complete { file: "x".into(), block: p.block, gen: p.gen };
        names.apply(writer, 2, &Cmd { client: writer, req: 2, op }, at + 1, 1);
        pipelines.push(p);
    }
    let done: Vec<Applied> =
        names.take_served().into_iter().map(|x| x.result).filter(|r| matches!(r, Applied::Done(_))).collect();
    assert_eq!(done, pipelines.iter().cloned().map(Applied::Done).collect::<Vec<_>>());
    let x: crate::kv::Key = "x".into();
    assert_eq!(names.files.get(&x).and_then(|f| f.complete.clone()), pipelines.last().cloned());
}

/// One writer per file (HDFS's lease): a second client's creation of a file being written is
/// refused as busy, unless the leader found the writer's lease past its soft limit and names it
/// (`recover`): then the second takes the file and the first's completion is stale. A release
/// past the hard limit frees the file, and only the holder's own block's.
#[test]
fn a_file_being_written_has_one_writer() {
    use super::names::{Applied, Names};
    use crate::raft::Machine;
    let (a, b) = (n(20), n(21));
    let x: crate::kv::Key = "x".into();
    let mut names = Names::default();
    let mut at = 0;
    let mut apply = |names: &mut Names, client: NodeId, req: u64, op: Op| {
        at += 1;
        names.apply(client, req, &Cmd { client, req, op }, at, 1).0
    };
    let create = |recover| Op::Create { file: x, targets: vec![n(3)], recover };
    let Applied::Write(pa) = apply(&mut names, a, 1, create(None)) else { panic!("a writes") };
    assert_eq!(apply(&mut names, b, 1, create(None)), Applied::Busy(a));
    // Naming another writer than the holder recovers nothing.
    assert_eq!(apply(&mut names, b, 2, create(Some(n(22)))), Applied::Busy(a));
    let Applied::Write(pb) = apply(&mut names, b, 3, create(Some(a))) else { panic!("b takes the file") };
    let complete = |p: &Pipeline| Op::Complete { file: x, block: p.block, gen: p.gen };
    assert_eq!(apply(&mut names, a, 2, complete(&pa)), Applied::Stale);
    assert_eq!(names.files[&x].writing, Some((b.0, pb.clone())));
    // A release names the holder and its block: an older one frees nothing.
    let release = |holder, block| Op::Release { file: x, holder, block };
    apply(&mut names, n(0), 0, release(a, pa.block));
    assert_eq!(names.files[&x].writing, Some((b.0, pb.clone())));
    apply(&mut names, n(0), 0, release(b, pb.block));
    assert_eq!(names.files[&x].writing, None);
    assert!(!names.wanted(pb.block, pb.gen), "the released block is no file's");
    assert_eq!(apply(&mut names, b, 4, complete(&pb)), Applied::Stale);
}

/// The leader keeps a file with its writer while the writer's requests keep reaching it: a
/// second client is told the file is busy; once the writer has been silent to it for the soft
/// limit, the leader logs the second's creation naming the writer it takes the file from. Past
/// the hard limit with nobody asking, its scan logs the lease's release. A leader that has
/// just taken office counts every writer as heard then.
#[test]
fn a_lease_holds_while_its_writer_is_heard() {
    let d = two_by_two();
    let mut fx = Fx::at(Time::from_ms(2_000));
    let (a, b) = (n(d.first_client() as u32), n(d.first_client() as u32 + 1));
    let x: crate::kv::Key = "x".into();
    let mut s = leader(&d, &mut fx, &[]);
    let p = Pipeline { block: 1, gen: 1, targets: vec![n(3), n(5), n(6)] };
    s.raft.kv.files.insert(x, File { complete: None, writing: Some((a.0, p)) });
    s.raft.kv.next_block = 1;
    let ask = |s: &mut MetaServer, fx: &mut Fx, at: u64, who: NodeId, req: u64, ask: Ask| {
        fx.now = Time::from_ms(at);
        meta::on_message(&d, s, who, Msg::Request { req, ask }, &mut fx.ctx(0));
        let notes = core::mem::take(&mut fx.notes);
        (fx.take(), notes)
    };
    // A's last step of its write (its completion, which will not apply yet) reaches the leader
    // at 2.0 s; a read of A's at 3.0 s renews nothing (a restarted A reads: its write is gone).
    ask(&mut s, &mut fx, 2_000, a, 7, Ask::Complete { file: x, block: 1, gen: 1 });
    ask(&mut s, &mut fx, 3_000, a, 8, Ask::Read { file: "y".into() });
    let (sent, _) = ask(&mut s, &mut fx, 3_900, b, 1, Ask::Create { file: x });
    assert_eq!(sent, vec![(b, Msg::Reply { req: 1, answer: Answer::Busy(a) })]);
    let (_, notes) = ask(&mut s, &mut fx, 4_000, b, 2, Ask::Create { file: x });
    let Some(Op::Create { recover, .. }) = logged(&s).last().cloned() else { panic!("{:?}", logged(&s)) };
    assert_eq!(recover, Some(a));
    assert!(
        notes.contains(&Note::LeaseRecovered { server: n(0), file: x, holder: a, by: Some(b) }),
        "{notes:?}"
    );

    // A leader since 5.0 s: A counts as heard then.
    let mut s = leader(&d, &mut fx, &[]);
    s.raft.kv.files.insert(
        x,
        File { complete: None, writing: Some((a.0, Pipeline { block: 1, gen: 1, targets: vec![n(3)] })) },
    );
    s.since = Time::from_ms(5_000);
    let (sent, _) = ask(&mut s, &mut fx, 6_900, b, 3, Ask::Create { file: x });
    assert_eq!(sent, vec![(b, Msg::Reply { req: 3, answer: Answer::Busy(a) })]);
    // Its scan releases the lease past the hard limit, once.
    let scan = |s: &mut MetaServer, fx: &mut Fx, at: u64| {
        fx.now = Time::from_ms(at);
        let before = logged(s).len();
        meta::on_timer(&d, s, Timer::Scan, &mut fx.ctx(0));
        fx.take();
        logged(s)[before..].iter().filter(|o| matches!(o, Op::Release { .. })).count()
    };
    assert_eq!(scan(&mut s, &mut fx, 14_900), 0, "A silent 9.9 s, counted from 5.0 s");
    assert_eq!(scan(&mut s, &mut fx, 16_900), 1);
    assert_eq!(scan(&mut s, &mut fx, 17_100), 0, "proposed once");
}

/// The leader completes a file only once a data node has reported its block finished (HDFS's
/// `completeFile` returns false until the last block has its minimum replication, one, and the
/// client asks again): before any report it answers "not yet" and logs nothing; after one, it
/// logs the completion. A retry of a completion the log has applied already goes to the log
/// (the duplicate table answers it), reports or not. Before, the leader logged a completion on
/// the client's word alone.
#[test]
fn a_file_completes_only_once_a_data_node_reports_its_block() {
    let d = two_by_two();
    let mut fx = Fx::at(Time::from_ms(2_000));
    let a = n(d.first_client() as u32);
    let x: crate::kv::Key = "x".into();
    let mut s = leader(&d, &mut fx, &[]);
    let p = Pipeline { block: 1, gen: 1, targets: vec![n(3), n(5), n(6)] };
    s.raft.kv.files.insert(x, File { complete: None, writing: Some((a.0, p)) });
    let complete = Msg::Request { req: 7, ask: Ask::Complete { file: x, block: 1, gen: 1 } };
    meta::on_message(&d, &mut s, a, complete.clone(), &mut fx.ctx(0));
    assert_eq!(fx.take(), vec![(a, Msg::Reply { req: 7, answer: Answer::NotReplicated })]);
    assert_eq!(logged(&s), Vec::new());
    let beat = Msg::Heartbeat { blocks: vec![(1, 1)], term: 1, seq: 1 };
    meta::on_message(&d, &mut s, n(6), beat, &mut fx.ctx(0));
    fx.take();
    meta::on_message(&d, &mut s, a, complete, &mut fx.ctx(0));
    assert_eq!(logged(&s), vec![Op::Complete { file: x, block: 1, gen: 1 }]);

    // Applied already (its answer lost): a retry goes to the log with no report at all.
    let mut s = leader(&d, &mut fx, &[]);
    let p = Pipeline { block: 1, gen: 1, targets: vec![n(3)] };
    s.raft.kv.files.insert(x, File { complete: None, writing: Some((a.0, p)) });
    s.raft.kv.sessions.insert(a.0, (7, super::names::Applied::Stale));
    let retry = Msg::Request { req: 7, ask: Ask::Complete { file: x, block: 1, gen: 1 } };
    meta::on_message(&d, &mut s, a, retry, &mut fx.ctx(0));
    assert_eq!(logged(&s), vec![Op::Complete { file: x, block: 1, gen: 1 }]);
}
