//! What the commands share: the usage text, the cluster flags `run` and `check` take and how a
//! run's configuration is read from them, and how a result is printed.

use distlab_core::lab::LabConfig;
use distlab_core::net::FaultPreset;
use distlab_core::registry::{self, Setup};
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
  Kafka: --brokers N --partitions N --rf N --min-insync N --acks 0|1|all --idempotence on|off
         --consumers N --strategy range|roundrobin|sticky|cooperative-sticky
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
pub(crate) const MAX_RUN_EVENTS: u64 = 100_000_000;

/// The cluster flags `run` and `check` take (each protocol reads its own).
pub const CLUSTER: &[&str] = &[
    "racks",
    "servers",
    "clients",
    "spares",
    "prevote",
    "check-quorum",
    "read-mode",
    "snapshot-every",
    "backoff",
    "scenario",
    "keys",
    "reads",
    "cas",
    "think-ms",
    "brokers",
    "partitions",
    "rf",
    "min-insync",
    "acks",
    "idempotence",
    "consumers",
    "strategy",
    "members",
    "detector",
    "selection",
    "period-ms",
    "ack-timeout-ms",
    "indirect",
    "suspicion",
    "retransmit",
    "heartbeat-periods",
    "recipe",
    "session-timeout-ms",
    "work-ms",
    "pause-pct",
    "pause-ms",
    "stagger-ms",
    "groups",
    "joined",
    "shards",
    "vnodes",
    "moves-ms",
];

pub(crate) fn with_options(base: &[&'static str]) -> Vec<&'static str> {
    let mut v = base.to_vec();
    v.extend_from_slice(CLUSTER);
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
    for name in CLUSTER.iter().filter(|f| **f != "scenario") {
        if let Some(value) = args.get(name) {
            if !cfg.setup.flag(name, value)? {
                return Err(format!("--{name} does not apply to {protocol}"));
            }
        }
    }
    // Kafka's producer turns idempotence off below acks=all only when it was left to its
    // default; asked for explicitly, the combination is refused (a ConfigException).
    if let (Some("on"), Setup::Kafka(k)) = (args.get("idempotence"), &cfg.setup) {
        if !k.idempotent() {
            return Err("--idempotence on needs --acks all: Kafka refuses an idempotent producer \
                with a weaker acks (leave --idempotence out, and it is turned off)"
                .into());
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
