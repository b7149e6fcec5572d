//! The same golden run in headless Chromium: the trace hash must equal the native one.
#![cfg(target_arch = "wasm32")]

use distlab_tests::{golden_config, run, GOLDEN_EVENTS, GOLDEN_HASH};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn golden_trace_hash_matches_native() {
    let out = run(&golden_config(), GOLDEN_EVENTS);
    assert_eq!(out.events, GOLDEN_EVENTS);
    assert_eq!(out.trace_hash, GOLDEN_HASH);
}

#[wasm_bindgen_test]
fn time_travel_in_the_browser_matches_a_straight_run() {
    use distlab_core::lab;
    let cfg = golden_config();
    let mut l = lab::build(&cfg).unwrap();
    l.seek(3_000);
    l.seek(1_234);
    let back = l.trace_hash();
    let mut straight = lab::build(&cfg).unwrap();
    straight.seek(1_234);
    assert_eq!(back, straight.trace_hash());
}
