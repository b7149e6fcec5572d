//! The subcommands. Each prints JSON on stdout; errors go to stderr with exit code 2.

pub use crate::options::usage;

use std::fs::File;
use std::io::{BufWriter, Write};
use std::process::ExitCode;
use std::time::Instant;

use distlab_core::lab::{self, RunOutcome, SimVisitor};
use distlab_core::registry::{self, Registered};
use distlab_core::sim::Sim;
use serde::Serialize;

use crate::args::Args;
use crate::options::{config, events_arg, print_json, with_options};

pub fn dispatch(argv: &[String]) -> Result<ExitCode, String> {
    let Some((cmd, rest)) = argv.split_first() else {
        return Err("no command given".into());
    };
    match cmd.as_str() {
        "run" => run(&Args::parse(
            rest,
            &with_options(&["protocol", "seed", "events", "faults", "mutant", "trace", "history"]),
        )?),
        "check" => crate::sweep::check(&Args::parse(
            rest,
            &with_options(&[
                "protocol",
                "seeds",
                "faults",
                "mutant",
                "events",
                "swarm",
                "jobs",
                "shard",
                "counterexample",
            ]),
        )?),
        "merge" => {
            if let Some(flag) = rest.iter().find(|a| a.starts_with("--")) {
                return Err(format!("merge takes only the shards' report files (got {flag})"));
            }
            crate::sweep::merge(rest)
        }
        "mutants" => mutants(&Args::parse(rest, &["protocol"])?),
        "bench" => bench(&Args::parse(rest, &["protocol", "events"])?),
        "ring" => crate::ring::dispatch(rest),
        "kafka" => crate::kafka::dispatch(rest),
        "swim" => crate::swim::dispatch(rest),
        "dfs" => crate::dfs::dispatch(rest),
        "lincheck" => crate::lincheck::run(rest),
        "explore" => crate::explore::run(rest),
        "compare" => {
            let args = Args::parse(rest, &["seed", "seconds"])?;
            let seed = args.u64_or("seed", 0)?;
            let max = distlab_core::compare::MAX_SECONDS;
            let seconds = args.u64_or("seconds", 20)?;
            if !(1..=max).contains(&seconds) {
                return Err(format!("--seconds must be between 1 and {max}"));
            }
            print_json(&distlab_core::compare::compare(seed, seconds));
            Ok(ExitCode::SUCCESS)
        }
        "help" | "--help" | "-h" => {
            println!("{}", usage());
            Ok(ExitCode::SUCCESS)
        }
        other => Err(format!("unknown command {other:?}")),
    }
}

struct RunOnce<'a> {
    events: u64,
    trace: Option<&'a mut BufWriter<File>>,
    history: Option<&'a mut BufWriter<File>>,
}

impl SimVisitor for RunOnce<'_> {
    type Output = Result<RunOutcome, String>;
    fn visit<P: Registered>(self, mut sim: Sim<P>) -> Self::Output {
        let mut err = None;
        let (mut trace, mut history) = (self.trace, self.history);
        // Records are read only to be written out.
        sim.keep_records = trace.is_some() || history.is_some();
        // Processes with an invocation still open: a new invocation first closes it as `info`.
        let mut open: std::collections::BTreeMap<i64, distlab_core::lincheck::HistoryLine> =
            Default::default();
        let outcome = lab::run_sim(&mut sim, self.events, |s| {
            for r in s.last_records() {
                if err.is_some() {
                    break;
                }
                if let Some(w) = trace.as_mut() {
                    let line = serde_json::to_string(r).expect("records serialize");
                    if let Err(e) = writeln!(w, "{line}") {
                        err = Some(format!("cannot write the trace: {e}"));
                    }
                }
                let (Some(w), distlab_core::trace::RecordKind::Note { note }) = (history.as_mut(), &r.kind)
                else {
                    continue;
                };
                let Some(line) = P::history_line(note) else { continue };
                let mut out = Vec::new();
                if line.kind == distlab_core::lincheck::LineKind::Invoke {
                    if let Some(prev) = open.insert(line.process, line.clone()) {
                        out.push(distlab_core::lincheck::HistoryLine {
                            kind: distlab_core::lincheck::LineKind::Info,
                            value: distlab_core::lincheck::LineValue::Absent,
                            ..prev
                        });
                    }
                } else {
                    open.remove(&line.process);
                }
                out.push(line);
                for l in out {
                    if let Err(e) = writeln!(w, "{}", crate::lincheck::render_line(&l)) {
                        err = Some(format!("cannot write the history: {e}"));
                    }
                }
            }
        });
        match err {
            Some(e) => Err(e),
            None => Ok(outcome),
        }
    }
}

fn run(args: &Args) -> Result<ExitCode, String> {
    args.required("seed")?;
    let cfg = config(args)?;
    let events = events_arg(args, 10_000)?;
    let mut file = match args.get("trace") {
        None => None,
        Some(path) => {
            Some(BufWriter::new(File::create(path).map_err(|e| format!("cannot create {path}: {e}"))?))
        }
    };
    let mut history = match args.get("history") {
        None => None,
        Some(path) => {
            if !registry::WITH_HISTORY.contains(&cfg.protocol()) {
                return Err(format!(
                    "--history needs a protocol with key-value clients ({}), not {}",
                    registry::WITH_HISTORY.join(", "),
                    cfg.protocol()
                ));
            }
            Some(BufWriter::new(File::create(path).map_err(|e| format!("cannot create {path}: {e}"))?))
        }
    };
    let outcome = lab::with_sim(&cfg, RunOnce { events, trace: file.as_mut(), history: history.as_mut() })??;
    if let Some(mut f) = file {
        f.flush().map_err(|e| format!("cannot write the trace: {e}"))?;
    }
    if let Some(mut f) = history {
        f.flush().map_err(|e| format!("cannot write the history: {e}"))?;
    }
    print_json(&outcome);
    Ok(ExitCode::SUCCESS)
}

fn mutants(args: &Args) -> Result<ExitCode, String> {
    for (name, _) in lab::mutants(args.required("protocol")?)? {
        println!("{name}");
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Serialize)]
struct BenchLine {
    protocol: String,
    faults: &'static str,
    events: u64,
    runs: u64,
    seconds: f64,
    events_per_sec: f64,
    workload_hash: String,
    step_back_at: u64,
    step_back_ms: f64,
}

fn bench(args: &Args) -> Result<ExitCode, String> {
    let total = events_arg(args, 5_000_000)?;
    let protocols: Vec<String> = match args.get("protocol") {
        Some(p) => vec![p.to_string()],
        None => lab::PROTOCOLS.iter().map(|p| p.to_string()).collect(),
    };
    for p in protocols {
        let start = Instant::now();
        let (events, runs, hash) = lab::bench_workload(&p, total)?;
        let seconds = start.elapsed().as_secs_f64();
        // Step back one event, many times, at the end of a long run.
        let at = total.min(1_000_000);
        let mut l = lab::long_run(&p, at)?;
        let reps = 50;
        let start = Instant::now();
        for i in 0..reps {
            l.seek(at - 1 - i);
        }
        let step_back_ms = start.elapsed().as_secs_f64() * 1000.0 / reps as f64;
        print_json(&BenchLine {
            protocol: p.clone(),
            faults: lab::bench_config(&p)?.faults.name(),
            events,
            runs,
            seconds,
            events_per_sec: events as f64 / seconds,
            workload_hash: format!("{hash:016x}"),
            step_back_at: at,
            step_back_ms,
        });
    }
    Ok(ExitCode::SUCCESS)
}
