//! The replicated key-value store that Raft and Multi-Paxos both serve: its operations, the
//! state machine with per-client sessions (a retried write is applied once), how a server
//! answers, the simulated client, and the operations' form in a client history.
//!
//! The files: `store.rs` (operations, results, the state machine, the parser, the history-line
//! form), `key.rs` (a key, kept inline so that copying an operation allocates nothing),
//! `map.rs` (the store's small maps, sorted `Vec`s), `client.rs` (the simulated client, generic
//! over `KvHost`), `realtime.rs` (the per-event linearizability check). This file only
//! re-exports them.

pub mod client;
mod key;
mod map;
pub mod realtime;
mod store;

pub(crate) use client::kv_host;
pub use client::{Client, ClientHard, KvHost, Pending, Workload, MAX_QUEUE};
pub use key::{Key, MAX_KEY_LEN};
pub use map::SmallMap;
pub use store::*;

/// The requests an exploration of a key-value protocol may issue (`Explorable::requests`):
/// writes and reads of one key in turn (`put x 1`, `get x`, `put x 2`, …), dealt to the
/// clients (nodes `servers..servers + clients`) in turn.
pub fn explore_requests(
    servers: usize,
    clients: usize,
    n: u32,
) -> alloc::vec::Vec<(crate::protocol::NodeId, alloc::string::String)> {
    (0..n.min(if clients == 0 { 0 } else { u32::MAX }))
        .map(|i| {
            let client = crate::protocol::NodeId((servers + i as usize % clients) as u32);
            let text = if i % 2 == 0 { alloc::format!("put x {}", i / 2 + 1) } else { "get x".into() };
            (client, text)
        })
        .collect()
}
