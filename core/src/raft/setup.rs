//! Raft in the registry: what a user sets for a run, and how the form, the scenario document
//! and the CLI read it.

use alloc::string::String;
use alloc::vec::Vec;

use super::{scenarios, Mutant, Raft, ReadMode};
use crate::echo::Echo;
use crate::explorable::Rename;
use crate::kv::client::Workload;
use crate::net::FaultPreset;
use crate::protocol::NodeId;
use crate::scenario::doc::{required, workload_doc, ScenarioDoc};
use crate::setup::{mutant_of, on_off, size, whole, Drawing, Page, Registered};

impl ReadMode {
    pub const ALL: [ReadMode; 4] = [ReadMode::Log, ReadMode::ReadIndex, ReadMode::Lease, ReadMode::Local];

    /// The mode's name in documents, links and flags.
    pub fn name(self) -> &'static str {
        match self {
            ReadMode::Log => "log",
            ReadMode::ReadIndex => "readindex",
            ReadMode::Lease => "lease",
            ReadMode::Local => "local",
        }
    }

    pub fn parse(s: &str) -> Option<ReadMode> {
        ReadMode::ALL.into_iter().find(|m| m.name() == s)
    }
}

/// A Raft run's settings: voting and spare servers, clients and what they ask for, the
/// extensions, the read path and snapshots.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    pub servers: usize,
    pub spares: usize,
    pub clients: usize,
    pub prevote: bool,
    pub check_quorum: bool,
    pub read_mode: ReadMode,
    pub snapshot_every: u64,
    pub workload: Workload,
    /// The clients' think time between requests in milliseconds (`None`: the default; 0: only
    /// what the user sends).
    pub think_ms: Option<u64>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            servers: 5,
            spares: 0,
            clients: 1,
            prevote: false,
            check_quorum: false,
            read_mode: ReadMode::Log,
            snapshot_every: 100,
            workload: Workload::default(),
            think_ms: None,
        }
    }
}

impl Registered for Raft {
    const NAME: &'static str = "raft";
    const TITLE: &'static str = "Raft";
    type Config = Config;
    const CLIENT_HISTORY: bool = true;

    fn presets() -> Vec<(&'static str, &'static str)> {
        scenarios::SCENARIOS.iter().map(|s| (s.name, s.title)).collect()
    }

    /// The page opens on its first lesson: an election, a commit, a leader's crash.
    fn opening_preset() -> Option<&'static str> {
        Some("leader-crash")
    }

    fn make(cfg: &Config, mutant: Option<&str>, preset: Option<&str>) -> Result<Raft, String> {
        let mutant = mutant_of::<Raft, _>(mutant, "Raft", Mutant::parse)?;
        let mut r = Raft {
            servers: cfg.servers,
            spares: cfg.spares,
            clients: cfg.clients,
            prevote: cfg.prevote,
            check_quorum: cfg.check_quorum,
            read_mode: cfg.read_mode,
            snapshot_every: cfg.snapshot_every,
            workload: cfg.workload,
            mutant,
            ..Raft::default()
        };
        if let Some(ms) = cfg.think_ms {
            r.client_think_us = ms.saturating_mul(1000);
        }
        if let Some(name) = preset {
            r = scenarios::apply(name, r)?;
        }
        r.validate()?;
        Ok(r)
    }

    fn settings(r: &Raft) -> Config {
        let think_us = r.client_think_us;
        Config {
            servers: r.servers,
            spares: r.spares,
            clients: r.clients,
            prevote: r.prevote,
            check_quorum: r.check_quorum,
            read_mode: r.read_mode,
            snapshot_every: r.snapshot_every,
            workload: r.workload,
            think_ms: (think_us != Raft::default().client_think_us).then_some(think_us / 1000),
        }
    }

    fn export(cfg: &Config, doc: &mut ScenarioDoc) {
        doc.servers = Some(cfg.servers);
        doc.spares = Some(cfg.spares);
        doc.clients = Some(cfg.clients);
        doc.prevote = Some(cfg.prevote);
        doc.check_quorum = Some(cfg.check_quorum);
        doc.read_mode = Some(cfg.read_mode.name().into());
        doc.snapshot_every = Some(cfg.snapshot_every);
        doc.workload = Some(workload_doc(cfg.workload, cfg.think_ms));
    }

    fn import(doc: &ScenarioDoc) -> Result<Config, String> {
        let d = Config::default();
        let read_mode = doc.read_mode.as_deref().unwrap_or("log");
        let (workload, think_ms) = doc.workload.as_ref().map_or((d.workload, d.think_ms), |w| w.get());
        Ok(Config {
            servers: required(doc.servers, "servers")?,
            spares: doc.spares.unwrap_or(0),
            clients: required(doc.clients, "clients")?,
            prevote: doc.prevote.unwrap_or(false),
            check_quorum: doc.check_quorum.unwrap_or(false),
            snapshot_every: doc.snapshot_every.unwrap_or(d.snapshot_every),
            read_mode: ReadMode::parse(read_mode).ok_or_else(|| {
                alloc::format!(
                    "\"read_mode\" must be log, readindex, lease or local (got {})",
                    Echo(read_mode)
                )
            })?,
            workload,
            think_ms,
        })
    }

    fn flag(cfg: &mut Config, name: &str, value: &str) -> Result<bool, String> {
        match name {
            "servers" => cfg.servers = size(name, value)?,
            "spares" => cfg.spares = size(name, value)?,
            "clients" => cfg.clients = size(name, value)?,
            "snapshot-every" => cfg.snapshot_every = whole(name, value)?,
            "prevote" => cfg.prevote = on_off(name, value)?,
            "check-quorum" => cfg.check_quorum = on_off(name, value)?,
            "read-mode" => {
                cfg.read_mode = ReadMode::parse(value).ok_or_else(|| {
                    alloc::format!("--read-mode must be log, readindex, lease or local (got {value:?})")
                })?
            }
            _ => return crate::setup::workload_flag(&mut cfg.workload, &mut cfg.think_ms, name, value),
        }
        Ok(true)
    }

    fn page() -> Page {
        Page {
            legend: &[
                "RequestVote",
                "Vote",
                "PreVote",
                "AppendEntries",
                "Heartbeat",
                "AppendReply",
                "InstallSnapshot",
                "TimeoutNow",
                "ClientRequest",
                "ClientReply",
            ],
            colour_note: "node colour: its current term",
            drawing: Drawing::Circle,
            log_note: " · cells show each entry's term; bold border: committed; ▦ snapshot; ▲ leader's nextIndex, ● matchIndex for that follower",
            speed_log: 0.0,
            compare: true,
            glossary: &[
                ("term", "Raft's logical clock: each election starts a new term, and a server that sees a higher term adopts it. T3 on a node is its term."),
                ("leader · follower · candidate", "a server's role. Followers wait for the leader's heartbeats; a follower that hears none before its timeout becomes a candidate and asks for votes."),
                ("voted for", "the server this one voted for in its current term: one vote per term, kept on disk."),
                ("log", "the commands in order, each tagged with the term it was created in (the number in a log cell)."),
                ("commit", "the highest log index known to be stored on a majority (and, for the leader's own term, safe). Committed entries are applied and never lost."),
                ("nextIndex ▲ · matchIndex ●", "on the leader: the next entry to send a follower, and the last entry known to match its log."),
                ("heartbeat", "an AppendEntries with no entries: it tells followers the leader is alive and where the commit index is."),
                ("PreVote · CheckQuorum", "extensions: a would-be candidate first asks whether it could win, without raising its term; a leader that has not heard from a majority steps down."),
                ("ReadIndex · lease · local", "ways to serve reads without a log entry: confirm leadership with one heartbeat round, trust a time lease, or (unsafe) answer from the local copy."),
                ("linearizable", "every operation appears to take effect at one instant between its call and its answer; the checker looks for such an order of the client history."),
            ],
            hues: crate::setup::Hues::Term,
        }
    }

    /// Three servers and one client that sends only what the explorer gives it.
    fn explore_settings(cfg: &mut Config) {
        (cfg.servers, cfg.clients, cfg.think_ms) = (3, 1, Some(0));
        cfg.spares = 0;
    }

    fn bench() -> (Config, FaultPreset) {
        (Config { servers: 5, clients: 4, ..Config::default() }, FaultPreset::None)
    }
}

impl crate::explorable::Explorable for Raft {
    /// A server without the times it keeps (when it last heard a leader, its lease, when it
    /// last sent to each follower, the catch-up's clock).
    fn timeless_digest(&self, node: &super::Node) -> u64 {
        match node {
            super::Node::Server(s) => timeless(s.clone()),
            super::Node::Client(_) => crate::hash::digest(node),
        }
    }
    fn round(&self, node: &super::Node) -> u64 {
        match node {
            super::Node::Server(s) => s.hard.term,
            super::Node::Client(_) => 0,
        }
    }
    fn requests(&self, n: u32) -> Vec<(crate::protocol::NodeId, String)> {
        crate::kv::explore_requests(self.servers + self.spares, self.clients, n)
    }
    fn cluster(&self) -> (usize, usize) {
        (self.servers, self.clients)
    }
    /// The voting servers are interchangeable: no handler draws anything that depends on a
    /// server's name (the only draw, the election timeout, is a time, and time is only the
    /// order of events here), no tie is broken by id, and quorums are counted alike. Not when
    /// a figure's logs set servers apart, with spares (not members), or with requests: a
    /// client's first server is a random draw the renaming would not follow, and only
    /// requests bring client commands and memberships into the logs, whose digests the
    /// checker keeps (`Monitor::renamed`).
    fn symmetric(&self, requests: u32) -> Result<Vec<Vec<NodeId>>, &'static str> {
        if requests > 0 {
            Err("a client's first server is a random draw that renaming the servers would not follow (use --requests 0)")
        } else if self.spares > 0 {
            Err("spares are not members")
        } else if !self.initial_logs.is_empty() {
            Err("the scenario's logs set the servers apart")
        } else {
            Ok(alloc::vec![(0..self.servers as u32).map(NodeId).collect()])
        }
    }
    fn renamed_digest(&self, node: &super::Node, r: &Rename) -> u64 {
        match node {
            super::Node::Server(s) => timeless(s.renamed(r)),
            super::Node::Client(c) => crate::hash::digest(&super::Node::Client(c.renamed(r))),
        }
    }
    fn renamed_message_digest(&self, msg: &super::Msg, r: &Rename) -> u64 {
        crate::hash::digest(&msg.renamed(r))
    }
    fn renamed_monitor_digest(&self, m: &super::Monitor, r: &Rename) -> u64 {
        crate::hash::digest(&m.renamed(r))
    }
}

/// A server's digest without the times it keeps (when it last heard a leader, its lease, when
/// it last sent to each follower, the catch-up's clock).
fn timeless(mut s: super::Server) -> u64 {
    use crate::protocol::Time;
    s.last_leader_contact = s.last_leader_contact.map(|_| Time::ZERO);
    s.vote_hold_until = Time::ZERO;
    s.lease_until = Time::ZERO;
    s.sent_at.iter_mut().for_each(|(_, t)| *t = Time::ZERO);
    if let Some(c) = &mut s.adding {
        (c.round_start, c.heard) = (Time::ZERO, Time::ZERO);
    }
    crate::hash::digest(&super::Node::Server(s))
}
