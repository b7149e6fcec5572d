//! Only benchmarks live here: `cargo bench -p distlab-bench`.
