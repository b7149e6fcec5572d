//! A whole history's check: each key searched on its own, then, for the first key that fails,
//! a minimal set of its operations that still fails. [`Check`] does it in slices, so a page
//! can spread it over frames and show how far it came; [`check`] runs it to the end.

use alloc::string::String;
use alloc::vec::Vec;

use super::search::{Answer, Limits, Progress, Search, Step, Unknown};
use super::types::{Op, Operation, Outcome, Value};

/// The verdict for a history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    /// True only when every key's history was shown linearizable.
    pub linearizable: bool,
    /// When not linearizable: the key whose history fails. When unknown: the first key the
    /// search gave up on.
    pub key: Option<Option<String>>,
    /// When not linearizable: a minimal set of that key's operations (no one of them can be
    /// removed) that cannot be ordered. The whole key's history when it has more than
    /// [`MINIMIZE_LIMIT`] operations, and possibly more than a minimal set when minimizing
    /// reached the limits.
    pub minimal: Vec<Operation>,
    /// When the search reached its limits on some key before it could tell, and no other key
    /// fails: why. `linearizable` is then false, but nothing was refuted, so callers must not
    /// report a violation.
    pub unknown: Option<Unknown>,
}

/// Most operations per key the minimizer works on (it re-runs the check once per operation).
pub const MINIMIZE_LIMIT: usize = 400;

/// Check a whole history with the default limits. When it is not linearizable, also find a
/// minimal failing set of operations for the first failing key.
pub fn check(ops: &[Operation]) -> Verdict {
    Check::new(ops, Limits::default()).finish()
}

/// Is this one key's history linearizable (starting from an unset register)? False when it is
/// not, and also when the search reached the default limits ([`Search`] tells the two apart).
pub fn check_key(ops: &[Operation]) -> bool {
    linearization(ops).is_some()
}

/// A linearization of one key's history, if the search finds one within the default limits:
/// the indices into `ops` of the operations that take effect, in the order they do (operations
/// that impose nothing, such as a failed read, are left out).
pub fn linearization(ops: &[Operation]) -> Option<Vec<usize>> {
    match Search::new(ops, Limits::default()).finish() {
        Answer::Linearizable(order) => Some(order),
        _ => None,
    }
}

/// A whole history's check, run in slices: `run(steps)` until it is `Done`.
#[derive(Clone, Debug)]
pub struct Check {
    ops: Vec<Operation>,
    /// Each key, in order, with the indices of its operations.
    keys: Vec<(Option<String>, Vec<usize>)>,
    limits: Limits,
    /// The key being searched, and its search.
    key: usize,
    search: Option<Search>,
    /// Explored by finished searches.
    explored: u64,
    /// Per key shown linearizable, its order as indices into the history's operations.
    orders: Vec<Vec<usize>>,
    unknown: Option<(usize, Unknown)>,
    minimizing: Option<(usize, Minimize)>,
    verdict: Option<Verdict>,
}

impl Check {
    /// A check of `ops` within `limits` for each key's search (so a key's answer does not
    /// depend on the others), and as much again to minimize a witness.
    pub fn new(ops: &[Operation], limits: Limits) -> Check {
        let mut names: Vec<Option<String>> = ops.iter().map(|o| o.key.clone()).collect();
        #[allow(clippy::disallowed_methods)] // keys are strings, which crate::order cannot key
        names.sort_unstable();
        names.dedup();
        let keys = names
            .into_iter()
            .map(|k| {
                let of_key = (0..ops.len()).filter(|i| ops[*i].key == k).collect();
                (k, of_key)
            })
            .collect();
        Check {
            ops: ops.to_vec(),
            keys,
            limits,
            key: 0,
            search: None,
            explored: 0,
            orders: Vec::new(),
            unknown: None,
            minimizing: None,
            verdict: None,
        }
    }

    fn key_ops(&self, key: usize) -> Vec<Operation> {
        self.keys[key].1.iter().map(|i| self.ops[*i].clone()).collect()
    }

    /// Explore up to about `steps` more configurations; the verdict once there is one.
    pub fn run(&mut self, steps: u64) -> Step<Verdict> {
        let stop = self.progress().explored.saturating_add(steps);
        loop {
            if let Some(v) = &self.verdict {
                return Step::Done(v.clone());
            }
            let left = stop.saturating_sub(self.progress().explored);
            if left == 0 {
                return Step::Running(self.progress());
            }
            if let Some((key, m)) = &mut self.minimizing {
                if let Some(minimal) = m.run(left) {
                    let key = Some(self.keys[*key].0.clone());
                    self.verdict = Some(Verdict { linearizable: false, key, minimal, unknown: None });
                }
                continue;
            }
            let Some(search) = &mut self.search else {
                self.next_key();
                continue;
            };
            let Step::Done(answer) = search.run(left) else { continue };
            self.explored += search.progress().explored;
            self.search = None;
            match answer {
                Answer::Linearizable(order) => {
                    let of_key = &self.keys[self.key].1;
                    self.orders.push(order.into_iter().map(|i| of_key[i]).collect());
                }
                Answer::NotLinearizable => {
                    let ops = self.key_ops(self.key);
                    if ops.len() <= MINIMIZE_LIMIT {
                        self.minimizing = Some((self.key, Minimize::new(ops, self.limits)));
                    } else {
                        let key = Some(self.keys[self.key].0.clone());
                        self.verdict =
                            Some(Verdict { linearizable: false, key, minimal: ops, unknown: None });
                    }
                }
                Answer::Unknown(u) => {
                    self.unknown.get_or_insert((self.key, u));
                }
            }
            self.key += 1;
        }
    }

    /// Start the next key's search, or give the verdict after the last.
    fn next_key(&mut self) {
        if self.key == self.keys.len() {
            let unknown = self.unknown.take();
            self.verdict = Some(Verdict {
                linearizable: unknown.is_none(),
                key: unknown.as_ref().map(|(k, _)| self.keys[*k].0.clone()),
                minimal: Vec::new(),
                unknown: unknown.map(|(_, u)| u),
            });
            return;
        }
        let ops = self.key_ops(self.key);
        self.search = Some(Search::new(&ops, self.limits));
    }

    /// Run to the end.
    pub fn finish(mut self) -> Verdict {
        loop {
            if let Step::Done(v) = self.run(u64::MAX) {
                return v;
            }
        }
    }

    pub fn progress(&self) -> Progress {
        let inner = self.search.as_ref().map(Search::progress).unwrap_or_default();
        let minimizing = self.minimizing.as_ref().map(|(_, m)| m.explored());
        Progress {
            explored: self.explored + inner.explored + minimizing.unwrap_or(0),
            keys_done: self.key,
            keys: self.keys.len(),
            minimizing: minimizing.is_some(),
            ..inner
        }
    }

    /// Once the verdict is linearizable: for each key, in the order of [`Check::new`]'s sort,
    /// the operations that take effect (indices into the history) in a legal order.
    pub fn orders(&self) -> &[Vec<usize>] {
        &self.orders
    }
}

/// Does every value the operations observe (a read's result, a successful compare-and-set's
/// expected value) come from a write among them? A witness that drops the write of a value it
/// reads would "fail" for a trivial reason and explain nothing.
fn explained(ops: &[Operation]) -> bool {
    let written = |v: &Value| {
        *v == Value::Null
            || ops.iter().any(|o| match (&o.op, o.outcome) {
                (Op::Write(x), Outcome::Ok | Outcome::Info) => x == v,
                (Op::Cas(_, n), Outcome::Ok | Outcome::Info) => n == v,
                _ => false,
            })
    };
    ops.iter().all(|o| match (&o.op, o.outcome) {
        (Op::Read(Some(v)), Outcome::Ok) => written(v),
        (Op::Cas(e, _), Outcome::Ok) => written(e),
        _ => true,
    })
}

/// Remove operations one at a time while the rest still fails for a real reason (every value
/// read is still written by someone): the result cannot lose any single operation and stay a
/// non-linearizable, self-explaining history. Passes repeat (removing a read can free the
/// write that explained it), at most 32. An operation whose removal the search cannot decide
/// within the limits stays; when the limits are spent, minimizing stops where it is.
#[derive(Clone, Debug)]
struct Minimize {
    ops: Vec<Operation>,
    limits: Limits,
    pass: usize,
    /// The operation to try removing next, and the length at the start of the pass.
    i: usize,
    before: usize,
    trying: Option<(Vec<Operation>, Search)>,
    explored: u64,
}

impl Minimize {
    fn new(ops: Vec<Operation>, limits: Limits) -> Minimize {
        let before = ops.len();
        Minimize { ops, limits, pass: 0, i: 0, before, trying: None, explored: 0 }
    }

    fn explored(&self) -> u64 {
        self.explored + self.trying.as_ref().map_or(0, |(_, s)| s.progress().explored)
    }

    /// Work for about `steps` configurations; the minimal set once done.
    fn run(&mut self, steps: u64) -> Option<Vec<Operation>> {
        let stop = self.explored().saturating_add(steps);
        while self.explored() < stop {
            if let Some((without, search)) = &mut self.trying {
                let spent = self.explored + search.progress().explored;
                let Step::Done(answer) = search.run(stop.saturating_sub(spent)) else { continue };
                self.explored += search.progress().explored;
                if answer == Answer::NotLinearizable {
                    self.ops = core::mem::take(without);
                } else {
                    self.i += 1;
                }
                self.trying = None;
                continue;
            }
            let left = self.limits.states.saturating_sub(self.explored);
            if left == 0 {
                return Some(core::mem::take(&mut self.ops));
            }
            if self.i >= self.ops.len() {
                self.pass += 1;
                if self.ops.len() == self.before || self.pass == 32 {
                    return Some(core::mem::take(&mut self.ops));
                }
                self.i = 0;
                self.before = self.ops.len();
                continue;
            }
            let mut without = self.ops.clone();
            without.remove(self.i);
            if explained(&without) || !explained(&self.ops) {
                let search = Search::new(&without, Limits { states: left, ..self.limits });
                self.trying = Some((without, search));
            } else {
                self.i += 1;
            }
        }
        None
    }
}
