//! How the page presents Kafka (its `Present` impl): a broker's replicas, the controller's
//! partitions and group, a consumer's assignment and reads, a producer's acknowledgements, with
//! one-click requests; the tables of `board.rs`; node names, timers, requests and notes in words.

use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use super::board::boards;
use super::config::Kafka;
use super::group::{member_name, MemberState};
use super::node::Node;
use super::types::{names, plural, ClientOp, Note, Timer};
use crate::protocol::{About, Board, NodeId, NodeView, Present};

pub fn acks_name(acks: u8) -> &'static str {
    match acks {
        0 => "0 (fire and forget)",
        1 => "1 (leader only)",
        _ => "all (every in-sync replica)",
    }
}

/// A node's state as labelled fields, a badge, summary lines and its one-click requests.
fn node_view(k: &Kafka, node: &Node) -> NodeView {
    match node {
        Node::Broker(b) => {
            let fields = b
                .replicas
                .iter()
                .enumerate()
                .filter_map(|(p, r)| {
                    r.as_ref().map(|r| {
                        let role = if r.leader == Some(b.id) { "leader" } else { "follower" };
                        (
                            format!("p{p}"),
                            format!(
                                "{role}, LEO {}, HW {}, ISR {}",
                                r.hard.log.len(),
                                r.hard.hw,
                                names(r.isr.iter())
                            ),
                        )
                    })
                })
                .collect::<Vec<_>>();
            let leads =
                b.replicas.iter().filter(|r| r.as_ref().is_some_and(|r| r.leader == Some(b.id))).count();
            // The card beside the broker says only what survives its crash (its logs on disk),
            // so a crashed broker's card stays true; whom it leads is volatile, and goes in the
            // badge, which the page replaces with "crashed" while the broker is down (#16 bug 7:
            // a crashed broker still read "leads 1 of 3").
            let held: Vec<u64> = b.replicas.iter().flatten().map(|r| r.hard.log.len() as u64).collect();
            NodeView {
                role: "broker".into(),
                badge: format!("leads {leads}"),
                summary: vec![format!(
                    "{} · {} on disk",
                    plural(held.len(), "replica"),
                    plural(held.iter().sum::<u64>() as usize, "record")
                )],
                fields,
                ..NodeView::default()
            }
        }
        Node::Controller(c) => NodeView {
            role: "controller".into(),
            badge: format!("gen {}", c.group.generation),
            fields: c
                .partitions
                .iter()
                .enumerate()
                .map(|(p, s)| {
                    (
                        format!("p{p}"),
                        format!(
                            "leader {} ISR {} epoch {}",
                            names(s.leader.iter()),
                            names(s.isr.iter()),
                            s.leader_epoch
                        ),
                    )
                })
                .chain([("group generation".into(), format!("{}", c.group.generation))])
                .collect(),
            summary: vec![format!(
                "{} · gen {}",
                plural(c.partitions.len(), "partition"),
                c.group.generation
            )],
            accepts: Some("add-partition".into()),
            actions: vec![("Add a partition".into(), "add-partition".into())],
            ..NodeView::default()
        },
        Node::Consumer(c) => {
            let state = match c.state {
                _ if c.paused_until.is_some() => "paused (GC)",
                MemberState::Out => "not in the group",
                MemberState::Stable => "consuming",
                // Cooperative members go on reading what they own while they rebalance.
                _ if !c.assigned.is_empty() => "rebalancing, still reading",
                _ => "rebalancing",
            };
            let parts: Vec<String> = c.assigned.iter().map(|p| format!("p{p}")).collect();
            let last = c.last.map(|(p, o, t)| format!("p{p}@{o} \"{}\"", t.as_str()));
            NodeView {
                role: "consumer".into(),
                badge: format!("gen {}", c.generation),
                fields: vec![
                    ("state".into(), state.into()),
                    ("partitions".into(), parts.join(" ")),
                    ("records read".into(), format!("{}", c.consumed)),
                    ("last read".into(), last.clone().unwrap_or_else(|| "—".into())),
                ],
                summary: vec![
                    state.into(),
                    if parts.is_empty() { "no partitions".into() } else { parts.join(" ") },
                ],
                accepts: Some("join · leave · pause 500".into()),
                actions: if c.active() {
                    vec![
                        ("GC pause 500 ms".into(), "pause 500".into()),
                        ("Leave the group".into(), "leave".into()),
                    ]
                } else {
                    vec![("Join the group".into(), "join".into())]
                },
                ..NodeView::default()
            }
        }
        Node::Producer(p) => {
            let last = p.last.map(|(part, o, t)| format!("p{part}@{o} \"{}\"", t.as_str()));
            NodeView {
                role: "producer".into(),
                badge: "producer".into(),
                fields: vec![
                    ("acknowledged".into(), format!("{}", p.acked)),
                    ("last acknowledged".into(), last.unwrap_or_else(|| "—".into())),
                    ("waiting to send".into(), format!("{}", p.queue.len() + p.pending.is_some() as usize)),
                    ("acks".into(), acks_name(k.acks).into()),
                    ("idempotent".into(), idempotence(k, p)),
                    ("failed".into(), format!("{}", p.failed)),
                ],
                summary: vec![format!("{} acked", p.acked)],
                accepts: Some("k3 hello · - hello (no key)".into()),
                actions: vec![
                    ("Produce with key k1".into(), "k1".into()),
                    ("Produce with key k2".into(), "k2".into()),
                    ("Produce without a key".into(), "-".into()),
                ],
                ..NodeView::default()
            }
        }
    }
}

/// An idempotent producer's id and epoch, and the sequence number its pending record carries.
fn idempotence(k: &Kafka, p: &super::producer::Producer) -> String {
    if !k.idempotent() {
        return "off".into();
    }
    let Some(pid) = p.pid else { return "asking for a producer id".into() };
    match p.pending.and_then(|(_, rec, _)| rec.producer) {
        Some(s) => format!("producer id {pid} · epoch {} · sending seq {}", s.epoch, s.seq),
        None => format!("producer id {pid} · epoch {}", p.epoch),
    }
}

impl Present for Kafka {
    fn about(&self) -> About {
        About {
            title: "Kafka partitions",
            tagline: "Brokers replicate partitions; the controller elects leaders from the in-sync replicas.",
            persistence: "Persistent across a crash: each replica's log and checkpointed high watermark. Lost: leadership and ISR state, re-learned from the controller.",
        }
    }
    fn view(&self, node: &Node) -> NodeView {
        node_view(self, node)
    }
    fn boards(&self, nodes: &[Node], up: &[bool]) -> Vec<Board> {
        boards(self, nodes, up)
    }
    fn node_name(&self, id: NodeId) -> String {
        if id.index() < self.brokers {
            format!("B{}", id.0 + 1)
        } else if id == self.controller() {
            "controller".into()
        } else if id.index() > self.brokers + self.producers {
            member_name(self, id)
        } else {
            format!("P{}", id.index() - self.brokers)
        }
    }
    fn narration(&self) -> Vec<crate::lesson::Step> {
        self.narration.clone()
    }
    fn timer_label(t: &Timer) -> &'static str {
        match t {
            Timer::Heartbeat => "heartbeat",
            Timer::FetchTick => "fetch",
            Timer::IsrCheck => "ISR check",
            Timer::LivenessCheck => "liveness check",
            Timer::Produce => "produce",
            Timer::ProduceTimeout => "produce timeout",
            Timer::GroupHeartbeat => "group heartbeat",
            Timer::Poll => "poll",
            Timer::GroupTick => "group check",
            Timer::Resume => "end of pause",
        }
    }
    fn client_summary(op: &ClientOp) -> String {
        match op {
            ClientOp::Produce { key, text } => format!(
                "produce {}{}",
                key.map(|k| format!("key k{k}")).unwrap_or_else(|| "without a key".into()),
                text.map(|t| format!(" \"{}\"", t.as_str())).unwrap_or_default()
            ),
            ClientOp::Join => "join the group".into(),
            ClientOp::Leave => "leave the group".into(),
            ClientOp::Pause(ms) => format!("pause for {ms} ms (GC)"),
            ClientOp::AddPartition => "add a partition".into(),
        }
    }
    fn note_summary(n: &Note) -> String {
        match n {
            Note::Acked { partition, offset, .. } => {
                format!("producer acknowledged at p{partition} offset {offset}")
            }
            Note::Answered { partition, offset, .. } => {
                format!("leader acknowledged acks=all at p{partition} offset {offset}")
            }
            Note::Consumed { partition, offset, .. } => format!("consumer read p{partition} offset {offset}"),
            Note::PartitionAdded { partitions } => format!("the topic now has {partitions} partitions"),
            Note::Rebalanced { generation, members } => {
                format!("group rebalanced: generation {generation}, {members} members")
            }
            Note::Elected { partition, leader, epoch, unclean } => format!(
                "p{partition}: leader {} (epoch {epoch}){}",
                names(leader.iter()),
                if *unclean { ", UNCLEAN election" } else { "" }
            ),
        }
    }
}
