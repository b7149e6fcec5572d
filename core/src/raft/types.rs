//! The words of Raft: terms, indices, log entries, messages, commands, and the configuration.

use crate::echo::Echo;
use alloc::boxed::Box;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use serde::Serialize;

use crate::explorable::Rename;
use crate::protocol::{NodeId, ScriptAction, Time};

pub use crate::kv::{Client, Kv, KvOp, KvResult, Outcome, MAX_KEY_LEN};

/// The state machine a Raft group replicates: the key-value store (`Kv`, the Raft page's), or
/// the coordination service's tree. Raft itself only orders its operations: it appends them,
/// commits them and applies them in log order on every server, and answers a client once.
pub trait Machine: Clone + fmt::Debug + Default + PartialEq + Eq + core::hash::Hash + 'static {
    /// A client command, as the log carries it.
    type Op: Clone + fmt::Debug + PartialEq + Eq + core::hash::Hash + Serialize + fmt::Display;
    /// What applying it returned.
    type Result: Clone + fmt::Debug + PartialEq + Eq + core::hash::Hash + Serialize + fmt::Display;
    /// Whether the leader answers a client once it has applied its command (the Raft page's
    /// clients talk to the leader); otherwise the protocol around Raft answers.
    const LEADER_REPLIES: bool = true;
    /// What the state machine is called in a checker's message ("S2's tree after index 7
    /// differs from another server's").
    const STATE: &'static str = "key-value state";
    /// Apply a client command once, at log position (`index`, `term`): a repeated request
    /// returns the remembered result and position instead of applying it again.
    fn apply(
        &mut self,
        client: NodeId,
        req: u64,
        op: &Self::Op,
        index: LogIndex,
        term: Term,
    ) -> (Self::Result, LogIndex, Term);
    /// The state a snapshot keeps: all of it by default. A machine that buffers what its last
    /// steps did, for the code around it to act on, leaves that buffer out: it is not state,
    /// and a server that installs the snapshot must not act on it again.
    fn snapshot(&self) -> Self {
        self.clone()
    }
    /// The client's last applied request: its number, result, index and term.
    fn last_applied(&self, client: NodeId) -> Option<(u64, &Self::Result, LogIndex, Term)>;
    /// Whether `op` only reads (and may be served without the log, by ReadIndex or a lease).
    fn is_read(op: &Self::Op) -> bool;
    /// Evaluate a read against the current state.
    fn read(&self, op: &Self::Op) -> Self::Result;
    /// The command as a key-value operation, for the checker's linearizability monitor
    /// (`None`: the machine's own checker looks after its history).
    fn as_kv(_op: &Self::Op) -> Option<&KvOp> {
        None
    }
}

impl Machine for Kv {
    type Op = KvOp;
    type Result = KvResult;
    fn apply(
        &mut self,
        client: NodeId,
        req: u64,
        op: &KvOp,
        index: LogIndex,
        term: Term,
    ) -> (KvResult, LogIndex, Term) {
        Kv::apply(self, client, req, op, index, term)
    }
    fn last_applied(&self, client: NodeId) -> Option<(u64, &KvResult, LogIndex, Term)> {
        self.sessions.get(&client.0).map(|(req, result, index, term)| (*req, result, *index, *term))
    }
    fn is_read(op: &KvOp) -> bool {
        op.is_read()
    }
    fn read(&self, op: &KvOp) -> KvResult {
        match op {
            KvOp::Get(k) => KvResult::Value(self.data.get(k).copied()),
            write => self.clone().execute(write),
        }
    }
    fn as_kv(op: &KvOp) -> Option<&KvOp> {
        Some(op)
    }
}

/// The effects of a Raft server replicating `M` (its messages, timers and notes): what its
/// handlers record. `Raft`, the Raft page's protocol, has the same effects with `M = Kv`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Group<M>(core::marker::PhantomData<M>);

impl<M: Machine> crate::protocol::Effects for Group<M> {
    type Msg = Msg<M>;
    type Timer = Timer;
    type Note = Note;
}

/// A Raft term. Zero is "before any election".
pub type Term = u64;
/// A log index. Entries are numbered from 1; 0 is "before the first entry".
pub type LogIndex = u64;

/// Most servers in a cluster (voters plus spares that may be added).
pub const MAX_SERVERS: usize = 9;
/// Most simulated clients.
pub const MAX_CLIENTS: usize = 8;
/// Most applied entries between automatic snapshots.
pub const MAX_SNAPSHOT_EVERY: u64 = 100_000;
/// Most entries one AppendEntries carries.
pub const MAX_BATCH: usize = 8;

/// What a log entry carries.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(bound = "")]
pub enum Command<M: Machine = Kv> {
    /// Appended by a new leader at the start of its term (§5.4.2, §6.4).
    Noop,
    /// A client command, with the client and its request number.
    Kv { client: NodeId, req: u64, op: M::Op },
    /// A new cluster membership (the voters), effective as soon as it is in a server's log.
    Config(Vec<NodeId>),
}

impl<M: Machine> Command<M> {
    /// The command with its node ids renamed (symmetry reduction; a membership as a set).
    pub fn renamed(&self, r: &Rename) -> Self {
        match self {
            Command::Noop => Command::Noop,
            Command::Kv { client, req, op } => {
                Command::Kv { client: r.node(*client), req: *req, op: op.clone() }
            }
            Command::Config(members) => {
                let mut members = members.clone();
                r.set(&mut members);
                Command::Config(members)
            }
        }
    }
}

impl<M: Machine> Entry<M> {
    pub fn renamed(&self, r: &Rename) -> Self {
        Entry { term: self.term, cmd: self.cmd.renamed(r) }
    }
}

impl<M: Machine> Snapshot<M> {
    pub fn renamed(&self, r: &Rename) -> Self {
        let mut s = self.clone();
        r.set(&mut s.config);
        s
    }
}

impl<M: Machine> Msg<M> {
    /// The message with every node id in it renamed: the entries' clients and memberships, a
    /// snapshot's membership.
    pub fn renamed(&self, r: &Rename) -> Self {
        match self {
            Msg::Append { term, prev_index, prev_term, entries, commit, seq } => Msg::Append {
                term: *term,
                prev_index: *prev_index,
                prev_term: *prev_term,
                entries: entries.iter().map(|e| e.renamed(r)).collect(),
                commit: *commit,
                seq: *seq,
            },
            Msg::InstallSnapshot { term, snapshot, seq } => {
                Msg::InstallSnapshot { term: *term, snapshot: Box::new(snapshot.renamed(r)), seq: *seq }
            }
            _ => self.clone(),
        }
    }
}

impl<M: Machine> fmt::Display for Command<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Command::Noop => write!(f, "no-op"),
            Command::Kv { op, .. } => write!(f, "{op}"),
            Command::Config(members) => {
                let names: Vec<String> = members.iter().map(|m| format!("{m}")).collect();
                write!(f, "config {{{}}}", names.join(","))
            }
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(bound = "")]
pub struct Entry<M: Machine = Kv> {
    pub term: Term,
    pub cmd: Command<M>,
}

/// A snapshot of the state machine up to `last_index`, with the membership at that point.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(bound = "")]
pub struct Snapshot<M: Machine = Kv> {
    pub last_index: LogIndex,
    pub last_term: Term,
    #[serde(skip)]
    pub kv: M,
    pub config: Vec<NodeId>,
}

/// Raft messages.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(bound = "")]
pub enum Msg<M: Machine = Kv> {
    /// RequestVote; `pre` for a PreVote round (the term is the one the sender would use).
    RequestVote {
        term: Term,
        last_index: LogIndex,
        last_term: Term,
        pre: bool,
        transfer: bool,
    },
    Vote {
        term: Term,
        granted: bool,
        pre: bool,
    },
    /// AppendEntries (a heartbeat when empty). `seq` numbers the leader's broadcasts, so
    /// ReadIndex and leases can tell which replies came after a read arrived.
    Append {
        term: Term,
        prev_index: LogIndex,
        prev_term: Term,
        entries: Vec<Entry<M>>,
        commit: LogIndex,
        seq: u64,
    },
    AppendReply {
        term: Term,
        success: bool,
        match_index: LogIndex,
        conflict_index: LogIndex,
        conflict_term: Option<Term>,
        seq: u64,
    },
    /// The snapshot is boxed: it holds a whole state machine, and every message is as large
    /// as its largest kind (the simulator's queue and records move messages about).
    InstallSnapshot {
        term: Term,
        snapshot: Box<Snapshot<M>>,
        seq: u64,
    },
    SnapshotReply {
        term: Term,
        last_index: LogIndex,
    },
    TimeoutNow {
        term: Term,
    },
    /// A client request with the client's request number.
    Request {
        req: u64,
        op: M::Op,
    },
    Reply {
        req: u64,
        outcome: Outcome<M::Result>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Timer {
    Election,
    Heartbeat,
    CheckQuorum,
    TransferDeadline,
    ClientNext,
    ClientRetry,
}

/// Requests from outside the protocol: client operations (to a client node) and operator
/// commands (to a server, acted on if it is the leader).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum ClientOp {
    Kv(KvOp),
    /// Hand leadership to this member (`None`: the most up-to-date follower).
    TransferLeadership(Option<NodeId>),
    AddServer(NodeId),
    RemoveServer(NodeId),
    /// Take a snapshot now and compact the log.
    Compact,
}

impl fmt::Display for ClientOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClientOp::Kv(op) => write!(f, "{op}"),
            ClientOp::TransferLeadership(Some(n)) => write!(f, "transfer leadership to {n}"),
            ClientOp::TransferLeadership(None) => write!(f, "transfer leadership"),
            ClientOp::AddServer(n) => write!(f, "add server {n}"),
            ClientOp::RemoveServer(n) => write!(f, "remove server {n}"),
            ClientOp::Compact => write!(f, "take a snapshot"),
        }
    }
}

/// Facts for the checker and the client history.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Note {
    /// A client sent a request for the first time.
    Invoke { client: NodeId, req: u64, op: KvOp },
    /// A client received the result of a request.
    Ack { client: NodeId, req: u64, op: KvOp, result: KvResult, index: LogIndex, term: Term },
    /// A server became leader.
    Elected { node: NodeId, term: Term },
    /// An operator command was refused, and why.
    Refused { node: NodeId, why: String },
    /// A server answered a client's write as done at `index` (judged as it is sent: an answer
    /// that reached its client only after the entry committed was still too early).
    Answered { server: NodeId, client: NodeId, req: u64, index: LogIndex },
}

/// The deliberately broken variants.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Mutant {
    VoteWithoutLogCheck,
    CommitOldTerm,
    ForgetTermAndVote,
    LeaderOverwrites,
    AckBeforeCommit,
    KeepConflictingSuffix,
    InstallStaleSnapshot,
    ReadBeforeTermCommit,
}

/// How the leader serves reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum ReadMode {
    /// Reads go through the log like writes.
    Log,
    /// ReadIndex: confirm leadership with a heartbeat round, then read at the commit index.
    ReadIndex,
    /// Lease: answer at once while a majority's recent acknowledgements say no other leader
    /// can exist. Correct only if clocks drift less than the margin.
    Lease,
    /// Unsafe: a server that believes it leads answers from its own state at once. A deposed
    /// leader that has not heard of its successor returns stale values; the linearizability
    /// checker shows it.
    Local,
}

/// Raft configuration: cluster, timing, extensions, workload and mutant.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Raft {
    /// Voting members at the start: servers `0..servers`.
    pub servers: usize,
    /// Extra servers, not members at the start, that can be added (`servers..servers+spares`).
    pub spares: usize,
    /// Simulated clients (the nodes after the servers).
    pub clients: usize,
    pub election_us: (u64, u64),
    pub heartbeat_us: u64,
    pub prevote: bool,
    pub check_quorum: bool,
    pub read_mode: ReadMode,
    /// Take a snapshot when this many applied entries are in the log (0: only on request).
    pub snapshot_every: u64,
    /// Mean pause between a client's requests, microseconds (0: clients wait for the user).
    pub client_think_us: u64,
    /// What clients ask for by themselves.
    pub workload: crate::kv::Workload,
    /// How long a client waits for a reply before retrying elsewhere.
    pub client_timeout_us: u64,
    /// Initial persistent state of servers (term, log terms), for the paper's figures.
    pub initial_logs: Vec<(Term, Vec<Term>)>,
    /// First election timeout per server, microseconds (missing or 0: random).
    pub first_election_us: Vec<u64>,
    /// Election timeout per server right after a restart (missing or 0: random).
    pub restart_election_us: Vec<u64>,
    /// The scenario's timed steps and narration.
    pub script: Vec<(Time, ScriptAction<ClientOp>)>,
    pub narration: Vec<crate::lesson::Step>,
    pub mutant: Option<Mutant>,
}

impl Default for Raft {
    fn default() -> Self {
        Raft {
            servers: 5,
            spares: 0,
            clients: 1,
            election_us: (150_000, 300_000),
            heartbeat_us: 50_000,
            prevote: false,
            check_quorum: false,
            read_mode: ReadMode::Log,
            snapshot_every: 0,
            client_think_us: 100_000,
            workload: Default::default(),
            client_timeout_us: 200_000,
            initial_logs: Vec::new(),
            first_election_us: Vec::new(),
            restart_election_us: Vec::new(),
            script: Vec::new(),
            narration: Vec::new(),
            mutant: None,
        }
    }
}

impl Raft {
    /// Check every size against its limit; the message names the field.
    pub fn validate(&self) -> Result<(), String> {
        self.workload.validate(self.client_think_us)?;
        if !(3..=MAX_SERVERS).contains(&self.servers) {
            return Err(format!("servers must be between 3 and {MAX_SERVERS} (got {})", self.servers));
        }
        if self.spares > MAX_SERVERS || self.servers + self.spares > MAX_SERVERS {
            return Err(format!(
                "servers plus spare servers must be at most {MAX_SERVERS} (got {} + {})",
                self.servers, self.spares
            ));
        }
        if self.clients > MAX_CLIENTS {
            return Err(format!("clients must be between 0 and {MAX_CLIENTS} (got {})", self.clients));
        }
        let (lo, hi) = self.election_us;
        if lo == 0 || hi < lo || hi > 10_000_000 {
            return Err("the election timeout range must be non-empty and at most 10 s".into());
        }
        if self.heartbeat_us == 0 || self.heartbeat_us >= lo {
            return Err("the heartbeat interval must be shorter than the election timeout".into());
        }
        if self.snapshot_every > MAX_SNAPSHOT_EVERY {
            return Err(format!(
                "snapshot-every must be between 0 (only on request) and {MAX_SNAPSHOT_EVERY} entries (got {})",
                self.snapshot_every
            ));
        }
        if self.read_mode == ReadMode::Lease && !self.check_quorum {
            return Err("lease reads need CheckQuorum: a leader's lease is safe only if followers that \
                        hear from it refuse to vote for others meanwhile, which CheckQuorum makes them do \
                        (thesis §6.4; etcd requires the same); turn CheckQuorum on"
                .into());
        }
        if self.initial_logs.len() > self.servers + self.spares {
            return Err("more initial logs than servers".into());
        }
        Ok(())
    }

    pub fn is_server(&self, id: NodeId) -> bool {
        id.index() < self.servers + self.spares
    }

    pub fn server_ids(&self) -> impl Iterator<Item = NodeId> {
        (0..(self.servers + self.spares) as u32).map(NodeId)
    }

    pub fn initial_config(&self) -> Vec<NodeId> {
        (0..self.servers as u32).map(NodeId).collect()
    }

    pub(crate) fn is(&self, m: Mutant) -> bool {
        self.mutant == Some(m)
    }
}

/// Parse a client command typed by the user: `put k v`, `get k`, `delete k`, `cas k old new`
/// (`-` for "absent"), or an operator command `transfer S3`, `add S4`, `remove S2`, `snapshot`.
pub fn parse_op(text: &str) -> Result<ClientOp, String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    if let Some(op) = crate::kv::parse_kv(&words) {
        return op.map(ClientOp::Kv);
    }
    let node = |n: &str| -> Result<NodeId, String> {
        let digits = n.trim_start_matches(['S', 's']);
        match digits.parse::<u32>() {
            Ok(i) if (1..=MAX_SERVERS as u32).contains(&i) => Ok(NodeId(i - 1)),
            _ => Err(format!("a server is named S1 to S{MAX_SERVERS} (got {})", Echo(n))),
        }
    };
    let op = match words.as_slice() {
        ["transfer", n] => ClientOp::TransferLeadership(Some(node(n)?)),
        ["transfer"] => ClientOp::TransferLeadership(None),
        ["add", n] => ClientOp::AddServer(node(n)?),
        ["remove", n] => ClientOp::RemoveServer(node(n)?),
        ["snapshot"] => ClientOp::Compact,
        _ => {
            return Err(String::from(
                "commands: put KEY VALUE, get KEY, delete KEY, cas KEY OLD|- NEW, transfer [S2], add S4, remove S2, snapshot",
            ))
        }
    };
    Ok(op)
}
