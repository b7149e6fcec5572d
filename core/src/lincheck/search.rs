//! The search for one key: sweeps over the history's returns (`sweep.rs`), in slices that can
//! stop and resume.
//!
//! A *configuration* is what a partial linearization leaves behind that still matters: which
//! pending operations it has already linearized (a bit per slot), the register's value, and
//! how many crashed operations of each kind it has used. The sweep keeps every configuration
//! reachable so far. At the return of an operation X, each configuration that has not yet
//! linearized X must do it now: it may first linearize other pending operations and use
//! crashed ones, as long as each step is legal, and then X. Those that cannot are dropped; if
//! none is left, the history is not linearizable. Steps that could come after X are left to
//! later returns, which can still take them (just-in-time linearization, Lowe 2017).
//!
//! The set is kept small several ways. Configurations are rows of a few `u32`s, deduplicated
//! in a hash set (`rows.rs`). Crashed operations are used only in runs that end in an
//! operation needing what they leave. A configuration that can do all another can makes the
//! other redundant (`dominance.rs`). A kind of crashed operation stops counting once nothing
//! left can observe what it writes. And the costly exact count is the last of three sweeps
//! ([`Pass`]).

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use super::prepare::{prepare, Event, Prepared};
use super::sweep::{no_repeats, Ended, Mode, Sweep};
use super::types::Operation;

/// How much a search may do before it stops with an unknown answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Configurations explored, per key (each costs 0.2 to 1 µs natively, measured on the
    /// hard histories of issue #20; the default is a few seconds at most).
    pub states: u64,
    /// Bytes the search's tables may hold.
    pub bytes: usize,
    /// Most configurations a narrow sweep keeps per slots and value: narrow sweeps keep 2, then
    /// 8, 32, … up to this (see [`Pass`]); 0 or 1 skips them.
    pub narrow: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { states: 5_000_000, bytes: 256 << 20, narrow: 32 }
    }
}

/// Why a search stopped without an answer.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Unknown {
    pub reason: String,
    pub explored: u64,
}

/// The answer for one key's history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    /// The operations that take effect (indices into the key's operations), in an order that
    /// is legal and respects real time. Operations that impose nothing are left out.
    Linearizable(Vec<usize>),
    NotLinearizable,
    Unknown(Unknown),
}

/// How far a search (or a whole [`super::Check`]) has come.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    /// Configurations explored so far.
    pub explored: u64,
    /// Returns of the current key's history passed, of all.
    pub returns_done: usize,
    pub returns: usize,
    /// Configurations alive after the last return passed.
    pub configurations: usize,
    /// The sweep under way.
    pub pass: Pass,
    /// Keys finished, of all (for a whole check).
    pub keys_done: usize,
    pub keys: usize,
    /// The verdict is known and a smallest witness is being sought.
    pub minimizing: bool,
}

/// The sweeps a search makes, each only if the one before could not tell.
///
/// Crashed operations are what make the search expensive, because a configuration must count
/// which it used. So the first sweep lets each kind be reused freely: if even that cannot
/// order the history, it is not linearizable, and if the order it finds uses no crashed
/// operation twice, it is. The narrow sweeps count exactly but keep only a few configurations
/// of each slots and value (2, then four times as many each time, up to `Limits::narrow`): an
/// order they find is real. Only the full sweep keeps everything. The narrowest goes first
/// (on a linearizable history it is the cheapest to find an order), then the relaxed one,
/// the wider ones, and the full sweep.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Pass {
    #[default]
    Relaxed,
    /// Keeping this many configurations per slots and value.
    Narrow(usize),
    Full,
}

/// Either still running (how far it came) or done.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step<T> {
    Running(Progress),
    Done(T),
}

/// The sweeps in order, the first apart and the rest to pop from the back: narrow sweeps of
/// 2, 8, 32, … up to `narrow` (and `narrow` itself), the narrowest before the relaxed one (on a
/// linearizable history it is the quickest to find an order), and the full sweep last.
fn plan(narrow: usize) -> (Pass, Vec<Pass>) {
    let mut widths = Vec::new();
    let mut n = Some(2usize);
    while let Some(w) = n.filter(|w| *w <= narrow) {
        widths.push(w);
        n = w.checked_mul(4);
    }
    if widths.last().is_some_and(|w| *w < narrow) {
        widths.push(narrow);
    }
    let mut rest = alloc::vec![Pass::Full];
    rest.extend(widths.iter().skip(1).rev().map(|w| Pass::Narrow(*w)));
    match widths.first() {
        Some(w) => {
            rest.push(Pass::Relaxed);
            (Pass::Narrow(*w), rest)
        }
        None => (Pass::Relaxed, rest),
    }
}

/// How a sweep of this pass runs.
fn mode(pass: Pass) -> Mode {
    match pass {
        Pass::Relaxed => Mode::Relaxed,
        Pass::Narrow(n) => Mode::Narrow(n),
        Pass::Full => Mode::Full,
    }
}

/// Bytes in MiB to a tenth ("0.1 MiB").
fn mib(bytes: usize) -> String {
    let tenths = (bytes as u128 * 10 + (1 << 19)) >> 20;
    format!("{}.{} MiB", tenths / 10, tenths % 10)
}

/// The search for one key's history: `run` it in slices, or `finish` it.
#[derive(Clone, Debug)]
pub struct Search {
    p: Prepared,
    limits: Limits,
    /// The sweeps still to make, the next last, and the one under way.
    passes: Vec<Pass>,
    pass: Pass,
    sweep: Sweep,
    returns: usize,
    explored: u64,
    answer: Option<Answer>,
}

impl Search {
    /// A search of one key's operations, within `limits`.
    pub fn new(ops: &[Operation], limits: Limits) -> Search {
        let (p, answer) = match prepare(ops) {
            Ok(p) => (p, None),
            Err(_) => (Prepared::default(), Some(Answer::NotLinearizable)),
        };
        let returns = p.events.iter().filter(|e| matches!(e, Event::Return(_))).count();
        let (first, passes) = plan(limits.narrow);
        let sweep = Sweep::new(&p, mode(first));
        Search { p, limits, passes, pass: first, sweep, returns, explored: 0, answer }
    }

    /// The full sweep alone, without the relaxed and narrow ones that usually answer sooner: the
    /// reference the tests compare the shortcuts with.
    pub fn exhaustive(ops: &[Operation], limits: Limits) -> Search {
        let mut s = Search::new(ops, limits);
        s.passes.clear();
        s.pass = Pass::Full;
        s.sweep = Sweep::new(&s.p, Mode::Full);
        s
    }

    /// Explore up to `steps` more configurations; the answer once there is one.
    pub fn run(&mut self, steps: u64) -> Step<Answer> {
        let stop = self.explored.saturating_add(steps);
        loop {
            if let Some(a) = &self.answer {
                return Step::Done(a.clone());
            }
            if self.explored >= stop {
                return Step::Running(self.progress());
            }
            if self.explored >= self.limits.states {
                let at = self.place();
                self.give_up(format!(
                    "the search reached its limit of {} configurations explored, {at}",
                    self.limits.states
                ));
                continue;
            }
            let (work, ended) = self.sweep.step(&self.p);
            // Memory is looked at every few thousand configurations (and at each return).
            if work > 1 || self.explored / 4096 != (self.explored + work) / 4096 {
                self.check_memory();
            }
            self.explored += work;
            if let Some(ended) = ended {
                self.next_pass(ended);
            }
        }
    }

    /// A sweep ended: the answer, or the next sweep.
    fn next_pass(&mut self, ended: Ended) {
        match (self.pass, ended) {
            (Pass::Relaxed | Pass::Full, Ended::Died) => self.answer = Some(Answer::NotLinearizable),
            (Pass::Narrow(_) | Pass::Full, Ended::Survived(order)) => {
                self.answer = Some(Answer::Linearizable(order))
            }
            (Pass::Relaxed, Ended::Survived(order)) if no_repeats(&order) => {
                self.answer = Some(Answer::Linearizable(order))
            }
            _ => {
                // Full comes last and always decides.
                self.pass = self.passes.pop().unwrap_or(Pass::Full);
                self.sweep = Sweep::new(&self.p, mode(self.pass));
            }
        }
    }

    /// Run to the end.
    pub fn finish(mut self) -> Answer {
        loop {
            if let Step::Done(a) = self.run(u64::MAX) {
                return a;
            }
        }
    }

    pub fn progress(&self) -> Progress {
        Progress {
            explored: self.explored,
            returns_done: self.sweep.returns_done,
            returns: self.returns,
            configurations: self.sweep.configurations(),
            pass: self.pass,
            ..Progress::default()
        }
    }

    fn place(&self) -> String {
        let pass = match self.pass {
            Pass::Relaxed => "the relaxed sweep".into(),
            Pass::Narrow(n) => format!("a narrow sweep, {n} per slots and value"),
            Pass::Full => "the full sweep".into(),
        };
        format!("at return {} of {} ({pass})", self.sweep.returns_done + 1, self.returns)
    }

    fn give_up(&mut self, reason: String) {
        self.answer = Some(Answer::Unknown(Unknown { reason, explored: self.explored }));
    }

    fn check_memory(&mut self) {
        let bytes = self.sweep.bytes();
        if bytes > self.limits.bytes {
            let at = self.place();
            self.give_up(format!(
                "the search's tables reached {}, over its limit of {}, {at}",
                mib(bytes),
                mib(self.limits.bytes)
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    #[test]
    fn the_sweeps_widen_by_four_up_to_the_limit() {
        let order = |narrow| {
            let (first, mut rest) = plan(narrow);
            rest.reverse();
            let mut all = vec![first];
            all.extend(rest);
            all
        };
        use Pass::*;
        assert_eq!(order(0), [Relaxed, Full]);
        assert_eq!(order(1), [Relaxed, Full]);
        assert_eq!(order(2), [Narrow(2), Relaxed, Full]);
        assert_eq!(order(3), [Narrow(2), Relaxed, Narrow(3), Full]);
        assert_eq!(order(32), [Narrow(2), Relaxed, Narrow(8), Narrow(32), Full]);
        assert_eq!(order(100), [Narrow(2), Relaxed, Narrow(8), Narrow(32), Narrow(100), Full]);
        let huge = order(usize::MAX);
        assert_eq!(huge.len(), 2 + 32 + 1, "2, 8, … 2^63, then the limit itself: {huge:?}");
    }
}
