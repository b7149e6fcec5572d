//! What the search needs from one key's history, computed once before it starts: values
//! interned to small integers, the operations that must take effect (required) apart from the
//! crashed ones that may (tokens), the required operations' invocations and returns in time
//! order with a slot each, and the pre-check that a read or compare-and-set never expects a
//! value nobody writes.

use alloc::collections::BTreeMap;
use alloc::vec::Vec;

use super::types::{Op, Operation, Outcome, Value};

/// What an operation does to the register, on interned values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Act {
    Read(u32),
    Write(u32),
    /// A compare-and-set that swapped: expected, new.
    Cas(u32, u32),
    /// A compare-and-set that did not swap: it saw something other than this.
    CasFail(u32),
}

impl Act {
    /// The register's value after this act on value `v`, if the act can take effect there.
    pub(super) fn step(self, v: u32) -> Option<u32> {
        match self {
            Act::Read(u) => (v == u).then_some(v),
            Act::Write(x) => Some(x),
            Act::Cas(e, n) => (v == e).then_some(n),
            Act::CasFail(e) => (v != e).then_some(v),
        }
    }
}

/// An operation that completed with an effect it must have had somewhere in its interval.
#[derive(Clone, Debug)]
pub(super) struct Required {
    /// Index into the key's operations.
    pub op: usize,
    pub complete: usize,
    pub act: Act,
    /// Its bit in a configuration's set of linearized, still pending operations; no two
    /// overlapping operations share one.
    pub slot: u32,
}

/// Crashed operations that change the register the same way (writes of one value,
/// compare-and-sets of one pair). Each may take effect once, at any time after its invocation,
/// or never; once invoked they are interchangeable, so a configuration only counts how many of
/// a kind it used, and they are used in invocation order.
#[derive(Clone, Debug)]
pub(super) struct Kind {
    /// `Write` or `Cas`.
    pub act: Act,
    /// (invocation, index into the key's operations), by invocation.
    pub tokens: Vec<(usize, usize)>,
    /// The last return at which using one can still matter: after it, no remaining operation
    /// can observe what it writes.
    pub horizon: usize,
}

/// A required operation's invocation or return.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Event {
    Invoke(u32),
    Return(u32),
}

/// One key's history, ready to search.
#[derive(Clone, Debug, Default)]
pub(super) struct Prepared {
    pub required: Vec<Required>,
    pub kinds: Vec<Kind>,
    /// Invocations and returns of the required operations, in time order (an invocation
    /// before a return at the same position).
    pub events: Vec<Event>,
    /// Most required operations pending at once: the slots a configuration needs.
    pub slots: usize,
    /// The interned unset value, where the register starts.
    pub null: u32,
    /// The kinds that are crashed writes, and per value the crashed compare-and-sets that
    /// expect it (by index into `kinds`).
    pub writes: Vec<usize>,
    pub cas_from: Vec<Vec<usize>>,
}

/// Prepare one key's operations; `Err(i)` when operation `i` observes a value that no
/// operation writes, which no order can explain.
pub(super) fn prepare(ops: &[Operation]) -> Result<Prepared, usize> {
    let mut ids: BTreeMap<Value, u32> = BTreeMap::new();
    let mut intern = |v: &Value| match ids.get(v) {
        Some(id) => *id,
        None => {
            let id = ids.len() as u32;
            ids.insert(v.clone(), id);
            id
        }
    };
    let null = intern(&Value::Null);
    let mut required = Vec::new();
    let mut kinds: BTreeMap<(bool, u32, u32), Vec<(usize, usize)>> = BTreeMap::new();
    for (i, o) in ops.iter().enumerate() {
        let complete = o.complete.filter(|_| o.outcome != Outcome::Info);
        let act = match (&o.op, o.outcome) {
            (Op::Read(Some(u)), Outcome::Ok) if complete.is_some() => Act::Read(intern(u)),
            (Op::Write(x), Outcome::Ok | Outcome::Info) => Act::Write(intern(x)),
            (Op::Cas(e, n), Outcome::Ok | Outcome::Info) => Act::Cas(intern(e), intern(n)),
            (Op::Cas(e, _), Outcome::Fail) if complete.is_some() => Act::CasFail(intern(e)),
            // Reads and failed operations that may or may not have happened, failed writes and
            // reads with no result: they impose nothing and change nothing.
            _ => continue,
        };
        match (complete, act) {
            (Some(complete), _) => required.push(Required { op: i, complete, act, slot: 0 }),
            (None, Act::Write(x)) => kinds.entry((false, x, x)).or_default().push((o.invoke, i)),
            (None, Act::Cas(e, n)) if e != n => kinds.entry((true, e, n)).or_default().push((o.invoke, i)),
            _ => {}
        }
    }
    let values = ids.len();
    // Every value observed must be written by someone (or be the unset start).
    let mut written = alloc::vec![false; values];
    written[null as usize] = true;
    for r in &required {
        if let Act::Write(x) | Act::Cas(_, x) = r.act {
            written[x as usize] = true;
        }
    }
    for (_, x, n) in kinds.keys() {
        written[*x as usize] = true;
        written[*n as usize] = true;
    }
    if let Some(r) = required.iter().find(|r| match r.act {
        Act::Read(u) | Act::Cas(u, _) => !written[u as usize],
        _ => false,
    }) {
        return Err(r.op);
    }
    let kinds = useful_kinds(&required, kinds, values);
    let (events, slots) = events_and_slots(ops, &mut required);
    let mut writes = Vec::new();
    let mut cas_from = alloc::vec![Vec::new(); values];
    for (k, kind) in kinds.iter().enumerate() {
        match kind.act {
            Act::Cas(e, _) => cas_from[e as usize].push(k),
            _ => writes.push(k),
        }
    }
    Ok(Prepared { required, kinds, events, slots, null, writes, cas_from })
}

/// The kinds of crashed operation that can still matter, each with its horizon; tokens
/// invoked after their kind's horizon are dropped, and so are kinds left with none.
fn useful_kinds(
    required: &[Required],
    kinds: BTreeMap<(bool, u32, u32), Vec<(usize, usize)>>,
    values: usize,
) -> Vec<Kind> {
    // horizon[x]: the last return at which the register holding x can help an operation
    // (one that reads x or expects it, a failed compare-and-set that expected something else,
    // or a crashed compare-and-set from x that leads to such a value). Grows to a fixpoint.
    let mut horizon: Vec<Option<usize>> = alloc::vec![None; values];
    for r in required {
        match r.act {
            Act::Read(u) | Act::Cas(u, _) => {
                horizon[u as usize] = horizon[u as usize].max(Some(r.complete));
            }
            Act::CasFail(e) => {
                for (x, h) in horizon.iter_mut().enumerate() {
                    if x != e as usize {
                        *h = (*h).max(Some(r.complete));
                    }
                }
            }
            Act::Write(_) => {}
        }
    }
    loop {
        let mut changed = false;
        for (is_cas, e, n) in kinds.keys() {
            if *is_cas && horizon[*n as usize] > horizon[*e as usize] {
                horizon[*e as usize] = horizon[*n as usize];
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    let mut out = Vec::new();
    for ((is_cas, e, n), mut tokens) in kinds {
        let Some(h) = horizon[n as usize] else { continue };
        tokens.retain(|(invoke, _)| *invoke <= h);
        if tokens.is_empty() {
            continue;
        }
        let tokens = crate::order::order_by(tokens.iter().map(|(invoke, _)| *invoke as u64))
            .into_iter()
            .map(|k| tokens[k as usize])
            .collect();
        let act = if is_cas { Act::Cas(e, n) } else { Act::Write(n) };
        out.push(Kind { act, tokens, horizon: h });
    }
    out
}

/// The required operations' events in time order, and a slot for each operation: the lowest
/// one free at its invocation.
fn events_and_slots(ops: &[Operation], required: &mut [Required]) -> (Vec<Event>, usize) {
    let mut keyed: Vec<(u64, u32)> = Vec::with_capacity(2 * required.len());
    for (k, r) in required.iter().enumerate() {
        keyed.push(((ops[r.op].invoke as u64) << 1, k as u32));
        keyed.push(((r.complete as u64) << 1 | 1, k as u32));
    }
    crate::order::sort_keyed(&mut keyed);
    let mut free: Vec<bool> = Vec::new();
    let mut events = Vec::with_capacity(keyed.len());
    for (key, k) in keyed {
        if key & 1 == 0 {
            let slot = match free.iter().position(|f| *f) {
                Some(s) => s,
                None => {
                    free.push(true);
                    free.len() - 1
                }
            };
            free[slot] = false;
            required[k as usize].slot = slot as u32;
            events.push(Event::Invoke(k));
        } else {
            free[required[k as usize].slot as usize] = true;
            events.push(Event::Return(k));
        }
    }
    (events, free.len())
}
