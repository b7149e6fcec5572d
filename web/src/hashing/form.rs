//! The hashing lab's form fields: decimals read without `str::parse::<f64>`, a bounded number
//! with a message naming the field, and the algorithm chooser.

use distlab_core::echo::Echo;
use distlab_core::hashing::Algo;
use yew::prelude::*;

use crate::num::Short;

/// A plain decimal number: optional sign, digits, optional fraction. (Not `str::parse::<f64>`:
/// its tables would add about 12 KB to the page for a few form fields.)
pub fn parse_decimal(s: &str) -> Option<f64> {
    let (neg, body) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    if (int.is_empty() && frac.is_empty()) || int.len() > 15 || frac.len() > 15 {
        return None;
    }
    if !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let whole = int.bytes().fold(0u64, |a, b| a * 10 + (b - b'0') as u64) as f64;
    let f = frac.bytes().fold(0u64, |a, b| a * 10 + (b - b'0') as u64) as f64;
    let v = whole + f / 10f64.powi(frac.len() as i32);
    Some(if neg { -v } else { v })
}

pub fn parse_f64(field: &str, text: &str, lo: f64, hi: f64) -> Result<f64, String> {
    match parse_decimal(text.trim()) {
        Some(v) if v >= lo && v <= hi => Ok(v),
        _ => {
            Err(format!("{field} must be a number from {} to {} (got {})", Short(lo), Short(hi), Echo(text)))
        }
    }
}

pub fn algo_select(r: &NodeRef, id: &'static str, current: Algo) -> Html {
    html! {
        <select ref={r.clone()} id={id}>
            { for Algo::ALL.iter().map(|a| html! {
                <option value={a.name()} selected={*a == current}>{a.title()}</option>
            }) }
        </select>
    }
}
