//! The Chinese catalogue covers what the lab shows: every string the core writes for the page
//! (node cards, boards, the event log, the diagram's marks, lessons, presets, mutants,
//! properties, the glossary, violations) across every protocol's presets, mutants and faulted
//! runs, and every template the page's own code passes to `t`/`tf!`. A string missing from the
//! catalogue fails here, with the list written to `target/i18n/missing/` for the translators.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use distlab_core::lab::{self, Lab, LabConfig};
use distlab_core::net::FaultPreset;
use distlab_core::registry::{self, Setup, PROTOCOLS};
use distlab_core::trace::Fill;
use distlab_web::i18n::{skeleton, Catalogue};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("repository").to_path_buf()
}

/// Every catalogue file of Chinese, read into one catalogue.
fn chinese() -> Catalogue {
    catalogue(|_| true)
}

/// The files one protocol's words alone are in (a page of another protocol does not load them:
/// `scripts/pages.py`).
const PROTOCOL_FILES: [&str; 6] =
    ["paxos.txt", "multipaxos.txt", "raft.txt", "kafka.txt", "swim.txt", "coordination.txt"];

/// The catalogue every page loads: all but the protocols' own files.
fn shared_chinese() -> Catalogue {
    catalogue(|name| !PROTOCOL_FILES.contains(&name))
}

fn catalogue(take: impl Fn(&str) -> bool) -> Catalogue {
    let mut c = Catalogue::default();
    let dir = root().join("i18n/zh");
    let files: BTreeSet<PathBuf> = std::fs::read_dir(&dir)
        .expect("i18n/zh")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .filter(|p| take(&p.file_name().unwrap_or_default().to_string_lossy()))
        .collect();
    for f in files {
        let text = std::fs::read_to_string(&f).expect("catalogue file");
        c.extend(&text).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
    }
    c
}

/// Words that stay as they are in Chinese: message names, commands, units, names.
fn allowed() -> BTreeSet<String> {
    let text = std::fs::read_to_string(root().join("i18n/allow.txt")).expect("i18n/allow.txt");
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .flat_map(|l| l.split_whitespace())
        .map(String::from)
        .collect()
}

/// Whether `s` holds an English word a reader of Chinese would need translated.
fn has_words(s: &str, allowed: &BTreeSet<String>) -> bool {
    s.split(|c: char| !c.is_ascii_alphabetic())
        .any(|w| w.len() >= 2 && !allowed.contains(w) && !allowed.contains(&w.to_ascii_lowercase()))
}

/// Strings the page shows, by where they come from: fixed text (a lesson's sentence), or text
/// the core composes as the run goes (a node's card).
#[derive(Default)]
struct Seen {
    fixed: BTreeSet<String>,
    composed: BTreeSet<String>,
    /// The page's templates, with `{}` holes.
    templates: BTreeSet<String>,
}

impl Seen {
    fn fixed(&mut self, s: &str) {
        if !s.is_empty() {
            self.fixed.insert(s.to_string());
        }
    }
    fn composed(&mut self, s: &str) {
        if !s.is_empty() {
            self.composed.insert(s.to_string());
        }
    }

    fn template(&mut self, t: &str) {
        self.templates.insert(t.to_string());
    }

    fn run(&mut self, lab: &mut dyn Lab, events: u64) {
        for step in lab.narration() {
            self.fixed(&step.text);
        }
        let about = lab.about();
        self.fixed(about.title);
        self.fixed(about.tagline);
        self.fixed(about.persistence);
        for (name, description) in lab.properties() {
            self.fixed(name);
            self.fixed(description);
        }
        let mut last = 0;
        while lab.position() < events && lab.step() {
            if lab.position().is_multiple_of(20) || lab.at_end() {
                self.snapshot(lab);
            }
        }
        self.snapshot(lab);
        let to = lab.position();
        for line in lab.log(last, to, 4) {
            self.template(line.phrase.template);
            for (fill, arg) in &line.phrase.args {
                if *fill == Fill::Words {
                    self.composed(arg);
                }
            }
        }
        last = to;
        let d = lab.diagram(to.saturating_sub(400), last);
        for m in d.marks {
            self.composed(&m.label);
        }
    }

    fn snapshot(&mut self, lab: &dyn Lab) {
        let snap = lab.snapshot();
        for n in &snap.nodes {
            let v = &n.view;
            self.composed(&v.role);
            self.composed(&v.badge);
            for (label, value) in &v.fields {
                self.composed(label);
                self.composed(value);
            }
            for line in &v.summary {
                self.composed(line);
            }
            if let Some(a) = &v.accepts {
                self.composed(a);
            }
            for (label, _) in &v.actions {
                self.composed(label);
            }
            for (label, _, _) in &n.timers {
                self.composed(label);
            }
        }
        for b in &snap.boards {
            self.composed(&b.title);
            self.composed(&b.legend);
            for c in &b.columns {
                self.composed(c);
            }
            for r in &b.rows {
                self.composed(&r.label);
                for c in &r.cells {
                    self.composed(&c.text);
                    self.composed(&c.title);
                }
            }
        }
        // A colour no box carries is named by its nodes' role up to the first " · "
        // (`glossary::box_name`): the servers above the boxes.
        if snap.page.hues == distlab_core::setup::Hues::Boxes {
            for n in &snap.nodes {
                let boxed = snap.enclosures.iter().any(|b| b.members.contains(&n.id));
                if !boxed && n.view.hue_key.is_some() {
                    self.composed(n.view.role.split(" · ").next().unwrap_or(""));
                }
            }
        }
        for b in &snap.enclosures {
            self.composed(&b.label);
            // The colour key names a box by its label up to the first " · ".
            self.composed(b.label.split(" · ").next().unwrap_or(""));
            for c in &b.chips {
                self.composed(&c.title);
            }
        }
        for v in snap.violation.iter().chain(&snap.found_violation) {
            self.composed(&v.message);
        }
    }
}

/// Everything the core writes for one protocol's page.
fn harvest(protocol: &str) -> Seen {
    let mut seen = Seen::default();
    let setup = Setup::default_for(protocol).expect("protocol");
    seen.fixed(setup.title());
    let page = setup.page();
    seen.fixed(page.colour_note);
    seen.fixed(page.log_note);
    for (term, definition) in page.glossary {
        seen.fixed(term);
        seen.fixed(definition);
    }
    for (_, title) in registry::presets(protocol) {
        seen.fixed(title);
    }
    let mutants = registry::mutants(protocol).expect("mutants");
    for (_, description) in &mutants {
        seen.fixed(description);
    }
    let mut configs = Vec::new();
    for (preset, _) in registry::presets(protocol) {
        let setup = setup.with_preset(preset).expect("preset");
        let cfg = LabConfig { scenario: Some(preset.to_string()), ..LabConfig::new(setup) };
        // A step's "Break it" opens the preset with its mutant, whose lesson tells another ending.
        let breaking: Vec<String> = lab::build(&cfg)
            .expect("build")
            .narration()
            .iter()
            .filter_map(|s| s.break_it.map(str::to_string))
            .collect();
        for mutant in breaking {
            configs.push(LabConfig { mutant: Some(mutant), ..cfg.clone() });
        }
        configs.push(cfg);
    }
    for mutant in std::iter::once(None).chain(mutants.iter().map(|(m, _)| Some(m.to_string()))) {
        for seed in 1..=2 {
            configs.push(LabConfig {
                seed,
                faults: FaultPreset::Heavy,
                mutant: mutant.clone(),
                ..LabConfig::new(setup.clone())
            });
        }
    }
    for cfg in configs {
        let mut lab = lab::build(&cfg).expect("build");
        lab.run_past_violations();
        seen.run(lab.as_mut(), 1_500);
    }
    seen
}

/// How a missing string is best written for the catalogue: as it is (fixed text), or as its
/// skeleton with `{}` holes.
fn entry(s: &str, fixed: bool) -> String {
    let s = s.trim();
    let (key, holes) = skeleton(s);
    if fixed || holes.is_empty() {
        s.to_string()
    } else {
        key.replace('\u{E000}', "{}")
    }
}

/// Write the missing entries, one catalogue file per section (`en:` with an empty `zh:` for
/// the translators, and an example where the entry is a template) into `out`, emptied first.
/// Returns how many there are.
fn write_missing(out: &Path, files: &BTreeMap<String, Vec<(String, String)>>) -> usize {
    let _ = std::fs::remove_dir_all(out);
    let total: usize = files.values().map(Vec::len).sum();
    if total > 0 {
        std::fs::create_dir_all(out).expect("the missing entries' folder");
        for (section, list) in files {
            let mut text = String::new();
            for (e, example) in list {
                if *e != *example {
                    text.push_str(&format!("# e.g. {example}\n"));
                }
                text.push_str(&format!("en: {e}\nzh: \n\n"));
            }
            std::fs::write(out.join(format!("{section}.txt")), text).expect("write");
        }
    }
    total
}

#[test]
fn the_chinese_catalogue_covers_everything_the_core_writes() {
    let zh = chinese();
    let mut allowed = allowed();
    for protocol in PROTOCOLS {
        allowed.extend(
            Setup::default_for(protocol).expect("protocol").page().legend.iter().map(|m| m.to_string()),
        );
    }
    let mut missing: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    let mut by_entry: BTreeMap<String, BTreeSet<&str>> = BTreeMap::new();
    for protocol in PROTOCOLS {
        let seen = harvest(protocol);
        let all = seen.fixed.iter().map(|s| (s, true)).chain(seen.composed.iter().map(|s| (s, false)));
        for t in &seen.templates {
            if zh.lookup_template(t, &[]).is_none() && has_words(t, &allowed) {
                by_entry.entry(t.clone()).or_default().insert(protocol);
                missing.entry(protocol.to_string()).or_default().insert(t.clone(), t.clone());
            }
        }
        for (s, fixed) in all {
            // Whole: a message with its context before it is found in part by the page's
            // lookup (the rest left in English), which is no translation.
            if zh.lookup_whole(s).is_none() && has_words(&unquoted(s), &allowed) {
                let e = entry(s, fixed);
                by_entry.entry(e.clone()).or_default().insert(protocol);
                missing.entry(protocol.to_string()).or_default().insert(e, s.clone());
            }
        }
    }
    // A string more than one protocol shows belongs to the lab's shared part.
    let mut files: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for (protocol, entries) in &missing {
        for (e, example) in entries {
            let section = if by_entry[e].len() > 1 { "lab" } else { protocol.as_str() };
            let list = files.entry(section.to_string()).or_default();
            if !list.iter().any(|(x, _)| x == e) {
                list.push((e.clone(), example.clone()));
            }
        }
    }
    let out = root().join("target/i18n/missing");
    let total = write_missing(&out, &files);
    assert_eq!(total, 0, "{total} strings have no Chinese: see {}", out.display());
}

/// The glossary's checked rows: (English forms, Chinese forms).
fn glossary() -> Vec<(Vec<String>, Vec<String>)> {
    let text = std::fs::read_to_string(root().join("i18n/glossary.md")).expect("i18n/glossary.md");
    let forms = |s: &str| -> Vec<String> {
        let s = s.split(['(', '（']).next().unwrap_or_default();
        s.split([',', '/']).map(|f| f.trim().to_string()).filter(|f| !f.is_empty()).collect()
    };
    text.lines()
        .filter_map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            (cells.len() == 5 && cells[3] == "✓").then(|| (forms(cells[1]), forms(cells[2])))
        })
        .collect()
}

/// Whether `text` holds `term` as a whole word (lower case as written: a message's name, which
/// starts with a capital, is not the word).
fn holds_word(text: &str, term: &str) -> bool {
    text.match_indices(term).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + term.len()..].chars().next();
        let edge = |c: Option<char>| c.is_none_or(|c| !c.is_ascii_alphanumeric() && c != '-');
        edge(before) && edge(after)
    })
}

#[test]
fn the_translations_follow_the_glossary() {
    let rows = glossary();
    assert!(rows.len() >= 20, "the glossary's checked rows: {rows:?}");
    let zh = chinese();
    let mut wrong = Vec::new();
    for en in zh.keys() {
        let Some(translation) = zh.lookup_template(&en, &[]) else { continue };
        for (terms, chinese) in &rows {
            if terms.iter().any(|t| holds_word(&en, t))
                && !chinese.iter().any(|c| translation.contains(c.as_str()))
            {
                wrong.push(format!("{en} → {translation}: \"{}\" is {}", terms[0], chinese.join(" or ")));
            }
        }
    }
    assert!(wrong.is_empty(), "translations that leave the glossary:\n{}", wrong.join("\n"));
}

#[test]
fn the_glossary_check_sees_a_wrong_term() {
    let rows = glossary();
    let leader = rows.iter().find(|(en, _)| en.contains(&"leader".to_string())).expect("leader is checked");
    assert!(holds_word("the leader crashes", "leader") && !holds_word("leaderless", "leader"));
    assert!(!holds_word("sends Heartbeat", "heartbeat"));
    let translation = "主节点崩溃";
    assert!(!leader.1.iter().any(|c| translation.contains(c.as_str())), "a wrong word is caught");
}

/// The literal English each `t("…")` and `tf!("…")` in `text` passes, also where rustfmt put
/// the literal on the next line (`tf!(\n    "…"`), and with Rust's line continuations (a `\`
/// at a line's end skips the line break and the next line's indentation).
fn literals(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for pat in ["t(", "tf!("] {
        for (at, _) in text.match_indices(pat) {
            let before = text[..at].chars().next_back();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            let rest = text[at + pat.len()..].trim_start();
            let Some(literal) = rest.strip_prefix('"') else { continue };
            let mut s = String::new();
            let mut chars = literal.chars().peekable();
            while let Some(c) = chars.next() {
                match c {
                    '"' => break,
                    '\\' => match chars.next() {
                        Some('n') => s.push('\n'),
                        Some('\n') => while chars.next_if(|c| c.is_whitespace()).is_some() {},
                        Some(c) => s.push(c),
                        None => break,
                    },
                    c => s.push(c),
                }
            }
            out.push(s);
        }
    }
    out
}

/// The catalogue file a page source's own text belongs in.
fn section_of(path: &Path) -> &'static str {
    let p = path.to_string_lossy();
    if p.contains("/hashing/") || p.ends_with("compare.rs") {
        "hashing"
    } else if ["app.rs", "header.rs", "lang.rs", "pages.rs", "hooks.rs", "dom.rs", "lib.rs"]
        .iter()
        .any(|f| p.ends_with(&format!("/{f}")))
    {
        "common"
    } else {
        "page"
    }
}

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).expect("web/src") {
        let p = e.expect("entry").path();
        if p.is_dir() {
            sources(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs")
            && !p.ends_with("i18n.rs")
            && !p.ends_with("i18n_tests.rs")
        {
            // (The translator and its own tests pass made-up strings.)
            out.push(p);
        }
    }
}

#[test]
fn the_chinese_catalogue_covers_the_pages_own_text() {
    // The page's code is every page's: its words are in the part every page loads.
    let zh = shared_chinese();
    let allowed = allowed();
    let mut files = Vec::new();
    sources(&root().join("web/src"), &mut files);
    let files: BTreeSet<PathBuf> = files.into_iter().collect();
    let mut missing: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    let mut all = BTreeSet::new();
    for f in &files {
        let text = std::fs::read_to_string(f).expect("source");
        for s in literals(&text) {
            let held = zh.lookup(&s).is_some() || zh.lookup_template(&s, &[]).is_some();
            if !held && has_words(&s, &allowed) && all.insert(s.clone()) {
                missing.entry(section_of(f)).or_default().insert(s);
            }
        }
    }
    // The hashing lab's lesson: its steps' words, which the lesson's card translates.
    for (text, _) in distlab_web::hashing::lesson::STEPS {
        if zh.lookup(text).is_none() && all.insert(text.to_string()) {
            missing.entry("hashing").or_default().insert(text.to_string());
        }
    }
    let out = root().join("target/i18n/missing-page");
    let files: BTreeMap<String, Vec<(String, String)>> = missing
        .into_iter()
        .map(|(section, list)| (section.to_string(), list.into_iter().map(|e| (e.clone(), e)).collect()))
        .collect();
    let total = write_missing(&out, &files);
    assert_eq!(total, 0, "{total} of the page's own strings have no Chinese: see {}", out.display());
}

#[test]
fn the_source_scan_finds_the_pages_strings() {
    let found =
        literals("let a = t(\"Crash\"); let b = tf!(\"{} of \\\"{}\\\"\", x, y); let c = set(\"no\");");
    assert_eq!(found, vec!["Crash".to_string(), "{} of \"{}\"".to_string()]);
    // As rustfmt lays out a long call, and with a line continuation: both were missed before.
    let found = literals("tf!(\n        \"Without a leader: {}.\",\n x); t(\"one \\\n     two\")");
    assert_eq!(found, vec!["one two".to_string(), "Without a leader: {}.".to_string()]);
}

#[test]
fn every_component_follows_the_language() {
    let mut files = Vec::new();
    sources(&root().join("web/src"), &mut files);
    let mut deaf = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).expect("source");
        for (at, _) in text.match_indices("#[function_component(") {
            let body = &text[at..];
            let end = body[1..].find("#[function_component(").map_or(body.len(), |e| e + 1);
            let open = body.find('{').unwrap_or(0);
            // The component's first lines: it asks for the language before it draws.
            let head = &body[open..end.min(open + 1_500)];
            let asks = ["use_lang()", "use_context::<LangChoice>()", "use_language()"];
            if !asks.iter().any(|a| head.contains(a)) {
                let name = body["#[function_component(".len()..].split(')').next().unwrap_or_default();
                deaf.push(format!("{}: {name}", f.display()));
            }
        }
    }
    assert!(
        deaf.is_empty(),
        "components that do not call crate::lang::use_lang() and would keep the old language:\n{}",
        deaf.join("\n")
    );
}

/// `s` with its quoted parts (a field's name, the reader's own input) taken out: they stay as
/// they are in any language.
fn unquoted(s: &str) -> String {
    let mut out = String::new();
    let mut quote: Option<char> = None;
    for c in s.chars() {
        match (quote, c) {
            (None, '"' | '`' | '“') => quote = Some(if c == '“' { '”' } else { c }),
            (Some(q), c) if c == q => quote = None,
            (None, c) => out.push(c),
            _ => {}
        }
    }
    out
}

/// `json` with `field`'s (first) value replaced by `value`.
fn set(json: &str, field: &str, value: &str) -> String {
    let key = format!("\"{field}\":");
    let Some(at) = json.find(&key) else { return json.to_string() };
    let start = at + key.len();
    let end = json[start..].find([',', '}', '\n']).map_or(json.len(), |e| start + e);
    format!("{}{value}{}", &json[..start], &json[end..])
}

/// The messages a reader meets when a scenario file or a link cannot be opened.
fn import_errors() -> Vec<String> {
    use distlab_core::scenario;
    let mut errors = Vec::new();
    let mut try_json = |text: &str| {
        if let Err(e) = distlab_web::state::open_scenario(text) {
            errors.push(e);
        }
    };
    for protocol in PROTOCOLS {
        let cfg = LabConfig::opening(protocol).expect("opening");
        let good = scenario::to_json(&scenario::export(&cfg, &[]));
        try_json(&set(&good, "seed", "\"one\""));
        try_json(&good.replacen('{', "{\"unknown\":1,", 1));
        try_json(&good.replacen('{', "{\"seed\":1,", 1));
        try_json(&good.replace("\"faults\":\"none\"", "\"faults\":\"stormy\""));
        try_json(&set(&good, "seed", "9007199254740993"));
        try_json(&good.replace("\"protocol\":", "\"nothing\":"));
        try_json(&good.replace(&format!("\"protocol\":\"{protocol}\""), "\"protocol\":\"zab\""));
        // Each numeric field of the document, far out of range.
        let fields: Vec<String> = good
            .split('"')
            .collect::<Vec<_>>()
            .windows(2)
            .filter(|w| {
                w[1].starts_with(':') && w[1][1..].trim_start().starts_with(|c: char| c.is_ascii_digit())
            })
            .map(|w| w[0].to_string())
            .collect();
        for field in &fields {
            for value in ["100000", "0", "\"many\""] {
                try_json(&set(&good, field, value));
            }
        }
        try_json(&good.replacen('{', "{\"actions\":[{\"at\":1,\"kind\":\"explode\"}],", 1));
        try_json(&good.replacen('{', "{\"actions\":[{\"at\":1,\"kind\":\"drop\"}],", 1));
        try_json(&good.replacen('{', "{\"actions\":[{\"at\":1,\"kind\":\"crash\"}],", 1));
        try_json(&good.replacen('{', "{\"position\":99999999999,", 1));
    }
    for text in ["", "{", "[1]", "not json", "{\"a\":1,\"a\":2}", "\"text\""] {
        try_json(text);
    }
    for link in ["x", "9.abc", "1.!!!", "1.AAAA", &"1.".repeat(20_000)] {
        if let Err(e) = scenario::from_link(link) {
            errors.push(e);
        }
    }
    errors.into_iter().collect::<BTreeSet<String>>().into_iter().collect()
}

#[test]
fn the_chinese_catalogue_covers_import_and_link_errors() {
    let zh = chinese();
    let allowed = allowed();
    let errors = import_errors();
    assert!(errors.len() >= 15, "the bad inputs give errors: {errors:#?}");
    let mut left = Vec::new();
    for e in &errors {
        let shown = zh.lookup(e).unwrap_or_else(|| e.clone());
        if has_words(&unquoted(&shown), &allowed) {
            left.push(format!("{e}\n    shown: {shown}"));
        }
    }
    assert!(left.is_empty(), "{} errors are not in Chinese:\n{}", left.len(), left.join("\n"));
}

/// Every page's description as `scripts/pages.py` writes it into its HTML (the page translates
/// its meta description in place) has its Chinese, and the protocols' own files
/// are the ones the page builder keeps to their pages.
#[test]
fn the_chinese_catalogue_covers_every_pages_description() {
    let builder = std::fs::read_to_string(root().join("scripts/pages.py")).expect("scripts/pages.py");
    let held: BTreeSet<String> = shared_chinese().keys().collect();
    let mut missing = Vec::new();
    let mut pages = 0;
    for line in builder.lines().filter(|l| l.trim_start().starts_with("(\"") && l.trim_end().ends_with("),"))
    {
        let parts: Vec<&str> = line.split("\", \"").collect();
        // (The title the page shows is its tab's, translated with the tabs.)
        let [_, _title, description] = parts.as_slice() else { continue };
        let description = description.trim_end().trim_end_matches("\"),");
        pages += 1;
        if !held.contains(description) {
            missing.push(description.to_string());
        }
    }
    assert!(pages >= 7, "found {pages} pages in scripts/pages.py");
    assert_eq!(missing, Vec::<String>::new());
    for file in PROTOCOL_FILES {
        assert!(
            builder.contains(&format!("\"{file}\": {{")),
            "scripts/pages.py does not keep {file} to its pages"
        );
    }
}

/// Violations the harvest's short runs do not reach (longer sweeps find them): the file
/// system's read placed at no position, and its write answered with no completion; Kafka's
/// group that does not settle and the sharded database's move that does not finish (judged
/// only after seconds of quiet).
#[test]
fn the_chinese_catalogue_covers_violations_longer_runs_find() {
    let zh = chinese();
    for s in [
        "C2's get k3 returned = (absent), which the committed log gives at no position from 37 (where the last operation on it completed before it began) to 51",
        "C1's get x returned = 54, which the committed log gives at no position from 3 (where the last operation on it completed before it began) to 9",
        "C1's put x 5 was answered, but no completion of it is committed",
        "x was completed at position 12 by C1, which has no write of it open",
        "S2 expires session 7, which it has not heard of since it was elected",
        "C3 was told /svc's children changed at zxid 49, and holds no watch there that a change has tripped",
        "C3 was told /cfg/k0 changed at zxid 27, and holds no watch there that a change has tripped",
        "the consumer group has not settled in 2000 ms: p4 is owned by no member of generation 7",
        "the consumer group has not settled in 2000 ms: the coordinator is still rebalancing generation 9",
        "the consumer group has not settled in 2012 ms: C2 is in generation 4, the coordinator in generation 5",
        "the consumer group has not settled in 2012 ms: C2 holds other partitions than the coordinator gave it in generation 5",
        "configuration 2 is not done 5051 ms after it could be, with every server up and the network whole: G1 still awaits shard 0 from G2 and 6 more",
        "configuration 5 is not done 5051 ms after it could be, with every server up and the network whole: G3 still awaits shard 4 from G1",
        "configuration 7 is not done 5051 ms after it could be, with every server up and the network whole: G2 has not reached it (it stands at configuration 6)",
    ] {
        let zh_text = zh.lookup(s);
        assert!(zh_text.as_deref().is_some_and(|z| !z.is_empty() && z != s), "no Chinese for: {s}");
    }
}
