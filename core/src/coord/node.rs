//! A node of the coordination run (a server, a client or the storage node), and what each
//! keeps across a crash.

use crate::raft::HardState;

use super::client;
use super::server;
use super::storage;
use super::tree::Tree;

/// A server, a client, or the storage node.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[allow(clippy::large_enum_variant)]
pub enum Node {
    Server(server::Server),
    Client(client::Client),
    Storage(storage::Storage),
}

/// What survives a crash: a server's Raft state, a client's request numbers, the storage
/// node's data and highest token.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Durable {
    Server(HardState<Tree>),
    Client(client::ClientHard),
    Storage(storage::Storage),
}
