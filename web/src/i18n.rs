//! The page in the reader's language: English, the language the code is written in, or
//! Simplified Chinese from the catalogue (`i18n/zh/*.txt`, one file per part of the lab).
//!
//! The core and the page write English. Everything the page shows passes through [`t`] (a
//! whole string, often one the core wrote) or [`tf!`] (the page's own sentence with its
//! arguments). In English both return the text; in Chinese they look it up:
//!
//! - a string the catalogue holds as it is (a lesson's sentence) is replaced by its translation;
//! - otherwise its *skeleton*, the string with every token that holds a digit (`3`, `S2`,
//!   `1.5`, `T4`) or is one lower-case letter other than "a" (a key, `x`), and every quoted
//!   text (`"seed"`: a field's name, the reader's input), taken out as a hole, is looked up (`leader · term {}`), and the translation
//!   is filled with the holes' text in the order the translation names them (`{2}` first is
//!   allowed: Chinese often orders a sentence's parts differently);
//! - a string found in neither stays English (a test lists every one the lab can show).
//!
//! The catalogue's file format: entries of two lines, `en: …` then `zh: …`; `#` starts a
//! comment line; blank lines separate. `{}` in an English line is a hole (the n-th `{}` is
//! `{n}` in the translation, which may also write `{}` for "the next one"); an English line with
//! holes may hold no other digits, since the page's strings are looked up by that skeleton.
//! Only the active language is loaded: an English reader downloads no catalogue.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::fmt::{Display, Write};
use std::rc::Rc;

/// The languages the lab speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    #[default]
    En,
    Zh,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Zh];

    /// The language's tag, as the page's `lang` attribute and links write it.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh-CN",
        }
    }

    /// The language's own name, as the switch shows it.
    pub fn name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Zh => "简体中文",
        }
    }

    /// The language a tag names (`en-GB`, `zh`, `zh-CN`, `zh-Hans-SG`), if the lab speaks it.
    /// Traditional Chinese (`zh-TW`, `zh-HK`, `zh-Hant`) is not Simplified: none.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let tag = tag.trim().to_ascii_lowercase();
        let mut parts = tag.split(['-', '_']);
        match parts.next()? {
            "en" => Some(Lang::En),
            "zh" => {
                let rest: Vec<&str> = parts.collect();
                let traditional = rest.iter().any(|p| matches!(*p, "hant" | "tw" | "hk" | "mo"));
                let simplified = rest.contains(&"hans");
                (simplified || !traditional).then_some(Lang::Zh)
            }
            _ => None,
        }
    }

    /// The first language of the reader's preferred ones (the browser's order) that the lab
    /// speaks; English if none.
    pub fn choose<S: AsRef<str>>(preferred: &[S]) -> Lang {
        preferred.iter().find_map(|t| Lang::from_tag(t.as_ref())).unwrap_or_default()
    }
}

/// Where a hole stands in a skeleton (a character no text of the lab uses).
const HOLE: char = '\u{E000}';

/// One piece of a translation: text, or the hole of that index (0-based).
#[derive(Clone, Debug, PartialEq)]
enum Piece {
    Text(Box<str>),
    Hole(usize),
}

/// A translation, in pieces.
#[derive(Clone, Debug, PartialEq)]
struct Translation(Vec<Piece>);

impl Translation {
    fn fill(&self, holes: &[&str]) -> String {
        let mut out = String::new();
        for piece in &self.0 {
            match piece {
                Piece::Text(s) => out.push_str(s),
                Piece::Hole(i) => out.push_str(holes.get(*i).copied().unwrap_or_default()),
            }
        }
        out
    }
}

/// A language's messages: English (as written, or as a skeleton) to the translation.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Catalogue {
    map: BTreeMap<Box<str>, Translation>,
}

/// Whether `c` belongs to a token (a word, a number, a name like `S2`).
fn word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Whether a token is a hole of a skeleton: it holds a digit (`3`, `S2`, `1.5`), or it is one
/// lower-case letter other than "a" (a key: `x`).
fn is_hole(token: &str) -> bool {
    token.bytes().any(|b| b.is_ascii_digit())
        || (token.len() == 1 && token != "a" && token.bytes().all(|b| b.is_ascii_lowercase()))
}

/// The string with every hole token (see [`is_hole`]) and every quoted text (`"seed"`)
/// replaced by [`HOLE`], and those holes in order. A token is a run of letters, digits and `_`, with `.` inside a number (`1.5`).
pub fn skeleton(s: &str) -> (String, Vec<&str>) {
    let mut out = String::with_capacity(s.len());
    let mut holes = Vec::new();
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < s.len() {
        let c = s[i..].chars().next().unwrap_or_default();
        // A quoted name or input ("position", "zab") is a hole as a whole.
        if c == '"' {
            if let Some(len) = s[i + 1..].find('"').filter(|&n| n > 0 && n <= 64) {
                out.push('"');
                out.push(HOLE);
                out.push('"');
                holes.push(&s[i + 1..i + 1 + len]);
                i += len + 2;
                continue;
            }
        }
        if !word_char(c) {
            out.push(c);
            i += c.len_utf8();
            continue;
        }
        let start = i;
        while i < s.len() {
            let b = bytes[i];
            let dot_in_number = b == b'.'
                && i > start
                && bytes[i - 1].is_ascii_digit()
                && bytes.get(i + 1).is_some_and(u8::is_ascii_digit);
            if (b as char).is_ascii_alphanumeric() || b == b'_' || dot_in_number {
                i += 1;
            } else {
                break;
            }
        }
        let token = &s[start..i];
        // One letter after an apostrophe ("partition's") or in an abbreviation ("e.g.") is a
        // word's part, not a key.
        let before = s[..start].chars().next_back();
        let after = s[i..].chars().next();
        let part_of_word = matches!(before, Some('\'' | '’'))
            || (after == Some('.') && s[i + 1..].starts_with(|c: char| c.is_ascii_alphabetic()))
            || (before == Some('.') && s[..start - 1].ends_with(|c: char| c.is_ascii_alphabetic()));
        if is_hole(token) && !(token.len() == 1 && part_of_word) {
            out.push(HOLE);
            holes.push(token);
        } else {
            out.push_str(token);
        }
    }
    (out, holes)
}

/// A catalogue line's holes: `{}` (the next) or `{n}` (the n-th, from 1). Returns the text
/// with each hole as [`HOLE`] and the pieces, or why the line cannot be read.
fn read_holes(line: &str, next_from: &mut usize) -> Result<(String, Vec<Piece>), String> {
    let mut key = String::new();
    let mut pieces = Vec::new();
    let mut text = String::new();
    let mut rest = line;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let close = after.find('}');
        let inside = close.map(|c| &after[..c]);
        let index = match inside {
            Some("") => {
                *next_from += 1;
                Some(*next_from - 1)
            }
            Some(n) if n.len() <= 2 && n.bytes().all(|b| b.is_ascii_digit()) => {
                let n: usize = n.parse().map_err(|_| format!("bad hole {{{n}}}"))?;
                if n == 0 {
                    return Err("holes count from {1}".into());
                }
                Some(n - 1)
            }
            _ => None,
        };
        match (index, close) {
            (Some(i), Some(c)) => {
                text.push_str(&rest[..open]);
                key.push_str(&rest[..open]);
                key.push(HOLE);
                if !text.is_empty() {
                    pieces.push(Piece::Text(std::mem::take(&mut text).into()));
                }
                pieces.push(Piece::Hole(i));
                rest = &after[c + 1..];
            }
            _ => {
                text.push_str(&rest[..=open]);
                key.push_str(&rest[..=open]);
                rest = after;
            }
        }
    }
    text.push_str(rest);
    key.push_str(rest);
    if !text.is_empty() {
        pieces.push(Piece::Text(text.into()));
    }
    Ok((key, pieces))
}

/// An error in a catalogue: the line it is on (from 1) and what is wrong.
#[derive(Clone, Debug, PartialEq)]
pub struct CatalogueError {
    pub line: usize,
    pub message: String,
}

impl Display for CatalogueError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl Catalogue {
    /// Read a catalogue (see the module's comment for the format); `extend` reads more into it.
    pub fn parse(text: &str) -> Result<Catalogue, CatalogueError> {
        let mut c = Catalogue::default();
        c.extend(text)?;
        Ok(c)
    }

    /// Add a catalogue's entries; an English text already held is an error.
    pub fn extend(&mut self, text: &str) -> Result<(), CatalogueError> {
        let mut pending: Option<(usize, String, usize)> = None;
        for (n, raw) in text.lines().enumerate() {
            let line = n + 1;
            let fail = |message: String| CatalogueError { line, message };
            let l = raw.trim_end_matches('\r');
            if l.trim().is_empty() || l.starts_with('#') {
                if let Some((at, _, _)) = &pending {
                    return Err(CatalogueError {
                        line: *at,
                        message: "an English line with no zh: line after it".into(),
                    });
                }
                continue;
            }
            if let Some(en) = l.strip_prefix("en: ") {
                if let Some((at, _, _)) = &pending {
                    return Err(CatalogueError {
                        line: *at,
                        message: "an English line with no zh: line after it".into(),
                    });
                }
                let mut next = 0;
                let (key, _) = read_holes(en, &mut next).map_err(fail)?;
                let holes = key.chars().filter(|&c| c == HOLE).count();
                let (literal, _) = skeleton(&key);
                if holes > 0 && literal != key {
                    return Err(fail(
                        "a line with holes writes every number and one-letter key as a hole {}".into(),
                    ));
                }
                if key.trim() != key || key.is_empty() {
                    return Err(fail("the English text is empty or has spaces at an end".into()));
                }
                pending = Some((line, key, holes));
            } else if let Some(zh) = l.strip_prefix("zh: ") {
                let Some((_, key, holes)) = pending.take() else {
                    return Err(fail("a zh: line with no English line before it".into()));
                };
                let mut next = 0;
                let (_, pieces) = read_holes(zh, &mut next).map_err(fail)?;
                let mut used = vec![false; holes];
                for p in &pieces {
                    if let Piece::Hole(i) = p {
                        match used.get_mut(*i) {
                            Some(u) => *u = true,
                            None => return Err(fail(format!("hole {{{}}}: the English has {holes}", i + 1))),
                        }
                    }
                }
                if let Some(i) = used.iter().position(|u| !u) {
                    return Err(fail(format!("the translation leaves out hole {{{}}}", i + 1)));
                }
                if zh.trim().is_empty() {
                    return Err(fail("an empty translation".into()));
                }
                if self.map.insert(key.into(), Translation(pieces)).is_some() {
                    return Err(fail("this English text is in the catalogue twice".into()));
                }
            } else {
                return Err(fail("a line that is neither en:, zh:, a # comment nor blank".into()));
            }
        }
        match pending {
            Some((at, _, _)) => {
                Err(CatalogueError { line: at, message: "an English line with no zh: line after it".into() })
            }
            None => Ok(()),
        }
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// The English texts it holds, with holes written `{}`.
    pub fn keys(&self) -> impl Iterator<Item = String> + '_ {
        self.map.keys().map(|k| k.replace(HOLE, "{}"))
    }

    /// `s` translated, if the catalogue holds it or its skeleton (a message with its context
    /// before it may be translated in part: the part the catalogue lacks stays English).
    pub fn lookup(&self, s: &str) -> Option<String> {
        self.find(s, false)
    }

    /// `s` translated with no part of it left in English, or nothing (what the catalogue's
    /// tests ask of every string the page shows).
    pub fn lookup_whole(&self, s: &str) -> Option<String> {
        self.find(s, true)
    }

    fn find(&self, s: &str, whole: bool) -> Option<String> {
        let core = s.trim();
        if core.len() != s.len() && !core.is_empty() {
            // Spaces at the ends are layout, not text: translate between them.
            let (lead, rest) = s.split_at(s.len() - s.trim_start().len());
            let trail = &rest[core.len()..];
            return self.find(core, whole).map(|t| format!("{lead}{t}{trail}"));
        }
        if let Some(t) = self.map.get(s) {
            return Some(t.fill(&[]));
        }
        let (key, holes) = skeleton(s);
        if let Some(t) = (!holes.is_empty()).then(|| self.map.get(key.as_str())).flatten() {
            return Some(t.fill(&holes));
        }
        // A message with its context before it ("action 3: \"text\" is missing", as errors
        // nest): each part on its own, joined by a Chinese colon.
        let (head, tail) = s.split_once(": ")?;
        let (h, t) = (self.find(head, whole), self.find(tail, whole));
        // A part with no word in it (a number, a name) needs no translation.
        let wordless = |p: &str| !p.split(|c: char| !c.is_ascii_alphabetic()).any(|w| w.len() >= 2);
        let enough = if whole {
            (h.is_some() || wordless(head)) && (t.is_some() || wordless(tail))
        } else {
            h.is_some() || t.is_some()
        };
        enough.then(|| format!("{}：{}", h.as_deref().unwrap_or(head), t.as_deref().unwrap_or(tail)))
    }

    /// A template of the page's own (`{}` holes) filled with `args`, translated.
    pub fn lookup_template(&self, template: &str, args: &[String]) -> Option<String> {
        let mut next = 0;
        let (key, _) = read_holes(template, &mut next).ok()?;
        let holes: Vec<&str> = args.iter().map(String::as_str).collect();
        self.map.get(key.as_str()).map(|t| t.fill(&holes))
    }
}

thread_local! {
    static LANG: Cell<Lang> = const { Cell::new(Lang::En) };
    static CATALOGUE: RefCell<Option<Rc<Catalogue>>> = const { RefCell::new(None) };
}

/// The language the page speaks now.
pub fn lang() -> Lang {
    LANG.with(Cell::get)
}

/// Speak `lang` from now on, with its catalogue (none for English).
pub fn install(lang: Lang, catalogue: Option<Rc<Catalogue>>) {
    LANG.with(|l| l.set(lang));
    CATALOGUE.with(|c| *c.borrow_mut() = catalogue);
}

fn with_catalogue<R>(f: impl FnOnce(&Catalogue) -> Option<R>) -> Option<R> {
    if lang() == Lang::En {
        return None;
    }
    CATALOGUE.with(|c| c.borrow().as_deref().and_then(f))
}

/// `s` in the page's language (itself if the catalogue does not hold it).
pub fn t(s: &str) -> String {
    with_catalogue(|c| c.lookup(s)).unwrap_or_else(|| s.to_string())
}

/// The page's own template (`{}` holes) with its arguments, in the page's language. Prefer
/// the [`tf!`] macro.
pub fn fill(template: &str, args: &[&dyn Display]) -> String {
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    if let Some(s) = with_catalogue(|c| c.lookup_template(template, &args)) {
        return s;
    }
    let mut out = String::new();
    let mut args = args.iter();
    let mut rest = template;
    while let Some(at) = rest.find("{}") {
        out.push_str(&rest[..at]);
        let _ = write!(out, "{}", args.next().map(String::as_str).unwrap_or_default());
        rest = &rest[at + 2..];
    }
    out.push_str(rest);
    out
}

/// An event-log line (a [`Phrase`](distlab_core::trace::Phrase)) in the page's language: the
/// sentence and its words translated, names and the protocol's vocabulary kept.
pub fn phrase(p: &distlab_core::trace::Phrase) -> String {
    if lang() == Lang::En {
        return p.to_string();
    }
    phrase_with(p, |a| a.to_string())
}

/// Around text kept as written in a string the page draws later (the live region's): the
/// drawing puts it in an element marked `translate="no"` (see [`kept_parts`]).
pub const KEEP: (char, char) = ('\u{E002}', '\u{E003}');

/// `s` marked as kept as written (see [`KEEP`]).
pub fn keep(s: &str) -> String {
    format!("{}{s}{}", KEEP.0, KEEP.1)
}

/// A string with [`keep`] marks, in pieces: (text, whether it is kept as written).
pub fn kept_parts(s: &str) -> Vec<(&str, bool)> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(open) = rest.find(KEEP.0) {
        out.push((&rest[..open], false));
        let after = &rest[open + KEEP.0.len_utf8()..];
        let close = after.find(KEEP.1).unwrap_or(after.len());
        out.push((&after[..close], true));
        rest = after.get(close + KEEP.1.len_utf8()..).unwrap_or_default();
    }
    out.push((rest, false));
    out.retain(|(p, _)| !p.is_empty());
    out
}

/// A string with [`keep`] marks as it reads (the marks taken out).
pub fn unmarked(s: &str) -> String {
    kept_parts(s).into_iter().map(|(p, _)| p).collect()
}

/// [`phrase`], with the protocol's vocabulary marked by [`keep`].
pub fn phrase_kept(p: &distlab_core::trace::Phrase) -> String {
    phrase_with(p, keep)
}

fn phrase_with(p: &distlab_core::trace::Phrase, vocabulary: impl Fn(&str) -> String) -> String {
    use distlab_core::trace::Fill;
    if lang() == Lang::En && p.args.iter().all(|(fill, _)| *fill != Fill::Vocabulary) {
        return p.to_string();
    }
    // A name that is a word (Kafka's "controller") is translated too; `S1` stays `S1`.
    let args: Vec<String> =
        p.args.iter().map(|(fill, a)| if *fill == Fill::Vocabulary { vocabulary(a) } else { t(a) }).collect();
    with_catalogue(|c| c.lookup_template(p.template, &args)).unwrap_or_else(|| {
        let args: Vec<&dyn Display> = args.iter().map(|a| a as &dyn Display).collect();
        fill(p.template, &args)
    })
}

/// `tf!("{} of {}", a, b)`: the page's own sentence with arguments, in the page's language.
/// The template is a literal, so the catalogue test finds it in the source.
#[macro_export]
macro_rules! tf {
    ($template:literal $(, $arg:expr)* $(,)?) => {
        $crate::i18n::fill($template, &[$(&$arg as &dyn ::std::fmt::Display),*])
    };
}

#[cfg(test)]
#[path = "i18n_tests.rs"]
mod tests;
