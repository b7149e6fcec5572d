//! Numbers for SVG attributes and labels: see [`Fixed`] and [`Short`].

use distlab_core::echo::Echo;
pub use distlab_core::fixed::{Fixed, Short};

/// `x` with one decimal, as a string (an SVG coordinate).
/// Microseconds of virtual time as milliseconds, to a tenth ("213.9 ms").
pub fn ms(us: u64) -> String {
    format!("{} ms", Fixed(us as f64 / 1000.0, 1))
}

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

/// Parse a count field: a whole number in `min..=max`, else a message naming the field.
pub fn parse_count(field: &str, text: &str, min: usize, max: usize) -> Result<usize, String> {
    match text.trim().parse::<usize>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(format!("{field} must be a whole number from {min} to {max} (got {})", Echo(text))),
    }
}

/// Parse a seed: a whole number from 0 to 2^53 (what a URL or a form can carry exactly).
pub fn parse_seed(text: &str) -> Result<u64, String> {
    const MAX: u64 = 1 << 53;
    match text.trim().parse::<u64>() {
        Ok(n) if n <= MAX => Ok(n),
        _ => Err(format!("the seed must be a whole number from 0 to {MAX} (got {})", Echo(text))),
    }
}
