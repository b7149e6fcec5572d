//! The browser half of `scripts/bench.sh`: the same workload as `distlab bench`, timed with
//! `performance.now()`. It asserts only that the run is the same as native (the workload hash);
//! the numbers are printed for BENCHMARKS.md, never asserted.
#![cfg(all(target_arch = "wasm32", feature = "bench"))]

use distlab_core::lab;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn now_ms() -> f64 {
    js_sys::Reflect::get(&js_sys::global(), &"performance".into())
        .ok()
        .and_then(|p| js_sys::Reflect::get(&p, &"now".into()).ok().map(|f| (p, f)))
        .and_then(|(p, f)| js_sys::Function::from(f).call0(&p).ok())
        .and_then(|v| v.as_f64())
        .unwrap_or_else(js_sys::Date::now)
}

fn bench(protocol: &str, total: u64) {
    let t0 = now_ms();
    let (events, runs, hash) = lab::bench_workload(protocol, total).unwrap();
    let secs = (now_ms() - t0) / 1000.0;
    let at = 1_000_000;
    let mut l = lab::long_run(protocol, at).unwrap();
    let reps = 50;
    let t1 = now_ms();
    for i in 0..reps {
        l.seek(at - 1 - i);
    }
    let step_back_ms = (now_ms() - t1) / reps as f64;
    console_log!(
        "BENCH {{\"protocol\":\"{protocol}\",\"where\":\"wasm\",\"events\":{events},\"runs\":{runs},\"seconds\":{secs:.3},\"events_per_sec\":{:.0},\"workload_hash\":\"{hash:016x}\",\"step_back_at\":{at},\"step_back_ms\":{step_back_ms:.3}}}",
        events as f64 / secs
    );
    assert_eq!(events, total);
}

#[wasm_bindgen_test]
fn bench_paxos_in_the_browser() {
    bench("paxos", 5_000_000);
}

#[wasm_bindgen_test]
fn bench_raft_in_the_browser() {
    bench("raft", 5_000_000);
}

#[wasm_bindgen_test]
fn bench_kafka_in_the_browser() {
    bench("kafka", 5_000_000);
}

#[wasm_bindgen_test]
fn bench_multipaxos_in_the_browser() {
    bench("multipaxos", 5_000_000);
}

#[wasm_bindgen_test]
fn bench_swim_in_the_browser() {
    bench("swim", 5_000_000);
}

#[wasm_bindgen_test]
fn bench_coordination_in_the_browser() {
    bench("coordination", 5_000_000);
}

/// The explorer in wasm, on the bounds `BENCHMARKS.md` gives the native figures for.
fn explore(protocol: &str, bounds: distlab_core::explore::Bounds) {
    use distlab_core::explore;
    let cfg = explore::explore_config(protocol).unwrap();
    let t0 = now_ms();
    let r = explore::explore(&cfg, bounds).unwrap();
    let secs = (now_ms() - t0) / 1000.0;
    console_log!(
        "BENCH {{\"explore\":\"{protocol}\",\"where\":\"wasm\",\"states\":{},\"unique_states\":{},\"max_depth\":{},\"complete\":{},\"seconds\":{secs:.3},\"states_per_sec\":{:.0},\"seen_bytes\":{}}}",
        r.states,
        r.unique_states,
        r.max_depth,
        r.complete,
        r.states as f64 / secs,
        r.seen_bytes
    );
    assert!(r.violation.is_none());
}

#[wasm_bindgen_test]
fn bench_explore_in_the_browser() {
    use distlab_core::explore::{Bounds, Search};
    let dfs = |requests, max_term, timeouts, depth| Bounds {
        requests,
        max_term: Some(max_term),
        timeouts: Some(timeouts),
        depth,
        search: Search::Dfs,
        ..Bounds::default()
    };
    explore("paxos", dfs(2, 1, 0, 16));
    explore("raft", dfs(1, 2, 2, 12));
    explore("multipaxos", dfs(1, 2, 2, 12));
    explore("kafka", dfs(1, 2, 2, 12));
}

/// The pages that came after: a test of their own, so that no one test holds the page's thread
/// past the test runner's patience.
#[wasm_bindgen_test]
fn bench_explore_the_later_pages_in_the_browser() {
    use distlab_core::explore::{Bounds, Search};
    let dfs = |requests, timeouts, depth| Bounds {
        requests,
        crashes: if requests == 0 { 1 } else { 0 },
        max_term: Some(2),
        timeouts: Some(timeouts),
        depth,
        search: Search::Dfs,
        ..Bounds::default()
    };
    explore("coordination", dfs(1, 2, 8));
    explore("swim", dfs(0, 4, 8));
}

#[wasm_bindgen_test]
fn bench_shardkv_in_the_browser() {
    bench("shardkv", 2_000_000);
}

#[wasm_bindgen_test]
fn bench_dfs_in_the_browser() {
    bench("dfs", 2_000_000);
}
