#!/usr/bin/env bash
# Installs whatever is missing, builds the site and serves it at http://127.0.0.1:8080/.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash scripts/setup.sh
export PATH="$root/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export TRUNK_SKIP_VERSION_CHECK=true
echo "[serve] building and serving distlab at http://127.0.0.1:8080/ (Ctrl-C stops)"
exec trunk serve --release --offline
