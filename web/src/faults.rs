//! The fault-script editor: a timeline with a lane per node, a lane per slowed link and one for
//! the whole network; each timed fault is a marker to drag in time. Every change rebuilds the
//! run from its seed with the new script and brings it back to the same moment, so the effect
//! of moving a fault shows at once, and the run stays exactly replayable.

use distlab_core::echo::Echo;
use distlab_core::faultscript::{FaultStep, Timed, MAX_AT_MS, MAX_REQUEST_CHARS, MAX_STEPS};
use distlab_core::lab::LabConfig;
use yew::prelude::*;

use crate::dom::{read_input, read_select};
use crate::i18n::t;
use crate::num::{f1, Fixed};
use crate::settings::count_in;
use crate::state::Msg;
use crate::tf;

const LEFT: f64 = 90.0;
const RIGHT: f64 = 20.0;
const LANE: f64 = 26.0;

#[derive(Properties, PartialEq)]
pub struct FaultsProps {
    pub config: LabConfig,
    pub names: Vec<String>,
    /// Virtual time now, in microseconds.
    pub now_us: u64,
    pub send: Callback<Msg>,
}

/// The lane a step is drawn in: a node, a link, or the network.
#[derive(Clone, PartialEq)]
enum Lane {
    Node(u32),
    Link(u32, u32),
    Network,
}

fn lane_of(s: &FaultStep) -> Lane {
    match s {
        FaultStep::Crash { node }
        | FaultStep::Restart { node }
        | FaultStep::ClockSkew { node, .. }
        | FaultStep::Request { node, .. } => Lane::Node(*node),
        FaultStep::SlowLink { node, to, .. } => Lane::Link(*node, *to),
        _ => Lane::Network,
    }
}

fn glyph(s: &FaultStep) -> &'static str {
    match s {
        FaultStep::Crash { .. } => "✕",
        FaultStep::Restart { .. } => "▲",
        FaultStep::Partition { .. } => "✂",
        FaultStep::Heal => "✚",
        FaultStep::SlowLink { .. } => "»",
        FaultStep::ClockSkew { .. } => "◷",
        FaultStep::Swizzle { .. } => "≋",
        FaultStep::Request { .. } => "✉",
    }
}

/// A step in words, in the page's language: the core's description
/// ([`FaultStep::describe`], which the English matches word for word but for "S1 clock", not
/// "S1's clock": a catalogue's template takes the "s" for a key), with a list of nodes as one
/// hole so a partition of any size has one translation.
fn describe(s: &FaultStep, name: &dyn Fn(u32) -> String) -> String {
    let list = |ns: &[u32]| ns.iter().map(|n| name(*n)).collect::<Vec<_>>().join(", ");
    match s {
        FaultStep::Crash { node } => tf!("crash {}", name(*node)),
        FaultStep::Restart { node } => tf!("restart {}", name(*node)),
        FaultStep::Partition { nodes } => tf!("split off {}", list(nodes)),
        FaultStep::Heal => t("heal the network"),
        FaultStep::SlowLink { node, to, factor } => tf!("{} → {} {}× slower", name(*node), name(*to), factor),
        FaultStep::ClockSkew { node, pct } => tf!("{} clock {}%", name(*node), format!("{pct:+}")),
        FaultStep::Swizzle { nodes, spacing_ms } => tf!("swizzle {} every {} ms", list(nodes), spacing_ms),
        // The request as typed: a hole, never translated.
        FaultStep::Request { node, op } => tf!("“{}” to {}", op, name(*node)),
    }
}

/// Parse a clock skew: how many percent slow the clock runs, a whole number from -90 (fast) to 900.
fn parse_skew(v: &str) -> Result<i32, String> {
    let bad = || tf!("the clock skew is a whole percentage from {} to {} (got {})", -90, 900, Echo(v));
    v.trim().parse::<i32>().ok().filter(|x| (-90..=900).contains(x)).ok_or_else(bad)
}

/// Parse "1, 3" (node numbers as shown, from 1; ranges too) into node ids.
fn parse_nodes(text: &str, count: usize) -> Result<Vec<u32>, String> {
    crate::nodelist::parse_nodes(text, count, count)
}

#[function_component(FaultScript)]
pub fn fault_script(p: &FaultsProps) -> Html {
    crate::lang::use_lang();
    let script = &p.config.fault_script;
    let dragging = use_state(|| None::<(usize, u64)>);
    let svg = use_node_ref();
    let (kind, at, a, b, value) =
        (use_node_ref(), use_node_ref(), use_node_ref(), use_node_ref(), use_node_ref());
    let count = p.names.len();
    let now_ms = p.now_us / 1000;
    let end_ms = script.iter().map(|t| t.at_ms).max().unwrap_or(0).max(now_ms).max(1500) + 500;
    let strip = use_node_ref();
    let w = crate::hooks::use_strip_width(strip.clone());
    let x = move |ms: u64| LEFT + ms.min(end_ms) as f64 / end_ms as f64 * (w - LEFT - RIGHT);
    // Lanes: every node (in a crowd, each node with a scripted step), then each slowed link,
    // then the network.
    let crowd = count > crate::diagram::LANES_ALL;
    let scripted = |n: u32| script.iter().any(|t| lane_of(&t.step) == Lane::Node(n));
    let mut lanes: Vec<Lane> = (0..count as u32).filter(|n| !crowd || scripted(*n)).map(Lane::Node).collect();
    for t in script {
        if let l @ Lane::Link(..) = lane_of(&t.step) {
            if !lanes.contains(&l) {
                lanes.push(l);
            }
        }
    }
    lanes.push(Lane::Network);
    let name = |n: u32| p.names.get(n as usize).cloned().unwrap_or_else(|| format!("#{}", n + 1));
    let lane = crate::diagram::lane_height(LANE, lanes.len());
    let font = crate::diagram::lane_font(lane, LANE);
    let h = 20.0 + lane * lanes.len() as f64;
    let apply = {
        let (send, config) = (p.send.clone(), p.config.clone());
        move |s: Vec<Timed>| send.emit(Msg::Reconfigure(LabConfig { fault_script: s, ..config.clone() }))
    };
    let to_ms = {
        let svg = svg.clone();
        move |client_x: i32| -> u64 {
            let Some(el) = svg.cast::<web_sys::Element>() else { return 0 };
            let r = el.get_bounding_client_rect();
            let vx = (client_x as f64 - r.left()) / r.width().max(1.0) * w;
            let f = ((vx - LEFT) / (w - LEFT - RIGHT)).clamp(0.0, 1.0);
            ((f * end_ms as f64) / 10.0).round() as u64 * 10
        }
    };
    let on_move = {
        let (dragging, to_ms) = (dragging.clone(), to_ms.clone());
        Callback::from(move |e: PointerEvent| {
            if let Some((i, _)) = *dragging {
                dragging.set(Some((i, to_ms(e.client_x()))));
            }
        })
    };
    let on_up = {
        let (dragging, script, apply) = (dragging.clone(), script.clone(), apply.clone());
        Callback::from(move |_: PointerEvent| {
            if let Some((i, ms)) = *dragging {
                let mut s = script.clone();
                if let Some(t) = s.get_mut(i) {
                    t.at_ms = ms.min(MAX_AT_MS);
                }
                dragging.set(None);
                apply(s);
            }
        })
    };
    let lane_rows = lanes.iter().enumerate().map(|(k, l)| {
        let y = 14.0 + lane * (k as f64 + 0.5);
        let label = match l {
            Lane::Node(n) => name(*n),
            Lane::Link(a, b) => format!("{} → {}", name(*a), name(*b)),
            Lane::Network => t("network"),
        };
        html! {
            <g class="lane">
                <text class="lane-name" x={f1(LEFT - 8.0)} y={f1(y + 4.0)} style={font.clone()}>{label}</text>
                <line x1={f1(LEFT)} x2={f1(w - RIGHT)} y1={f1(y)} y2={f1(y)} />
            </g>
        }
    });
    let markers = script.iter().enumerate().map(|(i, timed)| {
        let k = lanes.iter().position(|l| *l == lane_of(&timed.step)).unwrap_or(lanes.len() - 1);
        let y = 14.0 + lane * (k as f64 + 0.5);
        let ms = match *dragging {
            Some((j, ms)) if j == i => ms,
            _ => timed.at_ms,
        };
        let down = {
            let dragging = dragging.clone();
            let at = timed.at_ms;
            Callback::from(move |e: PointerEvent| {
                e.prevent_default();
                dragging.set(Some((i, at)));
            })
        };
        // From the keyboard: ← and → move it 10 ms (with Shift, 100 ms), Home to 0, Delete
        // removes it. Each move rebuilds the run, as a drag does.
        let key = {
            let (script, apply) = (script.clone(), apply.clone());
            Callback::from(move |e: KeyboardEvent| {
                let mut s = script.clone();
                let Some(t) = s.get_mut(i) else { return };
                let by = if e.shift_key() { 100 } else { 10 };
                match e.key().as_str() {
                    "ArrowLeft" | "ArrowDown" => t.at_ms = t.at_ms.saturating_sub(by),
                    "ArrowRight" | "ArrowUp" => t.at_ms = (t.at_ms + by).min(MAX_AT_MS),
                    "Home" => t.at_ms = 0,
                    "Delete" | "Backspace" => {
                        s.remove(i);
                    }
                    _ => return,
                }
                e.prevent_default();
                apply(s);
            })
        };
        let what = describe(&timed.step, &name);
        let title = format!(
            "{} {}",
            tf!("{} at {} ms.", what, ms),
            t("Drag, or ← → (Shift: 100 ms), to move it in time; Delete removes it.")
        );
        html! {
            <g class={classes!("fmark", (dragging.map(|d| d.0) == Some(i)).then_some("dragging"))} onpointerdown={down} onkeydown={key} data-step={i.to_string()}
               tabindex="0" role="slider" aria-label={what} aria-valuemin="0" aria-valuemax={MAX_AT_MS.to_string()}
               aria-valuenow={ms.to_string()} aria-valuetext={format!("{ms} ms")}>
                <title>{title}</title>
                <circle cx={format!("{}", Fixed(x(ms), 1))} cy={format!("{}", Fixed(y, 1))} r="10" />
                <text x={format!("{}", Fixed(x(ms), 1))} y={format!("{}", Fixed(y + 4.0, 1))}>{glyph(&timed.step)}</text>
            </g>
        }
    });
    let ticks = (0..=4).map(|k| {
        let ms = end_ms * k / 4;
        html! { <text class="tick" x={format!("{}", Fixed(x(ms), 1))} y="10">{format!("{} s", Fixed(ms as f64 / 1000.0, 1))}</text> }
    });
    let add = {
        let (kind, at, a, b, value) = (kind.clone(), at.clone(), a.clone(), b.clone(), value.clone());
        let (send, script, apply) = (p.send.clone(), script.clone(), apply.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let step = (|| -> Result<Timed, String> {
                let at_ms = count_in(&t("at (ms)"), &read_input(&at), 0, MAX_AT_MS as usize)? as u64;
                let one = |r: &NodeRef| parse_nodes(&read_input(r), count).map(|v| v[0]);
                let step = match read_select(&kind).as_str() {
                    "crash" => FaultStep::Crash { node: one(&a)? },
                    "restart" => FaultStep::Restart { node: one(&a)? },
                    "partition" => FaultStep::Partition { nodes: parse_nodes(&read_input(&a), count)? },
                    "heal" => FaultStep::Heal,
                    "slow-link" => FaultStep::SlowLink {
                        node: one(&a)?,
                        to: one(&b)?,
                        factor: count_in(&t("slow-down ×"), &read_input(&value), 1, 100)? as u32,
                    },
                    "clock-skew" => {
                        let pct = parse_skew(&read_input(&value))?;
                        FaultStep::ClockSkew { node: one(&a)?, pct }
                    }
                    "swizzle" => FaultStep::Swizzle {
                        nodes: parse_nodes(&read_input(&a), count)?,
                        spacing_ms: count_in(&t("spacing (ms)"), &read_input(&value), 1, 60_000)? as u64,
                    },
                    // Checked here for its length; the protocol parses it when the run is
                    // rebuilt, and a refusal comes back as the run's error, the script as it was.
                    "request" => {
                        let op = read_input(&value).trim().to_string();
                        if op.is_empty() || op.chars().count() > MAX_REQUEST_CHARS {
                            return Err(tf!(
                                "a request is {} to {} characters, typed in Value",
                                1,
                                MAX_REQUEST_CHARS
                            ));
                        }
                        FaultStep::Request { node: one(&a)?, op }
                    }
                    _ => return Err(t("choose a fault")),
                };
                Ok(Timed { at_ms, step })
            })();
            match step {
                Ok(t) if script.len() < MAX_STEPS => {
                    let mut s = script.clone();
                    s.push(t);
                    apply(s);
                }
                Ok(_) => send.emit(Msg::Error(tf!("a fault script holds at most {} steps", MAX_STEPS))),
                Err(e) => send.emit(Msg::Error(e)),
            }
        })
    };
    let list = script.iter().enumerate().map(|(i, timed)| {
        let remove = {
            let (script, apply) = (script.clone(), apply.clone());
            Callback::from(move |_: MouseEvent| {
                let mut s = script.clone();
                s.remove(i);
                apply(s);
            })
        };
        html! { <li>{tf!("{} ms · {}", timed.at_ms, describe(&timed.step, &name))}{" "}
            <button class="chip" aria-label={tf!("Remove step {}", i + 1)} onclick={remove}>{t("remove")}</button></li> }
    });
    html! {
        <section class="faults" aria-label={t("Fault script")} id="faults-panel">
            <h2>{t("Fault script")}<small>{" · "}{t("timed faults, replayed exactly with the run; drag a marker to move it in time (the run is rebuilt and brought back to this moment)")}</small></h2>
            if crowd {
                <p class="hint">{tf!("Of the {} nodes, only those with a scripted fault have a lane.", count)}</p>
            }
            <div class="scroll" ref={strip}>
                <svg ref={svg} viewBox={format!("0 0 {} {}", Fixed(w, 0), Fixed(h, 0))} class="faults-svg" onpointermove={on_move} onpointerup={on_up.clone()} onpointerleave={on_up}>
                    { for ticks }
                    { for lane_rows }
                    <line class="now" x1={format!("{}", Fixed(x(now_ms), 1))} x2={format!("{}", Fixed(x(now_ms), 1))} y1="12" y2={f1(h)} />
                    { for markers }
                </svg>
            </div>
            <form class="row fault-add" onsubmit={add} novalidate=true>
                <label>{t("Fault")}<select ref={kind} id="fault-kind">
                    <option value="crash" selected=true>{t("crash")}</option>
                    <option value="restart">{t("restart")}</option>
                    <option value="partition">{t("partition (split these off)")}</option>
                    <option value="heal">{t("heal")}</option>
                    <option value="slow-link">{t("slow link (node → to, × slower)")}</option>
                    <option value="clock-skew">{t("clock skew (node, % slow)")}</option>
                    <option value="swizzle">{t("swizzle (nodes, spacing ms)")}</option>
                    <option value="request">{t("request (node, the request as typed in Value)")}</option>
                </select></label>
                <label>{t("At (ms)")}<input ref={at} id="fault-at" inputmode="numeric" value={now_ms.to_string()} /></label>
                <label>{t("Node(s)")}<input ref={a} id="fault-nodes" placeholder={t("1 or 1, 3")} /></label>
                <label>{t("To")}<input ref={b} id="fault-to" placeholder="2" /></label>
                <label>{t("Value")}<input ref={value} id="fault-value" placeholder={t("× / % / ms / a request")} /></label>
                <button type="submit" id="btn-fault-add">{t("Add")}</button>
            </form>
            { if script.is_empty() { html! { <p class="hint">{t("No scripted faults yet. (The Faults menu adds random ones; this script adds yours, at the times you choose.)")}</p> } } else { html! { <ol class="fault-list" id="fault-list">{ for list }</ol> } } }
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The page's description of a step is the core's, word for word, in English (but for the
    /// possessive).
    #[test]
    fn a_step_is_described_as_the_core_describes_it() {
        let name = |n: u32| format!("S{}", n + 1);
        for step in [
            FaultStep::Crash { node: 0 },
            FaultStep::Restart { node: 2 },
            FaultStep::Partition { nodes: vec![0] },
            FaultStep::Partition { nodes: vec![0, 3, 4] },
            FaultStep::Heal,
            FaultStep::SlowLink { node: 1, to: 2, factor: 5 },
            FaultStep::ClockSkew { node: 1, pct: 50 },
            FaultStep::ClockSkew { node: 1, pct: -30 },
            FaultStep::Swizzle { nodes: vec![1, 2], spacing_ms: 40 },
            FaultStep::Request { node: 0, op: "join G3".into() },
        ] {
            assert_eq!(describe(&step, &name), step.describe(&name).replace("'s clock", " clock"));
        }
    }
}
