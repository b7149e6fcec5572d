//! The words of the coordination service: its configuration, messages, timers, requests from
//! the user, notes for the checker, and mutants.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use serde::Serialize;

use crate::protocol::{NodeId, ScriptAction, Time};
use crate::raft::{self, Raft};

use super::tree::{EventType, Path, SessionId, Tree, TreeOp, TreeResult, WatchKind, SESSION_TIMEOUT_MS};

/// Most servers in the ensemble.
pub const MAX_SERVERS: usize = 7;
/// Most clients.
pub const MAX_CLIENTS: usize = 8;
/// Longest GC pause a user may give a client, milliseconds.
pub const MAX_PAUSE_MS: u32 = 60_000;
/// The lock recipe's parent node.
pub const LOCK: &str = "/lock";
/// The election's parent node.
pub const ELECTION: &str = "/election";
/// The service catalog's parent node.
pub const SERVICE: &str = "/svc";

/// How often a server relays its clients' heartbeats to the leader, and the leader looks for
/// sessions past their timeout.
pub const TICK_US: u64 = 100_000;
/// How long the leader waits for a session's expiry it proposed to be applied before it
/// proposes it again.
pub const EXPIRE_RETRY_US: u64 = 10 * TICK_US;

/// What the clients do by themselves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Recipe {
    /// Take the lock (ephemeral sequential node, watch the predecessor), write to the storage
    /// node with the lock's fencing token, release, again.
    Lock,
    /// Leader election among service instances: the same nodes, the smallest leads until its
    /// session ends, writing to storage with its node's zxid as its epoch.
    Election,
    /// Service discovery: every client but the last registers an ephemeral instance under
    /// `/svc`; the last watches `/svc`'s children and keeps the catalog.
    Discovery,
    /// A configuration store: clients read keys after `sync` and set them, plainly or on
    /// the version they saw; their history goes to the linearizability checker.
    Config,
    /// Nothing: clients wait for the user's requests.
    Idle,
}

impl Recipe {
    pub const ALL: [Recipe; 5] =
        [Recipe::Lock, Recipe::Election, Recipe::Discovery, Recipe::Config, Recipe::Idle];
    pub fn name(self) -> &'static str {
        match self {
            Recipe::Lock => "lock",
            Recipe::Election => "election",
            Recipe::Discovery => "discovery",
            Recipe::Config => "config",
            Recipe::Idle => "idle",
        }
    }
    pub fn parse(s: &str) -> Option<Recipe> {
        Recipe::ALL.into_iter().find(|r| r.name() == s)
    }
}

/// The coordination service: a Raft ensemble serving the tree, clients, one storage node.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Coordination {
    /// The ensemble (servers `0..servers`), with Raft's timing; it has no Raft clients.
    pub raft: Raft,
    /// Clients (the nodes after the servers), then the storage node.
    pub clients: usize,
    pub recipe: Recipe,
    pub session_timeout_ms: u32,
    /// How long a lock holder works before it writes, and between its write and the release.
    pub work_ms: u32,
    /// A client's pause between two rounds of its recipe.
    pub think_ms: u32,
    /// The share of lock (or leadership) takings, in percent, after which the holder stops
    /// for `pause_ms` (a long garbage collection) before it goes on.
    pub pause_pct: u32,
    pub pause_ms: u32,
    /// Client k (from 0) opens its session (k + 1) × this after the start (0: all at once),
    /// so that a preset's clients arrive in order, after the ensemble has a leader.
    pub stagger_ms: u32,
    pub script: Vec<(Time, ScriptAction<ClientOp>)>,
    pub narration: Vec<crate::lesson::Step>,
    pub mutant: Option<Mutant>,
}

impl Default for Coordination {
    fn default() -> Self {
        Coordination {
            raft: Raft { servers: 3, clients: 0, snapshot_every: 100, check_quorum: true, ..Raft::default() },
            clients: 3,
            recipe: Recipe::Lock,
            session_timeout_ms: 1_000,
            work_ms: 150,
            think_ms: 200,
            pause_pct: 10,
            pause_ms: 2_500,
            stagger_ms: 0,
            script: Vec::new(),
            narration: Vec::new(),
            mutant: None,
        }
    }
}

impl Coordination {
    pub fn servers(&self) -> usize {
        self.raft.servers
    }
    pub fn is_server(&self, id: NodeId) -> bool {
        id.index() < self.servers()
    }
    pub fn is_client(&self, id: NodeId) -> bool {
        (self.servers()..self.servers() + self.clients).contains(&id.index())
    }
    /// The storage node the lock holders write to.
    pub fn storage(&self) -> NodeId {
        NodeId((self.servers() + self.clients) as u32)
    }
    pub(crate) fn is(&self, m: Mutant) -> bool {
        self.mutant == Some(m)
    }
    /// How long a server that hears from no leader goes on answering clients: ten of the
    /// leader's heartbeats (ZooKeeper's `syncLimit` of 5 ticks, its leader pinging twice a tick).
    pub fn sync_limit_us(&self) -> u64 {
        10 * self.raft.heartbeat_us
    }
    /// The parent node of the clients' recipe.
    pub fn home(&self) -> &'static str {
        match self.recipe {
            Recipe::Election => ELECTION,
            Recipe::Discovery => SERVICE,
            Recipe::Config => super::config::CONFIG,
            Recipe::Lock | Recipe::Idle => LOCK,
        }
    }
    /// Whether client `id` keeps the service catalog (the discovery recipe's last client).
    pub fn is_watcher(&self, id: NodeId) -> bool {
        self.recipe == Recipe::Discovery && id.index() + 1 == self.servers() + self.clients
    }
    /// How often a client sends a heartbeat: a third of its session timeout.
    pub fn ping_us(&self) -> u64 {
        self.session_timeout_ms as u64 * 1000 / 3
    }
    /// How long a client hears nothing from its server before it moves to the next one:
    /// two thirds of the session timeout (ZooKeeper's `readTimeout`).
    pub fn read_timeout_us(&self) -> u64 {
        self.session_timeout_ms as u64 * 1000 * 2 / 3
    }
    /// How long a client waits for an answer before it tries again through the next server:
    /// a heartbeat interval, at most 400 ms.
    pub fn retry_us(&self) -> u64 {
        self.ping_us().min(400_000)
    }

    /// Check every size against its limit; the message names the field.
    pub fn validate(&self) -> Result<(), String> {
        if !(3..=MAX_SERVERS).contains(&self.servers()) {
            return Err(format!("servers must be between 3 and {MAX_SERVERS} (got {})", self.servers()));
        }
        if !(1..=MAX_CLIENTS).contains(&self.clients) {
            return Err(format!("clients must be between 1 and {MAX_CLIENTS} (got {})", self.clients));
        }
        let (lo, hi) = SESSION_TIMEOUT_MS;
        if !(lo..=hi).contains(&self.session_timeout_ms) {
            return Err(format!(
                "the session timeout must be between {lo} and {hi} ms (got {})",
                self.session_timeout_ms
            ));
        }
        if self.session_timeout_ms as u64 * 1000 < 2 * self.raft.election_us.1 {
            return Err(format!(
                "the session timeout must be at least twice the longest election timeout ({} ms), or \
                 every election would expire sessions",
                2 * self.raft.election_us.1 / 1000
            ));
        }
        if self.pause_pct > 100 {
            return Err(format!(
                "the share of paused holders is a percentage from 0 to 100 (got {})",
                self.pause_pct
            ));
        }
        if !(1..=MAX_PAUSE_MS).contains(&self.pause_ms) {
            return Err(format!("a GC pause is from 1 to {MAX_PAUSE_MS} ms (got {})", self.pause_ms));
        }
        if self.stagger_ms > 10_000 {
            return Err(format!(
                "the clients' stagger must be between 0 and 10000 ms (got {})",
                self.stagger_ms
            ));
        }
        for (what, v) in [("work time", self.work_ms), ("think time", self.think_ms)] {
            if !(1..=10_000).contains(&v) {
                return Err(format!("the {what} must be between 1 and 10000 ms (got {v})"));
            }
        }
        Raft { clients: 0, spares: 0, ..self.raft.clone() }.validate()
    }
}

/// Messages: Raft's among the servers, and the service's own.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Msg {
    Raft(raft::Msg<Tree>),
    /// A follower tells the leader which sessions it heard from since its last relay
    /// (ZooKeeper's session "touch"); in the client-clock mutant, with the clients' clocks.
    Touch {
        sessions: Vec<(SessionId, Time)>,
    },
    /// The leader's answer to a follower's relay: it hears the follower. A follower whose
    /// relays go unanswered for the sync limit stops serving (ZooKeeper's leader shuts down a
    /// learner it has not heard from within `syncLimit`, and the learner drops its clients).
    TouchAck,
    /// A client's request on its connection `conn` (a new number each time it connects).
    Request {
        conn: u32,
        session: SessionId,
        req: u64,
        op: TreeOp,
        watch: bool,
        /// The latest zxid the client has seen: a server that has not applied that far does
        /// not answer (ZooKeeper refuses such a connection), so a client never sees the tree
        /// go back in time when it moves to another server.
        seen: u64,
        /// See `Hello`.
        hello: Hello,
    },
    /// A heartbeat, with the client's clock (only the mutant reads it) and latest zxid.
    Ping {
        conn: u32,
        session: SessionId,
        clock: Time,
        seen: u64,
        hello: Hello,
    },
    /// Server to client, numbered on the connection so the client takes them in order;
    /// `life` is the server's boot time: a restarted server has lost the connection, and
    /// numbers its replies afresh.
    Reply {
        conn: u32,
        life: u64,
        seq: u64,
        body: Body,
    },
    /// A lock holder's write to the storage node, with its fencing token.
    Write {
        token: u64,
        value: u64,
    },
    WriteReply {
        token: u64,
        accepted: bool,
    },
}

/// What a client's message says of its connection: `Some` while it connects (until it takes
/// a first reply on it), with the watches it holds, which the server sets again before it
/// answers anything (ZooKeeper's handshake and `SetWatches`): each fires at once if its node
/// changed after the zxid the client has seen. A server that gets a message without it on a
/// connection it does not know (it restarted, or closed it) closes it, and the client
/// connects anew, as after a reset TCP connection.
pub type Hello = Option<Vec<(Path, WatchKind)>>;

/// What a server tells a client.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Body {
    Result {
        req: u64,
        result: TreeResult,
        zxid: u64,
    },
    /// A watch fired: what happened to the node at `path`, at `zxid`.
    Event {
        path: Path,
        what: EventType,
        zxid: u64,
    },
    /// A heartbeat's answer, with the zxid the server has applied (ZooKeeper's ping reply
    /// carries the server's last processed zxid; its client does not take it as seen).
    Pong {
        zxid: u64,
    },
    Expired,
    /// The server closed the connection: it is out of touch with the ensemble.
    Closed,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Timer {
    Raft(raft::Timer),
    /// A server's relay of heartbeats, and the leader's look for expired sessions.
    Tick,
    Ping,
    /// The client has heard nothing from its server for two thirds of the session timeout
    /// (ZooKeeper's read timeout): it moves to the next server, with a third left to get there.
    ReadTimeout,
    /// A request went unanswered: reconnect and send it again.
    Retry,
    /// The lock holder's work before its write, and after it.
    Work,
    /// The pause between two rounds of the recipe.
    Think,
    /// The end of a GC pause.
    Resume,
}

/// Requests from outside: to a client (a tree operation, a GC pause) or to a server (Raft's
/// operator commands).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum ClientOp {
    Tree { op: TreeOp, watch: bool },
    Pause(u32),
    Admin(raft::ClientOp),
}

impl fmt::Display for ClientOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClientOp::Tree { op, watch: true } => write!(f, "{op} (watch)"),
            ClientOp::Tree { op, .. } => write!(f, "{op}"),
            ClientOp::Pause(ms) => write!(f, "pause for {ms} ms (GC)"),
            ClientOp::Admin(op) => write!(f, "{op}"),
        }
    }
}

/// Facts for the checker.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Note {
    Raft(raft::Note),
    /// The leader heard from a session (a heartbeat, a relay, or its first look as leader),
    /// at this time on its own clock.
    Heard {
        leader: NodeId,
        session: SessionId,
        at: Time,
    },
    /// A server began or stopped answering clients (`server::in_touch`): it stops when it has
    /// heard from no leader for the sync limit (`limit_ms`).
    Serving {
        server: NodeId,
        serving: bool,
        limit_ms: u64,
    },
    /// The leader proposed to expire a session, at this time on its own clock.
    Expiring {
        leader: NodeId,
        session: SessionId,
        at: Time,
        timeout_ms: u32,
    },
    /// A server sent a watch's event: watch `id` of that server, for the change at `zxid`,
    /// having applied up to `applied`.
    Fired {
        server: NodeId,
        id: u64,
        zxid: u64,
        applied: u64,
    },
    /// A client took a reply that carried this zxid: a result, or (`event`) a watch's event
    /// on this path.
    Observed {
        client: NodeId,
        zxid: u64,
        event: Option<(Path, EventType)>,
    },
    /// A client took a heartbeat's answer from a server that had applied up to `zxid`.
    Pinged {
        client: NodeId,
        zxid: u64,
    },
    /// A client took the result of a read that left a watch, at this zxid.
    Watched {
        client: NodeId,
        path: Path,
        kind: WatchKind,
        zxid: u64,
    },
    /// A server set a connecting client's watches again, on its connection `conn`, at this zxid.
    Rewatched {
        client: NodeId,
        conn: u32,
        zxid: u64,
    },
    /// A client lost every watch it held: its session expired, or (`restarted`) the process
    /// restarted, a new client handle that has seen nothing.
    Unwatched {
        client: NodeId,
        restarted: bool,
    },
    /// A client believes it holds the lock (or leads, in the election recipe), through its
    /// node `path`.
    Acquired {
        client: NodeId,
        path: Path,
        token: u64,
        election: bool,
    },
    /// The storage node accepted a write with this token.
    Stored {
        client: NodeId,
        token: u64,
    },
    /// A client of the configuration recipe began an operation of its history.
    Invoke {
        client: NodeId,
        plan: super::config::Plan,
    },
    /// …and it ended.
    Ack {
        client: NodeId,
        plan: super::config::Plan,
        outcome: super::config::Outcome,
    },
}

/// The deliberately broken variants.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Mutant {
    /// The storage node takes every write, whatever its token.
    NoFencing,
    /// A server expires a silent session by itself, deleting its ephemeral nodes in its own
    /// copy instead of through the log.
    LocalExpiry,
    /// A waiter watches the node two before its own, and takes the lock when it goes.
    WatchWrongNode,
    /// The leader times sessions by the clocks of the clients' heartbeats.
    ClientClock,
    /// A watch stays registered after it fires.
    PersistentWatch,
    /// Expiring a session closes it but leaves its ephemeral nodes.
    KeepEphemerals,
    /// A server answers a client that has seen a later zxid than it has applied.
    AnyServer,
    /// A server answers `sync` at once from its own copy, instead of through the log.
    LocalSync,
    /// A client does not set its watches again when it connects to another server.
    ForgetWatches,
    /// A sequential node is numbered by how many children its parent has, so a name comes
    /// back once a node before it is gone.
    CountSequence,
    /// A new leader counts a session it has not heard of yet as silent since time zero,
    /// rather than giving it a whole timeout from its election.
    NoGrace,
    /// A fired watch is left again under a new number, so the client is told of a later
    /// change it never asked about.
    RearmWatch,
    /// The leader takes the followers' relays of their clients' heartbeats and counts none.
    IgnoreRelays,
}

/// Parse a request typed by the user: `create PATH [DATA] [ephemeral] [sequential]`,
/// `delete PATH [VERSION]`, `set PATH DATA [VERSION]`, `get PATH [watch]`, `exists PATH
/// [watch]`, `children PATH [watch]`, `sync`, `pause MS`, or a server command (`transfer`,
/// `snapshot`).
pub fn parse_op(text: &str) -> Result<ClientOp, String> {
    use super::tree::parse_path;
    let words: Vec<&str> = text.split_whitespace().collect();
    let number = |w: &str, what: &str, max: u64| -> Result<u64, String> {
        w.parse::<u64>()
            .ok()
            .filter(|v| *v <= max)
            .ok_or_else(|| format!("{what} is a whole number from 0 to {max} (got {})", crate::echo::Echo(w)))
    };
    let version = |w: Option<&&str>| -> Result<Option<u32>, String> {
        w.map(|w| number(w, "a version", u32::MAX as u64).map(|v| v as u32)).transpose()
    };
    let watch = |rest: &[&str]| -> Result<bool, String> {
        match rest {
            [] => Ok(false),
            ["watch"] => Ok(true),
            _ => Err(String::from("a read takes one optional word: watch")),
        }
    };
    let tree = |op, watch| Ok(ClientOp::Tree { op, watch });
    match words.as_slice() {
        ["create", p, rest @ ..] => {
            let path = parse_path(p)?;
            let (mut data, mut ephemeral, mut sequential) = (0, false, false);
            for w in rest {
                match *w {
                    "ephemeral" | "-e" => ephemeral = true,
                    "sequential" | "-s" => sequential = true,
                    d => data = number(d, "the data", 1_000_000_000)?,
                }
            }
            if path == "/" {
                return Err(String::from("the root exists already"));
            }
            tree(TreeOp::Create { path, data, ephemeral, sequential }, false)
        }
        ["delete", p, rest @ ..] if rest.len() <= 1 => tree(TreeOp::Delete { path: parse_path(p)?, version: version(rest.first())? }, false),
        ["set", p, d, rest @ ..] if rest.len() <= 1 => {
            let data = number(d, "the data", 1_000_000_000)?;
            tree(TreeOp::Set { path: parse_path(p)?, data, version: version(rest.first())? }, false)
        }
        ["get", p, rest @ ..] => tree(TreeOp::Get { path: parse_path(p)? }, watch(rest)?),
        ["exists", p, rest @ ..] => tree(TreeOp::Exists { path: parse_path(p)? }, watch(rest)?),
        ["children" | "ls", p, rest @ ..] => tree(TreeOp::Children { path: parse_path(p)? }, watch(rest)?),
        ["sync"] => tree(TreeOp::Sync, false),
        ["pause", ms] => {
            let ms = number(ms, "a pause", MAX_PAUSE_MS as u64)?;
            if ms == 0 {
                return Err(format!("a pause is from 1 to {MAX_PAUSE_MS} ms"));
            }
            Ok(ClientOp::Pause(ms as u32))
        }
        _ => match crate::raft::parse_op(text) {
            Ok(op @ (crate::raft::ClientOp::TransferLeadership(_) | crate::raft::ClientOp::Compact)) => Ok(ClientOp::Admin(op)),
            _ => Err(String::from(
                "requests: create PATH [DATA] [ephemeral] [sequential], delete PATH [VERSION], set PATH DATA [VERSION], \
                 get|exists|children PATH [watch], sync, pause MS; to a server: transfer [S2], snapshot",
            )),
        },
    }
}
