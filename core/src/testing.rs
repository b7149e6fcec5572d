//! The harness of the handlers' exact-effect tests (openraft's `elect_test.rs` style): run one
//! handler with a context that records, then compare the whole list of messages, timers and
//! notes it recorded. Every protocol's handler tests use this one harness.
//!
//! Compiled only for tests (`lib.rs` declares it under `#[cfg(test)]`), so none of it reaches
//! the page's wasm.

use alloc::vec::Vec;

use crate::protocol::Effects as Kinds;
use crate::protocol::{Ctx, NodeId, Protocol, Time, TimerEffect};

/// The effects handlers record, collected for tests that assert them exactly.
pub(crate) struct Effects<P: Kinds> {
    pub now: Time,
    pub rng: crate::rng::Rng,
    pub sends: Vec<(NodeId, P::Msg)>,
    pub timers: Vec<TimerEffect<P::Timer>>,
    pub notes: Vec<P::Note>,
}

impl<P: Kinds> Effects<P> {
    /// Handlers run at 1 s on every node's clock.
    pub fn new() -> Self {
        Self::at(Time::from_ms(1000))
    }
    pub fn at(now: Time) -> Self {
        Effects {
            now,
            rng: crate::rng::Rng::new(1),
            sends: Vec::new(),
            timers: Vec::new(),
            notes: Vec::new(),
        }
    }
    /// A context for a handler running on `me`.
    pub fn ctx(&mut self, me: impl Into<NodeId>) -> Ctx<'_, P> {
        Ctx {
            me: me.into(),
            now: self.now,
            rng: &mut self.rng,
            sends: &mut self.sends,
            timers: &mut self.timers,
            notes: &mut self.notes,
        }
    }
    /// The messages sent so far; timers and notes are cleared too.
    pub fn take(&mut self) -> Vec<(NodeId, P::Msg)> {
        self.timers.clear();
        self.notes.clear();
        core::mem::take(&mut self.sends)
    }
}

/// A restarted node and what its restart recorded: the messages it sent, the timers it armed.
pub(crate) type Restarted<P> =
    (<P as Protocol>::Node, Vec<(NodeId, <P as Kinds>::Msg)>, Vec<TimerEffect<<P as Kinds>::Timer>>);

/// Restart a crashed node on `me` as the simulator does: `on_restart` gets only the node's
/// durable part. It runs at 1 s with a generator seeded 1, so two restarts that see the same
/// durable part record the same effects.
pub(crate) fn restart<P: Protocol>(p: &P, me: impl Into<NodeId>, crashed: &P::Node) -> Restarted<P> {
    let mut fx = Effects::new();
    let node = p.on_restart(P::durable(crashed), &mut fx.ctx(me));
    (node, fx.sends, fx.timers)
}

impl From<u32> for NodeId {
    fn from(n: u32) -> NodeId {
        NodeId(n)
    }
}

/// A preset's lesson on one seed (with a mutant, or none), run to its end (and past a
/// violation): the lab, the narration, and the position of each step, checked to happen in
/// order.
pub(crate) fn walk_lesson(
    protocol: &str,
    preset: &str,
    seed: u64,
    mutant: Option<&str>,
) -> (alloc::boxed::Box<dyn crate::lab::Lab>, Vec<crate::lesson::Step>, Vec<u64>) {
    walk(protocol, preset, seed, mutant, true)
}

/// `walk_lesson`, going past a violation or stopping at it (then a step after it never
/// happens, and the walk fails: a lesson of a correct protocol that breaks is caught so).
fn walk(
    protocol: &str,
    preset: &str,
    seed: u64,
    mutant: Option<&str>,
    past: bool,
) -> (alloc::boxed::Box<dyn crate::lab::Lab>, Vec<crate::lesson::Step>, Vec<u64>) {
    use alloc::string::ToString;
    let cfg = crate::lab::LabConfig {
        scenario: Some(preset.to_string()),
        seed,
        mutant: mutant.map(ToString::to_string),
        ..crate::lab::LabConfig::opening(protocol).expect("registered")
    };
    let mut lab = crate::lab::build(&cfg).expect("the preset builds");
    if past {
        lab.run_past_violations();
    }
    let steps = lab.narration();
    let what = alloc::format!("{preset} seed {seed} mutant {mutant:?}");
    let mut at = Vec::new();
    for (step, stop) in steps.iter().zip(lab.locate()) {
        let stop = stop.unwrap_or_else(|| panic!("{what}: \"{}\" ({:?}) never happens", step.text, step.cue));
        assert!(at.last().is_none_or(|last| *last <= stop.position), "{what}: steps out of order");
        at.push(stop.position);
    }
    (lab, steps, at)
}

/// A preset's lesson walked to its first violation (`walk`), to look at the run around each
/// step: the page's snapshot just before and just after a step's event, and that event's log
/// lines.
pub(crate) struct LessonRun {
    pub lab: alloc::boxed::Box<dyn crate::lab::Lab>,
    pub steps: Vec<crate::lesson::Step>,
    /// The position just after each step's event.
    pub at: Vec<u64>,
    pub what: alloc::string::String,
}

impl LessonRun {
    pub fn walk(protocol: &str, preset: &str, seed: u64, mutant: Option<&str>) -> LessonRun {
        let (lab, steps, at) = walk(protocol, preset, seed, mutant, false);
        let what = alloc::format!("{preset} seed {seed} mutant {mutant:?}");
        LessonRun { lab, steps, at, what }
    }

    /// The index of the `n`th step (from 0) cued by `cue`.
    pub fn index(&self, cue: &crate::lesson::Cue, n: usize) -> usize {
        let found = self.steps.iter().enumerate().filter(|(_, s)| s.cue == *cue).nth(n);
        found.unwrap_or_else(|| panic!("{}: no step {n} cued {cue:?}", self.what)).0
    }

    /// The run just after step `i`'s event.
    pub fn after(&mut self, i: usize) -> crate::lab::Snapshot {
        self.lab.seek(self.at[i]);
        self.lab.snapshot()
    }

    /// The run just before step `i`'s event.
    pub fn before(&mut self, i: usize) -> crate::lab::Snapshot {
        self.lab.seek(self.at[i] - 1);
        self.lab.snapshot()
    }

    /// The event log lines of step `i`'s event.
    pub fn event(&mut self, i: usize) -> Vec<alloc::string::String> {
        self.lab.seek(self.at[i]);
        self.lab.log(self.at[i] - 1, self.at[i], 100).into_iter().map(|l| l.text).collect()
    }
}

/// Node `n`'s field `key` (S1 is 0), as the page shows it.
pub(crate) fn field<'a>(snap: &'a crate::lab::Snapshot, n: usize, key: &str) -> &'a str {
    let fields = &snap.nodes[n].view.fields;
    fields
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("S{} has no {key}", n + 1))
}

/// Runs `p` under heavy faults, seeds 0 to 5, to 20 s each, and asserts after every event that
/// every server `waiting` describes (whether it leads, and how many clients' requests it waits
/// to answer) waits only while it leads; and that some leader did wait. The sharded database
/// and the file system each keep such a set beside their Raft.
pub(crate) fn only_leaders_wait<P: Protocol + Clone>(
    p: P,
    waiting: impl Fn(&P::Node) -> Option<(bool, usize)>,
) {
    let mut checked = 0;
    for seed in 0..6 {
        let mut sim = crate::sim::Sim::new(p.clone(), crate::net::FaultPreset::Heavy.config(), seed);
        while sim.now().0 < 20_000_000 && sim.step() {
            for (leads, waits) in sim.nodes().iter().filter_map(&waiting) {
                assert!(leads || waits == 0, "seed {seed}: a follower waits for {waits} requests");
                checked += usize::from(waits > 0);
            }
        }
    }
    assert!(checked > 0, "no leader ever waited");
}
