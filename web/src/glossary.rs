//! The page's words: the glossary of its notation (a fold under the drawing, and a tooltip on
//! every inspector field it defines), the key to what node colours stand for, and the key to
//! the chips under a drawing's boxes.

use distlab_core::lab::Snapshot;
use distlab_core::setup::Hues;
use yew::prelude::*;

use crate::i18n::t;
use crate::palette::hue;
use crate::tf;

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

/// The protocol's message names (the legend's) with their gloss in the page's language, for
/// those the glossary does not define itself. English glosses none: a name is its own word
/// there (the catalogue's entry for a name is its gloss, `RequestVote` → 请求投票…).
pub fn glossed_messages(
    legend: &[&'static str],
    terms: &[(&'static str, &'static str)],
) -> Vec<(&'static str, String)> {
    legend
        .iter()
        .filter(|m| !terms.iter().any(|(term, _)| term == *m))
        .filter_map(|m| {
            let gloss = t(m);
            (gloss != *m).then_some((*m, gloss))
        })
        .collect()
}

/// A term of the glossary as it is shown: a message's name as it is (the protocol's
/// vocabulary), any other term in the page's language.
fn shown_term(term: &'static str, legend: &[&'static str]) -> Html {
    if legend.contains(&term) {
        html! { <span translate="no">{term}</span> }
    } else {
        html! { {t(term)} }
    }
}

/// The notation, folded under the drawing: "b 2.1", "⊥", "ISR"… each with its definition; in
/// Chinese also the protocol's message names, each with its gloss.
#[function_component(Glossary)]
pub fn glossary(p: &GlossaryProps) -> Html {
    crate::lang::use_lang();
    let page = &p.snap.page;
    let (terms, legend) = (page.glossary, page.legend);
    let messages = glossed_messages(legend, terms);
    if terms.is_empty() && messages.is_empty() {
        return html! {};
    }
    html! {
        <details class="glossary" id="glossary">
            <summary>{t("What the labels mean:")}{" "}
                { for terms.iter().take(6).map(|(term, _)| html! { <code>{shown_term(term, legend)}</code> }) }
                { if terms.len() > 6 { html! { <span>{"…"}</span> } } else { html! {} } }
            </summary>
            <dl>
                { for terms.iter().map(|(term, d)| html! { <><dt>{shown_term(term, legend)}</dt><dd>{t(d)}</dd></> }) }
                { for messages.iter().map(|(name, gloss)| html! {
                    <><dt class="message" translate="no">{*name}</dt><dd>{gloss}</dd></>
                }) }
            </dl>
        </details>
    }
}

/// What node colours stand for, with a swatch per colour on screen (Paxos: the proposer whose
/// ballot the node promised; Raft: its term).
pub fn colour_key(snap: &Snapshot) -> Html {
    let keys: std::collections::BTreeSet<u64> =
        snap.nodes.iter().filter(|n| n.up).filter_map(|n| n.view.hue_key).collect();
    let name = |k: u64| match snap.page.hues {
        Hues::Node => snap.nodes.get(k as usize).map_or_else(|| tf!("node {}", k), |n| n.name.clone()),
        Hues::Term => tf!("term {}", k),
        Hues::Boxes => box_name(snap, k),
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
            if snap.page.hues != Hues::Boxes {
                <span class="key"><span class="swatch" style={format!("background:{}", hue(None))}></span>{t("none yet")}</span>
            }
        </span>
    }
}

/// The name of colour `k` on a page of boxes: the box whose nodes carry it ("G1", "rack r1",
/// its label up to the first " · "), else the role of the first node that carries it
/// ("configuration service").
fn box_name(snap: &Snapshot, k: u64) -> String {
    let head = |s: &str| t(s.split(" · ").next().unwrap_or(s));
    let carries = |id: &distlab_core::protocol::NodeId| {
        snap.nodes.get(id.index()).is_some_and(|n| n.view.hue_key == Some(k))
    };
    match snap.enclosures.iter().find(|b| b.members.first().is_some_and(carries)) {
        Some(b) => head(&b.label),
        None => snap
            .nodes
            .iter()
            .find(|n| n.view.hue_key == Some(k))
            .map_or_else(String::new, |n| head(&n.view.role)),
    }
}

/// Under a drawing whose boxes carry chips (the sharded database's groups, their shards): what
/// a chip is, in each of its three looks, drawn as the drawing draws them. A learner saw small
/// numbered squares under the groups and nothing on screen said they were shards.
pub fn chip_key(snap: &Snapshot) -> Html {
    if snap.enclosures.iter().all(|b| b.chips.is_empty()) {
        return html! {};
    }
    let colour = hue(Some(1));
    let chip = |class: &'static str, fill: &'static str, ink: &'static str| {
        html! {
            <svg class="chip-swatch" viewBox="0 0 18 18" width="18" height="18" aria-hidden="true">
                <g class={class}>
                    <rect x="1.5" y="1.5" width="15" height="15" rx="3" fill={fill} stroke={colour} />
                    <text x="9" y="12.5" fill={ink}>{"3"}</text>
                </g>
            </svg>
        }
    };
    html! {
        <p class="chip-key" id="chip-key">
            <strong>{t("Under each group, its shards (numbered):")}</strong>{" "}
            <span class="k">{chip("chip", colour, crate::palette::ink(colour))}
                {t("served there, coloured as the group the newest configuration gives it to")}</span>{" "}
            <span class="k">{chip("chip leaving", colour, "#111")}{t("handed over, kept until the new group has pulled it")}</span>{" "}
            <span class="k">{chip("chip arriving", "none", "currentColor")}{t("on its way in")}</span>
        </p>
    }
}
