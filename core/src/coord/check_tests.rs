//! The checker's judgement of the lock: against the tree the committed log builds, and each
//! fencing token held to the client it was given to.

use super::check;
use super::*;
use crate::net::FaultPreset;
use crate::sim::Sim;
use alloc::vec;

/// lock-order judges an acquisition against the tree the committed log builds: a client whose
/// predecessor's deletion is committed takes the lock rightly even if every replica's tree is
/// behind that deletion (a replica restarted from an older snapshot; before, the most advanced
/// replica's tree was the judge, and this was a false violation). A predecessor still in the
/// committed tree is a violation. fenced-writes holds every accepted write to a token its
/// writer was given: another client's token, or one no acquisition gave, is a violation.
#[test]
fn the_lock_is_judged_by_the_committed_tree_and_each_token_belongs_to_its_holder() {
    let c = Coordination::default();
    let mut sim = Sim::new(c.clone(), FaultPreset::None.config(), 1);
    let holding = |sim: &Sim<Coordination>| {
        sim.nodes().iter().enumerate().find_map(|(i, n)| match n {
            Node::Client(cl) if cl.step == client::Step::Working => {
                cl.mine.clone().map(|(path, token)| (NodeId(i as u32), path, token))
            }
            _ => None,
        })
    };
    // Early: every client's lock node is there.
    let mut early = None;
    while sim.now().0 < 10_000_000 && sim.step() {
        let trees = || {
            sim.nodes().iter().filter_map(|n| if let Node::Server(s) = n { Some(&s.raft.kv) } else { None })
        };
        if early.is_none() && trees().any(|t| t.children("/lock").len() >= 3) {
            early = Some((sim.nodes().to_vec(), sim.monitor().clone()));
        }
        if let Some((_, path, _)) = holding(&sim).filter(|(_, p, _)| !p.ends_with("0000000000")) {
            if early.as_ref().is_some_and(|(nodes, _)| {
                nodes.iter().any(|n| matches!(n, Node::Server(s) if s.raft.kv.children("/lock").len() >= 2 && s.raft.kv.nodes.contains_key(&path)))
            }) {
                break;
            }
        }
    }
    let (who, path, token) = holding(&sim).expect("a later holder");
    let (old_nodes, old_monitor) = early.expect("every lock node at once");
    let acquired = [Note::Acquired { client: who, path: path.clone(), token, election: false }];
    let mut m = sim.monitor().clone();
    assert_eq!(check::check(&c, &mut m, &old_nodes, None, &acquired), Ok(()), "replicas behind the log");
    let err = check::check(&c, &mut old_monitor.clone(), &old_nodes, None, &acquired).unwrap_err();
    assert_eq!(err.0, "lock-order", "{}", err.1);

    let stored = |client| [Note::Stored { client, token }];
    assert_eq!(check::check(&c, &mut m.clone(), sim.nodes(), None, &stored(who)), Ok(()));
    let other = NodeId(if who.0 == 3 { 4 } else { 3 });
    let err = check::check(&c, &mut m.clone(), sim.nodes(), None, &stored(other)).unwrap_err();
    assert_eq!(err.0, "fenced-writes", "another client's token: {}", err.1);
    let never = [Note::Stored { client: who, token: token + 1_000 }];
    let err = check::check(&c, &mut m.clone(), sim.nodes(), None, &never).unwrap_err();
    assert_eq!(err.0, "fenced-writes", "a token never given: {}", err.1);
    let wrong = [Note::Acquired { client: who, path, token: token + 1, election: false }];
    let err = check::check(&c, &mut m.clone(), sim.nodes(), None, &wrong).unwrap_err();
    assert_eq!(err.0, "fenced-writes", "not its node's creating zxid: {}", err.1);
}

/// C1 holds an exist watch on /x; its server crashes, and C2 creates /x (and with `delete`,
/// deletes it again) while C1 is away. Returns the run at 3 s, before C1 moves.
fn created_while_away(delete: bool) -> (Coordination, Sim<Coordination>, NodeId) {
    let c = Coordination {
        recipe: Recipe::Idle,
        session_timeout_ms: 10_000,
        stagger_ms: 300,
        ..Default::default()
    };
    let (c1, c2) = (NodeId(c.servers() as u32), NodeId(c.servers() as u32 + 1));
    let mut sim = Sim::new(c.clone(), FaultPreset::None.config(), 1);
    let run_to = |sim: &mut Sim<Coordination>, ms: u64| while sim.now().0 < ms * 1000 && sim.step() {};
    let ask = |sim: &mut Sim<Coordination>, who, text: &str| {
        sim.apply_input(crate::sim::Input::Client(who, parse_op(text).expect("a request")))
    };
    run_to(&mut sim, 1_500);
    ask(&mut sim, c1, "exists /x watch");
    run_to(&mut sim, 1_800);
    let Node::Client(cl) = &sim.nodes()[c1.index()] else { panic!("C1 is a client") };
    assert_eq!(cl.watches.len(), 1, "C1 watches /x");
    sim.apply_input(crate::sim::Input::Crash(cl.server));
    ask(&mut sim, c2, "create /x 1");
    if delete {
        run_to(&mut sim, 2_300);
        ask(&mut sim, c2, "delete /x");
    }
    run_to(&mut sim, 3_000);
    (c, sim, c1)
}

/// Where a client that holds an exist watch connects again, a server sets its watches again;
/// ZooKeeper's `setWatches` fires an exist watch at once if its node is there. A result past
/// the node's creation without that event breaks watch-first; a node created and deleted while
/// the client was away is missed, as ZooKeeper documents. Before, every exist watch counted
/// afresh from the reconnection, and a server that did not fire one whose node was there
/// passed.
#[test]
fn an_exist_watch_whose_node_is_there_must_fire_where_its_client_reconnects() {
    for delete in [false, true] {
        let (c, sim, c1) = created_while_away(delete);
        assert!(sim.violation().is_none(), "{:?}", sim.violation());
        let Node::Client(cl) = &sim.nodes()[c1.index()] else { panic!("C1 is a client") };
        assert_eq!(cl.watches.len(), 1, "C1 has not moved yet");
        let zxid = sim
            .nodes()
            .iter()
            .filter_map(|n| if let Node::Server(s) = n { Some(s.raft.kv.zxid) } else { None })
            .max();
        let zxid = zxid.expect("a server");
        let notes = [
            Note::Rewatched { client: c1, conn: cl.conn, zxid },
            Note::Observed { client: c1, zxid, event: None },
        ];
        let judged = check::check(&c, &mut sim.monitor().clone(), sim.nodes(), None, &notes);
        if delete {
            assert_eq!(judged, Ok(()), "created and deleted while away: missed");
        } else {
            assert_eq!(judged.map_err(|e| e.0), Err("watch-first"), "there: it must fire first");
        }
    }
}

/// expiry-after-timeout is judged against the heartbeats the network delivered to the leader,
/// not only against its own record: a follower's relay that reached the leader counts though
/// the leader noted nothing (it dropped the relay), and an expiry within a timeout of it is a
/// violation. A relay that reached a server not leading, or a ping on a connection the leader
/// does not know, is no heartbeat a correct leader must count. Before, a leader that dropped
/// every relay (mutant `ignore-relays`) passed every sweep.
#[test]
fn an_expiry_is_judged_against_the_heartbeats_that_reached_the_leader() {
    let c = Coordination::default();
    let mut sim = Sim::new(c.clone(), FaultPreset::None.config(), 1);
    let leader = |sim: &Sim<Coordination>| {
        sim.nodes().iter().enumerate().find_map(|(i, n)| match n {
            Node::Server(s)
                if s.raft.role == crate::raft::server::Role::Leader && !s.raft.kv.sessions.is_empty() =>
            {
                Some((NodeId(i as u32), *s.raft.kv.sessions.keys().next().unwrap()))
            }
            _ => None,
        })
    };
    while leader(&sim).is_none() && sim.step() {}
    let (l, session) = leader(&sim).expect("a leader with a session");
    let follower = NodeId(if l.0 == 0 { 1 } else { 0 });
    let timeout_ms = 1_000;
    let expiring = [Note::Expiring { leader: l, session, at: Time(0), timeout_ms }];
    let elected = [Note::Raft(crate::raft::Note::Elected { node: l, term: 1 })];
    let (up, changed) = (vec![true; sim.nodes().len()], vec![Time::ZERO; sim.nodes().len()]);
    let judge = |h: &mut expiry::Heartbeats, notes: &[Note], ms: u64| {
        h.judge(notes, &crate::protocol::World::quiet(Time(ms * 1000), &up, &changed)).map_err(|e| e.0)
    };
    let deliver = |h: &mut expiry::Heartbeats, from: NodeId, to: NodeId, msg: &Msg, ms: u64| {
        let d = crate::protocol::Delivered { from, to, sent: Time(ms * 1000), now: Time(ms * 1000), msg };
        h.delivered(&c, sim.nodes(), &d)
    };
    let relay = Msg::Touch { sessions: vec![(session, Time::ZERO)] };
    let mut h = expiry::Heartbeats::default();
    assert_eq!(judge(&mut h, &elected, 100), Ok(()));
    deliver(&mut h, follower, l, &relay, 5_000);
    assert_eq!(judge(&mut h, &expiring, 5_999), Err("expiry-after-timeout"), "within a timeout of the relay");
    assert_eq!(judge(&mut h, &expiring, 6_000), Ok(()), "a whole timeout after it");

    let mut h = expiry::Heartbeats::default();
    assert_eq!(judge(&mut h, &elected, 100), Ok(()));
    assert_eq!(
        judge(&mut h, &expiring, 1_099),
        Err("expiry-after-timeout"),
        "within a timeout of taking office"
    );
    deliver(&mut h, l, follower, &relay, 500);
    let stranger = Msg::Ping { conn: 99, session, clock: Time::ZERO, seen: 0, hello: None };
    deliver(&mut h, NodeId(c.servers() as u32), l, &stranger, 500);
    assert_eq!(judge(&mut h, &expiring, 1_100), Ok(()), "no heartbeat the leader had to count");
}
