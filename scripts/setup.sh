#!/usr/bin/env bash
# Installs what distlab needs to build, serve and test, skipping what is already present.
# Idempotent and version-checked; see ../shared/RECIPE.md for why each pin is what it is.
set -euo pipefail

TRUNK_VERSION=0.21.14
WASM_BINDGEN_VERSION=0.2.130
WASM_PACK_VERSION=0.15.1

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export PATH="$HOME/.cargo/bin:$PATH"

say() { printf '[setup] %s\n' "$*"; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if ! cargo clippy --version >/dev/null 2>&1; then
  say "adding clippy"
  rustup component add clippy
fi

# DISTLAB_SETUP=build (the container image's build stage): only what building the site needs,
# no browser or font for the tests.
if [ "${DISTLAB_SETUP:-}" = build ]; then
  if ! command -v python3 >/dev/null; then
    say "installing python3 (the build's page and CSP hooks)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 >/dev/null
  fi
elif ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null || ! command -v python3 >/dev/null \
  || ! fc-list :lang=zh-cn | grep -q .; then
  say "installing Debian chromium, chromium-driver, python3 (the build's CSP hook and the static server) and a Chinese font (the Chinese pages' tests and screenshots)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium chromium-driver python3 fonts-wqy-microhei >/dev/null
fi

if ! trunk --version 2>/dev/null | grep -q "$TRUNK_VERSION"; then
  say "building trunk $TRUNK_VERSION (about 14 minutes on 2 cores, once)"
  cargo install --locked trunk --version "$TRUNK_VERSION"
fi

if [ "${DISTLAB_SETUP:-}" != build ] && ! wasm-pack --version 2>/dev/null | grep -q "$WASM_PACK_VERSION"; then
  say "building wasm-pack $WASM_PACK_VERSION (about 4 minutes, once: the JavaScript package's build and tests)"
  cargo install --locked wasm-pack --version "$WASM_PACK_VERSION"
fi

if ! wasm-bindgen --version 2>/dev/null | grep -q "$WASM_BINDGEN_VERSION"; then
  say "building wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 3 minutes, once)"
  # Not --locked: its lockfile pins a webpki-roots release the index lacks.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi

if [ ! -x node_modules/.bin/wasm-opt ] || [ ! -d node_modules/playwright-core ] \
   || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm packages (binaryen wasm-opt, playwright-core, axe-core)"
  npm ci --no-audit --no-fund --loglevel=error
fi

say "ready"
