//! The package in headless Chromium (`wasm-pack test --headless --chrome js`): each binding
//! against the core it wraps, and bad input refused with a message.
#![cfg(target_arch = "wasm32")]

use distlab_core::lab::{self, LabConfig};
use distlab_core::registry::Setup;
use distlab_js::*;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn get(v: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(v, &key.into()).unwrap()
}

fn json(text: &str) -> JsValue {
    js_sys::JSON::parse(text).unwrap()
}

/// The message of the error `r` must be.
fn err<T>(r: Result<T, wasm_bindgen::JsError>) -> String {
    match r {
        Ok(_) => panic!("expected an error"),
        Err(e) => get(&JsValue::from(e), "message").as_string().unwrap(),
    }
}

/// A run stepped through the package is the core's run: the same trace hash after the same
/// events, and the snapshot as a plain object.
#[wasm_bindgen_test]
fn a_run_steps_as_the_core_does_and_its_snapshot_is_plain_data() {
    let mut run = Run::from_protocol("raft", 7.0).unwrap();
    for _ in 0..400 {
        run.step();
    }
    assert_eq!(run.position(), 400);
    let mut core =
        lab::build(&LabConfig { seed: 7, ..LabConfig::new(Setup::default_for("raft").unwrap()) }).unwrap();
    core.seek(400);
    assert_eq!(run.trace_hash(), format!("{:016x}", core.trace_hash()));
    let snap = run.snapshot().unwrap();
    let nodes = js_sys::Array::from(&get(&snap, "nodes"));
    assert_eq!(nodes.length(), 6, "five servers and a client");
    assert_eq!(get(&nodes.get(0), "name").as_string().unwrap(), "S1");
    assert!(js_sys::Array::is_array(&get(&snap, "flights")));
    assert_eq!(get(&snap, "position").as_f64(), Some(400.0));
    // Back and forth: seeking is replaying.
    let hash = run.trace_hash();
    run.seek(100);
    assert_eq!(run.position(), 100);
    run.seek(400);
    assert_eq!(run.trace_hash(), hash);
}

#[wasm_bindgen_test]
fn actions_change_the_run_and_a_scenario_reopens_it() {
    let mut run = Run::from_protocol("raft", 3.0).unwrap();
    for _ in 0..50 {
        run.step();
    }
    run.act(json(r#"{"crash": 0}"#)).unwrap();
    run.step();
    let nodes = js_sys::Array::from(&get(&run.snapshot().unwrap(), "nodes"));
    assert_eq!(get(&nodes.get(0), "up"), JsValue::FALSE);
    run.act(json(r#"{"request": {"node": 5, "text": "put x 7"}}"#)).unwrap();
    run.act(JsValue::from_str("heal")).unwrap();
    for _ in 0..20 {
        run.step();
    }
    let again = Run::from_scenario(&run.scenario()).unwrap();
    assert_eq!((again.position(), again.trace_hash()), (run.position(), run.trace_hash()));
    for (bad, says) in [
        (json(r#"{"explode": 1}"#), "unknown variant"),
        (json(r#"{"crash": "S1"}"#), "invalid type"),
        (json(r#"{"request": {"node": 5, "text": "frobnicate"}}"#), ""),
    ] {
        let e = err(run.act(bad));
        assert!(!e.is_empty() && e.contains(says), "{e}");
    }
    assert!(err(Run::from_protocol("zab", 1.0)).contains("zab"));
    assert!(err(Run::from_protocol("raft", 0.5)).contains("seed"));
    assert!(err(Run::from_scenario("{")).len() > 3);
    assert!(err(Run::from_preset("raft", "nope", 1.0)).contains("no preset"));
}

/// A mutant's run breaks its property, and the violation crosses as an object.
#[wasm_bindgen_test]
fn a_violation_crosses_as_an_object() {
    let cfg = LabConfig {
        mutant: Some("commit-old-term".into()),
        scenario: Some("figure-8".into()),
        ..LabConfig::new(Setup::default_for("raft").unwrap())
    };
    let doc = distlab_core::scenario::to_json(&distlab_core::scenario::export(&cfg, &[]));
    let mut run = Run::from_scenario(&doc).unwrap();
    assert!(run.violation().unwrap().is_null());
    while run.violation().unwrap().is_null() && run.step() {}
    let v = run.violation().unwrap();
    assert_eq!(get(&v, "property").as_string().unwrap(), "leader-completeness");
    assert_eq!(get(&v, "event").as_f64(), Some(run.position() as f64));
    let presets = js_sys::Array::from(&Run::presets("raft").unwrap());
    assert!(presets.length() > 5);
}

#[wasm_bindgen_test]
fn lincheck_gives_the_clis_verdict() {
    let stale = concat!(
        r#"{"process":0,"type":"invoke","f":"write","key":"k","value":1}"#,
        "\n",
        r#"{"process":0,"type":"ok","f":"write","key":"k","value":1}"#,
        "\n",
        r#"{"process":1,"type":"invoke","f":"read","key":"k"}"#,
        "\n",
        r#"{"process":1,"type":"ok","f":"read","key":"k","value":null}"#,
    );
    let v = lincheck(stale, None).unwrap();
    assert_eq!(get(&v, "linearizable"), JsValue::FALSE);
    assert_eq!(get(&v, "failing_key").as_string().unwrap(), "k");
    assert_eq!(js_sys::Array::from(&get(&v, "minimal")).length(), 2);
    let fine = stale.replace(r#""value":null}"#, r#""value":1}"#);
    assert_eq!(get(&lincheck(&fine, None).unwrap(), "linearizable"), JsValue::TRUE);
    let unknown = lincheck(stale, Some(1.0)).unwrap();
    assert_eq!(get(&unknown, "linearizable").as_string().unwrap(), "unknown");
    assert!(err(lincheck("{\"process\":0}", None)).contains("line 1"));
    assert!(err(lincheck(stale, Some(0.0))).contains("maxStates"));
}

#[wasm_bindgen_test]
fn partitions_and_placements_match_the_cli() {
    assert_eq!(kafka_partition("foobar", 50).unwrap(), 16, "the Java client's partition");
    assert!(kafka_partition("x", 0).is_err());
    let keys = vec!["alice".to_string(), "bob".to_string(), "carol".to_string()];
    let owners = placement("ring", 5, keys.clone(), json(r#"{"replicas": 3}"#)).unwrap();
    let owners = js_sys::Array::from(&owners);
    assert_eq!(owners.length(), 3);
    let members: Vec<u32> = (0..5).collect();
    let hashes: Vec<u64> = keys.iter().map(|k| distlab_core::hashing::hash_key(k.as_bytes())).collect();
    let p = distlab_core::hashing::Placement::new(
        distlab_core::hashing::Algo::Ring,
        &members,
        &[],
        &distlab_core::hashing::Params::default(),
    );
    for (i, want) in p.owners(&hashes, 3).into_iter().enumerate() {
        let got: Vec<u32> =
            js_sys::Array::from(&owners.get(i as u32)).iter().map(|v| v.as_f64().unwrap() as u32).collect();
        assert_eq!(got, want);
    }
    for algo in ["rendezvous", "maglev", "bounded", "modulo"] {
        assert!(placement(algo, 7, keys.clone(), JsValue::UNDEFINED).is_ok(), "{algo}");
    }
    assert!(err(placement("jump", 5, keys.clone(), JsValue::UNDEFINED)).contains("jumpHash"));
    assert!(err(placement("ring", 0, keys.clone(), JsValue::UNDEFINED)).contains("nodes"));
    assert!(err(placement("ring", 5, keys, json(r#"{"replicas": 9}"#))).contains("replicas"));
    assert_eq!(jump_hash(42, 57).unwrap(), distlab_core::hashing::jump(42, 57));
    assert!(jump_hash(42, 1 << 31).is_err(), "past the published code's int32_t");
    assert!(protocols().contains(&"raft".to_string()));
}
