//! distlab-core: distributed protocols as deterministic, sans-IO state machines, and the
//! discrete-event simulator that runs them.
//!
//! Start at [`sim::Sim`] (the simulator), [`protocol::Protocol`] (what a protocol implements),
//! [`timeline::Timeline`] (time travel), and [`lab`] (the protocol-neutral view the page and
//! the CLI use). Each protocol module opens with an essay on its algorithm.
//!
//! Architecture invariant: this crate is `no_std` + `alloc`. It never reads a clock, never
//! touches the browser or the operating system, and has exactly one source of randomness, the
//! simulator's seeded [`rng::Rng`].

#![no_std]
#![forbid(unsafe_code)]

extern crate alloc;

pub mod chunked;
#[cfg(all(feature = "raft", feature = "multipaxos"))]
pub mod compare;
#[cfg(feature = "coordination")]
pub mod coord;
pub mod dfs;
pub mod diagram;
pub mod echo;
pub mod explorable;
pub mod explore;
pub mod faultscript;
pub mod fixed;
pub mod hash;
pub mod hashing;
pub mod history;
pub mod ids;
pub mod json;
pub mod kafka;
pub mod kv;
pub mod lab;
pub mod lesson;
pub mod lincheck;
pub mod metrics;
pub mod multipaxos;
pub mod net;
pub mod nodeset;
pub mod order;
pub mod paxos;
pub mod present;
pub mod protocol;
pub mod queue;
pub mod raft;
pub mod registry;
pub mod rng;
pub mod scenario;
pub mod setup;
#[cfg(feature = "shardkv")]
pub mod shardkv;
pub mod sim;
#[cfg(any(feature = "raft", feature = "coordination", feature = "shardkv", feature = "dfs"))]
pub mod swarm;
pub mod swim;
#[cfg(test)]
pub(crate) mod testing;
pub mod timeline;
pub mod trace;
