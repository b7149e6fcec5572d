//! The bounds of an exploration: what the explorer may do, how deep and how many states, and
//! the checks that keep each within a limit.

use alloc::format;
use alloc::string::String;

use serde::Serialize;

/// The order states are visited in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub enum Search {
    /// Breadth first: level by level, so the first violation found is one of the shortest.
    #[default]
    Bfs,
    /// Depth first: one path at a time down to the depth bound; it needs memory for one path
    /// rather than a whole level, and its counterexample need not be the shortest.
    Dfs,
}

impl Search {
    pub fn name(self) -> &'static str {
        match self {
            Search::Bfs => "bfs",
            Search::Dfs => "dfs",
        }
    }
    pub fn parse(s: &str) -> Option<Search> {
        match s {
            "bfs" => Some(Search::Bfs),
            "dfs" => Some(Search::Dfs),
            _ => None,
        }
    }
}

/// Most requests an exploration may issue.
pub const MAX_REQUESTS: u32 = 16;
/// Most crashes, drops or duplicates an exploration may inject.
pub const MAX_FAULTS: u32 = 16;
/// Deepest an exploration may go, in events.
pub const MAX_DEPTH: u32 = 1_000;
/// Most states an exploration may visit.
pub const MAX_STATES: u64 = 100_000_000;

/// What an exploration may do, and where it stops.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Bounds {
    /// Client requests issued, each at most once (the protocol's menu: `Explorable::requests`).
    pub requests: u32,
    /// Crashes of servers (each crashed server may restart, which costs nothing).
    pub crashes: u32,
    /// Messages dropped.
    pub drops: u32,
    /// Messages duplicated.
    pub duplicates: u32,
    /// Timers fired, in all (`None`: any number). Timers re-arm themselves, so without it a
    /// leader's heartbeats or a client's retries make paths of any length.
    pub timeouts: Option<u32>,
    /// States where a node passes this round (term, ballot round, epoch) are not explored.
    pub max_term: Option<u64>,
    /// Longest path, in events.
    pub depth: u32,
    /// Most unique states kept; the exploration stops, incomplete, when it has this many.
    pub max_states: u64,
    pub search: Search,
    /// Whether interchangeable servers count as one state (only where the protocol declares
    /// them; none does yet).
    pub symmetry: bool,
}

impl Default for Bounds {
    fn default() -> Self {
        Bounds {
            requests: 1,
            crashes: 0,
            drops: 0,
            duplicates: 0,
            timeouts: None,
            max_term: None,
            depth: 64,
            max_states: 1_000_000,
            search: Search::Bfs,
            symmetry: false,
        }
    }
}

impl Bounds {
    /// Check every bound against its limit; the message names the flag at fault.
    pub fn validate(&self) -> Result<(), String> {
        if self.requests > MAX_REQUESTS {
            return Err(format!("--requests must be at most {MAX_REQUESTS}"));
        }
        for (name, v) in [("crashes", self.crashes), ("drops", self.drops), ("duplicates", self.duplicates)] {
            if v > MAX_FAULTS {
                return Err(format!("--{name} must be at most {MAX_FAULTS}"));
            }
        }
        if self.timeouts.is_some_and(|t| t > MAX_DEPTH) {
            return Err(format!("--timeouts must be at most {MAX_DEPTH}"));
        }
        if self.max_term == Some(0) {
            return Err("--max-term must be at least 1".into());
        }
        if !(1..=MAX_DEPTH).contains(&self.depth) {
            return Err(format!("--depth must be between 1 and {MAX_DEPTH}"));
        }
        if !(1..=MAX_STATES).contains(&self.max_states) {
            return Err(format!("--max-states must be between 1 and {MAX_STATES}"));
        }
        Ok(())
    }
}
