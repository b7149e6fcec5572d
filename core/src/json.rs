//! The little JSON the scenario documents need: a reader that never panics (nesting is
//! bounded, numbers are whole), a writer (compact for links, indented for files), and helpers
//! that read an object's fields by name and refuse fields they do not know.
//!
//! A general JSON library with float parsing was most of this in the page's wasm; scenario
//! documents hold only whole numbers, strings, booleans, lists and objects.

use crate::echo::Echo;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt::Write;

/// A JSON value. Numbers are whole (the documents have no fractions).
#[derive(Clone, Debug, PartialEq)]
pub enum Json {
    Null,
    Bool(bool),
    Int(i128),
    Str(String),
    Array(Vec<Json>),
    /// Fields in document order.
    Object(Vec<(String, Json)>),
}

/// Deepest nesting the reader accepts.
const MAX_DEPTH: usize = 64;
/// Most fields one object may have (a scenario's largest has 21); duplicate names are looked
/// for among them, so the bound also keeps that check cheap.
const MAX_FIELDS: usize = 256;

impl Json {
    pub fn str(s: &str) -> Json {
        Json::Str(s.to_string())
    }

    /// `Some(x)` as `x`, `None` as null.
    pub fn opt<T>(v: Option<T>, f: impl FnOnce(T) -> Json) -> Json {
        v.map_or(Json::Null, f)
    }

    fn kind(&self) -> &'static str {
        match self {
            Json::Null => "null",
            Json::Bool(_) => "a boolean",
            Json::Int(_) => "a number",
            Json::Str(_) => "a string",
            Json::Array(_) => "a list",
            Json::Object(_) => "an object",
        }
    }
}

/// Parse a JSON text. Errors say what was expected and where (line and column).
pub fn parse(text: &str) -> Result<Json, String> {
    let mut p = Parser { s: text.as_bytes(), i: 0 };
    p.ws();
    let v = p.value(0)?;
    p.ws();
    if p.i < p.s.len() {
        return Err(p.error("the document continues after its end"));
    }
    Ok(v)
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    /// `expected` where the text goes on; where it stops, that it was cut short.
    fn wanted(&self, expected: &str) -> String {
        self.error(if self.i >= self.s.len() { "the document ends early" } else { expected })
    }

    fn error(&self, what: &str) -> String {
        let before = &self.s[..self.i.min(self.s.len())];
        let line = before.iter().filter(|b| **b == b'\n').count() + 1;
        let column = before.iter().rev().take_while(|b| **b != b'\n').count() + 1;
        format!("{what} at line {line} column {column}")
    }

    fn ws(&mut self) {
        while self.i < self.s.len() && matches!(self.s[self.i], b' ' | b'\t' | b'\n' | b'\r') {
            self.i += 1;
        }
    }

    fn eat(&mut self, word: &str, v: Json) -> Result<Json, String> {
        let rest = &self.s[self.i..];
        if rest.starts_with(word.as_bytes()) {
            self.i += word.len();
            Ok(v)
        } else if word.as_bytes().starts_with(rest) {
            // The text stops inside the word ("tr").
            self.i = self.s.len();
            Err(self.error("the document ends early"))
        } else {
            Err(self.error("expected a value"))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Json, String> {
        if depth > MAX_DEPTH {
            return Err(self.error("nested too deeply"));
        }
        match self.s.get(self.i) {
            None => Err(self.error("the document ends early")),
            Some(b'n') => self.eat("null", Json::Null),
            Some(b't') => self.eat("true", Json::Bool(true)),
            Some(b'f') => self.eat("false", Json::Bool(false)),
            Some(b'"') => self.string().map(Json::Str),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(b'[') => {
                let mut items = Vec::new();
                self.sequence(b']', "expected `,` or `]`", |p| {
                    items.push(p.value(depth + 1)?);
                    Ok(())
                })?;
                Ok(Json::Array(items))
            }
            Some(b'{') => {
                let mut fields: Vec<(String, Json)> = Vec::new();
                self.sequence(b'}', "expected `,` or `}`", |p| {
                    if p.s.get(p.i) != Some(&b'"') {
                        return Err(p.wanted("expected a field name in quotes"));
                    }
                    if fields.len() == MAX_FIELDS {
                        return Err(p.error(&format!("an object has more than {MAX_FIELDS} fields")));
                    }
                    let name = p.string()?;
                    if fields.iter().any(|(n, _)| *n == name) {
                        return Err(p.error(&format!("duplicate field {}", Echo(&name))));
                    }
                    p.ws();
                    if p.s.get(p.i) != Some(&b':') {
                        return Err(p.wanted("expected `:`"));
                    }
                    p.i += 1;
                    p.ws();
                    let v = p.value(depth + 1)?;
                    fields.push((name, v));
                    Ok(())
                })?;
                Ok(Json::Object(fields))
            }
            Some(_) => Err(self.error("expected a value")),
        }
    }

    /// The items of a list or object from its opening bracket to `close`, separated by commas,
    /// each read by `item` (which starts at the item, after white space); `expected` is the
    /// error when something else follows an item.
    fn sequence(
        &mut self,
        close: u8,
        expected: &str,
        mut item: impl FnMut(&mut Self) -> Result<(), String>,
    ) -> Result<(), String> {
        self.i += 1; // the opening bracket
        self.ws();
        if self.s.get(self.i) == Some(&close) {
            self.i += 1;
            return Ok(());
        }
        loop {
            self.ws();
            item(self)?;
            self.ws();
            match self.s.get(self.i) {
                Some(b',') => self.i += 1,
                Some(c) if *c == close => {
                    self.i += 1;
                    return Ok(());
                }
                _ => return Err(self.wanted(expected)),
            }
        }
    }

    fn number(&mut self) -> Result<Json, String> {
        let start = self.i;
        if self.s[self.i] == b'-' {
            self.i += 1;
        }
        let digits = self.i;
        while self.i < self.s.len() && self.s[self.i].is_ascii_digit() {
            self.i += 1;
        }
        let n = self.i - digits;
        if n == 0 || (n > 1 && self.s[digits] == b'0') {
            return Err(self.error("expected a number"));
        }
        if matches!(self.s.get(self.i), Some(b'.' | b'e' | b'E')) {
            return Err(self.error("numbers in a scenario are whole"));
        }
        if n > 30 {
            return Err(self.error("number too large"));
        }
        // ASCII digits with an optional sign: valid UTF-8, and it fits an i128.
        let text =
            core::str::from_utf8(&self.s[start..self.i]).map_err(|_| self.error("expected a number"))?;
        text.parse::<i128>().map(Json::Int).map_err(|_| self.error("number too large"))
    }

    fn hex4(&mut self) -> Result<u32, String> {
        let digits = self.s.get(self.i..self.i + 4).ok_or_else(|| self.error("a \\u escape ends early"))?;
        let mut v = 0;
        for d in digits {
            v = v * 16
                + (*d as char)
                    .to_digit(16)
                    .ok_or_else(|| self.error("a \\u escape needs four hex digits"))?;
        }
        self.i += 4;
        Ok(v)
    }

    fn string(&mut self) -> Result<String, String> {
        self.i += 1; // the opening quote
        let mut out = String::new();
        loop {
            let start = self.i;
            while self.i < self.s.len() && !matches!(self.s[self.i], b'"' | b'\\' | 0..=0x1f) {
                self.i += 1;
            }
            // The input is a &str and the run stops only at ASCII bytes: a char boundary.
            out.push_str(core::str::from_utf8(&self.s[start..self.i]).map_err(|_| self.error("bad text"))?);
            match self.s.get(self.i) {
                None => return Err(self.error("a string is not closed")),
                Some(b'"') => {
                    self.i += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.i += 1;
                    let c = match self.s.get(self.i) {
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => {
                            self.i += 1;
                            let hi = self.hex4()?;
                            let code = if (0xD800..0xDC00).contains(&hi) {
                                if !self.s[self.i..].starts_with(b"\\u") {
                                    return Err(self.error("a lone surrogate in a \\u escape"));
                                }
                                self.i += 2;
                                let lo = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&lo) {
                                    return Err(self.error("a lone surrogate in a \\u escape"));
                                }
                                0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                            } else {
                                hi
                            };
                            out.push(
                                char::from_u32(code)
                                    .ok_or_else(|| self.error("a lone surrogate in a \\u escape"))?,
                            );
                            continue;
                        }
                        _ => return Err(self.error("an unknown escape in a string")),
                    };
                    self.i += 1;
                    out.push(c);
                }
                Some(_) => return Err(self.error("a control character in a string")),
            }
        }
    }
}

/// Write a value: compact when `indent` is None, else indented by that many spaces a level.
pub fn write(v: &Json, indent: Option<usize>) -> String {
    let mut out = String::new();
    put(&mut out, v, indent, 0);
    out
}

fn newline(out: &mut String, indent: Option<usize>, level: usize) {
    if let Some(n) = indent {
        out.push('\n');
        out.extend(core::iter::repeat_n(' ', n * level));
    }
}

fn put(out: &mut String, v: &Json, indent: Option<usize>, level: usize) {
    match v {
        Json::Null => out.push_str("null"),
        Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Json::Int(n) => {
            let _ = write!(out, "{n}");
        }
        Json::Str(s) => put_str(out, s),
        Json::Array(items) if items.is_empty() => out.push_str("[]"),
        Json::Object(fields) if fields.is_empty() => out.push_str("{}"),
        Json::Array(items) => {
            out.push('[');
            for (k, item) in items.iter().enumerate() {
                if k > 0 {
                    out.push(',');
                }
                newline(out, indent, level + 1);
                put(out, item, indent, level + 1);
            }
            newline(out, indent, level);
            out.push(']');
        }
        Json::Object(fields) => {
            out.push('{');
            for (k, (name, value)) in fields.iter().enumerate() {
                if k > 0 {
                    out.push(',');
                }
                newline(out, indent, level + 1);
                put_str(out, name);
                out.push(':');
                if indent.is_some() {
                    out.push(' ');
                }
                put(out, value, indent, level + 1);
            }
            newline(out, indent, level);
            out.push('}');
        }
    }
}

fn put_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// An object's fields, read by name; [`Fields::only`] refuses fields the reader does not know.
pub struct Fields<'a> {
    what: &'a str,
    fields: &'a [(String, Json)],
}

impl<'a> Fields<'a> {
    /// The fields of `v`, which must be an object; `what` names it in messages.
    pub fn of(v: &'a Json, what: &'a str) -> Result<Fields<'a>, String> {
        match v {
            Json::Object(fields) => Ok(Fields { what, fields }),
            other => Err(format!("{what} must be an object, not {}", other.kind())),
        }
    }

    /// Refuse any field not named in `known` (a misspelt field is named, not ignored).
    pub fn only(&self, known: &[&str]) -> Result<(), String> {
        match self.fields.iter().find(|(n, _)| !known.contains(&n.as_str())) {
            None => Ok(()),
            Some((n, _)) => Err(format!("{}: unknown field {}", self.what, Echo(n))),
        }
    }

    /// The field's value; None when it is missing or null.
    pub fn get(&mut self, name: &str) -> Option<&'a Json> {
        self.fields.iter().find(|(n, _)| n == name).map(|(_, v)| v).filter(|v| **v != Json::Null)
    }

    fn wrong(&self, name: &str, want: &str, got: &Json) -> String {
        format!("{}: \"{name}\" must be {want}, not {}", self.what, got.kind())
    }

    fn missing(&self, name: &str) -> String {
        format!("{}: missing field `{name}`", self.what)
    }

    /// A whole number in `lo..=hi`, if present.
    pub fn int_opt(&mut self, name: &str, lo: i128, hi: i128) -> Result<Option<i128>, String> {
        match self.get(name) {
            None => Ok(None),
            Some(Json::Int(n)) if (lo..=hi).contains(n) => Ok(Some(*n)),
            Some(Json::Int(n)) => Err(format!("{}: \"{name}\" is out of range ({n})", self.what)),
            Some(v) => Err(self.wrong(name, "a number", v)),
        }
    }

    pub fn u64_opt(&mut self, name: &str) -> Result<Option<u64>, String> {
        Ok(self.int_opt(name, 0, u64::MAX as i128)?.map(|n| n as u64))
    }

    pub fn u32_opt(&mut self, name: &str) -> Result<Option<u32>, String> {
        Ok(self.int_opt(name, 0, u32::MAX as i128)?.map(|n| n as u32))
    }

    pub fn usize_opt(&mut self, name: &str) -> Result<Option<usize>, String> {
        Ok(self.int_opt(name, 0, u32::MAX as i128)?.map(|n| n as usize))
    }

    pub fn u64(&mut self, name: &str) -> Result<u64, String> {
        self.u64_opt(name)?.ok_or_else(|| self.missing(name))
    }

    pub fn u32(&mut self, name: &str) -> Result<u32, String> {
        self.u32_opt(name)?.ok_or_else(|| self.missing(name))
    }

    pub fn usize(&mut self, name: &str) -> Result<usize, String> {
        self.usize_opt(name)?.ok_or_else(|| self.missing(name))
    }

    pub fn i32(&mut self, name: &str) -> Result<i32, String> {
        let n = self.int_opt(name, i32::MIN as i128, i32::MAX as i128)?;
        n.map(|n| n as i32).ok_or_else(|| self.missing(name))
    }

    pub fn bool_opt(&mut self, name: &str) -> Result<Option<bool>, String> {
        match self.get(name) {
            None => Ok(None),
            Some(Json::Bool(b)) => Ok(Some(*b)),
            Some(v) => Err(self.wrong(name, "true or false", v)),
        }
    }

    pub fn str_opt(&mut self, name: &str) -> Result<Option<String>, String> {
        match self.get(name) {
            None => Ok(None),
            Some(Json::Str(s)) => Ok(Some(s.clone())),
            Some(v) => Err(self.wrong(name, "a string", v)),
        }
    }

    pub fn str(&mut self, name: &str) -> Result<String, String> {
        self.str_opt(name)?.ok_or_else(|| self.missing(name))
    }

    /// A list (empty when missing), each item read by `item` with its number from 1.
    pub fn list<T>(
        &mut self,
        name: &str,
        mut item: impl FnMut(usize, &'a Json) -> Result<T, String>,
    ) -> Result<Vec<T>, String> {
        match self.get(name) {
            None => Ok(Vec::new()),
            Some(Json::Array(items)) => items.iter().enumerate().map(|(i, v)| item(i + 1, v)).collect(),
            Some(v) => Err(self.wrong(name, "a list", v)),
        }
    }
}

/// An item of a list of whole numbers in `0..=u32::MAX` (node numbers).
pub fn u32_item(_: usize, v: &Json) -> Result<u32, String> {
    match v {
        Json::Int(n) if (0..=u32::MAX as i128).contains(n) => Ok(*n as u32),
        other => Err(format!("a node number was expected, not {}", other.kind())),
    }
}

/// An object from (name, value) pairs, leaving out the pairs whose value is `None`.
pub fn object(fields: impl IntoIterator<Item = (&'static str, Option<Json>)>) -> Json {
    Json::Object(fields.into_iter().filter_map(|(n, v)| v.map(|v| (n.to_string(), v))).collect())
}

/// A list of whole numbers.
pub fn ints<I: IntoIterator<Item = u32>>(items: I) -> Json {
    Json::Array(items.into_iter().map(|n| Json::Int(n as i128)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_writes_what_the_documents_hold() {
        let text = r#" { "a": [1, -2, {"b": null}], "c": "q\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00", "d": true, "e": {} , "f": []} "#;
        let v = parse(text).unwrap();
        let compact = write(&v, None);
        assert_eq!(
            compact,
            "{\"a\":[1,-2,{\"b\":null}],\"c\":\"q\\\"\\\\/\\b\\f\\n\\r\\té😀\",\"d\":true,\"e\":{},\"f\":[]}"
        );
        assert_eq!(parse(&compact).unwrap(), v);
        assert_eq!(parse(&write(&v, Some(2))).unwrap(), v);
        assert_eq!(write(&Json::str("\u{1}"), None), "\"\\u0001\"");
    }

    #[test]
    fn refuses_what_it_cannot_read_with_a_place() {
        for (text, says) in [
            ("", "ends early"),
            ("{\"a\":1,}", "field name"),
            ("[1 2]", "`,` or `]`"),
            ("1.5", "whole"),
            ("01", "expected a number"),
            ("\"\\x\"", "unknown escape"),
            ("\"\\ud800\"", "surrogate"),
            ("\"a", "not closed"),
            ("\"\u{1}\"", "control character"),
            ("{\"a\":1,\"a\":2}", "duplicate field \"a\""),
            ("nul", "ends early"),
            ("nil", "expected a value"),
            ("[1, 2", "ends early"),
            ("{\"a\"", "ends early"),
            ("1 2", "continues"),
            ("99999999999999999999999999999999999", "too large"),
        ] {
            let e = parse(text).unwrap_err();
            assert!(e.contains(says) && e.contains("line 1 column"), "{text:?}: {e}");
        }
        let deep = "[".repeat(100) + &"]".repeat(100);
        assert!(parse(&deep).unwrap_err().contains("nested too deeply"));
        let wide = alloc::format!(
            "{{{}}}",
            (0..300).map(|i| alloc::format!("\"f{i}\":0")).collect::<Vec<_>>().join(",")
        );
        assert!(parse(&wide).unwrap_err().contains("more than 256 fields"));
    }

    #[test]
    fn fields_are_read_by_name_and_unknown_ones_refused() {
        let v = parse(r#"{"n": 5, "s": "x", "l": [1, 2], "z": null, "extra": 1}"#).unwrap();
        let mut f = Fields::of(&v, "the thing").unwrap();
        assert_eq!(f.only(&["n", "s", "l", "z"]).unwrap_err(), "the thing: unknown field \"extra\"");
        assert!(f.only(&["n", "s", "l", "z", "extra"]).is_ok());
        assert_eq!(f.u32("n").unwrap(), 5);
        assert_eq!(f.str("s").unwrap(), "x");
        assert_eq!(f.list("l", u32_item).unwrap(), [1, 2]);
        assert_eq!(f.u64_opt("z").unwrap(), None);
        assert!(f.u32("missing").unwrap_err().contains("missing field `missing`"));
        assert!(f.str("n").unwrap_err().contains("\"n\" must be a string"));
        let big = parse(r#"{"n": 4294967296}"#).unwrap();
        assert!(Fields::of(&big, "x").unwrap().u32("n").unwrap_err().contains("out of range"));
    }
}
