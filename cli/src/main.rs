//! `distlab`: the simulator on the command line, on the same core as the page.
//!
//! ```text
//! distlab run --protocol paxos --seed S --events N [--faults none|light|heavy] [--mutant NAME] [--trace FILE]
//! distlab check --protocol paxos --seeds A..B --faults heavy [--mutant NAME] [--events N] [--jobs N] [--shard I/N]
//! distlab merge FILE…
//! distlab mutants --protocol paxos
//! distlab bench [--protocol P] [--events N]
//! ```

mod args;
mod commands;
mod dfs;
mod explore;
mod kafka;
mod lincheck;
mod ring;
mod sweep;
mod swim;

use std::process::ExitCode;

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    match commands::dispatch(&argv) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("distlab: {e}");
            eprintln!("{}", commands::usage());
            ExitCode::from(2)
        }
    }
}
