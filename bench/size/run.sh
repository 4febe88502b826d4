#!/usr/bin/env bash
# Script size: what a page downloads to join the crowd, CircleCDN beside the alternatives.
#   bench/size/run.sh          (needs client/dist: npm run build; installs bench/anchors if missing)
# gzip -9 of each file as shipped, and of the same file re-minified by esbuild (one minifier for
# all, so the comparison is not about who minified better).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
A="$ROOT/bench/anchors/node_modules"
bash "$ROOT/bench/anchors/install.sh"
ESBUILD="$ROOT/node_modules/.bin/esbuild"
[[ -x "$ESBUILD" ]] || { echo "size bench: esbuild missing (npm ci at the repo root)" >&2; exit 2; }
TMP="$(mktemp -d)"; trap 'rm -rf "$TMP"' EXIT

files=(
  "circlecdn (ESM)|$ROOT/client/dist/circlecdn.js"
  "circlecdn (IIFE)|$ROOT/client/dist/circlecdn.iife.js"
  "circlecdn chunk crowd|$ROOT/client/dist/circlecdn-crowd.js"
  "circlecdn chunk dom|$ROOT/client/dist/circlecdn-dom.js"
  "circlecdn chunk sw|$ROOT/client/dist/circlecdn-sw.js"
  "circlecdn sw.js|$ROOT/client/dist/sw.js"
  "circlecdn sw-off.js|$ROOT/client/dist/sw-off.js"
  "webtorrent $(node -p "require('$A/webtorrent/package.json').version")|$A/webtorrent/dist/webtorrent.min.js"
  "peerjs $(node -p "require('$A/peerjs/package.json').version")|$A/peerjs/dist/peerjs.min.js"
  "p2p-media-loader-core $(node -p "require('$A/p2p-media-loader-core/package.json').version")|$A/p2p-media-loader-core/dist/p2p-media-loader-core.es.min.js"
)
gz() { gzip -9 -c "$1" | wc -c; }
printf '%-30s %10s %10s %12s %12s\n' bundle bytes gzip-9 esbuild-min min+gzip-9
declare -A G
for entry in "${files[@]}"; do
  name="${entry%%|*}"; f="${entry##*|}"
  [[ -s "$f" ]] || { echo "size bench: missing $f" >&2; exit 1; }
  "$ESBUILD" "$f" --minify --log-level=error > "$TMP/min.js"
  raw=$(wc -c < "$f"); g=$(gz "$f"); m=$(wc -c < "$TMP/min.js"); mg=$(gz "$TMP/min.js")
  G["$name"]=$g
  printf '%-30s %10d %10d %12d %12d\n' "$name" "$raw" "$g" "$m" "$mg"
done
core="${G[circlecdn (ESM)]}"
# What a page that joins the crowd downloads (the core and the crowd chunk; declarative mode or
# the service worker's page side add a chunk each): the figure compared with the alternatives.
c=$((core + ${G[circlecdn chunk crowd]}))
echo
for name in "${!G[@]}"; do
  [[ "$name" == circlecdn* ]] && continue
  awk -v n="$name" -v a="$c" -v b="${G[$name]}" 'BEGIN {printf "circlecdn (core + crowd) / %-26s %.3f  (1/%.1f)\n", n, a/b, b/a}'
done | sort
wt="$(for k in "${!G[@]}"; do if [[ $k == webtorrent* ]]; then echo "${G[$k]}"; fi; done)"
pj="$(for k in "${!G[@]}"; do if [[ $k == peerjs* ]]; then echo "${G[$k]}"; fi; done)"
echo "targets:"
awk -v a="$core" 'BEGIN {printf "  core <= 8 KiB gzip (issue 12): %d B = %.2f KiB -> %s\n", a, a/1024, (a<=8192?"met":"NOT met")}'
awk -v a="$c" 'BEGIN {printf "  core + crowd <= 9 KiB gzip (issue 10): %d B = %.2f KiB -> %s\n", a, a/1024, (a<=9216?"met":"NOT met")}'
w="${G[circlecdn sw.js]}"
awk -v a="$w" 'BEGIN {printf "  service worker <= 4 KiB gzip (issue 12): %d B = %.2f KiB -> %s\n", a, a/1024, (a<=4096?"met":"NOT met")}'
awk -v a="$c" -v b="$wt" 'BEGIN {printf "  <= 1/8 of WebTorrent:     limit %.0f B -> %s\n", b/8, (a<=b/8?"met":"NOT met")}'
awk -v a="$c" -v b="$pj" 'BEGIN {printf "  <  1/2 of PeerJS:         limit %.0f B -> %s\n", b/2, (a<b/2?"met":"NOT met")}'
