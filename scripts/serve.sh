#!/usr/bin/env bash
# Installs whatever is missing, builds the site and serves it at http://127.0.0.1:8080/.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash scripts/setup.sh
export PATH="$root/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export TRUNK_SKIP_VERSION_CHECK=true
# Offline: a missing tool is a clear error, never a download (the per-page builds inherit it).
export TRUNK_OFFLINE=true
echo "[serve] building distlab (trunk build --release: every page its own bundle)"
trunk build --release
# A plain static server: what the site is. (trunk serve would inject an auto-reload script
# that the page's Content-Security-Policy, written at build time, does not allow.)
echo "[serve] serving distlab at http://127.0.0.1:8080/ (Ctrl-C stops)"
exec python3 -m http.server 8080 --bind 127.0.0.1 --directory dist
