//! Swarm testing (Groce et al., "Swarm Testing", ISSTA 2012): instead of sweeping many seeds of
//! one configuration, each seed also draws its configuration — cluster size, which extensions
//! are on, how reads are served, the fault mix, the clients' workload, and operator commands
//! (add and remove servers, transfer leadership, take snapshots) at random times. A bug that
//! needs an unusual combination shows up in a sweep that would never have tried it.
//!
//! Everything is a pure function of the seed, so a failing seed names its whole run:
//! `distlab check --protocol raft --swarm on --seeds N..N+1` replays it.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use crate::faultscript::Primitive;
use crate::kv::Workload;
use crate::net::FaultConfig;
use crate::protocol::{NodeId, ScriptAction, Target, Time};
use crate::raft::{self, ClientOp, Raft, ReadMode};
use crate::rng::Rng;

/// How a swept run ended: the operations of its client history the linearizability search
/// judged, and its violation as (property, message): the simulator's, else `lincheck` when the
/// history cannot be put in any order. The plain and swarm sweeps of every protocol whose
/// clients keep a history end their runs here.
pub fn verdict<P: crate::protocol::Protocol>(sim: &crate::sim::Sim<P>) -> (u64, Option<(String, String)>) {
    let ops: Vec<crate::history::HistoryOp> = sim.history().ops.iter().cloned().collect();
    let judged = (!ops.is_empty()).then(|| crate::history::judge(&ops));
    let operations = judged.as_ref().map_or(0, |j| j.operations as u64);
    let found = match (sim.violation(), judged) {
        (Some(v), _) => Some((v.property.clone(), v.message.clone())),
        (None, Some(j)) if j.violated() => Some((
            String::from("lincheck"),
            format!("{} operations of the client history cannot be put in any order", j.witness.len()),
        )),
        _ => None,
    };
    (operations, found)
}

/// A drawn run: the protocol's configuration, the network's faults, timed fault primitives,
/// and a one-line description of the configuration (distinct lines are distinct shapes).
#[derive(Clone, Debug)]
pub struct Drawn<P> {
    pub proto: P,
    pub faults: FaultConfig,
    pub script: Vec<(Time, Primitive)>,
    pub shape: String,
}

/// The fault mix: loss, duplication, latency and how often crashes, partitions, one-way cuts
/// and swizzles happen, each switched on or off and scaled by the draw.
pub fn faults(rng: &mut Rng) -> (FaultConfig, String) {
    let level = rng.below(4);
    if level == 0 {
        return (crate::net::FaultPreset::None.config(), "calm".into());
    }
    let mut on = |p: f64, hi: u32| if rng.chance(p) { 1 + rng.below(hi as u64) as u32 } else { 0 };
    let crash = on(0.8, 4);
    let partition = on(0.6, 3);
    let cut = on(0.5, 3);
    let swizzle = on(0.3, 2);
    let (interval_lo, interval_hi) = match level {
        1 => (300_000, 900_000),
        2 => (50_000, 300_000),
        _ => (5_000, 60_000),
    };
    let f = FaultConfig {
        latency_us_min: 1_000,
        latency_us_max: 1_000 + rng.range(5_000, 40_000),
        loss: [0.0, 0.02, 0.1, 0.2][rng.below(4) as usize],
        duplicate: [0.0, 0.01, 0.05, 0.1][rng.below(4) as usize],
        interval_us_min: interval_lo,
        interval_us_max: interval_hi,
        crash_weight: crash,
        partition_weight: partition,
        cut_weight: cut,
        swizzle_weight: swizzle,
        down_us: (50_000, 50_000 + rng.range(50_000, 600_000)),
        heal_us: (50_000, 50_000 + rng.range(50_000, 600_000)),
        max_down: 1 + rng.below(2) as usize,
    };
    let shape = format!(
        "faults L{level} loss {} dup {} crash {crash} part {partition} cut {cut} swz {swizzle} down≤{}",
        f.loss, f.duplicate, f.max_down
    );
    if crash + partition + cut + swizzle == 0 {
        return (FaultConfig { interval_us_min: 0, interval_us_max: 0, ..f }, shape);
    }
    (f, shape)
}

/// Clock skews at random times, each within `bound` percent of the true rate.
fn skews(rng: &mut Rng, nodes: usize, bound: i32, horizon_us: u64) -> Vec<(Time, Primitive)> {
    let mut out = Vec::new();
    if bound == 0 || !rng.chance(0.5) {
        return out;
    }
    for _ in 0..rng.range(1, 4) {
        let at = Time(rng.below(horizon_us));
        let node = NodeId(rng.below(nodes as u64) as u32);
        let pct = rng.range(0, 2 * bound as u64) as i32 - bound;
        out.push((at, Primitive::Skew(node, pct)));
    }
    #[allow(clippy::disallowed_methods)] // the sweeps only: never reached from the page
    out.sort_by_key(|(t, _)| *t);
    out
}

/// How far a clock may drift with lease reads on and stay safe. A leader's lease lasts 0.9 of
/// the minimum election timeout on its clock; a voter refuses to vote for a full minimum
/// timeout on its own clock after hearing from it. With every clock within ±d % of true time,
/// the lease is safe while 0.9 × (100 + d) ≤ 100 − d, that is d ≤ 5.26.
pub const LEASE_SAFE_SKEW_PCT: i32 = 5;

/// A Raft run drawn from `seed` (with `mutant`, if any).
pub fn raft(seed: u64, mutant: Option<raft::Mutant>) -> Drawn<Raft> {
    let mut rng = Rng::new(seed ^ 0x5a4d_5241_4654);
    let servers = [3, 3, 4, 5, 5, 7][rng.below(6) as usize];
    let spares = rng.below(3) as usize;
    let clients = 1 + rng.below(3) as usize;
    let prevote = rng.chance(0.5);
    let read_mode = [ReadMode::Log, ReadMode::ReadIndex, ReadMode::Lease][rng.below(3) as usize];
    // Lease reads require CheckQuorum; otherwise it is drawn.
    let check_quorum = read_mode == ReadMode::Lease || rng.chance(0.5);
    let snapshot_every = [0, 0, 4, 10, 25][rng.below(5) as usize];
    let workload = Workload {
        keys: 1 + rng.below(4) as u32,
        reads_pct: [0, 30, 60][rng.below(3) as usize],
        cas_pct: [0, 15][rng.below(2) as usize],
    };
    let client_think_us = [20_000, 100_000, 300_000][rng.below(3) as usize];
    let (faults, fault_shape) = faults(&mut rng);
    // Operator commands at random times, to whoever leads then.
    let horizon_us = 8_000_000;
    let mut script = Vec::new();
    let churn = rng.below(4);
    for _ in 0..churn * 3 {
        let at = Time(rng.range(300_000, horizon_us));
        let server = NodeId(rng.below((servers + spares) as u64) as u32);
        let op = match rng.below(4) {
            0 => ClientOp::AddServer(server),
            1 => ClientOp::RemoveServer(server),
            2 => ClientOp::TransferLeadership(None),
            _ => ClientOp::Compact,
        };
        script.push((at, ScriptAction::Client(Target::Leader, op)));
    }
    // Leader-targeted chaos: crash or cut off whoever leads, again and again, so that terms
    // are short and logs diverge (the Figure 8 pattern needs three such terms in a row).
    let chaos = rng.below(3);
    let mut at = 200_000;
    for _ in 0..chaos * 8 {
        at += rng.range(100_000, 700_000);
        let down = Time(at);
        at += rng.range(20_000, 300_000);
        let (hit, mend) = if rng.chance(0.5) {
            (ScriptAction::Crash(Target::Leader), ScriptAction::RestartAll)
        } else {
            (ScriptAction::Isolate(Target::Leader, Vec::new()), ScriptAction::Heal)
        };
        script.push((down, hit));
        script.push((Time(at), mend));
    }
    #[allow(clippy::disallowed_methods)] // the sweeps only: never reached from the page
    script.sort_by_key(|(t, _)| *t);
    // Within the lease's bound when leases are on; anything the fault script allows otherwise.
    let bound = if read_mode == ReadMode::Lease { LEASE_SAFE_SKEW_PCT } else { 50 };
    let skew = skews(&mut rng, servers + spares, bound, horizon_us);
    let shape = format!(
        "raft {servers}+{spares} c{clients} pv{} cq{} {read_mode:?} snap{snapshot_every} k{} r{} cas{} think{} churn{churn} chaos{chaos} skew{} | {fault_shape}",
        prevote as u8,
        check_quorum as u8,
        workload.keys,
        workload.reads_pct,
        workload.cas_pct,
        client_think_us / 1000,
        !skew.is_empty() as u8,
    );
    let proto = Raft {
        servers,
        spares,
        clients,
        prevote,
        check_quorum,
        read_mode,
        snapshot_every,
        workload,
        client_think_us,
        script,
        mutant,
        ..Raft::default()
    };
    Drawn { proto, faults, script: skew, shape }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_are_valid_varied_and_a_function_of_the_seed() {
        let mut shapes = alloc::collections::BTreeSet::new();
        for seed in 0..200 {
            let d = raft(seed, None);
            d.proto.validate().unwrap_or_else(|e| panic!("seed {seed}: {e}"));
            assert_eq!(d.shape, raft(seed, None).shape);
            if d.proto.read_mode == ReadMode::Lease {
                assert!(d
                    .script
                    .iter()
                    .all(|(_, p)| matches!(p, Primitive::Skew(_, pct) if pct.abs() <= LEASE_SAFE_SKEW_PCT)));
            }
            shapes.insert(d.shape);
        }
        assert!(shapes.len() > 150, "only {} distinct configurations in 200 draws", shapes.len());
    }
}
