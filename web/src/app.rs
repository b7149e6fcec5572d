//! The page: the tabs, the place in the URL, and whichever page this bundle holds (see
//! [`crate::pages`]).

use std::rc::Rc;

#[cfg(feature = "lab")]
use distlab_core::lab::LabConfig;
use yew::prelude::*;

use crate::header::location_hash;
use crate::hooks::{use_document_title, use_hash_change, use_location_hash};
use crate::pages;

#[derive(Properties, PartialEq, Default, Clone)]
pub struct AppProps {
    /// The run to open with (tests pass their own; otherwise the URL's #page decides).
    #[cfg(feature = "lab")]
    #[prop_or_default]
    pub config: Option<LabConfig>,
    /// A page to open that is not a protocol's run ("hashing"), when no config is given.
    #[prop_or_default]
    pub page: Option<AttrValue>,
}

/// Where the app is: the page, and how many links were opened while it was open (each one
/// re-creates the protocol page, even on the same tab).
#[derive(Clone, Debug, PartialEq)]
struct Place {
    page: String,
    visit: u32,
    /// Whether a share link brought the app here: the fragment is then replaced by the page's
    /// own (`#raft`) without a history entry, so Back does not open the link again.
    via_link: bool,
}

/// A change of place: a tab clicked, or the URL fragment changed (Back, Forward, a link pasted).
enum Go {
    Tab(String),
    Fragment(String),
}

impl Reducible for Place {
    type Action = Go;
    fn reduce(self: Rc<Self>, go: Go) -> Rc<Self> {
        match go {
            Go::Tab(page) if page != self.page => Rc::new(Place { page, visit: self.visit, via_link: false }),
            Go::Tab(_) => self,
            Go::Fragment(hash) => match fragment_page(&hash, &self.page) {
                Some((page, true)) => Rc::new(Place { page, visit: self.visit + 1, via_link: true }),
                Some((page, false)) if page != self.page => {
                    Rc::new(Place { page, visit: self.visit, via_link: false })
                }
                _ => self,
            },
        }
    }
}

/// The page a URL fragment names, and whether it carries a share link: a link opens the page of
/// its scenario's protocol (a Paxos link under `#raft/s=…` opens the Paxos page); one that
/// cannot be read opens the page the fragment names, or else `current`, which shows why. None
/// for a fragment that names no page. The page may be another bundle's.
fn fragment_page(hash: &str, current: &str) -> Option<(String, bool)> {
    let page = |name: &str| pages::known(name).map(String::from);
    let named = page(hash.trim_start_matches('#').split('/').next().unwrap_or_default());
    match crate::pages::link_payload(hash) {
        Some(payload) => {
            // Only a bundle with a protocol page reads links (the others carry no scenario
            // reader): one without sends a link to the page it names, which reads it.
            #[cfg(feature = "lab")]
            let of_doc = distlab_core::scenario::from_link(payload).ok().and_then(|d| page(&d.protocol));
            #[cfg(not(feature = "lab"))]
            let of_doc: Option<String> = {
                let _ = payload;
                None
            };
            Some((of_doc.or(named).unwrap_or_else(|| current.to_string()), true))
        }
        None => named.map(|p| (p, false)),
    }
}

/// The app: tabs choose a page; a protocol page is re-created (by its key) when the tab changes
/// or a link is opened. The URL fragment follows the page, and the page follows the fragment.
/// A page another bundle holds is opened there, with the fragment (a share link travels along).
#[function_component(App)]
pub fn app(props: &AppProps) -> Html {
    let (choice, failed) = crate::lang::use_language();
    let Some(choice) = choice else {
        return html! { <div class="app"><p class="opening" lang="zh-CN">{"正在载入中文……"}</p></div> };
    };
    let failed = failed.map(|e| {
        html! {
            <div class="banner" role="alert">
                {format!("中文文本无法载入，页面以英文显示。The Chinese text could not be loaded ({e}); the page is in English.")}
            </div>
        }
    });
    html! {
        <ContextProvider<crate::lang::LangChoice> context={choice}>
            { for failed }
            <Site ..props.clone() />
        </ContextProvider<crate::lang::LangChoice>>
    }
}

/// The site in the reader's language (see [`App`]).
#[function_component(Site)]
fn site(props: &AppProps) -> Html {
    crate::lang::use_lang();
    #[cfg(feature = "lab")]
    let given = props.config.as_ref().map(|c| c.protocol().to_string());
    #[cfg(not(feature = "lab"))]
    let given: Option<String> = None;
    let fixed = given.is_some() || props.page.is_some();
    let place = use_reducer(|| {
        let page = match (&given, &props.page) {
            (Some(c), _) => c.clone(),
            (None, Some(p)) => p.to_string(),
            (None, None) => {
                let home = pages::home();
                let (page, via_link) =
                    fragment_page(&location_hash(), home).unwrap_or_else(|| (home.to_string(), false));
                return Place { page, visit: 0, via_link };
            }
        };
        Place { page, visit: 0, via_link: false }
    });
    let page = place.page.clone();
    let away = !pages::built_in(&page);
    // Before the fragment is rewritten to the page's own: a link goes along to the other bundle.
    use_effect_with((page.clone(), place.visit, away), |(page, _, away)| {
        if *away {
            let hash = location_hash();
            let fragment = if hash.len() > 1 { hash } else { format!("#{page}") };
            pages::go(page, &fragment, true);
        }
    });
    use_location_hash((!away).then(|| page.clone()), place.visit, place.via_link);
    // Back, Forward and a pasted link move the app; pages given by the embedder (tests) stay.
    let on_fragment = {
        let d = place.dispatcher();
        use_callback((), move |hash: String, _| d.dispatch(Go::Fragment(hash)))
    };
    use_hash_change(on_fragment, !fixed);
    let title = pages::title(&page).unwrap_or("distlab");
    use_document_title(crate::i18n::t(title));
    // Stable for the app's lifetime: the dispatcher works from any render. A tab of another
    // bundle's page goes there (Back returns here).
    let on_tab = {
        let d = place.dispatcher();
        use_callback((), move |p: String, _| {
            if pages::built_in(&p) {
                d.dispatch(Go::Tab(p))
            } else {
                pages::go(&p, &format!("#{p}"), false)
            }
        })
    };
    if away {
        return html! {
            <div class="app">
                <p class="opening"><a href={pages::address(&page, &format!("#{page}"))}>{crate::tf!("Opening the {} page…", crate::i18n::t(title))}</a></p>
            </div>
        };
    }
    if page == pages::HASHING {
        return hashing_page(page, on_tab);
    }
    if page == pages::COMPARE {
        return compare_page(page, on_tab);
    }
    protocol_page(&page, place.visit, props, on_tab)
}

#[cfg(feature = "hashing")]
fn hashing_page(page: String, on_tab: Callback<String>) -> Html {
    if crate::dom::embedded() {
        return html! { <crate::hashing::HashingPage embedded=true /> };
    }
    html! {
        <div class="app">
            <crate::header::Header active={page} title={crate::i18n::t("consistent hashing")}
                tagline={crate::i18n::t("Which node owns a key, and how many keys move when nodes come and go: the ring, jump, rendezvous, Maglev and bounded loads on the same keys, a cache, and load balancing.")}
                on_tab={on_tab} on_help={None::<Callback<()>>} />
            <crate::hashing::HashingPage embedded=false />
        </div>
    }
}

#[cfg(not(feature = "hashing"))]
fn hashing_page(_: String, _: Callback<String>) -> Html {
    Html::default()
}

/// Raft and Multi-Paxos compared, on the run the fragment names (`#compare/seed=7&seconds=20`).
#[cfg(feature = "compare")]
fn compare_page(page: String, on_tab: Callback<String>) -> Html {
    if crate::dom::embedded() {
        return html! {
            <div class="app embed"><main class="boards"><crate::compare::ComparePage embedded=true /></main></div>
        };
    }
    html! {
        <div class="app">
            <crate::header::Header active={page} title={crate::i18n::t("Raft and Multi-Paxos")}
                tagline={crate::i18n::t("The same clients, the same seed and the same crashes and partitions: what each protocol pays in messages, latency and time without a leader.")}
                on_tab={on_tab} on_help={None::<Callback<()>>} />
            <main class="boards"><crate::compare::ComparePage embedded=false /></main>
        </div>
    }
}

#[cfg(not(feature = "compare"))]
fn compare_page(_: String, _: Callback<String>) -> Html {
    Html::default()
}

/// A protocol's page: each protocol opens on its registered opening (Kafka's "hello", for one);
/// a share link in the fragment wins, else the scenario this page had before a reload.
#[cfg(feature = "lab")]
fn protocol_page(page: &str, visit: u32, props: &AppProps, on_tab: Callback<String>) -> Html {
    use crate::labpage::{ProtocolApp, Start};
    let fallback = LabConfig::opening(page).unwrap_or_default();
    let config = match &props.config {
        Some(c) if c.protocol() == page => c.clone(),
        _ => fallback.clone(),
    };
    let start = if props.config.is_some() { Start::Config } else { Start::from_location(page) };
    let key = format!("{page}/{visit}");
    html! { <ProtocolApp key={key} config={config} fallback={fallback} start={start} on_tab={on_tab} /> }
}

#[cfg(not(feature = "lab"))]
fn protocol_page(_: &str, _: u32, _: &AppProps, _: Callback<String>) -> Html {
    Html::default()
}
