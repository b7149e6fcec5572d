use super::*;
use alloc::string::ToString;

fn run(protocol: &str, mutant: Option<&str>, bounds: Bounds) -> Report {
    let mut cfg = explore_config(protocol).unwrap();
    cfg.mutant = mutant.map(|m| m.to_string());
    explore(&cfg, bounds).unwrap()
}

#[test]
#[ignore]
fn scratch() {
    extern crate std;
    let env = |k: &str| std::env::var(k).ok();
    let num = |k: &str, d: u64| env(k).map_or(d, |v| v.parse().unwrap());
    let p = env("P").unwrap_or("paxos".into());
    let mut cfg = explore_config(&p).unwrap();
    cfg.mutant = env("M");
    if let Some(flags) = env("F") {
        for kv in flags.split(',') {
            let (k, v) = kv.split_once('=').unwrap();
            assert!(cfg.setup.flag(k, v).unwrap(), "{k}");
        }
    }
    let b = Bounds {
        requests: num("R", 1) as u32,
        crashes: num("C", 0) as u32,
        drops: num("D", 0) as u32,
        timeouts: env("TO").map(|t| t.parse().unwrap()),
        max_term: env("T").map(|t| t.parse().unwrap()),
        depth: num("DEPTH", 64) as u32,
        max_states: num("S", 1_000_000),
        search: if env("DFS").is_some() { Search::Dfs } else { Search::Bfs },
        ..Bounds::default()
    };
    let t = std::time::Instant::now();
    let r = explore(&cfg, b).unwrap();
    let secs = t.elapsed().as_secs_f64();
    let rss = std::fs::read_to_string("/proc/self/status")
        .unwrap()
        .lines()
        .find(|l| l.starts_with("VmHWM"))
        .unwrap()
        .to_string();
    std::println!(
        "{p} {:?}: states {} unique {} depth {} complete {} pruned {} {:.1}s {:.0}/s {rss} viol {:?}",
        cfg.mutant,
        r.states,
        r.unique_states,
        r.max_depth,
        r.complete,
        r.pruned,
        secs,
        r.states as f64 / secs,
        r.violation.as_ref().map(|v| (&v.property, v.steps))
    );
}

#[test]
#[ignore]
fn sizes() {
    extern crate std;
    use crate::lab::{with_sim, SimVisitor};
    struct S;
    impl SimVisitor for S {
        type Output = ();
        fn visit<P: Registered>(self, sim: Sim<P>) {
            let rss = || {
                std::fs::read_to_string("/proc/self/status")
                    .unwrap()
                    .lines()
                    .find(|l| l.starts_with("VmRSS"))
                    .unwrap()
                    .split_whitespace()
                    .nth(1)
                    .unwrap()
                    .parse::<u64>()
                    .unwrap()
            };
            let before = rss();
            let v: alloc::vec::Vec<Sim<P>> = (0..20000).map(|_| sim.clone()).collect();
            std::println!(
                "{} size_of {} heap+ {} B/clone",
                P::NAME,
                core::mem::size_of::<Sim<P>>(),
                (rss() - before) * 1024 / 20000
            );
            drop(v);
        }
    }
    for p in ["paxos", "raft", "multipaxos", "kafka"] {
        with_sim(&explore_config(p).unwrap(), S).unwrap();
    }
}
