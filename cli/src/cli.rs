//! The command line's grammar, for clap: every subcommand with its flags and their help, so
//! that `distlab help`, `distlab SUBCOMMAND --help` and the shell completions
//! (`distlab completions bash|zsh|fish|elvish|powershell`) come from one place. clap checks the
//! command and flag names; the values are checked where they are read (`args.rs` and each
//! command), with the same messages as before, and the matches are handed to the commands as
//! the plain argument list they always took, so every output stays what it was.

use clap::{Arg, ArgAction, ArgMatches, Command};

/// (flag, value name, help) of every flag some subcommand takes.
const FLAGS: &[(&str, &str, &str)] = &[
    ("protocol", "P", "the protocol: paxos, multipaxos, raft, kafka, swim, coordination, shardkv, dfs"),
    ("seed", "S", "the run's seed: the same seed and settings give the same trace"),
    ("seeds", "A..B", "the seeds to sweep: 0..1000 (B excluded) or 0..=999"),
    ("events", "N", "how many events to run (check: per seed, default 20000)"),
    ("faults", "none|light|heavy", "injected faults: message loss, delay, duplication, crashes, partitions"),
    ("mutant", "NAME", "a deliberately broken variant (distlab mutants --protocol P lists them)"),
    ("trace", "FILE", "write every trace record as a JSON line"),
    ("history", "FILE", "write the clients' history as JSON lines (for distlab lincheck)"),
    ("swarm", "on", "draw each seed's own configuration, fault mix and operator commands (raft)"),
    ("jobs", "N", "threads to run seeds on (default: every core; the report is the same)"),
    ("shard", "I/N", "run only the I-th of N equal parts of the seeds, counted from 0, for distlab merge"),
    ("counterexample", "FILE", "write the first violation's run as a scenario document the page opens"),
    ("racks", "r1:N1,r2:N2,...", "dfs: racks in order and their data nodes"),
    ("servers", "N", "servers (Paxos: N proposers, acceptors and learners)"),
    ("clients", "N", "clients"),
    ("spares", "N", "raft: servers that can be added, not members at the start"),
    ("prevote", "on|off", "raft: PreVote"),
    ("check-quorum", "on|off", "raft: CheckQuorum"),
    ("read-mode", "log|readindex|lease|local", "raft: how reads are served"),
    ("snapshot-every", "N", "raft: take a snapshot every N applied entries"),
    ("backoff", "on|off", "paxos, multipaxos: randomised back-off before a retry"),
    ("scenario", "NAME", "a preset: its cluster and timed steps (explore: its starting state)"),
    ("keys", "N", "keys the clients use (1-16; dfs: files)"),
    ("reads", "PCT", "share of reads among the clients' requests"),
    ("cas", "PCT", "share of compare-and-set among the clients' requests"),
    ("think-ms", "MS", "the clients' pause between requests"),
    ("brokers", "N", "kafka: brokers"),
    ("partitions", "N", "kafka: partitions"),
    ("rf", "N", "replication factor"),
    ("min-insync", "N", "kafka: min.insync.replicas"),
    ("acks", "0|1|all", "kafka: the producers' acks"),
    (
        "idempotence",
        "on|off",
        "kafka: idempotent producers (on by default, off below acks=all; on with acks 0 or 1 is refused)",
    ),
    ("consumers", "N", "kafka: consumers in the group"),
    ("strategy", "NAME", "kafka: range, roundrobin, sticky or cooperative-sticky"),
    ("members", "N", "swim: members (2-1000)"),
    ("detector", "swim|heartbeat", "swim: the failure detector"),
    ("selection", "round-robin|random", "swim: how a member picks whom to probe"),
    ("period-ms", "MS", "swim: the protocol period"),
    ("ack-timeout-ms", "MS", "swim: how long a probe waits for its ack"),
    ("indirect", "K", "swim: members asked to probe indirectly"),
    ("suspicion", "PERIODS", "swim: how long a suspect has to refute"),
    ("retransmit", "MULT", "swim: how many times an update is gossiped (times log n)"),
    ("heartbeat-periods", "N", "swim, heartbeat detector: silent periods before a member is declared dead"),
    ("recipe", "NAME", "coordination: lock, election, discovery, config or idle"),
    ("session-timeout-ms", "MS", "coordination: the clients' session timeout"),
    ("work-ms", "MS", "coordination: how long a lock holder works"),
    ("pause-pct", "PCT", "coordination: chance a client pauses (a GC pause)"),
    ("pause-ms", "MS", "coordination: how long a pause lasts"),
    ("stagger-ms", "MS", "coordination: the clients' start, spread over this"),
    ("groups", "N", "shardkv: replica groups (1-5)"),
    ("joined", "N", "shardkv: groups in the first configuration"),
    ("shards", "N", "shardkv: shards (1-64)"),
    ("vnodes", "N", "virtual nodes per node on the hash ring"),
    ("moves-ms", "MS", "shardkv: the configuration service's pause between changes"),
    ("requests", "N", "explore: requests it may issue"),
    ("crashes", "N", "explore: crashes it may inject"),
    ("drops", "N", "explore: messages it may drop"),
    ("duplicates", "N", "explore: messages it may duplicate"),
    ("timeouts", "N|none", "explore: timer firings in all"),
    ("max-term", "N|none", "explore: no state past this term, ballot round or epoch"),
    ("depth", "D", "explore: events per path"),
    ("max-states", "S", "explore: stop after this many unique states (lincheck: configurations)"),
    ("search", "bfs|dfs", "explore: breadth first (shortest counterexample) or depth first"),
    ("symmetry", "on|off", "explore: merge states that differ only by renamed interchangeable servers"),
    ("seconds", "N", "compare: virtual seconds to run"),
    ("algo", "NAME", "ring: ring, rendezvous, maglev, bounded or modulo"),
    ("nodes", "N", "nodes (ring) or members (swim detect)"),
    ("replicas", "R", "ring lookup: owners per key"),
    ("c", "C", "ring: the bounded-load factor"),
    ("buckets", "N", "ring jump: buckets"),
    ("start-index", "S", "kafka replicas: the first broker's index"),
    ("blocks", "B", "dfs place: blocks to place"),
    ("writer", "RACK/NODE", "dfs place: the writing client's place"),
    ("trials", "T", "swim detect: crashes to time"),
    ("loss", "PCT", "swim detect: message loss"),
];

fn flag(name: &'static str) -> Arg {
    let (_, value, help) = FLAGS.iter().find(|f| f.0 == name).copied().unwrap_or((name, "VALUE", ""));
    // A value may start with a hyphen ("-5"): the command says what is wrong with it.
    Arg::new(name).long(name).value_name(value).help(help).num_args(1).allow_hyphen_values(true)
}

fn with(cmd: Command, flags: &[&'static str]) -> Command {
    cmd.args(flags.iter().map(|f| flag(f)))
}

/// A subcommand that reads its input from standard input or files.
fn files(cmd: Command, name: &'static str, help: &'static str, many: bool) -> Command {
    let arg = Arg::new(name).value_name("FILE").help(help);
    cmd.arg(if many { arg.num_args(0..).action(ArgAction::Append) } else { arg.num_args(0..=1) })
}

/// The whole grammar.
pub fn command() -> Command {
    let run_check = |name: &'static str, about: &'static str, own: &[&'static str]| {
        let mut flags = own.to_vec();
        flags.extend_from_slice(crate::options::CLUSTER);
        with(Command::new(name).about(about), &flags)
    };
    Command::new("distlab")
        .about("The distlab simulator on the command line, on the same core as the page")
        .after_help(crate::options::USAGE)
        .subcommand_required(true)
        .disable_help_subcommand(true)
        .subcommand(run_check(
            "run",
            "Run one seed; print events, violation and trace hash as JSON",
            &["protocol", "seed", "events", "faults", "mutant", "trace", "history"],
        ))
        .subcommand(run_check(
            "check",
            "Sweep seeds, every property after every event and every client history linearizable; exit 1 on a violation",
            &["protocol", "seeds", "faults", "mutant", "events", "swarm", "jobs", "shard", "counterexample"],
        ))
        .subcommand(files(
            Command::new("merge").about("Combine shards' reports of one check into the whole range's report"),
            "files",
            "the shards' reports (distlab check --shard I/N)",
            true,
        ))
        .subcommand(with(
            Command::new("explore").about("Visit every state of a small cluster within bounds; exit 1 on a violation"),
            crate::explore::FLAGS,
        ))
        .subcommand(with(Command::new("mutants").about("List a protocol's mutants"), &["protocol"]))
        .subcommand(with(Command::new("bench").about("Events per second on the bench workload"), &["protocol", "events"]))
        .subcommand(with(
            Command::new("compare").about("Raft and Multi-Paxos under one fault schedule"),
            &["seed", "seconds"],
        ))
        .subcommand(
            Command::new("ring")
                .about("Consistent hashing: owners, jump hash, load statistics")
                .subcommand_required(true)
                .subcommand(with(
                    Command::new("lookup").about("The owner (or replica set) of each key read from stdin"),
                    &["algo", "nodes", "vnodes", "replicas", "c"],
                ))
                .subcommand(with(Command::new("jump").about("Jump consistent hash of each u64 key on stdin"), &["buckets"]))
                .subcommand(with(
                    Command::new("stats").about("Load and movement statistics"),
                    &["algo", "nodes", "keys", "vnodes", "c"],
                )),
        )
        .subcommand(files(
            with(
                Command::new("lincheck")
                    .about("Check a client history (JSON lines) for linearizability; exit 3 when the verdict is unknown"),
                &["max-states"],
            ),
            "file",
            "the history (standard input without it)",
            false,
        ))
        .subcommand(
            Command::new("kafka")
                .about("Kafka's partitioner, assignors and replica placement")
                .subcommand_required(true)
                .subcommand(with(Command::new("partition").about("The partition of each key on stdin"), &["partitions"]))
                .subcommand(with(
                    Command::new("assign").about("A consumer group's assignment (JSON on stdin)"),
                    &["strategy"],
                ))
                .subcommand(with(
                    Command::new("replicas").about("Replica placement of a new topic"),
                    &["brokers", "partitions", "rf", "start-index"],
                )),
        )
        .subcommand(
            Command::new("dfs").about("The file system's block placement").subcommand_required(true).subcommand(with(
                Command::new("place").about("HDFS's default placement, one JSON object per block"),
                &["racks", "rf", "blocks", "seed", "writer"],
            )),
        )
        .subcommand(
            Command::new("swim").about("SWIM failure detection").subcommand_required(true).subcommand(with(
                Command::new("detect").about("Detection and dissemination times over crash trials"),
                &["nodes", "trials", "seed", "loss", "selection", "indirect"],
            )),
        )
        .subcommand(
            Command::new("completions").about("A shell completion script for distlab").arg(
                Arg::new("shell")
                    .required(true)
                    .value_parser(clap::value_parser!(clap_complete::Shell))
                    .help("bash, zsh, fish, elvish or powershell"),
            ),
        )
        .subcommand(Command::new("help").about("The usage of every command"))
}

/// The matches as the argument list the commands take: the subcommand path, then each flag
/// given and its value, then the files.
pub fn argv(m: &ArgMatches) -> Vec<String> {
    let mut out = Vec::new();
    let mut m = m;
    while let Some((name, sub)) = m.subcommand() {
        out.push(name.to_string());
        m = sub;
    }
    for id in m.ids() {
        let id = id.as_str();
        if FLAGS.iter().any(|f| f.0 == id) {
            if let Some(v) = m.get_one::<String>(id) {
                out.push(format!("--{id}"));
                out.push(v.clone());
            }
        }
    }
    for positional in ["file", "files"] {
        if let Ok(Some(values)) = m.try_get_many::<String>(positional) {
            out.extend(values.cloned());
        }
    }
    out
}
