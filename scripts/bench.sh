#!/usr/bin/env bash
# Measures what BENCHMARKS.md reports: simulator events/s natively and in headless Chromium
# (the same workload, checked by its hash), step-back latency at 10^6 events, and the site's
# size. Prints the numbers; it asserts nothing about speed.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash scripts/setup.sh >/dev/null
export PATH="$root/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export CHROMEDRIVER=/usr/bin/chromedriver TRUNK_SKIP_VERSION_CHECK=true

echo "== machine"
echo "$(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
date -u +%Y-%m-%d

echo "== native: distlab bench (profile fast = release at opt-level 3)"
cargo build -q --profile fast -p distlab-cli
./target/fast/distlab bench

echo "== wasm in headless Chromium (release, same workload)"
cargo test --release --target wasm32-unknown-unknown -p distlab-tests --features bench --test browser_bench -- --nocapture 2>&1 | grep BENCH | sed 's/^.*BENCH //'

echo "== site size (trunk build --release, wasm-opt -Oz)"
trunk build --release --offline >/dev/null 2>&1
total_raw=0; total_gz=0
for f in dist/*; do
  raw=$(stat -c %s "$f"); gz=$(gzip -9 -c "$f" | wc -c)
  total_raw=$((total_raw + raw)); total_gz=$((total_gz + gz))
  printf '%-48s %9d B raw %9d B gzip\n' "$(basename "$f")" "$raw" "$gz"
done
printf '%-48s %9d B raw %9d B gzip\n' "TOTAL" "$total_raw" "$total_gz"

echo "== the page in headless Chromium: first render, frame times, the diagram at 10^5 events"
port=8766
python3 -m http.server "$port" --bind 127.0.0.1 --directory dist >/dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
sleep 1
node tests/e2e/bench.mjs "http://127.0.0.1:$port/"
kill $server 2>/dev/null || true

echo "== linearizability checker on Raft client histories (5 clients, ReadIndex reads)"
for events in 21500 215000 2150000; do
  ./target/fast/distlab run --protocol raft --seed 3 --events "$events" --clients 5 --read-mode readindex --history /tmp/distlab-bench-history.jsonl >/dev/null
  ops=$(grep -c '"invoke"' /tmp/distlab-bench-history.jsonl)
  start=$(date +%s%N)
  verdict=$(./target/fast/distlab lincheck /tmp/distlab-bench-history.jsonl | cut -c1-40)
  end=$(date +%s%N)
  printf '%8d operations: %d ms  %s\n' "$ops" "$(( (end - start) / 1000000 ))" "$verdict"
done
rm -f /tmp/distlab-bench-history.jsonl
