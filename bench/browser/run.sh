#!/usr/bin/env bash
# Browser to browser: one resource from visitor A to visitor B (two Chromium processes), CircleCDN vs
# WebTorrent. All options: see bench/browser/run.mjs (flags and B2B_* env). Respects CIRCLECDN_BIN /
# CIRCLECDN / BUILD_DIR.
#   bash bench/browser/run.sh               1, 10 and 50 MiB; 3 runs each (5 at 10 MiB), systems alternating
#   bash bench/browser/run.sh --smoke       1 MiB, one run of each system (< 30 s)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
exec node "$ROOT/bench/browser/run.mjs" "$@"
