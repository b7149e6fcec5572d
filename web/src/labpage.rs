//! A protocol's page: its reducer, the hooks that drive it, and its layout. Only in bundles
//! built with a protocol (the crate's `lab` feature).

use std::rc::Rc;

use distlab_core::lab::{Action, LabConfig};
use distlab_core::protocol::MsgId;
use distlab_core::scenario::ScenarioDoc;
use yew::prelude::*;

use crate::dom::on;
use crate::drive::{use_animation_frames, use_shortcuts};
use crate::header::{location_hash, Header};
use crate::hooks::use_remembered_open;
use crate::i18n::t;
use crate::logview::LogView;
use crate::palette::{ink, message_style};
use crate::panels::{Clients, EventLog, Help, Inspector, Safety, Transport};
use crate::settings::Settings;
use crate::share::use_saved_scenario;
use crate::state::{Msg, Player, Selection};
use crate::tf;
use crate::topology::Topology;

/// How a protocol page opens.
#[derive(Clone, Debug, PartialEq)]
pub enum Start {
    /// With the configuration given.
    Config,
    /// From a share link's document (or why the link could not be read), else from the
    /// scenario saved for the page (see [`crate::opening::open_page`]).
    Open { link: Option<Result<Rc<ScenarioDoc>, String>>, saved: Option<String> },
}

impl Start {
    pub fn from_location(page: &str) -> Start {
        let link = crate::pages::link_payload(&location_hash())
            .map(|payload| distlab_core::scenario::from_link(payload).map(Rc::new));
        // An embedded page shows what its link says, never the reader's own saved run.
        let saved = if crate::dom::embedded() { None } else { crate::share::load(page) };
        Start::Open { link, saved }
    }
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
    on_step: Callback<usize>,
    on_break: Callback<usize>,
}

impl Senders {
    fn new(send: Callback<Msg>) -> Senders {
        Senders {
            on_select: send.reform(Msg::Select),
            on_drop: send.reform(|id| Msg::Act(Action::Drop(id))),
            on_help: on(&send, Msg::ToggleHelp),
            on_step: send.reform(Msg::Guide),
            on_break: send.reform(Msg::BreakIt),
            send,
        }
    }
}

#[function_component(ProtocolApp)]
pub fn protocol_app(props: &ProtocolProps) -> Html {
    crate::lang::use_lang();
    let (initial, fallback, start) = (props.config.clone(), props.fallback.clone(), props.start.clone());
    let player = use_reducer(move || match start {
        Start::Config => Player::new(initial),
        Start::Open { link, saved } => {
            crate::opening::open_page(fallback, link.map(|l| l.map(|d| (*d).clone())), saved)
        }
    });
    let busy = player.lin.checking.is_some() || player.explore.is_running();
    use_animation_frames(player.playing || busy, player.dispatcher());
    use_shortcuts(player.dispatcher());
    let scale = crate::diagram::use_time_scale(&player.diagram);
    let (advanced_open, on_advanced) = use_remembered_open("distlab.advanced");
    let (explore_open, on_explore) = use_remembered_open("distlab.explore");
    // An embedded page plays on its own: it leaves the reader's saved run of this page alone.
    let embedded = *use_memo((), |_| crate::dom::embedded());
    // The reducer only builds the scenario document; saving it is this effect's.
    use_saved_scenario(player.config.protocol().to_string(), player.doc.clone(), player.save && !embedded);
    // Callbacks made once for the page's lifetime (the dispatcher never changes), so a panel's
    // props compare equal when nothing it shows changed and it is not rendered again.
    let senders = {
        let d = player.dispatcher();
        use_memo((), move |_| Senders::new(Callback::from(move |m: Msg| d.dispatch(m))))
    };
    let Senders { send, on_select, on_drop, on_help, on_step, on_break } = (*senders).clone();
    let (properties, not_promised, about) = {
        let lab = player.lab.borrow();
        (lab.properties(), lab.not_promised(), lab.about())
    };
    let protocol = player.config.protocol().to_string();
    let look = player.config.setup.page();
    let legend = look.legend.iter().map(|k| {
        let (color, glyph) = message_style(k);
        html! { <span class="legend-item"><span class="dot" style={format!("background:{color};color:{}", ink(color))} aria-hidden="true" translate="no">{glyph}</span><span translate="no">{*k}</span></span> }
    });
    let colour_note = t(look.colour_note);
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
            let line = crate::panels::log_line(first);
            if more == 0 {
                html! { <>{format!("#{} · ", first.event)}{line}</> }
            } else {
                let text = tf!("#{} · {} (+{} more below)", first.event, crate::panels::slot(0), more);
                crate::panels::sentence(&text, &[line])
            }
        })
        .unwrap_or_else(|| html! { {t("Press ▶ Play or → to run the first event.")} });
    // The live region: the protocol's vocabulary in it kept as written.
    let announce = crate::i18n::kept_parts(&player.announce)
        .into_iter()
        .map(|(text, kept)| {
            if kept {
                html! { <span translate="no">{text.to_string()}</span> }
            } else {
                html! { {text.to_string()} }
            }
        })
        .collect::<Html>();
    // A crowd is coloured by what its members believe of one of them: the picked one, else the
    // one the protocol finds most in doubt.
    let opinions = (player.snap.nodes.len() > crate::topology::CROWD)
        .then(|| {
            let about = match player.selection {
                Some(crate::state::Selection::Node(id)) => Some(distlab_core::protocol::NodeId(id)),
                _ => None,
            };
            player.lab.borrow().opinions(about)
        })
        .flatten()
        .map(std::rc::Rc::new);
    let cards = use_memo(player.narration.clone(), |steps| crate::lesson::cards(steps));
    // The badge's verdict, repeated in the lesson's card where the badge is scrolled away.
    let verdict = player
        .snap
        .shown_violation()
        .map(|v| (v.property.clone(), v.event, !not_promised.contains(&v.property.as_str())));
    if embedded {
        let full = crate::pages::address(
            &protocol,
            &format!("#{protocol}/s={}", distlab_core::scenario::to_link(&player.doc)),
        );
        return html! {
            <div class={classes!("app", "embed", player.playing.then_some("playing"))}>
                <Safety snap={player.snap.clone()} properties={properties} not_promised={not_promised} send={send.clone()} />
                <main class="lab">
                    <section class="stage" aria-label={t("Cluster")}>
                        <Topology snap={player.snap.clone()} display_us={player.display_us}
                            selection={player.selection.clone()} side_b={player.side_b.clone()}
                            on_select={on_select} on_drop={on_drop} opinions={opinions} />
                        <Transport snap={player.snap.clone()} playing={player.playing} speed_log={player.speed_log} send={send.clone()} />
                        <div class="visually-hidden" aria-live="polite" id="live">{announce}</div>
                        <p class="caption" id="caption">{caption}</p>
                    </section>
                    { if player.narration.is_empty() { html! {} } else { html! {
                        <aside class="side">
                            <crate::lesson::Lesson steps={(*cards).clone()} stops={player.stops.clone()}
                                current={player.lesson_step()} heading_to={player.guide.map(|g| g.step)}
                                mutant={player.config.mutant.clone()} verdict={verdict.clone()} go={on_step.clone()} break_it={on_break.clone()} />
                        </aside>
                    } } }
                </main>
                { crate::embed::credit(full, about.title) }
            </div>
        };
    }
    // At the lesson's last step, the card offers the gallery's next lesson.
    let at_end = !cards.is_empty() && player.lesson_step().unwrap_or(0) + 1 == cards.len();
    html! {
        <div class={classes!("app", player.playing.then_some("playing"))}>
            <Header active={protocol.clone()} title={about.title} tagline={about.tagline}
                on_tab={props.on_tab.clone()} on_help={Some(on_help)} />
            <Safety snap={player.snap.clone()} properties={properties} not_promised={not_promised} send={send.clone()} />
            { for player.error.as_ref().map(|e| html! {
                <div id="error" class="banner error" role="alert">
                    <span>{e}</span>
                    <button aria-label={t("Dismiss")} onclick={on(&send, Msg::DismissError)}>{"×"}</button>
                </div>
            }) }
            { for player.notice.as_ref().map(|n| html! { <div class="banner notice" role="status">{n}</div> }) }
            <main class="lab">
                <section class="stage" aria-label={t("Cluster")}>
                    <crate::gallery::Gallery config={player.config.clone()} send={send.clone()} />
                    <Topology snap={player.snap.clone()} display_us={player.display_us}
                        selection={player.selection.clone()} side_b={player.side_b.clone()}
                        on_select={on_select} on_drop={on_drop} opinions={opinions} />
                    {crate::glossary::chip_key(&player.snap)}
                    <crate::panels::QuickBar snap={player.snap.clone()} selection={player.selection.clone()} send={send.clone()} />
                    <Transport snap={player.snap.clone()} playing={player.playing} speed_log={player.speed_log} send={send.clone()} />
                    <div class="visually-hidden" aria-live="polite" id="live">{announce}</div>
                    <p class="caption" id="caption">{caption}</p>
                    <div class="legend" aria-label={t("Message types")}>{ for legend }
                        <span class="legend-item"><span class="ring"></span>{t("timer running down")}</span>
                        <span class="legend-item">{colour_note}</span>
                        {crate::glossary::colour_key(&player.snap)}
                    </div>
                    <crate::glossary::Glossary snap={player.snap.clone()} />
                </section>
                <aside class="side">
                    <crate::lesson::Lesson steps={(*cards).clone()} stops={player.stops.clone()}
                        current={player.lesson_step()} heading_to={player.guide.map(|g| g.step)}
                        mutant={player.config.mutant.clone()} verdict={verdict} go={on_step.clone()} break_it={on_break.clone()}
                        next_lesson={at_end.then(|| next_lesson(&player.config, &send)).flatten()} />
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
                <summary>{t("Advanced: run settings, fault script, share and import")}</summary>
                <div class="advanced-grid">
                    <Settings config={player.config.clone()} send={send.clone()} />
                    <crate::share::Share page={protocol.clone()} doc={player.doc.clone()} send={send.clone()} />
                </div>
                <crate::faults::FaultScript config={player.config.clone()} now_us={player.snap.time.0}
                    names={player.snap.nodes.iter().map(|n| t(&n.name)).collect::<Vec<_>>()} send={send.clone()} />
            </details>
            <details class="explore" id="explore" open={explore_open} ontoggle={on_explore}>
                <summary>{t("Explore every interleaving: check a small cluster exhaustively")}</summary>
                <crate::explorepanel::ExplorePanel config={player.config.clone()} explore={player.explore.clone()} send={send.clone()} />
            </details>
            <crate::metrics::MetricsStrip snap={player.snap.clone()} seed={player.config.seed} />
            <crate::diagram::SpaceTime diagram={player.diagram.clone()} span={player.diagram_span} {scale}
                names={player.snap.nodes.iter().map(|n| t(&n.name)).collect::<Vec<_>>()} send={send.clone()}  selected={match player.selection { Some(Selection::Message(id)) => Some(id), _ => None }} />
            { if player.history_total > 0 || player.snap.nodes.iter().any(|n| n.view.role == "client") { html! {
                <crate::historylane::HistoryLane ops={player.history.clone()} diagram={player.diagram.clone()}
                    names={player.snap.nodes.iter().map(|n| t(&n.name)).collect::<Vec<_>>()}
                    total={player.history_total} first={player.history_first}
                    judged_at={player.lin.judgement.as_ref().map(|j| j.0)}
                    judgement={player.lin.judgement.as_ref().map(|j| j.1.clone())}
                    checking={player.lin.progress()} send={send.clone()} {scale} />
            } } else { html! {} } }
            { if look.compare { compare(player.config.seed) } else { html! {} } }
            { detect_plot(&player.config) }
            <EventLog lines={player.log.clone()} position={player.snap.position} send={send.clone()} />
            <footer>
                {crate::panels::sentence(&tf!("Seed {} · trace hash {}", player.config.seed, crate::panels::slot(0)), &[html! { <span translate="no">{format!("{:016x}", player.snap.trace_hash)}</span> }])}{" · "}
                {t("Same seed, same settings and same actions give the same run, event for event.")}
            </footer>
            { if player.show_help { html! { <Help send={send.clone()} /> } } else { html! {} } }
        </div>
    }
}

/// SWIM's detection measured against the group's size, on the Gossip page.
#[cfg(feature = "swim")]
fn detect_plot(cfg: &distlab_core::lab::LabConfig) -> Html {
    match &cfg.setup {
        distlab_core::registry::Setup::Swim(sw) => html! {
            <div class="boards"><crate::swimplot::DetectPlot selection={sw.selection} indirect={sw.indirect} seed={cfg.seed} /></div>
        },
        #[allow(unreachable_patterns)] // a bundle with other protocols
        _ => html! {},
    }
}

#[cfg(not(feature = "swim"))]
fn detect_plot(_: &distlab_core::lab::LabConfig) -> Html {
    html! {}
}

/// Raft and Multi-Paxos side by side: here in a bundle that holds both, else a link to the
/// page that does.
#[cfg(feature = "compare")]
fn compare(seed: u64) -> Html {
    html! { <div class="boards"><crate::compare::Compare seed={seed} /></div> }
}

#[cfg(not(feature = "compare"))]
fn compare(seed: u64) -> Html {
    let href = crate::pages::address(crate::pages::COMPARE, &format!("#compare/seed={seed}"));
    html! {
        <section class="board compare" aria-label={t("Raft and Multi-Paxos compared")}>
            <h2>{t("Raft and Multi-Paxos, same seed, same faults")}</h2>
            <p class="hint">{t("Run both on this seed under one fault schedule, and compare messages per command, commit latency and time without a leader.")}</p>
            <a class="button" id="btn-open-compare" href={href}>{t("Compare them ▸")}</a>
        </section>
    }
}

/// The gallery's lesson after this one, opened correct (without the mutant this one may have
/// switched on) and on the same seed and faults.
fn next_lesson(config: &LabConfig, send: &Callback<Msg>) -> Option<(AttrValue, Callback<()>)> {
    let (name, title) = crate::gallery::next_preset(config.protocol(), config.scenario.as_deref())?;
    let next = LabConfig { scenario: Some(name.to_string()), mutant: None, ..config.clone() };
    let send = send.clone();
    let open = Callback::from(move |_: ()| {
        send.emit(Msg::Configure(next.clone()));
        crate::gallery::start_at_drawing();
    });
    Some((AttrValue::from(t(title)), open))
}
