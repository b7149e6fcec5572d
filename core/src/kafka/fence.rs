//! `commit-fenced`: the group coordinator takes an offset commit only from a member of the
//! current generation, in the life the group counts, while the group is not awaiting its
//! assignment (Kafka's `GroupCoordinator.doCommitOffsets` answers ILLEGAL_GENERATION,
//! UNKNOWN_MEMBER_ID or REBALANCE_IN_PROGRESS). Without it a member the group has removed,
//! still reading the partitions it owned (a zombie: nothing stops its reads), moves the offsets
//! their new owners start from; no other property sees that, as every offset it commits was
//! delivered to some member. Judged from what the network delivered: the group as it was when
//! the commit arrived, and its offsets before and after the coordinator took it. A commit
//! overwrites (`coordinator.rs`), so one taken that names any offset other than the group's
//! moves it, lower as well as higher; one that names the offsets the group has changes
//! nothing, taken or not.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use super::config::Kafka;
use super::coordinator::GroupState;
use super::group::member_name;
use super::node::Node;
use super::types::Msg;
use crate::protocol::{Delivered, NodeId};

/// A commit the coordinator must refuse, delivered in this event: the group's offsets then, and
/// why it must refuse.
#[derive(Clone, Debug, Default, Hash)]
pub struct Fence {
    refused: Option<(Vec<u64>, String)>,
}

impl Fence {
    /// A message reaches the controller, before it takes it.
    pub fn delivered(&mut self, k: &Kafka, nodes: &[Node], d: &Delivered<'_, Msg>) {
        self.refused = None;
        let Msg::OffsetCommit { member, generation, .. } = *d.msg else { return };
        let Some(Node::Controller(c)) = nodes.get(d.to.index()).filter(|_| d.to == k.controller()) else {
            return;
        };
        let g = &c.group;
        let who = member_name(k, d.from);
        let why = if !g.counts(d.from, member) {
            format!("from {who}'s life {member}, which the group does not count")
        } else if generation != g.generation {
            format!(
                "from {who} in generation {generation}, while the group is in generation {}",
                g.generation
            )
        } else if g.state == GroupState::Syncing {
            format!("from {who} while generation {generation} awaits its assignment")
        } else {
            return;
        };
        self.refused = Some((g.committed.clone(), why));
    }

    /// After the controller's event: a commit it had to refuse moved no offset.
    pub fn judge(
        &mut self,
        k: &Kafka,
        nodes: &[Node],
        touched: NodeId,
    ) -> Result<(), (&'static str, String)> {
        let Some((before, why)) = self.refused.take() else { return Ok(()) };
        let Some(Node::Controller(c)) = nodes.get(touched.index()).filter(|_| touched == k.controller())
        else {
            return Ok(());
        };
        let moved = c.group.committed.iter().zip(&before).enumerate().find(|(_, (now, then))| now != then);
        match moved {
            Some((p, (now, then))) => Err((
                "commit-fenced",
                format!(
                    "the group coordinator took a commit {why}: p{p}'s offset moved from {then} to {now}"
                ),
            )),
            None => Ok(()),
        }
    }
}
