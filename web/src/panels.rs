//! The panels beside the cluster: transport controls, run settings, the inspector for a node
//! or a message, the network tools, the safety badge, the event log and the shortcut sheet.
//! Each gets props and emits `Msg`s through one callback; none mutates state itself.

use distlab_core::lab::{Action, EventLine, Snapshot};
use distlab_core::protocol::{MsgId, NodeId};
use distlab_core::trace::{Fill, Phrase, RecordClass};
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::dom::{closest, on, read_input, read_select};
use crate::i18n::t;
use crate::num::Fixed;
use crate::palette::{ink, message_style};
use crate::state::{Msg, Selection, SPEED_LOG_MAX, SPEED_LOG_MIN};
use crate::tf;

pub use crate::num::ms;

#[derive(Properties, PartialEq)]
pub struct TransportProps {
    pub snap: std::rc::Rc<Snapshot>,
    pub playing: bool,
    pub speed_log: f64,
    pub send: Callback<Msg>,
}

#[function_component(Transport)]
pub fn transport(p: &TransportProps) -> Html {
    crate::lang::use_lang();
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
    let speed = crate::trig::pow10(p.speed_log);
    let speed_text = if speed < 0.1 {
        format!("{}×", Fixed(speed, 2))
    } else if speed < 10.0 {
        format!("{}×", Fixed(speed, 1))
    } else {
        format!("{}×", Fixed(speed, 0))
    };
    let max = s.horizon.max(s.position).max(1);
    html! {
        <section class="transport" aria-label={t("Playback")}>
            <div class="buttons">
                <button id="btn-back" title={t("Step back one event (←)")} onclick={on(&send, Msg::Back)} disabled={s.position == 0}>{t("← Back")}</button>
                <button id="btn-play" class="primary" title={t("Play or pause (space)")} onclick={on(&send, Msg::TogglePlay)}>
                    { if p.playing { t("❚❚ Pause") } else { t("▶ Play") } }
                </button>
                <button id="btn-step" title={t("Step forward one event (→)")} onclick={on(&send, Msg::Step)} disabled={s.at_end}>{t("Step →")}</button>
                <button id="btn-reset" title={t("Back to the start with the same seed")} onclick={on(&send, Msg::Reset)}>{t("↺ Reset")}</button>
            </div>
            <label class="speed">
                <span>{t("Speed")}{" "}<b id="speed-value">{speed_text}</b></span>
                <input id="speed" type="range" min={crate::num::short(SPEED_LOG_MIN)} max={crate::num::short(SPEED_LOG_MAX)} step="0.05"
                       value={crate::num::short(p.speed_log)} oninput={on_speed} aria-label={t("Playback speed, 0.01× to 100×")} />
            </label>
            <label class="scrub">
                <span>{sentence(&tf!("Event {} of {}", slot(0), s.horizon), &[html! { <b id="position">{s.position}</b> }])}{" · "}{ms(s.time.0)}</span>
                <input id="scrubber" type="range" min="0" max={max.to_string()} step="1" value={s.position.to_string()}
                       oninput={on_scrub} aria-label={t("Scrub through the run's events")} />
            </label>
        </section>
    }
}

/// A button per one-click request a node offers (label, the command it sends).
fn request_buttons(send: &Callback<Msg>, nid: NodeId, actions: &[(String, String)]) -> Html {
    actions
        .iter()
        .map(|(label, cmd)| {
            html! { <button class="action" onclick={on(send, Msg::Act(Action::Client(nid, cmd.clone())))}>{t(label)}</button> }
        })
        .collect()
}

#[derive(Properties, PartialEq)]
pub struct QuickBarProps {
    pub snap: std::rc::Rc<Snapshot>,
    pub selection: Option<Selection>,
    pub send: Callback<Msg>,
}

/// In the one-column layout (a phone) the inspector is far below the cluster, so a tapped node
/// or message also gets a bar right under the drawing: what it is, its main actions, and a
/// button down to the inspector. The stylesheet shows it only in that layout.
#[function_component(QuickBar)]
pub fn quick_bar(p: &QuickBarProps) -> Html {
    crate::lang::use_lang();
    let details = Callback::from(|_: MouseEvent| {
        let inspector = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.query_selector(".inspector").ok().flatten());
        if let Some(el) = inspector {
            el.scroll_into_view();
        }
    });
    let (what, actions) = match &p.selection {
        Some(Selection::Node(id)) => {
            let Some(node) = p.snap.nodes.get(*id as usize) else { return html! {} };
            let nid = NodeId(*id);
            let toggle = if node.up {
                html! { <button class="danger" onclick={on(&p.send, Msg::Act(Action::Crash(nid)))}>{t("Crash")}</button> }
            } else {
                html! { <button onclick={on(&p.send, Msg::Act(Action::Restart(nid)))}>{t("Restart")}</button> }
            };
            // A crashed server's role reads "down" (it held it in memory): "crashed" says it.
            let said = match (node.up, node.view.role.as_str()) {
                (true, role) => tf!("{}, up", t(role)),
                (false, "down") => t("crashed"),
                (false, role) => tf!("{}, crashed", t(role)),
            };
            // The node's own one-click requests too (produce, join, transfer, …), as in the
            // inspector.
            let requests = request_buttons(&p.send, nid, &node.view.actions);
            (
                html! { <><b>{t(&node.name)}</b>{" "}<small>{said}</small></> },
                html! { <>{toggle}<button onclick={on(&p.send, Msg::Act(Action::Partition(vec![nid])))}>{t("Isolate")}</button>{requests}</> },
            )
        }
        Some(Selection::Message(id)) => {
            let Some(f) = p.snap.flights.iter().find(|f| f.id.0 == *id) else { return html! {} };
            (
                html! { <><b translate="no">{format!("{} #{}", f.kind, f.id.0)}</b>{" "}<small>{format!("{} → {}", t(&f.from_name), t(&f.to_name))}</small></> },
                html! { <button class="danger" onclick={on(&p.send, Msg::Act(Action::Drop(MsgId(*id))))}>{t("Drop")}</button> },
            )
        }
        None => return html! {},
    };
    html! {
        <div class="quick" id="quick" role="group" aria-label={t("Selected")}>
            <span class="what">{what}</span>
            {actions}
            <button onclick={details}>{t("Details ↓")}</button>
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct InspectorProps {
    pub snap: std::rc::Rc<Snapshot>,
    pub persistence: &'static str,
    pub selection: Option<Selection>,
    pub side_b: Vec<u32>,
    pub send: Callback<Msg>,
}

#[function_component(Inspector)]
pub fn inspector(p: &InspectorProps) -> Html {
    crate::lang::use_lang();
    let value = use_node_ref();
    let s = &p.snap;
    let body = match &p.selection {
        Some(Selection::Node(id)) => match s.nodes.get(*id as usize) {
            None => html! { <p>{t("That node is no longer in the cluster.")}</p> },
            Some(node) => {
                let nid = NodeId(*id);
                let toggle = if node.up {
                    html! { <button id="btn-crash" class="danger" onclick={on(&p.send, Msg::Act(Action::Crash(nid)))}>{t("Crash")}</button> }
                } else {
                    html! { <button id="btn-restart" onclick={on(&p.send, Msg::Act(Action::Restart(nid)))}>{t("Restart")}</button> }
                };
                let isolate = { on(&p.send, Msg::Act(Action::Partition(vec![nid]))) };
                let propose = {
                    let value = value.clone();
                    p.send.reform(move |e: SubmitEvent| {
                        e.prevent_default();
                        Msg::Act(Action::Client(nid, read_input(&value)))
                    })
                };
                let accepts = node.view.accepts.as_deref().map(t);
                let actions = request_buttons(&p.send, nid, &node.view.actions);
                html! {
                    <>
                        <h2 id="inspected">{format!("{} ", t(&node.name))}<small>{t(&node.view.role)}</small>
                            { if node.up { html!{ <span class="pill ok">{t("up")}</span> } } else { html!{ <span class="pill bad">{t("crashed")}</span> } } }
                        </h2>
                        <dl>
                            { for node.view.fields.iter().map(|(k, v)| {
                                let title = crate::glossary::define(s.page.glossary, k).map(t);
                                html! { <><dt title={title.clone()} class={classes!(title.is_some().then_some("defined"))}>{t(k)}</dt><dd>{t(v)}</dd></> }
                            }) }
                            { for node.timers.iter().map(|(label, _, fires)| html! { <><dt>{tf!("{} timer", t(label))}</dt><dd>{tf!("fires at {}", ms(fires.0))}</dd></> }) }
                            { for node.clock.iter().map(|c| html! { <><dt>{t("its own clock")}</dt><dd id="node-clock">{tf!("{} (skewed; true time {})", ms(c.0), ms(p.snap.time.0))}</dd></> }) }
                        </dl>
                        <div class="row">{toggle}<button onclick={isolate}>{t("Isolate from the rest")}</button></div>
                        { if node.view.actions.is_empty() { html! {} } else { html! { <div class="row actions">{actions}</div> } } }
                        { if let Some(ph) = accepts { html! {
                            <form class="row" onsubmit={propose}>
                                <label>{t("Send a request")}<input ref={value} id="request-text" placeholder={ph} translate="no" /></label>
                                <button type="submit" id="btn-send">{t("Send")}</button>
                            </form>
                        } } else { html!{} } }
                        <p class="hint">{t(p.persistence)}</p>
                    </>
                }
            }
        },
        Some(Selection::Message(id)) => match s.flights.iter().find(|f| f.id.0 == *id) {
            None => html! { <p>{t("That message has arrived or was dropped.")}</p> },
            Some(f) => {
                let mid = MsgId(*id);
                let (color, glyph) = message_style(f.kind);
                html! {
                    <>
                        <h2 id="inspected"><span class="dot" style={format!("background:{color};color:{}", ink(color))} aria-hidden="true" translate="no">{glyph}</span><span translate="no">{format!(" {} #{}", f.kind, f.id.0)}</span></h2>
                        <dl>
                            <dt>{t("from → to")}</dt><dd>{format!("{} → {}", t(&f.from_name), t(&f.to_name))}</dd>
                            <dt>{t("fields")}</dt><dd translate="no">{&f.summary}</dd>
                            <dt>{t("sent")}</dt><dd>{ms(f.sent_at.0)}</dd>
                            <dt>{t("arrives")}</dt><dd>{ms(f.arrive_at.0)}</dd>
                        </dl>
                        <button id="btn-drop" class="danger" onclick={on(&p.send, Msg::Act(Action::Drop(mid)))}>{t("Drop this message")}</button>
                    </>
                }
            }
        },
        None => {
            html! { <p class="hint">{t("Click a node to see its state, crash, restart or isolate it, or send it a request. Click a message in flight to see its fields and drop it, or double-click it to drop it at once.")}</p> }
        }
    };
    let names: Vec<String> = s.nodes.iter().map(|n| t(&n.name)).collect();
    let n = s.nodes.len() as u32;
    let split = {
        let side: Vec<NodeId> = p.side_b.iter().map(|i| NodeId(*i)).collect();
        p.send.reform(move |_| Msg::Act(Action::Partition(side.clone())))
    };
    html! {
        <section class="inspector" aria-label={t("Inspector")}>
            { body }
            <h2>{t("Network")}</h2>
            <p class="hint">{t("Pick the nodes for side B, then split. Messages between the sides are dropped until you heal.")}</p>
            if n as usize > SIDE_BUTTONS {
                <SideRange nodes={n} picked={p.side_b.len()} send={p.send.clone()} />
            } else {
                <div class={classes!("row", "sides", (n > 16).then_some("many"))}>
                    { for (0..n).map(|i| {
                        let picked = p.side_b.contains(&i);
                        html! { <button class={classes!("side-toggle", picked.then_some("on"))} aria-pressed={picked.to_string()}
                            onclick={on(&p.send, Msg::ToggleSide(i))}>{names[i as usize].clone()}</button> }
                    }) }
                </div>
            }
            <div class="row">
                <button id="btn-split" onclick={split} disabled={p.side_b.is_empty()}>{t("✂ Split network")}</button>
                <button id="btn-heal" onclick={on(&p.send, Msg::Act(Action::Heal))}>{t("Heal")}</button>
            </div>
        </section>
    }
}

/// Past this many nodes, side B is picked as a range of them, not a button each.
const SIDE_BUTTONS: usize = 64;

#[derive(Properties, PartialEq)]
struct SideRangeProps {
    nodes: u32,
    picked: usize,
    send: Callback<Msg>,
}

/// Side B of a crowd's partition: the nodes numbered from one number to another.
#[function_component(SideRange)]
fn side_range(p: &SideRangeProps) -> Html {
    crate::lang::use_lang();
    let (from, to) = (use_node_ref(), use_node_ref());
    let onsubmit = {
        let (from, to, send, n) = (from.clone(), to.clone(), p.send.clone(), p.nodes as usize);
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let a = crate::settings::count_in(&t("from"), &read_input(&from), 1, n);
            let b = crate::settings::count_in(&t("to"), &read_input(&to), 1, n);
            send.emit(match (a, b) {
                (Ok(a), Ok(b)) if a <= b => Msg::SetSide((a as u32 - 1..b as u32).collect()),
                (Ok(a), Ok(b)) => Msg::Error(tf!(
                    "side {} runs from a smaller number to a larger (got {} to {})",
                    'B',
                    a,
                    b
                )),
                (Err(e), _) | (_, Err(e)) => Msg::Error(e),
            });
        })
    };
    let half = (p.nodes / 2).max(1).to_string();
    html! {
        <form class="row side-range" {onsubmit}>
            <label>{t("Side B: nodes")}{" "}<input ref={from} id="side-from" type="number" min="1" max={p.nodes.to_string()} value="1" /></label>
            <label>{t("to")}{" "}<input ref={to} id="side-to" type="number" min="1" max={p.nodes.to_string()} value={half} /></label>
            <button type="submit" id="btn-side-range">{t("Pick")}</button>
            <span class="hint" id="side-count">{tf!("{} on side {}", p.picked, 'B')}</span>
        </form>
    }
}

#[derive(Properties, PartialEq)]
pub struct SafetyProps {
    pub snap: std::rc::Rc<Snapshot>,
    pub properties: Vec<(&'static str, &'static str)>,
    /// Those the protocol does not promise: listed apart, and their breaking is a
    /// demonstration of what a setting trades away, not the protocol's safety failing.
    pub not_promised: &'static [&'static str],
    pub send: Callback<Msg>,
}

#[function_component(Safety)]
pub fn safety(p: &SafetyProps) -> Html {
    crate::lang::use_lang();
    let snap = &p.snap;
    let promised = |name: &str| !p.not_promised.contains(&name);
    let chip = |(name, desc): &(&'static str, &'static str)| html! { <span class="prop" title={t(desc)}>{t(name)}</span> };
    match snap.shown_violation() {
        None => html! {
            <div id="safety" class="safety ok" role="status">
                <b>{t("✔ Safety holds")}</b>
                <span class="props">{ for p.properties.iter().filter(|x| promised(x.0)).map(chip) }</span>
                // On a phone the chips give way to their count, so the drawing comes sooner;
                // "What they mean" still lists them.
                <span class="prop-count" id="prop-count">{tf!("{} properties, checked after every event", p.properties.len())}</span>
                { if p.not_promised.is_empty() { html! {} } else { html! {
                    <span class="not-promised" id="not-promised">{t("Also checked, not promised:")}{" "}
                        { for p.properties.iter().filter(|x| !promised(x.0)).map(chip) }</span>
                } } }
                // What each property says, for a reader without a mouse to hover (a phone).
                <details class="props-help" id="props-help">
                    <summary>{t("What they mean")}</summary>
                    <dl>{ for p.properties.iter().map(|(name, desc)| html! { <><dt>{t(name)}</dt><dd>{t(desc)}</dd></> }) }</dl>
                </details>
            </div>
        },
        Some(v) => {
            let at = v.event;
            let place = match snap.position.cmp(&at) {
                std::cmp::Ordering::Less => tf!("You are at event {}, before it.", snap.position),
                std::cmp::Ordering::Equal => t("You are at the breaking event."),
                std::cmp::Ordering::Greater => String::new(),
            };
            let (class, head) = if promised(&v.property) {
                ("bad", tf!("✘ {} violated at event {}", t(&v.property), v.event))
            } else {
                (
                    "shown",
                    tf!("⚠ {} broken at event {}: the protocol never promised it", t(&v.property), v.event),
                )
            };
            html! {
                <div id="safety" class={classes!("safety", class)} role="alert">
                    <b>{head}</b>
                    <span>{t(&v.message)}</span>
                    <span class="where">{place}</span>
                    <button onclick={on(&p.send, Msg::Seek(at.saturating_sub(1)))}>{t("Show the state just before")}</button>
                    <button onclick={on(&p.send, Msg::Seek(at))}>{t("Show the breaking event")}</button>
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
    crate::lang::use_lang();
    let class = |c: RecordClass| match c {
        RecordClass::Message => "m",
        RecordClass::Drop => "d",
        RecordClass::Timer => "t",
        RecordClass::Client => "c",
        RecordClass::Fault => "f",
        RecordClass::State => "s",
        RecordClass::Violation => "v",
    };
    // One handler for the list (event delegation): a line's `data-seek` names its event.
    let onclick = {
        let send = p.send.clone();
        Callback::from(move |e: MouseEvent| {
            if let Some(ev) =
                closest(&e, "[data-seek]").and_then(|l| l.get_attribute("data-seek")?.parse().ok())
            {
                send.emit(Msg::Seek(ev));
            }
        })
    };
    html! {
        <section class="log" aria-label={t("Event log")}>
            <h2>{t("Events")}</h2>
            <ol id="event-log" reversed=true tabindex="0" aria-label={t("Events, newest first")} {onclick}>
                { for ordered(&p.lines).into_iter().map(|(k, l)| {
                    let ev = l.event;
                    let go = t("Go to this event");
                    // Keyed by (event, record within it): new lines enter at the top and the
                    // rest keep their elements.
                    html! {
                        <li key={format!("{ev}.{k}")} class={classes!(class(l.class), (ev == p.position).then_some("current"))}
                            data-seek={ev.to_string()} title={go}>
                            <span class="ev">{format!("#{}", l.event)}</span>
                            <span class="t">{ms(l.time.0)}</span>
                            <span class="x">{log_line(l)}</span>
                        </li>
                    }
                }) }
            </ol>
        </section>
    }
}

/// Stands around a hole's index in a translated sentence (a character no text uses), so that
/// what fills the hole can be drawn as an element of its own.
const MARK: char = '\u{E001}';

/// The placeholder for the `i`-th element of a sentence drawn by [`sentence`].
pub fn slot(i: usize) -> String {
    format!("{MARK}{i}{MARK}")
}

/// A sentence translated whole with [`slot`]s in its holes, drawn with each slot replaced by
/// its element (a number in bold, a word kept as written) wherever the language put it.
pub fn sentence(text: &str, parts: &[Html]) -> Html {
    if !text.contains(MARK) {
        return html! { {text.to_string()} };
    }
    // Text and slots alternate between the marks.
    let pieces = text.split(MARK).enumerate().map(|(k, piece)| {
        if k % 2 == 0 {
            html! { {piece.to_string()} }
        } else {
            piece.parse::<usize>().ok().and_then(|i| parts.get(i)).cloned().unwrap_or_default()
        }
    });
    html! { <>{ for pieces }</> }
}

/// An event-log line in the page's language. The protocol's vocabulary in it (a message's name
/// and fields, a command as typed) stays as written, marked `translate="no"`.
pub fn log_line(l: &EventLine) -> Html {
    if l.phrase.template.is_empty() {
        return html! { {l.text.clone()} };
    }
    let args = &l.phrase.args;
    let mut kept = Vec::new();
    let marked = Phrase {
        template: l.phrase.template,
        args: args
            .iter()
            .map(|(fill, a)| match fill {
                Fill::Vocabulary => {
                    kept.push(html! { <span translate="no">{a.clone()}</span> });
                    (Fill::Name, slot(kept.len() - 1))
                }
                _ => (*fill, a.clone()),
            })
            .collect(),
    };
    sentence(&crate::i18n::phrase(&marked), &kept)
}

/// Newest event first, but each event's records in the order they happened (cause first), each
/// with its index among its event's records.
fn ordered(lines: &[EventLine]) -> Vec<(usize, &EventLine)> {
    let mut out: Vec<(usize, &EventLine)> = Vec::with_capacity(lines.len());
    let mut end = lines.len();
    while end > 0 {
        let ev = lines[end - 1].event;
        let mut start = end - 1;
        while start > 0 && lines[start - 1].event == ev {
            start -= 1;
        }
        out.extend(lines[start..end].iter().enumerate());
        end = start;
    }
    out
}

#[derive(Properties, PartialEq)]
pub struct HelpProps {
    pub send: Callback<Msg>,
}

#[function_component(Help)]
pub fn help(p: &HelpProps) -> Html {
    crate::lang::use_lang();
    // The keys keep their names (they are written on the keyboard).
    html! {
        <div class="overlay" role="dialog" aria-modal="true" aria-label={t("Keyboard shortcuts")} onclick={on(&p.send, Msg::CloseHelp)}>
            <div class="sheet">
                <h2>{t("Keyboard shortcuts")}</h2>
                <dl>
                    <dt><kbd translate="no">{"space"}</kbd></dt><dd>{t("play / pause")}</dd>
                    <dt><kbd>{"→"}</kbd></dt><dd>{t("step forward one event")}</dd>
                    <dt><kbd>{"←"}</kbd></dt><dd>{t("step back one event")}</dd>
                    <dt><kbd translate="no">{"Tab"}</kbd></dt><dd>{t("move between controls; the cluster's nodes, its messages in flight and the diagram's arrows are one stop each (↑ ↓ move within)")}</dd>
                    <dt><kbd translate="no">{"Enter"}</kbd></dt><dd>{t("inspect the focused node or message; on a diagram arrow, go to its delivery")}</dd>
                    <dt><kbd translate="no">{"Delete"}</kbd></dt><dd>{t("drop the focused (or, in a large cluster, the picked) message")}</dd>
                    <dt><kbd>{"↑"}</kbd>{" "}<kbd>{"↓"}</kbd></dt><dd>{t("on a node, a message or a diagram arrow: move to the previous or next one; in a cluster of more than 24 nodes, with its messages focused: pick the previous or next message")}</dd>
                    <dt><kbd>{"←"}</kbd>{" "}<kbd>{"→"}</kbd></dt><dd>{t("on a fault-script marker: move it 10 ms earlier or later (with Shift, 100 ms); Home moves it to 0, Delete removes it")}</dd>
                    <dt><kbd>{"?"}</kbd></dt><dd>{t("show or hide this sheet")}</dd>
                    <dt><kbd translate="no">{"Esc"}</kbd></dt><dd>{t("close")}</dd>
                </dl>
                <button onclick={on(&p.send, Msg::CloseHelp)}>{t("Close")}</button>
            </div>
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct ClientsProps {
    pub snap: std::rc::Rc<Snapshot>,
    pub send: Callback<Msg>,
}

/// The client panel: each simulated client's state, and a box to send it a command.
#[function_component(Clients)]
pub fn clients(p: &ClientsProps) -> Html {
    crate::lang::use_lang();
    let text = use_node_ref();
    let which = use_node_ref();
    let clients: Vec<_> = p.snap.nodes.iter().filter(|n| n.view.role == "client").collect();
    if clients.is_empty() {
        return html! {};
    }
    let placeholder = clients[0].view.accepts.as_deref().map(t).unwrap_or_default();
    let submit = {
        let (text, which) = (text.clone(), which.clone());
        p.send.reform(move |e: SubmitEvent| {
            e.prevent_default();
            match read_select(&which).parse::<u32>() {
                Ok(id) => Msg::Act(Action::Client(NodeId(id), read_input(&text))),
                Err(_) => Msg::Error(t("choose a client")),
            }
        })
    };
    html! {
        <section class="clients" aria-label={t("Clients")}>
            <h2>{t("Clients")}</h2>
            <ul>
                { for clients.iter().map(|c| html! {
                    <li><b>{t(&c.name)}</b>{" "}{ c.view.fields.first().map(|(_, v)| t(v)).unwrap_or_default() }
                        <small>{ c.view.fields.get(1).map(|(_, v)| format!(" · {}", tf!("last: {}", t(v)))).unwrap_or_default() }</small></li>
                }) }
            </ul>
            <form class="row" onsubmit={submit}>
                <select ref={which} id="client-select" aria-label={t("Client")}>
                    { for clients.iter().map(|c| html! { <option value={c.id.0.to_string()}>{t(&c.name)}</option> }) }
                </select>
                <input ref={text} id="client-command" placeholder={placeholder} aria-label={t("Command")} />
                <button type="submit" id="btn-client-send">{t("Send")}</button>
            </form>
        </section>
    }
}
