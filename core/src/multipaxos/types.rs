//! The words of Multi-Paxos: ballots, slots, commands, messages, and the configuration.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use serde::Serialize;

use crate::kv::{KvOp, KvResult, Outcome};
use crate::protocol::{MessageInfo, NodeId, ScriptAction, Time};

/// A log position. Slots are numbered from 1.
pub type Slot = u64;

/// Most servers in a cluster, and most simulated clients.
pub const MAX_SERVERS: usize = 9;
pub const MAX_CLIENTS: usize = 8;
/// Most proposals a leader keeps in flight (further requests wait for a retry).
pub const MAX_IN_FLIGHT: usize = 64;
/// Most chosen slots one catch-up answer carries.
pub const CATCH_UP_BATCH: u64 = 16;

/// A ballot: a round number, and the proposer that owns it (ties broken by node).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Ballot {
    pub round: u64,
    pub node: u32,
}

impl Ballot {
    pub const ZERO: Ballot = Ballot { round: 0, node: 0 };
}

impl fmt::Display for Ballot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.round == 0 {
            write!(f, "b0")
        } else {
            write!(f, "b{}.{}", self.round, self.node + 1)
        }
    }
}

/// What a slot holds.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Command {
    /// Fills a gap a new leader found in the slots below its highest one.
    Noop,
    Kv {
        client: NodeId,
        req: u64,
        op: KvOp,
    },
}

impl fmt::Display for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Command::Noop => write!(f, "no-op"),
            Command::Kv { op, .. } => write!(f, "{op}"),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Msg {
    /// Phase 1a, once for every slot from `first` on.
    Prepare {
        ballot: Ballot,
        first: Slot,
    },
    /// Phase 1b: the promise, with every value accepted in a slot from `first` on.
    Promise {
        ballot: Ballot,
        accepted: Vec<(Slot, Ballot, Command)>,
    },
    /// "I promised a higher ballot."
    Nack {
        ballot: Ballot,
        promised: Ballot,
    },
    /// Phase 2a for one slot; `commit` is the leader's chosen prefix, so followers learn it.
    Accept {
        ballot: Ballot,
        slot: Slot,
        cmd: Command,
        commit: Slot,
    },
    /// Phase 2b.
    Accepted {
        ballot: Ballot,
        slot: Slot,
    },
    /// A chosen slot's value, in answer to a CatchUp. (Learners otherwise learn from the
    /// `commit` of the leader's Accepts and heartbeats.)
    Chosen {
        slot: Slot,
        cmd: Command,
    },
    Heartbeat {
        ballot: Ballot,
        commit: Slot,
    },
    /// A learner that is behind asks the leader for chosen slots from `from` on.
    CatchUp {
        from: Slot,
    },
    Request {
        req: u64,
        op: KvOp,
    },
    Reply {
        req: u64,
        outcome: Outcome,
    },
}

impl MessageInfo for Msg {
    fn kind(&self) -> &'static str {
        match self {
            Msg::Prepare { .. } => "Prepare",
            Msg::Promise { .. } => "Promise",
            Msg::Nack { .. } => "Nack",
            Msg::Accept { .. } => "Accept",
            Msg::Accepted { .. } => "Accepted",
            Msg::Chosen { .. } => "Chosen",
            Msg::Heartbeat { .. } => "Heartbeat",
            Msg::CatchUp { .. } => "CatchUp",
            Msg::Request { .. } => "ClientRequest",
            Msg::Reply { .. } => "ClientReply",
        }
    }
    fn summary(&self) -> String {
        match self {
            Msg::Prepare { ballot, first } => format!("({ballot}, slots ≥ {first})"),
            Msg::Promise { ballot, accepted } => format!("({ballot}, {} accepted values)", accepted.len()),
            Msg::Nack { ballot, promised } => format!("({ballot} < promised {promised})"),
            Msg::Accept { ballot, slot, cmd, .. } => format!("({ballot}, slot {slot}: {cmd})"),
            Msg::Accepted { ballot, slot } => format!("({ballot}, slot {slot})"),
            Msg::Chosen { slot, cmd } => format!("(slot {slot}: {cmd})"),
            Msg::Heartbeat { ballot, commit } => format!("({ballot}, chosen up to {commit})"),
            Msg::CatchUp { from } => format!("(from slot {from})"),
            Msg::Request { req, op } => format!("(#{req}: {op})"),
            Msg::Reply { req, outcome } => format!("(#{req}: {outcome})"),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Timer {
    Election,
    Heartbeat,
    ClientNext,
    ClientRetry,
}

/// Requests from outside: a key-value operation (to a client node).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum ClientOp {
    Kv(KvOp),
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Note {
    Invoke {
        client: NodeId,
        req: u64,
        op: KvOp,
    },
    Ack {
        client: NodeId,
        req: u64,
        op: KvOp,
        result: KvResult,
        index: Slot,
        term: u64,
    },
    /// A server finished phase 1 and leads with this ballot.
    Elected {
        node: NodeId,
        ballot: Ballot,
    },
    /// An acceptor accepted a value (the checker counts acceptances per slot and ballot).
    Accepted {
        node: NodeId,
        slot: Slot,
        ballot: Ballot,
        value: u64,
        proposal: Option<(NodeId, u64)>,
    },
    /// A learner applied a slot to its state machine.
    Applied {
        node: NodeId,
        slot: Slot,
        value: u64,
    },
    Refused {
        node: NodeId,
        why: String,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Mutant {
    /// A new leader ignores the values its promises report and fills every slot with its own.
    NoAdopt,
    /// Acceptors accept ballots below the one they promised.
    AcceptBelowPromise,
    /// A server that times out leads at once with a higher ballot, without phase 1.
    SkipPhase1,
    /// Promises and accepted values are not persisted: a restarted acceptor forgets them.
    ForgetOnRestart,
    /// A learner told "chosen up to k" takes whatever it accepted in those slots, in any ballot
    /// (only a value accepted in the leader's own ballot is known to be the chosen one).
    LearnAnyBallot,
    /// The leader answers a client as soon as it proposes the command, before it is chosen.
    ReplyBeforeChosen,
    /// The leader files a command under its slot number instead of the client's request number
    /// (both are integers), so the command is not the one the client sent.
    SlotForRequest,
    /// The leader answers a get from its own state at once, without a slot: a leader that has
    /// been replaced without knowing it answers stale.
    ReadLocal,
}

impl Mutant {
    pub fn parse(s: &str) -> Option<Mutant> {
        match s {
            "no-adopt" => Some(Mutant::NoAdopt),
            "accept-below-promise" => Some(Mutant::AcceptBelowPromise),
            "skip-phase1" => Some(Mutant::SkipPhase1),
            "forget-on-restart" => Some(Mutant::ForgetOnRestart),
            "learn-any-ballot" => Some(Mutant::LearnAnyBallot),
            "reply-before-chosen" => Some(Mutant::ReplyBeforeChosen),
            "slot-for-request" => Some(Mutant::SlotForRequest),
            "read-local" => Some(Mutant::ReadLocal),
            _ => None,
        }
    }
}

/// Multi-Paxos configuration. Servers are nodes `0..servers`; clients follow.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct MultiPaxos {
    pub servers: usize,
    pub clients: usize,
    /// Election timeouts are drawn from `[election_us, 2 × election_us)`.
    pub election_us: u64,
    pub heartbeat_us: u64,
    /// A proposer that meets a higher ballot waits a random time before trying again. Without
    /// it, dueling proposers retry at once and can preempt each other indefinitely.
    pub backoff: bool,
    pub client_think_us: u64,
    /// What clients ask for by themselves.
    pub workload: crate::kv::Workload,
    pub client_timeout_us: u64,
    /// Forced first election times for some servers (the dueling-proposers preset).
    pub first_election: Vec<(NodeId, Time)>,
    /// A preset's starting state (as Raft's `initial_logs`): per server from S1, the ballot it
    /// promised and the slots where it accepted a no-op, with the ballot of each. What a
    /// majority accepted in one ballot starts chosen (the checker knows it).
    pub initial: Vec<(Ballot, Vec<(Slot, Ballot)>)>,
    pub mutant: Option<Mutant>,
    pub script: Vec<(Time, ScriptAction<ClientOp>)>,
    pub narration: Vec<crate::lesson::Step>,
}

impl Default for MultiPaxos {
    fn default() -> Self {
        MultiPaxos {
            servers: 5,
            clients: 1,
            election_us: 150_000,
            heartbeat_us: 50_000,
            backoff: true,
            client_think_us: 100_000,
            workload: Default::default(),
            client_timeout_us: 200_000,
            first_election: Vec::new(),
            initial: Vec::new(),
            mutant: None,
            script: Vec::new(),
            narration: Vec::new(),
        }
    }
}

/// The highest slot a starting state may fill.
pub const MAX_INITIAL_SLOT: Slot = 16;

impl MultiPaxos {
    pub fn validate(&self) -> Result<(), String> {
        self.workload.validate(self.client_think_us)?;
        if !(1..=MAX_SERVERS).contains(&self.servers) {
            return Err(format!("servers must be between 1 and {MAX_SERVERS} (got {})", self.servers));
        }
        if self.clients > MAX_CLIENTS {
            return Err(format!("clients must be between 0 and {MAX_CLIENTS} (got {})", self.clients));
        }
        if self.heartbeat_us == 0 || self.heartbeat_us >= self.election_us {
            return Err("the heartbeat must be shorter than the election timeout".into());
        }
        if self.initial.len() > self.servers {
            return Err(format!(
                "a starting state for {} servers, but there are {}",
                self.initial.len(),
                self.servers
            ));
        }
        for (i, (promised, accepted)) in self.initial.iter().enumerate() {
            for (slot, ballot) in accepted {
                if !(1..=MAX_INITIAL_SLOT).contains(slot) || ballot > promised || *ballot == Ballot::ZERO {
                    return Err(format!(
                        "S{}'s starting slot {slot} in {ballot} does not fit its promise {promised}",
                        i + 1
                    ));
                }
            }
        }
        Ok(())
    }
    pub fn majority(&self) -> u32 {
        self.servers as u32 / 2 + 1
    }
    pub fn is(&self, m: Mutant) -> bool {
        self.mutant == Some(m)
    }
}
