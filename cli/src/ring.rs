//! `distlab ring lookup|jump|stats`: the placement algorithms on the command line.

use std::io::{BufRead, BufWriter, Write};
use std::process::ExitCode;

use distlab_core::hashing::{self, Algo, Params, Placement, MAX_KEYS, MAX_NODES};

use crate::args::Args;

pub fn dispatch(argv: &[String]) -> Result<ExitCode, String> {
    let Some((sub, rest)) = argv.split_first() else {
        return Err("ring needs a subcommand: lookup, jump or stats".into());
    };
    match sub.as_str() {
        "lookup" => lookup(&Args::parse(rest, &["algo", "nodes", "vnodes", "replicas", "c"])?),
        "jump" => jump(&Args::parse(rest, &["buckets"])?),
        "stats" => stats(&Args::parse(rest, &["algo", "nodes", "keys", "vnodes", "c"])?),
        other => Err(format!("unknown ring subcommand {other:?}; use lookup, jump or stats")),
    }
}

fn params(args: &Args) -> Result<Params, String> {
    let mut p = Params { vnodes: args.bounded("vnodes", Some(100), 1, 1000)? as usize, ..Params::default() };
    if let Some(c) = args.get("c") {
        p.c = c.parse().map_err(|_| format!("--c must be a number (got {c:?})"))?;
    }
    p.validate()?;
    Ok(p)
}

fn algo(args: &Args) -> Result<Algo, String> {
    let a = args.required("algo")?;
    Algo::parse(a).ok_or_else(|| {
        let names: Vec<&str> = Algo::ALL.iter().map(|a| a.name()).collect();
        format!("--algo must be one of {} (got {a:?})", names.join(", "))
    })
}

/// Read stdin as lines without their line ending ("\n" or "\r\n").
fn lines() -> Result<Vec<Vec<u8>>, String> {
    let stdin = std::io::stdin();
    let mut out = Vec::new();
    let mut buf = Vec::new();
    let mut lock = stdin.lock();
    loop {
        buf.clear();
        let n = lock.read_until(b'\n', &mut buf).map_err(|e| format!("cannot read stdin: {e}"))?;
        if n == 0 {
            break;
        }
        if buf.ends_with(b"\n") {
            buf.pop();
            if buf.ends_with(b"\r") {
                buf.pop();
            }
        }
        if out.len() >= MAX_KEYS * 10 {
            return Err(format!("at most {} lines on stdin", MAX_KEYS * 10));
        }
        out.push(buf.clone());
    }
    Ok(out)
}

fn lookup(args: &Args) -> Result<ExitCode, String> {
    let algo = algo(args)?;
    if algo == Algo::Jump {
        return Err("jump hashes unsigned 64-bit keys: use `distlab ring jump --buckets N`".into());
    }
    let nodes = args.bounded("nodes", None, 1, MAX_NODES as u64)? as u32;
    let replicas = args.bounded("replicas", Some(1), 1, nodes as u64)? as usize;
    let params = params(args)?;
    let keys = lines()?;
    let mut hashes = Vec::with_capacity(keys.len());
    for (i, k) in keys.iter().enumerate() {
        if std::str::from_utf8(k).is_err() {
            return Err(format!("line {}: not UTF-8", i + 1));
        }
        hashes.push(hashing::hash_key(k));
    }
    let members: Vec<u32> = (0..nodes).collect();
    let placement = Placement::new(algo, &members, &[], &params);
    let mut out = BufWriter::new(std::io::stdout().lock());
    for set in placement.owners(&hashes, replicas) {
        let text: Vec<String> = set.iter().map(|n| n.to_string()).collect();
        writeln!(out, "{}", text.join(" ")).map_err(|e| format!("cannot write: {e}"))?;
    }
    out.flush().map_err(|e| format!("cannot write: {e}"))?;
    Ok(ExitCode::SUCCESS)
}

fn jump(args: &Args) -> Result<ExitCode, String> {
    let buckets = args.bounded("buckets", None, 1, i32::MAX as u64)? as u32;
    let mut out = BufWriter::new(std::io::stdout().lock());
    for (i, line) in lines()?.iter().enumerate() {
        let text = std::str::from_utf8(line).map_err(|_| format!("line {}: not UTF-8", i + 1))?;
        let key: u64 = text
            .trim()
            .parse()
            .map_err(|_| format!("line {}: {text:?} is not an unsigned 64-bit decimal number", i + 1))?;
        writeln!(out, "{}", hashing::jump(key, buckets)).map_err(|e| format!("cannot write: {e}"))?;
    }
    out.flush().map_err(|e| format!("cannot write: {e}"))?;
    Ok(ExitCode::SUCCESS)
}

fn stats(args: &Args) -> Result<ExitCode, String> {
    let algo = algo(args)?;
    let nodes = args.bounded("nodes", None, 1, MAX_NODES as u64)? as usize;
    let keys = args.bounded("keys", None, 1, MAX_KEYS as u64)? as usize;
    let params = params(args)?;
    let hashes = hashing::generated_keys(keys);
    let s = hashing::measure(algo, nodes, &hashes, &params);
    println!("{}", serde_json::to_string(&s).expect("plain data"));
    Ok(ExitCode::SUCCESS)
}
