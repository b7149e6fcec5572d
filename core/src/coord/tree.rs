//! The replicated state machine of the coordination service: ZooKeeper's data tree with its
//! sessions (Hunt et al., "ZooKeeper: Wait-free coordination for Internet-scale systems",
//! USENIX ATC 2010, §2.1–2.2; the Programmer's Guide for versions, ephemeral and sequential
//! nodes).
//!
//! Every write is a transaction in the Raft log; its *zxid* is its log index, so zxids grow
//! with the order every replica applies them in. A node keeps its data, a version that each
//! `set` bumps (a conditional `set`/`delete` names the version it expects), the zxid that
//! created it (the lock recipe's fencing token), and, if it is ephemeral, the session that owns
//! it. A sequential node gets the parent's change counter appended to its name, ten digits as
//! ZooKeeper writes it, so names sort in creation order. Sessions are opened, closed and expired
//! through the log too: expiring a session deletes its ephemeral nodes in the same transaction,
//! so every replica that has applied the expiry has lost them, and none that has not.
//!
//! Reads (`get`, `exists`, `children`) never enter the log: the server a client is connected
//! to answers them from its own copy (`Tree::read`).

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use serde::Serialize;

use crate::echo::Echo;
use crate::protocol::NodeId;
use crate::raft::{LogIndex, Machine, Term};

pub use super::watch::{Change, EventType, WatchKind};

/// A session's id: the zxid of the transaction that opened it.
pub type SessionId = u64;

/// Longest path, in bytes.
pub const MAX_PATH_LEN: usize = 48;
/// Deepest path, in segments.
pub const MAX_DEPTH: usize = 4;
/// Most nodes the tree holds (a create beyond it fails with `TooMany`).
pub const MAX_NODES: usize = 512;
/// Session timeouts a client may ask for, milliseconds.
pub const SESSION_TIMEOUT_MS: (u32, u32) = (200, 60_000);

/// A path: `/` or `/seg/seg…`, each segment 1+ of `a-z A-Z 0-9 _ -`.
pub type Path = String;

/// Check a path a user or a scenario gave.
pub fn parse_path(p: &str) -> Result<Path, String> {
    let ok_seg =
        |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    let depth = p.split('/').count() - 1;
    if p.len() > MAX_PATH_LEN {
        return Err(format!("a path is at most {MAX_PATH_LEN} characters (got {})", Echo(p)));
    }
    if p == "/" || (p.starts_with('/') && depth <= MAX_DEPTH && p[1..].split('/').all(ok_seg)) {
        return Ok(String::from(p));
    }
    Err(format!(
        "a path is / or /name/name… with at most {MAX_DEPTH} names of letters, digits, _ or - (got {})",
        Echo(p)
    ))
}

/// The parent of a path other than `/`.
pub fn parent(path: &str) -> &str {
    match path.rfind('/') {
        Some(0) | None => "/",
        Some(i) => &path[..i],
    }
}

/// The last segment of a path.
pub fn name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or("")
}

/// An operation on the tree. Reads are served locally; the rest are transactions.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum TreeOp {
    /// Open a session for the client with this timeout.
    Open {
        timeout_ms: u32,
    },
    /// Close the transaction's session (its ephemeral nodes go).
    Close,
    Create {
        path: Path,
        data: u64,
        ephemeral: bool,
        sequential: bool,
    },
    /// Delete if the node has this version (`None`: any).
    Delete {
        path: Path,
        version: Option<u32>,
    },
    /// Set the data if the node has this version (`None`: any).
    Set {
        path: Path,
        data: u64,
        version: Option<u32>,
    },
    /// A no-op through the log: once the client's server applies it, that server has every
    /// write committed before the sync was issued (ZooKeeper's `sync`).
    Sync,
    /// The leader's decision that a session missed its timeout.
    Expire {
        session: SessionId,
    },
    Get {
        path: Path,
    },
    Exists {
        path: Path,
    },
    Children {
        path: Path,
    },
}

impl TreeOp {
    pub fn path(&self) -> Option<&str> {
        match self {
            TreeOp::Create { path, .. }
            | TreeOp::Delete { path, .. }
            | TreeOp::Set { path, .. }
            | TreeOp::Get { path }
            | TreeOp::Exists { path }
            | TreeOp::Children { path } => Some(path),
            _ => None,
        }
    }
}

impl fmt::Display for TreeOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = |v: &Option<u32>| v.map(|v| format!(" v{v}")).unwrap_or_default();
        match self {
            TreeOp::Open { timeout_ms } => write!(f, "open session ({timeout_ms} ms)"),
            TreeOp::Close => write!(f, "close session"),
            TreeOp::Create { path, data, ephemeral, sequential } => write!(
                f,
                "create {path}{} = {data}{}",
                if *sequential { "#" } else { "" },
                if *ephemeral { " (ephemeral)" } else { "" }
            ),
            TreeOp::Delete { path, version } => write!(f, "delete {path}{}", v(version)),
            TreeOp::Set { path, data, version } => write!(f, "set {path} = {data}{}", v(version)),
            TreeOp::Sync => write!(f, "sync"),
            TreeOp::Expire { session } => write!(f, "expire session {session}"),
            TreeOp::Get { path } => write!(f, "get {path}"),
            TreeOp::Exists { path } => write!(f, "exists {path}"),
            TreeOp::Children { path } => write!(f, "children {path}"),
        }
    }
}

/// A transaction as the log carries it: who asked, in which session, their request number.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Txn {
    pub client: NodeId,
    /// 0 for `Open` (no session yet) and for the leader's `Expire`.
    pub session: SessionId,
    pub req: u64,
    pub op: TreeOp,
}

impl fmt::Display for Txn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.op)
    }
}

/// Why an operation failed (ZooKeeper's `KeeperException` codes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum TreeError {
    NoNode,
    NodeExists,
    BadVersion,
    NotEmpty,
    /// Ephemeral nodes have no children.
    EphemeralParent,
    SessionExpired,
    TooMany,
}

impl fmt::Display for TreeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TreeError::NoNode => "no such node",
            TreeError::NodeExists => "node exists",
            TreeError::BadVersion => "bad version",
            TreeError::NotEmpty => "node has children",
            TreeError::EphemeralParent => "ephemeral nodes have no children",
            TreeError::SessionExpired => "session expired",
            TreeError::TooMany => "the tree is full",
        })
    }
}

/// What an operation returned.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum TreeResult {
    Session(SessionId),
    /// The created node's path (with its sequence number) and zxid.
    Created {
        path: Path,
        zxid: u64,
    },
    Done,
    /// A set's new version.
    Stat {
        version: u32,
    },
    /// A sync, applied at this zxid.
    Synced(u64),
    /// A get: data, version, creating zxid (`None`: no such node; also `exists`).
    Data(Option<(u64, u32, u64)>),
    Children(Vec<String>),
    Error(TreeError),
}

impl fmt::Display for TreeResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TreeResult::Session(s) => write!(f, "session {s}"),
            TreeResult::Created { path, zxid } => write!(f, "created {path} (zxid {zxid})"),
            TreeResult::Done => write!(f, "ok"),
            TreeResult::Stat { version } => write!(f, "ok, version {version}"),
            TreeResult::Synced(z) => write!(f, "synced at zxid {z}"),
            TreeResult::Data(Some((d, v, _))) => write!(f, "= {d} (version {v})"),
            TreeResult::Data(None) => write!(f, "= (no node)"),
            TreeResult::Children(c) => write!(f, "[{}]", c.join(", ")),
            TreeResult::Error(e) => write!(f, "error: {e}"),
        }
    }
}

/// One node of the tree.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Znode {
    pub data: u64,
    pub version: u32,
    /// The zxid that created it, the one that last set its data, and the one that last
    /// created or deleted a child of it (ZooKeeper's `mzxid` and `pzxid`: a reconnecting
    /// client's watches fire if the node changed after the last zxid the client saw).
    pub czxid: u64,
    pub mzxid: u64,
    pub pzxid: u64,
    /// Children created and deleted so far: the next sequential child's number.
    pub cversion: u32,
    /// The session that owns it, if ephemeral.
    pub owner: Option<SessionId>,
}

/// An open session: its client, timeout, and its last transaction and result (a retried
/// request is applied once).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Session {
    pub client: NodeId,
    pub timeout_ms: u32,
    pub last: (u64, TreeResult, LogIndex, Term),
}

/// The data tree and the open sessions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tree {
    pub nodes: BTreeMap<Path, Znode>,
    pub sessions: BTreeMap<SessionId, Session>,
    /// Per client: the request that opened its latest session, and the session.
    pub opened: BTreeMap<u32, (u64, SessionId)>,
    /// The last zxid applied.
    pub zxid: u64,
    /// What the last transactions did, for the server around this copy to answer its clients
    /// and fire its watches; it takes them out after every step (`take_applied`).
    pub applied: Vec<Applied>,
    /// The keep-ephemerals mutant: expiring a session leaves its ephemeral nodes.
    pub keep_ephemerals: bool,
    /// The count-sequence mutant: a sequential child is numbered by how many children its
    /// parent has, not by the parent's change counter.
    pub count_sequence: bool,
}

/// Every field but `count_sequence`, the same for a whole run (so a digest is the one it
/// was before that mutant existed).
impl core::hash::Hash for Tree {
    fn hash<H: core::hash::Hasher>(&self, h: &mut H) {
        let Tree { nodes, sessions, opened, zxid, applied, keep_ephemerals, count_sequence: _ } = self;
        (nodes, sessions, opened, zxid, applied, keep_ephemerals).hash(h);
    }
}

/// A transaction applied, with its result and the nodes it changed.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Applied {
    pub zxid: u64,
    pub txn: Txn,
    pub result: TreeResult,
    pub changes: Vec<(Path, Change)>,
}

impl Default for Tree {
    fn default() -> Self {
        let root = Znode { data: 0, version: 0, czxid: 0, mzxid: 0, pzxid: 0, cversion: 0, owner: None };
        Tree {
            nodes: [(String::from("/"), root)].into_iter().collect(),
            sessions: BTreeMap::new(),
            opened: BTreeMap::new(),
            zxid: 0,
            applied: Vec::new(),
            keep_ephemerals: false,
            count_sequence: false,
        }
    }
}

impl Tree {
    /// The children's names of `path`, in order.
    pub fn children(&self, path: &str) -> Vec<String> {
        let prefix = if path == "/" { String::from("/") } else { format!("{path}/") };
        self.nodes
            .range::<str, _>((core::ops::Bound::Excluded(prefix.as_str()), core::ops::Bound::Unbounded))
            .take_while(|(p, _)| p.starts_with(&prefix))
            .filter(|(p, _)| !p[prefix.len()..].contains('/'))
            .map(|(p, _)| String::from(&p[prefix.len()..]))
            .collect()
    }

    /// The ephemeral nodes a session owns.
    pub fn owned_by(&self, session: SessionId) -> Vec<Path> {
        self.nodes.iter().filter(|(_, n)| n.owner == Some(session)).map(|(p, _)| p.clone()).collect()
    }

    /// Answer a read from this copy.
    pub fn read(&self, op: &TreeOp) -> TreeResult {
        match op {
            TreeOp::Get { path } | TreeOp::Exists { path } => {
                TreeResult::Data(self.nodes.get(path).map(|n| (n.data, n.version, n.czxid)))
            }
            TreeOp::Children { path } if self.nodes.contains_key(path) => {
                TreeResult::Children(self.children(path))
            }
            TreeOp::Children { .. } => TreeResult::Error(TreeError::NoNode),
            _ => TreeResult::Error(TreeError::NoNode),
        }
    }

    /// The event a watch its client set before seeing zxid `seen` would have had on this copy
    /// by now, if any (ZooKeeper's `DataTree.setWatches`): a data watch's if its node is gone
    /// or its data was set since, an exist watch's if its node exists, a child watch's if its
    /// node is gone or a child was created or deleted since. An exist watch misses a node
    /// created and deleted in between, as ZooKeeper's documentation warns.
    pub fn missed(&self, path: &str, kind: WatchKind, seen: u64) -> Option<EventType> {
        let node = self.nodes.get(path);
        match (kind, node) {
            (WatchKind::Data | WatchKind::Child, None) => Some(EventType::NodeDeleted),
            (WatchKind::Data, Some(n)) => (n.mzxid > seen).then_some(EventType::NodeDataChanged),
            (WatchKind::Exist, n) => n.map(|_| EventType::NodeCreated),
            (WatchKind::Child, Some(n)) => (n.pzxid > seen).then_some(EventType::NodeChildrenChanged),
        }
    }

    /// Close a session and delete its ephemeral nodes (closing and expiring); the paths.
    pub fn end_session(&mut self, session: SessionId) -> Vec<Path> {
        self.sessions.remove(&session);
        if self.keep_ephemerals {
            return Vec::new();
        }
        let gone = self.owned_by(session);
        for path in &gone {
            self.nodes.remove(path);
            if let Some(p) = self.nodes.get_mut(parent(path)) {
                p.cversion += 1;
                p.pzxid = self.zxid;
            }
        }
        gone
    }

    /// The nodes a transaction changed, from its result.
    fn changes(txn: &Txn, result: &TreeResult, ended: Vec<Path>) -> Vec<(Path, Change)> {
        let mut out: Vec<(Path, Change)> = ended.into_iter().map(|p| (p, Change::Deleted)).collect();
        match (&txn.op, result) {
            (TreeOp::Create { .. }, TreeResult::Created { path, .. }) => {
                out.push((path.clone(), Change::Created))
            }
            (TreeOp::Delete { path, .. }, TreeResult::Done) => out.push((path.clone(), Change::Deleted)),
            (TreeOp::Set { path, .. }, TreeResult::Stat { .. }) => out.push((path.clone(), Change::Data)),
            _ => {}
        }
        out
    }

    /// What the transactions applied since the last call did.
    pub fn take_applied(&mut self) -> Vec<Applied> {
        core::mem::take(&mut self.applied)
    }

    /// Apply one transaction at zxid `index`.
    fn execute(&mut self, txn: &Txn, index: LogIndex, ended: &mut Vec<Path>) -> TreeResult {
        use TreeError::*;
        let err = TreeResult::Error;
        match &txn.op {
            TreeOp::Open { timeout_ms } => {
                let last = (txn.req, TreeResult::Session(index), index, 0);
                self.sessions.insert(index, Session { client: txn.client, timeout_ms: *timeout_ms, last });
                self.opened.insert(txn.client.0, (txn.req, index));
                TreeResult::Session(index)
            }
            TreeOp::Expire { session } => match self.sessions.contains_key(session) {
                true => {
                    *ended = self.end_session(*session);
                    TreeResult::Done
                }
                false => err(SessionExpired),
            },
            TreeOp::Close => {
                *ended = self.end_session(txn.session);
                TreeResult::Done
            }
            TreeOp::Sync => TreeResult::Synced(index),
            TreeOp::Create { path, data, ephemeral, sequential } => {
                let Some(p) = self.nodes.get(parent(path)) else { return err(NoNode) };
                if p.owner.is_some() {
                    return err(EphemeralParent);
                }
                let seq =
                    if self.count_sequence { self.children(parent(path)).len() as u32 } else { p.cversion };
                let path = if *sequential { format!("{path}{seq:010}") } else { path.clone() };
                if self.nodes.contains_key(&path) {
                    return err(NodeExists);
                }
                if self.nodes.len() >= MAX_NODES {
                    return err(TooMany);
                }
                if let Some(p) = self.nodes.get_mut(parent(&path)) {
                    p.cversion += 1;
                    p.pzxid = index;
                }
                let owner = ephemeral.then_some(txn.session);
                let (czxid, mzxid, pzxid) = (index, index, index);
                self.nodes.insert(
                    path.clone(),
                    Znode { data: *data, version: 0, czxid, mzxid, pzxid, cversion: 0, owner },
                );
                TreeResult::Created { path, zxid: index }
            }
            TreeOp::Delete { path, version } => {
                let Some(n) = self.nodes.get(path) else { return err(NoNode) };
                if version.is_some_and(|v| v != n.version) {
                    return err(BadVersion);
                }
                if path == "/" || !self.children(path).is_empty() {
                    return err(NotEmpty);
                }
                self.nodes.remove(path);
                if let Some(p) = self.nodes.get_mut(parent(path)) {
                    p.cversion += 1;
                    p.pzxid = index;
                }
                TreeResult::Done
            }
            TreeOp::Set { path, data, version } => {
                let Some(n) = self.nodes.get_mut(path) else { return err(NoNode) };
                if version.is_some_and(|v| v != n.version) {
                    return err(BadVersion);
                }
                n.data = *data;
                n.version += 1;
                n.mzxid = index;
                TreeResult::Stat { version: n.version }
            }
            TreeOp::Get { .. } | TreeOp::Exists { .. } | TreeOp::Children { .. } => self.read(&txn.op),
        }
    }
}

impl Tree {
    /// A transaction that changes nothing (a retry, or one of an expired session): its answer.
    fn answered(
        &mut self,
        txn: &Txn,
        r: TreeResult,
        index: LogIndex,
        term: Term,
    ) -> (TreeResult, LogIndex, Term) {
        self.applied.push(Applied {
            zxid: self.zxid,
            txn: txn.clone(),
            result: r.clone(),
            changes: Vec::new(),
        });
        (r, index, term)
    }
}

impl Machine for Tree {
    type Op = Txn;
    type Result = TreeResult;
    /// The client's server answers once it has applied the transaction itself (so that the
    /// client's next read there sees its write), not the leader.
    const LEADER_REPLIES: bool = false;
    const STATE: &'static str = "tree";

    /// Without the transactions the server around it has yet to act on.
    fn snapshot(&self) -> Tree {
        Tree { applied: Vec::new(), ..self.clone() }
    }

    /// Raft's client and request number here are the forwarding server's; the transaction
    /// carries the client's own, and those name the request once.
    fn apply(
        &mut self,
        _: NodeId,
        _: u64,
        txn: &Txn,
        index: LogIndex,
        term: Term,
    ) -> (TreeResult, LogIndex, Term) {
        self.zxid = index;
        if let TreeOp::Open { .. } = txn.op {
            if let Some(&(req, id)) = self.opened.get(&txn.client.0) {
                if req >= txn.req {
                    let known = self.sessions.contains_key(&id);
                    let r = if known {
                        TreeResult::Session(id)
                    } else {
                        TreeResult::Error(TreeError::SessionExpired)
                    };
                    return self.answered(txn, r, index, term);
                }
            }
        } else if !matches!(txn.op, TreeOp::Expire { .. }) {
            let expired = TreeResult::Error(TreeError::SessionExpired);
            let Some(s) = self.sessions.get(&txn.session).filter(|s| s.client == txn.client) else {
                return self.answered(txn, expired, index, term);
            };
            if s.last.0 >= txn.req {
                let (_, r, i, t) = s.last.clone();
                return self.answered(txn, r, i, t);
            }
        }
        let mut ended = Vec::new();
        let result = self.execute(txn, index, &mut ended);
        if let Some(s) = self.sessions.get_mut(&txn.session) {
            s.last = (txn.req, result.clone(), index, term);
        }
        let changes = Tree::changes(txn, &result, ended);
        self.applied.push(Applied { zxid: index, txn: txn.clone(), result: result.clone(), changes });
        (result, index, term)
    }

    /// No answer is remembered by the forwarding server's number (see `apply`).
    fn last_applied(&self, _: NodeId) -> Option<(u64, &TreeResult, LogIndex, Term)> {
        None
    }

    fn is_read(txn: &Txn) -> bool {
        matches!(txn.op, TreeOp::Get { .. } | TreeOp::Exists { .. } | TreeOp::Children { .. })
    }

    fn read(&self, txn: &Txn) -> TreeResult {
        Tree::read(self, &txn.op)
    }
}

#[cfg(test)]
#[path = "tree_tests.rs"]
mod tests;
