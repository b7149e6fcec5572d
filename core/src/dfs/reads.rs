//! The `read-available` property: a data node asked for a block it holds answers with it.
//! Every other property holds in a file system whose data nodes answer every read "no block"
//! (a read that gives up changes nothing, and the linearizability checker counts it as never
//! having happened); this one does not. Judged from what the network delivered, with no clock:
//! when a client's read reaches a data node, the checker notes whether the node's disk holds a
//! finished replica of the block at the generation asked or later (the node answers from that
//! disk in the same step); when a "no block" answer reaches the client, one of the node's
//! arrivals for that read must have found none. (Counted per arrival: a duplicated read may
//! arrive once before a copy lands and once after.)

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::String;

use crate::protocol::Delivered;

use super::node::Node;
use super::types::*;

/// Per (client, read request, data node, block): how many of the read's arrivals at the node
/// found a finished replica there, and how many found none, not yet answered.
#[derive(Clone, Debug, Default, Hash)]
pub struct ReadWatch {
    asked: BTreeMap<(u32, u64, u32, BlockId), (u32, u32)>,
    /// A violation found as a message arrived, reported after the step.
    broken: Option<String>,
}

impl ReadWatch {
    pub fn delivered(&mut self, d: &Dfs, nodes: &[Node], m: &Delivered<'_, Msg>) {
        match *m.msg {
            Msg::ReadBlock { req, block, gen } if d.is_client(m.from) => {
                let has = match nodes.get(m.to.index()) {
                    Some(Node::Data(n)) => n.replicas.get(&block).is_some_and(|r| r.done && r.gen >= gen),
                    _ => return,
                };
                // The client's earlier rounds are over: their answers are no longer judged.
                let client = m.from.0;
                let mut later = self.asked.split_off(&(client, req, 0, 0));
                self.asked.retain(|k, _| k.0 != client);
                self.asked.append(&mut later);
                let count = self.asked.entry((client, req, m.to.0, block)).or_default();
                if has {
                    count.0 += 1;
                } else {
                    count.1 += 1;
                }
            }
            Msg::BlockData { req, block, value } if d.is_client(m.to) => {
                let key = (m.to.0, req, m.from.0, block);
                let Some(count) = self.asked.get_mut(&key) else { return };
                // A "no block" answer needs an arrival that found none; data, one that found it
                // (or, a node's own rule aside, any).
                let found = match value {
                    None if count.1 > 0 => &mut count.1,
                    None if count.0 > 0 => {
                        self.broken.get_or_insert(format!(
                            "{} told {} it had no block {block}, though it held a finished replica of it when the read arrived",
                            d.name(m.from),
                            d.name(m.to)
                        ));
                        &mut count.0
                    }
                    Some(_) if count.0 > 0 => &mut count.0,
                    _ => &mut count.1,
                };
                *found = found.saturating_sub(1);
                if *count == (0, 0) {
                    self.asked.remove(&key);
                }
            }
            _ => {}
        }
    }

    /// read-available: the violation found as a message arrived in this step, if any.
    pub fn judge(&mut self) -> Result<(), (&'static str, String)> {
        match self.broken.take() {
            Some(message) => Err(("read-available", message)),
            None => Ok(()),
        }
    }
}
