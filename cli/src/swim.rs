//! `distlab swim detect`: how fast SWIM finds a crashed member, and what it costs.

use std::process::ExitCode;

use distlab_core::swim::detect::{self, Settings};
use distlab_core::swim::Selection;

use crate::args::Args;

pub fn dispatch(argv: &[String]) -> Result<ExitCode, String> {
    let Some((sub, rest)) = argv.split_first() else {
        return Err("swim needs a subcommand: detect".into());
    };
    match sub.as_str() {
        "detect" => {
            detect_cmd(&Args::parse(rest, &["nodes", "trials", "seed", "loss", "selection", "indirect"])?)
        }
        other => Err(format!("unknown swim subcommand {other:?}; use detect")),
    }
}

/// A percentage: a whole number or a decimal, 0 to 90.
fn percent(text: &str) -> Result<f64, String> {
    let ok = !text.is_empty()
        && text.chars().all(|c| c.is_ascii_digit() || c == '.')
        && text.matches('.').count() <= 1;
    let pct = text.parse::<f64>().ok().filter(|p| ok && p.is_finite());
    pct.filter(|p| (0.0..=90.0).contains(p))
        .ok_or_else(|| format!("--loss must be a percentage from 0 to 90 (got {text:?})"))
}

fn detect_cmd(args: &Args) -> Result<ExitCode, String> {
    // The paper's analysis is of random selection: it is the default here.
    let selection = match args.get("selection") {
        None => Selection::Random,
        Some(s) => Selection::parse(s)
            .ok_or_else(|| format!("--selection must be random or round-robin (got {s:?})"))?,
    };
    let settings = Settings {
        nodes: args.bounded("nodes", None, 2, distlab_core::swim::MAX_MEMBERS as u64)? as usize,
        trials: args.bounded("trials", None, 1, detect::MAX_TRIALS)?,
        seed: args.bounded("seed", None, 0, u64::MAX)?,
        loss: args.get("loss").map(percent).transpose()?.unwrap_or(0.0) / 100.0,
        selection,
        indirect: args.bounded("indirect", Some(3), 0, distlab_core::swim::MAX_INDIRECT as u64)? as usize,
    };
    let report = detect::detect(&settings)?;
    println!("{}", serde_json::to_string(&report).expect("plain data serializes"));
    Ok(ExitCode::SUCCESS)
}
