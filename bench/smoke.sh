#!/usr/bin/env bash
# One command that runs every benchmark harness with tiny sizes (< 60 s, plus ~40 s for the WAN lab's
# harness, which needs root for its network namespaces): it fails when a harness
# breaks (a server does not start, serves wrong bytes, a protocol adapter stops pairing or
# relaying, a bundle is missing) and asserts no timing.
#   bash bench/smoke.sh                     uses build/release
#   BUILD_DIR=build/asan bash bench/smoke.sh
# Needs: the server and bench_signal_loadgen built in BUILD_DIR, client/dist (npm run build),
# nginx, wrk, node; installs bench/anchors (npm ci --ignore-scripts) if missing.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build/release}"
[[ "$BUILD_DIR" = /* ]] || BUILD_DIR="$ROOT/$BUILD_DIR"
export CIRCLECDN="${CIRCLECDN:-$BUILD_DIR/server/circlecdn}"
export LOADGEN="${LOADGEN:-$BUILD_DIR/bench/signal/bench_signal_loadgen}"
export SMOKE=1
step() { printf '\n=== bench smoke: %s\n' "$*"; }
step "static origin vs nginx"
bash "$ROOT/bench/origin/run.sh"
step "script size"
bash "$ROOT/bench/size/run.sh"
step "signaling vs bittorrent-tracker and peer"
bash "$ROOT/bench/signal/run.sh"
step "flash crowd (2 Chromium visitors, 1 MiB)"; bash "$ROOT/bench/flash/run.sh" --smoke
step "browser to browser (CircleCDN vs WebTorrent, 2 Chromium visitors, 1 MiB)"; bash "$ROOT/bench/browser/run.sh" --smoke
step "across NATs (WAN lab cclb-, 2 Chromium visitors in two homes, the gallery; ~40 s, root)"; bash "$ROOT/bench/lab/run.sh" --smoke
step "ok"
