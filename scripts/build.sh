#!/usr/bin/env bash
# Builds each contract for wasm32-unknown-unknown with the release profile, then runs
# binaryen's wasm-opt (pinned in tools/wasm) to lower the bulk-memory instructions rustc
# emits, which CosmWasm VMs reject, and to shrink the code. Results go to artifacts/,
# with sizes and SHA-256 checksums; test-only contracts (the devnet probe) to artifacts/test/.
set -euo pipefail
cd "$(dirname "$0")/.."

if command -v rustup >/dev/null; then
  rustup target add wasm32-unknown-unknown >/dev/null 2>&1 || rustup target add wasm32-unknown-unknown
fi

wasm_opt=tools/wasm/node_modules/.bin/wasm-opt
if [ ! -x "$wasm_opt" ]; then
  command -v npm >/dev/null || { echo "npm is needed to install binaryen (wasm-opt)" >&2; exit 1; }
  npm ci --prefix tools/wasm --no-audit --no-fund
fi

mkdir -p artifacts
for contract in contracts/*/; do
  name=$(basename "$contract")
  RUSTFLAGS="-C link-arg=-s" cargo build --release --locked --lib \
    --target wasm32-unknown-unknown -p "ccmp-$name"
  "$wasm_opt" --enable-bulk-memory --llvm-memory-copy-fill-lowering -Oz \
    "target/wasm32-unknown-unknown/release/ccmp_${name}.wasm" -o "artifacts/ccmp_${name}.wasm"
done

# Test contracts (not for deployment) go to artifacts/test/, built the same way.
mkdir -p artifacts/test
for crate in ccmp_devnet_probe ccmp_devnet_receiver; do
  RUSTFLAGS="-C link-arg=-s" cargo build --release --locked --lib \
    --target wasm32-unknown-unknown -p "${crate//_/-}"
  "$wasm_opt" --enable-bulk-memory --llvm-memory-copy-fill-lowering -Oz \
    "target/wasm32-unknown-unknown/release/${crate}.wasm" -o "artifacts/test/${crate}.wasm"
done
(cd artifacts && sha256sum ./*.wasm > checksums.txt && ls -l ./*.wasm test/*.wasm && cat checksums.txt)
