//! The page's header: the title, the tabs of every page, the theme and the shortcut sheet's
//! button; and the URL's fragment, which every page reads.

use yew::prelude::*;

use crate::dom::on;
use crate::i18n::t;
use crate::pages::{group_of, PAGES};
use crate::tf;

/// The URL's fragment.
pub fn location_hash() -> String {
    web_sys::window().and_then(|w| w.location().hash().ok()).unwrap_or_default()
}

#[derive(Properties, PartialEq)]
pub struct HeaderProps {
    pub active: String,
    pub title: AttrValue,
    pub tagline: AttrValue,
    pub on_tab: Callback<String>,
    /// The shortcut sheet, on pages that have shortcuts.
    pub on_help: Option<Callback<()>>,
}

#[function_component(Header)]
pub fn header(p: &HeaderProps) -> Html {
    crate::lang::use_lang();
    let tab = |id: &'static str, tab_id: &str, label: &str, active: bool| {
        let go = p.on_tab.reform(move |_: MouseEvent| id.to_string());
        html! {
            <button role="tab" aria-selected={active.to_string()} class={classes!("tab", active.then_some("active"))}
                id={format!("tab-{tab_id}")} onclick={go}>{t(label)}</button>
        }
    };
    // A group's tab stands where its first page would and opens that page, or stays on the
    // view it is on.
    let tabs = PAGES.iter().filter_map(|&(id, label)| match group_of(id) {
        None => Some(tab(id, id, label, id == p.active)),
        Some((group, title, pages)) if pages.first() == Some(&id) => {
            let here = pages.iter().copied().find(|v| *v == p.active);
            Some(tab(here.unwrap_or(id), group, title, here.is_some()))
        }
        Some(_) => None,
    });
    // On a page of a group: its views, as a second row of tabs.
    let views = group_of(&p.active).map(|(_, title, pages)| {
        let views = pages.iter().filter_map(|&id| {
            let label = PAGES.iter().find(|(p, _)| *p == id)?.1;
            Some(tab(id, id, label, id == p.active))
        });
        html! {
            <nav class="tabs views" role="tablist" aria-label={tf!("{} views", t(title))}>{ for views }</nav>
        }
    });
    html! {
        <header>
            <h1><span translate="no">{"distlab"}</span><span class="sub">{format!(" · {}", t(&p.title))}</span></h1>
            <nav class="tabs" role="tablist" aria-label={t("Pages")}>{ for tabs }</nav>
            { for views }
            <p class="tagline">{t(&p.tagline)}</p>
            <crate::lang::LangSwitch />
            <ThemeButton />
            { for p.on_help.as_ref().map(|h| html! {
                <button class="help-btn" aria-label={t("Keyboard shortcuts")} title={t("Keyboard shortcuts (?)")} onclick={on(h, ())}>{"?"}</button>
            }) }
        </header>
    }
}

/// The colour theme: the system's, dark or light; remembered in local storage.
#[function_component(ThemeButton)]
fn theme_button() -> Html {
    crate::lang::use_lang();
    const KEY: &str = "distlab.theme";
    let storage = || web_sys::window().and_then(|w| w.local_storage().ok().flatten());
    let theme =
        use_state(|| storage().and_then(|s| s.get_item(KEY).ok().flatten()).unwrap_or_else(|| "auto".into()));
    {
        let theme = (*theme).clone();
        use_effect_with(theme, move |t| {
            if let Some(root) =
                web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element())
            {
                let _ = match t.as_str() {
                    "dark" | "light" => root.set_attribute("data-theme", t),
                    _ => root.remove_attribute("data-theme"),
                };
            }
            if let Some(s) = storage() {
                let _ = s.set_item(KEY, t);
            }
        });
    }
    let next = match theme.as_str() {
        "auto" => "dark",
        "dark" => "light",
        _ => "auto",
    };
    let label = match theme.as_str() {
        "dark" => "Theme: dark",
        "light" => "Theme: light",
        _ => "Theme: system",
    };
    let onclick = {
        let theme = theme.clone();
        Callback::from(move |_: MouseEvent| theme.set(next.to_string()))
    };
    html! { <button class="theme-btn" id="btn-theme" title={t("Switch between the system's theme, dark and light")} onclick={onclick}>{t(label)}</button> }
}
