//! Raft and Multi-Paxos side by side on the same seed and the same fault schedule: messages
//! per committed command, commit latency, time without a leader (see `distlab_core::compare`).

use distlab_core::compare::{page_runs, schedule, Fault, Metrics, Timeline, CLIENTS, MAX_SECONDS, SERVERS};
use distlab_core::echo::Echo;
use distlab_core::protocol::Time;
use yew::prelude::*;

use crate::dom::read_input;
use crate::i18n::t;
use crate::num::{f1, Fixed};
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

/// The comparison's own page: the run its link names (read once, when the page opens), else
/// seed 1 for 20 s, run at once.
#[function_component(ComparePage)]
pub fn compare_page(p: &ComparePageProps) -> Html {
    crate::lang::use_lang();
    let opened = use_memo((), |_| from_fragment(&crate::header::location_hash()));
    let (seed, seconds, link_error) = match &*opened {
        Ok(Some((seed, seconds))) => (*seed, *seconds, None),
        Ok(None) => (1, DEFAULT_SECONDS, None),
        Err(e) => (
            1,
            DEFAULT_SECONDS,
            Some(tf!("The link could not be opened: {}. This is the page as it always opens.", e)),
        ),
    };
    html! { <Compare {seed} {seconds} run_at_open=true own_page=true embedded={p.embedded} {link_error} /> }
}

// The form's messages, worded here in the reader's language (they quote what was typed, which
// no catalogue entry could hold); in English, the words of `parse_seed` and `parse_count`.
fn seed_error(text: &str) -> String {
    tf!("the seed must be a whole number from {} to {} (got {})", 0, 1u64 << 53, Echo(text))
}

fn seconds_error(text: &str) -> String {
    tf!("{} must be a whole number from {} to {} (got {})", t("seconds"), 1, MAX_SECONDS, Echo(text))
}

/// The three runs the page shows, in its columns' order: Raft, Raft with Pre-Vote, Multi-Paxos.
const COLUMNS: [&str; 3] = ["Raft", "Raft + Pre-Vote", "Multi-Paxos"];

type Runs = [(Metrics, Timeline); 3];

#[function_component(Compare)]
pub fn compare_panel(p: &CompareProps) -> Html {
    crate::lang::use_lang();
    let result = use_state(|| p.run_at_open.then(|| (p.seed, p.seconds, page_runs(p.seed, p.seconds))));
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
                    result.set(Some((s, n, page_runs(s, n))));
                }
                Err(e) => error.set(Some(e)),
            }
        })
    };
    let shown = result.as_ref().map(|(s, n, runs)| {
        html! {
            <>
                { timeline(*s, *n, runs) }
                { findings(runs) }
                { table(*s, *n, runs) }
                { kinds(runs) }
            </>
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
            <p class="hint">{t("The same key-value clients run on five servers under one fault schedule drawn from the seed: every second or so a server crashes or is cut off, then comes back. Three runs meet exactly the same faults: Raft as in its paper, Raft with Pre-Vote (from Ongaro's thesis), and Multi-Paxos. In the timeline, a gap is time without a leader, when no command commits; the findings under it give the numbers and the reasons.")}</p>
            <form class="row" onsubmit={run} novalidate=true>
                <label>{t("Seed")}<input ref={seed} id="compare-seed" inputmode="numeric" value={p.seed.to_string()} /></label>
                <label>{t("Seconds")}<input ref={seconds} id="compare-seconds" type="number" min="1" max={MAX_SECONDS.to_string()} value={p.seconds.to_string()} /></label>
                <button type="submit" id="btn-compare">{ if result.is_some() { t("Run again") } else { t("Run all three") } }</button>
            </form>
            { for (*error).as_ref().map(|e| html! { <p class="banner error" role="alert">{e}</p> }) }
            { for shown }
            { embed }
        </section>
    }
}

fn seconds_text(ms: f64) -> String {
    format!("{} s", Fixed(ms / 1000.0, 1))
}

/// What this run shows, in three sentences built from its numbers, each with the reason.
fn findings(runs: &Runs) -> Html {
    let [(raft, _), (prevote, _), (mp, _)] = runs;
    let leaderless = tf!(
        "Without a leader: Raft {}, Raft with Pre-Vote {}, Multi-Paxos {}.",
        seconds_text(raft.leaderless_ms),
        seconds_text(prevote.leaderless_ms),
        seconds_text(mp.leaderless_ms)
    );
    let latency = tf!(
        "Slowest {} of commits ({}): Raft {} ms, Raft with Pre-Vote {} ms, Multi-Paxos {} ms.",
        "5 %",
        "p95",
        f1(raft.latency_p95_ms),
        f1(prevote.latency_p95_ms),
        f1(mp.latency_p95_ms)
    );
    let messages = tf!(
        "Messages per committed command: Raft {}, Raft with Pre-Vote {}, Multi-Paxos {}.",
        f1(raft.messages_per_command),
        f1(prevote.messages_per_command),
        f1(mp.messages_per_command)
    );
    html! {
        <ol class="findings" id="compare-findings">
            <li><b>{leaderless}</b>{" "}{t("A server cut off keeps starting elections, at ever higher terms. Back, its higher term deposes Raft's leader, but its log is behind, so it cannot win (Raft elects only a server whose log is up to date), and the cluster waits for another election. With Pre-Vote a server first asks whether it could win. Multi-Paxos lets any server lead: its phase 1 adopts what a majority accepted.")}</li>
            <li><b>{latency}</b>{" "}{t("A command that arrives while no server leads waits for the next leader: the slowest commits are the ones caught by a change of leader.")}</li>
            <li><b>{messages}</b>{" "}{t("Most are the replication round and heartbeats (by kind, below). Raft's heartbeats (empty AppendEntries) each get an answer, and this Raft sends a follower every entry from its next index, so an entry can go out twice while an earlier call is unanswered (etcd pipelines instead). Multi-Paxos here sends one Accept per command, and heartbeats that get no answer.")}</li>
        </ol>
    }
}

/// Position along the run, in percent of its length.
fn at(t: Time, end: u64) -> f64 {
    (t.0 as f64 / end.max(1) as f64 * 100.0).clamp(0.0, 100.0)
}

fn span_style(from: Time, to: Time, end: u64, colour: &str) -> String {
    let (a, b) = (at(from, end), at(to, end));
    format!(
        "left:{}%;width:{}%;background:{};color:{}",
        Fixed(a, 2),
        Fixed((b - a).max(0.15), 2),
        colour,
        crate::palette::ink(colour)
    )
}

/// The faults and each run's leaders along one time axis, with the commits per half second
/// under each run: the gaps are the time without a leader.
fn timeline(seed: u64, seconds: u64, runs: &Runs) -> Html {
    let end = seconds * 1_000_000;
    let faults = schedule(seed, seconds);
    let fault_spans = faults.chunks(2).filter_map(|pair| {
        let [(from, f), (to, _)] = pair else { return None };
        let (label, class, colour) = match f {
            Fault::Crash(n) => (tf!("{} down", n), "crash", "#D55E00"),
            Fault::Isolate(n) => (tf!("{} cut off", n), "cut", "#8a94a6"),
            _ => return None,
        };
        let title = tf!("{}: {} to {}", label, seconds_text(from.0 as f64 / 1000.0), seconds_text(to.0 as f64 / 1000.0));
        Some(html! { <span class={classes!("tl-span", class)} style={span_style(*from, *to, end, colour)} {title}>{label}</span> })
    });
    let bins = (seconds * 2).max(1) as usize;
    let rows = runs.iter().zip(COLUMNS).map(|((_, tl), name)| {
        let spans = tl.leaders.iter().map(|(from, to, n)| {
            let colour = crate::palette::hue(Some(n.0 as u64));
            let title = tf!("{} leads: {} to {}", n, seconds_text(from.0 as f64 / 1000.0), seconds_text(to.0 as f64 / 1000.0));
            html! { <span class="tl-span" style={span_style(*from, *to, end, colour)} {title}>{n.to_string()}</span> }
        });
        let mut counts = vec![0u32; bins];
        for c in &tl.commits {
            let i = ((c.0 as u128 * bins as u128) / end.max(1) as u128) as usize;
            counts[i.min(bins - 1)] += 1;
        }
        let top = counts.iter().copied().max().unwrap_or(0).max(1);
        let bars = counts.iter().enumerate().filter(|(_, c)| **c > 0).map(|(i, c)| {
            let h = *c as f64 / top as f64 * 10.0;
            html! { <rect x={i.to_string()} y={format!("{}", Fixed(10.0 - h, 2))} width="0.8" height={format!("{}", Fixed(h, 2))} /> }
        });
        html! {
            <div class="tl-row">
                <div class="tl-label" translate="no">{name}</div>
                <div class="tl-track">{ for spans }</div>
                <svg class="tl-commits" viewBox={format!("0 0 {bins} 10")} preserveAspectRatio="none" aria-hidden="true">{ for bars }</svg>
            </div>
        }
    });
    let step = match seconds {
        0..=10 => 1,
        11..=30 => 5,
        31..=60 => 10,
        _ => 20,
    };
    let ticks = (0..=seconds).step_by(step).map(|s| {
        html! { <span class="tl-tick" style={format!("left:{}%", Fixed(at(Time(s * 1_000_000), end), 2))}>{format!("{s} s")}</span> }
    });
    html! {
        <figure class="timeline" id="compare-timeline">
            <figcaption>{t("Who leads when, under the faults (each bar a leader; a gap, no leader), and commits per half second under each run.")}</figcaption>
            <div class="tl-row">
                <div class="tl-label">{t("faults")}</div>
                <div class="tl-track">{ for fault_spans }</div>
            </div>
            { for rows }
            <div class="tl-axis">{ for ticks }</div>
        </figure>
    }
}

fn row(label: &str, id: &str, f: impl Fn(&Metrics) -> String, runs: &Runs) -> Html {
    html! {
        <tr id={id.to_string()}><th scope="row">{label}</th>{ for runs.iter().map(|(m, _)| html! { <td>{f(m)}</td> }) }</tr>
    }
}

fn table(seed: u64, seconds: u64, runs: &Runs) -> Html {
    html! {
        <div class="scroll"><table id="compare-table">
            <caption>{tf!("seed {}, {} of virtual time, {} servers, {} clients, the same crashes and partitions", seed, format!("{seconds} s"), SERVERS, CLIENTS)}</caption>
            <thead><tr><td></td>{ for COLUMNS.iter().map(|c| html! { <th scope="col" translate="no">{*c}</th> }) }</tr></thead>
            <tbody>
                { row(&t("committed commands"), "cmp-committed", |m| m.committed.to_string(), runs) }
                { row(&t("messages per command"), "cmp-messages", |m| f1(m.messages_per_command), runs) }
                { row(&t("commit latency, mean (ms)"), "cmp-latency", |m| f1(m.latency_mean_ms), runs) }
                { row(&t("commit latency, p95 (ms)"), "cmp-p95", |m| f1(m.latency_p95_ms), runs) }
                { row(&t("time without a leader (ms)"), "cmp-leaderless", |m| f1(m.leaderless_ms), runs) }
                { row(&t("leaders elected"), "cmp-elections", |m| m.elections.to_string(), runs) }
            </tbody>
        </table></div>
    }
}

/// Each run's messages by kind, most first, with their share.
fn kinds(runs: &Runs) -> Html {
    let lines = runs.iter().zip(COLUMNS).map(|((m, tl), name)| {
        let total = m.messages.max(1) as f64;
        let parts = tl.kinds.iter().map(|(kind, n)| {
            html! { <li><span translate="no">{*kind}</span>{format!(" {n} ({} %)", Fixed(*n as f64 / total * 100.0, 0))}</li> }
        });
        html! { <div class="kinds-row"><h3 translate="no">{name}</h3><ul class="kinds">{ for parts }</ul></div> }
    });
    html! {
        <div class="compare-kinds" id="compare-kinds">
            <p class="hint">{t("Messages by kind (a message a server sends itself crosses no network and is not counted):")}</p>
            { for lines }
        </div>
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
