//! The hooks that drive a protocol page's player: the animation-frame loop and the keyboard
//! shortcuts. Each stops when dropped.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::state::{Msg, Player};

/// The animation-frame callback, shared with itself so it can request the next frame.
type FrameSlot = Rc<RefCell<Option<Closure<dyn FnMut(f64)>>>>;

/// While `playing`, dispatch a `Frame` with the wall milliseconds since the last frame, once
/// per `requestAnimationFrame`.
#[hook]
pub fn use_animation_frames(playing: bool, dispatcher: UseReducerDispatcher<Player>) {
    use_effect_with(playing, move |playing| {
        let alive = Rc::new(Cell::new(*playing));
        if *playing {
            let alive2 = alive.clone();
            let last: Rc<Cell<Option<f64>>> = Rc::new(Cell::new(None));
            let slot: FrameSlot = Rc::new(RefCell::new(None));
            let slot2 = slot.clone();
            *slot.borrow_mut() = Some(Closure::new(move |ts: f64| {
                if !alive2.get() {
                    slot2.borrow_mut().take();
                    return;
                }
                let dt = last.get().map(|l| ts - l).unwrap_or(0.0);
                last.set(Some(ts));
                dispatcher.dispatch(Msg::Frame(dt, on_screen(&["spacetime", "history"])));
                if let Some(cb) = slot2.borrow().as_ref() {
                    request_frame(cb);
                }
            }));
            if let Some(cb) = slot.borrow().as_ref() {
                request_frame(cb);
            };
        }
        move || alive.set(false)
    });
}

/// Whether any of the elements with these ids is at least partly in the window. Read at the
/// start of a frame, before the page changes, so the layout it asks for is already there.
fn on_screen(ids: &[&str]) -> bool {
    let Some(w) = web_sys::window() else { return true };
    let height = w.inner_height().ok().and_then(|h| h.as_f64()).unwrap_or(f64::MAX);
    let Some(doc) = w.document() else { return true };
    ids.iter().filter_map(|id| doc.get_element_by_id(id)).any(|e| {
        let r = e.get_bounding_client_rect();
        r.bottom() > 0.0 && r.top() < height
    })
}

fn request_frame(cb: &Closure<dyn FnMut(f64)>) {
    if let Some(w) = web_sys::window() {
        let _ = w.request_animation_frame(cb.as_ref().unchecked_ref());
    }
}

/// Space plays or pauses, → steps, ← steps back, ? shows the shortcuts, Esc closes panels.
/// Keys typed into a form field are left alone.
#[hook]
pub fn use_shortcuts(dispatcher: UseReducerDispatcher<Player>) {
    use_effect_with((), move |_| {
        let handler = Closure::<dyn FnMut(web_sys::KeyboardEvent)>::new(move |e: web_sys::KeyboardEvent| {
            // A control that handled the key itself (a fault marker's arrows) has the last word.
            if e.ctrl_key() || e.meta_key() || e.alt_key() || e.default_prevented() {
                return;
            }
            let in_field = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .map(|el| matches!(el.tag_name().as_str(), "INPUT" | "SELECT" | "TEXTAREA"))
                .unwrap_or(false);
            if in_field {
                return;
            }
            let msg = match e.key().as_str() {
                " " => Some(Msg::TogglePlay),
                "ArrowRight" => Some(Msg::Step),
                "ArrowLeft" => Some(Msg::Back),
                "?" => Some(Msg::ToggleHelp),
                "Escape" => Some(Msg::CloseHelp),
                _ => None,
            };
            if let Some(m) = msg {
                e.prevent_default();
                dispatcher.dispatch(m);
            }
        });
        let doc = web_sys::window().and_then(|w| w.document());
        if let Some(d) = &doc {
            let _ = d.add_event_listener_with_callback("keydown", handler.as_ref().unchecked_ref());
        }
        move || {
            if let Some(d) = doc {
                let _ = d.remove_event_listener_with_callback("keydown", handler.as_ref().unchecked_ref());
            }
            drop(handler);
        }
    });
}
