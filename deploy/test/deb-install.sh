#!/usr/bin/env bash
# The .deb on a fresh Debian 12, without a network: builds the package (release, `package`
# preset), installs it into a throwaway copy of this machine's root (an overlay over /, in new
# mount, PID and network namespaces, so the host is never touched), and checks what an install
# must do: files in place, the conffile, the service user, a unit systemd accepts. Then it starts
# the service the way the unit does (its ExecStart, as its User=) and asks it over HTTP, reloads
# it with SIGHUP, stops it with SIGTERM, and removes and purges the package.
# systemd itself does not run here (no PID 1 in this sandbox), so `systemctl start` is not
# exercised: the postinst's systemd branch is the stock debhelper one (docs/operations.md).
# Usage: bash deploy/test/deb-install.sh [PACKAGE.deb]   (needs root)
set -euo pipefail
cd "$(dirname "$0")/../.."

deb=${1:-}
if [[ -z $deb ]]; then
  cmake --preset package >/dev/null
  cmake --build --preset package
  (cd build/package && cpack -G DEB >/dev/null)
  deb=$(ls -t build/package/circlecdn_*.deb | head -n 1)
fi
deb=$(realpath "$deb")
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch"/{upper,work,root}

# Everything below runs in its own namespaces; the overlay vanishes with them.
unshare --mount --net --pid --fork --mount-proc bash -s "$deb" "$scratch" <<'INSIDE'
set -euo pipefail
deb=$1 scratch=$2 root=$2/root
fail() { echo "deb-install: FAIL: $*" >&2; exit 1; }
ok() { echo "deb-install: ok: $*"; }
mount --make-rprivate /
mount -t overlay overlay -o "lowerdir=/,upperdir=$scratch/upper,workdir=$scratch/work" "$root"
mount -t proc proc "$root/proc"
mount --rbind /dev "$root/dev"
mount -t tmpfs tmpfs "$root/tmp"
mount -t tmpfs tmpfs "$root/run"
ip link set lo up
in_root() { chroot "$root" "$@"; }
# A fresh machine has none of these; this one may (an earlier install by hand): start clean.
in_root dpkg -P circlecdn >/dev/null 2>&1 || true
in_root sh -c 'userdel circlecdn 2>/dev/null; rm -rf /var/www/circlecdn /var/lib/circlecdn /etc/circlecdn' || true

cp "$deb" "$root/tmp/circlecdn.deb"
in_root dpkg -i /tmp/circlecdn.deb
ok "dpkg -i $(basename "$deb")"

in_root test -x /usr/bin/circlecdn || fail "no /usr/bin/circlecdn"
in_root test -f /usr/share/man/man1/circlecdn.1 || fail "no man page"
in_root grep -q '^site = "/var/www/circlecdn"' /etc/circlecdn/circlecdn.toml || fail "config"
in_root dpkg-query --control-show circlecdn conffiles | grep -q /etc/circlecdn/circlecdn.toml ||
  fail "config is not a conffile"
in_root getent passwd circlecdn >/dev/null || fail "no circlecdn user"
[[ $(in_root stat -c %U /var/lib/circlecdn) == circlecdn ]] || fail "state dir owner"
in_root test -f /var/www/circlecdn/index.html || fail "no placeholder site"
unit=/usr/lib/systemd/system/circlecdn.service
in_root test -f "$unit" || fail "no unit"
if in_root sh -c 'command -v systemd-analyze' >/dev/null; then
  in_root systemd-analyze verify "$unit" || fail "systemd-analyze verify $unit"
  ok "systemd-analyze verify"
fi
ok "files, conffile, user, state dir, site, unit"

# Start it as the unit would.
exec_start=$(in_root sed -n 's/^ExecStart=//p' "$unit")
user=$(in_root sed -n 's/^User=//p' "$unit")
chroot "$root" setpriv --reuid="$user" --regid="$user" --init-groups $exec_start >"$scratch/out" 2>"$scratch/err" &
pid=$!
for _ in $(seq 100); do grep -q 'listening on' "$scratch/out" && break; sleep 0.1; done
grep -q 'listening on http://127.0.0.1:8080' "$scratch/out" || { cat "$scratch/err"; fail "service did not start"; }
[[ $(ps -o uid= -p "$pid" | tr -d ' ') == $(in_root id -u circlecdn) ]] ||
  fail "service does not run as circlecdn (uid $(ps -o uid= -p "$pid"))"
ok "$exec_start (as $user): $(cat "$scratch/out")"

get() { curl -fsS --max-time 5 "http://127.0.0.1:8080$1"; }
get / | grep -q 'circlecdn is running' || fail "GET / is not the placeholder page"
get /.circlecdn/manifest.json | grep -q '"/index.html"' || fail "manifest does not list /index.html"
get /.circlecdn/circlecdn.js | grep -q 'CircleCDN' || fail "the built-in library is not served"
ok "GET /, /.circlecdn/manifest.json and the built-in library (no --client-dir)"

kill -HUP "$pid"; sleep 0.5
kill -0 "$pid" 2>/dev/null || fail "SIGHUP killed the service"
get / >/dev/null || fail "no answer after SIGHUP"
ok "SIGHUP: still serving"
kill -TERM "$pid"
wait "$pid" && rc=0 || rc=$?
[[ $rc == 0 ]] || { cat "$scratch/err"; fail "SIGTERM: exit status $rc"; }
ok "SIGTERM: exit 0"

in_root dpkg -r circlecdn >/dev/null
in_root test ! -e /usr/bin/circlecdn || fail "binary left after remove"
in_root test -f /etc/circlecdn/circlecdn.toml || fail "remove deleted the conffile"
in_root dpkg -P circlecdn >/dev/null
in_root test ! -e /etc/circlecdn/circlecdn.toml || fail "purge left the conffile"
in_root test ! -e /var/lib/circlecdn || fail "purge left the state dir"
ok "remove keeps the config, purge removes it and the state"
INSIDE
echo "deb-install: passed"
