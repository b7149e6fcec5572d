//! `distlab check` (a sweep of seeds, on every core) and `distlab merge` (shards of one sweep,
//! run anywhere, combined into the report a single run prints).
//!
//! A sweep's result is a sum over its seeds: runs, violations, events, histories checked, the
//! set of configurations drawn, and the violation of the lowest seed. A run whose only break is
//! of a property the protocol checks but never promised (Kafka's `acks1-not-lost`) is counted
//! apart, as `not_promised`, with its own lowest seed: it is no violation of the protocol. Any split of the seeds
//! (threads here, shards on other machines) adds up to the same result, so `--jobs` and
//! `--shard` + `merge` print byte for byte what one process on one core prints.

use std::collections::BTreeSet;
use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use distlab_core::lab::{self, LabConfig, RunOutcome, SimVisitor};
use distlab_core::protocol::Violation;
use distlab_core::raft::Raft;
use distlab_core::registry::{self, Registered, Setup};
use distlab_core::sim::Sim;
use serde::{Deserialize, Serialize};

use crate::args::Args;
use crate::options::{config, events_arg, on_off, print_json};

/// Most seeds one check may sweep.
const MAX_SEEDS: u64 = 10_000_000;
/// Most threads `--jobs` may ask for, and most shards `--shard` may split a range into.
const MAX_JOBS: u64 = 256;
const MAX_SHARDS: u64 = 100_000;
/// Seeds a thread takes at a time.
const BLOCK: u64 = 16;
/// The flags that say where and how a sweep runs, not what it checks: left out of the
/// settings shards must agree on.
const PLACEMENT: &[&str] = &["seeds", "shard", "jobs", "counterexample"];

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct FirstViolation {
    seed: u64,
    event: u64,
    property: String,
    message: String,
}

/// The report `check` prints (and `merge`, for the whole range).
#[derive(Serialize, Deserialize)]
struct CheckSummary {
    protocol: String,
    faults: String,
    mutant: Option<String>,
    seeds: String,
    runs: u64,
    violations: u64,
    events: u64,
    /// Runs whose client history went through the linearizability search.
    histories_checked: u64,
    /// With --swarm: how many distinct configurations the seeds drew.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    configurations: Option<usize>,
    first_violation: Option<FirstViolation>,
    /// Runs that broke only a property the protocol never promised, and the lowest seed's.
    #[serde(default)]
    not_promised: u64,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    first_not_promised: Option<FirstViolation>,
    /// A shard's place in the whole sweep (only in a shard's report).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    shard: Option<ShardInfo>,
}

/// What a shard's report adds, so that `merge` can check the shards make one sweep and
/// combine what does not simply add up.
#[derive(Serialize, Deserialize, Clone, PartialEq)]
struct ShardInfo {
    index: u64,
    count: u64,
    /// The whole range, as the merged report prints it.
    seeds: String,
    /// Every flag that decides what a seed's run is, as given (shards must agree).
    settings: String,
    /// With --swarm: the configurations this shard's seeds drew.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    shapes: Option<BTreeSet<String>>,
}

/// The sum over some seeds.
#[derive(Default)]
struct Partial {
    runs: u64,
    violations: u64,
    events: u64,
    histories_checked: u64,
    shapes: BTreeSet<String>,
    first: Option<FirstViolation>,
    not_promised: u64,
    first_not_promised: Option<FirstViolation>,
}

impl Partial {
    fn add(&mut self, seed: u64, out: RunOutcome, linearizable: Option<bool>, shape: Option<String>) {
        self.runs += 1;
        self.events += out.events;
        self.histories_checked += linearizable.is_some() as u64;
        self.shapes.extend(shape);
        // A history the search rejects is a violation even where the run's verdict is a break
        // the protocol never promised.
        let lincheck = (linearizable == Some(false)).then(|| Violation {
            event: out.events,
            property: "lincheck".into(),
            message: "the linearizability search finds the client history not linearizable, though no per-event check fired".into(),
        });
        let (violation, promised) = match out.violation {
            Some(_) if out.not_promised && lincheck.is_some() => (lincheck, true),
            Some(v) => (Some(v), !out.not_promised),
            None => (lincheck, true),
        };
        if let Some(v) = violation {
            let v = FirstViolation { seed, event: v.event, property: v.property, message: v.message };
            if promised {
                self.violations += 1;
                lowest(&mut self.first, Some(v));
            } else {
                self.not_promised += 1;
                lowest(&mut self.first_not_promised, Some(v));
            }
        }
    }

    fn merge(&mut self, other: Partial) {
        self.runs += other.runs;
        self.violations += other.violations;
        self.events += other.events;
        self.histories_checked += other.histories_checked;
        self.shapes.extend(other.shapes);
        lowest(&mut self.first, other.first);
        self.not_promised += other.not_promised;
        lowest(&mut self.first_not_promised, other.first_not_promised);
    }
}

/// Keep in `kept` the violation of the lower seed.
fn lowest(kept: &mut Option<FirstViolation>, v: Option<FirstViolation>) {
    if let Some(v) = v {
        if kept.as_ref().is_none_or(|f| v.seed < f.seed) {
            *kept = Some(v);
        }
    }
}

/// One run for `check`: its outcome and, where it has a client history, whether the search
/// finds it linearizable.
struct CheckOnce {
    events: u64,
}

impl SimVisitor for CheckOnce {
    type Output = (RunOutcome, Option<bool>);
    fn visit<P: Registered>(self, mut sim: Sim<P>) -> Self::Output {
        check_sim(&mut sim, self.events)
    }
}

fn check_sim<P: Registered>(sim: &mut Sim<P>, events: u64) -> (RunOutcome, Option<bool>) {
    sim.keep_records = false;
    let outcome = lab::run_sim(sim, events, |_| {});
    let ops: Vec<distlab_core::history::HistoryOp> = sim.history().ops.iter().cloned().collect();
    // A history the search could not decide within its limits counts as neither checked nor
    // violated.
    let judged = (!ops.is_empty()).then(|| distlab_core::history::judge(&ops));
    let linearizable = judged.filter(|j| j.unknown.is_none()).map(|j| j.linearizable);
    (outcome, linearizable)
}

/// What every seed of a sweep runs.
struct Sweep {
    cfg: LabConfig,
    events: u64,
    /// With --swarm on: the Raft mutant each drawn configuration runs.
    swarm: Option<Option<distlab_core::raft::Mutant>>,
}

impl Sweep {
    fn run(&self, seed: u64, into: &mut Partial) -> Result<(), String> {
        let (out, linearizable, shape) = match self.swarm {
            Some(mutant) => {
                let d = distlab_core::swarm::raft(seed, mutant);
                let mut sim = Sim::new(d.proto, d.faults, seed).with_fault_script(d.script);
                let (out, lin) = check_sim(&mut sim, self.events);
                (out, lin, Some(d.shape))
            }
            None => {
                let cfg = LabConfig { seed, ..self.cfg.clone() };
                let (out, lin) = lab::with_sim(&cfg, CheckOnce { events: self.events })?;
                (out, lin, None)
            }
        };
        into.add(seed, out, linearizable, shape);
        Ok(())
    }

    /// Every seed of `lo..hi` on `jobs` threads, a block of seeds at a time; the sum is the
    /// same in any order. A progress line on a terminal.
    fn sweep(&self, lo: u64, hi: u64, jobs: u64) -> Result<Partial, String> {
        let next = AtomicU64::new(lo);
        let done = AtomicU64::new(0);
        let found = AtomicU64::new(0);
        let total = Mutex::new(Partial::default());
        let failed: Mutex<Option<String>> = Mutex::new(None);
        let started = Instant::now();
        let progress = std::io::stderr().is_terminal() && hi - lo > BLOCK;
        std::thread::scope(|s| {
            for _ in 0..jobs {
                s.spawn(|| {
                    let mut mine = Partial::default();
                    loop {
                        let at = next.fetch_add(BLOCK, Ordering::Relaxed);
                        if at >= hi || failed.lock().unwrap().is_some() {
                            break;
                        }
                        for seed in at..(at + BLOCK).min(hi) {
                            let before = mine.violations;
                            if let Err(e) = self.run(seed, &mut mine) {
                                *failed.lock().unwrap() = Some(e);
                                return;
                            }
                            found.fetch_add(mine.violations - before, Ordering::Relaxed);
                            done.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                    total.lock().unwrap().merge(mine);
                });
            }
            if progress {
                s.spawn(|| show_progress(&done, &found, hi - lo, started, &failed));
            }
        });
        match failed.into_inner().unwrap() {
            Some(e) => Err(e),
            None => Ok(total.into_inner().unwrap()),
        }
    }
}

/// Seeds done, violations, rate and time left, on one terminal line redrawn four times a
/// second until the sweep ends.
fn show_progress(
    done: &AtomicU64,
    found: &AtomicU64,
    total: u64,
    started: Instant,
    failed: &Mutex<Option<String>>,
) {
    loop {
        let n = done.load(Ordering::Relaxed);
        let secs = started.elapsed().as_secs_f64();
        let rate = n as f64 / secs.max(1e-9);
        let left = if n == 0 { String::from("?") } else { format!("{:.0} s", (total - n) as f64 / rate) };
        eprint!(
            "\r{n}/{total} seeds · {} violations · {rate:.0} seeds/s · {left} left   ",
            found.load(Ordering::Relaxed)
        );
        if n >= total || failed.lock().unwrap().is_some() {
            eprintln!();
            return;
        }
        std::thread::sleep(Duration::from_millis(250));
    }
}

/// `--shard I/N`: the I-th (from 0, as Kubernetes' `JOB_COMPLETION_INDEX`) of N equal parts.
fn shard_arg(args: &Args) -> Result<Option<(u64, u64)>, String> {
    let Some(v) = args.get("shard") else { return Ok(None) };
    let bad = || format!("--shard must look like 0/4 (the first of four parts; got {v:?})");
    let (i, n) = v.split_once('/').ok_or_else(bad)?;
    let (i, n): (u64, u64) = (i.parse().map_err(|_| bad())?, n.parse().map_err(|_| bad())?);
    if n == 0 || n > MAX_SHARDS {
        return Err(format!("--shard: the number of parts must be between 1 and {MAX_SHARDS} (got {n})"));
    }
    if i >= n {
        return Err(format!("--shard: the part must be between 0 and {} (got {i})", n - 1));
    }
    Ok(Some((i, n)))
}

/// The seeds of part `i` of `n` of `a..b`: equal parts, the same for every caller.
fn part(a: u64, b: u64, i: u64, n: u64) -> (u64, u64) {
    let len = (b - a) as u128;
    let at = |k: u64| a + (len * k as u128 / n as u128) as u64;
    (at(i), at(i + 1))
}

pub fn check(args: &Args) -> Result<ExitCode, String> {
    let cfg = config(args)?;
    let (a, b) = args.range("seeds")?;
    if b - a > MAX_SEEDS {
        return Err(format!("--seeds may span at most {MAX_SEEDS} seeds"));
    }
    let events = events_arg(args, 20_000)?;
    let swarm = on_off(args, "swarm")?.unwrap_or(false);
    let all_cores = std::thread::available_parallelism().map_or(1, |n| n.get() as u64).min(MAX_JOBS);
    let jobs = args.bounded("jobs", Some(all_cores), 1, MAX_JOBS)?;
    let shard = shard_arg(args)?;
    let counterexample = args.get("counterexample");
    let swarm = match &cfg.setup {
        Setup::Raft(_) if swarm => Some(registry::mutant_of::<Raft, _>(
            cfg.mutant.as_deref(),
            Raft::TITLE,
            distlab_core::raft::Mutant::parse,
        )?),
        _ if swarm => return Err(format!("--swarm on is for {} (got {})", Raft::NAME, cfg.protocol())),
        _ => None,
    };
    if swarm.is_some() && counterexample.is_some() {
        return Err("--counterexample needs a cluster given by flags, not drawn by --swarm on".into());
    }
    if let Some(p) = counterexample {
        std::fs::write(p, "").map_err(|e| format!("--counterexample {p}: {e}"))?;
    }
    let (lo, hi) = shard.map_or((a, b), |(i, n)| part(a, b, i, n));
    let sweep = Sweep { cfg, events, swarm };
    let total = sweep.sweep(lo, hi, jobs)?;
    let summary = CheckSummary {
        protocol: sweep.cfg.protocol().to_string(),
        faults: if swarm.is_some() { "swarm".into() } else { sweep.cfg.faults.name().into() },
        mutant: sweep.cfg.mutant.clone(),
        seeds: format!("{lo}..{hi}"),
        runs: total.runs,
        violations: total.violations,
        events: total.events,
        histories_checked: total.histories_checked,
        configurations: swarm.is_some().then_some(total.shapes.len()),
        first_violation: total.first.clone(),
        not_promised: total.not_promised,
        first_not_promised: total.first_not_promised.clone(),
        shard: shard.map(|(index, count)| ShardInfo {
            index,
            count,
            seeds: format!("{a}..{b}"),
            settings: args.canonical(PLACEMENT),
            shapes: swarm.is_some().then(|| total.shapes.clone()),
        }),
    };
    print_json(&summary);
    if let Some(v) = &total.first {
        say_first(v, &sweep, args);
    } else if let Some(v) = &total.first_not_promised {
        eprintln!(
            "no violation; the first break of a property the protocol never promised: seed {}, event {}: {}: {}",
            v.seed, v.event, v.property, v.message
        );
    }
    match (counterexample, &total.first) {
        (Some(p), Some(v)) => {
            let cfg = LabConfig { seed: v.seed, ..sweep.cfg.clone() };
            let mut doc = distlab_core::scenario::export(&cfg, &[]);
            doc.position = Some(v.event);
            std::fs::write(p, distlab_core::scenario::to_json(&doc) + "\n")
                .map_err(|e| format!("--counterexample {p}: {e}"))?;
        }
        (Some(p), None) => {
            let _ = std::fs::remove_file(p);
        }
        _ => {}
    }
    Ok(if total.violations > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

/// On standard error (standard output stays the one JSON object): the first violation, and a
/// ready command that runs that seed alone.
fn say_first(v: &FirstViolation, sweep: &Sweep, args: &Args) {
    eprintln!("first violation: seed {}, event {}: {}: {}", v.seed, v.event, v.property, v.message);
    let settings = args.canonical(&["seeds", "shard", "jobs", "counterexample", "events", "swarm"]);
    let again = if sweep.swarm.is_some() {
        format!(
            "distlab check {settings} --swarm on --seeds {}..={} --events {}",
            v.seed, v.seed, sweep.events
        )
    } else {
        format!("distlab run {settings} --seed {} --events {}", v.seed, v.event)
    };
    eprintln!("replay it: {again}");
}

/// `distlab merge FILE…`: shard reports of one sweep combined into the report a single run
/// over the whole range prints.
pub fn merge(files: &[String]) -> Result<ExitCode, String> {
    if files.is_empty() {
        return Err("merge needs the shards' report files".into());
    }
    let mut shards: Vec<(String, CheckSummary, ShardInfo)> = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))?;
        let report: CheckSummary = serde_json::from_str(text.trim())
            .map_err(|e| format!("{path}: not a shard report of distlab check --shard ({e})"))?;
        let info = report.shard.clone().ok_or_else(|| {
            format!("{path}: a whole sweep's report, not a shard's (run check with --shard I/N)")
        })?;
        shards.push((path.clone(), report, info));
    }
    let (first_path, first, info) = &shards[0];
    let count = info.count;
    let mut seen = vec![false; count.min(MAX_SHARDS) as usize];
    let mut total = Partial::default();
    for (path, r, s) in &shards {
        let same = (&r.protocol, &r.faults, &r.mutant, &s.seeds, &s.settings, s.count)
            == (&first.protocol, &first.faults, &first.mutant, &info.seeds, &info.settings, count);
        if !same {
            return Err(format!("{path} is a shard of another sweep than {first_path} (its range, settings or number of parts differ)"));
        }
        let slot =
            seen.get_mut(s.index as usize).ok_or_else(|| format!("{path}: part {} of {count}", s.index))?;
        if std::mem::replace(slot, true) {
            return Err(format!("{path}: part {} of {count} given twice", s.index));
        }
        let shapes = s.shapes.clone().unwrap_or_default();
        total.merge(Partial {
            runs: r.runs,
            violations: r.violations,
            events: r.events,
            histories_checked: r.histories_checked,
            shapes,
            first: r.first_violation.clone(),
            not_promised: r.not_promised,
            first_not_promised: r.first_not_promised.clone(),
        });
    }
    let missing: Vec<String> =
        seen.iter().enumerate().filter(|(_, s)| !**s).map(|(i, _)| i.to_string()).collect();
    if !missing.is_empty() {
        return Err(format!("parts missing from the {count}: {}", missing.join(", ")));
    }
    let summary = CheckSummary {
        protocol: first.protocol.clone(),
        faults: first.faults.clone(),
        mutant: first.mutant.clone(),
        seeds: info.seeds.clone(),
        runs: total.runs,
        violations: total.violations,
        events: total.events,
        histories_checked: total.histories_checked,
        configurations: info.shapes.is_some().then_some(total.shapes.len()),
        first_violation: total.first,
        not_promised: total.not_promised,
        first_not_promised: total.first_not_promised,
        shard: None,
    };
    print_json(&summary);
    Ok(if total.violations > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_cover_the_range_once_in_order() {
        for (a, b, n) in [(0, 10, 3), (5, 6, 4), (0, 10_000_000, 7), (u64::MAX - 10, u64::MAX, 3)] {
            let mut at = a;
            for i in 0..n {
                let (lo, hi) = part(a, b, i, n);
                assert_eq!(lo, at);
                assert!(hi >= lo && hi - lo <= (b - a) / n + 1);
                at = hi;
            }
            assert_eq!(at, b);
        }
    }
}
