//! The measurement behind `distlab swim detect` and the page's plot: crash one member per
//! trial and measure, in protocol periods, how long until some member's probe finds it (the
//! paper's first detection, §3.1: e/(e−1) periods on average with random selection, whatever
//! n), how long until every live member has heard of it (suspect or dead: dissemination),
//! and what it cost (messages per member per period), and count the live members declared
//! dead on the way (false positives, under loss).
//!
//! A trial is a fresh group (its own seed, drawn from the measurement's): every member starts
//! its periods at its own random phase, and after three periods the victim crashes exactly at
//! a period boundary, so each later period holds exactly one probe by every live member. A
//! probe counts from the period its ping is sent in (a probe begun before the crash may still
//! reach for the victim through others, and is not counted).

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use serde::Serialize;

use super::node::Note;
use super::types::*;
use crate::net::FaultPreset;
use crate::protocol::{NodeId, ScriptAction, Target, Time};
use crate::rng::Rng;
use crate::sim::Sim;
use crate::trace::RecordKind;

/// The most trials, and the most member-trials (members × trials), one measurement runs.
pub const MAX_TRIALS: u64 = 10_000;
pub const MAX_MEMBER_TRIALS: u64 = 1_000_000;

/// What to measure.
#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    pub nodes: usize,
    pub trials: u64,
    pub seed: u64,
    /// The probability that a message is lost, 0 to 1.
    pub loss: f64,
    pub selection: Selection,
    pub indirect: usize,
}

impl Settings {
    pub fn validate(&self) -> Result<(), String> {
        if !(2..=MAX_MEMBERS).contains(&self.nodes) {
            return Err(format!("--nodes must be between 2 and {MAX_MEMBERS} (got {})", self.nodes));
        }
        if !(1..=MAX_TRIALS).contains(&self.trials) {
            return Err(format!("--trials must be between 1 and {MAX_TRIALS} (got {})", self.trials));
        }
        if (self.nodes as u64).saturating_mul(self.trials) > MAX_MEMBER_TRIALS {
            return Err(format!(
                "--nodes × --trials must be at most {MAX_MEMBER_TRIALS} (got {} × {})",
                self.nodes, self.trials
            ));
        }
        if !(0.0..=0.9).contains(&self.loss) {
            return Err(format!("--loss must be a percentage from 0 to 90 (got {})", self.loss * 100.0));
        }
        if self.indirect > MAX_INDIRECT {
            return Err(format!("--indirect must be at most {MAX_INDIRECT} (got {})", self.indirect));
        }
        Ok(())
    }
}

/// The figures, in the order `distlab swim detect` prints them.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    pub nodes: usize,
    pub trials: u64,
    pub mean_first_detection_periods: f64,
    pub p99_first_detection_periods: f64,
    pub mean_full_dissemination_periods: f64,
    pub messages_per_member_per_period: f64,
    pub false_positives: u64,
}

/// One trial's figures.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Trial {
    /// The period (1 for the first after the crash) in which a probe first reached for it.
    pub first_detection: u64,
    /// Periods from the crash until every live member suspected it or believed it dead.
    pub dissemination: f64,
    pub messages: u64,
    pub member_periods: f64,
    pub false_positives: u64,
}

/// Periods before the crash.
const WARM_UP: u64 = 3;

fn messages(sim: &Sim<Swim>) -> u64 {
    sim.metrics().messages.iter().map(|m| m.1).sum()
}

/// Run one trial of `sw` (a crash of a member drawn from `seed`).
pub fn trial(mut sw: Swim, loss: f64, seed: u64) -> Trial {
    let n = sw.members;
    let victim = NodeId(Rng::new(seed ^ 0x5649_4354_494d).below(n as u64) as u32);
    let t = sw.period().0;
    let crash = Time(t * WARM_UP);
    sw.script = alloc::vec![(crash, ScriptAction::Crash(Target::Node(victim)))];
    let suspicion = sw.suspicion_timeout().0;
    let mut faults = FaultPreset::None.config();
    faults.loss = loss;
    let mut sim = Sim::new(sw, faults, seed);
    // Every member learns of the failure by its own probe within two rounds; gossip is much
    // faster. The cap only stops a run whose members never all hear (it is reported as is).
    let cap = crash.0.saturating_add(t.saturating_mul(4 * n as u64 + 50)).saturating_add(2 * suspicion);
    let (mut first, mut heard_all) = (None, None);
    let mut before = 0;
    let mut false_positives = 0;
    // What each live member believes of the victim, and how many have heard, or believe it dead.
    let mut belief = alloc::vec![Status::Alive; n];
    let (mut heard, mut dead) = (0, 0);
    let live = n - 1;
    while dead < live && sim.now().0 < cap && sim.step() {
        if sim.now() < crash {
            before = messages(&sim);
            continue;
        }
        // A probe begins at a protocol period's tick (a ping relayed for an earlier probe,
        // one that began before the crash, does not count).
        let tick =
            sim.last_records().iter().any(|r| matches!(r.kind, RecordKind::Timer { timer: Timer::Tick, .. }));
        for r in sim.last_records() {
            match &r.kind {
                RecordKind::Send { to, msg: Msg::Ping { .. }, .. }
                    if tick && *to == victim && first.is_none() =>
                {
                    first = Some((r.time.0 - crash.0) / t + 1);
                }
                RecordKind::Note { note: Note::Declared { about, .. } } if *about != victim => {
                    false_positives += 1;
                }
                RecordKind::State { node, .. } if *node != victim => {
                    let (old, new) = (belief[node.index()], sim.nodes()[node.index()].entry(victim).status);
                    heard = heard + (new != Status::Alive) as usize - (old != Status::Alive) as usize;
                    dead = dead + (new == Status::Dead) as usize - (old == Status::Dead) as usize;
                    belief[node.index()] = new;
                }
                _ => {}
            }
        }
        if heard == live && heard_all.is_none() {
            heard_all = Some(sim.now());
        }
    }
    let end = sim.now().0.max(crash.0 + 1);
    let heard = heard_all.map_or(end, |h| h.0);
    Trial {
        first_detection: first.unwrap_or((end - crash.0) / t + 1),
        dissemination: (heard - crash.0) as f64 / t as f64,
        messages: messages(&sim) - before,
        member_periods: (n - 1) as f64 * (end - crash.0) as f64 / t as f64,
        false_positives,
    }
}

/// The measurement: `trials` trials, summed up.
pub fn detect(s: &Settings) -> Result<Report, String> {
    s.validate()?;
    let sw = Swim { members: s.nodes, selection: s.selection, indirect: s.indirect, ..Swim::default() };
    sw.validate()?;
    let mut seeds = Rng::new(s.seed);
    let trials: Vec<Trial> = (0..s.trials).map(|_| trial(sw.clone(), s.loss, seeds.next_u64())).collect();
    let k = trials.len() as f64;
    let mut firsts: Vec<(u64, u32)> = trials.iter().map(|t| (t.first_detection, 0)).collect();
    crate::order::sort_keyed(&mut firsts);
    // The nearest-rank 99th percentile.
    let rank = (firsts.len() * 99).div_ceil(100).clamp(1, firsts.len());
    let messages: u64 = trials.iter().map(|t| t.messages).sum();
    let member_periods: f64 = trials.iter().map(|t| t.member_periods).sum();
    Ok(Report {
        nodes: s.nodes,
        trials: s.trials,
        mean_first_detection_periods: trials.iter().map(|t| t.first_detection as f64).sum::<f64>() / k,
        p99_first_detection_periods: firsts[rank - 1].0 as f64,
        mean_full_dissemination_periods: trials.iter().map(|t| t.dissemination).sum::<f64>() / k,
        messages_per_member_per_period: if member_periods > 0.0 {
            messages as f64 / member_periods
        } else {
            0.0
        },
        false_positives: trials.iter().map(|t| t.false_positives).sum(),
    })
}
