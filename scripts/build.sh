#!/usr/bin/env bash
# Builds each contract for wasm32-unknown-unknown with the release profile and copies
# the result to artifacts/, with sizes and SHA-256 checksums.
set -euo pipefail
cd "$(dirname "$0")/.."

if command -v rustup >/dev/null; then
  rustup target add wasm32-unknown-unknown >/dev/null 2>&1 || rustup target add wasm32-unknown-unknown
fi

mkdir -p artifacts
for contract in contracts/*/; do
  name=$(basename "$contract")
  RUSTFLAGS="-C link-arg=-s" cargo build --release --locked --lib \
    --target wasm32-unknown-unknown -p "ccmp-$name"
  cp "target/wasm32-unknown-unknown/release/ccmp_${name}.wasm" "artifacts/ccmp_${name}.wasm"
done
(cd artifacts && sha256sum ./*.wasm > checksums.txt && ls -l ./*.wasm && cat checksums.txt)
