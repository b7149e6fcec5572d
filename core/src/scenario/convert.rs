//! A run's configuration and actions to a document and back: [`export`] and [`import`].

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use super::doc::{ActionDoc, ScenarioDoc, FORMAT_VERSION, MAX_ACTIONS, MAX_TEXT};
use crate::echo::Echo;
use crate::lab::{Action, LabConfig, MAX_EVENTS};
use crate::net::FaultPreset;
use crate::protocol::{MsgId, NodeId};

/// The document of a run: its configuration and the actions recorded so far (no position:
/// the caller that knows where the run stands sets it).
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
        swim: None,
        coordination: None,
        shardkv: None,
        dfs: None,
        workload: None,
        fault_script: cfg.fault_script.clone(),
        explored: cfg.explored,
        actions: actions.iter().map(|(at, a)| action_doc(*at, a)).collect(),
        position: None,
    };
    cfg.setup.export(&mut d);
    d
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
        Action::Deliver(m) => (d.act, d.message) = ("deliver".into(), Some(m.0)),
        Action::Duplicate(m) => (d.act, d.message) = ("duplicate".into(), Some(m.0)),
        Action::Fire(n, timer) => (d.act, d.node, d.text) = ("fire".into(), Some(n.0), Some(timer.clone())),
    }
    d
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
    if d.position.is_some_and(|p| p > MAX_EVENTS) {
        return Err(format!("\"position\" must be at most {MAX_EVENTS}"));
    }
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
    cfg.explored = d.explored;
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
        let message = || a.message.map(MsgId).ok_or_else(|| format!("action {n}: \"message\" is missing"));
        let action = match a.act.as_str() {
            "crash" => Action::Crash(node(a.node, "node")?),
            "restart" => Action::Restart(node(a.node, "node")?),
            "drop" => Action::Drop(message()?),
            "deliver" => Action::Deliver(message()?),
            "duplicate" => Action::Duplicate(message()?),
            "fire" => {
                let timer =
                    a.text.clone().ok_or_else(|| format!("action {n}: \"text\" (the timer) is missing"))?;
                if timer.len() > MAX_TEXT {
                    return Err(format!("action {n}: \"text\" is longer than {MAX_TEXT} bytes"));
                }
                Action::Fire(node(a.node, "node")?, timer)
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
