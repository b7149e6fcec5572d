//! `distlab dfs place`: HDFS's default block placement on the command line.

use std::io::{BufWriter, Write};
use std::process::ExitCode;

use distlab_core::dfs::placement::{self, Topology, Writer, MAX_RF};
use distlab_core::rng::Rng;
use serde::Serialize;

use crate::args::Args;

/// Most blocks one command places.
const MAX_BLOCKS: u64 = 1_000_000;

pub fn dispatch(argv: &[String]) -> Result<ExitCode, String> {
    let Some((sub, rest)) = argv.split_first() else {
        return Err("dfs needs a subcommand: place".into());
    };
    match sub.as_str() {
        "place" => place(&Args::parse(rest, &["racks", "rf", "blocks", "seed", "writer"])?),
        other => Err(format!("unknown dfs subcommand {other:?}; use place")),
    }
}

#[derive(Serialize)]
struct Line<'a> {
    block: u64,
    replicas: &'a [String],
}

/// One JSON object per block, its replicas first first; a note on standard error when the rack
/// limit left some blocks short.
fn place(args: &Args) -> Result<ExitCode, String> {
    let topo = Topology::parse(args.required("racks")?).map_err(|e| format!("--racks: {e}"))?;
    let rf = args.bounded("rf", None, 1, MAX_RF as u64)? as u32;
    let blocks = args.bounded("blocks", None, 1, MAX_BLOCKS)?;
    let seed = args.bounded("seed", None, 0, u64::MAX)?;
    let writer = match args.get("writer") {
        Some(w) => topo.writer(w).map_err(|e| format!("--writer: {e}"))?,
        None => Writer::Off,
    };
    let mut rng = Rng::new(seed);
    let mut out = BufWriter::new(std::io::stdout().lock());
    let mut short = 0u64;
    let want = rf.min(topo.nodes) as usize;
    for block in 0..blocks {
        let placed = placement::place(&topo, rf, writer, &mut rng);
        short += u64::from(placed.len() < want);
        let replicas: Vec<String> = placed.iter().map(|n| topo.name(*n)).collect();
        let line = serde_json::to_string(&Line { block, replicas: &replicas }).expect("plain data");
        writeln!(out, "{line}").map_err(|e| format!("cannot write: {e}"))?;
    }
    out.flush().map_err(|e| format!("cannot write: {e}"))?;
    if (rf as usize) > want {
        eprintln!("note: --rf {rf} is more than the cluster's {} nodes: each block gets {want}", topo.nodes);
    }
    if short > 0 {
        eprintln!(
            "note: {short} blocks got fewer than {want} replicas: at most {} may share a rack",
            topo.max_per_rack(want as u32)
        );
    }
    Ok(ExitCode::SUCCESS)
}
