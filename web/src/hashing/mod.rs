//! The consistent-hashing lab: the ring, the algorithms compared on the same keys and churn, a
//! distributed cache, and load balancing. One reducer owns the page's state; the simulations
//! and all measurements (except wall-clock lookup timing) come from `distlab_core::hashing`.
//!
//! [`model`] holds the state and its pure reducer; each view has its own file ([`ring`],
//! [`compare`], [`cache`], [`balance`]) and [`form`] the fields they share. This file is the
//! page: the tabs, the error banner and the ticker that drives the running simulations.

mod balance;
mod cache;
mod compare;
mod form;
pub mod lesson;
mod link;
mod model;
mod ring;

use std::rc::Rc;

use wasm_bindgen::JsCast;
use yew::prelude::*;

pub use form::parse_decimal;
pub use model::{
    on_circle, HMsg, HashState, RingModel, View, BALANCE_WARM_STEPS, CACHE_WARM_TICKS, MAX_REPLICAS,
    MAX_RING_KEYS, MAX_RING_NODES, MAX_RING_VNODES,
};

use crate::dom::on;
use crate::i18n::t;

/// Drive the running simulation about 20 times a second.
#[hook]
fn use_ticker(running: bool, d: UseReducerDispatcher<HashState>) {
    use_effect_with(running, move |running| {
        let handle = running.then(|| {
            let cb = wasm_bindgen::closure::Closure::<dyn FnMut()>::new(move || d.dispatch(HMsg::Tick));
            let id = web_sys::window().and_then(|w| {
                w.set_interval_with_callback_and_timeout_and_arguments_0(cb.as_ref().unchecked_ref(), 50).ok()
            });
            (cb, id)
        });
        move || {
            if let Some((_cb, Some(id))) = handle {
                if let Some(w) = web_sys::window() {
                    w.clear_interval_with_handle(id);
                }
            }
        }
    });
}

#[derive(Properties, PartialEq)]
pub struct HashingProps {
    /// Shown in another site's frame: the view alone, no tabs, and a link to the whole lab.
    pub embedded: bool,
}

/// The comparison, as the ring's lesson offers it at its end: its name, then its gist.
const COMPARE_TITLE: &str =
    "Compare algorithms: the ring, jump hash, rendezvous, Maglev and bounded loads, on the same keys and the same churn";

/// Open view `v`. The comparison, opened for the first time, runs with the form's defaults
/// first (about a fifth of a second), so a visitor sees the table rather than an empty panel;
/// it times lookups with the browser's clock, so it runs here, in the click, and the reducer
/// only receives it.
fn to_view(send: &Callback<HMsg>, v: View, first_compare: bool) -> Callback<()> {
    let send = send.clone();
    Callback::from(move |()| {
        if v == View::Compare && first_compare {
            if let Ok(rows) = compare::run_defaults() {
                send.emit(HMsg::Compare(Rc::new(rows)));
            }
        }
        send.emit(HMsg::View(v));
    })
}

#[function_component(HashingPage)]
pub fn hashing_page(p: &HashingProps) -> Html {
    crate::lang::use_lang();
    // The lab opens on what its link says (`#hashing/ring/…`, as the embed code writes it).
    let st = use_reducer(|| {
        link::open(&crate::header::location_hash()).unwrap_or_else(|e| HashState {
            error: Some(crate::tf!(
                "The link could not be opened: {}. This is the lab as it always opens.",
                e
            )),
            ..HashState::default()
        })
    });
    use_ticker(st.running, st.dispatcher());
    // The views are functions, not components: this callback reaches only elements' listeners,
    // which need no stable identity (and a memoized one costs the page bytes for nothing).
    let send = {
        let d = st.dispatcher();
        Callback::from(move |m: HMsg| d.dispatch(m))
    };
    // Opened for the first time, the comparison runs first (`to_view`).
    let first_compare = st.compare.is_none();
    // Opened on the comparison (by a link), it runs as the first click on its tab would.
    {
        let (send, opened_there) = (send.clone(), st.view == View::Compare && first_compare);
        use_effect_with((), move |_| {
            if opened_there {
                if let Ok(rows) = compare::run_defaults() {
                    send.emit(HMsg::Compare(Rc::new(rows)));
                }
            }
        });
    }
    let tabs = [(View::Ring, "Ring"), (View::Compare, "Compare algorithms"), (View::Cache, "Distributed cache"), (View::Balance, "Load balancing")]
        .map(|(v, label)| {
            let active = st.view == v;
            let onclick = to_view(&send, v, first_compare).reform(|_: MouseEvent| ());
            html! { <button role="tab" aria-selected={active.to_string()} class={classes!("subtab", active.then_some("active"))}
                id={format!("view-{label}").replace(' ', "-").to_lowercase()}
                {onclick}>{t(label)}</button> }
        });
    let body = match st.view {
        View::Ring => {
            // The ring's lesson ends on the next view: the same keys under every algorithm.
            let next = (AttrValue::from(t(COMPARE_TITLE)), to_view(&send, View::Compare, first_compare));
            ring::ring_view(&st, &send, (!p.embedded).then_some(next))
        }
        View::Compare => compare::compare_view(&st, &send),
        View::Cache => cache::cache_view(&st, &send),
        View::Balance => balance::balance_view(&st, &send),
    };
    let error = st.error.as_ref().map(|e| {
        html! {
            <div id="error" class="banner error" role="alert"><span>{t(e)}</span>
                <button aria-label={t("Dismiss")} onclick={on(&send, HMsg::Dismiss)}>{"×"}</button></div>
        }
    });
    let fragment = link::fragment(&st);
    if p.embedded {
        let full = crate::pages::address(crate::pages::HASHING, &fragment);
        return html! {
            <div class="app embed">
                <main class="hashing-page">{ for error }{ body }</main>
                { crate::embed::credit(full, "consistent hashing") }
            </div>
        };
    }
    html! {
        <main class="hashing-page">
            <nav class="subtabs" role="tablist" aria-label={t("Hashing views")}>{ for tabs }</nav>
            { for error }
            { body }
            <crate::embed::EmbedButton page={crate::pages::HASHING} {fragment}
                hint={t("Paste this into your page's HTML: it shows this view with these settings. (Copied, if the browser allowed it.)")} />
        </main>
    }
}
