//! The crates' shape, checked from their source (as rust-analyzer's `tidy` tests do), for
//! `core`, `web` and `cli`:
//!
//! - no import cycle between files: if a file uses something from another, directly or
//!   through others, that one uses nothing back (shared types sit below their users);
//! - the page's reducers' files (`state.rs`, `hashing/model.rs`) name no browser crate and use
//!   only leaf modules, so they stay pure;
//! - no file is longer than 600 lines unless its opening comment says why ("Over 600 lines:").
#![cfg(not(target_arch = "wasm32"))]

use std::collections::BTreeMap;
use std::path::Path;

/// Longest a file may be without a reason at its top.
const MAX_LINES: usize = 600;

/// Every `.rs` file under `dir`, by path relative to `root` ("hashing/ring.rs").
fn sources(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(root, &path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let rel = path.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
            out.insert(rel, std::fs::read_to_string(&path).unwrap());
        }
    }
}

/// The crates whose shape is checked, by folder.
const CRATES: &[&str] = &["core", "web", "cli"];

/// Every source file of a crate of the workspace ("core"), by path relative to its `src`.
fn all_sources(krate: &str) -> BTreeMap<String, String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(krate).join("src");
    let mut out = BTreeMap::new();
    sources(&root, &root, &mut out);
    out
}

/// The module path of a file: "hashing/mod.rs" → ["hashing"], "lib.rs" → [].
fn module_of(file: &str) -> Vec<String> {
    let mut parts: Vec<String> = file.trim_end_matches(".rs").split('/').map(String::from).collect();
    if parts.last().is_some_and(|p| p == "mod" || p == "lib" || p == "main") {
        parts.pop();
    }
    parts
}

/// The file that defines module `path`, if any.
fn file_of(files: &BTreeMap<String, String>, path: &[String]) -> Option<String> {
    if path.is_empty() {
        return None;
    }
    let base = path.join("/");
    [format!("{base}.rs"), format!("{base}/mod.rs")].into_iter().find(|f| files.contains_key(f))
}

/// The code without `//` comments (a `//` inside a string cuts its line short, which can only
/// hide a reference, never invent one).
/// An inline test module (`mod tests { use super::*; … }`) is left out: its `super` is the
/// file itself, and tests may reach anywhere.
fn code(text: &str) -> String {
    let text = text.split("#[cfg(test)]\nmod tests {").next().unwrap_or("");
    text.lines().map(|l| l.split("//").next().unwrap_or("")).collect::<Vec<_>>().join("\n")
}

fn ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The leading path of `s` ("dom::on(…" → ["dom", "on"]); a group (`{a::b, c}`) gives each
/// of its items' paths.
fn leading_paths(s: &str) -> Vec<Vec<String>> {
    if let Some(group) = s.strip_prefix('{') {
        // The group's top-level items, up to its closing brace.
        let (mut depth, mut items, mut start) = (0usize, Vec::new(), 0);
        for (i, c) in group.char_indices() {
            match c {
                '{' => depth += 1,
                '}' if depth == 0 => {
                    items.push(&group[start..i]);
                    break;
                }
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    items.push(&group[start..i]);
                    start = i + 1;
                }
                _ => {}
            }
        }
        return items.into_iter().flat_map(|item| leading_paths(item.trim())).collect();
    }
    let mut segs = Vec::new();
    let mut s = s;
    loop {
        let end = s.find(|c: char| !ident(c)).unwrap_or(s.len());
        if end == 0 {
            break;
        }
        segs.push(s[..end].to_string());
        match s[end..].strip_prefix("::") {
            Some(next) if next.starts_with('{') => {
                return leading_paths(next)
                    .into_iter()
                    .map(|tail| segs.iter().cloned().chain(tail).collect())
                    .collect();
            }
            Some(next) => s = next,
            None => break,
        }
    }
    vec![segs]
}

/// The paths after each `prefix::` in `code` (`crate::dom::on` → ["dom", "on"];
/// `crate::{dom::on, state::Msg}` → both).
fn paths_after(code: &str, prefix: &str) -> Vec<Vec<String>> {
    let needle = format!("{prefix}::");
    let mut out = Vec::new();
    for (at, _) in code.match_indices(&needle) {
        // Not part of a longer name, nor a macro's `$crate` (expanded where it is used).
        if code[..at].chars().next_back().is_some_and(|c| ident(c) || c == '$') {
            continue;
        }
        out.extend(leading_paths(&code[at + needle.len()..]));
    }
    out
}

/// For each file, the other files it uses.
fn uses(files: &BTreeMap<String, String>) -> BTreeMap<String, Vec<String>> {
    let mut graph = BTreeMap::new();
    for (file, text) in files {
        let me = module_of(file);
        let code = code(text);
        let mut deps: Vec<String> = Vec::new();
        let mut resolve = |path: Vec<String>| {
            if let Some(f) = (1..=path.len()).rev().find_map(|k| file_of(files, &path[..k])) {
                if f != *file && !deps.contains(&f) {
                    deps.push(f);
                }
            }
        };
        for p in paths_after(&code, "crate") {
            resolve(p);
        }
        for p in paths_after(&code, "super") {
            let parent = me[..me.len().saturating_sub(1)].to_vec();
            resolve(parent.into_iter().chain(p).collect());
        }
        // A child module used by name from its parent (`use crowd::paint_dots`).
        for line in code.lines() {
            let l = line.trim();
            let Some(name) = l.strip_prefix("mod ").or_else(|| l.strip_prefix("pub mod ")) else { continue };
            let Some(name) = name.strip_suffix(';') else { continue };
            if !paths_after(&code, name).is_empty() {
                resolve(me.iter().cloned().chain([name.to_string()]).collect());
            }
        }
        deps.sort();
        graph.insert(file.clone(), deps);
    }
    graph
}

/// A cycle in `graph`, as the files along it, if there is one.
fn find_cycle(graph: &BTreeMap<String, Vec<String>>) -> Option<Vec<String>> {
    fn visit(
        graph: &BTreeMap<String, Vec<String>>,
        node: &str,
        state: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(node.to_string(), 1);
        stack.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            match state.get(next).copied().unwrap_or(0) {
                1 => {
                    let from = stack.iter().position(|n| n == next).unwrap();
                    let mut cycle = stack[from..].to_vec();
                    cycle.push(next.clone());
                    return Some(cycle);
                }
                0 => {
                    if let Some(c) = visit(graph, next, state, stack) {
                        return Some(c);
                    }
                }
                _ => {}
            }
        }
        stack.pop();
        state.insert(node.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for node in graph.keys() {
        if state.get(node).copied().unwrap_or(0) == 0 {
            if let Some(c) = visit(graph, node, &mut state, &mut Vec::new()) {
                return Some(c);
            }
        }
    }
    None
}

#[test]
fn no_file_imports_one_that_imports_it_back() {
    let web = uses(&all_sources("web"));
    // The checker sees the edges it must: a protocol's page uses the state, the topology the
    // palette.
    assert!(web["labpage.rs"].contains(&"state.rs".to_string()));
    assert!(web["topology/mod.rs"].contains(&"palette.rs".to_string()));
    assert!(web["topology/mod.rs"].contains(&"topology/crowd.rs".to_string()));
    assert!(web["hashing/ring.rs"].contains(&"hashing/model.rs".to_string()));
    let core = uses(&all_sources("core"));
    assert!(core["lab/config.rs"].contains(&"registry.rs".to_string()));
    assert!(core["raft/setup.rs"].contains(&"raft/scenarios.rs".to_string()));
    assert!(core["sim.rs"].contains(&"protocol.rs".to_string()));
    for krate in CRATES {
        if let Some(cycle) = find_cycle(&uses(&all_sources(krate))) {
            panic!("import cycle in {krate}/src: {}", cycle.join(" → "));
        }
    }
}

#[test]
fn the_cycle_check_finds_a_cycle() {
    // Non-vacuity: the same check on a made-up crate where the state uses the share panel.
    let files: BTreeMap<String, String> = [
        ("state.rs", "fn f() { crate::share::save(); }"),
        ("share.rs", "use crate::{dom::on, state::{Msg, Player}};"),
        ("hashing/mod.rs", "mod model;\nuse model::HashState;"),
        ("hashing/model.rs", "use super::View;"),
        ("dom.rs", "// crate::state::Msg is only in a comment"),
    ]
    .into_iter()
    .map(|(f, t)| (f.to_string(), t.to_string()))
    .collect();
    let graph = uses(&files);
    assert_eq!(graph["dom.rs"], Vec::<String>::new());
    assert_eq!(graph["share.rs"], vec!["dom.rs".to_string(), "state.rs".to_string()]);
    let cycle = find_cycle(&graph).expect("two cycles");
    assert!(cycle.len() == 3, "{cycle:?}");
    let without_share: BTreeMap<String, String> =
        files.into_iter().filter(|(f, _)| f != "share.rs").collect();
    let cycle = find_cycle(&uses(&without_share)).expect("the parent-child cycle");
    assert!(cycle.contains(&"hashing/model.rs".to_string()), "{cycle:?}");
}

#[test]
fn the_reducers_touch_no_browser_api() {
    let files = all_sources("web");
    let graph = uses(&files);
    for reducer in ["state.rs", "hashing/model.rs"] {
        let code = code(&files[reducer]);
        for api in ["web_sys", "js_sys", "gloo", "wasm_bindgen", "Closure", "window()"] {
            assert!(!code.contains(api), "{reducer} uses {api}");
        }
        // And only leaf modules, which use no browser API either.
        for dep in &graph[reducer] {
            assert!(
                ["trig.rs", "num.rs", "msg.rs", "judging.rs", "exploring.rs", "i18n.rs", "hashing/lesson.rs"]
                    .contains(&dep.as_str()),
                "{reducer} uses {dep}"
            );
            assert!(graph[dep].is_empty(), "{dep} is not a leaf");
        }
    }
    // The lesson's playback is the page reducer's too, in its own file: no browser API there
    // either, and nothing but the reducer and leaves.
    let code = code(&files["guide.rs"]);
    for api in ["web_sys", "js_sys", "gloo", "wasm_bindgen", "Closure", "window()"] {
        assert!(!code.contains(api), "guide.rs uses {api}");
    }
    for dep in &graph["guide.rs"] {
        assert!(
            ["state.rs", "trig.rs", "num.rs", "msg.rs", "i18n.rs"].contains(&dep.as_str()),
            "guide.rs uses {dep}"
        );
    }
}

#[test]
fn files_stay_short_or_say_why() {
    for krate in CRATES {
        for (file, text) in all_sources(krate) {
            let lines = text.lines().count();
            let reason =
                text.lines().take_while(|l| l.starts_with("//!")).any(|l| l.contains("Over 600 lines:"));
            assert!(
                lines <= MAX_LINES || reason,
                "{krate}/src/{file} has {lines} lines; split it by concern or say why at its top (\"Over 600 lines: …\")"
            );
        }
    }
}
