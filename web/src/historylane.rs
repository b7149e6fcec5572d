//! The history lane: each client operation as a bar from invocation to completion, on one row
//! per client, over the same time window as the space-time diagram; a check button asks the
//! linearizability checker about the whole history so far and marks each operation's
//! linearization point, or a minimal set of operations that cannot be ordered.

use std::rc::Rc;

use distlab_core::diagram::Diagram;
use distlab_core::history::{HistoryOp, Judgement};
use distlab_core::lincheck::Progress;
use distlab_core::lincheck::{Func, LineKind, LineValue, Value};
use yew::prelude::*;

use crate::i18n::t;
use crate::num::Fixed;
use crate::state::Msg;
use crate::tf;

const LEFT: f64 = 80.0;
const RIGHT: f64 = 20.0;
const ROW: f64 = 30.0;

#[derive(Properties, PartialEq)]
pub struct HistoryProps {
    pub ops: Rc<Vec<HistoryOp>>,
    pub diagram: Rc<Diagram>,
    /// Client names by process id (the client's node id).
    pub names: Vec<String>,
    pub judgement: Option<Rc<Judgement>>,
    /// Operations in the whole run so far, and the index of `ops[0]` among them.
    pub total: usize,
    pub first: usize,
    /// The position the verdict is about.
    pub judged_at: Option<u64>,
    /// How far the check under way came, while one is.
    #[prop_or_default]
    pub checking: Option<Progress>,
    pub send: Callback<Msg>,
    /// The space-time diagram's time axis, so the bars line up with its arrows.
    pub scale: crate::diagram::TimeScale,
}

fn value(v: &Value) -> String {
    match v {
        Value::Null => String::from("∅"),
        Value::Int(n) => format!("{n}"),
        other => format!("{other:?}"),
    }
}

/// Whether an operation's label fits inside its bar (about 7 units a character at the lane's
/// text size, and a margin): labels wider than their bar would run into the next operation's,
/// so a short bar keeps its words in its tooltip only.
pub fn label_fits(label: &str, bar_width: f64) -> bool {
    label.chars().count() as f64 * 7.0 + 8.0 <= bar_width
}

fn label(o: &HistoryOp) -> String {
    let key = o.key.clone().unwrap_or_default();
    let out = match &o.done {
        Some((_, _, LineKind::Ok, LineValue::One(v))) => format!(" → {}", value(v)),
        Some((_, _, LineKind::Fail, _)) => String::from(" ✗"),
        Some((_, _, LineKind::Ok, _)) => String::from(" ✓"),
        Some((_, _, _, _)) => String::from(" ?"),
        None => String::from(" …"),
    };
    match (o.f, &o.input) {
        (Func::Read, _) => format!("get {key}{out}"),
        (Func::Write, LineValue::One(Value::Null)) => format!("delete {key}{out}"),
        (Func::Write, LineValue::One(v)) => format!("put {key} {}{out}", value(v)),
        (Func::Cas, LineValue::Pair(a, b)) => format!("cas {key} {}→{}{out}", value(a), value(b)),
        (f, _) => format!("{f:?} {key}{out}"),
    }
}

#[function_component(HistoryLane)]
pub fn history_lane(p: &HistoryProps) -> Html {
    crate::lang::use_lang();
    let strip = use_node_ref();
    let w = crate::hooks::use_strip_width(strip.clone());
    let d = &p.diagram;
    let (t0, t1) = (d.t0.0, d.t1.0.max(d.t0.0 + 1));
    // Drawn in the diagram's sliding coordinates (see `TimeScale`).
    let room = w - LEFT - RIGHT;
    let x = |t: u64| p.scale.x(t.clamp(t0, t1), room);
    // Operations overlapping the window.
    let shown: Vec<(usize, &HistoryOp)> = p
        .ops
        .iter()
        .enumerate()
        .map(|(i, o)| (p.first + i, o))
        .filter(|(_, o)| o.invoke.1 .0 <= t1 && o.done.as_ref().is_none_or(|d| d.1 .0 >= t0))
        .collect();
    // One row per client with an operation in view, in client order (no sort: see ARCHITECTURE).
    let rows: Vec<u32> =
        (0..p.names.len() as u32).filter(|c| shown.iter().any(|(_, o)| o.process == *c)).collect();
    let h = 10.0 + ROW * rows.len().max(1) as f64;
    let judged = p.judgement.as_ref();
    let bars = shown.iter().map(|(i, o)| {
        let row = rows.iter().position(|r| *r == o.process).unwrap_or(0) as f64;
        let y = 8.0 + row * ROW;
        let x1 = x(o.invoke.1 .0);
        let x2 = o.done.as_ref().map(|d| x(d.1 .0)).unwrap_or(x(t1));
        let witness = judged.is_some_and(|j| j.witness.contains(i));
        let point = judged.and_then(|j| j.points.iter().find(|(k, _)| k == i)).map(|(_, t)| x(t.0));
        let status = match &o.done {
            Some((_, _, LineKind::Ok, _)) => "ok",
            Some((_, _, LineKind::Fail, _)) => "fail",
            Some(_) => "info",
            None => "open",
        };
        let event = o.done.as_ref().map(|d| d.0).unwrap_or(o.invoke.0);
        let invoked = tf!("invoked at #{} ({} ms)", o.invoke.0, Fixed(o.invoke.1 .0 as f64 / 1000.0, 2));
        let completed = o.done.as_ref().map(|d| tf!("completed at #{} ({} ms)", d.0, Fixed(d.1 .0 as f64 / 1000.0, 2))).unwrap_or_else(|| t("not completed"));
        let part = if witness { format!(" · {}", t("part of a minimal set that cannot be ordered")) } else { String::new() };
        let title = format!("{}: {} · {invoked}, {completed}{part}", p.names.get(o.process as usize).cloned().unwrap_or_default(), label(o));
        html! {
            <g class={classes!("op", status, witness.then_some("witness"))} onclick={crate::dom::on(&p.send, Msg::Seek(event))} translate="no">
                <title>{title}</title>
                <rect x={format!("{}", Fixed(x1, 1))} y={format!("{}", Fixed(y, 1))} width={format!("{}", Fixed((x2 - x1).max(2.0), 1))} height={Fixed(ROW - 10.0, 1).to_string()} rx="4" />
                { if label_fits(&label(o), x2 - x1) { html! {
                    <text x={format!("{}", Fixed(x1 + 4.0, 1))} y={format!("{}", Fixed(y + 14.0, 1))} translate="no">{label(o)}</text>
                } } else { html! {} } }
                { for point.map(|px| html! { <path class="lp" d={format!("M{} {} l5 6 l-5 6 l-5 -6 z", Fixed(px, 1), Fixed(y - 2.0, 1))} /> }) }
            </g>
        }
    });
    let names = rows.iter().enumerate().map(|(k, r)| {
        html! { <text class="lane-name" x={Fixed(LEFT - 8.0, 1).to_string()} y={format!("{}", Fixed(8.0 + k as f64 * ROW + 14.0, 1))}>{p.names.get(*r as usize).cloned().unwrap_or_default()}</text> }
    });
    let verdict = match (judged, p.checking) {
        (_, Some(c)) => html! {
            <span class="pill" id="lin-progress" role="status">{format!(
                "{}{}{}",
                tf!("checking… {} configurations explored", c.explored),
                if c.keys > 1 { format!(", {}", tf!("key {} of {}", (c.keys_done + 1).min(c.keys), c.keys)) } else { String::new() },
                if c.returns > 0 { format!(", {}", tf!("{} of {} completions placed", c.returns_done, c.returns)) } else { String::new() },
            )}</span>
        },
        (None, None) => {
            html! { <span class="hint">{t("The full search over this history has not run yet (the badge judges each answer as it arrives).")}</span> }
        }
        // The search reached its limit: neither shown linearizable nor refuted.
        (Some(j), None) if j.unknown.is_some() => {
            html! { <span class="pill" id="lin-verdict">{tf!("unknown up to event {}: {}", p.judged_at.unwrap_or(0), j.unknown.as_ref().map(|u| t(&u.reason)).unwrap_or_default())}</span> }
        }
        (Some(j), None) if j.linearizable => {
            html! { <span class="pill ok" id="lin-verdict">{tf!("linearizable up to event {}: all {} operations ordered; ◆ marks each linearization point", p.judged_at.unwrap_or(0), j.operations)}</span> }
        }
        (Some(j), None) => {
            html! { <span class="pill bad" id="lin-verdict">{tf!("NOT linearizable up to event {}: these {} operations cannot be ordered (red)", p.judged_at.unwrap_or(0), j.witness.len())}</span> }
        }
    };
    let witness = judged.filter(|j| j.violated()).map(|j| {
        html! {
            <ol class="witness" id="witness">
                { for j.witness_ops.iter().map(|o| {
                    let at = o.done.as_ref().map(|d| d.0).unwrap_or(o.invoke.0);
                    html! {
                        <li onclick={crate::dom::on(&p.send, Msg::Seek(at))} title={t("Go to this operation's completion")} translate="no">
                            {format!("{}: {} · #{}–{}", p.names.get(o.process as usize).cloned().unwrap_or_default(), label(o), o.invoke.0,
                                o.done.as_ref().map(|d| format!("#{}", d.0)).unwrap_or_else(|| t("open")))}
                        </li>
                    }
                }) }
            </ol>
        }
    });
    html! {
        <section class="history" aria-label={t("Client history")} id="history">
            <h2>{t("Client history")}<small>{format!(" · {}", tf!("{} operations so far; the bars cover the diagram's window. Click one to go to its completion.", p.total))}</small></h2>
            <div class="row">
                { if p.checking.is_some() { html! {
                    <button id="btn-lincheck-stop" onclick={crate::dom::on(&p.send, Msg::StopCheck)}>{t("Stop checking")}</button>
                } } else { html! {
                    <button id="btn-lincheck" onclick={crate::dom::on(&p.send, Msg::CheckHistory)}>{t("Check linearizability")}</button>
                } } }
                { verdict }
            </div>
            { for witness }
            <div class="scroll" ref={strip}>
                <svg viewBox={format!("0 0 {} {}", Fixed(w, 0), Fixed(h, 0))} class="hist-svg" role="img" aria-label={tf!("{} client operations in the window", shown.len())}>
                    { for names }
                    <g class="slide" transform={format!("translate({} 0)", Fixed(p.scale.shift(t1, room, w - RIGHT), 1))}>{ for bars }</g>
                </svg>
            </div>
        </section>
    }
}
