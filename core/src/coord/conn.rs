//! A client's state and its connection to the service: its requests (one in flight), its
//! heartbeats, moving to the next server with its session and watches, and a new session when
//! the old one expired. What it does with replies is in `client.rs`, its recipe in `recipe.rs`.

use alloc::string::String;
use alloc::vec::Vec;

use serde::Serialize;

use crate::protocol::{Ctx, NodeId, Time};

use super::config::Plan;
use super::tree::{EventType, Path, SessionId, TreeOp, TreeResult, WatchKind};
use super::types::*;

/// Most watches a client holds: a read past them goes without its watch.
pub const MAX_WATCHES: usize = 64;

/// Where a client is in its recipe.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Step {
    /// Opening a session.
    Opening,
    /// Creating its lock node.
    Creating,
    /// Listing the lock's children.
    Listing,
    /// Watching the node before its own.
    Waiting(String),
    /// Holding the lock (its token), before its write.
    Working,
    /// Writing to storage with its token.
    Writing,
    /// Holding after the write, then releasing.
    Releasing,
    /// Between two rounds.
    Thinking,
    /// Led, and lost its connection: it no longer acts as leader until it is connected again
    /// and has looked at the children once more (Curator's `LeaderLatch`: leadership given up
    /// on SUSPENDED, checked again on RECONNECTED).
    Suspended,
    /// A service instance, registered: it only keeps its session alive.
    Registered,
    /// The catalog watcher, listing `/svc` with a watch.
    Cataloging,
    /// The catalog watcher, waiting for `/svc`'s children to change.
    Watching,
    /// Reading or setting the configuration (its plan in `Client::plan`).
    Configuring,
    /// Waiting for the user (the idle recipe).
    Idle,
}

/// What a client keeps across a crash: its request numbers.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct ClientHard {
    pub next_req: u64,
    pub next_conn: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Client {
    pub id: NodeId,
    pub hard: ClientHard,
    /// The server it is connected to, and the connection's number.
    pub server: NodeId,
    pub conn: u32,
    /// The life of the server's end of its connection (see `Msg::Reply`), the next reply
    /// number it takes, and those that came early.
    pub life: u64,
    pub next_seq: u64,
    pub held: Vec<(u64, Body)>,
    pub session: SessionId,
    /// The request in flight (one at a time), with whether it leaves a watch.
    pub pending: Option<(u64, TreeOp, bool)>,
    pub step: Step,
    /// Its lock node and the node's creating zxid (the token).
    pub mine: Option<(String, u64)>,
    /// When it last heard from its server.
    pub heard: Time,
    /// Whether the request in flight was already sent again to the same server: the next
    /// timeout moves to another.
    pub retried: bool,
    pub paused_until: Option<Time>,
    /// The last result the user's own request got.
    pub last: Option<(TreeOp, TreeResult)>,
    /// The catalog watcher's list of service instances.
    pub catalog: Vec<String>,
    /// The latest zxid it has seen in a reply.
    pub seen: u64,
    /// The configuration recipe's operation in flight.
    pub plan: Option<Plan>,
    /// The watches it holds: left by a read, not yet fired.
    pub watches: Vec<(Path, WatchKind)>,
    /// Whether it is connecting: its messages carry its watches (`Hello`) until it takes a
    /// reply on the connection.
    pub connecting: bool,
    /// The last watch event it took: the path, and whether its children changed.
    pub told: Option<(Path, EventType)>,
}

pub(super) type Cx<'a, 'b> = &'a mut Ctx<'b, Coordination>;

/// Send a request (the only one in flight) and arm its retry.
pub(super) fn request(c: &Coordination, cl: &mut Client, op: TreeOp, watch: bool, ctx: Cx) {
    let watch = watch && cl.watches.len() < MAX_WATCHES;
    cl.hard.next_req += 1;
    let req = cl.hard.next_req;
    cl.pending = Some((req, op, watch));
    cl.retried = false;
    send_pending(c, cl, ctx);
}

pub(super) fn send_pending(c: &Coordination, cl: &Client, ctx: Cx) {
    if let Some((req, op, watch)) = &cl.pending {
        let msg = Msg::Request {
            conn: cl.conn,
            session: cl.session,
            req: *req,
            op: op.clone(),
            watch: *watch,
            seen: cl.seen,
            hello: hello(c, cl),
        };
        ctx.send(cl.server, msg);
        ctx.set_timer(Timer::Retry, Time(c.retry_us()));
    }
}

/// What its messages say of the connection: while connecting, the watches to set again (none
/// in the forget-watches mutant).
fn hello(c: &Coordination, cl: &Client) -> Hello {
    let watches = if c.is(Mutant::ForgetWatches) { Vec::new() } else { cl.watches.clone() };
    cl.connecting.then_some(watches)
}

pub(super) fn ping(c: &Coordination, cl: &Client, ctx: Cx) {
    let (conn, session, seen) = (cl.conn, cl.session, cl.seen);
    ctx.send(cl.server, Msg::Ping { conn, session, clock: ctx.now(), seen, hello: hello(c, cl) });
}

/// Connect to the next server with the same session and watches, and send the request in
/// flight again. An election's leader gives its leadership up meanwhile (Curator's SUSPENDED).
pub(super) fn reconnect(c: &Coordination, cl: &mut Client, ctx: Cx) {
    if c.recipe == Recipe::Election && matches!(cl.step, Step::Working | Step::Writing) {
        cl.step = Step::Suspended;
        ctx.cancel_timer(Timer::Work);
    }
    cl.server = NodeId(((cl.server.index() + 1) % c.servers()) as u32);
    new_connection(cl, ctx);
    if cl.session != 0 && cl.pending.is_none() {
        ping(c, cl, ctx);
    }
    send_pending(c, cl, ctx);
}

/// The session is gone: so are its watches.
pub(super) fn drop_watches(cl: &mut Client, ctx: Cx) {
    if !cl.watches.is_empty() {
        cl.watches.clear();
        ctx.note(Note::Unwatched { client: cl.id, restarted: false });
    }
}

/// The session is gone, and its watches with it: start again with a new one.
/// A new connection, numbered after every earlier one: the server ignores what comes late on
/// an older one.
fn new_connection(cl: &mut Client, ctx: Cx) {
    cl.hard.next_conn += 1;
    cl.conn = cl.hard.next_conn;
    (cl.life, cl.next_seq, cl.held) = (0, 1, Vec::new());
    cl.heard = ctx.now();
    cl.connecting = true;
}

/// The session is gone: a new one, on a new connection to the same server (in ZooKeeper an
/// expired handle is closed for good and the application makes a new one, with its own
/// connection). On the old connection, a late heartbeat of the old session would be answered
/// "expired" again, and taken for news of the new one.
pub(super) fn expired(c: &Coordination, cl: &mut Client, ctx: Cx) {
    new_connection(cl, ctx);
    cl.session = 0;
    cl.mine = None;
    drop_watches(cl, ctx);
    // An operation in flight may or may not have taken effect: the history leaves it open.
    cl.plan = None;
    cl.step = Step::Opening;
    ctx.cancel_timer(Timer::Work);
    ctx.cancel_timer(Timer::Think);
    open(c, cl, ctx);
}

/// Ask for a session.
pub(super) fn open(c: &Coordination, cl: &mut Client, ctx: Cx) {
    let timeout_ms = c.session_timeout_ms;
    request(c, cl, TreeOp::Open { timeout_ms }, false, ctx);
}

/// Stop the process for `ms` (a long GC): it reads nothing and runs no timer meanwhile.
pub(super) fn pause(cl: &mut Client, ms: u32, ctx: Cx) {
    let d = Time(ms as u64 * 1000);
    cl.paused_until = Some(ctx.now().plus(d));
    ctx.set_timer(Timer::Resume, d);
}
