#!/usr/bin/env bash
# The PostgreSQL figures of docs/postgresql.md, side by side in one run: sign-ups/s and
# conversions/s on SQLite, on PostgreSQL with one `recur serve` node and with two nodes on one
# database; the CPU the nodes and PostgreSQL used meanwhile (from /proc/PID/stat of each
# process); and the store's round trips per conversion (the `round_trips` of each node's
# `stopped` log line). Each figure is measured BENCH_RUNS times; the medians are printed, each
# beside its ratio to SQLite's, which carries to another machine better than the number does.
#
# A run, for each setup: a fresh database; BENCH_PAYERS payers signed up by bench_load
# (payer, card, Pro trial), on one test clock per node, each node's share through that node,
# timed (sign-ups/s); the clocks advanced past the trial-ending notices (untimed); the nodes
# restarted (so their round trip counts start from zero), then each clock advanced past the
# trials' end through its node, all at once, timed (conversions/s: a conversion is the charge
# and the change to paid). Round trips per conversion are the nodes' counts less those of
# nodes started and stopped idle for as long (the pollers' reads), over the conversions.
# The nodes and PostgreSQL share this machine's cores: the CPU split says how they shared them.
# Only loopback addresses are used. Not part of tools/test.sh.
#
# Settings (environment):
#   BENCH_RUNS           runs of each setup, the median is reported        (3)
#   BENCH_PAYERS         payers (trials) per run                            (2000)
#   BENCH_WRITE_CLIENTS  concurrent API clients signing up, per node       (16)
#   BENCH_BUILD          the build folder: its recur and bench_load, built (configured Release
#                        with -DRECUR_BENCH=ON when it has no CMakeCache)   (build-bench)
set -euo pipefail
cd "$(dirname "$0")/../.."

BENCH_RUNS="${BENCH_RUNS:-3}"
BENCH_PAYERS="${BENCH_PAYERS:-2000}"
BENCH_WRITE_CLIENTS="${BENCH_WRITE_CLIENTS:-16}"
build="${BENCH_BUILD:-build-bench}"
work="$PWD/$build/postgres-bench"
readonly secret_key="sk_test_bench0123456789abcdefghijklmnopqrstuv"
readonly trial_start_ms=1740787200000  # 2025-03-01T00:00:00Z
readonly day_ms=86400000
readonly ticks="$(getconf CLK_TCK)"
started_processes=()
cluster_started=0

log() { printf '== %s\n' "$*" >&2; }

cleanup() {
  local pid
  for pid in "${started_processes[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${started_processes[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ "$cluster_started" -eq 1 ]; then tools/pg-cluster.sh stop "$work/cluster" || true; fi
}
trap cleanup EXIT

if [ ! -e "$build/CMakeCache.txt" ]; then
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DRECUR_BENCH=ON >/dev/null
elif ! grep -q '^RECUR_BENCH:BOOL=ON' "$build/CMakeCache.txt"; then
  cmake -B "$build" -DRECUR_BENCH=ON >/dev/null
fi
cmake --build "$build" -j2 --target recur bench_load >&2
rm -rf "$work"
mkdir -p "$work"
results="$work/results.tsv"  # setup, figure, value

log "starting a PostgreSQL cluster"
cluster="$(tools/pg-cluster.sh start "$work/cluster")"
cluster_started=1
postmaster_pid="$(head -1 "$(cat "$work/cluster/data-folder")/data/postmaster.pid")"
psql() { /usr/lib/postgresql/15/bin/psql "$cluster" -qtAX -c "$1"; }

# CPU seconds so far of process $1 (user and system), and of its children it has reaped.
cpu_of() { awk -v t="$ticks" '{print ($14 + $15 + $16 + $17) / t}' "/proc/$1/stat"; }
# CPU seconds so far of PostgreSQL: the postmaster, what it reaped, and its live children.
postgres_cpu() {
  local total pid
  total="$(cpu_of "$postmaster_pid")"
  for pid in $(pgrep -P "$postmaster_pid"); do
    total="$(echo "$total + $(cpu_of "$pid" 2>/dev/null || echo 0)" | bc -l)"
  done
  echo "$total"
}
nodes_cpu() {
  local total=0 pid
  for pid in "${node_pids[@]}"; do total="$(echo "$total + $(cpu_of "$pid")" | bc -l)"; done
  echo "$total"
}

# Starts `recur serve` node $1 on database $2; appends to node_pids and node_ports.
start_node() {
  local log_file="$work/$1.log"
  RECUR_SECRET_KEY="$secret_key" "$build/recur" serve --db "$2" --plans plans \
    --addr 127.0.0.1:0 >/dev/null 2>"$log_file" &
  local pid="$!"
  started_processes+=("$pid")
  for _ in $(seq 600); do
    if grep -q '"event":"listening"' "$log_file" 2>/dev/null; then
      node_pids+=("$pid")
      node_ports+=("$(grep -m1 '"event":"listening"' "$log_file" |
        sed 's/.*"addr":"[^"]*:\([0-9]*\)".*/\1/')")
      return
    fi
    sleep 0.05
  done
  echo "recur serve did not start: $(tail -5 "$log_file")" >&2
  return 1
}

# Stops every node (SIGTERM); sets round_trips to the sum of their logged counts (0 on SQLite).
stop_nodes() {
  local pid i trips
  round_trips=0
  for pid in "${node_pids[@]}"; do kill -TERM "$pid"; done
  for i in "${!node_pids[@]}"; do
    wait "${node_pids[$i]}" 2>/dev/null || true
    trips="$(grep '"event":"stopped"' "$work/node$i.log" |
      sed -n 's/.*"round_trips":\([0-9]*\).*/\1/p')"
    round_trips=$((round_trips + ${trips:-0}))
  done
  node_pids=()
  node_ports=()
}

api() {  # port, method, path, [body]
  local body=()
  if [ $# -ge 4 ]; then body=(--data "$4"); fi
  curl -sS --fail-with-body --max-time 3600 -X "$2" "http://127.0.0.1:$1$3" \
    -H "Authorization: Bearer $secret_key" -H 'Content-Type: application/json' "${body[@]}"
}

now() { date +%s.%N; }
record() { printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$results"; }

# A timed phase of setup $1: phase_start, then what the phase does, then phase_end FIGURE,
# which records FIGURE_per_s (BENCH_PAYERS in the phase's seconds) and the CPU used meanwhile.
phase_start() {
  phase_nodes_cpu="$(nodes_cpu)"
  phase_pg_cpu="$([ "$1" = sqlite ] && echo 0 || postgres_cpu)"
  phase_started="$(now)"
}
phase_end() {  # setup, figure
  phase_seconds="$(echo "$(now) - $phase_started" | bc -l)"
  record "$1" "${2}_per_s" "$(echo "$share * ${#node_pids[@]} / $phase_seconds" | bc -l)"
  record "$1" "${2}_cpu_nodes" "$(echo "$(nodes_cpu) - $phase_nodes_cpu" | bc -l)"
  if [ "$1" != sqlite ]; then
    record "$1" "${2}_cpu_pg" "$(echo "$(postgres_cpu) - $phase_pg_cpu" | bc -l)"
  fi
}

# One run of setup $1 (sqlite, pg1 or pg2) as run number $2.
run_setup() {
  local setup="$1" run="$2" db nodes=1 i
  case "$setup" in
    sqlite) db="$work/run$run.db" ;;
    *)
      psql "CREATE DATABASE bench_${setup}_$run"
      db="${cluster/dbname=postgres/dbname=bench_${setup}_$run}"
      [ "$setup" = pg2 ] && nodes=2
      ;;
  esac
  node_pids=()
  node_ports=()
  for ((i = 0; i < nodes; i++)); do start_node "node$i" "$db"; done
  local clocks=()
  share=$((BENCH_PAYERS / nodes))
  for ((i = 0; i < nodes; i++)); do
    clocks+=("$(api "${node_ports[$i]}" POST /v1/test_clocks "{\"frozen_time\":$trial_start_ms}" |
      jq -r .id)")
  done

  # Sign-ups, each node's share through it, all at once.
  local pids=()
  phase_start "$setup"
  for ((i = 0; i < nodes; i++)); do
    "$build/bench_load" --port "${node_ports[$i]}" --key "$secret_key" --payers "$share" \
      --clients "$BENCH_WRITE_CLIENTS" --clock "${clocks[$i]}" --prefix "r${run}n$i" \
      >"$work/load$i.out" &
    pids+=("$!")
  done
  for i in "${pids[@]}"; do wait "$i"; done
  phase_end "$setup" signups

  # The notices, untimed; then fresh nodes for the conversions.
  for ((i = 0; i < nodes; i++)); do
    api "${node_ports[$i]}" POST "/v1/test_clocks/${clocks[$i]}/advance" \
      "{\"frozen_time\":$((trial_start_ms + 13 * day_ms))}" >/dev/null
  done
  stop_nodes
  for ((i = 0; i < nodes; i++)); do start_node "node$i" "$db"; done
  phase_start "$setup"
  pids=()
  for ((i = 0; i < nodes; i++)); do
    api "${node_ports[$i]}" POST "/v1/test_clocks/${clocks[$i]}/advance" \
      "{\"frozen_time\":$((trial_start_ms + 15 * day_ms))}" >/dev/null &
    pids+=("$!")
  done
  for i in "${pids[@]}"; do wait "$i"; done
  phase_end "$setup" conversions
  stop_nodes
  local trips="$round_trips" idle
  if [ "$setup" != sqlite ]; then
    # The same nodes idle for as long: what their pollers and start cost.
    for ((i = 0; i < nodes; i++)); do start_node "node$i" "$db"; done
    sleep "$phase_seconds"
    stop_nodes
    idle="$round_trips"
    record "$setup" round_trips_per_conversion \
      "$(echo "($trips - $idle) / ($share * $nodes)" | bc -l)"
  fi
}

for ((run = 1; run <= BENCH_RUNS; run++)); do
  for setup in sqlite pg1 pg2; do
    log "run $run of $BENCH_RUNS: $setup"
    run_setup "$setup" "$run"
  done
done

median() {  # setup, figure
  awk -F'\t' -v s="$1" -v f="$2" '$1 == s && $2 == f {print $3}' "$results" | sort -g |
    awk '{v[NR] = $1} END {if (NR == 0) print ""; else if (NR % 2) print v[(NR + 1) / 2];
         else print (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}
# A median and its ratio to SQLite's.
cell() {  # setup, figure
  local value base
  value="$(median "$1" "$2")"
  base="$(median sqlite "$2")"
  if [ "$1" = sqlite ]; then
    printf '%.0f' "$value"
  else
    printf '%.0f (%.2f×)' "$value" "$(echo "$value / $base" | bc -l)"
  fi
}
# The share of the CPU used in phase $2 that PostgreSQL used, for setup $1.
pg_share() {
  local nodes pg
  nodes="$(median "$1" "${2}_cpu_nodes")"
  pg="$(median "$1" "${2}_cpu_pg")"
  printf 'nodes %.1f s, PostgreSQL %.1f s (%.0f%%)' "$nodes" "$pg" \
    "$(echo "100 * $pg / ($nodes + $pg)" | bc -l)"
}

echo
echo "$BENCH_PAYERS trials per run, medians of $BENCH_RUNS runs, $(nproc) cores, load at the end $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| figure | SQLite | PostgreSQL, one node | PostgreSQL, two nodes |"
echo "|---|---|---|---|"
echo "| sign-ups/s | $(cell sqlite signups_per_s) | $(cell pg1 signups_per_s) | $(cell pg2 signups_per_s) |"
echo "| conversions/s | $(cell sqlite conversions_per_s) | $(cell pg1 conversions_per_s) | $(cell pg2 conversions_per_s) |"
printf '| CPU, sign-ups | recur %.1f s | %s | %s |\n' "$(median sqlite signups_cpu_nodes)" \
  "$(pg_share pg1 signups)" "$(pg_share pg2 signups)"
printf '| CPU, conversions | recur %.1f s | %s | %s |\n' "$(median sqlite conversions_cpu_nodes)" \
  "$(pg_share pg1 conversions)" "$(pg_share pg2 conversions)"
printf '| round trips per conversion | — | %.2f | %.2f |\n' \
  "$(median pg1 round_trips_per_conversion)" "$(median pg2 round_trips_per_conversion)"
