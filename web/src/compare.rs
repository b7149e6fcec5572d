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

/// The form's seconds when a link names none.
const DEFAULT_SECONDS: u64 = 20;

#[derive(Properties, PartialEq)]
pub struct CompareProps {
    pub seed: u64,
    #[prop_or(DEFAULT_SECONDS)]
    pub seconds: u64,
    /// Run both at once (a link named the run), rather than on the reader's click.
    #[prop_or_default]
    pub run_at_open: bool,
    /// On the comparison's own page: the embed code's button (and when embedded, the link to
    /// the whole page instead).
    #[prop_or_default]
    pub own_page: bool,
    #[prop_or_default]
    pub embedded: bool,
    /// Why the link the page was opened from could not be read.
    #[prop_or_default]
    pub link_error: Option<String>,
}

/// The run a link names: `#compare/seed=7&seconds=20` (either left out: seed 1, 20 seconds);
/// `None` for a fragment that names none (`#compare`). A value that cannot be read is an error
/// naming it.
pub fn from_fragment(hash: &str) -> Result<Option<(u64, u64)>, String> {
    let Some(settings) = hash.trim_start_matches('#').strip_prefix("compare/").filter(|s| !s.is_empty())
    else {
        return Ok(None);
    };
    let (mut seed, mut seconds) = (1, DEFAULT_SECONDS);
    for kv in settings.split('&').filter(|kv| !kv.is_empty()) {
        match kv.split_once('=').unwrap_or((kv, "")) {
            ("seed", text) => seed = parse_seed(text).map_err(|_| seed_error(text))?,
            ("seconds", text) => {
                seconds = parse_count("seconds", text, 1, MAX_SECONDS as usize)
                    .map_err(|_| seconds_error(text))? as u64
            }
            (key, _) => {
                return Err(tf!(
                    "the link's {} is not a setting of this view ({})",
                    Echo(key),
                    "seed, seconds"
                ))
            }
        }
    }
    Ok(Some((seed, seconds)))
}

/// The fragment that names a run.
pub fn fragment(seed: u64, seconds: u64) -> String {
    format!("#compare/seed={seed}&seconds={seconds}")
}

#[derive(Properties, PartialEq)]
pub struct ComparePageProps {
    pub embedded: bool,
}

/// The comparison's own page: the run its link names (read once, when the page opens), run at
/// once; without one, the form, seed 1.
#[function_component(ComparePage)]
pub fn compare_page(p: &ComparePageProps) -> Html {
    crate::lang::use_lang();
    let opened = use_memo((), |_| from_fragment(&crate::header::location_hash()));
    let (seed, seconds, run_at_open, link_error) = match &*opened {
        Ok(Some((seed, seconds))) => (*seed, *seconds, true, None),
        Ok(None) => (1, DEFAULT_SECONDS, false, None),
        Err(e) => (
            1,
            DEFAULT_SECONDS,
            false,
            Some(tf!("The link could not be opened: {}. This is the page as it always opens.", e)),
        ),
    };
    html! { <Compare {seed} {seconds} {run_at_open} own_page=true embedded={p.embedded} {link_error} /> }
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
    let result = use_state(|| p.run_at_open.then(|| (p.seed, p.seconds, compare(p.seed, p.seconds))));
    let error = use_state(|| p.link_error.clone());
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
            <div class="scroll"><table id="compare-table">
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
            </table></div>
        }
    });
    // What the embed code (or, embedded, the link to the whole page) shows: the last run, else
    // the one the form opened with.
    let (seed_now, seconds_now) = result.as_ref().map_or((p.seed, p.seconds), |(s, n, _)| (*s, *n));
    let embed = if !p.own_page {
        Html::default()
    } else if p.embedded {
        crate::embed::credit(
            crate::pages::address(crate::pages::COMPARE, &fragment(seed_now, seconds_now)),
            "Raft and Multi-Paxos",
        )
    } else {
        html! { <crate::embed::EmbedButton page={crate::pages::COMPARE} fragment={fragment(seed_now, seconds_now)}
        hint={t("Paste this into your page's HTML: it shows this comparison, run on this seed for these seconds. (Copied, if the browser allowed it.)")} /> }
    };
    html! {
        <section class="board compare" aria-label={t("Raft and Multi-Paxos compared")}>
            <h2>{t("Raft and Multi-Paxos, same seed, same faults")}</h2>
            <p class="hint">{t("Both run the same key-value clients under one fault schedule drawn from the seed (a server crashes or is cut off every second or so). Between faults, Raft sends one AppendEntries round per batch of entries and carries the commit index on it; Multi-Paxos sends one Accept round per command. Under faults, heartbeats, retries and elections add to both: read the latency tail beside the time without a leader, during which no command commits.")}</p>
            <form class="row" onsubmit={run} novalidate=true>
                <label>{t("Seed")}<input ref={seed} id="compare-seed" inputmode="numeric" value={p.seed.to_string()} /></label>
                <label>{t("Seconds")}<input ref={seconds} id="compare-seconds" type="number" min="1" max={MAX_SECONDS.to_string()} value={p.seconds.to_string()} /></label>
                <button type="submit" id="btn-compare">{t("Run both")}</button>
            </form>
            { for (*error).as_ref().map(|e| html! { <p class="banner error" role="alert">{e}</p> }) }
            { for table }
            { embed }
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_comes_back_from_its_fragment() {
        assert_eq!(from_fragment(&fragment(7, 45)), Ok(Some((7, 45))));
        assert_eq!(from_fragment("#compare/seed=9"), Ok(Some((9, DEFAULT_SECONDS))));
        for hash in ["", "#compare", "#compare/"] {
            assert_eq!(from_fragment(hash), Ok(None), "{hash}");
        }
        for (hash, said) in [
            ("#compare/seed=x", "seed"),
            ("#compare/seed=9007199254740993", "seed"),
            ("#compare/seconds=0", "seconds"),
            ("#compare/seconds=121", "seconds"),
            ("#compare/speed=2", "speed"),
        ] {
            let e = from_fragment(hash).expect_err(hash);
            assert!(e.contains(said), "{hash}: {e}");
        }
    }
}
