//! The consistent-hashing lab: the ring, the algorithms compared on the same keys and churn, a
//! distributed cache, and load balancing. One reducer owns the page's state; the simulations
//! and all measurements (except wall-clock lookup timing) come from `distlab_core::hashing`.

use distlab_core::echo::Echo;
use std::cell::RefCell;
use std::f64::consts::{FRAC_PI_2, TAU};
use std::rc::Rc;

use distlab_core::hashing::balance::{BalanceConfig, BalanceSim, Costs, MAX_WORKERS};
use distlab_core::hashing::cache::{
    CacheConfig, CacheSim, MAX_CACHE_CAPACITY, MAX_CACHE_KEYS, MAX_CACHE_NODES,
};
use distlab_core::hashing::{self, Algo, Params, Placement, Stats, MAX_VNODES};
use wasm_bindgen::JsCast;

use yew::prelude::*;

use crate::num::{Fixed, Short};
use crate::panels::{on, read_input, read_select};
use crate::settings::parse_count;
use crate::topology::hue;

/// Limits of the ring view (the lab's other views have their own).
pub const MAX_RING_NODES: usize = 100;
pub const MAX_RING_KEYS: usize = 10_000;
pub const MAX_RING_VNODES: usize = 200;
pub const MAX_REPLICAS: usize = 5;

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum View {
    Ring,
    Compare,
    Cache,
    Balance,
}

/// The ring view's model: members (with weights), keys, and the last change.
#[derive(Clone, Debug, PartialEq)]
pub struct RingModel {
    pub algo: Algo,
    pub members: Vec<u32>,
    pub weights: Vec<f64>,
    pub vnodes: usize,
    pub replicas: usize,
    pub keys: usize,
    pub c: f64,
    pub next_id: u32,
    pub hashes: Rc<Vec<u64>>,
    pub owners: Rc<Vec<u32>>,
    /// Keys that moved in the last change: (key, old owner, new owner).
    pub moved: Rc<Vec<(usize, u32, u32)>>,
    pub last_change: Option<String>,
}

impl RingModel {
    fn new(algo: Algo, nodes: usize, vnodes: usize, keys: usize, replicas: usize) -> RingModel {
        let mut m = RingModel {
            algo,
            members: (0..nodes as u32).collect(),
            weights: vec![1.0; nodes],
            vnodes,
            replicas,
            keys,
            c: 1.25,
            next_id: nodes as u32,
            hashes: Rc::new(hashing::generated_keys(keys)),
            owners: Rc::new(Vec::new()),
            moved: Rc::new(Vec::new()),
            last_change: None,
        };
        m.owners = Rc::new(m.placement().assign(&m.hashes));
        m
    }

    pub fn params(&self) -> Params {
        Params { vnodes: self.vnodes, c: self.c, ..Params::default() }
    }

    pub fn placement(&self) -> Placement {
        Placement::new(self.algo, &self.members, &self.weights, &self.params())
    }

    fn change(&mut self, what: String) {
        let owners = self.placement().assign(&self.hashes);
        let moved: Vec<(usize, u32, u32)> = self
            .owners
            .iter()
            .zip(&owners)
            .enumerate()
            .filter(|(_, (a, b))| a != b)
            .map(|(k, (a, b))| (k, *a, *b))
            .collect();
        self.moved = Rc::new(moved);
        self.owners = Rc::new(owners);
        self.last_change = Some(what);
    }
}

pub struct HashState {
    pub view: View,
    pub ring: RingModel,
    pub hover: Option<usize>,
    pub selected_node: Option<u32>,
    /// Zoom (1 = whole ring) and pan centre in view units.
    pub zoom: f64,
    pub pan: (f64, f64),
    pub compare: Option<Rc<Vec<(Stats, f64)>>>,
    pub cache: Rc<RefCell<CacheSim>>,
    pub cache_cfg: CacheConfig,
    pub balance: Rc<RefCell<BalanceSim>>,
    pub balance_cfg: BalanceConfig,
    pub running: bool,
    pub frame: u64,
    pub error: Option<String>,
}

#[derive(Clone)]
pub enum HMsg {
    View(View),
    RingConfig {
        algo: Algo,
        nodes: usize,
        vnodes: usize,
        keys: usize,
        replicas: usize,
    },
    AddNode,
    RemoveNode(u32),
    Weight(u32, f64),
    Hover(Option<usize>),
    /// Point at the next key clockwise (+1) or counter-clockwise (−1) from the one pointed at.
    HoverStep(i32),
    SelectNode(Option<u32>),
    Zoom(f64),
    Pan(f64, f64),
    ResetView,
    Compare(Rc<Vec<(Stats, f64)>>),
    CacheConfig(CacheConfig),
    CacheAdd,
    CacheCrash(u32),
    BalanceConfig(BalanceConfig),
    Toggle,
    Tick,
    Error(String),
    Dismiss,
}

impl Default for HashState {
    fn default() -> Self {
        let cache_cfg = CacheConfig::default();
        let balance_cfg = BalanceConfig::default();
        HashState {
            view: View::Ring,
            ring: RingModel::new(Algo::Ring, 5, 20, 1_000, 1),
            hover: None,
            selected_node: None,
            zoom: 1.0,
            pan: (0.0, 0.0),
            compare: None,
            cache: Rc::new(RefCell::new(
                CacheSim::new(cache_cfg.clone()).expect("default cache config is valid"),
            )),
            cache_cfg,
            balance: Rc::new(RefCell::new(
                BalanceSim::new(balance_cfg.clone()).expect("default balance config is valid"),
            )),
            balance_cfg,
            running: false,
            frame: 0,
            error: None,
        }
    }
}

impl PartialEq for HashState {
    fn eq(&self, _: &Self) -> bool {
        false
    }
}

impl Reducible for HashState {
    type Action = HMsg;
    fn reduce(self: Rc<Self>, msg: HMsg) -> Rc<Self> {
        let mut s = HashState {
            view: self.view,
            ring: self.ring.clone(),
            hover: self.hover,
            selected_node: self.selected_node,
            zoom: self.zoom,
            pan: self.pan,
            compare: self.compare.clone(),
            cache: self.cache.clone(),
            cache_cfg: self.cache_cfg.clone(),
            balance: self.balance.clone(),
            balance_cfg: self.balance_cfg.clone(),
            running: self.running,
            frame: self.frame,
            error: self.error.clone(),
        };
        match msg {
            HMsg::View(v) => {
                s.view = v;
                s.running = false;
                // Opened for the first time, the comparison runs with the form's defaults (about
                // a fifth of a second), so a visitor sees the table rather than an empty panel.
                if v == View::Compare && s.compare.is_none() {
                    let (n, k, vn, c) = COMPARE_DEFAULTS;
                    s.compare = run_compare(n, k, vn, c).ok().map(Rc::new);
                }
            }
            HMsg::RingConfig { algo, nodes, vnodes, keys, replicas } => {
                let old = s.ring.clone();
                s.ring = RingModel::new(algo, nodes, vnodes, keys, replicas);
                s.ring.c = old.c;
                // Same keys: show which of them the new settings moved, as for add and remove.
                if old.keys == keys && (old.algo, old.members.len(), old.vnodes) != (algo, nodes, vnodes) {
                    let moved: Vec<(usize, u32, u32)> = old
                        .owners
                        .iter()
                        .zip(s.ring.owners.iter())
                        .enumerate()
                        .filter(|(_, (a, b))| a != b)
                        .map(|(k, (a, b))| (k, *a, *b))
                        .collect();
                    s.ring.moved = Rc::new(moved);
                    s.ring.last_change = Some(format!(
                        "{} with {} nodes × {} vnodes → {} with {nodes} × {vnodes}",
                        old.algo.name(),
                        old.members.len(),
                        old.vnodes,
                        algo.name()
                    ));
                }
                s.hover = None;
                s.selected_node = None;
                s.compare = None;
                s.error = None;
            }
            HMsg::AddNode => {
                if s.ring.members.len() >= MAX_RING_NODES {
                    s.error = Some(format!("at most {MAX_RING_NODES} nodes on the ring"));
                } else {
                    let id = s.ring.next_id;
                    s.ring.next_id += 1;
                    s.ring.members.push(id);
                    s.ring.weights.push(1.0);
                    s.ring.change(format!("added node {id}"));
                }
            }
            HMsg::RemoveNode(id) => {
                if s.ring.members.len() <= 1 {
                    s.error = Some("the last node cannot be removed".into());
                } else if let Some(k) = s.ring.members.iter().position(|m| *m == id) {
                    s.ring.members.remove(k);
                    s.ring.weights.remove(k);
                    s.ring.change(format!("removed node {id}"));
                    s.selected_node = None;
                }
            }
            HMsg::Weight(id, w) => {
                if let Some(k) = s.ring.members.iter().position(|m| *m == id) {
                    s.ring.weights[k] = w;
                    s.ring.change(format!("node {id} weight → {w}"));
                }
            }
            HMsg::Hover(h) => s.hover = h,
            HMsg::HoverStep(dir) => {
                let at = s.hover.and_then(|k| s.ring.hashes.get(k).copied());
                s.hover = next_key(&s.ring.hashes, at, dir);
            }
            HMsg::SelectNode(n) => s.selected_node = n,
            HMsg::Zoom(f) => s.zoom = (s.zoom * f).clamp(1.0, 400.0),
            HMsg::Pan(dx, dy) => {
                let lim = 1.0;
                s.pan = ((s.pan.0 + dx).clamp(-lim, lim), (s.pan.1 + dy).clamp(-lim, lim));
            }
            HMsg::ResetView => {
                s.zoom = 1.0;
                s.pan = (0.0, 0.0);
            }
            HMsg::Compare(c) => s.compare = Some(c),
            HMsg::CacheConfig(cfg) => match CacheSim::new(cfg.clone()) {
                Ok(sim) => {
                    s.cache = Rc::new(RefCell::new(sim));
                    s.cache_cfg = cfg;
                    s.error = None;
                }
                Err(e) => s.error = Some(e),
            },
            HMsg::CacheAdd => {
                if let Err(e) = s.cache.borrow_mut().add_node() {
                    s.error = Some(e);
                }
            }
            HMsg::CacheCrash(id) => {
                if let Err(e) = s.cache.borrow_mut().crash_node(id) {
                    s.error = Some(e);
                }
            }
            HMsg::BalanceConfig(cfg) => match BalanceSim::new(cfg.clone()) {
                Ok(sim) => {
                    s.balance = Rc::new(RefCell::new(sim));
                    s.balance_cfg = cfg;
                    s.error = None;
                }
                Err(e) => s.error = Some(e),
            },
            HMsg::Toggle => s.running = !s.running,
            HMsg::Tick => {
                if s.running {
                    match s.view {
                        View::Cache => s.cache.borrow_mut().step(),
                        View::Balance => {
                            let mut b = s.balance.borrow_mut();
                            for _ in 0..2 {
                                b.step();
                            }
                        }
                        _ => {}
                    }
                    s.frame += 1;
                }
            }
            HMsg::Error(e) => s.error = Some(e),
            HMsg::Dismiss => s.error = None,
        }
        Rc::new(s)
    }
}

/// A plain decimal number: optional sign, digits, optional fraction. (Not `str::parse::<f64>`:
/// its tables would add about 12 KB to the page for a few form fields.)
pub fn parse_decimal(s: &str) -> Option<f64> {
    let (neg, body) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    if (int.is_empty() && frac.is_empty()) || int.len() > 15 || frac.len() > 15 {
        return None;
    }
    if !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let whole = int.bytes().fold(0u64, |a, b| a * 10 + (b - b'0') as u64) as f64;
    let f = frac.bytes().fold(0u64, |a, b| a * 10 + (b - b'0') as u64) as f64;
    let v = whole + f / 10f64.powi(frac.len() as i32);
    Some(if neg { -v } else { v })
}

fn parse_f64(field: &str, text: &str, lo: f64, hi: f64) -> Result<f64, String> {
    match parse_decimal(text.trim()) {
        Some(v) if v >= lo && v <= hi => Ok(v),
        _ => {
            Err(format!("{field} must be a number from {} to {} (got {})", Short(lo), Short(hi), Echo(text)))
        }
    }
}

/// Drive the running simulation about 20 times a second.
#[hook]
fn use_ticker(running: bool, d: UseReducerDispatcher<HashState>) {
    use_effect_with(running, move |running| {
        let handle = running.then(|| {
            let cb = wasm_bindgen::closure::Closure::<dyn FnMut()>::new(move || d.dispatch(HMsg::Tick));
            let id = web_sys::window().and_then(|w| {
                w.set_interval_with_callback_and_timeout_and_arguments_0(cb.as_ref().unchecked_ref(), 50).ok()
            });
            (cb, id)
        });
        move || {
            if let Some((_cb, Some(id))) = handle {
                if let Some(w) = web_sys::window() {
                    w.clear_interval_with_handle(id);
                }
            }
        }
    });
}

#[function_component(HashingPage)]
pub fn hashing_page() -> Html {
    let st = use_reducer(HashState::default);
    use_ticker(st.running, st.dispatcher());
    let send = {
        let d = st.dispatcher();
        Callback::from(move |m: HMsg| d.dispatch(m))
    };
    let tabs = [(View::Ring, "Ring"), (View::Compare, "Compare algorithms"), (View::Cache, "Distributed cache"), (View::Balance, "Load balancing")]
        .map(|(v, label)| {
            let active = st.view == v;
            html! { <button role="tab" aria-selected={active.to_string()} class={classes!("subtab", active.then_some("active"))}
                id={format!("view-{label}").replace(' ', "-").to_lowercase()}
                onclick={on(&send, HMsg::View(v))}>{label}</button> }
        });
    let body = match st.view {
        View::Ring => ring_view(&st, &send),
        View::Compare => compare_view(&st, &send),
        View::Cache => cache_view(&st, &send),
        View::Balance => balance_view(&st, &send),
    };
    html! {
        <main class="hashing-page">
            <nav class="subtabs" role="tablist" aria-label="Hashing views">{ for tabs }</nav>
            { for st.error.as_ref().map(|e| html! {
                <div id="error" class="banner error" role="alert"><span>{e}</span>
                    <button aria-label="Dismiss" onclick={on(&send, HMsg::Dismiss)}>{"×"}</button></div>
            }) }
            { body }
        </main>
    }
}

// ---------------------------------------------------------------- the ring

const R: f64 = 1.0;

fn angle_of(h: u64) -> f64 {
    (h as f64 / u64::MAX as f64) * TAU - FRAC_PI_2
}

fn on_circle(h: u64, r: f64) -> (f64, f64) {
    let a = angle_of(h);
    (r * crate::trig::cos(a), r * crate::trig::sin(a))
}

fn member_color(id: u32) -> String {
    // Golden-angle hues: distinct for many nodes; the legend and tooltips carry the names.
    format!("hsl({}, 65%, 50%)", Fixed((id as f64 * 137.508) % 360.0, 1))
}

/// The key whose hash comes next after `at` going clockwise (`dir` > 0) or counter-clockwise
/// on the ring, wrapping around; from nowhere, the first (or last) key on the ring.
fn next_key(hashes: &[u64], at: Option<u64>, dir: i32) -> Option<usize> {
    let forward = dir > 0;
    let beyond = |h: u64| match at {
        None => true,
        Some(a) => (forward && h > a) || (!forward && h < a),
    };
    let pick = |candidates: &mut dyn Iterator<Item = (usize, u64)>| {
        if forward {
            candidates.min_by_key(|(k, h)| (*h, *k))
        } else {
            candidates.max_by_key(|(k, h)| (*h, *k))
        }
    };
    let all = || hashes.iter().copied().enumerate();
    pick(&mut all().filter(|(_, h)| beyond(*h))).or_else(|| pick(&mut all())).map(|(k, _)| k)
}

fn ring_view(st: &HashState, send: &Callback<HMsg>) -> Html {
    let m = &st.ring;
    let placement = m.placement();
    let (loads, sd, mx) = hashing::spread(&m.owners, &m.members);
    let half = 1.25 / st.zoom;
    let (cx, cy) = st.pan;
    let vb = (cx - half, cy - half, 2.0 * half, 2.0 * half);
    let visible = |x: f64, y: f64| x >= vb.0 && x <= vb.0 + vb.2 && y >= vb.1 && y <= vb.1 + vb.3;
    let dot = 0.012 / st.zoom.sqrt();
    // Keys, grouped into one path per owner ("M x y h 0" with round caps draws a dot).
    let mut paths: std::collections::BTreeMap<u32, String> = Default::default();
    let moved_set: std::collections::BTreeSet<usize> = m.moved.iter().map(|(k, _, _)| *k).collect();
    for (k, (&h, &o)) in m.hashes.iter().zip(m.owners.iter()).enumerate() {
        let (x, y) = on_circle(h, R * 0.93);
        if !visible(x, y) || moved_set.contains(&k) {
            continue;
        }
        paths.entry(o).or_default().push_str(&format!("M{} {}h0", Fixed(x, 4), Fixed(y, 4)));
    }
    let keys = paths.into_iter().map(|(o, d)| html! {
        <path d={d} stroke={member_color(o)} stroke-width={format!("{}", Fixed(dot * 2.0, 4))} stroke-linecap="round" fill="none" />
    });
    // Keys that moved in the last change: drawn larger, animated from the old owner's colour.
    let moved = m.moved.iter().filter_map(|&(k, from, to)| {
        let (x, y) = on_circle(m.hashes[k], R * 0.93);
        visible(x, y).then(|| html! {
            <circle class="moved-key" cx={format!("{}", Fixed(x, 4))} cy={format!("{}", Fixed(y, 4))} r={format!("{}", Fixed(dot * 2.2, 4))}
                fill={member_color(to)} style={format!("--from:{}", member_color(from))}>
                <title>{format!("key-{k} moved from node {from} to node {to}")}</title>
            </circle>
        })
    });
    // Tokens (ring and bounded loads): ticks just outside the circle.
    let tokens = if matches!(m.algo, Algo::Ring | Algo::Bounded) {
        let mut by: std::collections::BTreeMap<u32, String> = Default::default();
        for (t, o) in placement.ring.tokens.iter().zip(&placement.ring.owners) {
            let (x1, y1) = on_circle(*t, R * 1.0);
            let (x2, y2) = on_circle(*t, R * 1.07);
            if visible(x1, y1) {
                by.entry(*o).or_default().push_str(&format!(
                    "M{} {}L{} {}",
                    Fixed(x1, 4),
                    Fixed(y1, 4),
                    Fixed(x2, 4),
                    Fixed(y2, 4)
                ));
            }
        }
        by.into_iter()
            .map(|(o, d)| {
                let sel = st.selected_node == Some(o);
                let k = m.members.iter().position(|x| *x == o).unwrap_or(0);
                let tokens = placement.ring.owners.iter().filter(|x| **x == o).count();
                let tip = format!("node {o}: {tokens} tokens, weight {}, {} keys", crate::num::short(m.weights[k]), loads.get(k).copied().unwrap_or(0));
                html! { <path class={classes!("token", sel.then_some("selected"))} d={d} stroke={member_color(o)}
                    stroke-width={format!("{}", Fixed(if sel { 0.012 } else { 0.006 } / st.zoom.sqrt(), 4))}><title>{tip}</title></path> }
            })
            .collect::<Html>()
    } else {
        html! {}
    };
    // The hovered key: arcs to its owner and replicas.
    let hover = st.hover.and_then(|k| m.hashes.get(k).map(|h| (k, *h))).map(|(k, h)| {
        let owner = m.owners[k];
        let mut set = vec![owner];
        for r in placement.replicas(h, m.replicas.max(1) + 1) {
            if set.len() < m.replicas && !set.contains(&r) {
                set.push(r);
            }
        }
        let (kx, ky) = on_circle(h, R * 0.93);
        let arcs = set.iter().enumerate().map(|(i, node)| {
            // Aim at the node's first token clockwise of the key (ring), else at the node's label.
            let target = if matches!(m.algo, Algo::Ring | Algo::Bounded) {
                let ring = &placement.ring;
                let start = ring.position(h);
                (0..ring.tokens.len()).map(|j| (start + j) % ring.tokens.len()).find(|&j| ring.owners[j] == *node).map(|j| ring.tokens[j])
            } else {
                None
            };
            let (tx, ty) = match target {
                Some(t) => on_circle(t, R * 1.03),
                None => (0.0, 0.0),
            };
            html! { <line class={if i == 0 { "arc owner" } else { "arc replica" }} x1={format!("{}", Fixed(kx, 4))} y1={format!("{}", Fixed(ky, 4))}
                x2={format!("{}", Fixed(tx, 4))} y2={format!("{}", Fixed(ty, 4))} stroke={member_color(*node)} stroke-width={format!("{}", Fixed(0.008 / st.zoom.sqrt(), 4))} /> }
        });
        let names: Vec<String> = set.iter().map(|n| format!("node {n}")).collect();
        let info = format!("key-{k} · hash {h:016x} · owner node {owner}{}", if set.len() > 1 { format!(" · replicas {}", names[1..].join(", ")) } else { String::new() });
        (html! { <g>{ for arcs }<circle cx={format!("{}", Fixed(kx, 4))} cy={format!("{}", Fixed(ky, 4))} r={format!("{}", Fixed(dot * 3.0, 4))} class="hovered" /></g> }, info)
    });
    let (hover_svg, hover_info) = match hover {
        Some((svg, info)) => (svg, info),
        None => (
            html! {},
            "Hover or tap a key (a dot), or Tab to the ring and press ← →, to see its owner and replicas; scroll or + − to zoom, drag to pan."
                .to_string(),
        ),
    };
    let hashes = m.hashes.clone();
    let on_move = {
        let send = send.clone();
        let zoom = st.zoom;
        move |e: MouseEvent| {
            // The drawing itself (the event's current target is where Yew listens, not the svg).
            let Some(svg) = crate::panels::closest(&e, "#ring-svg") else {
                return;
            };
            // The square view is centred in the element (`xMidYMid meet`): offset by the margin.
            let rect = svg.get_bounding_client_rect();
            let size = rect.width().min(rect.height()).max(1.0);
            let (ox, oy) = ((rect.width() - size) / 2.0, (rect.height() - size) / 2.0);
            let x = vb.0 + (e.client_x() as f64 - rect.left() - ox) / size * vb.2;
            let y = vb.1 + (e.client_y() as f64 - rect.top() - oy) / size * vb.3;
            if e.buttons() == 1 {
                let scale = vb.2 / size;
                send.emit(HMsg::Pan(-(e.movement_x() as f64) * scale, -(e.movement_y() as f64) * scale));
                return;
            }
            let r = (x * x + y * y).sqrt();
            if (r - 0.93).abs() > 0.08 / zoom.sqrt() {
                send.emit(HMsg::Hover(None));
                return;
            }
            let mut a = y.atan2(x) + FRAC_PI_2;
            if a < 0.0 {
                a += TAU;
            }
            let target = (a / TAU * u64::MAX as f64) as u64;
            let best = hashes
                .iter()
                .enumerate()
                .min_by_key(|(_, h)| h.abs_diff(target).min(u64::MAX - h.abs_diff(target)))
                .map(|(k, _)| k);
            send.emit(HMsg::Hover(best));
        }
    };
    // From the keyboard: the focused ring walks its keys with ← and →; Esc lets go.
    let on_key = {
        let send = send.clone();
        Callback::from(move |e: KeyboardEvent| {
            let msg = match e.key().as_str() {
                "ArrowRight" | "ArrowDown" => HMsg::HoverStep(1),
                "ArrowLeft" | "ArrowUp" => HMsg::HoverStep(-1),
                "Escape" => HMsg::Hover(None),
                _ => return,
            };
            e.prevent_default();
            send.emit(msg);
        })
    };
    let key_ref = NodeRef::default();
    let find_key = {
        let (r, keys) = (key_ref.clone(), m.keys);
        send.reform(move |e: SubmitEvent| {
            e.prevent_default();
            match parse_count("the key number", &read_input(&r), 0, keys.saturating_sub(1)) {
                Ok(k) => HMsg::Hover(Some(k)),
                Err(e) => HMsg::Error(e),
            }
        })
    };
    let on_wheel = send.reform(|e: WheelEvent| {
        e.prevent_default();
        HMsg::Zoom(if e.delta_y() < 0.0 { 1.25 } else { 0.8 })
    });
    let moved_n = m.moved.len();
    let n = m.members.len();
    let summary = m.last_change.as_ref().map(|what| {
        let frac = moved_n as f64 / m.keys.max(1) as f64;
        let ideal = if what.starts_with("added") { 1.0 / n as f64 } else if what.starts_with("removed") { 1.0 / (n as f64 + 1.0) } else { f64::NAN };
        html! { <p id="moved-summary" class="moved-summary"><b>{format!("{what}: {moved_n} of {} keys moved ({} %)", m.keys, Fixed(frac * 100.0, 1))}</b>
            { if ideal.is_finite() { format!(" · the minimum possible is 1/{} = {} %", if what.starts_with("added") { n } else { n + 1 }, Fixed(ideal * 100.0, 1)) } else { String::new() } }
        </p> }
    });
    let legend = m.members.iter().zip(&loads).zip(&m.weights).map(|((id, load), w)| {
        let id = *id;
        let sel = st.selected_node == Some(id);
        html! { <button class={classes!("node-chip", sel.then_some("on"))} onclick={send.reform(move |_| HMsg::SelectNode(if sel { None } else { Some(id) }))}
            title={format!("node {id}: {load} keys, weight {}", crate::num::short(*w))}>
            <span class="swatch" style={format!("background:{}", member_color(id))}></span>{format!("{id}")}<small>{format!(" {load}")}</small></button> }
    });
    let selected = st.selected_node.map(|id| {
        let w = m.members.iter().position(|x| *x == id).map(|k| m.weights[k]).unwrap_or(1.0);
        let weight_ref = NodeRef::default();
        let set_weight = {
            let r = weight_ref.clone();
            send.reform(move |e: SubmitEvent| {
                e.prevent_default();
                match parse_f64("the weight", &read_input(&r), 0.1, 10.0) {
                    Ok(w) => HMsg::Weight(id, w),
                    Err(e) => HMsg::Error(e),
                }
            })
        };
        html! {
            <form class="row" onsubmit={set_weight}>
                <b>{format!("node {id}")}</b>
                <label>{"weight"}<input ref={weight_ref} id="node-weight" value={crate::num::short(w)} size="4" /></label>
                <button type="submit">{"Set weight"}</button>
                <button type="button" id="btn-remove-node" class="danger" onclick={on(send, HMsg::RemoveNode(id))}>{"Remove node"}</button>
            </form>
        }
    });
    html! {
        <div class="hash-grid">
            <section class="stage" aria-label="Hash ring">
                <svg class="hashring" id="ring-svg" viewBox={format!("{} {} {} {}", Fixed(vb.0, 4), Fixed(vb.1, 4), Fixed(vb.2, 4), Fixed(vb.3, 4))}
                    role="img" aria-label={format!("Hash ring: {n} nodes, {} keys. Left and Right walk the keys in ring order.", m.keys)}
                    tabindex="0" onkeydown={on_key}
                    onmousemove={on_move} onwheel={on_wheel} onmouseleave={on(send, HMsg::Hover(None))}>
                    <circle class="circle" cx="0" cy="0" r={crate::num::short(R)} stroke-width={format!("{}", Fixed(0.004 / st.zoom.sqrt(), 4))} />
                    { tokens }
                    { for keys }
                    { for moved }
                    { hover_svg }
                </svg>
                <p class="caption" id="ring-hover" aria-live="polite">{hover_info}</p>
                { for summary }
                <div class="row zoom">
                    <button onclick={on(send, HMsg::Zoom(1.5))} aria-label="Zoom in">{"+"}</button>
                    <button onclick={on(send, HMsg::Zoom(1.0 / 1.5))} aria-label="Zoom out">{"−"}</button>
                    <button onclick={on(send, HMsg::ResetView)}>{"Whole ring"}</button>
                    <span class="hint">{format!("load spread: stddev/mean {}, max/mean {}", Fixed(sd, 3), Fixed(mx, 3))}</span>
                </div>
                <form class="row find-key" onsubmit={find_key} novalidate=true>
                    <label>{"Find key-"}<input ref={key_ref} id="ring-key" inputmode="numeric" size="6" placeholder={format!("0–{}", m.keys.saturating_sub(1))} /></label>
                    <button type="submit" id="btn-find-key">{"Show its owner"}</button>
                </form>
            </section>
            <aside>
                <section>
                    <h2>{"Nodes"}</h2>
                    <div class="chips" id="node-chips">{ for legend }</div>
                    { for selected }
                    <div class="row">
                        <button id="btn-add-node" class="primary" onclick={on(send, HMsg::AddNode)}>{"Add a node"}</button>
                    </div>
                    <p class="hint">{"Click a node to change its weight or remove it. Keys that move are drawn larger and fade from their old owner's colour."}</p>
                </section>
                { ring_form(m, send) }
            </aside>
        </div>
    }
}

fn algo_select(r: &NodeRef, id: &'static str, current: Algo) -> Html {
    html! {
        <select ref={r.clone()} id={id}>
            { for Algo::ALL.iter().map(|a| html! {
                <option value={a.name()} selected={*a == current}>{a.title()}</option>
            }) }
        </select>
    }
}

fn ring_form(m: &RingModel, send: &Callback<HMsg>) -> Html {
    let (algo, nodes, vnodes, keys, replicas) =
        (NodeRef::default(), NodeRef::default(), NodeRef::default(), NodeRef::default(), NodeRef::default());
    let submit = {
        let refs = (algo.clone(), nodes.clone(), vnodes.clone(), keys.clone(), replicas.clone());
        send.reform(move |e: SubmitEvent| {
            e.prevent_default();
            let (algo, nodes, vnodes, keys, replicas) = &refs;
            let parsed = (|| -> Result<HMsg, String> {
                Ok(HMsg::RingConfig {
                    algo: Algo::parse(&read_select(algo)).ok_or("choose an algorithm")?,
                    nodes: parse_count("nodes", &read_input(nodes), 1, MAX_RING_NODES)?,
                    vnodes: parse_count("virtual nodes", &read_input(vnodes), 1, MAX_RING_VNODES)?,
                    keys: parse_count("keys", &read_input(keys), 1, MAX_RING_KEYS)?,
                    replicas: parse_count("replicas", &read_input(replicas), 1, MAX_REPLICAS)?,
                })
            })();
            parsed.unwrap_or_else(HMsg::Error)
        })
    };
    html! {
        <form class="settings" onsubmit={submit} novalidate=true key={format!("{}{}-{}-{}-{}", m.algo.name(), m.members.len(), m.vnodes, m.keys, m.replicas)}>
            <h2>{"Ring"}</h2>
            <div class="grid">
                <label class="wide">{"Algorithm"}{ algo_select(&algo, "ring-algo", m.algo) }</label>
                <label>{"Nodes"}<input ref={nodes} id="ring-nodes" type="number" min="1" max={MAX_RING_NODES.to_string()} value={m.members.len().to_string()} /></label>
                <label>{"Virtual nodes each"}<input ref={vnodes} id="ring-vnodes" type="number" min="1" max={MAX_RING_VNODES.to_string()} value={m.vnodes.to_string()} /></label>
                <label>{"Keys"}<input ref={keys} id="ring-keys" type="number" min="1" max={MAX_RING_KEYS.to_string()} value={m.keys.to_string()} /></label>
                <label>{"Replicas (N)"}<input ref={replicas} id="ring-replicas" type="number" min="1" max={MAX_REPLICAS.to_string()} value={m.replicas.to_string()} /></label>
            </div>
            <button type="submit" id="btn-ring-apply" class="primary">{"Rebuild"}</button>
            <p class="hint">{"Keys are key-0, key-1, …; every algorithm hashes them with XXH3-64. Tokens (the ticks outside the circle) exist for the ring and bounded loads."}</p>
        </form>
    }
}

// ---------------------------------------------------------------- compare

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

fn compare_view(st: &HashState, send: &Callback<HMsg>) -> Html {
    let (n0, k0, v0, c0) = COMPARE_DEFAULTS;
    let (nodes, keys, vnodes, c) =
        (NodeRef::default(), NodeRef::default(), NodeRef::default(), NodeRef::default());
    let submit = {
        let refs = (nodes.clone(), keys.clone(), vnodes.clone(), c.clone());
        send.reform(move |e: SubmitEvent| {
            e.prevent_default();
            let (nodes, keys, vnodes, c) = &refs;
            let parsed = (|| -> Result<Vec<(Stats, f64)>, String> {
                let n = parse_count("nodes", &read_input(nodes), 1, 200)?;
                let k = parse_count("keys", &read_input(keys), 1, 200_000)?;
                let v = parse_count("virtual nodes", &read_input(vnodes), 1, MAX_VNODES)?;
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
                html! { <rect x={format!("{}", Fixed(i as f64 * w, 2))} y={format!("{}", Fixed(30.0 - h, 2))} width={format!("{}", Fixed((w - 0.5).max(0.3), 2))} height={format!("{}", Fixed(h, 2))}><title>{format!("node {i}: {l} keys")}</title></rect> }
            });
            let mean_y = 30.0 - mean / max.max(1.0) * 30.0;
            html! {
                <tr>
                    <th scope="row">{Algo::parse(s.algo).map(|a| a.title()).unwrap_or(s.algo)}</th>
                    <td><svg class="hist" viewBox="0 0 120 30" role="img" aria-label={format!("load per node for {}", s.algo)}>{ for bars }
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
                <p class="hint" id="bounded-note">{"Bounded loads placed every key where the ring did: no node reached c times the mean load. Lower c (say 1.05) to see it move keys off the fullest nodes."}</p>
            }
            <div class="scroll" tabindex="0" role="region" aria-label="The algorithms compared (table)">
                <table class="compare" id="compare-table">
                    <thead><tr><th>{"algorithm"}</th><th>{"keys per node"}</th><th>{"stddev / mean"}</th><th>{"max / mean"}</th>
                        <th>{format!("moved on add (ideal {} %)", Fixed(ideal, 2))}</th><th>{"moved on remove"}</th><th>{"moved elsewhere than the new node"}</th><th>{"lookup ns (this browser)"}</th></tr></thead>
                    <tbody>{ for body }</tbody>
                </table>
            </div>
            </>
        }
    });
    html! {
        <section class="panel" aria-label="Compare algorithms">
            <form class="row" onsubmit={submit} novalidate=true>
                <label>{"Nodes"}<input ref={nodes} id="cmp-nodes" type="number" value={n0.to_string()} min="1" max="200" /></label>
                <label>{"Keys"}<input ref={keys} id="cmp-keys" type="number" value={k0.to_string()} min="1" max="200000" /></label>
                <label>{"Virtual nodes"}<input ref={vnodes} id="cmp-vnodes" type="number" value={v0.to_string()} min="1" max={MAX_VNODES.to_string()} /></label>
                <label>{"c (bounded loads)"}<input ref={c} id="cmp-c" value={crate::num::short(c0)} /></label>
                <button type="submit" id="btn-compare" class="primary">{"Run all six"}</button>
            </form>
            <p class="hint">{"The same keys (key-0 … key-K) and the same churn for every algorithm: N nodes, then a node added (N+1), then the last node removed (N−1). Lookup time is measured here, in your browser, per lookup."}</p>
            { table.unwrap_or_else(|| html! { <p>{"Press “Run all six”."}</p> }) }
        </section>
    }
}

// ---------------------------------------------------------------- cache

fn polyline(points: &[(f64, f64)]) -> String {
    points.iter().map(|(x, y)| format!("{},{}", Fixed(*x, 2), Fixed(*y, 2))).collect::<Vec<_>>().join(" ")
}

fn cache_view(st: &HashState, send: &Callback<HMsg>) -> Html {
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
                    algo: Algo::parse(&read_select(algo)).ok_or("choose an algorithm")?,
                    nodes: parse_count("cache nodes", &read_input(nodes), 1, MAX_CACHE_NODES)?,
                    keys: parse_count("keys", &read_input(keys), 1, MAX_CACHE_KEYS)?,
                    zipf_s: parse_f64("the Zipf exponent", &read_input(zipf), 0.0, 3.0)?,
                    capacity: parse_count("capacity per node", &read_input(cap), 1, MAX_CACHE_CAPACITY)?,
                    requests_per_tick: parse_count("requests per tick", &read_input(rate), 1, 10_000)?,
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
        html! { <g><line class="change" x1={crate::num::f1(x)} x2={crate::num::f1(x)} y1="0" y2="100" /><text class="change-label" x={crate::num::f1(x + 2.0)} y="10">{format!("{} ({} % moved)", c.what, Fixed(c.moved * 100.0, 0))}</text></g> }
    });
    let heat = sim.node_heat();
    let heat_max = heat.iter().map(|h| h.1).fold(0.0, f64::max).max(1e-9);
    let bars = heat.iter().map(|(id, h)| {
        let id = *id;
        html! { <div class="bar-row"><span class="swatch" style={format!("background:{}", member_color(id))}></span>
            <span class="bar-label">{format!("node {id}")}</span>
            <span class="bar" style={format!("width:{}%", Fixed(h / heat_max * 100.0, 1))}></span>
            <button class="danger small" onclick={on(send, HMsg::CacheCrash(id))} title={format!("crash node {id}")}>{"crash"}</button></div> }
    });
    let hot = sim.hot_keys(8).into_iter().map(|(k, rate, node)| html! {
        <tr><td>{format!("key-{k}")}</td><td>{format!("{}", Fixed(rate, 1))}</td><td><span class="swatch" style={format!("background:{}", member_color(node))}></span>{format!(" node {node}")}</td></tr>
    });
    html! {
        <div class="hash-grid">
            <section class="stage" aria-label="Cache hit rate">
                <div class="row">
                    <button id="btn-cache-run" class="primary" onclick={on(send, HMsg::Toggle)}>{ if st.running { "❚❚ Pause" } else { "▶ Run" } }</button>
                    <button id="btn-cache-add" onclick={on(send, HMsg::CacheAdd)}>{"Add a cache node"}</button>
                    <span id="hit-rate" class="big">{format!("hit rate {} % (last 20 ticks) · tick {}", Fixed(sim.hit_rate(20) * 100.0, 1), sim.tick)}</span>
                </div>
                <svg class="chart" viewBox="0 0 600 100" preserveAspectRatio="none" role="img" aria-label="Hit rate per tick">
                    <polyline points={polyline(&pts)} class="series" />
                    { for marks }
                </svg>
                <p class="hint">{"Hit rate per tick (top = 100 %). Each tick, clients send GETs for keys drawn from a Zipf law; a miss loads the key into its node's LRU. Add or crash a node and watch how deep and how long the dip is."}</p>
                <h2 class="minor">{"Requests per node"}</h2>
                <div class="bars">{ for bars }</div>
            </section>
            <aside>
                <section><h3>{"Hot keys"}</h3><table class="hot"><thead><tr><th>{"key"}</th><th>{"req/tick"}</th><th>{"node"}</th></tr></thead><tbody>{ for hot }</tbody></table></section>
                <form class="settings" onsubmit={submit} novalidate=true>
                    <h2>{"Cache"}</h2>
                    <div class="grid">
                        <label class="wide">{"Placement"}{ algo_select(&algo, "cache-algo", cfg.algo) }</label>
                        <label>{"Cache nodes"}<input ref={nodes} id="cache-nodes" type="number" value={cfg.nodes.to_string()} /></label>
                        <label>{"Keys"}<input ref={keys} id="cache-keys" type="number" value={cfg.keys.to_string()} /></label>
                        <label>{"Zipf exponent"}<input ref={zipf} id="cache-zipf" value={crate::num::short(cfg.zipf_s)} /></label>
                        <label>{"Capacity per node"}<input ref={cap} id="cache-capacity" type="number" value={cfg.capacity.to_string()} /></label>
                        <label>{"Requests per tick"}<input ref={rate} id="cache-rate" type="number" value={cfg.requests_per_tick.to_string()} /></label>
                    </div>
                    <button type="submit" class="primary" id="btn-cache-apply">{"Restart"}</button>
                </form>
            </aside>
        </div>
    }
}

// ---------------------------------------------------------------- load balancing

fn balance_view(st: &HashState, send: &Callback<HMsg>) -> Html {
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
