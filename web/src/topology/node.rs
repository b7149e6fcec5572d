//! One node of the cluster drawing: its disk and name (the focusable button), the timer ring
//! that empties as its first timer runs down, its badge, its state card and its partition side.

use distlab_core::lab::NodeSnap;
use yew::prelude::*;

use super::layout::{node_angle, translate, Layout};
use crate::i18n::t;
use crate::num::{f1, Fixed};
use crate::palette::hue;
use crate::tf;

/// A crashed node's colour.
pub const DOWN: &str = "#3a3f4b";

/// A node in words: its name, role, whether it is up, its partition side, and its fields.
pub fn node_words(node: &NodeSnap, group: Option<u8>) -> String {
    let state = if node.up { t("up") } else { t("down") };
    let side_said = group.map(|g| format!(", {}", tf!("side {}", (b'A' + g) as char))).unwrap_or_default();
    format!(
        "{}, {}, {}{side_said}. {}",
        t(&node.name),
        t(&node.view.role),
        state,
        node.view.fields.iter().map(|(k, v)| format!("{}: {}", t(k), t(v))).collect::<Vec<_>>().join("; ")
    )
}

/// One node's drawing; `fill` replaces its own colour (a crowd coloured by what its members
/// believe of one of them).
#[allow(clippy::too_many_arguments)]
pub fn render_node(
    node: &NodeSnap,
    l: &Layout,
    (x, y): (f64, f64),
    (index, n): (usize, usize),
    (selected, tab_stop): (bool, bool),
    group: Option<u8>,
    planned_side_b: bool,
    now_us: f64,
    fill: Option<&'static str>,
) -> Html {
    let r = l.node;
    let id = node.id.0;
    let fill = match (node.up, fill) {
        (false, _) => DOWN,
        (true, Some(f)) => f,
        (true, None) => hue(node.view.hue_key),
    };
    // The first armed timer is drawn as a ring that empties as it runs down.
    let timer_ring = node.timers.first().map(|(label, set, fires)| {
        let span = (fires.0.saturating_sub(set.0)).max(1) as f64;
        let left = (1.0 - (now_us - set.0 as f64) / span).clamp(0.0, 1.0);
        let rr = if l.crowd { r + 3.0 } else { r + 7.0 };
        let circ = std::f64::consts::TAU * rr;
        html! {
            <circle class="timer" r={f1(rr)} stroke-dasharray={format!("{} {}", Fixed(circ * left, 1), Fixed(circ, 1))}
                    transform="rotate(-90)">
                <title>{tf!("{} timer: {} ms left", t(label), Fixed(left * span / 1000.0, 1))}</title>
            </circle>
        }
    });
    // The node's state, beside it: outward from the centre of the circle.
    // Small clusters: to the left or right. Large ones: radially outward, so neighbouring
    // cards never meet.
    // Beside its node, a card's lines wrap at their spaces to the room left before the
    // drawing's edge (the file system's client C1, at the right, was cut off mid-word).
    let beside = !l.radial_cards && !l.crowd && !l.narrow;
    let room = if x >= l.cx - 1.0 { l.w - x } else { x } - r - 16.0;
    let shown: Vec<String> = node
        .view
        .summary
        .iter()
        .flat_map(|line| if beside { wrap(&t(line), room) } else { vec![t(line)] })
        .collect();
    let lines = shown.len() as f64;
    // Up to eight nodes the radial cards have room for the normal size (the canvas is larger,
    // so smaller text would be unreadable once scaled down to the page).
    let small = l.radial_cards && n > 8;
    let (line_h, a) = (if small { 14.0 } else { 18.0 }, node_angle(index, n));
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
        let under = l.cards_under_row.is_some_and(|row| (y - row).abs() < 0.5);
        let top = if under { line_h - 2.0 } else { -(lines - 1.0) / 2.0 * line_h + 5.0 };
        (if right { "start" } else { "end" }, cx, top)
    };
    let card_class =
        classes!("card", anchor, small.then_some("small"), (l.radial_cards && !small).then_some("roomy"));
    let card = shown.iter().filter(|_| !l.crowd && !l.narrow).enumerate().map(|(i, line)| {
        let y = top + i as f64 * line_h;
        html! { <text class={card_class.clone()} x={f1(cx)} y={f1(y)}>{line.clone()}</text> }
    });
    // The partition side, on the inner side of the node (towards the ring's centre), where no
    // state card is drawn.
    let side_y = if y < l.cy { r + 18.0 } else { -r - 10.0 };
    let side = group.map(|g| {
        let letter = (b'A' + g) as char;
        if l.crowd {
            // Inside the ring, just past the node: a crowd has no room for "side A".
            let (ux, uy) = (l.cx - x, l.cy - y);
            let len = (ux * ux + uy * uy).sqrt().max(1.0);
            let d = r + 9.0;
            html! { <text class="side tiny" x={f1(ux / len * d)} y={f1(uy / len * d + 4.0)}>{letter}</text> }
        } else {
            html! { <text class="side" y={f1(side_y)}>{tf!("side {}", letter)}</text> }
        }
    });
    let badge = if node.up { t(&node.view.badge) } else { t("crashed") };
    // The button is the disk and its name; the badge, cards and side drawn around it are
    // decoration, hidden from screen readers: the label says it all.
    let label = node_words(node, group);
    html! {
        <g key={id} class={classes!("node", (!node.up).then_some("down"), selected.then_some("selected"), planned_side_b.then_some("planned"),
                group.is_some_and(|g| g > 0).then_some("split-off"))}
           transform={translate(x, y)} data-node={id.to_string()}>
            <title>{label.clone()}</title>
            <g class="hit" role="button" tabindex={if tab_stop { "0" } else { "-1" }} aria-label={label}>
                { for timer_ring }
                <circle class="body" r={f1(r)} fill={fill} />
                if l.crowd {
                    <text class="name tiny" dy={f1(r * 0.3)} style={format!("font-size:{}px", Fixed(r * 0.85, 1))}>{t(&node.name)}</text>
                } else {
                    <text class={classes!("name", (node.name.len() > 4).then_some("long"))} dy="-8">{t(&node.name)}</text>
                }
            </g>
            <g class="deco" aria-hidden="true">
                if !l.crowd {
                    <text class={classes!("badge", (badge.chars().count() > 7).then_some("long"))} dy="14">{badge}</text>
                }
                { for side }
                <g class="cards">{ for card }</g>
            </g>
        </g>
    }
}

/// A card's line at 14 px: about this many drawing units a character (a Chinese one, twice).
const CARD_CHAR_W: f64 = 7.6;

/// `line` broken at its spaces into lines of at most `room` drawing units (a word longer than
/// that stands on a line of its own).
fn wrap(line: &str, room: f64) -> Vec<String> {
    let width = |s: &str| {
        s.chars().map(|c| if ('\u{2E80}'..='\u{FFEF}').contains(&c) { 2.0 } else { 1.0 }).sum::<f64>()
    };
    let mut out: Vec<String> = Vec::new();
    for word in line.split(' ') {
        match out.last_mut() {
            Some(last) if (width(last) + 1.0 + width(word)) * CARD_CHAR_W <= room => {
                last.push(' ');
                last.push_str(word);
            }
            _ => out.push(word.to_string()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn a_card_line_wraps_at_its_spaces_to_the_room_it_has() {
        // C1's card at the file system's right edge: 164 units of room, 21 characters.
        assert_eq!(wrap("writing block 1 through 3 nodes", 164.0), ["writing block 1", "through 3 nodes"]);
        assert_eq!(wrap("idle", 164.0), ["idle"]);
        assert_eq!(wrap("writing block 1 through 3 nodes", 1000.0), ["writing block 1 through 3 nodes"]);
        // A word wider than the room stays whole, on a line of its own.
        assert_eq!(wrap("a rendezvous b", 30.0), ["a", "rendezvous", "b"]);
        // Chinese characters count twice.
        assert_eq!(wrap("正在写入 块 1", 60.0), ["正在写入", "块 1"]);
    }
}
