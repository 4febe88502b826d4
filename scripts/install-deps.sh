#!/usr/bin/env bash
# Installs what is missing for building, testing and running CircleCDN on Debian 12 (as root):
# the apt packages in scripts/apt-packages.txt and the npm packages pinned by package-lock.json.
# Idempotent: with everything present it does nothing but check.
set -euo pipefail
cd "$(dirname "$0")/.."

mapfile -t wanted < <(grep -v '^\s*#' scripts/apt-packages.txt | sed '/^\s*$/d')
missing=()
for pkg in "${wanted[@]}"; do
  if [[ $pkg == nodejs || $pkg == npm ]] && command -v node >/dev/null && command -v npm >/dev/null; then
    continue  # a newer Node.js (e.g. from NodeSource) already provides these
  fi
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  echo "install-deps: apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

node_major=$(node -p 'process.versions.node.split(".")[0]')
if ((node_major < 20)); then
  echo "install-deps: Node.js >= 20 is needed (found $(node --version))" >&2
  exit 1
fi

# npm packages from the lockfile; never a browser download (the tests use Debian's browsers).
# A node_modules that is a symlink belongs to another checkout (a worktree sharing the main one's):
# npm ci would empty the directory it points to, so it is left alone.
stamp=node_modules/.circlecdn-lock
if [[ -L node_modules ]]; then
  echo "install-deps: node_modules is a symlink to $(readlink node_modules): npm ci skipped"
elif [[ ! -f $stamp ]] || ! cmp -s package-lock.json "$stamp"; then
  PUPPETEER_SKIP_DOWNLOAD=1 PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund
  cp package-lock.json "$stamp"
fi
