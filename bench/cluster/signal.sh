#!/usr/bin/env bash
# Signaling round trips through 1, 2 and 3 circlecdn processes sharing one Redis (issue 15,
# "Figures"): bench_signal_loadgen in closed loop (--mode saturate --want-each: want -> match +
# push, offer, answer, done), its peers spread round robin over the processes' ports, so with 2 or
# 3 processes every pair's wanter and holder sit on different processes (the holder chosen through
# Redis, every order and signal relayed by pub/sub). Beside them: one process without Redis (the
# default), the same load.
#   bash bench/cluster/signal.sh                  RUNS=3, 1,000 peers, 5 s windows
#   RUNS=1 DURATION=2 bash bench/cluster/signal.sh
# Prints per setup the medians of round trips/s, p50/p99 latency, the servers' CPU per round trip
# (all processes) and Redis's CPU per round trip (over the whole loadgen run, connects included).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
source "$ROOT/bench/support/wait-port.sh"
source "$ROOT/bench/support/redis.sh"
CIRCLECDN="${CIRCLECDN:-$ROOT/build/release/server/circlecdn}"
LOADGEN="${LOADGEN:-$ROOT/build/release/bench/signal/bench_signal_loadgen}"
RUNS="${RUNS:-3}"; PEERS="${PEERS:-1000}"; DURATION="${DURATION:-5}"; WARMUP="${WARMUP:-1}"
SETUPS="${SETUPS:-alone 1 2 3}"
for f in "$CIRCLECDN" "$LOADGEN" /usr/bin/redis-server /usr/bin/redis-cli; do
  [[ -x "$f" ]] || { echo "cluster signal bench: missing $f" >&2; exit 2; }
done
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
export CIRCLECDN_OPERATOR_TOKEN="bench-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
TMP="$(mktemp -d /tmp/circlecdn-bench-cluster-signal.XXXXXX)"
PIDS=()
stop_all() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  PIDS=()
}
trap 'stop_all; rm -rf "$TMP"' EXIT
TICK="$(getconf CLK_TCK)"
SITE="$TMP/site"; mkdir -p "$SITE"
for i in $(seq 1 $(( PEERS / 2 ))); do echo "cluster signal bench file $i" > "$SITE/f$i.txt"; done
od -An -N24 -tx1 /dev/urandom | tr -d ' \n' > "$TMP/token.key"
OUT="$TMP/results.txt"; : > "$OUT"

run_setup() { # alone | N : one loadgen run against a fresh set of processes
  local setup="$1" n redis=() rpid="" ports=() pids=()
  if [[ "$setup" == alone ]]; then n=1; else
    n="$setup"
    start_redis "$TMP/redis.out" || exit 1
    rpid="$RPID"; PIDS+=("$rpid")
    redis=(--redis "redis://127.0.0.1:$RPORT" --token-secret-file "$TMP/token.key")
  fi
  for i in $(seq 1 "$n"); do
    local out="$TMP/server$i.out"
    # lifted as in bench/signal/run.sh: the load generator's peers are faster than browsers, share
    # an address, hold nothing, and relay every round trip through one pairing
    "$CIRCLECDN" serve "$SITE" --listen 127.0.0.1:0 --hash-cache none --log-level warn \
      --messages-per-s 1000000 --peers-per-address 10000000 --challenge-rate 0 \
      --signals-per-pairing 4000000000 --operator-token "$CIRCLECDN_OPERATOR_TOKEN" "${redis[@]}" \
      > "$out" 2>&1 &
    pids+=($!); PIDS+=($!)
    ports+=("$(wait_port "$out" "$CIRCLECDN_LISTENING" "$!")") || { echo "server did not start" >&2; cat "$out" >&2; exit 1; }
  done
  [[ -n "$rpid" ]] && sleep 3  # every process's presence in Redis before the first want
  local r0=0; [[ -n "$rpid" ]] && r0="$(cpu_ticks "$rpid")"
  local line
  line="$("$LOADGEN" --proto circlecdn --ports "$(IFS=,; echo "${ports[*]}")" \
    --server-pid "$(IFS=,; echo "${pids[*]}")" --mode saturate --want-each --peers "$PEERS" \
    --duration "$DURATION" --warmup "$WARMUP")" || { echo "loadgen failed ($setup): $line" >&2; tail "$TMP"/server*.out >&2; exit 1; }
  local rcpu=0; [[ -n "$rpid" ]] && rcpu="$(( $(cpu_ticks "$rpid") - r0 ))"
  stop_all
  echo "setup=$setup $line redis_cpu_ticks=$rcpu" | tee -a "$OUT"
}

echo "# $(date -u +%FT%TZ) $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); $PEERS peers, $RUNS runs, ${DURATION} s windows"
for r in $(seq 1 "$RUNS"); do for s in $SETUPS; do run_setup "$s"; done; done

med() { # setup key
  awk -v s="setup=$1" -v k="$2" '$1 == s { for (i = 1; i <= NF; i++) { split($i, kv, "="); if (kv[1] == k) print kv[2] } }' "$OUT" |
    sort -g | awk '{a[NR]=$1} END {if (NR == 0) print "-"; else if (NR % 2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'
}
echo
echo "medians of $RUNS runs (load $(cut -d' ' -f1-3 /proc/loadavg) at the end)"
printf '%-22s %10s %10s %10s %16s %18s\n' setup rt/s p50_us p99_us servers_cpu_us/rt redis_cpu_ms_total
for s in $SETUPS; do
  label="$s processes + Redis"; [[ "$s" == alone ]] && label="1 process, no Redis"; [[ "$s" == 1 ]] && label="1 process + Redis"
  printf '%-22s %10s %10s %10s %16s %18s\n' "$label" "$(med "$s" rt_per_s)" "$(med "$s" p50_us)" "$(med "$s" p99_us)" \
    "$(med "$s" server_cpu_us_per_rt)" "$(awk -v t="$(med "$s" redis_cpu_ticks)" -v h="$TICK" 'BEGIN { printf "%.0f", t * 1000 / h }')"
done
