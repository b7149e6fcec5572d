//! Single-decree Paxos in the registry: what a user sets for a run.

use alloc::string::String;
use alloc::vec::Vec;

use crate::net::FaultPreset;
use crate::paxos::{self, Paxos};
use crate::scenario::doc::{required, ScenarioDoc};
use crate::setup::{mutant_of, Drawing, Page, Registered};

/// A Paxos run's settings: the three roles' sizes and back-off.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    pub proposers: usize,
    pub acceptors: usize,
    pub learners: usize,
    pub backoff: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config { proposers: 3, acceptors: 3, learners: 3, backoff: true }
    }
}

impl Registered for Paxos {
    const NAME: &'static str = "paxos";
    const TITLE: &'static str = "Paxos";
    type Config = Config;

    fn presets() -> Vec<(&'static str, &'static str)> {
        paxos::SCENARIOS.to_vec()
    }

    /// The page opens on its first lesson: one proposer's two phases.
    fn opening_preset() -> Option<&'static str> {
        Some("basic")
    }

    fn make(cfg: &Config, mutant: Option<&str>, preset: Option<&str>) -> Result<Paxos, String> {
        let mutant = mutant_of::<Paxos, _>(mutant, "Paxos", paxos::Mutant::parse)?;
        let mut px = Paxos {
            proposers: cfg.proposers,
            acceptors: cfg.acceptors,
            learners: cfg.learners,
            backoff: cfg.backoff,
            mutant,
            ..Paxos::default()
        };
        if let Some(name) = preset {
            px = paxos::apply_scenario(name, px)?;
        }
        px.validate()?;
        Ok(px)
    }

    fn settings(px: &Paxos) -> Config {
        Config {
            proposers: px.proposers,
            acceptors: px.acceptors,
            learners: px.learners,
            backoff: px.backoff,
        }
    }

    fn export(cfg: &Config, doc: &mut ScenarioDoc) {
        doc.proposers = Some(cfg.proposers);
        doc.acceptors = Some(cfg.acceptors);
        doc.learners = Some(cfg.learners);
        doc.backoff = Some(cfg.backoff);
    }

    fn import(doc: &ScenarioDoc) -> Result<Config, String> {
        Ok(Config {
            proposers: required(doc.proposers, "proposers")?,
            acceptors: required(doc.acceptors, "acceptors")?,
            learners: required(doc.learners, "learners")?,
            backoff: doc.backoff.unwrap_or(true),
        })
    }

    fn flag(cfg: &mut Config, name: &str, value: &str) -> Result<bool, String> {
        match name {
            // One size for the three roles.
            "servers" => {
                let n = crate::setup::size(name, value)?;
                (cfg.proposers, cfg.acceptors, cfg.learners) = (n, n, n);
            }
            "backoff" => cfg.backoff = crate::setup::on_off(name, value)?,
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn page() -> Page {
        Page {
            legend: &["Prepare", "Promise", "Accept", "Accepted", "Nack"],
            colour_note: "node colour: the proposer whose ballot it promised",
            drawing: Drawing::Circle,
            log_note: "",
            speed_log: 0.0,
            compare: false,
            glossary: &[
                ("P·A·L", "the node's roles: Proposer, Acceptor, Learner. One node may play all three."),
                ("b 2.1", "a ballot: round 2 of proposer S1. Ballots are ordered by round, then by proposer, so two proposers never share one."),
                ("promised", "the highest ballot an acceptor has promised to: it refuses any Prepare or Accept with a lower ballot."),
                ("accepted v @ b", "the last value the acceptor accepted, and in which ballot. Its Promise reports it, and the proposer must adopt the value of the highest such ballot."),
                ("⊥", "nothing: no value accepted (or learned) yet."),
                ("chosen", "a value accepted by a majority of acceptors in the same ballot. Once chosen, no other value can ever be chosen."),
                ("Nack", "a refusal naming the higher ballot the acceptor has promised, so the proposer can retry above it."),
                ("back-off", "a refused proposer waits a random, growing time before its next ballot, so dueling proposers stop preempting each other."),
            ],
            hues: crate::setup::Hues::Node,
        }
    }

    /// Two proposers (two values compete), three acceptors, one learner.
    fn explore_settings(cfg: &mut Config) {
        (cfg.proposers, cfg.acceptors, cfg.learners) = (2, 3, 1);
    }

    fn bench() -> (Config, FaultPreset) {
        (Config::default(), FaultPreset::Heavy)
    }
}

impl crate::explorable::Explorable for Paxos {
    fn symmetric(&self, _requests: u32) -> Result<Vec<Vec<crate::protocol::NodeId>>, &'static str> {
        Err("each proposer proposes its own value, ballots order proposers by id, and roles share nodes by index")
    }
    fn round(&self, node: &paxos::Node) -> u64 {
        let proposer = node.proposer.as_ref().map_or(0, |p| p.hard.max_round.max(p.ballot.round));
        proposer.max(node.acceptor.as_ref().map_or(0, |a| a.promised.round))
    }
    /// Each proposer its own value, as the workload gives them: 10, 20, 30, …
    fn requests(&self, n: u32) -> Vec<(crate::protocol::NodeId, String)> {
        let proposers = (self.proposers as u32).min(n);
        (0..proposers)
            .map(|i| (crate::protocol::NodeId(i), alloc::format!("{}", 10 * (i as u64 + 1))))
            .collect()
    }
    fn cluster(&self) -> (usize, usize) {
        (crate::protocol::Protocol::nodes(self), 0)
    }
    /// Every proposer its value: they compete.
    fn default_requests(&self) -> u32 {
        self.proposers as u32
    }
    /// No retries, and every ballot in round 1: the proposers' first ballots compete, which
    /// is where Paxos's mutants break.
    fn default_timeouts(&self) -> Option<u32> {
        Some(0)
    }
    fn default_max_term(&self) -> Option<u64> {
        Some(1)
    }
}
