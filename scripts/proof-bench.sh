#!/usr/bin/env bash
# Measures what a relayer's proofs cost it off chain as its lane grows (lanes of 2^10 − 1
# to 2^22 − 1 messages: a checkpoint's root and consistency proof, a batch's multiproof, from the
# leaf list and from the SubtreeIndex the relayer keeps) and writes bench/proofs.json.
# `./scripts/bench.sh` renders it into BENCHMARKS.md. Wall-clock figures: run it on an
# otherwise idle machine. The optimised build (the first takes several minutes).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo run --quiet --locked --profile native -p ccmp-bench --bin ccmp-proof-bench -- bench/proofs.json
