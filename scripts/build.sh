#!/usr/bin/env bash
# Builds each contract for wasm32-unknown-unknown with the release profile (and the flags of
# scripts/wasm-env.sh: no bulk memory in our crates), then runs binaryen's wasm-opt (pinned
# in tools/wasm) to lower the bulk-memory instructions left in the precompiled standard
# library, which CosmWasm VMs reject, and to shrink the code. Results go to artifacts/,
# with sizes and SHA-256 checksums; test-only contracts (the devnet probe) to artifacts/test/.
# The release build itself stays in ${CARGO_TARGET_DIR:-target}/wasm32-unknown-unknown/release.
set -euo pipefail
cd "$(dirname "$0")/.."
# WASM_RUSTFLAGS, WASM_STRIP_FLAG, WASM_OPT_FLAGS
source scripts/wasm-env.sh

if command -v rustup >/dev/null; then
  rustup target add wasm32-unknown-unknown >/dev/null 2>&1 || rustup target add wasm32-unknown-unknown
fi

wasm_opt=tools/wasm/node_modules/.bin/wasm-opt
if [ ! -x "$wasm_opt" ]; then
  command -v npm >/dev/null || { echo "npm is needed to install binaryen (wasm-opt)" >&2; exit 1; }
  npm ci --prefix tools/wasm --no-audit --no-fund
fi

# cargo honours CARGO_TARGET_DIR; wasm-opt must read the build from the same place.
release="${CARGO_TARGET_DIR:-target}/wasm32-unknown-unknown/release"

# CCMP_ARTIFACTS_DIR (default artifacts/) is where the results go; ccmp-bench reads the
# same variable, so a private build can be benchmarked while artifacts/ is being rebuilt.
out="${CCMP_ARTIFACTS_DIR:-artifacts}"

mkdir -p "$out"
for contract in contracts/*/; do
  name=$(basename "$contract")
  RUSTFLAGS="$WASM_STRIP_FLAG $WASM_RUSTFLAGS" cargo build --release --locked --lib \
    --target wasm32-unknown-unknown -p "ccmp-$name"
  "$wasm_opt" "${WASM_OPT_FLAGS[@]}" "$release/ccmp_${name}.wasm" -o "$out/ccmp_${name}.wasm"
done

# Test contracts (not for deployment) go to artifacts/test/, built the same way.
mkdir -p "$out/test"
for crate in ccmp_devnet_probe ccmp_devnet_receiver; do
  RUSTFLAGS="$WASM_STRIP_FLAG $WASM_RUSTFLAGS" cargo build --release --locked --lib \
    --target wasm32-unknown-unknown -p "${crate//_/-}"
  "$wasm_opt" "${WASM_OPT_FLAGS[@]}" "$release/${crate}.wasm" -o "$out/test/${crate}.wasm"
done
(cd "$out" && sha256sum ./*.wasm > checksums.txt && ls -l ./*.wasm test/*.wasm && cat checksums.txt)
