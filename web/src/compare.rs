//! Raft and Multi-Paxos side by side on the same seed and the same fault schedule: messages
//! per committed command, commit latency, time without a leader (see `distlab_core::compare`).

use distlab_core::compare::{compare, Metrics, MAX_SECONDS};
use distlab_core::echo::Echo;
use yew::prelude::*;

use crate::dom::read_input;
use crate::i18n::t;
use crate::num::Fixed;
use crate::num::{parse_count, parse_seed};
use crate::tf;

#[derive(Properties, PartialEq)]
pub struct CompareProps {
    pub seed: u64,
}

fn row(label: &str, id: &str, f: impl Fn(&Metrics) -> String, ms: &[Metrics; 2]) -> Html {
    html! { <tr id={id.to_string()}><th scope="row">{label}</th><td>{f(&ms[0])}</td><td>{f(&ms[1])}</td></tr> }
}

// The form's messages, worded here in the reader's language (they quote what was typed, which
// no catalogue entry could hold); in English, the words of `parse_seed` and `parse_count`.
fn seed_error(text: &str) -> String {
    tf!("the seed must be a whole number from {} to {} (got {})", 0, 1u64 << 53, Echo(text))
}

fn seconds_error(text: &str) -> String {
    tf!("{} must be a whole number from {} to {} (got {})", t("seconds"), 1, MAX_SECONDS, Echo(text))
}

#[function_component(Compare)]
pub fn compare_panel(p: &CompareProps) -> Html {
    crate::lang::use_lang();
    let result = use_state(|| None::<(u64, u64, [Metrics; 2])>);
    let error = use_state(|| None::<String>);
    let seed = use_node_ref();
    let seconds = use_node_ref();
    let run = {
        let (result, error, seed, seconds) = (result.clone(), error.clone(), seed.clone(), seconds.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let (seed_text, seconds_text) = (read_input(&seed), read_input(&seconds));
            let parsed = parse_seed(&seed_text).map_err(|_| seed_error(&seed_text)).and_then(|s| {
                parse_count("seconds", &seconds_text, 1, MAX_SECONDS as usize)
                    .map(|n| (s, n as u64))
                    .map_err(|_| seconds_error(&seconds_text))
            });
            match parsed {
                Ok((s, n)) => {
                    error.set(None);
                    result.set(Some((s, n, compare(s, n))));
                }
                Err(e) => error.set(Some(e)),
            }
        })
    };
    let f1 = |x: f64| format!("{}", Fixed(x, 1));
    let table = result.as_ref().map(|(s, n, ms)| {
        html! {
            <table id="compare-table">
                <caption>{tf!("seed {}, {} of virtual time, {} servers, {} clients, the same crashes and partitions", s, format!("{n} s"), 5, 2)}</caption>
                <thead><tr><td></td><th scope="col" translate="no">{"Raft"}</th><th scope="col" translate="no">{"Multi-Paxos"}</th></tr></thead>
                <tbody>
                    { row(&t("committed commands"), "cmp-committed", |m| m.committed.to_string(), ms) }
                    { row(&t("messages per command"), "cmp-messages", |m| f1(m.messages_per_command), ms) }
                    { row(&t("commit latency, mean (ms)"), "cmp-latency", |m| f1(m.latency_mean_ms), ms) }
                    { row(&t("commit latency, p95 (ms)"), "cmp-p95", |m| f1(m.latency_p95_ms), ms) }
                    { row(&t("time without a leader (ms)"), "cmp-leaderless", |m| f1(m.leaderless_ms), ms) }
                    { row(&t("leaders elected"), "cmp-elections", |m| m.elections.to_string(), ms) }
                </tbody>
            </table>
        }
    });
    html! {
        <section class="board compare" aria-label={t("Raft and Multi-Paxos compared")}>
            <h2>{t("Raft and Multi-Paxos, same seed, same faults")}</h2>
            <p class="hint">{t("Both run the same key-value clients under one fault schedule drawn from the seed (a server crashes or is cut off every second or so). Raft batches entries and piggybacks commits; Multi-Paxos sends one Accept round per command.")}</p>
            <form class="row" onsubmit={run} novalidate=true>
                <label>{t("Seed")}<input ref={seed} id="compare-seed" inputmode="numeric" value={p.seed.to_string()} /></label>
                <label>{t("Seconds")}<input ref={seconds} id="compare-seconds" type="number" min="1" max={MAX_SECONDS.to_string()} value="20" /></label>
                <button type="submit" id="btn-compare">{t("Run both")}</button>
            </form>
            { for (*error).as_ref().map(|e| html! { <p class="banner error" role="alert">{e}</p> }) }
            { for table }
        </section>
    }
}
