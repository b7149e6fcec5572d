//! The document as JSON: the file form (indented) and the link's payload (compact). Reading
//! names the first field it does not know and checks every number's range.

use alloc::format;
use alloc::string::String;

use super::doc::{
    ActionDoc, CoordDoc, DfsDoc, KafkaDoc, ScenarioDoc, ShardKvDoc, SwimDoc, WorkloadDoc, MAX_DOC_BYTES,
};
use crate::json::{self, Fields, Json};

pub(super) fn doc_to_json(d: &ScenarioDoc) -> Json {
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
            ("idempotence", k.idempotence.map(Json::Bool)),
        ])
    });
    let swim = d.swim.as_ref().map(|w| {
        json::object([
            ("members", Some(int(w.members as u64))),
            ("detector", Some(Json::str(&w.detector))),
            ("selection", Some(Json::str(&w.selection))),
            ("period_ms", Some(int(w.period_ms))),
            ("ack_timeout_ms", Some(int(w.ack_timeout_ms))),
            ("indirect", Some(int(w.indirect as u64))),
            ("suspicion_periods", w.suspicion_periods.map(|p| int(p as u64))),
            ("retransmit", Some(int(w.retransmit as u64))),
            ("heartbeat_periods", Some(int(w.heartbeat_periods as u64))),
        ])
    });
    let coordination = d.coordination.as_ref().map(|c| {
        let n = |v: u32| Some(int(v as u64));
        json::object([
            ("recipe", Some(Json::str(&c.recipe))),
            ("session_timeout_ms", n(c.session_timeout_ms)),
            ("work_ms", n(c.work_ms)),
            ("think_ms", n(c.think_ms)),
            ("pause_pct", n(c.pause_pct)),
            ("pause_ms", n(c.pause_ms)),
            ("stagger_ms", n(c.stagger_ms)),
        ])
    });
    let dfs = d
        .dfs
        .as_ref()
        .map(|x| json::object([("racks", Some(Json::str(&x.racks))), ("rf", Some(int(x.rf as u64)))]));
    let shardkv = d.shardkv.as_ref().map(|k| {
        let n = |v: usize| Some(int(v as u64));
        json::object([
            ("groups", n(k.groups)),
            ("joined", n(k.joined)),
            ("shards", n(k.shards)),
            ("vnodes", n(k.vnodes)),
            ("moves_ms", Some(int(k.moves_ms as u64))),
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
        ("swim", swim),
        ("coordination", coordination),
        ("shardkv", shardkv),
        ("dfs", dfs),
        ("workload", Some(workload.unwrap_or(Json::Null))),
        (
            "fault_script",
            (!d.fault_script.is_empty())
                .then(|| Json::Array(d.fault_script.iter().map(|t| t.to_json()).collect())),
        ),
        ("explored", d.explored.then_some(Json::Bool(true))),
        ("actions", Some(Json::Array(actions.collect()))),
        ("position", d.position.map(int)),
    ])
}

pub(super) fn doc_from_json(v: &Json) -> Result<ScenarioDoc, String> {
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
        "swim",
        "coordination",
        "shardkv",
        "dfs",
        "workload",
        "fault_script",
        "explored",
        "actions",
        "position",
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
                "idempotence",
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
                idempotence: k.bool_opt("idempotence")?,
            })
        }
    };
    let swim = match f.get("swim") {
        None => None,
        Some(w) => {
            let mut w = Fields::of(w, "\"swim\"")?;
            w.only(&[
                "members",
                "detector",
                "selection",
                "period_ms",
                "ack_timeout_ms",
                "indirect",
                "suspicion_periods",
                "retransmit",
                "heartbeat_periods",
            ])?;
            Some(SwimDoc {
                members: w.usize("members")?,
                detector: w.str("detector")?,
                selection: w.str("selection")?,
                period_ms: w.u64("period_ms")?,
                ack_timeout_ms: w.u64("ack_timeout_ms")?,
                indirect: w.usize("indirect")?,
                suspicion_periods: w.u32_opt("suspicion_periods")?,
                retransmit: w.u32("retransmit")?,
                heartbeat_periods: w.u32("heartbeat_periods")?,
            })
        }
    };
    let coordination = match f.get("coordination") {
        None => None,
        Some(c) => {
            let mut c = Fields::of(c, "\"coordination\"")?;
            c.only(&[
                "recipe",
                "session_timeout_ms",
                "work_ms",
                "think_ms",
                "pause_pct",
                "pause_ms",
                "stagger_ms",
            ])?;
            Some(CoordDoc {
                recipe: c.str("recipe")?,
                session_timeout_ms: c.u32("session_timeout_ms")?,
                work_ms: c.u32("work_ms")?,
                think_ms: c.u32("think_ms")?,
                pause_pct: c.u32("pause_pct")?,
                pause_ms: c.u32("pause_ms")?,
                stagger_ms: c.u32("stagger_ms")?,
            })
        }
    };
    let shardkv = match f.get("shardkv") {
        None => None,
        Some(k) => {
            let mut k = Fields::of(k, "\"shardkv\"")?;
            k.only(&["groups", "joined", "shards", "vnodes", "moves_ms"])?;
            Some(ShardKvDoc {
                groups: k.usize("groups")?,
                joined: k.usize("joined")?,
                shards: k.usize("shards")?,
                vnodes: k.usize("vnodes")?,
                moves_ms: k.u32("moves_ms")?,
            })
        }
    };
    let dfs = match f.get("dfs") {
        None => None,
        Some(x) => {
            let mut x = Fields::of(x, "\"dfs\"")?;
            x.only(&["racks", "rf"])?;
            Some(DfsDoc { racks: x.str("racks")?, rf: x.u32("rf")? })
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
        swim,
        coordination,
        shardkv,
        dfs,
        workload,
        fault_script,
        explored: f.bool_opt("explored")?.unwrap_or(false),
        actions,
        position: f.u64_opt("position")?,
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
