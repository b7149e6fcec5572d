//! A node of the file system (a metadata server, a data node or a client), and what each
//! keeps across a crash.

use crate::kv::ClientHard;
use crate::raft::HardState;

use super::client::Client;
use super::datanode::{DataNode, Disk};
use super::meta::MetaServer;
use super::names::Names;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[allow(clippy::large_enum_variant)]
pub enum Node {
    Meta(MetaServer),
    Data(DataNode),
    Client(Client),
}

/// What survives a crash: a metadata server's Raft state (its log and snapshot hold the
/// namespace); a data node's disk (`Disk`); a client's request numbers.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Durable {
    Meta(HardState<Names>),
    Data(Disk),
    Client(ClientHard),
}
