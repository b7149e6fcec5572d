//! Time travel: any event index is reachable by restoring a checkpoint and replaying.
//!
//! A [`Timeline`] keeps a clone of the simulator every [`CHECKPOINT_EVERY`] events (the spacing
//! doubles whenever more than [`MAX_CHECKPOINTS`] would be kept, so memory stays bounded) and the
//! list of user inputs, each stamped with the event index at which it was applied. Seeking
//! backwards restores the nearest earlier checkpoint and replays fewer events than the spacing,
//! so a step back costs at most a few thousand steps forward, however long the run. A user action
//! taken in the past truncates everything after it (inputs and checkpoints) and starts a new
//! branch; the action itself is recorded as an input, so the new branch replays exactly too.

use alloc::collections::VecDeque;
use alloc::vec::Vec;

use crate::protocol::{Protocol, Violation};
use crate::sim::{Input, Sim};
use crate::trace::Record;

/// Events between two checkpoints at the start of a run.
pub const CHECKPOINT_EVERY: u64 = 1024;
/// Most checkpoints kept. Past this, every other one is dropped and the spacing doubles, so a
/// long run's memory stays bounded while a step back replays at most `spacing - 1` events.
pub const MAX_CHECKPOINTS: usize = 512;

/// The most node state the checkpoints may hold together, in bytes of its stable encoding
/// ([`crate::hash::encoded_len`]; what a clone occupies is a small multiple of it). A thousand
/// SWIM members carry megabytes of beliefs: 512 checkpoints of them outgrew the browser's
/// memory. Past this, checkpoints thin out as past [`MAX_CHECKPOINTS`] (every other one
/// dropped, the spacing doubled), as long as more than [`MIN_CHECKPOINTS`] are kept.
pub const CHECKPOINT_BYTES: u64 = 64 << 20;
/// Up to this many checkpoints are kept whatever their size (a step back then replays more
/// events).
pub const MIN_CHECKPOINTS: usize = 8;
/// The byte budget spaces checkpoints out at most this far; past that it drops the checkpoint
/// farthest from where the run stands (never the first), so a step near the current position
/// replays at most this many events while a seek far back may replay more.
pub const SPACING_CAP: u64 = 4 * CHECKPOINT_EVERY;

/// A run with its past: checkpoints, recorded inputs, and the current simulator.
#[derive(Clone, Debug)]
pub struct Timeline<P: Protocol> {
    /// The simulator after some numbers of events, in order: the first after none, then one
    /// every `every` events where none was dropped.
    checkpoints: Vec<(u64, Sim<P>)>,
    every: u64,
    /// The encoded size of the nodes and the checker's ghost state at a recent checkpoint
    /// (measured at every eighth taken), and how many were taken since.
    weight: u64,
    unweighed: u32,
    inputs: Vec<(u64, Input<P>)>,
    sim: Sim<P>,
    horizon: u64,
    limit: u64,
    /// The violation that stopped this branch, once reached (it stays known while seeking back).
    found: Option<Violation>,
    /// Counts the changes to what the events after some position are (actions, running past
    /// violations): a [`RecordWindow`] kept from another branch is stale.
    branch: u64,
}

impl<P: Protocol> Timeline<P> {
    /// A timeline that never runs past `limit` events. Its run keeps no records (the event
    /// log and the diagram replay theirs with [`Timeline::records`]).
    pub fn new(mut sim: Sim<P>, limit: u64) -> Timeline<P> {
        sim.keep_records = false;
        Timeline {
            checkpoints: Vec::new(),
            every: CHECKPOINT_EVERY,
            weight: 0,
            unweighed: 0,
            inputs: Vec::new(),
            sim,
            horizon: 0,
            limit,
            found: None,
            branch: 0,
        }
    }

    /// The simulator at the current position.
    pub fn sim(&self) -> &Sim<P> {
        &self.sim
    }
    /// The current position: the number of events executed.
    pub fn position(&self) -> u64 {
        self.sim.events()
    }
    /// The furthest position this branch has reached.
    pub fn horizon(&self) -> u64 {
        self.horizon
    }
    /// Most events this timeline will run.
    pub fn limit(&self) -> u64 {
        self.limit
    }
    /// User inputs on this branch, with the event index each was applied at.
    pub fn inputs(&self) -> &[(u64, Input<P>)] {
        &self.inputs
    }

    /// True when no further event can run (done, violated, or at the limit).
    pub fn at_end(&self) -> bool {
        let p = self.position();
        p >= self.limit || (self.next_input_at(p).is_none() && self.sim.done())
    }

    fn next_input_at(&self, p: u64) -> Option<&Input<P>> {
        // Inputs are sorted by index; a branch has at most one input per index.
        self.inputs.iter().find(|(i, _)| *i == p).map(|(_, inp)| inp)
    }

    /// Run one event (a recorded input if one is due here, else the next queued item).
    pub fn step(&mut self) -> bool {
        let p = self.position();
        if p >= self.limit {
            return false;
        }
        if p.is_multiple_of(self.every) {
            self.checkpoint(p);
        }
        let ran = if let Some(input) = self.next_input_at(p).cloned() {
            if self.sim.halted() {
                false
            } else {
                self.sim.apply_input(input);
                true
            }
        } else {
            self.sim.step()
        };
        if ran {
            self.horizon = self.horizon.max(self.position());
            if self.found.is_none() {
                self.found = self.sim.violation().cloned();
            }
        }
        ran
    }

    /// Keep the simulator at `p` (a multiple of the spacing) unless it is kept already, then
    /// keep to the limits: thin out (every other one dropped, the spacing doubled) past
    /// [`MAX_CHECKPOINTS`], and past the byte budget too while the spacing is under
    /// [`SPACING_CAP`]; past the cap, drop the ones farthest from `p` until within it.
    fn checkpoint(&mut self, p: u64) {
        let at = self.checkpoints.partition_point(|(q, _)| *q < p);
        if self.checkpoints.get(at).is_some_and(|(q, _)| *q == p) {
            return;
        }
        self.checkpoints.insert(at, (p, self.sim.clone()));
        let kept = self.checkpoints.len();
        // Every eighth taken, not every eighth kept: at the budget, as many are dropped as
        // taken, and a weight measured once would go stale as the state grows.
        self.unweighed = (self.unweighed + 1) % 8;
        if self.unweighed == 1 {
            // Each checkpoint holds the checker's ghost state too (SWIM's grows with the
            // suspicions of a crowd).
            let nodes: u64 = self.sim.nodes().iter().map(crate::hash::encoded_len).sum();
            self.weight = nodes.saturating_add(crate::hash::encoded_len(self.sim.monitor()));
        }
        let heavy = kept > MIN_CHECKPOINTS && kept as u64 * self.weight > CHECKPOINT_BYTES;
        if kept > MAX_CHECKPOINTS || (heavy && self.every < SPACING_CAP) {
            let mut k = 0;
            self.checkpoints.retain(|_| {
                k += 1;
                (k - 1) % 2 == 0
            });
            self.every *= 2;
        } else if heavy {
            // Back within the budget (a state that grew needs more than one gone).
            while self.checkpoints.len() > MIN_CHECKPOINTS
                && self.checkpoints.len() as u64 * self.weight > CHECKPOINT_BYTES
            {
                let n = self.checkpoints.len();
                let Some(i) = (1..n).max_by_key(|i| self.checkpoints[*i].0.abs_diff(p)) else { break };
                self.checkpoints.remove(i);
            }
        }
    }

    /// The index of the last checkpoint at or before position `at` (the first if none is).
    fn before(&self, at: u64) -> usize {
        self.checkpoints.partition_point(|(q, _)| *q <= at).saturating_sub(1)
    }

    /// How many checkpoints are kept, the spacing between them in events, and where the last
    /// one at or before the current position is.
    pub fn checkpoints(&self) -> (usize, u64, Option<u64>) {
        let here = self.checkpoints.get(self.before(self.position())).map(|c| c.0);
        (self.checkpoints.len(), self.every, here)
    }

    /// The violation that stopped this branch, if it has been reached, wherever the run is now.
    pub fn found_violation(&self) -> Option<&Violation> {
        self.found.as_ref()
    }

    /// Move to event index `target` (clamped to what can run), backwards or forwards.
    pub fn seek(&mut self, target: u64) {
        let target = target.min(self.limit);
        if target < self.position() {
            if let Some((_, sim)) = self.checkpoints.get(self.before(target)) {
                self.sim = sim.clone();
            }
        }
        while self.position() < target {
            if !self.step() {
                break;
            }
        }
    }

    /// The records of events `from+1 ..= to` (1-based event numbers), replayed from a
    /// checkpoint; the current position does not move.
    pub fn records(&self, from: u64, to: u64) -> Vec<Record<P>> {
        self.replay(None, from, to).0
    }

    /// [`Timeline::records`], starting from `tail` (a replay of this branch left by an earlier
    /// call) where it stands nearer `from` than a checkpoint does; and the replay, standing at
    /// `to`, for the next call. A crowd's checkpoints may be thousands of events apart: a
    /// window that slides one event on replays one event.
    fn replay(&self, tail: Option<Timeline<P>>, from: u64, to: u64) -> (Vec<Record<P>>, Option<Timeline<P>>) {
        let mut out = Vec::new();
        if to <= from || self.checkpoints.is_empty() {
            return (out, tail);
        }
        let (start, sim) = if from < self.position() {
            let (at, sim) = &self.checkpoints[self.before(from)];
            (*at, sim)
        } else {
            (self.position(), &self.sim)
        };
        let mut scratch = match tail {
            Some(t) if t.branch == self.branch && t.position() <= from && t.position() >= start => t,
            _ => self.scratch(sim.clone()),
        };
        while scratch.position() < from {
            if !scratch.step_no_checkpoint() {
                return (out, None);
            }
        }
        while scratch.position() < to {
            if !scratch.step_no_checkpoint() {
                break;
            }
            out.extend_from_slice(scratch.sim.last_records());
        }
        (out, Some(scratch))
    }

    /// A timeline from `sim` with this one's inputs and no checkpoints, whose run keeps records.
    fn scratch(&self, mut sim: Sim<P>) -> Timeline<P> {
        sim.keep_records = true;
        Timeline {
            checkpoints: Vec::new(),
            every: self.every,
            weight: self.weight,
            unweighed: self.unweighed,
            inputs: self.inputs.clone(),
            sim,
            horizon: self.horizon,
            limit: self.limit,
            found: None,
            branch: self.branch,
        }
    }

    /// Let this run go on past its first violation (see [`Sim::run_past_violations`]), from
    /// every checkpoint too.
    pub fn run_past_violations(&mut self) {
        self.branch += 1;
        self.sim.run_past_violations();
        for (_, c) in &mut self.checkpoints {
            c.run_past_violations();
        }
    }

    /// A copy of this timeline back at its start, with the same inputs and no checkpoints, to
    /// replay (with [`Timeline::step_no_checkpoint`]) without moving this one. Its run keeps
    /// records.
    pub fn scratch_from_start(&self) -> Timeline<P> {
        self.scratch(self.checkpoints.first().map_or_else(|| self.sim.clone(), |c| c.1.clone()))
    }

    /// Run one event without keeping checkpoints (for a scratch replay).
    pub fn step_no_checkpoint(&mut self) -> bool {
        let p = self.position();
        if p >= self.limit {
            return false;
        }
        if let Some(input) = self.next_input_at(p).cloned() {
            if self.sim.halted() {
                return false;
            }
            self.sim.apply_input(input);
            true
        } else {
            self.sim.step()
        }
    }

    /// Apply a user action at the current position. Everything after it on this branch is
    /// discarded, and the action is recorded so that the new branch replays exactly.
    pub fn act(&mut self, input: Input<P>) -> bool {
        let p = self.position();
        if p >= self.limit || self.sim.halted() {
            return false;
        }
        self.inputs.retain(|(i, _)| *i < p);
        self.checkpoints.retain(|(q, _)| *q <= p);
        self.inputs.push((p, input));
        self.horizon = p;
        self.found = None;
        self.branch += 1;
        self.step()
    }
}

/// The records of a window of events kept between calls: a window that slides by a few events
/// (a step, forward or back) replays only the events it gains.
#[derive(Debug)]
pub struct RecordWindow<P: Protocol> {
    /// The branch and the events `from+1 ..= to` the records are of.
    branch: u64,
    from: u64,
    to: u64,
    records: VecDeque<Record<P>>,
    /// The replay that produced the newest records, standing at `to`: the window's next slide
    /// forward continues it.
    tail: Option<Timeline<P>>,
}

impl<P: Protocol> Default for RecordWindow<P> {
    fn default() -> Self {
        RecordWindow { branch: u64::MAX, from: 0, to: 0, records: VecDeque::new(), tail: None }
    }
}

impl<P: Protocol> RecordWindow<P> {
    /// The records of events `from+1 ..= to` if this window holds them all, for `timeline`'s
    /// branch.
    pub fn covering(
        &self,
        timeline: &Timeline<P>,
        from: u64,
        to: u64,
    ) -> Option<impl Iterator<Item = &Record<P>>> {
        if self.branch != timeline.branch || from < self.from || to > self.to {
            return None;
        }
        let start = self.records.partition_point(|r| r.event <= from);
        Some(self.records.range(start..).take_while(move |r| r.event <= to))
    }

    /// The records of events `from+1 ..= to` of `timeline`, as [`Timeline::records`] gives
    /// them, replaying only what the window kept from the last call does not cover.
    pub fn get(&mut self, timeline: &Timeline<P>, from: u64, to: u64) -> &[Record<P>] {
        // Only events the branch has run are known to exist (a halted run has no more).
        let to = to.min(timeline.horizon().max(timeline.position()));
        let from = from.min(to);
        let overlaps = self.branch == timeline.branch && from < self.to && self.from < to;
        if !overlaps {
            let (records, tail) = timeline.replay(self.tail.take(), from, to);
            *self = RecordWindow { branch: timeline.branch, from, to, records: records.into(), tail };
            return self.records.make_contiguous();
        }
        while self.records.front().is_some_and(|r| r.event <= from) {
            self.records.pop_front();
        }
        while self.records.back().is_some_and(|r| r.event > to) {
            self.records.pop_back();
        }
        if from < self.from {
            for r in timeline.records(from, self.from).into_iter().rev() {
                self.records.push_front(r);
            }
        }
        if to > self.to {
            let (records, tail) = timeline.replay(self.tail.take(), self.to, to);
            self.records.extend(records);
            self.tail = tail;
        }
        (self.from, self.to) = (from, to);
        self.records.make_contiguous()
    }
}
