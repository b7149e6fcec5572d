//! The service's clients.
//!
//! A client connects to one server, opens a session and keeps it alive with heartbeats; when
//! its server goes quiet it reconnects to the next one with the same session. It takes the
//! server's replies in the order the server numbered them (as TCP would hand them over), so a
//! watch's event comes before any later answer. It remembers the watches it holds and, when it
//! connects to a server, has them set again there (ZooKeeper's `SetWatches`): one whose node
//! changed while it was away fires at once, so the event still comes before any answer that
//! shows the change. Its recipe is ZooKeeper's lock: create an
//! ephemeral sequential node under `/lock`, list the children; the smallest holds the lock;
//! any other watches only the node just before its own (no herd) and lists again when that
//! one goes. The lock's fencing token is the zxid that created the holder's node; the holder
//! works, writes to the storage node with its token, works again and deletes its node.

use alloc::string::String;
use alloc::vec::Vec;

use serde::Serialize;

use crate::protocol::{Ctx, NodeId, Time};

use super::config::{self, Plan};
use super::tree::{name, EventType, Path, SessionId, TreeError, TreeOp, TreeResult, WatchKind};
use super::types::*;

/// Most out-of-order replies a client holds back.
const MAX_HELD: usize = 32;
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

type Cx<'a, 'b> = &'a mut Ctx<'b, Coordination>;

pub fn init(c: &Coordination, ctx: Cx) -> Client {
    start(c, ClientHard::default(), ctx)
}

pub fn restart(c: &Coordination, hard: ClientHard, ctx: Cx) -> Client {
    ctx.note(Note::Unwatched { client: ctx.me(), restarted: true });
    start(c, hard, ctx)
}

fn start(c: &Coordination, hard: ClientHard, ctx: Cx) -> Client {
    let id = ctx.me();
    let server = NodeId(((id.index() - c.servers()) % c.servers()) as u32);
    let mut cl = Client {
        id,
        hard,
        server,
        conn: 0,
        life: 0,
        next_seq: 1,
        held: Vec::new(),
        session: 0,
        pending: None,
        step: Step::Opening,
        mine: None,
        heard: ctx.now(),
        retried: false,
        paused_until: None,
        last: None,
        catalog: Vec::new(),
        seen: 0,
        plan: None,
        watches: Vec::new(),
        connecting: true,
        told: None,
    };
    cl.hard.next_conn += 1;
    cl.conn = cl.hard.next_conn;
    // Client k (from 0) opens its session (k + 1) × the stagger after the start: after the
    // ensemble's first election, and in order.
    let delay = (id.index() - c.servers() + 1) as u64 * c.stagger_ms as u64 * 1000;
    if delay == 0 {
        open(c, &mut cl, ctx);
    } else {
        ctx.set_timer(Timer::Think, Time(delay));
    }
    ctx.set_timer(Timer::Ping, Time(c.ping_us()));
    ctx.set_timer(Timer::ReadTimeout, Time(c.read_timeout_us()));
    cl
}

/// Send a request (the only one in flight) and arm its retry.
fn request(c: &Coordination, cl: &mut Client, op: TreeOp, watch: bool, ctx: Cx) {
    let watch = watch && cl.watches.len() < MAX_WATCHES;
    cl.hard.next_req += 1;
    let req = cl.hard.next_req;
    cl.pending = Some((req, op, watch));
    cl.retried = false;
    send_pending(c, cl, ctx);
}

fn send_pending(c: &Coordination, cl: &Client, ctx: Cx) {
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

fn ping(c: &Coordination, cl: &Client, ctx: Cx) {
    let (conn, session, seen) = (cl.conn, cl.session, cl.seen);
    ctx.send(cl.server, Msg::Ping { conn, session, clock: ctx.now(), seen, hello: hello(c, cl) });
}

/// Connect to the next server with the same session and watches, and send the request in
/// flight again.
fn reconnect(c: &Coordination, cl: &mut Client, ctx: Cx) {
    cl.server = NodeId(((cl.server.index() + 1) % c.servers()) as u32);
    new_connection(cl, ctx);
    if cl.session != 0 && cl.pending.is_none() {
        ping(c, cl, ctx);
    }
    send_pending(c, cl, ctx);
}

fn list(c: &Coordination, cl: &mut Client, ctx: Cx) {
    cl.step = Step::Listing;
    request(c, cl, TreeOp::Children { path: c.home().into() }, false, ctx);
}

fn catalog(c: &Coordination, cl: &mut Client, ctx: Cx) {
    cl.step = Step::Cataloging;
    request(c, cl, TreeOp::Children { path: SERVICE.into() }, true, ctx);
}

/// Start a round of the recipe.
fn begin(c: &Coordination, cl: &mut Client, ctx: Cx) {
    match c.recipe {
        Recipe::Idle => cl.step = Step::Idle,
        Recipe::Config => {
            // A value no other write writes: the client's number, then its request's.
            let value = (cl.id.0 as u64 + 1) * 1_000_000_000 + cl.hard.next_req + 1;
            let plan = config::draw(ctx.rng(), value);
            configure(c, cl, plan, ctx);
        }
        Recipe::Discovery if c.is_watcher(cl.id) => catalog(c, cl, ctx),
        Recipe::Lock | Recipe::Election | Recipe::Discovery => {
            cl.step = Step::Creating;
            cl.mine = None;
            let prefix = if c.recipe == Recipe::Discovery { "i-" } else { "n-" };
            let path = alloc::format!("{}/{prefix}", c.home());
            request(
                c,
                cl,
                TreeOp::Create { path, data: cl.id.0 as u64, ephemeral: true, sequential: true },
                false,
                ctx,
            );
        }
    }
}

/// Send the configuration plan's request, opening its history operation if it records one.
fn configure(c: &Coordination, cl: &mut Client, plan: Plan, ctx: Cx) {
    let (op, recorded) = config::request(&plan);
    if recorded {
        ctx.note(Note::Invoke { client: cl.id, plan: plan.clone() });
    }
    // A current read leaves a watch on its key, as a configuration's users do to hear of the
    // next change.
    let watch = matches!(plan, Plan::SyncRead { synced: true, .. });
    cl.step = Step::Configuring;
    cl.plan = Some(plan);
    request(c, cl, op, watch, ctx);
}

/// The session is gone: so are its watches.
fn drop_watches(cl: &mut Client, ctx: Cx) {
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
fn expired(c: &Coordination, cl: &mut Client, ctx: Cx) {
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
fn open(c: &Coordination, cl: &mut Client, ctx: Cx) {
    let timeout_ms = c.session_timeout_ms;
    request(c, cl, TreeOp::Open { timeout_ms }, false, ctx);
}

pub fn on_message(c: &Coordination, cl: &mut Client, from: NodeId, msg: Msg, ctx: Cx) {
    if cl.paused_until.is_some() {
        return; // a paused process reads nothing; its connection's replies are lost to it
    }
    match msg {
        // The server closed the connection (out of touch), or does not know it (restarted):
        // on to the next server, at once. What it would have said after is lost with it.
        Msg::Reply { conn, body: Body::Closed, .. } if from == cl.server && conn == cl.conn => {
            reconnect(c, cl, ctx)
        }
        Msg::Reply { conn, life, seq, body } if from == cl.server && conn == cl.conn && life >= cl.life => {
            if life > cl.life && cl.life != 0 {
                // The server restarted after it took this connection's first message: its end
                // of the connection, and the watches set on it, are gone.
                return reconnect(c, cl, ctx);
            }
            if life > cl.life {
                (cl.life, cl.next_seq, cl.held) = (life, 1, Vec::new());
            }
            if seq < cl.next_seq || cl.held.iter().any(|(s, _)| *s == seq) {
                return;
            }
            if seq > cl.next_seq {
                // Held back behind a reply that has not come: the connection is not
                // progressing, and it does not count as hearing from the server (a reply lost
                // for good makes the client move, as a broken TCP connection would).
                if cl.held.len() < MAX_HELD {
                    cl.held.push((seq, body));
                }
                return;
            }
            cl.heard = ctx.now();
            cl.connecting = false;
            let mut next = Some(body);
            while let Some(body) = next.take() {
                take(c, cl, body, ctx);
                cl.next_seq += 1;
                if let Some(k) = cl.held.iter().position(|(s, _)| *s == cl.next_seq) {
                    next = Some(cl.held.remove(k).1);
                }
            }
        }
        Msg::WriteReply { token, .. }
            if cl.step == Step::Writing && cl.mine.as_ref().is_some_and(|m| m.1 == token) =>
        {
            // A leader goes on working while it leads; a lock holder releases.
            cl.step = if c.recipe == Recipe::Election { Step::Working } else { Step::Releasing };
            ctx.set_timer(Timer::Work, Time(c.work_ms as u64 * 1000));
        }
        _ => {}
    }
}

/// Act on one reply from the server, in order.
fn take(c: &Coordination, cl: &mut Client, body: Body, ctx: Cx) {
    if let Body::Result { result: TreeResult::Error(TreeError::SessionExpired), .. } = body {
        drop_watches(cl, ctx); // before the result: it shows no change to a watch of the session
    }
    match &body {
        Body::Result { zxid, .. } => ctx.note(Note::Observed { client: cl.id, zxid: *zxid, event: None }),
        Body::Pong { zxid } => ctx.note(Note::Pinged { client: cl.id, zxid: *zxid }),
        Body::Event { path, what, zxid } => {
            ctx.note(Note::Observed { client: cl.id, zxid: *zxid, event: Some((path.clone(), *what)) });
            cl.watches.retain(|(p, kind)| p != path || !what.ends(*kind));
            cl.told = Some((path.clone(), *what));
        }
        _ => {}
    }
    // Only a result moves the zxid the client has seen, not an event (ZooKeeper's client
    // updates its last zxid from replies, never from notifications): one change may trip two of
    // its watches, and if the first event moved it, the second, lost with the connection, would
    // not fire again where it reconnects.
    if let Body::Result { zxid, .. } = body {
        cl.seen = cl.seen.max(zxid);
    }
    match body {
        // A closed connection never gets here: `on_message` moves the client on first.
        Body::Pong { .. } | Body::Closed => {}
        Body::Expired => {
            if cl.session != 0 {
                expired(c, cl, ctx);
            }
        }
        Body::Event { path, .. } => {
            if cl.step == Step::Watching && path == SERVICE {
                return catalog(c, cl, ctx);
            }
            if let Step::Waiting(w) = &cl.step {
                if path.ends_with(w.as_str()) {
                    if c.is(Mutant::WatchWrongNode) {
                        held(c, cl, ctx); // broken: takes the lock without looking again
                    } else {
                        list(c, cl, ctx);
                    }
                }
            }
        }
        Body::Result { req, result, zxid } => {
            let Some((r, op, watch)) = cl.pending.clone() else { return };
            if r != req {
                return;
            }
            cl.pending = None;
            ctx.cancel_timer(Timer::Retry);
            if result == TreeResult::Error(TreeError::SessionExpired) && cl.session != 0 {
                expired(c, cl, ctx);
                return;
            }
            if watch {
                watched(cl, &op, &result, zxid, ctx);
            }
            step(c, cl, op, result, ctx);
        }
    }
}

/// A read's result that left a watch on the server: the client holds it, of the kind the
/// result says (ZooKeeper's client registers `exists` on a missing node as an exist watch, and
/// `get` and `children` only when they found the node).
fn watched(cl: &mut Client, op: &TreeOp, result: &TreeResult, zxid: u64, ctx: Cx) {
    let kind = match (op, result) {
        (TreeOp::Exists { .. }, TreeResult::Data(None)) => WatchKind::Exist,
        (TreeOp::Get { .. } | TreeOp::Exists { .. }, TreeResult::Data(Some(_))) => WatchKind::Data,
        (TreeOp::Children { .. }, TreeResult::Children(_)) => WatchKind::Child,
        _ => return,
    };
    let Some(path) = op.path() else { return };
    let held = (Path::from(path), kind);
    if !cl.watches.contains(&held) {
        cl.watches.push(held.clone());
    }
    ctx.note(Note::Watched { client: cl.id, path: held.0, kind, zxid });
}

/// The recipe's next move after a result.
fn step(c: &Coordination, cl: &mut Client, op: TreeOp, result: TreeResult, ctx: Cx) {
    match (&cl.step, result) {
        (Step::Opening, TreeResult::Session(id)) => {
            cl.session = id;
            begin(c, cl, ctx);
        }
        (Step::Opening, _) => expired(c, cl, ctx),
        // The lock's parent, made (or found made) after its absence: try again.
        (Step::Creating, _) if matches!(op, TreeOp::Create { sequential: false, .. }) => begin(c, cl, ctx),
        (Step::Creating, TreeResult::Created { path, zxid }) => {
            cl.mine = Some((path, zxid));
            if c.recipe == Recipe::Discovery {
                cl.step = Step::Registered;
            } else {
                list(c, cl, ctx);
            }
        }
        (Step::Creating | Step::Cataloging, TreeResult::Error(TreeError::NoNode)) => {
            // The recipe's parent is missing: make it (a persistent node), then try again.
            cl.step = Step::Creating;
            let op = TreeOp::Create { path: c.home().into(), data: 0, ephemeral: false, sequential: false };
            request(c, cl, op, false, ctx);
        }
        // Children come in name order (the tree is sorted), and sequential names sort in order
        // of creation.
        (Step::Cataloging, TreeResult::Children(kids)) => {
            cl.catalog = kids;
            cl.step = Step::Watching;
        }
        (Step::Cataloging, _) => catalog(c, cl, ctx),
        (Step::Creating, _) => begin(c, cl, ctx),
        (Step::Listing, TreeResult::Children(kids)) => {
            let Some((mine, _)) = cl.mine.clone() else { return begin(c, cl, ctx) };
            let me = name(&mine);
            let Some(at) = kids.iter().position(|k| k == me) else {
                // Its node is gone (its session expired and came back? no: a new one): again.
                return begin(c, cl, ctx);
            };
            if at == 0 {
                return held(c, cl, ctx);
            }
            let watch = if c.is(Mutant::WatchWrongNode) { at.saturating_sub(2) } else { at - 1 };
            let before = alloc::format!("{}/{}", c.home(), kids[watch]);
            cl.step = Step::Waiting(kids[watch].clone());
            request(c, cl, TreeOp::Get { path: before }, true, ctx); // Curator's getData (mod.rs)
        }
        (Step::Waiting(_), TreeResult::Data(None)) => list(c, cl, ctx),
        (Step::Waiting(_), _) => {} // watching; the event will come
        (Step::Releasing, _) => think(c, cl, ctx),
        (Step::Idle, result) => cl.last = Some((op, result)),
        (Step::Configuring, result) => {
            let Some(plan) = cl.plan.take() else { return think(c, cl, ctx) };
            let next = config::next(&plan, &result);
            if let Some(outcome) = next.done {
                ctx.note(Note::Ack { client: cl.id, plan, outcome });
            }
            match next.then {
                Some(plan) => configure(c, cl, plan, ctx),
                None => think(c, cl, ctx),
            }
        }
        _ => {}
    }
}

/// It holds the lock: work, then write.
fn held(c: &Coordination, cl: &mut Client, ctx: Cx) {
    let Some((path, token)) = cl.mine.clone() else { return };
    cl.step = Step::Working;
    ctx.note(Note::Acquired { client: cl.id, path, token, election: c.recipe == Recipe::Election });
    ctx.set_timer(Timer::Work, Time(c.work_ms as u64 * 1000));
    if c.pause_pct > 0 && ctx.rng().below(100) < c.pause_pct as u64 {
        pause(cl, c.pause_ms, ctx);
    }
}

/// Stop the process for `ms` (a long GC): it reads nothing and runs no timer meanwhile.
fn pause(cl: &mut Client, ms: u32, ctx: Cx) {
    let d = Time(ms as u64 * 1000);
    cl.paused_until = Some(ctx.now().plus(d));
    ctx.set_timer(Timer::Resume, d);
}

fn think(c: &Coordination, cl: &mut Client, ctx: Cx) {
    cl.step = Step::Thinking;
    cl.mine = None;
    ctx.set_timer(Timer::Think, Time(c.think_ms as u64 * 1000));
}

pub fn on_timer(c: &Coordination, cl: &mut Client, timer: Timer, ctx: Cx) {
    if timer == Timer::Resume {
        cl.paused_until = None;
        cl.heard = ctx.now();
        return;
    }
    if let Some(until) = cl.paused_until {
        // A paused process runs nothing; what was due runs when it wakes.
        let left = Time(until.0.saturating_sub(ctx.now().0).max(1));
        ctx.set_timer(timer, left);
        return;
    }
    match timer {
        Timer::Ping => {
            ctx.set_timer(Timer::Ping, Time(c.ping_us()));
            if cl.session != 0 {
                ping(c, cl, ctx);
            }
        }
        // ZooKeeper's `SendThread` loop: the time left is the read timeout less the time since
        // the client last heard anything; at none left, it moves on.
        Timer::ReadTimeout => {
            let limit = c.read_timeout_us();
            let quiet = ctx.now().0.saturating_sub(cl.heard.0);
            if cl.session == 0 && cl.pending.is_none() {
                cl.heard = ctx.now(); // not started yet
                ctx.set_timer(Timer::ReadTimeout, Time(limit));
            } else if quiet >= limit {
                reconnect(c, cl, ctx);
                ctx.set_timer(Timer::ReadTimeout, Time(limit));
            } else {
                ctx.set_timer(Timer::ReadTimeout, Time(limit - quiet));
            }
        }
        // Once more to the same server (it may have had no leader to forward to), then on.
        Timer::Retry if cl.pending.is_some() && !cl.retried => {
            cl.retried = true;
            send_pending(c, cl, ctx);
        }
        Timer::Retry if cl.pending.is_some() => {
            cl.retried = false;
            reconnect(c, cl, ctx);
        }
        Timer::Work => match cl.step {
            // The work is done: write (again, if storage did not answer).
            Step::Working | Step::Writing => {
                let Some((_, token)) = cl.mine else { return };
                cl.step = Step::Writing;
                ctx.send(c.storage(), Msg::Write { token, value: cl.id.0 as u64 });
                ctx.set_timer(Timer::Work, Time(c.work_ms as u64 * 1000));
            }
            Step::Releasing => {
                let Some((path, _)) = cl.mine.clone() else { return think(c, cl, ctx) };
                request(c, cl, TreeOp::Delete { path, version: None }, false, ctx);
            }
            _ => {}
        },
        Timer::Think if cl.session == 0 && cl.pending.is_none() => open(c, cl, ctx),
        Timer::Think => begin(c, cl, ctx),
        _ => {}
    }
}

/// The user's requests to a client: a tree operation, or a GC pause.
pub fn on_op(c: &Coordination, cl: &mut Client, op: ClientOp, ctx: Cx) {
    match op {
        ClientOp::Pause(ms) if cl.paused_until.is_none() => pause(cl, ms, ctx),
        ClientOp::Tree { op, watch } if cl.session != 0 && cl.pending.is_none() && cl.step == Step::Idle => {
            request(c, cl, op, watch, ctx);
        }
        _ => {}
    }
}
