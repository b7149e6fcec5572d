//! The guided lesson beside the drawing: the preset's steps as buttons, the current one in
//! full, "Next ▸" to play on to the next step's event and pause there, and, where a step
//! explains what a broken rule would do, a button that switches that mutant on.

use distlab_core::lesson::{Step, Stop};
use yew::prelude::*;

use crate::dom::on;
use crate::i18n::t;
use crate::panels::ms;
use crate::state::Msg;
use crate::tf;

#[derive(Properties, PartialEq)]
pub struct LessonProps {
    pub steps: std::rc::Rc<Vec<Step>>,
    pub stops: std::rc::Rc<Vec<Option<Stop>>>,
    /// The step the run has reached.
    pub current: Option<usize>,
    /// The step the run is playing towards, if any.
    pub heading_to: Option<usize>,
    /// The mutant switched on, if any.
    pub mutant: Option<String>,
    /// The verdict the safety badge shows: the property broken and its event, or `None` while
    /// safety holds. A narrow screen repeats it in the card, where the badge is scrolled away.
    #[prop_or_default]
    pub verdict: Option<(String, u64)>,
    pub send: Callback<Msg>,
}

/// Where a step's moment is, in words: the event it explains, or why it has none.
fn moment(stop: Option<Stop>) -> String {
    match stop {
        Some(s) if s.position == 0 => t("start"),
        Some(s) => tf!("event #{} · {}", s.position, ms(s.time_us)),
        None => t("not in this run"),
    }
}

/// The badge's verdict in one line, for the card (shown on narrow screens only, by the style).
fn verdict(v: Option<&(String, u64)>) -> Html {
    match v {
        None => html! { <p class="verdict ok" id="lesson-verdict">{t("✔ Safety holds")}</p> },
        Some((property, event)) => html! {
            <p class="verdict bad" id="lesson-verdict">{tf!("✘ {} violated at event {}", t(property), event)}</p>
        },
    }
}

#[function_component(Lesson)]
pub fn lesson(p: &LessonProps) -> Html {
    crate::lang::use_lang();
    if p.steps.is_empty() {
        return html! {};
    }
    let n = p.steps.len();
    let current = p.current.unwrap_or(0);
    let next = (current + 1 < n).then_some(current + 1);
    let next_button = match (p.heading_to, next) {
        (Some(_), _) => {
            html! { <button id="btn-next" class="primary" disabled=true>{t("Playing…")}</button> }
        }
        (None, Some(i)) => html! {
            <button id="btn-next" class="primary" title={t("Play to the next step's event and pause there (n)")}
                onclick={on(&p.send, Msg::Guide(i))}>{t("Next ▸")}</button>
        },
        (None, None) => html! { <button id="btn-next" disabled=true>{t("End of lesson")}</button> },
    };
    let back = current.checked_sub(1).map(|i| {
        html! { <button id="btn-prev" title={t("Back to the previous step")} onclick={on(&p.send, Msg::Guide(i))}>{"◂"}</button> }
    });
    // Every step is a numbered button (its text in the tooltip and for screen readers); the
    // current one is told in full below, with its event and, where it has one, "Break it".
    let dots = p.steps.iter().enumerate().map(|(i, step)| {
        let state = match i.cmp(&current) {
            std::cmp::Ordering::Equal => "current",
            std::cmp::Ordering::Less => "done",
            std::cmp::Ordering::Greater => "future",
        };
        let stop = p.stops.get(i).copied().flatten();
        let label = tf!("Step {}: {} ({})", i + 1, t(&step.text), moment(stop));
        html! {
            <li class={state}>
                <button class="step" id={format!("step-{}", i + 1)} aria-current={(i == current).then_some("step")}
                    aria-label={label.clone()} title={label} onclick={on(&p.send, Msg::Guide(i))}>{i + 1}</button>
            </li>
        }
    });
    let step = &p.steps[current];
    // "Break it" on the step that offers it; once the mutant is on, "Repair" on every step.
    let active = p.mutant.as_deref().and_then(|m| p.steps.iter().position(|s| s.break_it == Some(m)));
    let offer = step
        .break_it
        .map(|m| (m, current))
        .or_else(|| active.and_then(|j| p.steps[j].break_it.map(|m| (m, j))));
    let break_it = offer.map(|(m, at)| {
        let on_now = p.mutant.as_deref() == Some(m);
        let (label, title) = if on_now {
            (t("Repair: switch off the bug"), t("Replay with the correct rule"))
        } else {
            (t("Break it: switch on the bug"), t("Replay with this broken rule and play to what it breaks"))
        };
        html! {
            <button id="btn-break-it" class={classes!("break-it", (!on_now).then_some("danger"))} title={title}
                onclick={on(&p.send, Msg::BreakIt(at))}>{label}{" "}<code translate="no">{m}</code></button>
        }
    });
    let upcoming = next.and_then(|i| p.steps.get(i)).map(|s| {
        html! {
            <p class="upcoming"><span>{t("Next:")}{" "}</span>{t(&s.text)}</p>
        }
    });
    html! {
        <section class="narration lesson" aria-label={t("Lesson")}>
            <div class="lesson-head">
                <h2>{t("Lesson")}{" "}<small id="lesson-progress">{tf!("step {} of {}", current + 1, n)}</small></h2>
                { for back }
                {next_button}
            </div>
            <ol class="steps" id="narration" aria-label={t("Steps")}>{ for dots }</ol>
            <div class="now" id="lesson-now" aria-live="polite">
                <p class="text"><span class="num">{current + 1}</span>{t(&step.text)}</p>
                <p class="t" id="lesson-event">{moment(p.stops.get(current).copied().flatten())}</p>
                { for break_it }
                { verdict(p.verdict.as_ref()) }
            </div>
            { for upcoming }
        </section>
    }
}
