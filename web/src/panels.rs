//! The panels beside the cluster: transport controls, run settings, the inspector for a node
//! or a message, the network tools, the safety badge, the event log and the shortcut sheet.
//! Each gets props and emits `Msg`s through one callback; none mutates state itself.

use distlab_core::lab::{self, Action, EventLine, LabConfig, Snapshot};
use distlab_core::net::FaultPreset;
use distlab_core::protocol::{MsgId, NodeId};
use distlab_core::trace::RecordClass;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::state::{Msg, Selection, SPEED_LOG_MAX, SPEED_LOG_MIN};
use crate::topology::message_style;

fn ms(us: u64) -> String {
    format!("{:.1} ms", us as f64 / 1000.0)
}

#[derive(Properties, PartialEq)]
pub struct TransportProps {
    pub snap: std::rc::Rc<Snapshot>,
    pub playing: bool,
    pub speed_log: f64,
    pub send: Callback<Msg>,
}

#[function_component(Transport)]
pub fn transport(p: &TransportProps) -> Html {
    let s = &p.snap;
    let send = p.send.clone();
    let on_speed = send.reform(|e: InputEvent| {
        let v = e.target_unchecked_into::<HtmlInputElement>().value_as_number();
        Msg::SetSpeedLog(if v.is_finite() { v } else { 0.0 })
    });
    let on_scrub = send.reform(|e: InputEvent| {
        let v = e.target_unchecked_into::<HtmlInputElement>().value_as_number();
        Msg::Seek(if v.is_finite() && v >= 0.0 { v as u64 } else { 0 })
    });
    let speed = 10f64.powf(p.speed_log);
    let speed_text = if speed < 0.1 {
        format!("{speed:.2}×")
    } else if speed < 10.0 {
        format!("{speed:.1}×")
    } else {
        format!("{speed:.0}×")
    };
    let max = s.horizon.max(s.position).max(1);
    html! {
        <section class="transport" aria-label="Playback">
            <div class="buttons">
                <button id="btn-back" title="Step back one event (←)" onclick={send.reform(|_| Msg::Back)} disabled={s.position == 0}>{"← Back"}</button>
                <button id="btn-play" class="primary" title="Play or pause (space)" onclick={send.reform(|_| Msg::TogglePlay)}>
                    { if p.playing { "❚❚ Pause" } else { "▶ Play" } }
                </button>
                <button id="btn-step" title="Step forward one event (→)" onclick={send.reform(|_| Msg::Step)} disabled={s.at_end}>{"Step →"}</button>
                <button id="btn-reset" title="Back to the start with the same seed" onclick={send.reform(|_| Msg::Reset)}>{"↺ Reset"}</button>
            </div>
            <label class="speed">
                <span>{"Speed "}<b id="speed-value">{speed_text}</b></span>
                <input id="speed" type="range" min={SPEED_LOG_MIN.to_string()} max={SPEED_LOG_MAX.to_string()} step="0.05"
                       value={p.speed_log.to_string()} oninput={on_speed} aria-label="Playback speed, 0.01× to 100×" />
            </label>
            <label class="scrub">
                <span>{"Event "}<b id="position">{s.position}</b>{format!(" of {}", s.horizon)}{" · "}{ms(s.time.0)}</span>
                <input id="scrubber" type="range" min="0" max={max.to_string()} step="1" value={s.position.to_string()}
                       oninput={on_scrub} aria-label="Scrub through the run's events" />
            </label>
        </section>
    }
}

#[derive(Properties, PartialEq)]
pub struct SettingsProps {
    pub config: LabConfig,
    pub send: Callback<Msg>,
}

fn read_input(r: &NodeRef) -> String {
    r.cast::<HtmlInputElement>().map(|i| i.value()).unwrap_or_default()
}

fn read_select(r: &NodeRef) -> String {
    r.cast::<HtmlSelectElement>().map(|i| i.value()).unwrap_or_default()
}

/// Parse a count field: a whole number in `1..=max`, else a message naming the field.
pub fn parse_count(field: &str, text: &str, max: usize) -> Result<usize, String> {
    match text.trim().parse::<usize>() {
        Ok(n) if (1..=max).contains(&n) => Ok(n),
        _ => Err(format!("{field} must be a whole number from 1 to {max} (got {text:?})")),
    }
}

/// Parse a seed: a whole number from 0 to 2^53 (what a URL or a form can carry exactly).
pub fn parse_seed(text: &str) -> Result<u64, String> {
    const MAX: u64 = 1 << 53;
    match text.trim().parse::<u64>() {
        Ok(n) if n <= MAX => Ok(n),
        _ => Err(format!("the seed must be a whole number from 0 to {MAX} (got {text:?})")),
    }
}

#[function_component(Settings)]
pub fn settings(p: &SettingsProps) -> Html {
    let seed = use_node_ref();
    let proposers = use_node_ref();
    let acceptors = use_node_ref();
    let learners = use_node_ref();
    let faults = use_node_ref();
    let mutant = use_node_ref();
    let backoff = use_node_ref();
    let c = &p.config;
    let apply = {
        let (seed, proposers, acceptors, learners, faults, mutant, backoff) = (
            seed.clone(),
            proposers.clone(),
            acceptors.clone(),
            learners.clone(),
            faults.clone(),
            mutant.clone(),
            backoff.clone(),
        );
        let base = c.clone();
        p.send.reform(move |e: SubmitEvent| {
            e.prevent_default();
            let parsed = (|| -> Result<LabConfig, String> {
                let max = distlab_core::paxos::MAX_ROLE;
                Ok(LabConfig {
                    seed: parse_seed(&read_input(&seed))?,
                    proposers: parse_count("proposers", &read_input(&proposers), max)?,
                    acceptors: parse_count("acceptors", &read_input(&acceptors), max)?,
                    learners: parse_count("learners", &read_input(&learners), max)?,
                    faults: FaultPreset::parse(&read_select(&faults)).ok_or("choose a fault level")?,
                    mutant: Some(read_select(&mutant)).filter(|m| !m.is_empty()),
                    backoff: backoff.cast::<HtmlInputElement>().map(|i| i.checked()).unwrap_or(true),
                    ..base.clone()
                })
            })();
            match parsed {
                Ok(cfg) => Msg::Configure(cfg),
                Err(e) => Msg::Error(e),
            }
        })
    };
    let new_seed = {
        let base = c.clone();
        p.send.reform(move |_: MouseEvent| {
            // The page may use the browser's randomness to *pick* a seed; the run itself only
            // ever uses the seeded generator in core.
            let s = (js_sys::Math::random() * 1_000_000.0) as u64;
            Msg::Configure(LabConfig { seed: s, ..base.clone() })
        })
    };
    let mutants = lab::mutants(&c.protocol).unwrap_or_default();
    let key = format!("{:?}", c);
    html! {
        <form class="settings" onsubmit={apply} key={key} aria-label="Run settings" novalidate=true>
            <h2>{"Run"}</h2>
            <div class="grid">
                <label>{"Seed"}<input ref={seed} id="seed" inputmode="numeric" value={c.seed.to_string()} /></label>
                <button type="button" id="btn-new-seed" onclick={new_seed} title="Draw a new random seed">{"New seed"}</button>
                <label>{"Proposers"}<input ref={proposers} id="proposers" type="number" min="1" max="9" value={c.proposers.to_string()} /></label>
                <label>{"Acceptors"}<input ref={acceptors} id="acceptors" type="number" min="1" max="9" value={c.acceptors.to_string()} /></label>
                <label>{"Learners"}<input ref={learners} id="learners" type="number" min="1" max="9" value={c.learners.to_string()} /></label>
                <label>{"Faults"}
                    <select ref={faults} id="faults">
                        { for FaultPreset::ALL.iter().map(|f| html! { <option value={f.name()} selected={*f == c.faults}>{f.name()}</option> }) }
                    </select>
                </label>
                <label class="wide">{"Mutant (a deliberately broken variant)"}
                    <select ref={mutant} id="mutant">
                        <option value="" selected={c.mutant.is_none()}>{"none: correct Paxos"}</option>
                        { for mutants.iter().map(|(name, desc)| html! {
                            <option value={*name} selected={c.mutant.as_deref() == Some(*name)}>{format!("{name}: {desc}")}</option>
                        }) }
                    </select>
                </label>
                <label class="check"><input ref={backoff} id="backoff" type="checkbox" checked={c.backoff} />{"Randomized back-off (off: dueling proposers livelock)"}</label>
            </div>
            <button type="submit" id="btn-apply" class="primary">{"Apply and restart"}</button>
        </form>
    }
}

#[derive(Properties, PartialEq)]
pub struct InspectorProps {
    pub snap: std::rc::Rc<Snapshot>,
    pub selection: Option<Selection>,
    pub side_b: Vec<u32>,
    pub send: Callback<Msg>,
}

#[function_component(Inspector)]
pub fn inspector(p: &InspectorProps) -> Html {
    let value = use_node_ref();
    let s = &p.snap;
    let body = match &p.selection {
        Some(Selection::Node(id)) => match s.nodes.get(*id as usize) {
            None => html! { <p>{"That node is no longer in the cluster."}</p> },
            Some(node) => {
                let nid = NodeId(*id);
                let toggle = if node.up {
                    html! { <button id="btn-crash" class="danger" onclick={p.send.reform(move |_| Msg::Act(Action::Crash(nid)))}>{"Crash"}</button> }
                } else {
                    html! { <button id="btn-restart" onclick={p.send.reform(move |_| Msg::Act(Action::Restart(nid)))}>{"Restart"}</button> }
                };
                let isolate = { p.send.reform(move |_| Msg::Act(Action::Partition(vec![nid]))) };
                let propose = {
                    let value = value.clone();
                    p.send.reform(move |e: SubmitEvent| {
                        e.prevent_default();
                        Msg::Act(Action::Client(nid, read_input(&value)))
                    })
                };
                let is_proposer = node.view.role.contains("proposer");
                html! {
                    <>
                        <h2>{format!("S{} ", id + 1)}<small>{&node.view.role}</small>
                            { if node.up { html!{ <span class="pill ok">{"up"}</span> } } else { html!{ <span class="pill bad">{"crashed"}</span> } } }
                        </h2>
                        <dl>
                            { for node.view.fields.iter().map(|(k, v)| html! { <><dt>{k}</dt><dd>{v}</dd></> }) }
                            { for node.timers.iter().map(|(label, _, fires)| html! { <><dt>{format!("{label} timer")}</dt><dd>{format!("fires at {}", ms(fires.0))}</dd></> }) }
                        </dl>
                        <div class="row">{toggle}<button onclick={isolate}>{"Isolate from the rest"}</button></div>
                        { if is_proposer { html! {
                            <form class="row" onsubmit={propose}>
                                <label>{"Client proposes"}<input ref={value} id="propose-value" inputmode="numeric" placeholder="e.g. 42" /></label>
                                <button type="submit">{"Send"}</button>
                            </form>
                        } } else { html!{} } }
                        <p class="hint">{"Persistent across a crash: acceptor promise and accepted value, proposer round. Lost: learned value, proposer phase."}</p>
                    </>
                }
            }
        },
        Some(Selection::Message(id)) => match s.flights.iter().find(|f| f.id.0 == *id) {
            None => html! { <p>{"That message has arrived or was dropped."}</p> },
            Some(f) => {
                let mid = MsgId(*id);
                let (color, glyph) = message_style(f.kind);
                html! {
                    <>
                        <h2><span class="dot" style={format!("background:{color}")}>{glyph}</span>{format!(" {} #{}", f.kind, f.id.0)}</h2>
                        <dl>
                            <dt>{"from → to"}</dt><dd>{format!("S{} → S{}", f.from.0 + 1, f.to.0 + 1)}</dd>
                            <dt>{"fields"}</dt><dd>{&f.summary}</dd>
                            <dt>{"sent"}</dt><dd>{ms(f.sent_at.0)}</dd>
                            <dt>{"arrives"}</dt><dd>{ms(f.arrive_at.0)}</dd>
                        </dl>
                        <button id="btn-drop" class="danger" onclick={p.send.reform(move |_| Msg::Act(Action::Drop(mid)))}>{"Drop this message"}</button>
                    </>
                }
            }
        },
        None => {
            html! { <p class="hint">{"Click a node to crash, restart or isolate it, or to propose a value. Click a message in flight to see its fields and drop it."}</p> }
        }
    };
    let n = s.nodes.len() as u32;
    let split = {
        let side: Vec<NodeId> = p.side_b.iter().map(|i| NodeId(*i)).collect();
        p.send.reform(move |_| Msg::Act(Action::Partition(side.clone())))
    };
    html! {
        <section class="inspector" aria-label="Inspector">
            { body }
            <h3>{"Network"}</h3>
            <p class="hint">{"Pick the nodes for side B, then split. Messages between the sides are dropped until you heal."}</p>
            <div class="row sides">
                { for (0..n).map(|i| {
                    let on = p.side_b.contains(&i);
                    html! { <button class={classes!("side-toggle", on.then_some("on"))} aria-pressed={on.to_string()}
                        onclick={p.send.reform(move |_| Msg::ToggleSide(i))}>{format!("S{}", i + 1)}</button> }
                }) }
            </div>
            <div class="row">
                <button id="btn-split" onclick={split} disabled={p.side_b.is_empty()}>{"✂ Split network"}</button>
                <button id="btn-heal" onclick={p.send.reform(|_| Msg::Act(Action::Heal))}>{"Heal"}</button>
            </div>
        </section>
    }
}

#[derive(Properties, PartialEq)]
pub struct SafetyProps {
    pub snap: std::rc::Rc<Snapshot>,
    pub properties: Vec<(&'static str, &'static str)>,
    pub send: Callback<Msg>,
}

#[function_component(Safety)]
pub fn safety(p: &SafetyProps) -> Html {
    match &p.snap.violation {
        None => html! {
            <div id="safety" class="safety ok" role="status">
                <b>{"✔ Safety holds"}</b>
                <span>{ for p.properties.iter().map(|(name, desc)| html! { <span class="prop" title={*desc}>{*name}</span> }) }</span>
            </div>
        },
        Some(v) => {
            let at = v.event;
            html! {
                <div id="safety" class="safety bad" role="alert">
                    <b>{format!("✘ {} violated at event {}", v.property, v.event)}</b>
                    <span>{&v.message}</span>
                    <button onclick={p.send.reform(move |_| Msg::Seek(at.saturating_sub(1)))}>{"Show the state just before"}</button>
                    <button onclick={p.send.reform(move |_| Msg::Seek(at))}>{"Show the breaking event"}</button>
                </div>
            }
        }
    }
}

#[derive(Properties, PartialEq)]
pub struct LogProps {
    pub lines: std::rc::Rc<Vec<EventLine>>,
    pub position: u64,
    pub send: Callback<Msg>,
}

#[function_component(EventLog)]
pub fn event_log(p: &LogProps) -> Html {
    let class = |c: RecordClass| match c {
        RecordClass::Message => "m",
        RecordClass::Drop => "d",
        RecordClass::Timer => "t",
        RecordClass::Client => "c",
        RecordClass::Fault => "f",
        RecordClass::State => "s",
        RecordClass::Violation => "v",
    };
    html! {
        <section class="log" aria-label="Event log">
            <h3>{"Events"}</h3>
            <ol id="event-log" reversed=true>
                { for p.lines.iter().rev().map(|l| {
                    let ev = l.event;
                    html! {
                        <li class={classes!(class(l.class), (ev == p.position).then_some("current"))}
                            onclick={p.send.reform(move |_| Msg::Seek(ev))} title="Go to this event">
                            <span class="ev">{format!("#{}", l.event)}</span>
                            <span class="t">{ms(l.time.0)}</span>
                            <span class="x">{&l.text}</span>
                        </li>
                    }
                }) }
            </ol>
        </section>
    }
}

#[derive(Properties, PartialEq)]
pub struct HelpProps {
    pub send: Callback<Msg>,
}

#[function_component(Help)]
pub fn help(p: &HelpProps) -> Html {
    html! {
        <div class="overlay" role="dialog" aria-modal="true" aria-label="Keyboard shortcuts" onclick={p.send.reform(|_| Msg::CloseHelp)}>
            <div class="sheet">
                <h2>{"Keyboard shortcuts"}</h2>
                <dl>
                    <dt><kbd>{"space"}</kbd></dt><dd>{"play / pause"}</dd>
                    <dt><kbd>{"→"}</kbd></dt><dd>{"step forward one event"}</dd>
                    <dt><kbd>{"←"}</kbd></dt><dd>{"step back one event"}</dd>
                    <dt><kbd>{"?"}</kbd></dt><dd>{"show or hide this sheet"}</dd>
                    <dt><kbd>{"Esc"}</kbd></dt><dd>{"close"}</dd>
                </dl>
                <button onclick={p.send.reform(|_| Msg::CloseHelp)}>{"Close"}</button>
            </div>
        </div>
    }
}
