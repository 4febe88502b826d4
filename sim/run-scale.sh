#!/usr/bin/env bash
# Reproduces docs/simulation.md: every strategy at 10 .. 1,000,000 peers on scenarios/scale.conf
# (one simulated hour each, wall time and max RSS per run), the flash crowd, the plots in
# docs/img/sim-*.png and the markdown tables. Takes ~10 minutes on an idle 2-core machine.
#   SIZES="10 1000" sim/run-scale.sh      # a quicker subset
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
build=${BUILD:-$root/build/sim-release}
out=${OUT:-$root/build/sim-out}
img=${IMG:-$root/docs/img}
sizes=${SIZES:-"10 100 1000 10000 100000 1000000"}
strategies="tracker ring chord"

cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
ninja -C "$build" circlecdn-sim >/dev/null
sim="$build/sim/circlecdn-sim"
mkdir -p "$out" "$img"
rm -f "$out/scale.csv" "$out/flash.csv" "$out/bench.txt"

for n in $sizes; do
  for s in $strategies; do
    # %e wall seconds, %U user seconds (one core), %M max RSS in KiB.
    /usr/bin/time -f "%e %U %M" -o "$out/time.txt" \
      "$sim" -s "$here/scenarios/scale.conf" --strategy "$s" --peers "$n" --csv "$out/scale.csv" -q \
      2>/dev/null
    read -r wall user rss <"$out/time.txt"
    printf '%s %s wall_s=%s user_s=%s max_rss_mib=%s\n' "$s" "$n" "$wall" "$user" \
      "$((rss / 1024))" | tee -a "$out/bench.txt"
  done
done

for s in $strategies; do
  "$sim" -s "$here/scenarios/flash.conf" --strategy "$s" --series "$out/flash-$s.csv" \
    --csv "$out/flash.csv" -q 2>/dev/null
done

plotdir="$here/plot"
for plot in offload time-to-resource server-load flash; do
  gnuplot -e "plotdir='$plotdir'; csv='$out/scale.csv'; dir='$out'; out='$img/sim-$plot.png'" "$here/plot/$plot.gp"
done

"$here/plot/tables.sh" "$out/scale.csv" >"$out/tables.md"
cat "$out/tables.md"
echo "outputs in $out, plots in $img"
