#!/usr/bin/env bash
# A localnet of real wasmd nodes (no docker): N single-validator chains on 127.0.0.1.
#
#   scripts/localnet.sh up [N]   # init (first time) and start N chains (default 2), wait for height >= 2
#   scripts/localnet.sh down     # stop every node of the localnet (idempotent)
#   scripts/localnet.sh reset    # down, then delete the localnet directory
#   scripts/localnet.sh status   # height of each chain
#
# Chain i (0-based): chain id ccmp-<letter>, bech32 prefix ccmp<letter>, denom
# ustake<letter> (ccmp-a/ccmpa/ustakea, ccmp-b/ccmpb/ustakeb, ...), one wasmd binary per
# prefix from scripts/wasmd.sh. Ports, all on 127.0.0.1: P2P 36656+10i, RPC 36657+10i,
# gRPC 39090+10i (with the default CCMP_LOCALNET_PORT_BASE); REST API, gRPC-web, pprof and prometheus off.
#
# Everything lives under ${CCMP_LOCALNET_DIR:-<repo>/.localnet}: <chain_id>/ is the node
# home (test keyring, wasmd.log, wasmd.pid, keys/<account>.json), and localnet.json is the
# manifest the Rust programs read. `up` on an initialised directory restarts the chains
# it holds (state kept). CCMP_LOCALNET_TIMEOUT (seconds, default 60) bounds the wait.
# CCMP_LOCALNET_RETAIN_BLOCKS=N (at init; default: keep everything) makes pruning nodes,
# as many public RPC nodes are: blocks, their results and application state older than
# about N blocks are deleted (min-retain-blocks, evidence max age and state pruning N).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIR="${CCMP_LOCALNET_DIR:-$REPO/.localnet}"
TIMEOUT="${CCMP_LOCALNET_TIMEOUT:-60}"

GAS_PRICE="0.025"
BLOCK_TIME="300ms"
MAX_GAS="100000000"
RETAIN="${CCMP_LOCALNET_RETAIN_BLOCKS:-}"
[[ -z "$RETAIN" || ( "$RETAIN" =~ ^[0-9]+$ && "$RETAIN" -ge 2 ) ]] ||
  { echo "localnet: CCMP_LOCALNET_RETAIN_BLOCKS must be a number >= 2" >&2; exit 1; }
ACCOUNTS=(validator deployer relayer relayer2 user)
FUNDS="100000000000000"   # 10^14 base units per account
STAKE="1000000000000"     # 10^12 self-delegated by the validator
LETTERS=abcdefghijklmnopqrstuvwxyz

log() { echo "localnet: $*" >&2; }
die() { echo "localnet: $*" >&2; exit 1; }

chain_id() { echo "ccmp-${LETTERS:$1:1}"; }
prefix() { echo "ccmp${LETTERS:$1:1}"; }
denom() { echo "ustake${LETTERS:$1:1}"; }
# CCMP_LOCALNET_PORT_BASE (default 36656) moves every port: the test script runs a
# localnet of its own next to a developer's.
BASE="${CCMP_LOCALNET_PORT_BASE:-36656}"
[[ "$BASE" =~ ^[0-9]+$ ]] && [ "$BASE" -ge 1024 ] && [ "$BASE" -le 60000 ] ||
  { echo "localnet: CCMP_LOCALNET_PORT_BASE must be a number in 1024..60000" >&2; exit 1; }
p2p_port() { echo $((BASE + 10 * $1)); }
rpc_port() { echo $((BASE + 1 + 10 * $1)); }
abci_port() { echo $((BASE + 2 + 10 * $1)); }
grpc_port() { echo $((BASE + 2434 + 10 * $1)); }

# set_toml FILE SECTION KEY VALUE: replace `KEY = ...` inside [SECTION] ("" = top level);
# fails if the key is not there, so a changed config layout is noticed.
set_toml() {
  local file="$1" section="$2" key="$3" value="$4"
  awk -v section="$section" -v key="$key" -v value="$value" '
    BEGIN { cur = ""; done = 0 }
    /^\[.*\]$/ { cur = substr($0, 2, length($0) - 2) }
    cur == section && !done && $0 ~ ("^" key "[ \t]*=") { print key " = " value; done = 1; next }
    { print }
    END { if (!done) exit 3 }
  ' "$file" >"$file.tmp" || { rm -f "$file.tmp"; die "no key '$key' in [$section] of $file"; }
  mv -f "$file.tmp" "$file"
}

# rpc_height PORT: latest block height, or nothing if the node does not answer.
rpc_height() {
  curl -s --max-time 1 "http://127.0.0.1:$1/status" 2>/dev/null |
    sed -n 's/.*"latest_block_height":"\([0-9]*\)".*/\1/p' || true
}

# pid_alive HOME: the pid from HOME/wasmd.pid if that process is a wasmd of this home.
pid_alive() {
  local home="$1" pid
  [[ -f "$home/wasmd.pid" ]] || return 1
  pid="$(cat "$home/wasmd.pid" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  if [[ -r "/proc/$pid/cmdline" ]]; then
    tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "--home $home " || return 1
  fi
  echo "$pid"
}

init_chain() {
  local i="$1" bin="$2" id home d
  id="$(chain_id "$i")"; home="$DIR/$id"; d="$(denom "$i")"
  log "initialising $id in $home"
  rm -rf "$home"
  mkdir -p "$home"
  local kr=(--keyring-backend test --home "$home")
  "$bin" init "$id-validator" --chain-id "$id" --default-denom "$d" --home "$home" >/dev/null 2>&1 ||
    die "wasmd init failed for $id"

  local name
  mkdir -p "$home/keys"
  chmod 700 "$home/keys"
  for name in "${ACCOUNTS[@]}"; do
    "$bin" keys add "$name" "${kr[@]}" --output json >"$home/keys/$name.keyring.json" 2>&1 ||
      die "keys add $name failed: $(cat "$home/keys/$name.keyring.json")"
    chmod 600 "$home/keys/$name.keyring.json"   # holds the mnemonic
    local hex
    hex="$("$bin" keys export "$name" --unsafe --unarmored-hex -y "${kr[@]}" 2>/dev/null)"
    [[ "$hex" =~ ^[0-9a-f]{64}$ ]] || die "keys export $name gave no 64-hex key"
    (umask 077; printf '{ "key_type": "secp256k1", "secret_hex": "%s" }\n' "$hex" >"$home/keys/$name.json")
    chmod 600 "$home/keys/$name.json"
  done
  local accounts="[" sep=""
  for name in "${ACCOUNTS[@]}"; do
    accounts+="$sep{\"address\":\"$(addr "$home" "$name")\",\"coins\":[{\"denom\":\"$d\",\"amount\":\"$FUNDS\"}]}"
    sep=","
  done
  echo "$accounts]" >"$home/config/genesis-accounts.json"
  "$bin" genesis bulk-add-genesis-account "$home/config/genesis-accounts.json" --home "$home" >/dev/null ||
    die "bulk-add-genesis-account failed for $id"
  "$bin" genesis gentx validator "$STAKE$d" --chain-id "$id" "${kr[@]}" >/dev/null 2>&1 ||
    die "gentx failed for $id"
  "$bin" genesis collect-gentxs --home "$home" >/dev/null 2>&1 || die "collect-gentxs failed for $id"

  # Genesis: a finite block gas limit (the default -1 is unlimited); wasm upload and
  # instantiation open to everybody (wasmd's default, checked).
  local g="$home/config/genesis.json"
  grep -q '"max_gas": "-1"' "$g" || die "no \"max_gas\": \"-1\" in $g"
  sed -i "s/\"max_gas\": \"-1\"/\"max_gas\": \"$MAX_GAS\"/" "$g"
  tr -d ' \n' <"$g" | grep -q '"code_upload_access":{"permission":"Everybody"' ||
    die "wasm code_upload_access is not Everybody in $g"
  tr -d ' \n' <"$g" | grep -q '"instantiate_default_permission":"Everybody"' ||
    die "wasm instantiate_default_permission is not Everybody in $g"
  if [[ -n "$RETAIN" ]]; then
    # The SDK keeps blocks for the evidence max age too: bring it down to N blocks.
    grep -q '"max_age_num_blocks": "100000"' "$g" || die "no evidence max_age_num_blocks in $g"
    sed -i "s/\"max_age_num_blocks\": \"100000\"/\"max_age_num_blocks\": \"$RETAIN\"/" "$g"
  fi
  "$bin" genesis validate --home "$home" >/dev/null 2>&1 || "$bin" genesis validate "$g" >/dev/null ||
    die "genesis of $id does not validate"

  local c="$home/config/config.toml" a="$home/config/app.toml"
  set_toml "$c" "" proxy_app "\"tcp://127.0.0.1:$(abci_port "$i")\""
  set_toml "$c" rpc laddr "\"tcp://127.0.0.1:$(rpc_port "$i")\""
  set_toml "$c" rpc pprof_laddr '""'
  set_toml "$c" p2p laddr "\"tcp://127.0.0.1:$(p2p_port "$i")\""
  set_toml "$c" p2p pex false
  set_toml "$c" p2p addr_book_strict false
  set_toml "$c" consensus timeout_commit "\"$BLOCK_TIME\""
  set_toml "$c" tx_index indexer '"kv"'
  set_toml "$c" instrumentation prometheus false
  set_toml "$a" "" minimum-gas-prices "\"$GAS_PRICE$d\""
  set_toml "$a" api enable false
  set_toml "$a" grpc enable true
  set_toml "$a" grpc address "\"127.0.0.1:$(grpc_port "$i")\""
  set_toml "$a" grpc-web enable false
  set_toml "$a" telemetry enabled false
  if [[ -n "$RETAIN" ]]; then
    set_toml "$a" "" min-retain-blocks "$RETAIN"
    set_toml "$a" "" pruning '"custom"'
    set_toml "$a" "" pruning-keep-recent "\"$RETAIN\""
    set_toml "$a" "" pruning-interval '"10"'
  fi
  touch "$home/.ccmp-initialised"
}

start_chain() {
  local i="$1" bin="$2" id home pid port
  id="$(chain_id "$i")"; home="$DIR/$id"; port="$(rpc_port "$i")"
  if pid="$(pid_alive "$home")"; then
    log "$id already running (pid $pid)"
    return 0
  fi
  rm -f "$home/wasmd.pid"
  check_ports "$i"
  log "starting $id (RPC 127.0.0.1:$port)"
  # setsid: the node survives the shell that started it and gets no terminal signals.
  # The child writes its own pid (setsid may fork) and then becomes wasmd.
  setsid bash -c 'echo $$ >"$1/wasmd.pid.tmp" && mv -f "$1/wasmd.pid.tmp" "$1/wasmd.pid" && exec "$2" start --home "$1" --log_no_color' \
    _ "$home" "$bin" </dev/null >>"$home/wasmd.log" 2>&1 8>&- &
  local k
  for ((k = 0; k < 100; k++)); do
    [[ -f "$home/wasmd.pid" ]] && return 0
    sleep 0.05
  done
  die "$id: no pid file after 5 s"
}

# check_ports I: fail if chain I's RPC, P2P or gRPC port already answers (another
# localnet, a stray node).
check_ports() {
  local port
  for port in "$(rpc_port "$1")" "$(p2p_port "$1")" "$(grpc_port "$1")"; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      die "port 127.0.0.1:$port of $(chain_id "$1") is taken by another process"
    fi
  done
}

# lock: one up/down/reset at a time on a localnet directory (fd 8; the nodes do not
# inherit it).
lock() {
  mkdir -p "$DIR"
  exec 8>"$DIR/.lock"
  flock -w "$TIMEOUT" 8 || die "another localnet.sh holds $DIR/.lock"
}

# wait_chains I...: until every chain has height >= 2 and has committed a block since it
# first answered (a restarted chain answers with its old height at once), bounded by
# $TIMEOUT seconds.
wait_chains() {
  local deadline=$((SECONDS + TIMEOUT)) i id home h pending
  local -A first=()
  while :; do
    pending=()
    for i in "$@"; do
      id="$(chain_id "$i")"; home="$DIR/$id"
      if ! pid_alive "$home" >/dev/null; then
        log "$id exited; last lines of $home/wasmd.log:"
        tail -n 40 "$home/wasmd.log" >&2 || true
        exit 1
      fi
      h="$(rpc_height "$(rpc_port "$i")")"
      [[ -z "$h" || -n "${first[$i]:-}" ]] || first[$i]="$h"
      [[ -n "$h" && "$h" -ge 2 && "$h" -gt "${first[$i]}" ]] || pending+=("$i")
    done
    [[ ${#pending[@]} -eq 0 ]] && return 0
    if ((SECONDS >= deadline)); then
      for i in "${pending[@]}"; do
        id="$(chain_id "$i")"
        log "$id did not reach height 2 within ${TIMEOUT}s; last lines of $DIR/$id/wasmd.log:"
        tail -n 40 "$DIR/$id/wasmd.log" >&2 || true
      done
      log "the nodes are left running: scripts/localnet.sh down stops them"
      exit 1
    fi
    sleep 0.2
  done
}

# addr HOME NAME: the account's address, from what `keys add` printed at init.
addr() {
  local a
  a="$(sed -n 's/.*"address":"\([a-z0-9]*\)".*/\1/p' "$1/keys/$2.keyring.json" | head -n 1)"
  [[ -n "$a" ]] || die "no address for $2 in $1/keys/$2.keyring.json"
  echo "$a"
}

write_manifest() {
  local n="$1" i id home bin first=1 name sep
  {
    printf '{"chains":['
    for ((i = 0; i < n; i++)); do
      id="$(chain_id "$i")"; home="$DIR/$id"; bin="${BINS[$i]}"
      ((first)) || printf ','
      first=0
      printf '\n  {"chain_id":"%s","rpc":"http://127.0.0.1:%s","grpc":"127.0.0.1:%s","prefix":"%s","denom":"%s","gas_price":"%s",' \
        "$id" "$(rpc_port "$i")" "$(grpc_port "$i")" "$(prefix "$i")" "$(denom "$i")" "$GAS_PRICE"
      printf '"home":"%s","pid_file":"%s","log":"%s","binary":"%s","accounts":{' \
        "$home" "$home/wasmd.pid" "$home/wasmd.log" "$bin"
      sep=""
      for name in "${ACCOUNTS[@]}"; do
        printf '%s"%s":{"address":"%s","key_file":"%s"}' "$sep" "$name" "$(addr "$home" "$name")" "$home/keys/$name.json"
        sep=","
      done
      printf '}}'
    done
    printf '\n]}\n'
  } >"$DIR/localnet.json.tmp"
  mv -f "$DIR/localnet.json.tmp" "$DIR/localnet.json"
}

cmd_up() {
  local n="${1:-2}" i t0=$SECONDS
  [[ "$n" =~ ^[0-9]+$ ]] && ((n >= 1 && n <= 26)) || die "up: N must be 1..26, got '$n'"
  command -v curl >/dev/null || die "curl not found"
  lock
  DIR="$(cd "$DIR" && pwd)"
  for ((i = 0; i < n; i++)); do
    pid_alive "$DIR/$(chain_id "$i")" >/dev/null || check_ports "$i"
  done
  BINS=()
  for ((i = 0; i < n; i++)); do
    BINS[$i]="$("$REPO/scripts/wasmd.sh" "$(prefix "$i")")"
  done
  # Chains are initialised in parallel (each is some twenty CLI calls of ~0.3 s).
  local inits=() failed=0 p
  for ((i = 0; i < n; i++)); do
    if [[ ! -f "$DIR/$(chain_id "$i")/.ccmp-initialised" ]]; then
      init_chain "$i" "${BINS[$i]}" &
      inits+=($!)
    fi
  done
  for p in "${inits[@]}"; do wait "$p" || failed=1; done
  ((failed == 0)) || die "initialisation failed (see above)"
  write_manifest "$n"
  for ((i = 0; i < n; i++)); do start_chain "$i" "${BINS[$i]}"; done
  wait_chains $(seq 0 $((n - 1)))
  log "up: $n chain(s) at height >= 2 in $((SECONDS - t0)) s; manifest $DIR/localnet.json"
  cmd_status
}

# Homes of the chains in the localnet directory, whatever N they were started with.
homes() {
  local h
  [[ -d "$DIR" ]] || return 0
  for h in "$DIR"/ccmp-*/; do
    [[ -d "$h" ]] && echo "${h%/}"
  done
  return 0
}

cmd_down() {
  local home pid k left
  local -A pids=()
  [[ -d "$DIR" ]] || return 0
  lock
  DIR="$(cd "$DIR" && pwd)"
  while read -r home; do
    [[ -n "$home" ]] || continue
    if pid="$(pid_alive "$home")"; then
      log "stopping $(basename "$home") (pid $pid)"
      kill -TERM "$pid" 2>/dev/null || true
      pids[$home]="$pid"
    else
      rm -f "$home/wasmd.pid"
    fi
  done < <(homes)
  for ((k = 0; k < 150; k++)); do
    left=0
    for home in "${!pids[@]}"; do
      kill -0 "${pids[$home]}" 2>/dev/null && left=1
    done
    ((left)) || break
    sleep 0.1
  done
  for home in "${!pids[@]}"; do
    if kill -0 "${pids[$home]}" 2>/dev/null; then
      log "$(basename "$home") still running 15 s after SIGTERM; SIGKILL"
      kill -KILL "${pids[$home]}" 2>/dev/null || true
    fi
    rm -f "$home/wasmd.pid"
  done
}

cmd_reset() {
  local entry
  cmd_down
  [[ -d "$DIR" ]] || return 0
  # Only what this script writes: a mistaken CCMP_LOCALNET_DIR is not wiped.
  for entry in "$DIR"/* "$DIR"/.[!.]*; do
    [[ -e "$entry" ]] || continue
    case "$(basename "$entry")" in
      ccmp-* | localnet.json | localnet.json.tmp | .lock) ;;
      *) die "reset: $DIR holds $(basename "$entry"), which is not the localnet's; not deleting it" ;;
    esac
  done
  log "deleting $DIR"
  rm -rf "$DIR"
}

cmd_status() {
  local home id i pid h any=0
  DIR="$(cd "$DIR" 2>/dev/null && pwd || echo "$DIR")"
  while read -r home; do
    [[ -n "$home" ]] || continue
    any=1
    id="$(basename "$home")"
    i="${LETTERS%%"${id#ccmp-}"*}"; i="${#i}"
    if pid="$(pid_alive "$home")"; then
      h="$(rpc_height "$(rpc_port "$i")")"
      printf '%-8s running  pid %-8s rpc http://127.0.0.1:%s  height %s\n' "$id" "$pid" "$(rpc_port "$i")" "${h:-?}"
    else
      printf '%-8s stopped\n' "$id"
    fi
  done < <(homes)
  ((any)) || echo "no localnet in $DIR"
}

case "${1:-}" in
  up) shift; cmd_up "$@" ;;
  down) cmd_down ;;
  reset) cmd_reset ;;
  status) cmd_status ;;
  *) echo "usage: $0 up [N] | down | reset | status" >&2; exit 2 ;;
esac
