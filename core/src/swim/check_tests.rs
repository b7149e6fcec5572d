//! Accuracy holds each death to the declaring member's own suspicion: its own timer must have
//! run a suspicion timeout. (It was judged from anyone's first suspicion of the member: a
//! member that declared at its first failed probe passed on an old suspicion by another, one
//! that crashed before it told anyone.)

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
    let world = World {
        now: Time(now),
        up: &up,
        changed_at: &changed,
        up_epoch: 0,
        shape_at: Time::ZERO,
        dropped: None,
        skewed: false,
        slowed: false,
        explored: false,
    };
    // Another member suspected X long ago, after a loss; a ping between O and X was just lost.
    let mut m = Monitor::default();
    m.ensure(4);
    m.suspected.insert((x.0, 0), Time(old));
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
