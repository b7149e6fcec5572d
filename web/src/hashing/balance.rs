//! The load-balancing view: four dispatch policies on the same tasks, their p99 latency over
//! time, their latency percentiles and queues, and the workload's settings.

use distlab_core::hashing::balance::{BalanceConfig, Costs, MAX_WORKERS};
use yew::prelude::*;

use super::form::{parse_count, parse_f64};
use super::model::{HMsg, HashState};
use crate::dom::{on, read_input, read_select};
use crate::i18n::t;
use crate::num::{polyline, Fixed};
use crate::palette::hue;
use crate::tf;

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
                    workers: parse_count(&t("workers"), &read_input(workers), 1, MAX_WORKERS)?,
                    load: parse_f64(&t("the load"), &read_input(load), 0.05, 1.5)?,
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
        let mini = q.iter().map(|l| html! { <span class="q" style={format!("height:{}%", Fixed(*l as f64 / qmax as f64 * 100.0, 0))} title={tf!("{} queued", l)}></span> });
        html! {
            <tr>
                <th scope="row"><span class="swatch" style={format!("background:{}", hue(Some(i as u64)))}></span>{format!(" {}", t(lane.policy.name()))}</th>
                <td>{format!("{}", Fixed(lane.percentile(50.0), 1))}</td>
                <td>{format!("{}", Fixed(lane.percentile(99.0), 1))}</td>
                <td>{format!("{}", q.iter().max().unwrap_or(&0))}</td>
                <td><div class="queues">{ for mini }</div></td>
            </tr>
        }
    });
    html! {
        <div class="hash-grid">
            <section class="stage" aria-label={t("Load balancing")}>
                <div class="row">
                    <button id="btn-balance-run" class="primary" onclick={on(send, HMsg::Toggle)}>{ if st.running { t("❚❚ Pause") } else { t("▶ Run") } }</button>
                    <span class="big">{tf!("tick {}", sim.tick)}</span>
                </div>
                <svg class="chart" viewBox="0 0 600 100" preserveAspectRatio="none" role="img" aria-label={t("p99 latency over time per policy")}>{ for lines }</svg>
                <p class="hint">{tf!("{} latency over the last {} tasks, per policy (top = {} ticks).", "p99", "2,000", Fixed(max_p99, 0))}{" "}{t("All four dispatch the same tasks.")}</p>
                <div class="scroll"><table class="compare" id="balance-table">
                    <thead><tr><th>{t("policy")}</th><th>{t("p50 latency (ticks)")}</th><th>{t("p99 latency (ticks)")}</th><th>{t("longest queue (tasks)")}</th><th>{t("queue per worker")}</th></tr></thead>
                    <tbody>{ for rows }</tbody>
                </table></div>
            </section>
            <aside>
                <form class="settings" onsubmit={submit} novalidate=true>
                    <h2>{t("Workload")}</h2>
                    <div class="grid">
                        <label>{t("Workers")}<input ref={workers} id="lb-workers" type="number" value={cfg.workers.to_string()} /></label>
                        <label>{t("Load ρ")}<input ref={load} id="lb-load" value={crate::num::short(cfg.load)} /></label>
                        <label class="wide">{t("Task cost")}
                            <select ref={costs} id="lb-costs">
                                <option value="exponential" selected={cfg.costs == Costs::Exponential}>{t("exponential, mean 1")}</option>
                                <option value="bimodal" selected={cfg.costs == Costs::Bimodal}>{t("bimodal: 95 % short, 5 % 21× longer")}</option>
                            </select>
                        </label>
                    </div>
                    <button type="submit" class="primary" id="btn-balance-apply">{t("Restart")}</button>
                    <p class="hint">{t("Random and round-robin ignore the queues. Least-loaded asks every worker. Power of two choices asks two random workers and takes the less loaded: nearly as good, at a fraction of the cost.")}</p>
                </form>
            </aside>
        </div>
    }
}
