//! Hard register histories, drawn from a seed, for the checker's tests and benchmarks (issue
//! #20): a few processes share one register, some of their operations crash (an `info` line,
//! then the operation takes effect later or never) and a few reads return a value that nobody
//! wrote or one the register held long ago.
//!
//! The register itself is atomic: every operation takes effect at one moment between its
//! invocation and its completion. So without bad reads the history is linearizable, and with
//! an unwritten read it is not. A stale read usually makes it non-linearizable in a way only a
//! full search can show (a crashed write of the stale value may still explain it).
//! Randomness comes only from the caller's [`Rng`].

use alloc::vec::Vec;

use super::lines::{Func, HistoryLine, LineKind, LineValue};
use super::types::Value;
use crate::rng::Rng;

/// The shape of a generated history.
#[derive(Clone, Debug, PartialEq)]
pub struct HardHistory {
    /// Operations invoked in all.
    pub operations: usize,
    /// Processes, each with at most one operation open.
    pub processes: u32,
    /// Values written are `0..values`.
    pub values: u32,
    /// Fraction of operations that crash: they end with an `info` line and take effect at
    /// that moment, at some later moment, or never (a third each).
    pub crash_fraction: f64,
    /// Fraction of completed reads that return `values`, which nobody writes.
    pub unwritten_read_fraction: f64,
    /// Fraction of completed reads that return a value the register held earlier but no
    /// longer holds.
    pub stale_read_fraction: f64,
    /// Fraction of operations that are compare-and-sets; the rest are reads and writes, half
    /// each.
    pub cas_fraction: f64,
}

impl Default for HardHistory {
    /// The example: 1,000 operations by 5 processes on values 0–4, 10 % crashed.
    fn default() -> Self {
        HardHistory {
            operations: 1_000,
            processes: 5,
            values: 5,
            crash_fraction: 0.1,
            unwritten_read_fraction: 0.0,
            stale_read_fraction: 0.0,
            cas_fraction: 0.0,
        }
    }
}

/// Where a process's open operation stands.
#[derive(Clone)]
enum Stage {
    Idle,
    /// Invoked, not yet in effect; crashes when it ends.
    Invoked {
        f: Func,
        crash: bool,
        input: (i64, i64),
    },
    /// In effect with this result (a read's value; whether a compare-and-set swapped).
    Applied {
        f: Func,
        result: Result<Value, bool>,
    },
}

fn int(v: i64) -> Value {
    Value::Int(v)
}

/// Apply an operation to the register: a read's value, or whether a compare-and-set swapped.
fn apply(register: &mut Value, held: &mut Vec<Value>, f: Func, input: (i64, i64)) -> Result<Value, bool> {
    match f {
        Func::Read => Ok(register.clone()),
        Func::Write => {
            *register = int(input.0);
            held.push(register.clone());
            Err(true)
        }
        Func::Cas => {
            let swapped = *register == int(input.0);
            if swapped {
                *register = int(input.1);
                held.push(register.clone());
            }
            Err(swapped)
        }
    }
}

/// A history of the given shape: its lines in order, as `distlab lincheck` reads them.
pub fn generate(shape: &HardHistory, rng: &mut Rng) -> Vec<HistoryLine> {
    let procs = shape.processes.max(1) as usize;
    let values = shape.values.max(1) as u64;
    let mut stage: Vec<Stage> = (0..procs).map(|_| Stage::Idle).collect();
    let mut register = Value::Null;
    // Every value the register has held, in order (for stale reads).
    let mut held: Vec<Value> = alloc::vec![Value::Null];
    // Crashed operations that will still take effect, some time later.
    let mut zombies: Vec<(Func, (i64, i64))> = Vec::new();
    let mut lines = Vec::new();
    let mut invoked = 0;
    let line = |process: usize, kind: LineKind, f: Func, value: LineValue| HistoryLine {
        process: process as i64,
        kind,
        f,
        key: None,
        value,
    };
    while invoked < shape.operations || stage.iter().any(|s| !matches!(s, Stage::Idle)) {
        if !zombies.is_empty() && rng.chance(0.05) {
            let (f, input) = zombies.swap_remove(rng.below(zombies.len() as u64) as usize);
            let _ = apply(&mut register, &mut held, f, input);
        }
        let p = rng.below(procs as u64) as usize;
        match core::mem::replace(&mut stage[p], Stage::Idle) {
            Stage::Idle if invoked < shape.operations => {
                invoked += 1;
                let f = if rng.chance(shape.cas_fraction) {
                    Func::Cas
                } else if rng.below(2) == 0 {
                    Func::Read
                } else {
                    Func::Write
                };
                let input = (rng.below(values) as i64, rng.below(values) as i64);
                let value = match f {
                    Func::Read => LineValue::Absent,
                    Func::Write => LineValue::One(int(input.0)),
                    Func::Cas => LineValue::Pair(int(input.0), int(input.1)),
                };
                lines.push(line(p, LineKind::Invoke, f, value));
                stage[p] = Stage::Invoked { f, crash: rng.chance(shape.crash_fraction), input };
            }
            Stage::Idle => {}
            Stage::Invoked { f, crash: true, input } => {
                match rng.below(3) {
                    0 => drop(apply(&mut register, &mut held, f, input)),
                    1 => zombies.push((f, input)),
                    _ => {}
                }
                lines.push(line(p, LineKind::Info, f, LineValue::Absent));
            }
            Stage::Invoked { f, crash: false, input } => {
                stage[p] = Stage::Applied { f, result: apply(&mut register, &mut held, f, input) };
            }
            Stage::Applied { f, result } => {
                let (kind, value) = match result {
                    Ok(read) => (LineKind::Ok, LineValue::One(bad_read(shape, rng, read, &held, &register))),
                    Err(true) => (LineKind::Ok, LineValue::Absent),
                    Err(false) => (LineKind::Fail, LineValue::Absent),
                };
                lines.push(line(p, kind, f, value));
            }
        }
    }
    lines
}

/// What a read returns: what it saw, or now and then a value nobody wrote or a stale one.
fn bad_read(shape: &HardHistory, rng: &mut Rng, saw: Value, held: &[Value], now: &Value) -> Value {
    if rng.chance(shape.unwritten_read_fraction) {
        return int(shape.values as i64);
    }
    if rng.chance(shape.stale_read_fraction) {
        let old: Vec<&Value> = held.iter().filter(|v| *v != now).collect();
        if !old.is_empty() {
            return old[rng.below(old.len() as u64) as usize].clone();
        }
    }
    saw
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_history_of_the_asked_shape() {
        let shape =
            HardHistory { crash_fraction: 0.2, unwritten_read_fraction: 0.05, ..HardHistory::default() };
        let a = generate(&shape, &mut Rng::new(3));
        assert_eq!(a, generate(&shape, &mut Rng::new(3)));
        assert_ne!(a, generate(&shape, &mut Rng::new(4)));
        let invokes = a.iter().filter(|l| l.kind == LineKind::Invoke).count();
        let infos = a.iter().filter(|l| l.kind == LineKind::Info).count();
        assert_eq!(invokes, 1_000);
        assert!((150..250).contains(&infos), "{infos} crashed");
        assert!(a.iter().all(|l| (0..5).contains(&l.process)));
        let unwritten = LineValue::One(int(5));
        assert!(a.iter().any(|l| l.value == unwritten), "some read returns 5, which nobody writes");
        let ops = crate::lincheck::operations(&a).expect("a well-formed history");
        assert_eq!(ops.len(), 1_000);
    }
}
