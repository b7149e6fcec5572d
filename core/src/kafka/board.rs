//! Kafka's tables for the page: partitions × brokers (leader, ISR, log end offset and high
//! watermark as a bar) and the consumer group (owner, position, committed offset, lag).

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use super::broker::leo;
use super::config::Kafka;
use super::coordinator::GroupState;
use super::node::Node;
use super::types::plural;
use crate::protocol::{Board, BoardCell, BoardRow, NodeId, Present, Tone};

/// How many of a leader's newest records its partition's row names.
const LAST_RECORDS: usize = 3;

/// The newest records of a partition's leader, by their text, oldest first: a record written
/// twice shows twice, and one a new leader lacks disappears.
fn last_records(leader: Option<(NodeId, &super::broker::Replica)>) -> BoardCell {
    let Some((l, r)) = leader else {
        return BoardCell { text: "—".into(), title: "no leader".into(), ..BoardCell::default() };
    };
    let log = &r.hard.log;
    let from = log.len().saturating_sub(LAST_RECORDS);
    if log.is_empty() {
        return BoardCell {
            text: "—".into(),
            title: "the leader's log is empty".into(),
            ..BoardCell::default()
        };
    }
    let text: Vec<&str> = log[from..].iter().map(|rec| rec.text.as_str()).collect();
    BoardCell {
        text: text.join(" "),
        title: format!(
            "the newest records in the leader's log (B{}), the last at offset {}",
            l.0 + 1,
            log.len().saturating_sub(1)
        ),
        ..BoardCell::default()
    }
}

pub fn boards(k: &Kafka, nodes: &[Node], up: &[bool]) -> Vec<Board> {
    let Some(Node::Controller(c)) = nodes.get(k.controller().index()) else { return Vec::new() };
    let broker = |b: usize| match nodes.get(b) {
        Some(Node::Broker(b)) => Some(b),
        _ => None,
    };
    // The high watermark of each partition, as its leader has it.
    let hw: Vec<Option<u64>> = c
        .partitions
        .iter()
        .enumerate()
        .map(|(p, s)| {
            let l = s.leader.filter(|l| up[l.index()])?;
            broker(l.index())?.replicas.get(p)?.as_ref().map(|r| r.hard.hw)
        })
        .collect();
    let mut columns: Vec<String> = (0..k.brokers)
        .map(|b| if up[b] { format!("B{}", b + 1) } else { format!("B{} (down)", b + 1) })
        .collect();
    columns.push("ISR".into());
    columns.push("epoch".into());
    columns.push("last records".into());
    let rows = c
        .partitions
        .iter()
        .enumerate()
        .map(|(p, s)| {
            let longest = (0..k.brokers)
                .filter_map(|b| broker(b)?.replicas.get(p)?.as_ref().map(leo))
                .max()
                .unwrap_or(0)
                .max(1);
            let mut cells: Vec<BoardCell> = (0..k.brokers)
                .map(|b| {
                    let Some(r) = broker(b).and_then(|x| x.replicas.get(p)).and_then(|r| r.as_ref()) else {
                        return BoardCell {
                            text: "—".into(),
                            title: "no replica here".into(),
                            ..BoardCell::default()
                        };
                    };
                    let id = NodeId(b as u32);
                    let (word, tone) = if !up[b] {
                        ("down", Tone::Dim)
                    } else if s.leader == Some(id) {
                        ("leader", Tone::Lead)
                    } else if s.isr.contains(&id) {
                        ("in sync", Tone::Good)
                    } else {
                        ("out of sync", Tone::Warn)
                    };
                    let star = if tone == Tone::Lead { "★ " } else { "" };
                    BoardCell {
                        text: format!("{star}{}", leo(r)),
                        title: format!(
                            "B{} · p{p}: {word}; log end offset {}, high watermark {}",
                            b + 1,
                            leo(r),
                            r.hard.hw
                        ),
                        tone,
                        bar: Some((leo(r), r.hard.hw, longest)),
                        hue: None,
                    }
                })
                .collect();
            // One word, as `kafka-topics --describe` writes `Isr: 1,2,3`: the column is sized to
            // its longest word, so the list stays on one line.
            let isr: Vec<String> = s.isr.iter().map(|b| format!("B{}", b.0 + 1)).collect();
            let short = (s.isr.len() as u32) < k.min_insync;
            cells.push(BoardCell {
                text: isr.join(","),
                title: if short {
                    format!(
                        "fewer in-sync replicas than min.insync.replicas = {}: acks=all is refused, and the high watermark waits",
                        k.min_insync
                    )
                } else {
                    "the in-sync replicas, as the controller has them".into()
                },
                tone: if short { Tone::Bad } else { Tone::Plain },
                ..BoardCell::default()
            });
            cells.push(BoardCell { text: format!("{}", s.leader_epoch), ..BoardCell::default() });
            cells.push(last_records(s.leader.filter(|l| up[l.index()]).and_then(|l| {
                Some((l, broker(l.index())?.replicas.get(p)?.as_ref()?))
            })));
            BoardRow { label: format!("p{p}"), cells }
        })
        .collect();
    let mut out = Vec::new();
    out.push(Board {
        title: format!(
            "my_topic: {} × {}",
            plural(c.partitions.len(), "partition"),
            plural(k.brokers, "broker")
        ),
        legend: "Each cell is one replica: ★ the leader, the number its log end offset; the bar is the log, \
                 the tick the high watermark (consumers read below it). Out-of-sync replicas are dashed. \
                 Last records: the newest in the leader's log."
            .into(),
        columns,
        rows,
    });
    if k.consumers > 0 {
        let g = &c.group;
        let consumer = |m: u32| match nodes.get(m as usize) {
            Some(Node::Consumer(x)) => Some(x),
            _ => None,
        };
        let state = match g.state {
            GroupState::Joining { .. } => ", joining",
            GroupState::Syncing => ", syncing",
            GroupState::Stable => "",
        };
        let rows = (0..c.partitions.len())
            .map(|p| {
                let owner = g.assignment.iter().find(|(_, ps)| ps.contains(&(p as u32))).map(|(m, _)| *m);
                let committed = g.committed.get(p).copied().unwrap_or(0);
                // The owner's reading position, if the owner is its consumer's current life.
                let current = owner.and_then(|o| consumer(o.consumer.0).filter(|x| x.member == o.member));
                let read = current.and_then(|x| x.position.get(p).copied());
                let lag = hw[p].map(|h| h.saturating_sub(committed));
                let cell = |text: String, tone: Tone| BoardCell { text, tone, ..BoardCell::default() };
                BoardRow {
                    label: format!("p{p}"),
                    cells: [
                        match owner {
                            Some(o) if current.is_some() => cell(k.node_name(o.consumer), Tone::Good),
                            // A life its consumer has left (it restarted): the group counts it
                            // until its session runs out.
                            Some(o) => cell(format!("{} (old life)", k.node_name(o.consumer)), Tone::Warn),
                            None => cell("nobody".into(), Tone::Warn),
                        },
                        cell(read.map(|r| format!("{r}")).unwrap_or_else(|| "—".into()), Tone::Plain),
                        cell(format!("{committed}"), Tone::Plain),
                        cell(hw[p].map(|h| format!("{h}")).unwrap_or_else(|| "offline".into()), Tone::Plain),
                        match lag {
                            Some(l) if l > 8 => cell(format!("{l}"), Tone::Warn),
                            Some(l) => cell(format!("{l}"), Tone::Plain),
                            None => cell("—".into(), Tone::Dim),
                        },
                    ]
                    .into(),
                }
            })
            .collect();
        out.push(Board {
            title: format!("consumer group ({}, generation {}{state})", k.strategy.name(), g.generation),
            legend: "Who consumes each partition, the next offset they will read, the offset committed to \
                     the coordinator, the high watermark (HW), and the lag (HW − committed)."
                .into(),
            columns: ["owner", "next read", "committed", "HW", "lag"].map(String::from).into(),
            rows,
        });
    }
    out.push(growth_board(c.partitions.len() as u32));
    out
}

/// Keys that change partition if the topic grows by one: Kafka's `murmur2 mod P` next to a
/// hash ring and jump hash on the same keys (1,000 keys `k0`…`k999`), with a sentence built
/// from these numbers (a fixed one was false at 1 → 2, where `mod` moves 46% and jump hash 51%).
fn growth_board(p: u32) -> Board {
    use crate::hashing::{hash_key, measure, Algo, Params};
    let owned: Vec<String> = (0..1000).map(|i| format!("k{i}")).collect();
    let keys: Vec<&[u8]> = owned.iter().map(|k| k.as_bytes()).collect();
    let hashes: Vec<u64> = keys.iter().map(|k| hash_key(k)).collect();
    let params = Params::default();
    let percent = |f: f64| libm::round(f * 100.0) as u64;
    let row = |label: &str, f: f64, tone: Tone| BoardRow {
        label: label.into(),
        cells: [BoardCell {
            text: format!("{}%", percent(f)),
            tone,
            bar: Some(((f * 1000.0) as u64, 0, 1000)),
            ..BoardCell::default()
        }]
        .into(),
    };
    let moved = super::partitioner::moved_keys(&keys, p, p + 1);
    let ideal = 1.0 / (p as f64 + 1.0);
    let (legend, worse) = growth_legend(p, percent(moved), percent(ideal));
    Board {
        title: format!("adding a partition ({p} → {}): keys that change partition", p + 1),
        legend,
        columns: [String::from("of 1,000 keys")].into(),
        rows: [
            row("Kafka: murmur2 mod P", moved, if worse { Tone::Bad } else { Tone::Plain }),
            row(
                "hash ring (100 vnodes)",
                measure(Algo::Ring, p as usize, &hashes, &params).moved_fraction_add,
                Tone::Good,
            ),
            row(
                "jump hash",
                measure(Algo::Jump, p as usize, &hashes, &params).moved_fraction_add,
                Tone::Good,
            ),
            row("ideal: 1/(P+1)", ideal, Tone::Plain),
        ]
        .into(),
    }
}

/// What the growth table shows, in a sentence true of its numbers (whole percentages of keys
/// moved by `mod P` and the new partition's share), and whether `mod` moves clearly more than
/// that share (a quarter more or worse), which colours its row.
fn growth_legend(p: u32, modulo: u64, ideal: u64) -> (String, bool) {
    let moved = if modulo > 50 { format!("most keys ({modulo}%)") } else { format!("{modulo}% of the keys") };
    let worse = modulo * 4 >= ideal * 5;
    let verdict = if worse {
        format!(
            "more than it must: the new partition's share is 1/(P+1) = {ideal}%, about what consistent \
             hashing moves"
        )
    } else {
        format!(
            "about the new partition's share, 1/(P+1) = {ideal}%, which every scheme must move; the gap to \
             consistent hashing opens as the topic grows"
        )
    };
    let legend = format!(
        "Kafka places keys by murmur2(key) mod partitions: growing the topic from {p} to {} moves {moved} \
         to another partition, breaking their order. That is {verdict}.",
        p + 1
    );
    (legend, worse)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kafka::cluster::MAX_PARTITIONS;

    /// The growth table's sentence is true of the numbers beside it, at every size the topic can
    /// grow from: it says "most keys" only where more than half move, quotes the table's own
    /// percentages, and calls `mod P` worse than consistent hashing (in words and in the row's
    /// colour) only where it moves clearly more than the new partition's share (from one
    /// partition, every scheme must move about half: 1 → 2 moves 46% under `mod`, 51% under jump
    /// hash).
    #[test]
    fn the_growth_legend_says_what_its_numbers_show() {
        for p in 1..MAX_PARTITIONS {
            let b = growth_board(p);
            let pct: Vec<u64> =
                b.rows.iter().map(|r| r.cells[0].text.trim_end_matches('%').parse().unwrap()).collect();
            let (modulo, ideal) = (pct[0], pct[3]);
            let legend = &b.legend;
            assert_eq!(legend.contains("most keys"), modulo > 50, "{p} → {}: {legend} ({pct:?})", p + 1);
            assert!(legend.contains(&format!("{modulo}%")), "{p}: {legend} ({pct:?})");
            assert!(legend.contains(&format!("{ideal}%")), "{p}: {legend} ({pct:?})");
            let worse = modulo * 4 >= ideal * 5;
            assert_eq!(legend.contains("more than it must"), worse, "{p}: {legend} ({pct:?})");
            assert_eq!(b.rows[0].cells[0].tone == Tone::Bad, worse, "{p}: the row's colour ({pct:?})");
        }
    }
}
