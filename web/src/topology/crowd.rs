//! A crowd's canvas (more than [`super::layout::CROWD`] nodes): its messages in flight as dots,
//! who doubts the node the colours are about, and, past [`super::layout::MASS`], the nodes
//! themselves, because hundreds of SVG elements cost more than a frame; and the hit tests that
//! find the dot or node under the pointer.

use yew::prelude::*;

use crate::canvas::{at, begin, circles, distinct as colours, Point};

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
    let Some(ctx) = begin(c, frame, (w, h)) else { return };
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
