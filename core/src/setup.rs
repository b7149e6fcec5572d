//! What a protocol provides to be offered to users: the [`Registered`] trait (its settings,
//! how the form, the scenario document and the CLI read and write them, its presets, how the
//! page presents it) and the small parsers its registration uses. Each protocol implements it
//! in its own `setup.rs`; `registry.rs` lists the protocols.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::Debug;

use serde::Serialize;

use crate::protocol::{Present, Protocol};
use crate::scenario::doc::ScenarioDoc;

/// What a protocol provides, beside its logic (`Protocol`) and its presentation (`Present`), to
/// be offered on the page, in scenario documents and on the CLI.
pub trait Registered: Present + crate::explorable::Explorable {
    /// Stable name: the page's fragment, the document's `protocol`, the CLI's `--protocol`.
    /// Equal to `Protocol::name`.
    const NAME: &'static str;
    /// The name people read ("Multi-Paxos"): tab labels, messages.
    const TITLE: &'static str;
    /// What the user sets for a run (sizes, options, client workload): the form's and the
    /// document's fields. A preset may replace much of it when the run is built.
    type Config: Clone + Debug + PartialEq + Default;
    /// The named presets: (name, title).
    fn presets() -> Vec<(&'static str, &'static str)>;
    /// The protocol a run uses: `cfg` with the mutant and the preset on top, validated. The
    /// messages name the field at fault.
    fn make(cfg: &Self::Config, mutant: Option<&str>, preset: Option<&str>) -> Result<Self, String>;
    /// The settings a run of `made` has, as the form shows them: after a preset, the sizes and
    /// options the preset chose, so the form shows what runs (a free run of them has the same
    /// cluster; the preset's timing and script are not settings).
    fn settings(made: &Self) -> Self::Config;
    /// The configuration the page opens with; `None` for a free run, or the name of a preset.
    fn opening_preset() -> Option<&'static str> {
        None
    }
    /// Write the configuration's own fields into a scenario document.
    fn export(cfg: &Self::Config, doc: &mut ScenarioDoc);
    /// Read them back, checking what the document format checks; `make` checks the rest.
    fn import(doc: &ScenarioDoc) -> Result<Self::Config, String>;
    /// Apply one CLI cluster flag (`--servers 5` is `("servers", "5")`). `Ok(false)` if the
    /// flag means nothing to this protocol.
    fn flag(cfg: &mut Self::Config, name: &str, value: &str) -> Result<bool, String>;
    /// Whether its clients keep a key-value history (`distlab run --history`, the history
    /// lane, the linearizability search).
    const CLIENT_HISTORY: bool = false;
    /// How the page presents a run (legend, layout, notes).
    fn page() -> Page;
    /// The small cluster an exploration starts from (`explore`), before the user's flags:
    /// a few servers, clients that send only what the explorer gives them.
    fn explore_settings(_cfg: &mut Self::Config) {}
    /// The configuration `distlab bench` and the browser benchmark run (the seed varies), and
    /// its fault preset.
    fn bench() -> (Self::Config, crate::net::FaultPreset);
}

/// How the page draws a protocol's run, beside what `Protocol::about` says of it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Page {
    /// The message types the legend explains.
    pub legend: &'static [&'static str],
    /// What a node's or a message's colour means.
    pub colour_note: &'static str,
    pub drawing: Drawing,
    /// The note beside the replicated-log table (empty: the protocol has no log).
    pub log_note: &'static str,
    /// The playback speed the page opens with, as log10 of the factor (0: real time × 1).
    pub speed_log: f64,
    /// Whether the page offers the Raft-versus-Multi-Paxos comparison.
    pub compare: bool,
    /// The page's notation and words, each with a short definition (the glossary).
    pub glossary: &'static [(&'static str, &'static str)],
    /// What a node's colour key (`NodeView::hue_key`) stands for, for the colour legend.
    pub hues: Hues,
}

/// What a node's colour key stands for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub enum Hues {
    /// Nothing: colours are not a key.
    #[default]
    None,
    /// A node: the key is a node's index (Paxos: the proposer whose ballot it promised).
    Node,
    /// A term or epoch number.
    Term,
    /// A box of a `Drawing::Boxes` page (a rack, a replica group), named as the box is; a key
    /// no box's nodes carry (the servers above the boxes) is named by its nodes' role.
    Boxes,
}

/// Where the page puts the nodes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub enum Drawing {
    /// On a circle: every node may talk to every other.
    #[default]
    Circle,
    /// In three columns, as data flows, by the nodes' roles (Kafka: producers, brokers,
    /// consumers); a node of another role (Kafka's controller) stands above the middle one.
    Columns([&'static str; 3]),
    /// Boxes side by side (the file system's racks, the sharded database's replica groups): each
    /// box's nodes in a column of their own (see [`crate::protocol::Enclosure`]), the other
    /// servers in a row above them, the clients in a column at the right.
    Boxes,
}

/// The mutant a run names, parsed by the protocol's `parse`, or an error listing the known ones.
pub fn mutant_of<P: Protocol, M>(
    name: Option<&str>,
    title: &str,
    parse: fn(&str) -> Option<M>,
) -> Result<Option<M>, String> {
    let Some(name) = name else { return Ok(None) };
    parse(name).map(Some).ok_or_else(|| {
        let names: Vec<&str> = P::mutants().iter().map(|m| m.name).collect();
        format!("unknown {title} mutant \"{name}\"; known: {}", names.join(", "))
    })
}

/// A CLI flag's whole number (`--servers 5`), or a message naming the flag.
pub fn whole(name: &str, value: &str) -> Result<u64, String> {
    value.parse::<u64>().map_err(|_| format!("--{name} must be a whole number (got {value:?})"))
}

/// A CLI flag's count: values past `usize` become `usize::MAX`, which the protocol's
/// validation then refuses with its own message.
pub fn size(name: &str, value: &str) -> Result<usize, String> {
    Ok(usize::try_from(whole(name, value)?).unwrap_or(usize::MAX))
}

/// A CLI flag's whole number for a 32-bit field (the protocol's validation then applies its
/// own limits).
pub fn whole_u32(name: &str, value: &str) -> Result<u32, String> {
    u32::try_from(whole(name, value)?)
        .map_err(|_| format!("--{name} must be a whole number from 0 to {} (got {value:?})", u32::MAX))
}

/// A CLI flag's `on` or `off`.
pub fn on_off(name: &str, value: &str) -> Result<bool, String> {
    match value {
        "on" => Ok(true),
        "off" => Ok(false),
        v => Err(format!("--{name} must be on or off (got {v:?})")),
    }
}

/// Apply one CLI flag of the clients' workload (`--keys`, `--reads`, `--cas`, `--think-ms`),
/// shared by the key-value protocols' registrations. `Ok(false)` for any other flag.
pub fn workload_flag(
    w: &mut crate::kv::client::Workload,
    think_ms: &mut Option<u64>,
    name: &str,
    value: &str,
) -> Result<bool, String> {
    match name {
        "keys" => w.keys = whole_u32(name, value)?,
        // Shares above 100 are refused by the workload's validation, with its message.
        "reads" => w.reads_pct = whole(name, value)?.min(1000) as u32,
        "cas" => w.cas_pct = whole(name, value)?.min(1000) as u32,
        "think-ms" => *think_ms = Some(whole(name, value)?),
        _ => return Ok(false),
    }
    Ok(true)
}
