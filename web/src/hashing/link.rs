//! The hashing lab in a link: the view and its settings in the URL fragment, so an embedded lab
//! (and its "open in distlab" link) shows what its embed code was made from.
//!
//! `#hashing/ring/algo=maglev&members=0,1,3&weights=1,2,1&vnodes=20&keys=1000&replicas=1`,
//! `#hashing/compare`, `#hashing/cache/algo=ring&nodes=5&keys=20000&zipf=1&capacity=1000&rate=500`,
//! `#hashing/balance/workers=10&load=0.9&costs=exponential`. A setting left out keeps the lab's
//! default; `weights` left out are all 1. The simulations (cache, balance) start from their
//! settings: the link holds what makes a view, not a moment of its run.

use std::cell::RefCell;
use std::rc::Rc;

use distlab_core::echo::Echo;
use distlab_core::hashing::balance::{BalanceConfig, BalanceSim, Costs, MAX_WORKERS};
use distlab_core::hashing::cache::MAX_REQUESTS_PER_TICK;
use distlab_core::hashing::cache::{
    CacheConfig, CacheSim, MAX_CACHE_CAPACITY, MAX_CACHE_KEYS, MAX_CACHE_NODES,
};
use distlab_core::hashing::Algo;

use super::form::{parse_count, parse_f64};
use super::model::{
    HashState, RingModel, View, MAX_REPLICAS, MAX_RING_KEYS, MAX_RING_NODES, MAX_RING_VNODES,
};
use crate::i18n::t;
use crate::num::Short;
use crate::tf;

/// The largest node number a link may name (a node added later takes the next one).
pub const MAX_NODE_ID: u32 = 1_000_000;

const VIEWS: [(View, &str); 4] =
    [(View::Ring, "ring"), (View::Compare, "compare"), (View::Cache, "cache"), (View::Balance, "balance")];

/// The fragment that opens the lab as it stands: its view and that view's settings.
pub fn fragment(st: &HashState) -> String {
    let view = VIEWS.iter().find(|(v, _)| *v == st.view).map_or("ring", |(_, name)| name);
    let settings = match st.view {
        View::Ring => {
            let m = &st.ring;
            let list = |xs: Vec<String>| xs.join(",");
            let mut out = format!(
                "algo={}&members={}",
                m.algo.name(),
                list(m.members.iter().map(|id| id.to_string()).collect())
            );
            if m.weights.iter().any(|w| *w != 1.0) {
                out +=
                    &format!("&weights={}", list(m.weights.iter().map(|w| Short(*w).to_string()).collect()));
            }
            out + &format!("&vnodes={}&keys={}&replicas={}", m.vnodes, m.keys, m.replicas)
        }
        View::Compare => String::new(),
        View::Cache => {
            let c = &st.cache_cfg;
            format!(
                "algo={}&nodes={}&keys={}&zipf={}&capacity={}&rate={}",
                c.algo.name(),
                c.nodes,
                c.keys,
                Short(c.zipf_s),
                c.capacity,
                c.requests_per_tick
            )
        }
        View::Balance => {
            let b = &st.balance_cfg;
            let costs = if b.costs == Costs::Bimodal { "bimodal" } else { "exponential" };
            format!("workers={}&load={}&costs={costs}", b.workers, Short(b.load))
        }
    };
    if settings.is_empty() {
        format!("#hashing/{view}")
    } else {
        format!("#hashing/{view}/{settings}")
    }
}

/// The lab a fragment asks for: `#hashing` (or any other page's fragment) opens the lab as it
/// always opens; a view with settings opens that view with them. A setting that cannot be read
/// is an error naming it (the caller opens the lab as it always opens, and says so).
pub fn open(hash: &str) -> Result<HashState, String> {
    let mut st = HashState::default();
    let mut parts = hash.trim_start_matches('#').splitn(3, '/');
    // A link that names no view opens the lab on its lesson's first step.
    if parts.next() != Some("hashing") {
        return Ok(st.at_lesson(0));
    }
    let Some(view) = parts.next().filter(|v| !v.is_empty()) else { return Ok(st.at_lesson(0)) };
    let Some(&(view, _)) = VIEWS.iter().find(|(_, name)| *name == view) else {
        return Err(tf!("the link names no view called {} (ring, compare, cache or balance)", Echo(view)));
    };
    st.view = view;
    let settings = parts.next().unwrap_or_default();
    let pairs: Vec<(&str, &str)> = settings
        .split('&')
        .filter(|kv| !kv.is_empty())
        .map(|kv| kv.split_once('=').unwrap_or((kv, "")))
        .collect();
    let known: &[&str] = match view {
        View::Ring => &["algo", "members", "weights", "vnodes", "keys", "replicas"],
        View::Compare => &[],
        View::Cache => &["algo", "nodes", "keys", "zipf", "capacity", "rate"],
        View::Balance => &["workers", "load", "costs"],
    };
    if let Some((key, _)) = pairs.iter().find(|(key, _)| !known.contains(key)) {
        if known.is_empty() {
            return Err(tf!("this view takes no settings in a link (got {})", Echo(settings)));
        }
        return Err(tf!("the link's {} is not a setting of this view ({})", Echo(key), known.join(", ")));
    }
    let get = |key: &str| pairs.iter().rev().find(|(k, _)| *k == key).map(|(_, v)| *v);
    let algo = |default: Algo| match get("algo") {
        None => Ok(default),
        Some(name) => Algo::parse(name).ok_or_else(|| {
            let names: Vec<&str> = Algo::ALL.iter().map(|a| a.name()).collect();
            tf!("the link names no algorithm called {} ({})", Echo(name), names.join(", "))
        }),
    };
    let count = |key: &str, field: &str, default: usize, hi: usize| match get(key) {
        None => Ok(default),
        Some(text) => parse_count(&t(field), text, 1, hi),
    };
    let number = |key: &str, field: &str, default: f64, lo: f64, hi: f64| match get(key) {
        None => Ok(default),
        Some(text) => parse_f64(&t(field), text, lo, hi),
    };
    match view {
        View::Ring => {
            let m = &st.ring;
            let members = match get("members") {
                None => m.members.clone(),
                Some(text) => members(text)?,
            };
            let weights = match get("weights") {
                None => vec![1.0; members.len()],
                Some(text) => {
                    let weights = text
                        .split(',')
                        .map(|w| parse_f64(&t("the weight"), w, 0.1, 10.0))
                        .collect::<Result<Vec<f64>, String>>()?;
                    if weights.len() != members.len() {
                        return Err(tf!(
                            "the link gives {} weights for {} members",
                            weights.len(),
                            members.len()
                        ));
                    }
                    weights
                }
            };
            st.ring = RingModel::with_members(
                algo(m.algo)?,
                members,
                weights,
                count("vnodes", "virtual nodes", m.vnodes, MAX_RING_VNODES)?,
                count("keys", "keys", m.keys, MAX_RING_KEYS)?,
                count("replicas", "replicas", m.replicas, MAX_REPLICAS)?,
            );
        }
        View::Compare => {}
        View::Cache => {
            let c = &st.cache_cfg;
            let cfg = CacheConfig {
                algo: algo(c.algo)?,
                nodes: count("nodes", "cache nodes", c.nodes, MAX_CACHE_NODES)?,
                keys: count("keys", "keys", c.keys, MAX_CACHE_KEYS)?,
                zipf_s: number("zipf", "the Zipf exponent", c.zipf_s, 0.0, 3.0)?,
                capacity: count("capacity", "capacity per node", c.capacity, MAX_CACHE_CAPACITY)?,
                requests_per_tick: count(
                    "rate",
                    "requests per tick",
                    c.requests_per_tick,
                    MAX_REQUESTS_PER_TICK,
                )?,
                ..c.clone()
            };
            st.cache = Rc::new(RefCell::new(CacheSim::new(cfg.clone())?));
            st.cache_cfg = cfg;
        }
        View::Balance => {
            let b = &st.balance_cfg;
            let costs = match get("costs") {
                None => b.costs,
                Some("exponential") => Costs::Exponential,
                Some("bimodal") => Costs::Bimodal,
                Some(other) => {
                    return Err(tf!("the link's costs must be exponential or bimodal (got {})", Echo(other)))
                }
            };
            let cfg = BalanceConfig {
                workers: count("workers", "workers", b.workers, MAX_WORKERS)?,
                load: number("load", "the load", b.load, 0.05, 1.5)?,
                costs,
                ..b.clone()
            };
            st.balance = Rc::new(RefCell::new(BalanceSim::new(cfg.clone())?));
            st.balance_cfg = cfg;
        }
    }
    st.warm_up();
    Ok(st)
}

/// The ring's members: distinct node numbers, comma-separated, at most [`MAX_RING_NODES`].
fn members(text: &str) -> Result<Vec<u32>, String> {
    let bad = || {
        tf!("the link's members must be {} to {} different node numbers from {} to {}, comma-separated (got {})",
            1, MAX_RING_NODES, 0, MAX_NODE_ID, Echo(text))
    };
    let mut out: Vec<u32> = Vec::new();
    for id in text.split(',') {
        if out.len() == MAX_RING_NODES {
            return Err(bad());
        }
        match id.parse::<u32>() {
            Ok(id) if id <= MAX_NODE_ID && !out.contains(&id) => out.push(id),
            _ => return Err(bad()),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hashing::HMsg;
    use yew::Reducible;

    fn after(msgs: Vec<HMsg>) -> Rc<HashState> {
        msgs.into_iter().fold(Rc::new(HashState::default()), |st, m| st.reduce(m))
    }

    /// Every view, with settings changed from the defaults (a node added and one removed, a
    /// weight), comes back from its fragment with the same settings and the same placement.
    #[test]
    fn every_view_comes_back_from_its_fragment() {
        let ring = after(vec![
            HMsg::RingConfig { algo: Algo::Maglev, nodes: 4, vnodes: 7, keys: 300, replicas: 2 },
            HMsg::AddNode,
            HMsg::RemoveNode(1),
            HMsg::Weight(4, 2.5),
        ]);
        let link = fragment(&ring);
        assert_eq!(
            link,
            "#hashing/ring/algo=maglev&members=0,2,3,4&weights=1,1,1,2.5&vnodes=7&keys=300&replicas=2"
        );
        let back = open(&link).unwrap();
        assert_eq!(back.view, View::Ring);
        let (a, b) = (&ring.ring, &back.ring);
        assert_eq!(
            (&a.members, &a.weights, a.vnodes, a.keys, a.replicas),
            (&b.members, &b.weights, b.vnodes, b.keys, b.replicas)
        );
        assert_eq!((a.algo, &a.owners, a.next_id), (b.algo, &b.owners, b.next_id));

        let mut cache_cfg =
            CacheConfig { algo: Algo::Jump, nodes: 9, zipf_s: 0.75, capacity: 321, ..CacheConfig::default() };
        cache_cfg.requests_per_tick = 77;
        let cache = after(vec![HMsg::View(View::Cache), HMsg::CacheConfig(cache_cfg.clone())]);
        let back = open(&fragment(&cache)).unwrap();
        assert_eq!((back.view, &back.cache_cfg), (View::Cache, &cache_cfg));

        let balance_cfg =
            BalanceConfig { workers: 17, load: 1.2, costs: Costs::Bimodal, ..BalanceConfig::default() };
        let balance = after(vec![HMsg::View(View::Balance), HMsg::BalanceConfig(balance_cfg.clone())]);
        let back = open(&fragment(&balance)).unwrap();
        assert_eq!((back.view, &back.balance_cfg), (View::Balance, &balance_cfg));

        let compare = after(vec![HMsg::View(View::Compare)]);
        assert_eq!(fragment(&compare), "#hashing/compare");
        assert_eq!(open("#hashing/compare").unwrap().view, View::Compare);
        // Without a view, the lab opens on its lesson's first step; a view opens without it.
        for bare in ["", "#hashing", "#hashing/"] {
            let st = open(bare).unwrap();
            assert_eq!((st.view, st.lesson, st.hover), (View::Ring, Some(0), Some(0)), "{bare:?}");
        }
        assert_eq!(open("#hashing/ring").unwrap().lesson, None);
    }

    #[test]
    fn a_page_fragment_opens_the_lab_as_always() {
        for hash in ["", "#hashing", "#hashing/", "#raft/s=abc"] {
            let st = open(hash).unwrap();
            assert_eq!((st.view, st.ring.members.len()), (View::Ring, 5), "{hash}");
        }
    }

    /// Each bad setting is refused with a message naming it; none panics or overflows.
    #[test]
    fn bad_links_are_refused_with_their_reason() {
        let biggest = format!("#hashing/ring/members={}", MAX_NODE_ID + 1);
        let too_many = format!(
            "#hashing/ring/members={}",
            (0..=MAX_RING_NODES).map(|i| i.to_string()).collect::<Vec<_>>().join(",")
        );
        for (hash, said) in [
            ("#hashing/tree", "no view called"),
            ("#hashing/ring/colour=red", "colour"),
            ("#hashing/ring/algo=fast", "no algorithm called"),
            ("#hashing/ring/members=", "members"),
            ("#hashing/ring/members=1,1", "members"),
            ("#hashing/ring/members=4294967295", "members"),
            (biggest.as_str(), "members"),
            (too_many.as_str(), "members"),
            ("#hashing/ring/members=0,1&weights=1", "1 weights for 2 members"),
            ("#hashing/ring/weights=1,1,1,1,99", "weight"),
            ("#hashing/ring/vnodes=0", "virtual nodes"),
            ("#hashing/ring/keys=99999999999999999999999", "keys"),
            ("#hashing/cache/zipf=4", "Zipf"),
            ("#hashing/cache/rate=10001", "requests per tick"),
            ("#hashing/balance/costs=uniform", "exponential or bimodal"),
            ("#hashing/balance/load=0", "load"),
            ("#hashing/compare/seed=1", "no settings"),
        ] {
            match open(hash) {
                Ok(_) => panic!("{hash} was accepted"),
                Err(e) => assert!(e.contains(said), "{hash}: {e}"),
            }
        }
        // At the limit, accepted.
        let most = format!(
            "#hashing/ring/members={}",
            (0..MAX_RING_NODES).map(|i| i.to_string()).collect::<Vec<_>>().join(",")
        );
        assert_eq!(open(&most).unwrap().ring.members.len(), MAX_RING_NODES);
        assert_eq!(
            open(&format!("#hashing/ring/members={MAX_NODE_ID}")).unwrap().ring.next_id,
            MAX_NODE_ID + 1
        );
    }
}
