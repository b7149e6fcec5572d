//! distlab-web: the page. It renders what `distlab-core` produces and sends it the user's
//! inputs; it computes no protocol logic of its own.
//!
//! Architecture invariant: the only state is the [`state::Player`] reducer; components get
//! props and emit messages; timers and listeners live in [`hooks`] and stop when dropped.

pub mod app;
pub mod boards;
pub mod compare;
pub mod diagram;
pub mod dom;
pub mod faults;
pub mod gallery;
pub mod glossary;
pub mod guide;
pub mod hashing;
pub mod historylane;
pub mod hooks;
pub mod lesson;
pub mod logview;
pub mod metrics;
pub mod msg;
pub mod num;
pub mod palette;
pub mod panels;
pub mod settings;
pub mod share;
pub mod state;
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
