//! What an exploration reports: where it stands while it runs, and what it covered and found.

use alloc::string::String;

use serde::Serialize;

use super::bounds::Bounds;
use crate::scenario::ScenarioDoc;

/// Where an exploration stands.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Progress {
    /// Successor states made (each step from each expanded state).
    pub states: u64,
    /// Distinct states, the first included.
    pub unique_states: u64,
    /// The depth being expanded (breadth first) or the path's length (depth first).
    pub depth: u32,
    /// The deepest distinct state so far.
    pub max_depth: u32,
    /// States waiting to be expanded.
    pub frontier: u64,
}

/// A violation found, and the path to it.
#[derive(Clone, Debug, PartialEq)]
pub struct Found {
    pub property: String,
    pub message: String,
    /// Events from the start to the violation.
    pub steps: u32,
    /// The path as a scenario document: it opens on the violation.
    pub doc: ScenarioDoc,
}

/// What an exploration covered and found.
#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    pub protocol: &'static str,
    pub servers: usize,
    pub clients: usize,
    pub bounds: Bounds,
    pub states: u64,
    pub unique_states: u64,
    pub max_depth: u32,
    /// States not explored because a node passed `max_term`.
    pub pruned: u64,
    /// Distinct states at the depth bound that had moves left, not expanded: a complete search
    /// with none covered every run within the other bounds to its end; with some, runs go on
    /// past the depth bound.
    pub depth_cut: u64,
    /// Whether every state within the bounds was visited (false when a violation or the
    /// state limit stopped it).
    pub complete: bool,
    /// Memory of the seen set, in bytes.
    pub seen_bytes: u64,
    pub violation: Option<Found>,
    /// The first break found of a property the protocol checks but never promised: no
    /// violation, and the search went on past it.
    pub not_promised: Option<Found>,
    /// The protocol's properties this exploration did not judge (`Explorable::unjudged`).
    pub unjudged: &'static [&'static str],
}
