//! The messages the page's reducer takes ([`crate::state::Player`]), and what a user can
//! select. Plain data: a leaf below the reducer.

use distlab_core::explore::Bounds;
use distlab_core::lab::{Action, LabConfig};

/// What the user has selected for a closer look.
#[derive(Clone, Debug, PartialEq)]
pub enum Selection {
    Node(u32),
    Message(u64),
}

#[derive(Clone)]
pub enum Msg {
    TogglePlay,
    Step,
    Back,
    Seek(u64),
    /// Stop playing (nothing else changes), so the document holds the position: before the
    /// page writes a share link.
    Pause,
    /// Run (or rewind) to the first event at or after this virtual time, in microseconds.
    SeekTime(u64),
    /// An animation frame: this many wall milliseconds passed, and whether the space-time
    /// diagram (or the client history) is on screen.
    Frame(f64, bool),
    SetSpeedLog(f64),
    /// Rebuild the run from a new configuration (seed, sizes, faults, mutant).
    Configure(LabConfig),
    Reset,
    Act(Action),
    Select(Option<Selection>),
    ToggleSide(u32),
    /// Side B is these nodes (a crowd's range).
    SetSide(Vec<u32>),
    Error(String),
    DismissError,
    ToggleHelp,
    CloseHelp,
    /// Show this many events in the space-time diagram.
    DiagramSpan(u64),
    /// Check the client history so far for linearizability (in slices, one per frame).
    CheckHistory,
    /// Stop the check under way.
    StopCheck,
    /// Explore every interleaving of the protocol's small cluster within these bounds, with
    /// the page's mutant (in slices, one per frame); with `true`, from the first state of the
    /// page's preset (its cluster and starting state, not its timed steps).
    Explore(Bounds, bool),
    /// Stop the exploration under way; its report says what it covered.
    StopExplore,
    /// Open the last exploration's counterexample, at the event that broke the property.
    OpenCounterexample,
    /// Open a scenario document (the text of a file).
    Import(String),
    /// Rebuild the run with a changed configuration (the fault script) and bring it back to
    /// the same virtual time.
    Reconfigure(LabConfig),
    /// Play to lesson step `i`'s moment and pause there (back to it at once if it is behind).
    Guide(usize),
    /// Switch lesson step `i`'s mutant on (or, when it is on, off again), replay, and play to
    /// what it breaks.
    BreakIt(usize),
}
