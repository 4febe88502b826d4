#!/usr/bin/env bash
# The WAN lab's self-test (run by scripts/test.sh; needs root). Brings a lab up under its own
# prefix (LAB_PREFIX, default cclt-, so a lab someone has up is left alone) and checks:
#   up is idempotent; the host namespace has no address or route in the lab's prefixes;
#   every home's NAT behaves as its kind says (raw STUN/UDP probes from two outside addresses,
#   and coturn's RFC 5780 client); ping shows each home's RTT; a bulk TCP transfer through a
#   delayed, jittered, rate-limited link is never reordered and reaches the configured rates
#   (home and origin uplink); TURN allocates with REST credentials and refuses wrong or expired
#   ones; coturn stops and starts; Chromium and Firefox ESR in homes load an HTTPS page from the
#   origin with the lab CA (lab/test/browsers.mjs); down removes every namespace and process,
#   also after a crash.
# Figures (RTTs, rates, NAT verdicts, up/down times) are printed, never asserted beyond loose
# bounds that a working lab meets on any machine. Ends with "lab: N passed, M failed".
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
export LAB_PREFIX=${LAB_PREFIX:-cclt-}
LAB="bash lab/lab.sh"
SERVER_PORT=8443
STEP_S=120 # bound for any single step that could hang

passed=0 failed=0
ok() { passed=$((passed + 1)); printf '  ok   %s\n' "$*"; }
bad() { failed=$((failed + 1)); printf '  FAIL %s\n' "$*"; }
check() { # check "what" command... : passes when the command succeeds
  local what=$1; shift
  if "$@"; then ok "$what"; else bad "$what"; fi
}
section() { printf '\n--- %s\n' "$*"; }
now() { echo "$EPOCHREALTIME"; }
alive() { [[ -e /proc/$1 ]] && ! grep -q ') Z ' "/proc/$1/stat" 2>/dev/null; } # a zombie is gone
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

scratch=$(mktemp -d)
own_pids=()
cleanup() {
  local p
  for p in "${own_pids[@]}"; do kill "$p" 2>/dev/null; done
  $LAB down >/dev/null 2>&1
  rm -rf "$scratch"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [[ $(id -u) != 0 ]]; then
  echo "lab self-test needs root (network namespaces)"
  echo "lab: 0 passed, 1 failed"
  exit 1
fi
for tool in ip nft iptables-nft tc conntrack turnserver turnutils_uclient turnutils_natdiscovery iperf3 \
  certutil openssl cc ping node python3; do
  command -v "$tool" >/dev/null || { bad "tool $tool is installed (scripts/apt-packages.txt)"; }
done
((failed)) && { echo "lab: $passed passed, $failed failed"; exit 1; }

section "up"
$LAB down >/dev/null 2>&1
t0=$(now)
if timeout $STEP_S $LAB up 2>"$scratch/up.log"; then ok "up ($(secs "$t0" "$(now)") s)"; else
  bad "up"; cat "$scratch/up.log"; echo "lab: $passed passed, $failed failed"; exit 1
fi
up_s=$(secs "$t0" "$(now)")
t0=$(now)
timeout $STEP_S $LAB up >"$scratch/up2.log" 2>&1
check "up again is a no-op ($(secs "$t0" "$(now)") s)" grep -q 'already up' "$scratch/up2.log"
eval "$($LAB env)"
read -r -a homes <<<"$LAB_HOMES"
home_var() { local v="LAB_HOME_$1_$2"; echo "${!v}"; }
check "env has the server, STUN, TURN, CA and ${#homes[@]} homes" \
  test -n "$LAB_SERVER_IP" -a -n "$LAB_STUN" -a -n "$LAB_TURN" -a -n "$LAB_TURN_SECRET" -a -f "$LAB_CA" -a ${#homes[@]} -ge 8
check "server certificate: CA-signed, IP $LAB_SERVER_IP and DNS $LAB_SERVER_NAME" bash -c \
  "openssl verify -CAfile '$LAB_CA' '$LAB_TLS_CERT' >/dev/null && openssl x509 -in '$LAB_TLS_CERT' -noout -ext subjectAltName | grep -q 'IP Address:$LAB_SERVER_IP' && openssl x509 -in '$LAB_TLS_CERT' -noout -ext subjectAltName | grep -q 'DNS:$LAB_SERVER_NAME'"

section "host namespace stays out of the lab"
lab_re='(^|[^0-9])(198\.51\.100\.|203\.0\.113\.)'
check "no address in 198.51.100.0/24 or 203.0.113.0/24 on the host" bash -c "! ip -4 addr | grep -Eq '$lab_re'"
check "no route to them on the host (any table)" bash -c "! ip -4 route show table all | grep -Eq '$lab_re'"
check "no lab interface on the host" bash -c "! ip -br link | grep -Eq '^(br0|wan|lan|r[0-9]+|origin)[@ ]'"

section "NAT behaviour (natprobe: raw STUN/UDP; turnutils_natdiscovery: RFC 5780)"
for h in "${homes[@]}"; do
  timeout $STEP_S python3 lab/tools/natprobe.py "$(home_var "$h" NS)" --stun "$LAB_STUN" --stun-alt "$LAB_STUN_ALT" \
    --other "${LAB_PREFIX}origin=$LAB_SERVER_IP" --same "${LAB_PREFIX}pub" >"$scratch/nat-$h.json" 2>&1 &
done
declare -A first_of_kind=()
for h in "${homes[@]}"; do
  kind=$(home_var "$h" NAT)
  [[ -n ${first_of_kind[$kind]:-} ]] || first_of_kind[$kind]=$h
done
for kind in "${!first_of_kind[@]}"; do
  h=${first_of_kind[$kind]}
  timeout $STEP_S $LAB exec "$h" -- turnutils_natdiscovery -m -f "${LAB_STUN%:*}" >"$scratch/disc-$h.log" 2>&1 &
done
wait
for h in "${homes[@]}"; do
  kind=$(home_var "$h" NAT)
  got=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d.get("kind","?"), d.get("mapping","?"), d.get("filtering","?"), " ".join(d.get("mappings") or []))' "$scratch/nat-$h.json" 2>/dev/null)
  read -r k m f maps <<<"$got"
  check "$h: $kind (mapping $m, filtering $f; mapped $maps)" test "$k" = "$kind"
done
for kind in "${!first_of_kind[@]}"; do
  h=${first_of_kind[$kind]}
  verdict=$(grep -E '^NAT with' "$scratch/disc-$h.log" | tr '\n' ' ')
  case $kind in
    full-cone) want='Endpoint Independent Mapping.*Endpoint Independent Filtering' ;;
    port-restricted) want='Endpoint Independent Mapping.*Address and Port Dependent Filtering' ;;
    symmetric) want='Address and Port Dependent Mapping.*Address and Port Dependent Filtering' ;;
  esac
  check "$h ($kind), RFC 5780: $verdict" bash -c "grep -Eq '$want' <<<'$verdict'"
done

section "delay: ping from every home to the origin"
for h in "${homes[@]}"; do
  timeout $STEP_S $LAB exec "$h" -- ping -c 20 -i 0.1 -W 2 "$LAB_SERVER_IP" >"$scratch/ping-$h.log" 2>&1 &
done
wait
for h in "${homes[@]}"; do
  rtt=$(home_var "$h" RTT_MS) jit=$(home_var "$h" JITTER_MS)
  read -r mn avg mx < <(awk -F'[/ =]+' '/^rtt/ { print $6, $7, $8 }' "$scratch/ping-$h.log")
  lost=$(grep -oE '[0-9.]+% packet loss' "$scratch/ping-$h.log")
  # every packet waits its delay minus at most the jitter, each way; the upper bound is loose
  check "$h: configured RTT $rtt ms (+-$jit ms each way): ping min/avg/max $mn/$avg/$mx ms, $lost" \
    awk -v mn="${mn:-0}" -v avg="${avg:-0}" -v r="$rtt" -v j="$jit" 'BEGIN { exit !(mn >= r - 2 * j - 0.5 && avg <= 1.5 * r + 20) }'
done

section "bulk TCP through a delayed, jittered, rate-limited link (iperf3)"
last=${homes[-1]}
$LAB exec origin -- iperf3 -s -B "$LAB_SERVER_IP" >"$scratch/iperf3.log" 2>&1 &
own_pids+=($!)
ofo() { $LAB exec "$1" -- cat /proc/net/netstat | awk '/^TcpExt:/ { if (!n++) split($0, k); else for (i = 1; i <= NF; i++) if (k[i] == "TCPOFOQueue") print $i }'; }
bulk() { # bulk WHAT RX_HOST CONFIGURED_RATE [-R]
  local what=$1 rx=$2 rate=$3 before after mbit retr cap
  shift 3
  before=$(ofo "$rx")
  if ! timeout $STEP_S $LAB exec "$last" -- iperf3 -c "$LAB_SERVER_IP" -t 8 -O 3 -J "$@" >"$scratch/bulk.json" 2>&1; then
    bad "$what: iperf3 ran"; return
  fi
  after=$(ofo "$rx")
  # bytes received after the first 3 s (-O 3: slow start left out); the sender's 1 s intervals
  # count socket writes, not bytes on the link, so they are not used
  read -r mbit retr < <(python3 -c 'import json,sys; e=json.load(open(sys.argv[1]))["end"]
print(round(e["sum_received"]["bits_per_second"]/1e6, 2), e["sum_sent"].get("retransmits"))' "$scratch/bulk.json")
  cap=${rate%mbit}
  check "$what: no reordering (receiver's TCPOFOQueue $before -> $after, retransmits $retr)" test "$before" = "$after"
  # TCP goodput is 95.6 % of the rate tbf counts (1448 payload bytes in 1514); loose bounds
  check "$what: $mbit Mbit/s of $rate configured ($(awk -v m="$mbit" -v c="$cap" 'BEGIN { printf "%.0f", 100 * m / c }') %)" \
    awk -v m="$mbit" -v c="$cap" 'BEGIN { exit !(m >= 0.5 * c && m <= 1.02 * c) }'
}
for ((i = 0; i < 50; i++)); do $LAB exec origin -- ss -lnt | grep -q ":5201 " && break; sleep 0.1; done
check "shape $last loss 0" $LAB shape "$last" loss 0
up_rate=$(home_var "$last" UP) down_rate=$(home_var "$last" DOWN)
echo "  ($last: RTT $(home_var "$last" RTT_MS) ms +-$(home_var "$last" JITTER_MS) ms each way, loss set to 0 for this check)"
bulk "$last upload" origin "$up_rate"
bulk "$last download" "$last" "$down_rate" -R
check "shape origin rate 20mbit" $LAB shape origin rate 20mbit
bulk "$last download, origin uplink set to 20mbit" "$last" 20mbit -R
check "shape origin rate $LAB_ORIGIN_RATE" $LAB shape origin rate "$LAB_ORIGIN_RATE"
check "shape $last loss $(home_var "$last" LOSS_PCT)" $LAB shape "$last" loss "$(home_var "$last" LOSS_PCT)"

section "TURN (coturn, REST credentials)"
turn() { # turn SECRET TTL -> uclient's output; exit code of uclient
  local u p
  u="$(($(date +%s) + $2)):selftest"
  p=$(printf '%s' "$u" | openssl dgst -sha1 -hmac "$1" -binary | base64)
  timeout 60 $LAB exec "${first_of_kind[symmetric]:-${homes[0]}}" -- \
    turnutils_uclient -y -n 5 -m 1 -l 200 -u "$u" -w "$p" "${LAB_TURN%:*}" >"$scratch/turn.log" 2>&1
}
turn "$LAB_TURN_SECRET" 600
rc=$?
msgs=$(grep -oE 'start_mclient: tot_send_msgs=[0-9]+, tot_recv_msgs=[0-9]+' "$scratch/turn.log" | tail -1 | cut -d' ' -f2-)
check "allocation and relayed messages with valid credentials, from a symmetric home ($msgs)" \
  bash -c "[[ $rc == 0 && '$msgs' =~ tot_recv_msgs=[1-9] ]]"
turn wrong-secret 600
rc=$?
check "refused with a wrong secret" bash -c "[[ $rc != 0 ]] && grep -q 'Cannot complete Allocation' '$scratch/turn.log'"
turn "$LAB_TURN_SECRET" -60
rc=$?
check "refused with expired credentials" bash -c "[[ $rc != 0 ]] && grep -q 'Cannot complete Allocation' '$scratch/turn.log'"
check "services stop" $LAB services stop
check "services stop: nothing listens on ${LAB_STUN}" bash -c "! $LAB exec pub -- ss -lnu | grep -q '${LAB_STUN} '"
check "services start" $LAB services start
check "services start: coturn answers STUN again" bash -c \
  "timeout 30 python3 lab/tools/natprobe.py '$(home_var "${homes[0]}" NS)' --stun '$LAB_STUN' --stun-alt '$LAB_STUN_ALT' --other '${LAB_PREFIX}origin=$LAB_SERVER_IP' --same '${LAB_PREFIX}pub' | grep -q '\"kind\"'"

section "browsers in homes: HTTPS from the origin with the lab CA (openssl s_server as the server)"
$LAB exec origin -- openssl s_server -www -quiet -accept "$LAB_SERVER_IP:$SERVER_PORT" \
  -cert "$LAB_TLS_CERT" -key "$LAB_TLS_KEY" >"$scratch/s_server.log" 2>&1 &
own_pids+=($!)
for ((i = 0; i < 50; i++)); do $LAB exec origin -- ss -lnt | grep -q ":$SERVER_PORT " && break; sleep 0.1; done
timeout 300 node lab/test/browsers.mjs "$SERVER_PORT" >"$scratch/browsers.log" 2>&1
cat "$scratch/browsers.log"
passed=$((passed + $(grep -c '^  ok ' "$scratch/browsers.log")))
failed=$((failed + $(grep -c '^  FAIL ' "$scratch/browsers.log")))
grep -qE '^  (ok|FAIL) ' "$scratch/browsers.log" || bad "browser checks ran"

section "down"
for p in "${own_pids[@]}"; do kill "$p" 2>/dev/null; done
own_pids=()
pidfiles=$(cat "$LAB_RUN"/pids/*.pid 2>/dev/null | awk '{print $1}' | tr '\n' ' ')
t0=$(now)
timeout $STEP_S $LAB down 2>/dev/null
down_s=$(secs "$t0" "$(now)")
check "down ($down_s s): no ${LAB_PREFIX} namespace left" bash -c "! ip netns list | grep -q '^${LAB_PREFIX}'"
check "down: none of the lab's processes left ($pidfiles)" bash -c "$(declare -f alive); for p in $pidfiles; do alive \$p && exit 1; done; exit 0"
check "down: /etc/netns entries removed" bash -c "! ls -d /etc/netns/${LAB_PREFIX}* >/dev/null 2>&1"

section "down after a crash (state lost, a stray process in a home)"
timeout $STEP_S $LAB up --homes 2 >/dev/null 2>&1
$LAB exec h2 -- sleep 600 &
stray=$!
sleep 0.3
rm -f "$LAB_RUN/state" "$LAB_RUN/env"
timeout $STEP_S $LAB down 2>/dev/null
check "no ${LAB_PREFIX} namespace left" bash -c "! ip netns list | grep -q '^${LAB_PREFIX}'"
sleep 0.2
check "the stray process in the home was stopped" bash -c "$(declare -f alive); ! alive $stray"
wait "$stray" 2>/dev/null

section "figures"
echo "  up $up_s s, down $down_s s (${#homes[@]} homes)"
echo "lab: $passed passed, $failed failed"
((failed == 0))
