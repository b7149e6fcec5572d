//! The placement algorithms. Nodes are identified by small integer ids; a placement is built
//! for a list of member ids and maps key hashes to members.

use alloc::collections::BTreeMap;
use alloc::vec;
use alloc::vec::Vec;

use super::key::{hash_seeded, node_name};

/// The algorithms the lab compares.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
pub enum Algo {
    Ring,
    Jump,
    Rendezvous,
    Maglev,
    Bounded,
    Modulo,
}

impl Algo {
    pub const ALL: [Algo; 6] =
        [Algo::Ring, Algo::Jump, Algo::Rendezvous, Algo::Maglev, Algo::Bounded, Algo::Modulo];

    pub fn name(self) -> &'static str {
        match self {
            Algo::Ring => "ring",
            Algo::Jump => "jump",
            Algo::Rendezvous => "rendezvous",
            Algo::Maglev => "maglev",
            Algo::Bounded => "bounded",
            Algo::Modulo => "modulo",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Algo::Ring => "ring with virtual nodes",
            Algo::Jump => "jump consistent hash",
            Algo::Rendezvous => "rendezvous (HRW)",
            Algo::Maglev => "Maglev",
            Algo::Bounded => "bounded loads",
            Algo::Modulo => "hash mod N",
        }
    }

    pub fn parse(s: &str) -> Option<Algo> {
        Algo::ALL.into_iter().find(|a| a.name() == s)
    }
}

/// Most nodes, virtual nodes per node, and Maglev table size the lab accepts.
pub const MAX_NODES: usize = 1000;
pub const MAX_VNODES: usize = 1000;
pub const MAX_MAGLEV: usize = 1_000_003;

/// Placement parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct Params {
    /// Virtual nodes per node at weight 1.
    pub vnodes: usize,
    /// Bounded loads: capacity factor c (capacity ⌈c·m/n⌉).
    pub c: f64,
    /// Maglev lookup table size (a prime).
    pub maglev_size: usize,
}

impl Default for Params {
    fn default() -> Self {
        Params { vnodes: 100, c: 1.25, maglev_size: 65_537 }
    }
}

impl Params {
    pub fn validate(&self) -> Result<(), alloc::string::String> {
        if self.vnodes == 0 || self.vnodes > MAX_VNODES {
            return Err(alloc::format!("vnodes must be between 1 and {MAX_VNODES} (got {})", self.vnodes));
        }
        if !(self.c >= 1.0 && self.c <= 10.0) {
            return Err(alloc::format!("c must be between 1 and 10 (got {})", crate::fixed::Short(self.c)));
        }
        if self.maglev_size < 3 || self.maglev_size > MAX_MAGLEV || !is_prime(self.maglev_size as u64) {
            return Err(alloc::format!("the Maglev table size must be a prime from 3 to {MAX_MAGLEV}"));
        }
        Ok(())
    }
}

pub fn is_prime(n: u64) -> bool {
    if n < 2 {
        return false;
    }
    let mut d = 2;
    while d * d <= n {
        if n.is_multiple_of(d) {
            return false;
        }
        d += 1;
    }
    true
}

/// Jump consistent hash, exactly as published by Lamping and Veach (2014), on the key itself,
/// for 1 to 2³¹ − 1 buckets (the published code's `int32_t`; 0 buckets gives 0 here, where it
/// gives −1).
pub fn jump(mut key: u64, buckets: u32) -> u32 {
    let (mut b, mut j): (i64, i64) = (-1, 0);
    while j < buckets as i64 {
        b = j;
        key = key.wrapping_mul(2_862_933_555_777_941_757).wrapping_add(1);
        j = ((b + 1) as f64 * ((1u64 << 31) as f64 / ((key >> 33) + 1) as f64)) as i64;
    }
    b.max(0) as u32
}

/// A strong 64-bit mixer (the SplitMix64 finaliser) for combining a key hash with a node hash.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

fn name_hash(id: u32, seed: u64) -> u64 {
    hash_seeded(node_name(id as usize).as_bytes(), seed)
}

/// The ring: sorted tokens, each owned by a member.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Ring {
    pub tokens: Vec<u64>,
    pub owners: Vec<u32>,
}

impl Ring {
    /// Tokens for each member: `round(vnodes × weight)` (at least one) at the hashes of
    /// `node-i#v`.
    pub fn new(members: &[u32], weights: &[f64], vnodes: usize) -> Ring {
        let mut pairs: Vec<(u64, u32)> = Vec::new();
        for (k, &m) in members.iter().enumerate() {
            let w = weights.get(k).copied().unwrap_or(1.0).max(0.0);
            let count = ((vnodes as f64 * w) + 0.5) as usize;
            for v in 0..count.max(1) {
                let label = alloc::format!("{}#{v}", node_name(m as usize));
                pairs.push((hash_seeded(label.as_bytes(), 0), m));
            }
        }
        crate::order::sort_keyed(&mut pairs);
        Ring { tokens: pairs.iter().map(|p| p.0).collect(), owners: pairs.iter().map(|p| p.1).collect() }
    }

    /// Position of the first token at or after `h`, wrapping around.
    pub fn position(&self, h: u64) -> usize {
        let i = self.tokens.partition_point(|t| *t < h);
        if i == self.tokens.len() {
            0
        } else {
            i
        }
    }

    pub fn lookup(&self, h: u64) -> u32 {
        self.owners[self.position(h)]
    }

    /// The first `r` distinct owners clockwise from `h`.
    pub fn replicas(&self, h: u64, r: usize) -> Vec<u32> {
        let mut out = Vec::with_capacity(r);
        let start = self.position(h);
        for k in 0..self.tokens.len() {
            let o = self.owners[(start + k) % self.tokens.len()];
            if !out.contains(&o) {
                out.push(o);
                if out.len() == r {
                    break;
                }
            }
        }
        out
    }
}

/// A Maglev lookup table.
fn maglev_table(members: &[u32], size: usize) -> Vec<u32> {
    let m = size as u64;
    let n = members.len();
    let perm: Vec<(u64, u64)> = members
        .iter()
        .map(|&id| {
            let offset = name_hash(id, 1) % m;
            let skip = name_hash(id, 2) % (m - 1) + 1;
            (offset, skip)
        })
        .collect();
    let mut next = vec![0u64; n];
    let mut entry = vec![u32::MAX; size];
    let mut filled = 0;
    'fill: loop {
        for i in 0..n {
            let (offset, skip) = perm[i];
            let mut c = ((offset + next[i] * skip) % m) as usize;
            while entry[c] != u32::MAX {
                next[i] += 1;
                c = ((offset + next[i] * skip) % m) as usize;
            }
            entry[c] = members[i];
            next[i] += 1;
            filled += 1;
            if filled == size {
                break 'fill;
            }
        }
    }
    entry
}

/// A placement of keys on a set of members.
#[derive(Clone, Debug, PartialEq)]
pub struct Placement {
    pub algo: Algo,
    pub members: Vec<u32>,
    pub weights: Vec<f64>,
    pub ring: Ring,
    pub table: Vec<u32>,
    node_hashes: Vec<u64>,
    weighted: bool,
    params: Params,
}

impl Placement {
    /// Build a placement. `weights` (per member, default 1) apply to the ring, bounded loads
    /// and rendezvous; jump, Maglev and modulo ignore them.
    pub fn new(algo: Algo, members: &[u32], weights: &[f64], params: &Params) -> Placement {
        let ring = if matches!(algo, Algo::Ring | Algo::Bounded) {
            Ring::new(members, weights, params.vnodes)
        } else {
            Ring::default()
        };
        let table = if algo == Algo::Maglev && !members.is_empty() {
            maglev_table(members, params.maglev_size)
        } else {
            Vec::new()
        };
        Placement {
            algo,
            members: members.to_vec(),
            weights: (0..members.len()).map(|k| weights.get(k).copied().unwrap_or(1.0)).collect(),
            ring,
            table,
            node_hashes: members.iter().map(|&id| name_hash(id, 3)).collect(),
            weighted: (0..members.len()).any(|k| weights.get(k).is_some_and(|w| *w != 1.0)),
            params: params.clone(),
        }
    }

    /// The owner of a key hash (for bounded loads: the plain ring owner; see `assign`).
    pub fn lookup(&self, h: u64) -> u32 {
        let n = self.members.len();
        match self.algo {
            Algo::Ring | Algo::Bounded => self.ring.lookup(h),
            Algo::Jump => self.members[jump(h, n as u32) as usize],
            Algo::Modulo => self.members[(h % n as u64) as usize],
            Algo::Maglev => self.table[(h % self.table.len() as u64) as usize],
            Algo::Rendezvous => {
                let mut best = (f64::MIN, 0u64, 0u32);
                for (k, &id) in self.members.iter().enumerate() {
                    let score = self.score(h, k);
                    if (score.0, score.1) > (best.0, best.1) {
                        best = (score.0, score.1, id);
                    }
                }
                best.2
            }
        }
    }

    /// Each key's owners, `replicas` of them: the owner `assign` gives it (for bounded loads,
    /// the one within capacity, so it depends on every key of the list), then the next
    /// distinct members the algorithm would use. What `distlab ring lookup` prints.
    pub fn owners(&self, hashes: &[u64], replicas: usize) -> Vec<Vec<u32>> {
        let first = self.assign(hashes);
        hashes
            .iter()
            .zip(first)
            .map(|(h, owner)| {
                let mut set = alloc::vec![owner];
                if replicas > 1 {
                    for r in self.replicas(*h, self.members.len()) {
                        if set.len() == replicas {
                            break;
                        }
                        if !set.contains(&r) {
                            set.push(r);
                        }
                    }
                }
                set
            })
            .collect()
    }

    /// The first `r` distinct members responsible for a key: clockwise on the ring, the top `r`
    /// scores for rendezvous, the next table entries for Maglev, the next buckets for jump and
    /// modulo.
    pub fn replicas(&self, h: u64, r: usize) -> Vec<u32> {
        let n = self.members.len();
        let r = r.min(n);
        match self.algo {
            Algo::Ring | Algo::Bounded => self.ring.replicas(h, r),
            Algo::Jump | Algo::Modulo => {
                let first = match self.algo {
                    Algo::Jump => jump(h, n as u32) as usize,
                    _ => (h % n as u64) as usize,
                };
                (0..r).map(|k| self.members[(first + k) % n]).collect()
            }
            Algo::Maglev => {
                let m = self.table.len();
                let start = (h % m as u64) as usize;
                let mut out = Vec::with_capacity(r);
                for k in 0..m {
                    let o = self.table[(start + k) % m];
                    if !out.contains(&o) {
                        out.push(o);
                        if out.len() == r {
                            break;
                        }
                    }
                }
                out
            }
            Algo::Rendezvous => {
                // Highest score first: sort by the complement of an order-preserving key.
                let mut scored: Vec<(u64, u32)> = self
                    .members
                    .iter()
                    .enumerate()
                    .map(|(k, &id)| {
                        let (w, s) = self.score(h, k);
                        (!(if self.weighted { crate::order::f64_key(w) } else { s }), id)
                    })
                    .collect();
                crate::order::sort_keyed(&mut scored);
                scored.into_iter().take(r).map(|(_, id)| id).collect()
            }
        }
    }

    /// Owners of a whole key set in order. Bounded loads is the one algorithm whose answer
    /// depends on the other keys: each distinct key, in the order given, takes the first
    /// member clockwise that still has room under ⌈c·m/n⌉ for the m distinct keys (weighted by
    /// the member's share of weight); a key given again has the owner it got the first time.
    /// (The paper's balls are distinct; placing the whole set at once, a key's owner depends on
    /// the keys before it, and a change of members places the set again.)
    pub fn assign(&self, hashes: &[u64]) -> Vec<u32> {
        if self.algo != Algo::Bounded {
            return hashes.iter().map(|&h| self.lookup(h)).collect();
        }
        let mut placed: BTreeMap<u64, u32> = BTreeMap::new();
        let distinct = {
            let mut seen = alloc::collections::BTreeSet::new();
            hashes.iter().filter(|h| seen.insert(**h)).count()
        };
        let caps = self.capacities(distinct);
        let max_id = self.members.iter().copied().max().unwrap_or(0) as usize;
        let mut load = vec![0usize; max_id + 1];
        let mut cap_of = vec![0usize; max_id + 1];
        for (k, &id) in self.members.iter().enumerate() {
            cap_of[id as usize] = caps[k];
        }
        let t = self.ring.tokens.len();
        hashes
            .iter()
            .map(|&h| {
                if let Some(o) = placed.get(&h) {
                    return *o;
                }
                let start = self.ring.position(h);
                let o = (0..t)
                    .map(|k| self.ring.owners[(start + k) % t])
                    .find(|o| load[*o as usize] < cap_of[*o as usize])
                    .unwrap_or(self.ring.owners[start]);
                load[o as usize] += 1;
                placed.insert(h, o);
                o
            })
            .collect()
    }

    /// Rendezvous: member `k`'s score for a key (compared as a pair; the integer part alone
    /// decides when no weights are set).
    fn score(&self, h: u64, k: usize) -> (f64, u64) {
        let s = mix(h ^ self.node_hashes[k]);
        if self.weighted {
            (weighted_score(s, self.weights[k]), s)
        } else {
            (0.0, s)
        }
    }

    /// Bounded loads: each member's capacity for `m` keys.
    pub fn capacities(&self, m: usize) -> Vec<usize> {
        let total: f64 = self.weights.iter().sum::<f64>().max(f64::MIN_POSITIVE);
        self.weights.iter().map(|w| libm::ceil(self.params.c * m as f64 * w / total) as usize).collect()
    }
}

/// Take member `k` out of a member list (or a list beside it, such as the weights) the way
/// `algo` can: jump consistent hash numbers its buckets 0..n and can only drop the last, so
/// the last member moves into the hole (about 2/n of the keys move, where renumbering every
/// member after it moved nearly all); the others keep their order.
pub fn remove_member<T>(algo: Algo, list: &mut Vec<T>, k: usize) -> T {
    if algo == Algo::Jump {
        list.swap_remove(k)
    } else {
        list.remove(k)
    }
}

/// Weighted rendezvous score: -w / ln(u), with u in (0, 1) from the hash.
fn weighted_score(h: u64, w: f64) -> f64 {
    let u = ((h >> 11) as f64 + 0.5) / (1u64 << 53) as f64;
    // The top 53 bits all set round up to 1 (2⁵³ − ½ is no double), and ln 1 = 0 would
    // score -∞: the double just below 1 instead.
    let u = if u < 1.0 { u } else { 1.0 - f64::EPSILON / 2.0 };
    -w / libm::log(u)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jump_matches_published_vectors() {
        // Values computed by an independent implementation of the published C++ code.
        let cases = [
            (1u64, 1u32, 0u32),
            (42, 57, 43),
            (256, 1024, 520),
            (3_735_883_980, 1, 0),
            (3_735_883_980, 666, 361),
            (16_045_690_984_833_335_023, 255, 237),
        ];
        for (key, buckets, want) in cases {
            assert_eq!(jump(key, buckets), want, "jump({key}, {buckets})");
        }
    }

    /// Bounded loads places distinct keys: a key given again has the owner it got the first
    /// time, and capacity counts each key once (red-team finding: `a` three times at c = 1 on
    /// three nodes went to three different nodes).
    #[test]
    fn bounded_loads_places_each_distinct_key_once() {
        let p = Placement::new(Algo::Bounded, &[0, 1, 2], &[], &Params { c: 1.0, ..Params::default() });
        let (a, b) = (super::super::key::hash_key(b"a"), super::super::key::hash_key(b"b"));
        let owners = p.assign(&[a, a, b, a]);
        assert_eq!((owners[0], owners[1], owners[3]), (owners[0], owners[0], owners[0]), "{owners:?}");
        assert_eq!(p.capacities(2), vec![1, 1, 1], "two distinct keys: ⌈2/3⌉ each");
        assert_ne!(owners[2], owners[0], "b finds a's node full");
    }

    /// A hash whose top 53 bits are all set gives u just below 1, not 1: a finite score, the
    /// highest there is for its weight (it scored -∞ and lost).
    #[test]
    fn the_weighted_score_is_finite_at_the_top_of_the_hash_range() {
        let top = weighted_score(u64::MAX, 1.0);
        assert!(top.is_finite() && top > 0.0, "{top}");
        assert!(top > weighted_score(u64::MAX - (1 << 12), 1.0));
    }

    /// Jump loses a member from the middle as a cluster using it would: the last takes its
    /// bucket, and only the keys of the two move (red-team finding: renumbering moved nearly
    /// all of them, against the page's minimum of 1/n).
    #[test]
    fn jump_loses_a_middle_member_by_moving_the_last_into_its_bucket() {
        let hashes: Vec<u64> =
            (0..20_000u64).map(|i| super::super::key::hash_key(&i.to_le_bytes())).collect();
        let mut members: Vec<u32> = (0..10).collect();
        let before = Placement::new(Algo::Jump, &members, &[], &Params::default()).assign(&hashes);
        assert_eq!(remove_member(Algo::Jump, &mut members, 0), 0);
        assert_eq!(members, [9, 1, 2, 3, 4, 5, 6, 7, 8]);
        let after = Placement::new(Algo::Jump, &members, &[], &Params::default()).assign(&hashes);
        let moved = before.iter().zip(&after).filter(|(a, b)| a != b).count() as f64 / hashes.len() as f64;
        assert!((0.15..0.25).contains(&moved), "about 2/10 move: {moved}");
        let mut ring: Vec<u32> = (0..4).collect();
        remove_member(Algo::Ring, &mut ring, 1);
        assert_eq!(ring, [0, 2, 3], "the others keep their order");
    }

    #[test]
    fn primes() {
        assert!(is_prime(65_537) && is_prime(3) && !is_prime(65_535) && !is_prime(1));
    }
}
