//! How the page presents the file system (its `Present` impl): a metadata server's Raft role,
//! namespace and view of the data nodes; a data node's rack and replicas; a client's request;
//! the data nodes and the files' blocks as boards; names, timers and notes in words.

use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use crate::protocol::{
    About, Board, BoardCell, BoardRow, Enclosure, LogDetail, NodeId, NodeView, Present, Tone,
};
use crate::raft::server::Role;

use super::client::{self, Client};
use super::datanode::DataNode;
use super::meta::MetaServer;
use super::node::Node;
use super::types::*;

/// The metadata servers' colour key; rack `r`'s is `r + 1`.
const META_HUE: u64 = 7;

fn meta_view(s: &MetaServer) -> NodeView {
    let r = &s.raft;
    let role = r.role.word();
    let files = r.kv.files.values().filter(|f| f.complete.is_some()).count();
    let dead = s.dead.iter().filter(|x| **x).count();
    let copying: usize = s.copying.values().map(Vec::len).sum();
    NodeView {
        role: format!("metadata · {role}"),
        badge: r.role.badge(r.hard.term),
        fields: vec![
            ("role".into(), role.into()),
            ("term".into(), format!("{}", r.hard.term)),
            ("files".into(), format!("{files}")),
            (
                "blocks being written".into(),
                format!("{}", r.kv.files.values().filter(|f| f.writing.is_some()).count()),
            ),
            ("data nodes counted dead".into(), format!("{dead}")),
            ("copies under way".into(), format!("{copying}")),
            ("commit index".into(), format!("{}", r.commit)),
            ("requests to answer".into(), format!("{}", s.waiting.len())),
        ],
        summary: vec![format!("{role} · term {}", r.hard.term), format!("{files} files · {dead} dead")],
        hue_key: Some(META_HUE),
        accepts: None,
        actions: Vec::new(),
    }
}

fn data_view(d: &Dfs, id: NodeId, n: &DataNode) -> NodeView {
    let done = n.replicas.values().filter(|r| r.done).count();
    let blocks: Vec<String> =
        n.replicas.iter().map(|(b, r)| format!("{b}{}", if r.done { "" } else { "…" })).collect();
    let rack = d.rack_of(id).unwrap_or(0);
    NodeView {
        role: "data node".into(),
        badge: format!("{done}"),
        fields: vec![
            ("rack".into(), format!("r{}", rack + 1)),
            ("replicas".into(), if blocks.is_empty() { "none".into() } else { blocks.join(" ") }),
            ("in a pipeline".into(), format!("{}", n.forwarding.len())),
            ("copies sent".into(), format!("{}", n.copies_sent)),
        ],
        summary: vec![format!("blocks: {done}")],
        hue_key: Some(rack as u64 + 1),
        accepts: None,
        actions: Vec::new(),
    }
}

fn client_view(d: &Dfs, c: &Client) -> NodeView {
    let last = match &c.last {
        Some((op, Some(r))) => format!("{} → {r}", ClientOp(op.clone())),
        Some((op, None)) => format!("{} → block missing", ClientOp(op.clone())),
        None => String::from("—"),
    };
    let mut summary = vec![client::summary(c, d)];
    if c.last.is_some() {
        summary.push(last.clone());
    }
    NodeView {
        role: "client".into(),
        badge: String::from("client"),
        fields: vec![
            ("rack".into(), format!("r{}", d.client_rack(c.id) + 1)),
            ("request".into(), client::summary(c, d)),
            ("last result".into(), last),
            ("completed".into(), format!("{}", c.completed)),
            ("pipelines rebuilt".into(), format!("{}", c.rebuilt)),
            ("reads that fell back".into(), format!("{}", c.fallbacks)),
            ("reads given up".into(), format!("{}", c.missing)),
            ("queued".into(), format!("{}", c.queue.len())),
        ],
        summary,
        hue_key: None,
        accepts: Some("write x 5 · read x".into()),
        actions: vec![("write x 1".into(), "write x 1".into()), ("read x".into(), "read x".into())],
    }
}

/// The live metadata leader, else any live metadata server.
fn leader<'a>(nodes: &'a [Node], up: &[bool]) -> Option<&'a MetaServer> {
    let live = nodes.iter().zip(up).filter_map(|(n, up)| match n {
        Node::Meta(s) if *up => Some(s),
        _ => None,
    });
    live.max_by_key(|s| (s.raft.role == Role::Leader, s.raft.applied))
}

/// Each file's block: its replicas on running nodes against R.
fn block_board(d: &Dfs, nodes: &[Node], up: &[bool]) -> Board {
    let Some(m) = leader(nodes, up) else {
        return Board {
            title: "Files".into(),
            legend: "no metadata server is running".into(),
            columns: Vec::new(),
            rows: Vec::new(),
        };
    };
    let mut short = 0;
    let writer = |f: &super::names::File| match &f.writing {
        Some((c, w)) => {
            BoardCell { text: format!("{} (block {})", d.name(NodeId(*c)), w.block), ..BoardCell::default() }
        }
        None => BoardCell { text: "—".into(), ..BoardCell::default() },
    };
    let rows: Vec<BoardRow> = m
        .raft
        .kv
        .files
        .iter()
        .filter(|(_, f)| f.complete.is_some() || f.writing.is_some())
        .map(|(file, f)| {
            let Some(p) = &f.complete else {
                let none = || BoardCell { text: "—".into(), ..BoardCell::default() };
                return BoardRow { label: format!("{file}"), cells: vec![none(), none(), none(), writer(f)] };
            };
            let live: Vec<NodeId> = d
                .data_node_ids()
                .filter(|n| {
                    up[n.index()]
                        && matches!(&nodes[n.index()], Node::Data(x) if x.finished(p.block, p.gen).is_some())
                })
                .collect();
            if live.len() < d.rf as usize {
                short += 1;
            }
            let tone = match live.len() {
                0 => Tone::Bad,
                n if n < d.rf as usize => Tone::Warn,
                _ => Tone::Good,
            };
            BoardRow {
                label: format!("{file}"),
                cells: vec![
                    BoardCell { text: format!("{}", p.block), ..BoardCell::default() },
                    BoardCell { text: format!("{}/{}", live.len(), d.rf), tone, ..BoardCell::default() },
                    BoardCell {
                        text: if live.is_empty() { "none".into() } else { d.names(&live) },
                        ..BoardCell::default()
                    },
                    writer(f),
                ],
            }
        })
        .collect();
    Board {
        title: if short == 0 {
            format!("Files (every block at R = {})", d.rf)
        } else {
            format!("Files ({short} blocks short of R = {})", d.rf)
        },
        legend:
            "each file: its block, its finished replicas on running data nodes against R, where they are, and the one client writing it now (the holder of its lease)"
                .into(),
        columns: vec!["block".into(), "replicas".into(), "on".into(), "writer".into()],
        rows,
    }
}

/// Each data node: its rack, whether the metadata leader counts it alive, its replicas.
fn node_board(d: &Dfs, nodes: &[Node], up: &[bool]) -> Board {
    let m = leader(nodes, up);
    let rows = d
        .data_node_ids()
        .map(|n| {
            let held = match &nodes[n.index()] {
                Node::Data(x) => x.replicas.values().filter(|r| r.done).count(),
                _ => 0,
            };
            let counted = m.map(|m| !m.dead[n.index() - META]);
            let (text, tone) = match (up[n.index()], counted) {
                (true, Some(false)) => ("up, counted dead", Tone::Warn),
                (true, _) => ("up", Tone::Good),
                (false, Some(true)) => ("down, not yet noticed", Tone::Warn),
                (false, _) => ("down", Tone::Bad),
            };
            let rack = d.rack_of(n).unwrap_or(0);
            BoardRow {
                label: d.name(n),
                cells: vec![
                    BoardCell {
                        text: format!("r{}", rack + 1),
                        hue: Some(rack as u64 + 1),
                        ..BoardCell::default()
                    },
                    BoardCell { text: text.into(), tone, ..BoardCell::default() },
                    BoardCell { text: format!("{held}"), ..BoardCell::default() },
                ],
            }
        })
        .collect();
    Board {
        title: "Data nodes".into(),
        legend: format!(
            "each data node: its rack, whether it runs and whether the metadata leader has noticed (no heartbeat for {} s: dead), and its finished replicas",
            DEAD_AFTER_US / 1_000_000
        ),
        columns: vec!["rack".into(), "state".into(), "replicas".into()],
        rows,
    }
}

impl Present for Dfs {
    fn about(&self) -> About {
        About {
            title: "File system",
            tagline: "Files as blocks on data nodes in racks, three replicas each, placed by HDFS's rule; a metadata service on Raft keeps the namespace. Write through a pipeline, kill a node or a whole rack, and watch the blocks it held copied back to three.",
            persistence: "Metadata servers keep Raft's term, vote and log (the namespace is rebuilt from it; where the replicas are comes back with the next block reports). Data nodes keep their replicas on disk. Clients keep their request numbers.",
        }
    }

    fn view(&self, node: &Node) -> NodeView {
        match node {
            Node::Meta(s) => meta_view(s),
            Node::Data(n) => data_view(self, n.id, n),
            Node::Client(c) => client_view(self, c),
        }
    }

    fn down_view(&self, restarted: &Node) -> NodeView {
        let v = self.view(restarted);
        v.down(matches!(restarted, Node::Meta(_)))
    }

    fn log_detail(&self, node: &Node) -> Option<LogDetail> {
        let Node::Meta(s) = node else { return None };
        let files = s
            .raft
            .kv
            .files
            .iter()
            .filter_map(|(k, f)| {
                f.complete.as_ref().map(|p| (String::from(k.as_str()), format!("block {}", p.block)))
            })
            .collect();
        let mut detail = crate::raft::log_detail(&s.raft, files);
        if let Some(peers) = detail.leader.as_mut() {
            for p in peers.iter_mut() {
                p.0 = self.meta_members().global(p.0);
            }
        }
        Some(detail)
    }

    fn boards(&self, nodes: &[Node], up: &[bool]) -> Vec<Board> {
        vec![block_board(self, nodes, up), node_board(self, nodes, up)]
    }

    fn enclosures(&self, _nodes: &[Node], _up: &[bool]) -> Vec<Enclosure> {
        (0..self.racks.len())
            .map(|r| Enclosure {
                label: format!("rack r{}", r + 1),
                members: self.data_node_ids().filter(|n| self.rack_of(*n) == Some(r)).collect(),
                chips: Vec::new(),
            })
            .collect()
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
            Timer::Heartbeat => "heartbeat",
            Timer::Scan => "scan blocks",
            Timer::Pipeline(_) => "pipeline timeout",
            Timer::ClientNext => "next request",
            Timer::ClientRetry => "request timeout",
        }
    }

    fn client_summary(op: &ClientOp) -> String {
        format!("{op}")
    }

    fn note_summary(n: &Note) -> String {
        match n {
            Note::Raft(crate::raft::Note::Elected { node, term }) => {
                format!("M{} becomes the metadata leader (term {term})", node.0 + 1)
            }
            Note::Raft(r) => <crate::raft::Raft as Present>::note_summary(r),
            Note::Invoke { req, op, .. } => format!("client issues #{req}: {}", ClientOp(op.clone())),
            Note::Ack { req, op, result, .. } => {
                format!("client gets #{req}: {} → {result}", ClientOp(op.clone()))
            }
            Note::Missing { req, op, block, .. } => {
                format!(
                    "client gives #{req} up: {}: no replica of block {block} answered in {READ_ROUNDS} rounds",
                    ClientOp(op.clone())
                )
            }
            Note::Completed { file, pipeline, .. } => {
                format!(
                    "{file} is now block {} (its pipeline of {} all has it)",
                    pipeline.block,
                    pipeline.targets.len()
                )
            }
            Note::Placed { block, targets, holders, .. } if holders.is_empty() => {
                format!("block {block} goes to {} nodes", targets.len())
            }
            Note::Placed { block, targets, .. } => format!("block {block} gets {} more nodes", targets.len()),
            Note::Dead { leader: true, .. } => String::from("the metadata leader counts a data node dead"),
            Note::Dead { .. } => String::from("a metadata follower counts a data node dead"),
            Note::LeaseRecovered { file, by: Some(_), .. } => {
                format!(
                    "{file}'s writer was silent past the lease's soft limit: the leader logs the file's handover to another client"
                )
            }
            Note::LeaseRecovered { file, .. } => {
                format!(
                    "{file}'s writer was silent past the lease's hard limit: the leader logs the lease's release"
                )
            }
            Note::Refused { why, .. } => format!("refused: {why}"),
        }
    }
}
