#!/usr/bin/env bash
# Builds the browser library and dashboard (the server embeds them, so they come first), then the
# C++ tree with one CMake preset (default: release).
# Further arguments are CMake targets (default: all), e.g. `scripts/build.sh release circlecdn`.
set -euo pipefail
cd "$(dirname "$0")/.."
preset=${1:-release}
shift || true
npm run --silent build
cmake --preset "$preset" >/dev/null
if (($#)); then cmake --build --preset "$preset" --target "$@"; else cmake --build --preset "$preset"; fi
