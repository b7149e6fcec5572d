//! DOM helpers the views share: a callback that sends one message, the delegated handlers'
//! lookup of the drawn item an event landed on, roving focus within a drawing, reading a form
//! field behind a `NodeRef`, and replacing the URL fragment. They know no page state: every
//! view may use them.

use wasm_bindgen::JsCast;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

/// A handler that sends one message, whatever the event. Every button shares this one closure
/// type (per message type), which keeps the page's wasm smaller than a closure per button.
pub fn on<M: Clone + 'static, E: 'static>(send: &Callback<M>, msg: M) -> Callback<E> {
    let send = send.clone();
    Callback::from(move |_: E| send.emit(msg.clone()))
}

/// The element an event landed on, or its nearest ancestor, that matches `selector`: how one
/// delegated handler learns which of many drawn items (nodes, messages, arrows, log lines) was
/// meant, from their `data-` attributes.
pub fn closest(e: &Event, selector: &str) -> Option<web_sys::Element> {
    e.target()?.dyn_into::<web_sys::Element>().ok()?.closest(selector).ok()?
}

/// Move the focus from the event's target to the next (`step` 1) or previous (−1) element
/// matching `selector` inside `root`, wrapping around.
pub fn focus_next(root: &web_sys::Element, selector: &str, e: &Event, step: i32) {
    let Ok(list) = root.query_selector_all(selector) else { return };
    let n = list.length();
    if n == 0 {
        return;
    }
    let from = e.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok());
    let at = (0..n).find(|i| list.get(*i).map(|x| x.unchecked_into::<web_sys::Element>()) == from);
    let next = match at {
        Some(i) => (i as i64 + step as i64).rem_euclid(n as i64) as u32,
        None => 0,
    };
    if let Some(el) = list.get(next).and_then(|x| x.dyn_into::<web_sys::SvgElement>().ok()) {
        let _ = el.focus();
    }
}

/// The text in the input behind `r` (empty if it is not mounted).
pub fn read_input(r: &NodeRef) -> String {
    r.cast::<HtmlInputElement>().map(|i| i.value()).unwrap_or_default()
}

/// The value chosen in the select behind `r` (empty if it is not mounted).
pub fn read_select(r: &NodeRef) -> String {
    r.cast::<HtmlSelectElement>().map(|i| i.value()).unwrap_or_default()
}

/// Put `fragment` (with its `#`) in the address bar without a new history entry and without a
/// `hashchange` (which would make the page follow it).
pub fn replace_fragment(fragment: &str) {
    if let Some(h) = web_sys::window().and_then(|w| w.history().ok()) {
        let _ = h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(fragment));
    }
}

/// Whether the page is embedded: its address asks for it (`?embed`, as the embed code writes
/// it), and it then shows only the drawing, the narration and the player.
pub fn embedded() -> bool {
    let search = web_sys::window().and_then(|w| w.location().search().ok()).unwrap_or_default();
    embed_query(&search)
}

/// `?embed`, `?embed=1` or `?lang=zh&embed` ask for the embedded page.
pub fn embed_query(search: &str) -> bool {
    search.trim_start_matches('?').split('&').any(|kv| kv == "embed" || kv.starts_with("embed="))
}

/// The address of this page (scheme, host and path), without its query or fragment.
pub fn page_address() -> String {
    let Some(loc) = web_sys::window().map(|w| w.location()) else { return String::new() };
    format!("{}{}", loc.origin().unwrap_or_default(), loc.pathname().unwrap_or_default())
}

/// Put `text` on the clipboard, if the browser lets the page (best effort: the caller shows
/// the text too).
pub fn copy_to_clipboard(text: &str) {
    use wasm_bindgen::JsCast;
    let Some(nav) = web_sys::window().map(|w| w.navigator()) else { return };
    let Ok(clipboard) = js_sys::Reflect::get(&nav, &"clipboard".into()) else { return };
    if clipboard.is_undefined() {
        return;
    }
    if let Ok(write) = js_sys::Reflect::get(&clipboard, &"writeText".into()) {
        if let Ok(write) = write.dyn_into::<js_sys::Function>() {
            if let Ok(promise) = write.call1(&clipboard, &text.into()) {
                // A refusal (no permission, no focus) is not an error: the code is on the page.
                if let Ok(p) = promise.dyn_into::<js_sys::Promise>() {
                    wasm_bindgen_futures::spawn_local(async move {
                        let _ = wasm_bindgen_futures::JsFuture::from(p).await;
                    });
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_embed_query_is_read_wherever_it_stands() {
        for (search, embedded) in [
            ("?embed", true),
            ("?embed=1", true),
            ("?lang=zh&embed", true),
            ("", false),
            ("?lang=zh", false),
            ("?embedded", false),
        ] {
            assert_eq!(super::embed_query(search), embedded, "{search}");
        }
    }
}
