#!/usr/bin/env bash
# Static origin: circlecdn vs Debian's nginx on the same files, side by side.
#   bench/origin/run.sh                 full run (1 KiB, 100 KiB, 50 MiB; 3 runs of 5 s each)
#   RUNS=5 DURATION=10 bench/origin/run.sh
#   SMOKE=1 bench/origin/run.sh         tiny sizes, 1 s runs, 1 run: checks the harness, no timings asserted
# Environment: CIRCLECDN (server binary; default build/release/server/circlecdn), BASELINE (a
#   second circlecdn binary, e.g. the commit before a change, measured interleaved with the two
#   others as "baseline"),
#   SERVER_CPU / CLIENT_CPU (cores for the servers and for wrk; default 0 / 1),
#   CONNS_SMALL / CONNS_LARGE (wrk connections; default 64 / 4), OUT (results file).
# Each server gets one core (nginx: 1 worker, sendfile on; circlecdn: it runs one io thread per
# core it may use, so taskset limits it to that one core). wrk gets the other core.
# Prints one line per measurement and a table of medians with the ratio circlecdn/nginx.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
source "$ROOT/bench/support/wait-port.sh"
CIRCLECDN="${CIRCLECDN:-$ROOT/build/release/server/circlecdn}"
NGINX="${NGINX:-/usr/sbin/nginx}"
SERVER_CPU="${SERVER_CPU:-0}"
CLIENT_CPU="${CLIENT_CPU:-1}"
CONNS_SMALL="${CONNS_SMALL:-64}"
CONNS_LARGE="${CONNS_LARGE:-4}"
# a returning visitor's cookie (any well-formed id): without it every request is a new visitor and
# gets a fresh id + Set-Cookie; COOKIE= (empty) measures that case.
COOKIE="${COOKIE-circle_id=AAAAAAAAAAAAAAAAAAAAAA}"
# RANGE=1: every request asks for the whole file as a range (206 from both servers). circlecdn
# then sends it with its file_range_body (64 KiB preads) instead of Beast's file_body (4 KiB):
# what the 200 path would cost with that change, measured without changing the server.
RANGE="${RANGE:-0}"
if [[ "${SMOKE:-0}" == 1 ]]; then
  RUNS="${RUNS:-1}"; DURATION="${DURATION:-1}"
  SIZES="${SIZES:-1k:1024 100k:102400 big:1048576}"
else
  RUNS="${RUNS:-3}"; DURATION="${DURATION:-5}"
  SIZES="${SIZES:-1k:1024 100k:102400 50m:52428800}"
fi
for tool in "$CIRCLECDN" "$NGINX" wrk taskset node; do
  command -v "$tool" >/dev/null || { echo "origin bench: missing $tool" >&2; exit 2; }
done
[[ -d "$ROOT/client/dist" ]] || { echo "origin bench: client/dist missing (npm run build)" >&2; exit 2; }
ulimit -n 65536 2>/dev/null || true

TMP="$(mktemp -d /tmp/circlecdn-bench-origin.XXXXXX)"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$TMP"
}
trap cleanup EXIT

SITE="$TMP/site"
mkdir -p "$SITE" "$TMP/nginx/logs"
for s in $SIZES; do
  name="${s%%:*}"; bytes="${s##*:}"
  head -c "$bytes" /dev/urandom > "$SITE/$name.bin"
done

free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

# --- nginx: its own config, pid and logs in the temp dir --------------------------------------
# Debian's default nginx.conf settings (sendfile, tcp_nopush, keep-alive), one worker.
# NGINX_OPEN_FILE_CACHE=1 adds open_file_cache (off in Debian's default config).
OPEN_FILE_CACHE=""
[[ "${NGINX_OPEN_FILE_CACHE:-0}" == 1 ]] && OPEN_FILE_CACHE="open_file_cache max=1000 inactive=60s;"
NPORT="$(free_port)"
cat > "$TMP/nginx/nginx.conf" <<CONF
user root;
worker_processes 1;
daemon off;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  tcp_nodelay on;
  keepalive_timeout 65;
  keepalive_requests 1000000;
  $OPEN_FILE_CACHE
  default_type application/octet-stream;
  client_body_temp_path $TMP/nginx/body;
  proxy_temp_path $TMP/nginx/proxy;
  fastcgi_temp_path $TMP/nginx/fastcgi;
  uwsgi_temp_path $TMP/nginx/uwsgi;
  scgi_temp_path $TMP/nginx/scgi;
  server {
    listen 127.0.0.1:$NPORT;
    root $SITE;
  }
}
CONF
taskset -c "$SERVER_CPU" "$NGINX" -p "$TMP/nginx" -c "$TMP/nginx/nginx.conf" &
NMASTER=$!
PIDS+=($NMASTER)

# --- circlecdn ------------------------------------------------------------------------------------
taskset -c "$SERVER_CPU" "$CIRCLECDN" serve "$SITE" --listen 127.0.0.1:0 \
  --client-dir "$ROOT/client/dist" --log-level warn > "$TMP/circlecdn.out" 2>&1 &
CPID=$!
PIDS+=($CPID)
CPORT="$(wait_port "$TMP/circlecdn.out" "$CIRCLECDN_LISTENING" "$CPID")" ||
  { echo "origin bench: circlecdn did not start" >&2; cat "$TMP/circlecdn.out" >&2; exit 1; }
SERVERS="nginx circlecdn"
if [[ -n "${BASELINE:-}" ]]; then
  taskset -c "$SERVER_CPU" "$BASELINE" serve "$SITE" --listen 127.0.0.1:0 \
    --client-dir "$ROOT/client/dist" --log-level warn > "$TMP/baseline.out" 2>&1 &
  BPID=$!
  PIDS+=($BPID)
  BPORT="$(wait_port "$TMP/baseline.out" "$CIRCLECDN_LISTENING" "$BPID")" ||
    { echo "origin bench: baseline did not start" >&2; cat "$TMP/baseline.out" >&2; exit 1; }
  SERVERS="nginx circlecdn baseline"
fi

# both must serve the same bytes
for s in $SIZES; do
  name="${s%%:*}"
  for port in "$NPORT" "$CPORT" ${BPORT:-}; do
    ok=0
    for _ in $(seq 1 50); do
      if curl -sf -o "$TMP/check.bin" "http://127.0.0.1:$port/$name.bin" && cmp -s "$TMP/check.bin" "$SITE/$name.bin"; then ok=1; break; fi
      sleep 0.1
    done
    [[ $ok == 1 ]] || { echo "origin bench: port $port did not serve $name.bin correctly" >&2; exit 1; }
  done
done
rm -f "$TMP/check.bin"
NWORKER="$(pgrep -P "$NMASTER" | head -1)"
[[ -n "$NWORKER" ]] || { echo "origin bench: no nginx worker" >&2; exit 1; }

# wrk prints "Requests/sec: N" and "Transfer/sec: N.NNMB"; we record both, as numbers
# CPU seconds (user+system, all threads) a process has used: robust against a shared machine,
# where throughput depends on what else runs on the server's core.
cpu_ticks() { awk '{print $14+$15}' "/proc/$1/stat"; }
measure() { # port file conns pid bytes -> "reqs_per_s MiB_per_s server_cpu_us_per_request"
  local port="$1" file="$2" conns="$3" pid="$4" bytes="$5" out hdr=() t0 t1
  [[ -n "$COOKIE" ]] && hdr=(-H "Cookie: $COOKIE")
  [[ "$RANGE" == 1 ]] && hdr+=(-H "Range: bytes=0-$((bytes - 1))")
  t0="$(cpu_ticks "$pid")"
  out="$(taskset -c "$CLIENT_CPU" wrk -t1 -c"$conns" -d"${DURATION}s" "${hdr[@]}" "http://127.0.0.1:$port/$file" 2>&1)"
  t1="$(cpu_ticks "$pid")"
  if grep -q "Non-2xx\|Socket errors" <<<"$out"; then echo "origin bench: errors from $port/$file:" >&2; echo "$out" >&2; fi
  local rps tps
  rps="$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")"
  tps="$(awk '/^Transfer\/sec:/ {v=$2; u=v; gsub(/[0-9.]/,"",u); gsub(/[A-Za-z]/,"",v);
        if (u=="GB") v*=1024; else if (u=="KB") v/=1024; else if (u=="B") v/=1048576; print v}' <<<"$out")"
  [[ -n "$rps" && -n "$tps" ]] || { echo "origin bench: wrk failed on $port/$file:" >&2; echo "$out" >&2; return 1; }
  local reqs
  reqs="$(awk '/requests in/ {print $1}' <<<"$out")"
  echo "$rps $tps $(awk -v a="$t0" -v b="$t1" -v r="$reqs" -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.2f", (b-a)/hz*1e6/r}')"
}
median() { sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

OUT="${OUT:-$TMP/results.txt}"
: > "$OUT"
echo "# $(date -u +%FT%TZ) $(nproc) cores, $(uname -r), $("$NGINX" -v 2>&1 | sed 's/.*: //'); servers on cpu $SERVER_CPU, wrk on cpu $CLIENT_CPU; ${RUNS}x${DURATION}s; cookie: ${COOKIE:-none}; nginx open_file_cache: ${NGINX_OPEN_FILE_CACHE:-0}; whole-file range requests: $RANGE"
for s in $SIZES; do
  name="${s%%:*}"; bytes="${s##*:}"
  conns="$CONNS_SMALL"; [[ "$bytes" -gt 1048576 ]] && conns="$CONNS_LARGE"
  for r in $(seq 1 "$RUNS"); do
    # rotate the order so drift on a shared machine hits every server alike
    read -r -a list <<<"$SERVERS"
    order=""
    for k in "${!list[@]}"; do order+="${list[$(( (k + r) % ${#list[@]} ))]} "; done
    for server in $order; do
      port="$NPORT"; pid="$NWORKER"
      [[ "$server" == circlecdn ]] && { port="$CPORT"; pid="$CPID"; }
      [[ "$server" == baseline ]] && { port="$BPORT"; pid="$BPID"; }
      read -r rps mbs cpu < <(measure "$port" "$name.bin" "$conns" "$pid" "$bytes")
      echo "$name $server run$r req/s=$rps MiB/s=$mbs server_cpu_us/req=$cpu"
      echo "$name $server $rps $mbs $cpu" >> "$OUT"
    done
  done
done

echo
echo "medians; ratio = circlecdn/nginx throughput (>= 1.0 is the target); cpu = server CPU microseconds per request"
printf '%-6s %12s %12s %10s %10s %7s %10s %10s %9s\n' size nginx_req/s circ_req/s nginx_MiB/s circ_MiB/s ratio nginx_cpu circ_cpu cpu_ratio
for s in $SIZES; do
  name="${s%%:*}"
  nr="$(awk -v n="$name" '$1==n && $2=="nginx" {print $3}' "$OUT" | median)"
  cr="$(awk -v n="$name" '$1==n && $2=="circlecdn" {print $3}' "$OUT" | median)"
  nm="$(awk -v n="$name" '$1==n && $2=="nginx" {print $4}' "$OUT" | median)"
  cm="$(awk -v n="$name" '$1==n && $2=="circlecdn" {print $4}' "$OUT" | median)"
  nc="$(awk -v n="$name" '$1==n && $2=="nginx" {print $5}' "$OUT" | median)"
  cc="$(awk -v n="$name" '$1==n && $2=="circlecdn" {print $5}' "$OUT" | median)"
  ratio="$(awk -v a="$cr" -v b="$nr" 'BEGIN {printf "%.2f", a/b}')"
  cratio="$(awk -v a="$cc" -v b="$nc" 'BEGIN {if (b>0) printf "%.2f", a/b; else print "-"}')"
  printf '%-6s %12.0f %12.0f %10.1f %10.1f %7s %10s %10s %9s\n' "$name" "$nr" "$cr" "$nm" "$cm" "$ratio" "$nc" "$cc" "$cratio"
done
if [[ -n "${BASELINE:-}" ]]; then
  echo
  echo "baseline ($BASELINE), same runs: ratio = baseline/nginx throughput; cpu = baseline CPU us per request"
  for s in $SIZES; do
    name="${s%%:*}"
    nr="$(awk -v n="$name" '$1==n && $2=="nginx" {print $3}' "$OUT" | median)"
    br="$(awk -v n="$name" '$1==n && $2=="baseline" {print $3}' "$OUT" | median)"
    bm="$(awk -v n="$name" '$1==n && $2=="baseline" {print $4}' "$OUT" | median)"
    bc="$(awk -v n="$name" '$1==n && $2=="baseline" {print $5}' "$OUT" | median)"
    printf '%-6s baseline_req/s=%.0f MiB/s=%.1f ratio=%s cpu=%s\n' "$name" "$br" "$bm" "$(awk -v a="$br" -v b="$nr" 'BEGIN {printf "%.2f", a/b}')" "$bc"
  done
fi
# the servers must still be alive at the end (a crash under load is a harness failure)
for p in "${PIDS[@]}"; do kill -0 "$p" 2>/dev/null || { echo "origin bench: a server died" >&2; exit 1; }; done
