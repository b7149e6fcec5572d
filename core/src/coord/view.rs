//! How the page presents the coordination service (its `Present` impl): a server's Raft role
//! and its copy of the tree, sessions and watches; a client's session and recipe; the storage
//! node's highest token; the tree, and the storage node's last writes, as boards; names, timers
//! and notes in words.

use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use crate::protocol::{About, Board, BoardCell, BoardRow, LogDetail, NodeId, NodeView, Present, Tone};

use super::client::{Client, Step};
use super::node::Node;
use super::server::Server;
use super::storage::Storage;
use super::tree::{Tree, WatchKind};
use super::types::*;

fn server_view(s: &Server) -> NodeView {
    let r = &s.raft;
    let role = r.role.word();
    let tree = &r.kv;
    let mut fields = vec![
        ("role".into(), role.into()),
        ("term".into(), format!("{}", r.hard.term)),
        ("applied zxid".into(), format!("{}", tree.zxid)),
        ("commit index".into(), format!("{}", r.commit)),
        ("nodes".into(), format!("{}", tree.nodes.len() - 1)),
        ("open sessions".into(), format!("{}", tree.sessions.len())),
        ("clients here".into(), format!("{}", s.conns.len())),
        ("answers clients".into(), if s.serving { "yes" } else { "no: no leader lately" }.into()),
        ("watches".into(), format!("{}", s.watches.len())),
    ];
    for w in &s.watches {
        let on = if w.children { "children of " } else { "" };
        fields.push((format!("watch {}", w.id & 0xfffff), format!("{} on {on}{}", w.client, w.path)));
    }
    NodeView {
        role: role.into(),
        badge: r.role.badge(r.hard.term),
        fields,
        summary: vec![
            format!("{role} · term {}", r.hard.term),
            match tree.sessions.len() {
                1 => format!("zxid {} · 1 session", tree.zxid),
                n => format!("zxid {} · {n} sessions", tree.zxid),
            },
        ]
        .into_iter()
        .chain((!s.serving).then(|| String::from("answers no client")))
        .collect(),
        hue_key: (r.hard.term > 0).then_some(r.hard.term),
        accepts: Some("transfer [S2] · snapshot".into()),
        actions: vec![("Transfer leadership".into(), "transfer".into())],
    }
}

fn step_words(c: &Coordination, cl: &Client) -> String {
    let node = |p: &str| String::from(super::tree::name(p));
    match &cl.step {
        Step::Opening => "opening a session".into(),
        Step::Creating => "creating its node".into(),
        Step::Listing => "listing the children".into(),
        Step::Waiting(w) => format!("watches {w}"),
        Step::Working if c.recipe == Recipe::Election => "leads".into(),
        Step::Working => "holds the lock".into(),
        Step::Writing => "writing to storage".into(),
        Step::Releasing => "releasing".into(),
        Step::Thinking => "between rounds".into(),
        Step::Suspended => "led; connection lost, so no longer leads".into(),
        Step::Registered => {
            format!("registered as {}", cl.mine.as_ref().map(|m| node(&m.0)).unwrap_or_default())
        }
        Step::Cataloging => "listing the catalog".into(),
        Step::Watching => format!("instances in the catalog: {}", cl.catalog.len()),
        Step::Configuring => cl.plan.as_ref().map(super::config::describe).unwrap_or_default(),
        Step::Idle => "ready".into(),
    }
}

fn client_view(c: &Coordination, cl: &Client) -> NodeView {
    let doing = step_words(c, cl);
    let mut fields = vec![
        ("session".into(), if cl.session == 0 { "none".into() } else { format!("{}", cl.session) }),
        ("server".into(), format!("{}", cl.server)),
        ("doing".into(), doing.clone()),
    ];
    if let Some((path, token)) = &cl.mine {
        fields.push(("its node".into(), path.clone()));
        fields.push(("token".into(), format!("{token}")));
    }
    if c.is_watcher(cl.id) {
        fields.push(("catalog".into(), cl.catalog.join(", ")));
    }
    if !cl.watches.is_empty() {
        let held: Vec<String> = cl
            .watches
            .iter()
            .map(|(path, kind)| match kind {
                WatchKind::Data => path.clone(),
                WatchKind::Exist => format!("{path} (not there yet)"),
                WatchKind::Child => format!("children of {path}"),
            })
            .collect();
        fields.push(("watches".into(), held.join(", ")));
    }
    if let Some((op, result)) = &cl.last {
        fields.push(("last request".into(), format!("{op} → {result}")));
    }
    let paused = cl.paused_until.is_some();
    let mut summary = vec![if paused { "paused (GC)".into() } else { doing }];
    if let Some((_, token)) =
        cl.mine.as_ref().filter(|_| matches!(cl.step, Step::Working | Step::Writing | Step::Releasing))
    {
        summary.push(format!("token {token}"));
    }
    // A client that runs no recipe shows the answer to the user's last request beside it, the
    // watches it holds and the last event it was told of.
    if c.recipe == Recipe::Idle {
        if let Some((op, result)) = &cl.last {
            summary.push(format!("{op} → {result}"));
        }
        if !cl.watches.is_empty() {
            let paths: Vec<&str> = cl.watches.iter().map(|(p, _)| p.as_str()).collect();
            summary.push(format!("watch on {}", paths.join(", ")));
        }
        if let Some((path, what)) = &cl.told {
            summary.push(format!("told: {path}{}", what.words()));
        }
    }
    let holds = matches!(cl.step, Step::Working | Step::Writing | Step::Releasing);
    NodeView {
        role: "client".into(),
        badge: match () {
            _ if paused => "paused".into(),
            _ if holds && c.recipe == Recipe::Election => "★ leads".into(),
            _ if holds => "holds".into(),
            _ => String::new(),
        },
        fields,
        summary,
        hue_key: None,
        accepts: (c.recipe == Recipe::Idle)
            .then(|| "create /a 1 · set /a 2 · get /a watch · children / · sync · pause 2000".into()),
        actions: vec![("Pause 2.5 s (GC)".into(), "pause 2500".into())],
    }
}

fn storage_view(st: &Storage) -> NodeView {
    let last: Vec<String> =
        st.writes.iter().rev().take(3).map(|(c, t, _)| format!("{c}: token {t}")).collect();
    NodeView {
        role: "storage".into(),
        badge: format!("≥{}", st.highest),
        fields: vec![
            ("highest token".into(), format!("{}", st.highest)),
            ("writes taken".into(), format!("{}", st.seen.taken)),
            ("writes refused".into(), format!("{}", st.refused)),
            ("last writes".into(), last.join(" · ")),
        ],
        summary: vec![format!("highest token {}", st.highest), format!("{} refused", st.refused)],
        hue_key: None,
        accepts: None,
        actions: Vec::new(),
    }
}

/// The most advanced replica's tree, as a board.
fn tree_board(c: &Coordination, nodes: &[Node]) -> Board {
    let best = nodes
        .iter()
        .filter_map(|n| if let Node::Server(s) = n { Some(&s.raft) } else { None })
        .max_by_key(|r| r.kv.zxid);
    let empty = Tree::default();
    let (tree, who) = match best {
        Some(r) => (&r.kv, format!("{}", r.id)),
        None => (&empty, String::from("—")),
    };
    let client_of = |session: u64| tree.sessions.get(&session).map(|s| c.node_name(s.client));
    let rows = tree
        .nodes
        .iter()
        .filter(|(p, _)| p.as_str() != "/")
        .map(|(path, n)| {
            let owner = match n.owner {
                Some(o) => {
                    client_of(o).map(|c| format!("ephemeral · {c}")).unwrap_or_else(|| "ephemeral".into())
                }
                None => "persistent".into(),
            };
            BoardRow {
                label: path.clone(),
                cells: vec![
                    BoardCell { text: format!("{}", n.data), ..BoardCell::default() },
                    BoardCell { text: format!("v{}", n.version), ..BoardCell::default() },
                    BoardCell {
                        text: format!("{}", n.czxid),
                        title: "the zxid that created it".into(),
                        ..BoardCell::default()
                    },
                    BoardCell {
                        text: owner,
                        tone: if n.owner.is_some() { Tone::Warn } else { Tone::Dim },
                        ..BoardCell::default()
                    },
                ],
            }
        })
        .collect();
    Board {
        title: format!("The tree (as {who} has applied it, zxid {})", tree.zxid),
        legend: "each node: its data, its version, the zxid that created it (the lock's fencing token), and its owner if ephemeral".into(),
        columns: vec!["data".into(), "version".into(), "czxid".into(), "kind".into()],
        rows,
    }
}

/// The storage node's last writes, as a board: who wrote, with which token, taken or refused.
/// A phone hides the nodes' cards, so this is where it sees a stale holder's write refused.
fn storage_board(c: &Coordination, st: &Storage) -> Board {
    let lost = if c.recipe == Recipe::Election { "no longer leads" } else { "has lost the lock" };
    let rows = st
        .seen
        .last
        .iter()
        .map(|&(who, token, taken)| BoardRow {
            label: c.node_name(who),
            cells: vec![
                BoardCell { text: format!("{token}"), ..BoardCell::default() },
                if taken {
                    BoardCell { text: "taken".into(), tone: Tone::Good, ..BoardCell::default() }
                } else {
                    BoardCell {
                        text: "refused".into(),
                        title: format!("older than a token storage took: its writer {lost}"),
                        tone: Tone::Bad,
                        ..BoardCell::default()
                    }
                },
            ],
        })
        .collect();
    Board {
        title: format!(
            "Storage (highest token {} · {} taken · {} refused)",
            st.highest, st.seen.taken, st.refused
        ),
        legend: format!(
            "its last writes, newest last: who wrote, with which token, and whether storage took it; \
             it refuses a token older than the highest it took, as its writer {lost}"
        ),
        columns: vec!["token".into(), "write".into()],
        rows,
    }
}

impl Present for Coordination {
    fn about(&self) -> About {
        About {
            title: "Coordination",
            tagline: "A ZooKeeper-style service on Raft: a tree of nodes, sessions, ephemeral nodes and watches, and the recipes built on them — a lock with fencing tokens, leader election, service discovery.",
            persistence: "Servers keep Raft's term, vote and log (the tree is rebuilt from the log); connections and the watches left on them are lost, and clients set theirs again where they reconnect. Clients keep their request numbers, not their sessions. The storage node keeps its data and highest token.",
        }
    }

    fn view(&self, node: &Node) -> NodeView {
        match node {
            Node::Server(s) => server_view(s),
            Node::Client(c) => client_view(self, c),
            Node::Storage(st) => storage_view(st),
        }
    }

    fn down_view(&self, restarted: &Node) -> NodeView {
        let mut v = self.view(restarted);
        if matches!(restarted, Node::Client(_)) {
            // What a client will do once it restarts (open a session) is not what it does now.
            v.summary.clear();
        }
        v.down(matches!(restarted, Node::Server(_)))
    }

    fn log_detail(&self, node: &Node) -> Option<LogDetail> {
        match node {
            Node::Server(s) => {
                let kv = s
                    .raft
                    .kv
                    .nodes
                    .iter()
                    .filter(|(p, _)| p.as_str() != "/")
                    .map(|(p, n)| (p.clone(), format!("{}", n.data)))
                    .collect();
                Some(crate::raft::log_detail(&s.raft, kv))
            }
            _ => None,
        }
    }

    fn boards(&self, nodes: &[Node], _up: &[bool]) -> Vec<Board> {
        let mut boards = vec![tree_board(self, nodes)];
        // Only a lock's holders and an election's leaders write to storage.
        if matches!(self.recipe, Recipe::Lock | Recipe::Election) {
            if let Some(Node::Storage(st)) = nodes.get(self.storage().index()) {
                boards.push(storage_board(self, st));
            }
        }
        boards
    }

    fn node_name(&self, id: NodeId) -> String {
        if self.is_server(id) {
            format!("{id}")
        } else if self.is_client(id) {
            format!("C{}", id.index() - self.servers() + 1)
        } else {
            "storage".into()
        }
    }

    fn narration(&self) -> Vec<crate::lesson::Step> {
        self.narration.clone()
    }

    fn timer_label(t: &Timer) -> &'static str {
        match t {
            Timer::Raft(t) => <crate::raft::Raft as Present>::timer_label(t),
            Timer::Tick => "session tick",
            Timer::Ping => "heartbeat",
            Timer::ReadTimeout => "read timeout",
            Timer::Retry => "request timeout",
            Timer::Work => "work",
            Timer::Think => "think",
            Timer::Resume => "wake from pause",
        }
    }

    fn client_summary(op: &ClientOp) -> String {
        format!("{op}")
    }

    fn note_summary(n: &Note) -> String {
        match n {
            Note::Raft(r) => <crate::raft::Raft as Present>::note_summary(r),
            Note::Heard { leader, session, .. } => format!("{leader} hears from session {session}"),
            Note::Serving { server, serving: false, limit_ms } => {
                format!("{server} stops serving clients: no word from a leader for {limit_ms} ms")
            }
            Note::Serving { server, serving: true, .. } => format!("{server} serves clients"),
            Note::Expiring { leader, session, timeout_ms, .. } => {
                format!("{leader} expires session {session}: silent for {timeout_ms} ms")
            }
            Note::Observed { zxid, .. } => format!("a client sees zxid {zxid}"),
            Note::Pinged { zxid, .. } => format!("a client's heartbeat is answered at zxid {zxid}"),
            Note::Watched { path, kind: WatchKind::Data, .. } => format!("a client watches {path}"),
            Note::Watched { path, kind: WatchKind::Exist, .. } => {
                format!("a client watches for {path} to be created")
            }
            Note::Watched { path, kind: WatchKind::Child, .. } => {
                format!("a client watches {path}'s children")
            }
            Note::Rewatched { zxid, .. } => format!("a server sets a client's watches again at zxid {zxid}"),
            Note::Unwatched { .. } => String::from("a client's watches are gone with its session"),
            Note::Fired { server, zxid, .. } => format!("{server} fires a watch for zxid {zxid}"),
            Note::Acquired { path, token, election: true, .. } => {
                format!("the owner of {path} becomes leader (epoch {token})")
            }
            Note::Acquired { path, token, .. } => {
                format!("the owner of {path} takes the lock (token {token})")
            }
            Note::Stored { token, .. } => format!("storage accepts a write with token {token}"),
            Note::Invoke { client, plan } => format!("{client} begins: {}", super::config::describe(plan)),
            Note::Ack { client, outcome, .. } => match outcome {
                super::config::Outcome::Ok => format!("{client}'s operation takes effect"),
                super::config::Outcome::Read(Some(v)) => format!("{client} reads {v}"),
                super::config::Outcome::Read(None) => format!("{client} reads: no such node"),
                super::config::Outcome::Fail => format!("{client}'s operation fails, without effect"),
            },
        }
    }
}
