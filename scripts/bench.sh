#!/usr/bin/env bash
# Measures what BENCHMARKS.md reports: simulator events/s natively and in headless Chromium
# (the same workload, checked by its hash), step-back latency at 10^6 events, and the site's
# size. Prints the numbers; it asserts nothing about speed.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash scripts/setup.sh >/dev/null
export PATH="$root/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export CHROMEDRIVER=/usr/bin/chromedriver TRUNK_SKIP_VERSION_CHECK=true TRUNK_OFFLINE=true

echo "== machine"
echo "$(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
date -u +%Y-%m-%d

echo "== native: distlab bench (cargo build --release: opt-level 3)"
cargo build -q --release -p distlab-cli
./target/release/distlab bench

echo "== native: distlab explore, the bounds BENCHMARKS.md reports (peak memory from /usr/bin/time)"
for args in "paxos --requests 2 --max-term 1 --timeouts 0 --depth 16" "raft --requests 1 --max-term 2 --timeouts 2 --depth 12" \
    "multipaxos --requests 1 --max-term 2 --timeouts 2 --depth 12" "kafka --requests 1 --max-term 2 --timeouts 2 --depth 12" \
    "coordination --requests 1 --max-term 2 --timeouts 2 --depth 8" "swim --crashes 1 --timeouts 4 --depth 8"; do
  /usr/bin/time -f "peak %M KB" ./target/release/distlab explore --search dfs --protocol $args 2>&1
done

echo "== wasm in headless Chromium (release, same workload)"
cargo test --profile web --target wasm32-unknown-unknown -p distlab-tests --features bench --test browser_bench -- --nocapture 2>&1 | grep BENCH | sed 's/^.*BENCH //'

echo "== site size per page (trunk build --release: each page its own bundle, wasm-opt -Oz)"
echo "   what a visitor to one page downloads: its wasm, JS, CSS and index.html, gzip -9 each"
trunk build --release >/dev/null 2>&1
for dir in dist/*/; do
  page=$(basename "$dir"); total_raw=0; total_gz=0; parts=""
  for f in "$dir"*; do
    # zh.txt is fetched only by a reader of Chinese: reported on its own line.
    [ -f "$f" ] && [ "$(basename "$f")" != zh.txt ] || continue
    raw=$(stat -c %s "$f"); gz=$(gzip -9 -c "$f" | wc -c)
    total_raw=$((total_raw + raw)); total_gz=$((total_gz + gz))
    parts="$parts ${f##*.}=$gz"
  done
  printf '%-12s %9d B raw %9d B gzip  (%s )\n' "/$page/" "$total_raw" "$total_gz" "$parts"
  if [ -f "${dir}zh.txt" ]; then
    printf '%-12s %9d B raw %9d B gzip  (the Chinese catalogue, %d entries)\n' "  + zh.txt" \
      "$(stat -c %s "${dir}zh.txt")" "$(gzip -9 -c "${dir}zh.txt" | wc -c)" "$(grep -c '^en: ' "${dir}zh.txt")"
  fi
done
printf '%-12s %9d B raw %9d B gzip\n' "/ (redirect)" "$(stat -c %s dist/index.html)" "$(gzip -9 -c dist/index.html | wc -c)"

echo "== the page in headless Chromium: first render, frame times, the diagram at 10^5 events"
port=8766
python3 -m http.server "$port" --bind 127.0.0.1 --directory dist >/dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
sleep 1
DIST="$root/dist" node tests/e2e/bench.mjs "http://127.0.0.1:$port/"
kill $server 2>/dev/null || true

echo "== linearizability checker on Raft client histories (5 clients, ReadIndex reads)"
for events in 21500 215000 2150000; do
  ./target/release/distlab run --protocol raft --seed 3 --events "$events" --clients 5 --read-mode readindex --history /tmp/distlab-bench-history.jsonl >/dev/null
  ops=$(grep -c '"invoke"' /tmp/distlab-bench-history.jsonl)
  start=$(date +%s%N)
  verdict=$(./target/release/distlab lincheck /tmp/distlab-bench-history.jsonl | cut -c1-40)
  end=$(date +%s%N)
  printf '%8d operations: %d ms  %s\n' "$ops" "$(( (end - start) / 1000000 ))" "$verdict"
done
rm -f /tmp/distlab-bench-history.jsonl
