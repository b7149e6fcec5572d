//! The share-link form of a document: the compact JSON, compressed by a small LZSS coder and
//! written in URL-safe base64 after the format version.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use super::doc::{ScenarioDoc, FORMAT_VERSION, MAX_DOC_BYTES, MAX_LINK_CHARS};
use super::json::{doc_from_json, doc_to_json};
use crate::json;

/// The share-link form: `1.` and the compressed JSON in URL-safe base64.
pub fn to_link(d: &ScenarioDoc) -> String {
    let json = json::write(&doc_to_json(d), None);
    format!("{FORMAT_VERSION}.{}", base64url(&compress(json.as_bytes())))
}

/// What a link that was cut short says (a message, a chat or a hand copy often loses its end).
const CUT_SHORT: &str = "the link looks cut short — copy it again in full";
/// What a link changed on its way says.
const DAMAGED: &str = "the link is damaged — copy it again in full";

/// Read a share link's payload (what follows `s=`). A link that does not decode says so in a
/// user's words (cut short, or damaged); one that decodes names the field at fault.
pub fn from_link(link: &str) -> Result<ScenarioDoc, String> {
    if link.len() > MAX_LINK_CHARS {
        return Err(format!("the link is longer than {MAX_LINK_CHARS} characters"));
    }
    let Some((version, payload)) = link.split_once('.') else {
        return Err(DAMAGED.into());
    };
    match version.parse::<u32>() {
        Ok(FORMAT_VERSION) => {}
        Ok(v) => {
            return Err(format!(
                "the link is from format version {v}; this distlab reads version {FORMAT_VERSION}, so it cannot open it"
            ))
        }
        Err(_) => return Err(DAMAGED.into()),
    }
    let bytes = unbase64url(payload).ok_or_else(|| {
        String::from(
            "the link is damaged: it holds characters a share link never has — copy it again in full",
        )
    })?;
    let json = inflate(&bytes, MAX_DOC_BYTES).map_err(|e| match e {
        Inflate::CutShort => CUT_SHORT,
        Inflate::Damaged => DAMAGED,
    })?;
    let text = match core::str::from_utf8(&json) {
        Ok(t) => t,
        // A character cut in half at the end.
        Err(e) if e.error_len().is_none() => return Err(CUT_SHORT.into()),
        Err(_) => return Err(DAMAGED.into()),
    };
    // JSON that does not parse came through the coder intact, so the text itself was cut or
    // changed; only a document that parses has fields worth naming.
    let value = json::parse(text).map_err(|e| {
        let stops = ["the document ends early", "a string is not closed", "a \\u escape ends early"];
        if text.is_empty() || stops.iter().any(|s| e.starts_with(s)) {
            CUT_SHORT.to_string()
        } else {
            DAMAGED.to_string()
        }
    })?;
    doc_from_json(&value).map_err(|e| format!("this is not a distlab scenario: {e}"))
}

// A small LZ77 (LZSS) coder: a flag byte announces eight items; a set bit is a literal byte,
// a clear bit a back-reference of two bytes (12-bit distance, 4-bit length − 3).
const WINDOW: usize = 4095;
const MIN_MATCH: usize = 3;
const MAX_MATCH: usize = 18;

pub fn compress(input: &[u8]) -> Vec<u8> {
    // Candidate matches come from a hash chain over 3-byte prefixes (at most 32 tried), so
    // long documents compress in linear time.
    const NONE: usize = usize::MAX;
    let hash =
        |i: usize| ((input[i] as usize) << 8 ^ (input[i + 1] as usize) << 4 ^ input[i + 2] as usize) & 4095;
    let mut head = alloc::vec![NONE; 4096];
    let mut prev = alloc::vec![NONE; input.len()];
    let mut inserted = 0;
    let mut out = Vec::with_capacity(input.len() / 2 + 8);
    let mut i = 0;
    while i < input.len() {
        let flag_at = out.len();
        out.push(0u8);
        for bit in 0..8 {
            if i >= input.len() {
                break;
            }
            while inserted < i && inserted + 2 < input.len() {
                let h = hash(inserted);
                prev[inserted] = head[h];
                head[h] = inserted;
                inserted += 1;
            }
            let (mut best_len, mut best_dist) = (0, 0);
            if i + 2 < input.len() {
                let mut j = head[hash(i)];
                let mut tries = 0;
                while j != NONE && i - j <= WINDOW && tries < 32 {
                    let mut l = 0;
                    while l < MAX_MATCH && i + l < input.len() && input[j + l] == input[i + l] {
                        l += 1;
                    }
                    if l > best_len {
                        (best_len, best_dist) = (l, i - j);
                    }
                    j = prev[j];
                    tries += 1;
                }
            }
            if best_len >= MIN_MATCH {
                let code = ((best_dist as u16) << 4) | (best_len - MIN_MATCH) as u16;
                out.extend_from_slice(&code.to_be_bytes());
                i += best_len;
            } else {
                out[flag_at] |= 1 << bit;
                out.push(input[i]);
                i += 1;
            }
        }
    }
    out
}

/// Decompress, or `None` if the bytes are not a valid stream or the output would pass `limit`.
pub fn decompress(input: &[u8], limit: usize) -> Option<Vec<u8>> {
    inflate(input, limit).ok()
}

/// Why a stream does not decompress.
enum Inflate {
    /// It stops in the middle of a back-reference.
    CutShort,
    /// A back-reference points before the start, or the output would pass the limit.
    Damaged,
}

fn inflate(input: &[u8], limit: usize) -> Result<Vec<u8>, Inflate> {
    let mut out: Vec<u8> = Vec::new();
    let mut i = 0;
    while i < input.len() {
        let flags = input[i];
        i += 1;
        for bit in 0..8 {
            if i >= input.len() {
                break;
            }
            if flags & (1 << bit) != 0 {
                out.push(input[i]);
                i += 1;
            } else {
                let (Some(hi), Some(lo)) = (input.get(i), input.get(i + 1)) else {
                    return Err(Inflate::CutShort);
                };
                i += 2;
                let code = u16::from_be_bytes([*hi, *lo]);
                let dist = (code >> 4) as usize;
                let len = (code & 0xf) as usize + MIN_MATCH;
                if dist == 0 || dist > out.len() {
                    return Err(Inflate::Damaged);
                }
                let from = out.len() - dist;
                for k in 0..len {
                    let b = out[from + k];
                    out.push(b);
                }
            }
            if out.len() > limit {
                return Err(Inflate::Damaged);
            }
        }
    }
    Ok(out)
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

pub fn base64url(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 4 / 3 + 4);
    for c in bytes.chunks(3) {
        let n = (c[0] as u32) << 16 | (*c.get(1).unwrap_or(&0) as u32) << 8 | *c.get(2).unwrap_or(&0) as u32;
        for k in 0..=c.len() {
            s.push(B64[((n >> (18 - 6 * k)) & 63) as usize] as char);
        }
    }
    s
}

pub fn unbase64url(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for ch in s.bytes() {
        let v = B64.iter().position(|b| *b == ch)? as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}
