#!/usr/bin/env bash
# Measures CCMP's calls on a real wasmd node and writes bench/real_gas.json, which
# `./scripts/bench.sh` renders into BENCHMARKS.md ("Gas on a real chain") next to
# ccmp-devnet's model of the same calls. Starts a one-chain localnet of its own
# (scripts/localnet.sh, the pinned wasmd) in a temporary directory, on ports of its own
# (CCMP_REAL_GAS_PORT_BASE, default 44656: clear of scripts/test.sh's localnet), and removes it on exit; runs `ccmp-real-gas`
# against it with the optimised contracts of scripts/build.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/build.sh >/dev/null
cargo build --quiet --locked -p ccmp-bench --bin ccmp-real-gas
bin="${CARGO_TARGET_DIR:-target}/debug/ccmp-real-gas"

export CCMP_LOCALNET_DIR
CCMP_LOCALNET_DIR="$(mktemp -d)"
export CCMP_LOCALNET_PORT_BASE="${CCMP_REAL_GAS_PORT_BASE:-44656}"
cleanup() {
  scripts/localnet.sh down >/dev/null 2>&1 || true
  rm -rf "$CCMP_LOCALNET_DIR"
}
trap cleanup EXIT
scripts/localnet.sh up 1 >&2

wasmd="$(scripts/wasmd.sh ccmpa)"
version="$("$wasmd" version 2>&1)"
sdk="$("$wasmd" version --long 2>&1 | sed -n 's/.*cosmos-sdk@\(v[0-9.]*\).*/\1/p' | head -n 1)"
vm="$("$wasmd" version --long 2>&1 | sed -n 's/.*wasmvm\/v3@\(v[0-9.]*\).*/\1/p' | head -n 1)"
node="wasmd v$version (Cosmos SDK $sdk, wasmvm $vm)"
"$bin" "$CCMP_LOCALNET_DIR/localnet.json" bench/real_gas.json "$node"
echo "real-gas-bench: wrote bench/real_gas.json; ./scripts/bench.sh renders it into BENCHMARKS.md" >&2
