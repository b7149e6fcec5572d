//! The words of single-decree Paxos: ballots, values, messages, timers, each role's state,
//! the mutants, and the configuration with its limits.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use serde::Serialize;

use crate::echo::Echo;
use crate::nodeset::NodeSet;
use crate::protocol::{MessageInfo, MutantInfo, NodeId, ScriptAction, Time};

/// A ballot number: (round, proposer). Ordered by round, then proposer id.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Ballot {
    pub round: u64,
    pub node: u32,
}

impl core::fmt::Display for Ballot {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        if self.round == 0 {
            write!(f, "⊥")
        } else {
            write!(f, "{}.{}", self.round, self.node + 1)
        }
    }
}

/// A proposed value. Clients propose small integers.
pub type Value = u64;

/// Paxos messages (phase 1a, 1b, 2a, 2b, and a rejection that speeds up retries).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Msg {
    Prepare {
        ballot: Ballot,
    },
    Promise {
        ballot: Ballot,
        accepted: Option<(Ballot, Value)>,
    },
    Accept {
        ballot: Ballot,
        value: Value,
    },
    Accepted {
        ballot: Ballot,
        value: Value,
    },
    /// "I have promised a higher ballot": lets a pre-empted proposer back off early.
    Nack {
        ballot: Ballot,
        promised: Ballot,
    },
}

impl MessageInfo for Msg {
    fn kind(&self) -> &'static str {
        match self {
            Msg::Prepare { .. } => "Prepare",
            Msg::Promise { .. } => "Promise",
            Msg::Accept { .. } => "Accept",
            Msg::Accepted { .. } => "Accepted",
            Msg::Nack { .. } => "Nack",
        }
    }
    fn summary(&self) -> String {
        match self {
            Msg::Prepare { ballot } => format!("(b={ballot})"),
            Msg::Promise { ballot, accepted: None } => format!("(b={ballot}, nothing accepted)"),
            Msg::Promise { ballot, accepted: Some((ab, v)) } => {
                format!("(b={ballot}, accepted {v} at {ab})")
            }
            Msg::Accept { ballot, value } => format!("(b={ballot}, v={value})"),
            Msg::Accepted { ballot, value } => format!("(b={ballot}, v={value})"),
            Msg::Nack { ballot, promised } => format!("(b={ballot}, promised {promised})"),
        }
    }
}

/// Proposer timers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Timer {
    /// Give up on the current ballot and start phase 1 again with a higher one.
    Retry,
}

/// A client asks a proposer to propose a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Propose(pub Value);

/// Where a proposer is in the protocol.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub enum Phase {
    /// No client value yet, or waiting to retry.
    #[default]
    Idle,
    /// Sent Prepare, collecting promises.
    Preparing,
    /// Sent Accept, collecting Accepted.
    Accepting,
    /// A majority accepted this proposer's ballot: its value is chosen.
    Decided,
}

/// What a proposer keeps across a crash: the highest round it tried or saw (so that it never
/// reuses a ballot, §2.5) and its client's value.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct ProposerHard {
    pub max_round: u64,
    pub value: Option<Value>,
}

/// Proposer state: `hard` persists, the rest is volatile.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Proposer {
    pub hard: ProposerHard,
    pub ballot: Ballot,
    pub phase: Phase,
    pub promises: NodeSet,
    pub highest: Option<(Ballot, Value)>,
    pub proposal: Option<Value>,
    pub accepts: NodeSet,
    pub attempts: u32,
}

/// Acceptor state, all persistent (§2.5): the promise and the accepted proposal.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Acceptor {
    pub promised: Ballot,
    pub accepted: Option<(Ballot, Value)>,
}

/// Learner state, volatile: Accepted votes seen per ballot, and the learned value.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Learner {
    pub votes: Vec<(Ballot, Value, NodeSet)>,
    pub learned: Option<Value>,
}

/// One node: any combination of the three roles.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Node {
    pub id: NodeId,
    pub proposer: Option<Proposer>,
    pub acceptor: Option<Acceptor>,
    pub learner: Option<Learner>,
}

/// What a node keeps across a crash, and all its restart sees.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Durable {
    /// The proposer's highest round and client value.
    pub proposer: Option<ProposerHard>,
    /// Whether the proposer had seen its value chosen when it crashed: then it does not try
    /// again after the restart. This is the one fact read from volatile state at the crash (the
    /// proposer's phase): the restarted proposer is idle, so a second crash forgets it, and
    /// the proposer then runs its two phases again, which can only choose the same value.
    pub decided: bool,
    /// The acceptor's promise and accepted proposal: all of its state.
    pub acceptor: Option<Acceptor>,
}

/// The deliberately broken variants.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Mutant {
    /// An acceptor forgets its promise and accepted proposal on restart (not persisted).
    ForgetPromise,
    /// An acceptor accepts a ballot lower than the one it promised.
    AcceptBelowPromise,
    /// A proposer ignores the accepted values in the promises and proposes its own value.
    IgnorePromisedValue,
}

pub(super) const MUTANTS: &[MutantInfo] = &[
    MutantInfo {
        name: "forget-promise",
        description: "acceptors lose their promise and accepted value when they restart",
    },
    MutantInfo {
        name: "accept-below-promise",
        description: "acceptors accept a ballot lower than the one they promised",
    },
    MutantInfo {
        name: "ignore-promised-value",
        description: "proposers ignore values reported in promises and propose their own",
    },
];

impl Mutant {
    pub fn parse(name: &str) -> Option<Mutant> {
        match name {
            "forget-promise" => Some(Mutant::ForgetPromise),
            "accept-below-promise" => Some(Mutant::AcceptBelowPromise),
            "ignore-promised-value" => Some(Mutant::IgnorePromisedValue),
            _ => None,
        }
    }
}

/// Most nodes of each role the page and the CLI accept.
pub const MAX_ROLE: usize = NodeSet::CAPACITY;

/// Single-decree Paxos configuration. Node `i` is a proposer if `i < proposers`, an acceptor
/// if `i < acceptors`, a learner if `i < learners`: roles share nodes.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Paxos {
    pub proposers: usize,
    pub acceptors: usize,
    pub learners: usize,
    /// Randomized, doubling back-off before a retry. Off: retry almost at once (livelock).
    pub backoff: bool,
    /// How long a proposer waits for a phase to finish before retrying, microseconds.
    pub phase_timeout_us: u64,
    pub mutant: Option<Mutant>,
    /// A preset's timed steps and narration.
    pub script: Vec<(Time, ScriptAction<Propose>)>,
    pub narration: Vec<crate::lesson::Step>,
}

impl Default for Paxos {
    fn default() -> Self {
        Paxos {
            proposers: 3,
            acceptors: 3,
            learners: 3,
            backoff: true,
            phase_timeout_us: 80_000,
            mutant: None,
            script: Vec::new(),
            narration: Vec::new(),
        }
    }
}

impl Paxos {
    /// Check sizes against the limits; the message names the field.
    pub fn validate(&self) -> Result<(), String> {
        for (name, n) in
            [("proposers", self.proposers), ("acceptors", self.acceptors), ("learners", self.learners)]
        {
            if n == 0 || n > MAX_ROLE {
                return Err(format!("{name} must be between 1 and {MAX_ROLE} (got {n})"));
            }
        }
        if self.phase_timeout_us == 0 || self.phase_timeout_us > 10_000_000 {
            return Err(String::from("phase timeout must be between 1 µs and 10 s"));
        }
        Ok(())
    }

    pub(super) fn majority(&self) -> u32 {
        (self.acceptors / 2 + 1) as u32
    }

    pub(super) fn acceptor_ids(&self) -> impl Iterator<Item = NodeId> {
        (0..self.acceptors as u32).map(NodeId)
    }

    pub(super) fn learner_ids(&self) -> impl Iterator<Item = NodeId> {
        (0..self.learners as u32).map(NodeId)
    }

    pub(super) fn is(&self, m: Mutant) -> bool {
        self.mutant == Some(m)
    }
}

/// Parse a value typed by the user.
pub fn parse_value(s: &str) -> Result<Propose, String> {
    s.trim()
        .parse::<u64>()
        .ok()
        .filter(|v| *v <= 1_000_000)
        .map(Propose)
        .ok_or_else(|| format!("a value is a whole number from 0 to 1000000 (got {})", Echo(s)))
}
