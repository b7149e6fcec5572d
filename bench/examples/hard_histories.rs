//! Writes the hard register histories of issue #20 as JSON-lines files, one per shape and
//! seed, for `distlab lincheck FILE` (the before/after numbers in BENCHMARKS.md).
//!
//! Run: `cargo run --release -p distlab-bench --example hard_histories -- DIR`.
//! Files are named `p{processes}-c{crash %}-{bad reads}-{cas %}-s{seed}.jsonl`, where the bad
//! reads are `none`, `unwritten` (1 % of reads return a value nobody writes) or `stale` (1 %
//! return a value the register held earlier). Every shape has 1,000 operations on values 0–4.

use distlab_core::lincheck::hard::{generate, HardHistory};
use distlab_core::rng::Rng;

fn main() {
    let dir = std::env::args().nth(1).expect("usage: hard_histories DIR");
    std::fs::create_dir_all(&dir).expect("cannot create the directory");
    let mut files = 0;
    for processes in [3, 5, 8] {
        for crash_pct in [2, 10, 20] {
            for bad in ["none", "unwritten", "stale"] {
                for cas_pct in [0, 10] {
                    for seed in 0..2 {
                        let shape = HardHistory {
                            processes,
                            crash_fraction: crash_pct as f64 / 100.0,
                            unwritten_read_fraction: if bad == "unwritten" { 0.01 } else { 0.0 },
                            stale_read_fraction: if bad == "stale" { 0.01 } else { 0.0 },
                            cas_fraction: cas_pct as f64 / 100.0,
                            ..HardHistory::default()
                        };
                        let lines = generate(&shape, &mut Rng::new(seed));
                        let text: String = lines
                            .iter()
                            .map(|l| distlab_core::lincheck::jsonl::render_line(l) + "\n")
                            .collect();
                        let name = format!("{dir}/p{processes}-c{crash_pct}-{bad}-{cas_pct}-s{seed}.jsonl");
                        std::fs::write(&name, text).expect("cannot write a history");
                        files += 1;
                    }
                }
            }
        }
    }
    println!("{files} histories in {dir}");
}
