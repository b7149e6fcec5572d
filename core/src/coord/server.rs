//! A server of the ensemble: a Raft server replicating the tree (the Raft module's own
//! handlers, run through `Ctx::nest`), and around it what ZooKeeper's servers add: client
//! connections and their heartbeats, requests forwarded to the leader, reads answered from the
//! local copy, watches, and, on the leader, the session timeouts.

use alloc::collections::BTreeMap;
use alloc::vec::Vec;

use crate::protocol::{Ctx, NodeId, Time};
use crate::raft::server::Role;
use crate::raft::{self, Group};

use super::tree::{Applied, EventType, Path, SessionId, Tree, TreeOp, TreeResult, Txn, WatchKind};
use super::types::*;

/// A client connected to this server.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Conn {
    /// The client's connection number, and the last reply's number on it.
    pub conn: u32,
    pub seq: u64,
    /// Its session (0 while it opens one), and the request that opens it.
    pub session: SessionId,
    pub opening: Option<u64>,
    /// When this server last heard from it (its own clock).
    pub heard: Time,
    /// The last read it answered on this connection: a copy of it (the network's duplicate,
    /// or the client's retry after the answer left) is one TCP would have delivered once.
    pub read: u64,
}

/// A one-shot watch a client left here.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Watch {
    pub id: u64,
    pub client: NodeId,
    pub path: super::tree::Path,
    /// On the node's children rather than on the node.
    pub children: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Server {
    pub raft: raft::Server<Tree>,
    pub conns: BTreeMap<u32, Conn>,
    /// Per client, the newest of its connections this server has closed (in this life): a
    /// message on it is answered as a reset TCP connection is, never by opening it again, as
    /// its replies would count again from 1 and meet the first opening's late replies.
    pub closed: BTreeMap<u32, u32>,
    pub watches: Vec<Watch>,
    /// The next watch's number: unique on this server across its restarts (the checker
    /// counts firings per number).
    pub next_watch: u64,
    /// When it booted: its replies' `life`.
    pub life: u64,
    /// Sessions heard from since the last relay to the leader (with the time the mutant uses).
    pub touched: Vec<(SessionId, Time)>,
    /// Leader only: when it last heard of each session, and the sessions it proposed to expire
    /// (and when: a proposal not applied within `EXPIRE_RETRY_US` is made again, as one refused
    /// during a leadership transfer, or cut from the log, would otherwise never be).
    pub seen: BTreeMap<SessionId, Time>,
    pub expiring: Vec<(SessionId, Time)>,
    /// Whether it answers clients (see `in_touch`), as it last found.
    pub serving: bool,
    /// When the leader last answered its relay (`TouchAck`): the leader hears it.
    pub heard_back: Option<Time>,
}

type Cx<'a, 'b> = &'a mut Ctx<'b, Coordination>;

/// Run one of Raft's handlers on this server, then act on what it applied.
fn with_raft<R>(
    c: &Coordination,
    s: &mut Server,
    ctx: Cx,
    f: impl FnOnce(&Raft, &mut raft::Server<Tree>, &mut Ctx<Group<Tree>>) -> R,
) -> R {
    let zxid = s.raft.kv.zxid;
    let (r, notes) = ctx.nest(Msg::Raft, Timer::Raft, |inner| f(&c.raft, &mut s.raft, inner));
    let me = ctx.me();
    for n in notes {
        // A leadership begins: every session gets a whole timeout from it, whatever this server
        // heard in a leadership before (ZooKeeper's new leader touches every session).
        if matches!(n, raft::Note::Elected { node, .. } if node == me) {
            s.seen.clear();
            s.expiring.clear();
        }
        ctx.note(Note::Raft(n));
    }
    if s.raft.kv.zxid > zxid && s.raft.kv.applied.is_empty() {
        installed(s, ctx);
    }
    after_apply(c, s, ctx);
    refresh(c, s, ctx);
    r
}

/// The leader's snapshot replaced this copy's tree, and the changes it skipped are not known
/// one by one. A ZooKeeper follower loads a snapshot only while it syncs with a leader, serving
/// no client (it closed their connections when it lost the one before); this one closes its
/// clients' connections now, and they connect again with their watches (`set_watches`), which
/// fire wherever they land if their node changed since the zxid the client saw.
fn installed(s: &mut Server, ctx: Cx) {
    close_all(s, ctx);
}

/// Close every client connection here; the watches go with them.
fn close_all(s: &mut Server, ctx: Cx) {
    let clients: Vec<u32> = s.conns.keys().copied().collect();
    for client in clients {
        reply(s, NodeId(client), Body::Closed, ctx);
    }
    for (client, conn) in core::mem::take(&mut s.conns).into_iter().map(|(c, k)| (c, k.conn)) {
        closed(s, NodeId(client), conn);
    }
    s.watches.clear();
}

/// Drop the watches `client` left here: they were on a connection that is gone (ZooKeeper
/// drops a connection's watches when it closes).
fn drop_watches(s: &mut Server, client: NodeId) {
    s.watches.retain(|w| w.client != client);
}

/// Send watch `w`'s event, on its own node, at `zxid`.
fn fire(s: &mut Server, w: &Watch, what: EventType, zxid: u64, ctx: Cx) {
    ctx.note(Note::Fired { server: ctx.me(), id: w.id, zxid, applied: s.raft.applied });
    reply(s, w.client, Body::Event { path: w.path.clone(), what, zxid }, ctx);
}

/// Leave a watch for `client` on `path` (one per client, node and kind, as in ZooKeeper's
/// watch tables).
fn leave_watch(s: &mut Server, client: NodeId, path: Path, children: bool) -> Watch {
    let had = s.watches.iter().find(|w| w.client == client && w.path == path && w.children == children);
    if let Some(w) = had {
        return w.clone();
    }
    let w = Watch { id: s.next_watch, client, path, children };
    s.next_watch += 1;
    s.watches.push(w.clone());
    w
}

/// A connecting client's watches, set again (ZooKeeper's `SetWatches`): those that would have
/// fired since the zxid it has seen fire now, at this copy's zxid, the others wait here.
fn set_watches(
    s: &mut Server,
    client: NodeId,
    conn: u32,
    watches: Vec<(Path, WatchKind)>,
    seen: u64,
    ctx: Cx,
) {
    let zxid = s.raft.kv.zxid;
    for (path, kind) in watches {
        let missed = s.raft.kv.missed(&path, kind, seen);
        let w = leave_watch(s, client, path, kind.children());
        if let Some(what) = missed {
            s.watches.retain(|x| x.id != w.id);
            fire(s, &w, what, zxid, ctx);
        }
    }
    ctx.note(Note::Rewatched { client, conn, zxid });
}

use crate::raft::Raft;

pub fn init(c: &Coordination, ctx: Cx) -> Server {
    let (raft, notes) = ctx.nest(Msg::Raft, Timer::Raft, |inner| raft::server::init(&c.raft, inner));
    boot(c, raft, notes, ctx)
}

pub fn restart(c: &Coordination, hard: raft::HardState<Tree>, ctx: Cx) -> Server {
    let (raft, notes) = ctx.nest(Msg::Raft, Timer::Raft, |inner| raft::server::restart(&c.raft, hard, inner));
    boot(c, raft, notes, ctx)
}

fn boot(c: &Coordination, mut raft: raft::Server<Tree>, notes: Vec<raft::Note>, ctx: Cx) -> Server {
    for n in notes {
        ctx.note(Note::Raft(n));
    }
    raft.kv.keep_ephemerals = c.is(Mutant::KeepEphemerals);
    raft.kv.count_sequence = c.is(Mutant::CountSequence);
    raft.kv.take_applied();
    ctx.set_timer(Timer::Tick, Time(TICK_US));
    Server {
        raft,
        conns: BTreeMap::new(),
        closed: BTreeMap::new(),
        watches: Vec::new(),
        // Numbered from the boot time, so a restarted server's watches are new ones.
        next_watch: (ctx.now().0 << 20) + 1,
        life: ctx.now().0,
        touched: Vec::new(),
        seen: BTreeMap::new(),
        expiring: Vec::new(),
        serving: false,
        heard_back: None,
    }
}

/// Whether this server answers clients: it leads, or, both ways within the sync limit, it heard
/// from a leader and a leader answered its relay. ZooKeeper's follower that hears nothing from
/// its leader for `syncLimit` ticks drops its clients and looks for a leader; its leader shuts
/// down a follower it has not heard from for as long (`LearnerHandler`'s sync-limit check),
/// which drops its clients the same way; and a leader stops when it no longer hears from a
/// quorum (here Raft's CheckQuorum, which the ensemble runs). So a server cut off from the
/// ensemble, in either direction, serves its stale copy for a bounded time, not for ever, and
/// its clients move to another server while their sessions live. A restarted server answers
/// once a leader reaches it and answers it.
fn in_touch(c: &Coordination, s: &Server, now: Time) -> bool {
    let recent = |t: Option<Time>| t.is_some_and(|t| now.0 < t.0 + c.sync_limit_us());
    s.raft.role == Role::Leader || (recent(s.raft.last_leader_contact) && recent(s.heard_back))
}

/// Find whether it serves now, and say so when that changes.
fn refresh(c: &Coordination, s: &mut Server, ctx: Cx) -> bool {
    let serving = in_touch(c, s, ctx.now());
    if serving != s.serving {
        s.serving = serving;
        ctx.note(Note::Serving { server: ctx.me(), serving, limit_ms: c.sync_limit_us() / 1000 });
        if !serving {
            // ZooKeeper's follower, turning to look for a leader, closes its client
            // connections (and their watches go with them): a client hears at once, if the
            // network lets it, and moves to another server.
            close_all(s, ctx);
        }
    }
    serving
}

/// Send a client a reply on its connection.
fn reply(s: &mut Server, client: NodeId, body: Body, ctx: Cx) {
    if let Some(k) = s.conns.get_mut(&client.0) {
        k.seq += 1;
        ctx.send(client, Msg::Reply { conn: k.conn, life: s.life, seq: k.seq, body });
    }
}

/// Hand a transaction to the leader: to this server's own Raft if it leads, else to the
/// leader it knows (none known: the client will retry).
fn forward(c: &Coordination, s: &mut Server, txn: Txn, ctx: Cx) {
    // The forwarding number names the client's request, so that Raft sees a request forwarded
    // twice (by two servers, or after a retry) as one while it is uncommitted.
    let req = ((txn.client.0 as u64) << 40) | txn.req;
    let msg = raft::Msg::Request { req, op: txn };
    let me = ctx.me();
    if s.raft.role == Role::Leader {
        with_raft(c, s, ctx, |r, rs, inner| raft::server::on_message(r, rs, me, msg, inner));
    } else if let Some(l) = s.raft.leader.filter(|l| *l != me) {
        ctx.send(l, Msg::Raft(msg));
    }
}

/// Whether `conn` is the client's connection here.
fn knows(s: &Server, client: NodeId, conn: u32) -> bool {
    s.conns.get(&client.0).is_some_and(|k| k.conn == conn)
}

/// The client's connection, made fresh when it connects anew; a new one's watches set again
/// (while its session lives here) before anything is answered on it.
fn connect(
    s: &mut Server,
    client: NodeId,
    conn: u32,
    session: SessionId,
    (hello, seen): (Hello, u64),
    ctx: Cx,
) {
    let now = ctx.now();
    let fresh = !knows(s, client, conn);
    if fresh {
        drop_watches(s, client);
    }
    let new = Conn { conn, seq: 0, session, opening: None, heard: now, read: 0 };
    let k = s.conns.entry(client.0).or_insert(new.clone());
    if fresh {
        *k = new;
    }
    k.heard = now;
    if session != 0 {
        k.session = session;
    }
    let watches = hello.unwrap_or_default();
    if fresh && !watches.is_empty() && s.raft.kv.sessions.contains_key(&session) {
        set_watches(s, client, conn, watches, seen, ctx);
    }
}

/// A message on a connection this server does not have (it restarted since, or closed it):
/// it closes it, as a reset TCP connection, and the client connects anew. Watches the client
/// left here were on a connection that is gone.
fn close(s: &mut Server, client: NodeId, conn: u32, ctx: Cx) {
    drop_watches(s, client);
    closed(s, client, conn);
    ctx.send(client, Msg::Reply { conn, life: s.life, seq: 0, body: Body::Closed });
}

/// Note that this server closed the client's connection `conn` (the newest closed is kept).
fn closed(s: &mut Server, client: NodeId, conn: u32) {
    let newest = s.closed.entry(client.0).or_insert(conn);
    *newest = (*newest).max(conn);
}

/// Whether a message on `conn` comes from a connection the client has since left for a newer
/// one here (a client numbers its connections in order): late, as no packet of a closed TCP
/// connection could be, and ignored.
fn stale(s: &Server, client: NodeId, conn: u32) -> bool {
    s.conns.get(&client.0).is_some_and(|k| k.conn > conn)
}

/// Note a heartbeat from a session: the leader's own record, or the relay's.
fn heard(c: &Coordination, s: &mut Server, session: SessionId, clock: Time, ctx: Cx) {
    let at = if c.is(Mutant::ClientClock) { clock } else { ctx.now() };
    if s.raft.role == Role::Leader {
        s.seen.insert(session, at);
        ctx.note(Note::Heard { leader: ctx.me(), session, at: ctx.now() });
    } else if !s.touched.iter().any(|(x, _)| *x == session) {
        s.touched.push((session, at));
    }
}

pub fn on_message(c: &Coordination, s: &mut Server, from: NodeId, msg: Msg, ctx: Cx) {
    match msg {
        Msg::Raft(raft::Msg::Reply { outcome: raft::Outcome::Redirect(_), .. }) => {
            // A forward reached a server that does not lead: the client's retry goes again.
        }
        Msg::Raft(raft::Msg::Reply { .. }) => {}
        Msg::Raft(m) => with_raft(c, s, ctx, |r, rs, inner| raft::server::on_message(r, rs, from, m, inner)),
        Msg::Touch { sessions } => {
            if s.raft.role == Role::Leader {
                // Broken: the relay is answered and what it carries is dropped.
                let counted = if c.is(Mutant::IgnoreRelays) { Vec::new() } else { sessions };
                for (session, clock) in counted {
                    heard(c, s, session, clock, ctx);
                }
                ctx.send(from, Msg::TouchAck);
            }
        }
        Msg::TouchAck if s.raft.leader == Some(from) => s.heard_back = Some(ctx.now()),
        Msg::Ping { .. } | Msg::Request { .. } if !refresh(c, s, ctx) => {
            // Out of touch with the ensemble: it closed its connections when it lost touch
            // (`refresh`) and answers no client until it is back (a ZooKeeper server that is
            // not running takes no session); the client moves to another server.
        }
        Msg::Ping { seen, conn, .. } | Msg::Request { seen, conn, .. }
            if seen > s.raft.kv.zxid && !c.is(Mutant::AnyServer) =>
        {
            // This copy is behind what the client has seen: ZooKeeper refuses the connection
            // and closes it ("client must try another server"), and the client moves on at
            // once.
            if s.conns.get(&from.0).is_some_and(|k| k.conn == conn) {
                s.conns.remove(&from.0);
            }
            close(s, from, conn, ctx);
        }
        Msg::Ping { conn, .. } | Msg::Request { conn, .. } if stale(s, from, conn) => {}
        Msg::Ping { conn, .. } | Msg::Request { conn, .. }
            if !knows(s, from, conn) && s.closed.get(&from.0).is_some_and(|c| *c >= conn) =>
        {
            close(s, from, conn, ctx);
        }
        Msg::Ping { conn, hello: None, .. } | Msg::Request { conn, hello: None, .. }
            if !knows(s, from, conn) =>
        {
            close(s, from, conn, ctx);
        }
        // A session that is gone (a ping always names one): no answer, not even a read from
        // this copy; it is told, if this copy has applied the session's opening (else it lags).
        Msg::Ping { conn, session, seen, hello, .. } | Msg::Request { conn, session, seen, hello, .. }
            if session != 0 && !s.raft.kv.sessions.contains_key(&session) =>
        {
            if s.raft.kv.zxid >= session {
                connect(s, from, conn, session, (hello, seen), ctx);
                reply(s, from, Body::Expired, ctx);
            }
        }
        Msg::Ping { conn, session, clock, seen, hello } => {
            connect(s, from, conn, session, (hello, seen), ctx);
            heard(c, s, session, clock, ctx);
            let zxid = s.raft.kv.zxid;
            reply(s, from, Body::Pong { zxid }, ctx);
        }
        Msg::Request { conn, session, req, op, watch, seen, hello } => {
            connect(s, from, conn, session, (hello, seen), ctx);
            if session != 0 {
                heard(c, s, session, ctx.now(), ctx);
            }
            if op == TreeOp::Sync && c.is(Mutant::LocalSync) {
                // Broken: as if this copy already had every committed write.
                let zxid = s.raft.kv.zxid;
                reply(s, from, Body::Result { req, result: TreeResult::Synced(zxid), zxid }, ctx);
                return;
            }
            let txn = Txn { client: from, session, req, op };
            if <Tree as raft::Machine>::is_read(&txn) {
                // Taken once: a second answer would leave its watch here again, after the
                // first had fired, for a client that asked once.
                match s.conns.get_mut(&from.0) {
                    Some(k) if k.read >= req => return,
                    Some(k) => k.read = req,
                    None => {}
                }
                let result = s.raft.kv.read(&txn.op);
                // `exists` leaves a watch whether or not the node is there; `get` and
                // `children` only on a node that is (ZooKeeper answers them NoNode first).
                let found = !matches!(result, TreeResult::Data(None) | TreeResult::Error(_));
                if watch && (found || matches!(txn.op, TreeOp::Exists { .. })) {
                    let (path, children) = match &txn.op {
                        TreeOp::Children { path } => (path.clone(), true),
                        other => (other.path().unwrap_or("/").into(), false),
                    };
                    leave_watch(s, from, path, children);
                }
                let zxid = s.raft.kv.zxid;
                reply(s, from, Body::Result { req, result, zxid }, ctx);
                return;
            }
            if let (TreeOp::Open { .. }, Some(k)) = (&txn.op, s.conns.get_mut(&from.0)) {
                k.opening = Some(req);
            }
            forward(c, s, txn, ctx);
        }
        Msg::Write { .. } | Msg::WriteReply { .. } | Msg::Reply { .. } | Msg::TouchAck => {}
    }
}

/// Answer the clients connected here for what this copy just applied, and fire the watches
/// the changes trip, in the order of the transactions.
fn after_apply(c: &Coordination, s: &mut Server, ctx: Cx) {
    for Applied { zxid, txn, result, changes } in s.raft.kv.take_applied() {
        let mut rearm: Vec<Watch> = Vec::new();
        for (path, change) in &changes {
            let parent = super::tree::parent(path);
            // In ZooKeeper's order: the node's data watches, its child watches, its parent's
            // child watches. A deletion tells a client once, even if it watched the node and
            // its children (`WatchManager.triggerWatch` passes over the watchers it has told).
            let mut told: Vec<NodeId> = Vec::new();
            for pass in 0..3 {
                let mut k = 0;
                while k < s.watches.len() {
                    let w = &s.watches[k];
                    let what = EventType::of(*change, path.as_str(), parent, &w.path, w.children);
                    let Some(what) = what.filter(|e| e.rank(w.children) == pass) else {
                        k += 1;
                        continue;
                    };
                    let w = if c.is(Mutant::PersistentWatch) { w.clone() } else { s.watches.remove(k) };
                    k += usize::from(c.is(Mutant::PersistentWatch));
                    if what == EventType::NodeDeleted {
                        if told.contains(&w.client) {
                            continue;
                        }
                        told.push(w.client);
                    }
                    fire(s, &w, what, zxid, ctx);
                    if c.is(Mutant::RearmWatch) {
                        rearm.push(w);
                    }
                }
            }
        }
        for w in rearm {
            leave_watch(s, w.client, w.path, w.children);
        }
        if let TreeOp::Expire { session } = txn.op {
            s.seen.remove(&session);
            s.expiring.retain(|x| x.0 != session);
            let gone: Vec<NodeId> =
                s.conns.iter().filter(|(_, k)| k.session == session).map(|(id, _)| NodeId(*id)).collect();
            for client in gone {
                reply(s, client, Body::Expired, ctx);
                drop_watches(s, client);
            }
            continue;
        }
        let Some(k) = s.conns.get(&txn.client.0) else { continue };
        let mine = match txn.op {
            TreeOp::Open { .. } => k.opening == Some(txn.req),
            _ => k.session == txn.session,
        };
        if mine {
            if let TreeResult::Session(id) = result {
                if let Some(k) = s.conns.get_mut(&txn.client.0) {
                    (k.session, k.opening) = (id, None);
                }
            }
            reply(s, txn.client, Body::Result { req: txn.req, result, zxid }, ctx);
        }
    }
}

pub fn on_timer(c: &Coordination, s: &mut Server, timer: Timer, ctx: Cx) {
    match timer {
        Timer::Raft(t) => with_raft(c, s, ctx, |r, rs, inner| raft::server::on_timer(r, rs, t, inner)),
        Timer::Tick => {
            ctx.set_timer(Timer::Tick, Time(TICK_US));
            tick(c, s, ctx);
        }
        _ => {}
    }
}

/// Every tick: relay heartbeats to the leader; on the leader, expire the sessions it has not
/// heard of for their timeout, through the log; in the local-expiry mutant, expire silent
/// clients here.
fn tick(c: &Coordination, s: &mut Server, ctx: Cx) {
    let now = ctx.now();
    let me = ctx.me();
    refresh(c, s, ctx);
    if s.raft.role != Role::Leader {
        s.seen.clear();
        s.expiring.clear();
        // Every tick, sessions or none: the relay is also how the leader hears this server.
        if let Some(l) = s.raft.leader.filter(|l| *l != me) {
            ctx.send(l, Msg::Touch { sessions: core::mem::take(&mut s.touched) });
        }
    } else {
        s.touched.clear();
        s.expiring.retain(|x| now.0.saturating_sub(x.1 .0) < EXPIRE_RETRY_US);
        let sessions: Vec<(SessionId, u32)> =
            s.raft.kv.sessions.iter().map(|(id, x)| (*id, x.timeout_ms)).collect();
        s.seen.retain(|id, _| sessions.iter().any(|(x, _)| x == id));
        for (id, timeout_ms) in sessions {
            // A session this leader has not heard of yet gets a whole timeout from now
            // (ZooKeeper's new leader does the same).
            let last = match s.seen.get(&id) {
                Some(at) => *at,
                // Broken: silent since time zero.
                None if c.is(Mutant::NoGrace) => Time::ZERO,
                None => {
                    ctx.note(Note::Heard { leader: me, session: id, at: now });
                    s.seen.insert(id, now);
                    now
                }
            };
            if now.0 >= last.0 + timeout_ms as u64 * 1000 && !s.expiring.iter().any(|x| x.0 == id) {
                s.expiring.push((id, now));
                ctx.note(Note::Expiring { leader: me, session: id, at: now, timeout_ms });
                let txn = Txn { client: me, session: 0, req: id, op: TreeOp::Expire { session: id } };
                forward(c, s, txn, ctx);
            }
        }
    }
    if c.is(Mutant::LocalExpiry) {
        let silent: Vec<(u32, SessionId)> = s
            .conns
            .iter()
            .filter(|(_, k)| {
                s.raft
                    .kv
                    .sessions
                    .get(&k.session)
                    .is_some_and(|x| now.0 >= k.heard.0 + x.timeout_ms as u64 * 1000)
            })
            .map(|(id, k)| (*id, k.session))
            .collect();
        for (client, session) in silent {
            // Broken: this copy alone forgets the session and its ephemeral nodes.
            s.raft.kv.end_session(session);
            reply(s, NodeId(client), Body::Expired, ctx);
        }
    }
}

pub fn on_admin(c: &Coordination, s: &mut Server, op: raft::ClientOp, ctx: Cx) {
    with_raft(c, s, ctx, |r, rs, inner| raft::server::on_admin(r, rs, op, inner));
}
