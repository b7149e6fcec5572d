//! `distlab lincheck [FILE]` and the history writer of `distlab run --history FILE`.

use std::io::{Read, Write};
use std::process::ExitCode;

use distlab_core::lincheck::{jsonl, Limits};

pub use distlab_core::lincheck::jsonl::render_line;

/// Exit status when the search reached its limit before it could tell (the verdict printed is
/// `"linearizable": "unknown"`, with the reason).
const EXIT_UNKNOWN: u8 = 3;

/// `[--max-states N] [FILE]`: the limit and the file (stdin when absent).
fn arguments(argv: &[String]) -> Result<(Limits, Option<&String>), String> {
    let mut limits = Limits::default();
    let mut file = None;
    let mut rest = argv.iter();
    while let Some(a) = rest.next() {
        if a == "--max-states" {
            let n = rest.next().ok_or("--max-states needs a number of configurations")?;
            limits.states = match n.parse::<u64>() {
                Ok(n) if n > 0 => n,
                _ => {
                    return Err(format!(
                        "--max-states must be a whole number from 1 to {}, not {n:?}",
                        u64::MAX
                    ))
                }
            };
        } else if file.is_none() && !a.starts_with("--") {
            file = Some(a);
        } else {
            return Err("lincheck takes [--max-states N] and at most one file (or reads stdin)".into());
        }
    }
    Ok((limits, file))
}

pub fn run(argv: &[String]) -> Result<ExitCode, String> {
    let (limits, file) = arguments(argv)?;
    let mut text = String::new();
    match file {
        None => {
            std::io::stdin().read_to_string(&mut text).map_err(|e| format!("cannot read stdin: {e}"))?;
        }
        Some(path) => {
            text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))?;
        }
    }
    let lines = match jsonl::parse_history(&text) {
        Ok(lines) => lines,
        Err(e) => {
            eprintln!("distlab: {e}");
            return Ok(ExitCode::from(2));
        }
    };
    let (out, unknown) = match jsonl::verdict(&lines, limits) {
        Ok(v) => v,
        Err((at, e)) => {
            eprintln!("distlab: history entry {at}: {e}");
            return Ok(ExitCode::from(2));
        }
    };
    let out = distlab_core::json::write(&out, None);
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{out}").map_err(|e| format!("cannot write: {e}"))?;
    Ok(if unknown { ExitCode::from(EXIT_UNKNOWN) } else { ExitCode::SUCCESS })
}
