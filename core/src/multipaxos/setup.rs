//! Multi-Paxos in the registry: what a user sets for a run.

use alloc::string::String;
use alloc::vec::Vec;

use super::{scenarios, MultiPaxos, Mutant};
use crate::kv::client::Workload;
use crate::net::FaultPreset;
use crate::scenario::doc::{required, workload_doc, ScenarioDoc};
use crate::setup::{mutant_of, on_off, size, Drawing, Page, Registered};

/// A Multi-Paxos run's settings: servers (each proposer, acceptor and learner), clients and
/// what they ask for, back-off.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    pub servers: usize,
    pub clients: usize,
    pub backoff: bool,
    pub workload: Workload,
    /// The clients' think time between requests in milliseconds (`None`: the default; 0: only
    /// what the user sends).
    pub think_ms: Option<u64>,
}

impl Default for Config {
    fn default() -> Self {
        Config { servers: 5, clients: 1, backoff: true, workload: Workload::default(), think_ms: None }
    }
}

impl Registered for MultiPaxos {
    const NAME: &'static str = "multipaxos";
    const TITLE: &'static str = "Multi-Paxos";
    type Config = Config;
    const CLIENT_HISTORY: bool = true;

    fn presets() -> Vec<(&'static str, &'static str)> {
        scenarios::SCENARIOS.iter().map(|s| (s.name, s.title)).collect()
    }

    /// The page opens on its first lesson: one phase 1, then a round trip per command.
    fn opening_preset() -> Option<&'static str> {
        Some("steady")
    }

    fn make(cfg: &Config, mutant: Option<&str>, preset: Option<&str>) -> Result<MultiPaxos, String> {
        let mutant = mutant_of::<MultiPaxos, _>(mutant, "Multi-Paxos", Mutant::parse)?;
        let mut mp = MultiPaxos {
            servers: cfg.servers,
            clients: cfg.clients,
            backoff: cfg.backoff,
            workload: cfg.workload,
            mutant,
            ..MultiPaxos::default()
        };
        if let Some(ms) = cfg.think_ms {
            mp.client_think_us = ms.saturating_mul(1000);
        }
        if let Some(name) = preset {
            mp = scenarios::apply(name, mp)?;
        }
        mp.validate()?;
        Ok(mp)
    }

    fn settings(mp: &MultiPaxos) -> Config {
        let think_us = mp.client_think_us;
        Config {
            servers: mp.servers,
            clients: mp.clients,
            backoff: mp.backoff,
            workload: mp.workload,
            think_ms: (think_us != MultiPaxos::default().client_think_us).then_some(think_us / 1000),
        }
    }

    fn export(cfg: &Config, doc: &mut ScenarioDoc) {
        doc.servers = Some(cfg.servers);
        doc.clients = Some(cfg.clients);
        doc.backoff = Some(cfg.backoff);
        doc.workload = Some(workload_doc(cfg.workload, cfg.think_ms));
    }

    fn import(doc: &ScenarioDoc) -> Result<Config, String> {
        let d = Config::default();
        let (workload, think_ms) = doc.workload.as_ref().map_or((d.workload, d.think_ms), |w| w.get());
        Ok(Config {
            servers: required(doc.servers, "servers")?,
            clients: required(doc.clients, "clients")?,
            backoff: doc.backoff.unwrap_or(true),
            workload,
            think_ms,
        })
    }

    fn flag(cfg: &mut Config, name: &str, value: &str) -> Result<bool, String> {
        match name {
            "servers" => cfg.servers = size(name, value)?,
            "clients" => cfg.clients = size(name, value)?,
            "backoff" => cfg.backoff = on_off(name, value)?,
            _ => return crate::setup::workload_flag(&mut cfg.workload, &mut cfg.think_ms, name, value),
        }
        Ok(true)
    }

    fn page() -> Page {
        Page {
            legend: &[
                "Prepare",
                "Promise",
                "Accept",
                "Accepted",
                "Nack",
                "Chosen",
                "Heartbeat",
                "CatchUp",
                "ClientRequest",
                "ClientReply",
            ],
            colour_note: "node colour: the proposer whose ballot it promised",
            drawing: Drawing::Circle,
            log_note: " · one column per slot; cells show the ballot round of the value; bold border: chosen (as this learner knows)",
            speed_log: 0.0,
            compare: true,
            glossary: &[
                ("slot", "one position of the replicated log. Each slot runs its own Paxos instance; a stable leader runs phase 1 once for all of them."),
                ("b 2.1", "a ballot: round 2 of server S1, ordered by round, then by server."),
                ("phase 1 · phase 2", "Prepare/Promise (the leader claims a ballot and learns what acceptors accepted) and Accept/Accepted (it proposes a command in a slot)."),
                ("promised", "the highest ballot an acceptor has promised to: it refuses lower ones."),
                ("carried across", "a command accepted in a slot under an old leader but not yet chosen: the new leader's Promises report it and it re-proposes the same command in the same slot."),
                ("chosen ≤ n", "every slot up to n has a command accepted by a majority in one ballot: decided for good, and applied in order."),
                ("✓", "a chosen slot (on the board)."),
                ("no-op", "a filler command a new leader proposes in a gap slot, so the log has no holes."),
            ],
            hues: crate::setup::Hues::Node,
        }
    }

    /// Three servers and one client that sends only what the explorer gives it.
    fn explore_settings(cfg: &mut Config) {
        (cfg.servers, cfg.clients, cfg.think_ms) = (3, 1, Some(0));
    }

    fn bench() -> (Config, FaultPreset) {
        (Config { servers: 5, clients: 4, ..Config::default() }, FaultPreset::None)
    }
}

impl crate::explorable::Explorable for MultiPaxos {
    fn symmetric(&self, _requests: u32) -> Result<Vec<Vec<crate::protocol::NodeId>>, &'static str> {
        Err("ballots break ties between servers by id")
    }
    /// A server without the times it keeps (when it last sent each proposal and heartbeat,
    /// when it last heard a leader).
    fn timeless_digest(&self, node: &super::Node) -> u64 {
        use crate::protocol::Time;
        let super::Node::Server(s) = node else { return crate::hash::digest(node) };
        let mut s = s.clone();
        s.in_flight.iter_mut().for_each(|p| p.3 = Time::ZERO);
        (s.last_sent, s.heard) = (Time::ZERO, Time::ZERO);
        crate::hash::digest(&super::Node::Server(s))
    }
    fn round(&self, node: &super::Node) -> u64 {
        match node {
            super::Node::Server(s) => s.hard.ballot.round.max(s.hard.promised.round),
            super::Node::Client(_) => 0,
        }
    }
    fn requests(&self, n: u32) -> Vec<(crate::protocol::NodeId, String)> {
        crate::kv::explore_requests(self.servers, self.clients, n)
    }
    fn cluster(&self) -> (usize, usize) {
        (self.servers, self.clients)
    }
}
