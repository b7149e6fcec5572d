//! One sweep over a key's history, in time order, return by return (see `search.rs` for the
//! idea). A sweep counts crashed operations exactly, or, in the relaxed mode, lets each kind be
//! used any number of times once one is invoked (so it may accept what is not linearizable,
//! never refuse what is); the narrow mode keeps only a few configurations of each slots and
//! value (so it may refuse what is linearizable, never accept what is not).

use alloc::vec::Vec;

use super::dominance::minimal;
use super::prepare::{Act, Event, Prepared};
use super::rows::{RowSet, Trail, ROOT};

/// How a sweep treats crashed operations and how many configurations it keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Mode {
    /// Each kind of crashed operation can be used any number of times once one is invoked.
    Relaxed,
    /// Exact counts, but at most this many configurations per slots and value.
    Narrow(usize),
    /// Exact counts, every configuration that is not redundant.
    Full,
}

/// How a sweep ended: some configuration reached the end (with its linearization), or none.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Ended {
    Survived(Vec<usize>),
    Died,
}

/// Does `act`, with the register at `v2` after a run from `v`, use what the run did: it reads or
/// expects `v2`, or it is a failed compare-and-set that could not have failed at `v`?
fn needs(act: Act, v: u32, v2: u32) -> bool {
    match act {
        Act::Read(u) | Act::Cas(u, _) => u == v2,
        Act::CasFail(e) => e == v && e != v2,
        Act::Write(_) => false,
    }
}

/// Does `order` name each operation at most once?
pub(super) fn no_repeats(order: &[usize]) -> bool {
    let mut seen = alloc::vec![false; order.iter().max().map_or(0, |m| m + 1)];
    order.iter().all(|i| !core::mem::replace(&mut seen[*i], true))
}

/// Configurations per slots, value and run that later ones are compared with (full mode).
const MEMBERS: usize = 32;

/// The word that marks a run of crashed operations under way.
const RUN: u32 = 1 << 31;

/// A value's bit in a run's word (values from 31 on share none: their loops are not cut).
fn bit(v: u32) -> u32 {
    if v < 31 {
        1 << v
    } else {
        0
    }
}

/// A sweep under way.
#[derive(Clone, Debug)]
pub(super) struct Sweep {
    mode: Mode,
    /// A row is the slots' bits (`mask_words` words), the value, then a count per kind.
    mask_words: usize,
    width: usize,
    /// The next event, the required operations pending, and returns passed.
    cursor: usize,
    pending: Vec<u32>,
    pub(super) returns_done: usize,
    /// The configurations alive, as rows, and each one's trail node.
    frontier: Vec<u32>,
    frontier_trail: Vec<u32>,
    /// The return being passed, and the next configuration to carry across it.
    at: Option<u32>,
    next_config: usize,
    /// Configurations on the way to the return, to extend, and those seen: a row and one more
    /// word, the run of crashed operations under way (see `expand`): 0 when none is, else
    /// `RUN` and a bit for each value (below 31) the run has left in the register.
    stack: Vec<u32>,
    stack_trail: Vec<u32>,
    visited: RowSet,
    /// In the narrow mode, each slots, value and run seen on the way, and how many
    /// configurations of it were taken.
    heads: RowSet,
    taken: Vec<u32>,
    head: Vec<u32>,
    /// In the full mode, for each of those, the first configurations taken (by number in
    /// `visited`), which later ones are compared with.
    members: Vec<Vec<u32>>,
    /// Configurations past the return (with repeats), for the next frontier.
    out: Vec<u32>,
    out_trail: Vec<u32>,
    trail: Trail,
    compact_at: usize,
    row: Vec<u32>,
    /// Set when the sweep has ended.
    ended: Option<Ended>,
}

impl Sweep {
    pub(super) fn new(p: &Prepared, mode: Mode) -> Sweep {
        let mask_words = p.slots.div_ceil(32);
        let width = mask_words + 1 + p.kinds.len();
        let mut start = alloc::vec![0u32; width];
        start[mask_words] = p.null;
        Sweep {
            mode,
            mask_words,
            width,
            cursor: 0,
            pending: Vec::new(),
            returns_done: 0,
            frontier: start,
            frontier_trail: alloc::vec![ROOT],
            at: None,
            next_config: 0,
            stack: Vec::new(),
            stack_trail: Vec::new(),
            visited: RowSet::new(width + 1),
            heads: RowSet::new(mask_words + 2),
            taken: Vec::new(),
            members: Vec::new(),
            head: alloc::vec![0; mask_words + 2],
            out: Vec::new(),
            out_trail: Vec::new(),
            trail: Trail::default(),
            compact_at: 1 << 16,
            row: alloc::vec![0; width + 1],
            ended: None,
        }
    }

    /// Do one piece of work: how many configurations it touched, and how the sweep ended once
    /// it has.
    pub(super) fn step(&mut self, p: &Prepared) -> (u64, Option<Ended>) {
        let work = match self.at {
            None => {
                self.advance(p);
                1
            }
            Some(_) if !self.stack_trail.is_empty() => {
                self.expand(p);
                1
            }
            Some(_) if self.next_config < self.frontier_trail.len() => {
                self.seed(p);
                1
            }
            Some(_) => {
                let n = self.out_trail.len() as u64;
                self.finish_return(p);
                1 + n
            }
        };
        (work, self.ended.take())
    }

    /// Configurations alive after the last return passed.
    pub(super) fn configurations(&self) -> usize {
        self.frontier_trail.len()
    }

    /// Bytes held.
    pub(super) fn bytes(&self) -> usize {
        let words = self.frontier.capacity() + self.out.capacity() + self.stack.capacity();
        4 * (words + self.frontier_trail.capacity() + self.out_trail.capacity() + self.stack_trail.capacity())
            + self.visited.bytes()
            + self.heads.bytes()
            + 4 * self.taken.capacity()
            + self.members.iter().map(|m| 24 + 4 * m.capacity()).sum::<usize>()
            + self.trail.bytes()
    }

    /// Pass invocations up to the next return, or finish at the end of the history.
    fn advance(&mut self, p: &Prepared) {
        while let Some(e) = p.events.get(self.cursor) {
            self.cursor += 1;
            match *e {
                Event::Invoke(r) => self.pending.push(r),
                Event::Return(r) => {
                    self.pending.retain(|q| *q != r);
                    self.at = Some(r);
                    self.next_config = 0;
                    return;
                }
            }
        }
        // Any survivor's order will do; the relaxed sweep prefers one that uses no crashed
        // operation twice, which is then a real linearization.
        let mut orders = self.frontier_trail.iter().map(|t| self.trail.path(*t));
        let first = orders.next().unwrap_or_default();
        let order = match self.mode {
            Mode::Relaxed if !no_repeats(&first) => orders.find(|o| no_repeats(o)).unwrap_or(first),
            _ => first,
        };
        self.ended = Some(Ended::Survived(order));
    }

    /// Carry the next configuration across the return: as it is if it already linearized the
    /// returning operation, else as the start of a search towards it.
    fn seed(&mut self, p: &Prepared) {
        let i = self.next_config;
        self.next_config += 1;
        let x = &p.required[self.at.unwrap_or(0) as usize];
        let (word, bit) = (x.slot as usize / 32, 1 << (x.slot % 32));
        let w = self.width;
        let mut row = core::mem::take(&mut self.row);
        row[..w].copy_from_slice(&self.frontier[i * w..(i + 1) * w]);
        row[w] = 0;
        let t = self.frontier_trail[i];
        if row[word] & bit != 0 {
            row[word] &= !bit;
            self.out.extend_from_slice(&row[..w]);
            self.out_trail.push(t);
        } else if self.admit(&row) {
            self.stack.extend_from_slice(&row);
            self.stack_trail.push(t);
        }
        self.row = row;
    }

    /// Take one configuration on the way to the return and try every step from it.
    ///
    /// Crashed operations are used in *runs* just before a required operation that needs what
    /// they leave: a run is at most one crashed write, then crashed compare-and-sets. Any
    /// linearization can be rearranged into that form (a crashed operation can always move
    /// later, and one whose effect is overwritten or undone can be left out), so nothing is
    /// lost, and runs of useless crashed operations are never tried.
    fn expand(&mut self, p: &Prepared) {
        let (w, mw) = (self.width, self.mask_words);
        let len = self.stack.len() - (w + 1);
        let mut row = core::mem::take(&mut self.row);
        row.copy_from_slice(&self.stack[len..]);
        self.stack.truncate(len);
        let t = self.stack_trail.pop().unwrap_or(ROOT);
        let (v, run) = (row[mw], row[w]);
        let in_run = run != 0;
        let x = &p.required[self.at.unwrap_or(0) as usize];
        let now = x.complete;
        // After a run, only an operation that needs the run's value may follow (a failed
        // compare-and-set needs it when the run left its expected value; `step` checks that).
        let allowed = |act: Act| match act {
            _ if !in_run => true,
            Act::Read(u) | Act::Cas(u, _) => u == v,
            Act::CasFail(_) => true,
            Act::Write(_) => false,
        };
        if let (Some(v2), true) = (x.act.step(v), allowed(x.act)) {
            let node = self.trail.push(t, x.op);
            let start = self.out.len();
            self.out.extend_from_slice(&row[..w]);
            self.out[start + mw] = v2;
            self.out_trail.push(node);
        }
        // Crashed operations first, so that the required steps, pushed last, are taken first
        // (they use no crashed operation, and what they reach makes more of the rest redundant).
        let plain_writes = p.kinds.len() == p.writes.len();
        let writes = if in_run { &[][..] } else { &p.writes[..] };
        for &k in writes.iter().chain(&p.cas_from[v as usize]) {
            let kind = &p.kinds[k];
            let used = row[mw + 1 + k] as usize;
            let Some(&(invoke, op)) = kind.tokens.get(used) else { continue };
            if kind.horizon < now || invoke > now {
                continue;
            }
            let v2 = match kind.act {
                Act::Write(x) | Act::Cas(_, x) if x != v => x,
                _ => continue,
            };
            // With crashed writes only, a run is one write, useful only if the value it
            // leaves is needed next.
            if plain_writes && !self.wanted(p, &row, v, v2) {
                continue;
            }
            // A run never leaves a value twice: the loop between could be left out.
            let seen = if in_run { run } else { RUN | bit(v) };
            if seen & bit(v2) != 0 {
                continue;
            }
            // Counted, except in the relaxed mode.
            let used = (self.mode != Mode::Relaxed) as u32;
            row[mw] = v2;
            row[mw + 1 + k] += used;
            row[w] = seen | bit(v2);
            self.push(&row, t, op);
            row[mw] = v;
            row[mw + 1 + k] -= used;
        }
        row[w] = 0;
        for k in 0..self.pending.len() {
            let y = &p.required[self.pending[k] as usize];
            let (word, bit) = (y.slot as usize / 32, 1 << (y.slot % 32));
            if row[word] & bit != 0 || !allowed(y.act) {
                continue;
            }
            if let Some(v2) = y.act.step(v) {
                row[word] |= bit;
                row[mw] = v2;
                let op = y.op;
                self.push(&row, t, op);
                row[word] &= !bit;
                row[mw] = v;
            }
        }
        self.row = row;
    }

    /// Does some operation that may come next (the returning one, or a pending one not yet
    /// linearized in `row`) need the register to go from `v` to `v2` first?
    fn wanted(&self, p: &Prepared, row: &[u32], v: u32, v2: u32) -> bool {
        let x = &p.required[self.at.unwrap_or(0) as usize];
        needs(x.act, v, v2)
            || self.pending.iter().any(|y| {
                let y = &p.required[*y as usize];
                row[y.slot as usize / 32] & (1 << (y.slot % 32)) == 0 && needs(y.act, v, v2)
            })
    }

    /// A configuration on the way to the return, reached from trail node `parent` by `op`.
    fn push(&mut self, row: &[u32], parent: u32, op: usize) {
        if self.admit(row) {
            self.stack.extend_from_slice(row);
            let node = self.trail.push(parent, op);
            self.stack_trail.push(node);
        }
    }

    /// Should a configuration on the way to the return be taken: not seen before, and in the
    /// narrow mode not beyond the few of its slots, value and run, and in the full mode not
    /// redundant beside one of the first `MEMBERS` taken of those (one that used no more of
    /// any kind of crashed operation)?
    fn admit(&mut self, row: &[u32]) -> bool {
        let (k, new) = self.visited.insert(row);
        if !new || self.mode == Mode::Relaxed {
            return new;
        }
        let (mw, w) = (self.mask_words, self.width);
        self.head[..=mw].copy_from_slice(&row[..=mw]);
        self.head[mw + 1] = row[w];
        let (h, new_head) = self.heads.insert(&self.head);
        if new_head {
            self.taken.push(0);
            self.members.push(Vec::new());
        }
        if let Mode::Narrow(n) = self.mode {
            self.taken[h] += 1;
            return self.taken[h] as usize <= n;
        }
        let counts = &row[mw + 1..w];
        let redundant = self.members[h].iter().any(|m| {
            let other = self.visited.row(*m as usize);
            other[mw + 1..w].iter().zip(counts).all(|(a, b)| a <= b)
        });
        if !redundant && self.members[h].len() < MEMBERS {
            self.members[h].push(k as u32);
        }
        !redundant
    }

    /// Every configuration has crossed the return: keep the minimal distinct ones.
    fn finish_return(&mut self, p: &Prepared) {
        let now = p.required[self.at.unwrap_or(0) as usize].complete;
        let (w, mw) = (self.width, self.mask_words);
        // A kind past its horizon is of no more use: forget how many were spent, so that
        // configurations that differ only there merge. Strictly past: another return at the
        // horizon's own position may still need one, and must not find it unspent again.
        for (k, kind) in p.kinds.iter().enumerate() {
            if kind.horizon < now {
                self.out.iter_mut().skip(mw + 1 + k).step_by(w).for_each(|c| *c = 0);
            }
        }
        let (free, per_head) = match self.mode {
            Mode::Relaxed => (true, usize::MAX),
            Mode::Narrow(n) => (false, n),
            Mode::Full => (false, usize::MAX),
        };
        let keep = minimal(&self.out, w, mw, &p.kinds, now, free, per_head);
        self.frontier.clear();
        self.frontier_trail.clear();
        for i in keep {
            self.frontier.extend_from_slice(&self.out[i * w..(i + 1) * w]);
            self.frontier_trail.push(self.out_trail[i]);
        }
        self.out.clear();
        self.out_trail.clear();
        self.visited.clear();
        self.heads.clear();
        self.taken.clear();
        self.members.clear();
        self.at = None;
        self.returns_done += 1;
        if self.frontier_trail.is_empty() {
            self.ended = Some(Ended::Died);
        } else if self.trail.len() > self.compact_at {
            self.trail.compact(&mut self.frontier_trail);
            self.compact_at = (2 * self.trail.len()).max(1 << 16);
        }
    }
}
