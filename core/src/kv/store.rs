//! The store itself: its operations and results, the state machine with per-client sessions
//! (a retried write is applied once), how a server answers, the request parser, and the
//! operations' form in a client history. The client (`client.rs`) and the linearizability check
//! (`realtime.rs`) build on it.

use crate::echo::Echo;
use alloc::format;
use alloc::string::String;
use core::fmt;

use serde::Serialize;

use crate::lincheck::{Func, HistoryLine, LineKind, LineValue, Value};
use crate::protocol::NodeId;

use super::key::{Key, MAX_KEY_LEN};
use super::map::SmallMap;

/// An operation on the replicated key-value store.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum KvOp {
    Put(Key, u64),
    Get(Key),
    Delete(Key),
    /// Compare-and-set: if the key holds `expected` (`None`: absent), set it to `new`.
    Cas(Key, Option<u64>, u64),
}

/// As derived (the variant's number as an `isize`, then the fields), written out so that it
/// can be inlined: every message, entry and note of the replicated stores carries one, and a
/// call per operation hashed was a call's worth of waiting in the hasher's chain.
impl core::hash::Hash for KvOp {
    #[inline(always)]
    fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
        match self {
            KvOp::Put(k, v) => {
                state.write_isize(0);
                k.hash(state);
                v.hash(state);
            }
            KvOp::Get(k) => {
                state.write_isize(1);
                k.hash(state);
            }
            KvOp::Delete(k) => {
                state.write_isize(2);
                k.hash(state);
            }
            KvOp::Cas(k, expected, new) => {
                state.write_isize(3);
                k.hash(state);
                expected.hash(state);
                new.hash(state);
            }
        }
    }
}

impl KvOp {
    pub fn key(&self) -> &Key {
        match self {
            KvOp::Put(k, _) | KvOp::Get(k) | KvOp::Delete(k) | KvOp::Cas(k, _, _) => k,
        }
    }
    pub fn is_read(&self) -> bool {
        matches!(self, KvOp::Get(_))
    }
}

impl fmt::Display for KvOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KvOp::Put(k, v) => write!(f, "put {k} {v}"),
            KvOp::Get(k) => write!(f, "get {k}"),
            KvOp::Delete(k) => write!(f, "delete {k}"),
            KvOp::Cas(k, None, n) => write!(f, "cas {k} - {n}"),
            KvOp::Cas(k, Some(e), n) => write!(f, "cas {k} {e} {n}"),
        }
    }
}

/// What an operation returned.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum KvResult {
    /// A put or delete took effect.
    Done,
    /// A get's value (`None`: absent).
    Value(Option<u64>),
    /// A compare-and-set: whether it swapped, and the value it found.
    Cas { swapped: bool, found: Option<u64> },
}

impl fmt::Display for KvResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KvResult::Done => write!(f, "ok"),
            KvResult::Value(Some(v)) => write!(f, "= {v}"),
            KvResult::Value(None) => write!(f, "= (absent)"),
            KvResult::Cas { swapped: true, .. } => write!(f, "swapped"),
            KvResult::Cas { swapped: false, found: Some(v) } => write!(f, "not swapped (found {v})"),
            KvResult::Cas { swapped: false, found: None } => write!(f, "not swapped (absent)"),
        }
    }
}

/// The key-value state machine, with the per-client session table that makes retries safe.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Kv {
    pub data: SmallMap<Key, u64>,
    /// Per client: the last request number applied, its result, and where it was applied.
    pub sessions: SmallMap<u32, (u64, KvResult, u64, u64)>,
}

impl Kv {
    /// Apply a client command once, at log position (`index`, `term`): a repeated request
    /// number returns the remembered result and position instead of applying it again.
    pub fn apply(
        &mut self,
        client: NodeId,
        req: u64,
        op: &KvOp,
        index: u64,
        term: u64,
    ) -> (KvResult, u64, u64) {
        if let Some((last, result, i, t)) = self.sessions.get(&client.0) {
            if *last >= req {
                return (result.clone(), *i, *t);
            }
        }
        let result = self.execute(op);
        self.sessions.insert(client.0, (req, result.clone(), index, term));
        (result, index, term)
    }

    /// Evaluate an operation against the current data (reads do not change it).
    pub fn execute(&mut self, op: &KvOp) -> KvResult {
        match op {
            KvOp::Put(k, v) => {
                self.data.insert(*k, *v);
                KvResult::Done
            }
            KvOp::Get(k) => KvResult::Value(self.data.get(k).copied()),
            KvOp::Delete(k) => {
                self.data.remove(k);
                KvResult::Done
            }
            KvOp::Cas(k, expected, new) => {
                let found = self.data.get(k).copied();
                let swapped = found == *expected;
                if swapped {
                    self.data.insert(*k, *new);
                }
                KvResult::Cas { swapped, found }
            }
        }
    }
}

/// How a server answers a client request.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Outcome<R = KvResult> {
    /// Committed and applied (for a write: at this log index and term).
    Ok { result: R, index: u64, term: u64 },
    /// "I am not the leader; try this one" (or no idea).
    Redirect(Option<NodeId>),
}

impl<R: fmt::Display> fmt::Display for Outcome<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Ok { result, .. } => write!(f, "{result}"),
            Outcome::Redirect(Some(l)) => write!(f, "not leader, try {l}"),
            Outcome::Redirect(None) => write!(f, "not leader, leader unknown"),
        }
    }
}

/// Parse a key-value operation typed by the user: `put k v`, `get k`, `delete k`,
/// `cas k old new` (`-` for "absent"). `None` if the words are not a key-value operation.
pub fn parse_kv(words: &[&str]) -> Option<Result<KvOp, String>> {
    let key = |k: &str| -> Result<Key, String> {
        if k.is_empty() || k.len() > MAX_KEY_LEN || !k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            return Err(format!("a key is 1 to {MAX_KEY_LEN} letters, digits or _ (got {})", Echo(k)));
        }
        Key::new(k).ok_or_else(|| format!("a key is at most {MAX_KEY_LEN} bytes (got {})", Echo(k)))
    };
    let value = |v: &str| -> Result<u64, String> {
        v.parse::<u64>()
            .ok()
            .filter(|x| *x <= 1_000_000_000)
            .ok_or_else(|| format!("a value is a whole number from 0 to 1000000000 (got {})", Echo(v)))
    };
    let op = || -> Result<KvOp, String> {
        Ok(match words {
            ["put", k, v] => KvOp::Put(key(k)?, value(v)?),
            ["get", k] => KvOp::Get(key(k)?),
            ["delete" | "del", k] => KvOp::Delete(key(k)?),
            ["cas", k, e, n] => {
                let expected = if *e == "-" { None } else { Some(value(e)?) };
                KvOp::Cas(key(k)?, expected, value(n)?)
            }
            _ => unreachable!(),
        })
    };
    match words {
        ["put", _, _] | ["get", _] | ["delete" | "del", _] | ["cas", _, _, _] => Some(op()),
        _ => None,
    }
}

/// A client's invocation (`result: None`) or completion of `op`, as a history line for the
/// linearizability checker.
pub fn history_line(client: NodeId, op: &KvOp, result: Option<&KvResult>) -> HistoryLine {
    let v = |x: Option<u64>| x.map(|n| Value::Int(n as i64)).unwrap_or(Value::Null);
    let (kind, value) = match result {
        None => (
            LineKind::Invoke,
            match op {
                KvOp::Put(_, x) => LineValue::One(v(Some(*x))),
                KvOp::Delete(_) => LineValue::One(Value::Null),
                KvOp::Cas(_, e, n) => LineValue::Pair(v(*e), v(Some(*n))),
                KvOp::Get(_) => LineValue::Absent,
            },
        ),
        Some(KvResult::Value(x)) => (LineKind::Ok, LineValue::One(v(*x))),
        Some(KvResult::Cas { swapped: false, .. }) => (LineKind::Fail, LineValue::Absent),
        Some(_) => (LineKind::Ok, LineValue::Absent),
    };
    let f = match op {
        KvOp::Get(_) => Func::Read,
        KvOp::Put(..) | KvOp::Delete(_) => Func::Write,
        KvOp::Cas(..) => Func::Cas,
    };
    HistoryLine { process: client.0 as i64, kind, f, key: Some(String::from(op.key().as_str())), value }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::{digest, encoded_len};

    /// The written-out `Hash` of `KvOp` feeds a hasher what the derived one did.
    #[test]
    fn an_operation_hashes_as_derived() {
        #[derive(Hash)]
        enum Derived {
            Put(Key, u64),
            Get(Key),
            Delete(Key),
            Cas(Key, Option<u64>, u64),
        }
        let k = Key::from("k12");
        let pairs = [
            (KvOp::Put(k, 7), Derived::Put(k, 7)),
            (KvOp::Get(k), Derived::Get(k)),
            (KvOp::Delete(k), Derived::Delete(k)),
            (KvOp::Cas(k, None, 3), Derived::Cas(k, None, 3)),
            (KvOp::Cas(k, Some(2), 3), Derived::Cas(k, Some(2), 3)),
        ];
        for (op, derived) in &pairs {
            assert_eq!((digest(op), encoded_len(op)), (digest(derived), encoded_len(derived)), "{op}");
        }
    }
}
