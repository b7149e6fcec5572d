//! distlab-web: the page. It renders what `distlab-core` produces and sends it the user's
//! inputs; it computes no protocol logic of its own.
//!
//! Architecture invariant: the only state is the [`state::Player`] reducer; components get
//! props and emit messages; timers and listeners live in [`hooks`] and stop when dropped.

pub mod app;
#[cfg(feature = "lab")]
pub mod arrowpaint;
#[cfg(feature = "lab")]
pub mod boards;
#[cfg(feature = "lab")]
pub mod canvas;
#[cfg(feature = "compare")]
pub mod compare;
#[cfg(feature = "lab")]
pub mod diagram;
pub mod dom;
#[cfg(feature = "lab")]
pub mod drive;
pub mod embed;
#[cfg(feature = "lab")]
pub mod explorepanel;
#[cfg(feature = "lab")]
pub mod exploring;
#[cfg(feature = "lab")]
pub mod faults;
#[cfg(feature = "lab")]
pub mod gallery;
#[cfg(feature = "lab")]
pub mod glossary;
#[cfg(feature = "lab")]
pub mod guide;
#[cfg(feature = "hashing")]
pub mod hashing;
pub mod header;
#[cfg(feature = "lab")]
pub mod historylane;
pub mod hooks;
pub mod i18n;
#[cfg(feature = "lab")]
pub mod judging;
#[cfg(feature = "lab")]
pub mod labpage;
pub mod lang;
#[cfg(any(feature = "lab", feature = "hashing"))]
pub mod lesson;
#[cfg(feature = "lab")]
pub mod logview;
#[cfg(feature = "lab")]
pub mod metrics;
#[cfg(feature = "lab")]
pub mod msg;
#[cfg(feature = "lab")]
pub mod nodelist;
pub mod num;
#[cfg(feature = "lab")]
pub mod opening;
pub mod pages;
pub mod palette;
#[cfg(feature = "lab")]
pub mod panels;
#[cfg(feature = "lab")]
pub mod settings;
#[cfg(feature = "lab")]
pub mod share;
#[cfg(feature = "lab")]
pub mod state;
#[cfg(feature = "swim")]
pub mod swimplot;
#[cfg(feature = "lab")]
pub mod topology;
pub mod trig;

pub use app::App;

/// Show a panic on the page instead of leaving it blank. The module is dead after a panic, so
/// this writes to the DOM directly.
pub fn install_panic_banner() {
    std::panic::set_hook(Box::new(|info| {
        let text =
            format!("distlab stopped because of an internal error: {info}. Reload the page to start again.");
        web_sys::console::error_1(&text.clone().into());
        if let Some(el) =
            web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id("fatal"))
        {
            el.set_text_content(Some(&text));
            let _ = el.remove_attribute("hidden");
        }
    }));
}
