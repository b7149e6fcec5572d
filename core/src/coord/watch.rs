//! The vocabulary of watches, shared by the servers that fire them and the checker that judges
//! them: what a watch waits for, how a transaction changed a node, and what an event says
//! happened, with ZooKeeper's rules for which watch a change trips and which watches an event
//! ends on the client.

use serde::Serialize;

/// What a client's watch waits for (ZooKeeper's client keeps the three apart to set them
/// again on reconnection).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum WatchKind {
    /// On a node that existed (`get` or `exists`): its data set, or it deleted.
    Data,
    /// On a node that did not exist (`exists`): it created.
    Exist,
    /// On a node's children (`children`): one created or deleted, or the node deleted.
    Child,
}

impl WatchKind {
    /// Whether the server keeps it as a watch on the node's children.
    pub fn children(self) -> bool {
        self == WatchKind::Child
    }
}

/// How a transaction changed a node.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Change {
    Created,
    Deleted,
    Data,
}

/// What a watch's event says happened (ZooKeeper's `Watcher.Event.EventType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum EventType {
    NodeCreated,
    NodeDeleted,
    NodeDataChanged,
    NodeChildrenChanged,
}

impl EventType {
    /// The event a watch on `watched` (on its children, or not) has when `node`, whose parent is
    /// `parent`, changes as `how` says, if the change trips it (ZooKeeper's `DataTree`: a
    /// creation trips the node's data watches and its parent's child watches; a deletion those
    /// and the node's own child watches; a set the node's data watches). Nodes are named by
    /// their paths, or by anything that tells paths apart (the checker uses digests).
    pub fn of<N: PartialEq>(
        how: Change,
        node: N,
        parent: N,
        watched: N,
        children: bool,
    ) -> Option<EventType> {
        let own = watched == node;
        Some(match how {
            Change::Data if own && !children => EventType::NodeDataChanged,
            Change::Created if own && !children => EventType::NodeCreated,
            Change::Deleted if own => EventType::NodeDeleted,
            Change::Created | Change::Deleted if children && watched == parent => {
                EventType::NodeChildrenChanged
            }
            _ => return None,
        })
    }

    /// Where ZooKeeper's `DataTree` tells a watch of this event on (`children`) or not, among
    /// the watches one change trips: the node's data watches first, then its child watches,
    /// then its parent's.
    pub fn rank(self, children: bool) -> u8 {
        match (self, children) {
            (_, false) => 0,
            (EventType::NodeDeleted, true) => 1,
            _ => 2,
        }
    }

    /// Whether the event ends a watch of `kind` on its node, on the client (ZooKeeper's
    /// `ZKWatchManager.materialize`): a node's creation or new data ends its data and exist
    /// watches, a change of its children its child watches, its deletion all three. One
    /// deletion is one event, even to a client that watched both the node and its children.
    pub fn ends(self, kind: WatchKind) -> bool {
        match self {
            EventType::NodeCreated | EventType::NodeDataChanged => !kind.children(),
            EventType::NodeChildrenChanged => kind.children(),
            EventType::NodeDeleted => true,
        }
    }

    /// What happened, in a few words to follow the node's path ("/svc's children changed").
    pub fn words(self) -> &'static str {
        match self {
            EventType::NodeCreated => " created",
            EventType::NodeDeleted => " deleted",
            EventType::NodeDataChanged => " changed",
            EventType::NodeChildrenChanged => "'s children changed",
        }
    }
}
