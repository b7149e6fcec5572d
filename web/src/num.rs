//! Numbers for SVG attributes and labels: see [`Fixed`] and [`Short`].

pub use distlab_core::fixed::{Fixed, Short};

/// `x` with one decimal, as a string (an SVG coordinate).
pub fn f1(x: f64) -> String {
    Fixed(x, 1).to_string()
}

/// `x` with as few decimals as it needs: a form value.
pub fn short(x: f64) -> String {
    Short(x).to_string()
}

/// Points as an SVG `polyline`'s `points` attribute ("x,y x,y …", two decimals).
pub fn polyline(points: &[(f64, f64)]) -> String {
    points.iter().map(|(x, y)| format!("{},{}", Fixed(*x, 2), Fixed(*y, 2))).collect::<Vec<_>>().join(" ")
}
