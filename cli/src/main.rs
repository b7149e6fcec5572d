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
mod cli;
mod commands;
mod dfs;
mod explore;
mod kafka;
mod lincheck;
mod options;
mod ring;
mod sweep;
mod swim;

use std::process::ExitCode;

use clap::error::ErrorKind;

fn main() -> ExitCode {
    let matches = match cli::command().try_get_matches() {
        Ok(m) => m,
        Err(e) => {
            return match e.kind() {
                ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
                    print!("{e}");
                    ExitCode::SUCCESS
                }
                ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
                    eprint!("{e}");
                    ExitCode::from(2)
                }
                _ => {
                    let text = e.to_string();
                    eprint!("distlab: {}", text.strip_prefix("error: ").unwrap_or(&text));
                    ExitCode::from(2)
                }
            };
        }
    };
    if let Some(("completions", m)) = matches.subcommand() {
        let shell = *m.get_one::<clap_complete::Shell>("shell").expect("required");
        clap_complete::generate(shell, &mut cli::command(), "distlab", &mut std::io::stdout());
        return ExitCode::SUCCESS;
    }
    match commands::dispatch(&cli::argv(&matches)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("distlab: {e}");
            // The message alone, not buried under the whole usage: help is one flag away.
            let mut command = Vec::new();
            let mut at = &matches;
            while let Some((name, sub)) = at.subcommand() {
                command.push(name);
                at = sub;
            }
            eprintln!("(distlab {} --help lists its options)", command.join(" "));
            ExitCode::from(2)
        }
    }
}
