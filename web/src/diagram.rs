//! The space-time diagram: one lane per node, time flowing right, each message an arrow from
//! send to delivery (a cross where it was dropped, dashed for a duplicate), timers, crashes,
//! restarts and requests as marks. It shows the last events up to the scrubber's position and
//! moves with it; clicking an arrow or a mark moves every view to that event.

use std::rc::Rc;

use distlab_core::diagram::{Arrow, Diagram, Fate, MarkKind};
use yew::prelude::*;

use crate::dom::{closest, focus_next, on};
use crate::num::{f1, Fixed};
use crate::palette::message_style;
use crate::state::{Msg, Selection, DIAGRAM_SPANS};

const LEFT: f64 = 80.0;
const RIGHT: f64 = 20.0;
const LANE: f64 = 34.0;

/// The height of one of `lanes` lanes whose full height is `base`: lanes get thinner past a
/// dozen, so a hundred nodes do not make a drawing thousands of pixels tall.
pub fn lane_height(base: f64, lanes: usize) -> f64 {
    (base * 12.0 / lanes.max(1) as f64).clamp(9.0, base)
}

/// The lane names' font size for lanes of height `lane`, or None for the stylesheet's.
pub fn lane_font(lane: f64, base: f64) -> Option<String> {
    (lane < base).then(|| format!("font-size:{}px", Fixed((lane - 1.0).min(12.0), 1)))
}
const TOP: f64 = 16.0;

#[derive(Properties, PartialEq)]
pub struct DiagramProps {
    pub diagram: Rc<Diagram>,
    pub names: Vec<String>,
    pub span: u64,
    pub send: Callback<Msg>,
    /// The message selected in another view (the topology), shown picked here too.
    pub selected: Option<u64>,
}

fn fate_word(a: &Arrow) -> String {
    match a.fate {
        Fate::Delivered => String::from("delivered"),
        Fate::InFlight => String::from("still in flight"),
        Fate::Dropped(r) => format!("dropped ({})", format!("{r:?}").to_lowercase()),
    }
}

/// A click that adds `item` to the filter list, or takes it out.
fn toggle_in<T: PartialEq + Clone + 'static>(list: UseStateHandle<Vec<T>>, item: T) -> Callback<MouseEvent> {
    Callback::from(move |_: MouseEvent| {
        let mut v = (*list).clone();
        crate::state::toggle(&mut v, item.clone());
        list.set(v);
    })
}

#[function_component(SpaceTime)]
pub fn space_time(p: &DiagramProps) -> Html {
    let hidden_nodes = use_state(Vec::<u32>::new);
    let hidden_kinds = use_state(Vec::<&'static str>::new);
    let picked = use_state(|| None::<u64>);
    let strip = use_node_ref();
    let w = crate::hooks::use_strip_width(strip.clone());
    let d = &p.diagram;
    let lanes: Vec<u32> = (0..p.names.len() as u32).filter(|n| !hidden_nodes.contains(n)).collect();
    let lane = lane_height(LANE, lanes.len());
    let lane_y = |n: u32| lanes.iter().position(|x| *x == n).map(|i| TOP + lane * (i as f64 + 0.5));
    let h = TOP * 2.0 + lane * lanes.len().max(1) as f64;
    let font = lane_font(lane, LANE);
    let span = (d.t1.0.saturating_sub(d.t0.0)).max(1) as f64;
    let x = |t: u64| LEFT + (t.saturating_sub(d.t0.0)) as f64 / span * (w - LEFT - RIGHT);
    let mut kinds: Vec<&'static str> = Vec::new();
    for a in &d.arrows {
        if !kinds.contains(&a.kind) {
            kinds.push(a.kind);
        }
    }
    let lane_lines = lanes.iter().map(|n| {
        let y = lane_y(*n).unwrap_or(0.0);
        html! {
            <g class="lane">
                <text x={f1(LEFT - 8.0)} y={f1(y + 4.0)} class="lane-name" style={font.clone()}>{&p.names[*n as usize]}</text>
                <line x1={f1(LEFT)} x2={f1(w - RIGHT)} y1={f1(y)} y2={f1(y)} />
            </g>
        }
    });
    // One Tab stop: the picked arrow if it is drawn, else the first drawn.
    let shown = |a: &&distlab_core::diagram::Arrow| {
        !hidden_kinds.contains(&a.kind) && lane_y(a.from.0).is_some() && lane_y(a.to.0).is_some()
    };
    let entry = (*picked)
        .or(p.selected)
        .filter(|id| d.arrows.iter().filter(shown).any(|a| a.id.0 == *id))
        .or_else(|| d.arrows.iter().find(shown).map(|a| a.id.0));
    let arrows = d.arrows.iter().filter(shown).filter_map(|a| {
        let (y1, y2) = (lane_y(a.from.0)?, lane_y(a.to.0)?);
        let x1 = a.sent.map(|s| x(s.1 .0)).unwrap_or(LEFT);
        let x2 = a.end.map(|e| x(e.1 .0)).unwrap_or(w - RIGHT);
        let (color, _) = message_style(a.kind);
        let id = a.id.0;
        let target = a.end.map(|e| e.0).or(a.sent.map(|s| s.0)).unwrap_or(d.to);
        let title = format!(
            "{} {} → {} {} · {}{}",
            a.kind,
            p.names[a.from.index()],
            p.names[a.to.index()],
            a.summary,
            fate_word(a),
            if a.duplicate { " · a duplicate" } else { "" }
        );
        let cross = matches!(a.fate, Fate::Dropped(_)).then(|| {
            html! { <text class="cross" x={f1(x2)} y={f1(y2 + 5.0)}>{"×"}</text> }
        });
        let class = classes!(
            "arrow",
            a.duplicate.then_some("dup"),
            a.sent.is_none().then_some("clipped"),
            matches!(a.fate, Fate::Dropped(_)).then_some("dropped"),
            (*picked == Some(id) || p.selected == Some(id)).then_some("picked")
        );
        // Keyed by message, so as the window slides only the coordinates change.
        Some(html! {
            <g key={id} class={class} role="button" tabindex={if entry == Some(id) { "0" } else { "-1" }} aria-label={title.clone()} data-kind={a.kind}
               data-arrow={id.to_string()} data-seek={target.to_string()} data-to={a.to.0.to_string()}>
                <title>{title}</title>
                <line x1={f1(x1)} y1={f1(y1)} x2={f1(x2)} y2={f1(y2)} stroke={color} />
                <line class="hit" x1={f1(x1)} y1={f1(y1)} x2={f1(x2)} y2={f1(y2)} />
                if a.fate == Fate::Delivered { <circle cx={f1(x2)} cy={f1(y2)} r="3" fill={color} /> }
                { for cross }
            </g>
        })
    });
    let marks = d.marks.iter().filter_map(|m| {
        let mx = x(m.time.0);
        let event = m.event;
        let title = format!(
            "#{event} · {}{}",
            m.node.map(|n| format!("{}: ", p.names[n.index()])).unwrap_or_default(),
            m.label
        );
        let Some(node) = m.node else {
            return Some(html! {
                <g class="mark violation" data-seek={event.to_string()}><title>{title}</title>
                    <line x1={f1(mx)} x2={f1(mx)} y1="0" y2={f1(h)} /></g>
            });
        };
        let my = lane_y(node.0)?;
        let (class, glyph) = match m.kind {
            MarkKind::Timer => ("timer", "◆"),
            MarkKind::Crash => ("crash", "✕"),
            MarkKind::Restart => ("restart", "▲"),
            MarkKind::Client => ("client", "■"),
            MarkKind::Violation => ("violation", "!"),
        };
        Some(html! {
            <text class={classes!("mark", class)} x={f1(mx)} y={f1(my + 4.0)} data-seek={event.to_string()}>
                <title>{title}</title>{glyph}
            </text>
        })
    });
    // One handler for every arrow and mark (event delegation): an arrow moves every view to its
    // delivery and selects its receiver; a mark moves them to its event.
    let go = {
        let (send, picked) = (p.send.clone(), picked.clone());
        move |e: &Event| {
            let Some(el) = closest(e, "[data-seek]") else { return false };
            let num = |k: &str| el.get_attribute(k).and_then(|v| v.parse::<u64>().ok());
            let Some(event) = num("data-seek") else { return false };
            if let Some(id) = num("data-arrow") {
                picked.set(Some(id));
            }
            send.emit(Msg::Seek(event));
            if let Some(to) = num("data-to") {
                send.emit(Msg::Select(Some(Selection::Node(to as u32))));
            }
            true
        }
    };
    let onclick = {
        let go = go.clone();
        Callback::from(move |e: MouseEvent| {
            go(&e);
        })
    };
    // Enter goes to the focused arrow's event; ↑ and ↓ move to the previous or next arrow (the
    // diagram is one Tab stop, not one per arrow).
    let onkeydown = Callback::from(move |e: KeyboardEvent| {
        let step = match e.key().as_str() {
            "ArrowDown" => 1,
            "ArrowUp" => -1,
            _ => {
                if e.key() == "Enter" && go(&e) {
                    e.prevent_default();
                }
                return;
            }
        };
        if let Some(svg) = closest(&e, "svg.st-svg") {
            focus_next(&svg, "[data-arrow]", &e, step);
            e.prevent_default();
        }
    });
    let picked_arrow = picked.and_then(|id| d.arrows.iter().find(|a| a.id.0 == id));
    let detail = picked_arrow.map(|a| {
        let sent = a.sent.map(|s| format!("sent at #{} ({} ms)", s.0, Fixed(s.1 .0 as f64 / 1000.0, 2))).unwrap_or_else(|| "sent before this window".into());
        let end = a.end.map(|e| format!(", {} at #{} ({} ms)", fate_word(a), e.0, Fixed(e.1 .0 as f64 / 1000.0, 2))).unwrap_or_else(|| format!(", {}", fate_word(a)));
        let change = if a.changed {
            format!(" It changed {}'s state: the inspector shows it after this delivery.", p.names[a.to.index()])
        } else if a.fate == Fate::Delivered {
            format!(" It left {}'s state unchanged.", p.names[a.to.index()])
        } else {
            String::new()
        };
        html! {
            <p class="st-detail" id="st-detail"><b>{format!("{} #{}", a.kind, a.id.0)}</b>{format!(" {} → {} {} · {sent}{end}.{change}", p.names[a.from.index()], p.names[a.to.index()], a.summary)}</p>
        }
    });
    let zoom = DIAGRAM_SPANS.iter().map(|s| {
        let active = *s == p.span;
        html! { <button class={classes!("chip", active.then_some("on"))} aria-pressed={active.to_string()} onclick={on(&p.send, Msg::DiagramSpan(*s))}>{format!("{s}")}</button> }
    });
    let node_chips = (0..p.names.len() as u32).map(|n| {
        let off = hidden_nodes.contains(&n);
        let toggle = toggle_in(hidden_nodes.clone(), n);
        html! { <button class={classes!("chip", (!off).then_some("on"))} aria-pressed={(!off).to_string()} onclick={toggle}>{&p.names[n as usize]}</button> }
    });
    let kind_chips = kinds.iter().map(|k| {
        let off = hidden_kinds.contains(k);
        let k = *k;
        let toggle = toggle_in(hidden_kinds.clone(), k);
        let (color, _) = message_style(k);
        html! { <button class={classes!("chip", (!off).then_some("on"))} aria-pressed={(!off).to_string()} onclick={toggle}>
            <span class="swatch" style={format!("background:{color}")}></span>{k}</button> }
    });
    html! {
        <section class="spacetime" aria-label="Space-time diagram" id="spacetime">
            <h2>{"Space-time diagram"}<small>{format!(" · events {}–{}, {}–{} ms · arrows: messages from send to delivery (× dropped, dashed: duplicate); ◆ timer ✕ crash ▲ restart ■ request. Click one to go there.", d.from + 1, d.to, Fixed(d.t0.0 as f64 / 1000.0, 1), Fixed(d.t1.0 as f64 / 1000.0, 1))}</small></h2>
            <div class="row st-controls">
                <span class="st-label">{"Events shown"}</span>{ for zoom }
            </div>
            <div class="row st-controls"><span class="st-label">{"Nodes"}</span>{ for node_chips }</div>
            <div class="row st-controls"><span class="st-label">{"Messages"}</span>{ for kind_chips }</div>
            <div class="scroll" ref={strip}>
                <svg viewBox={format!("0 0 {} {}", Fixed(w, 0), Fixed(h, 0))} class="st-svg" role="group" {onclick} {onkeydown}
                     aria-label={format!("{} messages and {} marks between events {} and {}", d.arrows.len(), d.marks.len(), d.from + 1, d.to)}>
                    <g class="lanes">{ for lane_lines }</g>
                    <g class="marks">{ for marks }</g>
                    <g class="arrows">{ for arrows }</g>
                    <line class="now" x1={f1(w - RIGHT)} x2={f1(w - RIGHT)} y1="0" y2={f1(h)} />
                </svg>
            </div>
            // One node whether or not an arrow is picked: a child list that changed length
            // would make Yew rebuild the drawing above (its siblings are matched from the end),
            // and its size observer would then measure a detached element as 0 wide.
            { detail.unwrap_or_default() }
        </section>
    }
}
