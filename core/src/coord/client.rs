//! The service's clients.
//!
//! A client connects to one server, opens a session and keeps it alive with heartbeats; when
//! its server goes quiet it reconnects to the next one with the same session. It takes the
//! server's replies in the order the server numbered them (as TCP would hand them over), so a
//! watch's event comes before any later answer. It remembers the watches it holds and, when it
//! connects to a server, has them set again there (ZooKeeper's `SetWatches`): one whose node
//! changed while it was away fires at once, so the event still comes before any answer that
//! shows the change. Its state and its connection are in `conn.rs`; what it does with the
//! service, its recipe, in `recipe.rs`.

use alloc::vec::Vec;

use crate::protocol::{NodeId, Time};

use super::conn::*;
use super::recipe::{begin, catalog, held, list, step, think};
use super::tree::{Path, TreeError, TreeOp, TreeResult, WatchKind};
use super::types::*;

pub use super::conn::{Client, ClientHard, Step, MAX_WATCHES};

/// Most out-of-order replies a client holds back.
const MAX_HELD: usize = 32;

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
            let reconnected = core::mem::replace(&mut cl.connecting, false) && cl.session != 0;
            let mut next = Some(body);
            while let Some(body) = next.take() {
                take(c, cl, body, ctx);
                cl.next_seq += 1;
                if let Some(k) = cl.held.iter().position(|(s, _)| *s == cl.next_seq) {
                    next = Some(cl.held.remove(k).1);
                }
            }
            // Curator's `LeaderLatch` on RECONNECTED: every participant lists the children
            // again, and leads again only if its node is still the first.
            let waits = matches!(cl.step, Step::Suspended | Step::Waiting(_));
            if reconnected && c.recipe == Recipe::Election && waits && cl.pending.is_none() {
                list(c, cl, ctx);
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
