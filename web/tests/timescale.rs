#![cfg(not(target_arch = "wasm32"))]
//! The space-time diagram's time axis: kept while the window slides a step at a time, so the
//! arrows keep their coordinates, and always wide enough to show the whole window.

use distlab_web::diagram::TimeScale;

const ROOM: f64 = 900.0;

/// The window `t0 ..= t1` drawn at `s` and slid so that `t1` meets the right edge: where `t0`
/// lands, as a share of the room from its left edge.
fn left_edge(s: TimeScale, t0: u64, t1: u64) -> f64 {
    (s.x(t0, ROOM) + s.shift(t1, ROOM, ROOM)) / ROOM
}

#[test]
fn a_window_sliding_by_small_steps_keeps_its_scale_and_always_fits() {
    let mut kept = None;
    let mut resets = 0;
    // A window of about 200 events, each 0.5–1.5 ms apart, stepped back and forth.
    let times: Vec<u64> = (0..3_000u64)
        .scan(0, |t, i| {
            *t += 500 + (i * 7_919 % 1_000);
            Some(*t)
        })
        .collect();
    let positions = (200..2_800).chain((1_000..2_800).rev());
    for to in positions {
        let (t0, t1) = (times[to - 200], times[to]);
        let s = TimeScale::fit(kept, t0, t1);
        if kept != Some(s) {
            resets += 1;
        }
        kept = Some(s);
        let left = left_edge(s, t0, t1);
        assert!((0.0..=0.2 + 1e-9).contains(&left), "the window starts {left} of the way in at {to}");
    }
    assert!(resets <= 5, "{resets} new scales in 4,400 steps");
}

#[test]
fn a_window_twice_as_long_gets_a_new_scale() {
    let s = TimeScale::fit(None, 1_000, 2_000);
    assert_eq!(TimeScale::fit(Some(s), 1_010, 2_010), s);
    let wider = TimeScale::fit(Some(s), 1_000, 3_000);
    assert_ne!(wider, s);
    assert!((left_edge(wider, 1_000, 3_000) - 0.08).abs() < 1e-9, "a new scale fills 92 %");
    let narrower = TimeScale::fit(Some(s), 1_000, 1_500);
    assert_ne!(narrower, s, "a window that would fill under four fifths is drawn wider");
}
