//! What a group's server may hold, judged from its own state after each of its events: the
//! shards its configuration gives its group, each served or awaited, and no other; and a move
//! finished before the next.

use alloc::format;
use alloc::string::String;

use crate::protocol::NodeId;

use super::configs::group_name;
use super::machine::{Shards, Status};
use super::types::*;

type Fail = (&'static str, String);

/// Every check of a server's standing.
pub(super) fn judge(k: &ShardKv, node: NodeId, machine: &Shards) -> Result<(), Fail> {
    // One pass over the shards for all three, as this runs after every event of a server: each
    // held exactly when its configuration gives it the group, none awaited from before it.
    let num = machine.config.num;
    let fine = machine.shards.iter().enumerate().all(|(i, shard)| {
        machine.owns(i) == (shard.status != Status::Absent)
            && !matches!(shard.status, Status::Pulling { num: n, .. } if n != num)
    });
    if fine {
        return Ok(());
    }
    settled_first(k, node, machine)?;
    owned(k, node, machine)?;
    held(k, node, machine)
}

/// A server serves (or awaits) only the shards its configuration gives its group: one it gave
/// away and still serves is a second copy beside the new owner's, whether or not an operation
/// has reached it yet.
pub(super) fn owned(k: &ShardKv, node: NodeId, machine: &Shards) -> Result<(), Fail> {
    let owner = |i: usize| machine.config.owners.get(i).copied();
    let stray = machine
        .shards
        .iter()
        .enumerate()
        .find(|(i, shard)| shard.status != Status::Absent && !machine.owns(*i));
    let Some((i, shard)) = stray else { return Ok(()) };
    let (who, num) = (k.name(node), machine.config.num);
    let owner = super::configs::group_name(owner(i).unwrap_or(super::configs::NOBODY));
    let why = if shard.status == Status::Serving {
        format!("{who} serves shard {i}, though its configuration {num} gives it to {owner}: a second copy of the shard beside its owner's")
    } else {
        format!("{who} awaits shard {i}, though its configuration {num} gives it to {owner}: a second copy of the shard beside its owner's")
    };
    Err(("single-history", why))
}

/// A server moves to the next configuration only once every shard it gained in the one it has
/// arrived (6.824's rule): a shard still awaited from an earlier configuration than its own
/// breaks configs-in-order (it would wait for good: no copy is kept for that configuration
/// any more, or hand over an empty copy).
fn settled_first(k: &ShardKv, node: NodeId, machine: &Shards) -> Result<(), Fail> {
    for (i, shard) in machine.shards.iter().enumerate() {
        if let Status::Pulling { num, .. } = shard.status {
            if num != machine.config.num {
                return Err((
                    "configs-in-order",
                    format!(
                        "{} reached configuration {} while shard {i}, gained in configuration {num}, had not arrived",
                        k.name(node),
                        machine.config.num
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// A server serves or awaits every shard its configuration gives its group: one it neither
/// serves nor awaits (nothing would pull it in) can never arrive, so the move is judged broken
/// at once, not after the property's bound, whatever the faults.
fn held(k: &ShardKv, node: NodeId, machine: &Shards) -> Result<(), Fail> {
    let Some(i) =
        (0..machine.shards.len()).find(|i| machine.owns(*i) && machine.shards[*i].status == Status::Absent)
    else {
        return Ok(());
    };
    Err((
        "shard-arrives",
        format!(
            "{} neither serves nor awaits shard {i}, which its configuration {} gives {}: it can never arrive",
            k.name(node),
            machine.config.num,
            group_name(machine.group)
        ),
    ))
}
