#!/usr/bin/env bash
# Runs every coverage-guided fuzz target in fuzz/ (cargo-fuzz, libFuzzer) for a bounded
# time each and fails if any of them finds a crash (a panic or a failed assertion).
#
#   ./scripts/fuzz.sh [seconds-per-target] [target...]
#
# Default 20 seconds per target, every target. Needs the nightly toolchain (rustup) and
# installs cargo-fuzz if it is missing. Builds into $CARGO_TARGET_DIR when it is set
# (else fuzz/target). The committed seeds (fuzz/corpus/<target>) are read, never
# written: what a run discovers goes to <target dir>/fuzz-corpus/<target>, kept between
# runs, and a crash's input to fuzz/artifacts/<target>/ (reproduce it in fuzz/ with
# `cargo +nightly fuzz run -s none -a <target> <file>`).
set -euo pipefail
cd "$(dirname "$0")/../fuzz"

seconds=${1:-20}
shift || true
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [ "$seconds" -eq 0 ]; then
  echo "usage: $0 [seconds-per-target] [target...]" >&2
  exit 2
fi

if ! rustup run nightly rustc --version >/dev/null 2>&1; then
  rustup toolchain install nightly --profile minimal
fi
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
  cargo install cargo-fuzz --locked
fi

target_dir=${CARGO_TARGET_DIR:-$PWD/target}
export CARGO_TARGET_DIR=$target_dir
# No sanitizer: ccmp-types and the contracts have no `unsafe`, so AddressSanitizer would
# find little a panic does not, at about twice the build time and half the speed. Debug
# assertions and overflow checks on (the contracts ship with overflow checks).
build_flags=(--sanitizer none --debug-assertions --target-dir "$target_dir")

if [ $# -gt 0 ]; then
  targets=("$@")
else
  mapfile -t targets < <(cargo +nightly fuzz list)
fi

echo "== building ${#targets[@]} fuzz targets"
start=$(date +%s)
cargo +nightly fuzz build "${build_flags[@]}"
echo "built in $(( $(date +%s) - start )) s"

failed=()
for target in "${targets[@]}"; do
  work="$target_dir/fuzz-corpus/$target"
  mkdir -p "$work" "corpus/$target"
  args=(-max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1)
  if [ -f "dicts/$target.dict" ]; then
    args+=(-dict="dicts/$target.dict")
  fi
  echo "== fuzzing $target for $seconds s"
  # libFuzzer's progress lines (NEW, REDUCE, pulse) are dropped; the rest, a crash's
  # report and the final stats among it, is shown.
  if ! cargo +nightly fuzz run "${build_flags[@]}" "$target" "$work" "corpus/$target" \
    -- "${args[@]}" 2>&1 | sed -E '/^#[0-9]+[[:space:]]+(NEW|REDUCE|pulse)/d'; then
    failed+=("$target")
  fi
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzzing found crashes in: ${failed[*]} (inputs in fuzz/artifacts/)" >&2
  exit 1
fi
echo "fuzzing: ${#targets[@]} targets, $seconds s each, no crash"
