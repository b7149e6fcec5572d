//! The guided lesson's playback, part of the reducer ([`Player`]): go to a step's moment, play
//! to the next one and pause there, switch a step's mutant on (or off) and replay to what it
//! breaks. Pure, like the rest of the reducer.

use distlab_core::lab;
use distlab_core::lesson::Cue;

use crate::state::{Guide, Player, GUIDE_WALL_MS, SPEED_LOG_MAX, US_PER_WALL_MS_AT_1X};

impl Player {
    /// The lesson step the run has reached: the last whose moment is at or before the
    /// position.
    pub fn lesson_step(&self) -> Option<usize> {
        let pos = self.snap.position;
        self.stops.iter().rposition(|s| s.is_some_and(|s| s.position <= pos))
    }

    /// Switch step `i`'s mutant on (or off again when it is on), replay from the start, and
    /// play from the step's moment to what the mutant breaks (the lesson's violation step), or
    /// to the next step.
    pub(crate) fn break_it(&mut self, i: usize) {
        let Some(mutant) = self.narration.get(i).and_then(|s| s.break_it) else { return };
        let mut cfg = self.config.clone();
        let repairing = cfg.mutant.as_deref() == Some(mutant);
        cfg.mutant = if repairing { None } else { Some(mutant.to_string()) };
        match lab::build(&cfg) {
            Ok(l) => {
                self.selection = None;
                self.install(cfg, l);
                if repairing {
                    // Back to the correct rule's lesson, at the step that offered the break.
                    let j = self.narration.iter().position(|s| s.break_it == Some(mutant)).unwrap_or(0);
                    self.guide_to(j);
                    return;
                }
                // A mutant's narration mirrors the correct one's steps up to the break: land
                // at the same step, then play to what the mutant breaks.
                if let Some(Some(s)) = self.stops.get(i).copied() {
                    self.lab.borrow_mut().seek(s.position);
                    self.jump_display_to_now();
                    self.refresh();
                }
                let broken = self.narration.iter().skip(i + 1).position(|s| s.cue == Cue::Violation);
                let next = broken.map_or(i + 1, |k| i + 1 + k);
                if next < self.narration.len() {
                    self.guide_to(next);
                }
            }
            Err(e) => self.error = Some(crate::i18n::t(&e)),
        }
    }

    /// Play to step `i`'s moment, or go back to it at once when it is behind. From before the
    /// step before it, jump to that one first, so a lesson plays one step at a time.
    pub(crate) fn guide_to(&mut self, i: usize) {
        let Some(Some(stop)) = self.stops.get(i).copied() else {
            self.error = Some(crate::i18n::t(if self.stops.get(i).is_some() {
                "This step's moment does not happen in this run (the run was changed by hand). ↺ Reset brings the lesson back."
            } else {
                "There is no such step in this lesson."
            }));
            return;
        };
        self.notice = None;
        self.selection = None;
        let pos = self.lab.borrow().position();
        if stop.position <= pos {
            self.playing = false;
            self.guide = None;
            self.lab.borrow_mut().seek(stop.position);
            self.jump_display_to_now();
            self.refresh();
            return;
        }
        let before = i.checked_sub(1).and_then(|j| self.stops.get(j).copied().flatten());
        if let Some(b) = before.filter(|b| b.position > pos) {
            self.lab.borrow_mut().seek(b.position);
            self.jump_display_to_now();
            self.refresh();
        }
        let gap = (stop.time_us as f64 - self.display_us).max(0.0);
        let speed = (gap / (GUIDE_WALL_MS * US_PER_WALL_MS_AT_1X))
            .clamp(self.speed(), crate::trig::pow10(SPEED_LOG_MAX));
        self.guide = Some(Guide { step: i, to: stop.position, speed });
        self.playing = true;
    }
}
