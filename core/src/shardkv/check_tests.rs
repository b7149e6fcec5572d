//! The moves' checks where no later operation would show a loss: a shard taken in with a copy
//! older than its history (single-history), and a server whose shard went back to an older
//! point (a restart, a snapshot) with data its history never had there (data-moves).

use alloc::vec::Vec;

use super::*;
use crate::net::FaultPreset;
use crate::shardkv::standing::{judge, owned};
use crate::sim::Sim;

/// A run without faults to 6 s: the checker's ghost and the nodes as they are then.
fn run() -> (ShardKv, Monitor, Vec<Node>) {
    let k = ShardKv::default();
    let mut sim = Sim::new(k.clone(), FaultPreset::None.config(), 3);
    while sim.now().0 < 6_000_000 && sim.step() {}
    assert!(sim.violation().is_none(), "{:?}", sim.violation());
    (k, sim.monitor().clone(), sim.nodes().to_vec())
}

/// The first server to take a shard in for a configuration has every operation of its
/// history; one with the last missing breaks single-history, and so does a second server of
/// the group whose copy differs from the first's.
#[test]
fn a_shard_taken_in_with_a_copy_older_than_its_history_breaks_single_history() {
    let (k, m, _) = run();
    let (shard, len) = (0..k.shards as u8)
        .map(|s| (s, m.shards[s as usize].at.len() as u64))
        .max_by_key(|x| x.1)
        .expect("a shard");
    assert!(len >= 2, "shard {shard} has {len} operations");
    let (server, other, num) = (NodeId(k.nodes_total() as u32 - 1), NodeId(0), 1_000);

    let mut short = m.clone();
    let err = taken_in(&k, &mut short, server, shard, num, len - 1).unwrap_err();
    assert_eq!(err.0, "single-history", "{}", err.1);

    let mut whole = m.clone();
    assert_eq!(taken_in(&k, &mut whole, server, shard, num, len), Ok(()));
    assert_eq!(taken_in(&k, &mut whole, other, shard, num, len), Ok(()), "the same copy");
    let err = taken_in(&k, &mut whole, other, shard, num, len + 1).unwrap_err();
    assert_eq!(err.0, "single-history", "{}", err.1);
}

/// A server whose shard goes back to an earlier operation with no operation applied (as after
/// a restart or a snapshot) is judged again: with the data its history had there it passes;
/// with that data lost it breaks data-moves, though it never stopped serving the shard.
#[test]
fn a_shard_that_goes_back_to_an_earlier_point_is_judged_again() {
    let (k, m, nodes) = run();
    let found = nodes.iter().enumerate().find_map(|(n, node)| {
        let Node::Replica(r) = node else { return None };
        r.raft.kv.shards.iter().enumerate().find_map(|(i, s)| {
            let earlier = s.ops.checked_sub(1)?;
            let want = m.shards[i].lin.data_at(earlier)?;
            (s.status == Status::Serving && !want.is_empty()).then_some((n, i, earlier))
        })
    });
    let (n, i, earlier) = found.expect("a served shard with data before its last operation");
    let node = NodeId(n as u32);
    let mut seen = m.clone();
    let Node::Replica(r) = &nodes[n] else { unreachable!() };
    assert_eq!(tables(&k, &mut seen, node, &r.raft.kv, &[]), Ok(()), "as it is");

    let mut back = r.raft.kv.clone();
    back.shards[i].ops = earlier;
    back.shards[i].kv.data = Default::default();
    let err = tables(&k, &mut seen.clone(), node, &back, &[]).unwrap_err();
    assert_eq!(err.0, "data-moves", "{}", err.1);

    let mut kept = r.raft.kv.clone();
    kept.shards[i].ops = earlier;
    kept.shards[i].kv.data = Default::default();
    for (key, value) in m.shards[i].lin.data_at(earlier).unwrap_or_default() {
        kept.shards[i].kv.data.insert(key, value);
    }
    // (Its duplicate table as it is: a table ahead of the point passes table-moves.)
    assert_eq!(tables(&k, &mut seen, node, &kept, &[]), Ok(()), "the data its history had there");
}

/// A shard's operations are numbered without holes: a server that applies one past the
/// history's end (as a server counting a duplicate as an operation would), or serves a shard
/// further on than its history, breaks single-history (before, the checker's ghost stopped at
/// the hole and judged nothing of that shard again). A server that reaches an older
/// configuration than the one it had breaks configs-in-order, as one that skips one does.
#[test]
fn a_hole_in_a_shards_history_and_a_configuration_gone_back_are_caught() {
    let (k, m, nodes) = run();
    let shard = (0..k.shards as u8).max_by_key(|s| m.shards[*s as usize].at.len()).expect("a shard");
    let len = m.shards[shard as usize].at.len() as u64;
    let (server, client) = (NodeId(k.nodes_total() as u32 - 1), NodeId(k.nodes_total() as u32));
    let op = KvOp::Put(crate::kv::Key::new("zz").expect("a key"), 7);
    let mut hole = m.clone();
    let err = applied(&k, &mut hole, shard, server, client, 1_000, &op, len + 2).unwrap_err();
    assert_eq!(err.0, "single-history", "{}", err.1);
    assert_eq!(applied(&k, &mut m.clone(), shard, server, client, 1_000, &op, len + 1), Ok(()), "the next");

    let found = nodes.iter().enumerate().find_map(|(n, node)| {
        let Node::Replica(r) = node else { return None };
        let i = r.raft.kv.shards.iter().position(|s| s.status == Status::Serving)?;
        Some((NodeId(n as u32), r.raft.kv.clone(), i))
    });
    let (node, mut ahead, i) = found.expect("a served shard");
    let mut seen = m.clone();
    seen.serving[node.index()] &= !(1 << i);
    ahead.shards[i].ops = m.shards[i].at.len() as u64 + 1;
    let err = tables(&k, &mut seen, node, &ahead, &[]).unwrap_err();
    assert_eq!(err.0, "single-history", "{}", err.1);

    let mut back = m.clone();
    back.reached[server.index()] = 5;
    assert_eq!(in_order(&k, &mut back.clone(), server, 6), Ok(()));
    for num in [3, 5, 7] {
        let err = in_order(&k, &mut back.clone(), server, num).unwrap_err();
        assert_eq!(err.0, "configs-in-order", "{num}: {}", err.1);
    }
}

/// A served shard holding data at some replica: the node, its state machine and the shard's
/// index.
fn served(nodes: &[Node]) -> (NodeId, Shards, usize) {
    let found = nodes.iter().enumerate().find_map(|(n, node)| {
        let Node::Replica(r) = node else { return None };
        let i = r.raft.kv.shards.iter().position(|s| s.status == Status::Serving && !s.kv.data.is_empty())?;
        Some((NodeId(n as u32), r.raft.kv.clone(), i))
    });
    found.expect("a served shard with data")
}

/// A group serves only the shards its configuration gives it: one still served (or awaited)
/// after the configuration gave it to another group breaks single-history at once, before any
/// operation reaches it. Before, keep-serving was caught only if a request reached both copies.
#[test]
fn a_shard_served_by_a_group_its_configuration_does_not_give_it_to_is_caught() {
    let (k, _, nodes) = run();
    let (node, machine, i) = served(&nodes);
    assert_eq!(owned(&k, node, &machine), Ok(()), "as it is");
    let other = (0..k.groups as u8).find(|g| *g != machine.group).expect("another group");
    for status in [Status::Serving, Status::Pulling { from: other, num: machine.config.num }] {
        let mut stray = machine.clone();
        stray.config.owners[i] = other;
        stray.shards[i].status = status;
        let err = owned(&k, node, &stray).unwrap_err();
        assert_eq!(err.0, "single-history", "{status:?}: {}", err.1);
    }
}

/// A group serves or awaits every shard its configuration gives it: one left absent (taken in,
/// then dropped) can never arrive, and breaks shard-arrives at once, under any faults. Before,
/// the property counted a group done once nothing was being pulled, and a shard it owned and
/// held as absent went unseen (an outside review's install-absent).
#[test]
fn a_shard_its_configuration_gives_a_group_that_it_neither_serves_nor_awaits_is_caught() {
    let (k, _, nodes) = run();
    let (node, machine, i) = served(&nodes);
    assert_eq!(judge(&k, node, &machine), Ok(()), "as it is");
    let mut dropped = machine.clone();
    dropped.shards[i].status = Status::Absent;
    let err = judge(&k, node, &dropped).unwrap_err();
    assert_eq!(err.0, "shard-arrives", "{}", err.1);
    assert!(err.1.contains(&format!("neither serves nor awaits shard {i}")), "{}", err.1);
}

/// Every server holding a configuration of some number holds the same one, the one the
/// configuration service made: a group with other owners under that number breaks
/// configs-in-order (before, only the numbers were compared).
#[test]
fn a_configuration_other_than_the_services_under_its_number_is_caught() {
    let (k, m, nodes) = run();
    let (node, machine, i) = served(&nodes);
    assert!(
        m.configs.contains_key(&machine.config.num),
        "the checker saw configuration {}",
        machine.config.num
    );
    assert_eq!(same_config(&k, &mut m.clone(), node, &machine.config), Ok(()), "the same");
    let mut other = machine.config.clone();
    other.owners[i] = (0..k.groups as u8).find(|g| *g != machine.group).expect("another group");
    let err = same_config(&k, &mut m.clone(), node, &other).unwrap_err();
    assert_eq!(err.0, "configs-in-order", "{}", err.1);
}

/// The same, through the checker's look after an event: a server that reaches a configuration
/// through its log (a Reached note) is compared by content. Before, the note moved the checker's
/// record of where the server stood first, and the content was compared only for a move
/// without a note (a snapshot, a restart): an outside review of the check found it.
#[test]
fn a_configuration_reached_through_the_log_is_compared_by_content() {
    let (k, m, mut nodes) = run();
    let (node, machine, i) = served(&nodes);
    let num = machine.config.num;
    let other = (0..k.groups as u8).find(|g| *g != machine.group).expect("another group");
    if let Node::Replica(r) = &mut nodes[node.index()] {
        r.raft.kv.config.owners[i] = other;
        r.raft.kv.shards[i].status = Status::Absent;
    }
    let mut back = m.clone();
    back.reached[node.index()] = num - 1;
    let notes = [Note::Reached { server: node, num }];
    let err = check(&k, &mut back, &nodes, Some(node), &notes).unwrap_err();
    assert_eq!(err.0, "configs-in-order", "{}", err.1);
}

/// A shard is taken in for a configuration by one group: a second group taking it in for the
/// same configuration breaks single-history, though its copy is as long as the first's.
#[test]
fn two_groups_taking_one_shard_in_for_one_configuration_are_caught() {
    let (k, m, _) = run();
    let shard = (0..k.shards as u8).max_by_key(|s| m.shards[*s as usize].at.len()).expect("a shard");
    let len = m.shards[shard as usize].at.len() as u64;
    let (a, b) = (k.members(0).global(NodeId(0)), k.members(1).global(NodeId(0)));
    let mut two = m.clone();
    assert_eq!(taken_in(&k, &mut two, a, shard, 1_000, len), Ok(()));
    assert_eq!(taken_in(&k, &mut two, k.members(0).global(NodeId(1)), shard, 1_000, len), Ok(()));
    let err = taken_in(&k, &mut two, b, shard, 1_000, len).unwrap_err();
    assert_eq!(err.0, "single-history", "{}", err.1);
}

/// A copy installed in an event is judged, though the shard was served before and after and its
/// count of operations did not move (lost and regained within one event, as a follower catching
/// up applies both configurations and the install): one with its data lost breaks data-moves.
#[test]
fn a_copy_installed_without_moving_the_count_is_judged() {
    let (k, m, nodes) = run();
    let (node, machine, i) = served(&nodes);
    let mut seen = m.clone();
    assert_eq!(tables(&k, &mut seen, node, &machine, &[]), Ok(()), "as it is");
    let mut lost = machine.clone();
    lost.shards[i].kv.data = Default::default();
    let (shard, num, ops) = (i as u8, machine.config.num, machine.shards[i].ops);
    let installed = [Note::Installed { server: node, shard, num, ops }];
    assert_eq!(tables(&k, &mut seen.clone(), node, &lost, &[]), Ok(()), "no note: not judged again");
    let err = tables(&k, &mut seen, node, &lost, &installed).unwrap_err();
    assert_eq!(err.0, "data-moves", "{}", err.1);
}
