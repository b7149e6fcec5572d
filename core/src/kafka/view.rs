//! How the page shows a Kafka node: a broker's replicas, the controller's partitions and group,
//! a consumer's assignment and reads, a producer's acknowledgements, with one-click requests.

use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use super::config::Kafka;
use super::node::Node;
use super::types::names;
use crate::protocol::NodeView;

/// "1 partition", "3 partitions".
pub fn plural(n: usize, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}

pub fn acks_name(acks: u8) -> &'static str {
    match acks {
        0 => "0 (fire and forget)",
        1 => "1 (leader only)",
        _ => "all (every in-sync replica)",
    }
}

/// A node's state as labelled fields, a badge, summary lines and its one-click requests.
pub(super) fn view(k: &Kafka, node: &Node) -> NodeView {
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
            NodeView {
                role: "broker".into(),
                badge: format!("leads {leads}"),
                summary: vec![format!("leads {leads} of {}", b.replicas.len())],
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
                            s.epoch
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
            let state = if !c.active {
                "not in the group"
            } else if c.paused_until.is_some() {
                "paused (GC)"
            } else if c.joined {
                "consuming"
            } else {
                "rebalancing"
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
                actions: if c.active {
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
