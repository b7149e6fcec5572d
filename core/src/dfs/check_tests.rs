//! The checker's own rules, fed notes directly.

use alloc::vec;

use super::*;

/// A pipeline placement could spread its block over two racks only if two had live nodes and
/// it chose a node: a pipeline rebuilt from two nodes left on one rack, with none added (the
/// live nodes were too few to add one), keeps that rack, as HDFS's pipeline recovery does, and
/// the loss of that rack is then not a violation. Before, any placement made while two racks
/// had live nodes counted as able to spread, and the rack's loss was a false acked-block-kept.
#[test]
fn a_rebuilt_pipeline_that_added_no_node_could_not_spread() {
    let d = Dfs::default();
    let (a, b, c) = (NodeId(META as u32), NodeId(META as u32 + 1), NodeId(META as u32 + 3));
    let placed = |targets: Vec<NodeId>, racks| Note::Placed {
        block: 4,
        targets,
        holders: vec![a, b],
        racks,
        pipeline: true,
    };
    let mut m = Monitor::default();
    for (targets, racks, could) in [(vec![], 2, false), (vec![c], 2, true), (vec![c], 1, false)] {
        assert_eq!(check(&d, &mut m, &[], None, &[placed(targets.clone(), racks)]), Ok(()));
        assert_eq!(m.spread.get(&4).map(|s| s.1), Some(could), "{targets:?} with {racks} live racks");
    }
}
