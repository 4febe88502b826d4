# shellcheck shell=bash
# Sourced by the cluster benchmarks (bench/cluster/): a free loopback port, a process's CPU ticks,
# and Debian's redis-server on a free port with nothing persisted (what docs/operations.md
# recommends), stopped by the caller through the PID it is given.
#   start_redis "$TMP/redis.out"   sets RPORT and RPID once it answers PING
free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }  # utime + stime, in CLK_TCK ticks
start_redis() {
  RPORT="$(free_port)"
  redis-server --port "$RPORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize no > "$1" 2>&1 &
  RPID=$!
  for _ in $(seq 1 100); do redis-cli -p "$RPORT" ping >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "redis-server did not start:" >&2; cat "$1" >&2; return 1
}
