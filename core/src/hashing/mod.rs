//! Consistent hashing and the algorithms that followed it, compared on the same keys.
//!
//! A cluster must decide which node owns each key. `hash(key) mod N` spreads keys evenly, but
//! when N changes almost every key moves: a cache loses nearly all of its contents. Karger et
//! al.'s **consistent hashing** (1997) places nodes and keys on a circle of 2⁶⁴ positions; a key
//! belongs to the first node clockwise. Adding a node takes keys only from the node clockwise of
//! each of its points, about 1/(N+1) of them in all. Each node appears as many **virtual nodes** to even out
//! the arcs (spread shrinks roughly as 1/√vnodes), and weights give a node more of them. The R
//! distinct nodes clockwise form the key's **replica set** of R replicas.
//!
//! The algorithms after it trade memory, speed and flexibility:
//! - **Jump consistent hash** (Lamping and Veach, 2014): no memory at all, balance in expectation
//!   (each bucket's count is still binomial) and minimal movement, but buckets are numbered 0..n and can only be added or removed at the end.
//! - **Rendezvous** (highest random weight; Thaler and Ravishankar, 1996): each key scores every
//!   node and takes the highest. Perfect minimal movement, O(N) per lookup; weights by scaling
//!   `-w / ln(u)`.
//! - **Maglev** (Eisenbud et al., NSDI 2016): each node fills a prime-sized lookup table by its
//!   own permutation, round-robin, so every node owns almost exactly M/N entries; lookups are one
//!   array access, at the price of a little extra movement on changes.
//! - **Consistent hashing with bounded loads** (Mirrokni, Thorup, Zadimoghaddam, 2018): the ring,
//!   but no node may hold more than ⌈c·m/n⌉ of m keys; an overflowing key continues clockwise.
//!
//! Every algorithm here hashes keys with **XXH3-64** (the `xxhash-rust` crate, no_std), so the
//! comparison is about placement, never about the hash.

mod algos;
pub mod balance;
pub mod cache;
mod key;
mod stats;

pub use algos::*;
pub use key::*;
pub use stats::*;
