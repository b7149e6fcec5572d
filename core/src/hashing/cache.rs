//! A distributed cache in front of a slow store. Clients GET keys whose popularity follows a
//! Zipf law; the selected algorithm picks the cache node for each key; each node keeps a
//! fixed number of entries and evicts with CLOCK (second chance), the usual approximation of
//! LRU. Adding or crashing a node moves keys: their next GET misses, and the hit
//! rate dips until the caches warm up again. The deeper and longer the dip, the more keys moved.

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use serde::Serialize;

use super::algos::{Algo, Params, Placement};
use super::key::hash_key;
use crate::rng::Rng;

/// Limits on what the page lets a user set.
pub const MAX_CACHE_NODES: usize = 64;
pub const MAX_CACHE_KEYS: usize = 100_000;
pub const MAX_CACHE_CAPACITY: usize = 100_000;
pub const MAX_REQUESTS_PER_TICK: usize = 10_000;

#[derive(Clone, Debug, PartialEq)]
pub struct CacheConfig {
    pub algo: Algo,
    pub nodes: usize,
    /// Distinct keys (ranked by popularity).
    pub keys: usize,
    /// Zipf exponent: popularity of rank r ∝ 1/r^s.
    pub zipf_s: f64,
    /// Entries each node's LRU holds.
    pub capacity: usize,
    pub requests_per_tick: usize,
    pub params: Params,
    pub seed: u64,
}

impl Default for CacheConfig {
    fn default() -> Self {
        CacheConfig {
            algo: Algo::Ring,
            nodes: 5,
            keys: 20_000,
            zipf_s: 1.0,
            capacity: 1_000,
            requests_per_tick: 500,
            params: Params::default(),
            seed: 1,
        }
    }
}

impl CacheConfig {
    pub fn validate(&self) -> Result<(), String> {
        let bad =
            |what: &str, max: usize, v: usize| alloc::format!("{what} must be between 1 and {max} (got {v})");
        if self.nodes == 0 || self.nodes > MAX_CACHE_NODES {
            return Err(bad("cache nodes", MAX_CACHE_NODES, self.nodes));
        }
        if self.keys == 0 || self.keys > MAX_CACHE_KEYS {
            return Err(bad("keys", MAX_CACHE_KEYS, self.keys));
        }
        if self.capacity == 0 || self.capacity > MAX_CACHE_CAPACITY {
            return Err(bad("capacity per node", MAX_CACHE_CAPACITY, self.capacity));
        }
        if self.requests_per_tick == 0 || self.requests_per_tick > MAX_REQUESTS_PER_TICK {
            return Err(bad("requests per tick", MAX_REQUESTS_PER_TICK, self.requests_per_tick));
        }
        if !(self.zipf_s >= 0.0 && self.zipf_s <= 3.0) {
            return Err(alloc::format!(
                "the Zipf exponent must be between 0 and 3 (got {})",
                crate::fixed::Short(self.zipf_s)
            ));
        }
        self.params.validate()
    }
}

/// A node's cache: CLOCK replacement over a fixed number of slots, and where each key it holds
/// is. A key a node held before it moved away stays there until CLOCK evicts it: if the key
/// comes back (the node that took it is gone), its next GET hits, as on a real cache node.
#[derive(Clone, Debug, Default)]
struct Clock {
    /// Key held by each slot, and its reference bit.
    slots: Vec<(u32, bool)>,
    hand: usize,
    /// Key → its slot.
    index: BTreeMap<u32, u32>,
}

impl Clock {
    /// Look `key` up; on a miss, insert it (evicting by CLOCK). Whether it hit.
    fn access(&mut self, key: u32, capacity: usize) -> bool {
        if let Some(slot) = self.index.get(&key) {
            self.slots[*slot as usize].1 = true;
            return true;
        }
        let slot = if self.slots.len() < capacity {
            self.slots.push((key, true));
            self.slots.len() - 1
        } else {
            loop {
                let h = self.hand;
                self.hand = (self.hand + 1) % self.slots.len();
                if self.slots[h].1 {
                    self.slots[h].1 = false;
                } else {
                    self.index.remove(&self.slots[h].0);
                    self.slots[h] = (key, true);
                    break h;
                }
            }
        };
        self.index.insert(key, slot as u32);
        false
    }
}

/// One tick's requests.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Tick {
    pub hits: u32,
    pub misses: u32,
}

/// A membership change and what it moved.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Change {
    pub tick: u64,
    pub what: String,
    /// Fraction of all keys whose node changed.
    pub moved: f64,
}

#[derive(Clone, Debug)]
pub struct CacheSim {
    pub cfg: CacheConfig,
    rng: Rng,
    cdf: Vec<f64>,
    hashes: Vec<u64>,
    pub members: Vec<u32>,
    next_id: u32,
    /// Cache node of each key under the current membership.
    pub owner: Vec<u32>,
    /// Each node's cache, by node id (`None` once crashed).
    caches: Vec<Option<Clock>>,
    pub tick: u64,
    pub history: Vec<Tick>,
    pub changes: Vec<Change>,
    /// Requests per key, decayed by `HOT_DECAY` each tick.
    heat: Vec<f64>,
}

const HOT_DECAY: f64 = 0.9;

impl CacheSim {
    pub fn new(cfg: CacheConfig) -> Result<CacheSim, String> {
        cfg.validate()?;
        let mut total = 0.0;
        let mut cdf = Vec::with_capacity(cfg.keys);
        for r in 1..=cfg.keys {
            total += 1.0 / libm::pow(r as f64, cfg.zipf_s);
            cdf.push(total);
        }
        for c in &mut cdf {
            *c /= total;
        }
        let hashes = (0..cfg.keys).map(|k| hash_key(alloc::format!("key-{k}").as_bytes())).collect();
        let members: Vec<u32> = (0..cfg.nodes as u32).collect();
        let mut sim = CacheSim {
            rng: Rng::new(cfg.seed),
            cdf,
            hashes,
            next_id: cfg.nodes as u32,
            owner: Vec::new(),
            caches: members.iter().map(|_| Some(Clock::default())).collect(),
            members,
            tick: 0,
            history: Vec::new(),
            changes: Vec::new(),
            heat: vec![0.0; cfg.keys],
            cfg,
        };
        sim.owner = sim.placement().assign(&sim.hashes);
        Ok(sim)
    }

    fn placement(&self) -> Placement {
        Placement::new(self.cfg.algo, &self.members, &[], &self.cfg.params)
    }

    fn sample(&mut self) -> usize {
        let u = self.rng.unit();
        self.cdf.partition_point(|c| *c < u).min(self.cdf.len() - 1)
    }

    /// Run one tick of requests.
    pub fn step(&mut self) {
        let mut t = Tick::default();
        for h in &mut self.heat {
            *h *= HOT_DECAY;
        }
        for _ in 0..self.cfg.requests_per_tick {
            let key = self.sample();
            self.heat[key] += 1.0;
            let node = self.owner[key];
            let cap = self.cfg.capacity;
            let hit = match self.caches.get_mut(node as usize).and_then(|c| c.as_mut()) {
                Some(c) => c.access(key as u32, cap),
                None => false,
            };
            if hit {
                t.hits += 1;
            } else {
                t.misses += 1;
            }
        }
        self.history.push(t);
        self.tick += 1;
    }

    fn remap(&mut self, what: String) {
        let before = core::mem::take(&mut self.owner);
        self.owner = self.placement().assign(&self.hashes);
        let moved = before.iter().zip(&self.owner).filter(|(a, b)| a != b).count();
        self.changes.push(Change { tick: self.tick, what, moved: moved as f64 / self.hashes.len() as f64 });
    }

    /// Add an empty cache node.
    pub fn add_node(&mut self) -> Result<u32, String> {
        if self.members.len() >= MAX_CACHE_NODES {
            return Err(alloc::format!("at most {MAX_CACHE_NODES} cache nodes"));
        }
        let id = self.next_id;
        self.next_id += 1;
        self.members.push(id);
        self.caches.push(Some(Clock::default()));
        self.remap(alloc::format!("add node {id}"));
        Ok(id)
    }

    /// Crash a node: its cache is gone and its keys go elsewhere.
    pub fn crash_node(&mut self, id: u32) -> Result<(), String> {
        if self.members.len() <= 1 {
            return Err("the last cache node cannot be removed".into());
        }
        let Some(pos) = self.members.iter().position(|m| *m == id) else {
            return Err(alloc::format!("there is no cache node {id}"));
        };
        super::algos::remove_member(self.cfg.algo, &mut self.members, pos);
        if let Some(c) = self.caches.get_mut(id as usize) {
            *c = None;
        }
        self.remap(alloc::format!("crash node {id}"));
        Ok(())
    }

    /// Hit rate of the last `window` ticks.
    pub fn hit_rate(&self, window: usize) -> f64 {
        let recent = &self.history[self.history.len().saturating_sub(window)..];
        let (h, m) = recent.iter().fold((0u64, 0u64), |(h, m), t| (h + t.hits as u64, m + t.misses as u64));
        if h + m == 0 {
            0.0
        } else {
            h as f64 / (h + m) as f64
        }
    }

    /// The `n` hottest keys: (key index, recent requests, node).
    pub fn hot_keys(&self, n: usize) -> Vec<(usize, f64, u32)> {
        let idx = crate::order::order_by(self.heat.iter().map(|h| !crate::order::f64_key(*h)));
        idx.into_iter()
            .take(n)
            .map(|k| k as usize)
            .map(|k| (k, self.heat[k] * (1.0 - HOT_DECAY), self.owner[k]))
            .collect()
    }

    /// Requests per node in the last tick window, as a share of load (for the load histogram).
    pub fn node_heat(&self) -> Vec<(u32, f64)> {
        let mut by = vec![0.0; self.next_id as usize];
        for (k, h) in self.heat.iter().enumerate() {
            by[self.owner[k] as usize] += h;
        }
        self.members.iter().map(|&m| (m, by[m as usize])).collect()
    }
}
