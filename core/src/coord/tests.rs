//! The coordination service: runs with faults, and each mutant caught.

use alloc::vec::Vec;

use super::tree::{EventType, TreeOp, Txn};
use super::*;
use crate::net::FaultPreset;
use crate::raft::server::Role;
use crate::sim::Sim;

/// The swarm's cases for `seeds`, 20,000 events each, with this mutant, up to the first
/// violation.
fn swarm(seeds: core::ops::Range<u64>, mutant: Option<Mutant>) -> swarm::Swept {
    swarm::sweep(seeds, None, mutant, 20_000, true)
}

#[test]
fn without_faults_the_clients_take_turns_with_the_lock() {
    let c = Coordination::default();
    let mut sim = Sim::new(c.clone(), FaultPreset::None.config(), 1);
    while sim.now().0 < 10_000_000 && sim.step() {}
    assert!(sim.violation().is_none(), "{:?}", sim.violation());
    let Some(Node::Storage(st)) = sim.nodes().last() else { panic!("no storage node") };
    let writers: Vec<u32> = st.writes.iter().map(|w| w.0 .0).collect();
    assert!(st.highest > 0, "{st:?}");
    for c in 3..6 {
        assert!(writers.contains(&c), "client {c} never wrote: {writers:?}");
    }
}

#[test]
fn a_swarm_of_configurations_keeps_every_promise() {
    let s = swarm(0..200, None);
    assert_eq!(s.first, None);
    assert!(s.stored > 400, "the sweep saw {} writes to storage", s.stored);
    assert!(s.operations > 1_000, "the sweep judged {} operations of client histories", s.operations);
}

#[test]
fn the_swarm_catches_every_mutant() {
    let mut caught = Vec::new();
    for m in MUTANTS {
        caught.push((m.name, swarm(0..200, Mutant::parse(m.name)).first_words()));
    }
    assert!(caught.iter().all(|c| c.1.is_some()), "{caught:#?}");
}

fn run_to(sim: &mut Sim<Coordination>, ms: u64) {
    while sim.next_time().is_some_and(|t| t <= Time::from_ms(ms)) && sim.step() {}
}

/// Each client's session, by client index.
fn sessions(sim: &Sim<Coordination>) -> Vec<u64> {
    sim.nodes()
        .iter()
        .filter_map(|n| if let Node::Client(cl) = n { Some(cl.session) } else { None })
        .collect()
}

#[test]
fn a_server_cut_off_from_the_ensemble_closes_its_clients_who_keep_their_sessions_elsewhere() {
    // A follower that can reach its clients but no other server. ZooKeeper's follower stops
    // serving after its sync limit and closes its connections; the clients move to another
    // server and their sessions live on. Before: it answered their heartbeats for ever, the
    // leader heard nothing of those sessions and expired them.
    // (A session shorter than the sync limit and a heartbeat can expire first, in ZooKeeper
    // as here: its timeout should leave the time to move.)
    for seed in 1..=6 {
        cut_off_follower(seed);
    }
}

fn cut_off_follower(seed: u64) {
    use crate::sim::Input;
    let c = Coordination { recipe: Recipe::Idle, session_timeout_ms: 2_000, ..Coordination::default() };
    let mut sim = Sim::new(c.clone(), FaultPreset::None.config(), seed);
    run_to(&mut sim, 2_000);
    let before = sessions(&sim);
    assert!(before.iter().all(|s| *s != 0), "every client has a session: {before:?}");
    let follower = servers(&sim, Role::Follower).next().expect("a follower").raft.id;
    let on_it: Vec<NodeId> = clients_on(&sim, follower).map(|cl| cl.id).collect();
    assert!(!on_it.is_empty(), "a client is connected to {follower}");
    for k in 0..c.servers() as u32 {
        if k != follower.0 {
            sim.apply_input(Input::Cut(follower, NodeId(k)));
            sim.apply_input(Input::Cut(NodeId(k), follower));
        }
    }
    run_to(&mut sim, 6_000);
    assert!(sim.violation().is_none(), "{:?}", sim.violation());
    assert_eq!(sessions(&sim), before, "seed {seed}: a client lost its session");
    let leader = &servers(&sim, Role::Leader).next().expect("a leader").raft.kv;
    for session in &before {
        assert!(leader.sessions.contains_key(session), "seed {seed}: the ensemble expired session {session}");
    }
    let Node::Server(s) = &sim.nodes()[follower.index()] else { panic!("a server") };
    assert!(!s.serving && s.conns.is_empty(), "{follower} still serves: {:?}", s.conns);
    for id in on_it {
        let cl = client(&sim, id);
        assert_ne!(cl.server, follower, "{id} stayed on the cut-off server");
    }
}

#[test]
fn a_reply_lost_for_good_makes_the_client_move_instead_of_holding_the_rest_for_ever() {
    // Replies are taken in their server's order. One lost for good leaves every later one held
    // back; held replies kept the connection looking alive, so a client with nothing in
    // flight (here an idle one, waiting on a watch or the user) stayed on a connection that
    // would never deliver again.
    use crate::sim::Input;
    let c = Coordination { recipe: Recipe::Idle, session_timeout_ms: 1_000, ..Coordination::default() };
    let mut sim = Sim::new(c, FaultPreset::None.config(), 3);
    let pong = loop {
        assert!(sim.step(), "the run ended");
        assert!(sim.now() < Time::from_ms(5_000), "no heartbeat answered");
        let found = sim.flights().find_map(|f| match f.msg {
            Msg::Reply { body: Body::Pong { .. }, .. } if f.sent_at >= Time::from_ms(1_500) => {
                Some((f.id, f.from, f.to))
            }
            _ => None,
        });
        if let Some(found) = found {
            break found;
        }
    };
    let (id, server, client) = pong;
    sim.apply_input(Input::Drop(id));
    let until = sim.now().0 / 1000 + 2_000;
    run_to(&mut sim, until);
    let cl = self::client(&sim, client);
    assert_ne!(cl.server, server, "{client} still waits on {server}, holding {} replies", cl.held.len());
    assert!(cl.held.is_empty(), "{:?}", cl.held);
}

/// The idle recipe's service (clients that do what they are asked).
fn idle_config(session_timeout_ms: u32, mutant: Option<Mutant>) -> Coordination {
    Coordination {
        recipe: Recipe::Idle,
        session_timeout_ms,
        stagger_ms: 300,
        mutant,
        ..Coordination::default()
    }
}

/// The idle service run from seed `seed`, and its first two clients.
fn idle(session_timeout_ms: u32, mutant: Option<Mutant>, seed: u64) -> (Sim<Coordination>, NodeId, NodeId) {
    let c = idle_config(session_timeout_ms, mutant);
    let (c1, c2) = (NodeId(c.servers() as u32), NodeId(c.servers() as u32 + 1));
    (Sim::new(c, FaultPreset::None.config(), seed), c1, c2)
}

/// Client `id` as it is now.
fn client(sim: &Sim<Coordination>, id: NodeId) -> &client::Client {
    match &sim.nodes()[id.index()] {
        Node::Client(cl) => cl,
        other => panic!("{id} is not a client: {other:?}"),
    }
}

/// The servers in Raft role `role`.
fn servers(sim: &Sim<Coordination>, role: Role) -> impl Iterator<Item = &server::Server> {
    sim.nodes().iter().filter_map(move |n| match n {
        Node::Server(s) if s.raft.role == role => Some(s),
        _ => None,
    })
}

/// The clients connected to server `at`.
fn clients_on(sim: &Sim<Coordination>, at: NodeId) -> impl Iterator<Item = &client::Client> {
    sim.nodes().iter().filter_map(move |n| match n {
        Node::Client(cl) if cl.server == at => Some(cl),
        _ => None,
    })
}

/// Client `who` asks for each request in turn, the run going on to 150 ms past its time.
fn asks(sim: &mut Sim<Coordination>, who: NodeId, script: &[(u64, &str)]) {
    for (at, text) in script {
        ask(sim, who, text);
        run_to(sim, at + 150);
    }
}

/// The user asks client `who` for `text`.
fn ask(sim: &mut Sim<Coordination>, who: NodeId, text: &str) {
    sim.apply_input(crate::sim::Input::Client(who, parse_op(text).expect("a request")));
}

/// C1 watches /config, its server crashes, C2 sets /config while C1 moves to another server,
/// then C1 reads /config there (if `read`; else it only waits, heartbeating).
fn watch_across_a_crash(mutant: Option<Mutant>, read: bool) -> (Sim<Coordination>, NodeId) {
    use crate::sim::Input;
    let (mut sim, c1, c2) = idle(10_000, mutant, 1);
    run_to(&mut sim, 1_500);
    ask(&mut sim, c1, "create /config 1");
    run_to(&mut sim, 1_800);
    ask(&mut sim, c1, "get /config watch");
    run_to(&mut sim, 2_100);
    let cl = client(&sim, c1);
    assert_eq!(cl.watches, [("/config".into(), tree::WatchKind::Data)]);
    let server = cl.server;
    sim.apply_input(Input::Crash(server));
    ask(&mut sim, c2, "set /config 2");
    run_to(&mut sim, 4_000);
    if read {
        ask(&mut sim, c1, "get /config");
    }
    // (Without a request to time out, it notices the crash by its heartbeats, later.)
    run_to(&mut sim, if read { 5_000 } else { 9_000 });
    let cl = client(&sim, c1);
    assert_ne!(cl.server, server, "C1 moved");
    (sim, c1)
}

#[test]
fn a_watch_outlives_its_connection_and_its_event_comes_before_the_new_data() {
    // ZooKeeper's client sets its watches again on the server it moves to; that server fires
    // one whose node changed meanwhile. Before, the watch was lost with the connection: the
    // client read the new data and never heard the event.
    let (sim, c1) = watch_across_a_crash(None, true);
    assert!(sim.violation().is_none(), "{:?}", sim.violation());
    let cl = client(&sim, c1);
    assert!(cl.watches.is_empty(), "the event came: {:?}", cl.watches);
    let read = cl.last.as_ref().map(|(_, r)| r.clone());
    assert!(matches!(read, Some(tree::TreeResult::Data(Some((2, _, _))))), "{read:?}");
    // Without setting it again, the checker sees the new data come first.
    let (sim, _) = watch_across_a_crash(Some(Mutant::ForgetWatches), true);
    let v = sim.violation().expect("watch-first is broken");
    assert_eq!(v.property, "watch-first");
    assert!(v.message.contains("C1") && v.message.contains("/config"), "{}", v.message);
}

/// A client that only waits for its watch (a lock waiter, an election candidate, a discovery
/// watcher) takes nothing but heartbeats' answers: a lost watch shows when an answer comes from
/// a server that has applied the change (its zxid is in the answer, as in ZooKeeper's ping
/// reply). Before, nothing was judged, and forget-watches passed every lock, election and
/// discovery run.
#[test]
fn a_lost_watch_shows_in_a_heartbeats_answer() {
    let (sim, c1) = watch_across_a_crash(None, false);
    assert!(sim.violation().is_none(), "{:?}", sim.violation());
    assert!(client(&sim, c1).watches.is_empty(), "the event came");
    let (sim, _) = watch_across_a_crash(Some(Mutant::ForgetWatches), false);
    let v = sim.violation().expect("watch-first is broken");
    assert_eq!(v.property, "watch-first");
    assert!(v.message.contains("C1") && v.message.contains("/config"), "{}", v.message);
}

#[test]
fn exists_watches_a_missing_node_but_get_and_children_do_not() {
    let (mut sim, c1, c2) = idle(Coordination::default().session_timeout_ms, None, 2);
    let held = |sim: &Sim<Coordination>| client(sim, c1).watches.clone();
    let watches_on = |sim: &Sim<Coordination>| -> usize {
        sim.nodes().iter().map(|n| if let Node::Server(s) = n { s.watches.len() } else { 0 }).sum()
    };
    run_to(&mut sim, 1_500);
    ask(&mut sim, c1, "get /nope watch");
    run_to(&mut sim, 1_700);
    ask(&mut sim, c1, "children /nope watch");
    run_to(&mut sim, 1_900);
    assert!(held(&sim).is_empty() && watches_on(&sim) == 0, "{:?}", held(&sim));
    ask(&mut sim, c1, "exists /nope watch");
    run_to(&mut sim, 2_100);
    assert_eq!(held(&sim), [("/nope".into(), tree::WatchKind::Exist)]);
    assert_eq!(watches_on(&sim), 1);
    ask(&mut sim, c2, "create /nope 7");
    run_to(&mut sim, 2_500);
    assert!(held(&sim).is_empty(), "the creation fired it: {:?}", held(&sim));
    assert_eq!(watches_on(&sim), 0);
    assert!(sim.violation().is_none(), "{:?}", sim.violation());
}

#[test]
fn an_event_lost_with_its_connection_fires_again_even_after_another_of_the_same_change() {
    // Deleting /a/b trips C1's watch on /a/b and its watch on /a's children: two events for one
    // zxid. The first comes, the second is lost, and the connection stalls behind it. Before,
    // the first event moved the zxid C1 had seen to the change's, so the server it moved to saw
    // nothing new since and set the second watch again without firing it; C1 then read /a's
    // children without ever being told. (ZooKeeper's client takes its last zxid from results,
    // never from events.)
    use crate::sim::Input;
    let (mut sim, c1, c2) = idle(3_000, None, 4);
    run_to(&mut sim, 1_500);
    asks(
        &mut sim,
        c1,
        &[
            (1_700, "create /a 0"),
            (1_900, "create /a/b 0"),
            (2_100, "get /a/b watch"),
            (2_300, "children /a watch"),
        ],
    );
    let held = |sim: &Sim<Coordination>| (client(sim, c1).watches.len(), client(sim, c1).server);
    let (n, server) = held(&sim);
    assert_eq!(n, 2, "C1 holds both watches");
    ask(&mut sim, c2, "delete /a/b");
    // Lose the event of the watch on /a's children.
    let mut lost = false;
    while sim.now() < Time::from_ms(3_500) && sim.step() {
        let found = sim.flights().find_map(|f| match &f.msg {
            Msg::Reply { body: Body::Event { what: EventType::NodeChildrenChanged, .. }, .. }
                if f.to == c1 =>
            {
                Some(f.id)
            }
            _ => None,
        });
        if let Some(id) = found {
            sim.apply_input(Input::Drop(id));
            lost = true;
            break;
        }
    }
    assert!(lost, "the second event was sent");
    run_to(&mut sim, 7_000);
    let (n, now_on) = held(&sim);
    assert_ne!(now_on, server, "C1 moved");
    assert_eq!(n, 0, "both events came");
    ask(&mut sim, c1, "children /a");
    run_to(&mut sim, 8_000);
    assert!(sim.violation().is_none(), "{:?}", sim.violation());
}

/// The events a client is sent until `ms`, as (path, what happened), in the order sent.
fn events_to(sim: &mut Sim<Coordination>, client: NodeId, ms: u64) -> Vec<(String, EventType)> {
    let mut sent = Vec::new();
    let mut ids = Vec::new();
    while sim.now() < Time::from_ms(ms) && sim.step() {
        for f in sim.flights() {
            if let Msg::Reply { body: Body::Event { path, what, .. }, .. } = &f.msg {
                if f.to == client && !ids.contains(&f.id) {
                    ids.push(f.id);
                    sent.push((path.clone(), *what));
                }
            }
        }
    }
    sent
}

#[test]
fn events_say_what_happened_and_a_deletion_is_one_event_to_a_client_that_watched_node_and_children() {
    // ZooKeeper's DataTree: a creation is NodeCreated to the node's exist watches and
    // NodeChildrenChanged to its parent's child watches; a deletion is one NodeDeleted to a
    // client that watched the node and its children both (before, two events), and the client
    // takes both watches out.
    use EventType::*;
    let (mut sim, c1, c2) = idle(3_000, None, 4);
    run_to(&mut sim, 1_500);
    let script = [
        (1_700, "create /a 0"),
        (1_900, "create /a/b 0"),
        (2_100, "exists /a/c watch"),
        (2_300, "children /a watch"),
        (2_500, "get /a/b watch"),
        (2_700, "children /a/b watch"),
    ];
    asks(&mut sim, c1, &script);
    ask(&mut sim, c2, "create /a/c 1");
    let created = events_to(&mut sim, c1, 3_100);
    assert_eq!(created, [("/a/c".into(), NodeCreated), ("/a".into(), NodeChildrenChanged)]);
    ask(&mut sim, c2, "delete /a/b");
    let deleted = events_to(&mut sim, c1, 3_500);
    assert_eq!(deleted, [("/a/b".into(), NodeDeleted)]);
    assert!(client(&sim, c1).watches.is_empty(), "{:?}", client(&sim, c1).watches);
    assert!(sim.violation().is_none(), "{:?}", sim.violation());
}

#[test]
fn a_server_that_installs_a_snapshot_closes_its_clients_connections_instead_of_firing_every_watch() {
    // A ZooKeeper follower loads a snapshot only while it syncs with a leader, serving nobody.
    // Here S, lagging, gets the leader's snapshot while C1 is connected with a watch: it closes
    // the connection (C1 sets its watches again wherever it lands). Before, every watch on S
    // fired, whether or not its node had changed.
    let (mut sim, c1, c2) = idle(3_000, None, 4);
    let c = idle_config(3_000, None);
    run_to(&mut sim, 1_500);
    ask(&mut sim, c2, "create /a 0");
    run_to(&mut sim, 1_800);
    ask(&mut sim, c2, "create /b 0");
    run_to(&mut sim, 2_000);
    ask(&mut sim, c1, "get /a watch");
    run_to(&mut sim, 2_200);
    let cl = client(&sim, c1);
    let (sid, conn, session) = (cl.server, cl.conn, cl.session);
    let Node::Server(lagging) = &sim.nodes()[sid.index()] else { panic!("a server") };
    let mut lagging = lagging.clone();
    assert_eq!((lagging.conns.len(), lagging.watches.len()), (1, 1));
    ask(&mut sim, c2, "set /b 5");
    run_to(&mut sim, 2_600);
    let r = &servers(&sim, Role::Leader).next().expect("a leader").raft;
    let last_term = r.term_at(r.applied).expect("a term");
    let snapshot = crate::raft::Snapshot {
        last_index: r.applied,
        last_term,
        kv: crate::raft::Machine::snapshot(&r.kv),
        config: r.config.clone(),
    };
    let (leader, snapshot) = (r.id, (r.hard.term, snapshot));
    assert!(snapshot.1.last_index > lagging.raft.commit, "S lags");
    let mut fx = crate::testing::Effects::<Coordination>::at(sim.now());
    let msg = crate::raft::Msg::InstallSnapshot {
        term: snapshot.0,
        snapshot: alloc::boxed::Box::new(snapshot.1),
        seq: 1,
    };
    server::on_message(&c, &mut lagging, leader, Msg::Raft(msg), &mut fx.ctx(sid));
    let to_c1: Vec<Body> = fx
        .take()
        .into_iter()
        .filter_map(|(to, m)| match m {
            Msg::Reply { body, conn: k, .. } if to == c1 && k == conn => Some(body),
            _ => None,
        })
        .collect();
    assert_eq!(to_c1, [Body::Closed], "/a did not change: no event, the connection closes");
    assert!(lagging.conns.is_empty() && lagging.watches.is_empty());
    // The close is lost; the client, which never heard a reply on this connection, sends its
    // first message again, watches and all. The connection stays closed, as a reset TCP one:
    // opened again its replies would count from 1 again, and the client would take the first
    // opening's late replies after the new ones (seed 138 of the configuration store's light
    // sweep: client-order, a zxid seen going back).
    let hello = Some(alloc::vec![]);
    (lagging.raft.last_leader_contact, lagging.heard_back) = (Some(sim.now()), Some(sim.now()));
    let ping = Msg::Ping { conn, session, clock: sim.now(), seen: 0, hello };
    server::on_message(&c, &mut lagging, c1, ping, &mut fx.ctx(sid));
    let to_c1: Vec<(u64, Body)> = fx
        .take()
        .into_iter()
        .filter_map(|(to, m)| match m {
            Msg::Reply { body, conn: k, seq, .. } if to == c1 && k == conn => Some((seq, body)),
            _ => None,
        })
        .collect();
    assert_eq!(to_c1, [(0, Body::Closed)], "closed again, not opened with its replies counted from 1");
    assert!(lagging.conns.is_empty());
}

/// A leader whose proposal to expire a session is refused (Raft takes no proposal while a
/// leadership transfer is pending) proposes it again once `EXPIRE_RETRY_US` has passed without
/// it being applied. Red-team finding: the session stayed marked as expiring for as long as the
/// server led, and was never expired: its ephemeral nodes (a lock, a registration) stayed for
/// ever.
#[test]
fn a_refused_expiry_is_proposed_again() {
    type Fx = crate::testing::Effects<Coordination>;
    let (mut sim, _, _) = idle(1_000, None, 1);
    run_to(&mut sim, 2_000);
    let mut s = servers(&sim, Role::Leader).next().expect("a leader").clone();
    let me = s.raft.id.0;
    let session = *s.raft.kv.sessions.keys().next().expect("a session");
    // Whether the log holds a proposal to expire the session after index `from`.
    let proposed = |s: &server::Server, from: u64| {
        (from + 1..=s.raft.last_index()).any(|i| {
            matches!(s.raft.entry(i), Some(crate::raft::Entry { cmd: crate::raft::Command::Kv { op: Txn { op: TreeOp::Expire { session: x }, .. }, .. }, .. }) if *x == session)
        })
    };
    let c = idle_config(1_000, None);
    // Not heard from for 1.5 s, while a transfer is pending: the proposal is refused.
    s.seen.insert(session, Time::from_ms(500));
    s.raft.transfer = Some(NodeId(99));
    let last = s.raft.last_index();
    let mut fx = Fx::at(Time::from_ms(2_000));
    server::on_timer(&c, &mut s, Timer::Tick, &mut fx.ctx(me));
    assert_eq!(s.raft.last_index(), last, "refused while the transfer is pending");
    assert!(s.expiring.iter().any(|x| x.0 == session));
    // The transfer gives up; a tick before the retry time proposes nothing, one after does.
    s.raft.transfer = None;
    for (ms, again) in [(2_500, false), (3_000, true)] {
        let mut fx = Fx::at(Time::from_ms(ms));
        server::on_timer(&c, &mut s, Timer::Tick, &mut fx.ctx(me));
        assert_eq!(proposed(&s, last), again, "at {ms} ms");
    }
}

/// A client whose server crashes moves to another one two thirds of its session timeout after
/// it last heard from it (ZooKeeper's read timeout), leaving a third to reach the next server
/// before the leader expires the session: every session outlives a follower's crash. Red-team
/// finding: the client looked at the silence only when its heartbeat timer fired, every third of
/// the timeout, so it moved up to a whole timeout after the last answer and raced the expiry.
#[test]
fn a_client_leaves_a_crashed_server_at_its_read_timeout_and_keeps_its_session() {
    use crate::sim::Input;
    let c = Coordination { recipe: Recipe::Idle, session_timeout_ms: 1_000, ..Coordination::default() };
    let mut tried = 0;
    for seed in 1..=20 {
        let mut sim = Sim::new(c.clone(), FaultPreset::None.config(), seed);
        run_to(&mut sim, 2_000);
        let before = sessions(&sim);
        assert!(before.iter().all(|s| *s != 0), "seed {seed}: every client has a session: {before:?}");
        let on_a_follower = servers(&sim, Role::Follower)
            .find_map(|s| clients_on(&sim, s.raft.id).next().map(|cl| (s.raft.id, cl.id, cl.heard)));
        let Some((follower, who, heard)) = on_a_follower else { continue };
        tried += 1;
        sim.apply_input(Input::Crash(follower));
        while client(&sim, who).server == follower {
            assert!(sim.step(), "seed {seed}: the run ended");
        }
        let waited = sim.now().0 - heard.0;
        assert!(waited <= c.read_timeout_us(), "seed {seed}: {who} moved {waited} µs after it last heard");
        run_to(&mut sim, 5_000);
        assert!(sim.violation().is_none(), "seed {seed}: {:?}", sim.violation());
        assert_eq!(sessions(&sim), before, "seed {seed}: a client lost its session");
    }
    assert!(tried >= 10, "only {tried} seeds had a client on a follower");
}

/// A client whose session expired opens the next one on a new connection, so a late copy of a
/// heartbeat of the expired session, on the old connection, is ignored by the server instead of
/// answered "expired" and taken for news of the new session. Red-team finding: the answer did
/// not say which session it was about, and the client dropped its new session too.
#[test]
fn a_new_session_after_an_expiry_is_on_a_new_connection() {
    type Fx = crate::testing::Effects<Coordination>;
    let c = idle_config(1_000, None);
    let (mut sim, c1, _) = idle(1_000, None, 1);
    run_to(&mut sim, 2_000);
    let mut cl = client(&sim, c1).clone();
    let (old, conn, at) = (cl.session, cl.conn, cl.server);
    let Node::Server(s) = &sim.nodes()[at.index()] else { panic!("a server") };
    let mut s = s.clone();
    // The server says the session expired; the client opens another on a new connection.
    let mut fx = Fx::at(sim.now());
    let expired = Msg::Reply { conn, life: cl.life, seq: cl.next_seq, body: Body::Expired };
    client::on_message(&c, &mut cl, at, expired, &mut fx.ctx(c1.0));
    assert!(cl.conn > conn, "on a new connection: {} (was {conn})", cl.conn);
    let sent = fx.take();
    let open =
        sent.iter().find(|(to, m)| *to == at && matches!(m, Msg::Request { .. })).expect("an Open").clone();
    // The server takes the Open on the new connection; a late heartbeat of the old session, on
    // the old one, goes unanswered.
    server::on_message(&c, &mut s, c1, open.1, &mut fx.ctx(at.0));
    fx.take();
    let late = Msg::Ping { conn, session: old, clock: Time::ZERO, seen: 0, hello: None };
    server::on_message(&c, &mut s, c1, late, &mut fx.ctx(at.0));
    assert_eq!(fx.take(), alloc::vec![], "the late heartbeat is not answered");
}

/// A follower that hears the leader but cannot reach it (a one-way cut) stops serving within
/// the sync limit, as ZooKeeper's leader shuts down a learner it does not hear from, and its
/// clients move elsewhere with their sessions. Red-team finding: it served on, its relays of
/// their heartbeats were lost, and the leader expired sessions whose clients pinged all along.
#[test]
fn a_follower_the_leader_cannot_hear_stops_serving_and_its_clients_keep_their_sessions() {
    use crate::sim::Input;
    let c = Coordination { recipe: Recipe::Idle, session_timeout_ms: 2_000, ..Coordination::default() };
    let mut tried = 0;
    for seed in 1..=10 {
        let mut sim = Sim::new(c.clone(), FaultPreset::None.config(), seed);
        run_to(&mut sim, 2_000);
        let before = sessions(&sim);
        let leader = servers(&sim, Role::Leader).next().map(|s| s.raft.id);
        let follower =
            servers(&sim, Role::Follower).map(|s| s.raft.id).find(|f| clients_on(&sim, *f).next().is_some());
        let (Some(leader), Some(follower)) = (leader, follower) else { continue };
        tried += 1;
        sim.apply_input(Input::Cut(follower, leader));
        run_to(&mut sim, 8_000);
        assert!(sim.violation().is_none(), "seed {seed}: {:?}", sim.violation());
        assert_eq!(sessions(&sim), before, "seed {seed}: a client lost its session");
        assert!(clients_on(&sim, follower).next().is_none(), "seed {seed}: a client is still on {follower}");
    }
    assert!(tried >= 5, "only {tried} seeds had a client on a follower");
}

/// A lock waiter whose predecessor is already gone leaves no watch behind: it reads the
/// predecessor with `getData` and a watch, as Curator's lock does (`LockInternals`), where an
/// `exists` left an exist watch on a name never used again, one per such race, until the
/// client's cap dropped the watch of a later wait (and the waiter waited for good).
#[test]
fn lock_waiters_leave_no_watch_on_a_gone_predecessor() {
    let mut leaked = 0;
    for seed in 0..200 {
        let c = Coordination { clients: 8, ..Coordination::default() };
        let mut sim = Sim::new(c, FaultPreset::Light.config(), seed);
        while sim.events() < 20_000 && sim.step() {}
        assert!(sim.violation().is_none(), "seed {seed}: {:?}", sim.violation());
        for n in sim.nodes() {
            if let Node::Client(cl) = n {
                leaked += cl.watches.iter().filter(|w| w.1 == super::tree::WatchKind::Exist).count();
            }
        }
    }
    assert_eq!(leaked, 0);
}
