//! The distributed-cache view: the hit rate per tick with the membership changes marked, the
//! requests per node, the hot keys, and the cache's settings.

use distlab_core::hashing::cache::{CacheConfig, MAX_CACHE_CAPACITY, MAX_CACHE_KEYS, MAX_CACHE_NODES};
use distlab_core::hashing::Algo;
use yew::prelude::*;

use super::form::{algo_select, parse_count, parse_f64};
use super::model::{HMsg, HashState};
use crate::dom::{on, read_input, read_select};
use crate::i18n::t;
use crate::num::{polyline, Fixed};
use crate::palette::member_color;
use crate::tf;

pub fn cache_view(st: &HashState, send: &Callback<HMsg>) -> Html {
    let sim = st.cache.borrow();
    let cfg = &st.cache_cfg;
    let (algo, nodes, keys, zipf, cap, rate) = (
        NodeRef::default(),
        NodeRef::default(),
        NodeRef::default(),
        NodeRef::default(),
        NodeRef::default(),
        NodeRef::default(),
    );
    let submit = {
        let refs = (algo.clone(), nodes.clone(), keys.clone(), zipf.clone(), cap.clone(), rate.clone());
        let base = cfg.clone();
        send.reform(move |e: SubmitEvent| {
            e.prevent_default();
            let (algo, nodes, keys, zipf, cap, rate) = &refs;
            let parsed = (|| -> Result<CacheConfig, String> {
                Ok(CacheConfig {
                    algo: Algo::parse(&read_select(algo)).ok_or_else(|| t("choose an algorithm"))?,
                    nodes: parse_count(&t("cache nodes"), &read_input(nodes), 1, MAX_CACHE_NODES)?,
                    keys: parse_count(&t("keys"), &read_input(keys), 1, MAX_CACHE_KEYS)?,
                    zipf_s: parse_f64(&t("the Zipf exponent"), &read_input(zipf), 0.0, 3.0)?,
                    capacity: parse_count(&t("capacity per node"), &read_input(cap), 1, MAX_CACHE_CAPACITY)?,
                    requests_per_tick: parse_count(&t("requests per tick"), &read_input(rate), 1, 10_000)?,
                    ..base.clone()
                })
            })();
            parsed.map(HMsg::CacheConfig).unwrap_or_else(HMsg::Error)
        })
    };
    // Hit rate per tick, last 300 ticks.
    let hist = &sim.history;
    let from = hist.len().saturating_sub(300);
    let pts: Vec<(f64, f64)> = hist[from..]
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let r = t.hits as f64 / (t.hits + t.misses).max(1) as f64;
            (i as f64 * 2.0, 100.0 - r * 100.0)
        })
        .collect();
    let marks = sim.changes.iter().filter(|c| c.tick as usize >= from).map(|c| {
        let x = (c.tick as usize - from) as f64 * 2.0;
        html! { <g><line class="change" x1={crate::num::f1(x)} x2={crate::num::f1(x)} y1="0" y2="100" /><text class="change-label" x={crate::num::f1(x + 2.0)} y="10">{tf!("{} ({} % moved)", t(&c.what), Fixed(c.moved * 100.0, 0))}</text></g> }
    });
    let heat = sim.node_heat();
    let heat_max = heat.iter().map(|h| h.1).fold(0.0, f64::max).max(1e-9);
    let bars = heat.iter().map(|(id, h)| {
        let id = *id;
        html! { <div class="bar-row"><span class="swatch" style={format!("background:{}", member_color(id))}></span>
            <span class="bar-label">{tf!("node {}", id)}</span>
            <span class="bar" style={format!("width:{}%", Fixed(h / heat_max * 100.0, 1))}></span>
            <button class="danger small" onclick={on(send, HMsg::CacheCrash(id))} title={tf!("crash node {}", id)}>{t("crash")}</button></div> }
    });
    let hot = sim.hot_keys(8).into_iter().map(|(k, rate, node)| html! {
        <tr><td translate="no">{format!("key-{k}")}</td><td>{format!("{}", Fixed(rate, 1))}</td><td><span class="swatch" style={format!("background:{}", member_color(node))}></span>{format!(" {}", tf!("node {}", node))}</td></tr>
    });
    html! {
        <div class="hash-grid">
            <section class="stage" aria-label={t("Cache hit rate")}>
                <div class="row">
                    <button id="btn-cache-run" class="primary" onclick={on(send, HMsg::Toggle)}>{ if st.running { t("❚❚ Pause") } else { t("▶ Run") } }</button>
                    <button id="btn-cache-add" onclick={on(send, HMsg::CacheAdd)}>{t("Add a cache node")}</button>
                    <span id="hit-rate" class="big">{tf!("hit rate {} % (last {} ticks) · tick {}", Fixed(sim.hit_rate(20) * 100.0, 1), 20, sim.tick)}</span>
                </div>
                <svg class="chart" viewBox="0 0 600 100" preserveAspectRatio="none" role="img" aria-label={t("Hit rate per tick")}>
                    <polyline points={polyline(&pts)} class="series" />
                    { for marks }
                </svg>
                <p class="hint">{t("Hit rate per tick (top = 100 %). Each tick, clients send GETs for keys drawn from a Zipf law; a miss loads the key into its node's LRU. Add or crash a node and watch how deep and how long the dip is.")}</p>
                <h2 class="minor">{t("Requests per node")}</h2>
                <div class="bars">{ for bars }</div>
            </section>
            <aside>
                <section><h3>{t("Hot keys")}</h3><table class="hot"><thead><tr><th>{t("key")}</th><th>{t("req/tick")}</th><th>{t("node")}</th></tr></thead><tbody>{ for hot }</tbody></table></section>
                <form class="settings" onsubmit={submit} novalidate=true>
                    <h2>{t("Cache")}</h2>
                    <div class="grid">
                        <label class="wide">{t("Placement")}{ algo_select(&algo, "cache-algo", cfg.algo) }</label>
                        <label>{t("Cache nodes")}<input ref={nodes} id="cache-nodes" type="number" value={cfg.nodes.to_string()} /></label>
                        <label>{t("Keys")}<input ref={keys} id="cache-keys" type="number" value={cfg.keys.to_string()} /></label>
                        <label>{t("Zipf exponent")}<input ref={zipf} id="cache-zipf" value={crate::num::short(cfg.zipf_s)} /></label>
                        <label>{t("Capacity per node")}<input ref={cap} id="cache-capacity" type="number" value={cfg.capacity.to_string()} /></label>
                        <label>{t("Requests per tick")}<input ref={rate} id="cache-rate" type="number" value={cfg.requests_per_tick.to_string()} /></label>
                    </div>
                    <button type="submit" class="primary" id="btn-cache-apply">{t("Restart")}</button>
                </form>
            </aside>
        </div>
    }
}
