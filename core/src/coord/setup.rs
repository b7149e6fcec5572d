//! The coordination service in the registry: what a user sets for a run.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use crate::net::FaultPreset;
use crate::protocol::NodeId;
use crate::raft::Raft;
use crate::scenario::doc::{CoordDoc, ScenarioDoc};
use crate::setup::{mutant_of, Drawing, Page, Registered};

use super::node::Node;
use super::types::*;

/// A run's settings.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    pub servers: usize,
    pub clients: usize,
    pub recipe: Recipe,
    pub session_timeout_ms: u32,
    pub work_ms: u32,
    pub think_ms: u32,
    pub pause_pct: u32,
    pub pause_ms: u32,
    pub stagger_ms: u32,
}

impl Default for Config {
    fn default() -> Self {
        Registered::settings(&Coordination::default())
    }
}

fn recipes() -> String {
    let names: Vec<&str> = Recipe::ALL.iter().map(|r| r.name()).collect();
    names.join(", ")
}

fn recipe(value: &str) -> Result<Recipe, String> {
    Recipe::parse(value).ok_or_else(|| format!("must be one of {} (got {value:?})", recipes()))
}

impl Registered for Coordination {
    const NAME: &'static str = "coordination";
    const TITLE: &'static str = "Coordination";
    const CLIENT_HISTORY: bool = true;
    type Config = Config;

    fn presets() -> Vec<(&'static str, &'static str)> {
        super::scenarios::SCENARIOS.to_vec()
    }

    fn opening_preset() -> Option<&'static str> {
        Some("lock-fencing")
    }

    fn make(cfg: &Config, mutant: Option<&str>, preset: Option<&str>) -> Result<Coordination, String> {
        let mutant = mutant_of::<Coordination, _>(mutant, "the coordination service", Mutant::parse)?;
        let mut c = Coordination {
            raft: Raft { servers: cfg.servers, clients: 0, ..Coordination::default().raft },
            clients: cfg.clients,
            recipe: cfg.recipe,
            session_timeout_ms: cfg.session_timeout_ms,
            work_ms: cfg.work_ms,
            think_ms: cfg.think_ms,
            pause_pct: cfg.pause_pct,
            pause_ms: cfg.pause_ms,
            stagger_ms: cfg.stagger_ms,
            mutant,
            ..Coordination::default()
        };
        if let Some(name) = preset {
            c = super::scenarios::apply_scenario(name, c)?;
        }
        c.validate()?;
        Ok(c)
    }

    fn settings(c: &Coordination) -> Config {
        Config {
            servers: c.servers(),
            clients: c.clients,
            recipe: c.recipe,
            session_timeout_ms: c.session_timeout_ms,
            work_ms: c.work_ms,
            think_ms: c.think_ms,
            pause_pct: c.pause_pct,
            pause_ms: c.pause_ms,
            stagger_ms: c.stagger_ms,
        }
    }

    fn export(cfg: &Config, doc: &mut ScenarioDoc) {
        doc.servers = Some(cfg.servers);
        doc.clients = Some(cfg.clients);
        doc.coordination = Some(CoordDoc {
            recipe: cfg.recipe.name().into(),
            session_timeout_ms: cfg.session_timeout_ms,
            work_ms: cfg.work_ms,
            think_ms: cfg.think_ms,
            pause_pct: cfg.pause_pct,
            pause_ms: cfg.pause_ms,
            stagger_ms: cfg.stagger_ms,
        });
    }

    fn import(doc: &ScenarioDoc) -> Result<Config, String> {
        let Some(d) = &doc.coordination else {
            return Err(String::from("a coordination scenario needs its \"coordination\" settings"));
        };
        let base = Config::default();
        Ok(Config {
            servers: doc.servers.unwrap_or(base.servers),
            clients: doc.clients.unwrap_or(base.clients),
            recipe: recipe(&d.recipe).map_err(|e| format!("the recipe {e}"))?,
            session_timeout_ms: d.session_timeout_ms,
            work_ms: d.work_ms,
            think_ms: d.think_ms,
            pause_pct: d.pause_pct,
            pause_ms: d.pause_ms,
            stagger_ms: d.stagger_ms,
        })
    }

    fn flag(cfg: &mut Config, name: &str, value: &str) -> Result<bool, String> {
        use crate::setup::{size, whole_u32};
        match name {
            "servers" => cfg.servers = size(name, value)?,
            "clients" => cfg.clients = size(name, value)?,
            "recipe" => cfg.recipe = recipe(value).map_err(|e| format!("--recipe {e}"))?,
            "session-timeout-ms" => cfg.session_timeout_ms = whole_u32(name, value)?,
            "work-ms" => cfg.work_ms = whole_u32(name, value)?,
            "think-ms" => cfg.think_ms = whole_u32(name, value)?,
            "pause-pct" => cfg.pause_pct = whole_u32(name, value)?,
            "pause-ms" => cfg.pause_ms = whole_u32(name, value)?,
            "stagger-ms" => cfg.stagger_ms = whole_u32(name, value)?,
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn page() -> Page {
        Page {
            legend: &["Request", "Reply", "WatchEvent", "Ping", "Write", "AppendEntries", "AppendReply", "Heartbeat"],
            colour_note: "node colour: the Raft term a server is in; message colour: its type",
            drawing: Drawing::Circle,
            log_note: "Every write is a transaction in the Raft log; its zxid is its index.",
            speed_log: 0.0,
            compare: false,
            glossary: &[
                ("zxid", "a transaction's id: here its index in the Raft log, so zxids grow in the order every replica applies them."),
                ("session", "a client's standing with the service, kept alive by heartbeats; the leader expires it, through the log, after the session timeout without one."),
                ("ephemeral node", "a node that lives only as long as the session that created it: its expiry deletes it on every replica."),
                ("sequential node", "a node whose name gets the parent's counter appended (n-0000000007), so names sort in creation order."),
                ("watch", "a one-shot notification a read leaves on a node or its children; the server sends it when it applies a change, before any later reply."),
                ("sync", "a no-op through the log: once the client's server has applied it, a read there sees every write committed before it."),
                ("fencing token", "the zxid that created the lock holder's node; the storage node refuses any token older than the newest it has seen."),
                ("GC pause", "a process that stops for seconds (garbage collection, a swapped-out VM): it cannot notice its session expiring meanwhile."),
            ],
            hues: crate::setup::Hues::Term,
        }
    }

    fn explore_settings(cfg: &mut Config) {
        cfg.servers = 3;
        cfg.clients = 1;
        cfg.recipe = Recipe::Idle;
    }

    fn bench() -> (Config, FaultPreset) {
        (Config::default(), FaultPreset::Light)
    }
}

impl crate::explorable::Explorable for Coordination {
    fn symmetric(&self, _requests: u32) -> Result<Vec<Vec<crate::protocol::NodeId>>, &'static str> {
        Err("each client starts at a server by its own index and moves to the next by id")
    }
    /// A server's Raft term.
    fn round(&self, node: &Node) -> u64 {
        match node {
            Node::Server(s) => s.raft.hard.term,
            _ => 0,
        }
    }
    /// A write, then a read after a sync, from the first client.
    fn requests(&self, n: u32) -> Vec<(NodeId, String)> {
        let c = NodeId(self.servers() as u32);
        ["create /x 1", "set /x 2", "sync", "get /x"]
            .iter()
            .take(n as usize)
            .map(|t| (c, String::from(*t)))
            .collect()
    }
    fn cluster(&self) -> (usize, usize) {
        (self.servers(), self.clients)
    }
}
