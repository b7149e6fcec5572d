//! The checker: the safety requirements of "Paxos Made Simple" §2.1, judged after every event
//! from the acceptors' and learners' state. A value is chosen when a majority of acceptors has
//! accepted it in one ballot.

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use crate::nodeset::NodeSet;
use crate::protocol::{NodeId, PropertyInfo};

use super::types::*;

pub(super) const PROPERTIES: &[PropertyInfo] = &[
    PropertyInfo { name: "validity", description: "only a value that a client proposed is chosen" },
    PropertyInfo { name: "agreement", description: "at most one value is chosen" },
    PropertyInfo {
        name: "learned-chosen",
        description: "a learner learns, and a proposer takes as decided, only a value that was chosen",
    },
];

/// The checker's ghost state: everything ever proposed and accepted.
#[derive(Clone, Debug, Default, Hash)]
pub struct Monitor {
    pub proposed: Vec<Value>,
    /// For each ballot: its value and the set of acceptors that ever accepted it. (A map: a
    /// long run under faults goes through thousands of ballots, and an acceptor may hold an
    /// old one while the others move on.)
    pub accepted: BTreeMap<Ballot, (Value, NodeSet)>,
    /// The first chosen (ballot, value).
    pub chosen: Option<(Ballot, Value)>,
    /// Every distinct value chosen so far (more than one is a violation).
    pub chosen_values: Vec<Value>,
    /// Per acceptor, the (ballot, value) it held at its last check that passed. While it holds
    /// the same one, checking it again changes nothing and cannot fail: the ballot's entry
    /// already has that value and that acceptor, and what a majority for it implied (chosen,
    /// proposed, agreeing with the first chosen) was checked by the acceptor that made the
    /// majority. So an unchanged acceptor is not looked up again; a failed check leaves this
    /// unset, so a failing acceptor is checked again in full.
    passed: Vec<Option<(Ballot, Value)>>,
}

/// Check every property after an event: `touched` is the node whose handler ran, `client` the
/// value a client proposed in this event.
pub(super) fn check(
    px: &Paxos,
    m: &mut Monitor,
    nodes: &[Node],
    touched: Option<NodeId>,
    client: Option<&Propose>,
) -> Result<(), (&'static str, String)> {
    if let Some(Propose(v)) = client {
        if !m.proposed.contains(v) {
            m.proposed.push(*v);
        }
    }
    let Some(t) = touched else { return Ok(()) };
    let node = &nodes[t.index()];
    let held = node.acceptor.as_ref().and_then(|a| a.accepted);
    let unchanged = held.is_some() && m.passed.get(t.index()).copied().flatten() == held;
    if let (Some((b, v)), false) = (held, unchanged) {
        let entry = m.accepted.entry(b).or_insert((v, NodeSet::default()));
        if entry.0 != v {
            // One ballot, one value: a proposer never reuses a ballot.
            return Err(("agreement", format!("ballot {b} carried two values, {} and {v}", entry.0)));
        }
        entry.1.insert(t);
        if entry.1.len() >= px.majority() {
            if !m.chosen_values.contains(&v) {
                m.chosen_values.push(v);
            }
            if !m.proposed.contains(&v) {
                return Err(("validity", format!("{v} was chosen at ballot {b} but no client proposed it")));
            }
            match m.chosen {
                None => m.chosen = Some((b, v)),
                Some((cb, cv)) if cv != v => {
                    return Err((
                        "agreement",
                        format!("{cv} was chosen at ballot {cb}, then {v} was chosen at ballot {b}"),
                    ));
                }
                Some(_) => {}
            }
        }
        if m.passed.len() <= t.index() {
            m.passed.resize(t.index() + 1, None);
        }
        m.passed[t.index()] = Some((b, v));
    }
    if let Some(Learner { learned: Some(v), .. }) = node.learner {
        if !m.chosen_values.contains(&v) {
            return Err(("learned-chosen", format!("{t} learned {v}, which no majority accepted")));
        }
    }
    // A proposer that counts itself decided shows its value as chosen, and stops trying.
    if let Some(p) = node.proposer.as_ref().filter(|p| p.phase == Phase::Decided) {
        let (b, v) = (p.ballot, p.proposal.unwrap_or_default());
        let chosen = m.accepted.get(&b).is_some_and(|(w, set)| *w == v && set.len() >= px.majority());
        if !chosen {
            return Err((
                "learned-chosen",
                format!("{t} took {v} as decided at ballot {b}, which no majority accepted"),
            ));
        }
    }
    Ok(())
}
