#!/usr/bin/env bash
# Markdown tables (one per strategy) from the summary CSV that run-scale.sh writes.
set -euo pipefail
csv=$1
for s in tracker ring chord; do
  echo
  echo "**$s**"
  echo
  echo "| peers | offload (limit) | hops p50 / p99 | lookup ms p50 / p99 | time to resource ms p50 / p99 | server msgs / request | server msgs / s | connections / peer mean / p99 | failed lookups (churn) | origin Mbit/s mean / peak |"
  echo "| ---: | --- | --- | --- | --- | ---: | ---: | --- | ---: | --- |"
  awk -F, -v s="$s" '
    function num(v) { return v < 10 ? sprintf("%.2f", v) : sprintf("%.0f", v) }
    NR > 1 && $2 == s {
      printf "| %d | %.3f (%.3f) | %g / %g | %.0f / %.0f | %.0f / %.0f | %.1f | %s | %.1f / %g | %.2f%% | %s / %s |\n",
        $3, $10, $11, $17, $18, $19, $20, $21, $22, $23, num($24), $27, $28, 100 * $14, num($29), num($30) }' "$csv"
done
