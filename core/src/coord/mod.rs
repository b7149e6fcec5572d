//! A coordination service in the style of ZooKeeper (Hunt, Konar, Junqueira and Reed,
//! "ZooKeeper: Wait-free coordination for Internet-scale systems", USENIX ATC 2010) and of
//! Consul's key-value store and sessions, replicated by this lab's Raft, with the recipes
//! people build on it.
//!
//! **The ensemble.** Three to seven servers run the Raft module's own handlers (`raft::server`,
//! through `Ctx::nest`), replicating a tree of nodes (`tree.rs`). Every write (create, delete,
//! set, and the opening, closing and expiry of sessions) is a transaction in the log; its zxid
//! is its log index. A client talks to one server only. That server forwards writes to the
//! leader, and answers the client when *it* has applied the transaction, so the client's next
//! read there sees its write; it answers reads at once from its own copy, which may lag the
//! leader (ZooKeeper's reads are not linearizable; a `sync` before a read makes the server
//! catch up to the moment of the sync).
//!
//! **Out of touch.** A server answers clients only while it leads or has heard from a leader
//! within the sync limit (ten leader heartbeats; ZooKeeper's `syncLimit`); when that runs out
//! it closes its clients' connections, and they move to the next server with their sessions.
//! The ensemble's Raft runs CheckQuorum, so a leader cut off from a quorum steps down and
//! stops too (ZooKeeper's leader gives up the same way): a cut-off server's stale answers
//! last a bounded time.
//!
//! **Sessions.** A client opens a session with a timeout and sends heartbeats to its server;
//! followers relay the sessions they heard from to the leader every tick. The leader alone
//! decides that a session has expired, when it has heard nothing of it for the timeout on its
//! own clock, and says so in the log: the expiry deletes the session's *ephemeral* nodes on
//! every replica in the same transaction. A new leader gives every session a whole timeout
//! from its election. A client whose server goes quiet moves to the next server and keeps its
//! session, if it comes back in time.
//!
//! **Watches.** A read may leave a one-shot watch on the node (or its children); the server
//! fires it when it applies a change to it, before the answer to anything after that change:
//! its replies to a client are numbered, and the client takes them in order (§2.3's ordering
//! guarantee, which ZooKeeper has from TCP). Watches live on the server's end of a
//! connection, so the client remembers those it holds and, when it connects to another server
//! (or its server restarted), has them set again there before anything is answered (ZooKeeper's
//! `SetWatches`): one whose node changed after the last zxid the client saw fires at once. A
//! `get` or `children` of a missing node leaves no watch; an `exists` does, and fires on the
//! node's creation (one created and deleted while its client was away is missed, as ZooKeeper
//! documents). As in ZooKeeper's client, only results move the zxid a client has seen, never
//! events; and a server drops a client's watches with its connection. An event says what
//! happened (ZooKeeper's `NodeCreated`, `NodeDeleted`, `NodeDataChanged`,
//! `NodeChildrenChanged`, `watch.rs`); a deletion is one event to a client that watched the
//! node and its children, and ends both watches. A server that installs the leader's snapshot
//! closes its clients' connections, as a ZooKeeper follower serves nobody while it syncs. A
//! server behind the zxid a client has seen refuses it and closes the connection, and the
//! client moves on at once (ZooKeeper: "client must try another server").
//!
//! **The lock, with fencing** (ZooKeeper's recipe; Kleppmann's fencing tokens). Each waiter
//! creates an ephemeral sequential node under `/lock` and lists the children: the smallest
//! holds the lock; the others each watch only the node just before their own, so a release
//! wakes one waiter, not the herd. A waiter reads its predecessor with `getData` and a watch,
//! as Curator's lock does, rather than the recipe page's `exists`: a predecessor that is
//! already gone then leaves no watch behind (an `exists` would leave one on a name never used
//! again). The holder's token is the zxid that created its node. A
//! lock alone cannot stop a holder that paused (a long GC) past its session's expiry from
//! acting on the lock it lost; the storage node it writes to can, by refusing any token older
//! than the newest it has seen.
//!
//! **The election** (Curator's `LeaderLatch`). The same nodes under `/election`: the first
//! leads, writing to storage with its node's zxid as its epoch, and the others wait as the
//! lock's waiters do. A leader whose connection is lost stops leading at once (Curator gives
//! leadership up on SUSPENDED, before the session may have expired), and once connected again
//! every participant lists the children once more (RECONNECTED): a leader whose node is still
//! the first leads again; one whose session expired meanwhile starts over. A leader paused (a
//! long GC) notices nothing until it runs again: fencing is what stops its late writes.
//!
//! **Where this model is kinder than ZooKeeper** (each a choice, so that a run shows the
//! recipe's own logic rather than the client library's corner cases):
//! - A client resends its pending request after it moves to another server, and the tree
//!   applies a request once per session and request number (the Raft thesis's client
//!   sessions, §6.3). ZooKeeper's library fails a pending request with `ConnectionLoss` and
//!   resends nothing: a `create` of a sequential node may then have happened or not, which is
//!   why its lock recipe names its nodes with a GUID and looks for its own after a lost
//!   connection (Curator's "protected" mode).
//! - A `sync` is a committed log entry, so a read after it is as new as the moment of the sync.
//!   ZooKeeper's leader answers a sync at once when it has nothing outstanding, with no quorum
//!   round: a deposed leader that does not know it yet may answer one, and a read after it can
//!   be stale (the paper, §4.4). The `local-sync` mutant shows what a sync that waits for nothing
//!   costs here. A sync uses a zxid, which ZooKeeper's does not.
//!
//! The files: `tree.rs` (the replicated tree), `watch.rs` (watch kinds, changes and events),
//! `types.rs` (configuration, messages, mutants),
//! `server.rs` (a server around its Raft), `client.rs` (clients and their connections),
//! `recipe.rs` (what they do with the service), `storage.rs` (the storage
//! node), `check.rs` (the properties), `expiry.rs` (session expiry judged against the
//! heartbeats that reached the leader).

pub mod check;
pub mod client;
pub mod config;
mod conn;
mod expiry;
mod node;
mod recipe;
pub mod scenarios;
pub mod server;
mod setup;
pub mod storage;
pub mod swarm;
pub mod tree;
mod types;
mod view;
mod watch;

pub use node::{Durable, Node};

#[cfg(test)]
mod check_tests;
#[cfg(test)]
mod conn_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod view_tests;

pub use check::Monitor;
pub use setup::Config;
pub use types::*;

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use crate::protocol::{Ctx, MessageInfo, MutantInfo, NodeId, PropertyInfo, Protocol, ScriptAction, Time};
use crate::rng::Rng;

pub(crate) const MUTANTS: &[MutantInfo] = &[
    MutantInfo {
        name: "no-fencing",
        description: "the storage node accepts every write, whatever its token",
    },
    MutantInfo {
        name: "local-expiry",
        description:
            "a server expires a silent session by itself, in its own copy, instead of through the log",
    },
    MutantInfo {
        name: "watch-wrong-node",
        description: "a lock waiter watches the node two before its own and takes the lock when it goes",
    },
    MutantInfo {
        name: "client-clock",
        description: "the leader times sessions by the clock readings in the clients' heartbeats",
    },
    MutantInfo { name: "persistent-watch", description: "a watch stays registered after it fires" },
    MutantInfo {
        name: "keep-ephemerals",
        description: "expiring a session closes it but leaves its ephemeral nodes",
    },
    MutantInfo {
        name: "any-server",
        description: "a server answers a client that has seen a later zxid than the server has applied",
    },
    MutantInfo {
        name: "local-sync",
        description: "a server answers sync at once from its own copy, instead of through the log",
    },
    MutantInfo {
        name: "forget-watches",
        description: "a client does not set its watches again when it connects to another server",
    },
    MutantInfo {
        name: "count-sequence",
        description: "a sequential node is numbered by how many children its parent has, not by its change counter, so a name comes back once a node before it is gone",
    },
    MutantInfo {
        name: "no-grace",
        description: "a new leader counts a session it has not heard of yet as silent since time zero, instead of giving it a whole timeout from its election",
    },
    MutantInfo {
        name: "rearm-watch",
        description: "a server leaves a fired watch again under a new number, so its client is told of a later change it never asked about",
    },
    MutantInfo {
        name: "ignore-relays",
        description: "the leader does not count the heartbeats followers relay for their clients, so a session on a follower expires while its client pings",
    },
];

impl Mutant {
    pub fn parse(name: &str) -> Option<Mutant> {
        Some(match name {
            "no-fencing" => Mutant::NoFencing,
            "local-expiry" => Mutant::LocalExpiry,
            "watch-wrong-node" => Mutant::WatchWrongNode,
            "client-clock" => Mutant::ClientClock,
            "persistent-watch" => Mutant::PersistentWatch,
            "keep-ephemerals" => Mutant::KeepEphemerals,
            "any-server" => Mutant::AnyServer,
            "local-sync" => Mutant::LocalSync,
            "forget-watches" => Mutant::ForgetWatches,
            "count-sequence" => Mutant::CountSequence,
            "no-grace" => Mutant::NoGrace,
            "rearm-watch" => Mutant::RearmWatch,
            "ignore-relays" => Mutant::IgnoreRelays,
            _ => return None,
        })
    }
}

impl MessageInfo for Msg {
    fn kind(&self) -> &'static str {
        match self {
            Msg::Raft(m) => m.kind(),
            Msg::Touch { .. } => "Touch",
            Msg::TouchAck => "TouchAck",
            Msg::Request { .. } => "Request",
            Msg::Ping { .. } => "Ping",
            Msg::Reply { body: Body::Result { .. }, .. } => "Reply",
            Msg::Reply { body: Body::Event { .. }, .. } => "WatchEvent",
            Msg::Reply { body: Body::Pong { .. }, .. } => "Pong",
            Msg::Reply { body: Body::Expired, .. } => "SessionExpired",
            Msg::Reply { body: Body::Closed, .. } => "ConnectionClosed",
            Msg::Write { .. } => "Write",
            Msg::WriteReply { .. } => "WriteReply",
        }
    }
    fn summary(&self) -> String {
        match self {
            Msg::Raft(m) => m.summary(),
            Msg::Touch { sessions } => {
                format!("({} session{})", sessions.len(), if sessions.len() == 1 { "" } else { "s" })
            }
            Msg::Request { req, op, watch, hello, .. } => {
                format!("(#{req} {op}{}{})", if *watch { ", watch" } else { "" }, rewatch(hello))
            }
            Msg::Ping { session, hello, .. } => format!("(session {session}{})", rewatch(hello)),
            Msg::Reply { body: Body::Result { req, result, .. }, .. } => format!("(#{req} {result})"),
            Msg::Reply { body: Body::Event { path, what, zxid }, .. } => {
                format!("({path}{} at zxid {zxid}: {what:?})", what.words())
            }
            Msg::Reply { .. } => String::new(),
            Msg::Write { token, value } => format!("(token {token}, value {value})"),
            Msg::WriteReply { token, accepted } => {
                format!(
                    "(token {token} {})",
                    if *accepted { "accepted" } else { "refused: older than one seen" }
                )
            }
            Msg::TouchAck => String::new(),
        }
    }
}

/// A connecting message's watches, as its summary's tail.
fn rewatch(hello: &Hello) -> String {
    match hello.as_ref().map(Vec::len) {
        Some(1) => String::from("; sets its watch again"),
        Some(n) if n > 1 => format!("; sets its {n} watches again"),
        _ => String::new(),
    }
}

impl crate::protocol::Effects for Coordination {
    type Msg = Msg;
    type Timer = Timer;
    type Note = Note;
}

impl Protocol for Coordination {
    type ClientOp = ClientOp;
    type Node = Node;
    type Durable = Durable;
    type Monitor = Monitor;

    fn nodes(&self) -> usize {
        self.servers() + self.clients + 1
    }

    /// Servers and clients crash; the storage node stands outside the experiment.
    fn fault_targets(&self) -> usize {
        self.servers() + self.clients
    }

    fn init(&self, ctx: &mut Ctx<Self>) -> Node {
        let id = ctx.me();
        if self.is_server(id) {
            Node::Server(server::init(self, ctx))
        } else if self.is_client(id) {
            Node::Client(client::init(self, ctx))
        } else {
            Node::Storage(storage::Storage::default())
        }
    }

    fn on_message(&self, node: &mut Node, from: NodeId, msg: Msg, ctx: &mut Ctx<Self>) {
        match (node, msg) {
            (Node::Server(s), msg) => server::on_message(self, s, from, msg, ctx),
            (Node::Client(c), msg) => client::on_message(self, c, from, msg, ctx),
            (Node::Storage(st), Msg::Write { token, value }) => {
                storage::write(self, st, from, token, value, ctx)
            }
            (Node::Storage(_), _) => {}
        }
    }

    fn on_timer(&self, node: &mut Node, timer: Timer, ctx: &mut Ctx<Self>) {
        match node {
            Node::Server(s) => server::on_timer(self, s, timer, ctx),
            Node::Client(c) => client::on_timer(self, c, timer, ctx),
            Node::Storage(_) => {}
        }
    }

    fn on_client(&self, node: &mut Node, op: ClientOp, ctx: &mut Ctx<Self>) {
        match (node, op) {
            (Node::Server(s), ClientOp::Admin(op)) => server::on_admin(self, s, op, ctx),
            (Node::Client(c), op @ (ClientOp::Tree { .. } | ClientOp::Pause(_))) => {
                client::on_op(self, c, op, ctx)
            }
            _ => {}
        }
    }

    fn check_client(&self, node: NodeId, op: &ClientOp) -> Result<(), String> {
        match op {
            ClientOp::Admin(_) if !self.is_server(node) => Err(format!("{op} goes to a server")),
            ClientOp::Tree { .. } | ClientOp::Pause(_) if !self.is_client(node) => {
                Err(format!("{op} goes to a client"))
            }
            _ => Ok(()),
        }
    }

    fn durable(node: &Node) -> Durable {
        match node {
            Node::Server(s) => Durable::Server(s.raft.hard.clone()),
            Node::Client(c) => Durable::Client(c.hard.clone()),
            Node::Storage(st) => Durable::Storage(st.clone()),
        }
    }

    fn on_restart(&self, durable: Durable, ctx: &mut Ctx<Self>) -> Node {
        match durable {
            Durable::Server(hard) => Node::Server(server::restart(self, hard, ctx)),
            Durable::Client(hard) => Node::Client(client::restart(self, hard, ctx)),
            Durable::Storage(st) => Node::Storage(st),
        }
    }

    fn workload(&self, _rng: &mut Rng) -> Vec<(Time, NodeId, ClientOp)> {
        Vec::new() // clients run their recipe by themselves
    }

    fn script(&self) -> Vec<(Time, ScriptAction<ClientOp>)> {
        self.script.clone()
    }

    fn has_leader(&self) -> bool {
        true
    }

    fn leader_rank(&self, node: &Node) -> Option<u128> {
        match node {
            Node::Server(s) => s.raft.leader_rank(),
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

    fn check_world(
        &self,
        m: &mut Monitor,
        _nodes: &[Node],
        _touched: Option<NodeId>,
        notes: &[Note],
        world: &crate::protocol::World<'_, Msg>,
    ) -> Result<(), (&'static str, String)> {
        m.heartbeats.judge(notes, world)
    }

    fn delivered(&self, m: &mut Monitor, nodes: &[Node], d: &crate::protocol::Delivered<'_, Msg>) {
        m.heartbeats.delivered(self, nodes, d);
    }

    fn properties(&self) -> &'static [PropertyInfo] {
        check::PROPERTIES
    }

    fn mutants() -> &'static [MutantInfo] {
        MUTANTS
    }

    /// A server's Raft state by its summary (`raft::server_digest`: not the log, nor the tree,
    /// which changes only as `applied` moves); the rest of a server, and every other node, whole.
    fn state_digest(&self, node: &Node) -> u64 {
        match node {
            Node::Server(s) => crate::hash::digest(&(
                crate::raft::server_digest(&s.raft),
                (&s.conns, &s.watches, s.next_watch, s.life),
                (&s.touched, &s.seen, &s.expiring, s.heard_back),
            )),
            other => crate::hash::digest(other),
        }
    }

    fn parse_client(&self, text: &str) -> Result<ClientOp, String> {
        parse_op(text)
    }

    fn history_line(note: &Note) -> Option<crate::lincheck::HistoryLine> {
        match note {
            Note::Invoke { client, plan } => config::line(*client, plan, None),
            Note::Ack { client, plan, outcome } => config::line(*client, plan, Some(outcome)),
            _ => None,
        }
    }
}
