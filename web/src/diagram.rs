//! The space-time diagram: one lane per node, time flowing right, each message an arrow from
//! send to delivery (a cross where it was dropped, dashed for a duplicate), timers, crashes,
//! restarts and requests as marks. It shows the last events up to the scrubber's position and
//! moves with it; clicking an arrow or a mark moves every view to that event.

use std::rc::Rc;

use distlab_core::diagram::{Arrow, Diagram, Fate, Mark, MarkKind};
use yew::prelude::*;

use crate::arrowpaint::{arrow_title, fate_word, ArrowCanvas, Line, Stroke};
use crate::dom::{closest, focus_next, on};
use crate::i18n::t;
use crate::num::{f1, Fixed};
use crate::palette::message_style;
use crate::state::{Msg, Selection, DIAGRAM_SPANS};
use crate::tf;

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
/// From this many events shown (the diagram's setting), the arrows are painted on a canvas.
pub const PAINTED_FROM: u64 = 5_000;

/// The event an arrow's click goes to: its delivery (or drop), else its sending.
fn seek_of(a: &Arrow) -> u64 {
    a.end.or(a.sent).map(|e| e.0).unwrap_or_default()
}
/// Messages (by id) per layer of the space-time diagram's arrows.
const ARROWS_PER_LAYER: u64 = 256;

#[derive(Properties, PartialEq)]
pub struct DiagramProps {
    pub diagram: Rc<Diagram>,
    pub names: Vec<String>,
    pub span: u64,
    pub send: Callback<Msg>,
    /// The message selected in another view (the topology), shown picked here too.
    pub selected: Option<u64>,
    /// The time axis, shared with the history lane below.
    pub scale: TimeScale,
}

/// A click that adds `item` to the filter list, or takes it out.
fn toggle_in<T: PartialEq + Clone + 'static>(list: UseStateHandle<Vec<T>>, item: T) -> Callback<MouseEvent> {
    Callback::from(move |_: MouseEvent| {
        let mut v = (*list).clone();
        crate::state::toggle(&mut v, item.clone());
        list.set(v);
    })
}

/// Up to this many nodes, each has a lane and a chip to hide it; past it (a crowd), the
/// diagram shows the lanes the reader lists, at most [`LANES_MOST`] (at first, the 16 nodes
/// busiest in the window).
pub const LANES_ALL: usize = 24;
pub const LANES_MOST: usize = 64;

#[derive(Properties, PartialEq)]
struct LaneListProps {
    lanes: Vec<u32>,
    count: usize,
    listed: UseStateHandle<Option<Vec<u32>>>,
    send: Callback<Msg>,
}

/// The `most` nodes that send or receive the most messages in the diagram's window (fewer
/// ties broken by the lower number), in order; the first nodes if the window has none.
fn busiest(d: &Diagram, count: u32, most: usize) -> Vec<u32> {
    let mut seen = vec![0u32; count as usize];
    for a in &d.arrows {
        for end in [a.from, a.to] {
            if let Some(k) = seen.get_mut(end.index()) {
                *k += 1;
            }
        }
    }
    // Most seen first (ties: the lower number), then the chosen few in their order.
    let by_count = distlab_core::order::order_by(seen.iter().map(|k| u64::from(u32::MAX - k)));
    let chosen: Vec<u32> = by_count.into_iter().filter(|n| seen[*n as usize] > 0).take(most).collect();
    if chosen.is_empty() {
        return (0..count.min(most as u32)).collect();
    }
    distlab_core::order::order_by(chosen.iter().map(|n| u64::from(*n)))
        .into_iter()
        .map(|i| chosen[i as usize])
        .collect()
}

/// A crowd's lanes, as a list the reader edits ("1–16, 40").
#[function_component(LaneList)]
fn lane_list(p: &LaneListProps) -> Html {
    crate::lang::use_lang();
    let field = use_node_ref();
    let onsubmit = {
        let (field, listed, send, count) = (field.clone(), p.listed.clone(), p.send.clone(), p.count);
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            match crate::nodelist::parse_nodes(&crate::dom::read_input(&field), count, LANES_MOST) {
                Ok(l) => listed.set(Some(l)),
                Err(e) => send.emit(Msg::Error(e)),
            }
        })
    };
    html! {
        <form class="row st-controls" {onsubmit}>
            <label class="st-label" for="st-nodes">{tf!("Nodes (of {})", p.count)}</label>
            <input ref={field} id="st-nodes" value={crate::nodelist::describe(&p.lanes)} />
            <button type="submit" id="btn-st-nodes">{t("Show")}</button>
            <span class="hint">{tf!("numbers and ranges, at most {}", LANES_MOST)}</span>
        </form>
    }
}

#[function_component(SpaceTime)]
pub fn space_time(p: &DiagramProps) -> Html {
    crate::lang::use_lang();
    let hidden_nodes = use_state(Vec::<u32>::new);
    let listed = use_state(|| None::<Vec<u32>>);
    let crowd = p.names.len() > LANES_ALL;
    let hidden_kinds = use_state(Vec::<&'static str>::new);
    let picked = use_state(|| None::<u64>);
    let names = use_memo(p.names.clone(), |n| n.clone());
    // The arrows each layer was last drawn from, with its fingerprint (see `ArrowLayer`).
    let kept_layers = use_mut_ref(std::collections::BTreeMap::<u64, (u64, Rc<Vec<(Arrow, Placed)>>)>::new);
    let strip = use_node_ref();
    let w = crate::hooks::use_strip_width(strip.clone());
    let d = &p.diagram;
    let count = p.names.len() as u32;
    let lanes: Vec<u32> = match (crowd, listed.as_ref()) {
        (false, _) => (0..count).filter(|n| !hidden_nodes.contains(n)).collect(),
        (true, Some(l)) => l.iter().copied().filter(|n| *n < count).collect(),
        (true, None) => busiest(d, count, 16),
    };
    let lane = lane_height(LANE, lanes.len());
    let lane_y = |n: u32| lanes.iter().position(|x| *x == n).map(|i| TOP + lane * (i as f64 + 0.5));
    let h = TOP * 2.0 + lane * lanes.len().max(1) as f64;
    let font = lane_font(lane, LANE);
    let room = w - LEFT - RIGHT;
    let (scale, x) = (p.scale, |t: u64| p.scale.x(t, room));
    let shift = scale.shift(d.t1.0, room, w - RIGHT);
    let view_box = format!("0 0 {} {}", Fixed(w, 0), Fixed(h, 0));
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
    // Arrows in layers of ARROWS_PER_LAYER messages by id: a step adds, removes or changes
    // arrows in the newest layers only, and the browser paints again only those (one drawing
    // of thousands of arrows was painted whole at every step).
    // A layer whose arrows are drawn as before is not built again: its fingerprint covers
    // every arrow in it and where it goes.
    // A wide window's arrows are painted on a canvas instead (`arrowpaint.rs`), slid into place.
    let painted = p.span >= PAINTED_FROM;
    let mut strokes: Vec<Stroke> = Vec::new();
    let mut layers: std::collections::BTreeMap<u64, (u64, Vec<(usize, Placed)>)> =
        std::collections::BTreeMap::new();
    for (i, a) in d.arrows.iter().enumerate().filter(|(_, a)| shown(a)) {
        let (Some(y1), Some(y2)) = (lane_y(a.from.0), lane_y(a.to.0)) else { continue };
        let id = a.id.0;
        let placed = Placed {
            x1: x(a.sent.map(|s| s.1 .0).unwrap_or(d.t0.0)),
            x2: x(a.end.map(|e| e.1 .0).unwrap_or(d.t1.0)),
            y1,
            y2,
            picked: *picked == Some(id) || p.selected == Some(id),
            entry: entry == Some(id),
        };
        if painted {
            strokes.push(Stroke {
                index: i,
                id,
                from: (placed.x1 + shift, y1),
                to: (placed.x2 + shift, y2),
                color: message_style(a.kind).0,
                line: match (a.duplicate, a.sent) {
                    (true, _) => Line::Duplicate,
                    (false, None) => Line::Clipped,
                    (false, Some(_)) => Line::Whole,
                },
                dropped: matches!(a.fate, Fate::Dropped(_)),
                delivered: a.fate == Fate::Delivered,
                picked: placed.picked,
            });
            continue;
        }
        let layer = layers.entry(id / ARROWS_PER_LAYER).or_insert((0, Vec::new()));
        // (A message's kind and summary are the same wherever its arrow is drawn.)
        let drawn = (a.id, a.from, a.to, a.sent, a.end, a.fate, a.duplicate, a.changed);
        layer.0 = distlab_core::hash::digest(&(layer.0, drawn, placed.key()));
        layer.1.push((i, placed));
    }
    let names_print = *use_memo(p.names.clone(), distlab_core::hash::digest);
    // Each layer holds its own arrows: copied when its fingerprint changes, else the copy it
    // was last drawn from (a layer never keeps a whole old diagram alive).
    let drawn = {
        let mut kept = kept_layers.borrow_mut();
        kept.retain(|layer, _| layers.contains_key(layer));
        layers
            .into_iter()
            .map(|(layer, (print, placed))| {
                let print = print ^ names_print;
                let arrows = match kept.get(&layer) {
                    Some((was, arrows)) if *was == print => arrows.clone(),
                    _ => {
                        let arrows: Rc<Vec<(Arrow, Placed)>> = Rc::new(
                            placed
                                .iter()
                                .filter_map(|(i, at)| Some((d.arrows.get(*i)?.clone(), *at)))
                                .collect(),
                        );
                        kept.insert(layer, (print, arrows.clone()));
                        arrows
                    }
                };
                (layer, print, arrows)
            })
            .collect::<Vec<_>>()
    };
    // The painted arrows: a click (or Enter) goes to the arrow's event, as on a drawn one.
    let go_to = {
        let (send, picked, d) = (p.send.clone(), picked.clone(), p.diagram.clone());
        Callback::from(move |id: u64| {
            let Some(a) = d.arrows.iter().find(|a| a.id.0 == id) else { return };
            picked.set(Some(id));
            send.emit(Msg::Seek(seek_of(a)));
            send.emit(Msg::Select(Some(Selection::Node(a.to.0))));
        })
    };
    let canvas = painted.then(|| {
        let pick = {
            let picked = picked.clone();
            Callback::from(move |id: u64| picked.set(Some(id)))
        };
        html! { <ArrowCanvas strokes={Rc::new(strokes)} frame={(w, h)} diagram={p.diagram.clone()} names={names.clone()} on_pick={pick} on_go={go_to} /> }
    });
    let arrow_layers = drawn.into_iter().map(|(layer, print, arrows)| {
        html! { <ArrowLayer key={layer} fingerprint={print} {arrows} names={names.clone()} view_box={view_box.clone()} /> }
    });
    // Keyed by event and rank within it, so they too stay put as the window slides.
    let mut rank = (u64::MAX, 0);
    let marks = d.marks.iter().filter_map(|m| {
        rank = if rank.0 == m.event { (m.event, rank.1 + 1) } else { (m.event, 0) };
        let y = match m.node {
            Some(n) => Some(lane_y(n.0)?),
            None => None,
        };
        let key = format!("{}.{}", m.event, rank.1);
        Some(html! { <MarkView {key} mark={m.clone()} names={names.clone()} x={x(m.time.0)} {y} {h} /> })
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
        if let Some(svg) = closest(&e, ".st-slide") {
            focus_next(&svg, "[data-arrow]", &e, step);
            e.prevent_default();
        }
    });
    let picked_arrow = picked.and_then(|id| d.arrows.iter().find(|a| a.id.0 == id));
    let detail = picked_arrow.map(|a| {
        let sent = a.sent.map(|s| tf!("sent at #{} ({} ms)", s.0, Fixed(s.1 .0 as f64 / 1000.0, 2))).unwrap_or_else(|| t("sent before this window"));
        let end = a.end.map(|e| tf!("{} at #{} ({} ms)", fate_word(a), e.0, Fixed(e.1 .0 as f64 / 1000.0, 2))).unwrap_or_else(|| fate_word(a));
        let change = if a.changed {
            format!(" {}", tf!("It changed {}'s state: the inspector shows it after this delivery.", p.names[a.to.index()]))
        } else if a.fate == Fate::Delivered {
            format!(" {}", tf!("It left {}'s state unchanged.", p.names[a.to.index()]))
        } else {
            String::new()
        };
        html! {
            <p class="st-detail" id="st-detail"><b translate="no">{format!("{} #{}", a.kind, a.id.0)}</b>
                <span translate="no">{format!(" {} → {} {}", p.names[a.from.index()], p.names[a.to.index()], a.summary)}</span>
                {format!(" · {}{change}", tf!("{}, {}.", sent, end))}</p>
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
            <span class="swatch" style={format!("background:{color}")}></span><span translate="no">{k}</span></button> }
    });
    html! {
        <section class="spacetime" aria-label={t("Space-time diagram")} id="spacetime">
            <h2>{t("Space-time diagram")}<small>{format!(" · {}", tf!("events {}–{}, {}–{} ms · arrows: messages from send to delivery (× dropped, dashed: duplicate); ◆ timer ✕ crash ▲ restart ■ request. Click one to go there.", d.from + 1, d.to, Fixed(d.t0.0 as f64 / 1000.0, 1), Fixed(d.t1.0 as f64 / 1000.0, 1)))}</small></h2>
            <div class="row st-controls">
                <span class="st-label">{t("Events shown")}</span>{ for zoom }
            </div>
            if crowd {
                <LaneList lanes={lanes.clone()} count={p.names.len()} listed={listed.clone()} send={p.send.clone()} />
            } else {
                <div class="row st-controls"><span class="st-label">{t("Nodes")}</span>{ for node_chips }</div>
            }
            <div class="row st-controls"><span class="st-label">{t("Messages")}</span>{ for kind_chips }</div>
            <div class="scroll" ref={strip}>
                // Two drawings of one size, one over the other: the lanes, and the arrows and
                // marks, which slide as a whole (a CSS transform: the browser moves what it
                // painted rather than painting thousands of arrows again).
                <div class="st-stage">
                    <svg viewBox={view_box.clone()} class="st-svg" aria-hidden="true">
                        <g class="lanes">{ for lane_lines }</g>
                        <line class="now" x1={f1(w - RIGHT)} x2={f1(w - RIGHT)} y1="0" y2={f1(h)} />
                    </svg>
                    { for canvas }
                    <div class="st-slide" style={format!("transform:translateX({}%)", Fixed(shift / w * 100.0, 3))}
                         role="group" {onclick} {onkeydown}
                         aria-label={tf!("{} messages and {} marks between events {} and {}", d.arrows.len(), d.marks.len(), d.from + 1, d.to)}>
                        <svg viewBox={view_box.clone()} class="st-layer"><g class="marks">{ for marks }</g></svg>
                        { for arrow_layers }
                    </div>
                </div>
            </div>
            // One node whether or not an arrow is picked: a child list that changed length
            // would make Yew rebuild the drawing above (its siblings are matched from the end),
            // and its size observer would then measure a detached element as 0 wide. A live
            // region, so a screen reader reads each arrow the keys pick.
            <div aria-live="polite">{ detail.unwrap_or_default() }</div>
        </section>
    }
}

/// The time axis the space-time diagram and the history lane keep between steps: the share of
/// the drawing's width per microsecond, and the time drawn at x = 0 of their sliding groups. As
/// the window moves a group slides (one transform) and the arrows, marks and bars in it keep
/// their coordinates, so a step redraws only what came, went or changed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TimeScale {
    per_us: f64,
    origin: u64,
}

impl TimeScale {
    /// Where time `t` is drawn in a sliding group across `room` units.
    pub fn x(&self, t: u64, room: f64) -> f64 {
        (t as f64 - self.origin as f64) * self.per_us * room
    }

    /// How far to slide a group across `room` units that ends at `right` so that time `t1`
    /// is drawn there.
    pub fn shift(&self, t1: u64, room: f64, right: f64) -> f64 {
        right - self.x(t1, room)
    }

    /// `kept` while the window `t0 ..= t1` still fits the width at its scale and fills at
    /// least four fifths of it (and its coordinates stay small), or a new scale at which the
    /// window fills 92 %: a window of a few hundred events changes its duration by well under
    /// that from one step to the next, so most steps keep the scale.
    pub fn fit(kept: Option<TimeScale>, t0: u64, t1: u64) -> TimeScale {
        let ideal = 1.0 / t1.saturating_sub(t0).max(1) as f64;
        match kept {
            Some(s)
                if s.per_us <= ideal
                    && s.per_us >= ideal * 0.8
                    && s.x(t0, 1.0) > -1e3
                    && s.x(t1, 1.0) < 1e3 =>
            {
                s
            }
            _ => TimeScale { per_us: ideal * 0.92, origin: t0 },
        }
    }
}

/// The time axis for the window of `diagram`, kept from the last render while it fits.
#[hook]
pub fn use_time_scale(diagram: &Diagram) -> TimeScale {
    let kept = use_mut_ref(|| None::<TimeScale>);
    let mut kept = kept.borrow_mut();
    let scale = TimeScale::fit(*kept, diagram.t0.0, diagram.t1.0);
    *kept = Some(scale);
    scale
}

/// Where an arrow is drawn, and how.
#[derive(Clone, Copy, PartialEq)]
struct Placed {
    x1: f64,
    x2: f64,
    y1: f64,
    y2: f64,
    picked: bool,
    /// The diagram's one Tab stop.
    entry: bool,
}

impl Placed {
    fn key(&self) -> [u64; 5] {
        let flags = self.picked as u64 | (self.entry as u64) << 1;
        [self.x1.to_bits(), self.x2.to_bits(), self.y1.to_bits(), self.y2.to_bits(), flags]
    }
}

/// A layer of the diagram's arrows (see `ARROWS_PER_LAYER`). Equal when their fingerprints
/// are: the arrows, where they go and the names they show (the diagram changes at every
/// step; most layers do not).
#[derive(Properties)]
struct LayerProps {
    fingerprint: u64,
    arrows: Rc<Vec<(Arrow, Placed)>>,
    names: Rc<Vec<String>>,
    view_box: String,
}

impl PartialEq for LayerProps {
    fn eq(&self, other: &Self) -> bool {
        self.fingerprint == other.fingerprint && self.view_box == other.view_box
    }
}

#[function_component(ArrowLayer)]
fn arrow_layer(p: &LayerProps) -> Html {
    crate::lang::use_lang();
    let arrows = p.arrows.iter().map(|(a, at)| {
        // Keyed by message, and drawn in coordinates that stay put as the window slides: a
        // step redraws only the arrows that came, went or changed.
        html! {
            <ArrowView key={a.id.0} arrow={a.clone()} names={p.names.clone()} at={*at} />
        }
    });
    html! { <svg viewBox={p.view_box.clone()} class="st-layer"><g class="arrows">{ for arrows }</g></svg> }
}

/// An arrow and where to draw it. It holds its own copy of the arrow (not the diagram it came
/// from): props equal to the last ones are kept, and would keep an old diagram alive.
#[derive(Properties, PartialEq)]
struct ArrowProps {
    arrow: Arrow,
    names: Rc<Vec<String>>,
    at: Placed,
}

#[function_component(ArrowView)]
fn arrow_view(p: &ArrowProps) -> Html {
    crate::lang::use_lang();
    let a = &p.arrow;
    let (color, _) = message_style(a.kind);
    let id = a.id.0;
    let target = seek_of(a);
    let title = arrow_title(a, &p.names);
    let at = &p.at;
    let (x1, x2, y1, y2) = (f1(at.x1), f1(at.x2), f1(at.y1), f1(at.y2));
    let cross = matches!(a.fate, Fate::Dropped(_)).then(|| {
        html! { <text class="cross" x={x2.clone()} y={f1(at.y2 + 5.0)}>{"×"}</text> }
    });
    let class = classes!(
        "arrow",
        a.duplicate.then_some("dup"),
        a.sent.is_none().then_some("clipped"),
        matches!(a.fate, Fate::Dropped(_)).then_some("dropped"),
        at.picked.then_some("picked")
    );
    html! {
        <g {class} role="button" tabindex={if at.entry { "0" } else { "-1" }} aria-label={title.clone()} data-kind={a.kind} translate="no"
           data-arrow={id.to_string()} data-seek={target.to_string()} data-to={a.to.0.to_string()}>
            <title>{title}</title>
            <line x1={x1.clone()} y1={y1.clone()} x2={x2.clone()} y2={y2.clone()} stroke={color} />
            <line class="hit" {x1} {y1} x2={x2.clone()} y2={y2.clone()} />
            if a.fate == Fate::Delivered { <circle cx={x2} cy={y2} r="3" fill={color} /> }
            { for cross }
        </g>
    }
}

#[derive(Properties, PartialEq)]
struct MarkProps {
    mark: Mark,
    names: Rc<Vec<String>>,
    x: f64,
    /// Its lane's middle; none for a mark across every lane.
    y: Option<f64>,
    h: f64,
}

#[function_component(MarkView)]
fn mark_view(p: &MarkProps) -> Html {
    crate::lang::use_lang();
    let m = &p.mark;
    let event = m.event;
    let title = format!(
        "#{event} · {}{}",
        m.node
            .map(|n| format!("{}: ", p.names.get(n.index()).cloned().unwrap_or_default()))
            .unwrap_or_default(),
        t(&m.label)
    );
    let Some(y) = p.y else {
        return html! {
            <g class="mark violation" data-seek={event.to_string()}><title>{title}</title>
                <line x1={f1(p.x)} x2={f1(p.x)} y1="0" y2={f1(p.h)} /></g>
        };
    };
    let (class, glyph) = match m.kind {
        MarkKind::Timer => ("timer", "◆"),
        MarkKind::Crash => ("crash", "✕"),
        MarkKind::Restart => ("restart", "▲"),
        MarkKind::Client => ("client", "■"),
        MarkKind::Violation => ("violation", "!"),
    };
    html! {
        <text class={classes!("mark", class)} x={f1(p.x)} y={f1(y + 4.0)} data-seek={event.to_string()}>
            <title>{title}</title>{glyph}
        </text>
    }
}
