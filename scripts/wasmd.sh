#!/usr/bin/env bash
# Prints the path of the pinned wasmd binary for a bech32 prefix, building it only when
# it is missing.
#
#   scripts/wasmd.sh [PREFIX]        # PREFIX defaults to ccmpa
#
# The pin is tools/wasmd/go.mod (wasmd v0.61.x: CometBFT 0.38, the RPC dialect the Rust
# crates speak). The binary is cached outside the clone, keyed by the pin:
#
#   ${CCMP_CACHE:-$HOME/.cache/ccmp}/wasmd/<version>-<sha256 of go.mod+go.sum+recipe>/
#       bin/wasmd-<prefix>       one binary per bech32 prefix (set at link time)
#       lib/libwasmvm.<arch>.so  wasmvm's shared library, found through rpath $ORIGIN/../lib
#
# so the cached binary keeps working when the Go module cache is gone. Needs Go (>= 1.24)
# and a C compiler (CGO) only when it builds. Build output goes to stderr; stdout is the
# path and nothing else.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$REPO/tools/wasmd"
PREFIX="${1:-ccmpa}"
# Bump when the way the binary is built changes (flags, layout).
RECIPE=1

if [[ ! "$PREFIX" =~ ^[a-z][a-z0-9]{0,15}$ ]]; then
  echo "wasmd.sh: bad bech32 prefix '$PREFIX' (lower-case letters and digits)" >&2
  exit 2
fi

VERSION="$(awk '$1 == "github.com/CosmWasm/wasmd" { print $2; exit }' "$TOOLS/go.mod")"
if [[ -z "$VERSION" ]]; then
  echo "wasmd.sh: no github.com/CosmWasm/wasmd requirement in $TOOLS/go.mod" >&2
  exit 1
fi
SUM="$( { cat "$TOOLS/go.mod" "$TOOLS/go.sum"; echo "recipe $RECIPE"; } | sha256sum | cut -c1-16)"
ROOT="${CCMP_CACHE:-$HOME/.cache/ccmp}/wasmd/$VERSION-$SUM"
BIN="$ROOT/bin/wasmd-$PREFIX"

if [[ -x "$BIN" ]]; then
  echo "$BIN"
  exit 0
fi

command -v go >/dev/null || { echo "wasmd.sh: go not found (needed to build wasmd $VERSION)" >&2; exit 1; }
mkdir -p "$ROOT/bin" "$ROOT/lib"

# One builder at a time per cache entry; the others wait and then find the binary.
exec 9>"$ROOT/.lock"
flock 9
if [[ -x "$BIN" ]]; then
  echo "$BIN"
  exit 0
fi

start=$SECONDS
echo "wasmd.sh: building wasmd $VERSION for prefix $PREFIX into $ROOT (first time: minutes)" >&2
cd "$TOOLS"
export CGO_ENABLED=1
export GOFLAGS="${GOFLAGS:-} -mod=readonly"

# wasmvm links libwasmvm dynamically with an rpath into the Go module cache; copy the
# library next to the binary and add $ORIGIN/../lib as a second rpath.
nice -n 10 go mod download github.com/CosmWasm/wasmvm/v3 >&2
WASMVM_DIR="$(go list -m -f '{{.Dir}}' github.com/CosmWasm/wasmvm/v3)"
case "$(uname -s)" in
  Linux) LIB="libwasmvm.$(uname -m).so" ;;
  Darwin) LIB="libwasmvm.dylib" ;;
  *) echo "wasmd.sh: unsupported OS $(uname -s)" >&2; exit 1 ;;
esac
if [[ ! -f "$WASMVM_DIR/internal/api/$LIB" ]]; then
  echo "wasmd.sh: $WASMVM_DIR/internal/api/$LIB not found" >&2
  exit 1
fi
cp -f "$WASMVM_DIR/internal/api/$LIB" "$ROOT/lib/$LIB.tmp"
mv -f "$ROOT/lib/$LIB.tmp" "$ROOT/lib/$LIB"

if [[ "$(uname -s)" == Darwin ]]; then
  RPATH='-Wl,-rpath,@loader_path/../lib'
else
  RPATH='-Wl,-rpath,$ORIGIN/../lib'
fi
# Flags as wasmd's Makefile (without the ledger tag: no USB signing here).
# -checklinkname=0: bytedance/sonic (via cosmos-sdk 0.53) links runtime internals.
LDFLAGS="-checklinkname=0
  -X github.com/cosmos/cosmos-sdk/version.Name=wasm
  -X github.com/cosmos/cosmos-sdk/version.AppName=wasmd
  -X github.com/cosmos/cosmos-sdk/version.Version=${VERSION#v}
  -X github.com/cosmos/cosmos-sdk/version.BuildTags=netgo
  -X github.com/CosmWasm/wasmd/app.Bech32Prefix=$PREFIX
  -extldflags '$RPATH'"
LDFLAGS="$(echo $LDFLAGS)"

nice -n 10 go build -trimpath -tags netgo -ldflags "$LDFLAGS" \
  -o "$BIN.tmp" github.com/CosmWasm/wasmd/cmd/wasmd >&2

# Check the binary runs and carries the prefix before publishing it.
got="$("$BIN.tmp" debug addr 0000000000000000000000000000000000000000 2>&1 | awk '/^Bech32 Acc:/ { print $3 }')"
if [[ "$got" != "$PREFIX"1* ]]; then
  echo "wasmd.sh: built binary does not use prefix $PREFIX (debug addr gave '$got')" >&2
  exit 1
fi
mv -f "$BIN.tmp" "$BIN"
echo "wasmd.sh: built $BIN in $((SECONDS - start)) s" >&2
echo "$BIN"
