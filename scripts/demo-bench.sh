#!/usr/bin/env bash
# Measures the bridge end to end: `ccmp demo --queued` (two embedded chains running the
# compiled contracts, three attesters per source chain, a relayer each way) with 1, 25 and
# 2,500 pings queued on each chain (6, 102 and 10,002 messages with the pongs and the
# demo's two special messages), and writes bench/demo.json. `./scripts/bench.sh` renders
# it into BENCHMARKS.md. Wall-clock figures: run it on an otherwise idle machine.
# CCMP_DEMO_BENCH_PINGS="1 25" runs other sizes.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/build.sh >/dev/null
# The optimised build, as an operator runs it (the first build takes about 10 minutes on
# two cores).
cargo build --quiet --locked --profile native -p ccmp
bin="${CARGO_TARGET_DIR:-target}/native/ccmp"
block_ms=200
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
runs=""
for pings in ${CCMP_DEMO_BENCH_PINGS:-1 25 2500}; do
  echo "demo-bench: $pings pings queued on each chain" >&2
  "$bin" demo --queued --pings "$pings" --block-time-ms "$block_ms" --no-progress \
    --timeout-secs 1800 --json "$tmp/$pings.json" >"$tmp/$pings.txt" ||
    { cat "$tmp/$pings.txt" >&2; exit 1; }
  runs+="${runs:+,}{\"pings\":$pings,\"summary\":$(cat "$tmp/$pings.json")}"
done
printf '{"block_time_ms":%s,"machine":"%s cores, %s","runs":[%s]}\n' \
  "$block_ms" "$(nproc)" "$(uname -m)" "$runs" >bench/demo.json
echo "demo-bench: wrote bench/demo.json; ./scripts/bench.sh renders it into BENCHMARKS.md" >&2
