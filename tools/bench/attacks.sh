#!/usr/bin/env bash
# The flood and body-attack figures of one recur binary: a well-behaved client's p50/p99 of
# GET /v1/plans and GET /v1/payers/{id}/entitlements/{feature} with no flood, with 300
# slow-drip connections and with 2,000 idle ones (tools/bench/flood.py, the flood from
# 127.0.0.2), and the answer and peak memory (VmHWM) of the server under each body attack
# (tools/bench/body_attack.py). Each figure runs on a fresh server and database.
# Prints one JSON line per run; give two binaries' outputs side by side to compare them.
# Only loopback addresses are used; every run is bounded in time.
#
# usage: tools/bench/attacks.sh RECUR_BINARY [RUNS [floods|bodies|all]]
#        (RUNS of each flood, default 3; which figures, default all)
set -euo pipefail
cd "$(dirname "$0")/../.."

readonly recur="$1" runs="${2:-3}" which="${3:-all}"
readonly secret_key="sk_test_bench0123456789abcdefghijklmnopqrstuv"
work="$(mktemp -d)"
recur_pid=""

stop_recur() {
  if [ -n "$recur_pid" ]; then
    kill -TERM "$recur_pid" 2>/dev/null || true
    wait "$recur_pid" 2>/dev/null || true
    recur_pid=""
  fi
}
trap 'stop_recur; rm -rf "$work"' EXIT

# Starts the server on a fresh database; sets port and recur_pid.
start_recur() {
  rm -f "$work"/recur.db*
  RECUR_SECRET_KEY="$secret_key" "$recur" serve --db "$work/recur.db" --plans plans \
    --addr 127.0.0.1:0 >/dev/null 2>"$work/serve.log" &
  recur_pid="$!"
  for _ in $(seq 600); do
    if grep -q '"event":"listening"' "$work/serve.log" 2>/dev/null; then
      port="$(grep -m1 '"event":"listening"' "$work/serve.log" | sed 's/.*"addr":"[^"]*:\([0-9]*\)".*/\1/')"
      return
    fi
    sleep 0.05
  done
  echo "recur serve did not start: $(tail -5 "$work/serve.log")" >&2
  return 1
}

peak_mib() { awk '/^VmHWM:/ {printf "%.1f", $2 / 1024}' "/proc/$recur_pid/status"; }

new_payer() {
  curl -sS --max-time 30 -X POST "http://127.0.0.1:$port/v1/payers" \
    -H "Authorization: Bearer $secret_key" -H 'Content-Type: application/json' \
    --data '{"external_id": "steady", "type": "user", "email": "s@example.com"}' |
    sed 's/.*"id":"\([^"]*\)".*/\1/'
}

for run in $(seq "$runs"); do
  if [ "$which" = bodies ]; then break; fi
  for flood in "idle 0" "slow 300" "idle 2000"; do
    set -- $flood
    start_recur
    payer="$(new_payer)"
    python3 tools/bench/flood.py --port "$port" --key "$secret_key" --payer "$payer" \
      --mode "$1" --connections "$2" --seconds 15 | sed "s/^{/{\"run\": $run, /"
    stop_recur
  done
done

for attack in chunked-10mb chunked-100mb gzip-bomb gzip-1gib-x3; do
  if [ "$which" = floods ]; then break; fi
  start_recur
  before="$(peak_mib)"
  python3 tools/bench/body_attack.py --port "$port" --key "$secret_key" --attack "$attack"
  echo "{\"attack\": \"$attack\", \"peak_mib_before\": $before, \"peak_mib_after\": $(peak_mib)}"
  stop_recur
done
