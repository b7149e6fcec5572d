//! The checker: what a failure detector promises, judged against the ground truth the members
//! cannot see (who really crashed, and when; which messages the network really lost), after
//! every event and every lost message.
//!
//! - **completeness** (the paper's time-bounded strong completeness, §4.3): with round-robin
//!   probing every crashed member is declared dead by every live member within a bound: the
//!   observer probes it within 2(n−1) periods, suspects it a period later, and confirms it a
//!   suspicion timeout after that. The bound runs from the latest of the crash, the
//!   observer's own (re)start, and the last news about the crashed member the observer
//!   accepted (a stale `Alive` at a higher incarnation, still travelling, clears a suspicion;
//!   so may a higher `Suspect`, which starts it again). Random probing has no such bound
//!   (only an expected one), so its runs are not judged; a skewed clock stretches timeouts, so
//!   a run with one is not judged either.
//! - **accuracy**: a member that is up is declared dead only if something to or from it was
//!   really lost before the suspicion began (at least one suspicion timeout before the
//!   declaration, in its current incarnation), and something between it and the member that
//!   declares it during the suspicion (in the last suspicion timeout).
//!   With SWIM's detector the suspicion's start is known (the first `Suspected` note about the
//!   member at that incarnation): the declaration must come a suspicion timeout after it, and
//!   a loss to or from the member before it (an older loss alone let a death at the first
//!   failed probe pass); and a suspicion timeout after the declaring member itself took the
//!   suspicion (its own timer: another member's old suspicion let a member that never
//!   suspected pass). A death at an incarnation the member has since left (raised to refute,
//!   or at a restart, by news the declaring member had not heard) is judged the same way,
//!   from the suspicion of that incarnation.
//!   The first half holds because a suspicion starts from a failed probe of the suspect; the
//!   second because the suspecting member probes the suspect once more before the timeout
//!   (when the timeout spans two rounds of probes) and the ping carries the accusation, which
//!   the suspect refutes in its ack. So a live member whose messages all arrive is never
//!   declared dead, and neither is one that was unlucky once. Judged while no clock is
//!   skewed and no link slowed (a slow ack is a lost one to its prober, not to the network).
//!
//! - **suspicion**: a member suspects another after its own probe of it only if no answer to
//!   that probe, direct or relayed (§3.1's indirect probe), reached it while the probe ran.
//!   Judged from what arrived, like `refutation`; a prober that ignores relayed answers
//!   (`relay-by-sender`) suspects members that answered, which `accuracy` takes for a loss.
//! - **refutation**: a member that answered its prober's accusation in time is not declared
//!   dead by that prober at that incarnation: a ping says at which incarnation the prober
//!   suspects its target, and the target's ack to it, taken while the probe runs, carries the
//!   incarnation that clears the suspicion. Judged from what arrived,
//!   at any size and timing, where `accuracy`'s second half is not (it needs the suspicion
//!   timeout to span two rounds of round-robin probes).
//!
//! Completeness and accuracy both assume messages arrive within the timeouts, so neither is
//! judged in an explored run, where time is only the order of events and an ack may arrive
//! after any timeout (`Explorable::unjudged`); incarnation is.
//! - **incarnation**: incarnations only grow. A member's own never falls, across restarts
//!   too; within one life no member's belief about another falls; nobody believes an
//!   incarnation its owner never had.
//!
//! Not judged here: that the group becomes whole again once the faults stop (a member declared
//! dead while up, or the far side of a healed partition, believed alive again). It rests on
//! random reconnect pings and gossip, so it has an expected time but no bound a run could be
//! held to; `tests.rs` runs the swarm's seeds to quiet and asserts it
//! (`the_group_becomes_whole_once_the_faults_stop`), and the partition lesson's test checks
//! the run ends with every list whole. Nor are false-positive rates (`distlab swim detect`
//! measures detection; the accuracy property holds each death to its evidence).

use alloc::collections::{BTreeMap, BTreeSet};
use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use crate::protocol::{NodeId, PropertyInfo, Time, World};

use super::node::Note;
use super::types::*;

mod probes;

use probes::Probes;

pub(super) const PROPERTIES: &[PropertyInfo] = &[
    PropertyInfo {
        name: "completeness",
        description: "with round-robin probing, every crashed member is declared dead by every live member within 2(n−1)+3 periods plus the suspicion timeout (from the crash, the observer's restart, or the last news of it the observer took, whichever is latest)",
    },
    PropertyInfo {
        name: "accuracy",
        description: "a live member is declared dead only if a message to or from it was really lost before its suspicion began, and (when the suspicion timeout spans two rounds of round-robin probes) one between it and the member declaring it dead during the suspicion; judged while no clock is skewed and no link slowed",
    },
    PropertyInfo {
        name: "suspicion",
        description: "a member suspects another after its own probe only if no answer to that probe, direct or relayed by a member it asked, reached it while the probe ran (judged from what the network delivered)",
    },
    PropertyInfo {
        name: "refutation",
        description: "a member that answered its prober's accusing ping while the probe ran is not declared dead by that prober at the incarnation it was accused at: its answer carries the refutation (judged from what the network delivered, at any size, timing and probe selection)",
    },
    PropertyInfo {
        name: "incarnation",
        description: "incarnations only grow: a member's own never falls, not even across a restart, no belief about another falls within one life, at one incarnation a belief only moves from alive to suspect to dead (§4.2), and nobody believes an incarnation its owner never had",
    },
];

type Verdict = Result<(), (&'static str, String)>;

/// A crashed member, since when, and per observer the time of the last news about it that
/// the observer took.
#[derive(Clone, Debug, Hash)]
struct Down {
    who: NodeId,
    since: Time,
    news: Vec<Time>,
}

/// The checker's ghost state.
#[derive(Clone, Debug, Default, Hash)]
pub struct Monitor {
    /// Each member's beliefs at its last check, in its current life.
    views: Vec<Vec<(NodeId, Entry)>>,
    /// Each member's highest own incarnation, and when it took its current one.
    own: Vec<u32>,
    inc_since: Vec<Time>,
    /// Per member: the first message to or from it lost in its current incarnation (or in the
    /// period before it began).
    first_drop: Vec<Option<Time>>,
    /// Per member, the pings to it and its acks lost recently, by prober: (prober, when).
    pair_drops: Vec<Vec<(NodeId, Time)>>,
    /// The deaths judged: (member, incarnation).
    declared: BTreeSet<(u32, u32)>,
    /// When the first suspicion of each member at each incarnation began (a member's failed
    /// probe: `Note::Suspected`), and whether something to or from the member had been lost
    /// in its incarnation of the time before it began. Kept for older incarnations too: a
    /// member that has not heard of a refutation (or of a restart) may still declare a death
    /// at an incarnation the member has left.
    suspected: BTreeMap<(u32, u32), (Time, bool)>,
    /// Per (observer, member): the incarnation at which the observer last began to suspect the
    /// member, and when (its suspicion timer started then).
    own_suspicion: BTreeMap<(u32, u32), (u32, Time)>,
    /// Each probe: the accusing pings and their answers, and the members' lives.
    probes: Probes,
    up: Vec<bool>,
    epoch: u64,
    down: Vec<Down>,
    next_sweep: Time,
}

/// What the network delivered, before the receiver takes it (`Probes::delivered`).
pub(super) fn delivered(m: &mut Monitor, nodes: &[Node], d: &crate::protocol::Delivered<'_, Msg>) {
    m.probes.delivered(nodes, d);
}

/// What the checker reads of a message's send time (`Probes::mark`).
pub(super) fn mark(m: &Monitor, f: &crate::sim::Flight<'_, Msg>) -> u64 {
    m.probes.mark(f)
}

fn secs(t: Time) -> String {
    format!("{:.2} s", t.0 as f64 / 1e6)
}

impl Monitor {
    fn ensure(&mut self, n: usize) {
        if self.up.len() != n {
            self.views = vec![Vec::new(); n];
            self.own = vec![0; n];
            self.inc_since = vec![Time::ZERO; n];
            self.first_drop = vec![None; n];
            self.pair_drops = vec![Vec::new(); n];
            self.probes = Probes::new(n);
            self.up = vec![true; n];
        }
    }

    /// Who crashed and who came back since the last look.
    fn rescan(&mut self, world: &World<'_, Msg>) {
        if world.up_epoch == self.epoch {
            return;
        }
        self.epoch = world.up_epoch;
        let n = self.up.len();
        for i in 0..n {
            let (was, is) = (self.up[i], world.up[i]);
            if was && !is {
                let since = world.changed_at[i];
                self.down.push(Down { who: NodeId(i as u32), since, news: vec![since; n] });
            } else if !was && is {
                self.down.retain(|d| d.who.index() != i);
                // A new life: its beliefs start afresh, and so do its probes.
                self.views[i].clear();
                self.probes.restarted(i, world.changed_at[i]);
            }
            self.up[i] = is;
        }
    }
}

pub(super) fn check(
    sw: &Swim,
    m: &mut Monitor,
    nodes: &[Node],
    touched: Option<NodeId>,
    notes: &[Note],
    world: &World<'_, Msg>,
) -> Verdict {
    m.ensure(nodes.len());
    m.rescan(world);
    if let Some(lost) = world.dropped {
        let (a, b) = (lost.from, lost.to);
        // A message to a member that is down is evidence against that member only.
        let ends: &[NodeId] = if lost.to_down { &[b] } else { &[a, b] };
        for &x in ends {
            m.first_drop[x.index()].get_or_insert(world.now);
        }
        // Evidence between two members: anything to one that is down; a probe's own exchange
        // (its ping to the target, the target's ack to it); a heartbeat, against its sender.
        let exchange = match lost.msg {
            _ if lost.to_down => Some((b, a)),
            Msg::Ping { .. } => Some((b, a)),
            Msg::Ack { of, .. } if of == a => Some((a, b)),
            Msg::Heartbeat { .. } => Some((a, b)),
            _ => None,
        };
        if let Some((x, prober)) = exchange {
            let keep = window(sw).1.max(sw.period().0);
            let pairs = &mut m.pair_drops[x.index()];
            pairs.retain(|p| p.1 .0.saturating_add(keep) >= world.now.0);
            pairs.push((prober, world.now));
        }
    }
    if let Some(o) = touched.filter(|o| world.up[o.index()]) {
        // A suspicion's start first: the same event may declare the death (judged below).
        // Not kept in an explored run, where accuracy is not judged.
        for note in notes.iter().filter(|_| !world.explored) {
            if let Note::Suspected { about, inc, .. } = *note {
                let lost = m.first_drop[about.index()].is_some();
                m.suspected.entry((about.0, inc)).or_insert((world.now, lost));
            }
        }
        m.probes.suspicion(nodes, o, notes)?;
        own_incarnation(sw, m, nodes, o, world)?;
        beliefs(sw, m, nodes, o, world)?;
        for note in notes {
            if let Note::Declared { about, inc, .. } = *note {
                m.declared.insert((about.0, inc));
                accuracy(sw, m, nodes, o, about, inc, world)?;
            }
        }
    }
    completeness(sw, m, nodes, world)
}

/// A member's own incarnation never falls; when it rises, its current incarnation begins.
fn own_incarnation(sw: &Swim, m: &mut Monitor, nodes: &[Node], o: NodeId, world: &World<'_, Msg>) -> Verdict {
    let inc = nodes[o.index()].hard.inc;
    let before = m.own[o.index()];
    if inc < before {
        return Err(("incarnation", format!("{o}'s incarnation fell from #{before} to #{inc}")));
    }
    if inc > before || world.changed_at[o.index()] == world.now {
        m.own[o.index()] = inc;
        m.inc_since[o.index()] = world.now;
        // A loss in the period before counts: a probe sent before the member was heard at
        // its new incarnation may fail, and suspect it at that one.
        let since = world.now.0.saturating_sub(sw.period().0);
        m.first_drop[o.index()] = m.pair_drops[o.index()].iter().map(|p| p.1).filter(|t| t.0 >= since).min();
    }
    Ok(())
}

/// What changed in `o`'s beliefs: none falls, none exceeds its owner's incarnation, a death
/// nobody had declared is judged, and news about a crashed member restarts its clock.
fn beliefs(sw: &Swim, m: &mut Monitor, nodes: &[Node], o: NodeId, world: &World<'_, Msg>) -> Verdict {
    let view = &nodes[o.index()].view;
    let before = core::mem::take(&mut m.views[o.index()]);
    // Most events change no belief (a probe answered, news already known): nothing to judge.
    if before == *view {
        m.views[o.index()] = before;
        return Ok(());
    }
    // Both lists are sorted by member: walk each beside the other. First every member `o`
    // believes something about now, then those it believed something about before and now
    // holds nothing on.
    let mut verdict = Ok(());
    let mut j = 0;
    for &(who, new) in view.iter() {
        while j < before.len() && before[j].0 < who {
            j += 1;
        }
        let old = before.get(j).filter(|e| e.0 == who).map_or(Entry::default(), |e| e.1);
        verdict = judge(sw, m, nodes, o, who, old, new, world);
        if verdict.is_err() {
            break;
        }
    }
    if verdict.is_ok() {
        let mut k = 0;
        for &(who, old) in before.iter() {
            while k < view.len() && view[k].0 < who {
                k += 1;
            }
            if view.get(k).filter(|e| e.0 == who).is_none_or(|e| e.1 == Entry::default()) {
                verdict = judge(sw, m, nodes, o, who, old, Entry::default(), world);
                if verdict.is_err() {
                    break;
                }
            }
        }
    }
    // Kept for the next look, in the same allocation.
    let mut kept = before;
    kept.clear();
    kept.extend_from_slice(view);
    m.views[o.index()] = kept;
    verdict
}

/// `o`'s belief about `who` went from `old` to `new`: it must not fall or pass its owner's
/// incarnation; news of a crashed member restarts its clock; a new death is judged.
#[allow(clippy::too_many_arguments)]
fn judge(
    sw: &Swim,
    m: &mut Monitor,
    nodes: &[Node],
    o: NodeId,
    who: NodeId,
    old: Entry,
    new: Entry,
    world: &World<'_, Msg>,
) -> Verdict {
    if old == new {
        return Ok(());
    }
    if new.inc < old.inc {
        return Err((
            "incarnation",
            format!("{o}'s belief about {who} fell from #{} to #{}", old.inc, new.inc),
        ));
    }
    // §4.2's precedence within one incarnation: suspect overrides alive, dead overrides both,
    // and only a higher incarnation clears them. (The heartbeat detector revives a member it
    // hears from first hand: it has no incarnations to refute with.)
    if new.inc == old.inc && new.status.rank() < old.status.rank() && sw.detector == Detector::Swim {
        return Err((
            "incarnation",
            format!(
                "{o}'s belief about {who} went from {} to {} at one incarnation, #{}",
                old.status.word(),
                new.status.word(),
                new.inc
            ),
        ));
    }
    // The observer's suspicion timer starts whenever it takes a suspicion (a first one, or one
    // at a higher incarnation): the declaration it may make must wait a timeout from there.
    // (Not kept in an explored run, where accuracy is not judged.)
    let took = new.status == Status::Suspect && (old.status != Status::Suspect || new.inc > old.inc);
    if took && !world.explored {
        m.own_suspicion.insert((o.0, who.0), (new.inc, world.now));
    }
    let owner = nodes[who.index()].hard.inc;
    if new.inc > owner {
        return Err((
            "incarnation",
            format!(
                "{o} believes {who} is {} at #{}, an incarnation {who} never had (it is at #{owner})",
                new.status.word(),
                new.inc
            ),
        ));
    }
    if let Some(d) = m.down.iter_mut().find(|d| d.who == who) {
        if new.status != Status::Dead {
            d.news[o.index()] = world.now;
        }
    }
    if sw.detector == Detector::Swim {
        m.probes.refutation(o, who, new)?;
    }
    if new.status == Status::Dead && m.declared.insert((who.0, new.inc)) {
        accuracy(sw, m, nodes, o, who, new.inc, world)?;
    }
    Ok(())
}

/// `o` declared `who` dead at `inc`: if `who` is up (at `inc` or, with SWIM's detector, at a
/// later incarnation `o` had not heard of), something to or from it must have been lost
/// before the suspicion began and again during it.
fn accuracy(
    sw: &Swim,
    m: &Monitor,
    nodes: &[Node],
    o: NodeId,
    who: NodeId,
    inc: u32,
    world: &World<'_, Msg>,
) -> Verdict {
    let current = nodes[who.index()].hard.inc;
    // The heartbeat detector's incarnation moves only at a restart, so a death at an older one
    // is the silence of the member's last life.
    let stale = inc < current && sw.detector == Detector::Heartbeat;
    if !world.up[who.index()] || inc > current || stale || !world.timed() {
        return Ok(());
    }
    let now = world.now.0;
    let (before, during) = window(sw);
    let first = m.first_drop[who.index()];
    if sw.detector == Detector::Swim {
        // Judged from the suspicion's real start: it ripened, and a loss came before it. (Any
        // old loss in the incarnation let a death at the first failed probe pass; a death at
        // an incarnation the member had left was not judged at all.)
        let began = m.suspected.get(&(who.0, inc)).copied();
        let own = m.own_suspicion.get(&(o.0, who.0)).filter(|x| x.0 == inc).map(|x| x.1);
        let why = match (began, own) {
            (None, _) => Some(format!("nobody had suspected it at #{inc}")),
            // Its own suspicion must ripen: another member's older one is not its timer.
            (Some(_), None) => Some(format!("{o} itself had not suspected it at #{inc}")),
            (Some(_), Some(b)) if b.0.saturating_add(before) > now => Some(format!(
                "{o} began to suspect it at {}, and a suspicion ripens only after {}",
                secs(b),
                secs(Time(before))
            )),
            (Some((b, _)), _) if b.0.saturating_add(before) > now => Some(format!(
                "its suspicion began at {}, and a suspicion ripens only after {}",
                secs(b),
                secs(Time(before))
            )),
            (Some((b, false)), _) => Some(format!(
                "nothing to or from {who} was lost in #{inc} before its suspicion began at {}",
                secs(b)
            )),
            _ => None,
        };
        if let Some(why) = why {
            return Err((
                "accuracy",
                format!("{o} declared {who} dead at #{inc} while it was up, but {why}"),
            ));
        }
    } else if first.is_none_or(|f| f.0.saturating_add(before) > now) {
        let lost = match first {
            None => format!(
                "nothing to or from {who} was lost since it took #{inc} at {}",
                secs(m.inc_since[who.index()])
            ),
            Some(f) => format!("the first message to or from {who} lost in #{inc} was at {}", secs(f)),
        };
        return Err((
            "accuracy",
            format!("{o} declared {who} dead at #{inc} while it was up, but {lost}: too recent to have begun a suspicion that ripened"),
        ));
    }
    let recent = m.pair_drops[who.index()].iter().any(|p| p.0 == o && p.1 .0.saturating_add(during) >= now);
    if !recent && sw.suspicion_spans_rounds() {
        return Err((
            "accuracy",
            format!(
                "{o} declared {who} dead at #{inc} while it was up, and nothing between them had been lost for {}: {o}'s last probe reached {who}, which could have refuted",
                secs(Time(during))
            ),
        ));
    }
    Ok(())
}

/// How long before a declaration its evidence must be (a loss before the suspicion began),
/// and how recent the loss between declarer and declared must be (during the suspicion).
fn window(sw: &Swim) -> (u64, u64) {
    match sw.detector {
        Detector::Swim => (sw.suspicion_timeout().0, sw.suspicion_timeout().0),
        // Silent for k periods: its heartbeats were lost for about that long, the last of
        // them in the last three periods.
        Detector::Heartbeat => {
            let t = sw.period().0;
            (t.saturating_mul(sw.heartbeat_periods as u64 - 2), t.saturating_mul(3))
        }
    }
}

/// Every crashed member dead in every live member's eyes, in time.
fn completeness(sw: &Swim, m: &mut Monitor, nodes: &[Node], world: &World<'_, Msg>) -> Verdict {
    if world.skewed || world.explored || m.down.is_empty() || world.now < m.next_sweep {
        return Ok(());
    }
    let t = sw.period().0;
    let bound = match (sw.detector, sw.selection) {
        (Detector::Swim, Selection::RoundRobin) => {
            let rounds = 2 * (sw.members as u64 - 1) + 3;
            t.saturating_mul(rounds).saturating_add(sw.suspicion_timeout().0)
        }
        (Detector::Swim, Selection::Random) => return Ok(()),
        (Detector::Heartbeat, _) => t.saturating_mul(sw.heartbeat_periods as u64 + 2),
    };
    m.next_sweep = Time(world.now.0.saturating_add(t));
    for d in &m.down {
        for (i, o) in nodes.iter().enumerate() {
            if i == d.who.index() || !world.up[i] {
                continue;
            }
            let from = d.since.max(world.changed_at[i]).max(d.news[i]);
            if world.now.0 > from.0.saturating_add(bound) && o.entry(d.who).status != Status::Dead {
                let who = d.who;
                return Err((
                    "completeness",
                    format!(
                        "{who} crashed at {} and {} still believes it {} at {}, past the bound of {} from {}",
                        secs(d.since),
                        NodeId(i as u32),
                        o.entry(who).status.word(),
                        secs(world.now),
                        secs(Time(bound)),
                        secs(from)
                    ),
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
#[path = "check_tests.rs"]
mod tests;
