//! distlab's core for JavaScript, without the page: `wasm-pack build --target web js` turns this
//! crate into a package (`js/pkg/`: the wasm, its loader and TypeScript definitions).
//!
//! ```js
//! import init, { Run, lincheck, kafkaPartition, placement } from './pkg/distlab_js.js';
//! await init();
//! const run = Run.fromProtocol('raft', 7);
//! while (run.position < 200 && run.step()) {}
//! const snap = run.snapshot();       // { nodes: [...], flights: [...], boards: [...], ... }
//! run.act({ crash: 0 });             // or { restart: 0 }, { drop: id }, { partition: [3, 4] }, "heal",
//!                                    // { request: { node: 5, text: "put x 1" } }
//! ```
//!
//! Every value crosses as plain data (through serde-wasm-bindgen, or JSON where the format is
//! already one: scenario documents, client histories). Bad input is an `Error` with the reason,
//! never a panic. The run is the same as the page's and the CLI's: the same seed and scenario
//! give the same trace hash.

use distlab_core::hashing::{self, Algo, Params, Placement, MAX_NODES};
use distlab_core::lab::{self, Action, Lab, LabConfig};
use distlab_core::lincheck::{jsonl, Limits};
use distlab_core::protocol::{MsgId, NodeId};
use distlab_core::registry::Setup;
use distlab_core::scenario;
use serde::Deserialize;
use wasm_bindgen::prelude::*;

fn fail(e: impl core::fmt::Display) -> JsError {
    JsError::new(&e.to_string())
}

/// A seed as JavaScript holds numbers: a whole number from 0 to 2^53, as the page takes it.
fn seed(s: f64) -> Result<u64, JsError> {
    if s.fract() == 0.0 && (0.0..=(1u64 << 53) as f64).contains(&s) {
        Ok(s as u64)
    } else {
        Err(fail(format!("the seed must be a whole number from 0 to {} (got {s})", 1u64 << 53)))
    }
}

/// A run of one protocol, stepped, sought and acted on like the page's.
#[wasm_bindgen]
pub struct Run {
    lab: Box<dyn Lab>,
    cfg: LabConfig,
}

/// What `Run.act` takes (externally tagged: `{ "crash": 0 }`, `"heal"`).
#[derive(Deserialize)]
#[serde(rename_all = "lowercase", deny_unknown_fields)]
enum ActionIn {
    Crash(u32),
    Restart(u32),
    Drop(u64),
    Partition(Vec<u32>),
    Heal,
    Cut(u32, u32),
    Uncut(u32, u32),
    Request { node: u32, text: String },
}

impl From<ActionIn> for Action {
    fn from(a: ActionIn) -> Action {
        match a {
            ActionIn::Crash(n) => Action::Crash(NodeId(n)),
            ActionIn::Restart(n) => Action::Restart(NodeId(n)),
            ActionIn::Drop(id) => Action::Drop(MsgId(id)),
            ActionIn::Partition(side) => Action::Partition(side.into_iter().map(NodeId).collect()),
            ActionIn::Heal => Action::Heal,
            ActionIn::Cut(a, b) => Action::Cut(NodeId(a), NodeId(b)),
            ActionIn::Uncut(a, b) => Action::Uncut(NodeId(a), NodeId(b)),
            ActionIn::Request { node, text } => Action::Client(NodeId(node), text),
        }
    }
}

#[wasm_bindgen]
impl Run {
    /// A run of `protocol` (`paxos`, `raft`, …) with its default settings and `seed`.
    #[wasm_bindgen(js_name = fromProtocol)]
    pub fn from_protocol(protocol: &str, seed: f64) -> Result<Run, JsError> {
        let cfg = LabConfig {
            seed: self::seed(seed)?,
            ..LabConfig::new(Setup::default_for(protocol).map_err(fail)?)
        };
        Run::open(cfg, &[], None)
    }

    /// A run of one of the protocol's presets (`Run.presets(protocol)` lists them).
    #[wasm_bindgen(js_name = fromPreset)]
    pub fn from_preset(protocol: &str, preset: &str, seed: f64) -> Result<Run, JsError> {
        if !lab::scenarios(protocol).iter().any(|(name, _)| *name == preset) {
            return Err(fail(format!("{protocol} has no preset {preset:?}")));
        }
        let cfg = LabConfig {
            seed: self::seed(seed)?,
            scenario: Some(preset.to_string()),
            ..LabConfig::new(Setup::default_for(protocol).map_err(fail)?)
        };
        Run::open(cfg, &[], None)
    }

    /// The run a scenario document (the JSON the page exports and the CLI writes) describes,
    /// with its recorded actions, at the position it was saved at.
    #[wasm_bindgen(js_name = fromScenario)]
    pub fn from_scenario(json: &str) -> Result<Run, JsError> {
        let doc = scenario::from_json(json).map_err(fail)?;
        let (cfg, actions) = scenario::import(&doc).map_err(fail)?;
        Run::open(cfg, &actions, doc.position)
    }

    fn open(cfg: LabConfig, actions: &[(u64, Action)], position: Option<u64>) -> Result<Run, JsError> {
        let mut lab = lab::replay(&cfg, actions).map_err(fail)?;
        lab.seek(position.unwrap_or(0));
        Ok(Run { lab, cfg })
    }

    /// The presets of `protocol` as `[name, title]` pairs.
    pub fn presets(protocol: &str) -> Result<JsValue, JsError> {
        serde_wasm_bindgen::to_value(&lab::scenarios(protocol)).map_err(fail)
    }

    /// One event forward; false at the end of the run (its event limit, or nothing left).
    pub fn step(&mut self) -> bool {
        self.lab.step()
    }

    /// Go to event `position` (replayed from the nearest checkpoint: rewinding is replaying).
    pub fn seek(&mut self, position: u32) {
        self.lab.seek(position as u64)
    }

    /// The events run so far.
    #[wasm_bindgen(getter)]
    pub fn position(&self) -> u32 {
        // A run has at most `lab::MAX_EVENTS` (2,000,000) events.
        self.lab.position() as u32
    }

    /// Virtual time now, in microseconds.
    #[wasm_bindgen(getter, js_name = timeUs)]
    pub fn time_us(&self) -> f64 {
        self.lab.time().0 as f64
    }

    /// What the page draws at this position, as a plain object: `nodes` (name, up, role,
    /// state card, log), `flights` (messages in flight: from, to, kind, summary, times),
    /// `boards`, `metrics`, `violation`, … (see the package's README).
    pub fn snapshot(&self) -> Result<JsValue, JsError> {
        serde_wasm_bindgen::to_value(&self.lab.snapshot()).map_err(fail)
    }

    /// A user's action, as the page takes them: `{crash: n}`, `{restart: n}`, `{drop: msgId}`,
    /// `{partition: [nodes on side B]}`, `"heal"`, `{cut: [a, b]}`, `{uncut: [a, b]}`,
    /// `{request: {node, text}}` (a client request in the protocol's syntax). Taken after
    /// stepping back, it starts a new branch.
    pub fn act(&mut self, action: JsValue) -> Result<(), JsError> {
        let action: ActionIn = serde_wasm_bindgen::from_value(action).map_err(fail)?;
        self.lab.act(action.into()).map_err(fail)
    }

    /// The property broken at this position (`{event, property, message}`), or null.
    pub fn violation(&self) -> Result<JsValue, JsError> {
        match self.lab.violation() {
            Some(v) => serde_wasm_bindgen::to_value(&v).map_err(fail),
            None => Ok(JsValue::NULL),
        }
    }

    /// The running hash of the trace, as 16 hex digits: equal runs have equal hashes, here,
    /// in the page and in the CLI.
    #[wasm_bindgen(js_name = traceHash)]
    pub fn trace_hash(&self) -> String {
        format!("{:016x}", self.lab.trace_hash())
    }

    /// The run as a scenario document (JSON), at this position: the page opens it.
    pub fn scenario(&self) -> String {
        let mut doc = scenario::export(&self.cfg, &self.lab.actions());
        doc.position = Some(self.lab.position());
        scenario::to_json(&doc)
    }
}

/// Check a client history for linearizability: `history` as JSON lines (`{"process":0,
/// "type":"invoke","f":"write","key":"x","value":1}`, one a line: the format of `distlab
/// lincheck`), the search bounded by `maxStates` configurations (default 5,000,000). Returns
/// what `distlab lincheck` prints: `linearizable` (true, false or "unknown" with the reason),
/// and when not, the failing key and a minimal set of its operations that cannot be ordered.
#[wasm_bindgen]
pub fn lincheck(history: &str, max_states: Option<f64>) -> Result<JsValue, JsError> {
    if history.len() > MAX_HISTORY_BYTES {
        return Err(fail(format!("a history is at most {MAX_HISTORY_BYTES} bytes")));
    }
    let lines = jsonl::parse_history(history).map_err(fail)?;
    let limits = match max_states {
        Some(n) if n.fract() != 0.0 || !(1.0..=1e15).contains(&n) => {
            return Err(fail("maxStates must be a whole number from 1 to 10^15"))
        }
        Some(n) => Limits { states: n as u64, ..Limits::default() },
        None => Limits::default(),
    };
    let (verdict, _) =
        jsonl::verdict(&lines, limits).map_err(|(at, e)| fail(format!("history entry {at}: {e}")))?;
    js_sys::JSON::parse(&distlab_core::json::write(&verdict, None)).map_err(|_| fail("the verdict is JSON"))
}

/// Most bytes of history `lincheck` takes.
pub const MAX_HISTORY_BYTES: usize = 64 << 20;

/// Kafka's partition for a key (the Java client's murmur2 partitioner, as `distlab kafka
/// partition`).
#[wasm_bindgen(js_name = kafkaPartition)]
pub fn kafka_partition(key: &str, partitions: u32) -> Result<u32, JsError> {
    if partitions == 0 || partitions > i32::MAX as u32 {
        return Err(fail(format!("partitions must be between 1 and {}", i32::MAX)));
    }
    Ok(distlab_core::kafka::partition_for_key(key.as_bytes(), partitions))
}

/// Options of `placement`.
#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
struct PlacementOptions {
    vnodes: Option<usize>,
    c: Option<f64>,
    replicas: Option<usize>,
}

/// Where each of `keys` lives among `nodes` nodes (numbered from 0) under a placement
/// algorithm: `ring`, `rendezvous`, `maglev`, `bounded` or `modulo`; options `{vnodes, c,
/// replicas}`. One list of owners a key, the first first (`replicas` of them, default 1): what
/// `distlab ring lookup` prints for the same keys (bounded loads place each key against the
/// load of the ones before it).
#[wasm_bindgen]
pub fn placement(algo: &str, nodes: u32, keys: Vec<String>, options: JsValue) -> Result<JsValue, JsError> {
    let algo = Algo::parse(algo).ok_or_else(|| {
        let names: Vec<&str> = Algo::ALL.iter().map(|a| a.name()).collect();
        fail(format!("algo must be one of {} (got {algo:?})", names.join(", ")))
    })?;
    if algo == Algo::Jump {
        return Err(fail("jump hashes unsigned 64-bit keys: use jumpHash(key, buckets)"));
    }
    if nodes == 0 || nodes as usize > MAX_NODES {
        return Err(fail(format!("nodes must be between 1 and {MAX_NODES}")));
    }
    if keys.len() > hashing::MAX_KEYS {
        return Err(fail(format!("at most {} keys", hashing::MAX_KEYS)));
    }
    let o: PlacementOptions = if options.is_undefined() || options.is_null() {
        PlacementOptions::default()
    } else {
        serde_wasm_bindgen::from_value(options).map_err(fail)?
    };
    let mut params = Params::default();
    params.vnodes = o.vnodes.unwrap_or(params.vnodes);
    params.c = o.c.unwrap_or(params.c);
    params.validate().map_err(fail)?;
    let replicas = o.replicas.unwrap_or(1);
    if replicas == 0 || replicas > nodes as usize {
        return Err(fail(format!("replicas must be between 1 and {nodes}")));
    }
    let members: Vec<u32> = (0..nodes).collect();
    let hashes: Vec<u64> = keys.iter().map(|k| hashing::hash_key(k.as_bytes())).collect();
    let owners = Placement::new(algo, &members, &[], &params).owners(&hashes, replicas);
    serde_wasm_bindgen::to_value(&owners).map_err(fail)
}

/// Jump consistent hash of a 64-bit key over `buckets` buckets (as `distlab ring jump`).
#[wasm_bindgen(js_name = jumpHash)]
pub fn jump_hash(key: u64, buckets: u32) -> Result<u32, JsError> {
    // As the CLI: the published code's buckets are an int32_t.
    if buckets == 0 || buckets > i32::MAX as u32 {
        return Err(fail("buckets must be between 1 and 2147483647"));
    }
    Ok(hashing::jump(key, buckets))
}

/// The protocols a run can be built for.
#[wasm_bindgen]
pub fn protocols() -> Vec<String> {
    distlab_core::registry::PROTOCOLS.iter().map(|p| p.to_string()).collect()
}
