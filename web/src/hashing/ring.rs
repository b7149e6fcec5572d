//! The ring view: keys as dots coloured by owner, the tokens outside the circle, the hovered
//! key's arcs to its owner and replicas, zoom and pan, the nodes with their weights, and the
//! ring's settings. Keys that the last change moved are drawn larger, fading from the old
//! owner's colour.

use std::f64::consts::{FRAC_PI_2, TAU};

use distlab_core::hashing::{self, Algo};
use yew::prelude::*;

use super::form::{algo_select, parse_count, parse_f64};
use super::model::{
    on_circle, HMsg, HashState, RingModel, KEY_RADIUS, MAX_REPLICAS, MAX_RING_KEYS, MAX_RING_NODES,
    MAX_RING_VNODES,
};
use crate::dom::{closest, on, read_input, read_select};
use crate::i18n::t;
use crate::num::Fixed;
use crate::palette::member_color;
use crate::tf;

const R: f64 = 1.0;

/// The ring view; with its lesson (not in an embed) and what the lesson's last step opens.
pub fn ring_view(st: &HashState, send: &Callback<HMsg>, lesson: Option<(AttrValue, Callback<()>)>) -> Html {
    let m = &st.ring;
    let placement = m.placement();
    let (loads, sd, mx) = hashing::spread(&m.owners, &m.members);
    let half = 1.25 / st.zoom;
    let (cx, cy) = st.pan;
    let vb = (cx - half, cy - half, 2.0 * half, 2.0 * half);
    let visible = |x: f64, y: f64| x >= vb.0 && x <= vb.0 + vb.2 && y >= vb.1 && y <= vb.1 + vb.3;
    let dot = 0.012 / st.zoom.sqrt();
    // Keys, grouped into one path per owner ("M x y h 0" with round caps draws a dot).
    let mut paths: std::collections::BTreeMap<u32, String> = Default::default();
    let moved_set: std::collections::BTreeSet<usize> = m.moved.iter().map(|(k, _, _)| *k).collect();
    for (k, (&h, &o)) in m.hashes.iter().zip(m.owners.iter()).enumerate() {
        let (x, y) = on_circle(h, R * KEY_RADIUS);
        if !visible(x, y) || moved_set.contains(&k) {
            continue;
        }
        paths.entry(o).or_default().push_str(&format!("M{} {}h0", Fixed(x, 4), Fixed(y, 4)));
    }
    let keys = paths.into_iter().map(|(o, d)| html! {
        <path d={d} stroke={member_color(o)} stroke-width={format!("{}", Fixed(dot * 2.0, 4))} stroke-linecap="round" fill="none" />
    });
    // Keys that moved in the last change: drawn larger, animated from the old owner's colour.
    let moved = m.moved.iter().filter_map(|&(k, from, to)| {
        let (x, y) = on_circle(m.hashes[k], R * KEY_RADIUS);
        visible(x, y).then(|| html! {
            <circle class="moved-key" cx={format!("{}", Fixed(x, 4))} cy={format!("{}", Fixed(y, 4))} r={format!("{}", Fixed(dot * 2.2, 4))}
                fill={member_color(to)} style={format!("--from:{}", member_color(from))}>
                <title>{tf!("{} moved from node {} to node {}", format!("key-{k}"), from, to)}</title>
            </circle>
        })
    });
    // Tokens (ring and bounded loads): ticks just outside the circle.
    let tokens = if matches!(m.algo, Algo::Ring | Algo::Bounded) {
        let mut by: std::collections::BTreeMap<u32, String> = Default::default();
        for (t, o) in placement.ring.tokens.iter().zip(&placement.ring.owners) {
            let (x1, y1) = on_circle(*t, R * 1.0);
            let (x2, y2) = on_circle(*t, R * 1.07);
            if visible(x1, y1) {
                by.entry(*o).or_default().push_str(&format!(
                    "M{} {}L{} {}",
                    Fixed(x1, 4),
                    Fixed(y1, 4),
                    Fixed(x2, 4),
                    Fixed(y2, 4)
                ));
            }
        }
        by.into_iter()
            .map(|(o, d)| {
                let sel = st.selected_node == Some(o);
                let k = m.members.iter().position(|x| *x == o).unwrap_or(0);
                let tokens = placement.ring.owners.iter().filter(|x| **x == o).count();
                let tip = tf!("node {}: {} tokens, weight {}, {} keys", o, tokens, crate::num::short(m.weights[k]), loads.get(k).copied().unwrap_or(0));
                html! { <path class={classes!("token", sel.then_some("selected"))} d={d} stroke={member_color(o)}
                    stroke-width={format!("{}", Fixed(if sel { 0.012 } else { 0.006 } / st.zoom.sqrt(), 4))}><title>{tip}</title></path> }
            })
            .collect::<Html>()
    } else {
        html! {}
    };
    // The hovered key: arcs to its owner and replicas.
    let hover = st.hover.and_then(|k| m.hashes.get(k).map(|h| (k, *h))).map(|(k, h)| {
        let owner = m.owners[k];
        let mut set = vec![owner];
        for r in placement.replicas(h, m.replicas.max(1) + 1) {
            if set.len() < m.replicas && !set.contains(&r) {
                set.push(r);
            }
        }
        let (kx, ky) = on_circle(h, R * KEY_RADIUS);
        let arcs = set.iter().enumerate().map(|(i, node)| {
            // Aim at the node's first token clockwise of the key (ring), else at the node's label.
            let target = if matches!(m.algo, Algo::Ring | Algo::Bounded) {
                let ring = &placement.ring;
                let start = ring.position(h);
                (0..ring.tokens.len()).map(|j| (start + j) % ring.tokens.len()).find(|&j| ring.owners[j] == *node).map(|j| ring.tokens[j])
            } else {
                None
            };
            let (tx, ty) = match target {
                Some(t) => on_circle(t, R * 1.03),
                None => (0.0, 0.0),
            };
            html! { <line class={if i == 0 { "arc owner" } else { "arc replica" }} x1={format!("{}", Fixed(kx, 4))} y1={format!("{}", Fixed(ky, 4))}
                x2={format!("{}", Fixed(tx, 4))} y2={format!("{}", Fixed(ty, 4))} stroke={member_color(*node)} stroke-width={format!("{}", Fixed(0.008 / st.zoom.sqrt(), 4))} /> }
        });
        let names: Vec<String> = set.iter().map(|n| tf!("node {}", n)).collect();
        let mut info = tf!("{} · hash {} · owner node {}", format!("key-{k}"), format!("{h:016x}"), owner);
        if set.len() > 1 {
            info.push_str(" · ");
            let list = names[1..].iter().cloned().reduce(|a, b| tf!("{}, {}", a, b)).unwrap_or_default();
            info.push_str(&tf!("replicas {}", list));
        }
        (html! { <g>{ for arcs }<circle cx={format!("{}", Fixed(kx, 4))} cy={format!("{}", Fixed(ky, 4))} r={format!("{}", Fixed(dot * 3.0, 4))} class="hovered" /></g> }, info)
    });
    let (hover_svg, hover_info) = match hover {
        Some((svg, info)) => (svg, info),
        None => (
            html! {},
            t("Hover or tap a key (a dot), or Tab to the ring and press ← →, to see its owner and replicas; scroll or + − to zoom, drag to pan."),
        ),
    };
    let hashes = m.hashes.clone();
    let on_move = {
        let send = send.clone();
        let zoom = st.zoom;
        move |e: MouseEvent| {
            // The drawing itself (the event's current target is where Yew listens, not the svg).
            let Some(svg) = closest(&e, "#ring-svg") else {
                return;
            };
            // The square view is centred in the element (`xMidYMid meet`): offset by the margin.
            let rect = svg.get_bounding_client_rect();
            let size = rect.width().min(rect.height()).max(1.0);
            let (ox, oy) = ((rect.width() - size) / 2.0, (rect.height() - size) / 2.0);
            let x = vb.0 + (e.client_x() as f64 - rect.left() - ox) / size * vb.2;
            let y = vb.1 + (e.client_y() as f64 - rect.top() - oy) / size * vb.3;
            if e.buttons() == 1 {
                let scale = vb.2 / size;
                send.emit(HMsg::Pan(-(e.movement_x() as f64) * scale, -(e.movement_y() as f64) * scale));
                return;
            }
            let r = (x * x + y * y).sqrt();
            if (r - KEY_RADIUS).abs() > 0.08 / zoom.sqrt() {
                send.emit(HMsg::Hover(None));
                return;
            }
            let mut a = y.atan2(x) + FRAC_PI_2;
            if a < 0.0 {
                a += TAU;
            }
            let target = (a / TAU * u64::MAX as f64) as u64;
            let best = hashes
                .iter()
                .enumerate()
                .min_by_key(|(_, h)| h.abs_diff(target).min(u64::MAX - h.abs_diff(target)))
                .map(|(k, _)| k);
            send.emit(HMsg::Hover(best));
        }
    };
    // From the keyboard: the focused ring walks its keys with ← and →; Esc lets go.
    let on_key = {
        let send = send.clone();
        Callback::from(move |e: KeyboardEvent| {
            let msg = match e.key().as_str() {
                "ArrowRight" | "ArrowDown" => HMsg::HoverStep(1),
                "ArrowLeft" | "ArrowUp" => HMsg::HoverStep(-1),
                "Escape" => HMsg::Hover(None),
                _ => return,
            };
            e.prevent_default();
            send.emit(msg);
        })
    };
    let key_ref = NodeRef::default();
    let find_key = {
        let (r, keys) = (key_ref.clone(), m.keys);
        send.reform(move |e: SubmitEvent| {
            e.prevent_default();
            match parse_count(&t("the key number"), &read_input(&r), 0, keys.saturating_sub(1)) {
                Ok(k) => HMsg::Hover(Some(k)),
                Err(e) => HMsg::Error(e),
            }
        })
    };
    let on_wheel = send.reform(|e: WheelEvent| {
        e.prevent_default();
        HMsg::Zoom(if e.delta_y() < 0.0 { 1.25 } else { 0.8 })
    });
    let moved_n = m.moved.len();
    let n = m.members.len();
    let summary = m.last_change.as_ref().map(|what| {
        let frac = moved_n as f64 / m.keys.max(1) as f64;
        // The least any placement must move: the node's share of the weight, one in n without weights.
        let least = match m.least {
            Some((share, true)) => format!(" · {}", tf!("the minimum possible is its share of the weight, {} %", Fixed(share * 100.0, 1))),
            Some((share, false)) => format!(" · {}", tf!("the minimum possible is {}/{} = {} %", 1, if what.starts_with("added") { n } else { n + 1 }, Fixed(share * 100.0, 1))),
            None => String::new(),
        };
        html! { <p id="moved-summary" class="moved-summary"><b>{tf!("{}: {} of {} keys moved ({} %)", change_text(m, what), moved_n, m.keys, Fixed(frac * 100.0, 1))}</b>
            {least}
            {gave_summary(m, what)}
        </p> }
    });
    let legend = m.members.iter().zip(&loads).zip(&m.weights).map(|((id, load), w)| {
        let id = *id;
        let sel = st.selected_node == Some(id);
        html! { <button class={classes!("node-chip", sel.then_some("on"))} onclick={send.reform(move |_| HMsg::SelectNode(if sel { None } else { Some(id) }))}
            title={tf!("node {}: {} keys, weight {}", id, load, crate::num::short(*w))}>
            <span class="swatch" style={format!("background:{}", member_color(id))}></span>{format!("{id}")}<small>{format!(" {load}")}</small></button> }
    });
    let selected = st.selected_node.map(|id| {
        let w = m.members.iter().position(|x| *x == id).map(|k| m.weights[k]).unwrap_or(1.0);
        let weight_ref = NodeRef::default();
        let set_weight = {
            let r = weight_ref.clone();
            send.reform(move |e: SubmitEvent| {
                e.prevent_default();
                match parse_f64(&t("the weight"), &read_input(&r), 0.1, 10.0) {
                    Ok(w) => HMsg::Weight(id, w),
                    Err(e) => HMsg::Error(e),
                }
            })
        };
        html! {
            <form class="row" onsubmit={set_weight}>
                <b>{tf!("node {}", id)}</b>
                <label>{t("weight")}<input ref={weight_ref} id="node-weight" value={crate::num::short(w)} size="4" /></label>
                <button type="submit">{t("Set weight")}</button>
                <button type="button" id="btn-remove-node" class="danger" onclick={on(send, HMsg::RemoveNode(id))}>{t("Remove node")}</button>
            </form>
        }
    });
    html! {
        <div class="hash-grid">
            <section class="stage" aria-label={t("Hash ring")}>
                <svg class="hashring" id="ring-svg" viewBox={format!("{} {} {} {}", Fixed(vb.0, 4), Fixed(vb.1, 4), Fixed(vb.2, 4), Fixed(vb.3, 4))}
                    role="img" aria-label={tf!("Hash ring: {} nodes, {} keys. Left and Right walk the keys in ring order.", n, m.keys)}
                    tabindex="0" onkeydown={on_key}
                    onmousemove={on_move} onwheel={on_wheel} onmouseleave={on(send, HMsg::Hover(None))}>
                    <circle class="circle" cx="0" cy="0" r={crate::num::short(R)} stroke-width={format!("{}", Fixed(0.004 / st.zoom.sqrt(), 4))} />
                    { tokens }
                    { for keys }
                    { for moved }
                    { hover_svg }
                </svg>
                <p class="caption" id="ring-hover" aria-live="polite">{hover_info}</p>
                <div class="row zoom">
                    <button onclick={on(send, HMsg::Zoom(1.5))} aria-label={t("Zoom in")}>{"+"}</button>
                    <button onclick={on(send, HMsg::Zoom(1.0 / 1.5))} aria-label={t("Zoom out")}>{"−"}</button>
                    <button onclick={on(send, HMsg::ResetView)}>{t("Whole ring")}</button>
                    <span class="hint">{tf!("load spread: stddev/mean {}, max/mean {}", Fixed(sd, 3), Fixed(mx, 3))}</span>
                </div>
                <form class="row find-key" onsubmit={find_key} novalidate=true>
                    <label>{t("Find")}{" "}<span translate="no">{"key-"}</span><input ref={key_ref} id="ring-key" inputmode="numeric" size="6" placeholder={format!("0–{}", m.keys.saturating_sub(1))} /></label>
                    <button type="submit" id="btn-find-key">{t("Show its owner")}</button>
                </form>
            </section>
            <aside>
                if let Some(next) = lesson {
                    <crate::lesson::Lesson steps={lesson_cards()} current={st.lesson} go={send.reform(HMsg::Lesson)}
                        next_lesson={Some(next)} />
                }
                <section>
                    <h2>{t("Nodes")}</h2>
                    <div class="chips" id="node-chips">{ for legend }</div>
                    { for selected }
                    <div class="row">
                        <button id="btn-add-node" class="primary" onclick={on(send, HMsg::AddNode)}>{t("Add a node")}</button>
                    </div>
                    // What the last change did, beside the button that made it, until the next.
                    { for summary }
                    <p class="hint">{t("Click a node to change its weight or remove it. Keys that move are drawn larger and fade from their old owner's colour.")}</p>
                </section>
                { ring_form(m, send) }
            </aside>
        </div>
    }
}

/// The lesson's steps as its card shows them.
fn lesson_cards() -> std::rc::Rc<Vec<crate::lesson::Card>> {
    let cards = super::lesson::STEPS
        .iter()
        .map(|(text, _)| crate::lesson::Card { text: text.to_string(), break_it: None });
    std::rc::Rc::new(cards.collect())
}

fn ring_form(m: &RingModel, send: &Callback<HMsg>) -> Html {
    let (algo, nodes, vnodes, keys, replicas) =
        (NodeRef::default(), NodeRef::default(), NodeRef::default(), NodeRef::default(), NodeRef::default());
    let submit = {
        let refs = (algo.clone(), nodes.clone(), vnodes.clone(), keys.clone(), replicas.clone());
        send.reform(move |e: SubmitEvent| {
            e.prevent_default();
            let (algo, nodes, vnodes, keys, replicas) = &refs;
            let parsed = (|| -> Result<HMsg, String> {
                Ok(HMsg::RingConfig {
                    algo: Algo::parse(&read_select(algo)).ok_or_else(|| t("choose an algorithm"))?,
                    nodes: parse_count(&t("nodes"), &read_input(nodes), 1, MAX_RING_NODES)?,
                    vnodes: parse_count(&t("virtual nodes"), &read_input(vnodes), 1, MAX_RING_VNODES)?,
                    keys: parse_count(&t("keys"), &read_input(keys), 1, MAX_RING_KEYS)?,
                    replicas: parse_count(&t("replicas"), &read_input(replicas), 1, MAX_REPLICAS)?,
                })
            })();
            parsed.unwrap_or_else(HMsg::Error)
        })
    };
    html! {
        <form class="settings" onsubmit={submit} novalidate=true key={format!("{}{}-{}-{}-{}", m.algo.name(), m.members.len(), m.vnodes, m.keys, m.replicas)}>
            <h2>{t("Ring")}</h2>
            <div class="grid">
                <label class="wide">{t("Algorithm")}{ algo_select(&algo, "ring-algo", m.algo) }</label>
                <label>{t("Nodes")}<input ref={nodes} id="ring-nodes" type="number" min="1" max={MAX_RING_NODES.to_string()} value={m.members.len().to_string()} /></label>
                <label>{t("Virtual nodes each")}<input ref={vnodes} id="ring-vnodes" type="number" min="1" max={MAX_RING_VNODES.to_string()} value={m.vnodes.to_string()} /></label>
                <label>{t("Keys")}<input ref={keys} id="ring-keys" type="number" min="1" max={MAX_RING_KEYS.to_string()} value={m.keys.to_string()} /></label>
                <label>{t("Replicas (N)")}<input ref={replicas} id="ring-replicas" type="number" min="1" max={MAX_REPLICAS.to_string()} value={m.replicas.to_string()} /></label>
            </div>
            <button type="submit" id="btn-ring-apply" class="primary">{t("Rebuild")}</button>
            <p class="hint">{t("Keys are key-0, key-1, …; every algorithm hashes them with XXH3-64. Tokens (the ticks outside the circle) exist for the ring and bounded loads.")}</p>
        </form>
    }
}

/// The last change in the reader's language: the model keeps it in English ("added node 5"),
/// and, after new settings, the algorithms by name, which the catalogue translates one by one.
fn change_text(m: &RingModel, what: &str) -> String {
    match m.rebuilt_from {
        Some((algo, nodes, vnodes)) => {
            let (from, to) = (t(algo.name()), t(m.algo.name()));
            let (n, v) = (m.members.len(), m.vnodes);
            tf!("{} with {} nodes × {} vnodes → {} with {} × {}", from, nodes, vnodes, to, n, v)
        }
        None => t(what),
    }
}

/// Which nodes gave keys up in the last change ("node 3: 297 → 252"), whether every moved key
/// went to the added node, and, on the ring, whether only its neighbours lost keys.
fn gave_summary(m: &super::model::RingModel, what: &str) -> Html {
    if m.gave.is_empty() {
        return html! {};
    }
    let list = m
        .gave
        .iter()
        .map(|(id, before, after)| html! { <li>{tf!("node {}: {} → {}", id, before, after)}</li> });
    let added = what.strip_prefix("added node ").and_then(|s| s.parse::<u32>().ok());
    let to_new = added.map(|id| m.moved.iter().all(|(_, _, to)| *to == id));
    let others = m.members.len().saturating_sub(1);
    let fact = match (added, to_new, &m.neighbours) {
        (Some(id), Some(true), Some(nb))
            if m.gave.iter().all(|(g, _, _)| nb.contains(g)) && nb.len() < others =>
        {
            let givers =
                if nb.len() == 1 { t("ring neighbour") } else { tf!("{} ring neighbours", nb.len()) };
            let rest = others - nb.len();
            let kept = if rest == 1 { t("node") } else { tf!("{} nodes", rest) };
            tf!("Every moved key went to node {}, and only its {} gave keys up: each of its points took the keys just before it from the node that owns the next point clockwise. The other {} kept all of their keys.", id, givers, kept)
        }
        (Some(id), Some(true), Some(nb)) if m.gave.iter().all(|(g, _, _)| nb.contains(g)) => {
            tf!("Every moved key went to node {}, and only ring neighbours of its points gave keys up: each point took the keys just before it from the node owning the next point clockwise. With {} points per node, every node neighbours one of them, so each gives a little: that keeps the load even. With {} virtual node, only one node would give keys up.", id, m.vnodes, 1)
        }
        (Some(id), Some(true), _) => {
            tf!("Every moved key went to node {}: no key moved between the nodes that were there before.", id)
        }
        (Some(id), Some(false), _) => {
            let between = m.moved.iter().filter(|(_, _, to)| *to != id).count();
            tf!("{} of the moved keys went to other old nodes, not to node {}: this algorithm reshuffles more than it must.", between, id)
        }
        _ => String::new(),
    };
    html! {
        <span class="gave" id="gave">
            <br />{t("Keys given up:")}<ul class="gave-list">{ for list }</ul>
            { if fact.is_empty() { html! {} } else { html! { <><br /><span id="gave-fact">{fact}</span></> } } }
        </span>
    }
}
