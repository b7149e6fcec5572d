#!/usr/bin/env bash
# Builds the JavaScript package of the core (js/, with wasm-pack) into js/pkg/: the wasm, its
# ES-module loader and TypeScript definitions, with the site's size profile (`web`); wasm-pack
# runs the wasm-opt it finds on PATH (the project's npm binaryen: its own would be a download),
# and this runs it again at -Oz. Prints the package's size.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export PATH="$root/node_modules/.bin:$HOME/.cargo/bin:$PATH"
# --mode no-install: wasm-pack uses the wasm-bindgen on PATH (setup.sh's), never a download.
wasm-pack build --target web --profile web --mode no-install js
wasm="js/pkg/distlab_js_bg.wasm"
wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals --enable-reference-types --enable-multivalue "$wasm" -o "$wasm"
python3 - <<'PY'
import gzip, os
files = [f for f in sorted(os.listdir("js/pkg")) if f.endswith((".wasm", ".js", ".d.ts"))]
total = 0
for f in files:
    data = open(os.path.join("js/pkg", f), "rb").read()
    z = len(gzip.compress(data, 9))
    total += z if not f.endswith(".d.ts") else 0
    print(f"[package] {f}: {len(data):,} B, {z:,} B gzip")
print(f"[package] wasm and JavaScript together: {total:,} B gzip")
PY
