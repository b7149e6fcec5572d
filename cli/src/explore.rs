//! `distlab explore`: visit every state of a small cluster within bounds, and write the
//! shortest path to a violation as a scenario document.

use std::process::ExitCode;
use std::time::Instant;

use distlab_core::explore::{self, Bounds, Search};
use distlab_core::scenario;
use serde::Serialize;

use crate::args::Args;

pub const FLAGS: &[&str] = &[
    "protocol",
    "scenario",
    "servers",
    "clients",
    "requests",
    "crashes",
    "drops",
    "duplicates",
    "timeouts",
    "max-term",
    "depth",
    "max-states",
    "mutant",
    "search",
    "symmetry",
    "counterexample",
];

/// The bounds as printed: the cluster's size and every limit of the search.
#[derive(Serialize)]
struct BoundsOut {
    servers: usize,
    clients: usize,
    requests: u32,
    crashes: u32,
    drops: u32,
    duplicates: u32,
    timeouts: Option<u32>,
    max_term: Option<u64>,
    depth: u32,
    max_states: u64,
    search: &'static str,
    symmetry: &'static str,
}

#[derive(Serialize)]
struct ViolationOut {
    property: String,
    message: String,
    steps: u32,
}

impl ViolationOut {
    fn of(found: &explore::Found) -> ViolationOut {
        ViolationOut { property: found.property.clone(), message: found.message.clone(), steps: found.steps }
    }
}

#[derive(Serialize)]
struct Out {
    protocol: &'static str,
    bounds: BoundsOut,
    states: u64,
    unique_states: u64,
    max_depth: u32,
    pruned: u64,
    depth_cut: u64,
    complete: bool,
    seconds: f64,
    states_per_sec: u64,
    violation: Option<ViolationOut>,
    /// The first break of a property the protocol never promised (no violation: the search
    /// went on past it).
    #[serde(skip_serializing_if = "Option::is_none")]
    not_promised: Option<ViolationOut>,
}

fn small(args: &Args, name: &str, default: u32, max: u32) -> Result<u32, String> {
    Ok(args.bounded(name, Some(default as u64), 0, max as u64)? as u32)
}

pub fn run(rest: &[String]) -> Result<ExitCode, String> {
    let args = Args::parse(rest, FLAGS)?;
    let protocol = args.required("protocol")?;
    let mut cfg = explore::explore_config(protocol)?;
    cfg.mutant = args.get("mutant").map(str::to_string);
    // A preset gives the exploration its cluster and starting state (Raft's "figure-8": the
    // paper's logs), not its timed steps.
    cfg.scenario = args.get("scenario").map(str::to_string);
    // A protocol without servers or clients by that name may have them by another (Kafka's
    // brokers and producers).
    for (name, or) in [("servers", "brokers"), ("clients", "producers")] {
        if let Some(value) = args.get(name) {
            if !cfg.setup.flag(name, value)? && !cfg.setup.flag(or, value)? {
                return Err(format!("--{name} does not apply to {protocol}"));
            }
        }
    }
    let search = match args.get("search") {
        None => Search::Bfs,
        Some(s) => Search::parse(s).ok_or_else(|| format!("--search must be bfs or dfs (got {s:?})"))?,
    };
    let symmetry = match args.get("symmetry") {
        None | Some("off") => false,
        Some("on") => true,
        Some(v) => return Err(format!("--symmetry must be on or off (got {v:?})")),
    };
    // A bound given as a number, or `none` to lift it; the protocol's default without the flag.
    let optional = |name: &str, min: u64, max: u64, default: Option<u64>| -> Result<Option<u64>, String> {
        match args.get(name) {
            None => Ok(default),
            Some("none") => Ok(None),
            Some(_) => args.bounded(name, None, min, max).map(Some),
        }
    };
    let defaults = explore::default_bounds(&cfg)?;
    let bounds = Bounds {
        requests: small(&args, "requests", defaults.requests, explore::MAX_REQUESTS)?,
        crashes: small(&args, "crashes", 0, explore::MAX_FAULTS)?,
        drops: small(&args, "drops", 0, explore::MAX_FAULTS)?,
        duplicates: small(&args, "duplicates", 0, explore::MAX_FAULTS)?,
        timeouts: optional("timeouts", 0, explore::MAX_DEPTH as u64, defaults.timeouts.map(u64::from))?
            .map(|t| t as u32),
        max_term: optional("max-term", 1, u32::MAX as u64, defaults.max_term)?,
        depth: args.bounded("depth", Some(defaults.depth as u64), 1, explore::MAX_DEPTH as u64)? as u32,
        max_states: args.bounded("max-states", Some(defaults.max_states), 1, explore::MAX_STATES)?,
        search,
        symmetry,
    };
    bounds.validate()?;
    // A file that cannot be written is bad input, found before the search rather than after.
    let path = args.get("counterexample");
    if let Some(p) = path {
        std::fs::write(p, "").map_err(|e| format!("--counterexample {p}: {e}"))?;
    }
    let started = Instant::now();
    let report = explore::explore(&cfg, bounds);
    let seconds = started.elapsed().as_secs_f64();
    let report = match report {
        Ok(r) => r,
        Err(e) => {
            if let Some(p) = path {
                let _ = std::fs::remove_file(p);
            }
            return Err(e);
        }
    };
    match (&report.violation, path) {
        (Some(found), Some(p)) => std::fs::write(p, scenario::to_json(&found.doc) + "\n")
            .map_err(|e| format!("--counterexample {p}: {e}"))?,
        (None, Some(p)) => {
            let _ = std::fs::remove_file(p);
        }
        _ => {}
    }
    // Standard output stays the one JSON object; what was not judged is said beside it.
    if !report.unjudged.is_empty() {
        eprintln!(
            "note: not judged in an explored run, where any message may arrive after any timeout (they assume it arrives within): {}",
            report.unjudged.join(", ")
        );
    }
    let b = report.bounds;
    let out = Out {
        protocol: report.protocol,
        bounds: BoundsOut {
            servers: report.servers,
            clients: report.clients,
            requests: b.requests,
            crashes: b.crashes,
            drops: b.drops,
            duplicates: b.duplicates,
            timeouts: b.timeouts,
            max_term: b.max_term,
            depth: b.depth,
            max_states: b.max_states,
            search: b.search.name(),
            symmetry: if b.symmetry { "on" } else { "off" },
        },
        states: report.states,
        unique_states: report.unique_states,
        max_depth: report.max_depth,
        pruned: report.pruned,
        depth_cut: report.depth_cut,
        complete: report.complete,
        seconds: (seconds * 1000.0).round() / 1000.0,
        states_per_sec: (report.states as f64 / seconds.max(1e-9)) as u64,
        violation: report.violation.as_ref().map(ViolationOut::of),
        not_promised: report.not_promised.as_ref().map(ViolationOut::of),
    };
    println!("{}", serde_json::to_string(&out).expect("plain data serializes"));
    Ok(if report.violation.is_some() { ExitCode::from(1) } else { ExitCode::SUCCESS })
}
