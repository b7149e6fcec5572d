//! Kafka-style partitioning: the pieces of Apache Kafka that decide *where* data goes, written
//! to produce exactly Kafka's answers.
//!
//! - **The default partitioner** of the Java producer: a keyed record goes to
//!   `toPositive(murmur2(key)) % numPartitions`, with Kafka's own murmur2 (seed `0x9747b28c`)
//!   and `toPositive(x) = x & 0x7fffffff`. An explicit partition wins. Records without a key
//!   use *sticky* partitioning (KIP-480): they stay on one partition until the batch is sent,
//!   then switch, so small batches fill up.
//! - **Rack-unaware replica placement** (`AdminUtils.assignReplicasToBrokersRackUnaware`): the
//!   first replica of partition p goes to broker `(p + start) % B`; the followers are shifted
//!   by an amount that grows every B partitions, so leaders and followers both spread.
//! - **Consumer-group assignors**: *range* (per topic, contiguous ranges to members sorted by
//!   id), *round-robin* (all partitions, sorted, dealt to members in turn), *sticky* (KIP-54:
//!   balanced, and moving as few partitions as possible from their previous owners), and
//!   *cooperative-sticky* (KIP-429: the sticky target, but a partition that changes owner is
//!   first only revoked; it is assigned in a follow-up rebalance, so nobody stops consuming the
//!   partitions they keep). A previous owner counts as `AbstractStickyAssignor` counts it: the
//!   claim of the newest generation wins, and two claims of one generation void each other.
//!
//! Adding partitions to a topic changes `% numPartitions` for almost every key, which breaks
//! per-key ordering; `moved_keys` counts it, next to what a hash ring would move.
//!
//! The cluster that runs on these pieces (brokers replicating partitions under a controller,
//! producers, a consumer group) is [`cluster`], whose essay explains it and which re-exports
//! its parts: one file each for the types, the configuration, the broker, the controller, the
//! producer, the consumer group (`group`), the checker and the view.

mod assign;
mod board;
mod broker;
mod check;
pub mod cluster;
mod config;
mod constrained;
mod controller;
pub mod coordinator;
mod fence;
pub mod group;
mod idempotence;
mod node;
mod partitioner;
mod producer;
pub mod scenarios;
mod settle;
pub mod setup;
pub mod swarm;
mod types;
mod view;

pub use assign::*;
pub use partitioner::*;

#[cfg(test)]
mod assign_tests;
#[cfg(test)]
mod check_tests;
#[cfg(test)]
mod group_tests;
#[cfg(test)]
mod lessons;
#[cfg(test)]
mod rebalance_tests;
#[cfg(test)]
mod tests;
