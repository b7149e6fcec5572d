//! Running measurements of a run, kept by the simulator as the run goes so that they are exact
//! at every position (a checkpoint carries them, replay rebuilds them): messages by type and
//! their bytes, client operations and their latency, time without a leader, elections.

use alloc::vec::Vec;

use serde::Serialize;

use crate::protocol::{NodeId, Time};

/// Upper bounds of the latency histogram's buckets, in milliseconds (the last is open).
pub const LATENCY_BUCKETS_MS: [u64; 9] = [1, 2, 5, 10, 20, 50, 100, 200, 500];

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Metrics {
    /// (message type, messages sent, bytes sent), in order of first appearance.
    pub messages: Vec<(&'static str, u64, u64)>,
    /// Client operations completed, and how many fell in each latency bucket (one more than
    /// `LATENCY_BUCKETS_MS`: the last counts everything slower).
    pub completed: u64,
    pub latency: [u64; LATENCY_BUCKETS_MS.len() + 1],
    pub latency_total_us: u64,
    /// Whether the protocol has a single leader to speak of; then the time without one and the
    /// number of times a new leader appeared.
    pub has_leader: bool,
    pub leaderless_us: u64,
    pub elections: u64,
    #[serde(skip)]
    pub(crate) invoked: Vec<Option<Time>>,
    #[serde(skip)]
    pub(crate) leader: Option<NodeId>,
    #[serde(skip)]
    pub(crate) last_leader: Option<NodeId>,
    #[serde(skip)]
    pub(crate) since: Time,
}

impl Metrics {
    pub(crate) fn sent(&mut self, kind: &'static str, bytes: u64) {
        // Kinds are static names: look for the same pointer first, and compare text only if
        // none is (kinds are listed once each, so both find the same one).
        let at = self.messages.iter().position(|m| core::ptr::eq(m.0, kind));
        match at.or_else(|| self.messages.iter().position(|m| m.0 == kind)).map(|i| &mut self.messages[i]) {
            Some(m) => {
                m.1 += 1;
                m.2 += bytes;
            }
            None => self.messages.push((kind, 1, bytes)),
        }
    }

    pub(crate) fn invoke(&mut self, process: usize, now: Time) {
        if process < 1024 {
            if self.invoked.len() <= process {
                self.invoked.resize(process + 1, None);
            }
            self.invoked[process] = Some(now);
        }
    }

    pub(crate) fn complete(&mut self, process: usize, now: Time) {
        let Some(t0) = self.invoked.get_mut(process).and_then(|t| t.take()) else { return };
        let us = now.0.saturating_sub(t0.0);
        let ms = us / 1000;
        let bucket = LATENCY_BUCKETS_MS.iter().position(|b| ms < *b).unwrap_or(LATENCY_BUCKETS_MS.len());
        self.latency[bucket] += 1;
        self.latency_total_us += us;
        self.completed += 1;
    }

    pub(crate) fn leader_now(&mut self, leader: Option<NodeId>, now: Time) {
        if leader.is_some() != self.leader.is_some() {
            if self.leader.is_none() {
                self.leaderless_us += now.0.saturating_sub(self.since.0);
            }
            self.since = now;
        }
        if leader.is_some() && leader != self.last_leader {
            self.elections += 1;
            self.last_leader = leader;
        }
        self.leader = leader;
    }

    /// Time without a leader up to `now` (counting the current stretch, if leaderless).
    pub fn leaderless_until(&self, now: Time) -> u64 {
        self.leaderless_us + if self.leader.is_none() { now.0.saturating_sub(self.since.0) } else { 0 }
    }

    /// The metrics as CSV: `metric,value` lines, then one line per message type.
    pub fn csv(&self, protocol: &str, seed: u64, events: u64, now: Time) -> alloc::string::String {
        use core::fmt::Write;
        let mut out = alloc::string::String::new();
        let _ = writeln!(out, "metric,value");
        let _ = writeln!(out, "protocol,{protocol}");
        let _ = writeln!(out, "seed,{seed}");
        let _ = writeln!(out, "events,{events}");
        let _ = writeln!(out, "virtual_time_us,{}", now.0);
        let sent: u64 = self.messages.iter().map(|m| m.1).sum();
        let bytes: u64 = self.messages.iter().map(|m| m.2).sum();
        let _ = writeln!(out, "messages,{sent}");
        let _ = writeln!(out, "bytes,{bytes}");
        let _ = writeln!(out, "operations_completed,{}", self.completed);
        if let Some(mean) = self.latency_total_us.checked_div(self.completed) {
            let _ = writeln!(out, "latency_mean_us,{mean}");
        }
        for (i, n) in self.latency.iter().enumerate() {
            match LATENCY_BUCKETS_MS.get(i) {
                Some(b) => {
                    let _ = writeln!(out, "latency_under_{b}ms,{n}");
                }
                None => {
                    let _ = writeln!(out, "latency_{}ms_or_more,{n}", LATENCY_BUCKETS_MS[i - 1]);
                }
            }
        }
        if self.has_leader {
            let _ = writeln!(out, "leaderless_us,{}", self.leaderless_until(now));
            let _ = writeln!(out, "elections,{}", self.elections);
        }
        for (kind, n, b) in &self.messages {
            let _ = writeln!(out, "messages_{kind},{n}");
            let _ = writeln!(out, "bytes_{kind},{b}");
        }
        out
    }
}
