//! **requests-answered**, the clients' liveness: once the last move of a request's shard is
//! done everywhere, with every server up and the network whole, the request is answered within
//! `BOUND_US`. The other properties hold while a client chases its shard for ever: one that
//! never learns where its shard went (it keeps a stale map and is sent back "wrong group" each
//! time) breaks none of them. Moves of other shards do not excuse it: those stay served
//! meanwhile (unmoved-serves), and the client's map is right for its own.
//!
//! The count starts at the latest of the request's first sending, every group being done with
//! the newest configuration that moved its shard, and the last crash, restart or change of the
//! network (a move under way is shard-arrives' to judge). Within it a
//! client needs the newest map (a question to the configuration service at each retry) and its
//! request through the owner's log: about a second without a lost message; the bound leaves
//! room for twenty lost tries at the client's timeout (at the swarm's worst loss, a fifth of
//! messages, a chance below one in a billion per request). A request its client sent before
//! it last crashed or restarted is no longer owed an answer (a client keeps only its request
//! numbers across a crash). Not judged in an explored run, nor once a clock is skewed or a
//! link slowed.

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::String;

use crate::protocol::{NodeId, PropertyInfo, Time, World};

use super::arrives::Arrivals;
use super::configs::shard_of;
use super::node::{configurations, Node};
use super::types::*;

pub(super) const PROPERTY: PropertyInfo = PropertyInfo {
    name: "requests-answered",
    description: "with the last move of its shard done everywhere, every server up and the network whole, a client's request is answered within 10 s",
};

/// How long a request may wait once nothing stands in its way, in microseconds.
pub const BOUND_US: u64 = 10_000_000;

/// Each client's request awaiting its answer (by node number): its number, its key's shard and
/// when it was first sent.
#[derive(Clone, Debug, Default, Hash)]
pub(super) struct Answered {
    pending: BTreeMap<u32, (u64, u8, Time)>,
    /// The earliest a pending request may be late: nothing to judge before (this runs after
    /// every event).
    due: Time,
}

pub(super) fn check_world(
    k: &ShardKv,
    m: &mut Answered,
    arrivals: &Arrivals,
    nodes: &[Node],
    notes: &[Note],
    world: &World<'_, Msg>,
) -> Result<(), (&'static str, String)> {
    // Not kept in an explored run either (its states would differ by send times alone).
    if !world.timed() {
        return Ok(());
    }
    let mut moved = false;
    for note in notes {
        match note {
            Note::Invoke { client, req, op } => {
                let shard = shard_of(op.key().as_str(), k.shards) as u8;
                m.pending.insert(client.0, (*req, shard, world.now));
                moved = true;
            }
            Note::Ack { client, req, .. } if m.pending.get(&client.0).is_some_and(|p| p.0 == *req) => {
                m.pending.remove(&client.0);
                moved = true;
            }
            _ => {}
        }
    }
    if moved {
        let first = m.pending.values().map(|p| p.2).min();
        m.due = first.map_or(Time(u64::MAX), |at| at.plus(Time(BOUND_US)));
    }
    if world.now <= m.due || !world.whole {
        return Ok(());
    }
    // Abandoned by a crash of its client.
    let changed = |c: u32| world.changed_at.get(c as usize).copied().unwrap_or(Time::ZERO);
    m.pending.retain(|c, (_, _, at)| changed(*c) <= *at);
    let quiet = world.last_fault();
    let waited = |from: Time| world.now.0.saturating_sub(from.0);
    // When to look again: the earliest any pending request may be late, as far as is known now
    // (a move under way: a tick from now).
    let mut next = Time(u64::MAX);
    // The configurations as the service made them.
    let history = configurations(nodes).map_or(&[][..], |c| c.history.as_slice());
    for (client, (req, shard, at)) in &m.pending {
        if waited((*at).max(quiet)) <= BOUND_US {
            next = next.min((*at).max(quiet).plus(Time(BOUND_US)));
            continue;
        }
        // The newest configuration that moved the shard, and when every group was done with it.
        let owner = |c: &super::configs::Config| c.owners.get(*shard as usize).copied();
        let pairs = history.iter().zip(history.iter().skip(1));
        let moved = pairs.rev().find(|(a, b)| owner(a) != owner(b)).map(|(_, b)| b.num);
        let Some(settled) = arrivals.done_at(moved.unwrap_or(1)) else {
            next = next.min(world.now.plus(Time(TICK_US)));
            continue;
        };
        let from = (*at).max(quiet).max(settled);
        if waited(from) <= BOUND_US {
            next = next.min(from.plus(Time(BOUND_US)));
            continue;
        }
        if !(0..k.first_client()).all(|i| world.is_up(NodeId(i as u32))) {
            next = next.min(world.now.plus(Time(TICK_US)));
            continue;
        }
        return Err((
            PROPERTY.name,
            format!(
                "{}'s request #{req} has had no answer {} ms after it could have: its shard {shard} has not moved since configuration {}, which every group is done with, and every server is up and the network whole",
                k.name(NodeId(*client)),
                waited(from) / 1000,
                moved.unwrap_or(1)
            ),
        ));
    }
    m.due = next;
    Ok(())
}
