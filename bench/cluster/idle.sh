#!/usr/bin/env bash
# 100,000 idle peers across circlecdn processes that share one Redis (issue 15, "Figures").
#   bash bench/cluster/idle.sh                 6 processes x 16,667 peers (100,002), one Redis
#   PROCS=2 PEERS_PER_PROC=500 bash bench/cluster/idle.sh     a quick look
# Why 6 x 16,667 and not 5 x 20,000: this machine's hard RLIMIT_NOFILE is 20,000 per process and
# a server needs a few descriptors beside its peers (listener, epoll, Redis, files), as does each
# load generator.
# Each server gets its own bench_signal_loadgen (idle mode: connect N, hold them for HOLD_S, then
# close) on its own core-agnostic process; when every server reports all its peers online the
# harness measures, over WINDOW_S seconds of idleness:
#   - per process: RSS growth per peer (the load generator's figure, VmRSS before and after), and
#     CPU-seconds per second (utime + stime from /proc/PID/stat over the window);
#   - Redis: used_memory growth per peer (INFO memory, before the peers and during the window),
#     its key count, and its CPU over the window.
# Then the peers leave and the harness checks Redis's keys return to the baseline.
# Environment: CIRCLECDN, LOADGEN (release builds), PROCS (6), PEERS_PER_PROC (16667),
#   WINDOW_S (20), HOLD_S (computed: long enough for the connects and the window).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
source "$ROOT/bench/support/wait-port.sh"
source "$ROOT/bench/support/redis.sh"
CIRCLECDN="${CIRCLECDN:-$ROOT/build/release/server/circlecdn}"
LOADGEN="${LOADGEN:-$ROOT/build/release/bench/signal/bench_signal_loadgen}"
PROCS="${PROCS:-6}"
PEERS_PER_PROC="${PEERS_PER_PROC:-16667}"
WINDOW_S="${WINDOW_S:-20}"
for f in "$CIRCLECDN" "$LOADGEN" /usr/bin/redis-server /usr/bin/redis-cli; do
  [[ -x "$f" ]] || { echo "cluster idle bench: missing $f" >&2; exit 2; }
done
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if (( $(ulimit -n) < PEERS_PER_PROC + 200 )); then
  echo "cluster idle bench: ulimit -n is $(ulimit -n), need > $((PEERS_PER_PROC + 200)) per process" >&2; exit 2
fi
export CIRCLECDN_OPERATOR_TOKEN="bench-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
TMP="$(mktemp -d /tmp/circlecdn-bench-cluster.XXXXXX)"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$TMP"
}
trap cleanup EXIT
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
TICK="$(getconf CLK_TCK)"

start_redis "$TMP/redis.out" || exit 1
PIDS+=("$RPID")
rcli() { redis-cli -p "$RPORT" "$@"; }
redis_mem() { rcli info memory | awk -F: '/^used_memory:/ {print $2+0}'; }

SITE="$TMP/site"; mkdir -p "$SITE"
# one key for every process's miss and resume tokens (--token-secret-file, required with --redis)
od -An -N24 -tx1 /dev/urandom | tr -d ' \n' > "$TMP/token.key"
for i in $(seq 1 8); do echo "cluster bench file $i" > "$SITE/f$i.txt"; done

echo "# $(date -u +%FT%TZ) $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); $PROCS processes x $PEERS_PER_PROC idle peers; redis $(redis-server --version | sed -n 's/.*v=\([0-9.]*\).*/\1/p')"
SPIDS=(); SPORTS=()
for i in $(seq 1 "$PROCS"); do
  out="$TMP/server$i.out"
  # lifted for a load generator: its peers come from one address and never hold anything
  "$CIRCLECDN" serve "$SITE" --listen 127.0.0.1:0 --hash-cache none --log-level warn \
    --redis "redis://127.0.0.1:$RPORT" --token-secret-file "$TMP/token.key" --peers-per-address 10000000 --challenge-rate 0 \
    --operator-token "$CIRCLECDN_OPERATOR_TOKEN" > "$out" 2>&1 &
  SPIDS+=($!); PIDS+=($!)
  SPORTS+=("$(wait_port "$out" "$CIRCLECDN_LISTENING" "$!")") || { echo "server $i did not start" >&2; cat "$out" >&2; exit 1; }
done
sleep 3 # one heartbeat: every process's presence is in Redis
KEYS0="$(rcli dbsize)"; MEM0="$(redis_mem)"

# Each load generator holds its peers for long enough to connect them all and measure.
HOLD_S="${HOLD_S:-$(( PEERS_PER_PROC / 200 + WINDOW_S + 60 ))}"
LPIDS=()
for i in $(seq 0 $((PROCS - 1))); do
  "$LOADGEN" --proto circlecdn --port "${SPORTS[$i]}" --server-pid "${SPIDS[$i]}" --mode idle \
    --peers "$PEERS_PER_PROC" --settle "$HOLD_S" --stats > "$TMP/loadgen$i.out" 2> "$TMP/loadgen$i.err" &
  LPIDS+=($!); PIDS+=($!)
done
online() { # the sum of every process's peers_online
  local sum=0 n
  for p in "${SPORTS[@]}"; do
    n="$(curl -s -H "Authorization: Bearer $CIRCLECDN_OPERATOR_TOKEN" "http://127.0.0.1:$p/.circlecdn/stats" |
      node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).peers_online))')"
    sum=$((sum + n))
  done
  echo "$sum"
}
TOTAL=$((PROCS * PEERS_PER_PROC)); t0=$SECONDS
until [[ "$(online)" == "$TOTAL" ]]; do
  (( SECONDS - t0 < HOLD_S - WINDOW_S - 5 )) || { echo "only $(online) of $TOTAL online in time" >&2; exit 1; }
  sleep 1
done
echo "connected $TOTAL peers in $((SECONDS - t0)) s"
sleep 2
declare -A C0
for p in "${SPIDS[@]}" "$RPID"; do C0[$p]="$(cpu_ticks "$p")"; done
sleep "$WINDOW_S"
KEYS1="$(rcli dbsize)"; MEM1="$(redis_mem)"
printf '%-10s %12s %14s %16s\n' process rss_MiB cpu_s_per_s peers
sum_cpu=0
for i in $(seq 0 $((PROCS - 1))); do
  p="${SPIDS[$i]}"; c=$(( $(cpu_ticks "$p") - C0[$p] ))
  printf '%-10s %12.1f %14.4f %16s\n' "server$((i + 1))" "$(echo "$(rss_kb "$p") / 1024" | bc -l)" \
    "$(echo "$c / $TICK / $WINDOW_S" | bc -l)" "$PEERS_PER_PROC"
  sum_cpu=$((sum_cpu + c))
done
rc=$(( $(cpu_ticks "$RPID") - C0[$RPID] ))
echo "servers: CPU $(echo "$sum_cpu / $TICK / $WINDOW_S" | bc -l | xargs printf '%.4f') s/s in all at idle, $(echo "$sum_cpu / $TICK / $WINDOW_S / $TOTAL * 1000000" | bc -l | xargs printf '%.3f') us/s per peer"
echo "redis: used_memory $MEM0 -> $MEM1 B: $(echo "($MEM1 - $MEM0) / $TOTAL" | bc -l | xargs printf '%.1f') B per peer; keys $KEYS0 -> $KEYS1; CPU $(echo "$rc / $TICK / $WINDOW_S" | bc -l | xargs printf '%.4f') s/s"
for p in "${LPIDS[@]}"; do wait "$p" || { echo "a load generator failed:" >&2; cat "$TMP"/loadgen*.err >&2; exit 1; }; done
echo "load generators (RSS growth per peer per process, from VmRSS before and after the connects):"
cat "$TMP"/loadgen*.out | sed 's/^/  /'
sleep 3
KEYS2="$(rcli dbsize)"
echo "after every peer left: keys $KEYS2 (baseline $KEYS0)"
[[ "$KEYS2" == "$KEYS0" ]] || { echo "cluster idle bench: Redis keys did not return to the baseline" >&2; exit 1; }
