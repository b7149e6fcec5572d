//! The space-time diagram's arrows painted on a canvas, for the wide windows (thousands of
//! arrows): as SVG elements the browser styled, laid out and painted thousands of elements at
//! every step; painted, a step costs one pass over the arrows. The canvas keeps what the SVG
//! arrows offer: a click on an arrow goes to its event, the pointer shows what an arrow is, and
//! the keyboard picks one (↑ and ↓) and goes to it (Enter).

use std::rc::Rc;

use distlab_core::diagram::{Arrow, Diagram, Fate};
use distlab_core::trace::DropReason;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::canvas::{at, begin, distinct, Point};
use crate::i18n::t;
use crate::tf;

/// What became of a message, in words.
pub fn fate_word(a: &Arrow) -> String {
    match a.fate {
        Fate::Delivered => t("delivered"),
        Fate::InFlight => t("still in flight"),
        Fate::Dropped(DropReason::Loss) => t("dropped (loss)"),
        Fate::Dropped(DropReason::Partition) => t("dropped (partition)"),
        Fate::Dropped(DropReason::Crashed) => t("dropped (crashed)"),
        Fate::Dropped(DropReason::User) => t("dropped (user)"),
    }
}

/// An arrow's title: its kind, ends, summary and fate.
pub fn arrow_title(a: &Arrow, names: &[String]) -> String {
    let name = |n: distlab_core::protocol::NodeId| names.get(n.index()).cloned().unwrap_or_default();
    format!(
        "{} {} → {} {} · {}{}",
        a.kind,
        name(a.from),
        name(a.to),
        a.summary,
        fate_word(a),
        if a.duplicate { format!(" · {}", t("a duplicate")) } else { String::new() }
    )
}

/// How an arrow's line is drawn: whole, dashed (a duplicate) or dotted (sent before the
/// window).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Line {
    Whole,
    Duplicate,
    Clipped,
}

/// An arrow as the canvas paints it, in the diagram's drawing units with the time axis slid
/// into place; `index` is its place in the diagram's arrows.
#[derive(Clone, Debug, PartialEq)]
pub struct Stroke {
    pub index: usize,
    pub id: u64,
    pub from: Point,
    pub to: Point,
    pub color: &'static str,
    pub line: Line,
    pub dropped: bool,
    pub delivered: bool,
    pub picked: bool,
}

/// How far from an arrow, in drawing units, the pointer still picks it (the SVG arrows' hit
/// line is 9 wide).
pub const REACH: f64 = 5.0;

/// The arrow nearest `p` within `reach` (on a tie, the one painted last, on top): its place
/// in `strokes`.
pub fn nearest(strokes: &[Stroke], p: Point, reach: f64) -> Option<usize> {
    let mut best: Option<(usize, f64)> = None;
    for (i, s) in strokes.iter().enumerate() {
        let d = segment_distance(p, s.from, s.to);
        if d <= reach && best.is_none_or(|(_, b)| d <= b) {
            best = Some((i, d));
        }
    }
    best.map(|(i, _)| i)
}

/// The distance from `p` to the segment `a`–`b`.
pub fn segment_distance(p: Point, a: Point, b: Point) -> f64 {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let len2 = dx * dx + dy * dy;
    let k = if len2 > 0.0 { (((p.0 - a.0) * dx + (p.1 - a.1) * dy) / len2).clamp(0.0, 1.0) } else { 0.0 };
    let (x, y) = (a.0 + k * dx, a.1 + k * dy);
    ((p.0 - x) * (p.0 - x) + (p.1 - y) * (p.1 - y)).sqrt()
}

/// The dash pattern of a line, as the SVG arrows' stylesheet has it.
fn dashes(line: Line) -> js_sys::Array {
    match line {
        Line::Whole => js_sys::Array::new(),
        Line::Duplicate => js_sys::Array::of2(&5.0.into(), &3.0.into()),
        Line::Clipped => js_sys::Array::of2(&2.0.into(), &3.0.into()),
    }
}

/// The dropped ends' crosses: between the stylesheet's "bad" of the dark theme (#ff5d5d) and
/// of the light one (#c0392b), readable on both.
const CROSS: &str = "#e0483e";

/// Paint the arrows on a canvas of CSS size `size` showing the drawing `frame`: one path per
/// colour and line, the delivered ends as dots, the dropped ends as crosses, the picked arrow
/// thick on top.
fn paint(c: &web_sys::HtmlCanvasElement, frame: (f64, f64), size: (f64, f64), strokes: &[Stroke]) {
    let Some(ctx) = begin(c, frame, size) else { return };
    ctx.set_line_width(1.6);
    for (color, line, dropped) in distinct(strokes.iter().map(|s| (s.color, s.line, s.dropped))) {
        let _ = ctx.set_line_dash(&dashes(line));
        ctx.set_global_alpha(if dropped { 0.7 } else { 1.0 });
        ctx.begin_path();
        for s in strokes.iter().filter(|s| (s.color, s.line, s.dropped) == (color, line, dropped)) {
            ctx.move_to(s.from.0, s.from.1);
            ctx.line_to(s.to.0, s.to.1);
        }
        ctx.set_stroke_style_str(color);
        ctx.stroke();
    }
    ctx.set_global_alpha(1.0);
    let _ = ctx.set_line_dash(&js_sys::Array::new());
    // The delivered ends as small squares: thousands of circles cost the rasteriser more, and
    // at this density a dot of 5 units reads the same.
    for color in distinct(strokes.iter().filter(|s| s.delivered).map(|s| s.color)) {
        ctx.begin_path();
        for s in strokes.iter().filter(|s| s.delivered && s.color == color) {
            ctx.rect(s.to.0 - 2.5, s.to.1 - 2.5, 5.0, 5.0);
        }
        ctx.set_fill_style_str(color);
        ctx.fill();
    }
    ctx.set_font("700 15px system-ui, sans-serif");
    ctx.set_text_align("center");
    ctx.set_fill_style_str(CROSS);
    for s in strokes.iter().filter(|s| s.dropped) {
        let _ = ctx.fill_text("×", s.to.0, s.to.1 + 5.0);
    }
    if let Some(s) = strokes.iter().find(|s| s.picked) {
        let _ = ctx.set_line_dash(&dashes(s.line));
        ctx.set_line_width(4.0);
        ctx.begin_path();
        ctx.move_to(s.from.0, s.from.1);
        ctx.line_to(s.to.0, s.to.1);
        ctx.set_stroke_style_str(s.color);
        ctx.stroke();
    }
}

#[derive(Properties, PartialEq)]
pub struct ArrowCanvasProps {
    pub strokes: Rc<Vec<Stroke>>,
    /// The drawing's size in units (the lanes' SVG viewBox).
    pub frame: (f64, f64),
    pub diagram: Rc<Diagram>,
    pub names: Rc<Vec<String>>,
    /// An arrow picked by the keyboard (its id): shown, not gone to.
    pub on_pick: Callback<u64>,
    /// An arrow clicked, or Enter on the picked one: go to its event.
    pub on_go: Callback<u64>,
}

/// The arrows of a wide window, painted. One Tab stop; its label says how to pick an arrow.
#[function_component(ArrowCanvas)]
pub fn arrow_canvas(p: &ArrowCanvasProps) -> Html {
    crate::lang::use_lang();
    let canvas = use_node_ref();
    let size = crate::hooks::use_size(canvas.clone(), true);
    {
        let (canvas, frame) = (canvas.clone(), p.frame);
        use_effect_with((p.strokes.clone(), size, frame), move |(strokes, size, frame)| {
            let Some(c) = canvas.cast::<web_sys::HtmlCanvasElement>() else { return };
            let Some(size) = size else { return };
            paint(&c, *frame, *size, strokes);
        });
    }
    // The arrow under the pointer, if any: its id.
    let under = {
        let (strokes, frame) = (p.strokes.clone(), p.frame);
        move |e: &Event| {
            let el: web_sys::Element = e.target()?.dyn_into().ok()?;
            let i = nearest(&strokes, at(e, &el, frame)?, REACH)?;
            Some(strokes[i].clone())
        }
    };
    let onclick = {
        let (under, go) = (under.clone(), p.on_go.clone());
        Callback::from(move |e: MouseEvent| {
            if let Some(s) = under(&e) {
                go.emit(s.id);
            }
        })
    };
    // The pointer's arrow, as the canvas's tooltip (set only when it changes).
    let onmousemove = {
        let (diagram, names) = (p.diagram.clone(), p.names.clone());
        Callback::from(move |e: MouseEvent| {
            let title = under(&e)
                .and_then(|s| diagram.arrows.get(s.index))
                .map(|a| arrow_title(a, &names))
                .unwrap_or_default();
            let Some(el) = e.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) else { return };
            if el.get_attribute("title").unwrap_or_default() != title {
                let _ = el.set_attribute("title", &title);
                let _ = el.set_attribute("style", if title.is_empty() { "" } else { "cursor:pointer" });
            }
        })
    };
    // The keys move from the latest pick: 4,000 arrows repaint slower than keys repeat.
    let picked = crate::canvas::use_latest_pick(p.strokes.iter().find(|s| s.picked).map(|s| s.id));
    let onkeydown = {
        let (strokes, pick, go) = (p.strokes.clone(), p.on_pick.clone(), p.on_go.clone());
        Callback::from(move |e: KeyboardEvent| {
            let latest = picked.borrow().1;
            let at = latest.and_then(|id| strokes.iter().position(|s| s.id == id));
            let key = e.key();
            if key == "Enter" {
                if let Some(id) = at.and(latest) {
                    go.emit(id);
                    e.prevent_default();
                }
                return;
            }
            let Some(next) = crate::canvas::step(&key, at, strokes.len()) else { return };
            let id = strokes[next].id;
            picked.borrow_mut().1 = Some(id);
            pick.emit(id);
            e.prevent_default();
        })
    };
    let label = tf!(
        "{} messages, painted. Up and Down pick one, Enter goes to its event; a click on an arrow goes there.",
        p.strokes.len()
    );
    html! {
        <canvas ref={canvas} class="st-canvas" tabindex="0" role="group" aria-label={label}
                data-arrows={p.strokes.len().to_string()} {onclick} {onmousemove} {onkeydown}></canvas>
    }
}
