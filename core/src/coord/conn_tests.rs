//! The coordination service's connections: how a server refuses or closes one.

use super::tree::TreeOp;
use super::*;
use crate::net::FaultPreset;
use crate::sim::Sim;
use alloc::collections::BTreeSet;

/// A server behind the zxid a client has seen refuses it at once, as ZooKeeper does ("client
/// must try another server"), closing the connection, instead of leaving the client to wait
/// out its timeout in silence (before: no answer at all).
#[test]
fn a_server_behind_the_clients_zxid_closes_the_connection() {
    use crate::trace::RecordKind;
    let mut refused = 0;
    for seed in 0..20 {
        let mut sim = Sim::new(Coordination::default(), FaultPreset::Light.config(), seed);
        while sim.events() < 20_000 && sim.step() {
            for r in sim.last_records() {
                let RecordKind::Deliver { from, to, msg, .. } = &r.kind else { continue };
                let (Msg::Ping { seen, conn, .. } | Msg::Request { seen, conn, .. }) = msg else { continue };
                let Some(Node::Server(s)) = sim.nodes().get(to.index()) else { continue };
                if *seen <= s.raft.kv.zxid || !s.serving {
                    continue;
                }
                refused += 1;
                let closed = sim.last_records().iter().any(|x| {
                    matches!(&x.kind, RecordKind::Send { from: f, to: t, msg: Msg::Reply { conn: c, body: Body::Closed, .. }, .. }
                        if f == to && t == from && c == conn)
                });
                assert!(
                    closed,
                    "seed {seed}, event {}: {to} is behind {from} (zxid {} < {seen}) and said nothing",
                    r.event, s.raft.kv.zxid
                );
            }
        }
    }
    assert!(refused > 0, "no server was ever behind a client's zxid: the test shows nothing");
}

/// A read the network delivered twice on one connection is taken once, as TCP would deliver
/// it: before, the second copy was answered again and left its watch again after the first
/// had fired, so the client was told of a later change it never asked about (found by
/// watch-once's check of events against the committed log: config recipe, seed 4, light).
#[test]
fn a_read_delivered_twice_on_one_connection_is_answered_once() {
    use crate::trace::RecordKind;
    let mut taken = BTreeSet::new();
    let mut copies = 0;
    for seed in 0..20 {
        let c = Coordination { recipe: Recipe::Config, ..Coordination::default() };
        let mut sim = Sim::new(c, FaultPreset::Light.config(), seed);
        while sim.events() < 20_000 && sim.step() {
            for r in sim.last_records() {
                let RecordKind::Deliver { from, to, msg: Msg::Request { conn, req, op, .. }, .. } = &r.kind
                else {
                    continue;
                };
                if !matches!(op, TreeOp::Get { .. } | TreeOp::Exists { .. } | TreeOp::Children { .. }) {
                    continue;
                }
                let answered = sim.last_records().iter().any(|x| {
                    matches!(&x.kind, RecordKind::Send { from: f, to: t, msg: Msg::Reply { body: Body::Result { req: q, .. }, .. }, .. }
                        if f == to && t == from && q == req)
                });
                let key = (seed, *to, *from, *conn, *req);
                if taken.contains(&key) {
                    copies += 1;
                    assert!(
                        !answered,
                        "seed {seed}, event {}: {to} answered {from}'s read #{req} twice",
                        r.event
                    );
                } else if answered {
                    taken.insert(key);
                }
            }
        }
    }
    assert!(copies > 0, "no read reached a server twice: the test shows nothing");
}

/// An election's leader whose connection is lost stops leading at once, and leads again only
/// after it is connected and has found its node still first (Curator's `LeaderLatch`:
/// leadership given up on SUSPENDED, the children listed again on RECONNECTED). Before, a
/// leader went on leading, and writing, while it looked for a server.
#[test]
fn an_election_leader_whose_server_crashes_stops_leading_and_leads_again() {
    use crate::protocol::Time;
    use crate::sim::Input;
    use client::Step;
    let c = Coordination { recipe: Recipe::Election, ..Coordination::default() };
    let mut sim = Sim::new(c, FaultPreset::None.config(), 1);
    let leader = |sim: &Sim<Coordination>| {
        sim.nodes().iter().find_map(|n| match n {
            Node::Client(cl) if cl.step == Step::Working => Some(cl.clone()),
            _ => None,
        })
    };
    while leader(&sim).is_none() && sim.step() {}
    let first = leader(&sim).expect("a leader");
    sim.apply_input(Input::Crash(first.server));
    let mut suspended = false;
    while sim.now() < Time::from_ms(30_000) && sim.step() {
        let Node::Client(cl) = &sim.nodes()[first.id.index()] else { unreachable!() };
        let leads = matches!(cl.step, Step::Working | Step::Writing);
        assert!(
            !(leads && cl.connecting),
            "event {}: {} leads while it looks for a server",
            sim.events(),
            cl.id
        );
        suspended |= cl.step == Step::Suspended;
        if suspended && leads {
            assert_eq!(cl.mine, first.mine, "it leads again with the node it had");
            assert_ne!(cl.server, first.server);
            return;
        }
    }
    panic!("suspended: {suspended}; it never led again");
}

/// Under heavy faults, no election client ever leads while it looks for a server.
#[test]
fn no_election_client_leads_while_it_looks_for_a_server() {
    use client::Step;
    let mut suspended = 0;
    for seed in 0..20 {
        let c = Coordination { recipe: Recipe::Election, ..Coordination::default() };
        let mut sim = Sim::new(c, FaultPreset::Heavy.config(), seed);
        while sim.events() < 20_000 && sim.step() {
            for n in sim.nodes() {
                let Node::Client(cl) = n else { continue };
                let leads = matches!(cl.step, Step::Working | Step::Writing);
                assert!(
                    !(leads && cl.connecting),
                    "seed {seed}, event {}: {} leads while it looks for a server",
                    sim.events(),
                    cl.id
                );
                suspended += (cl.step == Step::Suspended) as u32;
            }
        }
    }
    assert!(suspended > 0, "no leader ever lost its connection: the test shows nothing");
}

/// On RECONNECTED every election participant lists the children again, a waiter too (Curator's
/// `LeaderLatch.handleStateChange` calls `getChildren` whatever its leadership), and goes on
/// waiting with the node it had.
#[test]
fn a_waiting_election_participant_lists_again_once_reconnected() {
    use crate::protocol::Time;
    use crate::sim::Input;
    use client::Step;
    let c = Coordination { recipe: Recipe::Election, ..Coordination::default() };
    let mut sim = Sim::new(c, FaultPreset::None.config(), 1);
    let waiter = |sim: &Sim<Coordination>| {
        sim.nodes().iter().find_map(|n| match n {
            Node::Client(cl) if matches!(cl.step, Step::Waiting(_)) => Some(cl.clone()),
            _ => None,
        })
    };
    while waiter(&sim).is_none() && sim.step() {}
    let first = waiter(&sim).expect("a waiter");
    sim.apply_input(Input::Crash(first.server));
    let mut moved = false;
    while sim.now() < Time::from_ms(30_000) && sim.step() {
        let Node::Client(cl) = &sim.nodes()[first.id.index()] else { unreachable!() };
        moved |= cl.server != first.server;
        if moved && cl.step == Step::Listing {
            assert_eq!(cl.mine, first.mine, "it lists with the node it had");
            return;
        }
    }
    panic!("{} never listed the children again after it moved (moved: {moved})", first.id);
}
