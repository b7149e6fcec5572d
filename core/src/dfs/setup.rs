//! The file system in the registry: what a user sets for a run, and how the form, the
//! scenario document and the CLI read it.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use crate::kv::client::Workload;
use crate::net::FaultPreset;
use crate::protocol::NodeId;
use crate::scenario::doc::{workload_doc, DfsDoc, ScenarioDoc};
use crate::setup::{mutant_of, size, whole_u32, Drawing, Page, Registered};

use super::node::Node;
use super::placement::Topology;
use super::types::*;

/// A run's settings.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// Data nodes per rack (r1, r2, …).
    pub racks: Vec<u32>,
    pub rf: u32,
    pub clients: usize,
    pub workload: Workload,
    /// The clients' think time in milliseconds (`None`: the default; 0: only the user's).
    pub think_ms: Option<u64>,
}

impl Default for Config {
    fn default() -> Self {
        Registered::settings(&Dfs::default())
    }
}

/// `r1:3,r2:3`: racks r1, r2, … in order, with their data nodes (`--racks`, and the scenario
/// document's `racks`).
pub fn parse_racks(spec: &str) -> Result<Vec<u32>, String> {
    let topo = Topology::parse(spec)?;
    if topo.racks.len() > MAX_RACKS {
        return Err(format!("at most {MAX_RACKS} racks (got {})", topo.racks.len()));
    }
    for (i, r) in topo.racks.iter().enumerate() {
        if r.number != i as u32 + 1 {
            return Err(format!("racks are named r1, r2, … in order (rack {} is r{})", i + 1, r.number));
        }
    }
    Ok(topo.racks.iter().map(|r| r.nodes).collect())
}

/// The racks as `--racks` writes them.
pub fn racks_spec(racks: &[u32]) -> String {
    let parts: Vec<String> = racks.iter().enumerate().map(|(i, n)| format!("r{}:{n}", i + 1)).collect();
    parts.join(",")
}

impl Registered for Dfs {
    const NAME: &'static str = "dfs";
    const TITLE: &'static str = "File system";
    const CLIENT_HISTORY: bool = true;
    type Config = Config;

    fn presets() -> Vec<(&'static str, &'static str)> {
        super::scenarios::SCENARIOS.to_vec()
    }

    fn opening_preset() -> Option<&'static str> {
        Some("node-dies")
    }

    fn make(cfg: &Config, mutant: Option<&str>, preset: Option<&str>) -> Result<Dfs, String> {
        let mutant = mutant_of::<Dfs, _>(mutant, "the file system", Mutant::parse)?;
        let base = Dfs::default();
        let think_ms = match cfg.think_ms {
            Some(ms) if ms > 10_000 => {
                return Err(String::from("the clients' think time must be at most 10000 ms"));
            }
            Some(ms) => ms as u32,
            None => base.think_ms,
        };
        let mut d = Dfs {
            racks: cfg.racks.clone(),
            rf: cfg.rf,
            clients: cfg.clients,
            workload: cfg.workload,
            think_ms,
            mutant,
            ..base
        };
        if let Some(name) = preset {
            d = super::scenarios::apply(name, d)?;
        }
        d.validate()?;
        Ok(d)
    }

    fn settings(d: &Dfs) -> Config {
        Config {
            racks: d.racks.clone(),
            rf: d.rf,
            clients: d.clients,
            workload: d.workload,
            think_ms: (d.think_ms != Dfs::default().think_ms).then_some(d.think_ms as u64),
        }
    }

    fn export(cfg: &Config, doc: &mut ScenarioDoc) {
        doc.clients = Some(cfg.clients);
        doc.workload = Some(workload_doc(cfg.workload, cfg.think_ms));
        doc.dfs = Some(DfsDoc { racks: racks_spec(&cfg.racks), rf: cfg.rf });
    }

    fn import(doc: &ScenarioDoc) -> Result<Config, String> {
        let Some(x) = &doc.dfs else {
            return Err(String::from("a file system scenario needs its \"dfs\" settings"));
        };
        let base = Config::default();
        let (workload, think_ms) = doc.workload.as_ref().map_or((base.workload, base.think_ms), |w| w.get());
        Ok(Config {
            racks: parse_racks(&x.racks)?,
            rf: x.rf,
            clients: doc.clients.unwrap_or(base.clients),
            workload,
            think_ms,
        })
    }

    fn flag(cfg: &mut Config, name: &str, value: &str) -> Result<bool, String> {
        match name {
            "racks" => cfg.racks = parse_racks(value).map_err(|e| format!("--racks: {e}"))?,
            "rf" => cfg.rf = whole_u32(name, value)?,
            "clients" => cfg.clients = size(name, value)?,
            _ => return crate::setup::workload_flag(&mut cfg.workload, &mut cfg.think_ms, name, value),
        }
        Ok(true)
    }

    fn page() -> Page {
        Page {
            legend: &["Packet", "Ack", "Heartbeat", "Transfer", "Copy", "Request", "Reply", "ReadBlock", "BlockData"],
            colour_note: "node colour: its rack (metadata servers their own); message colour: its type",
            drawing: Drawing::Boxes,
            log_note: " · the metadata log holds the namespace: each file's block, created, rebuilt and completed",
            speed_log: 0.0,
            compare: false,
            glossary: &[
                ("block", "a file's content as the data nodes store it; each block has R replicas (R = 3 by default) on different nodes."),
                ("metadata server", "HDFS's NameNode: it keeps the namespace (which block is each file's) in a Raft log, and learns where the replicas are from the data nodes' reports."),
                ("data node", "a machine on a rack that stores replicas, sends a heartbeat with its block report every 0.2 s, and copies or deletes blocks when the newest metadata leader it has heard of tells it to."),
                ("pipeline", "the data nodes a block is written through, one after another: the client sends to the first, each sends on, and the acknowledgement comes back up the chain. A node that fails is dropped and the pipeline rebuilt with a new generation."),
                ("placement", "HDFS's rule: the first replica on the writer's rack, the second on another rack, the third on the second's rack on another node, so a block is on two racks and losing one leaves it a replica; a block written while only one rack ran gets a replica on another once one is back."),
                ("re-replication", "when a data node is counted dead (no heartbeat for 1 s), the metadata leader copies each block it held from a surviving replica until R replicas run again."),
                ("generation", "a block's version: rebuilding its pipeline moves it on, so replicas left by the broken pipeline are recognised as stale and deleted."),
            ],
            hues: crate::setup::Hues::Boxes,
        }
    }

    /// One client, two racks of two, two replicas.
    fn explore_settings(cfg: &mut Config) {
        (cfg.racks, cfg.rf, cfg.clients, cfg.think_ms) = (alloc::vec![2, 2], 2, 1, Some(0));
    }

    fn bench() -> (Config, FaultPreset) {
        (Config::default(), FaultPreset::Light)
    }
}

impl crate::explorable::Explorable for Dfs {
    fn symmetric(&self, _requests: u32) -> Result<Vec<Vec<crate::protocol::NodeId>>, &'static str> {
        Err("block placement reads racks and data nodes in order and draws them at random")
    }
    /// A metadata server's Raft term.
    fn round(&self, node: &Node) -> u64 {
        match node {
            Node::Meta(s) => s.raft.hard.term,
            _ => 0,
        }
    }
    /// The client writes x, then reads it.
    fn requests(&self, n: u32) -> Vec<(NodeId, String)> {
        let c = NodeId(self.first_client() as u32);
        ["write x 1", "read x"].iter().take(n as usize).map(|t| (c, String::from(*t))).collect()
    }
    fn cluster(&self) -> (usize, usize) {
        (self.first_client(), self.clients)
    }
    /// Each bounds how long something takes (the name node's checks, a copy's transfer, a
    /// writer's silence).
    fn unjudged(&self) -> &'static [&'static str] {
        &["re-replicated", "rack-spread", "lease"]
    }
}
