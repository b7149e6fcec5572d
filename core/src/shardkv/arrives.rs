//! The checker's liveness property, **shard-arrives**: a move finishes. Every other property
//! of the sharded database is safety, and a shard that never reaches its new owner breaks
//! none of them: the new owner waits for it without serving it, its clients wait without an
//! answer, and the database stands still without a single wrong step.
//!
//! Configurations are done in order: a group moves to the next only once every shard the one
//! it stands at gives it has arrived, and it pulls a shard only from an old owner that has
//! reached the configuration the shard moved in. So the promise is about the first
//! configuration not yet done everywhere (every group has reached it with all its shards, or
//! moved past it): once the one before it is done everywhere, nothing but the groups' own
//! steps stands between it and done. Within `bound_us` (five times the longest a move takes
//! without a lost message) of the latest of three times (the configuration service made it;
//! every group was done with the one before; the last crash, restart or change of the
//! network), with every server up and the network whole, it is done.
//! A fault starts the count again, as in the Kafka model's `replicas-informed`: a partition
//! may hold a move up for as long as it lasts. Messages are still lost and duplicated at the
//! fault level's rates meanwhile: every step of a move is retried until it takes (a pull and a
//! question for the next configuration every tick, Raft's appends every heartbeat).
//!
//! A group is judged by its most advanced server: the group is done with what any of its
//! servers has applied (it is committed), and a follower behind it catches up through Raft.
//! A group is done with a configuration once it serves every shard the configuration gives it
//! (one it owns and holds as absent, taken in and dropped, is not done, and `standing.rs`
//! reports it at once).

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use crate::protocol::{NodeId, PropertyInfo, Time, World};

use super::configs::group_name;
use super::machine::{Shards, Status};
use super::node::Node;
use super::types::*;

pub(super) const PROPERTY: PropertyInfo = PropertyInfo {
    name: "shard-arrives",
    description: "every move finishes: with every server up and the network whole, each configuration is done (every group has reached it and holds every shard it gives the group) within 5.05 s, five times the longest a move takes without a lost message, of the configuration service making it, of the one before it being done, or of the last crash, restart or network change",
};

/// The longest one-way delay of any fault level or swarm mix (`net.rs`, `crate::swarm`).
const DELAY_US: u64 = 41_000;

/// The longest a move takes without a lost message, from the moment the configuration before
/// it is done everywhere, in microseconds:
///
/// - an election in each group that has no leader: the longest election timeout and a round
///   trip for the votes (the model's 300 ms and 82 ms);
/// - in every group at once (the old owners too), the leader's question for the next
///   configuration at its next tick and a round trip to the configuration service, whose
///   every server answers from its own copy, then the configuration through the group's log:
///   appends sent at once or at the next heartbeat, and their round trip (100 + 82 + 50 + 82
///   ms);
/// - the new owner's pull at its next tick, a round trip to the old owner, and the shard
///   through the log (the same again);
///
/// 1.01 s with the model's timers.
pub fn move_us(k: &ShardKv) -> u64 {
    let round_trip = 2 * DELAY_US;
    let through_log = TICK_US + round_trip + k.raft.heartbeat_us + round_trip;
    k.raft.election_us.1 + round_trip + 2 * through_log
}

/// How long the first configuration not done may stay so, with every server up and the
/// network whole: five moves (5.05 s). Every message of a move may be lost (a fifth of them
/// in the swarm's worst mix), each loss costing a tick, a heartbeat or an election timeout
/// more, and an election may split its votes: five moves leave room for a dozen of those in
/// one move (at a fifth lost, a chance below one in ten million). The sweeps' slowest move
/// took 1.3 moves (2,000 swarm seeds, `tests.rs`).
pub fn bound_us(k: &ShardKv) -> u64 {
    5 * move_us(k)
}

/// What the property keeps between events.
#[derive(Clone, Debug, Default, Hash)]
pub(super) struct Arrivals {
    /// Per node (the replica servers): the configuration its state machine is done with, the
    /// one it stands at or, while a shard of it is awaited, the one before.
    done: Vec<u64>,
    /// When each configuration (from 1) was made: first applied by a configuration server.
    made_at: Vec<Time>,
    /// The configuration every group is done with (by its most advanced server), and since
    /// when.
    all_done: u64,
    since: Time,
    /// When every group became done with each configuration (by number; the last time, if it
    /// became so more than once).
    done_at: Vec<Time>,
    /// Moves that finished with every server up and the network whole since they could
    /// start (the property judged them), and the longest of them, in microseconds: a sweep
    /// that judged few proved little, and the longest says how near the bound came.
    pub(super) judged: u64,
    pub(super) slowest_us: u64,
}

/// The configuration a group's state machine is done with: the one it stands at once it serves
/// every shard that configuration gives the group.
fn done_with(machine: &Shards) -> u64 {
    let awaiting =
        machine.shards.iter().enumerate().any(|(i, s)| machine.owns(i) && s.status != Status::Serving);
    machine.config.num.saturating_sub(u64::from(awaiting))
}

/// shard-arrives, after every event: see the module's comment. Not judged in an explored run
/// (time there is only the order of events), nor once a clock is skewed or a link slowed
/// (the derivation assumes the model's own timer rates and delays).
pub(super) fn check_world(
    k: &ShardKv,
    m: &mut Arrivals,
    nodes: &[Node],
    touched: Option<NodeId>,
    world: &World<'_, Msg>,
) -> Result<(), (&'static str, String)> {
    if !world.timed() {
        return Ok(());
    }
    match touched.and_then(|t| Some((t, nodes.get(t.index())?))) {
        Some((_, Node::Config(s))) => {
            let made = s.raft.kv.history.len();
            if m.made_at.len() < made {
                m.made_at.resize(made, world.now);
            }
        }
        Some((t, Node::Replica(s))) => {
            if m.done.len() < k.first_client() {
                m.done.resize(k.first_client(), 0);
            }
            m.done[t.index()] = done_with(&s.raft.kv);
            let group = |g: u8| k.members(g).nodes().map(|n| m.done[n.index()]).max().unwrap_or(0);
            let all = (0..k.groups as u8).map(group).min().unwrap_or(0);
            if all != m.all_done {
                if all > m.all_done {
                    finished(k, m, world);
                    if m.done_at.len() <= all as usize {
                        m.done_at.resize(all as usize + 1, Time::ZERO);
                    }
                    m.done_at[m.all_done as usize + 1..=all as usize].fill(world.now);
                }
                m.all_done = all;
                m.since = world.now;
            }
        }
        _ => {}
    }
    // The first configuration not done everywhere, if the service has made it.
    let Some(made) = m.made_at.get(m.all_done as usize) else { return Ok(()) };
    let bound = bound_us(k);
    let from = (*made).max(m.since);
    if world.now.0.saturating_sub(from.0) <= bound {
        return Ok(());
    }
    let from = from.max(world.last_fault());
    let waited = world.now.0.saturating_sub(from.0);
    let servers = (0..k.first_client()).map(|i| NodeId(i as u32));
    if waited <= bound || !world.whole || !servers.clone().all(|n| world.is_up(n)) {
        return Ok(());
    }
    Err(("shard-arrives", behind(k, m, nodes, waited)))
}

impl Arrivals {
    /// When every group became done with configuration `num`, if every group is done with it.
    pub(super) fn done_at(&self, num: u64) -> Option<Time> {
        if num > self.all_done {
            return None;
        }
        Some(self.done_at.get(num as usize).copied().unwrap_or(Time::ZERO))
    }
}

/// The first configuration not done everywhere is done now: count it, if it was judged.
fn finished(k: &ShardKv, m: &mut Arrivals, world: &World<'_, Msg>) {
    let Some(made) = m.made_at.get(m.all_done as usize) else { return };
    let from = (*made).max(m.since).max(world.last_fault());
    let up = (0..k.first_client()).all(|i| world.is_up(NodeId(i as u32)));
    if world.whole && up {
        m.judged += 1;
        m.slowest_us = m.slowest_us.max(world.now.0.saturating_sub(from.0));
    }
}

/// The violation in words: the first group not done with the configuration, and what it
/// lacks, as its most advanced server stands.
fn behind(k: &ShardKv, m: &Arrivals, nodes: &[Node], waited: u64) -> String {
    let num = m.all_done + 1;
    let best = |g: u8| {
        k.members(g)
            .nodes()
            .filter_map(|n| match nodes.get(n.index()) {
                Some(Node::Replica(s)) => Some(&s.raft.kv),
                _ => None,
            })
            .max_by_key(|x| done_with(x))
    };
    let late = (0..k.groups as u8).find_map(|g| best(g).filter(|x| done_with(x) < num).map(|x| (g, x)));
    let why = match late {
        Some((g, x)) if x.config.num < num => {
            format!("{} has not reached it (it stands at configuration {})", group_name(g), x.config.num)
        }
        Some((g, x)) => {
            let mut awaited = x.shards.iter().enumerate().filter_map(|(i, s)| match s.status {
                Status::Pulling { from, .. } => Some((i, from)),
                _ => None,
            });
            let (i, from) = awaited.next().unwrap_or((0, super::configs::NOBODY));
            let (g, from) = (group_name(g), group_name(from));
            match awaited.count() {
                0 => format!("{g} still awaits shard {i} from {from}"),
                more => format!("{g} still awaits shard {i} from {from} and {more} more"),
            }
        }
        None => String::from("a group is behind"),
    };
    format!(
        "configuration {num} is not done {} ms after it could be, with every server up and the network whole: {why}",
        waited / 1000
    )
}
