//! Scenarios on the page: export and import as JSON files, share links in the URL fragment,
//! and the current scenario kept in local storage so a reload loses nothing.

use std::rc::Rc;

use distlab_core::scenario::{self, ScenarioDoc};
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::i18n::t;
use crate::state::Msg;
use crate::tf;

/// The local-storage key of a page's current scenario.
fn storage_key(page: &str) -> String {
    format!("distlab.scenario.{page}")
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// Remember the page's scenario (best effort: private windows may refuse storage).
pub fn save(page: &str, doc: &ScenarioDoc) {
    if let Some(s) = storage() {
        let _ = s.set_item(&storage_key(page), &scenario::to_json(doc));
    }
}

/// The page's remembered scenario, if any.
pub fn load(page: &str) -> Option<String> {
    storage()?.get_item(&storage_key(page)).ok().flatten()
}

/// Keep the page's scenario in local storage: when the page opens and whenever the document
/// changes (an action, a new configuration, an import, a pause at another event), unless
/// `keep` is false (the page stands in with its opening run for a link or a saved scenario
/// that could not be opened: what is saved stays). The reducer only builds the document; this
/// effect is where it leaves the page.
#[hook]
pub fn use_saved_scenario(page: String, doc: Rc<ScenarioDoc>, keep: bool) {
    use_effect_with((page, doc, keep), |(page, doc, keep)| {
        if *keep {
            save(page, doc)
        }
    });
}

#[derive(Properties, PartialEq)]
pub struct ShareProps {
    pub page: String,
    pub doc: Rc<ScenarioDoc>,
    pub send: Callback<Msg>,
}

/// Export, import and share buttons.
#[function_component(Share)]
pub fn share(p: &ShareProps) -> Html {
    crate::lang::use_lang();
    // The JSON and the compressed link are rebuilt only when the document changes (the props
    // compare equal on every other render: `send` is stable).
    let made = use_memo((p.page.clone(), p.doc.clone()), |(page, doc)| {
        let json = scenario::to_json(doc);
        let href = format!(
            "data:application/json;charset=utf-8,{}",
            String::from(js_sys::encode_uri_component(&json))
        );
        (
            href,
            format!("distlab-{page}-seed{}.json", doc.seed),
            format!("#{page}/s={}", scenario::to_link(doc)),
        )
    });
    let (href, file, link) = (*made).clone();
    let copied = use_state(|| false);
    // Once asked for, the address bar holds the link of the run as it stands: the click pauses
    // the run (so the document holds its position), and every later change of the document
    // (a pause, a step, an action) updates the link.
    use_effect_with((*copied, link.clone()), |(copied, link)| {
        if *copied {
            // The link carries the reader's language: it opens in the language it was made in.
            crate::dom::replace_fragment(&format!("?lang={}{link}", crate::i18n::lang().tag()));
        }
    });
    let share = {
        let (send, copied) = (p.send.clone(), copied.clone());
        Callback::from(move |_: MouseEvent| {
            send.emit(Msg::Pause);
            copied.set(true);
        })
    };
    // "Copy embed code" pauses the run, so the code holds its position.
    let pause = {
        let send = p.send.clone();
        Callback::from(move |()| send.emit(Msg::Pause))
    };
    let import = {
        let send = p.send.clone();
        Callback::from(move |e: Event| {
            let Some(input) = e.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else {
                return;
            };
            let Some(file) = input.files().and_then(|f| f.get(0)) else { return };
            input.set_value("");
            if file.size() > scenario::MAX_DOC_BYTES as f64 {
                let (most, size) = (scenario::MAX_DOC_BYTES, file.size());
                let said = tf!("a scenario file is at most {} bytes; this one has {}", most, size);
                send.emit(Msg::Error(said));
                return;
            }
            let send = send.clone();
            wasm_bindgen_futures::spawn_local(async move {
                match wasm_bindgen_futures::JsFuture::from(file.text()).await {
                    Ok(text) => send.emit(Msg::Import(text.as_string().unwrap_or_default())),
                    Err(_) => send.emit(Msg::Error(t("the file could not be read"))),
                }
            });
        })
    };
    html! {
        <section class="share" aria-label={t("Scenario")}>
            <h2>{t("Scenario")}</h2>
            <p class="hint">{t("Everything that makes this run: the settings, the seed and what you did. It survives a reload.")}</p>
            <div class="row">
                <a class="button" id="btn-export" href={href} download={file}>{t("Export JSON")}</a>
                <label class="button" for="import-file">{t("Import JSON…")}</label>
                <input type="file" id="import-file" accept="application/json,.json" onchange={import} class="visually-hidden" />
                <button id="btn-share" onclick={share}>{ if *copied { t("The address bar holds the link") } else { t("Share link") } }</button>
            </div>
            <crate::embed::EmbedButton page={p.page.clone()} fragment={link} on_ask={pause}
                hint={t("Paste this into your page's HTML: it shows this run from where it stands, with its drawing, narration and player. (Copied, if the browser allowed it.)")} />
            <p class="hint" id="recorded">{match p.doc.actions.len() {
                1 => tf!("{} recorded action", 1),
                n => tf!("{} recorded actions", n),
            }}</p>
        </section>
    }
}
