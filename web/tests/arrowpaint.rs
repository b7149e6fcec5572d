#![cfg(not(target_arch = "wasm32"))]
//! The painted arrows' hit test: the pointer picks the arrow nearest it within reach, the one
//! on top on a tie, and none when it is farther from every arrow.

use distlab_web::arrowpaint::{nearest, segment_distance, Line, Stroke, REACH};

fn stroke(index: usize, from: (f64, f64), to: (f64, f64)) -> Stroke {
    Stroke {
        index,
        id: index as u64,
        from,
        to,
        color: "#000",
        line: Line::Whole,
        dropped: false,
        delivered: true,
        picked: false,
    }
}

#[test]
fn the_distance_to_an_arrow_is_to_its_nearest_point() {
    let (a, b) = ((0.0, 0.0), (10.0, 0.0));
    assert_eq!(segment_distance((5.0, 3.0), a, b), 3.0, "beside the middle");
    assert_eq!(segment_distance((-3.0, 4.0), a, b), 5.0, "past the start: to the start");
    assert_eq!(segment_distance((13.0, 4.0), a, b), 5.0, "past the end: to the end");
    assert_eq!(segment_distance((3.0, 4.0), a, a), 5.0, "an arrow of no length: its point");
}

#[test]
fn the_pointer_picks_the_nearest_arrow_within_reach() {
    let strokes = [
        stroke(0, (0.0, 0.0), (100.0, 40.0)),
        stroke(1, (0.0, 40.0), (100.0, 0.0)),
        stroke(2, (0.0, 100.0), (100.0, 100.0)),
    ];
    assert_eq!(nearest(&strokes, (50.0, 98.0), REACH), Some(2));
    assert_eq!(nearest(&strokes, (10.0, 5.0), REACH), Some(0));
    assert_eq!(nearest(&strokes, (10.0, 35.0), REACH), Some(1));
    assert_eq!(nearest(&strokes, (50.0, 20.0), REACH), Some(1), "where two cross: the one on top");
    assert_eq!(nearest(&strokes, (50.0, 60.0), REACH), None, "far from every arrow");
    assert_eq!(nearest(&strokes, (50.0, 100.0 + REACH + 0.1), REACH), None, "just out of reach");
    assert_eq!(nearest(&[], (0.0, 0.0), REACH), None);
}

/// ↑ and ↓ on a painted canvas: from nothing picked to the first or the last, wrapping round at
/// either end; other keys, and an empty canvas, pick nothing.
#[test]
fn the_arrow_keys_step_through_the_picks_and_wrap() {
    use distlab_web::canvas::step;
    assert_eq!(step("ArrowDown", None, 3), Some(0));
    assert_eq!(step("ArrowUp", None, 3), Some(2));
    assert_eq!(step("ArrowDown", Some(1), 3), Some(2));
    assert_eq!(step("ArrowDown", Some(2), 3), Some(0), "past the last: the first");
    assert_eq!(step("ArrowUp", Some(0), 3), Some(2), "before the first: the last");
    assert_eq!(step("ArrowLeft", Some(0), 3), None);
    assert_eq!(step("ArrowDown", None, 0), None, "nothing to pick");
}
