//! The cluster drawn as SVG: nodes on a circle, links, partitions, and messages in flight,
//! each placed by interpolating between its send and delivery times.

use distlab_core::lab::{FlightSnap, NodeSnap, Snapshot};
use yew::prelude::*;

use crate::state::Selection;

/// The drawing's geometry for a cluster of `n` nodes: view width and height, the ring's centre
/// and radius, and the node radius. Large clusters get a larger canvas, so each node's state
/// can sit outside the ring without touching its neighbours'.
#[derive(Clone, Copy)]
struct Layout {
    w: f64,
    h: f64,
    cx: f64,
    cy: f64,
    ring: f64,
    node: f64,
    radial_cards: bool,
}

fn layout(n: usize) -> Layout {
    match n {
        0..=3 => {
            Layout { w: 800.0, h: 560.0, cx: 400.0, cy: 290.0, ring: 160.0, node: 52.0, radial_cards: false }
        }
        4..=5 => {
            Layout { w: 800.0, h: 580.0, cx: 400.0, cy: 295.0, ring: 200.0, node: 48.0, radial_cards: false }
        }
        _ => Layout { w: 920.0, h: 720.0, cx: 460.0, cy: 360.0, ring: 240.0, node: 36.0, radial_cards: true },
    }
}

#[derive(Properties, PartialEq)]
pub struct TopologyProps {
    pub snap: std::rc::Rc<Snapshot>,
    pub display_us: f64,
    pub selection: Option<Selection>,
    pub side_b: Vec<u32>,
    pub on_select: Callback<Option<Selection>>,
    /// Drop a message in flight (double-click).
    pub on_drop: Callback<distlab_core::protocol::MsgId>,
}

/// Position of node `i` of `n` on the circle.
pub fn node_pos(i: usize, n: usize) -> (f64, f64) {
    let l = layout(n);
    let a = node_angle(i, n);
    (l.cx + l.ring * crate::trig::cos(a), l.cy + l.ring * crate::trig::sin(a))
}

/// Nodes that only talk to servers (clients, producers, consumers): no links among them.
fn is_client(role: &str) -> bool {
    matches!(role, "client" | "producer" | "consumer")
}

/// Where each node is drawn. Kafka's nodes stand in columns, as data flows: producers, then
/// brokers (the controller above them), then consumers. Every other cluster is a circle.
fn geometry(snap: &Snapshot) -> (Layout, Vec<(f64, f64)>) {
    let n = snap.nodes.len();
    if snap.protocol != "kafka" {
        return (layout(n), (0..n).map(|i| node_pos(i, n)).collect());
    }
    let column = |role: &str| -> Vec<usize> {
        snap.nodes.iter().filter(|x| x.view.role == role).map(|x| x.id.index()).collect()
    };
    let columns = [(130.0, column("producer")), (460.0, column("broker")), (790.0, column("consumer"))];
    let tallest = columns.iter().map(|c| c.1.len()).max().unwrap_or(1).max(1);
    let h = (170.0 + 110.0 * tallest as f64).max(520.0);
    let l = Layout { w: 920.0, h, cx: 460.0, cy: h / 2.0, ring: 0.0, node: 34.0, radial_cards: false };
    let mut pos = vec![(460.0, 70.0); n];
    for (x, ids) in &columns {
        let step = (h - 170.0) / ids.len().max(1) as f64;
        for (k, id) in ids.iter().enumerate() {
            pos[*id] = (*x, 160.0 + step * (k as f64 + 0.5));
        }
    }
    (l, pos)
}

fn node_angle(i: usize, n: usize) -> f64 {
    -std::f64::consts::FRAC_PI_2 + (i as f64) * std::f64::consts::TAU / n.max(1) as f64
}

/// A colour-blind-safe hue for a ballot or term (Okabe–Ito palette).
pub fn hue(key: Option<u64>) -> &'static str {
    const PALETTE: [&str; 7] = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#6B4C9A"];
    match key {
        None => "#8a94a6",
        Some(k) => PALETTE[(k as usize) % PALETTE.len()],
    }
}

/// Colour and one-letter glyph of a message type, so colour is never the only cue.
pub fn message_style(kind: &str) -> (&'static str, &'static str) {
    match kind {
        "Prepare" => ("#0072B2", "1a"),
        "Promise" => ("#56B4E9", "1b"),
        "Accept" => ("#D55E00", "2a"),
        "Accepted" => ("#E69F00", "2b"),
        "Nack" => ("#CC79A7", "✗"),
        "RequestVote" => ("#0072B2", "RV"),
        "Vote" => ("#56B4E9", "V"),
        "PreVote" => ("#CC79A7", "PV"),
        "PreVoteReply" => ("#CC79A7", "pv"),
        "AppendEntries" => ("#D55E00", "AE"),
        "Heartbeat" => ("#8a94a6", "HB"),
        "AppendReply" => ("#E69F00", "ok"),
        "InstallSnapshot" => ("#7a3fb5", "IS"),
        "SnapshotReply" => ("#a47ad6", "is"),
        "TimeoutNow" => ("#b5003c", "TN"),
        "ClientRequest" => ("#009E73", "Rq"),
        "ClientReply" => ("#2fbf71", "Rp"),
        "Chosen" => ("#009E73", "✓"),
        "CatchUp" => ("#a47ad6", "CU"),
        "Produce" => ("#8a94a6", "P"),
        "ProduceResponse" => ("#2fbf71", "ack"),
        "Fetch" => ("#D55E00", "F"),
        "FetchResponse" => ("#E69F00", "f"),
        "LeaderAndIsr" => ("#0072B2", "LI"),
        "AlterPartition" => ("#56B4E9", "AP"),
        "BrokerHeartbeat" => ("#8a94a6", "HB"),
        "Metadata" | "MetadataResponse" => ("#a47ad6", "M"),
        "JoinGroup" | "JoinGroupResponse" => ("#CC79A7", "J"),
        "SyncGroup" | "SyncGroupResponse" => ("#b5003c", "S"),
        "LeaveGroup" => ("#b5003c", "L"),
        "RebalanceInProgress" => ("#CC79A7", "R"),
        "OffsetCommit" => ("#009E73", "OC"),
        "ConsumerFetch" => ("#7a3fb5", "CF"),
        "ConsumerFetchResponse" => ("#a47ad6", "cf"),
        _ => ("#666", "?"),
    }
}

fn flight_pos(f: &FlightSnap, l: &Layout, pos: &[(f64, f64)], now_us: f64, steps: bool) -> (f64, f64, f64) {
    let r = l.node;
    let span = (f.arrive_at.0.saturating_sub(f.sent_at.0)).max(1) as f64;
    let t = ((now_us - f.sent_at.0 as f64) / span).clamp(0.0, 1.0);
    // Reduced motion: a message does not glide; it stands at the sender, then half way.
    let t = if steps {
        if t < 0.5 {
            0.0
        } else {
            0.5
        }
    } else {
        t
    };
    let (x1, y1) = pos[f.from.index()];
    let (x2, y2) = pos[f.to.index()];
    if f.from == f.to {
        // A message to itself loops out and back beside the node.
        let (dx, dy) = (x1 - l.cx, y1 - l.cy);
        let len = (dx * dx + dy * dy).sqrt().max(1.0);
        let bump = r + 6.0 + crate::trig::sin(t * std::f64::consts::PI) * 60.0;
        let side = (t - 0.5) * 40.0;
        let (ux, uy) = (dx / len, dy / len);
        return (x1 + ux * bump - uy * side, y1 + uy * bump + ux * side, t);
    }
    // Travel from rim to rim, so a message is never hidden under a node.
    let (dx, dy) = (x2 - x1, y2 - y1);
    let len = (dx * dx + dy * dy).sqrt().max(1.0);
    let (ux, uy) = (dx / len, dy / len);
    let travel = (len - 2.0 * r).max(0.0);
    let d = r + travel * t;
    (x1 + ux * d, y1 + uy * d, t)
}

#[function_component(Topology)]
pub fn topology(props: &TopologyProps) -> Html {
    let snap = &props.snap;
    let n = snap.nodes.len();
    let (l, pos) = geometry(snap);
    let steps = *use_memo((), |_| {
        web_sys::window()
            .and_then(|w| w.match_media("(prefers-reduced-motion: reduce)").ok().flatten())
            .is_some_and(|m| m.matches())
    });
    let name = |i: usize| &snap.nodes[i].name;
    let mut links = Vec::new();
    for a in 0..n {
        for b in (a + 1)..n {
            if is_client(&snap.nodes[a].view.role) && is_client(&snap.nodes[b].view.role) {
                continue;
            }
            let (x1, y1) = pos[a];
            let (x2, y2) = pos[b];
            let ab_cut = snap.groups[a] != snap.groups[b]
                || snap.cuts.iter().any(|(x, y)| x.index() == a && y.index() == b);
            let ba_cut = snap.groups[a] != snap.groups[b]
                || snap.cuts.iter().any(|(x, y)| x.index() == b && y.index() == a);
            let class = match (ab_cut, ba_cut) {
                (false, false) => "link",
                (true, true) => "link cut",
                _ => "link oneway",
            };
            let (na, nb) = (name(a), name(b));
            let title = match (ab_cut, ba_cut) {
                (false, false) => format!("{na} ↔ {nb}: up"),
                (true, true) => format!("{na} ↔ {nb}: cut both ways"),
                (true, false) => format!("{na} → {nb} cut; {nb} → {na} up"),
                (false, true) => format!("{nb} → {na} cut; {na} → {nb} up"),
            };
            links.push(html! {
                <line class={class} x1={x1.to_string()} y1={y1.to_string()} x2={x2.to_string()} y2={y2.to_string()}>
                    <title>{title}</title>
                </line>
            });
        }
    }
    let partitioned = snap.groups.iter().any(|g| *g != snap.groups[0]);
    let nodes = snap.nodes.iter().map(|node| {
        let sel = props.selection == Some(Selection::Node(node.id.0));
        render_node(
            node,
            &l,
            pos[node.id.index()],
            (node.id.index(), n),
            sel,
            partitioned.then(|| snap.groups[node.id.index()]),
            props.side_b.contains(&node.id.0),
            props.display_us,
            &props.on_select,
        )
    });
    let flights = snap.flights.iter().map(|f| {
        let (x, y, _) = flight_pos(f, &l, &pos, props.display_us, steps);
        let (kind_color, glyph) = message_style(f.kind);
        // A record's key colours it (Kafka), so the same key is seen landing on one partition.
        let color = if f.hue.is_some() { hue(f.hue) } else { kind_color };
        let sel = props.selection == Some(Selection::Message(f.id.0));
        let id = f.id.0;
        let onclick = props.on_select.reform(move |e: MouseEvent| {
            e.stop_propagation();
            Some(Selection::Message(id))
        });
        let ondblclick = props.on_drop.reform(move |e: MouseEvent| {
            e.stop_propagation();
            distlab_core::protocol::MsgId(id)
        });
        // Keyboard: Enter inspects the message (and pauses), Delete drops it.
        let onkeydown = {
            let (select, drop) = (props.on_select.clone(), props.on_drop.clone());
            Callback::from(move |e: KeyboardEvent| match e.key().as_str() {
                "Enter" | " " => {
                    e.prevent_default();
                    e.stop_propagation();
                    select.emit(Some(Selection::Message(id)));
                }
                "Delete" | "Backspace" => {
                    e.prevent_default();
                    e.stop_propagation();
                    drop.emit(distlab_core::protocol::MsgId(id));
                }
                _ => {}
            })
        };
        let label = format!("{} {} → {} {} (#{}). Click or Enter to inspect; double-click or Delete to drop.", f.kind, f.from_name, f.to_name, f.summary, f.id.0);
        html! {
            <g class={classes!("msg", sel.then_some("selected"))} transform={format!("translate({x:.1},{y:.1})")}
               onclick={onclick} ondblclick={ondblclick} onkeydown={onkeydown} role="button" tabindex="0" aria-label={label.clone()} data-kind={f.kind}>
                <title>{label}</title>
                <circle r="13" fill={color} />
                <text class="glyph" dy="4">{glyph}</text>
            </g>
        }
    });
    let on_bg = props.on_select.reform(|_: MouseEvent| None);
    html! {
        <svg class="topology" viewBox={format!("0 0 {} {}", l.w, l.h)} role="img"
             aria-label={format!("Cluster of {n} nodes with {} messages in flight", snap.flights.len())}
             onclick={on_bg}>
            <g class="links">{ for links }</g>
            <g class="nodes">{ for nodes }</g>
            <g class="flights">{ for flights }</g>
        </svg>
    }
}

#[allow(clippy::too_many_arguments)]
fn render_node(
    node: &NodeSnap,
    l: &Layout,
    (x, y): (f64, f64),
    (index, n): (usize, usize),
    selected: bool,
    group: Option<u8>,
    planned_side_b: bool,
    now_us: f64,
    on_select: &Callback<Option<Selection>>,
) -> Html {
    let r = l.node;
    let id = node.id.0;
    let onclick = on_select.reform(move |e: MouseEvent| {
        e.stop_propagation();
        Some(Selection::Node(id))
    });
    // Keyboard: Enter or Space on a focused node selects it, as a click does.
    let onkeydown = {
        let select = on_select.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" || e.key() == " " {
                e.prevent_default();
                e.stop_propagation();
                select.emit(Some(Selection::Node(id)));
            }
        })
    };
    let fill = if node.up { hue(node.view.hue_key) } else { "#3a3f4b" };
    // The first armed timer is drawn as a ring that empties as it runs down.
    let timer_ring = node.timers.first().map(|(label, set, fires)| {
        let span = (fires.0.saturating_sub(set.0)).max(1) as f64;
        let left = (1.0 - (now_us - set.0 as f64) / span).clamp(0.0, 1.0);
        let rr = r + 7.0;
        let circ = std::f64::consts::TAU * rr;
        html! {
            <circle class="timer" r={rr.to_string()} stroke-dasharray={format!("{:.1} {:.1}", circ * left, circ)}
                    transform="rotate(-90)">
                <title>{format!("{label} timer: {:.1} ms left", left * span / 1000.0)}</title>
            </circle>
        }
    });
    // The node's state, beside it: outward from the centre of the circle.
    // Small clusters: to the left or right. Large ones: radially outward, so neighbouring
    // cards never meet.
    let lines = node.view.summary.len() as f64;
    let (line_h, a) = (if l.radial_cards { 14.0 } else { 17.0 }, node_angle(index, n));
    let (anchor, cx, top) = if l.radial_cards {
        let (ux, uy) = (crate::trig::cos(a), crate::trig::sin(a));
        let (ax, ay) = ((r + 10.0) * ux, (r + 10.0) * uy);
        let anchor = if ux > 0.3 {
            "start"
        } else if ux < -0.3 {
            "end"
        } else {
            "middle"
        };
        let top = if uy < -0.5 {
            ay - lines * line_h + 8.0
        } else if uy > 0.5 {
            ay + line_h
        } else {
            ay - (lines - 1.0) / 2.0 * line_h + 5.0
        };
        (anchor, ax, top)
    } else {
        let right = x >= l.cx - 1.0;
        let cx = if right { r + 12.0 } else { -r - 12.0 };
        (if right { "start" } else { "end" }, cx, -(lines - 1.0) / 2.0 * line_h + 5.0)
    };
    let card_class = classes!("card", anchor, l.radial_cards.then_some("small"));
    let card = node.view.summary.iter().enumerate().map(|(i, line)| {
        let y = top + i as f64 * line_h;
        html! { <text class={card_class.clone()} x={format!("{cx:.1}")} y={format!("{y:.1}")}>{line}</text> }
    });
    // The partition side, on the inner side of the node (towards the ring's centre), where no
    // state card is drawn.
    let side_y = if y < l.cy { r + 18.0 } else { -r - 10.0 };
    let side = group.map(|g| html! { <text class="side" y={side_y.to_string()}>{format!("side {}", (b'A' + g) as char)}</text> });
    let state = if node.up { "up" } else { "down" };
    let label = format!(
        "{}, {}, {}. {}",
        node.name,
        node.view.role,
        state,
        node.view.fields.iter().map(|(k, v)| format!("{k}: {v}")).collect::<Vec<_>>().join("; ")
    );
    html! {
        <g class={classes!("node", (!node.up).then_some("down"), selected.then_some("selected"), planned_side_b.then_some("planned"))}
           transform={format!("translate({x:.1},{y:.1})")} onclick={onclick} onkeydown={onkeydown} role="button" tabindex="0"
           aria-label={label.clone()} data-node={id.to_string()}>
            <title>{label}</title>
            { for timer_ring }
            <circle class="body" r={r.to_string()} fill={fill} />
            <text class={classes!("name", (node.name.len() > 4).then_some("long"))} dy="-8">{&node.name}</text>
            <text class="badge" dy="14">{ if node.up { node.view.badge.clone() } else { "crashed".to_string() } }</text>
            { for side }
            <g class="cards">{ for card }</g>
        </g>
    }
}
