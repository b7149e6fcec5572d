//! A distributed file system in the style of HDFS and GFS: data nodes on racks store block
//! replicas, and a metadata server decides where each block's replicas go.
//!
//! So far this module holds the placement rule ([`placement`]), HDFS's default policy, which
//! `distlab dfs place` prints block by block. The file system itself (metadata server,
//! replication pipeline, heartbeats, re-replication) is to be built on it and on the Raft
//! module.

pub mod placement;

#[cfg(test)]
mod tests;
