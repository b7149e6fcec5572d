//! The page: one reducer, the hooks that drive it, and the layout.

use std::rc::Rc;

use distlab_core::lab::{Action, LabConfig};
use distlab_core::protocol::MsgId;
use distlab_core::scenario::ScenarioDoc;
use yew::prelude::*;

use crate::dom::on;
use crate::hooks::{
    use_animation_frames, use_document_title, use_hash_change, use_location_hash, use_remembered_open,
    use_shortcuts,
};
use crate::logview::LogView;
use crate::palette::{ink, message_style};
use crate::panels::{Clients, EventLog, Help, Inspector, Safety, Transport};
use crate::settings::Settings;
use crate::share::use_saved_scenario;
use crate::state::{Msg, Player, Selection};
use crate::topology::Topology;

#[derive(Properties, PartialEq, Default)]
pub struct AppProps {
    /// The run to open with (tests pass their own; otherwise the URL's #page decides).
    #[prop_or_default]
    pub config: Option<LabConfig>,
    /// A page to open that is not a protocol's run ("hashing"), when no config is given.
    #[prop_or_default]
    pub page: Option<AttrValue>,
}

/// The page that is not a protocol's simulation: the consistent-hashing lab.
const HASHING: (&str, &str) = ("hashing", "Hashing");

/// The pages in the tabs: (fragment, label). Each registered protocol has a simulation page,
/// then comes the hashing lab.
fn tabs() -> impl Iterator<Item = (&'static str, &'static str)> {
    distlab_core::registry::TITLES.iter().copied().chain([HASHING])
}

/// Where the app is: the page, and how many links were opened while it was open (each one
/// re-creates the protocol page, even on the same tab).
#[derive(Clone, Debug, PartialEq)]
struct Place {
    page: String,
    visit: u32,
    /// Whether a share link brought the app here: the fragment is then replaced by the page's
    /// own (`#raft`) without a history entry, so Back does not open the link again.
    via_link: bool,
}

/// A change of place: a tab clicked, or the URL fragment changed (Back, Forward, a link pasted).
enum Go {
    Tab(String),
    Fragment(String),
}

impl Reducible for Place {
    type Action = Go;
    fn reduce(self: Rc<Self>, go: Go) -> Rc<Self> {
        match go {
            Go::Tab(page) if page != self.page => Rc::new(Place { page, visit: self.visit, via_link: false }),
            Go::Tab(_) => self,
            Go::Fragment(hash) => match fragment_page(&hash, &self.page) {
                Some((page, true)) => Rc::new(Place { page, visit: self.visit + 1, via_link: true }),
                Some((page, false)) if page != self.page => {
                    Rc::new(Place { page, visit: self.visit, via_link: false })
                }
                _ => self,
            },
        }
    }
}

/// The page a URL fragment names, and whether it carries a share link: a link opens the page of
/// its scenario's protocol (a Paxos link under `#raft/s=…` opens the Paxos page); one that
/// cannot be read opens the page the fragment names, or else `current`, which shows why. None
/// for a fragment that names no page.
fn fragment_page(hash: &str, current: &str) -> Option<(String, bool)> {
    let named = hash.trim_start_matches('#').split('/').next().unwrap_or_default();
    let named = tabs().find(|(p, _)| *p == named).map(|(p, _)| p.to_string());
    match crate::share::link_payload(hash) {
        Some(payload) => {
            let of_doc = distlab_core::scenario::from_link(payload)
                .ok()
                .and_then(|d| distlab_core::registry::PROTOCOLS.iter().find(|p| **p == d.protocol).copied());
            Some((of_doc.map(String::from).or(named).unwrap_or_else(|| current.to_string()), true))
        }
        None => named.map(|p| (p, false)),
    }
}

/// The URL's fragment.
fn location_hash() -> String {
    web_sys::window().and_then(|w| w.location().hash().ok()).unwrap_or_default()
}

/// The app: tabs choose a page; a protocol page is re-created (by its key) when the tab changes
/// or a link is opened. The URL fragment follows the page, and the page follows the fragment.
#[function_component(App)]
pub fn app(props: &AppProps) -> Html {
    let fixed = props.config.is_some() || props.page.is_some();
    let place = use_reducer(|| {
        let page = match (&props.config, &props.page) {
            (Some(c), _) => c.protocol().to_string(),
            (None, Some(p)) => p.to_string(),
            (None, None) => {
                let default = LabConfig::default().protocol();
                let (page, via_link) =
                    fragment_page(&location_hash(), default).unwrap_or_else(|| (default.to_string(), false));
                return Place { page, visit: 0, via_link };
            }
        };
        Place { page, visit: 0, via_link: false }
    });
    let page = place.page.clone();
    use_location_hash(page.clone(), place.visit, place.via_link);
    // Back, Forward and a pasted link move the app; pages given by the embedder (tests) stay.
    let on_fragment = {
        let d = place.dispatcher();
        use_callback((), move |hash: String, _| d.dispatch(Go::Fragment(hash)))
    };
    use_hash_change(on_fragment, !fixed);
    use_document_title(tabs().find(|(id, _)| *id == page).map_or("Paxos", |(_, label)| label).to_string());
    // Stable for the app's lifetime: the dispatcher works from any render.
    let on_tab = {
        let d = place.dispatcher();
        use_callback((), move |p: String, _| d.dispatch(Go::Tab(p)))
    };
    if page == HASHING.0 {
        return html! {
            <div class="app">
                <Header active={page.clone()} title="consistent hashing"
                    tagline="Which node owns a key, and how many keys move when nodes come and go: the ring, jump, rendezvous, Maglev and bounded loads on the same keys, a cache, and load balancing."
                    on_tab={on_tab} on_help={None::<Callback<()>>} />
                <crate::hashing::HashingPage />
            </div>
        };
    }
    // Each protocol opens on its registered opening (Kafka's "hello", for one).
    let fallback = LabConfig::opening(&page).unwrap_or_default();
    let config = match &props.config {
        Some(c) if c.protocol() == page => c.clone(),
        _ => fallback.clone(),
    };
    // A share link in the fragment wins; otherwise the scenario this page had before a reload.
    let start = if props.config.is_some() { Start::Config } else { Start::from_location(&page) };
    let key = format!("{page}/{}", place.visit);
    html! { <ProtocolApp key={key} config={config} fallback={fallback} start={start} on_tab={on_tab} /> }
}

#[derive(Properties, PartialEq)]
pub struct HeaderProps {
    pub active: String,
    pub title: AttrValue,
    pub tagline: AttrValue,
    pub on_tab: Callback<String>,
    /// The shortcut sheet, on pages that have shortcuts.
    pub on_help: Option<Callback<()>>,
}

#[function_component(Header)]
pub fn header(p: &HeaderProps) -> Html {
    let tabs = tabs().map(|(id, label)| {
        let active = id == p.active;
        let go = p.on_tab.reform(move |_: MouseEvent| id.to_string());
        html! {
            <button role="tab" aria-selected={active.to_string()} class={classes!("tab", active.then_some("active"))}
                id={format!("tab-{id}")} onclick={go}>{label}</button>
        }
    });
    html! {
        <header>
            <h1>{"distlab"}<span class="sub">{format!(" · {}", p.title)}</span></h1>
            <nav class="tabs" role="tablist" aria-label="Pages">{ for tabs }</nav>
            <p class="tagline">{p.tagline.clone()}</p>
            <ThemeButton />
            { for p.on_help.as_ref().map(|h| html! {
                <button class="help-btn" aria-label="Keyboard shortcuts" title="Keyboard shortcuts (?)" onclick={on(h, ())}>{"?"}</button>
            }) }
        </header>
    }
}

/// How a protocol page opens.
#[derive(Clone, Debug, PartialEq)]
pub enum Start {
    /// With the configuration given.
    Config,
    /// From a share link's document (or why the link could not be read), else from the
    /// scenario saved for the page (see [`crate::state::open_page`]).
    Open { link: Option<Result<Rc<ScenarioDoc>, String>>, saved: Option<String> },
}

impl Start {
    fn from_location(page: &str) -> Start {
        let link = crate::share::link_payload(&location_hash())
            .map(|payload| distlab_core::scenario::from_link(payload).map(Rc::new));
        Start::Open { link, saved: crate::share::load(page) }
    }
}

/// The colour theme: the system's, dark or light; remembered in local storage.
#[function_component(ThemeButton)]
fn theme_button() -> Html {
    const KEY: &str = "distlab.theme";
    let storage = || web_sys::window().and_then(|w| w.local_storage().ok().flatten());
    let theme =
        use_state(|| storage().and_then(|s| s.get_item(KEY).ok().flatten()).unwrap_or_else(|| "auto".into()));
    {
        let theme = (*theme).clone();
        use_effect_with(theme, move |t| {
            if let Some(root) =
                web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element())
            {
                let _ = match t.as_str() {
                    "dark" | "light" => root.set_attribute("data-theme", t),
                    _ => root.remove_attribute("data-theme"),
                };
            }
            if let Some(s) = storage() {
                let _ = s.set_item(KEY, t);
            }
        });
    }
    let next = match theme.as_str() {
        "auto" => "dark",
        "dark" => "light",
        _ => "auto",
    };
    let label = match theme.as_str() {
        "dark" => "Theme: dark",
        "light" => "Theme: light",
        _ => "Theme: system",
    };
    let onclick = {
        let theme = theme.clone();
        Callback::from(move |_: MouseEvent| theme.set(next.to_string()))
    };
    html! { <button class="theme-btn" id="btn-theme" title="Switch between the system's theme, dark and light" onclick={onclick}>{label}</button> }
}

#[derive(Properties, PartialEq)]
pub struct ProtocolProps {
    pub config: LabConfig,
    pub fallback: LabConfig,
    pub start: Start,
    pub on_tab: Callback<String>,
}

/// The callbacks the page hands to its components: `send` for every message, and the few
/// components that take a narrower one.
#[derive(Clone)]
struct Senders {
    send: Callback<Msg>,
    on_select: Callback<Option<Selection>>,
    on_drop: Callback<MsgId>,
    on_help: Callback<()>,
}

impl Senders {
    fn new(send: Callback<Msg>) -> Senders {
        Senders {
            on_select: send.reform(Msg::Select),
            on_drop: send.reform(|id| Msg::Act(Action::Drop(id))),
            on_help: on(&send, Msg::ToggleHelp),
            send,
        }
    }
}

#[function_component(ProtocolApp)]
pub fn protocol_app(props: &ProtocolProps) -> Html {
    let (initial, fallback, start) = (props.config.clone(), props.fallback.clone(), props.start.clone());
    let player = use_reducer(move || match start {
        Start::Config => Player::new(initial),
        Start::Open { link, saved } => {
            crate::state::open_page(fallback, link.map(|l| l.map(|d| (*d).clone())), saved)
        }
    });
    use_animation_frames(player.playing, player.dispatcher());
    use_shortcuts(player.dispatcher());
    let (advanced_open, on_advanced) = use_remembered_open("distlab.advanced");
    // The reducer only builds the scenario document; saving it is this effect's.
    use_saved_scenario(player.config.protocol().to_string(), player.doc.clone(), player.save);
    // Callbacks made once for the page's lifetime (the dispatcher never changes), so a panel's
    // props compare equal when nothing it shows changed and it is not rendered again.
    let senders = {
        let d = player.dispatcher();
        use_memo((), move |_| Senders::new(Callback::from(move |m: Msg| d.dispatch(m))))
    };
    let Senders { send, on_select, on_drop, on_help } = (*senders).clone();
    let (properties, about) = {
        let lab = player.lab.borrow();
        (lab.properties(), lab.about())
    };
    let protocol = player.config.protocol().to_string();
    let look = player.config.setup.page();
    let legend = look.legend.iter().map(|k| {
        let (color, glyph) = message_style(k);
        html! { <span class="legend-item"><span class="dot" style={format!("background:{color};color:{}", ink(color))} aria-hidden="true">{glyph}</span>{*k}</span> }
    });
    let colour_note = look.colour_note;
    let caption = player
        .log
        .last()
        .map(|last| {
            // The event's first record is its cause; count what it led to.
            let first = player.log.iter().find(|l| l.event == last.event).unwrap_or(last);
            let more = player
                .log
                .iter()
                .filter(|l| l.event == last.event)
                .map(|l| 1 + l.folded as usize)
                .sum::<usize>()
                - 1;
            if more == 0 {
                format!("#{} · {}", first.event, first.text)
            } else {
                format!("#{} · {} (+{} more below)", first.event, first.text, more)
            }
        })
        .unwrap_or_else(|| "Press ▶ Play or → to run the first event.".to_string());
    html! {
        <div class={classes!("app", player.playing.then_some("playing"))}>
            <Header active={protocol.clone()} title={about.title} tagline={about.tagline}
                on_tab={props.on_tab.clone()} on_help={Some(on_help)} />
            <Safety snap={player.snap.clone()} properties={properties} send={send.clone()} />
            { for player.error.as_ref().map(|e| html! {
                <div id="error" class="banner error" role="alert">
                    <span>{e}</span>
                    <button aria-label="Dismiss" onclick={on(&send, Msg::DismissError)}>{"×"}</button>
                </div>
            }) }
            { for player.notice.as_ref().map(|n| html! { <div class="banner notice" role="status">{n}</div> }) }
            <main class="lab">
                <section class="stage" aria-label="Cluster">
                    <crate::gallery::Gallery config={player.config.clone()} send={send.clone()} />
                    <Topology snap={player.snap.clone()} display_us={player.display_us}
                        selection={player.selection.clone()} side_b={player.side_b.clone()}
                        on_select={on_select} on_drop={on_drop} />
                    <crate::panels::QuickBar snap={player.snap.clone()} selection={player.selection.clone()} send={send.clone()} />
                    <Transport snap={player.snap.clone()} playing={player.playing} speed_log={player.speed_log} send={send.clone()} />
                    <div class="visually-hidden" aria-live="polite" id="live">{(*player.announce).clone()}</div>
                    <p class="caption" id="caption">{caption}</p>
                    <div class="legend" aria-label="Message types">{ for legend }
                        <span class="legend-item"><span class="ring"></span>{"timer running down"}</span>
                        <span class="legend-item">{colour_note}</span>
                        {crate::glossary::colour_key(&player.snap)}
                    </div>
                    <crate::glossary::Glossary snap={player.snap.clone()} />
                </section>
                <aside class="side">
                    <crate::lesson::Lesson steps={player.narration.clone()} stops={player.stops.clone()}
                        current={player.lesson_step()} heading_to={player.guide.map(|g| g.step)}
                        mutant={player.config.mutant.clone()} send={send.clone()} />
                    // The tables that carry the lesson, beside the drawing.
                    // (A protocol's own boards first: Multi-Paxos's slots and quorums say more than
                    // its log columns.)
                    <crate::boards::Boards snap={player.snap.clone()} />
                    <LogView snap={player.snap.clone()} />
                    <Inspector snap={player.snap.clone()} persistence={about.persistence} selection={player.selection.clone()} side_b={player.side_b.clone()} send={send.clone()} />
                    <Clients snap={player.snap.clone()} send={send.clone()} />
                </aside>
            </main>
            <details class="advanced" id="advanced" open={advanced_open} ontoggle={on_advanced}>
                <summary>{"Advanced: run settings, fault script, share and import"}</summary>
                <div class="advanced-grid">
                    <Settings config={player.config.clone()} send={send.clone()} />
                    <crate::share::Share page={protocol.clone()} doc={player.doc.clone()} send={send.clone()} />
                </div>
                <crate::faults::FaultScript config={player.config.clone()} now_us={player.snap.time.0}
                    names={player.snap.nodes.iter().map(|n| n.name.clone()).collect::<Vec<_>>()} send={send.clone()} />
            </details>
            <crate::metrics::MetricsStrip snap={player.snap.clone()} seed={player.config.seed} />
            <crate::diagram::SpaceTime diagram={player.diagram.clone()} span={player.diagram_span}
                names={player.snap.nodes.iter().map(|n| n.name.clone()).collect::<Vec<_>>()} send={send.clone()}  selected={match player.selection { Some(Selection::Message(id)) => Some(id), _ => None }} />
            { if player.history_total > 0 || player.snap.nodes.iter().any(|n| n.view.role == "client") { html! {
                <crate::historylane::HistoryLane ops={player.history.clone()} diagram={player.diagram.clone()}
                    names={player.snap.nodes.iter().map(|n| n.name.clone()).collect::<Vec<_>>()}
                    total={player.history_total} first={player.history_first}
                    judged_at={player.judgement.as_ref().map(|j| j.0)}
                    judgement={player.judgement.as_ref().map(|j| j.1.clone())} send={send.clone()} />
            } } else { html! {} } }
            { if look.compare {
                html! { <div class="boards"><crate::compare::Compare seed={player.config.seed} /></div> }
            } else { html! {} } }
            <EventLog lines={player.log.clone()} position={player.snap.position} send={send.clone()} />
            <footer>
                {format!("Seed {} · trace hash {:016x} · ", player.config.seed, player.snap.trace_hash)}
                {"Same seed, same settings and same actions give the same run, event for event."}
            </footer>
            { if player.show_help { html! { <Help send={send.clone()} /> } } else { html! {} } }
        </div>
    }
}
