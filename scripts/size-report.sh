#!/usr/bin/env bash
# Lists the largest items of the optimised inbox with twiggy (cargo install twiggy --locked)
# and writes them to bench/inbox_size.json, which ccmp-bench renders into BENCHMARKS.md.
#
# The shipped wasm has no names (scripts/build.sh links with `-C link-arg=-s` and wasm-opt
# drops the name section), so the inbox is built again without `-s`, in its own target
# directory (other RUSTFLAGS would rebuild everything in the main one), and optimised with
# the same wasm-opt passes plus --debuginfo, which keeps the names (and the producers and
# target-features sections `-s` would have dropped, stripped). The same build optimised
# without --debuginfo must be artifacts/ccmp_inbox.wasm but for the order of its functions:
# the figures are then exact for the shipped file (the name section aside). Run
# scripts/build.sh first.
set -euo pipefail
cd "$(dirname "$0")/.."
# WASM_RUSTFLAGS, WASM_OPT_FLAGS (WASM_STRIP_FLAG is what this build leaves out)
source scripts/wasm-env.sh

command -v twiggy >/dev/null || { echo "twiggy is needed: cargo install twiggy --locked" >&2; exit 1; }
wasm_opt=tools/wasm/node_modules/.bin/wasm-opt
[ -x "$wasm_opt" ] || { echo "run scripts/build.sh first (it installs wasm-opt)" >&2; exit 1; }

out="${CCMP_ARTIFACTS_DIR:-artifacts}"
target="${CARGO_TARGET_DIR:-target}/with-names"
CARGO_TARGET_DIR="$target" RUSTFLAGS="$WASM_RUSTFLAGS" cargo build --release --locked --lib \
  --target wasm32-unknown-unknown -p ccmp-inbox
raw="$target/wasm32-unknown-unknown/release/ccmp_inbox.wasm"
mkdir -p "$out/names"
# Without `-s` the linker also keeps the producers and target-features sections.
strip=(--strip-producers --strip-target-features)
"$wasm_opt" "${WASM_OPT_FLAGS[@]}" "${strip[@]}" --debuginfo "$raw" -o "$out/names/ccmp_inbox.wasm"
"$wasm_opt" "${WASM_OPT_FLAGS[@]}" "${strip[@]}" "$raw" -o "$out/names/ccmp_inbox.stripped.wasm"
# wasm-opt breaks ties in its function and type orders by name, so the names build is the
# shipped code in another order: the same size, section by section.
if [ "$(stat -c %s "$out/names/ccmp_inbox.stripped.wasm")" != "$(stat -c %s "$out/ccmp_inbox.wasm")" ]; then
  echo "the names build does not optimise to the size of $out/ccmp_inbox.wasm: rebuild it (scripts/build.sh)" >&2
  exit 1
fi

sha=$(sha256sum "$out/ccmp_inbox.wasm" | cut -d' ' -f1)
optimized=$(stat -c %s "$out/ccmp_inbox.wasm")
with_names=$(stat -c %s "$out/names/ccmp_inbox.wasm")
top=$(twiggy top -n 30 --format json "$out/names/ccmp_inbox.wasm")
printf '{"sha256":"%s","optimized_bytes":%s,"with_names_bytes":%s,"top":%s}\n' \
  "$sha" "$optimized" "$with_names" "$top" > bench/inbox_size.json
twiggy top -n 20 "$out/names/ccmp_inbox.wasm"
echo "wrote bench/inbox_size.json"
