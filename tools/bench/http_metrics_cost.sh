#!/usr/bin/env bash
# What counting requests for /metrics costs on the read path: the HTTP read benchmark of
# run.sh (wrk on GET /v1/plans, the access log on) against one `recur serve` with its request
# metrics and one without them
# (RECUR_BENCH_NO_HTTP_METRICS), in alternating rounds so that the machine's load falls on both
# alike, then the medians side by side. Loopback only; bounded in time.
#
# Usage: tools/bench/http_metrics_cost.sh [RECUR_BINARY]   (default build/recur)
# Settings (environment): RUNS rounds (5), DURATION seconds of each wrk run (5), CONNECTIONS (8),
# WRK_THREADS (2).
set -euo pipefail
cd "$(dirname "$0")/../.."

recur="${1:-build/recur}"
runs="${RUNS:-5}"
duration="${DURATION:-5}"
connections="${CONNECTIONS:-8}"
threads="${WRK_THREADS:-2}"
key="sk_test_bench0123456789abcdefghijklmnopqrstuv"
work="$(mktemp -d -t recur-metrics-cost.XXXXXX)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

start() {  # name, then extra environment words; sets port to the API's
  local name="$1"
  shift
  # The access log is written, as in run.sh, but only the listening line is kept.
  env RECUR_SECRET_KEY="$key" "$@" "$recur" serve --db "$work/$name.db" --plans plans \
    --addr 127.0.0.1:0 2> >(grep --line-buffered '"event":"listening"' >"$work/$name.err") &
  pids+=("$!")
  port=""
  for _ in $(seq 1200); do
    port="$(sed -n 's/.*"addr":"127\.0\.0\.1:\([0-9]*\)".*/\1/p' "$work/$name.err")"
    [ -n "$port" ] && return
    sleep 0.05
  done
  echo "recur serve ($name) did not start" >&2
  exit 1
}

start with
with_port="$port"
start without RECUR_BENCH_NO_HTTP_METRICS=1
without_port="$port"

rps() {  # port, path
  wrk -t"$threads" -c"$connections" -d"${duration}s" -H "Authorization: Bearer $key" \
    "http://127.0.0.1:$1$2" | awk '/^Requests\/sec:/ {print $2}'
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

: >"$work/with.txt"
: >"$work/without.txt"
for round in $(seq "$runs"); do
  echo "round $round of $runs" >&2
  rps "$with_port" /v1/plans >>"$work/with.txt"
  rps "$without_port" /v1/plans >>"$work/without.txt"
done
printf 'GET /v1/plans, %s connections, %s runs of %s s (median req/s)\n' "$connections" "$runs" "$duration"
printf '  with request metrics:    %s   (runs: %s)\n' "$(median <"$work/with.txt")" "$(tr '\n' ' ' <"$work/with.txt")"
printf '  without request metrics: %s   (runs: %s)\n' "$(median <"$work/without.txt")" "$(tr '\n' ' ' <"$work/without.txt")"
