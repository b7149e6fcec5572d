//! The configuration-store recipe (Consul's KV, ZooKeeper holding a cluster's settings): clients
//! read keys after `sync` and update them, plainly or on the version they last saw. Each
//! operation is a line of the client history, so the linearizability checker judges the
//! service's writes and its synced reads. A read without `sync` is served from the server's own
//! copy and may be stale; the service does not claim it linearizable, and it is not recorded.
//! The read after `sync` leaves a watch on its key, as a configuration's users do to hear of
//! the next change: the events must come before any later answer that shows the change.
//!
//! Each key is a register: absent until a client creates it (with data 0), then its data.
//! A create is a compare-and-set from absent; a set with an expected version is a
//! compare-and-set from the data the client read with that version (every write writes a value
//! no other write does, and nodes are never deleted, so a version names one value for good).

use alloc::format;
use alloc::string::String;

use serde::Serialize;

use crate::lincheck::{Func, HistoryLine, LineKind, LineValue, Value};
use crate::protocol::NodeId;
use crate::rng::Rng;

use super::tree::{TreeError, TreeOp, TreeResult};

/// The recipe's parent node; its keys are `/cfg/k0` and `/cfg/k1`.
pub const CONFIG: &str = "/cfg";
/// How many keys the clients share.
pub const KEYS: u8 = 2;

/// A configuration client's operation, from its first request to its result.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Plan {
    /// `sync`, then `get`: a current read, recorded from the sync's start.
    SyncRead { key: u8, synced: bool },
    /// A plain `set`.
    Write { key: u8, value: u64 },
    /// A local `get` (not recorded), then a `set` on the version it saw.
    ReadForCas { key: u8, value: u64 },
    /// The `set` on the version read with `expected`: a compare-and-set from that data.
    Cas { key: u8, expected: u64, version: u32, value: u64 },
    /// Create the key with data 0: a compare-and-set from absent.
    Create { key: u8 },
    /// Create the parent `/cfg` (not recorded), then the key.
    Parent { key: u8 },
}

/// How a recorded operation ended.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Outcome {
    Ok,
    /// A read's value (`None`: no such node).
    Read(Option<u64>),
    /// It took no effect (a failed compare-and-set, a set of a missing node).
    Fail,
}

/// What the client does after a result.
#[derive(Debug, PartialEq)]
pub struct Next {
    /// The recorded operation's end, if it ended (none: it stays open, and the history counts
    /// it as maybe done).
    pub done: Option<Outcome>,
    /// The round's next step (its request: `request`).
    pub then: Option<Plan>,
}

fn path(key: u8) -> String {
    format!("{CONFIG}/k{key}")
}

/// A round's operation: a key and what to do with it, writing `value` if it writes.
pub fn draw(rng: &mut Rng, value: u64) -> Plan {
    let key = rng.below(KEYS as u64) as u8;
    match rng.below(3) {
        0 => Plan::SyncRead { key, synced: false },
        1 => Plan::Write { key, value },
        _ => Plan::ReadForCas { key, value },
    }
}

/// The request of `plan`, and whether it opens a recorded operation.
pub fn request(plan: &Plan) -> (TreeOp, bool) {
    match *plan {
        Plan::SyncRead { synced: false, .. } => (TreeOp::Sync, true),
        Plan::SyncRead { key, synced: true } => (TreeOp::Get { path: path(key) }, false),
        Plan::Write { key, value } => (TreeOp::Set { path: path(key), data: value, version: None }, true),
        Plan::ReadForCas { key, .. } => (TreeOp::Get { path: path(key) }, false),
        Plan::Cas { key, version, value, .. } => {
            (TreeOp::Set { path: path(key), data: value, version: Some(version) }, true)
        }
        Plan::Create { key } => {
            (TreeOp::Create { path: path(key), data: 0, ephemeral: false, sequential: false }, true)
        }
        Plan::Parent { .. } => {
            (TreeOp::Create { path: CONFIG.into(), data: 0, ephemeral: false, sequential: false }, false)
        }
    }
}

/// What follows `result` in `plan`.
pub fn next(plan: &Plan, result: &TreeResult) -> Next {
    use TreeResult as R;
    let end = |o: Outcome| Next { done: Some(o), then: None };
    let then = |plan: Plan| Next { done: None, then: Some(plan) };
    match (plan, result) {
        (Plan::SyncRead { key, synced: false }, R::Synced(_)) => {
            then(Plan::SyncRead { key: *key, synced: true })
        }
        (Plan::SyncRead { synced: true, .. }, R::Data(d)) => end(Outcome::Read(d.map(|(data, ..)| data))),
        (Plan::Write { .. }, R::Stat { .. }) => end(Outcome::Ok),
        (Plan::Write { .. }, R::Error(TreeError::NoNode)) => end(Outcome::Fail),
        (Plan::ReadForCas { key, value }, R::Data(Some((data, version, _)))) => {
            then(Plan::Cas { key: *key, expected: *data, version: *version, value: *value })
        }
        // The key is missing: make sure of its parent (not recorded), then create it; so a
        // recorded create never fails for a missing parent, which no register could explain.
        (Plan::ReadForCas { key, .. }, R::Data(None)) => then(Plan::Parent { key: *key }),
        (Plan::Cas { .. }, R::Stat { .. }) => end(Outcome::Ok),
        (Plan::Cas { .. }, R::Error(TreeError::BadVersion | TreeError::NoNode)) => end(Outcome::Fail),
        (Plan::Create { .. }, R::Created { .. }) => end(Outcome::Ok),
        (Plan::Create { .. }, R::Error(TreeError::NodeExists)) => end(Outcome::Fail),
        (Plan::Parent { key }, R::Created { .. } | R::Error(TreeError::NodeExists)) => {
            then(Plan::Create { key: *key })
        }
        _ => Next { done: None, then: None },
    }
}

/// The history line of `plan`'s invocation (`outcome: None`) or completion.
pub fn line(client: NodeId, plan: &Plan, outcome: Option<&Outcome>) -> Option<HistoryLine> {
    let int = |v: u64| Value::Int(v as i64);
    let (key, f, input) = match *plan {
        Plan::SyncRead { key, .. } => (key, Func::Read, LineValue::Absent),
        Plan::Write { key, value } => (key, Func::Write, LineValue::One(int(value))),
        Plan::Cas { key, expected, value, .. } => {
            (key, Func::Cas, LineValue::Pair(int(expected), int(value)))
        }
        Plan::Create { key } => (key, Func::Cas, LineValue::Pair(Value::Null, int(0))),
        Plan::ReadForCas { .. } | Plan::Parent { .. } => return None,
    };
    let (kind, value) = match outcome {
        None => (LineKind::Invoke, input),
        Some(Outcome::Ok) => (LineKind::Ok, LineValue::Absent),
        Some(Outcome::Read(v)) => (LineKind::Ok, LineValue::One(v.map_or(Value::Null, int))),
        Some(Outcome::Fail) => (LineKind::Fail, LineValue::Absent),
    };
    Some(HistoryLine { process: client.0 as i64, kind, f, key: Some(format!("k{key}")), value })
}

/// The operation in words, for the client's card.
pub fn describe(plan: &Plan) -> String {
    match *plan {
        Plan::SyncRead { key, synced: false } => format!("sync, then get {}", path(key)),
        Plan::SyncRead { key, synced: true } => format!("synced; get {}", path(key)),
        Plan::Write { key, value } => format!("set {} {value}", path(key)),
        Plan::ReadForCas { key, .. } => format!("get {} (to set it on its version)", path(key)),
        Plan::Cas { key, expected, value, .. } => format!("set {} {value} if still {expected}", path(key)),
        Plan::Create { key } => format!("create {}", path(key)),
        Plan::Parent { .. } => format!("create {CONFIG}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A conditional set is recorded as a compare-and-set from the data read with the version,
    /// a failed one as a failure; a create as a compare-and-set from absent; a synced read as
    /// a read from the sync's start.
    #[test]
    fn each_operation_is_the_register_operation_it_stands_for() {
        let read = Plan::ReadForCas { key: 1, value: 7 };
        let n = next(&read, &TreeResult::Data(Some((5, 3, 9))));
        let cas = n.then.clone().expect("a set follows");
        assert_eq!(cas, Plan::Cas { key: 1, expected: 5, version: 3, value: 7 });
        let (op, recorded) = request(&cas);
        assert_eq!(op, TreeOp::Set { path: "/cfg/k1".into(), data: 7, version: Some(3) });
        assert!(recorded && n.done.is_none());
        let invoke = line(NodeId(4), &cas, None).unwrap();
        assert_eq!((invoke.f, invoke.value), (Func::Cas, LineValue::Pair(Value::Int(5), Value::Int(7))));
        let bad = next(&cas, &TreeResult::Error(TreeError::BadVersion));
        assert_eq!(bad.done, Some(Outcome::Fail));
        assert_eq!(line(NodeId(4), &cas, bad.done.as_ref()).unwrap().kind, LineKind::Fail);
        let create = line(NodeId(4), &Plan::Create { key: 0 }, None).unwrap();
        assert_eq!(create.value, LineValue::Pair(Value::Null, Value::Int(0)));
        let sync = Plan::SyncRead { key: 0, synced: false };
        assert_eq!(request(&sync), (TreeOp::Sync, true));
        let synced = next(&sync, &TreeResult::Synced(4)).then.expect("a get follows");
        assert_eq!(request(&synced), (TreeOp::Get { path: "/cfg/k0".into() }, false));
        let got = next(&synced, &TreeResult::Data(None));
        assert_eq!(got.done, Some(Outcome::Read(None)));
        assert_eq!(line(NodeId(4), &synced, got.done.as_ref()).unwrap().value, LineValue::One(Value::Null));
        // A missing key: its parent is made first (unrecorded), then the key.
        let missing = next(&read, &TreeResult::Data(None));
        assert_eq!(missing.done, None);
        let parent = missing.then.expect("the parent follows");
        assert_eq!(parent, Plan::Parent { key: 1 });
        assert_eq!(
            next(&parent, &TreeResult::Error(TreeError::NodeExists)).then.unwrap(),
            Plan::Create { key: 1 }
        );
        // A result the plan cannot read leaves the operation open.
        assert_eq!(next(&sync, &TreeResult::Done), Next { done: None, then: None });
    }
}
