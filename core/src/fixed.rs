//! Numbers with a fixed number of decimals, written by integer arithmetic. The general float
//! formatting of `core::fmt` is slow (the page writes hundreds of coordinates a frame) and
//! large in wasm; everything the page and the core show goes through [`Fixed`] instead.

use core::fmt;

/// `Fixed(x, d)` displays `x` rounded to `d` decimals (at most 6), e.g. `Fixed(-2.345, 1)` is
/// `-2.3`. Values beyond ±9e12, and NaN, display as 0: nothing on the page is that large.
#[derive(Clone, Copy, Debug)]
pub struct Fixed(pub f64, pub u8);

impl fmt::Display for Fixed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.1.min(6) as u32;
        let scale = 10u64.pow(d);
        let x = self.0;
        let scaled = x.abs() * scale as f64 + 0.5;
        if x.is_nan() || x.abs() > 9e12 {
            return f.write_str("0");
        }
        let n = scaled as u64;
        if n == 0 {
            return f.write_str(if d == 0 { "0" } else { &"0.000000"[..2 + d as usize] });
        }
        let (int, frac) = (n / scale, n % scale);
        if x < 0.0 {
            f.write_str("-")?;
        }
        if d == 0 {
            write!(f, "{int}")
        } else {
            write!(f, "{int}.{frac:0width$}", width = d as usize)
        }
    }
}

/// `Short(x)` displays `x` with as few decimals as it needs, up to six (`0.5`, `-2`, `0.99`):
/// a value the user typed, shown back.
#[derive(Clone, Copy, Debug)]
pub struct Short(pub f64);

impl fmt::Display for Short {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut buf = alloc::string::String::new();
        fmt::write(&mut buf, format_args!("{}", Fixed(self.0, 6)))?;
        let s = if buf.contains('.') { buf.trim_end_matches('0').trim_end_matches('.') } else { &buf };
        f.write_str(if s == "-0" { "0" } else { s })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;
    use alloc::string::ToString;

    #[test]
    fn matches_core_formatting_on_ordinary_values() {
        for x in [0.0, 1.0, -1.0, 0.04, 0.05, 0.96, 12.345, -12.345, 459.99, 1e6 + 0.25, -0.04, 3.0e-7] {
            for d in 0..=4u8 {
                let want = format!("{x:.*}", d as usize);
                let got = Fixed(x, d).to_string();
                // Rounding ties may differ (core rounds the exact binary value); values agree
                // to the last digit otherwise.
                let close = (got.parse::<f64>().unwrap() - want.parse::<f64>().unwrap()).abs()
                    <= 1.01 / 10f64.powi(d as i32);
                assert!(close, "{x} with {d} decimals: {got} vs {want}");
                let tie = ((x.abs() * 10f64.powi(d as i32)).fract() - 0.5).abs() < 1e-9;
                if !tie {
                    assert_eq!(got.trim_start_matches('-'), want.trim_start_matches('-'), "{x} {d}");
                }
            }
        }
    }

    #[test]
    fn signs_zero_and_out_of_range() {
        assert_eq!(Fixed(-2.34, 1).to_string(), "-2.3");
        assert_eq!(Fixed(-0.01, 1).to_string(), "0.0");
        assert_eq!(Fixed(0.0, 0).to_string(), "0");
        assert_eq!(Fixed(f64::NAN, 2).to_string(), "0");
        assert_eq!(Fixed(1e300, 1).to_string(), "0");
        assert_eq!(Fixed(7.25, 2).to_string(), "7.25");
        assert_eq!(Fixed(99.96, 1).to_string(), "100.0");
        assert_eq!(Short(0.5).to_string(), "0.5");
        assert_eq!(Short(-2.0).to_string(), "-2");
        assert_eq!(Short(0.99).to_string(), "0.99");
        assert_eq!(Short(1e-7).to_string(), "0");
        assert_eq!(Short(120.0).to_string(), "120");
    }
}
