//! The `read-available` property. Every other property holds in a file system whose data nodes
//! tell every reader they lack the block (a read given up changes no file, and the
//! linearizability checker counts it as never having happened); this one does not. Two checks:
//!
//! - **Each answer**, judged from what the network delivered, with no clock: when a client's
//!   read reaches a data node, the checker notes whether the node's disk holds a finished
//!   replica of the block at the generation asked or later (the node answers from that disk in
//!   the same step); a "no block" answer to the client's current read breaks it if every
//!   arrival of that read at the node found the replica. (Arrivals of a read the client has
//!   moved on from, and answers to one, are not judged: a late honest answer may meet a later
//!   duplicate's arrival.)
//! - **Each read given up**, in a calm stretch: no crash, restart, change of the network's shape
//!   or lost message from `CALM_US` before the read began to its end, and no clock skewed or
//!   link slowed. A read given up then, while a running data node holds a finished replica of
//!   the block it gave up on (the file's complete block still), breaks it: a node that drops
//!   reads unanswered, or a leader that names the wrong nodes, shows here. The second before
//!   the read lets the leader count a restarted node alive again (its next heartbeat, 0.2 s).

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::String;

use crate::kv::KvOp;
use crate::protocol::{Delivered, Time, World};

use super::held::finished;
use super::names::Names;
use super::node::Node;
use super::types::*;

/// The calm before a read that a read given up is judged after.
pub const CALM_US: u64 = 1_000_000;

#[derive(Clone, Debug, Default, Hash)]
pub struct ReadWatch {
    /// Per (client, read request, data node, block): whether an arrival of the read found a
    /// finished replica, and whether one found none. Only each client's newest read request.
    asked: BTreeMap<(u32, u64, u32, BlockId), (bool, bool)>,
    /// Per client, its newest read request to reach a data node.
    newest: BTreeMap<u32, u64>,
    /// When each client's read operation began.
    began: BTreeMap<(u32, u64), Time>,
    /// When the network last lost a message.
    lost_at: Time,
    /// A violation found as a message arrived, reported after the step.
    broken: Option<String>,
}

impl ReadWatch {
    pub fn delivered(&mut self, d: &Dfs, nodes: &[Node], m: &Delivered<'_, Msg>) {
        match *m.msg {
            Msg::ReadBlock { req, block, gen } if d.is_client(m.from) => {
                let has = match nodes.get(m.to.index()) {
                    Some(Node::Data(n)) => n.finished(block, gen).is_some(),
                    _ => return,
                };
                let client = m.from.0;
                let newest = self.newest.entry(client).or_insert(req);
                if req < *newest {
                    return;
                }
                if req > *newest {
                    // The client's earlier rounds are over: their answers are no longer judged.
                    *newest = req;
                    let mut later = self.asked.split_off(&(client, req, 0, 0));
                    self.asked.retain(|k, _| k.0 != client);
                    self.asked.append(&mut later);
                }
                let seen = self.asked.entry((client, req, m.to.0, block)).or_default();
                *seen = (seen.0 || has, seen.1 || !has);
            }
            Msg::BlockData { req, block, value: None } if d.is_client(m.to) => {
                let key = (m.to.0, req, m.from.0, block);
                if self.asked.get(&key).is_some_and(|(found, missed)| *found && !missed) {
                    self.broken.get_or_insert(format!(
                        "{} told {} it had no block {block}, though it held a finished replica of it when the read arrived",
                        d.name(m.from),
                        d.name(m.to)
                    ));
                }
            }
            _ => {}
        }
    }

    /// read-available: the violation found as a message arrived in this step, if any, and the
    /// reads given up in it, judged in a calm stretch against the disks and the committed
    /// namespace (`ghost`).
    pub fn judge(
        &mut self,
        d: &Dfs,
        ghost: &Names,
        nodes: &[Node],
        notes: &[Note],
        world: &World<'_, Msg>,
    ) -> Result<(), (&'static str, String)> {
        if let Some(message) = self.broken.take() {
            return Err(("read-available", message));
        }
        if world.dropped.is_some() {
            self.lost_at = world.now;
        }
        for note in notes {
            match note {
                Note::Invoke { client, req, op } => {
                    // A client runs one operation at a time: its earlier reads are over.
                    self.began.retain(|k, _| k.0 != client.0);
                    if op.is_read() {
                        self.began.insert((client.0, *req), world.now);
                    }
                }
                Note::Ack { client, req, .. } => {
                    self.began.remove(&(client.0, *req));
                }
                Note::Missing { client, req, op: KvOp::Get(file), block } => {
                    let Some(began) = self.began.remove(&(client.0, *req)) else { continue };
                    let calm_from = began.0.saturating_sub(CALM_US);
                    let calm = world.timed()
                        && world.whole
                        && world.last_fault().0 < calm_from
                        && self.lost_at.0 < calm_from;
                    let complete = ghost.files.get(file).and_then(|f| f.complete.as_ref());
                    let Some(p) = complete.filter(|p| p.block == *block && calm) else { continue };
                    let holder = d.data_node_ids().find(|n| world.is_up(*n) && finished(nodes, *n, p));
                    if let Some(x) = holder {
                        return Err((
                            "read-available",
                            format!(
                                "{} gave up reading {file} (block {block}) while {}, running, held a finished replica of it, with no fault or lost message from a second before the read began",
                                d.name(*client),
                                d.name(x)
                            ),
                        ));
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }
}
