//! The properties, checked after every event from what acceptors and learners report.
//!
//! A value is *chosen* in a slot once a majority of acceptors accepted it in one ballot. The
//! monitor counts acceptances per slot and ballot (from the acceptors' notes), so it knows
//! what is chosen even before any learner does.
//!
//! Each property is the first to fail under some mutant (tests/tests/multipaxos.rs checks it
//! in the swarm sweep): `agreement` under no-adopt, accept-below-promise, skip-phase1 and
//! forget-on-restart; `validity` under slot-for-request; `same-order` under learn-any-ballot;
//! `acked-not-lost` under reply-before-chosen.

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use super::types::*;
use crate::chunked::ChunkVec;
use crate::hash::digest;
use crate::protocol::{NodeId, Present, Protocol, World};

/// Per slot: the acceptances seen (ballot, value, who) and the chosen value (with its
/// proposal), if any.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct SlotSeen {
    pub accepts: Vec<(Ballot, u64, u64)>,
    pub chosen: Option<(u64, Option<(NodeId, u64)>)>,
}

#[derive(Clone, Debug, Default, Hash)]
pub struct Monitor {
    pub slots: ChunkVec<SlotSeen>,
    /// Requests clients issued: (client, request), the digest of the command it makes, and
    /// the operation.
    invoked: BTreeMap<(NodeId, u64), (u64, crate::kv::KvOp)>,
    /// Client answers against real time and the chosen log (see `kv::realtime`).
    lin: crate::kv::realtime::Linearizability,
    /// Per server: the last slot it applied (0 after a restart: it applies again from slot 1).
    applied: Vec<Slot>,
    lives: Lives,
}

/// Per server, whether it was down when the checker last looked, and the simulator's count of
/// crashes and restarts then. A copy of what the world says after every event, so it is no
/// part of the state: it hashes to nothing (the world's own up flags are).
#[derive(Clone, Debug, Default)]
struct Lives {
    down: Vec<bool>,
    epoch: u64,
}

impl core::hash::Hash for Lives {
    fn hash<H: core::hash::Hasher>(&self, _: &mut H) {}
}

type Fail = (&'static str, String);

/// The shared check calls a lost acknowledged write `acked-write-durable`; here that promise
/// is `acked-not-lost`.
fn renamed((property, message): Fail) -> Fail {
    (if property == "acked-write-durable" { "acked-not-lost" } else { property }, message)
}

impl Monitor {
    pub fn chosen(&self, slot: Slot) -> Option<u64> {
        self.slots.get((slot - 1) as usize).and_then(|s| s.chosen.map(|c| c.0))
    }
}

/// A preset's starting state, told to the monitor as the acceptances that made it: each
/// no-op a server starts holding, as the `Accepted` note it would have written (`check` calls
/// this once the monitor is sized, so the nested check does not seed again).
fn seed(mp: &MultiPaxos, m: &mut Monitor) -> Result<(), Fail> {
    let value = digest(&Command::Noop);
    let notes: Vec<Note> = mp
        .initial
        .iter()
        .enumerate()
        .flat_map(|(node, (_, accepted))| {
            accepted.iter().map(move |(slot, ballot)| Note::Accepted {
                node: NodeId(node as u32),
                slot: *slot,
                ballot: *ballot,
                value,
                proposal: None,
            })
        })
        .collect();
    check(mp, m, &notes)
}

/// Who restarted since the last look (`Protocol::check_world`, after each event's `check`,
/// a crash and a restart each an event of their own): one that was down then and is up now. A
/// restart applies nothing in its own event, so its learner's next slot is 1. (Before, a
/// restart was told by the time of its node's last change: a crash and a restart at one
/// instant, as a paused user or a fault script makes them, looked like no restart, and the
/// restarted server's slot 1 a step back.)
pub fn restarts(m: &mut Monitor, world: &World<'_, Msg>) {
    if world.up_epoch == m.lives.epoch {
        return;
    }
    m.lives.epoch = world.up_epoch;
    m.lives.down.resize(m.applied.len(), false);
    for (i, down) in m.lives.down.iter_mut().enumerate() {
        let up = world.is_up(NodeId(i as u32));
        if *down && up {
            m.applied[i] = 0;
        }
        *down = !up;
    }
}

pub fn check(mp: &MultiPaxos, m: &mut Monitor, notes: &[Note]) -> Result<(), Fail> {
    if m.applied.len() < mp.servers {
        m.applied.resize(mp.servers, 0);
        m.lin.names = (0..mp.nodes() as u32).map(|i| mp.node_name(NodeId(i))).collect();
        seed(mp, m)?;
    }
    for note in notes {
        match note {
            Note::Invoke { client, req, op } => {
                let cmd = Command::Kv { client: *client, req: *req, op: op.clone() };
                m.invoked.insert((*client, *req), (digest(&cmd), op.clone()));
                m.lin.invoked(*client, *req);
            }
            Note::Accepted { node, slot, ballot, value, proposal } => {
                let i = (*slot - 1) as usize;
                while m.slots.len() <= i {
                    m.slots.push(SlotSeen::default());
                }
                // Judge first, then record in place: a failed check leaves the slot as it was.
                let bit = 1u64 << node.0;
                let Some(seen) = m.slots.get(i) else { continue };
                let at = seen.accepts.iter().position(|a| a.0 == *ballot);
                let votes = match at.map(|p| seen.accepts[p]) {
                    Some(a) if a.1 != *value => {
                        return Err((
                            "agreement",
                            format!("two values were proposed for slot {slot} in ballot {ballot}"),
                        ));
                    }
                    Some(a) => a.2 | bit,
                    None => bit,
                };
                let mut chosen_now = None;
                if votes.count_ones() >= mp.majority() {
                    match seen.chosen {
                        Some((v, _)) if v != *value => {
                            return Err((
                                "agreement",
                                format!("slot {slot} chose a second, different value in ballot {ballot}"),
                            ));
                        }
                        Some(_) => {}
                        None => {
                            if let Some((client, req)) =
                                proposal.filter(|p| m.invoked.get(p).map(|i| i.0) != Some(*value))
                            {
                                let why = if m.invoked.contains_key(&(client, req)) {
                                    "with an operation the client did not send"
                                } else {
                                    "which no client sent"
                                };
                                return Err((
                                    "validity",
                                    format!("slot {slot} chose request #{req} of {client}, {why}"),
                                ));
                            }
                            chosen_now = Some((*value, *proposal));
                            let cmd = proposal.and_then(|p| m.invoked.get(&p).map(|i| (p.0, p.1, &i.1)));
                            m.lin.committed(*slot, cmd).map_err(renamed)?;
                        }
                    }
                }
                let Some(seen) = m.slots.get_mut(i) else { continue };
                match at {
                    Some(p) => seen.accepts[p].2 = votes,
                    None => seen.accepts.push((*ballot, *value, votes)),
                }
                if chosen_now.is_some() {
                    seen.chosen = chosen_now;
                }
            }
            Note::Applied { node, slot, value } => {
                let last = m.applied[node.index()];
                // In order, one slot after the other; a restarted learner starts again from
                // slot 1 (`restarts` set its last to 0), and nobody else does.
                if *slot != last + 1 {
                    return Err((
                        "same-order",
                        format!("{node} applied slot {slot} right after slot {last}"),
                    ));
                }
                m.applied[node.index()] = *slot;
                match m.chosen(*slot) {
                    Some(v) if v == *value => {}
                    Some(_) => {
                        return Err((
                            "same-order",
                            format!("{node} applied a value in slot {slot} other than the chosen one"),
                        ))
                    }
                    None => {
                        return Err((
                            "same-order",
                            format!("{node} applied slot {slot} before a value was chosen"),
                        ))
                    }
                }
            }
            Note::Ack { client, req, op, result, index, .. } => {
                let ok = index
                    .checked_sub(1)
                    .and_then(|i| m.slots.get(i as usize))
                    .and_then(|s| s.chosen)
                    .is_some_and(|c| c.1 == Some((*client, *req)));
                // A read answered from a replica's state rather than from its own slot is the
                // linearizability check's to judge (its value and its place in real time).
                if !ok && !op.is_read() {
                    return Err((
                        "acked-not-lost",
                        format!("request #{req} of {client} was acknowledged at slot {index}, which did not choose it"),
                    ));
                }
                m.lin.acked(*client, *req, op, result, *index).map_err(renamed)?;
            }
            _ => {}
        }
    }
    Ok(())
}
