//! The protocol-neutral face of a run, for the web page and the CLI.
//!
//! The page must not know any protocol's logic, and it should not be generic over every
//! protocol either. [`Lab`] is an object-safe trait over a [`Timeline`]: play, step, seek, act,
//! and a [`Snapshot`] of plain data (labels, fields, messages in flight) that the page draws.
//! [`LabConfig`] names a run (protocol, sizes, seed, faults, mutant) and [`build`] makes it,
//! checking every field against its limit with a message that names the field.
//!
//! The files: `types.rs` (what the page draws and sends: `Snapshot`, `Action`, the `Lab`
//! trait), `run.rs` (`ProtocolLab`, the `Lab` of one protocol's timeline), `config.rs`
//! (`LabConfig`, `build`, `replay`, `with_sim` and the benchmark workload), `locate.rs`
//! (where a lesson's steps happen in a run).

mod config;
mod locate;
mod run;
mod types;

#[cfg(test)]
mod tests;

pub use config::*;
pub use locate::locate;
pub use run::ProtocolLab;
pub use types::*;
