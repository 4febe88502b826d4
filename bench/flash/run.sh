#!/usr/bin/env bash
# Flash crowd benchmark: N Chromium visitors at one large file, origin capped; crowd vs origin only.
# All options: see bench/flash/run.mjs (flags and FLASH_* env). Respects CIRCLECDN_BIN / CIRCLECDN / BUILD_DIR.
#   bash bench/flash/run.sh                 8 visitors, 10 MiB, 2 MiB/s cap, 3 runs of each mode, PNG
#   bash bench/flash/run.sh --smoke         2 visitors, 1 MiB, one run of each mode (< 60 s)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
exec node "$ROOT/bench/flash/run.mjs" "$@"
