//! The guided lesson beside the drawing: the steps as buttons, the current one in full,
//! "Next ▸" to go on to the next step (on a protocol's page, to play to its event and pause
//! there), and, where a step explains what a broken rule would do, a button that switches that
//! mutant on. The hashing lab's lesson, whose steps are settings rather than events, is drawn
//! by the same card.

use std::rc::Rc;

use distlab_core::lesson::{Step, Stop};
use yew::prelude::*;

use crate::i18n::t;
use crate::num::ms;
use crate::tf;

/// A step as the card tells it: its words (English; the card translates them) and the mutant
/// it offers to switch on.
#[derive(Clone, Debug, PartialEq)]
pub struct Card {
    pub text: String,
    pub break_it: Option<&'static str>,
}

/// A protocol lesson's steps as cards.
pub fn cards(steps: &[Step]) -> Rc<Vec<Card>> {
    Rc::new(steps.iter().map(|s| Card { text: s.text.clone(), break_it: s.break_it }).collect())
}

#[derive(Properties, PartialEq)]
pub struct LessonProps {
    pub steps: Rc<Vec<Card>>,
    /// Each step's event in the run; empty where steps are not events (the hashing lab: each
    /// step is a change to the ring, made as the step is chosen).
    #[prop_or_default]
    pub stops: Rc<Vec<Option<Stop>>>,
    /// The step the run has reached.
    #[prop_or_default]
    pub current: Option<usize>,
    /// The step the run is playing towards, if any.
    #[prop_or_default]
    pub heading_to: Option<usize>,
    /// The mutant switched on, if any.
    #[prop_or_default]
    pub mutant: Option<String>,
    /// The verdict the safety badge shows: the property broken, its event, and whether the
    /// protocol promises it (`Protocol::not_promised`), or `None` while safety holds. A narrow screen repeats it in the card, where the badge is scrolled away.
    #[prop_or_default]
    pub verdict: Option<(String, u64, bool)>,
    /// Go to step i.
    pub go: Callback<usize>,
    /// Switch on (or off) the mutant step i offers.
    #[prop_or_default]
    pub break_it: Callback<usize>,
    /// At the last step, the gallery's next lesson: its title, and what opens it.
    #[prop_or_default]
    pub next_lesson: Option<(AttrValue, Callback<()>)>,
}

/// A click that sends `i` to `cb`.
fn click(cb: &Callback<usize>, i: usize) -> Callback<MouseEvent> {
    cb.reform(move |_| i)
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
fn verdict(v: Option<&(String, u64, bool)>) -> Html {
    match v {
        None => html! { <p class="verdict ok" id="lesson-verdict">{t("✔ Safety holds")}</p> },
        Some((property, event, true)) => html! {
            <p class="verdict bad" id="lesson-verdict">{tf!("✘ {} violated at event {}", t(property), event)}</p>
        },
        Some((property, event, false)) => html! {
            <p class="verdict shown" id="lesson-verdict">{tf!("⚠ {} broken at event {}: never promised", t(property), event)}</p>
        },
    }
}

#[function_component(Lesson)]
pub fn lesson(p: &LessonProps) -> Html {
    crate::lang::use_lang();
    let (card, head, now) = (use_node_ref(), use_node_ref(), use_node_ref());
    let off = crate::hooks::use_out_of_view(head.clone());
    // A step that is a change, not an event (the hashing lab), changes the drawing above the
    // card: on a short screen the step's text would stay below the fold. Scroll just enough to
    // show it, the drawing's lower part above it (the lab pages, stepping a run, scroll to
    // their drawing themselves). Not on the first render: the page opens at its top.
    {
        let (now, untimed, first) = (now.clone(), p.stops.is_empty(), use_mut_ref(|| true));
        use_effect_with(p.current, move |_| {
            if std::mem::replace(&mut *first.borrow_mut(), false) || !untimed {
                return;
            }
            let (Some(el), Some(w)) = (now.cast::<web_sys::Element>(), web_sys::window()) else { return };
            let height = w.inner_height().ok().and_then(|h| h.as_f64()).unwrap_or(0.0);
            let below = el.get_bounding_client_rect().bottom() - height + 8.0;
            if height > 0.0 && below > 0.0 {
                w.scroll_by_with_x_and_y(0.0, below);
            }
        });
    }
    if p.steps.is_empty() {
        return html! {};
    }
    let n = p.steps.len();
    let current = p.current.unwrap_or(0);
    // Steps that are events say where they are in the run; steps that are changes do not.
    let timed = !p.stops.is_empty();
    let next = (current + 1 < n).then_some(current + 1);
    let (back, forward) = (back_button(p, current, "btn-prev"), next_button(p, next, timed, "btn-next"));
    // Every step is a numbered button (its text in the tooltip and for screen readers); the
    // current one is told in full below, with its event and, where it has one, "Break it".
    let dots = p.steps.iter().enumerate().map(|(i, step)| {
        let state = match i.cmp(&current) {
            std::cmp::Ordering::Equal => "current",
            std::cmp::Ordering::Less => "done",
            std::cmp::Ordering::Greater => "future",
        };
        let label = if timed {
            tf!("Step {}: {} ({})", i + 1, t(&step.text), moment(p.stops.get(i).copied().flatten()))
        } else {
            tf!("Step {}: {}", i + 1, t(&step.text))
        };
        html! {
            <li class={state}>
                <button class="step" id={format!("step-{}", i + 1)} aria-current={(i == current).then_some("step")}
                    aria-label={label.clone()} title={label} onclick={click(&p.go, i)}>{i + 1}</button>
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
                onclick={click(&p.break_it, at)}>{label}{" "}<code translate="no">{m}</code></button>
        }
    });
    let upcoming = next.and_then(|i| p.steps.get(i)).map(|s| {
        html! {
            <p class="upcoming"><span>{t("Next:")}{" "}</span>{t(&s.text)}</p>
        }
    });
    // On a phone, where the card's own buttons are scrolled away (the reader is looking at a
    // table further down), a bar at the foot of the screen steps the lesson from there.
    let dock = off.then(|| {
        let card = card.clone();
        let to_card = Callback::from(move |_: MouseEvent| {
            if let Some(el) = card.cast::<web_sys::Element>() {
                el.scroll_into_view();
            }
        });
        html! {
            <nav class="lesson-dock" id="lesson-dock" aria-label={t("Lesson steps")}>
                { for back_button(p, current, "dock-prev") }
                <button class="dock-text" id="dock-text" title={t("Back to the lesson")} onclick={to_card}>
                    <span class="num">{tf!("{}/{}", current + 1, n)}</span>{" "}{t(&step.text)}
                </button>
                {next_button(p, next, timed, "dock-next")}
            </nav>
        }
    });
    html! {
        <section class="narration lesson" aria-label={t("Lesson")} ref={card}>
            <div class="lesson-head" ref={head}>
                <h2>{t("Lesson")}{" "}<small id="lesson-progress">{tf!("step {} of {}", current + 1, n)}</small></h2>
                { for back }
                {forward}
            </div>
            <ol class="steps" id="narration" aria-label={t("Steps")}>{ for dots }</ol>
            <div class="now" id="lesson-now" aria-live="polite" ref={now}>
                <p class="text"><span class="num">{current + 1}</span>{t(&step.text)}</p>
                { if timed { html! { <p class="t" id="lesson-event">{moment(p.stops.get(current).copied().flatten())}</p> } } else { html! {} } }
                { for break_it }
                { if timed { verdict(p.verdict.as_ref()) } else { html! {} } }
            </div>
            { for upcoming }
            { for dock }
        </section>
    }
}

/// "◂", back to the previous step (none on the first).
fn back_button(p: &LessonProps, current: usize, id: &'static str) -> Option<Html> {
    current.checked_sub(1).map(|i| {
        html! { <button {id} class="prev" title={t("Back to the previous step")} onclick={click(&p.go, i)}>{"◂"}</button> }
    })
}

/// "Next ▸" to the next step; "Playing…" while the run heads to one; at the end, the gallery's
/// next lesson, or "End of lesson" after the last.
fn next_button(p: &LessonProps, next: Option<usize>, timed: bool, id: &'static str) -> Html {
    match (p.heading_to, next) {
        (Some(_), _) => html! { <button {id} class="primary" disabled=true>{t("Playing…")}</button> },
        (None, Some(i)) => {
            let title = if timed {
                t("Play to the next step's event and pause there (n)")
            } else {
                t("Go to the next step")
            };
            html! { <button {id} class="primary" {title} onclick={click(&p.go, i)}>{t("Next ▸")}</button> }
        }
        (None, None) => match &p.next_lesson {
            Some((title, open)) => {
                let (head, _) = title_parts(title);
                html! {
                    <button {id} class="primary next-lesson" title={tf!("Next lesson: {}", title)}
                        onclick={open.reform(|_: MouseEvent| ())}>{tf!("Next lesson: {} ▸", head)}</button>
                }
            }
            None => html! { <button {id} disabled=true>{t("End of lesson")}</button> },
        },
    }
}

/// A lesson's title as its name and its gist ("Split vote" and "two candidates at once"); a
/// Chinese title has a full-width colon; a title without one is all name.
pub fn title_parts(title: &str) -> (&str, &str) {
    title.split_once(": ").or_else(|| title.split_once('：')).unwrap_or((title, ""))
}
