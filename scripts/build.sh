#!/usr/bin/env bash
# Builds the C++ tree with one CMake preset (default: release) and the browser library.
# Further arguments are CMake targets (default: all), e.g. `scripts/build.sh release circlecdn`.
set -euo pipefail
cd "$(dirname "$0")/.."
preset=${1:-release}
shift || true
cmake --preset "$preset" >/dev/null
if (($#)); then cmake --build --preset "$preset" --target "$@"; else cmake --build --preset "$preset"; fi
npm run --silent build
