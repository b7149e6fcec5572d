//! Linearizability of a replicated log's client operations, checked as each one completes.
//!
//! Raft and Multi-Paxos put every write at a log position, and every read sees the state
//! machine after some position (a log read at its own entry; ReadIndex, lease and local reads
//! at the server's applied index when it answered). Each completed operation therefore has a
//! *position*. Given that servers agree on the state at every position (checked separately,
//! by comparing their state machines), the history is linearizable exactly when positions
//! respect real time key by key (linearizability is local: a history is linearizable when
//! each key's is): an operation that began after another on its key completed sits at or
//! after it — strictly after, if it is a write, since every write takes a position of its
//! own — or, for a read, sees the same value as there. Ordering each key's operations by
//! position (a write before the reads at its position; a read whose value held on, after the
//! operation it must follow) is then a linearization. So the check is one comparison per
//! completion, with no search:
//!
//! - a read must be at or after the latest position of any operation on its key that
//!   completed before it began, or the key must not have changed in between: otherwise it is
//!   a **stale read**, such as a deposed leader answering from its own state, or a lease that
//!   outlived its promise (an operation on another key is no evidence: a stale read of a key
//!   nobody wrote since is still a right answer);
//! - a write must be after that position (a correct log gives it a new one; a write placed
//!   before is flagged even if it happened to change nothing).
//!
//! Positions alone do not see a wrong answer at the right place, so a ghost replica of the
//! state machine, fed only committed entries in order, judges each result too: the command's
//! own result at its position, or for a read served from a replica's state, the key's value
//! there. A write acknowledged at a position that holds another entry was lost.
//!
//! The simulator also records the whole history for the search-based checker
//! ([`crate::lincheck`]); the sweeps run both and expect them to agree.

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use super::key::Key;
use super::store::{Kv, KvOp, KvResult};
use crate::chunked::ChunkVec;
use crate::protocol::NodeId;

/// The whole check: positions against real time, and each result against a ghost replica of
/// the state machine that applies the committed log in order. Together they are complete for
/// these histories: a history passes exactly when it is linearizable (but for a write placed at
/// or before an operation that completed before it began, which changed nothing). Errors name the property
/// broken: `acked-write-durable` when a write was acknowledged at a position that holds
/// something else, `linearizable` otherwise.
#[derive(Clone, Debug, Default, Hash)]
pub struct Linearizability {
    realtime: RealTime,
    ghost: Ghost,
    /// The page's names of the nodes ("C1"), for messages; a node without one is "S<n>".
    pub names: Vec<String>,
}

/// A node's page name from `names`, else "S<n>".
fn name_in(names: &[String], n: NodeId) -> String {
    names.get(n.index()).cloned().unwrap_or_else(|| format!("{n}"))
}

impl Linearizability {
    /// `client` sent request `req` for the first time.
    pub fn invoked(&mut self, client: NodeId, req: u64) {
        self.realtime.invoked(client, req);
    }

    /// The entry at `index` is committed: a client command, or `None` for anything else (a
    /// no-op, a configuration). Entries may arrive ahead of a gap; they wait for it.
    pub fn committed(&mut self, index: u64, cmd: Option<(NodeId, u64, &KvOp)>) -> Result<(), Broken> {
        let r = self.ghost.committed(index, cmd.map(|(c, r, op)| (c, r, op.clone())));
        r.map_err(|(p, (client, e))| (p, format!("{} {e}", name_in(&self.names, client))))
    }

    /// The data after `position` of the history (each key's value, in key order), if the
    /// ghost has reached it: what a copy of the state taken there must hold.
    pub fn data_at(&self, position: u64) -> Option<Vec<(Key, u64)>> {
        (self.ghost.at >= position).then(|| {
            self.ghost.changes.iter().filter_map(|(k, ch)| value_at(ch, position).map(|v| (*k, v))).collect()
        })
    }

    /// `client` got `result` for request `req`, at `position`.
    pub fn acked(
        &mut self,
        client: NodeId,
        req: u64,
        op: &KvOp,
        result: &KvResult,
        position: u64,
    ) -> Result<(), Broken> {
        let name = |n: NodeId| name_in(&self.names, n);
        let ghost = &self.ghost;
        // A change of the key after `from` up to `to`; not known until the ghost is there.
        let changed = |key: &Key, from: u64, to: u64| {
            ghost.at < to
                || ghost
                    .changes
                    .get(key)
                    .is_some_and(|ch| first_change_after(ch, from).is_some_and(|at| at <= to))
        };
        self.realtime
            .completed(client, req, op, position, &name, &changed)
            .map_err(|e| ("linearizable", e))?;
        let ack = Ack { client, req, op: op.clone(), result: result.clone(), position };
        self.ghost.acked(ack).map_err(|(p, e)| (p, format!("{} {e}", name(client))))
    }

    /// The result the committed log gives the command at `position`, if the ghost has reached
    /// it and a client's command is there.
    pub fn result_at(&self, position: u64) -> Option<&KvResult> {
        self.ghost.at_position(position).map(|(_, _, r)| r)
    }

    /// The last position the ghost has reached: every entry up to it is committed and applied.
    pub fn reached(&self) -> u64 {
        self.ghost.at
    }

    /// `client` got `result` for read `req`, which sits at no log position of its own (a file
    /// system's read: a block's location from the log, then its data from a replica). It is
    /// placed at the earliest position from the furthest operation on its key that had
    /// completed when it began (its floor) up to the last the ghost has reached where the key
    /// held the value read: the earliest is the weakest floor for what comes after, so the
    /// history is linearizable exactly when such a position exists for every read. None is a
    /// stale read, or a value no committed write left there.
    pub fn acked_read(
        &mut self,
        client: NodeId,
        req: u64,
        op: &KvOp,
        result: &KvResult,
    ) -> Result<(), Broken> {
        let Some(began) = self.realtime.began(client, req) else { return Ok(()) };
        let key = op.key();
        let floor = self.realtime.floor(key, began).map_or(0, |d| d.position);
        let want = match result {
            KvResult::Value(v) => *v,
            other => {
                return Err((
                    "linearizable",
                    format!("{} got {other} for {op}", name_in(&self.names, client)),
                ))
            }
        };
        let changes = self.ghost.changes.get(key);
        let held_at_floor = changes.and_then(|ch| value_at(ch, floor)) == want;
        let position = if held_at_floor {
            Some(floor)
        } else {
            changes.and_then(|ch| {
                (past(ch, floor)..ch.len())
                    .filter_map(|k| ch.get(k))
                    .take_while(|(at, _)| *at <= self.ghost.at)
                    .find(|(_, v)| *v == want)
                    .map(|(at, _)| *at)
            })
        };
        match position {
            Some(p) => self.acked(client, req, op, result, p),
            None => Err((
                "linearizable",
                format!(
                    "{}'s {op} returned {result}, which the committed log gives at no position from {floor} (where the last operation on it completed before it began) to {}",
                    name_in(&self.names, client),
                    self.ghost.at
                ),
            )),
        }
    }
}

/// The value after the last change at or before `position` (absent before the first).
fn value_at(changes: &ChunkVec<(u64, Option<u64>)>, position: u64) -> Option<u64> {
    // The one before the first change past `position` holds.
    let k = past(changes, position);
    k.checked_sub(1).and_then(|k| changes.get(k)).and_then(|(_, v)| *v)
}

/// The position of the first change after `position`, if any.
fn first_change_after(changes: &ChunkVec<(u64, Option<u64>)>, position: u64) -> Option<u64> {
    changes.get(past(changes, position)).map(|(at, _)| *at)
}

/// In a list ordered by its first field, the index of the first item whose first field is
/// past `position`, by binary search.
fn past<T: Clone>(changes: &ChunkVec<(u64, T)>, position: u64) -> usize {
    let (mut lo, mut hi) = (0, changes.len());
    while lo < hi {
        let mid = (lo + hi) / 2;
        match changes.get(mid) {
            Some((at, _)) if *at <= position => lo = mid + 1,
            _ => hi = mid,
        }
    }
    lo
}

/// A broken property and what broke it.
pub type Broken = (&'static str, String);
/// A broken property, the client whose answer broke it, and the rest of the message.
type GhostError = (&'static str, (NodeId, String));

/// An answer a client received, waiting for the ghost to reach its position if need be.
#[derive(Clone, Debug, Hash)]
struct Ack {
    client: NodeId,
    req: u64,
    op: KvOp,
    result: KvResult,
    position: u64,
}

/// A replica of the state machine fed only committed entries, in index order, remembering
/// each key's values by position and each command's result. What grows with the run is kept in
/// `ChunkVec`s, so the checkpoints that clone the simulator share it instead of copying it.
#[derive(Clone, Debug, Default, Hash)]
struct Ghost {
    kv: Kv,
    at: u64,
    /// Committed entries beyond `at + 1`, waiting for the gap to fill.
    ahead: BTreeMap<u64, Option<(NodeId, u64, KvOp)>>,
    /// Per key, (position, value after it) at each change, in position order.
    changes: BTreeMap<Key, ChunkVec<(u64, Option<u64>)>>,
    /// The command at each position (position 1 first) and its result; `None` for a no-op.
    results: ChunkVec<Option<(NodeId, u64, KvResult)>>,
    /// Answers at positions the ghost has not reached.
    waiting: BTreeMap<u64, Vec<Ack>>,
}

impl Ghost {
    fn committed(&mut self, index: u64, cmd: Option<(NodeId, u64, KvOp)>) -> Result<(), GhostError> {
        if index <= self.at {
            return Ok(());
        }
        self.ahead.insert(index, cmd);
        while let Some(cmd) = self.ahead.remove(&(self.at + 1)) {
            self.at += 1;
            let i = self.at;
            let mut result = None;
            if let Some((client, req, op)) = cmd {
                let key = *op.key();
                let before = self.kv.data.get(&key).copied();
                let (r, ..) = self.kv.apply(client, req, &op, i, 0);
                let after = self.kv.data.get(&key).copied();
                if after != before {
                    self.changes.entry(key).or_default().push((i, after));
                }
                result = Some((client, req, r));
            }
            self.results.push(result);
            for ack in self.waiting.remove(&i).unwrap_or_default() {
                self.judge(&ack).map_err(|(p, e)| (p, (ack.client, e)))?;
            }
        }
        Ok(())
    }

    fn acked(&mut self, ack: Ack) -> Result<(), Broken> {
        if ack.position > self.at {
            self.waiting.entry(ack.position).or_default().push(ack);
            return Ok(());
        }
        self.judge(&ack)
    }

    /// The answer must be what the committed log gives at its position: the command's own
    /// result if the command is there (a write, or a read that went through the log), else —
    /// for a read served from a replica's state — the key's value at that position. A write
    /// acknowledged at a position that holds something else was lost.
    /// The client's command at `position` and its result, if the ghost has reached it and one
    /// is there.
    fn at_position(&self, position: u64) -> Option<&(NodeId, u64, KvResult)> {
        position.checked_sub(1).and_then(|i| self.results.get(i as usize)).and_then(Option::as_ref)
    }

    fn judge(&self, ack: &Ack) -> Result<(), Broken> {
        let Ack { client, req, op, result, position } = ack;
        let expected = match self.at_position(*position) {
            Some((c, r, res)) if c == client && r == req => res.clone(),
            _ if !op.is_read() => {
                return Err((
                    "acked-write-durable",
                    format!("{op} was acknowledged at position {position}, but the committed log holds another entry there"),
                ))
            }
            _ => {
                let value = self.changes.get(op.key()).and_then(|ch| value_at(ch, *position));
                KvResult::Value(value)
            }
        };
        if *result != expected {
            return Err((
                "linearizable",
                format!(
                    "{op} returned {result}, but the committed log gives {expected} at position {position}"
                ),
            ));
        }
        Ok(())
    }
}

/// A completed operation, as the message about a later one names it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Done {
    position: u64,
    client: NodeId,
    op: KvOp,
}

/// Positions against real time, key by key (linearizability is local: a history is
/// linearizable when each key's is): per key, the furthest operation completed so far, as it
/// grew (numbered by completions); each client's open request with the number of completions
/// before it began.
#[derive(Clone, Debug, Default, Hash)]
pub struct RealTime {
    completions: u64,
    furthest: BTreeMap<Key, ChunkVec<(u64, Done)>>,
    open: Vec<Option<(u64, u64)>>,
}

impl RealTime {
    /// `client` sent request `req` for the first time.
    pub fn invoked(&mut self, client: NodeId, req: u64) {
        let k = client.index();
        if self.open.len() <= k {
            self.open.resize(k + 1, None);
        }
        self.open[k] = Some((req, self.completions));
    }

    /// The number of completions before `client`'s open request `req` began, if it is open.
    fn began(&self, client: NodeId, req: u64) -> Option<u64> {
        self.open.get(client.index()).copied().flatten().filter(|(r, _)| *r == req).map(|(_, b)| b)
    }

    /// The furthest operation on `key` among the first `completions` to complete.
    fn floor(&self, key: &Key, completions: u64) -> Option<&Done> {
        let grew = self.furthest.get(key)?;
        // The last growth among them.
        past(grew, completions).checked_sub(1).and_then(|k| grew.get(k)).map(|(_, d)| d)
    }

    /// `client` received the result of request `req`, which took effect at `position`. A read
    /// before the furthest operation on its key that had completed when it began is stale
    /// only if the key changed in between (`changed(key, from, to)`: a change after `from` up
    /// to `to`, or not known); a write must come after it. An error names both operations.
    pub fn completed(
        &mut self,
        client: NodeId,
        req: u64,
        op: &KvOp,
        position: u64,
        name: &dyn Fn(NodeId) -> String,
        changed: &dyn Fn(&Key, u64, u64) -> bool,
    ) -> Result<(), String> {
        let began = match self.open.get_mut(client.index()).and_then(Option::take) {
            Some((r, began)) if r == req => began,
            other => {
                // Not the open request (a duplicate reply): nothing new is learned.
                if let Some(slot) = self.open.get_mut(client.index()) {
                    *slot = other;
                }
                return Ok(());
            }
        };
        let key = op.key();
        if let Some(f) = self.floor(key, began) {
            let stale = if op.is_read() {
                position < f.position && changed(key, position, f.position)
            } else {
                position <= f.position
            };
            if stale {
                let who = name(client);
                let what = if op.is_read() {
                    format!("stale read: {who}'s {op} saw the state at position {position}")
                } else {
                    format!("{who}'s {op} took effect at position {position}")
                };
                return Err(format!(
                    "{what}, but {}'s {} had completed at position {} before it began",
                    name(f.client),
                    f.op,
                    f.position
                ));
            }
        }
        self.completions += 1;
        let n = self.completions;
        let grew = self.furthest.entry(*key).or_default();
        let further =
            grew.len().checked_sub(1).and_then(|k| grew.get(k)).is_none_or(|(_, d)| position > d.position);
        if further {
            grew.push((n, Done { position, client, op: op.clone() }));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn put(v: u64) -> KvOp {
        KvOp::Put("x".into(), v)
    }
    fn get() -> KvOp {
        KvOp::Get("x".into())
    }

    /// A read with no position of its own is placed at the earliest where its value held, from
    /// its floor up to the last committed: the writes of 1, 2 and 1 again at positions 5, 7
    /// and 9 (each client's write invoked before and answered after its commit).
    #[test]
    fn a_read_without_a_position_is_placed_where_its_value_held() {
        let writes = |l: &mut Linearizability| {
            for (c, i) in [(1u32, 5u64), (2, 7), (3, 9)] {
                let v = if c == 2 { 2 } else { 1 };
                l.invoked(NodeId(c), 1);
                for k in l.reached() + 1..i {
                    l.committed(k, None).unwrap();
                }
                l.committed(i, Some((NodeId(c), 1, &put(v)))).unwrap();
            }
        };
        let read = |l: &mut Linearizability, c: u32, v: Option<u64>| {
            l.invoked(NodeId(c), 1);
            l.acked_read(NodeId(c), 1, &get(), &KvResult::Value(v))
        };
        let ack = |l: &mut Linearizability, c: u32, v: u64, at: u64| {
            l.acked(NodeId(c), 1, &put(v), &KvResult::Done, at).unwrap();
        };
        // The writes still open: 1 (held at 5 and 9), then 2 by a later reader (held at 7).
        let mut l = Linearizability::default();
        writes(&mut l);
        assert_eq!(read(&mut l, 10, Some(1)), Ok(()));
        assert_eq!(read(&mut l, 11, Some(2)), Ok(()), "the first read may sit at 5, before 7");
        assert_eq!(read(&mut l, 12, Some(1)), Ok(()));
        // A value nobody wrote, and nothing before any write, is wrong once a write completed.
        assert_eq!(read(&mut l, 13, Some(4)).unwrap_err().0, "linearizable");
        // Once the write of 2 at 7 has answered, a read that begins after it may not see the
        // first 1 (position 5), but may see the second (9).
        let mut l = Linearizability::default();
        writes(&mut l);
        ack(&mut l, 2, 2, 7);
        assert_eq!(read(&mut l, 10, Some(1)), Ok(()));
        assert_eq!(read(&mut l, 11, Some(2)).unwrap_err().0, "linearizable", "9 is its floor now");
        // After the last write answered too, the file's value before any write is stale.
        let mut l = Linearizability::default();
        writes(&mut l);
        ack(&mut l, 1, 1, 5);
        assert_eq!(read(&mut l, 10, None).unwrap_err().0, "linearizable");
        assert_eq!(read(&mut l, 11, Some(2)), Ok(()));
    }

    /// Table: (client, invoke or complete, op, position) steps and whether the history passes.
    #[test]
    fn positions_must_respect_real_time() {
        #[derive(Clone, Copy)]
        enum S {
            Inv(u32, u64),
            Done(u32, u64, bool, u64),
        }
        use S::*;
        let cases: &[(&str, &[S], bool)] = &[
            (
                "read after a write sees it",
                &[Inv(1, 1), Done(1, 1, false, 5), Inv(2, 1), Done(2, 1, true, 5)],
                true,
            ),
            ("stale read", &[Inv(1, 1), Done(1, 1, false, 5), Inv(2, 1), Done(2, 1, true, 4)], false),
            (
                "concurrent read may be old",
                &[Inv(2, 1), Inv(1, 1), Done(1, 1, false, 5), Done(2, 1, true, 4)],
                true,
            ),
            (
                "write after a read is later",
                &[Inv(1, 1), Done(1, 1, true, 5), Inv(2, 1), Done(2, 1, false, 5)],
                false,
            ),
            (
                "write after a write",
                &[Inv(1, 1), Done(1, 1, false, 5), Inv(2, 1), Done(2, 1, false, 6)],
                true,
            ),
            ("reads never go back", &[Inv(1, 1), Done(1, 1, true, 7), Inv(2, 1), Done(2, 1, true, 6)], false),
            ("a duplicate reply is ignored", &[Inv(1, 2), Done(1, 1, true, 0), Done(1, 2, false, 3)], true),
        ];
        for (name, steps, want) in cases {
            let mut rt = RealTime::default();
            let mut ok = true;
            for s in steps.iter().copied() {
                match s {
                    Inv(c, r) => rt.invoked(NodeId(c), r),
                    Done(c, r, read, p) => {
                        let op = if read { get() } else { put(r) };
                        ok &=
                            rt.completed(NodeId(c), r, &op, p, &|n| format!("{n}"), &|_, _, _| true).is_ok();
                    }
                }
            }
            assert_eq!(ok, *want, "{name}");
        }
    }

    /// Results are judged against the committed log, whichever arrives first.
    #[test]
    fn results_must_be_what_the_committed_log_gives() {
        let (a, b) = (NodeId(5), NodeId(6));
        let mut l = Linearizability::default();
        l.invoked(a, 1);
        l.committed(1, None).unwrap();
        l.committed(2, Some((a, 1, &put(3)))).unwrap();
        l.acked(a, 1, &put(3), &KvResult::Done, 2).unwrap();
        // A read at the put's position must see it.
        l.invoked(b, 1);
        l.acked(b, 1, &get(), &KvResult::Value(Some(3)), 2).unwrap();
        l.invoked(b, 2);
        let (_, e) = l.acked(b, 2, &get(), &KvResult::Value(Some(4)), 2).unwrap_err();
        assert!(e.contains("returned = 4, but the committed log gives = 3 at position 2"), "{e}");
        // An answer ahead of the committed log waits for it, and is judged then.
        let mut l = Linearizability::default();
        let cas = KvOp::Cas("x".into(), Some(1), 2);
        l.invoked(a, 1);
        l.acked(a, 1, &cas, &KvResult::Cas { swapped: true, found: Some(1) }, 1).unwrap();
        let (_, e) = l.committed(1, Some((a, 1, &cas))).unwrap_err();
        assert!(e.contains("returned swapped, but the committed log gives not swapped (absent)"), "{e}");
        // Entries after a gap wait for it.
        let mut l = Linearizability::default();
        l.committed(2, Some((a, 1, &put(7)))).unwrap();
        l.invoked(b, 1);
        l.acked(b, 1, &get(), &KvResult::Value(Some(7)), 2).unwrap();
        l.committed(1, None).unwrap();
        // A write acknowledged where the committed log holds something else was lost.
        let mut l = Linearizability::default();
        l.committed(1, Some((b, 9, &put(1)))).unwrap();
        l.invoked(a, 1);
        let (property, _) = l.acked(a, 1, &put(3), &KvResult::Done, 1).unwrap_err();
        assert_eq!(property, "acked-write-durable");
    }

    #[test]
    fn a_stale_read_names_both_operations() {
        let mut rt = RealTime::default();
        rt.invoked(NodeId(5), 1);
        let name = |n: NodeId| format!("C{}", n.0 - 4);
        let changed = |_: &Key, _, _| true;
        rt.completed(NodeId(5), 1, &put(3), 9, &name, &changed).unwrap();
        rt.invoked(NodeId(6), 4);
        let e = rt.completed(NodeId(6), 4, &get(), 2, &name, &changed).unwrap_err();
        assert_eq!(e, "stale read: C2's get x saw the state at position 2, but C1's put x 3 had completed at position 9 before it began");
    }

    /// Linearizability is local: a read is held only to the operations on its own key, and a
    /// read at an older position whose key did not change since is a right answer (red-team
    /// finding: any operation further on made it a "stale read", where the history search
    /// found the history linearizable).
    #[test]
    fn a_read_is_held_to_its_own_key_and_to_changes_of_it() {
        let (a, b) = (NodeId(5), NodeId(6));
        let get_x = get();
        let put_y = KvOp::Put("y".into(), 1);
        let mut l = Linearizability::default();
        l.committed(1, Some((a, 1, &put(3)))).unwrap();
        for i in 2..=8 {
            l.committed(i, None).unwrap();
        }
        l.committed(9, Some((a, 2, &put_y))).unwrap();
        l.invoked(a, 1);
        l.acked(a, 1, &put(3), &KvResult::Done, 1).unwrap();
        l.invoked(a, 2);
        l.acked(a, 2, &put_y, &KvResult::Done, 9).unwrap();
        // B reads x at position 6, after y was written at 9: x has not changed since 1.
        l.invoked(b, 1);
        l.acked(b, 1, &get_x, &KvResult::Value(Some(3)), 6).unwrap();
        // And again at 4, before the read at 6 that it follows: x held 3 all along.
        l.invoked(b, 5);
        l.acked(b, 5, &get_x, &KvResult::Value(Some(3)), 4).unwrap();
        // x changes at 10 and that write completes; a read of x at 6 after it is stale.
        l.committed(10, Some((a, 3, &put(4)))).unwrap();
        l.invoked(a, 3);
        l.acked(a, 3, &put(4), &KvResult::Done, 10).unwrap();
        l.invoked(b, 2);
        let (p, e) = l.acked(b, 2, &get_x, &KvResult::Value(Some(3)), 6).unwrap_err();
        assert_eq!(p, "linearizable");
        assert!(e.contains("stale read") && e.contains("put x 4 had completed at position 10"), "{e}");
    }
}
