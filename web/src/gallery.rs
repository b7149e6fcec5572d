//! The presets of the page's protocol as a gallery above the cluster: one click loads a
//! narrated scenario (keeping the seed, faults and mutant), where the Run form's menu needs a
//! choice and "Apply and restart".

use distlab_core::lab::LabConfig;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::i18n::t;
use crate::state::Msg;
use crate::tf;

#[derive(Properties, PartialEq)]
pub struct GalleryProps {
    pub config: LabConfig,
    pub send: Callback<Msg>,
}

#[function_component(Gallery)]
pub fn gallery(p: &GalleryProps) -> Html {
    crate::lang::use_lang();
    // Hooks first, every render: the early return below must not skip one.
    let details = use_node_ref();
    let presets = distlab_core::lab::scenarios(p.config.protocol());
    if presets.is_empty() {
        return html! {};
    }
    let current = p.config.scenario.as_deref();
    // The free run takes the settings the Run form shows: a preset's own, after one.
    let shown = p.config.as_run();
    let card = |name: Option<&'static str>, title: &str| {
        let picked = current == name;
        let base = if name.is_none() { &shown } else { &p.config };
        let cfg = LabConfig { scenario: name.map(String::from), ..base.clone() };
        // Picked: the gallery folds away so the run is in view, and the keyboard stays on its
        // summary line.
        let (send, details) = (p.send.clone(), details.clone());
        let onclick = Callback::from(move |_: MouseEvent| {
            if let Some(d) = details.cast::<web_sys::Element>() {
                let _ = d.remove_attribute("open");
                let summary = d.query_selector("summary").ok().flatten();
                if let Some(s) = summary.and_then(|s| JsCast::dyn_into::<web_sys::HtmlElement>(s).ok()) {
                    let _ = s.focus();
                }
            }
            send.emit(Msg::Configure(cfg.clone()));
            start_at_drawing();
        });
        // "Split vote: two candidates at once": the name in bold, the gist after it (a Chinese
        // title has a full-width colon).
        let (head, gist) = crate::lesson::title_parts(title);
        html! {
            <li><button class={classes!("preset", picked.then_some("on"))} aria-pressed={picked.to_string()}
                        data-preset={name.unwrap_or("")} {onclick}>
                <b>{head}</b>{ if gist.is_empty() { html! {} } else { html! { <span>{gist}</span> } } }
            </button></li>
        }
    };
    let summary = match current.and_then(|c| presets.iter().find(|(n, _)| *n == c)) {
        Some((_, title)) => tf!("Preset: {} · {} more to try", t(title), presets.len() - 1),
        None => tf!("{} narrated presets to try", presets.len()),
    };
    html! {
        <details class="gallery" id="gallery" ref={details.clone()}>
            <summary>{summary}</summary>
            <ul>
                { card(None, &t("Free run: your settings in the Run form")) }
                { for presets.iter().map(|(name, title)| card(Some(name), &t(title))) }
            </ul>
        </details>
    }
}

/// In one column (a phone) the gallery and the lesson's last step are under the lesson's card:
/// a new lesson starts at the drawing's top, its first step's card under it (once the new run
/// is drawn, which may change the heights above).
pub fn start_at_drawing() {
    let window = web_sys::window();
    let narrow = window.as_ref().and_then(|w| w.match_media("(max-width: 900px)").ok().flatten());
    if let (Some(w), true) = (&window, narrow.is_some_and(|m| m.matches())) {
        let to_top = wasm_bindgen::closure::Closure::once_into_js(|| {
            let document = web_sys::window().and_then(|w| w.document());
            if let Some(view) = document.and_then(|d| d.query_selector(".cluster-view").ok().flatten()) {
                view.scroll_into_view();
            }
        });
        let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(to_top.unchecked_ref(), 50);
    }
}

/// The preset after `current` in the page's gallery, if there is one: (its name, its title).
pub fn next_preset(protocol: &str, current: Option<&str>) -> Option<(&'static str, &'static str)> {
    let presets = distlab_core::lab::scenarios(protocol);
    let at = presets.iter().position(|(n, _)| Some(*n) == current)?;
    presets.get(at + 1).copied()
}
