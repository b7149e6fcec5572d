//! The tree's own tests: sequential names, ephemerals and sessions, versions, retries, paths.
use super::*;

fn txn(session: SessionId, req: u64, op: TreeOp) -> Txn {
    Txn { client: NodeId(5), session, req, op }
}
fn create(path: &str, ephemeral: bool, sequential: bool) -> TreeOp {
    TreeOp::Create { path: path.into(), data: 1, ephemeral, sequential }
}

/// Apply the transactions at zxids 1, 2, …; returns the results.
fn run(t: &mut Tree, txns: &[Txn]) -> Vec<TreeResult> {
    txns.iter().enumerate().map(|(i, x)| t.apply(NodeId(0), 0, x, i as u64 + 1, 1).0).collect()
}

#[test]
fn sequential_nodes_are_numbered_by_the_parent_and_ephemerals_go_with_their_session() {
    let mut t = Tree::default();
    let r = run(
        &mut t,
        &[
            txn(0, 1, TreeOp::Open { timeout_ms: 1000 }),
            txn(1, 2, create("/lock", false, false)),
            txn(1, 3, create("/lock/n-", true, true)),
            txn(1, 4, create("/lock/n-", true, true)),
            txn(1, 5, create("/lock/n-0000000001/x", false, false)),
            txn(0, 0, TreeOp::Expire { session: 1 }),
            txn(1, 6, TreeOp::Set { path: "/lock".into(), data: 9, version: None }),
        ],
    );
    assert_eq!(r[0], TreeResult::Session(1));
    assert_eq!(r[2], TreeResult::Created { path: "/lock/n-0000000000".into(), zxid: 3 });
    assert_eq!(r[3], TreeResult::Created { path: "/lock/n-0000000001".into(), zxid: 4 });
    assert_eq!(r[4], TreeResult::Error(TreeError::EphemeralParent));
    assert_eq!(r[5], TreeResult::Done);
    assert_eq!(r[6], TreeResult::Error(TreeError::SessionExpired));
    assert_eq!(t.children("/lock"), Vec::<String>::new());
    assert_eq!(t.nodes["/lock"].cversion, 4, "two creates and two deletes");
    assert_eq!(t.children("/"), ["lock"]);
}

#[test]
fn versions_make_set_and_delete_conditional_and_a_retry_applies_once() {
    let mut t = Tree::default();
    let set = |v| txn(1, 3, TreeOp::Set { path: "/c".into(), data: 7, version: v });
    let r = run(
        &mut t,
        &[
            txn(0, 1, TreeOp::Open { timeout_ms: 1000 }),
            txn(1, 2, create("/c", false, false)),
            set(Some(0)),
            set(Some(0)), // the same request again: its remembered answer
            txn(1, 4, TreeOp::Set { path: "/c".into(), data: 8, version: Some(0) }),
            txn(1, 5, TreeOp::Delete { path: "/c".into(), version: Some(1) }),
            txn(1, 6, TreeOp::Delete { path: "/".into(), version: None }),
            txn(0, 1, TreeOp::Open { timeout_ms: 1000 }), // a retried open: the same session
        ],
    );
    assert_eq!(r[2], TreeResult::Stat { version: 1 });
    assert_eq!(r[3], TreeResult::Stat { version: 1 });
    assert_eq!(r[4], TreeResult::Error(TreeError::BadVersion));
    assert_eq!(r[5], TreeResult::Done);
    assert_eq!(r[6], TreeResult::Error(TreeError::NotEmpty));
    assert_eq!(r[7], TreeResult::Session(1));
    assert_eq!(t.read(&TreeOp::Get { path: "/c".into() }), TreeResult::Data(None));
    assert_eq!(t.sessions.len(), 1);
}

#[test]
fn paths_are_checked() {
    assert!(parse_path("/a/b-1/c_2").is_ok());
    assert!(parse_path("/").is_ok());
    for bad in ["", "a", "/a/", "//a", "/a b", "/a/b/c/d/e", &"/x".repeat(30)] {
        assert!(parse_path(bad).is_err(), "{bad}");
    }
    assert_eq!((parent("/a/b"), parent("/a"), name("/a/b")), ("/a", "/", "b"));
}

#[test]
fn a_reconnecting_clients_watch_fires_if_its_node_changed_after_the_zxid_it_saw() {
    let mut t = Tree::default();
    run(
        &mut t,
        &[
            txn(0, 1, TreeOp::Open { timeout_ms: 1000 }),
            txn(1, 2, create("/a", false, false)),
            txn(1, 3, create("/a/x", false, false)),
            txn(1, 4, TreeOp::Set { path: "/a".into(), data: 5, version: None }),
            txn(1, 5, TreeOp::Delete { path: "/a/x".into(), version: None }),
        ],
    );
    let a = &t.nodes["/a"];
    assert_eq!((a.czxid, a.mzxid, a.pzxid), (2, 4, 5));
    use EventType::*;
    use WatchKind::*;
    assert_eq!((t.missed("/a", Data, 3), t.missed("/a", Data, 4)), (Some(NodeDataChanged), None));
    assert_eq!((t.missed("/a", Child, 4), t.missed("/a", Child, 5)), (Some(NodeChildrenChanged), None));
    assert_eq!(t.missed("/a/x", Data, 5), Some(NodeDeleted), "a deleted node's data watch fires");
    assert_eq!(t.missed("/a/x", Child, 5), Some(NodeDeleted), "so does its child watch");
    assert_eq!((t.missed("/a", Exist, 0), t.missed("/a/x", Exist, 0)), (Some(NodeCreated), None));
}
