#![cfg(not(target_arch = "wasm32"))]
//! The linearizability checker against two independent references: an exhaustive search on
//! small random histories, and the plain Wing–Gong search (the checker before issue #20) on
//! medium ones with many crashed operations; each also against the full sweep alone, without
//! its shortcuts. Every linearization it returns is replayed
//! against the register. Then the hard histories of issue #20 (1,000 operations, 3–8
//! processes, values 0–4, up to 20 % crashed) within a state budget, the budget's unknown
//! answer, and the incremental form.

use distlab_core::lincheck::hard::{generate, HardHistory};
use distlab_core::lincheck::{
    check, check_key, linearization, operations, Answer, Check, Limits, Op, Operation, Outcome, Pass, Search,
    Step, Value,
};
use distlab_core::rng::Rng;

/// Random history of up to `n` operations by up to `procs` processes on one register, with
/// values 1 and 2 written and, now and then, a read of 7, which nobody writes.
fn random_history(rng: &mut Rng, n: usize, procs: usize, info_pct: u64) -> Vec<Operation> {
    let procs = 1 + rng.below(procs as u64) as usize;
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
                o.outcome = if roll < info_pct {
                    Outcome::Info
                } else if roll < info_pct + (100 - info_pct) / 5 {
                    Outcome::Fail
                } else {
                    Outcome::Ok
                };
                if o.outcome != Outcome::Info {
                    o.complete = Some(t);
                }
                if let (Op::Read(r), Outcome::Ok) = (&mut o.op, o.outcome) {
                    let unwritten = rng.below(40) == 0;
                    *r = Some(if unwritten { Value::Int(7) } else { vals[rng.below(3) as usize].clone() });
                }
                open[p] = None;
            }
        }
        // Now and then the next event comes at the same position (invocations and returns
        // that tie).
        if rng.below(4) != 0 {
            t += 1;
        }
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

/// Completed with an outcome (not `info`): it must be in every linearization.
fn completed(o: &Operation) -> Option<usize> {
    o.complete.filter(|_| o.outcome != Outcome::Info)
}

/// Exhaustive: some subset of the unknown-outcome operations, in some order that respects real
/// time, is a legal sequential history.
fn brute_force(ops: &[Operation]) -> bool {
    let must: Vec<usize> = (0..ops.len()).filter(|&i| ops[i].outcome != Outcome::Info).collect();
    let maybe: Vec<usize> = (0..ops.len()).filter(|&i| ops[i].outcome == Outcome::Info).collect();
    for mask in 0..(1u32 << maybe.len()) {
        let mut chosen = must.clone();
        chosen.extend(maybe.iter().enumerate().filter(|(b, _)| mask & (1 << b) != 0).map(|(_, i)| *i));
        if search(ops, &chosen, &Value::Null) {
            return true;
        }
    }
    false
}

fn search(ops: &[Operation], left: &[usize], v: &Value) -> bool {
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
            if search(ops, &rest, &next) {
                return true;
            }
        }
    }
    false
}

/// The plain Wing–Gong search with Lowe's just-in-time linearization and a memo of (set of
/// linearized operations, value): the checker as it was before issue #20, kept as a reference
/// (it is exact, but explodes on many crashed operations).
fn wing_gong(ops: &[Operation]) -> bool {
    let ops: Vec<&Operation> = ops
        .iter()
        .filter(|o| {
            !matches!(
                (&o.op, o.outcome),
                (Op::Read(_), Outcome::Fail | Outcome::Info) | (Op::Write(_), Outcome::Fail)
            )
        })
        .collect();
    let n = ops.len();
    // Events (position, is a return, operation), calls before returns at one position.
    let mut events: Vec<(usize, bool, usize)> = Vec::new();
    for (i, o) in ops.iter().enumerate() {
        events.push((o.invoke, false, i));
        if let Some(c) = completed(o) {
            events.push((c, true, i));
        }
    }
    events.sort();
    let len = events.len();
    let head = len;
    let mut next: Vec<usize> = (1..=len).chain(std::iter::once(0)).collect();
    let mut prev: Vec<usize> = std::iter::once(head).chain(0..len).collect();
    let mut ret_of = vec![usize::MAX; n];
    for (k, e) in events.iter().enumerate() {
        if e.1 {
            ret_of[e.2] = k;
        }
    }
    let mut returns_left = events.iter().filter(|e| e.1).count();
    let mut linearized = vec![false; n];
    let mut seen: std::collections::BTreeSet<(Vec<bool>, Value)> = Default::default();
    let mut stack: Vec<(usize, Value)> = Vec::new();
    let mut state = Value::Null;
    let unlink = |next: &mut Vec<usize>, prev: &mut Vec<usize>, k: usize| {
        let (p, q) = (prev[k], next[k]);
        next[p] = q;
        prev[q] = p;
    };
    let relink = |next: &mut Vec<usize>, prev: &mut Vec<usize>, k: usize| {
        let (p, q) = (prev[k], next[k]);
        next[p] = k;
        prev[q] = k;
    };
    let mut entry = next[head];
    loop {
        if returns_left == 0 {
            return true;
        }
        if entry == head || events[entry].1 {
            let Some((k, s)) = stack.pop() else { return false };
            let j = events[k].2;
            state = s;
            linearized[j] = false;
            if ret_of[j] != usize::MAX {
                relink(&mut next, &mut prev, ret_of[j]);
                returns_left += 1;
            }
            relink(&mut next, &mut prev, k);
            entry = next[k];
            continue;
        }
        let i = events[entry].2;
        if let Some(new_state) = apply(&state, ops[i]) {
            let mut lin = linearized.clone();
            lin[i] = true;
            if seen.insert((lin.clone(), new_state.clone())) {
                stack.push((entry, state.clone()));
                state = new_state;
                linearized = lin;
                unlink(&mut next, &mut prev, entry);
                if ret_of[i] != usize::MAX {
                    unlink(&mut next, &mut prev, ret_of[i]);
                    returns_left -= 1;
                }
                entry = next[head];
                continue;
            }
        }
        entry = next[entry];
    }
}

/// Is `order` a linearization of `ops`: each operation at most once, every completed one that
/// does something present, real time respected, and every step legal from the unset register?
fn replays(ops: &[Operation], order: &[usize]) -> Result<(), String> {
    let mut at = vec![usize::MAX; ops.len()];
    for (k, i) in order.iter().enumerate() {
        if at[*i] != usize::MAX {
            return Err(format!("operation {i} twice"));
        }
        at[*i] = k;
    }
    for (i, o) in ops.iter().enumerate() {
        let no_op = matches!(
            (&o.op, o.outcome),
            (Op::Read(None), _)
                | (Op::Read(_), Outcome::Fail | Outcome::Info)
                | (Op::Write(_), Outcome::Fail)
        );
        if completed(o).is_some() && !no_op && at[i] == usize::MAX {
            return Err(format!("completed operation {i} missing"));
        }
    }
    for (a, i) in order.iter().enumerate() {
        for j in &order[a + 1..] {
            if completed(&ops[*j]).is_some_and(|c| c < ops[*i].invoke) {
                return Err(format!("{j} completed before {i} was invoked but comes after it"));
            }
        }
    }
    let mut v = Value::Null;
    for i in order {
        v = apply(&v, &ops[*i]).ok_or_else(|| format!("operation {i} cannot take effect on {v:?}"))?;
    }
    Ok(())
}

/// The answer of `search`, run in slices of `slice` configurations, checking that progress only
/// grows.
fn in_slices(mut search: Search, slice: u64) -> Answer {
    let mut last = 0;
    loop {
        match search.run(slice) {
            Step::Running(p) => {
                assert!(p.explored >= last && p.explored <= last + slice + 1_000, "{p:?} after {last}");
                last = p.explored;
            }
            Step::Done(a) => return a,
        }
    }
}

#[test]
fn the_checker_agrees_with_exhaustive_search_on_random_histories() {
    let mut rng = Rng::new(2024);
    let (mut yes, mut no, mut with_info) = (0, 0, 0);
    for case in 0..4_000 {
        let n = 1 + rng.below(7) as usize;
        let info_pct = 15 + rng.below(30);
        let h = random_history(&mut rng, n, 3, info_pct);
        let want = brute_force(&h);
        assert_eq!(check_key(&h), want, "case {case}: {h:?}");
        let full = Search::exhaustive(&h, Limits::default()).finish();
        assert_eq!(matches!(full, Answer::Linearizable(_)), want, "case {case}, the full sweep alone: {h:?}");
        let narrowest = Search::new(&h, Limits { narrow: 2, ..Limits::default() }).finish();
        assert_eq!(matches!(narrowest, Answer::Linearizable(_)), want, "case {case}, narrow 2: {h:?}");
        assert_eq!(
            in_slices(Search::new(&h, Limits::default()), 1),
            Search::new(&h, Limits::default()).finish()
        );
        if let Some(order) = linearization(&h) {
            replays(&h, &order).unwrap_or_else(|e| panic!("case {case}: {e}: {order:?} of {h:?}"));
        }
        with_info += h.iter().any(|o| o.outcome == Outcome::Info) as u32;
        if want {
            yes += 1
        } else {
            no += 1
        }
    }
    assert!(yes > 800 && no > 800, "too one-sided: {yes} linearizable, {no} not");
    assert!(with_info > 2_000, "only {with_info} histories with a crashed operation");
}

#[test]
fn the_checker_agrees_with_wing_gong_on_medium_histories_with_many_crashes() {
    let mut rng = Rng::new(7);
    let (mut yes, mut no) = (0, 0);
    let mut passes = [0; 3];
    for case in 0..800 {
        let n = 10 + rng.below(25) as usize;
        // Half made up at random (mostly not linearizable), half from an atomic register with
        // crashes and now and then a stale read (mostly linearizable).
        let h = if case % 2 == 0 {
            let info_pct = 20 + rng.below(20);
            random_history(&mut rng, n, 5, info_pct)
        } else {
            let shape = HardHistory {
                operations: n,
                processes: 2 + rng.below(4) as u32,
                values: 3,
                crash_fraction: 0.1 + rng.below(30) as f64 / 100.0,
                stale_read_fraction: 0.05,
                cas_fraction: 0.25,
                ..HardHistory::default()
            };
            operations(&generate(&shape, &mut rng)).unwrap()
        };
        let want = wing_gong(&h);
        let got = Search::new(&h, Limits::default()).finish();
        match &got {
            Answer::Linearizable(order) => {
                assert!(want, "case {case}: the checker finds {order:?} in {h:?}");
                replays(&h, order).unwrap_or_else(|e| panic!("case {case}: {e}: {order:?} of {h:?}"));
                yes += 1;
            }
            Answer::NotLinearizable => {
                assert!(!want, "case {case}: the checker misses a linearization of {h:?}");
                no += 1;
            }
            Answer::Unknown(u) => panic!("case {case}: {u:?}"),
        }
        let full = Search::exhaustive(&h, Limits::default()).finish();
        assert_eq!(matches!(full, Answer::Linearizable(_)), want, "case {case}, the full sweep alone: {h:?}");
        let mut narrowest = Search::new(&h, Limits { narrow: 2, ..Limits::default() });
        let answer = loop {
            if let Step::Done(a) = narrowest.run(u64::MAX) {
                break a;
            }
        };
        assert_eq!(matches!(answer, Answer::Linearizable(_)), want, "case {case}, narrow 2 only: {h:?}");
        passes[match narrowest.progress().pass {
            Pass::Relaxed => 0,
            Pass::Narrow(_) => 1,
            Pass::Full => 2,
        }] += 1;
    }
    // Each sweep had the last word somewhere.
    assert!(passes.iter().all(|n| *n > 0), "answers by relaxed, narrow, full sweep: {passes:?}");
    assert!(yes > 100 && no > 100, "too one-sided: {yes} linearizable, {no} not");
}

/// The grid: 1,000 operations on values 0–4 by 3–8 processes, 2–20 % crashed, with
/// and without reads of a value nobody writes, with and without compare-and-sets.
fn hard_grid() -> Vec<(String, HardHistory)> {
    let mut out = Vec::new();
    for processes in [3, 4, 6, 8] {
        for crash_pct in [2, 10, 20] {
            for unwritten in [false, true] {
                for cas_pct in [0, 10] {
                    let shape = HardHistory {
                        processes,
                        crash_fraction: crash_pct as f64 / 100.0,
                        unwritten_read_fraction: if unwritten { 0.01 } else { 0.0 },
                        cas_fraction: cas_pct as f64 / 100.0,
                        ..HardHistory::default()
                    };
                    let name = format!("p{processes} c{crash_pct} unwritten {unwritten} cas {cas_pct}");
                    out.push((name, shape));
                }
            }
        }
    }
    out
}

/// What one of the histories (reads and writes) may cost: a fifth of the default
/// limit (the most measured over 900 of them, `lincheck_grid 10 0`, was 437,288). With
/// compare-and-sets too, the default limit.
const HARD_BUDGET: u64 = 1_000_000;

#[test]
fn hard_histories_are_answered_within_a_state_budget() {
    let mut most = (0, String::new());
    for (name, shape) in hard_grid() {
        let states = if shape.cas_fraction == 0.0 { HARD_BUDGET } else { Limits::default().states };
        let limits = Limits { states, ..Limits::default() };
        for seed in 0..2 {
            let ops = operations(&generate(&shape, &mut Rng::new(seed))).unwrap();
            let mut search = Search::new(&ops, limits);
            let answer = loop {
                if let Step::Done(a) = search.run(1 << 20) {
                    break a;
                }
            };
            let explored = search.progress().explored;
            if explored > most.0 {
                most = (explored, format!("{name} seed {seed}"));
            }
            // The register is atomic: without a read of a value nobody wrote, the history is
            // linearizable, and the order found replays.
            match (answer, shape.unwritten_read_fraction > 0.0) {
                (Answer::Linearizable(order), false) => {
                    replays(&ops, &order).unwrap_or_else(|e| panic!("{name} seed {seed}: {e}"))
                }
                (Answer::NotLinearizable, true) => {}
                (a, _) => panic!("{name} seed {seed}: {a:?} after {explored} configurations"),
            }
        }
    }
    eprintln!("hard histories: at most {} configurations ({})", most.0, most.1);
    assert!(most.0 > 10_000, "the grid is not hard: at most {} configurations", most.0);
}

#[test]
fn stale_reads_among_crashes_are_decided_too() {
    let limits = Limits::default();
    let (mut yes, mut no) = (0, 0);
    for (processes, crash_pct, cas_pct) in [(3, 2, 0), (5, 10, 0), (8, 20, 0), (5, 20, 10), (8, 10, 10)] {
        for seed in 0..3 {
            let shape = HardHistory {
                processes,
                crash_fraction: crash_pct as f64 / 100.0,
                stale_read_fraction: 0.01,
                cas_fraction: cas_pct as f64 / 100.0,
                ..HardHistory::default()
            };
            let ops = operations(&generate(&shape, &mut Rng::new(seed))).unwrap();
            match Search::new(&ops, limits).finish() {
                Answer::Linearizable(order) => {
                    replays(&ops, &order).unwrap();
                    yes += 1
                }
                Answer::NotLinearizable => no += 1,
                Answer::Unknown(u) => panic!("p{processes} c{crash_pct} cas {cas_pct} seed {seed}: {u:?}"),
            }
        }
    }
    // A crashed write of the stale value explains some of them; others have no explanation.
    assert!(yes > 0 && no > 0, "{yes} linearizable, {no} not");
}

#[test]
fn a_search_out_of_budget_says_unknown_and_why() {
    let shape =
        HardHistory { processes: 8, crash_fraction: 0.2, cas_fraction: 0.1, ..HardHistory::default() };
    let ops = operations(&generate(&shape, &mut Rng::new(0))).unwrap();
    let unknown = |limits: Limits| match Search::new(&ops, limits).finish() {
        Answer::Unknown(u) => u,
        a => panic!("{limits:?}: {a:?}"),
    };
    let u = unknown(Limits { states: 10_000, ..Limits::default() });
    assert!(
        u.reason.contains("its limit of 10000 configurations") && u.reason.contains("at return "),
        "{}",
        u.reason
    );
    assert!((10_000..20_000).contains(&u.explored), "{u:?}");
    let u = unknown(Limits { bytes: 100_000, ..Limits::default() });
    assert!(u.reason.contains("over its limit of 0.1 MiB"), "{}", u.reason);
    // The whole check says unknown too, names the key and calls nothing a violation...
    let v = Check::new(&ops, Limits { states: 10_000, ..Limits::default() }).finish();
    assert!(!v.linearizable && v.key == Some(None) && v.minimal.is_empty(), "{v:?}");
    assert!(v.unknown.as_ref().is_some_and(|u| u.reason.contains("its limit of")), "{v:?}");
    // ...unless another key is refuted: then the verdict is that key's.
    let mut two = ops.clone();
    let stale = |process: i64, op: Op, invoke: usize| Operation {
        process,
        key: Some("k".into()),
        op,
        outcome: Outcome::Ok,
        invoke,
        complete: Some(invoke + 1),
    };
    two.push(stale(100, Op::Write(Value::Int(1)), 10_000));
    two.push(stale(101, Op::Read(Some(Value::Null)), 10_002));
    let v = Check::new(&two, Limits { states: 10_000, ..Limits::default() }).finish();
    assert!(!v.linearizable && v.unknown.is_none() && v.key == Some(Some("k".into())), "{v:?}");
    assert_eq!(v.minimal.len(), 2);
}

#[test]
fn a_check_in_slices_gives_the_same_verdict() {
    let mut rng = Rng::new(11);
    for case in 0..40 {
        let mut ops = random_history(&mut rng, 30, 4, 25);
        // Two keys: the second a copy of the first, shifted in time.
        let shift = ops.len() * 4;
        let copy: Vec<Operation> = ops
            .iter()
            .map(|o| Operation {
                key: Some("b".into()),
                invoke: o.invoke + shift,
                complete: o.complete.map(|c| c + shift),
                ..o.clone()
            })
            .collect();
        ops.extend(copy);
        let whole = check(&ops);
        let mut c = Check::new(&ops, Limits::default());
        let mut keys_done = 0;
        let sliced = loop {
            match c.run(7) {
                Step::Running(p) => {
                    assert!(p.keys == 2 && p.keys_done >= keys_done, "case {case}: {p:?}");
                    keys_done = p.keys_done;
                }
                Step::Done(v) => break v,
            }
        };
        assert_eq!(sliced, whole, "case {case}");
        if whole.linearizable {
            assert_eq!(c.orders().len(), 2);
            for (key, order) in [None, Some("b".to_string())].into_iter().zip(c.orders()) {
                let idx: Vec<usize> = (0..ops.len()).filter(|i| ops[*i].key == key).collect();
                let local: Vec<usize> =
                    order.iter().map(|i| idx.iter().position(|j| j == i).unwrap()).collect();
                let key_ops: Vec<Operation> = idx.iter().map(|i| ops[*i].clone()).collect();
                replays(&key_ops, &local).unwrap_or_else(|e| panic!("case {case}: {e}"));
            }
        }
    }
}

/// One operation on the single register.
fn op(process: i64, op: Op, outcome: Outcome, invoke: usize, complete: Option<usize>) -> Operation {
    Operation { process, key: None, op, outcome, invoke, complete }
}

/// A crashed write can be used once. After two concurrent writes, the register may hold 2 (and
/// could reach 1 with the crashed write) or hold 1 already: the second must be kept, because
/// the history later needs the crashed write for a read of 1 that no other write explains.
#[test]
fn a_configuration_that_would_spend_a_crashed_write_does_not_replace_one_that_would_not() {
    let (w, r) = (|v: i64| Op::Write(Value::Int(v)), |v: i64| Op::Read(Some(Value::Int(v))));
    let mut h = vec![
        op(0, w(1), Outcome::Info, 0, None),
        op(1, w(1), Outcome::Ok, 1, Some(3)),
        op(2, w(2), Outcome::Ok, 2, Some(4)),
        op(1, r(1), Outcome::Ok, 5, Some(6)),
        op(1, w(2), Outcome::Ok, 7, Some(8)),
        op(1, r(2), Outcome::Ok, 9, Some(10)),
        op(1, r(1), Outcome::Ok, 11, Some(12)),
    ];
    assert!(brute_force(&h) && wing_gong(&h));
    assert!(check_key(&h));
    assert!(matches!(Search::exhaustive(&h, Limits::default()).finish(), Answer::Linearizable(_)));
    let order = linearization(&h).unwrap();
    replays(&h, &order).unwrap();
    assert_eq!(order, [2, 1, 3, 4, 5, 0, 6], "the crashed write is used once, for the last read");
    // Without the crashed write, the last read has no explanation.
    h.remove(0);
    assert!(!check_key(&h) && !brute_force(&h));
}

/// Two operations that return at one position: a crashed write spent for the first is not
/// there again for the second (a return at the write's horizon freed it, and a tie at that
/// position used it twice: a history that needs two writes of 1 was accepted).
#[test]
fn returns_at_one_position_do_not_spend_a_crashed_write_twice() {
    let h = vec![
        op(0, Op::Write(Value::Int(1)), Outcome::Info, 0, None),
        op(1, Op::Cas(Value::Int(1), Value::Int(3)), Outcome::Ok, 1, Some(10)),
        op(2, Op::Read(Some(Value::Int(3))), Outcome::Ok, 2, Some(3)),
        op(3, Op::Read(Some(Value::Int(1))), Outcome::Ok, 4, Some(10)),
    ];
    assert!(!brute_force(&h) && !wing_gong(&h), "the references: the read of 1 after 3 needs a second write");
    assert!(!check_key(&h));
    for limits in [Limits::default(), Limits { narrow: 2, ..Limits::default() }] {
        assert_eq!(Search::new(&h, limits).finish(), Answer::NotLinearizable);
    }
    assert_eq!(Search::exhaustive(&h, Limits::default()).finish(), Answer::NotLinearizable);
}
