#!/usr/bin/env bash
# Regenerates BENCHMARKS.md, bench/results.json and the charts in bench/ from freshly built
# contracts, every figure measured in the real VM with wasmd's gas schedule (ccmp-devnet).
# `scripts/bench.sh --check` compares a fresh run with the committed figures instead.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/build.sh >/dev/null
cargo run --quiet --locked -p ccmp-bench --bin ccmp-bench -- "$@"
