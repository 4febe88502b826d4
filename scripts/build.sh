#!/usr/bin/env bash
# Builds the C++ tree with one CMake preset (default: release) and the browser library.
set -euo pipefail
cd "$(dirname "$0")/.."
preset=${1:-release}
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset"
npm run --silent build
