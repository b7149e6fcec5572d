//! Load balancing: tasks of varying cost dispatched to workers by four policies, side by side
//! on the same task stream. Random and round-robin ignore the workers' state; least-loaded
//! asks every worker; power-of-two-choices (Mitzenmacher, 2001) asks only two random workers
//! and gets most of least-loaded's benefit. Queue lengths and tail latency tell them apart.

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use serde::Serialize;

use crate::rng::Rng;

pub const MAX_WORKERS: usize = 200;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Policy {
    Random,
    RoundRobin,
    LeastLoaded,
    PowerOfTwo,
}

impl Policy {
    pub const ALL: [Policy; 4] =
        [Policy::Random, Policy::RoundRobin, Policy::LeastLoaded, Policy::PowerOfTwo];
    pub fn name(self) -> &'static str {
        match self {
            Policy::Random => "random",
            Policy::RoundRobin => "round-robin",
            Policy::LeastLoaded => "least-loaded",
            Policy::PowerOfTwo => "power of two choices",
        }
    }
}

/// How task costs are distributed (mean 1 time unit in both).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Costs {
    /// Exponential.
    Exponential,
    /// Mostly short tasks and a few ten times longer ones.
    Bimodal,
}

#[derive(Clone, Debug, PartialEq)]
pub struct BalanceConfig {
    pub workers: usize,
    /// Offered load as a fraction of total capacity (ρ).
    pub load: f64,
    pub costs: Costs,
    pub seed: u64,
}

impl Default for BalanceConfig {
    fn default() -> Self {
        BalanceConfig { workers: 10, load: 0.9, costs: Costs::Exponential, seed: 1 }
    }
}

impl BalanceConfig {
    pub fn validate(&self) -> Result<(), String> {
        if self.workers == 0 || self.workers > MAX_WORKERS {
            return Err(alloc::format!("workers must be between 1 and {MAX_WORKERS} (got {})", self.workers));
        }
        if !(self.load > 0.0 && self.load <= 1.5) {
            return Err(alloc::format!(
                "the load must be above 0 and at most 1.5 (got {})",
                crate::fixed::Short(self.load)
            ));
        }
        Ok(())
    }
}

#[derive(Clone, Debug)]
struct Worker {
    /// (arrival tick, remaining work) of queued tasks, front first.
    queue: alloc::collections::VecDeque<(u64, f64)>,
}

/// One policy's cluster.
#[derive(Clone, Debug)]
pub struct Lane {
    pub policy: Policy,
    workers: Vec<Worker>,
    rng: Rng,
    rr: usize,
    /// Latencies (ticks) of tasks completed in the recent window.
    recent: Vec<f64>,
    /// Per tick: (longest queue, mean queue, p99 latency of the window).
    pub series: Vec<(u32, f64, f64)>,
}

const LATENCY_WINDOW: usize = 2_000;

impl Lane {
    pub fn queue_lengths(&self) -> Vec<usize> {
        self.workers.iter().map(|w| w.queue.len()).collect()
    }

    fn pick(&mut self) -> usize {
        let n = self.workers.len();
        let work = |w: &Worker| w.queue.iter().map(|t| t.1).sum::<f64>();
        match self.policy {
            Policy::Random => self.rng.below(n as u64) as usize,
            Policy::RoundRobin => {
                self.rr = (self.rr + 1) % n;
                self.rr
            }
            Policy::LeastLoaded => (0..n)
                .min_by(|a, b| work(&self.workers[*a]).partial_cmp(&work(&self.workers[*b])).unwrap())
                .unwrap_or(0),
            Policy::PowerOfTwo => {
                let a = self.rng.below(n as u64) as usize;
                let b = self.rng.below(n as u64) as usize;
                if work(&self.workers[b]) < work(&self.workers[a]) {
                    b
                } else {
                    a
                }
            }
        }
    }

    /// p-th percentile (0..100) of recent latencies.
    pub fn percentile(&self, p: f64) -> f64 {
        if self.recent.is_empty() {
            return 0.0;
        }
        let order = crate::order::order_by(self.recent.iter().map(|x| crate::order::f64_key(*x)));
        self.recent[order[(((order.len() - 1) as f64) * p / 100.0) as usize] as usize]
    }
}

#[derive(Clone, Debug)]
pub struct BalanceSim {
    pub cfg: BalanceConfig,
    rng: Rng,
    pub lanes: Vec<Lane>,
    pub tick: u64,
}

impl BalanceSim {
    pub fn new(cfg: BalanceConfig) -> Result<BalanceSim, String> {
        cfg.validate()?;
        let mut rng = Rng::new(cfg.seed);
        let lanes = Policy::ALL
            .iter()
            .map(|&policy| Lane {
                policy,
                workers: vec![Worker { queue: Default::default() }; cfg.workers],
                rng: Rng::new(rng.next_u64()),
                rr: 0,
                recent: Vec::new(),
                series: Vec::new(),
            })
            .collect();
        Ok(BalanceSim { cfg, rng, lanes, tick: 0 })
    }

    fn cost(&mut self) -> f64 {
        match self.cfg.costs {
            Costs::Exponential => -libm::log(1.0 - self.rng.unit()),
            Costs::Bimodal => {
                if self.rng.chance(0.05) {
                    // 5% of tasks cost 10.5, 95% cost 0.5: mean 1 (0.525 + 0.475).
                    10.5
                } else {
                    0.5
                }
            }
        }
    }

    /// One tick: arrivals (Poisson, mean load × workers), dispatch in every lane, and each worker
    /// does one unit of work.
    pub fn step(&mut self) {
        let lambda = self.cfg.load * self.cfg.workers as f64;
        // Poisson sample by inversion (λ ≤ 300).
        let mut arrivals = 0u32;
        let mut p = libm::exp(-lambda);
        let mut cum = p;
        let u = self.rng.unit();
        while u > cum && arrivals < 10_000 {
            arrivals += 1;
            p *= lambda / arrivals as f64;
            cum += p;
        }
        let costs: Vec<f64> = (0..arrivals).map(|_| self.cost()).collect();
        let now = self.tick;
        for lane in &mut self.lanes {
            for &c in &costs {
                let w = lane.pick();
                lane.workers[w].queue.push_back((now, c));
            }
            for w in &mut lane.workers {
                let mut budget = 1.0;
                while budget > 0.0 {
                    let Some(front) = w.queue.front_mut() else { break };
                    if front.1 <= budget {
                        budget -= front.1;
                        let (arrived, _) = w.queue.pop_front().expect("front exists");
                        lane.recent.push((now + 1 - arrived) as f64);
                    } else {
                        front.1 -= budget;
                        budget = 0.0;
                    }
                }
            }
            if lane.recent.len() > LATENCY_WINDOW {
                let cut = lane.recent.len() - LATENCY_WINDOW;
                lane.recent.drain(..cut);
            }
            let lens: Vec<usize> = lane.queue_lengths();
            let max = lens.iter().copied().max().unwrap_or(0) as u32;
            let mean = lens.iter().sum::<usize>() as f64 / lens.len() as f64;
            let p99 = lane.percentile(99.0);
            lane.series.push((max, mean, p99));
        }
        self.tick += 1;
    }
}
