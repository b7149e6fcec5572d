//! `distlab kafka partition|assign|replicas`: Kafka's placement decisions on the command line.

use std::collections::BTreeMap;
use std::io::{BufRead, BufWriter, Read, Write};
use std::process::ExitCode;

use distlab_core::kafka::{self, Member, Strategy};
use serde::Deserialize;

use crate::args::Args;

pub fn dispatch(argv: &[String]) -> Result<ExitCode, String> {
    let Some((sub, rest)) = argv.split_first() else {
        return Err("kafka needs a subcommand: partition, assign or replicas".into());
    };
    match sub.as_str() {
        "partition" => partition(&Args::parse(rest, &["partitions"])?),
        "assign" => assign(&Args::parse(rest, &["strategy"])?),
        "replicas" => replicas(&Args::parse(rest, &["brokers", "partitions", "rf", "start-index"])?),
        other => Err(format!("unknown kafka subcommand {other:?}; use partition, assign or replicas")),
    }
}

fn partition(args: &Args) -> Result<ExitCode, String> {
    let n = args.bounded("partitions", None, 1, i32::MAX as u64)? as u32;
    let stdin = std::io::stdin();
    let mut out = BufWriter::new(std::io::stdout().lock());
    let mut buf = Vec::new();
    let mut lock = stdin.lock();
    loop {
        buf.clear();
        let read = lock.read_until(b'\n', &mut buf).map_err(|e| format!("cannot read stdin: {e}"))?;
        if read == 0 {
            break;
        }
        if buf.ends_with(b"\n") {
            buf.pop();
        }
        // The key bytes are the line's bytes without the newline.
        writeln!(out, "{}", kafka::partition_for_key(&buf, n)).map_err(|e| format!("cannot write: {e}"))?;
    }
    out.flush().map_err(|e| format!("cannot write: {e}"))?;
    Ok(ExitCode::SUCCESS)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AssignInput {
    topics: BTreeMap<String, u32>,
    members: Vec<Member>,
}

fn assign(args: &Args) -> Result<ExitCode, String> {
    let s = args.required("strategy")?;
    let strategy = Strategy::parse(s).ok_or_else(|| {
        format!("--strategy must be range, roundrobin, sticky or cooperative-sticky (got {s:?})")
    })?;
    let mut text = String::new();
    std::io::stdin().read_to_string(&mut text).map_err(|e| format!("cannot read stdin: {e}"))?;
    let input: AssignInput =
        serde_json::from_str(&text).map_err(|e| format!("invalid assignor input: {e}"))?;
    kafka::validate(&input.topics, &input.members)?;
    let out = kafka::assign(strategy, &input.topics, &input.members);
    println!("{}", serde_json::to_string(&out).expect("plain data"));
    Ok(ExitCode::SUCCESS)
}

fn replicas(args: &Args) -> Result<ExitCode, String> {
    let brokers = args.bounded("brokers", None, 1, 100_000)? as u32;
    let partitions = args.bounded("partitions", None, 1, 1_000_000)? as u32;
    let rf = args.bounded("rf", None, 1, brokers as u64)? as u32;
    let start = args.bounded("start-index", None, 0, u32::MAX as u64)? as u32;
    let placed = kafka::assign_replicas(brokers, partitions, rf, start)?;
    let map: BTreeMap<u32, Vec<u32>> = placed.into_iter().enumerate().map(|(p, r)| (p as u32, r)).collect();
    println!("{}", serde_json::to_string(&map).expect("plain data"));
    Ok(ExitCode::SUCCESS)
}
