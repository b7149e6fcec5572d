//! What the explorer (`explore`) asks of a protocol beyond [`Protocol`]: how to tell two of its
//! nodes apart once time no longer matters, how far its rounds have climbed, which requests a
//! small cluster may be sent, and how big the cluster is. Every registered protocol provides
//! it (`Registered` requires it), so every page can be explored.

use alloc::string::String;
use alloc::vec::Vec;

use crate::protocol::{NodeId, Protocol};

pub trait Explorable: Protocol {
    /// A digest of the node with every time it stores set to zero (an `Option<Time>` keeps
    /// its shape). In an explored run every stored time is far in the past by the next event
    /// (`sim::EXPLORE_LEAP`), so two nodes that differ only in their times behave alike from
    /// here on and are one state. The default hashes everything: always sound, it only merges
    /// fewer states, and is right for a node that stores no time.
    fn timeless_digest(&self, node: &Self::Node) -> u64 {
        crate::hash::digest(node)
    }
    /// The highest round the node has reached (a term, a ballot's round, a leader epoch): what
    /// the explorer's `max_term` bound limits.
    fn round(&self, node: &Self::Node) -> u64;
    /// Up to `n` requests the explorer may issue, each once and in any order: the node that
    /// takes it and the request as `Protocol::parse_client` reads it.
    fn requests(&self, n: u32) -> Vec<(NodeId, String)>;
    /// The cluster's servers and clients, as the explorer's bounds print them.
    fn cluster(&self) -> (usize, usize);
    /// How many requests an exploration issues unless told otherwise.
    fn default_requests(&self) -> u32 {
        1
    }
    /// The timer firings an exploration allows unless told otherwise: two elections or
    /// retries, enough for a leader to be replaced.
    fn default_timeouts(&self) -> Option<u32> {
        Some(2)
    }
    /// The highest round an exploration reaches unless told otherwise.
    fn default_max_term(&self) -> Option<u64> {
        Some(2)
    }
    /// The properties an explored run does not judge, because they assume messages arrive
    /// within the timeouts (`World::explored`); the explorer's report names them.
    fn unjudged(&self) -> &'static [&'static str] {
        &[]
    }
}
