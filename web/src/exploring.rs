//! The exhaustive explorer (`distlab_core::explore`), run in slices (one per animation frame)
//! so the page keeps drawing while it searches, shows how far it came, and can be stopped. A
//! leaf below the reducer, like `judging.rs`.
//!
//! A slice's size adapts to the frame: the reducer reads no clock, so the wall time between
//! frames (`Msg::Frame`) is the measure. Frames that come quickly grow the next slice; slow
//! ones halve it, so the page stays responsive on a slow phone and the search goes fast on a
//! quick desktop.

use std::cell::RefCell;
use std::rc::Rc;

use distlab_core::explore::{self, Bounds, Exploring, Progress, Report};
use distlab_core::lab::LabConfig;
use distlab_core::protocol::NodeId;
use distlab_core::registry::SetupVisitor;
use distlab_core::setup::Registered;

/// States the first slice makes.
pub const BUDGET_START: u64 = 500;
/// The smallest and largest slice, in states.
pub const BUDGET_MIN: u64 = 50;
pub const BUDGET_MAX: u64 = 50_000;
/// Frames quicker than this grow the slice by a quarter; slower than `SLOW_FRAME_MS` halve it.
const QUICK_FRAME_MS: f64 = 20.0;
const SLOW_FRAME_MS: f64 = 40.0;
/// Longest frame counted towards the elapsed time: a hidden tab gets no frames, and its pause
/// is no time spent exploring.
const MAX_FRAME_MS: f64 = 1_000.0;

/// An exploration: the one under way, or the report of the last one.
#[derive(Clone)]
pub struct Exploration {
    /// The search under way.
    pub running: Option<Rc<RefCell<Box<dyn Exploring>>>>,
    /// How far it came (the last slice's progress; kept once it ended).
    pub progress: Progress,
    /// What it covered and found, once it ended.
    pub report: Option<Rc<Report>>,
    /// The bounds it was started with, and the mutant it explored (none: the correct protocol).
    pub bounds: Bounds,
    pub mutant: Option<String>,
    /// Wall milliseconds it has run.
    pub elapsed_ms: f64,
    /// States the next slice makes.
    pub budget: u64,
}

impl Default for Exploration {
    fn default() -> Self {
        Exploration {
            running: None,
            progress: Progress::default(),
            report: None,
            bounds: Bounds::default(),
            mutant: None,
            elapsed_ms: 0.0,
            budget: BUDGET_START,
        }
    }
}

impl PartialEq for Exploration {
    fn eq(&self, other: &Self) -> bool {
        self.running.is_some() == other.running.is_some()
            && self.progress == other.progress
            && self.report.as_ref().map(Rc::as_ptr) == other.report.as_ref().map(Rc::as_ptr)
            && self.bounds == other.bounds
            && self.mutant == other.mutant
            && self.elapsed_ms == other.elapsed_ms
    }
}

impl Exploration {
    /// Explore `cfg` (made explored) within `bounds`: the first slice now, the rest one per
    /// frame ([`Exploration::slice`]).
    pub fn start(cfg: &LabConfig, bounds: Bounds) -> Result<Exploration, String> {
        let ex = explore::start(cfg, bounds)?;
        let mut e = Exploration {
            running: Some(Rc::new(RefCell::new(ex))),
            bounds,
            mutant: cfg.mutant.clone(),
            ..Exploration::default()
        };
        e.run();
        Ok(e)
    }

    /// Whether a search is under way.
    pub fn is_running(&self) -> bool {
        self.running.is_some()
    }

    /// States made per wall second so far (0 before the first frame).
    pub fn rate(&self) -> u64 {
        if self.elapsed_ms > 0.0 {
            (self.progress.states as f64 * 1000.0 / self.elapsed_ms) as u64
        } else {
            0
        }
    }

    /// One frame's slice of the search under way, `frame_ms` wall milliseconds after the last
    /// frame; the report once it is done.
    pub fn slice(&mut self, frame_ms: f64) {
        if self.running.is_none() {
            return;
        }
        let frame_ms = frame_ms.clamp(0.0, MAX_FRAME_MS);
        self.elapsed_ms += frame_ms;
        self.budget = if frame_ms < QUICK_FRAME_MS {
            self.budget + self.budget / 4
        } else if frame_ms > SLOW_FRAME_MS {
            self.budget / 2
        } else {
            self.budget
        }
        .clamp(BUDGET_MIN, BUDGET_MAX);
        self.run();
    }

    /// End the search under way now; its report says what it covered.
    pub fn stop(&mut self) {
        let Some(ex) = self.running.take() else { return };
        let mut ex = ex.borrow_mut();
        self.report = Some(Rc::new(ex.stop().clone()));
        self.progress = ex.progress();
    }

    fn run(&mut self) {
        let Some(ex) = self.running.clone() else { return };
        let mut ex = ex.borrow_mut();
        let report = ex.run(self.budget).cloned();
        self.progress = ex.progress();
        if let Some(r) = report {
            self.report = Some(Rc::new(r));
            self.running = None;
        }
    }
}

/// The configuration the page explores: the protocol's small cluster
/// (`explore::explore_config`), with the page's mutant carried over, and with `from_preset`
/// the page's preset, whose cluster and starting state it takes (as `distlab explore
/// --scenario` does).
pub fn config_for(page: &LabConfig, from_preset: bool) -> Result<LabConfig, String> {
    let mut cfg = explore::explore_config(page.protocol())?;
    cfg.mutant = page.mutant.clone();
    if from_preset {
        cfg.scenario = page.scenario.clone();
    }
    Ok(cfg)
}

/// The nodes an exploration of `cfg` runs.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Cluster {
    pub servers: usize,
    pub clients: usize,
    /// Every node's name, in id order.
    pub names: Vec<String>,
}

/// The cluster `cfg` builds, as the explorer counts it.
pub fn cluster(cfg: &LabConfig) -> Result<Cluster, String> {
    struct Nodes<'a>(Option<&'a str>);
    impl SetupVisitor for Nodes<'_> {
        type Output = Result<Cluster, String>;
        fn visit<P: Registered>(self, settings: &P::Config) -> Self::Output {
            let proto = P::make(settings, None, self.0)?;
            let (servers, clients) = proto.cluster();
            let names = (0..proto.nodes()).map(|i| proto.node_name(NodeId(i as u32))).collect();
            Ok(Cluster { servers, clients, names })
        }
    }
    cfg.setup.visit(Nodes(cfg.scenario.as_deref()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The page names the cluster the explorer reports, for every protocol it has.
    #[test]
    fn the_cluster_shown_is_the_one_explored() {
        for protocol in distlab_core::registry::PROTOCOLS {
            let cfg = explore::explore_config(protocol).unwrap();
            let c = cluster(&cfg).unwrap();
            let mut e = Exploration::start(&cfg, Bounds { depth: 1, ..Bounds::default() }).unwrap();
            e.stop();
            let r = e.report.expect("a report");
            assert_eq!((c.servers, c.clients), (r.servers, r.clients), "{protocol}");
            assert!(c.names.len() >= c.servers + c.clients, "{protocol}: {c:?}");
        }
    }
}
