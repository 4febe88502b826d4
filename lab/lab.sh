#!/usr/bin/env bash
# CircleCDN's WAN lab: a small internet on this machine, made of network namespaces (lab/README.md).
#   public segment  <prefix>pub     bridge with 198.51.100.1/24 and 203.0.113.1/24, coturn on both IPs
#   origin          <prefix>origin  203.0.113.10 (LAB_SERVER_IP), its uplink rate-limited
#   homes           <prefix>hN      10.0.N.2 behind router <prefix>rN (198.51.100.(10+N)), one NAT kind
#                                   each, with delay/jitter/loss (nfqdelay + iptables) and rates (tbf)
# Usage: lab.sh up [--homes N] [--kinds "K ..."] [--origin-rate RATE] | down | env | status
#        lab.sh exec NAME -- CMD...          NAME: hN, rN, pub or origin
#        lab.sh shape hN [rtt MS] [delay MS] [jitter MS] [loss PCT] [up RATE] [down RATE]
#        lab.sh shape origin rate RATE       RATE: e.g. 10mbit, 100mbit, or off
#        lab.sh services start|stop          coturn only (the circlecdn server is the tests' to start)
# Environment: LAB_PREFIX (namespace prefix, default ccl-), LAB_RUN (run folder), LAB_HOMES_N,
# LAB_KINDS, LAB_ORIGIN_RATE, LAB_RTT_MIN/LAB_RTT_MAX, LAB_JITTER, LAB_LOSS, LAB_UP, LAB_DOWN,
# LAB_TURN_SECRET, LAB_TBF_QUEUE_MS (tbf queue, default 200).
set -Eeuo pipefail

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PREFIX=${LAB_PREFIX:-ccl-}
RUN=${LAB_RUN:-$LAB_DIR/run/${PREFIX%-}}

# Addresses: documentation prefixes only, and they exist only inside the lab's namespaces.
PUB_A=198.51.100.1  # coturn, the routers' gateway
PUB_B=203.0.113.1   # coturn's second IP (RFC 5780), the origin's gateway
SERVER_IP=203.0.113.10
SERVER_NAME=lab.test
STUN_PORT=3478
REALM=lab.test
NS_PUB=${PREFIX}pub
NS_ORIGIN=${PREFIX}origin

# Defaults (issue 10): homes 20-80 ms RTT spread across homes, 0.5 % loss, 10/50 Mbit/s.
DEFAULT_KINDS="port-restricted port-restricted symmetric symmetric full-cone full-cone port-restricted symmetric"
TBF_LATENCY=${LAB_TBF_QUEUE_MS:-200}ms  # tbf queue in time: above a home's largest bandwidth-delay product (lab/README.md)
COTURN_READY_MS=10000
KILL_GRACE_MS=3000

log() { printf 'lab: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

[[ $PREFIX =~ ^[a-z][a-z0-9]{0,7}-$ ]] || die "LAB_PREFIX must look like 'ccl-' (a-z0-9, ends with -)"

router_ns() { echo "${PREFIX}r$1"; }
home_ns() { echo "${PREFIX}h$1"; }
router_wan_ip() { echo "198.51.100.$((10 + $1))"; }
home_ip() { echo "10.0.$1.2"; }
home_gw() { echo "10.0.$1.1"; }
in_ns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }
ns_exists() { [[ -e /run/netns/$1 ]]; }

# ---------------------------------------------------------------- state in $RUN
load_state() {
  [[ -f $RUN/state ]] || return 1
  # shellcheck disable=SC1091
  source "$RUN/state"
}

save_state() {
  printf 'NHOMES=%q\nKINDS=(%s)\nORIGIN_RATE=%q\nTURN_SECRET=%q\n' "$NHOMES" "${KINDS[*]}" "$ORIGIN_RATE" \
    "$TURN_SECRET" >"$RUN/state"
}

lab_namespaces() { # every namespace this lab made or would make
  local i list="$NS_PUB $NS_ORIGIN"
  for ((i = 1; i <= NHOMES; i++)); do list+=" $(router_ns "$i") $(home_ns "$i")"; done
  echo "$list"
}

# Namespaces with our prefix and our naming pattern: found even when $RUN/state is gone (a crash).
stray_namespaces() {
  ip netns list 2>/dev/null | awk '{print $1}' | grep -E "^${PREFIX}(pub|origin|r[0-9]+|h[0-9]+)$" || true
}

# ---------------------------------------------------------------- processes (PID + start time)
# start time of a live process (empty for a zombie: its parent may be slow to reap it)
proc_start() { awk '$3 != "Z" { print $22 }' "/proc/$1/stat" 2>/dev/null || true; }

# spawn NAME NS CMD...: runs CMD in namespace NS in its own session, logs to $RUN/logs/NAME.log,
# and records "pid starttime" in $RUN/pids/NAME.pid so that `down` kills exactly this process.
spawn() {
  local name=$1 ns=$2; shift 2
  local pidf=$RUN/pids/$name.pid
  rm -f "$pidf.tmp"
  # 9>&-: the daemon must not inherit the lab's lock (it would hold it for its whole life)
  setsid bash -c 'echo $$ > "$0"; exec ip netns exec "$@"' "$pidf.tmp" "$ns" "$@" \
    </dev/null >>"$RUN/logs/$name.log" 2>&1 9>&- &
  local i
  for ((i = 0; i < 100; i++)); do [[ -s $pidf.tmp ]] && break; sleep 0.02; done
  local pid
  pid=$(cat "$pidf.tmp" 2>/dev/null) || die "$name did not start"
  rm -f "$pidf.tmp"
  echo "$pid $(proc_start "$pid")" >"$pidf"
}

pid_alive() { # pid file -> 0 if that very process still runs
  local pid start
  [[ -f $1 ]] && read -r pid start <"$1" || return 1
  [[ -n $pid && -n $start && $(proc_start "$pid") == "$start" ]]
}

stop_pidfile() {
  local f=$1 pid start i
  if pid_alive "$f"; then
    read -r pid start <"$f"
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < KILL_GRACE_MS / 50; i++)); do pid_alive "$f" || break; sleep 0.05; done
    pid_alive "$f" && kill -KILL "$pid" 2>/dev/null
  fi
  rm -f "$f"
}

kill_ns_processes() { # anything still running inside one of our namespaces
  local ns=$1 pids i
  pids=$(ip netns pids "$ns" 2>/dev/null | tr '\n' ' ')
  [[ -n ${pids// /} ]] || return 0
  log "$ns: stopping leftover processes $pids"
  # shellcheck disable=SC2086
  kill -TERM $pids 2>/dev/null || true
  for ((i = 0; i < KILL_GRACE_MS / 50; i++)); do
    [[ -z $(ip netns pids "$ns" 2>/dev/null) ]] && return 0
    sleep 0.05
  done
  pids=$(ip netns pids "$ns" 2>/dev/null | tr '\n' ' ')
  # shellcheck disable=SC2086
  [[ -n ${pids// /} ]] && kill -KILL $pids 2>/dev/null
  return 0
}

# ---------------------------------------------------------------- building blocks
build_nfqdelay() {
  local src=$LAB_DIR/nfqdelay/nfqdelay.c bin=$RUN/bin/nfqdelay
  if [[ ! -x $bin || $src -nt $bin ]]; then
    cc -O2 -Wall -Wextra -Werror -o "$bin.tmp" "$src" -lnetfilter_queue -lnfnetlink
    mv "$bin.tmp" "$bin"
  fi
}

# The lab CA and the server's certificate (IP SAN for LAB_SERVER_IP, DNS lab.test). The CA may
# only sign names inside the lab (name constraints), so trusting it in a browser profile opens
# nothing else.
make_certs() {
  local d=$RUN/ca
  if [[ -f $d/server.crt ]] && openssl x509 -in "$d/server.crt" -noout -checkend 86400 >/dev/null 2>&1; then
    return 0
  fi
  mkdir -p "$d"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 -sha256 \
    -keyout "$d/ca.key" -out "$d/ca.crt" -subj "/O=CircleCDN lab/CN=CircleCDN Lab CA ${PREFIX%-}" \
    -addext "basicConstraints=critical,CA:TRUE,pathlen:0" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -addext "nameConstraints=critical,permitted;DNS:$SERVER_NAME,permitted;IP:198.51.100.0/255.255.255.0,permitted;IP:203.0.113.0/255.255.255.0" \
    2>/dev/null
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$d/server.key" \
    -out "$d/server.csr" -subj "/CN=$SERVER_NAME" 2>/dev/null
  printf '%s\n' "basicConstraints=CA:FALSE" "keyUsage=critical,digitalSignature" \
    "extendedKeyUsage=serverAuth" "subjectAltName=IP:$SERVER_IP,DNS:$SERVER_NAME" >"$d/server.ext"
  openssl x509 -req -in "$d/server.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" -CAcreateserial \
    -out "$d/server.crt" -days 29 -sha256 -extfile "$d/server.ext" 2>/dev/null
  chmod 600 "$d/ca.key" "$d/server.key"
  openssl verify -CAfile "$d/ca.crt" "$d/server.crt" >/dev/null
}

add_ns() {
  local ns=$1
  ip netns add "$ns"
  in_ns "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  ip -n "$ns" link set lo up
  # Name lookups stay inside the lab: no resolver answers at 198.51.100.1 (a fast refusal), and
  # lab.test resolves from the hosts file. `ip netns exec` mounts these over /etc.
  mkdir -p "/etc/netns/$ns"
  echo "nameserver $PUB_A" >"/etc/netns/$ns/resolv.conf"
  printf '127.0.0.1 localhost\n%s %s\n' "$SERVER_IP" "$SERVER_NAME" >"/etc/netns/$ns/hosts"
}

# Receive packet steering over all CPUs on every lab interface. A veth hands each packet to the
# backlog of the CPU that sent it; when consecutive packets of one flow leave a qdisc from
# different CPUs (a process, then a tbf timer), the two backlogs can deliver them out of order
# (seen: 1 reordered segment in ~10 bulk transfers). RPS steers a flow to one CPU by its hash.
rps_all_cpus() {
  local n mask
  n=$(nproc)
  ((n > 32)) && n=32 # one 32-bit word covers this lab's needs
  mask=$(printf '%x' $(((1 << n) - 1)))
  for ns in $(lab_namespaces); do
    in_ns "$ns" sh -c 'for q in /sys/class/net/*/queues/rx-*/rps_cpus; do
      case $q in /sys/class/net/lo/*) ;; *) echo "$0" >"$q" ;; esac; done' "$mask"
  done
}

build_topology() {
  local ns i r h
  for ns in $(lab_namespaces); do add_ns "$ns"; done
  # Veths are made inside the namespaces: nothing of the lab ever appears in the host namespace.
  ip -n "$NS_PUB" link add br0 type bridge
  ip -n "$NS_PUB" link set br0 up
  ip -n "$NS_PUB" addr add "$PUB_A/24" dev br0
  ip -n "$NS_PUB" addr add "$PUB_B/24" dev br0
  in_ns "$NS_PUB" sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.send_redirects=0 \
    net.ipv4.conf.br0.send_redirects=0

  ip -n "$NS_ORIGIN" link add eth0 type veth peer name origin netns "$NS_PUB"
  ip -n "$NS_PUB" link set origin master br0 up
  ip -n "$NS_ORIGIN" addr add "$SERVER_IP/24" dev eth0
  ip -n "$NS_ORIGIN" link set eth0 up
  ip -n "$NS_ORIGIN" route add default via "$PUB_B"

  for ((i = 1; i <= NHOMES; i++)); do
    r=$(router_ns "$i") h=$(home_ns "$i")
    ip -n "$r" link add wan type veth peer name "r$i" netns "$NS_PUB"
    ip -n "$NS_PUB" link set "r$i" master br0 up
    ip -n "$r" addr add "$(router_wan_ip "$i")/24" dev wan
    ip -n "$r" link set wan up
    ip -n "$r" route add default via "$PUB_A"
    ip -n "$h" link add eth0 type veth peer name lan netns "$r"
    ip -n "$r" addr add "$(home_gw "$i")/24" dev lan
    ip -n "$r" link set lan up
    ip -n "$h" addr add "$(home_ip "$i")/24" dev eth0
    ip -n "$h" link set eth0 up
    # A default route: Chromium gathers host candidates only on an interface that has one.
    ip -n "$h" route add default via "$(home_gw "$i")"
    in_ns "$r" sysctl -qw net.ipv4.ip_forward=1
  done
  rps_all_cpus
}

# NAT of one router. All kinds masquerade on "wan" and drop unsolicited packets to the router
# itself before conntrack confirms them: a peer's early ICE check would otherwise leave an
# UNREPLIED entry that makes the next outgoing mapping pick a new port (a "cone" turning symmetric).
#   port-restricted: masquerade keeps the source port (one host per home, so no clash) =>
#                    endpoint-independent mapping; only the exact 5-tuple gets back in.
#   symmetric:       masquerade random,fully-random => a new random port per destination.
#   full-cone:       port-restricted's mapping, plus every UDP mapping the home has opened is
#                    recorded (after NAT, from the conntrack reply tuple) in a map from public
#                    port to inside address.port, and any outside host's packet to that port is
#                    DNATed in => endpoint-independent filtering. Map entries live 180 s after the
#                    home last sent from that port. UDP only (TCP stays port-restricted).
nat_ruleset() {
  local kind=$1 flags="" full=0
  case $kind in
    port-restricted) ;;
    symmetric) flags=" random,fully-random" ;;
    full-cone) full=1 ;;
  esac
  echo "table ip labnat"
  echo "delete table ip labnat"
  echo "table ip labnat {"
  ((full)) && cat <<'EOF'
  map fullcone {
    type inet_service : ipv4_addr . inet_service
    flags dynamic,timeout
    timeout 180s
  }
  chain prerouting {
    type nat hook prerouting priority dstnat; policy accept;
    iifname "wan" dnat ip to udp dport map @fullcone
  }
  chain mapped {
    type filter hook postrouting priority srcnat + 10; policy accept;
    oifname "wan" meta l4proto udp ct direction original update @fullcone { ct reply proto-dst : ct original ip saddr . ct original proto-src }
  }
EOF
  cat <<EOF
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    oifname "wan" masquerade$flags
  }
  chain input {
    type filter hook input priority filter; policy drop;
    ct state established,related accept
    iifname { "lo", "lan" } accept
  }
  chain forward {
    type filter hook forward priority filter; policy drop;
    ct state established,related accept
    iifname "lan" oifname "wan" accept
EOF
  ((full)) && echo '    iifname "wan" oifname "lan" ct status dnat accept'
  echo "  }"
  echo "}"
}

apply_nat() {
  local i=$1 r
  r=$(router_ns "$i")
  nat_ruleset "${KINDS[i - 1]}" | in_ns "$r" nft -f -
  in_ns "$r" conntrack -F >/dev/null 2>&1 || true
}

rate_bps() { # 10mbit -> 10000000
  local v=$1
  [[ $v =~ ^([0-9]+)(bit|kbit|mbit|gbit)$ ]] || die "rate '$v': use e.g. 500kbit, 10mbit, 1gbit or off"
  local n=${BASH_REMATCH[1]}
  case ${BASH_REMATCH[2]} in
    bit) echo "$n" ;; kbit) echo $((n * 1000)) ;; mbit) echo $((n * 1000000)) ;; gbit) echo $((n * 1000000000)) ;;
  esac
}

set_rate() { # ns dev rate|off
  local ns=$1 dev=$2 rate=$3
  if [[ $rate == off ]]; then
    tc -n "$ns" qdisc del dev "$dev" root 2>/dev/null || true
    return 0
  fi
  local bps burst
  bps=$(rate_bps "$rate")
  burst=$((bps / 8 / 100)) # 10 ms of the rate, at least a few full-size packets
  ((burst < 16384)) && burst=16384
  tc -n "$ns" qdisc replace dev "$dev" root tbf rate "$rate" burst "$burst" latency "$TBF_LATENCY"
}

# Home link shaping, in the home's router: loss (iptables statistic, before the delay rule: an
# NFQUEUE verdict ends the chain), delay+jitter (nfqdelay, queue 0 upload / 1 download), rates
# (tbf on wan = upload, on lan = download).
apply_shape() {
  local i=$1 r prob
  r=$(router_ns "$i")
  # shellcheck disable=SC1090
  source "$RUN/shape/h$i"
  ipt() { in_ns "$r" iptables-nft -w "$@"; }
  ipt -N LAB 2>/dev/null || ipt -F LAB
  ipt -C FORWARD -j LAB 2>/dev/null || ipt -A FORWARD -j LAB
  if [[ $LOSS != 0 ]]; then
    prob=$(awk -v p="$LOSS" 'BEGIN { printf "%.6f", p / 100 }')
    ipt -A LAB -i lan -m statistic --mode random --probability "$prob" -j DROP
    ipt -A LAB -i wan -m statistic --mode random --probability "$prob" -j DROP
  fi
  stop_pidfile "$RUN/pids/nfqdelay-h$i.pid"
  if [[ $DELAY != 0 || $JITTER != 0 ]]; then
    spawn "nfqdelay-h$i" "$r" "$RUN/bin/nfqdelay" -q 0 -d "$DELAY" -j "$JITTER"
    ipt -A LAB -i lan -j NFQUEUE --queue-num 0 --queue-bypass
    ipt -A LAB -i wan -j NFQUEUE --queue-num 1 --queue-bypass
  fi
  set_rate "$r" wan "$UP"
  set_rate "$r" lan "$DOWN"
}

default_shapes() {
  local i rtt min=${LAB_RTT_MIN:-20} max=${LAB_RTT_MAX:-80}
  for ((i = 1; i <= NHOMES; i++)); do
    if ((NHOMES == 1)); then rtt=$min; else rtt=$((min + ((max - min) * (i - 1) + (NHOMES - 1) / 2) / (NHOMES - 1))); fi
    write_shape "$i" "$(awk -v r="$rtt" 'BEGIN { print r / 2 }')" "${LAB_JITTER:-2}" "${LAB_LOSS:-0.5}" \
      "${LAB_UP:-10mbit}" "${LAB_DOWN:-50mbit}"
  done
}

write_shape() { # i delay_ms jitter_ms loss_pct up down
  printf 'DELAY=%s\nJITTER=%s\nLOSS=%s\nUP=%s\nDOWN=%s\n' "$2" "$3" "$4" "$5" "$6" >"$RUN/shape/h$1"
}

coturn_conf() {
  cat <<EOF
# coturn for the WAN lab (written by lab/lab.sh; run inside $NS_PUB)
listening-ip=$PUB_A
listening-ip=$PUB_B
listening-port=$STUN_PORT
# Two listening IPs: coturn also listens on port $((STUN_PORT + 1)) and answers RFC 5780 (NAT behaviour discovery).
relay-ip=$PUB_A
min-port=49152
max-port=65535
realm=$REALM
# TURN REST credentials: username "<unix expiry>:<id>", password base64(HMAC-SHA1(secret, username))
use-auth-secret
static-auth-secret=$TURN_SECRET
fingerprint
no-tls
no-dtls
no-cli
no-multicast-peers
userdb=$RUN/coturn/turndb
pidfile=$RUN/coturn/turnserver.pid
log-file=stdout
simple-log
EOF
}

services_start() {
  pid_alive "$RUN/pids/coturn.pid" && return 0
  mkdir -p "$RUN/coturn"
  coturn_conf >"$RUN/coturn/turnserver.conf"
  spawn coturn "$NS_PUB" turnserver -c "$RUN/coturn/turnserver.conf"
  local i
  for ((i = 0; i < COTURN_READY_MS / 100; i++)); do
    if in_ns "$NS_PUB" ss -lnu | grep -q "$PUB_B:$((STUN_PORT + 1)) " &&
      in_ns "$NS_PUB" ss -lnt | grep -q "$PUB_A:$STUN_PORT "; then
      return 0
    fi
    pid_alive "$RUN/pids/coturn.pid" || break
    sleep 0.1
  done
  tail -n 20 "$RUN/logs/coturn.log" >&2 || true
  die "coturn did not come up (log: $RUN/logs/coturn.log)"
}

services_stop() { stop_pidfile "$RUN/pids/coturn.pid"; }

write_env() {
  local i names="" h DELAY JITTER LOSS UP DOWN
  for ((i = 1; i <= NHOMES; i++)); do names+="${names:+ }h$i"; done
  {
    echo "LAB_PREFIX=$PREFIX"
    echo "LAB_RUN=$RUN"
    echo "LAB_SH=$LAB_DIR/lab.sh"
    echo "LAB_SERVER_IP=$SERVER_IP"
    echo "LAB_SERVER_NAME=$SERVER_NAME"
    echo "LAB_SERVER_NS=$NS_ORIGIN"
    echo "LAB_SERVER_HOST=origin"
    echo "LAB_STUN=$PUB_A:$STUN_PORT"
    echo "LAB_STUN_ALT=$PUB_B:$STUN_PORT"
    echo "LAB_TURN=$PUB_A:$STUN_PORT"
    echo "LAB_TURN_REALM=$REALM"
    echo "LAB_TURN_SECRET=$TURN_SECRET"
    echo "LAB_CA=$RUN/ca/ca.crt"
    echo "LAB_TLS_CERT=$RUN/ca/server.crt"
    echo "LAB_TLS_KEY=$RUN/ca/server.key"
    echo "LAB_ORIGIN_RATE=$ORIGIN_RATE"
    echo "LAB_HOMES=\"$names\""
    for ((i = 1; i <= NHOMES; i++)); do
      h=h$i
      # shellcheck disable=SC1090
      source "$RUN/shape/$h"
      echo "LAB_HOME_${h}_NAT=${KINDS[i - 1]}"
      echo "LAB_HOME_${h}_NS=$(home_ns "$i")"
      echo "LAB_HOME_${h}_IP=$(home_ip "$i")"
      echo "LAB_HOME_${h}_PUBLIC_IP=$(router_wan_ip "$i")"
      echo "LAB_HOME_${h}_RTT_MS=$(awk -v d="$DELAY" 'BEGIN { print 2 * d }')"
      echo "LAB_HOME_${h}_JITTER_MS=$JITTER"
      echo "LAB_HOME_${h}_LOSS_PCT=$LOSS"
      echo "LAB_HOME_${h}_UP=$UP"
      echo "LAB_HOME_${h}_DOWN=$DOWN"
    done
  } >"$RUN/env.tmp"
  mv "$RUN/env.tmp" "$RUN/env"
}

lab_is_up() {
  [[ -f $RUN/env ]] && load_state || return 1
  local ns i
  for ns in $(lab_namespaces); do ns_exists "$ns" || return 1; done
  pid_alive "$RUN/pids/coturn.pid" || return 1
  for ((i = 1; i <= NHOMES; i++)); do
    grep -q '^DELAY=0$' "$RUN/shape/h$i" && grep -q '^JITTER=0$' "$RUN/shape/h$i" && continue
    pid_alive "$RUN/pids/nfqdelay-h$i.pid" || return 1
  done
}

normalise_kind() {
  case $1 in
    full | full-cone) echo full-cone ;;
    prc | port-restricted) echo port-restricted ;;
    sym | symmetric) echo symmetric ;;
    *) die "NAT kind '$1': use full-cone, port-restricted or symmetric" ;;
  esac
}

# ---------------------------------------------------------------- commands
cmd_up() {
  local nhomes=${LAB_HOMES_N:-8} kinds=${LAB_KINDS:-$DEFAULT_KINDS} origin_rate=${LAB_ORIGIN_RATE:-100mbit}
  while (($#)); do
    case $1 in
      --homes) nhomes=$2; shift 2 ;;
      --kinds) kinds=$2; shift 2 ;;
      --origin-rate) origin_rate=$2; shift 2 ;;
      *) die "up: unknown option $1" ;;
    esac
  done
  [[ $nhomes =~ ^[0-9]+$ ]] && ((nhomes >= 1 && nhomes <= 200)) || die "--homes: 1..200"
  [[ $origin_rate == off ]] || rate_bps "$origin_rate" >/dev/null
  local -a list
  read -r -a list <<<"$kinds"
  ((${#list[@]})) || die "--kinds is empty"
  local want="" i
  for ((i = 0; i < nhomes; i++)); do want+="${want:+ }$(normalise_kind "${list[i % ${#list[@]}]}")"; done

  if lab_is_up; then
    [[ "${KINDS[*]}" == "$want" ]] || die "the lab is up with other homes (${KINDS[*]}): run down first"
    log "already up ($NHOMES homes)"
    return 0
  fi
  [[ $(id -u) == 0 ]] || die "up needs root (namespaces, nftables, tc)"
  local t0=$EPOCHREALTIME
  if [[ -n $(stray_namespaces) || -f $RUN/state ]]; then
    log "a previous lab is partly there: taking it down first"
    cmd_down
  fi

  # Any failure from here on (a failing command or a die) leaves through this EXIT trap.
  trap 'log "up failed at line $LINENO"' ERR
  # shellcheck disable=SC2154 # rc is assigned inside the trap
  trap 'rc=$?; trap - EXIT ERR; if ((rc)); then log "tearing down the half-built lab"; cmd_down; fi; exit $rc' EXIT
  mkdir -p "$RUN"/{pids,logs,shape,bin,ca}
  rm -f "$RUN"/logs/*.log
  NHOMES=$nhomes
  read -r -a KINDS <<<"$want"
  ORIGIN_RATE=$origin_rate
  TURN_SECRET=${LAB_TURN_SECRET:-$(cat "$RUN/turn_secret" 2>/dev/null || openssl rand -hex 16)}
  echo "$TURN_SECRET" >"$RUN/turn_secret"
  chmod 600 "$RUN/turn_secret"
  # The state is written before any namespace exists, so a crash at any later point can be undone.
  save_state

  build_nfqdelay
  make_certs
  build_topology
  for ((i = 1; i <= NHOMES; i++)); do apply_nat "$i"; done
  default_shapes
  for ((i = 1; i <= NHOMES; i++)); do apply_shape "$i"; done
  set_rate "$NS_ORIGIN" eth0 "$ORIGIN_RATE"
  services_start
  write_env
  trap - ERR EXIT
  log "up: $NHOMES homes (${KINDS[*]}), origin uplink $ORIGIN_RATE, in $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }') s"
}

cmd_down() {
  local t0=$EPOCHREALTIME f ns all=""
  if [[ -d $RUN/pids ]]; then
    for f in "$RUN"/pids/*.pid; do [[ -e $f ]] && stop_pidfile "$f"; done
  fi
  if load_state 2>/dev/null; then all=$(lab_namespaces); fi
  all+=" $(stray_namespaces)"
  for ns in $(tr ' ' '\n' <<<"$all" | sort -u); do
    if ns_exists "$ns"; then
      kill_ns_processes "$ns"
      ip netns del "$ns"
    fi
    rm -rf "/etc/netns/$ns"
  done
  rm -f "$RUN/env" "$RUN/state"
  log "down in $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }') s"
}

cmd_env() {
  [[ -f $RUN/env ]] || die "the lab is not up (lab.sh up)"
  cat "$RUN/env"
}

resolve_name() { # hN | rN | pub | origin -> namespace
  case $1 in
    pub | origin) echo "${PREFIX}$1" ;;
    h[0-9]* | r[0-9]*) echo "${PREFIX}$1" ;;
    "${PREFIX}"*) echo "$1" ;;
    *) die "unknown lab host '$1' (hN, rN, pub, origin)" ;;
  esac
}

cmd_exec() {
  (($# >= 3)) && [[ $2 == -- ]] || die "usage: lab.sh exec NAME -- CMD..."
  local ns
  ns=$(resolve_name "$1")
  ns_exists "$ns" || die "no namespace $ns: is the lab up?"
  shift 2
  exec ip netns exec "$ns" "$@"
}

cmd_shape() {
  (($# >= 1)) || die "usage: lab.sh shape hN|origin KEY VALUE..."
  load_state || die "the lab is not up"
  local link=$1
  shift
  if [[ $link == origin ]]; then
    [[ ${1:-} == rate || ${1:-} == up ]] && (($# == 2)) || die "usage: lab.sh shape origin rate RATE"
    [[ $2 == off ]] || rate_bps "$2" >/dev/null
    set_rate "$NS_ORIGIN" eth0 "$2"
    ORIGIN_RATE=$2
    save_state
    write_env
    log "origin uplink $2"
    return 0
  fi
  [[ $link =~ ^h([0-9]+)$ ]] && ((BASH_REMATCH[1] >= 1 && BASH_REMATCH[1] <= NHOMES)) || die "no home '$link'"
  local i=${BASH_REMATCH[1]} num='^[0-9]+(\.[0-9]+)?$'
  # shellcheck disable=SC1090
  source "$RUN/shape/h$i"
  while (($#)); do
    (($# >= 2)) || die "shape: '$1' needs a value"
    case $1 in
      rtt) [[ $2 =~ $num ]] || die "rtt: ms"; DELAY=$(awk -v r="$2" 'BEGIN { print r / 2 }') ;;
      delay) [[ $2 =~ $num ]] || die "delay: ms"; DELAY=$2 ;;
      jitter) [[ $2 =~ $num ]] || die "jitter: ms"; JITTER=$2 ;;
      loss) [[ $2 =~ $num ]] || die "loss: percent"; LOSS=$2 ;;
      up) [[ $2 == off ]] || rate_bps "$2" >/dev/null; UP=$2 ;;
      down) [[ $2 == off ]] || rate_bps "$2" >/dev/null; DOWN=$2 ;;
      *) die "shape: unknown key '$1' (rtt, delay, jitter, loss, up, down)" ;;
    esac
    shift 2
  done
  write_shape "$i" "$DELAY" "$JITTER" "$LOSS" "$UP" "$DOWN"
  apply_shape "$i"
  write_env
  log "$link: delay ${DELAY} ms each way (+-${JITTER} ms), loss ${LOSS} %, up $UP, down $DOWN"
}

cmd_status() {
  if ! load_state; then
    echo "lab (${PREFIX}): down"
    local s
    s=$(stray_namespaces)
    [[ -n $s ]] && echo "stray namespaces: $s"
    return 0
  fi
  local state=up i
  lab_is_up || state="PARTLY UP (run lab.sh down)"
  echo "lab (${PREFIX}): $state; run folder $RUN"
  printf 'coturn: %s   origin %s (ns %s), uplink %s\n' \
    "$(pid_alive "$RUN/pids/coturn.pid" && echo running || echo stopped)" "$SERVER_IP" "$NS_ORIGIN" "$ORIGIN_RATE"
  printf '%-5s %-16s %-11s %-15s %7s %7s %6s %-8s %-8s %s\n' home nat inside public rtt_ms jitter loss% up down delay
  for ((i = 1; i <= NHOMES; i++)); do
    # shellcheck disable=SC1090
    source "$RUN/shape/h$i"
    printf '%-5s %-16s %-11s %-15s %7s %7s %6s %-8s %-8s %s\n' "h$i" "${KINDS[i - 1]}" "$(home_ip "$i")" \
      "$(router_wan_ip "$i")" "$(awk -v d="$DELAY" 'BEGIN { print 2 * d }')" "$JITTER" "$LOSS" "$UP" "$DOWN" \
      "$( [[ $DELAY == 0 && $JITTER == 0 ]] && echo none || { pid_alive "$RUN/pids/nfqdelay-h$i.pid" && echo nfqdelay || echo 'MISSING'; })"
  done
}

# One change at a time per lab: up, down, shape and services take the lab's lock.
lock() {
  mkdir -p "$(dirname "$RUN")"
  exec 9>"$RUN.lock"
  flock -w 120 9 || die "another lab.sh holds $RUN.lock"
}

case ${1:-} in
  up | down | shape | services) lock ;;
esac
case ${1:-} in
  up) shift; cmd_up "$@" ;;
  down) cmd_down ;;
  env) cmd_env ;;
  status) cmd_status ;;
  exec) shift; cmd_exec "$@" ;;
  shape) shift; cmd_shape "$@" ;;
  services)
    load_state || die "the lab is not up"
    case ${2:-} in start) services_start ;; stop) services_stop ;; *) die "usage: lab.sh services start|stop" ;; esac ;;
  *) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"; exit 2 ;;
esac
