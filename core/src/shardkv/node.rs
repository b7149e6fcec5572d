//! A node of the sharded database (a configuration server, a replica server or a client), and
//! what each keeps across a crash.

use alloc::vec::Vec;

use crate::kv::ClientHard;
use crate::raft::HardState;

use super::client::Client;
use super::configs::{Change, Configs};
use super::machine::Shards;
use super::server::{ConfigServer, Replica};

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[allow(clippy::large_enum_variant)]
pub enum Node {
    Config(ConfigServer),
    Replica(Replica),
    Client(Client),
}

/// What survives a crash: a server's Raft state (its log and snapshot hold its shards), with a
/// configuration server's operators' commands not yet applied; a client's request numbers.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Durable {
    Config(HardState<Configs>, Vec<Change>),
    Replica(HardState<Shards>),
    Client(ClientHard),
}

/// The configurations as the service made them: the longest history any of its servers holds
/// (every server's is a prefix of it; configs-in-order compares them).
pub(super) fn configurations(nodes: &[Node]) -> Option<&Configs> {
    nodes
        .iter()
        .filter_map(|n| if let Node::Config(s) = n { Some(&s.raft.kv) } else { None })
        .max_by_key(|c| c.history.len())
}
