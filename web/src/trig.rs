//! Sine and cosine for drawing. A short polynomial after range reduction is accurate to about
//! 1e-9 on the page's angles and keeps the general-purpose implementations (several kilobytes of
//! wasm for arguments the page never has) out of the build.

use std::f64::consts::{FRAC_PI_2, PI, TAU};

fn sin_folded(x: f64) -> f64 {
    // x in [-π/2, π/2]: Taylor series to x^15.
    let x2 = x * x;
    let mut term = x;
    let mut sum = x;
    for k in 1..8 {
        let k = k as f64;
        term *= -x2 / ((2.0 * k) * (2.0 * k + 1.0));
        sum += term;
    }
    sum
}

pub fn sin(x: f64) -> f64 {
    let mut a = x % TAU;
    if a > PI {
        a -= TAU;
    } else if a < -PI {
        a += TAU;
    }
    let folded = if a > FRAC_PI_2 {
        PI - a
    } else if a < -FRAC_PI_2 {
        -PI - a
    } else {
        a
    };
    sin_folded(folded)
}

pub fn cos(x: f64) -> f64 {
    sin(x + FRAC_PI_2)
}

/// 10^x for the speed slider (−2 ≤ x ≤ 2).
pub fn pow10(x: f64) -> f64 {
    let whole = x.floor();
    let frac = x - whole;
    // 10^frac = e^(frac·ln 10), frac in [0, 1): series converges quickly.
    let y = frac * std::f64::consts::LN_10;
    let (mut term, mut sum) = (1.0, 1.0);
    for k in 1..25 {
        term *= y / k as f64;
        sum += term;
    }
    sum * 10f64.powi(whole as i32)
}

#[cfg(test)]
#[allow(clippy::disallowed_methods)] // the general functions are what these are checked against
mod tests {
    use super::*;

    #[test]
    fn matches_std() {
        for i in -2000..2000 {
            let x = i as f64 * 0.01;
            assert!((sin(x) - x.sin()).abs() < 1e-9, "sin {x}");
            assert!((cos(x) - x.cos()).abs() < 1e-9, "cos {x}");
        }
        for i in -200..=200 {
            let x = i as f64 * 0.01;
            assert!((pow10(x) / 10f64.powf(x) - 1.0).abs() < 1e-12, "pow10 {x}");
        }
    }
}
