//! How the page presents SWIM (its `Present` impl): a member's incarnation, what it believes
//! of the others, whom it is probing and suspecting; and a board of who believes what.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use crate::protocol::{About, Board, BoardCell, BoardRow, NodeId, NodeView, Opinions, Present, Tone};

use super::node::Note;
use super::types::*;

/// Up to this many members, the board shows every member's belief about every other.
const MATRIX: usize = 12;
/// Beyond it, the board lists at most this many members someone doubts.
const DOUBTED_ROWS: usize = 24;

fn names(ids: impl Iterator<Item = NodeId>) -> String {
    let v: Vec<String> = ids.map(|i| format!("{i}")).collect();
    v.join(", ")
}

fn member_view(sw: &Swim, n: &Node) -> NodeView {
    let (alive, suspect, dead) = n.counts(sw.members);
    let mut fields: Vec<(String, String)> = alloc::vec![
        ("incarnation".into(), format!("#{}", n.hard.inc)),
        ("believes".into(), format!("{alive} alive · {suspect} suspect · {dead} dead")),
    ];
    let mut summary = alloc::vec![format!("#{} · {alive} alive", n.hard.inc)];
    let suspects: Vec<NodeId> =
        n.view.iter().filter(|e| e.1.status == Status::Suspect).map(|e| e.0).collect();
    let dead_ones: Vec<NodeId> = n.view.iter().filter(|e| e.1.status == Status::Dead).map(|e| e.0).collect();
    if !suspects.is_empty() {
        fields.push(("suspects".into(), names(suspects.iter().copied())));
        summary.push(format!("suspects {}", names(suspects.iter().copied().take(3))));
    }
    if !dead_ones.is_empty() {
        fields.push(("believes dead".into(), names(dead_ones.iter().copied())));
        summary.push(format!("dead: {}", names(dead_ones.iter().copied().take(3))));
    }
    if let Some(p) = n.probe {
        let state = if p.acked { "answered" } else { "waiting" };
        fields.push(("probing".into(), format!("{} ({state})", p.target)));
    }
    if sw.detector == Detector::Swim {
        fields.push(("to gossip".into(), format!("{} updates", n.queue.len())));
    }
    let badge = format!("#{}", n.hard.inc);
    NodeView {
        role: "member".into(),
        badge,
        fields,
        summary,
        hue_key: None,
        accepts: None,
        actions: Vec::new(),
    }
}

fn cell(e: Entry) -> BoardCell {
    let (mark, tone) = match e.status {
        Status::Alive => ("✓", Tone::Good),
        Status::Suspect => ("?", Tone::Warn),
        Status::Dead => ("✗", Tone::Bad),
    };
    BoardCell {
        text: format!("{mark}{}", e.inc),
        title: format!("{} at incarnation {}", e.status.word(), e.inc),
        tone,
        ..BoardCell::default()
    }
}

fn boards(nodes: &[Node], up: &[bool]) -> Vec<Board> {
    if nodes.len() <= MATRIX {
        let columns = (0..nodes.len()).map(|i| format!("{}", NodeId(i as u32))).collect();
        let rows = nodes
            .iter()
            .enumerate()
            .map(|(i, n)| BoardRow {
                label: format!("{}", NodeId(i as u32)),
                cells: (0..nodes.len())
                    .map(|j| match (i == j, up[i]) {
                        (_, false) => {
                            BoardCell { text: "down".into(), tone: Tone::Dim, ..BoardCell::default() }
                        }
                        (true, _) => BoardCell {
                            text: format!("#{}", n.hard.inc),
                            title: "its own incarnation".into(),
                            tone: Tone::Lead,
                            ..BoardCell::default()
                        },
                        (false, _) => cell(n.entry(NodeId(j as u32))),
                    })
                    .collect(),
            })
            .collect();
        return alloc::vec![Board {
            title: "Who believes what".into(),
            legend: "row: the member; column: the member it believes alive (✓), suspect (?) or dead (✗), at that incarnation".into(),
            columns,
            rows,
        }];
    }
    // A crowd: the members someone doubts, and how many believe each status.
    let mut doubted: Vec<(usize, usize, usize)> = alloc::vec![(0, 0, 0); nodes.len()];
    for (i, n) in nodes.iter().enumerate().filter(|(i, _)| up[*i]) {
        let _ = i;
        for (who, e) in &n.view {
            let d = &mut doubted[who.index()];
            match e.status {
                Status::Suspect => d.1 += 1,
                Status::Dead => d.2 += 1,
                Status::Alive => {}
            }
        }
    }
    let live = up.iter().filter(|u| **u).count();
    let rows = doubted
        .iter()
        .enumerate()
        .filter(|(_, d)| d.1 + d.2 > 0)
        .take(DOUBTED_ROWS)
        .map(|(i, d)| {
            let believers = live.saturating_sub(d.1 + d.2 + up[i] as usize);
            BoardRow {
                label: format!("{}{}", NodeId(i as u32), if up[i] { "" } else { " (down)" }),
                cells: alloc::vec![
                    BoardCell { text: format!("{believers}"), tone: Tone::Good, ..BoardCell::default() },
                    BoardCell { text: format!("{}", d.1), tone: Tone::Warn, ..BoardCell::default() },
                    BoardCell { text: format!("{}", d.2), tone: Tone::Bad, ..BoardCell::default() },
                ],
            }
        })
        .collect();
    alloc::vec![Board {
        title: "Members in doubt".into(),
        legend: format!("how many live members believe each doubted member alive, suspect or dead (at most {DOUBTED_ROWS} rows)"),
        columns: alloc::vec!["alive".into(), "suspect".into(), "dead".into()],
        rows,
    }]
}

/// What every member believes of `about`, or of the member the most live members doubt (ties:
/// the lowest), or else of the first member that is down (nobody has noticed yet).
fn opinions(nodes: &[Node], up: &[bool], about: Option<NodeId>) -> Opinions {
    let about = about.or_else(|| {
        let mut doubts: Vec<u32> = alloc::vec![0; nodes.len()];
        for n in nodes.iter().zip(up).filter(|(_, u)| **u).map(|(n, _)| n) {
            for (who, e) in &n.view {
                if e.status != Status::Alive {
                    doubts[who.index()] += 1;
                }
            }
        }
        let most = doubts.iter().enumerate().max_by_key(|(i, d)| (**d, core::cmp::Reverse(*i)));
        match most {
            Some((i, d)) if *d > 0 => Some(NodeId(i as u32)),
            _ => up.iter().position(|u| !u).map(|i| NodeId(i as u32)),
        }
    });
    let of = match about {
        None => Vec::new(),
        Some(a) => nodes
            .iter()
            .zip(up)
            .map(|(n, u)| match (n.me == a, *u) {
                (_, false) => Tone::Dim,
                (true, _) => Tone::Lead,
                (false, _) => match n.entry(a).status {
                    Status::Alive => Tone::Good,
                    Status::Suspect => Tone::Warn,
                    Status::Dead => Tone::Bad,
                },
            })
            .collect(),
    };
    Opinions { about, of, marks: nodes.iter().map(|n| n.hard.inc as u64).collect() }
}

impl Present for Swim {
    fn about(&self) -> About {
        About {
            title: "SWIM gossip",
            tagline: "Every member pings one other each period, asks others when a ping goes unanswered, suspects before it declares, and gossips the news on its pings. Crash a member and watch the news spread.",
            persistence: "Persistent across a crash: the member's incarnation number. Lost: its beliefs about the others, its suspicions and its gossip.",
        }
    }

    fn view(&self, n: &Node) -> NodeView {
        member_view(self, n)
    }

    fn opinions(&self, nodes: &[Node], up: &[bool], about: Option<NodeId>) -> Option<Opinions> {
        Some(opinions(nodes, up, about))
    }

    /// Down, a member holds only its incarnation (the one it had: a restart rejoins one above).
    fn down_view(&self, restarted: &Node) -> NodeView {
        let kept = if self.is(Mutant::ForgetIncarnation) { 0 } else { restarted.hard.inc.saturating_sub(1) };
        NodeView {
            role: "member".into(),
            badge: "down".into(),
            fields: alloc::vec![("incarnation".into(), format!("#{kept}"))],
            summary: alloc::vec!["down".into(), format!("keeps #{kept}")],
            ..NodeView::default()
        }
    }

    fn boards(&self, nodes: &[Node], up: &[bool]) -> Vec<Board> {
        boards(nodes, up)
    }

    fn narration(&self) -> Vec<crate::lesson::Step> {
        self.narration.clone()
    }

    fn timer_label(t: &Timer) -> &'static str {
        match t {
            Timer::Tick => "protocol period",
            Timer::AckTimeout(_) => "ack timeout",
            Timer::Suspicion(_) => "suspicion timeout",
        }
    }

    fn client_summary(op: &NoRequest) -> String {
        match *op {}
    }

    fn note_summary(n: &Note) -> String {
        match n {
            Note::Suspected { by, about, inc } => {
                format!("{by}'s probe of {about} failed: {by} suspects it (#{inc})")
            }
            Note::Declared { by, about, inc } => format!("{by} declares {about} dead (#{inc})"),
            Note::Refuted { by, inc } => format!("{by} refutes the suspicion: alive at #{inc}"),
        }
    }
}
