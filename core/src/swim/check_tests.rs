//! Accuracy holds each death to the declaring member's own suspicion: its own timer must have
//! run a suspicion timeout. (It was judged from anyone's first suspicion of the member: a
//! member that declared at its first failed probe passed on an old suspicion by another, one
//! that crashed before it told anyone.) And a death at an incarnation the member has left is
//! judged too (it was not judged at all).
//!
//! `refutation` holds a prober to the answer its accusing ping got, matched with what the
//! ping it answers carried; and it catches `refutation-ignored` at 40 members, where the
//! suspicion timeout (capped at 64 periods) does not span two rounds of probes and
//! `accuracy`'s second half is not judged: a sweep caught it in none of 100 light-fault runs.
//! `suspicion` holds a failed probe to the answers that reached the prober: a prober that
//! ignores relayed acks (`relay-by-sender`) was caught only where a relayed refutation was
//! ignored (29 of 100 light runs, 2 of 100 heavy), now in every run.

use alloc::vec::Vec;

use super::*;
use crate::protocol::{Delivered, NodeId};

#[test]
fn a_death_is_judged_from_the_declaring_members_own_suspicion() {
    let sw = Swim { members: 4, ..Swim::default() };
    let s = sw.suspicion_timeout().0;
    let mut fx = crate::testing::Effects::<Swim>::at(Time::ZERO);
    let nodes: Vec<Node> =
        (0..4).map(|i| super::super::node::fresh(&sw, NodeId(i), 0, &mut fx.ctx(NodeId(i)))).collect();
    let (o, x) = (NodeId(1), NodeId(3));
    let (old, now) = (1_000_000, 1_000_000 + 10 * s);
    let up = [true; 4];
    let changed = [Time::ZERO; 4];
    let world = World::quiet(Time(now), &up, &changed);
    // Another member suspected X long ago, after a loss; a ping between O and X was just lost.
    let mut m = Monitor::default();
    m.ensure(4);
    m.suspected.insert((x.0, 0), (Time(old), true));
    m.first_drop[x.index()] = Some(Time(old - 100_000));
    m.pair_drops[x.index()].push((o, Time(now - 1_000)));

    let err = accuracy(&sw, &m, &nodes, o, x, 0, &world).unwrap_err();
    assert_eq!(err.0, "accuracy");
    assert!(err.1.contains("itself had not suspected"), "{}", err.1);

    m.own_suspicion.insert((o.0, x.0), (0, Time(now - s / 2)));
    let err = accuracy(&sw, &m, &nodes, o, x, 0, &world).unwrap_err();
    assert!(err.1.contains("ripens only after"), "{}", err.1);

    m.own_suspicion.insert((o.0, x.0), (0, Time(now - s)));
    assert_eq!(accuracy(&sw, &m, &nodes, o, x, 0, &world), Ok(()), "its own suspicion ripened");
}

#[test]
fn a_death_at_an_incarnation_the_member_has_left_is_judged() {
    let sw = Swim { members: 4, ..Swim::default() };
    let s = sw.suspicion_timeout().0;
    let mut fx = crate::testing::Effects::<Swim>::at(Time::ZERO);
    let (o, x) = (NodeId(1), NodeId(3));
    // X is up at #2; O still believes #1 and declares it dead there.
    let nodes: Vec<Node> = (0..4)
        .map(|i| {
            super::super::node::fresh(&sw, NodeId(i), if i == 3 { 2 } else { 0 }, &mut fx.ctx(NodeId(i)))
        })
        .collect();
    let now = 1_000_000 + 10 * s;
    let up = [true; 4];
    let changed = [Time::ZERO; 4];
    let world = World::quiet(Time(now), &up, &changed);
    let mut m = Monitor::default();
    m.ensure(4);
    m.own_suspicion.insert((o.0, x.0), (1, Time(now - s)));
    m.pair_drops[x.index()].push((o, Time(now - 1_000)));

    // Nobody suspected X at #1: a member that moved on without a word was declared dead.
    let err = accuracy(&sw, &m, &nodes, o, x, 1, &world).unwrap_err();
    assert_eq!(err.0, "accuracy");
    assert!(err.1.contains("nobody had suspected it at #1"), "{}", err.1);

    // A suspicion at #1 with no loss before it is no evidence either.
    m.suspected.insert((x.0, 1), (Time(now - 2 * s), false));
    let err = accuracy(&sw, &m, &nodes, o, x, 1, &world).unwrap_err();
    assert!(err.1.contains("was lost in #1 before its suspicion began"), "{}", err.1);

    // One that began with a failed probe, ripened, and O's own probe failing since: a death
    // by the evidence, as a refutation O never heard allows.
    m.suspected.insert((x.0, 1), (Time(now - 2 * s), true));
    assert_eq!(accuracy(&sw, &m, &nodes, o, x, 1, &world), Ok(()));

    // The heartbeat detector's older incarnation is a past life: not judged.
    let hb = Swim { detector: Detector::Heartbeat, ..sw };
    m.suspected.clear();
    assert_eq!(accuracy(&hb, &m, &nodes, o, x, 1, &world), Ok(()));
}

/// `o`'s declaring `x` dead at `inc`, as `refutation` judges it.
fn refuted(m: &Monitor, o: NodeId, x: NodeId, inc: u32) -> Verdict {
    m.probes.clone().refutation(o, x, Entry { status: Status::Dead, inc })
}

fn four(sw: &Swim) -> Vec<Node> {
    let mut fx = crate::testing::Effects::<Swim>::at(Time::ZERO);
    (0..4).map(|i| super::super::node::fresh(sw, NodeId(i), 0, &mut fx.ctx(NodeId(i)))).collect()
}

#[test]
fn an_answer_counts_against_a_death_only_if_it_answers_the_accusing_ping() {
    let sw = Swim { members: 4, ..Swim::default() };
    let (o, x, h) = (NodeId(1), NodeId(3), NodeId(2));
    let mut nodes = four(&sw);
    nodes[o.index()].probe = Some(Probe { target: x, seq: 8, acked: false });
    let accusing = Msg::Ping { seq: 8, suspect: Some(0), gossip: Vec::new() };
    let ack = Msg::Ack { seq: 8, of: x, alive: None, gossip: Vec::new() };
    let at =
        |from, to, sent: u64, now: u64, msg| Delivered { from, to, sent: Time(sent), now: Time(now), msg };
    let mut m = Monitor::default();
    m.ensure(4);
    // O's ping accusing X at #0 reaches X at 100.
    delivered(&mut m, &nodes, &at(o, x, 90, 100, &accusing));
    // An answer X sent at 50, to an older ping of the same number (before O restarted, when it
    // did not accuse X), is not the answer to the accusation.
    delivered(&mut m, &nodes, &at(x, o, 50, 110, &ack));
    assert_eq!(refuted(&m, o, x, 0), Ok(()));
    // Nor is an answer relayed by H (a relay that restarted may pass on an old one).
    delivered(&mut m, &nodes, &at(h, o, 105, 112, &ack));
    assert_eq!(refuted(&m, o, x, 0), Ok(()));
    // X's answer as it took the accusation is.
    delivered(&mut m, &nodes, &at(x, o, 100, 120, &ack));
    assert_eq!(refuted(&m, o, x, 0).unwrap_err().0, "refutation");
    assert_eq!(refuted(&m, o, x, 1), Ok(()), "another incarnation");

    // A ping O sent before its current life began accuses nothing in this one.
    let mut m = Monitor::default();
    m.ensure(4);
    m.probes.restarted(o.index(), Time(95));
    delivered(&mut m, &nodes, &at(o, x, 90, 100, &accusing));
    delivered(&mut m, &nodes, &at(x, o, 100, 120, &ack));
    assert_eq!(refuted(&m, o, x, 0), Ok(()));

    // An answer that comes after the probe ended is not taken: it judges nothing.
    let mut m = Monitor::default();
    m.ensure(4);
    delivered(&mut m, &nodes, &at(o, x, 90, 100, &accusing));
    nodes[o.index()].probe = Some(Probe { target: x, seq: 9, acked: false });
    delivered(&mut m, &nodes, &at(x, o, 100, 120, &ack));
    assert_eq!(refuted(&m, o, x, 0), Ok(()));
}

#[test]
fn ignoring_an_accusation_is_caught_at_forty_members_with_either_selection() {
    for selection in [Selection::RoundRobin, Selection::Random] {
        let sw = Swim { members: 40, selection, ..Swim::default() };
        assert!(!sw.suspicion_spans_rounds());
        let caught = (0..4)
            .filter(|&seed| {
                let broken = Swim { mutant: Some(Mutant::RefutationIgnored), ..sw.clone() };
                let mut sim = crate::sim::Sim::new(broken, crate::net::FaultPreset::Light.config(), seed);
                while sim.events() < 20_000 && sim.step() {}
                sim.violation().is_some_and(|v| v.property == "refutation")
            })
            .count();
        assert_eq!(caught, 4, "{selection:?}");
    }
}

#[test]
fn a_prober_that_ignores_relayed_answers_is_caught_by_suspicion() {
    for seed in 0..4 {
        let run = |mutant| {
            let sw = Swim { mutant, ..Swim::default() };
            let mut sim = crate::sim::Sim::new(sw, crate::net::FaultPreset::Light.config(), seed);
            while sim.events() < 20_000 && sim.step() {}
            sim.violation().map(|v| v.property.clone())
        };
        assert_eq!(run(Some(Mutant::RelayBySender)).as_deref(), Some("suspicion"), "seed {seed}");
        assert_eq!(run(None), None, "seed {seed}");
    }
}
