#!/usr/bin/env bash
# Where a static-origin request's time goes: circlecdn alone on one core under wrk on the other,
# with strace -c (syscalls per request) or perf record -g (samples), and the server's CPU per request.
#   bench/origin/profile.sh strace 1k      syscall counts for 1 KiB responses
#   bench/origin/profile.sh perf 100k      perf.data (in OUT_DIR) + the top symbols
#   bench/origin/profile.sh none 1k        CPU per request only
# Environment: CIRCLECDN (default build/release/server/circlecdn), DURATION (s, default 5),
#   COOKIE (default a returning visitor's; COOKIE= for first visits), OUT_DIR (default a temp dir).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
source "$ROOT/bench/support/wait-port.sh"
MODE="${1:-none}"; SIZE="${2:-1k}"
CIRCLECDN="${CIRCLECDN:-$ROOT/build/release/server/circlecdn}"
DURATION="${DURATION:-5}"
COOKIE="${COOKIE-circle_id=AAAAAAAAAAAAAAAAAAAAAA}"
case "$SIZE" in 1k) BYTES=1024 ;; 100k) BYTES=102400 ;; 50m) BYTES=52428800 ;; *) echo "size: 1k, 100k or 50m" >&2; exit 2 ;; esac
KEEP=1; [[ -z "${OUT_DIR:-}" && "$MODE" != perf ]] && KEEP=0  # perf.data is kept to be read
OUT_DIR="${OUT_DIR:-$(mktemp -d /tmp/circlecdn-profile.XXXXXX)}"
mkdir -p "$OUT_DIR/site"
head -c "$BYTES" /dev/urandom > "$OUT_DIR/site/$SIZE.bin"
ulimit -n 65536 2>/dev/null || true

taskset -c 0 "$CIRCLECDN" serve "$OUT_DIR/site" --listen 127.0.0.1:0 --log-level warn > "$OUT_DIR/server.out" 2>&1 &
SERVER=$!
cleanup() {
  kill "$SERVER" 2>/dev/null || true
  wait "$SERVER" 2>/dev/null || true
  [[ "$KEEP" == 1 ]] || rm -rf "$OUT_DIR"
}
trap cleanup EXIT
PORT="$(wait_port "$OUT_DIR/server.out" "$CIRCLECDN_LISTENING" "$SERVER")" ||
  { echo "profile: circlecdn did not start" >&2; cat "$OUT_DIR/server.out" >&2; exit 1; }
sleep 0.7  # the watcher's first rescan: from then on the open-file cache is used
curl -sf -o /dev/null "http://127.0.0.1:$PORT/$SIZE.bin"

conns=64; [[ "$SIZE" == 50m ]] && conns=4
hdr=(); [[ -n "$COOKIE" ]] && hdr=(-H "Cookie: $COOKIE")
cpu() { awk '{print $14+$15}' "/proc/$SERVER/stat"; }
TRACER=""
case "$MODE" in
  strace) strace -c -f -p "$SERVER" -o "$OUT_DIR/strace.txt" 2>/dev/null & TRACER=$! ;;
  perf) perf record -F 2000 -g -p "$SERVER" -o "$OUT_DIR/perf.data" -- sleep $((DURATION + 1)) >/dev/null 2>&1 & TRACER=$! ;;
  none) ;;
  *) echo "mode: strace, perf or none" >&2; exit 2 ;;
esac
sleep 0.3
t0="$(cpu)"
out="$(taskset -c 1 wrk -t1 -c"$conns" -d"${DURATION}s" "${hdr[@]}" "http://127.0.0.1:$PORT/$SIZE.bin")"
t1="$(cpu)"
if [[ -n "$TRACER" ]]; then
  [[ "$MODE" == strace ]] && kill -INT "$TRACER"
  wait "$TRACER" || true
fi
reqs="$(awk '/requests in/ {print $1}' <<<"$out")"
echo "$(grep 'Requests/sec' <<<"$out"); server CPU per request: $(awk -v a="$t0" -v b="$t1" -v r="$reqs" -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.2f us", (b-a)/hz*1e6/r}') ($reqs requests; $(uptime | sed 's/.*load/load/'))"
case "$MODE" in
  strace) awk -v r="$reqs" 'NR>2 && $NF!="total" && $4 ~ /^[0-9]+$/ {printf "%-16s %8.2f per request\n", $NF, $4/r}' "$OUT_DIR/strace.txt" | sort -k2 -gr | head -12 ;;
  perf) perf report -i "$OUT_DIR/perf.data" --no-children --sort dso --stdio -g none 2>/dev/null | grep '%' | head -5
        perf report -i "$OUT_DIR/perf.data" --no-children --sort symbol --stdio -g none 2>/dev/null | grep '%' | head -25 | cut -c1-140
        echo "perf data: $OUT_DIR/perf.data" ;;
esac
