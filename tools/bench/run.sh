#!/usr/bin/env bash
# The benchmark suite, one command from a fresh clone: installs what it needs, builds a release
# recur and the benchmark tools in build-bench/, measures every figure BENCH_RUNS times on this
# machine, prints a table of medians with each figure's ceiling (measured in the same run; the
# HTTP ceiling in rounds with the read path), the ratio to it and the target, and writes the
# same to BENCHMARKS.md at the repository root.
# Not part of tools/test.sh. Only loopback addresses are loaded; every run is bounded in time.
#
# Settings (environment):
#   BENCH_RUNS              runs of every figure, the median is reported          (3)
#   BENCH_PAYERS            payers signed up (each starts a Pro trial on one test clock); the
#                           read path and the scheduler run over them              (100000)
#   BENCH_DURATION          seconds of each wrk run                                (10)
#   BENCH_WRK_THREADS       wrk threads                                            (2)
#   BENCH_WRITE_CLIENTS     concurrent API clients of the write path               (32)
#   BENCH_WEBHOOK_PAYERS    payers whose events the webhook figures deliver (5 each) (4000)
#   BENCH_WEBHOOK_ENDPOINTS endpoints of the "many endpoints" webhook figure       (10)
#   BENCH_SQLITE_SECONDS    seconds of each SQLite ceiling probe                   (3)
#   BENCH_COHORT_PAYERS     payers of the cohort simulation (180 days, 4 designs)  (100000)
#   BENCH_RANDOM_SEQUENCES  random lifecycle sequences run once, on both backends (10000)
#   BENCH_OUT               the report written                                     (BENCHMARKS.md)
#   BENCH_REMARK            a sentence for the report, such as why sizes differ    (none)
set -euo pipefail
cd "$(dirname "$0")/../.."

BENCH_RUNS="${BENCH_RUNS:-3}"
BENCH_PAYERS="${BENCH_PAYERS:-100000}"
BENCH_DURATION="${BENCH_DURATION:-10}"
BENCH_WRK_THREADS="${BENCH_WRK_THREADS:-2}"
BENCH_WRITE_CLIENTS="${BENCH_WRITE_CLIENTS:-32}"
BENCH_WEBHOOK_PAYERS="${BENCH_WEBHOOK_PAYERS:-4000}"
BENCH_WEBHOOK_ENDPOINTS="${BENCH_WEBHOOK_ENDPOINTS:-10}"
BENCH_SQLITE_SECONDS="${BENCH_SQLITE_SECONDS:-3}"
BENCH_COHORT_PAYERS="${BENCH_COHORT_PAYERS:-100000}"
BENCH_RANDOM_SEQUENCES="${BENCH_RANDOM_SEQUENCES:-10000}"
BENCH_OUT="${BENCH_OUT:-BENCHMARKS.md}"
BENCH_REMARK="${BENCH_REMARK:-}"

readonly build=build-bench
readonly work="$PWD/$build/bench-work"
readonly results="$work/results.tsv"  # figure, value: one line per run
readonly secret_key="sk_test_bench0123456789abcdefghijklmnopqrstuv"
readonly trial_start_ms=1740787200000  # 2025-03-01T00:00:00Z, the test clock's start
readonly day_ms=86400000
started_at="$(date +%s)"
load_at_start="$(cut -d' ' -f1-3 /proc/loadavg)"
started_processes=()

log() { printf '== %s\n' "$*" >&2; }

# --- Set-up --------------------------------------------------------------------------------

install_tools() {
  tools/install-deps.sh wrk libbenchmark-dev sqlite3 jq curl iproute2 time
}

build_tools() {
  log "building recur and the benchmark tools (Release) in $build"
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DRECUR_BENCH=ON >/dev/null
  cmake --build "$build" -j"$(nproc)" --target bench_tools
}

stop_started_processes() {
  local pid
  for pid in "${started_processes[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  started_processes=()
}
trap stop_started_processes EXIT
trap 'echo "tools/bench/run.sh: failed at line $LINENO: $BASH_COMMAND" >&2' ERR

# Starts a tool that prints "listening PORT"; sets listener_port.
start_listener() {  # name, then the command
  local name="$1" out="$work/$1.out"
  shift
  "$@" >"$out" 2>"$work/$name.err" &
  started_processes+=("$!")
  for _ in $(seq 200); do
    if grep -q '^listening ' "$out" 2>/dev/null; then
      listener_port="$(awk '/^listening /{print $2; exit}' "$out")"
      return
    fi
    sleep 0.05
  done
  echo "$name did not start: $(cat "$work/$name.err")" >&2
  return 1
}

# Starts `recur serve` on a fresh database; sets recur_port and recur_pid.
start_recur() {  # name of the database, then more serve flags
  local name="$1" log_file="$work/$1.log"
  shift
  RECUR_SECRET_KEY="$secret_key" "$build/recur" serve --db "$work/$name.db" --plans plans \
    --addr 127.0.0.1:0 "$@" >/dev/null 2>"$log_file" &
  recur_pid="$!"
  started_processes+=("$recur_pid")
  for _ in $(seq 600); do
    if grep -q '"event":"listening"' "$log_file" 2>/dev/null; then
      recur_port="$(grep -m1 '"event":"listening"' "$log_file" | sed 's/.*"addr":"[^"]*:\([0-9]*\)".*/\1/')"
      return
    fi
    sleep 0.05
  done
  echo "recur serve did not start: $(tail -5 "$log_file")" >&2
  return 1
}

stop_recur() {
  kill -TERM "$recur_pid"
  wait "$recur_pid" 2>/dev/null || true
}

# An authenticated JSON call to recur; prints the answer's body, fails on a non-2xx status.
api() {  # method, path, [body]
  local body=()
  if [ $# -ge 3 ]; then body=(--data "$3"); fi
  curl -sS --fail-with-body --max-time 3600 -X "$1" "http://127.0.0.1:$recur_port$2" \
    -H "Authorization: Bearer $secret_key" -H 'Content-Type: application/json' "${body[@]}"
}

now_seconds() { date +%s.%N; }

# --- Results -------------------------------------------------------------------------------

record() { printf '%s\t%s\n' "$1" "$2" >>"$results"; }  # figure, value

# The median of a figure's runs ("" when it has none).
median() {
  awk -F'\t' -v figure="$1" '$1 == figure {print $2}' "$results" | sort -g |
    awk '{v[NR] = $1} END {if (NR == 0) exit; print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2)}'
}

latest() { awk -F'\t' -v figure="$1" '$1 == figure {v = $2} END {print v}' "$results"; }

runs_of() { awk -F'\t' -v figure="$1" '$1 == figure' "$results" | wc -l; }

# Remarks on the run (errors wrk saw, shortfalls), listed under the table.
note() {
  printf '%s\n' "$*" >>"$work/notes.txt"
  log "note: $*"
}

# --- Ceilings ------------------------------------------------------------------------------

measure_sqlite_ceiling() {
  log "SQLite ceilings (WAL, synchronous=FULL), ${BENCH_SQLITE_SECONDS}s each"
  for run in $(seq "$BENCH_RUNS"); do
    local out
    out="$("$build/bench_sqlite_ceiling" --dir "$work" --seconds "$BENCH_SQLITE_SECONDS" \
      --batch 100 --row-bytes 1536)"
    record sqlite_single "$(awk '$1 == "single_commits_per_s" {print $2}' <<<"$out")"
    record sqlite_batched "$(awk '$1 == "batched_rows_per_s" {print $2}' <<<"$out")"
  done
}

measure_micro() {
  log "micro-benchmarks (Google Benchmark, $BENCH_RUNS repetitions)"
  "$build/bench_micro" --benchmark_repetitions="$BENCH_RUNS" \
    --benchmark_display_aggregates_only=true --benchmark_out="$work/micro.json" \
    --benchmark_out_format=json >"$work/micro.txt" 2>&1
  local name nanoseconds per_second
  for name in PeriodBoundary PeriodIndexAt LifecycleStartTrial LifecycleTrialConversion \
    RenderConversionEvents CompressConversionEvents SignWebhook1KiB EntitlementLookup; do
    while read -r nanoseconds per_second; do
      record "micro_${name}_ns" "$nanoseconds"
      record "micro_${name}_per_s" "$per_second"
    done < <(jq -r --arg name "BM_$name" '.benchmarks[] |
      select(.run_name == $name and .run_type == "iteration") |
      "\(.real_time) \(.items_per_second)"' "$work/micro.json")
  done
}

# One wrk run against PORT; records FIGURE_rps, FIGURE_p50, FIGURE_p99 (ms).
wrk_run() {  # figure, port, connections, path, [random-payer path template]
  local figure="$1" port="$2" connections="$3" path="$4" template="${5:-}" out
  local args=(-t"$BENCH_WRK_THREADS" -c"$connections" -d"${BENCH_DURATION}s" --latency
    -H "Authorization: Bearer $secret_key")
  if [ -n "$template" ]; then
    wrk "${args[@]}" -s tools/bench/random_payer.lua "http://127.0.0.1:$port" -- \
      "$template" "$work/payer_ids.txt" >"$work/wrk.out" &
  else
    wrk "${args[@]}" "http://127.0.0.1:$port$path" >"$work/wrk.out" &
  fi
  local wrk_pid="$!" starved
  starved="$(starved_connections "$port")"
  wait "$wrk_pid"
  out="$(cat "$work/wrk.out")"
  printf '%s\n' "$out" >>"$work/wrk.txt"
  if [ "$starved" -gt 0 ]; then
    note "$figure: $starved of $connections connections had not been answered once by the middle of the run (waiting for a server thread); wrk's figures cover the others only"
  fi
  record "${figure}_rps" "$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")"
  record "${figure}_p50" "$(wrk_percentile 50 <<<"$out")"
  record "${figure}_p99" "$(wrk_percentile 99 <<<"$out")"
  local errors
  errors="$(awk '/Socket errors:|Non-2xx/ {gsub(/^ +/, ""); printf "%s; ", $0}' <<<"$out")"
  if [ -n "$errors" ]; then note "$figure ($path$template): ${errors%; }"; fi
}

# Server-side connections on PORT that have not been sent a single byte by the middle of a wrk
# run: connections still waiting for a server worker thread. wrk reports no error for them,
# since their requests never complete.
starved_connections() {  # port
  sleep "$(awk -v d="$BENCH_DURATION" 'BEGIN {print d / 2}')"
  ss -tniH state established "( sport = :$1 )" |
    awk '/^\t/ && !/bytes_sent:[1-9]/ {starved++} END {print starved + 0}'
}

# A latency percentile of wrk's --latency output, in milliseconds.
wrk_percentile() {
  awk -v p="$1%" '$1 == p {
    v = $2; unit = v; sub(/[0-9.]+/, "", unit); sub(/[a-z]+$/, "", v)
    print (unit == "us" ? v / 1000 : unit == "s" ? v * 1000 : v); exit }'
}

# --- recur ---------------------------------------------------------------------------------

# Payers signed up on the test clock, BENCH_PAYERS in BENCH_RUNS batches, each batch a run of
# the write-path figure.
measure_write_path() {
  clock_id="$(api POST /v1/test_clocks "{\"frozen_time\": $trial_start_ms, \"name\": \"bench\"}" |
    jq -r .id)"
  : >"$work/payer_ids.txt"
  local run per_run=$((BENCH_PAYERS / BENCH_RUNS)) payers out
  for run in $(seq "$BENCH_RUNS"); do
    payers=$((run == BENCH_RUNS ? BENCH_PAYERS - per_run * (BENCH_RUNS - 1) : per_run))
    log "write path, run $run: $payers payers sign up and start a trial, $BENCH_WRITE_CLIENTS clients"
    out="$("$build/bench_load" --port "$recur_port" --key "$secret_key" --payers "$payers" \
      --clients "$BENCH_WRITE_CLIENTS" --clock "$clock_id" --prefix "run$run" \
      --ids-out "$work/payer_ids.txt")"
    record write_payers_per_s "$(awk '$1 == "payers_per_s" {print $2}' <<<"$out")"
    record write_requests_per_s "$(awk '$1 == "requests_per_s" {print $2}' <<<"$out")"
    record write_p50 "$(awk '$1 == "p50_ms" {print $2}' <<<"$out")"
    record write_p99 "$(awk '$1 == "p99_ms" {print $2}' <<<"$out")"
  done
}

# The read path in rounds, each round the HTTP ceilings first and then every endpoint, so that a
# figure and the ceiling it is held to are measured seconds apart: the machine is shared, and
# its load changes from one minute to the next. Each run's ratio to its round's ceiling (a bare
# libmicrohttpd server on recur's transport settings) is recorded (FIGURE_ratio); the report
# gives the median of those. The bare cpp-httplib server recur used to run on is measured in
# the same rounds, for comparison.
measure_read_path() {
  local connections run endpoint ceiling_pid httplib_ceiling_pid httplib_port
  local -A templates=(
    [plans]=""
    [pricing]="/v1/pricing_table?payer_id={id}"
    [entitlement]="/v1/payers/{id}/entitlements/projects"
  )
  start_listener httplib_ceiling "$build/bench_http_ceiling"
  httplib_ceiling_pid="${started_processes[-1]}"
  httplib_port="$listener_port"
  start_listener http_ceiling "$build/bench_mhd_ceiling"
  ceiling_pid="${started_processes[-1]}"
  for connections in 8 64; do
    for run in $(seq "$BENCH_RUNS"); do
      log "read path, $connections connections, round $run: HTTP ceilings, plans, pricing, entitlement"
      wrk_run "http_ceiling_c$connections" "$listener_port" "$connections" /v1/plans
      wrk_run "httplib_ceiling_c$connections" "$httplib_port" "$connections" /v1/plans
      for endpoint in plans pricing entitlement; do
        wrk_run "read_${endpoint}_c$connections" "$recur_port" "$connections" /v1/plans \
          "${templates[$endpoint]}"
        record_ratios "read_${endpoint}_c$connections" "http_ceiling_c$connections"
      done
    done
  done
  kill "$ceiling_pid" "$httplib_ceiling_pid"
  wait "$ceiling_pid" "$httplib_ceiling_pid" 2>/dev/null || true
}

# Records FIGURE_ratio of the latest run of each of a figure's rps, p50 and p99 to the latest
# run of the ceiling's.
record_ratios() {  # figure, ceiling
  local suffix ratio
  for suffix in rps p50 p99; do
    ratio="$(awk -v a="$(latest "$1_$suffix")" -v b="$(latest "$2_$suffix")" \
      'BEGIN {if (a != "" && b > 0) print a / b}')"
    if [ -n "$ratio" ]; then record "$1_${suffix}_ratio" "$ratio"; fi
  done
}

# One advance of the test clock past every trial's end: trial-ending notices and conversions.
measure_scheduler() {
  local before after started seconds converted
  before="$(paid_attempts)"
  log "scheduler: advancing the test clock past $BENCH_PAYERS trial ends"
  started="$(now_seconds)"
  api POST "/v1/test_clocks/$clock_id/advance" \
    "{\"frozen_time\": $((trial_start_ms + 20 * day_ms))}" >/dev/null
  seconds="$(awk -v a="$started" -v b="$(now_seconds)" 'BEGIN {print b - a}')"
  after="$(paid_attempts)"
  converted=$((after - before))
  if [ "$converted" -ne "$BENCH_PAYERS" ]; then
    note "the advance converted $converted trials, not $BENCH_PAYERS"
  fi
  record scheduler_conversions_per_s "$(awk -v n="$converted" -v s="$seconds" 'BEGIN {print n / s}')"
  record scheduler_seconds "$seconds"
  record scheduler_peak_mib "$(awk '/^VmHWM:/ {print $2 / 1024}' "/proc/$recur_pid/status")"
}

# recur simulate cohort with the default designs: wall time, engine transitions per second and
# peak memory, from its stderr summary and /usr/bin/time.
measure_cohort() {
  log "cohort: recur simulate cohort --payers $BENCH_COHORT_PAYERS --days 180, $BENCH_RUNS runs"
  local run out
  for run in $(seq "$BENCH_RUNS"); do
    out="$(/usr/bin/time -f 'peak_kib %M' "$build/recur" simulate cohort --plans plans \
      --payers "$BENCH_COHORT_PAYERS" --days 180 2>&1 >/dev/null)"
    record cohort_seconds "$(sed -n 's/.* in \([0-9.]*\) s (.*/\1/p' <<<"$out")"
    record cohort_transitions_per_s "$(sed -n 's/.*transitions, \([0-9]*\) per second.*/\1/p' <<<"$out")"
    record cohort_peak_mib "$(awk '$1 == "peak_kib" {print $2 / 1024}' <<<"$out")"
  done
}

# Random lifecycle sequences (tests/random/), each on the memory store and on SQLite with every
# invariant checked after every step: sequences and steps per second. Run once (the sequences
# are the same every time); a broken invariant fails the suite with the shrunk scenario.
measure_random_lifecycle() {
  log "random lifecycle: $BENCH_RANDOM_SEQUENCES sequences on both backends"
  local out
  out="$("$build/recur_random_lifecycle" --sequences "$BENCH_RANDOM_SEQUENCES" 2>/dev/null)"
  record random_sequences_per_s "$(sed -n 's/.*: \([0-9]*\) sequences\/s.*/\1/p' <<<"$out")"
  record random_steps_per_s "$(sed -n 's/.*, \([0-9]*\) steps\/s.*/\1/p' <<<"$out")"
}

paid_attempts() {
  sqlite3 -readonly "$work/recur.db" "SELECT COUNT(*) FROM payment_attempts WHERE status = 'paid'"
}

receiver_count() { curl -sS "http://127.0.0.1:$receiver_port/count"; }

# Makes new endpoints at PATHS of the receiver (they get nothing for past events), recovers to
# each every event since SINCE (Unix ms), and times the dispatcher from the first recover until
# the receiver has answered them all; prints deliveries per second.
deliver_to_new_endpoints() {  # since, paths...
  local since="$1" ids=() path base queued=0 started deadline
  shift
  for path in "$@"; do
    ids+=("$(api POST /v1/webhook_endpoints \
      "{\"url\": \"http://127.0.0.1:$receiver_port$path\"}" | jq -r .id)")
  done
  base="$(receiver_count)"
  started="$(now_seconds)"
  for id in "${ids[@]}"; do
    queued=$((queued + $(api POST "/v1/webhook_endpoints/$id/recover" "{\"since\": $since}" |
      jq .queued)))
  done
  deadline=$((SECONDS + 60 + queued / 50))
  while [ "$(receiver_count)" -lt $((base + queued)) ]; do
    if [ "$SECONDS" -gt "$deadline" ]; then
      note "webhooks: only $(($(receiver_count) - base)) of $queued deliveries arrived in time"
      break
    fi
    sleep 0.02
  done
  awk -v n="$(($(receiver_count) - base))" -v a="$started" -v b="$(now_seconds)" \
    'BEGIN {print n / (b - a)}'
}

# The events come from payers signing up in real time in two groups, the second
# 1/BENCH_WEBHOOK_ENDPOINTS of them: one endpoint gets every event; each of the many endpoints
# the second group's, so that both figures deliver the same number.
measure_webhooks() {
  log "webhooks: $BENCH_WEBHOOK_PAYERS payers make the events"
  start_recur webhooks --webhook-allow-cidr 127.0.0.0/8
  start_listener receiver "$build/bench_receiver"
  receiver_port="$listener_port"
  local late=$((BENCH_WEBHOOK_PAYERS / BENCH_WEBHOOK_ENDPOINTS)) cutoff events run k paths
  "$build/bench_load" --port "$recur_port" --key "$secret_key" \
    --payers $((BENCH_WEBHOOK_PAYERS - late)) --clients "$BENCH_WRITE_CLIENTS" \
    --prefix hooks_early >/dev/null
  sleep 0.01
  cutoff="$(date +%s%3N)"
  sleep 0.01
  "$build/bench_load" --port "$recur_port" --key "$secret_key" --payers "$late" \
    --clients "$BENCH_WRITE_CLIENTS" --prefix hooks_late >/dev/null
  events="$(sqlite3 -readonly "$work/webhooks.db" "SELECT COUNT(*) FROM events")"
  for run in $(seq "$BENCH_RUNS"); do
    log "webhooks, run $run: $events events to 1 endpoint, then 1/$BENCH_WEBHOOK_ENDPOINTS of them to each of $BENCH_WEBHOOK_ENDPOINTS"
    record webhook_one "$(deliver_to_new_endpoints 0 "/one/$run")"
    paths=()
    for k in $(seq "$BENCH_WEBHOOK_ENDPOINTS"); do paths+=("/many/$run/$k"); done
    record webhook_many "$(deliver_to_new_endpoints "$cutoff" "${paths[@]}")"
  done
  stop_recur
  stop_started_processes
}

# --- Report --------------------------------------------------------------------------------

# Table rows: figure | unit | ceiling figure | target kind | target value | target text.
# Target kinds: ratio_min (ratio >= value), min (median >= value), max (median < value).
table_spec() {
  cat <<EOF
http_ceiling_c8_rps|req/s||||HTTP ceiling (libmicrohttpd), 8 connections
http_ceiling_c64_rps|req/s||||HTTP ceiling (libmicrohttpd), 64 connections
httplib_ceiling_c8_rps|req/s|http_ceiling_c8_rps|||old HTTP ceiling (cpp-httplib), 8 connections
httplib_ceiling_c64_rps|req/s|http_ceiling_c64_rps|||old HTTP ceiling (cpp-httplib), 64 connections
sqlite_single|commits/s||||durable single-row commit ceiling
sqlite_batched|rows/s||||batched commit ceiling (100 x 1.5 KiB rows)
micro_SignWebhook1KiB_per_s|signatures/s||||signing ceiling (HMAC-SHA256, 1 KiB)
read_plans_c8_rps|req/s|http_ceiling_c8_rps|ratio_min|0.5|GET /v1/plans, 8 conn
read_plans_c8_p50|ms|http_ceiling_c8_p50|||GET /v1/plans, 8 conn, p50
read_plans_c8_p99|ms|http_ceiling_c8_p99|max|5|GET /v1/plans, 8 conn, p99
read_pricing_c8_rps|req/s|http_ceiling_c8_rps|ratio_min|0.5|GET /v1/pricing_table?payer_id=, 8 conn
read_pricing_c8_p50|ms|http_ceiling_c8_p50|||GET /v1/pricing_table, 8 conn, p50
read_pricing_c8_p99|ms|http_ceiling_c8_p99|max|5|GET /v1/pricing_table, 8 conn, p99
read_entitlement_c8_rps|req/s|http_ceiling_c8_rps|ratio_min|0.5|GET /v1/payers/{id}/entitlements/{feature}, 8 conn
read_entitlement_c8_p50|ms|http_ceiling_c8_p50|||GET entitlement, 8 conn, p50
read_entitlement_c8_p99|ms|http_ceiling_c8_p99|max|5|GET entitlement, 8 conn, p99
read_plans_c64_rps|req/s|http_ceiling_c64_rps|||GET /v1/plans, 64 conn
read_plans_c64_p50|ms|http_ceiling_c64_p50|||GET /v1/plans, 64 conn, p50
read_plans_c64_p99|ms|http_ceiling_c64_p99|||GET /v1/plans, 64 conn, p99
read_pricing_c64_rps|req/s|http_ceiling_c64_rps|||GET /v1/pricing_table, 64 conn
read_pricing_c64_p50|ms|http_ceiling_c64_p50|||GET /v1/pricing_table, 64 conn, p50
read_pricing_c64_p99|ms|http_ceiling_c64_p99|||GET /v1/pricing_table, 64 conn, p99
read_entitlement_c64_rps|req/s|http_ceiling_c64_rps|||GET entitlement, 64 conn
read_entitlement_c64_p50|ms|http_ceiling_c64_p50|||GET entitlement, 64 conn, p50
read_entitlement_c64_p99|ms|http_ceiling_c64_p99|||GET entitlement, 64 conn, p99
write_payers_per_s|payers/s|sqlite_single|ratio_min|1.0|write: payers created + card + trial
write_requests_per_s|req/s||||write: requests
write_p50|ms||||write: request latency p50
write_p99|ms||||write: request latency p99
scheduler_conversions_per_s|conversions/s|sqlite_batched|min|20000|scheduler: trial conversions in one advance
scheduler_seconds|s||||scheduler: the advance took
scheduler_peak_mib|MiB||||recur serve peak memory (VmHWM)
cohort_seconds|s||max|60|cohort: ${BENCH_COHORT_PAYERS} payers x 4 designs x 180 days
cohort_transitions_per_s|transitions/s|micro_LifecycleTrialConversion_per_s|||cohort: engine transitions per second
cohort_peak_mib|MiB||||cohort: peak memory (max RSS)
random_sequences_per_s|sequences/s||||random lifecycle: ${BENCH_RANDOM_SEQUENCES} sequences, both backends, invariants after every step
random_steps_per_s|steps/s||||random lifecycle: steps
webhook_one|deliveries/s|micro_SignWebhook1KiB_per_s|min|5000|webhooks: 1 endpoint
webhook_many|deliveries/s|micro_SignWebhook1KiB_per_s|||webhooks: ${BENCH_WEBHOOK_ENDPOINTS} endpoints
micro_PeriodBoundary_ns|ns||||micro: period boundary
micro_PeriodIndexAt_ns|ns||||micro: period index at an instant
micro_LifecycleStartTrial_ns|ns||||micro: lifecycle step, trial start
micro_LifecycleTrialConversion_ns|ns||||micro: lifecycle step, trial conversion
micro_RenderConversionEvents_ns|ns||||micro: render the 6 events of a trial conversion
micro_CompressConversionEvents_ns|ns||||micro: compress the 6 events of a trial conversion
micro_SignWebhook1KiB_ns|ns||||micro: webhook signature, 1 KiB
micro_EntitlementLookup_ns|ns||||micro: entitlement lookup (100,000 payers)
EOF
}

# Numbers to 3 significant digits, thousands grouped.
format_number() {
  awk -v v="$1" 'BEGIN {
    if (v == "") { print "-"; exit }
    a = v < 0 ? -v : v
    if (a >= 100) s = sprintf("%.0f", v); else if (a >= 10) s = sprintf("%.1f", v);
    else s = sprintf("%.2f", v)
    n = split(s, parts, "."); i = parts[1]; out = ""
    while (length(i) > 3) { out = "," substr(i, length(i) - 2) out; i = substr(i, 1, length(i) - 3) }
    print i out (n > 1 ? "." parts[2] : "") }'
}

# The table in Markdown.
report_table() {
  echo "| figure | median | unit | ceiling | ratio | target | runs |"
  echo "|---|---:|---|---:|---:|---|---:|"
  local figure unit ceiling kind value text median ceiling_median ratio target met
  while IFS='|' read -r figure unit ceiling kind value text; do
    median="$(median "$figure")"
    ceiling_median="" ratio="" target="" met=""
    if [ -n "$ceiling" ]; then
      ceiling_median="$(median "$ceiling")"
      if [ "$(runs_of "${figure}_ratio")" -gt 0 ]; then  # measured in rounds with its ceiling
        ratio="$(median "${figure}_ratio")"
      elif [ -n "$median" ] && [ -n "$ceiling_median" ]; then
        ratio="$(awk -v a="$median" -v b="$ceiling_median" 'BEGIN {if (b > 0) print a / b}')"
      fi
      if [ -n "$ratio" ]; then
        ratio="$(awk -v r="$ratio" 'BEGIN {printf (r < 0.01 ? "%.4fx" : "%.2fx"), r}')"
      fi
    fi
    if [ -n "$kind" ] && [ -n "$median" ]; then
      case "$kind" in
        ratio_min) target=">= ${value}x of ceiling"
          met="$(awk -v r="${ratio%x}" -v t="$value" 'BEGIN {print ((r != "" && r >= t) ? "met" : "NOT met")}')" ;;
        min) target=">= $(format_number "$value") $unit"
          met="$(awk -v m="$median" -v t="$value" 'BEGIN {print ((m >= t) ? "met" : "NOT met")}')" ;;
        max) target="< $value $unit"
          met="$(awk -v m="$median" -v t="$value" 'BEGIN {print ((m < t) ? "met" : "NOT met")}')" ;;
      esac
      target="$target: $met"
    fi
    printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$text" "$(format_number "$median")" "$unit" \
      "$(format_number "$ceiling_median")" "${ratio:--}" "${target:--}" "$(runs_of "$figure")"
  done < <(table_spec)
}

machine_description() {
  echo "- CPU: $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(nproc) cores"
  echo "- memory: $(awk '/^MemTotal:/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
  echo "- kernel: $(uname -sr); $(. /etc/os-release && echo "$PRETTY_NAME")"
  echo "- compiler: $(g++ --version | head -1); cpp-httplib $(pkg-config --modversion cpp-httplib); SQLite $(sqlite3 --version | cut -d' ' -f1); wrk $(wrk -v 2>&1 | awk 'NR == 1 {print $2}')"
}

write_report() {
  local table="$1" elapsed="$2"
  {
    cat <<EOF
# Benchmarks

Measured by \`tools/bench/run.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC'); the suite took $((elapsed / 60)) min $((elapsed % 60)) s.
Each figure is the median of its runs; each ceiling was measured in the same run on the same
machine. The read path's ratios are the medians of each run's ratio to the HTTP ceiling run
just before it (see below). Run it again to bring this file up to date.

## Machine

$(machine_description)
- load average (1, 5, 15 min) at the start: $load_at_start; at the end: $(cut -d' ' -f1-3 /proc/loadavg)
  (other work on the machine competes with the suite for its cores and its disk)

## Command

\`\`\`sh
BENCH_RUNS=$BENCH_RUNS BENCH_PAYERS=$BENCH_PAYERS BENCH_DURATION=$BENCH_DURATION BENCH_WRK_THREADS=$BENCH_WRK_THREADS BENCH_WRITE_CLIENTS=$BENCH_WRITE_CLIENTS \\
  BENCH_WEBHOOK_PAYERS=$BENCH_WEBHOOK_PAYERS BENCH_WEBHOOK_ENDPOINTS=$BENCH_WEBHOOK_ENDPOINTS tools/bench/run.sh
\`\`\`

## Results

$table
EOF
    if [ "$BENCH_PAYERS" -ne 100000 ] || [ -n "$BENCH_REMARK" ]; then
      printf '\n'
      if [ "$BENCH_PAYERS" -ne 100000 ]; then
        printf 'This run signed up %s payers, not the default 100,000. ' "$BENCH_PAYERS"
      fi
      printf '%s\n' "$BENCH_REMARK"
    fi
    if [ -s "$work/notes.txt" ]; then
      printf '\nNoted during the run:\n\n'
      awk '!seen[$0]++ {print "- " $0}' "$work/notes.txt"
    fi
    cat <<EOF

## How each figure is measured

All servers and load generators run on this machine and talk over 127.0.0.1, so the load
generator competes with the server for the same $(nproc) cores.

- **HTTP ceiling**: \`bench_http_ceiling\`, a cpp-httplib server with recur's server settings
  (256 worker threads, TCP_NODELAY, keep-alive, full listen backlog) and allocator (jemalloc)
  answering every GET with a fixed 35-byte JSON body, loaded by wrk exactly as the read path: ${BENCH_WRK_THREADS} threads,
  8 or 64 kept-alive connections, ${BENCH_DURATION} s per run. It is measured in rounds with
  the read path: each round runs the ceiling, then plans, pricing table and entitlement, so
  that each figure is held to a ceiling taken seconds before it under the same load from other
  work. A read figure's ratio is the median over the rounds of its run divided by its round's
  ceiling run; the ceiling column shows the ceiling's median.
- **Durable single-commit ceiling**: \`bench_sqlite_ceiling\`, a fresh WAL database with
  \`synchronous=FULL\` in build-bench/, committing one 64-byte row per transaction for
  ${BENCH_SQLITE_SECONDS} s. **Batched ceiling**: the same with 100 rows of 1.5 KiB per
  transaction, in rows per second.
- **Signing ceiling**: \`bench_micro\`'s webhook signature of a 1 KiB body (HMAC-SHA256 plus
  base64, as the dispatcher signs each attempt), signatures per second.
- **Read path**: \`recur serve\` (release build, its access log written to a file) over the
  database of the write path (${BENCH_PAYERS} payers, each on a Pro trial). wrk with
  ${BENCH_WRK_THREADS} threads and 8 or 64 connections for ${BENCH_DURATION} s per run:
  \`GET /v1/plans\` (public), \`GET /v1/pricing_table?payer_id=\` (secret key, as for any payer) and
  \`GET /v1/payers/{id}/entitlements/projects\` (secret key), the last two for a payer drawn at
  random per request (tools/bench/random_payer.lua). Requests per second and wrk's latency
  percentiles. recur (like the HTTP ceiling, which has its settings) holds a worker thread per
  kept-alive connection, 256 in all: the suite counts the connections that had no answer by the
  middle of a run, which wrk itself does not report, and notes them above.
- **Write path**: \`bench_load\`, ${BENCH_WRITE_CLIENTS} client threads with a kept-alive
  connection each, signs up ${BENCH_PAYERS} payers on one test clock in ${BENCH_RUNS} runs:
  \`POST /v1/payers\`, \`POST /v1/payers/{id}/payment_methods\` (\`pm_card_visa\`),
  \`POST /v1/payers/{id}/subscription_items\` (\`pro\`, which starts its 14-day trial), without
  Idempotency-Key headers. recur answers each after a durable commit (\`synchronous=FULL\`).
  Payers per second; the ratio compares it with single-row commits per second.
- **Scheduler**: after the read path, one \`POST /v1/test_clocks/{id}/advance\` to 20 days
  after the trials started, which answers once all the work is done: per payer the Pro plan's
  three trial-ending notices (7, 3 and 1 days before) and the conversion (charge and new
  period). Conversions (paid payment attempts made by the advance) divided by the advance's
  wall time; one run, since an advance uses up the trials. Peak memory is recur serve's VmHWM
  at the end of it (the whole process life: write path, read path and advance).
- **Cohort**: \`recur simulate cohort --payers ${BENCH_COHORT_PAYERS} --days 180\` (the four
  default designs, two at a time on the two cores, accounts in memory), ${BENCH_RUNS} runs: the
  wall time it prints (target: under a minute for 100,000 payers), the engine transitions
  (each a change and its events, stored in one transaction) per second against one core's pure
  lifecycle step (the conversion micro-benchmark), and the process's peak RSS.
- **Webhooks**: a second \`recur serve\` on a fresh database (\`--webhook-allow-cidr
  127.0.0.0/8\`) and \`bench_receiver\`, which answers 200 at once. ${BENCH_WEBHOOK_PAYERS}
  payers sign up with a trial in real time (5 events each), the last
  1/${BENCH_WEBHOOK_ENDPOINTS} of them after a noted instant. Per run, new endpoints are created
  (they get nothing for past events), then \`POST /v1/webhook_endpoints/{id}/recover\` queues
  the events for them: all of them (\`since\` 0) for the one endpoint; those since the noted
  instant for each of the ${BENCH_WEBHOOK_ENDPOINTS} endpoints (different paths of the same
  receiver), so both figures deliver the same number. Deliveries per second is the number the
  receiver answered divided by the time from the first recover until the last arrived. This
  times the dispatcher alone: the events and their fan-out were made beforehand. The rate to
  one endpoint depends on how many deliveries are queued, so compare runs made with the same
  BENCH_WEBHOOK_PAYERS.
- **Micro**: \`bench_micro\` (Google Benchmark, ${BENCH_RUNS} repetitions, median): period
  boundary and period index maths, one lifecycle step (a Pro trial start; a trial conversion
  with its paid charge applied; each including the copy of the account), rendering the six
  webhook bodies of a whole trial conversion (three notices, the charge, its outcome: about
  14.5 KB) and compressing them as the store keeps them (to about 850 bytes), the webhook
  signature, and an entitlement check among 100,000 cached payers, in nanoseconds per
  operation.
  Debian's Google Benchmark library warns that it was built as DEBUG: that is the harness; the
  code measured is built Release.
EOF
  } >"$BENCH_OUT"
}

# --- Main ----------------------------------------------------------------------------------

main() {
  install_tools
  build_tools
  rm -rf "$work"
  mkdir -p "$work"
  : >"$results"
  : >"$work/notes.txt"
  log "BENCH_RUNS=$BENCH_RUNS BENCH_PAYERS=$BENCH_PAYERS BENCH_DURATION=$BENCH_DURATION"

  measure_sqlite_ceiling
  measure_micro

  start_recur recur
  measure_write_path
  measure_read_path
  measure_scheduler
  stop_recur
  stop_started_processes

  measure_webhooks
  measure_cohort
  measure_random_lifecycle

  local table elapsed
  table="$(report_table)"
  elapsed=$(($(date +%s) - started_at))
  write_report "$table" "$elapsed"
  printf '\n%s\n' "$table"
  if [ -s "$work/notes.txt" ]; then awk '!seen[$0]++ {print "- " $0}' "$work/notes.txt"; fi
  printf '\nsuite took %d s; report written to %s\n' "$elapsed" "$BENCH_OUT"
  rm -f "$work"/*.db "$work"/*.db-wal "$work"/*.db-shm "$work"/*.db.sandbox*
}

main "$@"
