//! The checker's view of each probe: what the network delivered of an accusing ping and of
//! its target's answer (`Probes::delivered`), and the two properties judged from it,
//! `suspicion` and `refutation`. The explorer's mark (`Probes::mark`) is what this reads of a
//! message's send time.

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use crate::protocol::{Delivered, NodeId, Time};
use crate::sim::Flight;

use crate::swim::node::Note;
use crate::swim::types::*;

type Verdict = Result<(), (&'static str, String)>;

/// A probe that accuses its target (`Probes::accused`): the incarnation its ping accused
/// the target at and when the target took it, and the accusation the target's answer to it
/// (sent in that instant) answered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
struct Accused {
    seq: u32,
    direct: Option<(u32, Time)>,
    answered: Option<u32>,
}

/// The probes' part of the checker's ghost state.
#[derive(Clone, Debug, Default, Hash)]
pub(super) struct Probes {
    /// Per (prober, target): the accusations of the prober's latest accusing probe of the
    /// target, and the one the target's ack answered while the probe ran.
    accused: BTreeMap<(u32, u32), Accused>,
    /// Per member: its probe as of its last event (target, sequence number), and the last
    /// probe an answer reached it for while the probe ran.
    probing: Vec<Option<(NodeId, u32)>>,
    answered: Vec<Option<(NodeId, u32)>>,
    /// Per member: when its current life began (zero: never restarted).
    life: Vec<Time>,
}

impl Probes {
    pub(super) fn new(n: usize) -> Probes {
        Probes {
            accused: BTreeMap::new(),
            probing: vec![None; n],
            answered: vec![None; n],
            life: vec![Time::ZERO; n],
        }
    }

    /// Member `i` began a new life at `at`: its probes start afresh.
    pub(super) fn restarted(&mut self, i: usize, at: Time) {
        self.accused.retain(|k, _| k.0 as usize != i);
        (self.probing[i], self.answered[i]) = (None, None);
        self.life[i] = at;
    }

    /// What the network delivered, before the receiver takes it: an accusing ping as it
    /// reaches the target, if its prober sent it in its current life for the probe it runs (a
    /// ping of a life before a restart, whose number is reused, is no accusation of this
    /// one), and the target's ack as it reaches the prober while that probe runs: any answer
    /// counts for `suspicion`; for `refutation`, the answer the target sent as it took that
    /// accusing ping (sent in that instant), not one to an older ping with the same number.
    /// Relayed answers count for `suspicion` only: a relay that restarted may pass on an
    /// answer to its previous life's ping under a reused number.
    pub(super) fn delivered(&mut self, nodes: &[Node], d: &Delivered<'_, Msg>) {
        let runs = |who: NodeId, seq: u32, target: NodeId| {
            nodes.get(who.index()).and_then(|n| n.probe).is_some_and(|p| p.seq == seq && p.target == target)
        };
        match *d.msg {
            Msg::Ping { seq, suspect: Some(inc), .. } => {
                if !runs(d.from, seq, d.to) || self.before_life(d.from, d.sent) {
                    return;
                }
                let a =
                    self.accused.entry((d.from.0, d.to.0)).or_insert(Accused { seq, ..Accused::default() });
                if a.seq != seq {
                    *a = Accused { seq, ..Accused::default() };
                }
                // The first copy to arrive: its answer is the one judged.
                a.direct.get_or_insert((inc, d.now));
            }
            Msg::Ack { seq, of, .. } if runs(d.to, seq, of) => {
                if let Some(a) = self.answered.get_mut(d.to.index()) {
                    *a = Some((of, seq));
                }
                let a = self.accused.get_mut(&(d.to.0, of.0)).filter(|a| a.seq == seq && d.from == of);
                if let Some(a) = a {
                    if let Some(inc) = answer(a, d.sent) {
                        a.answered = Some(inc);
                    }
                }
            }
            _ => {}
        }
    }

    /// Whether a message `from` sent at `sent` was sent in a life of its sender before the
    /// current one.
    fn before_life(&self, from: NodeId, sent: Time) -> bool {
        sent < self.life.get(from.index()).copied().unwrap_or(Time::ZERO)
    }

    /// What `delivered` reads of a message's send time, as the explorer's mark
    /// (`Explorable::flight_mark`): for an accusing ping, whether it is from a life its prober
    /// has left; for an ack, whether it is the answer to the accusing ping its prober's
    /// latest accusing probe of its sender delivered. A ping's mark can later turn true, for
    /// every copy at once (a restart comes after every send); an ack's can turn false, for
    /// every copy at once (a newer accusing ping arrives, or a restart or refutation drops
    /// the probe, after every ack now in flight was sent); never for one copy alone. So
    /// copies marked alike are judged alike when they arrive. This rests on time moving on
    /// before every explored step (`sim::EXPLORE_LEAP`: what happens next is later than every
    /// send in flight) and on a duplicate keeping its original's send time.
    pub(super) fn mark(&self, f: &Flight<'_, Msg>) -> u64 {
        match *f.msg {
            Msg::Ping { suspect: Some(_), .. } => self.before_life(f.from, f.sent_at) as u64,
            Msg::Ack { of, .. } => {
                self.accused.get(&(f.to.0, of.0)).and_then(|a| answer(a, f.sent_at)).is_some() as u64
            }
            _ => 0,
        }
    }

    /// suspicion: each probe `o` judged failed in this event (its probe before the event) had
    /// no answer reach it while it ran; then `o`'s probe as it is now is the one to watch.
    pub(super) fn suspicion(&mut self, nodes: &[Node], o: NodeId, notes: &[Note]) -> Verdict {
        let ended = self.probing[o.index()];
        for note in notes {
            if let Note::Suspected { about, .. } = *note {
                if ended.is_some_and(|p| p.0 == about) && self.answered[o.index()] == ended {
                    return Err((
                        "suspicion",
                        format!(
                            "{o} suspects {about} after its probe, though an answer from {about} to that probe reached it while the probe ran"
                        ),
                    ));
                }
            }
        }
        self.probing[o.index()] = nodes[o.index()].probe.map(|p| (p.target, p.seq));
        Ok(())
    }

    /// refutation: `o` now believes `who` dead at `inc`; it must not have had `who`'s answer
    /// to its own probe accusing it at `inc`. Then a probe accusing at an incarnation `o` has
    /// left behind judges nothing more.
    pub(super) fn refutation(&mut self, o: NodeId, who: NodeId, new: Entry) -> Verdict {
        let key = (o.0, who.0);
        if new.status == Status::Dead && self.accused.get(&key).is_some_and(|a| a.answered == Some(new.inc)) {
            let inc = new.inc;
            return Err((
                "refutation",
                format!(
                    "{o} declared {who} dead at #{inc}, though {who} answered {o}'s probe accusing it at #{inc} while the probe ran: the answer carries the incarnation that clears the suspicion"
                ),
            ));
        }
        if self.accused.get(&key).is_some_and(|a| a.direct.is_some_and(|d| d.0 < new.inc)) {
            self.accused.remove(&key);
        }
        Ok(())
    }
}

/// The incarnation an ack sent at `sent` answers, if it is the target's answer to the
/// accusing ping it took (sent in the instant it took it).
fn answer(a: &Accused, sent: Time) -> Option<u32> {
    a.direct.filter(|x| x.1 == sent).map(|x| x.0)
}
