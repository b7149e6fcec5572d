//! Raft, after Ongaro and Ousterhout, "In Search of an Understandable Consensus Algorithm"
//! (2014), and Ongaro's thesis "Consensus: Bridging Theory and Practice" (2014).
//!
//! Raft keeps a replicated log. One server is the **leader**; it accepts client commands,
//! appends them to its log and replicates them to the **followers** with AppendEntries. An entry
//! is **committed** once the leader has stored it on a majority, and then every server applies
//! it, in log order, to its copy of the state machine (here a key-value store).
//!
//! **Election (§5.2).** Time is divided into *terms*, each with at most one leader. A follower
//! that hears nothing from a leader for a randomized *election timeout* becomes a candidate:
//! it increments its term, votes for itself and asks the others with RequestVote. A server grants
//! at most one vote per term (votedFor persists across crashes), and only to a candidate whose
//! log is at least as up to date as its own (§5.4.1): a later last term, or the same last term
//! and a log at least as long. A candidate with votes from a majority becomes leader. Timeouts are
//! re-drawn after every timeout, so split votes resolve.
//!
//! **Replication (§5.3).** AppendEntries carries the index and term of the entry before the new
//! ones; a follower accepts only if its log matches there, and deletes any conflicting suffix.
//! When it refuses, it returns a *conflict hint* (the term at the mismatch and the first index of
//! that term) so the leader can skip back a whole term at a time instead of one entry.
//!
//! **Commitment (§5.4.2).** A leader only commits an entry of *its own term* by counting
//! replicas; earlier entries become committed indirectly. Counting replicas of an older-term entry
//! is unsafe: Figure 8 of the paper shows such an entry being overwritten after it "committed".
//! Under this rule older entries wait for an entry of the leader's term, so a new leader appends a
//! no-op entry at the start of its term to commit them promptly (and to serve reads, §6.4).
//!
//! **Clients.** Requests may go to any server; followers redirect to the leader they know. The
//! leader replies after the command is committed and applied. Each client numbers its requests
//! and the state machine remembers the last request per client, so a retried write is applied once.
//!
//! **Persistence.** currentTerm, votedFor, the log and the snapshot survive a crash: they are the
//! server's `HardState`, and all a restart sees. The commit index, the applied state and all
//! leader state are rebuilt.
//!
//! **Extensions** (thesis), each switchable: *PreVote* (§9.6: ask whether you could win before
//! disrupting the cluster with a higher term), *CheckQuorum* (§6.2: a leader that cannot reach a
//! majority steps down, and servers that heard from a leader recently ignore RequestVote),
//! *leadership transfer* (§3.10), *ReadIndex* and *lease* reads (§6.4: linearizable reads without
//! a log write; leases depend on bounded clock drift), *log compaction* with snapshots and
//! InstallSnapshot (§5), and *single-server membership changes* (§4.1) with catch-up of a new
//! server before it counts.
//!
//! The checker tests the paper's Figure 3 properties after every event (Election Safety, Leader
//! Append-Only, Log Matching, Leader Completeness, State Machine Safety) and that an
//! acknowledged client write is never lost (nor answered before it commits); commitment is
//! also judged as the paper defines it (an entry a majority stored in its leader's term). Five
//! mutants break it: the swarm test shows the property each fires first, and unit tests show
//! Log Matching and State Machine Safety, which the checks before them pre-empt there, firing
//! on their own.

mod check;
mod replication;
pub mod scenarios;
pub mod server;
pub mod setup;
mod state;
mod types;
mod view;
pub use view::log_detail;

#[cfg(test)]
mod answer_tests;
#[cfg(test)]
mod membership_tests;
#[cfg(test)]
mod tests;

use crate::kv::client;
pub use check::{check_server, seen_entry, Monitor};
pub use state::{Durable, HardState, Node, Server};
pub use types::Snapshot as RaftSnapshot;
pub use types::*;

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use crate::protocol::{Ctx, MessageInfo, MutantInfo, NodeId, PropertyInfo, Protocol, ScriptAction, Time};
use crate::rng::Rng;

impl<M: Machine> MessageInfo for Msg<M> {
    fn kind(&self) -> &'static str {
        match self {
            Msg::RequestVote { pre: true, .. } => "PreVote",
            Msg::RequestVote { .. } => "RequestVote",
            Msg::Vote { pre: true, .. } => "PreVoteReply",
            Msg::Vote { .. } => "Vote",
            Msg::Append { entries, .. } if entries.is_empty() => "Heartbeat",
            Msg::Append { .. } => "AppendEntries",
            Msg::AppendReply { .. } => "AppendReply",
            Msg::InstallSnapshot { .. } => "InstallSnapshot",
            Msg::SnapshotReply { .. } => "SnapshotReply",
            Msg::TimeoutNow { .. } => "TimeoutNow",
            Msg::Request { .. } => "ClientRequest",
            Msg::Reply { .. } => "ClientReply",
        }
    }
    fn summary(&self) -> String {
        match self {
            Msg::RequestVote { term, last_index, last_term, transfer, .. } => format!(
                "(term {term}, last log {last_index}@t{last_term}{})",
                if *transfer { ", leadership transfer" } else { "" }
            ),
            Msg::Vote { term, granted, .. } => {
                format!("(term {term}, {})", if *granted { "granted" } else { "refused" })
            }
            Msg::Append { term, prev_index, prev_term, entries, commit, .. } => format!(
                "(term {term}, prev {prev_index}@t{prev_term}, {} entr{}, commit {commit})",
                entries.len(),
                if entries.len() == 1 { "y" } else { "ies" }
            ),
            Msg::AppendReply { term, success: true, match_index, .. } => {
                format!("(term {term}, ok, match {match_index})")
            }
            Msg::AppendReply { term, conflict_index, conflict_term, .. } => match conflict_term {
                Some(t) => format!("(term {term}, mismatch: term {t} from index {conflict_index})"),
                None => format!("(term {term}, mismatch: log ends before {conflict_index})"),
            },
            Msg::InstallSnapshot { term, snapshot, .. } => {
                format!("(term {term}, up to {}@t{})", snapshot.last_index, snapshot.last_term)
            }
            Msg::SnapshotReply { term, last_index } => format!("(term {term}, have {last_index})"),
            Msg::TimeoutNow { term } => format!("(term {term}: start an election now)"),
            Msg::Request { req, op } => format!("(#{req} {op})"),
            Msg::Reply { req, outcome } => format!("(#{req} {outcome})"),
        }
    }
}

const MUTANTS: &[MutantInfo] = &[
    MutantInfo {
        name: "vote-without-log-check",
        description: "servers grant votes without the up-to-date-log check (§5.4.1)",
    },
    MutantInfo {
        name: "commit-old-term",
        description: "a new leader appends no no-op and commits earlier-term entries by counting replicas (the Figure 8 bug)",
    },
    MutantInfo {
        name: "forget-term-and-vote",
        description: "currentTerm and votedFor are not persisted: a restart forgets them",
    },
    MutantInfo {
        name: "leader-overwrites",
        description: "a leader writes new commands over its own uncommitted entries",
    },
    MutantInfo {
        name: "ack-before-commit",
        description: "the leader answers a write as soon as it appends it, before a majority has it",
    },
    MutantInfo {
        name: "keep-conflicting-suffix",
        description: "a follower replaces a conflicting entry but keeps the entries after it (Figure 2 says delete them)",
    },
    MutantInfo {
        name: "install-stale-snapshot",
        description: "a follower installs a snapshot that ends before its commit index (a late or duplicated InstallSnapshot), going back in time",
    },
    MutantInfo {
        name: "read-before-term-commit",
        description: "a new leader serves ReadIndex and lease reads before it has committed an entry of its term (§6.4 says wait)",
    },
];

/// Raft's log properties, as every protocol built on the Raft module checks them (its own
/// checker, [`check_server`]).
pub const LOG_PROPERTIES: [PropertyInfo; 4] = [
    PropertyInfo { name: "election-safety", description: "at most one leader per term" },
    PropertyInfo {
        name: "leader-append-only",
        description: "a leader never overwrites or deletes its entries",
    },
    PropertyInfo { name: "log-matching", description: "same index and term ⇒ identical logs up to there" },
    PropertyInfo {
        name: "leader-completeness",
        description: "a committed entry is in every later leader's log",
    },
];

/// Raft's log properties, then a protocol's own (`N` is both counts together).
pub const fn with_log_properties<const N: usize>(own: &[PropertyInfo]) -> [PropertyInfo; N] {
    let mut out = [LOG_PROPERTIES[0]; N];
    let mut i = 0;
    while i < N {
        out[i] = if i < LOG_PROPERTIES.len() { LOG_PROPERTIES[i] } else { own[i - LOG_PROPERTIES.len()] };
        i += 1;
    }
    out
}

const PROPERTIES: &[PropertyInfo] = &with_log_properties::<7>(&[
    PropertyInfo {
        name: "state-machine-safety",
        description: "no two servers apply different entries at one index",
    },
    PropertyInfo {
        name: "acked-write-durable",
        description: "a write acknowledged to a client is never lost",
    },
    PropertyInfo {
        name: "linearizable",
        description: "every operation sees all that completed before it began: no stale read",
    },
]);

impl Mutant {
    pub fn parse(name: &str) -> Option<Mutant> {
        match name {
            "vote-without-log-check" => Some(Mutant::VoteWithoutLogCheck),
            "commit-old-term" => Some(Mutant::CommitOldTerm),
            "forget-term-and-vote" => Some(Mutant::ForgetTermAndVote),
            "leader-overwrites" => Some(Mutant::LeaderOverwrites),
            "ack-before-commit" => Some(Mutant::AckBeforeCommit),
            "keep-conflicting-suffix" => Some(Mutant::KeepConflictingSuffix),
            "install-stale-snapshot" => Some(Mutant::InstallStaleSnapshot),
            "read-before-term-commit" => Some(Mutant::ReadBeforeTermCommit),
            _ => None,
        }
    }
}

impl crate::protocol::Effects for Raft {
    type Msg = Msg;
    type Timer = Timer;
    type Note = Note;
}

impl Protocol for Raft {
    type ClientOp = ClientOp;
    type Node = Node;
    type Durable = Durable;
    type Monitor = Monitor;

    fn nodes(&self) -> usize {
        self.servers + self.spares + self.clients
    }

    fn fault_targets(&self) -> usize {
        self.servers + self.spares
    }

    fn init(&self, ctx: &mut Ctx<Self>) -> Node {
        let id = ctx.me();
        if self.is_server(id) {
            Node::Server(server::init(self, &mut ctx.cast()))
        } else {
            Node::Client(client::init(self, ctx))
        }
    }

    fn on_message(&self, node: &mut Node, from: NodeId, msg: Msg, ctx: &mut Ctx<Self>) {
        match node {
            Node::Server(s) => server::on_message(self, s, from, msg, &mut ctx.cast()),
            Node::Client(c) => client::on_message(self, c, from, msg, ctx),
        }
    }

    fn on_timer(&self, node: &mut Node, timer: Timer, ctx: &mut Ctx<Self>) {
        match node {
            Node::Server(s) => server::on_timer(self, s, timer, &mut ctx.cast()),
            Node::Client(c) => client::on_timer(self, c, timer, ctx),
        }
    }

    fn on_client(&self, node: &mut Node, op: ClientOp, ctx: &mut Ctx<Self>) {
        match node {
            Node::Server(s) => server::on_admin(self, s, op, &mut ctx.cast()),
            Node::Client(c) => match op {
                ClientOp::Kv(op) => client::on_op(self, c, op, ctx),
                other => ctx.note(Note::Refused {
                    node: c.id,
                    why: format!("{other} goes to the leader, not to a client"),
                }),
            },
        }
    }

    fn durable(node: &Node) -> Durable {
        match node {
            Node::Server(s) => Durable::Server(s.hard.clone()),
            Node::Client(c) => Durable::Client(c.hard.clone()),
        }
    }

    fn on_restart(&self, durable: Durable, ctx: &mut Ctx<Self>) -> Node {
        match durable {
            Durable::Server(hard) => Node::Server(server::restart(self, hard, &mut ctx.cast())),
            Durable::Client(hard) => Node::Client(client::restart(self, hard, ctx)),
        }
    }

    fn workload(&self, _rng: &mut Rng) -> Vec<(Time, NodeId, ClientOp)> {
        // Clients drive themselves with timers; scenarios add scripted steps.
        Vec::new()
    }

    fn script(&self) -> Vec<(Time, ScriptAction<ClientOp>)> {
        self.script.clone()
    }

    fn has_leader(&self) -> bool {
        true
    }
    fn leader_rank(&self, node: &Node) -> Option<u128> {
        match node {
            Node::Server(s) => s.leader_rank(),
            _ => None,
        }
    }

    fn check(
        &self,
        m: &mut Monitor,
        nodes: &[Node],
        touched: Option<NodeId>,
        _client: Option<&ClientOp>,
        notes: &[Note],
    ) -> Result<(), (&'static str, String)> {
        check::check(self, m, nodes, touched, notes)
    }

    fn properties(&self) -> &'static [PropertyInfo] {
        PROPERTIES
    }

    fn mutants() -> &'static [MutantInfo] {
        MUTANTS
    }

    fn state_digest(&self, node: &Node) -> u64 {
        match node {
            Node::Server(s) => server_digest(s),
            Node::Client(c) => crate::hash::digest(c),
        }
    }

    fn parse_client(&self, text: &str) -> Result<ClientOp, String> {
        parse_op(text)
    }

    fn history_line(note: &Note) -> Option<crate::lincheck::HistoryLine> {
        match note {
            Note::Invoke { client, op, .. } => Some(crate::kv::history_line(*client, op, None)),
            Note::Ack { client, op, result, .. } => Some(crate::kv::history_line(*client, op, Some(result))),
            _ => None,
        }
    }
}

// Clients reach the servers with `Msg::Request`/`Reply`, their timers are `ClientNext`/
// `ClientRetry`, and they report `Note::Invoke`/`Ack`/`Refused`: the shared client serves them.
crate::kv::kv_host!(Raft, spares);

/// A digest of a server that changes whenever the server does, in time independent of its log's
/// length: everything but the log and the state machine, which are summarised by their ends
/// (the handlers only ever append to, truncate, or compact the log, and every change to the
/// machine moves `applied`).
pub fn server_digest<M: Machine>(s: &Server<M>) -> u64 {
    crate::hash::digest(&(
        (s.hard.term, s.hard.voted_for, s.role as u8, s.leader, s.commit, s.applied),
        (s.last_index(), s.last_term(), s.hard.log.last(), s.hard.snapshot.last_index, &s.config),
        (s.votes, &s.next_index, &s.match_index, s.seq, s.heard, s.lease_until),
        (s.reads.len(), s.transfer, &s.adding, s.last_leader_contact),
    ))
}
