# shellcheck shell=bash
# Sourced by the shell benchmarks: waits for a server they started to print its address.
#   PORT="$(wait_port "$OUT_FILE" "$CIRCLECDN_LISTENING" "$PID")" || { echo "did not start" >&2; exit 1; }
# Prints the port (the sed pattern's first group) once it appears in the file; fails if the
# process (when given) exits first or nothing appears within 15 s.

# circlecdn's "listening on http://127.0.0.1:PORT" line (https:// under TLS).
CIRCLECDN_LISTENING='s/.*listening on https\{0,1\}:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p'

wait_port() {
  local file="$1" pattern="$2" pid="${3:-}" port
  for _ in $(seq 1 150); do
    port="$(sed -n "$pattern" "$file" | head -1)"
    if [[ -n "$port" ]]; then
      echo "$port"
      return 0
    fi
    if [[ -n "$pid" ]] && ! kill -0 "$pid" 2>/dev/null; then return 1; fi
    sleep 0.1
  done
  return 1
}
