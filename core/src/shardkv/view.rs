//! How the page presents the sharded database (its `Present` impl): a server's Raft role and
//! the configuration and shards its group has reached; a client's cached configuration; the
//! shard map and the groups as boards; names, timers and notes in words.

use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use crate::protocol::{
    About, Board, BoardCell, BoardRow, Chip, ChipState, Enclosure, LogDetail, NodeId, NodeView, Present, Tone,
};
use crate::raft::server::Role;

use super::client::{self, Client};
use super::configs::{group_name, Config, GroupId, NOBODY};
use super::machine::{Shards, Status};
use super::node::Node;
use super::server::{ConfigServer, Replica};
use super::types::*;

/// The configuration service's colour key; group `g`'s is `g + 1`.
const CONFIG_HUE: u64 = 7;

/// Shard numbers as a short list ("0 3 7", "none").
fn list(shards: impl Iterator<Item = usize>) -> String {
    let words: Vec<String> = shards.map(|s| format!("{s}")).collect();
    if words.is_empty() {
        String::from("none")
    } else {
        words.join(" ")
    }
}

fn with_status(m: &Shards, want: fn(&Status) -> bool) -> String {
    list(m.shards.iter().enumerate().filter(|(_, s)| want(&s.status)).map(|(i, _)| i))
}

fn config_view(s: &ConfigServer) -> NodeView {
    let r = &s.raft;
    let role = r.role.word();
    let latest = r.kv.latest();
    NodeView {
        role: format!("configuration service · {role}"),
        badge: r.role.badge(r.hard.term),
        fields: vec![
            ("role".into(), role.into()),
            ("term".into(), format!("{}", r.hard.term)),
            ("newest configuration".into(), format!("{latest}")),
            ("commit index".into(), format!("{}", r.commit)),
            ("operator commands waiting".into(), format!("{}", s.pending.len())),
        ],
        summary: vec![format!("{role} · term {}", r.hard.term), format!("config {}", latest.num)],
        // A colour of its own, apart from the groups' (1 to 5).
        hue_key: Some(CONFIG_HUE),
        accepts: Some("join G3 · leave G1".into()),
        actions: vec![
            ("Group G3 joins".into(), "join G3".into()),
            ("Group G1 leaves".into(), "leave G1".into()),
        ],
    }
}

fn replica_view(s: &Replica) -> NodeView {
    let r = &s.raft;
    let role = r.role.word();
    let m = &r.kv;
    let count = |want: fn(&Status) -> bool| m.shards.iter().filter(|x| want(&x.status)).count();
    let (serving, pulling) =
        (count(|s| *s == Status::Serving), count(|s| matches!(s, Status::Pulling { .. })));
    let mut summary =
        vec![format!("{role} · term {}", r.hard.term), format!("config {} · {serving} shards", m.config.num)];
    if pulling > 0 {
        summary.push(format!("awaits {pulling} shards"));
    }
    let keys: usize = m.shards.iter().map(|s| s.kv.data.len()).sum();
    NodeView {
        role: format!("group {} · {role}", group_name(s.group)),
        badge: r.role.badge(r.hard.term),
        fields: vec![
            ("group".into(), group_name(s.group)),
            ("role".into(), role.into()),
            ("term".into(), format!("{}", r.hard.term)),
            ("configuration reached".into(), format!("{}", m.config)),
            ("shards served".into(), with_status(m, |s| *s == Status::Serving)),
            ("shards awaited".into(), with_status(m, |s| matches!(s, Status::Pulling { .. }))),
            ("keys held".into(), format!("{keys}")),
            ("copies kept for new owners".into(), format!("{}", m.handoff.len())),
            ("commit index".into(), format!("{}", r.commit)),
            ("requests to answer".into(), format!("{}", s.waiting.len())),
        ],
        summary,
        hue_key: Some(s.group as u64 + 1),
        accepts: None,
        actions: Vec::new(),
    }
}

fn client_view(k: &ShardKv, c: &Client) -> NodeView {
    let last = match &c.last {
        Some((op, r)) => format!("{op} → {r}"),
        None => String::from("—"),
    };
    let mut summary = vec![client::waiting(k, c), format!("knows config {}", c.config.num)];
    if let Some((op, r)) = &c.last {
        summary.push(format!("{op} → {r}"));
    }
    NodeView {
        role: "client".into(),
        badge: String::from("client"),
        fields: vec![
            ("request".into(), client::waiting(k, c)),
            ("last result".into(), last),
            ("configuration it knows".into(), format!("{}", c.config)),
            ("completed".into(), format!("{}", c.completed)),
            ("sent back by “wrong group”".into(), format!("{}", c.redirected)),
            ("queued".into(), format!("{}", c.queue.len())),
        ],
        summary,
        hue_key: None,
        accepts: Some("put x 5 · get x · delete x · cas x 5 6".into()),
        actions: vec![("put x 1".into(), "put x 1".into()), ("get x".into(), "get x".into())],
    }
}

/// The newest configuration any configuration server has applied.
fn newest(k: &ShardKv, nodes: &[Node]) -> Config {
    nodes
        .iter()
        .filter_map(|n| if let Node::Config(s) = n { Some(s.raft.kv.latest()) } else { None })
        .max_by_key(|c| c.num)
        .unwrap_or_else(|| Config::empty(k.shards))
}

/// The group's most advanced live server.
fn ahead<'a>(nodes: &'a [Node], up: &[bool], g: GroupId) -> Option<&'a Replica> {
    nodes
        .iter()
        .zip(up)
        .filter_map(|(n, up)| match n {
            Node::Replica(s) if s.group == g && *up => Some(s),
            _ => None,
        })
        .max_by_key(|s| (s.raft.kv.config.num, s.raft.applied))
}

/// Each shard: its owner in the newest configuration, and where it is served now.
fn shard_board(k: &ShardKv, nodes: &[Node], up: &[bool]) -> Board {
    let config = newest(k, nodes);
    let groups: Vec<Option<&Replica>> = (0..k.groups).map(|g| ahead(nodes, up, g as GroupId)).collect();
    let rows = (0..k.shards)
        .map(|s| {
            let owner = config.owners.get(s).copied().unwrap_or(NOBODY);
            let (mut serving, mut pulling) = (Vec::new(), None);
            let (mut keys, mut ops) = (0, 0);
            for r in groups.iter().flatten() {
                let x = &r.raft.kv.shards[s];
                match x.status {
                    Status::Serving => {
                        serving.push(r.group);
                        keys = x.kv.data.len();
                        ops = x.ops;
                    }
                    Status::Pulling { from, .. } => pulling = Some((r.group, from)),
                    Status::Absent => {}
                }
            }
            let (now, tone) = match (pulling, serving.as_slice()) {
                (Some((g, from)), _) => {
                    (format!("{} pulls from {}", group_name(g), group_name(from)), Tone::Warn)
                }
                (None, [g]) => (format!("{} serves", group_name(*g)), Tone::Good),
                (None, []) => (String::from("—"), Tone::Plain),
                (None, many) => (format!("{} groups serve it", many.len()), Tone::Bad),
            };
            BoardRow {
                label: format!("shard {s}"),
                cells: vec![
                    BoardCell {
                        text: group_name(owner),
                        hue: (owner != NOBODY).then_some(owner as u64 + 1),
                        ..BoardCell::default()
                    },
                    BoardCell { text: now, tone, ..BoardCell::default() },
                    BoardCell { text: format!("{keys}"), ..BoardCell::default() },
                    BoardCell {
                        text: format!("{ops}"),
                        title: "operations in the shard's whole history".into(),
                        ..BoardCell::default()
                    },
                ],
            }
        })
        .collect();
    Board {
        title: format!("Shards in config {}", config.num),
        legend: "each shard: its owner in the newest configuration, where it is served now (or whose data is on the way), its keys and the operations in its history".into(),
        columns: vec!["owner".into(), "now".into(), "keys".into(), "ops".into()],
        rows,
    }
}

/// How many shards the newest configuration's change moved, of how many, and the groups on the
/// larger side of the change (a join or leave of one group ideally moves 1/groups of them).
fn last_change(nodes: &[Node]) -> Option<(usize, usize, usize)> {
    let configs = nodes
        .iter()
        .filter_map(|n| if let Node::Config(s) = n { Some(&s.raft.kv) } else { None })
        .max_by_key(|c| c.history.len())?;
    let [.., before, after] = configs.history.as_slice() else { return None };
    let groups = before.groups.len().max(after.groups.len());
    Some((before.moved(after), after.owners.len(), groups))
}

/// Each group: whether it is in the newest configuration, its leader, the configuration it
/// has reached, and its shards against the ideal share.
fn group_board(k: &ShardKv, nodes: &[Node], up: &[bool]) -> Board {
    let config = newest(k, nodes);
    let rows = (0..k.groups as GroupId)
        .map(|g| {
            let members = k.members(g);
            let leader = members.nodes().find(|n| {
                up[n.index()] && matches!(&nodes[n.index()], Node::Replica(s) if s.raft.role == Role::Leader)
            });
            let reached = ahead(nodes, up, g).map(|s| s.raft.kv.config.num);
            let owned = config.shards_of(g).count();
            let member = config.groups.contains(&g);
            BoardRow {
                label: format!("group {}", group_name(g)),
                cells: vec![
                    BoardCell {
                        text: if member { "in".into() } else { "out".into() },
                        tone: if member { Tone::Good } else { Tone::Plain },
                        ..BoardCell::default()
                    },
                    BoardCell {
                        text: leader.map(|l| k.name(l)).unwrap_or_else(|| "none".into()),
                        tone: if leader.is_some() { Tone::Lead } else { Tone::Warn },
                        ..BoardCell::default()
                    },
                    BoardCell {
                        text: reached.map(|n| format!("{n}")).unwrap_or_else(|| "down".into()),
                        tone: if reached == Some(config.num) { Tone::Plain } else { Tone::Warn },
                        ..BoardCell::default()
                    },
                    BoardCell { text: format!("{owned}"), hue: Some(g as u64 + 1), ..BoardCell::default() },
                ],
            }
        })
        .collect();
    let ideal = if config.groups.is_empty() { 0 } else { k.shards / config.groups.len() };
    Board {
        title: match last_change(nodes) {
            Some((moved, of, groups)) => format!(
                "Groups (newest: config {}, whose change moved {moved} of {of} shards; consistent hashing's ideal: about {})",
                config.num,
                (of + groups / 2) / groups.max(1)
            ),
            None => format!("Groups (newest: config {})", config.num),
        },
        legend: format!("each group: in the newest configuration or not, its leader, the configuration it has reached, and its shards (an even share is about {ideal})"),
        columns: vec!["member".into(), "leader".into(), "config".into(), "shards".into()],
        rows,
    }
}

/// Each group as a box: its servers, the configuration it has reached, and its shards as
/// chips in the colour of their owner in the newest configuration: served, on their way in,
/// or handed over and kept until the new owner has them.
fn group_boxes(k: &ShardKv, nodes: &[Node], up: &[bool]) -> Vec<Enclosure> {
    let config = newest(k, nodes);
    let groups: Vec<Option<&Replica>> = (0..k.groups).map(|g| ahead(nodes, up, g as GroupId)).collect();
    // The group each shard is on its way from (to whichever group pulls it).
    let mut from = vec![None; k.shards];
    for r in groups.iter().flatten() {
        for (s, x) in r.raft.kv.shards.iter().enumerate() {
            if let Status::Pulling { from: g, .. } = x.status {
                from[s] = Some((g, r.group));
            }
        }
    }
    let hue = |s: usize| config.owners.get(s).filter(|o| **o != NOBODY).map(|o| *o as u64 + 1);
    (0..k.groups as GroupId)
        .map(|g| {
            let members = k.members(g);
            let Some(r) = groups[g as usize] else {
                return Enclosure {
                    label: format!("{} · down", group_name(g)),
                    members: members.nodes().collect(),
                    chips: Vec::new(),
                };
            };
            let chips = (0..k.shards)
                .filter_map(|s| {
                    let (state, title) = match (&r.raft.kv.shards[s].status, from[s]) {
                        (Status::Serving, _) => (ChipState::Held, format!("shard {s}: served")),
                        (Status::Pulling { from, .. }, _) => {
                            (ChipState::Arriving, format!("shard {s}: on its way from {}", group_name(*from)))
                        }
                        (Status::Absent, Some((old, to))) if old == g => (
                            ChipState::Leaving,
                            format!(
                                "shard {s}: handed to {}, which pulls it from the copy frozen here",
                                group_name(to)
                            ),
                        ),
                        (Status::Absent, _) => return None,
                    };
                    Some(Chip { text: format!("{s}"), title, hue: hue(s), state })
                })
                .collect();
            Enclosure {
                label: format!("{} · config {}", group_name(g), r.raft.kv.config.num),
                members: members.nodes().collect(),
                chips,
            }
        })
        .collect()
}

impl Present for ShardKv {
    fn about(&self) -> About {
        About {
            title: "Sharded database",
            tagline: "Keys cut into shards, shards placed on Raft groups by a consistent-hash ring that a configuration service (itself a Raft group) keeps. Add a group and watch a few shards move — with their data and their duplicate tables — while the rest keep serving.",
            persistence: "Servers keep Raft's term, vote, log and snapshot (a group's shards, its configuration and the copies it keeps for new owners are rebuilt from them). Clients keep their request numbers, not the configuration they knew.",
        }
    }

    fn view(&self, node: &Node) -> NodeView {
        match node {
            Node::Config(s) => config_view(s),
            Node::Replica(s) => replica_view(s),
            Node::Client(c) => client_view(self, c),
        }
    }

    fn down_view(&self, restarted: &Node) -> NodeView {
        let v = self.view(restarted);
        v.down(!matches!(restarted, Node::Client(_)))
    }

    fn log_detail(&self, node: &Node) -> Option<LogDetail> {
        let (mut detail, members) = match node {
            Node::Config(s) => (crate::raft::log_detail(&s.raft, Vec::new()), self.config_members()),
            Node::Replica(s) => {
                let kv = s
                    .raft
                    .kv
                    .shards
                    .iter()
                    .filter(|x| x.status == Status::Serving)
                    .flat_map(|x| x.kv.data.iter().map(|(k, v)| (String::from(k.as_str()), format!("{v}"))))
                    .collect();
                (crate::raft::log_detail(&s.raft, kv), self.members(s.group))
            }
            Node::Client(_) => return None,
        };
        if let Some(peers) = detail.leader.as_mut() {
            for p in peers.iter_mut() {
                p.0 = members.global(p.0);
            }
        }
        Some(detail)
    }

    fn boards(&self, nodes: &[Node], up: &[bool]) -> Vec<Board> {
        vec![group_board(self, nodes, up), shard_board(self, nodes, up)]
    }

    fn enclosures(&self, nodes: &[Node], up: &[bool]) -> Vec<Enclosure> {
        group_boxes(self, nodes, up)
    }

    fn node_name(&self, id: NodeId) -> String {
        self.name(id)
    }

    fn narration(&self) -> Vec<crate::lesson::Step> {
        self.narration.clone()
    }

    fn timer_label(t: &Timer) -> &'static str {
        match t {
            Timer::Raft(t) => <crate::raft::Raft as Present>::timer_label(t),
            Timer::Tick => "poll configuration",
            Timer::ClientNext => "next request",
            Timer::ClientRetry => "request timeout",
        }
    }

    fn client_summary(op: &ClientOp) -> String {
        format!("{op}")
    }

    fn note_summary(n: &Note) -> String {
        match n {
            Note::Cfg(crate::raft::Note::Elected { node, term }) => {
                format!("Cfg{} becomes the configuration service's leader (term {term})", node.0 + 1)
            }
            Note::Cfg(r) => <crate::raft::Raft as Present>::note_summary(r),
            Note::Rep { group, note: crate::raft::Note::Elected { node, term } } => {
                format!(
                    "{}.{} becomes group {}'s leader (term {term})",
                    group_name(*group),
                    node.0 + 1,
                    group_name(*group)
                )
            }
            Note::Rep { note, .. } => <crate::raft::Raft as Present>::note_summary(note),
            Note::Invoke { req, op, .. } => format!("client issues #{req}: {op}"),
            Note::Ack { req, op, result, .. } => format!("client gets #{req}: {op} → {result}"),
            Note::Applied { group, shard, op, pos, fresh: true, .. } => {
                format!("group {} applies {op} as operation {pos} of shard {shard}", group_name(*group))
            }
            Note::Applied { group, shard, op, .. } => {
                format!("group {} answers {op} from shard {shard}'s duplicate table", group_name(*group))
            }
            Note::Reached { num, .. } => format!("a server reaches configuration {num}"),
            Note::Installed { shard, num, ops, .. } => {
                format!("a server takes shard {shard} in for configuration {num}, at its operation {ops}")
            }
            Note::WrongGroup { shard, num, .. } => {
                format!("a server answers 'wrong group' for shard {shard} (at configuration {num})")
            }
            Note::Refused { why, .. } => format!("refused: {why}"),
        }
    }
}
