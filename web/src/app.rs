//! The page: one reducer, the hooks that drive it, and the layout.

use distlab_core::lab::LabConfig;
use yew::prelude::*;

use crate::hooks::{use_animation_frames, use_location_hash, use_shortcuts};
use crate::logview::LogView;
use crate::panels::{Clients, EventLog, Help, Inspector, Narration, Safety, Transport};
use crate::settings::Settings;
use crate::state::{Msg, Player};
use crate::topology::{message_style, Topology};

#[derive(Properties, PartialEq, Default)]
pub struct AppProps {
    /// The run to open with (tests pass their own; otherwise the URL's #protocol decides).
    #[prop_or_default]
    pub config: Option<LabConfig>,
}

/// The protocols in the page's tabs: (protocol, label).
const TABS: &[(&str, &str)] = &[("paxos", "Paxos"), ("raft", "Raft")];

/// Message types shown in the legend, per protocol.
fn legend_kinds(protocol: &str) -> &'static [&'static str] {
    match protocol {
        "raft" => &[
            "RequestVote",
            "Vote",
            "PreVote",
            "AppendEntries",
            "Heartbeat",
            "AppendReply",
            "InstallSnapshot",
            "TimeoutNow",
            "ClientRequest",
            "ClientReply",
        ],
        _ => &["Prepare", "Promise", "Accept", "Accepted", "Nack"],
    }
}

/// The config a URL fragment names: `#raft`, `#paxos` (anything else: Paxos).
pub fn config_from_hash(hash: &str) -> LabConfig {
    let protocol = hash.trim_start_matches('#');
    let protocol = TABS.iter().find(|(p, _)| *p == protocol).map(|(p, _)| *p).unwrap_or("paxos");
    LabConfig { protocol: protocol.into(), ..LabConfig::default() }
}

#[function_component(App)]
pub fn app(props: &AppProps) -> Html {
    let initial = props.config.clone().unwrap_or_else(|| {
        let hash = web_sys::window().and_then(|w| w.location().hash().ok()).unwrap_or_default();
        config_from_hash(&hash)
    });
    let player = use_reducer(move || Player::new(initial));
    use_animation_frames(player.playing, player.dispatcher());
    use_shortcuts(player.dispatcher());
    use_location_hash(player.config.protocol.clone());
    let send = {
        let d = player.dispatcher();
        Callback::from(move |m: Msg| d.dispatch(m))
    };
    let (properties, about) = {
        let lab = player.lab.borrow();
        (lab.properties(), lab.about())
    };
    let protocol = player.config.protocol.clone();
    let legend = legend_kinds(&protocol).iter().map(|k| {
        let (color, glyph) = message_style(k);
        html! { <span class="legend-item"><span class="dot" style={format!("background:{color}")}>{glyph}</span>{*k}</span> }
    });
    let colour_note = if protocol == "raft" {
        "node colour: its current term"
    } else {
        "node colour: the proposer whose ballot it promised"
    };
    let tabs = TABS.iter().map(|(p, label)| {
        let active = *p == protocol;
        let cfg = LabConfig { protocol: (*p).into(), seed: player.config.seed, ..LabConfig::default() };
        html! {
            <button role="tab" aria-selected={active.to_string()} class={classes!("tab", active.then_some("active"))}
                id={format!("tab-{p}")} onclick={send.reform(move |_| Msg::Configure(cfg.clone()))}>{*label}</button>
        }
    });
    html! {
        <div class="app">
            <header>
                <h1>{"distlab"}<span class="sub">{format!(" · {}", about.title)}</span></h1>
                <nav class="tabs" role="tablist" aria-label="Protocols">{ for tabs }</nav>
                <p class="tagline">{about.tagline}</p>
                <button class="help-btn" aria-label="Keyboard shortcuts" title="Keyboard shortcuts (?)" onclick={send.reform(|_| Msg::ToggleHelp)}>{"?"}</button>
            </header>
            <Safety snap={player.snap.clone()} properties={properties} send={send.clone()} />
            { for player.error.as_ref().map(|e| html! {
                <div id="error" class="banner error" role="alert">
                    <span>{e}</span>
                    <button aria-label="Dismiss" onclick={send.reform(|_| Msg::DismissError)}>{"×"}</button>
                </div>
            }) }
            { for player.notice.as_ref().map(|n| html! { <div class="banner notice" role="status">{n}</div> }) }
            <main>
                <section class="stage" aria-label="Cluster">
                    <Narration lines={player.narration.clone()} now_us={player.display_us} send={send.clone()} />
                    <Topology snap={player.snap.clone()} display_us={player.display_us}
                        selection={player.selection.clone()} side_b={player.side_b.clone()}
                        on_select={send.reform(Msg::Select)} />
                    <p class="caption" id="caption" aria-live="polite">{
                        player.log.last().map(|last| {
                            // The event's first record is its cause; count what it led to.
                            let first = player.log.iter().find(|l| l.event == last.event).unwrap_or(last);
                            let more = player.log.iter().filter(|l| l.event == last.event).count() - 1;
                            if more == 0 {
                                format!("#{} · {}", first.event, first.text)
                            } else {
                                format!("#{} · {} (+{} more below)", first.event, first.text, more)
                            }
                        })
                            .unwrap_or_else(|| "Press ▶ Play or → to run the first event.".to_string())
                    }</p>
                    <div class="legend" aria-label="Message types">{ for legend }
                        <span class="legend-item"><span class="ring"></span>{"timer running down"}</span>
                        <span class="legend-item">{colour_note}</span>
                    </div>
                    <Transport snap={player.snap.clone()} playing={player.playing} speed_log={player.speed_log} send={send.clone()} />
                </section>
                <aside>
                    <Inspector snap={player.snap.clone()} persistence={about.persistence} selection={player.selection.clone()} side_b={player.side_b.clone()} send={send.clone()} />
                    <Clients snap={player.snap.clone()} send={send.clone()} />
                    <Settings config={player.config.clone()} send={send.clone()} />
                </aside>
            </main>
            <LogView snap={player.snap.clone()} />
            <EventLog lines={player.log.clone()} position={player.snap.position} send={send.clone()} />
            <footer>
                {format!("Seed {} · trace hash {:016x} · ", player.config.seed, player.snap.trace_hash)}
                {"Same seed, same settings and same actions give the same run, event for event."}
            </footer>
            { if player.show_help { html! { <Help send={send.clone()} /> } } else { html! {} } }
        </div>
    }
}
