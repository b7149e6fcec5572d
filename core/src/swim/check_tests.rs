//! Accuracy holds each death to the declaring member's own suspicion: its own timer must have
//! run a suspicion timeout. (It was judged from anyone's first suspicion of the member: a
//! member that declared at its first failed probe passed on an old suspicion by another, one
//! that crashed before it told anyone.) And a death at an incarnation the member has left is
//! judged too (it was not judged at all).

use alloc::vec::Vec;

use super::*;
use crate::protocol::NodeId;

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
