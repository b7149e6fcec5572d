//! The comparison view: every placement algorithm on the same keys and the same churn (N
//! nodes, one added, one removed), with the load spread, the keys moved and the lookup time
//! measured in this browser, the one measurement core cannot make.

use std::rc::Rc;

use distlab_core::hashing::{self, Algo, Params, Placement, Stats, MAX_VNODES};
use yew::prelude::*;

use super::form::{parse_count, parse_f64};
use super::model::{HMsg, HashState};
use crate::dom::read_input;
use crate::i18n::t;
use crate::num::Fixed;
use crate::tf;

fn now_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map(|p| p.now()).unwrap_or(0.0)
}

fn run_compare(nodes: usize, keys: usize, vnodes: usize, c: f64) -> Result<Vec<(Stats, f64)>, String> {
    let params = Params { vnodes, c, ..Params::default() };
    params.validate()?;
    let hashes = hashing::generated_keys(keys);
    let members: Vec<u32> = (0..nodes as u32).collect();
    Ok(Algo::ALL
        .iter()
        .map(|&a| {
            let stats = hashing::measure(a, nodes, &hashes, &params);
            // Lookup time: wall clock in the browser, over every key (the page may read clocks;
            // core never does).
            let p = Placement::new(a, &members, &[], &params);
            let t0 = now_ms();
            let mut sink = 0u64;
            let reps = (200_000 / keys.max(1)).max(1);
            for _ in 0..reps {
                if a == Algo::Bounded {
                    sink += p.assign(&hashes).len() as u64;
                } else {
                    for &h in &hashes {
                        sink = sink.wrapping_add(p.lookup(h) as u64);
                    }
                }
            }
            let ns = (now_ms() - t0) * 1e6 / (reps * keys.max(1)) as f64;
            let _ = std::hint::black_box(sink);
            (stats, ns)
        })
        .collect())
}

/// The comparison form's defaults: nodes, keys, virtual nodes, and c for bounded loads.
const COMPARE_DEFAULTS: (usize, usize, usize, f64) = (10, 100_000, 100, 1.25);

/// The comparison with the form's defaults (about a fifth of a second): what the view shows
/// when it is first opened.
pub fn run_defaults() -> Result<Vec<(Stats, f64)>, String> {
    let (n, k, v, c) = COMPARE_DEFAULTS;
    run_compare(n, k, v, c)
}

pub fn compare_view(st: &HashState, send: &Callback<HMsg>) -> Html {
    let (n0, k0, v0, c0) = COMPARE_DEFAULTS;
    let (nodes, keys, vnodes, c) =
        (NodeRef::default(), NodeRef::default(), NodeRef::default(), NodeRef::default());
    let submit = {
        let refs = (nodes.clone(), keys.clone(), vnodes.clone(), c.clone());
        send.reform(move |e: SubmitEvent| {
            e.prevent_default();
            let (nodes, keys, vnodes, c) = &refs;
            let parsed = (|| -> Result<Vec<(Stats, f64)>, String> {
                let n = parse_count(&t("nodes"), &read_input(nodes), 1, 200)?;
                let k = parse_count(&t("keys"), &read_input(keys), 1, 200_000)?;
                let v = parse_count(&t("virtual nodes"), &read_input(vnodes), 1, MAX_VNODES)?;
                let c = parse_f64("c", &read_input(c), 1.0, 10.0)?;
                run_compare(n, k, v, c)
            })();
            match parsed {
                Ok(r) => HMsg::Compare(Rc::new(r)),
                Err(e) => HMsg::Error(e),
            }
        })
    };
    let table = st.compare.as_ref().map(|rows| {
        let body = rows.iter().map(|(s, ns)| {
            let max = *s.loads.iter().max().unwrap_or(&1) as f64;
            let mean = s.keys as f64 / s.nodes.max(1) as f64;
            let bars = s.loads.iter().enumerate().map(|(i, l)| {
                let h = *l as f64 / max.max(1.0) * 30.0;
                let w = 120.0 / s.loads.len() as f64;
                html! { <rect x={format!("{}", Fixed(i as f64 * w, 2))} y={format!("{}", Fixed(30.0 - h, 2))} width={format!("{}", Fixed((w - 0.5).max(0.3), 2))} height={format!("{}", Fixed(h, 2))}><title>{tf!("node {}: {} keys", i, l)}</title></rect> }
            });
            let mean_y = 30.0 - mean / max.max(1.0) * 30.0;
            html! {
                <tr>
                    <th scope="row">{t(Algo::parse(s.algo).map(|a| a.title()).unwrap_or(s.algo))}</th>
                    <td><svg class="hist" viewBox="0 0 120 30" role="img" aria-label={tf!("load per node for {}", t(s.algo))}>{ for bars }
                        <line x1="0" x2="120" y1={format!("{}", Fixed(mean_y, 2))} y2={format!("{}", Fixed(mean_y, 2))} class="mean" /></svg></td>
                    <td>{format!("{}", Fixed(s.load_stddev_over_mean, 3))}</td>
                    <td>{format!("{}", Fixed(s.max_over_mean, 3))}</td>
                    <td>{format!("{} %", Fixed(s.moved_fraction_add * 100.0, 2))}</td>
                    <td>{format!("{} %", Fixed(s.moved_fraction_remove * 100.0, 2))}</td>
                    <td>{format!("{} %", Fixed(s.moved_to_other_than_added * 100.0, 2))}</td>
                    <td>{format!("{}", Fixed(*ns, 0))}</td>
                </tr>
            }
        });
        let ideal = rows.first().map(|(s, _)| s.ideal_moved_add * 100.0).unwrap_or(0.0);
        // Bounded loads only moves keys off a node that reached c times the mean load; below
        // that it places every key where the ring does, which reads like a copy without a word.
        let loads = |algo: &str| rows.iter().find(|(s, _)| s.algo == algo).map(|(s, _)| &s.loads);
        let same = loads("ring").is_some() && loads("ring") == loads("bounded");
        html! {
            <>
            if same {
                <p class="hint" id="bounded-note">{t("Bounded loads placed every key where the ring did: no node reached c times the mean load. Lower c (say 1.05) to see it move keys off the fullest nodes.")}</p>
            }
            <div class="scroll" tabindex="0" role="region" aria-label={t("The algorithms compared (table)")}>
                <table class="compare" id="compare-table">
                    <thead><tr><th>{t("algorithm")}</th><th>{t("keys per node")}</th><th>{t("stddev / mean")}</th><th>{t("max / mean")}</th>
                        <th>{tf!("moved on add (ideal {} %)", Fixed(ideal, 2))}</th><th>{t("moved on remove")}</th><th>{t("moved elsewhere than the new node")}</th><th>{t("lookup ns (this browser)")}</th></tr></thead>
                    <tbody>{ for body }</tbody>
                </table>
            </div>
            </>
        }
    });
    html! {
        <section class="panel" aria-label={t("Compare algorithms")}>
            <form class="row" onsubmit={submit} novalidate=true>
                <label>{t("Nodes")}<input ref={nodes} id="cmp-nodes" type="number" value={n0.to_string()} min="1" max="200" /></label>
                <label>{t("Keys")}<input ref={keys} id="cmp-keys" type="number" value={k0.to_string()} min="1" max="200000" /></label>
                <label>{t("Virtual nodes")}<input ref={vnodes} id="cmp-vnodes" type="number" value={v0.to_string()} min="1" max={MAX_VNODES.to_string()} /></label>
                <label>{t("c (bounded loads)")}<input ref={c} id="cmp-c" value={crate::num::short(c0)} /></label>
                <button type="submit" id="btn-compare" class="primary">{t("Run all six")}</button>
            </form>
            <p class="hint">{t("The same keys (key-0 … key-K) and the same churn for every algorithm: N nodes, then a node added (N+1), then the last node removed (N−1). Lookup time is measured here, in your browser, per lookup.")}</p>
            { table.unwrap_or_else(|| html! { <p>{t("Press “Run all six”.")}</p> }) }
        </section>
    }
}
