//! What the views that paint on a canvas share (a crowd's messages and nodes, a big space-time
//! diagram's arrows): a canvas sized to the device's pixels with a drawing fitted into it, and
//! paths of one colour at a time.

use wasm_bindgen::JsCast;

/// A place in drawing units.
pub type Point = (f64, f64);

/// How a drawing of `frame` (width, height) sits in a box of `w` × `h` CSS pixels, as an SVG
/// drawing does (`xMidYMid meet`): the scale and the offsets.
pub fn fit(frame: (f64, f64), w: f64, h: f64) -> (f64, f64, f64) {
    let k = (w / frame.0).min(h / frame.1);
    (k, (w - frame.0 * k) / 2.0, (h - frame.1 * k) / 2.0)
}

/// The canvas `c`, of CSS size `(w, h)` (from a `ResizeObserver`, so painting never asks the
/// page for its layout), cleared at the device's pixel ratio, with the drawing of `frame`
/// fitted into it: its 2D context, ready to paint in drawing units.
pub fn begin(
    c: &web_sys::HtmlCanvasElement,
    frame: (f64, f64),
    (w, h): (f64, f64),
) -> Option<web_sys::CanvasRenderingContext2d> {
    let dpr = web_sys::window().map_or(1.0, |w| w.device_pixel_ratio()).clamp(1.0, 3.0);
    let (pw, ph) = ((w * dpr).round() as u32, (h * dpr).round() as u32);
    if c.width() != pw || c.height() != ph {
        c.set_width(pw);
        c.set_height(ph);
    }
    let ctx = c.get_context("2d").ok().flatten()?.dyn_into::<web_sys::CanvasRenderingContext2d>().ok()?;
    let _ = ctx.set_transform(1.0, 0.0, 0.0, 1.0, 0.0, 0.0);
    ctx.clear_rect(0.0, 0.0, pw as f64, ph as f64);
    let (k, ox, oy) = fit(frame, w, h);
    let _ = ctx.set_transform(k * dpr, 0.0, 0.0, k * dpr, ox * dpr, oy * dpr);
    Some(ctx)
}

/// Begin a path of circles of radius `r` around `centres` (one path: one fill or stroke).
pub fn circles(ctx: &web_sys::CanvasRenderingContext2d, centres: impl Iterator<Item = Point>, r: f64) {
    ctx.begin_path();
    for (x, y) in centres {
        ctx.move_to(x + r, y);
        let _ = ctx.arc(x, y, r, 0.0, std::f64::consts::TAU);
    }
}

/// The distinct values among `all`, in their first order (the colours to paint, one path
/// each).
pub fn distinct<T: PartialEq + Copy>(all: impl Iterator<Item = T>) -> Vec<T> {
    let mut out: Vec<T> = Vec::new();
    for c in all {
        if !out.contains(&c) {
            out.push(c);
        }
    }
    out
}

/// Where a mouse event on the drawing's box `el` lands, in drawing units.
pub fn at(e: &web_sys::Event, el: &web_sys::Element, frame: (f64, f64)) -> Option<Point> {
    let m = e.dyn_ref::<web_sys::MouseEvent>()?;
    let r = el.get_bounding_client_rect();
    let (k, ox, oy) = fit(frame, r.width(), r.height());
    Some(((m.client_x() as f64 - r.left() - ox) / k, (m.client_y() as f64 - r.top() - oy) / k))
}

/// Where ↑ or ↓ moves a pick among `n` items from index `at` (nothing picked: the first, or the
/// last), wrapping round; `None` for any other key, or when there is nothing to pick.
pub fn step(key: &str, at: Option<usize>, n: usize) -> Option<usize> {
    if n == 0 {
        return None;
    }
    match key {
        "ArrowDown" => Some(at.map_or(0, |i| (i + 1) % n)),
        "ArrowUp" => Some(at.map_or(n - 1, |i| (i + n - 1) % n)),
        _ => None,
    }
}

/// The pick a painted canvas's keys move from: (the pick this render was given, the latest
/// one the keys made). Keys pressed faster than a repaint would otherwise each start from the
/// render's stale pick and be lost; a new pick from outside (a click, the inspector) takes
/// over.
#[yew::hook]
pub fn use_latest_pick<T: Clone + PartialEq + 'static>(
    given: Option<T>,
) -> std::rc::Rc<std::cell::RefCell<(Option<T>, Option<T>)>> {
    let picked = yew::use_mut_ref(|| (None::<T>, None::<T>));
    {
        let mut p = picked.borrow_mut();
        if p.0 != given {
            *p = (given.clone(), given);
        }
    }
    picked
}
