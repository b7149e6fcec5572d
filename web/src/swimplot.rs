//! The Gossip page's measurement against the group's size: SWIM's first detection and
//! dissemination, in protocol periods, and its messages per member per period, for groups of
//! 8 to 128 members (core's `swim::detect`, the same as `distlab swim detect`), beside
//! all-to-all heartbeating's n−1. One trial runs per tick, so the page stays responsive.

use std::rc::Rc;

use distlab_core::swim::detect::{trial, Trial};
use distlab_core::swim::{Selection, Swim};
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::i18n::t;

/// The group sizes measured, and the trials at each.
const SIZES: [usize; 5] = [8, 16, 32, 64, 128];
/// (The page's note says 12.)
const TRIALS: usize = 12;

#[derive(Clone, Debug, Default, PartialEq)]
struct Plot {
    selection: Option<Selection>,
    indirect: usize,
    seed: u64,
    /// The trials done at each size.
    done: Vec<Vec<Trial>>,
    running: bool,
}

enum Act {
    Start(Selection, usize, u64),
    Tick,
    Stop,
}

impl Plot {
    fn total(&self) -> usize {
        self.done.iter().map(Vec::len).sum()
    }
}

impl Reducible for Plot {
    type Action = Act;
    fn reduce(self: Rc<Self>, act: Act) -> Rc<Self> {
        let mut p = (*self).clone();
        match act {
            Act::Start(selection, indirect, seed) => {
                p = Plot {
                    selection: Some(selection),
                    indirect,
                    seed,
                    done: vec![Vec::new(); SIZES.len()],
                    running: true,
                };
            }
            Act::Stop => p.running = false,
            Act::Tick => {
                let Some(i) = p.done.iter().position(|d| d.len() < TRIALS).filter(|_| p.running) else {
                    p.running = false;
                    return Rc::new(p);
                };
                let sw = Swim {
                    members: SIZES[i],
                    selection: p.selection.unwrap_or_default(),
                    indirect: p.indirect,
                    ..Swim::default()
                };
                let k = p.done[i].len() as u64;
                let seed = p.seed.wrapping_mul(1_000_003).wrapping_add(i as u64 * 1_000 + k);
                p.done[i].push(trial(sw, 0.0, seed));
            }
        }
        Rc::new(p)
    }
}

#[derive(Properties, PartialEq)]
pub struct DetectPlotProps {
    pub selection: Selection,
    pub indirect: usize,
    pub seed: u64,
}

/// Means of one size's trials: first detection, dissemination, messages per member per period.
fn means(trials: &[Trial]) -> Option<(f64, f64, f64)> {
    if trials.is_empty() {
        return None;
    }
    let k = trials.len() as f64;
    let first = trials.iter().map(|t| t.first_detection as f64).sum::<f64>() / k;
    let spread = trials.iter().map(|t| t.dissemination).sum::<f64>() / k;
    let member_periods: f64 = trials.iter().map(|t| t.member_periods).sum();
    let messages = trials.iter().map(|t| t.messages).sum::<u64>() as f64;
    Some((first, spread, if member_periods > 0.0 { messages / member_periods } else { 0.0 }))
}

/// The two curves, periods against log2 n.
fn chart(rows: &[(usize, (f64, f64, f64))]) -> Html {
    let (w, h, left, bottom) = (360.0, 150.0, 34.0, 22.0);
    let top = rows.iter().map(|r| r.1 .1.max(r.1 .0)).fold(4.0_f64, f64::max).ceil();
    let x = |i: usize| left + (w - left - 10.0) * i as f64 / (SIZES.len() - 1) as f64;
    let y = |v: f64| (h - bottom) - (h - bottom - 8.0) * v / top;
    let line = |f: fn(&(f64, f64, f64)) -> f64| {
        rows.iter()
            .map(|(n, m)| {
                let i = SIZES.iter().position(|s| s == n).unwrap_or(0);
                format!("{:.1},{:.1}", x(i), y(f(m)))
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    html! {
        <svg class="detect-chart" viewBox={format!("0 0 {w} {h}")} role="img"
            aria-label={t("first detection and dissemination, in periods, against the group's size")}>
            <line x1={left.to_string()} y1={y(0.0).to_string()} x2={(w - 6.0).to_string()} y2={y(0.0).to_string()} class="axis" />
            <line x1={left.to_string()} y1={y(0.0).to_string()} x2={left.to_string()} y2="4" class="axis" />
            <text x="2" y={(y(top) + 4.0).to_string()} class="tick">{format!("{top}")}</text>
            <text x="2" y={(y(0.0) + 4.0).to_string()} class="tick">{"0"}</text>
            { for SIZES.iter().enumerate().map(|(i, n)| html! {
                <text x={(x(i) - 8.0).to_string()} y={(h - 6.0).to_string()} class="tick">{n.to_string()}</text>
            }) }
            <polyline points={line(|m| m.0)} class="first" />
            <polyline points={line(|m| m.1)} class="spread" />
        </svg>
    }
}

/// "Measure against n": run the trials, then show the chart and the table.
#[function_component(DetectPlot)]
pub fn detect_plot(p: &DetectPlotProps) -> Html {
    crate::lang::use_lang();
    let plot = use_reducer(Plot::default);
    {
        let d = plot.dispatcher();
        use_effect_with(plot.running, move |running| {
            let handle = running.then(|| {
                let cb = wasm_bindgen::closure::Closure::<dyn FnMut()>::new(move || d.dispatch(Act::Tick));
                let id = web_sys::window().and_then(|w| {
                    w.set_interval_with_callback_and_timeout_and_arguments_0(cb.as_ref().unchecked_ref(), 16)
                        .ok()
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
    let start = {
        let (d, selection, indirect, seed) = (plot.dispatcher(), p.selection, p.indirect, p.seed);
        Callback::from(move |_: MouseEvent| d.dispatch(Act::Start(selection, indirect, seed)))
    };
    let stop = {
        let d = plot.dispatcher();
        Callback::from(move |_: MouseEvent| d.dispatch(Act::Stop))
    };
    let rows: Vec<(usize, (f64, f64, f64))> =
        SIZES.iter().zip(&plot.done).filter_map(|(n, d)| means(d).map(|m| (*n, m))).collect();
    let all = SIZES.len() * TRIALS;
    html! {
        <section class="board detect-plot" id="detect-plot" aria-label={t("Detection against the group's size")}>
            <h2>{t("Detection against the group's size")}</h2>
            <p class="hint">{t("One member crashes in each of 12 trials per size, with this run's probe selection and k, and no loss. The paper predicts a first detection in e/(e−1) ≈ 1.58 periods on average with random probing, whatever n; gossip reaches everyone in O(log n) periods; each member sends about two messages a period, where all-to-all heartbeating sends n−1.")}</p>
            { if plot.running { html! {
                <>
                    <progress id="detect-progress" max={all.to_string()} value={plot.total().to_string()}></progress>
                    <button id="btn-detect-stop" onclick={stop}>{t("Stop")}</button>
                </>
            } } else { html! {
                <button id="btn-detect" onclick={start}>{ if rows.is_empty() { t("Measure against n ▸") } else { t("Measure again ▸") } }</button>
            } } }
            { if rows.is_empty() { html! {} } else { html! {
                <>
                    { chart(&rows) }
                    <p class="hint"><span class="key first">{"—"}</span>{" "}{t("first detection")}{" · "}<span class="key spread">{"—"}</span>{" "}{t("everyone has heard")}</p>
                    <table id="detect-table">
                        <thead><tr>
                            <th>{t("members")}</th><th>{t("first detection (periods)")}</th><th>{t("everyone has heard (periods)")}</th>
                            <th>{t("messages / member / period")}</th><th>{t("all-to-all heartbeats")}</th>
                        </tr></thead>
                        <tbody>{ for rows.iter().map(|(n, (first, spread, msgs))| html! {
                            <tr><td>{n.to_string()}</td><td>{format!("{first:.2}")}</td><td>{format!("{spread:.1}")}</td>
                                <td>{format!("{msgs:.2}")}</td><td>{(n - 1).to_string()}</td></tr>
                        }) }</tbody>
                    </table>
                </>
            } } }
        </section>
    }
}
