//! The hashing lab's form fields: decimals read without `str::parse::<f64>`, bounded numbers
//! with a message naming the field (in the reader's language), and the algorithm chooser.

use distlab_core::echo::Echo;
use distlab_core::hashing::Algo;
use yew::prelude::*;

use crate::i18n::t;
use crate::num::Short;
use crate::tf;

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

/// A number from `lo` to `hi`, or a message naming the field (given in the reader's language).
pub fn parse_f64(field: &str, text: &str, lo: f64, hi: f64) -> Result<f64, String> {
    match parse_decimal(text.trim()) {
        Some(v) if v >= lo && v <= hi => Ok(v),
        _ => Err(tf!("{} must be a number from {} to {} (got {})", field, Short(lo), Short(hi), Echo(text))),
    }
}

/// A whole number from `lo` to `hi` ([`crate::num::parse_count`]), or its message in the
/// reader's language, naming the field (given translated). Worded here, when the reader typed
/// it: the message quotes what was typed, which no catalogue entry could hold.
pub fn parse_count(field: &str, text: &str, lo: usize, hi: usize) -> Result<usize, String> {
    crate::num::parse_count(field, text, lo, hi)
        .map_err(|_| tf!("{} must be a whole number from {} to {} (got {})", field, lo, hi, Echo(text)))
}

pub fn algo_select(r: &NodeRef, id: &'static str, current: Algo) -> Html {
    html! {
        <select ref={r.clone()} id={id}>
            { for Algo::ALL.iter().map(|a| html! {
                <option value={a.name()} selected={*a == current}>{t(a.title())}</option>
            }) }
        </select>
    }
}
