//! The reader's language on the page: chosen at the first visit from the browser's preferred
//! languages, kept in local storage, carried by share links (`?lang=zh-CN`), switched in the
//! header. Chinese loads its catalogue (`zh.txt` beside the page: this page's part of
//! `i18n/zh/`, see `scripts/pages.py`) before the page shows; English loads nothing.
//!
//! Components call [`use_lang`] so that they draw again when the language changes (Yew redraws
//! a component whose context changed even when its props did not).

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::i18n::{self, Catalogue, Lang};

const KEY: &str = "distlab.lang";

/// The language in use and the way to change it, which the app provides to every component.
#[derive(Clone, PartialEq)]
pub struct LangChoice {
    pub lang: Lang,
    pub set: Callback<Lang>,
}

/// The page's language; subscribes the calling component to its changes.
#[hook]
pub fn use_lang() -> Lang {
    use_context::<LangChoice>().map(|c| c.lang).unwrap_or_else(i18n::lang)
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The language a URL's query names (`?lang=zh-CN`), if any.
pub fn from_query(search: &str) -> Option<Lang> {
    search.trim_start_matches('?').split('&').find_map(|kv| kv.strip_prefix("lang=")).and_then(Lang::from_tag)
}

/// The language to open with: the link's, else the one the reader chose before, else the
/// first of the browser's preferred languages the lab speaks.
fn initial() -> Lang {
    let window = web_sys::window();
    let search = window.as_ref().and_then(|w| w.location().search().ok()).unwrap_or_default();
    if let Some(l) = from_query(&search) {
        return l;
    }
    if let Some(l) = storage().and_then(|s| s.get_item(KEY).ok().flatten()).and_then(|t| Lang::from_tag(&t)) {
        return l;
    }
    let preferred: Vec<String> = window
        .map(|w| w.navigator().languages().iter().filter_map(|v| v.as_string()).collect())
        .unwrap_or_default();
    Lang::choose(&preferred)
}

/// Remember the reader's language, and make the URL's `?lang=` (if it has one) say it, so a
/// reload keeps it.
fn remember(lang: Lang) {
    if let Some(s) = storage() {
        let _ = s.set_item(KEY, lang.tag());
    }
    let Some(w) = web_sys::window() else { return };
    let loc = w.location();
    let search = loc.search().unwrap_or_default();
    if from_query(&search).is_none() {
        return;
    }
    let query: Vec<String> = search
        .trim_start_matches('?')
        .split('&')
        .map(|kv| if kv.starts_with("lang=") { format!("lang={}", lang.tag()) } else { kv.to_string() })
        .collect();
    let url = format!(
        "{}?{}{}",
        loc.pathname().unwrap_or_default(),
        query.join("&"),
        loc.hash().unwrap_or_default()
    );
    if let Ok(h) = w.history() {
        let _ = h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
}

thread_local! {
    /// The Chinese catalogue once loaded (switching back and forth loads it once).
    static LOADED: RefCell<Option<Rc<Catalogue>>> = const { RefCell::new(None) };
}

/// Give the page a Chinese catalogue without loading it (the browser tests hold it compiled in).
pub fn provide(catalogue: Catalogue) {
    LOADED.with(|l| *l.borrow_mut() = Some(Rc::new(catalogue)));
}

async fn fetch_text(url: &str) -> Result<String, String> {
    let window = web_sys::window().ok_or("no window")?;
    let resp = wasm_bindgen_futures::JsFuture::from(window.fetch_with_str(url))
        .await
        .map_err(|e| format!("{e:?}"))?;
    let resp: web_sys::Response = resp.dyn_into().map_err(|_| "not a response".to_string())?;
    if !resp.ok() {
        return Err(format!("HTTP {}", resp.status()));
    }
    let text = resp.text().map_err(|e| format!("{e:?}"))?;
    let text = wasm_bindgen_futures::JsFuture::from(text).await.map_err(|e| format!("{e:?}"))?;
    text.as_string().ok_or_else(|| "not text".into())
}

/// The document's language, title and description in `lang` (the English ones are kept in
/// `data-en` attributes the first time).
fn dress_document(lang: Lang) {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else { return };
    if let Some(root) = doc.document_element() {
        let _ = root.set_attribute("lang", lang.tag());
    }
    if let Ok(Some(meta)) = doc.query_selector("meta[name=description]") {
        let en = match meta.get_attribute("data-en") {
            Some(en) => en,
            None => {
                let en = meta.get_attribute("content").unwrap_or_default();
                let _ = meta.set_attribute("data-en", &en);
                en
            }
        };
        let _ = meta.set_attribute("content", &i18n::t(&en));
    }
}

/// The app's language: `None` while the Chinese catalogue loads (the page waits: no flash of
/// English), then the choice to provide; and a message when the catalogue could not be loaded
/// (the page then speaks English).
#[hook]
pub fn use_language() -> (Option<LangChoice>, Option<String>) {
    let wanted = use_state(initial);
    let ready = use_state(|| None::<Lang>);
    let failed = use_state(|| None::<String>);
    {
        let (ready, failed) = (ready.clone(), failed.clone());
        use_effect_with(*wanted, move |&lang| {
            let done = move |lang: Lang, catalogue: Option<Rc<Catalogue>>| {
                i18n::install(lang, catalogue);
                dress_document(lang);
                ready.set(Some(lang));
            };
            match (lang, LOADED.with(|l| l.borrow().clone())) {
                (Lang::En, _) => done(Lang::En, None),
                (Lang::Zh, Some(c)) => done(Lang::Zh, Some(c)),
                (Lang::Zh, None) => wasm_bindgen_futures::spawn_local(async move {
                    let got = fetch_text("zh.txt")
                        .await
                        .and_then(|text| Catalogue::parse(&text).map_err(|e| format!("zh.txt {e}")));
                    match got {
                        Ok(c) => {
                            provide(c);
                            done(Lang::Zh, LOADED.with(|l| l.borrow().clone()));
                        }
                        Err(e) => {
                            failed.set(Some(e));
                            done(Lang::En, None);
                        }
                    }
                }),
            }
        });
    }
    let set = {
        let wanted = wanted.clone();
        let failed = failed.clone();
        use_callback((), move |lang: Lang, _| {
            remember(lang);
            failed.set(None);
            wanted.set(lang);
        })
    };
    let choice = (*ready).map(|lang| LangChoice { lang, set });
    (choice, (*failed).clone())
}

/// The language switch in the header: English / 简体中文.
#[function_component(LangSwitch)]
pub fn lang_switch() -> Html {
    let Some(choice) = use_context::<LangChoice>() else { return Html::default() };
    let onchange = {
        let set = choice.set.clone();
        Callback::from(move |e: Event| {
            let tag =
                e.target_dyn_into::<web_sys::HtmlSelectElement>().map(|s| s.value()).unwrap_or_default();
            if let Some(l) = Lang::from_tag(&tag) {
                set.emit(l);
            }
        })
    };
    let options = Lang::ALL.iter().map(|l| {
        html! { <option value={l.tag()} lang={l.tag()} selected={*l == choice.lang}>{l.name()}</option> }
    });
    html! {
        <select id="lang" class="lang-switch" aria-label="Language · 语言" title="Language · 语言" onchange={onchange}>
            { for options }
        </select>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_links_query_names_its_language() {
        assert_eq!(from_query("?lang=zh-CN"), Some(Lang::Zh));
        assert_eq!(from_query("?embed&lang=en"), Some(Lang::En));
        assert_eq!(from_query("?lang=fr"), None);
        assert_eq!(from_query(""), None);
    }
}
