//! The fault script: timed faults the user lays out on a timeline, replayed exactly with the
//! run. Crash and restart a node, split the network and heal it, slow one link down, skew a
//! node's clock, and "swizzle": clog nodes one by one, then unclog them in a random order. A
//! step may also be a request, typed as the page takes it at a node ("put x 1" at a client,
//! "join G3" at the sharded database's configuration service), so an operator's command has
//! its place on the timeline too.

use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use crate::json::{self, Fields, Json};
use crate::protocol::{NodeId, Time};
use crate::rng::Rng;

/// Most steps a script may hold, latest time a step may have, and the limits of its sizes.
pub const MAX_STEPS: usize = 500;
pub const MAX_AT_MS: u64 = 3_600_000;
pub const MAX_SLOWDOWN: u32 = 100;
pub const SKEW_PCT: (i32, i32) = (-90, 900);
/// Longest request a step may type, in characters.
pub const MAX_REQUEST_CHARS: usize = 100;

/// In a scenario document, a step is an object with `at_ms`, `do` (the step's name, e.g.
/// `slow-link`) and the step's fields.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum FaultStep {
    Crash {
        node: u32,
    },
    Restart {
        node: u32,
    },
    /// These nodes on one side, the rest on the other.
    Partition {
        nodes: Vec<u32>,
    },
    Heal,
    /// Messages from `node` to `to` take `factor` times as long (1: back to normal).
    SlowLink {
        node: u32,
        to: u32,
        factor: u32,
    },
    /// The node's clock runs `pct` percent slow (positive: its timers fire later) or fast.
    ClockSkew {
        node: u32,
        pct: i32,
    },
    /// Clog these nodes one by one, `spacing_ms` apart, then unclog them in a random order.
    Swizzle {
        nodes: Vec<u32>,
        spacing_ms: u64,
    },
    /// A request, as typed on the page, to `node` (the protocol parses it when the run is
    /// built, and refuses it with its reason).
    Request {
        node: u32,
        op: String,
    },
}

/// One step of a script, at a virtual time in milliseconds.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Timed {
    pub at_ms: u64,
    pub step: FaultStep,
}

impl Timed {
    /// The document form: `{"at_ms": 300, "do": "crash", "node": 1}`.
    pub fn to_json(&self) -> Json {
        let int = |n: u64| Json::Int(n as i128);
        let mut fields = vec![("at_ms", int(self.at_ms)), ("do", Json::str(self.step.name()))];
        match &self.step {
            FaultStep::Crash { node } | FaultStep::Restart { node } => {
                fields.push(("node", int(*node as u64)))
            }
            FaultStep::Partition { nodes } => fields.push(("nodes", json::ints(nodes.iter().copied()))),
            FaultStep::Heal => {}
            FaultStep::SlowLink { node, to, factor } => fields.extend([
                ("node", int(*node as u64)),
                ("to", int(*to as u64)),
                ("factor", int(*factor as u64)),
            ]),
            FaultStep::ClockSkew { node, pct } => {
                fields.extend([("node", int(*node as u64)), ("pct", Json::Int(*pct as i128))])
            }
            FaultStep::Swizzle { nodes, spacing_ms } => fields
                .extend([("nodes", json::ints(nodes.iter().copied())), ("spacing_ms", int(*spacing_ms))]),
            FaultStep::Request { node, op } => {
                fields.extend([("node", int(*node as u64)), ("op", Json::str(op.as_str()))])
            }
        }
        json::object(fields.into_iter().map(|(n, v)| (n, Some(v))))
    }

    /// Read the document form; every field the step does not have is refused.
    pub fn from_json(v: &Json, what: &str) -> Result<Timed, String> {
        let mut f = Fields::of(v, what)?;
        let at_ms = f.u64("at_ms")?;
        let kind = f.str("do")?;
        let own: &[&str] = match kind.as_str() {
            "crash" | "restart" => &["node"],
            "partition" => &["nodes"],
            "slow-link" => &["node", "to", "factor"],
            "clock-skew" => &["node", "pct"],
            "swizzle" => &["nodes", "spacing_ms"],
            "request" => &["node", "op"],
            _ => &[],
        };
        f.only(&[&["at_ms", "do"][..], own].concat())?;
        let step = match kind.as_str() {
            "crash" => FaultStep::Crash { node: f.u32("node")? },
            "restart" => FaultStep::Restart { node: f.u32("node")? },
            "partition" => FaultStep::Partition { nodes: f.list("nodes", json::u32_item)? },
            "heal" => FaultStep::Heal,
            "slow-link" => {
                FaultStep::SlowLink { node: f.u32("node")?, to: f.u32("to")?, factor: f.u32("factor")? }
            }
            "clock-skew" => FaultStep::ClockSkew { node: f.u32("node")?, pct: f.i32("pct")? },
            "swizzle" => FaultStep::Swizzle {
                nodes: f.list("nodes", json::u32_item)?,
                spacing_ms: f.u64("spacing_ms")?,
            },
            "request" => FaultStep::Request { node: f.u32("node")?, op: f.str("op")? },
            other => return Err(format!("{what}: unknown step \"{other}\"")),
        };
        Ok(Timed { at_ms, step })
    }
}

/// What the simulator does: the script's steps with swizzles expanded.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Primitive {
    Crash(NodeId),
    Restart(NodeId),
    Partition(Vec<NodeId>),
    Heal,
    SlowLink(NodeId, NodeId, u32),
    Skew(NodeId, i32),
    /// Cut every link to and from the node / restore them.
    Clog(NodeId),
    Unclog(NodeId),
    /// A request as typed, to the node.
    Request(NodeId, String),
}

impl FaultStep {
    pub fn name(&self) -> &'static str {
        match self {
            FaultStep::Crash { .. } => "crash",
            FaultStep::Restart { .. } => "restart",
            FaultStep::Partition { .. } => "partition",
            FaultStep::Heal => "heal",
            FaultStep::SlowLink { .. } => "slow-link",
            FaultStep::ClockSkew { .. } => "clock-skew",
            FaultStep::Swizzle { .. } => "swizzle",
            FaultStep::Request { .. } => "request",
        }
    }
    /// The nodes the step is about (its lane on the timeline).
    pub fn nodes(&self) -> Vec<u32> {
        match self {
            FaultStep::Crash { node }
            | FaultStep::Restart { node }
            | FaultStep::ClockSkew { node, .. }
            | FaultStep::Request { node, .. } => alloc::vec![*node],
            FaultStep::SlowLink { node, to, .. } => alloc::vec![*node, *to],
            FaultStep::Partition { nodes } | FaultStep::Swizzle { nodes, .. } => nodes.clone(),
            FaultStep::Heal => Vec::new(),
        }
    }
    pub fn describe(&self, name: &dyn Fn(u32) -> String) -> String {
        let list = |ns: &[u32]| ns.iter().map(|n| name(*n)).collect::<Vec<_>>().join(", ");
        match self {
            FaultStep::Crash { node } => format!("crash {}", name(*node)),
            FaultStep::Restart { node } => format!("restart {}", name(*node)),
            FaultStep::Partition { nodes } => format!("split off {}", list(nodes)),
            FaultStep::Heal => String::from("heal the network"),
            FaultStep::SlowLink { node, to, factor } => {
                format!("{} → {} {factor}× slower", name(*node), name(*to))
            }
            FaultStep::ClockSkew { node, pct } => format!("{}'s clock {pct:+}%", name(*node)),
            FaultStep::Swizzle { nodes, spacing_ms } => {
                format!("swizzle {} every {spacing_ms} ms", list(nodes))
            }
            FaultStep::Request { node, op } => format!("“{op}” to {}", name(*node)),
        }
    }
}

/// Check a script against the cluster's size and the limits, naming the step and the field.
pub fn validate(script: &[Timed], nodes: usize) -> Result<(), String> {
    if script.len() > MAX_STEPS {
        return Err(format!(
            "a fault script holds at most {MAX_STEPS} steps (this one has {})",
            script.len()
        ));
    }
    for (i, t) in script.iter().enumerate() {
        let n = i + 1;
        if t.at_ms > MAX_AT_MS {
            return Err(format!("fault step {n}: \"at_ms\" must be at most {MAX_AT_MS}"));
        }
        for node in t.step.nodes() {
            if node as usize >= nodes {
                return Err(format!(
                    "fault step {n}: there is no node {} (the cluster has {nodes})",
                    node + 1
                ));
            }
        }
        match &t.step {
            FaultStep::Partition { nodes: side } if side.is_empty() || side.len() >= nodes => {
                return Err(format!("fault step {n}: a partition needs at least one node on each side"));
            }
            FaultStep::SlowLink { node, to, factor } => {
                if node == to {
                    return Err(format!("fault step {n}: a link joins two different nodes"));
                }
                if !(1..=MAX_SLOWDOWN).contains(factor) {
                    return Err(format!("fault step {n}: \"factor\" must be between 1 and {MAX_SLOWDOWN}"));
                }
            }
            FaultStep::ClockSkew { pct, .. } if !(SKEW_PCT.0..=SKEW_PCT.1).contains(pct) => {
                return Err(format!(
                    "fault step {n}: \"pct\" must be between {} and {}",
                    SKEW_PCT.0, SKEW_PCT.1
                ));
            }
            FaultStep::Swizzle { nodes: ns, spacing_ms } => {
                if ns.is_empty() || ns.len() > 64 {
                    return Err(format!("fault step {n}: a swizzle lists 1 to 64 nodes"));
                }
                if !(1..=60_000).contains(spacing_ms) {
                    return Err(format!("fault step {n}: \"spacing_ms\" must be between 1 and 60000"));
                }
            }
            FaultStep::Request { op, .. }
                if op.trim().is_empty() || op.chars().count() > MAX_REQUEST_CHARS =>
            {
                return Err(format!("fault step {n}: a request is 1 to {MAX_REQUEST_CHARS} characters"));
            }
            _ => {}
        }
    }
    Ok(())
}

/// The primitives the simulator schedules, in time order (ties keep script order). A swizzle's
/// unclog order comes from its own generator, seeded by the run's seed and the step's place.
pub fn expand(script: &[Timed], seed: u64) -> Vec<(Time, Primitive)> {
    let mut out: Vec<(Time, Primitive)> = Vec::new();
    for (i, t) in script.iter().enumerate() {
        let at = Time::from_ms(t.at_ms);
        match &t.step {
            FaultStep::Crash { node } => out.push((at, Primitive::Crash(NodeId(*node)))),
            FaultStep::Restart { node } => out.push((at, Primitive::Restart(NodeId(*node)))),
            FaultStep::Partition { nodes } => {
                out.push((at, Primitive::Partition(nodes.iter().map(|n| NodeId(*n)).collect())))
            }
            FaultStep::Heal => out.push((at, Primitive::Heal)),
            FaultStep::SlowLink { node, to, factor } => {
                out.push((at, Primitive::SlowLink(NodeId(*node), NodeId(*to), *factor)))
            }
            FaultStep::ClockSkew { node, pct } => out.push((at, Primitive::Skew(NodeId(*node), *pct))),
            FaultStep::Swizzle { nodes, spacing_ms } => {
                let gap = spacing_ms * 1000;
                for (k, n) in nodes.iter().enumerate() {
                    out.push((Time(at.0 + gap * k as u64), Primitive::Clog(NodeId(*n))));
                }
                let mut order: Vec<u32> = nodes.clone();
                let mut rng = Rng::new(seed ^ (0x0577_1221_u64 << 8) ^ i as u64);
                for k in (1..order.len()).rev() {
                    let j = rng.below(k as u64 + 1) as usize;
                    order.swap(k, j);
                }
                let start = at.0 + gap * nodes.len() as u64;
                for (k, n) in order.iter().enumerate() {
                    out.push((Time(start + gap * k as u64), Primitive::Unclog(NodeId(*n))));
                }
            }
            FaultStep::Request { node, op } => out.push((at, Primitive::Request(NodeId(*node), op.clone()))),
        }
    }
    // Stable by time: keys are (time, index), and the one sort.
    let mut keyed: Vec<(u64, u32)> = out.iter().enumerate().map(|(i, (t, _))| (t.0, i as u32)).collect();
    crate::order::sort_keyed(&mut keyed);
    let mut slots: Vec<Option<(Time, Primitive)>> = out.into_iter().map(Some).collect();
    keyed.iter().filter_map(|(_, i)| slots[*i as usize].take()).collect()
}
