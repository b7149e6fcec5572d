//! A crowd's canvas (more than [`super::layout::CROWD`] nodes): its messages in flight as dots,
//! who doubts the node the colours are about, and, past [`super::layout::MASS`], the nodes
//! themselves, because hundreds of SVG elements cost more than a frame; and the hit tests that
//! find the dot or node under the pointer.

use wasm_bindgen::JsCast;
use yew::prelude::*;

/// A message drawn as a dot on the crowd's canvas, in drawing coordinates.
#[derive(PartialEq)]
pub struct Dot {
    pub id: u64,
    pub x: f64,
    pub y: f64,
    pub color: &'static str,
}

/// A dot's radius, in drawing units.
pub const DOT: f64 = 6.0;

/// How a drawing of `frame` (width, height) sits in a box of `w` × `h` CSS pixels, as the SVG
/// beneath it does (`xMidYMid meet`): the scale and the offsets.
pub fn fit(frame: (f64, f64), w: f64, h: f64) -> (f64, f64, f64) {
    let k = (w / frame.0).min(h / frame.1);
    (k, (w - frame.0 * k) / 2.0, (h - frame.1 * k) / 2.0)
}

/// A place in drawing units.
pub type Point = (f64, f64);

/// A node painted on the canvas (a mass of them, past [`super::layout::MASS`]).
#[derive(PartialEq)]
pub struct Disk {
    pub x: f64,
    pub y: f64,
    pub fill: &'static str,
    /// An outline: the node the colours are about, a picked one, one cut off by a partition.
    pub ring: Option<&'static str>,
}

/// Everything the crowd's canvas shows: from a node that doubts the one the colours are about,
/// a thin line to it (orange in doubt, vermilion declared gone); the mass of nodes, if they
/// are painted here; the messages in flight, the selected one ringed.
#[derive(PartialEq, Default)]
pub struct Scene {
    pub lines: Vec<(Point, Point, &'static str)>,
    pub disks: Vec<Disk>,
    /// Words written beside a node (at its centre, past its rim): a name, an incarnation.
    pub labels: Vec<(Point, String)>,
    /// The disks' radius, in drawing units.
    pub radius: f64,
    pub dots: Vec<Dot>,
    pub selected: Option<u64>,
}

/// Paint the scene on a canvas of CSS size `(w, h)` (from a `ResizeObserver`, so painting
/// never asks the page for its layout), at the device's pixel ratio.
pub fn paint(c: &web_sys::HtmlCanvasElement, frame: (f64, f64), (w, h): (f64, f64), scene: &Scene) {
    let dpr = web_sys::window().map_or(1.0, |w| w.device_pixel_ratio()).clamp(1.0, 3.0);
    let (pw, ph) = ((w * dpr).round() as u32, (h * dpr).round() as u32);
    if c.width() != pw || c.height() != ph {
        c.set_width(pw);
        c.set_height(ph);
    }
    let Some(ctx) = c
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|x| x.dyn_into::<web_sys::CanvasRenderingContext2d>().ok())
    else {
        return;
    };
    let _ = ctx.set_transform(1.0, 0.0, 0.0, 1.0, 0.0, 0.0);
    ctx.clear_rect(0.0, 0.0, pw as f64, ph as f64);
    let (k, ox, oy) = fit(frame, w, h);
    let _ = ctx.set_transform(k * dpr, 0.0, 0.0, k * dpr, ox * dpr, oy * dpr);
    // One path per colour throughout: a handful of strokes and fills, not one per shape.
    ctx.set_global_alpha(0.45);
    ctx.set_line_width(1.5);
    for color in colours(scene.lines.iter().map(|l| l.2)) {
        ctx.begin_path();
        for (a, b, _) in scene.lines.iter().filter(|l| l.2 == color) {
            ctx.move_to(a.0, a.1);
            ctx.line_to(b.0, b.1);
        }
        ctx.set_stroke_style_str(color);
        ctx.stroke();
    }
    ctx.set_global_alpha(1.0);
    let r = scene.radius;
    for color in colours(scene.disks.iter().map(|d| d.fill)) {
        circles(&ctx, scene.disks.iter().filter(|d| d.fill == color).map(|d| (d.x, d.y)), r);
        ctx.set_fill_style_str(color);
        ctx.fill();
    }
    ctx.set_line_width(3.0);
    for color in colours(scene.disks.iter().filter_map(|d| d.ring)) {
        circles(&ctx, scene.disks.iter().filter(|d| d.ring == Some(color)).map(|d| (d.x, d.y)), r + 3.0);
        ctx.set_stroke_style_str(color);
        ctx.stroke();
    }
    // Labels on a halo of the background's opposite, so they read on either theme.
    ctx.set_font("600 22px system-ui, sans-serif");
    ctx.set_text_baseline("middle");
    ctx.set_line_width(5.0);
    ctx.set_stroke_style_str("rgba(255,255,255,0.85)");
    ctx.set_fill_style_str("#111");
    for ((x, y), label) in &scene.labels {
        let _ = ctx.stroke_text(label, x + r + 5.0, *y);
        let _ = ctx.fill_text(label, x + r + 5.0, *y);
    }
    ctx.set_stroke_style_str("#fff");
    ctx.set_line_width(2.0);
    for color in colours(scene.dots.iter().map(|d| d.color)) {
        circles(&ctx, scene.dots.iter().filter(|d| d.color == color).map(|d| (d.x, d.y)), DOT);
        ctx.set_fill_style_str(color);
        ctx.fill();
        ctx.stroke();
    }
    if let Some(d) = scene.dots.iter().find(|d| Some(d.id) == scene.selected) {
        ctx.begin_path();
        let _ = ctx.arc(d.x, d.y, DOT + 3.0, 0.0, std::f64::consts::TAU);
        ctx.set_stroke_style_str("#ffd166");
        ctx.set_line_width(4.0);
        ctx.stroke();
    }
}

/// Begin a path of circles of radius `r` around `centres` (one path: one fill or stroke).
fn circles(ctx: &web_sys::CanvasRenderingContext2d, centres: impl Iterator<Item = Point>, r: f64) {
    ctx.begin_path();
    for (x, y) in centres {
        ctx.move_to(x + r, y);
        let _ = ctx.arc(x, y, r, 0.0, std::f64::consts::TAU);
    }
}

/// The distinct colours among `all`, in their first order.
fn colours(all: impl Iterator<Item = &'static str>) -> Vec<&'static str> {
    let mut out: Vec<&str> = Vec::new();
    for c in all {
        if !out.contains(&c) {
            out.push(c);
        }
    }
    out
}

/// Where a mouse event on the drawing's box `el` lands, in drawing units.
fn at(e: &Event, el: &web_sys::Element, frame: (f64, f64)) -> Option<(f64, f64)> {
    let m = e.dyn_ref::<MouseEvent>()?;
    let r = el.get_bounding_client_rect();
    let (k, ox, oy) = fit(frame, r.width(), r.height());
    Some(((m.client_x() as f64 - r.left() - ox) / k, (m.client_y() as f64 - r.top() - oy) / k))
}

/// The painted node under a mouse event, within a few units of its rim: its index.
pub fn disk_at(e: &Event, el: &web_sys::Element, frame: (f64, f64), scene: &Scene) -> Option<u32> {
    let (x, y) = at(e, el, frame)?;
    let d2 = |d: &Disk| (d.x - x) * (d.x - x) + (d.y - y) * (d.y - y);
    let reach = (scene.radius + 3.0) * (scene.radius + 3.0);
    let hits = scene.disks.iter().enumerate().filter(|(_, d)| d2(d) <= reach);
    hits.min_by(|a, b| d2(a.1).total_cmp(&d2(b.1))).map(|(i, _)| i as u32)
}

/// The dot under a mouse event on the drawing's box `el` (within a few units of its rim),
/// nearest first.
pub fn dot_at(e: &Event, el: &web_sys::Element, frame: (f64, f64), dots: &[Dot]) -> Option<u64> {
    let (x, y) = at(e, el, frame)?;
    let d2 = |d: &Dot| (d.x - x) * (d.x - x) + (d.y - y) * (d.y - y);
    dots.iter()
        .filter(|d| d2(d) <= (DOT + 4.0) * (DOT + 4.0))
        .min_by(|a, b| d2(a).total_cmp(&d2(b)))
        .map(|d| d.id)
}
