//! Playback: what one animation frame runs. Display time advances with wall time times the
//! speed, and every event whose time has come runs (see the reducer's essay in `state.rs`).

use distlab_core::sim::EXPLORE_LEAP;

use super::{Player, MAX_EVENTS_PER_FRAME, US_PER_WALL_MS_AT_1X};
use crate::i18n::t;

/// Wall milliseconds between two events of an explored run (a counterexample) at 1×.
pub const EXPLORED_BEAT_MS: f64 = 800.0;

impl Player {
    pub(super) fn frame(&mut self, wall_ms: f64) {
        if !self.playing {
            return;
        }
        self.frames = self.frames.wrapping_add(1);
        let wall_ms = wall_ms.clamp(0.0, 100.0);
        self.wall_ms += wall_ms;
        // Quiet time (no message in flight, only timers running down) passes ten times faster,
        // so nobody waits seconds for the first election timeout.
        let quiet = if self.snap.flights.is_empty() { 10.0 } else { 1.0 };
        let speed = self.guide.map_or(self.speed(), |g| g.speed);
        // An explored run's events are an hour apart, each an input at the time of the one
        // before it (time is only their order): it plays one event per beat.
        let (rate, leap) = match self.config.explored {
            true => (EXPLORE_LEAP.0 as f64 / EXPLORED_BEAT_MS, EXPLORE_LEAP.0),
            false => (quiet * US_PER_WALL_MS_AT_1X, 0),
        };
        let target = self.display_us + wall_ms * speed * rate;
        let stop = self.guide.map_or(u64::MAX, |g| g.to);
        let mut ran = 0;
        let before = self.lab.borrow().position();
        {
            let mut lab = self.lab.borrow_mut();
            while ran < MAX_EVENTS_PER_FRAME && lab.position() < stop {
                match lab.next_time() {
                    Some(t) if (t.0.saturating_add(leap) as f64) <= target => {
                        if !lab.step() {
                            break;
                        }
                        ran += 1;
                        // Playback pauses at the event that broke a rule (the run may go on).
                        if lab.violation().is_some_and(|v| v.event == lab.position()) {
                            break;
                        }
                    }
                    _ => break,
                }
            }
        }
        // A violation stops playback at the event that broke the rule (after it, a learner
        // may step or play on past it).
        let (at_end, violated, arrived) = {
            let lab = self.lab.borrow();
            let broke = lab.violation().filter(|v| v.event > before && v.event <= lab.position());
            let promised = broke.as_ref().is_some_and(|v| !lab.not_promised().contains(&v.property.as_str()));
            (lab.at_end(), broke.map(|_| promised), lab.position() >= stop)
        };
        if ran == MAX_EVENTS_PER_FRAME {
            // Too many events for one frame: keep the drawn time with the run.
            self.jump_display_to_now();
        } else {
            self.display_us = target;
        }
        if ran > 0 {
            self.refresh();
            if self.wall_ms - self.announced_ms >= 2000.0 {
                self.announce();
            }
        }
        if let Some(promised) = violated {
            self.playing = false;
            self.guide = None;
            self.jump_display_to_now();
            self.notice = Some(t(if promised {
                "A safety property broke: the run paused at the event that broke it. Step → goes on past it."
            } else {
                "A property the protocol never promised broke: the run paused at the event. Step → goes on past it."
            }));
        } else if arrived {
            self.playing = false;
            self.guide = None;
            self.jump_display_to_now();
        } else if at_end {
            self.playing = false;
            self.notice = Some(t("Nothing more can happen in this run: every node is idle."));
        }
    }
}
