//! The ring's guided lesson: why consistent hashing, in seven changes to the ring. Each step
//! is a change (build a ring, add a node, zoom in on a key), and the evidence is what the page
//! already shows for it: the owner's line, the count of keys that moved against the least any
//! placement must move, which nodes gave keys up, the load spread. Step i is the lesson's
//! changes from the first to the i-th, made afresh, so going back is replay, as on the
//! protocols' pages. The words' claims are checked against the same changes by
//! `web/tests/hashing_model.rs`. Plain data, for the reducer (`model.rs`) and the view
//! (`ring.rs`, which shows the steps in the lesson's card).

use distlab_core::hashing::Algo;

/// One change a step makes to the ring.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Change {
    /// A new ring of this algorithm, nodes and points per node, with the lab's 1,000 keys and
    /// no change to show.
    Build(Algo, usize, usize),
    /// Point at key k, as hovering over it does, and zoom in round it.
    Focus(usize),
    /// Add a node, as the button does.
    Add,
    /// Remove this node.
    Remove(u32),
}

/// The lab's keys in every step.
pub const KEYS: usize = 1_000;

/// How far [`Change::Focus`] zooms in: a tenth of the circle, about a hundred keys and ten
/// points.
pub const FOCUS_ZOOM: f64 = 4.0;

/// The steps: what each says, and the changes it makes after the previous step's (each shows
/// the whole ring unless it zooms in).
pub const STEPS: [(&str, &[Change]); 7] = [
    (
        "Keys (the dots) and nodes are hashed onto one circle; each node stands at 20 points (the ticks outside it). A key belongs to the first point clockwise from it: zoomed in here, the line joins key-0 to its owner's point.",
        &[Change::Build(Algo::Ring, 5, 20), Change::Focus(0)],
    ),
    (
        "A sixth node joins. Its points cut into arcs, and only the keys just before each new point move, every one of them to the new node. The line under “Add a node” counts them against the least any placement must move: one key in six.",
        &[Change::Add],
    ),
    (
        "Now the usual alternative, hash mod N: key k goes to node hash(k) mod 5. With five nodes it spreads the keys evenly too (each node's count is on its chip, under Nodes).",
        &[Change::Build(Algo::Modulo, 5, 20)],
    ),
    (
        "A sixth node joins hash mod N: nearly every key moves, most of them between nodes that were there before. A cache placed this way loses almost all of its contents each time it grows; consistent hashing moves only the new node's share.",
        &[Change::Add],
    ),
    (
        "Back to the ring, with one point per node: five random points cut the circle into five arcs of very different lengths. Compare the key counts on the nodes' chips, under Nodes, and the load spread under the ring.",
        &[Change::Build(Algo::Ring, 5, 1)],
    ),
    (
        "A hundred points per node: each node's share is the sum of a hundred small arcs, so the loads even out. The load spread under the ring falls.",
        &[Change::Build(Algo::Ring, 5, 100)],
    ),
    (
        "Remove node 2: its keys go to the owner of the next point after each of its points, so they spread over all the other nodes instead of piling onto one. No other key moves.",
        &[Change::Remove(2)],
    ),
];
