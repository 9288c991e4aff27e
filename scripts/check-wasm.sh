#!/usr/bin/env bash
# Runs the static checks of both VM generations chains run today on every built contract
# (artifacts/*.wasm and artifacts/test/*.wasm), each with a stock wasmd chain's
# capabilities (up to cosmwasm_2_2): cosmwasm-vm 3.0.10 (through ccmp-devnet) and
# cosmwasm-vm 2 (tools/check-wasm-v2, its own Cargo project and lock file).
# Run scripts/build.sh first. Exits non-zero if either VM refuses a file.
set -euo pipefail
cd "$(dirname "$0")/.."

shopt -s nullglob
files=(artifacts/*.wasm artifacts/test/*.wasm)
if [ ${#files[@]} -eq 0 ]; then
  echo "no artifacts: run scripts/build.sh first" >&2
  exit 1
fi

echo "== cosmwasm-vm 3 static checks"
cargo run --quiet --locked -p ccmp-devnet --example check_wasm -- "${files[@]}"

echo "== cosmwasm-vm 2 static checks"
cargo run --quiet --locked --release --manifest-path tools/check-wasm-v2/Cargo.toml -- "${files[@]}"
