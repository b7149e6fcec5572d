//! The page: one reducer, the hooks that drive it, and the layout.

use distlab_core::lab::LabConfig;
use yew::prelude::*;

use crate::hooks::{use_animation_frames, use_shortcuts};
use crate::panels::{EventLog, Help, Inspector, Safety, Settings, Transport};
use crate::state::{Msg, Player};
use crate::topology::{message_style, Topology};

#[derive(Properties, PartialEq, Default)]
pub struct AppProps {
    /// The run to open with (tests pass their own).
    #[prop_or_default]
    pub config: Option<LabConfig>,
}

#[function_component(App)]
pub fn app(props: &AppProps) -> Html {
    let initial = props.config.clone().unwrap_or_default();
    let player = use_reducer(move || Player::new(initial));
    use_animation_frames(player.playing, player.dispatcher());
    use_shortcuts(player.dispatcher());
    let send = {
        let d = player.dispatcher();
        Callback::from(move |m: Msg| d.dispatch(m))
    };
    let properties = player.lab.borrow().properties();
    let legend = ["Prepare", "Promise", "Accept", "Accepted", "Nack"].map(|k| {
        let (color, glyph) = message_style(k);
        html! { <span class="legend-item"><span class="dot" style={format!("background:{color}")}>{glyph}</span>{k}</span> }
    });
    html! {
        <div class="app">
            <header>
                <h1>{"distlab"}<span class="sub">{" · single-decree Paxos"}</span></h1>
                <p class="tagline">{"Proposers, acceptors and learners agree on one value despite lost messages, crashes and partitions. Press play, then break things."}</p>
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
                    <Topology snap={player.snap.clone()} display_us={player.display_us}
                        selection={player.selection.clone()} side_b={player.side_b.clone()}
                        on_select={send.reform(Msg::Select)} />
                    <p class="caption" id="caption" aria-live="polite">{
                        player.log.last().map(|l| format!("#{} · {}", l.event, l.text))
                            .unwrap_or_else(|| "Press ▶ Play or → to run the first event.".to_string())
                    }</p>
                    <div class="legend" aria-label="Message types">{ for legend }
                        <span class="legend-item"><span class="ring"></span>{"timer running down"}</span>
                        <span class="legend-item">{"node colour: the proposer whose ballot it promised"}</span>
                    </div>
                    <Transport snap={player.snap.clone()} playing={player.playing} speed_log={player.speed_log} send={send.clone()} />
                </section>
                <aside>
                    <Inspector snap={player.snap.clone()} selection={player.selection.clone()} side_b={player.side_b.clone()} send={send.clone()} />
                    <Settings config={player.config.clone()} send={send.clone()} />
                </aside>
            </main>
            <EventLog lines={player.log.clone()} position={player.snap.position} send={send.clone()} />
            <footer>
                {format!("Seed {} · trace hash {:016x} · ", player.config.seed, player.snap.trace_hash)}
                {"Same seed, same settings and same actions give the same run, event for event."}
            </footer>
            { if player.show_help { html! { <Help send={send.clone()} /> } } else { html! {} } }
        </div>
    }
}
