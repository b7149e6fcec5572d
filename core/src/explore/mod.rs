//! Exhaustive exploration: every interleaving of a small cluster, on the protocols' own code.
//!
//! A sweep runs many seeds and samples schedules; a bug that needs a rare one (Raft's Figure 8
//! needs three elections in a precise order) can hide from hundreds of seeds. The explorer
//! instead visits every state a small configuration can reach, within explicit bounds, and
//! returns a path to the first violation it finds.
//!
//! - **A state** is an explored simulator (`Sim::explored`): the nodes, the messages in
//!   flight and the armed timers, the checker's ghost state; plus the budgets its path spent.
//!   Time is only the order of events: before each step time leaps past every timeout, and the
//!   random source is drawn afresh from the step's content.
//! - **A step** is one enabled choice, applied as a simulator input: deliver one message in
//!   flight (a copy with equal content is the same choice), fire one armed timer, and within
//!   the bounds issue one request of the protocol's menu (`Explorable::requests`), crash a
//!   server or restart a crashed one, drop or duplicate a message. After every step the
//!   protocol's own checker runs, as in any run.
//! - **States are merged** by a 64-bit fingerprint of what decides their future (`search.rs`:
//!   nodes without their stored times, the multiset of messages (by content, and by what
//!   the checker reads of their send times: `Explorable::flight_mark`), timer kinds, the checker's
//!   state, budgets). A collision could only hide states, with probability about n²/2⁶⁵ for
//!   n states.
//! - **Breadth-first** search checks every state of depth d before any of depth d + 1, so its
//!   counterexample is one of the shortest; **depth-first** search holds one path in memory.
//! - **What it proves**: no violation in any run within the bounds — for each random draw a
//!   handler makes (a client's first server) one outcome, and with time abstracted, so no
//!   bug that needs a lease or a timeout to still be running; nor are the properties that
//!   assume messages arrive within the timeouts judged (`Explorable::unjudged`: SWIM's
//!   completeness and accuracy). Sweeps cover long timed runs, but only the schedules their
//!   seeds draw.
//!
//! The counterexample is a scenario document with `"explored": true`, one action per event,
//! that `lab::replay` runs to the same violation at the same event.

mod bounds;
mod report;
mod search;
mod seen;
mod symmetry;
#[cfg(test)]
mod tests;

use alloc::boxed::Box;
use alloc::string::String;

pub use bounds::{Bounds, Search, MAX_DEPTH, MAX_FAULTS, MAX_REQUESTS, MAX_STATES};
pub use report::{Found, Progress, Report};

use crate::lab::{with_sim, LabConfig, SimVisitor};
use crate::registry::Registered;
use crate::sim::Sim;

/// An exploration under way, for a caller that runs it in slices (the page, one per frame).
pub trait Exploring {
    /// Go on for about `budget` states; the report once it has ended.
    fn run(&mut self, budget: u64) -> Option<&Report>;
    fn progress(&self) -> Progress;
    /// End it now; the report says what it covered.
    fn stop(&mut self) -> &Report;
}

impl<P: Registered> Exploring for search::Explorer<P> {
    fn run(&mut self, budget: u64) -> Option<&Report> {
        search::Explorer::run(self, budget);
        self.report()
    }
    fn progress(&self) -> Progress {
        search::Explorer::progress(self)
    }
    fn stop(&mut self) -> &Report {
        search::Explorer::stop(self);
        self.report().expect("a stopped exploration has a report")
    }
}

/// Start exploring the run `cfg` names (made explored) within `bounds`.
pub fn start(cfg: &LabConfig, bounds: Bounds) -> Result<Box<dyn Exploring>, String> {
    struct Start<'a>(&'a LabConfig, Bounds);
    impl SimVisitor for Start<'_> {
        type Output = Result<Box<dyn Exploring>, String>;
        fn visit<P: Registered>(self, sim: Sim<P>) -> Self::Output {
            Ok(Box::new(search::Explorer::new(self.0, sim, self.1)?))
        }
    }
    let cfg = LabConfig { explored: true, ..cfg.clone() };
    with_sim(&cfg, Start(&cfg, bounds))?
}

/// Explore to the end (or a bound) and report.
pub fn explore(cfg: &LabConfig, bounds: Bounds) -> Result<Report, String> {
    let mut ex = start(cfg, bounds)?;
    loop {
        if let Some(r) = ex.run(1 << 16) {
            return Ok(r.clone());
        }
    }
}

/// The configuration an exploration of `protocol` starts from: the protocol's small cluster
/// (`Registered::explore_settings`), a free run without faults.
pub fn explore_config(protocol: &str) -> Result<LabConfig, String> {
    struct Small;
    impl crate::registry::KindVisitor for Small {
        type Output = LabConfig;
        fn visit<P: Registered>(self, wrap: fn(P::Config) -> crate::registry::Setup) -> LabConfig {
            let mut cfg = P::Config::default();
            P::explore_settings(&mut cfg);
            LabConfig { explored: true, ..LabConfig::new(wrap(cfg)) }
        }
    }
    crate::registry::by_name(protocol, Small)
}

/// The bounds an exploration of `cfg` has unless told otherwise: the protocol's usual
/// requests, timer firings and highest round (`Explorable`), the rest as `Bounds::default`.
pub fn default_bounds(cfg: &LabConfig) -> Result<Bounds, String> {
    struct Defaults;
    impl crate::registry::SetupVisitor for Defaults {
        type Output = Result<Bounds, String>;
        fn visit<P: Registered>(self, settings: &P::Config) -> Self::Output {
            let proto = P::make(settings, None, None)?;
            Ok(Bounds {
                requests: proto.default_requests(),
                timeouts: proto.default_timeouts(),
                max_term: proto.default_max_term(),
                ..Bounds::default()
            })
        }
    }
    cfg.setup.visit(Defaults)
}
