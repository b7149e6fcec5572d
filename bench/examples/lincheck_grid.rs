//! Runs the linearizability search in-process over a grid of generated hard histories (issue
//! #20: 1,000 operations on values 0–4 by 3–8 processes, 2–20 % crashed, no bad reads, 1 %
//! unwritten reads or 1 % stale reads), with the default limits, and prints the verdicts, the
//! slowest histories and the most configurations explored. Wall times are this machine's.
//!
//! Run: `cargo run --release -p distlab-bench --example lincheck_grid -- SEEDS [CAS%,...]`
//! (for example `10 0` for the reads and writes, `4 10,20` with compare-and-sets).

use std::time::Instant;

use distlab_core::lincheck::hard::{generate, HardHistory};
use distlab_core::lincheck::{operations, Answer, Limits, Search};
use distlab_core::rng::Rng;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let seeds: u64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(10);
    let cas: Vec<u32> = args
        .get(2)
        .map(|s| s.split(',').map(|c| c.parse().expect("CAS percentages")).collect())
        .unwrap_or_else(|| vec![0]);
    let (mut verdicts, mut runs) = ([0usize; 3], Vec::new());
    for processes in [3, 4, 5, 6, 7, 8] {
        for crash_pct in [2, 5, 10, 15, 20] {
            for bad in ["none", "unwritten", "stale"] {
                for &cas_pct in &cas {
                    for seed in 0..seeds {
                        let shape = HardHistory {
                            processes,
                            crash_fraction: crash_pct as f64 / 100.0,
                            unwritten_read_fraction: if bad == "unwritten" { 0.01 } else { 0.0 },
                            stale_read_fraction: if bad == "stale" { 0.01 } else { 0.0 },
                            cas_fraction: cas_pct as f64 / 100.0,
                            ..HardHistory::default()
                        };
                        let ops = operations(&generate(&shape, &mut Rng::new(seed))).unwrap();
                        let start = Instant::now();
                        let mut search = Search::new(&ops, Limits::default());
                        let answer = loop {
                            if let distlab_core::lincheck::Step::Done(a) = search.run(u64::MAX) {
                                break a;
                            }
                        };
                        let seconds = start.elapsed().as_secs_f64();
                        let p = search.progress();
                        let name = format!("p{processes} c{crash_pct} {bad} cas{cas_pct} seed {seed}");
                        match &answer {
                            Answer::Linearizable(_) => verdicts[0] += 1,
                            Answer::NotLinearizable => verdicts[1] += 1,
                            Answer::Unknown(u) => {
                                verdicts[2] += 1;
                                println!("unknown: {name}: {}", u.reason);
                            }
                        }
                        runs.push((seconds, p.explored, format!("{name} (last sweep {:?})", p.pass)));
                    }
                }
            }
        }
    }
    let total: f64 = runs.iter().map(|r| r.0).sum();
    println!(
        "{} histories: {} linearizable, {} not, {} unknown; {total:.1} s in all",
        runs.len(),
        verdicts[0],
        verdicts[1],
        verdicts[2]
    );
    runs.sort_by(|a, b| b.0.total_cmp(&a.0));
    for (s, explored, name) in runs.iter().take(5) {
        println!("slowest: {s:.2} s, {explored} configurations: {name}");
    }
    let most = runs.iter().max_by_key(|r| r.1).unwrap();
    println!("most configurations: {} ({:.2} s): {}", most.1, most.0, most.2);
}
