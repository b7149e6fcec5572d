//! Where the cluster's nodes and messages are drawn: the layout for a cluster's size and the
//! drawing's width (a circle, a narrow circle, a crowd, or Kafka's columns), and a message's
//! place between its send and its delivery. Geometry only: nothing here draws.

use distlab_core::lab::{FlightSnap, Snapshot};

use crate::num::Fixed;

/// The drawing's geometry for a cluster of `n` nodes: view width and height, the ring's centre
/// and radius, and the node radius. Large clusters get a larger canvas, so each node's state
/// can sit outside the ring without touching its neighbours'.
#[derive(Clone, Copy)]
pub struct Layout {
    pub w: f64,
    pub h: f64,
    pub cx: f64,
    pub cy: f64,
    pub ring: f64,
    pub node: f64,
    pub radial_cards: bool,
    /// A narrow screen (a phone): a tighter drawing with no state cards beside the nodes, so
    /// what is drawn stays large enough to read and tap; tapping a node shows its state.
    pub narrow: bool,
    /// Too many nodes for state cards, per-pair links or glyphs on messages: each node is a
    /// dot with its name, its state is in the inspector, and only cut links would matter.
    pub crowd: bool,
    /// Too many nodes for one SVG element each (past [`MASS`]): they fill a disc, painted on
    /// the canvas with the messages (see [`super::crowd`]).
    pub mass: bool,
    /// A row of nodes joined by links along it (a boxes drawing's servers, at this height):
    /// their cards go under the links, where the messages that travel them do not cover them.
    pub cards_under_row: Option<f64>,
}

/// More nodes than this are drawn as a crowd (see [`Layout::crowd`]).
pub const CROWD: usize = 24;

/// More nodes than this are painted on a canvas, not drawn as SVG elements (see
/// [`Layout::mass`]): a thousand nodes' elements cost the browser more than a frame to style.
pub const MASS: usize = 200;

/// A drawing narrower than this many CSS pixels uses the narrow layout ([`Layout::narrow`]).
pub const NARROW_PX: f64 = 560.0;

pub fn layout(n: usize, narrow: bool) -> Layout {
    let base = Layout {
        w: 800.0,
        h: 560.0,
        cx: 400.0,
        cy: 290.0,
        ring: 160.0,
        node: 52.0,
        radial_cards: false,
        narrow: false,
        crowd: false,
        mass: false,
        cards_under_row: None,
    };
    match n {
        // Without cards, the circle fills the drawing: a third of the width it had.
        0..=CROWD if narrow => {
            let ring = if n <= 5 { 140.0 } else { 160.0 };
            Layout {
                w: 420.0,
                h: 420.0,
                cx: 210.0,
                cy: 210.0,
                ring,
                node: (std::f64::consts::PI * ring / n.max(1) as f64 - 4.0).min(46.0),
                radial_cards: false,
                narrow: true,
                ..base
            }
        }
        0..=3 => base,
        4..=5 => Layout { h: 580.0, cy: 295.0, ring: 200.0, node: 48.0, ..base },
        // Room at the sides for a card of about 23 characters at its normal size ("watches
        // n-0000000001") beside the leftmost and rightmost nodes.
        6..=CROWD => Layout {
            w: 1000.0,
            h: 740.0,
            cx: 500.0,
            cy: 372.0,
            ring: 240.0,
            node: (std::f64::consts::PI * 240.0 / n as f64 - 4.0).min(36.0),
            radial_cards: true,
            ..base
        },
        _ => {
            let (ring, node, mass) = if n > MASS {
                // A disc of the ring's radius, each node given an equal share of its area.
                let ring = 440.0;
                (ring, (ring * (std::f64::consts::PI / n as f64).sqrt() / 2.0 - 1.5).clamp(3.0, 12.0), true)
            } else {
                // Neighbours on the ring stay a few units apart: the node radius shrinks with n.
                let ring = 430.0;
                (ring, (std::f64::consts::PI * ring / n as f64 - 3.0).clamp(6.0, 24.0), false)
            };
            Layout {
                w: 1000.0,
                h: 1000.0,
                cx: 500.0,
                cy: 500.0,
                ring,
                node,
                radial_cards: false,
                narrow: false,
                crowd: true,
                mass,
                ..base
            }
        }
    }
}

/// Position of node `i` of `n` on the circle of layout `l`, or in its disc (a mass: the
/// sunflower's spiral, node 0 at the centre, each at the golden angle from the one before).
pub fn node_pos(l: &Layout, i: usize, n: usize) -> (f64, f64) {
    if l.mass {
        const GOLDEN: f64 = 2.399_963_229_728_653;
        let r = l.ring * ((i as f64 + 0.5) / n.max(1) as f64).sqrt();
        let a = i as f64 * GOLDEN;
        return (l.cx + r * crate::trig::cos(a), l.cy + r * crate::trig::sin(a));
    }
    let a = node_angle(i, n);
    (l.cx + l.ring * crate::trig::cos(a), l.cy + l.ring * crate::trig::sin(a))
}

/// Nodes that only talk to servers (clients, producers, consumers): no links among them.
pub fn is_client(role: &str) -> bool {
    matches!(role, "client" | "producer" | "consumer")
}

/// Where each node is drawn: on a circle, or in the three columns of the protocol's roles as
/// data flows (Kafka: producers, brokers, consumers), other roles above the middle column (the
/// controller above the brokers).
pub fn geometry(snap: &Snapshot, narrow: bool) -> (Layout, Vec<(f64, f64)>) {
    let n = snap.nodes.len();
    let roles = match snap.page.drawing {
        distlab_core::registry::Drawing::Columns(roles) => roles,
        distlab_core::registry::Drawing::Boxes => return boxes(snap, narrow),
        distlab_core::registry::Drawing::Circle => {
            let l = layout(n, narrow);
            return (l, (0..n).map(|i| node_pos(&l, i, n)).collect());
        }
    };
    let column = |role: &str| -> Vec<usize> {
        snap.nodes.iter().filter(|x| x.view.role == role).map(|x| x.id.index()).collect()
    };
    // Narrow: the columns close up and the cards go (tap a node for its state).
    let (w, xs) = if narrow { (420.0, [70.0, 210.0, 350.0]) } else { (920.0, [120.0, 430.0, 740.0]) };
    let columns = [(xs[0], column(roles[0])), (xs[1], column(roles[1])), (xs[2], column(roles[2]))];
    let tallest = columns.iter().map(|c| c.1.len()).max().unwrap_or(1).max(1);
    let h = (170.0 + 110.0 * tallest as f64).max(if narrow { 340.0 } else { 520.0 });
    let l = Layout {
        w,
        h,
        // The brokers' column is the centre: their cards (and the controller's) go right.
        cx: xs[1],
        cy: h / 2.0,
        ring: 0.0,
        node: 34.0,
        radial_cards: false,
        narrow,
        crowd: false,
        mass: false,
        cards_under_row: None,
    };
    let mut pos = vec![(xs[1], 70.0); n];
    for (x, ids) in &columns {
        let step = (h - 170.0) / ids.len().max(1) as f64;
        for (k, id) in ids.iter().enumerate() {
            pos[*id] = (*x, 160.0 + step * (k as f64 + 0.5));
        }
    }
    (l, pos)
}

/// How many chips (a group's shards) a row of a box holds, the pitch between them, and their
/// size.
pub const CHIPS_PER_ROW: usize = 4;
pub const CHIP_PITCH: f64 = 18.0;
pub const CHIP: f64 = 15.0;

/// Boxes side by side (the file system's racks, the sharded database's groups): each box's
/// nodes in its own column, its chips in rows under them; the other servers (the metadata
/// servers, the configuration service) in a row above; the clients in a column at the right.
/// Every state card goes to the right of its node (the drawing's centre is at its left edge),
/// where the next column leaves room for a short one.
fn boxes(snap: &Snapshot, narrow: bool) -> (Layout, Vec<(f64, f64)>) {
    let n = snap.nodes.len();
    let boxes = &snap.enclosures;
    let tallest = boxes.iter().map(|b| b.members.len()).max().unwrap_or(1).max(1);
    let chip_rows = boxes.iter().map(|b| b.chips.len().div_ceil(CHIPS_PER_ROW)).max().unwrap_or(0);
    let (w, left, right, clients_x, top, row) = if narrow {
        (420.0, 45.0, 290.0, 380.0, 50.0, 62.0)
    } else {
        (1000.0, 80.0, 550.0, 790.0, 60.0, 92.0)
    };
    // The columns share the room from `left` to `right`, but never closer than a box's width
    // and a gap (the drawing widens instead, and scales down to fit); closer than a node and its
    // card (five groups, eight racks), the cards go, as on a phone (a tap shows a node's state).
    let columns = boxes.len().max(2);
    let spacing = ((right - left) / (columns - 1) as f64).max(if narrow { 84.0 } else { 110.0 });
    let wider = (left + spacing * (columns - 1) as f64 - right).max(0.0);
    let cards = !narrow && spacing >= 200.0;
    // Without cards beside the last column, the clients come nearer to it.
    let pull = if narrow || cards { 0.0 } else { clients_x - right - 160.0 };
    let (w, clients_x) = (w + wider - pull, clients_x + wider - pull);
    let first_row = top + row * if narrow { 1.5 } else { 1.6 };
    let chips = if chip_rows > 0 { 8.0 + CHIP_PITCH * chip_rows as f64 } else { 0.0 };
    let h = (first_row + row * tallest as f64 + chips).max(if narrow { 340.0 } else { 460.0 });
    let l = Layout {
        w,
        h,
        cx: 0.0,
        cy: h / 2.0,
        ring: 0.0,
        // Narrow: large enough to read and tap once the drawing is scaled to a phone.
        node: if narrow { 28.0 } else { 30.0 },
        radial_cards: false,
        // Without state cards, as on a phone.
        narrow: !cards,
        crowd: false,
        mass: false,
        cards_under_row: Some(top),
    };
    let column =
        |i: usize, of: usize| left + spacing * i as f64 * (columns - 1) as f64 / (of.max(2) - 1) as f64;
    let mut pos = vec![(left, top); n];
    let mut boxed = vec![false; n];
    for (k, b) in boxes.iter().enumerate() {
        for (i, id) in b.members.iter().enumerate().filter(|(_, id)| id.index() < n) {
            pos[id.index()] = (column(k, boxes.len()), first_row + row * i as f64);
            boxed[id.index()] = true;
        }
    }
    let (mut servers, mut clients) = (Vec::new(), Vec::new());
    for x in snap.nodes.iter().filter(|x| !boxed[x.id.index()]) {
        match x.view.role.as_str() {
            "client" => clients.push(x.id.index()),
            _ => servers.push(x.id.index()),
        }
    }
    for (k, id) in servers.iter().enumerate() {
        pos[*id] = (column(k, servers.len().max(boxes.len())), top);
    }
    for (k, id) in clients.iter().enumerate() {
        pos[*id] = (clients_x, first_row + row * k as f64);
    }
    (l, pos)
}

pub fn node_angle(i: usize, n: usize) -> f64 {
    -std::f64::consts::FRAC_PI_2 + (i as f64) * std::f64::consts::TAU / n.max(1) as f64
}

pub fn flight_pos(
    f: &FlightSnap,
    l: &Layout,
    pos: &[(f64, f64)],
    now_us: f64,
    steps: bool,
) -> (f64, f64, f64) {
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
    // Travel between the nodes' rims, a message's radius out, so a message neither hides under
    // a node nor covers the name and badge written inside it (where the nodes are too close
    // for that, from centre to centre's middle).
    let (dx, dy) = (x2 - x1, y2 - y1);
    let len = (dx * dx + dy * dy).sqrt().max(1.0);
    let (ux, uy) = (dx / len, dy / len);
    let start = (r + MSG_R + 2.0).min(len / 2.0);
    let travel = (len - 2.0 * start).max(0.0);
    let d = start + travel * t;
    // Round a node in the way (Kafka's brokers stand in a column): a parabola to one side.
    let s = d / len;
    let k = if pos.len() <= MAX_BENDING { bend(pos, f.from.index(), f.to.index(), r) } else { 0.0 };
    let off = k * 4.0 * s * (1.0 - s);
    (x1 + ux * d - uy * off, y1 + uy * d + ux * off, t)
}

/// Drawings of at most this many nodes route messages round the nodes in their way (in a
/// crowd, the check would cost a frame's time).
const MAX_BENDING: usize = 40;

/// How far, at its middle, a message's path from node `a` to node `b` bows out to its left
/// (negative: right; y grows downwards) so as to pass every other node a message's radius
/// clear of its rim: 0 where the straight path is clear. Both directions bow to the same side.
pub fn bend(pos: &[(f64, f64)], a: usize, b: usize, r: f64) -> f64 {
    if a > b {
        return -bend(pos, b, a, r);
    }
    let ((x1, y1), (x2, y2)) = (pos[a], pos[b]);
    let (dx, dy) = (x2 - x1, y2 - y1);
    let len = (dx * dx + dy * dy).sqrt();
    if len < 1.0 {
        return 0.0;
    }
    let (ux, uy) = (dx / len, dy / len);
    let clear = r + MSG_R + 2.0;
    // The node needing the widest bow: (bow, its side).
    let mut worst = (0.0, 1.0);
    for (i, &(cx, cy)) in pos.iter().enumerate() {
        if i == a || i == b {
            continue;
        }
        let along = ((cx - x1) * ux + (cy - y1) * uy) / len;
        if !(0.0..=1.0).contains(&along) {
            continue;
        }
        // Its offset to the path's left (the side a positive bow goes).
        let e = -(cx - x1) * uy + (cy - y1) * ux;
        if e.abs() >= clear {
            continue;
        }
        let at = along.clamp(0.2, 0.8);
        let bow = (clear - e.abs()) / (4.0 * at * (1.0 - at));
        // Away from it; round a node right on the path, to the screen's left (a column's
        // cards are on its right), or over it where the path runs across.
        let side = if e > 0.0 {
            -1.0
        } else if e < 0.0 {
            1.0
        } else if uy.abs() > 1e-6 {
            uy.signum()
        } else {
            -ux.signum()
        };
        if bow > worst.0 {
            worst = (bow, side);
        }
    }
    (worst.0 * worst.1).clamp(-0.6 * len, 0.6 * len)
}

/// The radius of a message's badge, in drawing units.
pub const MSG_R: f64 = 13.0;

/// An SVG translation to (x, y).
pub fn translate(x: f64, y: f64) -> String {
    format!("translate({},{})", Fixed(x, 1), Fixed(y, 1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use distlab_core::lab::FlightSnap;
    use distlab_core::protocol::{MsgId, NodeId, Time};

    fn flight(from: usize, to: usize) -> FlightSnap {
        FlightSnap {
            id: MsgId(1),
            from: NodeId(from as u32),
            to: NodeId(to as u32),
            sent_at: Time(0),
            arrive_at: Time(1000),
            kind: "X",
            summary: String::new(),
            hue: None,
            from_name: String::new(),
            to_name: String::new(),
        }
    }

    /// Kafka's column: the controller above three brokers, a producer left and a consumer
    /// right. A message between any two passes every other node clear of its name and badge.
    #[test]
    fn a_message_passes_round_the_nodes_in_its_way() {
        let l = Layout { node: 34.0, ..layout(5, false) };
        let pos = vec![
            (430.0, 70.0),
            (430.0, 218.0),
            (430.0, 335.0),
            (430.0, 451.0),
            (120.0, 335.0),
            (740.0, 300.0),
        ];
        let mut bent = 0;
        for from in 0..pos.len() {
            for to in (0..pos.len()).filter(|&to| to != from) {
                let f = flight(from, to);
                bent += (bend(&pos, from, to, l.node) != 0.0) as usize;
                for i in 0..=40 {
                    let (x, y, _) = flight_pos(&f, &l, &pos, i as f64 * 25.0, false);
                    for (c, &(cx, cy)) in pos.iter().enumerate().filter(|&(c, _)| c != from && c != to) {
                        let d = ((x - cx).powi(2) + (y - cy).powi(2)).sqrt();
                        assert!(d >= l.node + MSG_R, "{from} → {to} at {i}/40: {d} from node {c}");
                    }
                }
            }
        }
        assert!(bent >= 8, "the column's messages bow ({bent})");
        // Both ways round the same side, the screen's left in a column; a clear path stays
        // straight.
        assert_eq!(bend(&pos, 1, 3, l.node), -bend(&pos, 3, 1, l.node));
        let (x, _, _) = flight_pos(&flight(0, 3), &l, &pos, 500.0, false);
        assert!(x < 430.0 - l.node - MSG_R, "the controller's message to the last broker passes left: {x}");
        assert_eq!(bend(&pos, 4, 2, l.node), 0.0);
    }

    #[test]
    fn a_message_never_covers_the_inside_of_its_sender_or_receiver() {
        for n in [3, 5, 6, 9] {
            let l = layout(n, false);
            let pos: Vec<(f64, f64)> = (0..n).map(|i| node_pos(&l, i, n)).collect();
            for to in 1..n {
                let f = flight(0, to);
                for now in [0.0, 250.0, 500.0, 999.0, 1000.0] {
                    let (x, y, _) = flight_pos(&f, &l, &pos, now, false);
                    for end in [pos[0], pos[to]] {
                        let d = ((x - end.0).powi(2) + (y - end.1).powi(2)).sqrt();
                        assert!(
                            d >= l.node + MSG_R,
                            "{n} nodes, to {to}, at {now}: {d} from a node's centre"
                        );
                    }
                }
            }
        }
    }
}
