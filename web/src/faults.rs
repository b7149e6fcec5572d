//! The fault-script editor: a timeline with a lane per node, a lane per slowed link and one for
//! the whole network; each timed fault is a marker to drag in time. Every change rebuilds the
//! run from its seed with the new script and brings it back to the same moment, so the effect
//! of moving a fault shows at once, and the run stays exactly replayable.

use distlab_core::echo::Echo;
use distlab_core::faultscript::{FaultStep, Timed, MAX_AT_MS, MAX_STEPS};
use distlab_core::lab::LabConfig;
use yew::prelude::*;

use crate::dom::{read_input, read_select};
use crate::num::{f1, Fixed};
use crate::settings::parse_count;
use crate::state::Msg;

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
        FaultStep::Crash { node } | FaultStep::Restart { node } | FaultStep::ClockSkew { node, .. } => {
            Lane::Node(*node)
        }
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
    }
}

/// Parse "1, 3" (node numbers as shown, from 1) into node ids.
fn parse_nodes(text: &str, count: usize) -> Result<Vec<u32>, String> {
    let mut out = Vec::new();
    for part in text.split([',', ' ']).filter(|p| !p.is_empty()) {
        let digits = part.trim_start_matches(|c: char| c.is_ascii_alphabetic());
        match digits.parse::<u32>() {
            Ok(n) if n >= 1 && (n as usize) <= count && !out.contains(&(n - 1)) => out.push(n - 1),
            _ => {
                return Err(format!(
                    "nodes are numbers from 1 to {count}, separated by commas (got {})",
                    Echo(part)
                ))
            }
        }
    }
    if out.is_empty() {
        return Err("name at least one node".into());
    }
    Ok(out)
}

#[function_component(FaultScript)]
pub fn fault_script(p: &FaultsProps) -> Html {
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
    // Lanes: every node, then each slowed link, then the network.
    let mut lanes: Vec<Lane> = (0..count as u32).map(Lane::Node).collect();
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
            Lane::Network => "network".into(),
        };
        html! {
            <g class="lane">
                <text class="lane-name" x={f1(LEFT - 8.0)} y={f1(y + 4.0)} style={font.clone()}>{label}</text>
                <line x1={f1(LEFT)} x2={f1(w - RIGHT)} y1={f1(y)} y2={f1(y)} />
            </g>
        }
    });
    let markers = script.iter().enumerate().map(|(i, t)| {
        let k = lanes.iter().position(|l| *l == lane_of(&t.step)).unwrap_or(lanes.len() - 1);
        let y = 14.0 + lane * (k as f64 + 0.5);
        let ms = match *dragging {
            Some((j, ms)) if j == i => ms,
            _ => t.at_ms,
        };
        let down = {
            let dragging = dragging.clone();
            let at = t.at_ms;
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
        let what = t.step.describe(&name);
        let title = format!("{what} at {ms} ms. Drag, or ← → (Shift: 100 ms), to move it in time; Delete removes it.");
        html! {
            <g class={classes!("fmark", (dragging.map(|d| d.0) == Some(i)).then_some("dragging"))} onpointerdown={down} onkeydown={key} data-step={i.to_string()}
               tabindex="0" role="slider" aria-label={what} aria-valuemin="0" aria-valuemax={MAX_AT_MS.to_string()}
               aria-valuenow={ms.to_string()} aria-valuetext={format!("{ms} ms")}>
                <title>{title}</title>
                <circle cx={format!("{}", Fixed(x(ms), 1))} cy={format!("{}", Fixed(y, 1))} r="10" />
                <text x={format!("{}", Fixed(x(ms), 1))} y={format!("{}", Fixed(y + 4.0, 1))}>{glyph(&t.step)}</text>
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
                let at_ms = parse_count("at (ms)", &read_input(&at), 0, MAX_AT_MS as usize)? as u64;
                let one = |r: &NodeRef| parse_nodes(&read_input(r), count).map(|v| v[0]);
                let step = match read_select(&kind).as_str() {
                    "crash" => FaultStep::Crash { node: one(&a)? },
                    "restart" => FaultStep::Restart { node: one(&a)? },
                    "partition" => FaultStep::Partition { nodes: parse_nodes(&read_input(&a), count)? },
                    "heal" => FaultStep::Heal,
                    "slow-link" => FaultStep::SlowLink {
                        node: one(&a)?,
                        to: one(&b)?,
                        factor: parse_count("slow-down ×", &read_input(&value), 1, 100)? as u32,
                    },
                    "clock-skew" => {
                        let v = read_input(&value);
                        let pct =
                            v.trim().parse::<i32>().ok().filter(|x| (-90..=900).contains(x)).ok_or_else(
                                || {
                                    format!(
                                        "the clock skew is a whole percentage from -90 to 900 (got {})",
                                        Echo(&v)
                                    )
                                },
                            )?;
                        FaultStep::ClockSkew { node: one(&a)?, pct }
                    }
                    "swizzle" => FaultStep::Swizzle {
                        nodes: parse_nodes(&read_input(&a), count)?,
                        spacing_ms: parse_count("spacing (ms)", &read_input(&value), 1, 60_000)? as u64,
                    },
                    _ => return Err("choose a fault".into()),
                };
                Ok(Timed { at_ms, step })
            })();
            match step {
                Ok(t) if script.len() < MAX_STEPS => {
                    let mut s = script.clone();
                    s.push(t);
                    apply(s);
                }
                Ok(_) => send.emit(Msg::Error(format!("a fault script holds at most {MAX_STEPS} steps"))),
                Err(e) => send.emit(Msg::Error(e)),
            }
        })
    };
    let list = script.iter().enumerate().map(|(i, t)| {
        let remove = {
            let (script, apply) = (script.clone(), apply.clone());
            Callback::from(move |_: MouseEvent| {
                let mut s = script.clone();
                s.remove(i);
                apply(s);
            })
        };
        html! { <li>{format!("{} ms · {}", t.at_ms, t.step.describe(&name))}{" "}
            <button class="chip" aria-label={format!("Remove step {}", i + 1)} onclick={remove}>{"remove"}</button></li> }
    });
    html! {
        <section class="faults" aria-label="Fault script" id="faults-panel">
            <h2>{"Fault script"}<small>{" · timed faults, replayed exactly with the run; drag a marker to move it in time (the run is rebuilt and brought back to this moment)"}</small></h2>
            <div class="scroll" ref={strip}>
                <svg ref={svg} viewBox={format!("0 0 {} {}", Fixed(w, 0), Fixed(h, 0))} class="faults-svg" onpointermove={on_move} onpointerup={on_up.clone()} onpointerleave={on_up}>
                    { for ticks }
                    { for lane_rows }
                    <line class="now" x1={format!("{}", Fixed(x(now_ms), 1))} x2={format!("{}", Fixed(x(now_ms), 1))} y1="12" y2={f1(h)} />
                    { for markers }
                </svg>
            </div>
            <form class="row fault-add" onsubmit={add} novalidate=true>
                <label>{"Fault"}<select ref={kind} id="fault-kind">
                    <option value="crash" selected=true>{"crash"}</option>
                    <option value="restart">{"restart"}</option>
                    <option value="partition">{"partition (split these off)"}</option>
                    <option value="heal">{"heal"}</option>
                    <option value="slow-link">{"slow link (node → to, × slower)"}</option>
                    <option value="clock-skew">{"clock skew (node, % slow)"}</option>
                    <option value="swizzle">{"swizzle (nodes, spacing ms)"}</option>
                </select></label>
                <label>{"At (ms)"}<input ref={at} id="fault-at" inputmode="numeric" value={now_ms.to_string()} /></label>
                <label>{"Node(s)"}<input ref={a} id="fault-nodes" placeholder="1 or 1, 3" /></label>
                <label>{"To"}<input ref={b} id="fault-to" placeholder="2" /></label>
                <label>{"Value"}<input ref={value} id="fault-value" placeholder="× / % / ms" /></label>
                <button type="submit" id="btn-fault-add">{"Add"}</button>
            </form>
            { if script.is_empty() { html! { <p class="hint">{"No scripted faults yet. (The Faults menu adds random ones; this script adds yours, at the times you choose.)"}</p> } } else { html! { <ol class="fault-list" id="fault-list">{ for list }</ol> } } }
        </section>
    }
}
