#!/usr/bin/env bash
# The README's test command (and all that .ci/run does): installs what is missing, builds, and runs
# every test: C++ unit and integration tests under ASan+UBSan, the fuzzers for a fixed number of
# runs, the browser library's unit tests, a smoke run of the benchmark harnesses, and the
# end-to-end tests in real browsers, the WAN lab's self-test and the end-to-end tests in the lab.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzz_runs=${CIRCLECDN_FUZZ_RUNS:-200000}

step() { printf '\n=== %s\n' "$*"; }

step "dependencies"
bash scripts/install-deps.sh

step "format check"
git ls-files '*.cpp' '*.hpp' | xargs clang-format --dry-run --Werror

step "browser library and dashboard: build (the server embeds them), type check, unit tests"
npm run --silent build
npm run --silent typecheck
npm test

step "C++ build (asan) and tests"
cmake --preset asan >/dev/null
cmake --build --preset asan
ctest --preset asan

step "fuzzers ($fuzz_runs runs each)"
bash scripts/fuzz.sh "$fuzz_runs"

step "package: the .deb builds, installs into a throwaway root, serves, reloads, stops, purges"
bash deploy/test/deb-install.sh

step "benchmark harnesses: smoke run with tiny sizes (no timing asserted)"
BUILD_DIR=build/asan bash bench/smoke.sh

step "end-to-end tests in real browsers"
CIRCLECDN_BIN=build/asan/server/circlecdn npm run --silent e2e

step "WAN lab self-test (network namespaces, NATs, coturn, browsers in homes)"
bash lab/test/selftest.sh

step "end-to-end tests in the WAN lab"
LAB_PREFIX=ccle- CIRCLECDN_BIN=build/asan/server/circlecdn node lab/e2e/run.mjs
