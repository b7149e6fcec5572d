//! The "Explore every interleaving" panel: the bounds of an exploration of the protocol's small
//! cluster, its progress while it runs, and its verdict, with the counterexample to open. The
//! search itself runs in the reducer, a slice per frame (`exploring.rs`).

use distlab_core::explore::{self, Bounds, Report, Search, MAX_DEPTH, MAX_FAULTS, MAX_REQUESTS, MAX_STATES};
use distlab_core::lab::LabConfig;
use yew::prelude::*;

use crate::dom::{on, read_input, read_select};
use crate::exploring::{self, Exploration};
use crate::num::parse_count;
use crate::state::Msg;

/// The page's state limit unless told otherwise: a few seconds of searching in a browser.
pub const PAGE_MAX_STATES: u64 = 100_000;

/// The form's fields as typed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Typed {
    pub requests: String,
    pub crashes: String,
    pub drops: String,
    pub duplicates: String,
    /// Empty: any number.
    pub timeouts: String,
    /// Empty: no bound.
    pub max_term: String,
    pub depth: String,
    pub max_states: String,
    /// "bfs" or "dfs".
    pub search: String,
}

/// Read the form: every field checked against its limit; a message naming the field at fault.
pub fn parse_bounds(t: &Typed) -> Result<Bounds, String> {
    let count = |field: &str, text: &str, min: u64, max: u64| -> Result<u64, String> {
        parse_count(field, text, min as usize, max as usize).map(|n| n as u64)
    };
    let optional = |field: &str, text: &str, min: u64, max: u64| -> Result<Option<u64>, String> {
        match text.trim() {
            "" => Ok(None),
            text => count(field, text, min, max).map(Some),
        }
    };
    let faults = MAX_FAULTS as u64;
    let bounds = Bounds {
        requests: count("Requests", &t.requests, 0, MAX_REQUESTS as u64)? as u32,
        crashes: count("Crashes", &t.crashes, 0, faults)? as u32,
        drops: count("Drops", &t.drops, 0, faults)? as u32,
        duplicates: count("Duplicates", &t.duplicates, 0, faults)? as u32,
        timeouts: optional("Timer firings", &t.timeouts, 0, MAX_DEPTH as u64)?.map(|n| n as u32),
        // A round above the depth cannot be reached in that many events: no need for more.
        max_term: optional("Max term", &t.max_term, 1, MAX_DEPTH as u64)?,
        depth: count("Depth", &t.depth, 1, MAX_DEPTH as u64)? as u32,
        max_states: count("Max states", &t.max_states, 1, MAX_STATES)?,
        search: Search::parse(&t.search).ok_or("choose breadth first or depth first")?,
        symmetry: false,
    };
    bounds.validate()?;
    Ok(bounds)
}

/// `n` with a comma every three digits (12,345).
pub fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn mutant_name(mutant: &Option<String>) -> String {
    match mutant {
        Some(m) => format!("the mutant {m}"),
        None => "the correct protocol".into(),
    }
}

/// The verdict of a finished exploration.
fn verdict(r: &Report, send: &Callback<Msg>) -> Html {
    if let Some(found) = &r.violation {
        let open = if r.bounds.search == Search::Bfs {
            "Open the shortest counterexample"
        } else {
            "Open the counterexample"
        };
        return html! {
            <div class="explore-verdict bad">
                <p id="explore-verdict">{format!(
                    "Violation of {} after {} events: {}",
                    found.property, found.steps, found.message
                )}</p>
                <button id="btn-open-counterexample" class="primary" onclick={on(send, Msg::OpenCounterexample)}>{open}</button>
            </div>
        };
    }
    let (u, d) = (grouped(r.unique_states), r.max_depth);
    let text = if r.complete {
        let pruned = match r.pruned {
            0 => String::new(),
            n => format!("; {} states past the max term left out", grouped(n)),
        };
        format!("No violation in any run within these bounds: {u} states, depth {d} (complete{pruned}).")
    } else if r.unique_states >= r.bounds.max_states {
        format!(
            "No violation in the {u} states explored, depth {d}; stopped at the state limit (not complete)."
        )
    } else {
        format!("No violation in the {u} states explored, depth {d}; stopped before the end (not complete).")
    };
    html! { <div class="explore-verdict ok"><p id="explore-verdict">{text}</p></div> }
}

#[derive(Properties, PartialEq)]
pub struct ExploreProps {
    /// The page's run: its protocol and mutant are what an exploration explores.
    pub config: LabConfig,
    pub explore: Exploration,
    pub send: Callback<Msg>,
}

#[function_component(ExplorePanel)]
pub fn explore_panel(p: &ExploreProps) -> Html {
    // The fields, behind refs kept for the page's lifetime.
    let refs = (*use_memo((), |_| <[NodeRef; 9]>::default())).clone();
    let protocol = p.config.protocol();
    // The small cluster and the protocol's usual number of requests: once per protocol.
    let small = use_memo(protocol, |protocol| {
        let cfg = explore::explore_config(protocol)?;
        Ok::<_, String>((exploring::cluster(&cfg)?, explore::default_bounds(&cfg)?))
    });
    let (cluster, defaults) = match &*small {
        Ok((c, d)) => (c.clone(), *d),
        Err(e) => {
            return html! { <p class="hint" id="explore-status">{format!("Exploring is not available here: {e}.")}</p> }
        }
    };
    let submit = {
        let refs = refs.clone();
        p.send.reform(move |e: SubmitEvent| {
            e.prevent_default();
            let typed = Typed {
                requests: read_input(&refs[0]),
                crashes: read_input(&refs[1]),
                drops: read_input(&refs[2]),
                duplicates: read_input(&refs[3]),
                timeouts: read_input(&refs[4]),
                max_term: read_input(&refs[5]),
                depth: read_input(&refs[6]),
                max_states: read_input(&refs[7]),
                search: read_select(&refs[8]),
            };
            match parse_bounds(&typed) {
                Ok(b) => Msg::Explore(b),
                Err(e) => Msg::Error(format!("Nothing explored: {e}.")),
            }
        })
    };
    let field = |i: usize,
                 id: &'static str,
                 label: &'static str,
                 value: String,
                 min: u64,
                 max: u64,
                 hint: &'static str| {
        html! {
            <label>{label}
                <input ref={refs[i].clone()} id={id} type="number" inputmode="numeric" min={min.to_string()}
                    max={max.to_string()} value={value} placeholder={hint} />
            </label>
        }
    };
    let ex = &p.explore;
    let running = ex.is_running();
    let (states, unique, depth) = match &ex.report {
        Some(r) if !running => (r.states, r.unique_states, r.max_depth),
        _ => (ex.progress.states, ex.progress.unique_states, ex.progress.max_depth),
    };
    let started = running || ex.report.is_some();
    let clients = match cluster.clients {
        0 => "no clients".to_string(),
        n => plural(
            n,
            "client that sends only the requests below",
            "clients that send only the requests below",
        ),
    };
    html! {
        <section class="explore-panel" aria-label="Explore every interleaving">
            <p class="hint">{"Playing and seed sweeps see only the orders of events their seeds draw; exploring tries every order this small cluster allows within the bounds below, with time counted only as the order of events. So \u{201c}no violation\u{201d} covers every such run, and a violation comes with the run that shows it."}</p>
            <p class="explore-cluster">
                {format!("Cluster: {} ({}, {}). Protocol: {} (set the mutant under Run settings).",
                    cluster.names.join(", "), plural(cluster.servers, "server", "servers"), clients, mutant_name(&p.config.mutant))}
            </p>
            <form class="explore-form" onsubmit={submit} novalidate=true aria-label="Exploration bounds">
                <div class="grid">
                    { field(0, "explore-requests", "Requests", defaults.requests.to_string(), 0, MAX_REQUESTS as u64, "") }
                    { field(1, "explore-crashes", "Crashes", "0".into(), 0, MAX_FAULTS as u64, "") }
                    { field(2, "explore-drops", "Drops", "0".into(), 0, MAX_FAULTS as u64, "") }
                    { field(3, "explore-duplicates", "Duplicates", "0".into(), 0, MAX_FAULTS as u64, "") }
                    { field(4, "explore-timeouts", "Timer firings, in all", String::new(), 0, MAX_DEPTH as u64, "any") }
                    { field(5, "explore-max-term", "Max term (round)", String::new(), 1, MAX_DEPTH as u64, "none") }
                    { field(6, "explore-depth", "Depth (events)", defaults.depth.to_string(), 1, MAX_DEPTH as u64, "") }
                    { field(7, "explore-max-states", "Max states", PAGE_MAX_STATES.to_string(), 1, MAX_STATES, "") }
                    <label>{"Search"}
                        <select ref={refs[8].clone()} id="explore-search">
                            <option value="bfs" selected=true>{"breadth first (shortest counterexample)"}</option>
                            <option value="dfs">{"depth first (less memory)"}</option>
                        </select>
                    </label>
                </div>
                <div class="explore-buttons">
                    <button type="submit" id="btn-explore" class="primary" disabled={running}>{"Explore"}</button>
                    { if running { html! {
                        <button type="button" id="btn-explore-stop" onclick={on(&p.send, Msg::StopExplore)}>{"Stop"}</button>
                    } } else { html! {} } }
                </div>
            </form>
            { if started { html! {
                <div class="explore-progress">
                    <progress id="explore-progress" value={unique.to_string()} max={ex.bounds.max_states.to_string()}
                        aria-label="Unique states, of the state limit"></progress>
                    <p id="explore-status" role="status">{format!(
                        "{} states · {} unique · depth {} · {} states/s",
                        grouped(states), grouped(unique), depth, grouped(ex.rate())
                    )}</p>
                </div>
            } } else { html! {} } }
            { for ex.report.as_ref().filter(|_| !running).map(|r| verdict(r, &p.send)) }
            { if ex.report.is_some() && !running && ex.mutant != p.config.mutant { html! {
                <p class="hint">{format!("This result is for {}; the page now runs {}.", mutant_name(&ex.mutant), mutant_name(&p.config.mutant))}</p>
            } } else { html! {} } }
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed() -> Typed {
        Typed {
            requests: "2".into(),
            crashes: "0".into(),
            drops: "1".into(),
            duplicates: "0".into(),
            timeouts: "".into(),
            max_term: "3".into(),
            depth: "64".into(),
            max_states: "100000".into(),
            search: "dfs".into(),
        }
    }

    #[test]
    fn the_form_reads_into_bounds_and_empty_means_unbounded() {
        let b = parse_bounds(&typed()).unwrap();
        assert_eq!(
            b,
            Bounds {
                requests: 2,
                drops: 1,
                timeouts: None,
                max_term: Some(3),
                depth: 64,
                max_states: 100_000,
                search: Search::Dfs,
                ..Bounds::default()
            }
        );
        let b = parse_bounds(&Typed { timeouts: "0".into(), max_term: " ".into(), ..typed() }).unwrap();
        assert_eq!((b.timeouts, b.max_term), (Some(0), None));
    }

    #[test]
    fn a_bad_field_is_named_and_nothing_is_read() {
        for (t, field) in [
            (Typed { requests: "17".into(), ..typed() }, "Requests"),
            (Typed { crashes: "-1".into(), ..typed() }, "Crashes"),
            (Typed { timeouts: "x".into(), ..typed() }, "Timer firings"),
            (Typed { max_term: "0".into(), ..typed() }, "Max term"),
            (Typed { depth: "0".into(), ..typed() }, "Depth"),
            (Typed { max_states: "".into(), ..typed() }, "Max states"),
            (Typed { search: "random".into(), ..typed() }, "breadth first"),
        ] {
            let err = parse_bounds(&t).unwrap_err();
            assert!(err.contains(field), "{err}");
        }
    }

    #[test]
    fn counts_are_grouped_by_thousands() {
        assert_eq!(
            [0, 999, 1_000, 123_456, 1_234_567].map(grouped),
            ["0", "999", "1,000", "123,456", "1,234,567"].map(String::from)
        );
    }
}
