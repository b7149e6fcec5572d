//! The lab's snapshot of crashed nodes: a node that is down shows only what survived its crash
//! (its durable part), never the role, leadership or progress it held in memory.

use alloc::string::String;
use alloc::vec::Vec;

use super::{build, Action, Lab, LabConfig, NodeSnap};
use crate::registry::Setup;

/// A run of `protocol` stepped until `pick` finds a node in the snapshot, which is then crashed:
/// the node before and after the crash.
fn crash_when(protocol: &str, pick: impl Fn(&NodeSnap) -> bool) -> (NodeSnap, NodeSnap, Vec<NodeSnap>) {
    let mut lab: alloc::boxed::Box<dyn Lab> =
        build(&LabConfig::new(Setup::default_for(protocol).unwrap())).unwrap();
    for _ in 0..5_000 {
        let snap = lab.snapshot();
        if let Some(n) = snap.nodes.iter().find(|n| n.up && pick(n)) {
            let before = n.clone();
            lab.act(Action::Crash(n.id)).unwrap();
            let after = lab.snapshot();
            return (before, after.nodes[n.id.index()].clone(), after.nodes);
        }
        assert!(lab.step(), "{protocol}: the run ended before a node to crash appeared");
    }
    panic!("{protocol}: no node to crash in 5000 events");
}

fn field<'a>(n: &'a NodeSnap, name: &str) -> Option<&'a str> {
    n.view.fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// What the page says of a node: its role, badge, summary lines and the values of its fields.
fn words(n: &NodeSnap) -> String {
    let mut s = alloc::format!("{} | {} | {}", n.view.role, n.view.badge, n.view.summary.join(" | "));
    for (_, v) in &n.view.fields {
        s.push_str(" | ");
        s.push_str(v);
    }
    s
}

#[test]
fn a_crashed_raft_leader_is_drawn_down_with_only_its_term_vote_and_log() {
    let (before, down, _) = crash_when("raft", |n| n.view.role == "leader");
    assert_eq!(before.view.summary[0], alloc::format!("leader · term {}", field(&before, "term").unwrap()));
    assert!(!down.up);
    let said = words(&down);
    assert!(!said.contains("leader"), "a crashed leader still claims to lead: {said}");
    assert_eq!(down.view.role, "down");
    assert_eq!(down.view.summary[0], alloc::format!("down · term {}", field(&before, "term").unwrap()));
    assert_eq!(field(&down, "role"), Some("down"));
    // Durable: the term, the vote and the log. Volatile: the commit index past the snapshot,
    // and everything a leader keeps about its followers.
    for kept in ["term", "voted for", "last log"] {
        assert_eq!(field(&down, kept), field(&before, kept), "{kept}");
    }
    assert!(
        down.view.fields.iter().all(|(k, _)| !k.contains("next / match") && k != "lease until"),
        "{said}"
    );
    let log = down.log.as_ref().expect("a server's log");
    assert_eq!(log.leader, None, "the log table does not draw it as the leader");
    assert_eq!(log.entries, before.log.as_ref().unwrap().entries, "the log survives");
    assert_eq!(down.timers, Vec::new());
}

#[test]
fn a_crashed_multipaxos_leader_is_drawn_down_with_only_its_promises_and_acceptances() {
    let (before, down, _) = crash_when("multipaxos", |n| n.view.role == "leader");
    let said = words(&down);
    assert!(!said.contains("leader"), "{said}");
    assert!(down.view.fields.iter().all(|(k, _)| k != "phase-1 quorum" && k != "next slot"), "{said}");
    assert_eq!(down.view.role, "down");
    assert_eq!(down.view.summary[0], "down");
    for kept in ["promised", "own ballot", "accepted slots"] {
        assert_eq!(field(&down, kept), field(&before, kept), "{kept}");
    }
}

#[test]
fn a_crashed_paxos_proposer_keeps_its_roles_but_not_its_phase() {
    let (before, down, _) = crash_when("paxos", |n| field(n, "phase") == Some("phase 2: accepting"));
    let said = words(&down);
    assert_eq!(down.view.role, before.view.role, "its roles are what it is, not what it was doing");
    assert_eq!(down.view.summary[0], "down");
    assert!(!said.contains("accepting") && field(&down, "phase").is_none(), "{said}");
    for kept in ["promised", "accepted", "client value"] {
        assert_eq!(field(&down, kept), field(&before, kept), "{kept}");
    }
}

#[test]
fn a_crashed_client_is_still_a_client() {
    // The page finds clients by their role (the clients panel, the history lane).
    let (_, down, _) = crash_when("raft", |n| n.view.role == "client");
    assert_eq!(down.view.role, "client");
    assert_eq!(down.view.summary[0], "down");
}
