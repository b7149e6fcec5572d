//! The hashing lab's state and its reducer: the ring's members, weights and keys (and which
//! keys the last change moved), the view, zoom and pan, the comparison's last result, and the
//! cache and load-balancing simulations. Pure: no browser call, no clock (the comparison, which
//! times lookups, runs in the page's click handler and arrives as [`HMsg::Compare`]).

use std::cell::RefCell;
use std::rc::Rc;

use distlab_core::hashing::balance::{BalanceConfig, BalanceSim};
use distlab_core::hashing::cache::{CacheConfig, CacheSim};
use distlab_core::hashing::{self, Algo, Params, Placement, Stats};
use yew::Reducible;

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
    /// When the last change added or removed a node: the least share of the keys any placement
    /// must move for it, the node's share of the weight (of the members, where the algorithm
    /// ignores weights), and whether weights made it differ from one in n.
    pub least: Option<(f64, bool)>,
    /// When the last change was new settings: the algorithm, nodes and virtual nodes before
    /// them (the page says the change in the reader's language from these and the model's own).
    pub rebuilt_from: Option<(Algo, usize, usize)>,
    /// What the last change did to each node that lost keys: (node, keys before, keys after).
    pub gave: Rc<Vec<(u32, usize, usize)>>,
    /// After a node was added to the ring: its ring neighbours (the owner of the next point
    /// clockwise from each of its points), the only nodes that can lose keys to it.
    pub neighbours: Option<Rc<Vec<u32>>>,
}

impl RingModel {
    fn new(algo: Algo, nodes: usize, vnodes: usize, keys: usize, replicas: usize) -> RingModel {
        RingModel::with_members(algo, (0..nodes as u32).collect(), vec![1.0; nodes], vnodes, keys, replicas)
    }

    /// A ring of these members (distinct, at least one) with their weights; a node added later
    /// takes the number after the highest.
    pub fn with_members(
        algo: Algo,
        members: Vec<u32>,
        weights: Vec<f64>,
        vnodes: usize,
        keys: usize,
        replicas: usize,
    ) -> RingModel {
        let next_id = members.iter().max().map_or(0, |m| m.saturating_add(1));
        let mut m = RingModel {
            algo,
            members,
            weights,
            vnodes,
            replicas,
            keys,
            c: 1.25,
            next_id,
            hashes: Rc::new(hashing::generated_keys(keys)),
            owners: Rc::new(Vec::new()),
            moved: Rc::new(Vec::new()),
            last_change: None,
            least: None,
            rebuilt_from: None,
            gave: Rc::new(Vec::new()),
            neighbours: None,
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
        let count = |owners: &[u32], id: u32| owners.iter().filter(|o| **o == id).count();
        let givers: std::collections::BTreeSet<u32> = moved.iter().map(|m| m.1).collect();
        self.gave = Rc::new(givers.iter().map(|&g| (g, count(&self.owners, g), count(&owners, g))).collect());
        self.moved = Rc::new(moved);
        self.owners = Rc::new(owners);
        self.last_change = Some(what);
        self.least = None;
        self.rebuilt_from = None;
        self.neighbours = None;
    }

    /// The share of the weight of the member at `k`, with all of `self.weights` (or of the
    /// members, where the algorithm ignores weights), and whether weights change it.
    fn share(&self, k: usize) -> (f64, bool) {
        let weighted = matches!(self.algo, Algo::Ring | Algo::Bounded | Algo::Rendezvous)
            && self.weights.iter().any(|w| *w != 1.0);
        if weighted {
            let total: f64 = self.weights.iter().sum();
            (self.weights[k] / total.max(f64::MIN_POSITIVE), true)
        } else {
            (1.0 / self.members.len().max(1) as f64, false)
        }
    }

    /// Add a node, numbered after the highest, at weight 1.
    pub fn add_node(&mut self) -> Result<(), String> {
        if self.members.len() >= MAX_RING_NODES {
            return Err(format!("at most {MAX_RING_NODES} nodes on the ring"));
        }
        let id = self.next_id;
        self.next_id += 1;
        self.members.push(id);
        self.weights.push(1.0);
        self.change(format!("added node {id}"));
        self.least = Some(self.share(self.members.len() - 1));
        if self.algo == Algo::Ring {
            self.neighbours = Some(Rc::new(self.ring_neighbours(id)));
        }
        Ok(())
    }

    /// Remove member `id` (not the last one; a node not on the ring is left alone).
    pub fn remove_node(&mut self, id: u32) -> Result<(), String> {
        if self.members.len() <= 1 {
            return Err("the last node cannot be removed".into());
        }
        if let Some(k) = self.members.iter().position(|m| *m == id) {
            let least = self.share(k);
            distlab_core::hashing::remove_member(self.algo, &mut self.members, k);
            distlab_core::hashing::remove_member(self.algo, &mut self.weights, k);
            self.change(format!("removed node {id}"));
            self.least = Some(least);
        }
        Ok(())
    }

    /// The ring neighbours of member `id`: for each of its points, the owner of the next point
    /// clockwise that is not its own (the arc its point now cuts was that node's).
    pub fn ring_neighbours(&self, id: u32) -> Vec<u32> {
        let ring = &self.placement().ring;
        let n = ring.owners.len();
        let out: std::collections::BTreeSet<u32> = (0..n)
            .filter(|&i| ring.owners[i] == id)
            .filter_map(|i| (1..n).map(|d| ring.owners[(i + d) % n]).find(|o| *o != id))
            .collect();
        out.into_iter().collect()
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
    /// The lesson's step the ring was last brought to (`lesson.rs`).
    pub lesson: Option<usize>,
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
    /// Bring the ring to the lesson's step i.
    Lesson(usize),
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
            lesson: None,
        }
    }
}

/// How far a fresh simulation has run when its view shows it: the cache, half its chart (the
/// cold start and the warm-up after it); the balancer, past the 2,000 tasks its p99 latency is
/// measured over (about 9 a tick at the default load), four fifths of its chart. So a view
/// opens on a result, as the comparison does (it opened empty until Run), and Run goes on from
/// there.
pub const CACHE_WARM_TICKS: u64 = 150;
pub const BALANCE_WARM_STEPS: u64 = 240;

impl HashState {
    /// Run the shown view's simulation to its warm-up if it has not run yet (just built, or
    /// restarted with new settings). Deterministic: each simulation has its own seed.
    pub fn warm_up(&self) {
        match self.view {
            View::Cache if self.cache.borrow().tick == 0 => {
                let mut sim = self.cache.borrow_mut();
                for _ in 0..CACHE_WARM_TICKS {
                    sim.step();
                }
            }
            View::Balance if self.balance.borrow().tick == 0 => {
                let mut sim = self.balance.borrow_mut();
                for _ in 0..BALANCE_WARM_STEPS {
                    sim.step();
                }
            }
            _ => {}
        }
    }

    /// This state with the ring view showing the lesson's step `i` (the last, past the end):
    /// the lesson's changes up to it, made afresh on the lab's keys, as a reader following it
    /// from the start would have made them.
    pub fn at_lesson(mut self, i: usize) -> HashState {
        use super::lesson::{Change, FOCUS_ZOOM, KEYS, STEPS};
        let i = i.min(STEPS.len() - 1);
        for (_, changes) in &STEPS[..=i] {
            // Each step shows the whole ring, nothing pointed at, unless it says otherwise.
            (self.hover, self.zoom, self.pan) = (None, 1.0, (0.0, 0.0));
            for change in changes.iter().copied() {
                let done = match change {
                    Change::Build(algo, nodes, vnodes) => {
                        self.ring = RingModel::new(algo, nodes, vnodes, KEYS, 1);
                        Ok(())
                    }
                    Change::Focus(k) => {
                        self.hover = Some(k);
                        self.zoom = FOCUS_ZOOM;
                        self.pan = self.ring.hashes.get(k).map_or((0.0, 0.0), |h| on_circle(*h, KEY_RADIUS));
                        Ok(())
                    }
                    Change::Add => self.ring.add_node(),
                    Change::Remove(id) => self.ring.remove_node(id),
                };
                debug_assert!(done.is_ok(), "the lesson's changes are within the ring's limits");
            }
        }
        self.view = View::Ring;
        self.running = false;
        self.selected_node = None;
        self.error = None;
        self.lesson = Some(i);
        self
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
            lesson: self.lesson,
        };
        match msg {
            HMsg::View(v) => {
                s.view = v;
                s.running = false;
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
                    s.ring.rebuilt_from = Some((old.algo, old.members.len(), old.vnodes));
                }
                s.hover = None;
                s.selected_node = None;
                s.compare = None;
                s.error = None;
            }
            HMsg::AddNode => {
                if let Err(e) = s.ring.add_node() {
                    s.error = Some(e);
                }
            }
            HMsg::RemoveNode(id) => match s.ring.remove_node(id) {
                Ok(()) => s.selected_node = None,
                Err(e) => s.error = Some(e),
            },
            HMsg::Lesson(i) => s = s.at_lesson(i),
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
        s.warm_up();
        Rc::new(s)
    }
}

/// Where hash `h` sits on a circle of radius `r` centred on the origin: 0 at the top, growing
/// clockwise (y points down).
pub fn on_circle(h: u64, r: f64) -> (f64, f64) {
    use std::f64::consts::{FRAC_PI_2, TAU};
    let a = (h as f64 / u64::MAX as f64) * TAU - FRAC_PI_2;
    (r * crate::trig::cos(a), r * crate::trig::sin(a))
}

/// The radius keys are drawn at, the circle's being 1.
pub const KEY_RADIUS: f64 = 0.93;

/// The key whose hash comes next after `at` going clockwise (`dir` > 0) or counter-clockwise
/// on the ring, wrapping around; from nowhere, the first (or last) key on the ring.
pub fn next_key(hashes: &[u64], at: Option<u64>, dir: i32) -> Option<usize> {
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
