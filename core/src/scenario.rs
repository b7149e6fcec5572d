//! Scenarios as documents: a versioned JSON form of a run (protocol, parameters, seed, network
//! and faults, mutant, preset, and the user's recorded actions), and the share-link form of the
//! same document (compressed, in the URL fragment). Decoding checks every field against its
//! limit and names the field; it never panics, whatever the bytes.

use crate::echo::Echo;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use crate::json::{self, Fields, Json};
use crate::lab::{Action, LabConfig, MAX_EVENTS};
use crate::net::FaultPreset;
use crate::protocol::{MsgId, NodeId};

/// The document format's version. A link or file from another version is refused with a
/// message that says so.
pub const FORMAT_VERSION: u32 = 1;
/// Most recorded actions a scenario may carry.
pub const MAX_ACTIONS: usize = 10_000;
/// Longest request text in an action.
pub const MAX_TEXT: usize = 200;
/// Longest scenario document, in bytes, and longest share link fragment.
pub const MAX_DOC_BYTES: usize = 1 << 20;
pub const MAX_LINK_CHARS: usize = 64 * 1024;

#[derive(Clone, Debug, PartialEq)]
pub struct KafkaDoc {
    pub brokers: usize,
    pub partitions: u32,
    pub rf: u32,
    pub min_insync: u32,
    /// "0", "1" or "all".
    pub acks: String,
    pub consumers: usize,
    pub idle_consumers: usize,
    pub strategy: String,
    pub produce_every_ms: u64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct WorkloadDoc {
    pub keys: u32,
    pub reads_pct: u32,
    pub cas_pct: u32,
    pub think_ms: Option<u64>,
}

/// One recorded user action: applied as the event after `at`.
/// In the document, `act` is the field `do`; fields the action does not have are left out.
#[derive(Clone, Debug, PartialEq)]
pub struct ActionDoc {
    pub at: u64,
    /// crash, restart, drop, partition, heal, cut, uncut, request.
    pub act: String,
    pub node: Option<u32>,
    pub to: Option<u32>,
    pub nodes: Vec<u32>,
    pub message: Option<u64>,
    pub text: Option<String>,
}

/// Every field but the version, protocol, seed and faults may be missing or null.
#[derive(Clone, Debug, PartialEq)]
pub struct ScenarioDoc {
    /// The format version (see [`FORMAT_VERSION`]).
    pub distlab_scenario: u32,
    pub protocol: String,
    pub seed: u64,
    pub faults: String,
    pub mutant: Option<String>,
    pub preset: Option<String>,
    pub servers: Option<usize>,
    pub spares: Option<usize>,
    pub clients: Option<usize>,
    pub proposers: Option<usize>,
    pub acceptors: Option<usize>,
    pub learners: Option<usize>,
    pub backoff: Option<bool>,
    pub prevote: Option<bool>,
    pub check_quorum: Option<bool>,
    pub read_mode: Option<String>,
    pub snapshot_every: Option<u64>,
    pub kafka: Option<KafkaDoc>,
    /// Raft and Multi-Paxos clients' own requests: keys, shares of reads and compare-and-sets,
    /// and the think time between requests.
    pub workload: Option<WorkloadDoc>,
    /// Timed faults: crash, restart, partition, heal, slow-link, clock-skew, swizzle.
    pub fault_script: Vec<crate::faultscript::Timed>,
    pub actions: Vec<ActionDoc>,
}

/// The document of a run: its configuration and the actions recorded so far.
pub fn export(cfg: &LabConfig, actions: &[(u64, Action)]) -> ScenarioDoc {
    let mut d = ScenarioDoc {
        distlab_scenario: FORMAT_VERSION,
        protocol: cfg.protocol().into(),
        seed: cfg.seed,
        faults: cfg.faults.name().into(),
        mutant: cfg.mutant.clone(),
        preset: cfg.scenario.clone(),
        servers: None,
        spares: None,
        clients: None,
        proposers: None,
        acceptors: None,
        learners: None,
        backoff: None,
        prevote: None,
        check_quorum: None,
        read_mode: None,
        snapshot_every: None,
        kafka: None,
        workload: None,
        fault_script: cfg.fault_script.clone(),
        actions: actions.iter().map(|(at, a)| action_doc(*at, a)).collect(),
    };
    cfg.setup.export(&mut d);
    d
}

/// The document's form of the clients' workload.
pub fn workload_doc(w: crate::kv::Workload, think_ms: Option<u64>) -> WorkloadDoc {
    WorkloadDoc { keys: w.keys, reads_pct: w.reads_pct, cas_pct: w.cas_pct, think_ms }
}

impl WorkloadDoc {
    /// The workload and think time it describes.
    pub fn get(&self) -> (crate::kv::Workload, Option<u64>) {
        (
            crate::kv::Workload { keys: self.keys, reads_pct: self.reads_pct, cas_pct: self.cas_pct },
            self.think_ms,
        )
    }
}

fn action_doc(at: u64, a: &Action) -> ActionDoc {
    let mut d = ActionDoc {
        at,
        act: String::new(),
        node: None,
        to: None,
        nodes: Vec::new(),
        message: None,
        text: None,
    };
    match a {
        Action::Crash(n) => (d.act, d.node) = ("crash".into(), Some(n.0)),
        Action::Restart(n) => (d.act, d.node) = ("restart".into(), Some(n.0)),
        Action::Drop(m) => (d.act, d.message) = ("drop".into(), Some(m.0)),
        Action::Partition(side) => {
            (d.act, d.nodes) = ("partition".into(), side.iter().map(|n| n.0).collect())
        }
        Action::Heal => d.act = "heal".into(),
        Action::Cut(a, b) => (d.act, d.node, d.to) = ("cut".into(), Some(a.0), Some(b.0)),
        Action::Uncut(a, b) => (d.act, d.node, d.to) = ("uncut".into(), Some(a.0), Some(b.0)),
        Action::Client(n, text) => {
            (d.act, d.node, d.text) = ("request".into(), Some(n.0), Some(text.clone()))
        }
    }
    d
}

/// A field the document must have for its protocol, or a message naming it.
pub fn required<T>(v: Option<T>, name: &str) -> Result<T, String> {
    v.ok_or_else(|| format!("the scenario has no \"{name}\""))
}

/// Check a document and turn it into a configuration and actions. Sizes are checked again
/// when the run is built (`lab::build`), with messages that name the field.
pub fn import(d: &ScenarioDoc) -> Result<(LabConfig, Vec<(u64, Action)>), String> {
    if d.distlab_scenario != FORMAT_VERSION {
        return Err(format!(
            "this scenario is format version {}, and this distlab reads version {FORMAT_VERSION}; it cannot be opened here",
            d.distlab_scenario
        ));
    }
    if !crate::registry::PROTOCOLS.contains(&d.protocol.as_str()) {
        return Err(format!(
            "\"protocol\" must be one of {} (got {})",
            crate::registry::PROTOCOLS.join(", "),
            Echo(&d.protocol)
        ));
    }
    let faults = FaultPreset::parse(&d.faults)
        .ok_or_else(|| format!("\"faults\" must be none, light or heavy (got {})", Echo(&d.faults)))?;
    if d.seed > 1 << 53 {
        return Err("\"seed\" must be at most 2^53".into());
    }
    let mut cfg = LabConfig {
        seed: d.seed,
        faults,
        mutant: d.mutant.clone(),
        scenario: d.preset.clone(),
        ..LabConfig::new(crate::registry::Setup::import(d)?)
    };
    if d.fault_script.len() > crate::faultscript::MAX_STEPS {
        return Err(format!("a fault script holds at most {} steps", crate::faultscript::MAX_STEPS));
    }
    cfg.fault_script = d.fault_script.clone();
    if d.actions.len() > MAX_ACTIONS {
        return Err(format!(
            "a scenario carries at most {MAX_ACTIONS} actions (this one has {})",
            d.actions.len()
        ));
    }
    let mut actions = Vec::with_capacity(d.actions.len());
    let mut last = 0;
    for (i, a) in d.actions.iter().enumerate() {
        let n = i + 1;
        if a.at < last || a.at >= MAX_EVENTS {
            return Err(format!(
                "action {n}: \"at\" must not go back in time and must stay below {MAX_EVENTS}"
            ));
        }
        last = a.at;
        let node = |v: Option<u32>, name: &str| {
            v.map(NodeId).ok_or_else(|| format!("action {n}: \"{name}\" is missing"))
        };
        let action = match a.act.as_str() {
            "crash" => Action::Crash(node(a.node, "node")?),
            "restart" => Action::Restart(node(a.node, "node")?),
            "drop" => {
                Action::Drop(MsgId(a.message.ok_or_else(|| format!("action {n}: \"message\" is missing"))?))
            }
            "partition" => {
                if a.nodes.is_empty() || a.nodes.len() > 64 {
                    return Err(format!("action {n}: a partition lists 1 to 64 nodes"));
                }
                Action::Partition(a.nodes.iter().map(|x| NodeId(*x)).collect())
            }
            "heal" => Action::Heal,
            "cut" => Action::Cut(node(a.node, "node")?, node(a.to, "to")?),
            "uncut" => Action::Uncut(node(a.node, "node")?, node(a.to, "to")?),
            "request" => {
                let text = a.text.clone().ok_or_else(|| format!("action {n}: \"text\" is missing"))?;
                if text.len() > MAX_TEXT {
                    return Err(format!("action {n}: \"text\" is longer than {MAX_TEXT} bytes"));
                }
                Action::Client(node(a.node, "node")?, text)
            }
            other => return Err(format!("action {n}: unknown action \"{other}\"")),
        };
        actions.push((a.at, action));
    }
    Ok((cfg, actions))
}

fn doc_to_json(d: &ScenarioDoc) -> Json {
    let int = |n: u64| Json::Int(n as i128);
    let size = |n: Option<usize>| Json::opt(n, |n| int(n as u64));
    let text = |t: &Option<String>| Json::opt(t.as_deref(), Json::str);
    let flag = |b: Option<bool>| Json::opt(b, Json::Bool);
    let kafka = d.kafka.as_ref().map(|k| {
        json::object([
            ("brokers", Some(int(k.brokers as u64))),
            ("partitions", Some(int(k.partitions as u64))),
            ("rf", Some(int(k.rf as u64))),
            ("min_insync", Some(int(k.min_insync as u64))),
            ("acks", Some(Json::str(&k.acks))),
            ("consumers", Some(int(k.consumers as u64))),
            ("idle_consumers", Some(int(k.idle_consumers as u64))),
            ("strategy", Some(Json::str(&k.strategy))),
            ("produce_every_ms", Some(int(k.produce_every_ms))),
        ])
    });
    let workload = d.workload.as_ref().map(|w| {
        json::object([
            ("keys", Some(int(w.keys as u64))),
            ("reads_pct", Some(int(w.reads_pct as u64))),
            ("cas_pct", Some(int(w.cas_pct as u64))),
            ("think_ms", Some(Json::opt(w.think_ms, int))),
        ])
    });
    let actions = d.actions.iter().map(|a| {
        json::object([
            ("at", Some(int(a.at))),
            ("do", Some(Json::str(&a.act))),
            ("node", a.node.map(|n| int(n as u64))),
            ("to", a.to.map(|n| int(n as u64))),
            ("nodes", (!a.nodes.is_empty()).then(|| json::ints(a.nodes.iter().copied()))),
            ("message", a.message.map(int)),
            ("text", a.text.as_deref().map(Json::str)),
        ])
    });
    json::object([
        ("distlab_scenario", Some(int(d.distlab_scenario as u64))),
        ("protocol", Some(Json::str(&d.protocol))),
        ("seed", Some(int(d.seed))),
        ("faults", Some(Json::str(&d.faults))),
        ("mutant", Some(text(&d.mutant))),
        ("preset", Some(text(&d.preset))),
        ("servers", Some(size(d.servers))),
        ("spares", Some(size(d.spares))),
        ("clients", Some(size(d.clients))),
        ("proposers", Some(size(d.proposers))),
        ("acceptors", Some(size(d.acceptors))),
        ("learners", Some(size(d.learners))),
        ("backoff", Some(flag(d.backoff))),
        ("prevote", Some(flag(d.prevote))),
        ("check_quorum", Some(flag(d.check_quorum))),
        ("read_mode", Some(text(&d.read_mode))),
        ("snapshot_every", Some(Json::opt(d.snapshot_every, int))),
        ("kafka", Some(kafka.unwrap_or(Json::Null))),
        ("workload", Some(workload.unwrap_or(Json::Null))),
        (
            "fault_script",
            (!d.fault_script.is_empty())
                .then(|| Json::Array(d.fault_script.iter().map(|t| t.to_json()).collect())),
        ),
        ("actions", Some(Json::Array(actions.collect()))),
    ])
}

fn doc_from_json(v: &Json) -> Result<ScenarioDoc, String> {
    let mut f = Fields::of(v, "the scenario")?;
    f.only(&[
        "distlab_scenario",
        "protocol",
        "seed",
        "faults",
        "mutant",
        "preset",
        "servers",
        "spares",
        "clients",
        "proposers",
        "acceptors",
        "learners",
        "backoff",
        "prevote",
        "check_quorum",
        "read_mode",
        "snapshot_every",
        "kafka",
        "workload",
        "fault_script",
        "actions",
    ])?;
    let kafka = match f.get("kafka") {
        None => None,
        Some(k) => {
            let mut k = Fields::of(k, "\"kafka\"")?;
            k.only(&[
                "brokers",
                "partitions",
                "rf",
                "min_insync",
                "acks",
                "consumers",
                "idle_consumers",
                "strategy",
                "produce_every_ms",
            ])?;
            Some(KafkaDoc {
                brokers: k.usize("brokers")?,
                partitions: k.u32("partitions")?,
                rf: k.u32("rf")?,
                min_insync: k.u32("min_insync")?,
                acks: k.str("acks")?,
                consumers: k.usize("consumers")?,
                idle_consumers: k.usize("idle_consumers")?,
                strategy: k.str("strategy")?,
                produce_every_ms: k.u64("produce_every_ms")?,
            })
        }
    };
    let workload = match f.get("workload") {
        None => None,
        Some(w) => {
            let mut w = Fields::of(w, "\"workload\"")?;
            w.only(&["keys", "reads_pct", "cas_pct", "think_ms"])?;
            Some(WorkloadDoc {
                keys: w.u32("keys")?,
                reads_pct: w.u32("reads_pct")?,
                cas_pct: w.u32("cas_pct")?,
                think_ms: w.u64_opt("think_ms")?,
            })
        }
    };
    let fault_script =
        f.list("fault_script", |n, t| crate::faultscript::Timed::from_json(t, &format!("fault step {n}")))?;
    let actions = f.list("actions", |n, a| {
        let what = format!("action {n}");
        let mut a = Fields::of(a, &what)?;
        a.only(&["at", "do", "node", "to", "nodes", "message", "text"])?;
        Ok(ActionDoc {
            at: a.u64("at")?,
            act: a.str("do")?,
            node: a.u32_opt("node")?,
            to: a.u32_opt("to")?,
            nodes: a.list("nodes", json::u32_item)?,
            message: a.u64_opt("message")?,
            text: a.str_opt("text")?,
        })
    })?;
    let d = ScenarioDoc {
        distlab_scenario: f.u32("distlab_scenario")?,
        protocol: f.str("protocol")?,
        seed: f.u64("seed")?,
        faults: f.str("faults")?,
        mutant: f.str_opt("mutant")?,
        preset: f.str_opt("preset")?,
        servers: f.usize_opt("servers")?,
        spares: f.usize_opt("spares")?,
        clients: f.usize_opt("clients")?,
        proposers: f.usize_opt("proposers")?,
        acceptors: f.usize_opt("acceptors")?,
        learners: f.usize_opt("learners")?,
        backoff: f.bool_opt("backoff")?,
        prevote: f.bool_opt("prevote")?,
        check_quorum: f.bool_opt("check_quorum")?,
        read_mode: f.str_opt("read_mode")?,
        snapshot_every: f.u64_opt("snapshot_every")?,
        kafka,
        workload,
        fault_script,
        actions,
    };
    Ok(d)
}

/// Parse a scenario file.
pub fn from_json(text: &str) -> Result<ScenarioDoc, String> {
    if text.len() > MAX_DOC_BYTES {
        return Err(format!("a scenario file is at most {MAX_DOC_BYTES} bytes"));
    }
    json::parse(text)
        .and_then(|v| doc_from_json(&v))
        .map_err(|e| format!("this is not a distlab scenario: {e}"))
}

pub fn to_json(d: &ScenarioDoc) -> String {
    json::write(&doc_to_json(d), Some(2))
}

/// The share-link form: `1.` and the compressed JSON in URL-safe base64.
pub fn to_link(d: &ScenarioDoc) -> String {
    let json = json::write(&doc_to_json(d), None);
    format!("{FORMAT_VERSION}.{}", base64url(&compress(json.as_bytes())))
}

/// Read a share link's payload (what follows `s=`).
pub fn from_link(link: &str) -> Result<ScenarioDoc, String> {
    if link.len() > MAX_LINK_CHARS {
        return Err(format!("the link is longer than {MAX_LINK_CHARS} characters"));
    }
    let (version, payload) = link.split_once('.').ok_or("the link's scenario has no version")?;
    match version.parse::<u32>() {
        Ok(FORMAT_VERSION) => {}
        Ok(v) => {
            return Err(format!(
                "the link is from format version {v}; this distlab reads version {FORMAT_VERSION}, so it cannot open it"
            ))
        }
        Err(_) => return Err("the link's version is not a number".into()),
    }
    let bytes = unbase64url(payload).ok_or("the link is damaged (not base64)")?;
    let json = decompress(&bytes, MAX_DOC_BYTES).ok_or("the link is damaged (it does not decompress)")?;
    let text = core::str::from_utf8(&json).map_err(|_| "the link is damaged (not text)".to_string())?;
    from_json(text)
}

// A small LZ77 (LZSS) coder: a flag byte announces eight items; a set bit is a literal byte,
// a clear bit a back-reference of two bytes (12-bit distance, 4-bit length − 3).
const WINDOW: usize = 4095;
const MIN_MATCH: usize = 3;
const MAX_MATCH: usize = 18;

pub fn compress(input: &[u8]) -> Vec<u8> {
    // Candidate matches come from a hash chain over 3-byte prefixes (at most 32 tried), so
    // long documents compress in linear time.
    const NONE: usize = usize::MAX;
    let hash =
        |i: usize| ((input[i] as usize) << 8 ^ (input[i + 1] as usize) << 4 ^ input[i + 2] as usize) & 4095;
    let mut head = alloc::vec![NONE; 4096];
    let mut prev = alloc::vec![NONE; input.len()];
    let mut inserted = 0;
    let mut out = Vec::with_capacity(input.len() / 2 + 8);
    let mut i = 0;
    while i < input.len() {
        let flag_at = out.len();
        out.push(0u8);
        for bit in 0..8 {
            if i >= input.len() {
                break;
            }
            while inserted < i && inserted + 2 < input.len() {
                let h = hash(inserted);
                prev[inserted] = head[h];
                head[h] = inserted;
                inserted += 1;
            }
            let (mut best_len, mut best_dist) = (0, 0);
            if i + 2 < input.len() {
                let mut j = head[hash(i)];
                let mut tries = 0;
                while j != NONE && i - j <= WINDOW && tries < 32 {
                    let mut l = 0;
                    while l < MAX_MATCH && i + l < input.len() && input[j + l] == input[i + l] {
                        l += 1;
                    }
                    if l > best_len {
                        (best_len, best_dist) = (l, i - j);
                    }
                    j = prev[j];
                    tries += 1;
                }
            }
            if best_len >= MIN_MATCH {
                let code = ((best_dist as u16) << 4) | (best_len - MIN_MATCH) as u16;
                out.extend_from_slice(&code.to_be_bytes());
                i += best_len;
            } else {
                out[flag_at] |= 1 << bit;
                out.push(input[i]);
                i += 1;
            }
        }
    }
    out
}

/// Decompress, or `None` if the bytes are not a valid stream or the output would pass `limit`.
pub fn decompress(input: &[u8], limit: usize) -> Option<Vec<u8>> {
    let mut out: Vec<u8> = Vec::new();
    let mut i = 0;
    while i < input.len() {
        let flags = input[i];
        i += 1;
        for bit in 0..8 {
            if i >= input.len() {
                break;
            }
            if flags & (1 << bit) != 0 {
                out.push(input[i]);
                i += 1;
            } else {
                let hi = *input.get(i)?;
                let lo = *input.get(i + 1)?;
                i += 2;
                let code = u16::from_be_bytes([hi, lo]);
                let dist = (code >> 4) as usize;
                let len = (code & 0xf) as usize + MIN_MATCH;
                if dist == 0 || dist > out.len() {
                    return None;
                }
                let from = out.len() - dist;
                for k in 0..len {
                    let b = out[from + k];
                    out.push(b);
                }
            }
            if out.len() > limit {
                return None;
            }
        }
    }
    Some(out)
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

pub fn base64url(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 4 / 3 + 4);
    for c in bytes.chunks(3) {
        let n = (c[0] as u32) << 16 | (*c.get(1).unwrap_or(&0) as u32) << 8 | *c.get(2).unwrap_or(&0) as u32;
        for k in 0..=c.len() {
            s.push(B64[((n >> (18 - 6 * k)) & 63) as usize] as char);
        }
    }
    s
}

pub fn unbase64url(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for ch in s.bytes() {
        let v = B64.iter().position(|b| *b == ch)? as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}
