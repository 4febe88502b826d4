#!/usr/bin/env bash
# Signaling side by side: CircleCDN's tracker vs WebTorrent's tracker (npm bittorrent-tracker,
# WebSocket only) vs the PeerJS server (npm peer), driven by bench_signal_loadgen (C++).
#   bench/signal/run.sh               full run: RUNS=3 of each measurement, fresh server each time
#   SMOKE=1 bench/signal/run.sh       a few peers, sub-second windows: checks the harness only
# Environment: LOADGEN (default build/release/bench/signal/bench_signal_loadgen),
#   CIRCLECDN (default build/release/server/circlecdn), SERVERS ("circlecdn wt peerjs"),
#   RUNS, IDLE_PEERS ("1000 10000"), PEERS (1000, for the load tests), RATE (2000), DURATION (5),
#   WARMUP (1), SDP_BYTES (600), SERVER_CPU / CLIENT_CPU (0 / 1), OUT (results file).
# Measurements, each one loadgen run against a freshly started server pinned to SERVER_CPU:
#   idle N      server RSS growth per connected, idle peer (CircleCDN also: heap_bytes growth)
#   saturate    closed loop, one offer->answer in flight per pair: round trips/s, CPU per round trip
#   rate R      open loop at R round trips/s: p50/p99 latency, CPU per round trip
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
source "$ROOT/bench/support/wait-port.sh"
# The loadgen reads /.circlecdn/stats with this token (bench_signal_loadgen: CIRCLECDN_OPERATOR_TOKEN).
export CIRCLECDN_OPERATOR_TOKEN="bench-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
LOADGEN="${LOADGEN:-$ROOT/build/release/bench/signal/bench_signal_loadgen}"
CIRCLECDN="${CIRCLECDN:-$ROOT/build/release/server/circlecdn}"
# circlecdn+want: CircleCDN with every round trip starting with want -> match/push and ending
# with done, i.e. the tracker also chooses the peer each time, as bittorrent-tracker's announce does
# circlecdn+tls: CircleCDN serving wss:// itself (--tls-cert/--tls-key, a throwaway P-256
# certificate made here with openssl); the load generator speaks TLS 1.3 to it
SERVERS="${SERVERS:-circlecdn circlecdn+tls circlecdn+want wt peerjs}"
SERVER_CPU="${SERVER_CPU:-0}"
CLIENT_CPU="${CLIENT_CPU:-1}"
SDP_BYTES="${SDP_BYTES:-600}"
if [[ "${SMOKE:-0}" == 1 ]]; then
  RUNS="${RUNS:-1}"; IDLE_PEERS="${IDLE_PEERS:-20}"; PEERS="${PEERS:-20}"; RATE="${RATE:-200}"
  DURATION="${DURATION:-0.5}"; WARMUP="${WARMUP:-0.2}"; SETTLE=0.1
else
  RUNS="${RUNS:-3}"; IDLE_PEERS="${IDLE_PEERS:-1000 10000}"; PEERS="${PEERS:-1000}"; RATE="${RATE:-2000}"
  DURATION="${DURATION:-5}"; WARMUP="${WARMUP:-1}"; SETTLE=1
fi
for f in "$LOADGEN" "$CIRCLECDN"; do
  [[ -x "$f" ]] || { echo "signal bench: missing $f (build it: cmake --build --preset release)" >&2; exit 2; }
done
command -v node >/dev/null && command -v taskset >/dev/null || { echo "signal bench: need node and taskset" >&2; exit 2; }
bash "$ROOT/bench/anchors/install.sh"
# every peer is a socket in the load generator and one in the server
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
max_peers=$(printf '%s\n' $IDLE_PEERS "$PEERS" | sort -n | tail -1)
if (( $(ulimit -n) < max_peers + 100 )); then
  echo "signal bench: ulimit -n is $(ulimit -n), need > $max_peers (raise the hard limit)" >&2; exit 2
fi

TMP="$(mktemp -d /tmp/circlecdn-bench-signal.XXXXXX)"
SPID=""
stop_server() {
  if [[ -n "$SPID" ]]; then kill "$SPID" 2>/dev/null || true; wait "$SPID" 2>/dev/null || true; SPID=""; fi
}
trap 'stop_server; rm -rf "$TMP"' EXIT

# circlecdn+tls: a certificate for this run only
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=127.0.0.1 \
  -days 1 -keyout "$TMP/tls.key" -out "$TMP/tls.crt" 2>/dev/null

# CircleCDN pairs peers through want/match: one distinct file per pair
SITE="$TMP/site"; mkdir -p "$SITE"
for i in $(seq 1 $(( PEERS / 2 ))); do echo "signal bench file $i" > "$SITE/f$i.txt"; done

start_server() { # name -> SPID, SPORT
  local name="${1%+want}" out="$TMP/server.out" pattern
  : > "$out"
  case "$name" in
    circlecdn|circlecdn+tls)
      # the per-peer message rate limit (default 50/s) is lifted: the load generator's offerers
      # send faster than a browser would, and we measure relaying, not throttling; every peer comes
      # from a few loopback addresses, so the per-address cap (500) is lifted too; and the load
      # generator's peers hold nothing, so sampled possession challenges are off; and each pair
      # relays its round trips through one pairing forever, so the per-pairing signal cap is lifted
      local tls=()
      [[ "$name" == *+tls ]] && tls=(--tls-cert "$TMP/tls.crt" --tls-key "$TMP/tls.key")
      taskset -c "$SERVER_CPU" "$CIRCLECDN" serve "$SITE" --listen 127.0.0.1:0 \
        --client-dir "$ROOT/client/dist" --log-level warn --messages-per-s 1000000 --peers-per-address 10000000 --challenge-rate 0 \
        --signals-per-pairing 4000000000 \
        "${tls[@]}" \
        --operator-token "$CIRCLECDN_OPERATOR_TOKEN" \
        > "$out" 2>&1 &
      pattern="$CIRCLECDN_LISTENING" ;;
    wt)
      taskset -c "$SERVER_CPU" node "$ROOT/bench/anchors/wt-tracker.mjs" 0 > "$out" 2>&1 &
      pattern='s/^listening \([0-9]*\)$/\1/p' ;;
    peerjs)
      taskset -c "$SERVER_CPU" node "$ROOT/bench/anchors/peerjs-server.mjs" 0 > "$out" 2>&1 &
      pattern='s/^listening \([0-9]*\)$/\1/p' ;;
  esac
  SPID=$!
  SPORT="$(wait_port "$out" "$pattern" "$SPID")" ||
    { echo "signal bench: $name did not start" >&2; cat "$out" >&2; exit 1; }
  sleep 0.3  # let a fresh node process finish its start-up before the RSS baseline
}

OUT="${OUT:-$TMP/results.txt}"
: > "$OUT"
echo "# $(date -u +%FT%TZ) $(nproc) cores, $(uname -r), node $(node --version); servers on cpu $SERVER_CPU, loadgen on cpu $CLIENT_CPU; $RUNS runs"
loadgen() { # name args... : one measurement against a fresh server
  local name="$1"; shift
  start_server "$name"
  local extra=() proto="${name%+want}"
  [[ "$name" == circlecdn || "$name" == circlecdn+tls ]] && extra=(--stats)
  [[ "$name" == *+want ]] && extra=(--want-each)
  [[ "$proto" == *+tls ]] && { extra+=(--tls); proto="${proto%+tls}"; }
  local line
  if ! line="$(taskset -c "$CLIENT_CPU" "$LOADGEN" --proto "$proto" --port "$SPORT" --server-pid "$SPID" "$@" "${extra[@]}")"; then
    echo "signal bench: loadgen failed against $name ($*): $line" >&2
    echo "--- server output:" >&2; tail -20 "$TMP/server.out" >&2
    exit 1
  fi
  kill -0 "$SPID" 2>/dev/null || { echo "signal bench: $name died" >&2; exit 1; }
  stop_server
  echo "$line"
  echo "$line" >> "$OUT"
}

for r in $(seq 1 "$RUNS"); do
  for name in $SERVERS; do
    if [[ "$name" != *+want ]]; then
      for n in $IDLE_PEERS; do
        loadgen "$name" --mode idle --peers "$n" --settle "$SETTLE"
      done
    fi
    loadgen "$name" --mode saturate --peers "$PEERS" --duration "$DURATION" --warmup "$WARMUP" --sdp-bytes "$SDP_BYTES"
    loadgen "$name" --mode rate --rate "$RATE" --peers "$PEERS" --duration "$DURATION" --warmup "$WARMUP" --sdp-bytes "$SDP_BYTES"
  done
done

# medians of a key over the lines that match proto/mode/peers
med() { # proto mode peers key
  awk -v p="proto=$1" -v m="mode=$2" -v n="peers=$3" -v k="$4" '
    { hit = 0; for (i = 1; i <= NF; i++) if ($i == p) hit++; else if ($i == m) hit++; else if ($i == n) hit++
      if (hit == 3) for (i = 1; i <= NF; i++) { split($i, kv, "="); if (kv[1] == k) print kv[2] } }' "$OUT" |
    sort -g | awk '{a[NR]=$1} END {if (NR == 0) print "-"; else if (NR % 2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'
}
echo
echo "medians of $RUNS runs"
echo "idle connections: server RSS growth per peer (bytes)"
printf '  %-10s' server; for n in $IDLE_PEERS; do printf ' %14s' "$n peers"; done; printf ' %22s\n' "circlecdn heap/peer"
for name in $SERVERS; do
  [[ "$name" == *+want ]] && continue
  printf '  %-10s' "$name"; for n in $IDLE_PEERS; do printf ' %14s' "$(med "$name" idle "$n" rss_bytes_per_peer)"; done
  if [[ "$name" == circlecdn* ]]; then for n in $IDLE_PEERS; do printf ' %10s' "$(med "$name" idle "$n" heap_bytes_per_peer)"; done; fi
  echo
done
echo "new connections: seconds to connect and greet N peers (64 connecting at a time; connections/s = N / s)"
printf '  %-10s' server; for n in $IDLE_PEERS; do printf ' %14s' "$n peers"; done; echo
for name in $SERVERS; do
  [[ "$name" == *+want ]] && continue
  printf '  %-10s' "$name"
  for n in $IDLE_PEERS; do
    s="$(med "$name" idle "$n" connect_s)"
    printf ' %14s' "$(awk -v n="$n" -v s="$s" 'BEGIN { if (s + 0 > 0) printf "%.0f/s", n / s; else print "-" }')"
  done
  echo
done
echo "saturation, $PEERS peers ($(( PEERS / 2 )) pairs, one round trip in flight each), ${SDP_BYTES}-byte SDPs"
printf '  %-15s %10s %14s %10s %10s %12s\n' server rt/s cpu_us/rt p50_us p99_us loadgen_cpu%
for name in $SERVERS; do
  printf '  %-15s %10s %14s %10s %10s %12s\n' "$name" "$(med "$name" saturate "$PEERS" rt_per_s)" \
    "$(med "$name" saturate "$PEERS" server_cpu_us_per_rt)" "$(med "$name" saturate "$PEERS" p50_us)" \
    "$(med "$name" saturate "$PEERS" p99_us)" "$(med "$name" saturate "$PEERS" loadgen_cpu_pct)"
done
echo "fixed rate $RATE round trips/s, $PEERS peers"
printf '  %-15s %10s %10s %14s %8s\n' server p50_us p99_us cpu_us/rt lost
for name in $SERVERS; do
  printf '  %-15s %10s %10s %14s %8s\n' "$name" "$(med "$name" rate "$PEERS" p50_us)" "$(med "$name" rate "$PEERS" p99_us)" \
    "$(med "$name" rate "$PEERS" server_cpu_us_per_rt)" "$(med "$name" rate "$PEERS" lost)"
done
