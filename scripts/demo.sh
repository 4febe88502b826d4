#!/usr/bin/env bash
# The README's run command: installs what is missing, builds, generates the demo gallery and serves
# it with peers working. Open http://127.0.0.1:8080/ in two browser windows (or two browsers).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh release circlecdn
node scripts/gen-demo-site.mjs
listen=${CIRCLECDN_LISTEN:-127.0.0.1:8080}
exec build/release/server/circlecdn serve examples/site --listen "$listen" "$@"  # the library is built in
