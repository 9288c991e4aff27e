# Sourced by scripts/build.sh and scripts/size-report.sh: how the contracts are compiled and
# optimised, in one place.
#
# rustc 1.95 enables bulk memory for wasm32 by default, and neither cosmwasm-vm 2 nor 3
# accepts it. Our crates are compiled for the MVP CPU (`-C target-cpu=mvp`, rustc's
# documented way to turn the post-MVP features off), so LLVM copies memory with
# compiler_builtins' memcpy, a word at a time, instead of `memory.copy`. (Turning off
# `bulk-memory` alone leaves `bulk-memory-opt`, a feature rustc 1.95 calls unstable, and
# with it `memory.copy`.) The precompiled standard library keeps its `memory.copy` and
# `memory.fill`, which wasm-opt lowers to plain loops; those copy byte by byte, and the VM
# meters every byte (about 5,000 VM gas, some 8 times the word copy), so the fewer of them
# the better (BENCHMARKS.md: a message costs about 200 SDK gas less through `deliver`, 55
# through `deliver_batch`; 2.4 KB more wasm for the inbox).
# `-C link-arg=-s` strips the name section; scripts/size-report.sh builds without it.
WASM_RUSTFLAGS="-C target-cpu=mvp"
WASM_STRIP_FLAG="-C link-arg=-s"
# Lower the remaining bulk-memory instructions, then optimise for size as the CosmWasm
# optimizer does.
WASM_OPT_FLAGS=(--enable-bulk-memory --llvm-memory-copy-fill-lowering -Oz)
