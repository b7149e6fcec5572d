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
use crate::i18n::t;
use crate::settings::count_in;
use crate::state::Msg;
use crate::tf;

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
    /// "off" or "on": merge states that differ only by renamed interchangeable servers.
    pub symmetry: String,
}

/// Read the form: every field checked against its limit; a message naming the field at fault.
pub fn parse_bounds(typed: &Typed) -> Result<Bounds, String> {
    let count = |field: &str, text: &str, min: u64, max: u64| -> Result<u64, String> {
        count_in(field, text, min as usize, max as usize).map(|n| n as u64)
    };
    let optional = |field: &str, text: &str, min: u64, max: u64| -> Result<Option<u64>, String> {
        match text.trim() {
            "" => Ok(None),
            text => count(field, text, min, max).map(Some),
        }
    };
    let faults = MAX_FAULTS as u64;
    let bounds = Bounds {
        requests: count(&t("Requests"), &typed.requests, 0, MAX_REQUESTS as u64)? as u32,
        crashes: count(&t("Crashes"), &typed.crashes, 0, faults)? as u32,
        drops: count(&t("Drops"), &typed.drops, 0, faults)? as u32,
        duplicates: count(&t("Duplicates"), &typed.duplicates, 0, faults)? as u32,
        timeouts: optional(&t("Timer firings"), &typed.timeouts, 0, MAX_DEPTH as u64)?.map(|n| n as u32),
        // A round above the depth cannot be reached in that many events: no need for more.
        max_term: optional(&t("Max term"), &typed.max_term, 1, MAX_DEPTH as u64)?,
        depth: count(&t("Depth"), &typed.depth, 1, MAX_DEPTH as u64)? as u32,
        max_states: count(&t("Max states"), &typed.max_states, 1, MAX_STATES)?,
        search: Search::parse(&typed.search).ok_or_else(|| t("choose breadth first or depth first"))?,
        symmetry: match typed.symmetry.as_str() {
            "on" => true,
            "off" | "" => false,
            _ => return Err(t("choose whether to merge renamed servers")),
        },
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

fn mutant_name(mutant: &Option<String>) -> String {
    match mutant {
        Some(m) => tf!("the mutant {}", m),
        None => t("the correct protocol"),
    }
}

/// The verdict of a finished exploration.
fn verdict(r: &Report, send: &Callback<Msg>) -> Html {
    if let Some(found) = &r.violation {
        let open = if r.bounds.search == Search::Bfs {
            t("Open the shortest counterexample")
        } else {
            t("Open the counterexample")
        };
        let (property, message) = (t(&found.property), t(&found.message));
        let said = tf!("Violation of {} after {} events: {}", property, found.steps, message);
        return html! {
            <div class="explore-verdict bad">
                <p id="explore-verdict">{said}</p>
                <button id="btn-open-counterexample" class="primary" onclick={on(send, Msg::OpenCounterexample)}>{open}</button>
            </div>
        };
    }
    let (u, d) = (grouped(r.unique_states), r.max_depth);
    let text = if r.complete {
        let pruned = match r.pruned {
            0 => String::new(),
            n => tf!("; {} states past the max term left out", grouped(n)),
        };
        // Whether the depth bound cut runs short, or every run ended within it.
        let cut = match r.depth_cut {
            0 => t("Every run ends within the depth bound."),
            n => tf!(
                "{} states at the depth bound still had moves: a deeper bound explores further.",
                grouped(n)
            ),
        };
        let text = tf!("No violation in any run within these bounds (each random draw as this seed makes it): {} states, depth {} (complete{}).", u, d, pruned);
        format!("{text} {cut}")
    } else if r.unique_states >= r.bounds.max_states {
        tf!("No violation in the {} states explored, depth {}; stopped at the state limit (not complete). To finish, bound the timer firings or the max term, or raise the max states.", u, d)
    } else {
        tf!("No violation in the {} states explored, depth {}; stopped before the end (not complete).", u, d)
    };
    let class = if r.complete { "ok" } else { "partial" };
    // A break the protocol never promised (Kafka's loss with acks=1) is said, not counted.
    let shown = r.not_promised.as_ref().map(|f| {
        let said = tf!(
            "⚠ {} broke after {} events, which the protocol never promised, so the search went on: {}",
            t(&f.property),
            f.steps,
            t(&f.message)
        );
        html! { <p id="explore-not-promised" class="explore-shown">{said}</p> }
    });
    html! { <div class={classes!("explore-verdict", class)}><p id="explore-verdict">{text}</p>{for shown}</div> }
}

/// On a preset: a box to start from its first state instead of the empty small cluster.
fn start_choice(page: &LabConfig, from_preset: &UseStateHandle<bool>) -> Html {
    let Some(name) = page.scenario.as_deref() else { return html! {} };
    let presets = distlab_core::lab::scenarios(page.protocol());
    let title = presets.iter().find(|(n, _)| *n == name).map_or(name, |(_, title)| title);
    let toggle = {
        let from = from_preset.clone();
        Callback::from(move |_: Event| from.set(!*from))
    };
    html! {
        <label class="explore-start">
            <input type="checkbox" id="explore-from-preset" checked={**from_preset} onchange={toggle} />
            {tf!("Start from the first state of the preset “{}” (its cluster, and what its servers hold before the first event), not from an empty cluster.", t(title))}
        </label>
    }
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
            symmetry: if b.symmetry { "on" } else { "off" }.to_string(),
        }
    }
}

#[function_component(ExplorePanel)]
pub fn explore_panel(p: &ExploreProps) -> Html {
    crate::lang::use_lang();
    let protocol = p.config.protocol();
    // Start from the page's preset (its cluster and starting state) rather than the small cluster.
    let from_preset = use_state(|| false);
    let preset = p.config.scenario.clone().filter(|_| *from_preset);
    // The cluster and the protocol's usual bounds: once per start.
    let small = use_memo((protocol, preset.clone()), |(protocol, preset)| {
        let cfg = LabConfig { scenario: preset.clone(), ..explore::explore_config(protocol)? };
        Ok::<_, String>((exploring::cluster(&cfg)?, explore::default_bounds(&cfg)?))
    });
    let typed = {
        let defaults = (*small).as_ref().map(|s| s.1).unwrap_or_default();
        use_reducer(move || Typed::from_bounds(defaults))
    };
    let cluster = match &*small {
        Ok((c, _)) => c.clone(),
        Err(e) => {
            return html! { <p class="hint" id="explore-status">{tf!("Exploring is not available here: {}.", t(e))}</p> }
        }
    };
    let submit = {
        let (typed, from_preset) = ((*typed).clone(), preset.is_some());
        p.send.reform(move |e: SubmitEvent| {
            e.prevent_default();
            match parse_bounds(&typed) {
                Ok(b) => Msg::Explore(b, from_preset),
                Err(e) => Msg::Error(tf!("Nothing explored: {}.", e)),
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
    let number = |field: Field, id: &'static str, label: String, (min, max): (u64, u64), empty: String| {
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
    let servers = match cluster.servers {
        1 => tf!("{} server", 1),
        n => tf!("{} servers", n),
    };
    let clients = match cluster.clients {
        0 => t("no clients"),
        1 => tf!("{} client that sends only the requests below", 1),
        n => tf!("{} clients that send only the requests below", n),
    };
    let protocol_note = match &p.config.mutant {
        Some(m) => tf!("Protocol: the mutant {} (change it under Advanced, Run).", m),
        None => {
            t("Protocol: the correct one (choose a mutant under Advanced, Run, to explore a broken variant).")
        }
    };
    let (faults, depth_max) = ((0, MAX_FAULTS as u64), MAX_DEPTH as u64);
    html! {
        <section class="explore-panel" aria-label={t("Explore every interleaving")}>
            <p class="hint">{t("A run or a seed sweep sees only the orders of events its seeds draw; exploring tries every order this small cluster allows within the bounds below (time counts only as the order of events), so “no violation” holds for every one of them.")}</p>
            <p class="explore-cluster">
                {tf!("Cluster: {} ({}, {}).", cluster.names.iter().map(|n| t(n)).collect::<Vec<_>>().join(", "), servers, clients)}{" "}
                {protocol_note}
            </p>
            { start_choice(&p.config, &from_preset) }
            <form class="explore-form" onsubmit={submit} novalidate=true aria-label={t("Exploration bounds")}>
                <div class="grid">
                    { number(|t| &mut t.requests, "explore-requests", t("Requests"), (0, MAX_REQUESTS as u64), String::new()) }
                    { number(|t| &mut t.crashes, "explore-crashes", t("Crashes"), faults, String::new()) }
                    { number(|t| &mut t.drops, "explore-drops", t("Drops"), faults, String::new()) }
                    { number(|t| &mut t.duplicates, "explore-duplicates", t("Duplicates"), faults, String::new()) }
                    { number(|t| &mut t.timeouts, "explore-timeouts", t("Timer firings, in all"), (0, depth_max), t("any")) }
                    { number(|t| &mut t.max_term, "explore-max-term", t("Max term (round)"), (1, depth_max), t("none")) }
                    { number(|t| &mut t.depth, "explore-depth", t("Depth (events)"), (1, depth_max), String::new()) }
                    { number(|t| &mut t.max_states, "explore-max-states", t("Max states"), (1, MAX_STATES), String::new()) }
                    <label>{t("Search")}
                        <select id="explore-search" onchange={edit(|t| &mut t.search)}>
                            <option value="bfs" selected={typed.search == "bfs"}>{t("breadth first (shortest counterexample)")}</option>
                            <option value="dfs" selected={typed.search == "dfs"}>{t("depth first (less memory)")}</option>
                        </select>
                    </label>
                    <label>{t("Symmetry")}
                        <select id="explore-symmetry" onchange={edit(|t| &mut t.symmetry)}>
                            <option value="off" selected={typed.symmetry != "on"}>{t("off: every server by its name")}</option>
                            <option value="on" selected={typed.symmetry == "on"}>{t("on: servers that differ only by name are one state")}</option>
                        </select>
                    </label>
                </div>
                <div class="explore-buttons">
                    <button type="submit" id="btn-explore" class="primary" disabled={running}>{t("Explore")}</button>
                    { if running { html! {
                        <button type="button" id="btn-explore-stop" onclick={on(&p.send, Msg::StopExplore)}>{t("Stop")}</button>
                    } } else { html! {} } }
                </div>
            </form>
            { if started { html! {
                <div class="explore-progress">
                    <progress id="explore-progress" value={unique.to_string()} max={ex.bounds.max_states.to_string()}
                        aria-label={t("Unique states, of the state limit")}></progress>
                    <p id="explore-status" role="status">{tf!("{} states · {} unique · depth {}", grouped(states), grouped(unique), depth)}
                        // None before the first frame: a search its first slice finished.
                        { match ex.rate() { 0 => html! {}, r => html! { <>{" · "}{tf!("{} states/sec", grouped(r))}</> } } }
                    </p>
                </div>
            } } else { html! {} } }
            { for ex.report.as_ref().filter(|_| !running).map(|r| verdict(r, &p.send)) }
            { for ex.report.as_ref().filter(|r| !running && !r.unjudged.is_empty()).map(|r| html! {
                <p class="hint" id="explore-unjudged">{tf!("Not judged here: {}. They assume a message arrives within the timeouts; an exploration lets any message arrive after any timeout.", r.unjudged.iter().map(|n| t(n)).collect::<Vec<_>>().join(", "))}</p>
            }) }
            { if ex.report.is_some() && !running && ex.mutant != p.config.mutant { html! {
                <p class="hint">{tf!("This result is for {}; the page now runs {}.", mutant_name(&ex.mutant), mutant_name(&p.config.mutant))}</p>
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
            symmetry: "off".into(),
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
        assert!(parse_bounds(&Typed { symmetry: "on".into(), ..typed() }).unwrap().symmetry);
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
            (Typed { symmetry: "yes".into(), ..typed() }, "merge renamed servers"),
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
