//! Embedding a page in another site: the "Copy embed code" button every page shows, the
//! `<iframe>` it gives, and the credit link an embedded page ends with. (`?embed` on a page's
//! address asks for the embedded layout: [`crate::dom::embedded`].)

use yew::prelude::*;

use crate::i18n::t;

/// The `<iframe>` that embeds this page in another site: the page's own address with `?embed`,
/// the reader's language and `fragment` (what to show: `#raft/s=…`, `#hashing/ring/…`).
pub fn code(page: &str, fragment: &str) -> String {
    let src = format!("{}?embed&lang={}{fragment}", crate::dom::page_address(), crate::i18n::lang().tag());
    format!(
        "<iframe src=\"{src}\" title=\"distlab: {page}\" width=\"760\" height=\"600\" style=\"border:0;max-width:100%\" loading=\"lazy\"></iframe>"
    )
}

#[derive(Properties, PartialEq)]
pub struct EmbedProps {
    pub page: String,
    /// What the embedded page shows, as it stands now.
    pub fragment: String,
    /// Called by the click, before the code is made (a run pauses, so its position holds).
    #[prop_or_default]
    pub on_ask: Option<Callback<()>>,
    /// What the code shows, said to the reader beside it.
    pub hint: AttrValue,
}

/// "Copy embed code": the click copies the code of the page as it then stands and shows it. A
/// later change (a step, new settings) updates the code shown, never the reader's clipboard.
#[function_component(EmbedButton)]
pub fn embed_button(p: &EmbedProps) -> Html {
    crate::lang::use_lang();
    let asked = use_state(|| false);
    // Set by the click, cleared once copied.
    let to_copy = use_state(|| false);
    let code = code(&p.page, &p.fragment);
    {
        let to_copy = to_copy.clone();
        use_effect_with((*to_copy, code.clone()), move |(pending, code)| {
            if *pending {
                crate::dom::copy_to_clipboard(code);
                to_copy.set(false);
            }
        });
    }
    let onclick = {
        let (on_ask, asked, to_copy) = (p.on_ask.clone(), asked.clone(), to_copy.clone());
        Callback::from(move |_: MouseEvent| {
            if let Some(ask) = &on_ask {
                ask.emit(());
            }
            asked.set(true);
            to_copy.set(true);
        })
    };
    html! {
        <div class="embed-box">
            <button id="btn-embed" {onclick}>{t("Copy embed code")}</button>
            { if *asked { html! {
                <label class="embed-code">{p.hint.to_string()}
                    <textarea id="embed-code" readonly=true rows="3" value={code} />
                </label>
            } } else { html! {} } }
        </div>
    }
}

/// The line an embedded page ends with: the same page, whole, in a new tab (`href`).
pub fn credit(href: String, title: &str) -> Html {
    html! {
        <p class="embed-credit">
            <a id="embed-open" href={href} target="_blank" rel="noopener">{crate::tf!("{} in distlab, with every view ↗", t(title))}</a>
        </p>
    }
}
