//! A crowd's messages in flight (more than [`super::layout::CROWD`] nodes): dots painted on one
//! canvas, because hundreds of moving SVG elements cost more than a frame, and the hit test
//! that finds the dot under the pointer.

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

/// Paint the dots on a canvas of CSS size `(w, h)` (from a `ResizeObserver`, so painting
/// never asks the page for its layout), at the device's pixel ratio; the selected one ringed.
pub fn paint_dots(
    c: &web_sys::HtmlCanvasElement,
    frame: (f64, f64),
    (w, h): (f64, f64),
    dots: &[Dot],
    selected: Option<u64>,
) {
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
    ctx.set_stroke_style_str("#fff");
    ctx.set_line_width(2.0);
    // One path per colour: a handful of fills and strokes, not one per dot.
    let mut colors: Vec<&str> = Vec::new();
    for d in dots {
        if !colors.contains(&d.color) {
            colors.push(d.color);
        }
    }
    for color in colors {
        ctx.begin_path();
        for d in dots.iter().filter(|d| d.color == color) {
            ctx.move_to(d.x + DOT, d.y);
            let _ = ctx.arc(d.x, d.y, DOT, 0.0, std::f64::consts::TAU);
        }
        ctx.set_fill_style_str(color);
        ctx.fill();
        ctx.stroke();
    }
    if let Some(d) = dots.iter().find(|d| Some(d.id) == selected) {
        ctx.begin_path();
        let _ = ctx.arc(d.x, d.y, DOT + 3.0, 0.0, std::f64::consts::TAU);
        ctx.set_stroke_style_str("#ffd166");
        ctx.set_line_width(4.0);
        ctx.stroke();
    }
}

/// The dot under a mouse event on the drawing's box `el` (within a few units of its rim),
/// nearest first.
pub fn dot_at(e: &Event, el: &web_sys::Element, frame: (f64, f64), dots: &[Dot]) -> Option<u64> {
    let m = e.dyn_ref::<MouseEvent>()?;
    let r = el.get_bounding_client_rect();
    let (k, ox, oy) = fit(frame, r.width(), r.height());
    let x = (m.client_x() as f64 - r.left() - ox) / k;
    let y = (m.client_y() as f64 - r.top() - oy) / k;
    let d2 = |d: &Dot| (d.x - x) * (d.x - x) + (d.y - y) * (d.y - y);
    dots.iter()
        .filter(|d| d2(d) <= (DOT + 4.0) * (DOT + 4.0))
        .min_by(|a, b| d2(a).total_cmp(&d2(b)))
        .map(|d| d.id)
}
