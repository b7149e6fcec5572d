//! **unmoved-serves**: a shard that stays with its group across a configuration change keeps
//! serving throughout (MIT 6.824's second challenge): while its group waits for the shards it
//! gained, the ones it kept are still its own, with their data. A group that refuses them
//! until the move is done (the lab's design before the challenge) keeps every promise the other
//! properties make, and stops a whole group's keyspace for as long as a pull takes: a
//! partition that holds one up holds up every key the group serves.
//!
//! Judged at each "wrong group" answer a server gives (its leader before proposing a request,
//! or any server as its log applies one; `Note::WrongGroup`): the shard must not be one the
//! configuration service's configurations give its group both in the configuration it stands
//! at and in the one before, for such a shard it holds and serves (it moved to that
//! configuration only once every shard of the one before had arrived).

use alloc::format;
use alloc::string::String;

use crate::protocol::{NodeId, PropertyInfo};

use super::configs::group_name;
use super::node::{configurations, Node};
use super::types::*;

pub(super) const PROPERTY: PropertyInfo = PropertyInfo {
    name: "unmoved-serves",
    description: "a shard that stays with its group across a configuration change keeps serving: the group never answers 'wrong group' for it",
};

/// `server`, standing at configuration `num`, answered "wrong group" for `shard`.
pub(super) fn judge(
    k: &ShardKv,
    nodes: &[Node],
    server: NodeId,
    shard: u8,
    num: u64,
) -> Result<(), (&'static str, String)> {
    let Some(group) = k.group_of(server) else { return Ok(()) };
    if num == 0 {
        return Ok(());
    }
    // The two configurations as the service made them.
    let both = configurations(nodes).and_then(|c| c.get(num - 1).zip(c.get(num)));
    let Some((before, now)) = both else { return Ok(()) };
    let owns = |c: &super::configs::Config| c.owners.get(shard as usize) == Some(&group);
    if !(owns(&before) && owns(&now)) {
        return Ok(());
    }
    Err((
        PROPERTY.name,
        format!(
            "{} answered 'wrong group' for shard {shard}, which configurations {} and {num} both give {}: a shard that does not move keeps serving",
            k.name(server),
            num - 1,
            group_name(group)
        ),
    ))
}
