//! The "Explore every interleaving" panel: the bounds of an exploration of the protocol's small
//! cluster, its progress while it runs, and its verdict, with the counterexample to open. The
//! search itself runs in the reducer, a slice per frame (`exploring.rs`).

use std::rc::Rc;

use distlab_core::explore::{self, Bounds, Report, Search, MAX_DEPTH, MAX_FAULTS, MAX_REQUESTS, MAX_STATES};
use distlab_core::lab::LabConfig;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::dom::on;
use crate::exploring::{self, Exploration};
use crate::num::parse_count;
use crate::state::Msg;

/// The page's state limit unless told otherwise: a few seconds of searching in a browser.
pub const PAGE_MAX_STATES: u64 = 200_000;

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
    let (class, text) = if r.complete {
        let pruned = match r.pruned {
            0 => String::new(),
            n => format!("; {} states past the max term left out", grouped(n)),
        };
        (
            "ok",
            format!("No violation in any run within these bounds: {u} states, depth {d} (complete{pruned})."),
        )
    } else if r.unique_states >= r.bounds.max_states {
        (
            "partial",
            format!(
                "No violation in the {u} states explored, depth {d}; stopped at the state limit (not complete). \
                 To finish, bound the timer firings or the max term, or raise the max states."
            ),
        )
    } else {
        (
            "partial",
            format!(
                "No violation in the {u} states explored, depth {d}; stopped before the end (not complete)."
            ),
        )
    };
    html! { <div class={classes!("explore-verdict", class)}><p id="explore-verdict">{text}</p></div> }
}

#[derive(Properties, PartialEq)]
pub struct ExploreProps {
    /// The page's run: its protocol and mutant are what an exploration explores.
    pub config: LabConfig,
    pub explore: Exploration,
    pub send: Callback<Msg>,
}

/// One field of the form, to edit.
type Field = fn(&mut Typed) -> &mut String;

/// The form's fields hold what was typed across renders (the panel renders every frame while
/// it explores, and a field's `value` is set on each render).
impl Reducible for Typed {
    type Action = (Field, String);
    fn reduce(self: Rc<Self>, (field, text): (Field, String)) -> Rc<Self> {
        let mut t = (*self).clone();
        *field(&mut t) = text;
        Rc::new(t)
    }
}

impl Typed {
    /// The form as it opens: the protocol's usual bounds, the page's state limit.
    fn from_bounds(b: Bounds) -> Typed {
        Typed {
            requests: b.requests.to_string(),
            crashes: b.crashes.to_string(),
            drops: b.drops.to_string(),
            duplicates: b.duplicates.to_string(),
            timeouts: b.timeouts.map(|n| n.to_string()).unwrap_or_default(),
            max_term: b.max_term.map(|n| n.to_string()).unwrap_or_default(),
            depth: b.depth.to_string(),
            max_states: PAGE_MAX_STATES.to_string(),
            search: b.search.name().to_string(),
        }
    }
}

#[function_component(ExplorePanel)]
pub fn explore_panel(p: &ExploreProps) -> Html {
    let protocol = p.config.protocol();
    // The small cluster and the protocol's usual bounds: once per protocol.
    let small = use_memo(protocol, |protocol| {
        let cfg = explore::explore_config(protocol)?;
        Ok::<_, String>((exploring::cluster(&cfg)?, explore::default_bounds(&cfg)?))
    });
    let typed = {
        let defaults = (*small).as_ref().map(|s| s.1).unwrap_or_default();
        use_reducer(move || Typed::from_bounds(defaults))
    };
    let cluster = match &*small {
        Ok((c, _)) => c.clone(),
        Err(e) => {
            return html! { <p class="hint" id="explore-status">{format!("Exploring is not available here: {e}.")}</p> }
        }
    };
    let submit = {
        let typed = (*typed).clone();
        p.send.reform(move |e: SubmitEvent| {
            e.prevent_default();
            match parse_bounds(&typed) {
                Ok(b) => Msg::Explore(b),
                Err(e) => Msg::Error(format!("Nothing explored: {e}.")),
            }
        })
    };
    let edit = |field: Field| {
        let d = typed.dispatcher();
        Callback::from(move |e: Event| {
            let text = match e.target_dyn_into::<HtmlSelectElement>() {
                Some(select) => select.value(),
                None => e.target_unchecked_into::<HtmlInputElement>().value(),
            };
            d.dispatch((field, text));
        })
    };
    let number = |field: Field,
                  id: &'static str,
                  label: &'static str,
                  (min, max): (u64, u64),
                  empty: &'static str| {
        let value = field(&mut (*typed).clone()).clone();
        html! {
            <label>{label}
                <input id={id} type="number" inputmode="numeric" min={min.to_string()} max={max.to_string()}
                    value={value} placeholder={empty} oninput={edit(field).reform(Event::from)} />
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
    let protocol_note = match &p.config.mutant {
        Some(m) => format!("Protocol: the mutant {m} (change it under Advanced, Run)."),
        None => {
            "Protocol: the correct one (choose a mutant under Advanced, Run, to explore a broken variant)."
                .into()
        }
    };
    let (faults, depth_max) = ((0, MAX_FAULTS as u64), MAX_DEPTH as u64);
    html! {
        <section class="explore-panel" aria-label="Explore every interleaving">
            <p class="hint">{"A run or a seed sweep sees only the orders of events its seeds draw; exploring tries every order this small cluster allows within the bounds below (time counts only as the order of events), so \u{201c}no violation\u{201d} holds for every one of them."}</p>
            <p class="explore-cluster">
                {format!("Cluster: {} ({}, {}). ", cluster.names.join(", "), plural(cluster.servers, "server", "servers"), clients)}
                {protocol_note}
            </p>
            <form class="explore-form" onsubmit={submit} novalidate=true aria-label="Exploration bounds">
                <div class="grid">
                    { number(|t| &mut t.requests, "explore-requests", "Requests", (0, MAX_REQUESTS as u64), "") }
                    { number(|t| &mut t.crashes, "explore-crashes", "Crashes", faults, "") }
                    { number(|t| &mut t.drops, "explore-drops", "Drops", faults, "") }
                    { number(|t| &mut t.duplicates, "explore-duplicates", "Duplicates", faults, "") }
                    { number(|t| &mut t.timeouts, "explore-timeouts", "Timer firings, in all", (0, depth_max), "any") }
                    { number(|t| &mut t.max_term, "explore-max-term", "Max term (round)", (1, depth_max), "none") }
                    { number(|t| &mut t.depth, "explore-depth", "Depth (events)", (1, depth_max), "") }
                    { number(|t| &mut t.max_states, "explore-max-states", "Max states", (1, MAX_STATES), "") }
                    <label>{"Search"}
                        <select id="explore-search" onchange={edit(|t| &mut t.search)}>
                            <option value="bfs" selected={typed.search == "bfs"}>{"breadth first (shortest counterexample)"}</option>
                            <option value="dfs" selected={typed.search == "dfs"}>{"depth first (less memory)"}</option>
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
                        "{} states · {} unique · depth {}{}",
                        grouped(states), grouped(unique), depth,
                        // None before the first frame: a search its first slice finished.
                        match ex.rate() { 0 => String::new(), r => format!(" · {} states/s", grouped(r)) }
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
