//! The plain data a protocol hands the page through `protocol::Present` (a node's view, the
//! protocol's boards and boxes, a replicated log), apart from the logic: the page needs no
//! protocol code to draw any of it.

use alloc::string::String;
use alloc::vec::Vec;

use serde::Serialize;

use crate::ids::NodeId;

/// One node as the user interface sees it: protocol-neutral labels and fields.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct NodeView {
    /// Roles or state in a word or two ("leader", "proposer · acceptor").
    pub role: String,
    /// A short badge shown in the node ("T3", "b=2.1").
    pub badge: String,
    /// Labelled state fields, in display order (the inspector shows them all).
    pub fields: Vec<(String, String)>,
    /// A few short lines drawn beside the node in the cluster view.
    pub summary: Vec<String>,
    /// Colour key for the node (Paxos: the proposer whose ballot it promised), or none.
    #[serde(with = "crate::hash::hex_opt")]
    pub hue_key: Option<u64>,
    /// What requests the node takes from the user, as a placeholder ("put x 5 · get x"), if any.
    pub accepts: Option<String>,
    /// One-click requests: (button label, the request as typed).
    pub actions: Vec<(String, String)>,
}

impl NodeView {
    /// This view as a crashed node's: "down" leads its summary and its badge. When
    /// `role_is_state` (a Raft leader or follower, rather than a kind of node such as a client
    /// or an acceptor), the role itself reads "down", in the role field too, and in the summary
    /// line that opened with it ("follower · term 1" becomes "down · term 1").
    pub fn down(mut self, role_is_state: bool) -> NodeView {
        let opens_with_role = !self.role.is_empty()
            && self.summary.first().is_some_and(|first| first.starts_with(self.role.as_str()));
        match self.summary.first_mut() {
            Some(first) if role_is_state && opens_with_role => first.replace_range(..self.role.len(), "down"),
            _ => self.summary.insert(0, String::from("down")),
        }
        if role_is_state {
            self.role = String::from("down");
            for (name, value) in &mut self.fields {
                if name == "role" {
                    *value = String::from("down");
                }
            }
        }
        self.badge = String::from("down");
        self
    }
}

/// What every node believes of one node, for a crowd too large for state cards: who suspects
/// whom, and how far the news has spread. Plain data, like [`Board`].
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Opinions {
    /// The node they are about (None: nobody is in doubt, and no node is picked).
    pub about: Option<NodeId>,
    /// Each node's belief about it: [`Tone::Good`] it is fine, [`Tone::Warn`] in doubt,
    /// [`Tone::Bad`] gone; [`Tone::Lead`] for the node itself, [`Tone::Dim`] for a node that is
    /// down. Empty when `about` is None.
    pub of: Vec<Tone>,
    /// A number each node carries that the drawing writes beside it when it is not zero (SWIM: a
    /// member's incarnation, raised only by refuting a suspicion or by restarting).
    pub marks: Vec<u64>,
}

/// A protocol's own table, drawn beside the cluster: Kafka's partitions × brokers with log
/// bars, Multi-Paxos's slots × acceptors. Plain data, so the page needs no protocol logic.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Board {
    pub title: String,
    /// What the marks mean, in a sentence.
    pub legend: String,
    pub columns: Vec<String>,
    pub rows: Vec<BoardRow>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct BoardRow {
    pub label: String,
    pub cells: Vec<BoardCell>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct BoardCell {
    pub text: String,
    /// Longer text for the tooltip.
    pub title: String,
    pub tone: Tone,
    /// A bar: (filled, marked, scale). Kafka: log end offset, high watermark, longest log.
    pub bar: Option<(u64, u64, u64)>,
    /// A colour key (a ballot, a key), if any.
    #[serde(with = "crate::hash::hex_opt")]
    pub hue: Option<u64>,
}

/// What a board cell stands for, drawn with a style and a word, never colour alone.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub enum Tone {
    #[default]
    Plain,
    /// The leader, the chosen value.
    Lead,
    /// In sync, accepted.
    Good,
    /// Lagging, out of sync, promised only.
    Warn,
    /// Lost, fenced, disagreeing.
    Bad,
    /// Down, not present.
    Dim,
}

/// A box the drawing puts around some nodes, side by side with the others (the file system's
/// racks, the sharded database's replica groups), named, with what it holds as chips under its
/// nodes (a group's shards). Plain data, like [`Board`]; see `registry::Drawing::Boxes`.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Enclosure {
    /// The box's name, drawn above it ("rack r1", "G1 · config 3").
    pub label: String,
    /// Its nodes, top to bottom.
    pub members: Vec<NodeId>,
    pub chips: Vec<Chip>,
}

/// One thing a box holds (a shard), drawn as a small square with a word on it.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Chip {
    pub text: String,
    /// For the tooltip.
    pub title: String,
    /// A colour key (a shard's owner), if any.
    #[serde(with = "crate::hash::hex_opt")]
    pub hue: Option<u64>,
    pub state: ChipState,
}

/// Where a chip stands in a move between boxes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub enum ChipState {
    /// Held and in use (a shard served).
    #[default]
    Held,
    /// Given away, a copy kept until the new holder has it.
    Leaving,
    /// Coming: the box owns it but waits for its contents.
    Arriving,
}

/// How the page introduces a protocol.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct About {
    pub title: &'static str,
    pub tagline: &'static str,
    /// What survives a crash and what does not.
    pub persistence: &'static str,
}

/// A replicated log as the log view draws it (Raft, Multi-Paxos).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct LogDetail {
    /// Index of `entries[0]`.
    pub first_index: u64,
    /// (last index, last term) of the snapshot the log starts after, if any.
    pub snapshot: Option<(u64, u64)>,
    /// (term, label) of each entry.
    pub entries: Vec<(u64, String)>,
    pub commit: u64,
    pub applied: u64,
    /// On a leader: (follower, next index, match index).
    pub leader: Option<Vec<(NodeId, u64, u64)>>,
    /// The state machine's contents.
    pub kv: Vec<(String, String)>,
}
