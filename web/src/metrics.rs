//! The metrics strip: messages by type and their bytes, completed client operations with a
//! latency histogram, time without a leader and elections, all as of the scrubber's position;
//! and the same as a CSV file.

use std::rc::Rc;

use distlab_core::lab::Snapshot;
use distlab_core::metrics::LATENCY_BUCKETS_MS;
use yew::prelude::*;

use crate::i18n::t;
use crate::num::Fixed;
use crate::palette::message_style;
use crate::panels::{sentence, slot};
use crate::tf;

#[derive(Properties, PartialEq)]
pub struct MetricsProps {
    pub snap: Rc<Snapshot>,
    pub seed: u64,
}

fn bars(items: &[(String, u64, &'static str, String)]) -> Html {
    let max = items.iter().map(|i| i.1).max().unwrap_or(1).max(1) as f64;
    html! {
        <ul class="bars">
            { for items.iter().map(|(label, n, color, title)| html! {
                <li title={title.clone()}>
                    <span class="bl" translate="no">{label}</span>
                    <span class="bt"><span class="bf" style={format!("width:{}%;background:{color}", Fixed(*n as f64 / max * 100.0, 1))}></span></span>
                    <span class="bn">{n}</span>
                </li>
            }) }
        </ul>
    }
}

#[function_component(MetricsStrip)]
pub fn metrics_strip(p: &MetricsProps) -> Html {
    crate::lang::use_lang();
    let s = &p.snap;
    let m = &s.metrics;
    let sent: u64 = m.messages.iter().map(|x| x.1).sum();
    let bytes: u64 = m.messages.iter().map(|x| x.2).sum();
    let mut by_kind: Vec<_> = m
        .messages
        .iter()
        .map(|(k, n, b)| (k.to_string(), *n, message_style(k).0, tf!("{}: {} messages, {} bytes", k, n, b)))
        .collect();
    by_kind.truncate(12);
    let latency: Vec<_> = m
        .latency
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let label = match LATENCY_BUCKETS_MS.get(i) {
                Some(b) => format!("< {b} ms"),
                None => format!("≥ {} ms", LATENCY_BUCKETS_MS[i - 1]),
            };
            let title = tf!("{} operations completed in {}", n, label);
            (label, *n, "#009E73", title)
        })
        .collect();
    let csv = m.csv(s.protocol, p.seed, s.position, s.time);
    let href = format!("data:text/csv;charset=utf-8,{}", String::from(js_sys::encode_uri_component(&csv)));
    let file = format!("distlab-{}-seed{}-event{}.csv", s.protocol, p.seed, s.position);
    let mean = if m.completed > 0 {
        tf!("{} ms mean", Fixed(m.latency_total_us as f64 / m.completed as f64 / 1000.0, 1))
    } else {
        t("none yet")
    };
    html! {
        <section class="metrics" aria-label={t("Metrics")} id="metrics">
            <h2>{t("Metrics")}<small>{format!(" · {}", tf!("as of event {}", s.position))}</small>
                <a class="button" id="btn-csv" href={href} download={file}>{t("Export CSV")}</a></h2>
            <div class="metric-grid">
                <div class="metric">
                    {sentence(&tf!("{} messages", slot(0)), &[html! { <b id="m-messages">{sent}</b> }])}{" · "}
                    {sentence(&tf!("{} bytes", slot(0)), &[html! { <b id="m-bytes">{bytes}</b> }])}
                    { bars(&by_kind) }
                </div>
                { if m.completed > 0 || s.nodes.iter().any(|n| n.view.role == "client") { html! {
                <div class="metric">
                    {sentence(&tf!("{} client operations completed", slot(0)), &[html! { <b id="m-completed">{m.completed}</b> }])}{format!(" · {mean}")}
                    { if m.completed > 0 { bars(&latency) } else { html! { <p class="hint">{t("The clients have completed nothing yet.")}</p> } } }
                </div>
                } } else { html! {} } }
                { if m.has_leader { html! {
                    <div class="metric">
                        {sentence(&tf!("{} without a leader", slot(0)), &[html! { <b id="m-leaderless">{format!("{} ms", Fixed(m.leaderless_until(s.time) as f64 / 1000.0, 1))}</b> }])}{" · "}
                        {sentence(&if m.elections == 1 { tf!("{} leader elected", slot(0)) } else { tf!("{} leaders elected", slot(0)) }, &[html! { <b id="m-elections">{m.elections}</b> }])}
                    </div>
                } } else { html! {} } }
            </div>
        </section>
    }
}
