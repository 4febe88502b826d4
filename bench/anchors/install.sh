#!/usr/bin/env bash
# Installs the systems the benchmarks compare against (pinned by bench/anchors/package-lock.json)
# into bench/anchors/node_modules; does nothing when they are there. --ignore-scripts:
# node-datachannel's install script downloads a prebuilt binary from GitHub and ip-set's insists on
# pnpm; neither is needed here (we run the trackers' servers and read the browser bundles, never a
# Node WebRTC client).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
for pkg in bittorrent-tracker peer webtorrent peerjs p2p-media-loader-core; do
  [[ -f node_modules/$pkg/package.json ]] || {
    PUPPETEER_SKIP_DOWNLOAD=1 npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >&2
    exit 0
  }
done
