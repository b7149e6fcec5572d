//! The load-balancing view: four dispatch policies on the same tasks, their p99 latency over
//! time, their latency percentiles and queues, and the workload's settings.

use distlab_core::hashing::balance::{BalanceConfig, Costs, MAX_WORKERS};
use yew::prelude::*;

use super::form::parse_f64;
use super::model::{HMsg, HashState};
use crate::dom::{on, read_input, read_select};
use crate::num::parse_count;
use crate::num::{polyline, Fixed};
use crate::palette::hue;

pub fn balance_view(st: &HashState, send: &Callback<HMsg>) -> Html {
    let sim = st.balance.borrow();
    let cfg = &st.balance_cfg;
    let (workers, load, costs) = (NodeRef::default(), NodeRef::default(), NodeRef::default());
    let submit = {
        let refs = (workers.clone(), load.clone(), costs.clone());
        let base = cfg.clone();
        send.reform(move |e: SubmitEvent| {
            e.prevent_default();
            let (workers, load, costs) = &refs;
            let parsed = (|| -> Result<BalanceConfig, String> {
                Ok(BalanceConfig {
                    workers: parse_count("workers", &read_input(workers), 1, MAX_WORKERS)?,
                    load: parse_f64("the load", &read_input(load), 0.05, 1.5)?,
                    costs: if read_select(costs) == "bimodal" { Costs::Bimodal } else { Costs::Exponential },
                    ..base.clone()
                })
            })();
            parsed.map(HMsg::BalanceConfig).unwrap_or_else(HMsg::Error)
        })
    };
    let max_p99 = sim.lanes.iter().flat_map(|l| l.series.iter().map(|s| s.2)).fold(1.0, f64::max);
    let lines = sim.lanes.iter().enumerate().map(|(i, lane)| {
        let from = lane.series.len().saturating_sub(300);
        let pts: Vec<(f64, f64)> =
            lane.series[from..].iter().enumerate().map(|(k, s)| (k as f64 * 2.0, 100.0 - s.2 / max_p99 * 100.0)).collect();
        html! { <polyline points={polyline(&pts)} class="series" style={format!("stroke:{}", hue(Some(i as u64)))} /> }
    });
    let rows = sim.lanes.iter().enumerate().map(|(i, lane)| {
        let q = lane.queue_lengths();
        let qmax = q.iter().copied().max().unwrap_or(0).max(1);
        let mini = q.iter().map(|l| html! { <span class="q" style={format!("height:{}%", Fixed(*l as f64 / qmax as f64 * 100.0, 0))} title={format!("{l} queued")}></span> });
        html! {
            <tr>
                <th scope="row"><span class="swatch" style={format!("background:{}", hue(Some(i as u64)))}></span>{format!(" {}", lane.policy.name())}</th>
                <td>{format!("{}", Fixed(lane.percentile(50.0), 1))}</td>
                <td>{format!("{}", Fixed(lane.percentile(99.0), 1))}</td>
                <td>{format!("{}", q.iter().max().unwrap_or(&0))}</td>
                <td><div class="queues">{ for mini }</div></td>
            </tr>
        }
    });
    html! {
        <div class="hash-grid">
            <section class="stage" aria-label="Load balancing">
                <div class="row">
                    <button id="btn-balance-run" class="primary" onclick={on(send, HMsg::Toggle)}>{ if st.running { "❚❚ Pause" } else { "▶ Run" } }</button>
                    <span class="big">{format!("tick {}", sim.tick)}</span>
                </div>
                <svg class="chart" viewBox="0 0 600 100" preserveAspectRatio="none" role="img" aria-label="p99 latency over time per policy">{ for lines }</svg>
                <p class="hint">{format!("p99 latency over the last 2,000 tasks, per policy (top = {} ticks). All four dispatch the same tasks.", Fixed(max_p99, 0))}</p>
                <table class="compare" id="balance-table">
                    <thead><tr><th>{"policy"}</th><th>{"p50 latency (ticks)"}</th><th>{"p99 latency (ticks)"}</th><th>{"longest queue (tasks)"}</th><th>{"queue per worker"}</th></tr></thead>
                    <tbody>{ for rows }</tbody>
                </table>
            </section>
            <aside>
                <form class="settings" onsubmit={submit} novalidate=true>
                    <h2>{"Workload"}</h2>
                    <div class="grid">
                        <label>{"Workers"}<input ref={workers} id="lb-workers" type="number" value={cfg.workers.to_string()} /></label>
                        <label>{"Load ρ"}<input ref={load} id="lb-load" value={crate::num::short(cfg.load)} /></label>
                        <label class="wide">{"Task cost"}
                            <select ref={costs} id="lb-costs">
                                <option value="exponential" selected={cfg.costs == Costs::Exponential}>{"exponential, mean 1"}</option>
                                <option value="bimodal" selected={cfg.costs == Costs::Bimodal}>{"bimodal: 95 % short, 5 % 22× longer"}</option>
                            </select>
                        </label>
                    </div>
                    <button type="submit" class="primary" id="btn-balance-apply">{"Restart"}</button>
                    <p class="hint">{"Random and round-robin ignore the queues. Least-loaded asks every worker. Power of two choices asks two random workers and takes the less loaded: nearly as good, at a fraction of the cost."}</p>
                </form>
            </aside>
        </div>
    }
}
