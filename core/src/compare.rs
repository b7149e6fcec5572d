//! Raft and Multi-Paxos side by side: the same seed, the same cluster, the same clients and the
//! same fault schedule, measured the same way.
//!
//! The schedule is drawn from its own generator (seeded from the run's seed), not from the
//! simulator's, so both protocols meet exactly the same crashes and partitions at the same
//! times, whatever they draw for themselves.

use alloc::vec::Vec;

use serde::Serialize;

use crate::lincheck::LineKind;
use crate::multipaxos::MultiPaxos;
use crate::net::FaultPreset;
use crate::protocol::{MessageInfo, NodeId, Protocol, Time};
use crate::raft::Raft;
use crate::rng::Rng;
use crate::setup::Registered;
use crate::sim::{Input, Sim};
use crate::trace::RecordKind;

/// Servers and clients of the comparison.
pub const SERVERS: usize = 5;
pub const CLIENTS: usize = 2;
/// Longest comparison run, in virtual seconds.
pub const MAX_SECONDS: u64 = 120;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Fault {
    Crash(NodeId),
    Restart(NodeId),
    /// Cut one server off from everyone else.
    Isolate(NodeId),
    Heal,
}

/// A fault schedule over `seconds`: every 0.6–1.6 s one server either crashes (and restarts
/// 0.4–1.2 s later) or is cut off (and the network heals as long after).
pub fn schedule(seed: u64, seconds: u64) -> Vec<(Time, Fault)> {
    let mut rng = Rng::new(seed ^ 0x5eed_fa17_0000_0001);
    let end = seconds * 1_000_000;
    let mut t = rng.range(400_000, 1_000_000);
    let mut out = Vec::new();
    while t < end {
        let victim = NodeId(rng.below(SERVERS as u64) as u32);
        let back = t + rng.range(400_000, 1_200_000);
        if rng.chance(0.5) {
            out.push((Time(t), Fault::Crash(victim)));
            out.push((Time(back), Fault::Restart(victim)));
        } else {
            out.push((Time(t), Fault::Isolate(victim)));
            out.push((Time(back), Fault::Heal));
        }
        t = back + rng.range(200_000, 600_000);
    }
    out
}

/// What one protocol did under the schedule.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Metrics {
    pub protocol: &'static str,
    pub events: u64,
    pub messages: u64,
    pub committed: u64,
    pub messages_per_command: f64,
    pub latency_mean_ms: f64,
    pub latency_p95_ms: f64,
    pub leaderless_ms: f64,
    pub elections: u64,
}

/// What the page draws of one protocol's run: who led when, when commands committed, and the
/// messages by kind.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Timeline {
    /// Spans of one leader, in time order: (from, to, leader). The gaps between them had none.
    pub leaders: Vec<(Time, Time, NodeId)>,
    /// When each command committed (its client got its answer).
    pub commits: Vec<Time>,
    /// Messages sent, by kind, most first (equal counts in the order first sent).
    pub kinds: Vec<(&'static str, u64)>,
}

fn input<P: Protocol>(f: Fault, nodes: usize) -> Input<P> {
    match f {
        Fault::Crash(n) => Input::Crash(n),
        Fault::Restart(n) => Input::Restart(n),
        Fault::Isolate(n) => Input::Partition((0..nodes).map(|i| (i == n.index()) as u8).collect()),
        Fault::Heal => Input::Heal,
    }
}

/// Run one protocol under the schedule for `seconds` of virtual time and measure it.
pub fn measure<P: Registered>(proto: P, seed: u64, seconds: u64, faults: &[(Time, Fault)]) -> Metrics {
    measure_with_timeline(proto, seed, seconds, faults).0
}

/// [`measure`], with what the page draws of the run.
pub fn measure_with_timeline<P: Registered>(
    proto: P,
    seed: u64,
    seconds: u64,
    faults: &[(Time, Fault)],
) -> (Metrics, Timeline) {
    let nodes = proto.nodes();
    let mut sim = Sim::new(proto, FaultPreset::None.config(), seed);
    let end = Time(seconds.min(MAX_SECONDS) * 1_000_000);
    let mut m = Metrics { protocol: P::NAME, ..Metrics::default() };
    let mut timeline = Timeline::default();
    let mut kinds: Vec<(&'static str, u64)> = Vec::new();
    let mut invoked: Vec<Option<Time>> = Vec::new();
    let mut latencies: Vec<u64> = Vec::new();
    let mut next_fault = 0;
    let (mut leader, mut last_leader) = (None, None);
    let mut since = Time::ZERO;
    loop {
        let next = sim.next_time().filter(|t| *t <= end);
        // Faults due before the next event happen first.
        let due = faults.get(next_fault).filter(|(at, _)| next.is_none_or(|n| *at <= n) && *at <= end);
        if let Some((at, f)) = due {
            sim.advance_to(*at);
            sim.apply_input(input::<P>(*f, nodes));
            next_fault += 1;
        } else if next.is_none() || !sim.step() {
            break;
        }
        let now = sim.now();
        for r in sim.last_records() {
            match &r.kind {
                // A message a server sends itself (Multi-Paxos's proposer to its own acceptor)
                // crosses no network: it is not counted.
                RecordKind::Send { from, to, .. } if from == to => {}
                RecordKind::Send { msg, .. } => {
                    m.messages += 1;
                    let kind = msg.kind();
                    match kinds.iter_mut().find(|k| k.0 == kind) {
                        Some(k) => k.1 += 1,
                        None => kinds.push((kind, 1)),
                    }
                }
                RecordKind::Note { note } => {
                    let Some(line) = P::history_line(note) else { continue };
                    let c = line.process as usize;
                    if invoked.len() <= c {
                        invoked.resize(c + 1, None);
                    }
                    match line.kind {
                        LineKind::Invoke => invoked[c] = Some(now),
                        _ => {
                            if let Some(t0) = invoked[c].take() {
                                latencies.push(now.0 - t0.0);
                                timeline.commits.push(now);
                                m.committed += 1;
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        let up: Vec<bool> = sim.status().iter().map(|s| s.up).collect();
        let l = sim.proto.leader(sim.nodes(), &up);
        if l != leader {
            match leader {
                Some(was) => timeline.leaders.push((since, now, was)),
                None => m.leaderless_ms += (now.0 - since.0) as f64 / 1000.0,
            }
            since = now;
        }
        if l.is_some() && l != last_leader {
            m.elections += 1;
            last_leader = l;
        }
        leader = l;
    }
    match leader {
        None => m.leaderless_ms += end.0.saturating_sub(since.0) as f64 / 1000.0,
        Some(was) => timeline.leaders.push((since, end.max(since), was)),
    }
    let most_first = crate::order::order_by(kinds.iter().map(|k| u64::MAX - k.1));
    timeline.kinds = most_first.into_iter().map(|i| kinds[i as usize]).collect();
    m.events = sim.events();
    if m.committed > 0 {
        m.messages_per_command = m.messages as f64 / m.committed as f64;
        m.latency_mean_ms = latencies.iter().sum::<u64>() as f64 / latencies.len() as f64 / 1000.0;
        let order = crate::order::order_by(latencies.iter().copied());
        let at = (order.len() * 95 / 100).min(order.len() - 1);
        m.latency_p95_ms = latencies[order[at] as usize] as f64 / 1000.0;
    }
    (m, timeline)
}

/// The comparison's Raft: five servers, two clients, Raft's default timing.
fn raft() -> Raft {
    Raft { servers: SERVERS, clients: CLIENTS, ..Raft::default() }
}

/// The comparison's Multi-Paxos, on Raft's timing.
fn multipaxos() -> MultiPaxos {
    let raft = raft();
    MultiPaxos {
        servers: SERVERS,
        clients: CLIENTS,
        election_us: raft.election_us.0,
        heartbeat_us: raft.heartbeat_us,
        client_think_us: raft.client_think_us,
        client_timeout_us: raft.client_timeout_us,
        ..MultiPaxos::default()
    }
}

/// Both protocols on the same seed and schedule: 5 servers, 2 clients, the same timing.
pub fn compare(seed: u64, seconds: u64) -> [Metrics; 2] {
    let seconds = seconds.clamp(1, MAX_SECONDS);
    let faults = schedule(seed, seconds);
    [measure(raft(), seed, seconds, &faults), measure(multipaxos(), seed, seconds, &faults)]
}

/// The page's three runs on one seed and schedule, with what it draws of each: Raft as in the
/// paper, Raft with Pre-Vote (Ongaro's thesis §9.6: a candidate first asks whether it could
/// win, so a server back from a cut-off cannot depose the leader with its higher term), and
/// Multi-Paxos.
pub fn page_runs(seed: u64, seconds: u64) -> [(Metrics, Timeline); 3] {
    let seconds = seconds.clamp(1, MAX_SECONDS);
    let faults = schedule(seed, seconds);
    [
        measure_with_timeline(raft(), seed, seconds, &faults),
        measure_with_timeline(Raft { prevote: true, ..raft() }, seed, seconds, &faults),
        measure_with_timeline(multipaxos(), seed, seconds, &faults),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_protocols_meet_the_same_faults_and_make_progress() {
        let faults = schedule(7, 10);
        assert!(faults.len() >= 8, "{faults:?}");
        assert_eq!(faults, schedule(7, 10), "the schedule depends on the seed only");
        let [raft, mp] = compare(7, 10);
        for m in [&raft, &mp] {
            assert!(m.committed > 20, "{m:?}");
            assert!(m.messages_per_command > 1.0 && m.latency_p95_ms >= m.latency_mean_ms * 0.5, "{m:?}");
            assert!(m.elections >= 2, "faults move the leader: {m:?}");
            assert!(m.leaderless_ms > 0.0 && m.leaderless_ms < 10_000.0, "{m:?}");
        }
        assert_eq!((raft.protocol, mp.protocol), ("raft", "multipaxos"));
        let [plain, _, paxos] = page_runs(7, 10);
        assert_eq!([plain.0, paxos.0], [raft, mp], "the page's runs are the CLI's");
    }

    /// Pre-Vote is what the page says it is: on the same faults, Raft with it spends less time
    /// without a leader than Raft without it, over a few seeds (a returning server no longer
    /// deposes the leader).
    #[test]
    fn pre_vote_shortens_the_time_without_a_leader() {
        let (mut plain, mut prevote) = (0.0, 0.0);
        for seed in 1..=4 {
            let [a, b, _] = page_runs(seed, 20);
            plain += a.0.leaderless_ms;
            prevote += b.0.leaderless_ms;
        }
        assert!(prevote * 2.0 < plain, "with Pre-Vote {prevote} ms, without {plain} ms");
    }

    /// The drawing's timeline agrees with the table: its leaders' spans leave exactly the time
    /// without a leader, one commit per committed command, and the kinds add up to the messages.
    #[test]
    fn the_timeline_agrees_with_the_metrics() {
        for seed in [1, 7] {
            for (m, t) in page_runs(seed, 15) {
                let led: u64 = t.leaders.iter().map(|(a, b, _)| b.0 - a.0).sum();
                let leaderless_us = (m.leaderless_ms * 1000.0).round() as u64;
                assert_eq!(led + leaderless_us, 15_000_000, "seed {seed}: {m:?}");
                assert!(t.leaders.windows(2).all(|w| w[0].1 <= w[1].0), "in order, apart: {:?}", t.leaders);
                assert_eq!(t.commits.len() as u64, m.committed);
                assert!(t.commits.windows(2).all(|w| w[0] <= w[1]));
                assert_eq!(t.kinds.iter().map(|k| k.1).sum::<u64>(), m.messages);
                assert!(t.kinds.windows(2).all(|w| w[0].1 >= w[1].1), "most first: {:?}", t.kinds);
                let elections = t.leaders.windows(2).filter(|w| w[0].2 != w[1].2).count() as u64 + 1;
                assert!(elections <= m.elections, "a span per leader at most: {elections} {m:?}");
            }
        }
    }

    /// What a command costs does not grow with the log: a restarted Multi-Paxos server once
    /// relearned every chosen slot from the leader (a message each), and re-proposed them all if
    /// it won the next election, so that 120 s cost four times the messages per command of 20 s
    /// (97 against 25 on seed 1).
    #[test]
    fn messages_per_command_do_not_grow_with_the_run() {
        for seed in [1, 2] {
            let [short_raft, short_mp] = compare(seed, 20);
            let [long_raft, long_mp] = compare(seed, 120);
            for (short, long) in [(short_raft, long_raft), (short_mp, long_mp)] {
                assert!(
                    long.messages_per_command < short.messages_per_command * 1.4,
                    "seed {seed}: {short:?} against {long:?}"
                );
            }
        }
    }
}
