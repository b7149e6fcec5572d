//! Side effects, each owned by a hook so that dropping it stops it: the URL fragment and the
//! tab's title, remembered disclosures, element sizes and whether one is in view. (A protocol page's animation frames and
//! shortcuts are in [`crate::drive`].)

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// Keep the URL fragment naming the page (`#raft`), so a reload or a shared link opens the same
/// page. A new page is a new history entry (so Back returns to the last one); a share link the
/// page was opened from (`via_link`) is replaced without one, so Back does not open it again.
/// `visit` changes when a link is opened on the same page.
#[hook]
pub fn use_location_hash(page: Option<String>, visit: u32, via_link: bool) {
    use_effect_with((page, visit, via_link), |(page, _, via_link)| {
        if let (Some(page), Some(loc)) = (page, web_sys::window().map(|w| w.location())) {
            let want = format!("#{page}");
            if loc.hash().ok().as_deref() != Some(want.as_str()) {
                if *via_link {
                    crate::dom::replace_fragment(&want);
                } else {
                    let _ = loc.set_hash(&want);
                }
            }
        }
    });
}

/// While `enabled`, call `on_change` with the URL fragment whenever it changes by navigation
/// (Back, Forward, a link pasted into the address bar, the page's own `set_hash`). `on_change`
/// must be stable (the listener is attached once).
#[hook]
pub fn use_hash_change(on_change: Callback<String>, enabled: bool) {
    use_effect_with(enabled, move |enabled| {
        let window = web_sys::window().filter(|_| *enabled);
        let handler = Closure::<dyn FnMut()>::new(move || {
            let hash = web_sys::window().and_then(|w| w.location().hash().ok()).unwrap_or_default();
            on_change.emit(hash);
        });
        if let Some(w) = &window {
            let _ = w.add_event_listener_with_callback("hashchange", handler.as_ref().unchecked_ref());
        }
        move || {
            if let Some(w) = window {
                let _ = w.remove_event_listener_with_callback("hashchange", handler.as_ref().unchecked_ref());
            }
            drop(handler);
        }
    });
}

/// Keep the browser tab's title naming the page ("distlab · Raft"), so tabs and history tell
/// the pages apart.
#[hook]
pub fn use_document_title(page_title: String) {
    use_effect_with(page_title, |t| {
        if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
            doc.set_title(&format!("distlab · {t}"));
        }
    });
}

/// A disclosure's open state (`<details>`), remembered in local storage under `key` across
/// pages and reloads: who opened "Advanced" once finds it open on the next page. Returns the
/// state and the `ontoggle` callback that records the user's choice.
#[hook]
pub fn use_remembered_open(key: &'static str) -> (bool, Callback<Event>) {
    let storage = || web_sys::window().and_then(|w| w.local_storage().ok().flatten());
    let open =
        use_state(|| storage().and_then(|s| s.get_item(key).ok().flatten()).as_deref() == Some("open"));
    let ontoggle = {
        let open = open.clone();
        use_callback((), move |e: Event, _| {
            let now = e.target_dyn_into::<web_sys::HtmlDetailsElement>().is_some_and(|d| d.open());
            if let Some(s) = storage() {
                let _ = s.set_item(key, if now { "open" } else { "closed" });
            }
            open.set(now);
        })
    };
    (*open, ontoggle)
}

/// The width, in drawing units, of a strip drawn across the element behind `node` (a time
/// axis as SVG): its CSS width, up to [`STRIP_MAX`]. A narrow strip (a phone) is drawn one unit
/// to the pixel, so its labels keep their size; a wide one is scaled up. [`STRIP_MAX`] until
/// the element is measured.
#[hook]
pub fn use_strip_width(node: NodeRef) -> f64 {
    use_size(node, true).map_or(STRIP_MAX, |(w, _)| w.clamp(STRIP_MIN, STRIP_MAX))
}

/// The widest a strip is drawn, in units (wider screens scale it up).
pub const STRIP_MAX: f64 = 1000.0;
/// The narrowest a strip is drawn, in units (narrower ones scale it down).
const STRIP_MIN: f64 = 300.0;

/// The CSS size of the element behind `node` (None until it is laid out), kept current by a
/// `ResizeObserver`: reading it never forces the page to lay out mid-frame, as asking the
/// element for its size after the page changed would. `watch` re-attaches the observer when
/// the element may have been replaced.
#[hook]
pub fn use_size(node: NodeRef, watch: bool) -> Option<(f64, f64)> {
    // `use_state_eq`: the callback outlives this render, so it sets without comparing against
    // the (possibly stale) value it captured; an equal size does not re-render.
    let size = use_state_eq(|| None::<(f64, f64)>);
    {
        let size = size.clone();
        use_effect_with(watch, move |_| {
            let el = node.cast::<web_sys::Element>();
            let callback = Closure::<dyn FnMut(js_sys::Array)>::new(move |entries: js_sys::Array| {
                let Ok(entry) = entries.get(0).dyn_into::<web_sys::ResizeObserverEntry>() else { return };
                // An element taken out of the page is reported as 0 × 0: that is no size to
                // draw at (the view keeps the last one until it is watched again).
                if !entry.target().is_connected() {
                    return;
                }
                let r = entry.content_rect();
                size.set(Some((r.width(), r.height())));
            });
            let observer = web_sys::ResizeObserver::new(callback.as_ref().unchecked_ref()).ok();
            if let (Some(o), Some(el)) = (&observer, &el) {
                o.observe(el);
            }
            move || {
                if let Some(o) = observer {
                    o.disconnect();
                }
                drop(callback);
            }
        });
    }
    *size
}

/// Whether the element behind `node` is out of the window's view (scrolled away, or not laid
/// out), kept current by an `IntersectionObserver` (nothing runs while the page scrolls but
/// the browser's own check). False while there is no element. After every render it checks
/// that it watches the element there now: one replaced (its component drew another) is watched
/// afresh, as a removed one would otherwise count as out of view for ever.
#[hook]
pub fn use_out_of_view(node: NodeRef) -> bool {
    type Watch = (web_sys::Element, web_sys::IntersectionObserver, Closure<dyn FnMut(js_sys::Array)>);
    let out = use_state_eq(|| false);
    let watching = use_mut_ref(|| None::<Watch>);
    {
        let (out, watching) = (out.clone(), watching.clone());
        use_effect(move || {
            let el = node.cast::<web_sys::Element>();
            let same = matches!((&*watching.borrow(), &el), (Some((w, _, _)), Some(e)) if w == e);
            if !same {
                if let Some((_, o, _)) = watching.borrow_mut().take() {
                    o.disconnect();
                }
                match el {
                    Some(el) => {
                        let seen = out.clone();
                        let callback =
                            Closure::<dyn FnMut(js_sys::Array)>::new(move |entries: js_sys::Array| {
                                // The last entry is the element's latest state.
                                let last = entries.length().checked_sub(1).map(|i| entries.get(i));
                                if let Some(Ok(e)) =
                                    last.map(|e| e.dyn_into::<web_sys::IntersectionObserverEntry>())
                                {
                                    seen.set(!e.is_intersecting());
                                }
                            });
                        if let Ok(o) = web_sys::IntersectionObserver::new(callback.as_ref().unchecked_ref()) {
                            o.observe(&el);
                            *watching.borrow_mut() = Some((el, o, callback));
                        }
                    }
                    None => out.set(false),
                }
            }
        });
    }
    use_effect_with((), move |_| {
        move || {
            if let Some((_, o, _)) = watching.borrow_mut().take() {
                o.disconnect();
            }
        }
    });
    *out
}
