//! The subcommands. Each prints JSON on stdout; errors go to stderr with exit code 2.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::process::ExitCode;
use std::time::Instant;

use distlab_core::lab::{self, LabConfig, RunOutcome, SimVisitor};
use distlab_core::net::FaultPreset;
use distlab_core::registry::{self, Registered, Setup};
use distlab_core::sim::Sim;
use serde::Serialize;

use crate::args::Args;

pub const USAGE: &str = "usage:
  distlab run --protocol P --seed S --events N [--faults none|light|heavy] [--mutant NAME] [--trace FILE] [--history FILE]
  distlab check --protocol P --seeds A..B [--faults none|light|heavy] [--mutant NAME] [--events N] [--swarm on]
      [--jobs N] [--shard I/N] [--counterexample FILE]
      (each run's client history also goes through the linearizability search; --swarm on
       draws each seed's own configuration, fault mix and operator commands: raft only;
       --jobs: threads, default every core, the same report; --shard I/N: only the I-th of N
       equal parts of the seeds, counted from 0, its report for merge; FILE gets the first
       violation's run as a scenario document)
  distlab merge FILE...   (shards' reports of one check, combined into the whole range's report)
  distlab explore --protocol P [--scenario NAME] [--servers N] [--clients N] [--requests N] [--crashes N] [--drops N]
      [--duplicates N] [--timeouts N|none] [--max-term N|none] [--depth D] [--max-states S] [--mutant M]
      [--search bfs|dfs] [--symmetry on|off] [--counterexample FILE]
      (every interleaving of a small cluster within the bounds; exit 1 on a violation, and
       FILE gets the path to it as a scenario document)
  distlab mutants --protocol P
  distlab bench [--protocol P] [--events N]
  distlab compare --seed S [--seconds N]   (Raft and Multi-Paxos under one fault schedule)
  distlab ring lookup --algo ring|rendezvous|maglev|bounded|modulo --nodes N [--vnodes V] [--replicas R] [--c C] < keys
  distlab ring jump --buckets N < u64 keys
  distlab ring stats --algo A --nodes N --keys K [--vnodes V] [--c C]
  distlab lincheck [--max-states N] [FILE]   (a client history as JSON lines; stdin without FILE;
      exit 3 when the search reached its limit and the verdict is unknown)
  distlab kafka partition --partitions N < keys
  distlab kafka assign --strategy range|roundrobin|sticky|cooperative-sticky < JSON
  distlab kafka replicas --brokers B --partitions P --rf R --start-index S
  distlab dfs place --racks r1:N1,r2:N2,... --rf R --blocks B --seed S [--writer RACK/NODE]
      (HDFS's default placement: one JSON object per block, its replicas named rRACK/nINDEX,
       the first replica first; a writer that is no data node gets a node of its rack, if any)
  distlab swim detect --nodes N --trials T --seed S [--loss PCT] [--selection random|round-robin] [--indirect K]
      (crashes one member per trial; one JSON object: detection and dissemination in periods,
       messages per member per period, false positives)
cluster options for run and check:
  --servers N (Paxos: N proposers, acceptors and learners)  --clients N  --spares N
  --prevote on|off  --check-quorum on|off  --read-mode log|readindex|lease|local  --snapshot-every N
  --backoff on|off (Paxos, Multi-Paxos)  --scenario NAME
  clients' own requests (Raft, Multi-Paxos): --keys N (1-16) --reads PCT --cas PCT --think-ms MS
  Kafka: --brokers N --partitions N --rf N --min-insync N --acks 0|1|all --consumers N
         --strategy range|roundrobin|sticky|cooperative-sticky
  SWIM: --members N (2-1000) --detector swim|heartbeat --selection round-robin|random --period-ms MS
        --ack-timeout-ms MS --indirect K --suspicion PERIODS --retransmit MULT --heartbeat-periods N
  coordination: --servers N (3-7) --clients N (1-8) --recipe lock|election|discovery|config|idle
        --session-timeout-ms MS --work-ms MS --think-ms MS --pause-pct PCT --pause-ms MS --stagger-ms MS
  shardkv: --groups N (1-5) --joined N (groups in the first configuration) --shards N (1-64)
        --vnodes N (1-256) --clients N (1-8) --moves-ms MS (0 or 100-60000) --keys N --reads PCT
        --cas PCT --think-ms MS
  dfs: --racks r1:N1,r2:N2,... (1-8 racks in order, 1-8 data nodes each, 32 in all) --rf R (1-5)
        --clients N (1-8) --keys N (files) --reads PCT --think-ms MS";

/// The usage text, ending with the registered protocols.
pub fn usage() -> String {
    format!("{USAGE}\nprotocols: {}", registry::PROTOCOLS.join(", "))
}

/// Most events one run may ask for.
const MAX_RUN_EVENTS: u64 = 100_000_000;

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

/// Optional cluster flags that `run` and `check` share.
use crate::cli::CLUSTER as CLUSTER_FLAGS;

fn with_options(base: &[&'static str]) -> Vec<&'static str> {
    let mut v = base.to_vec();
    v.extend_from_slice(CLUSTER_FLAGS);
    v
}

pub(crate) fn on_off(args: &Args, name: &str) -> Result<Option<bool>, String> {
    match args.get(name) {
        None => Ok(None),
        Some("on") => Ok(Some(true)),
        Some("off") => Ok(Some(false)),
        Some(v) => Err(format!("--{name} must be on or off (got {v:?})")),
    }
}

pub(crate) fn config(args: &Args) -> Result<LabConfig, String> {
    let faults = match args.get("faults") {
        None => FaultPreset::None,
        Some(f) => FaultPreset::parse(f)
            .ok_or_else(|| format!("--faults must be none, light or heavy (got {f:?})"))?,
    };
    let protocol = args.required("protocol")?;
    let mut cfg = LabConfig {
        seed: args.u64_or("seed", 0)?,
        faults,
        mutant: args.get("mutant").map(str::to_string),
        scenario: args.get("scenario").map(str::to_string),
        ..LabConfig::new(Setup::default_for(protocol)?)
    };
    // Each protocol reads its own flags; one it does not know is an error, not ignored.
    for name in CLUSTER_FLAGS.iter().filter(|f| **f != "scenario") {
        if let Some(value) = args.get(name) {
            if !cfg.setup.flag(name, value)? {
                return Err(format!("--{name} does not apply to {protocol}"));
            }
        }
    }
    Ok(cfg)
}

pub(crate) fn events_arg(args: &Args, default: u64) -> Result<u64, String> {
    let n = args.u64_or("events", default)?;
    if n == 0 || n > MAX_RUN_EVENTS {
        return Err(format!("--events must be between 1 and {MAX_RUN_EVENTS}"));
    }
    Ok(n)
}

pub(crate) fn print_json<T: Serialize>(value: &T) {
    println!("{}", serde_json::to_string(value).expect("plain data serializes"));
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
