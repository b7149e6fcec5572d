//! The sharded database in the registry: what a user sets for a run, and how the form, the
//! scenario document and the CLI read it.

use alloc::string::String;
use alloc::vec::Vec;

use crate::kv::client::Workload;
use crate::net::FaultPreset;
use crate::protocol::NodeId;
use crate::scenario::doc::{workload_doc, ScenarioDoc, ShardKvDoc};
use crate::setup::{mutant_of, size, whole_u32, Drawing, Page, Registered};

use super::node::Node;
use super::types::*;

/// A run's settings.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    pub groups: usize,
    pub joined: usize,
    pub shards: usize,
    pub vnodes: usize,
    pub clients: usize,
    pub moves_ms: u32,
    pub workload: Workload,
    /// The clients' think time in milliseconds (`None`: the default; 0: only the user's).
    pub think_ms: Option<u64>,
}

impl Default for Config {
    fn default() -> Self {
        Registered::settings(&ShardKv::default())
    }
}

impl Registered for ShardKv {
    const NAME: &'static str = "shardkv";
    const TITLE: &'static str = "Sharded database";
    const CLIENT_HISTORY: bool = true;
    type Config = Config;

    fn presets() -> Vec<(&'static str, &'static str)> {
        super::scenarios::SCENARIOS.to_vec()
    }

    fn opening_preset() -> Option<&'static str> {
        Some("join-and-move")
    }

    fn make(cfg: &Config, mutant: Option<&str>, preset: Option<&str>) -> Result<ShardKv, String> {
        let mutant = mutant_of::<ShardKv, _>(mutant, "the sharded database", Mutant::parse)?;
        let base = ShardKv::default();
        let think_ms = match cfg.think_ms {
            Some(ms) if ms > 10_000 => {
                return Err(String::from("the clients' think time must be at most 10000 ms"));
            }
            Some(ms) => ms as u32,
            None => base.think_ms,
        };
        let mut k = ShardKv {
            groups: cfg.groups,
            joined: cfg.joined,
            shards: cfg.shards,
            vnodes: cfg.vnodes,
            clients: cfg.clients,
            moves_ms: cfg.moves_ms,
            workload: cfg.workload,
            think_ms,
            mutant,
            ..base
        };
        if let Some(name) = preset {
            k = super::scenarios::apply(name, k)?;
        }
        k.validate()?;
        Ok(k)
    }

    fn settings(k: &ShardKv) -> Config {
        Config {
            groups: k.groups,
            joined: k.joined,
            shards: k.shards,
            vnodes: k.vnodes,
            clients: k.clients,
            moves_ms: k.moves_ms,
            workload: k.workload,
            think_ms: (k.think_ms != ShardKv::default().think_ms).then_some(k.think_ms as u64),
        }
    }

    fn export(cfg: &Config, doc: &mut ScenarioDoc) {
        doc.clients = Some(cfg.clients);
        doc.workload = Some(workload_doc(cfg.workload, cfg.think_ms));
        doc.shardkv = Some(ShardKvDoc {
            groups: cfg.groups,
            joined: cfg.joined,
            shards: cfg.shards,
            vnodes: cfg.vnodes,
            moves_ms: cfg.moves_ms,
        });
    }

    fn import(doc: &ScenarioDoc) -> Result<Config, String> {
        let Some(d) = &doc.shardkv else {
            return Err(String::from("a sharded database scenario needs its \"shardkv\" settings"));
        };
        let base = Config::default();
        let (workload, think_ms) = doc.workload.as_ref().map_or((base.workload, base.think_ms), |w| w.get());
        Ok(Config {
            groups: d.groups,
            joined: d.joined,
            shards: d.shards,
            vnodes: d.vnodes,
            clients: doc.clients.unwrap_or(base.clients),
            moves_ms: d.moves_ms,
            workload,
            think_ms,
        })
    }

    fn flag(cfg: &mut Config, name: &str, value: &str) -> Result<bool, String> {
        match name {
            "groups" => cfg.groups = size(name, value)?,
            "joined" => cfg.joined = size(name, value)?,
            "shards" => cfg.shards = size(name, value)?,
            "vnodes" => cfg.vnodes = size(name, value)?,
            "clients" => cfg.clients = size(name, value)?,
            "moves-ms" => cfg.moves_ms = whole_u32(name, value)?,
            _ => return crate::setup::workload_flag(&mut cfg.workload, &mut cfg.think_ms, name, value),
        }
        Ok(true)
    }

    fn page() -> Page {
        Page {
            legend: &["Request", "Reply", "WrongGroup", "Query", "Config", "Pull", "ShardData", "AppendEntries"],
            colour_note: "node colour: its replica group; message colour: its type",
            drawing: Drawing::Boxes,
            log_note: " · each group's log holds its clients' commands, the configurations it moved through, and the shards it took in",
            speed_log: 0.0,
            compare: false,
            glossary: &[
                ("shard", "a slice of the keyspace (a key's shard is its hash modulo the number of shards); one replica group serves it at a time."),
                ("replica group", "three servers running Raft that serve the shards the configuration gives them (G1, G2, …)."),
                ("configuration", "a numbered shard map: which groups are in, and which group owns each shard. The configuration service (itself a Raft group) keeps their history."),
                ("consistent-hash ring", "groups and shards hashed onto one circle, each group at many points (virtual nodes); a shard belongs to the first group clockwise. A new group takes about 1/(G+1) of the shards."),
                ("wrong group", "a group's answer for a key whose shard it does not serve (now): the client asks for the newest configuration and goes there."),
                ("pull", "the new owner asks the old one for a shard's data; the old owner answers from the copy its log froze when it let the shard go."),
                ("duplicate table", "per client, the last request applied and its answer: a retry is answered from it, not applied again. It moves with the shard."),
            ],
            hues: crate::setup::Hues::Boxes,
        }
    }

    /// One client, two groups with one shard each, no automatic moves.
    fn explore_settings(cfg: &mut Config) {
        (cfg.groups, cfg.joined, cfg.shards, cfg.clients, cfg.moves_ms, cfg.think_ms) =
            (2, 1, 2, 1, 0, Some(0));
    }

    fn bench() -> (Config, FaultPreset) {
        (Config::default(), FaultPreset::Light)
    }
}

impl crate::explorable::Explorable for ShardKv {
    fn symmetric(&self, _requests: u32) -> Result<Vec<Vec<crate::protocol::NodeId>>, &'static str> {
        Err("shards are assigned to groups by their names on the hash ring")
    }
    /// A server's Raft term.
    fn round(&self, node: &Node) -> u64 {
        match node {
            Node::Config(s) => s.raft.hard.term,
            Node::Replica(s) => s.raft.hard.term,
            Node::Client(_) => 0,
        }
    }
    /// Group G2 joins, then the client writes and reads.
    fn requests(&self, n: u32) -> Vec<(NodeId, String)> {
        let c = NodeId(self.first_client() as u32);
        [(NodeId(0), "join G2"), (c, "put x 1"), (c, "get x")]
            .iter()
            .take(n as usize)
            .map(|(node, t)| (*node, String::from(*t)))
            .collect()
    }
    fn cluster(&self) -> (usize, usize) {
        (self.first_client(), self.clients)
    }
    /// It bounds how long a move takes (`arrives.rs`).
    fn unjudged(&self) -> &'static [&'static str] {
        &["shard-arrives"]
    }
}
