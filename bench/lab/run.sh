#!/usr/bin/env bash
# Across NATs: the demo gallery in Chromium visitors behind the WAN lab's NATs, CircleCDN vs the
# plain origin. All options: see bench/lab/run.mjs. Needs root (the lab: network namespaces).
# Respects CIRCLECDN_BIN / CIRCLECDN / BUILD_DIR and LAB_PREFIX (default cclb-).
#   bash bench/lab/run.sh                 8 visitors; steady, flash and failfast, 3 runs each, PNGs
#   bash bench/lab/run.sh --smoke         2 visitors, steady, one run of each mode (~40 s)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
exec node "$ROOT/bench/lab/run.mjs" "$@"
