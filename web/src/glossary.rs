//! The page's words: the glossary of its notation (a fold under the drawing, and a tooltip on
//! every inspector field it defines), and the key to what node colours stand for.

use distlab_core::lab::Snapshot;
use distlab_core::setup::Hues;
use yew::prelude::*;

use crate::palette::hue;

/// The definition of `label` (an inspector field, a legend word) in the page's glossary, if it
/// has one: a term matches a label it names, ignoring case.
pub fn define(glossary: &[(&'static str, &'static str)], label: &str) -> Option<&'static str> {
    let label = label.to_lowercase();
    glossary.iter().find(|(term, _)| term.to_lowercase().split(" · ").any(|t| t == label)).map(|(_, d)| *d)
}

#[derive(Properties, PartialEq)]
pub struct GlossaryProps {
    pub snap: std::rc::Rc<Snapshot>,
}

/// The notation, folded under the drawing: "b 2.1", "⊥", "ISR"… each with its definition.
#[function_component(Glossary)]
pub fn glossary(p: &GlossaryProps) -> Html {
    let terms = p.snap.page.glossary;
    if terms.is_empty() {
        return html! {};
    }
    html! {
        <details class="glossary" id="glossary">
            <summary>{"What the labels mean: "}
                { for terms.iter().take(6).map(|(t, _)| html! { <code>{*t}</code> }) }
                { if terms.len() > 6 { html! { <span>{"…"}</span> } } else { html! {} } }
            </summary>
            <dl>{ for terms.iter().map(|(t, d)| html! { <><dt>{*t}</dt><dd>{*d}</dd></> }) }</dl>
        </details>
    }
}

/// What node colours stand for, with a swatch per colour on screen (Paxos: the proposer whose
/// ballot the node promised; Raft: its term).
pub fn colour_key(snap: &Snapshot) -> Html {
    let keys: std::collections::BTreeSet<u64> =
        snap.nodes.iter().filter(|n| n.up).filter_map(|n| n.view.hue_key).collect();
    let name = |k: u64| match snap.page.hues {
        Hues::Node => snap.nodes.get(k as usize).map_or_else(|| format!("node {k}"), |n| n.name.clone()),
        Hues::Term => format!("term {k}"),
        Hues::None => String::new(),
    };
    if snap.page.hues == Hues::None {
        return html! {};
    }
    html! {
        <span class="legend-item colour-key" id="colour-key">
            { for keys.iter().map(|k| {
                let c = hue(Some(*k));
                html! { <span class="key"><span class="swatch" style={format!("background:{c}")}></span>{name(*k)}</span> }
            }) }
            <span class="key"><span class="swatch" style={format!("background:{}", hue(None))}></span>{"none yet"}</span>
        </span>
    }
}
