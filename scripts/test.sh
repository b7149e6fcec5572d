#!/usr/bin/env bash
# Runs every distlab test: native unit, integration and CLI tests (with the 1,000-seed fault
# sweeps), the browser tests in headless Chromium, and the Playwright suite against the built
# site. Installs whatever is missing first.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

bash scripts/setup.sh
export PATH="$root/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export CHROMEDRIVER=/usr/bin/chromedriver
export TRUNK_SKIP_VERSION_CHECK=true
# Offline: a missing tool is a clear error, never a download (the per-page builds inherit it).
export TRUNK_OFFLINE=true

step() { printf '\n== %s\n' "$*"; }

step "formatting"
cargo fmt --all -- --check

step "clippy (warnings are errors; core/clippy.toml and web/clippy.toml hold the page's size rules)"
cargo clippy --workspace --all-targets -- -D warnings
cargo clippy --target wasm32-unknown-unknown -p distlab-web -p distlab-tests -p distlab-js --all-targets -- -D warnings
# Each page's bundle builds the web crate with that page's feature alone (scripts/pages.py).
for page in paxos multipaxos raft kafka swim coordination compare hashing shardkv dfs; do
  cargo clippy --target wasm32-unknown-unknown -p distlab-web --no-default-features --features "$page" -- -D warnings
done

step "native tests (unit, integration, CLI, fault sweeps)"
cargo test --workspace

step "browser tests (wasm-bindgen-test in headless Chromium)"
cargo test --target wasm32-unknown-unknown -p distlab-web -p distlab-tests

step "site build (every page its own bundle: scripts/pages.py)"
trunk build --release

step "the JavaScript package (wasm-pack: build, its tests in headless Chromium, its example page)"
bash scripts/package.sh
wasm-pack test --headless --chrome --chromedriver "$CHROMEDRIVER" --mode no-install js

step "container image and Kubernetes files (no container engine here: their files, types and commands)"
python3 scripts/check_deploy.py target/debug/distlab

step "Playwright smoke test against the built site"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
python3 -m http.server "$port" --bind 127.0.0.1 --directory dist >/dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
python3 - "$port" <<'PY'
import sys, time, urllib.request
for _ in range(100):
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/", timeout=1)
        break
    except OSError:
        time.sleep(0.1)
PY
node tests/e2e/smoke.mjs "http://127.0.0.1:$port/" test-artifacts/screenshots
node tests/e2e/lessons.mjs "http://127.0.0.1:$port/" test-artifacts/lessons
node tests/e2e/i18n.mjs "http://127.0.0.1:$port/" test-artifacts/i18n
# The package's example page, served with the package beside it.
pkg_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
python3 -m http.server "$pkg_port" --bind 127.0.0.1 --directory js >/dev/null 2>&1 &
pkg_server=$!
trap 'kill $server $pkg_server 2>/dev/null || true' EXIT
sleep 1
node tests/e2e/package.mjs "http://127.0.0.1:$pkg_port/example/" test-artifacts/package
