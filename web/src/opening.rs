//! How a protocol page opens: a share link's document, else the scenario saved for the page,
//! else the page's opening run. Outside the reducer: it builds the first [`Player`].

use crate::i18n::t;
use crate::tf;
use distlab_core::lab::{Lab, LabConfig};
use distlab_core::scenario::ScenarioDoc;

use crate::state::{open_doc, open_scenario, Player};

/// How a protocol page opens, for the page whose opening run is `fallback`: a share link's
/// document (or why the link could not be read) wins; then the scenario saved for the page.
/// Nothing the user built is lost to a bad link: the page then opens the saved scenario, and
/// if it has none it opens `fallback` without saving it over anything.
pub fn open_page(
    fallback: LabConfig,
    link: Option<Result<ScenarioDoc, String>>,
    saved: Option<String>,
) -> Player {
    let page = fallback.protocol();
    let for_page = |(cfg, l): (LabConfig, Box<dyn Lab>)| {
        if cfg.protocol() == page {
            Ok((cfg, l))
        } else {
            Err(tf!("it is for the {} page", t(cfg.setup.title())))
        }
    };
    let opened = |run: (LabConfig, Box<dyn Lab>)| {
        let mut p = Player::new(fallback.clone());
        p.install(run.0, run.1);
        p
    };
    let link_error = match link {
        None => None,
        Some(doc) => match doc.and_then(|d| open_doc(&d)).and_then(for_page) {
            Ok(run) => return opened(run),
            Err(e) => Some(t(&e)),
        },
    };
    let saved = saved.map(|text| open_scenario(&text).map_err(|e| t(&e)).and_then(for_page));
    let opening = |error: String| {
        // The opening run stands in for what could not be opened: it is saved only once the
        // user changes it, so it never replaces a saved scenario.
        let mut p = Player::new(fallback.clone());
        p.save = false;
        (p, error)
    };
    let (mut p, error) = match (link_error, saved) {
        (None, None) => return Player::new(fallback),
        (None, Some(Ok(run))) => return opened(run),
        (Some(e), Some(Ok(run))) => {
            (opened(run), tf!("The link could not be opened: {}. This is your saved run, as you left it.", e))
        }
        (Some(e), None) => opening(tf!("The link could not be opened: {}. This is the page's opening run.", e)),
        (Some(e), Some(Err(s))) => opening(tf!(
            "The link could not be opened: {}. The saved scenario could not be restored either ({}); this is the page's opening run.",
            e,
            s
        )),
        (None, Some(Err(s))) => {
            opening(tf!("The saved scenario could not be restored: {}. This is the page's opening run.", s))
        }
    };
    p.error = Some(error);
    p
}
