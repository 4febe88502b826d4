#!/usr/bin/env bash
# Restart time of a large site: how long `circlecdn serve` takes to listen, and until its manifest
# lists every file, without the hash cache (--hash-cache none: every byte hashed before listening)
# and with it (a restart after a first start wrote the cache), then after touching a few files.
#   bench/restart/run.sh                  10 GiB: 160 files of 64 MiB and 4,000 of 64 KiB
#   SIZE_GIB=1 bench/restart/run.sh       a smaller site
#   SMOKE=1 bench/restart/run.sh          64 MiB: checks the harness, no timings asserted
# Environment: CIRCLECDN (server binary; default build/release/server/circlecdn), DIR (where the
# site goes; default a temp dir under /tmp; it is deleted at the end). The files are real data
# from a fast PRNG (sparse or zero files would not measure hashing), written once per run.
# Drops nothing from the page cache (that needs root and hurts the other users of a shared
# machine): the "before" figure is the warm one, where hashing is CPU-bound; cold is slower.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
source "$ROOT/bench/support/wait-port.sh"
CIRCLECDN="${CIRCLECDN:-$ROOT/build/release/server/circlecdn}"
SIZE_GIB="${SIZE_GIB:-10}"
[[ "${SMOKE:-0}" == 1 ]] && SIZE_GIB=0.0625
for tool in "$CIRCLECDN" python3 curl; do
  command -v "$tool" >/dev/null || { echo "restart bench: missing $tool" >&2; exit 2; }
done

TMP="$(mktemp -d "${DIR:-/tmp}/circlecdn-bench-restart.XXXXXX")"
PID=""
cleanup() {
  [[ -n "$PID" ]] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
  rm -rf "$TMP"
}
trap cleanup EXIT
SITE="$TMP/site"
CACHE="$TMP/state/hashes.bin"
mkdir -p "$SITE" "$TMP/state"

echo "# $(date -u +%FT%TZ) $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); site ${SIZE_GIB} GiB"
t0=$(date +%s.%N)
python3 - "$SITE" "$SIZE_GIB" <<'PY'
import os, random, sys
site, gib = sys.argv[1], float(sys.argv[2])
total = int(gib * (1 << 30))
small, big = 64 * 1024, 64 << 20
n_small = min(4000, max(1, total // 40 // small))  # 2.5% of the bytes in small files
rng = random.Random(7)
left = total
for i in range(n_small):
    d = os.path.join(site, "s%02d" % (i % 40))
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "f%05d.txt" % i), "wb") as f:
        f.write(rng.randbytes(small))
    left -= small
i = 0
while left > 0:
    n = min(big, left)
    with open(os.path.join(site, "big%04d.bin" % i), "wb") as f:
        for _ in range(0, n, 1 << 22):
            f.write(rng.randbytes(min(1 << 22, n)))
    left -= n
    i += 1
PY
FILES="$(find "$SITE" -type f | wc -l)"
echo "generated $FILES files, $(du -sh "$SITE" | cut -f1) in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b-a}') s"

# Starts the server, prints "listen_s complete_s"; complete = the manifest lists every file.
start() {
  local out="$TMP/out.txt" port t_start t_listen t_done
  t_start=$(date +%s.%N)
  "$CIRCLECDN" serve "$SITE" --listen 127.0.0.1:0 --log-level info "$@" > "$out" 2>&1 &
  PID=$!
  for _ in $(seq 1 6000); do
    port="$(sed -n "$CIRCLECDN_LISTENING" "$out" | head -1)"
    [[ -n "$port" ]] && break
    kill -0 "$PID" 2>/dev/null || { echo "restart bench: server exited" >&2; cat "$out" >&2; exit 1; }
    sleep 0.05
  done
  t_listen=$(date +%s.%N)
  for _ in $(seq 1 60000); do
    n="$(curl -sf "http://127.0.0.1:$port/.circlecdn/manifest.json" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["files"]))' || echo 0)"
    [[ "$n" == "$FILES" ]] && break
    sleep 0.05
  done
  t_done=$(date +%s.%N)
  kill "$PID"; wait "$PID" 2>/dev/null || true; PID=""
  grep -h "manifest:" "$out" | sed 's/^/    log: /' >&2
  awk -v a="$t_start" -v b="$t_listen" -v c="$t_done" 'BEGIN {printf "%.2f %.2f\n", b-a, c-a}'
}

report() { # label "listen complete"
  read -r l c <<<"$2"
  printf '%-34s listening after %7.2f s, manifest complete after %7.2f s  (load %s)\n' "$1" "$l" "$c" "$(cut -d' ' -f1-3 /proc/loadavg)"
}
report "before: --hash-cache none" "$(start --hash-cache none)"
report "first start with --hash-cache" "$(start --hash-cache "$CACHE")"
report "restart, cache warm" "$(start --hash-cache "$CACHE")"
# Rewrite three small files and one 64 MiB file (new bytes): they alone are hashed, after listening.
python3 - "$SITE" <<'PY'
import os, random, sys
site = sys.argv[1]
rng = random.Random(8)
small = sorted(os.path.join(r, f) for r, _, fs in os.walk(site) for f in fs if f.endswith(".txt"))[:3]
big = sorted(os.path.join(site, f) for f in os.listdir(site) if f.endswith(".bin"))[:1]
for p in small + big:
    size = os.path.getsize(p)
    with open(p, "wb") as f:
        f.write(rng.randbytes(size))
PY
report "restart, 4 files changed" "$(start --hash-cache "$CACHE")"
echo "hash cache file: $(stat -c %s "$CACHE") bytes"
