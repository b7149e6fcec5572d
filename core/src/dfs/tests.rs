use alloc::vec;
use alloc::vec::Vec;

use super::placement::*;
use crate::rng::Rng;

fn topo(spec: &str) -> Topology {
    Topology::parse(spec).unwrap()
}

fn node(rack: usize, index: u32) -> Node {
    Node { rack, index }
}

#[test]
fn racks_and_writers_are_read_with_their_limits() {
    let t = topo("r1:4, r2:3,r7:1");
    assert_eq!(t.nodes, 8);
    assert_eq!(t.racks[2], Rack { number: 7, nodes: 1 });
    assert_eq!(t.name(node(2, 0)), "r7/n0");
    assert_eq!(t.writer("r2/n2"), Ok(Writer::Node(node(1, 2))));
    assert_eq!(t.writer("r2/n3"), Ok(Writer::Rack(1)), "past the rack's nodes: on the rack, not a data node");
    assert_eq!(t.writer("r9/n0"), Ok(Writer::Off));
    for bad in ["", "r1", "r1:0", "r1:x", "x1:2", "r:2", "r1:2,r1:3", "r1:1025", "r1:-1", "r01x:2"] {
        assert!(Topology::parse(bad).is_err(), "{bad:?} was accepted");
    }
    let many: Vec<_> = (0..=MAX_RACKS).map(|i| alloc::format!("r{i}:1")).collect();
    assert!(Topology::parse(&many.join(",")).unwrap_err().contains("at most 64 racks"));
    let big: Vec<_> = (0..9).map(|i| alloc::format!("r{i}:1000")).collect();
    assert!(Topology::parse(&big.join(",")).unwrap_err().contains("8192 nodes"));
    for bad in ["r1", "r1/0", "r1/n", "1/n0", "r1/nx", "r1/n99999999999"] {
        assert!(t.writer(bad).is_err(), "{bad:?} was accepted");
    }
}

#[test]
fn the_rack_limit_is_hdfs_get_max_nodes_per_rack() {
    // (R−1)/racks + 2, one less when it would let every replica share a rack.
    let two = topo("r1:10,r2:10");
    assert_eq!([1, 2, 3, 4, 5, 10].map(|r| two.max_per_rack(r)), [1, 1, 2, 3, 4, 6]);
    let three = topo("r1:5,r2:5,r3:5");
    assert_eq!([3, 4, 7].map(|r| three.max_per_rack(r)), [2, 3, 4]);
    assert_eq!(topo("r1:5").max_per_rack(3), 3, "one rack: no limit");
}

#[test]
fn three_replicas_go_to_the_writer_then_another_rack_then_a_second_node_there() {
    let t = topo("r1:4,r2:4,r3:4");
    let mut rng = Rng::new(7);
    for _ in 0..500 {
        let w = node(1, 2);
        let r = place(&t, 3, Writer::Node(w), &mut rng);
        assert_eq!(r.len(), 3);
        assert_eq!(r[0], w);
        assert_ne!(r[1].rack, w.rack, "{r:?}");
        assert_eq!(r[2].rack, r[1].rack, "{r:?}");
        assert_ne!(r[2], r[1]);
    }
}

#[test]
fn without_a_data_node_writer_the_first_replica_is_on_its_rack_or_anywhere() {
    let t = topo("r1:3,r2:3");
    let mut rng = Rng::new(1);
    let mut firsts = [0u32; 6];
    for _ in 0..6_000 {
        let on_rack = place(&t, 3, Writer::Rack(1), &mut rng);
        assert_eq!(on_rack[0].rack, 1);
        let off = place(&t, 3, Writer::Off, &mut rng);
        firsts[off[0].rack * 3 + off[0].index as usize] += 1;
    }
    // Uniform over the six nodes: each near 1,000.
    assert!(firsts.iter().all(|n| (850..1_150).contains(n)), "{firsts:?}");
}

#[test]
fn one_rack_or_a_small_cluster_gets_what_fits() {
    let mut rng = Rng::new(3);
    let one = topo("r1:4");
    let r = place(&one, 3, Writer::Off, &mut rng);
    assert_eq!(r.len(), 3, "one rack: the remote choice falls back to the local rack");
    assert!(r.iter().all(|n| n.rack == 0));
    let small = topo("r1:1,r2:1");
    assert_eq!(place(&small, 3, Writer::Off, &mut rng).len(), 2, "R is cut to the cluster's size");
    // The limit leaves a lopsided cluster short, as HDFS does: 5 on r1 at most, 1 on r2.
    let lopsided = topo("r1:10,r2:1");
    assert_eq!(lopsided.max_per_rack(8), 5);
    assert_eq!(place(&lopsided, 8, Writer::Off, &mut rng).len(), 6);
}

#[test]
fn the_same_seed_places_the_same() {
    let t = topo("r1:5,r2:5,r3:2");
    let run = |seed| {
        let mut rng = Rng::new(seed);
        (0..50).map(|_| place(&t, 4, Writer::Off, &mut rng)).collect::<Vec<_>>()
    };
    assert_eq!(run(9), run(9));
    assert_ne!(run(9), run(10));
}

/// Many random clusters, factors and writers: no placement breaks a limit, every block gets
/// min(R, nodes) replicas where the rack limit allows it, and R = 3 follows the rule's shape.
#[test]
fn a_sweep_of_random_clusters_keeps_every_limit() {
    let mut draw = Rng::new(2026);
    for case in 0..400 {
        let racks = draw.range(1, 7) as u32;
        let spec: Vec<_> = (0..racks).map(|r| alloc::format!("r{}:{}", r + 1, draw.range(1, 9))).collect();
        let t = topo(&spec.join(","));
        let rf = draw.range(1, 11) as u32;
        let writer = match draw.below(3) {
            0 => Writer::Off,
            1 => Writer::Rack(draw.below(racks as u64) as usize),
            _ => {
                let rack = draw.below(racks as u64) as usize;
                Writer::Node(node(rack, draw.below(t.racks[rack].nodes as u64) as u32))
            }
        };
        let mut rng = Rng::new(case);
        for _ in 0..50 {
            let r = place(&t, rf, writer, &mut rng);
            assert_eq!(broken(&t, rf, writer, &r), None, "{spec:?} rf {rf} {writer:?}: {r:?}");
            let total = rf.min(t.nodes);
            let room: u32 = t.racks.iter().map(|k| k.nodes.min(t.max_per_rack(total))).sum();
            assert_eq!(r.len() as u32, total.min(room), "{spec:?} rf {rf}: {r:?}");
            if total >= 3 && racks >= 2 {
                assert_ne!(r[1].rack, r[0].rack, "{spec:?}: the second replica on another rack");
            }
        }
    }
}

/// The judge the sweep relies on sees each kind of bad placement.
#[test]
fn the_placement_judge_catches_broken_placements() {
    let t = topo("r1:3,r2:3");
    let w = Writer::Node(node(0, 1));
    assert_eq!(broken(&t, 3, w, &[node(0, 1), node(1, 0), node(1, 2)]), None);
    let cases = [
        (vec![node(0, 1), node(1, 0), node(1, 0)], "holds two replicas"),
        (vec![node(0, 1), node(0, 0), node(0, 2)], "over its limit of 2"),
        (vec![node(1, 1), node(0, 0), node(0, 2)], "not on the writer"),
        (vec![node(0, 1), node(1, 3)], "on no node"),
    ];
    for (replicas, said) in cases {
        let why = broken(&t, 3, w, &replicas).unwrap_or_default();
        assert!(why.contains(said), "{replicas:?}: {why:?}");
    }
    let why = broken(&t, 3, Writer::Rack(1), &[node(0, 1), node(1, 0), node(1, 2)]).unwrap_or_default();
    assert!(why.contains("off the writer's rack"), "{why}");
}

/// `chooseLocalRack`'s fallback: when the second replica's rack has no other node, the third
/// goes to the first replica's rack (`chooseFromNextRack`), not anywhere.
#[test]
fn a_full_second_rack_sends_the_third_replica_to_the_first_ones_rack() {
    let t = topo("r1:2,r2:1,r3:9");
    let mut rng = Rng::new(11);
    let mut seen = 0;
    for _ in 0..2_000 {
        let r = place(&t, 3, Writer::Node(node(0, 0)), &mut rng);
        if r[1].rack == 1 {
            seen += 1;
            assert_eq!(r[2], node(0, 1), "{r:?}");
        }
    }
    assert!(seen > 50, "the second replica landed on r2 {seen} times");
}
