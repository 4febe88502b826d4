#!/usr/bin/env bash
# Runs every libFuzzer target (server/fuzz) for RUNS executions each, and prints per target the
# executions done, the time, and the corpus size at the end. The test command uses a short run;
# `bash scripts/fuzz.sh 10000000` is the deep run recorded in docs/security.md.
#   bash scripts/fuzz.sh [RUNS] [TARGET...]      (default 200000, every target)
# New inputs go to build/fuzz/corpus/<name> (kept between runs, never committed); the committed
# seeds in server/fuzz/corpus/<name> are only read.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-200000}
shift || true
targets=("$@")
((${#targets[@]})) || targets=(fuzz_target_normaliser fuzz_signal_message fuzz_ws_frames fuzz_tokens
  fuzz_ice_url fuzz_forwarded fuzz_config_file)

cmake --preset fuzz >/dev/null
cmake --build --preset fuzz
printf '%-24s %12s %10s %14s\n' target executions seconds corpus-files
for target in "${targets[@]}"; do
  name=${target#fuzz_}
  name=${name#target_}
  seeds=server/fuzz/corpus/$name
  work=build/fuzz/corpus/$name
  mkdir -p "$work"
  log=build/fuzz/$target.log
  target_runs=$runs
  # The config reader writes a file per input and CLI11 throws on most of them (~2,000 inputs/s
  # under ASan, a tenth of the others): in short runs (below 10^6) it gets a tenth of the count,
  # which keeps the test command's step short; deep runs give it the full count.
  [[ $target == fuzz_config_file ]] && ((runs < 1000000)) && target_runs=$((runs / 10))
  if ! "build/fuzz/server/fuzz/$target" -runs="$target_runs" -print_final_stats=1 "$work" "$seeds" >"$log" 2>&1; then
    tail -n 40 "$log" >&2
    echo "fuzz: $target failed (log: $log)" >&2
    exit 1
  fi
  done_line=$(grep -E '^Done [0-9]+ runs' "$log" | tail -n 1)
  execs=$(awk '{print $2}' <<<"$done_line")
  secs=$(awk '{print $5}' <<<"$done_line")
  printf '%-24s %12s %10s %14s\n' "$target" "$execs" "$secs" "$(find "$work" -type f | wc -l)"
done
