#!/usr/bin/env bash
# Runs every test: the Rust workspace (unit, property, vector, cw-multi-test and
# cross-chain suites), the contracts' wasm build, the built wasm in the real CosmWasm VM
# (the tests marked #[ignore] because they need artifacts/: per contract, the devnet's
# semantics suite and both chains end to end), the static checks of cosmwasm-vm 3 and 2
# on every artifact, and a check that the committed JSON schemas are current.
set -euo pipefail
cd "$(dirname "$0")/.."

log=$(mktemp)
localnet_dir=$(mktemp -d)
cleanup() {
  if [ -f "$localnet_dir/localnet/localnet.json" ]; then
    CCMP_LOCALNET_DIR="$localnet_dir/localnet" ./scripts/localnet.sh down >/dev/null 2>&1 || true
  fi
  rm -rf "$log" "$localnet_dir"
}
trap cleanup EXIT

if command -v rustup >/dev/null; then
  rustup target add wasm32-unknown-unknown >/dev/null 2>&1 || rustup target add wasm32-unknown-unknown
fi

echo "== cargo test"
cargo test --workspace --locked 2>&1 | tee -a "$log"

echo "== wasm build"
./scripts/build.sh

echo "== real wasmd nodes: the pinned wasmd (built when missing) and a localnet of two chains"
# A localnet of its own (own directory and ports), so a developer's running localnet is
# left alone; stopped and deleted on every exit, also on failure.
export CCMP_LOCALNET_DIR="$localnet_dir/localnet"
export CCMP_LOCALNET_PORT_BASE="${CCMP_TEST_LOCALNET_PORT_BASE:-46656}"
./scripts/localnet.sh up 2

echo "== compiled contracts in the real CosmWasm VM, and the bridge on real wasmd nodes"
cargo test --workspace --locked --tests -- --ignored 2>&1 | tee -a "$log"

echo "== TypeScript client (ts/): npm ci, generated clients current, unit tests and the localnet test"
# cargo test has built the ccmp binary; the localnet above is up and CCMP_LOCALNET_DIR set.
ccmp_bin="${CARGO_TARGET_DIR:-target}/debug/ccmp"
case "$ccmp_bin" in /*) ;; *) ccmp_bin="$PWD/$ccmp_bin" ;; esac
(cd ts && npm ci --no-audit --no-fund && npm run check-generated &&
  CCMP_REQUIRE_LOCALNET=1 CCMP_BIN="$ccmp_bin" npm test) 2>&1 | tee -a "$log"
./scripts/localnet.sh down

echo "== wasm accepted by cosmwasm-vm 3 and cosmwasm-vm 2"
./scripts/check-wasm.sh

echo "== BENCHMARKS.md is current (a fresh run on the real VM gives the committed figures)"
cargo run --quiet --locked -p ccmp-bench --bin ccmp-bench -- --check

echo "== schema is current"
for contract in contracts/*/; do
  name=$(basename "$contract")
  cargo run --quiet --locked -p "ccmp-$name" --bin "ccmp-$name-schema" >/dev/null
done
if [ -n "$(git status --porcelain -- schema/)" ]; then
  git status --porcelain -- schema/
  git --no-pager diff --stat -- schema/
  echo "schema/ is out of date: run the schema binaries and commit the result" >&2
  exit 1
fi

echo "== spec copy is current"
if [ -f ../shared/spec/PROTOCOL.md ]; then
  cmp docs/PROTOCOL.md ../shared/spec/PROTOCOL.md
fi
echo "== fuzzing (every fuzz/ target for 15 s: no crash)"
./scripts/fuzz.sh 15

# One closing line for the whole run: every test result above, added up.
awk '/^test result:/ { passed += $4; failed += $6 }
  /^ℹ pass [0-9]+$/ { passed += $3 } /^ℹ fail [0-9]+$/ { failed += $3 } END { printf "tests: %d passed, %d failed\n", passed, failed }' "$log"
