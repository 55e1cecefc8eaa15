#!/usr/bin/env bash
# Builds the fuzz targets (in build-sanitize/) and runs each for a bounded time: first over its
# regression inputs (fuzz/regressions/TARGET, each must pass), then fuzzing from its seed corpus
# (fuzz/corpus/TARGET) and the regressions, with its dictionary. Fails on the first crash, leak,
# timeout or finding; the input that caused it is saved as build-sanitize/findings/TARGET/crash-...
#   fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]   (default: 25 seconds, every target)
# New inputs the fuzzer finds interesting go to build-sanitize/corpus/TARGET, not into the repo.
# The build folder is build-sanitize/, shared with the sanitized test suite of tools/test.sh;
# RECUR_FUZZ_BUILD names another, RECUR_FUZZ_CXX another clang++.
# Needs clang 16 or later with its libFuzzer runtime (tools/install-deps.sh installs them);
# without them it fails rather than skip.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-25}"
shift || true
targets=("$@")
if [ "${#targets[@]}" -eq 0 ]; then
  targets=(plan_file api_request webhook_url webhook_signature scenario event_body)
fi

compiler="${RECUR_FUZZ_CXX:-clang++-16}"
if ! command -v "$compiler" >/dev/null; then
  echo "fuzz: $compiler not found; install clang-16 and libclang-rt-16-dev (tools/install-deps.sh)" >&2
  exit 1
fi

build="${RECUR_FUZZ_BUILD:-build-sanitize}"
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Debug -DRECUR_FUZZ=ON -DCMAKE_CXX_COMPILER="$compiler" >/dev/null
cmake --build "$build" -j"$(nproc)" --target fuzz_targets

# A scratch folder in memory when there is one: the API target writes a small database per input.
if [ -d /dev/shm ] && [ -w /dev/shm ]; then export TMPDIR=/dev/shm; fi
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

for target in "${targets[@]}"; do
  binary="$build/fuzz/${target}_fuzzer"
  regressions="fuzz/regressions/$target"
  findings="$build/findings/$target"
  mkdir -p "$build/corpus/$target" "$findings" "$regressions"
  dictionary=()
  if [ -f "fuzz/dictionaries/$target.dict" ]; then
    dictionary=(-dict="fuzz/dictionaries/$target.dict")
  fi
  mapfile -t cases < <(find "$regressions" -type f ! -name '.*' | sort)
  echo "== fuzz $target: ${#cases[@]} regression inputs, then ${seconds} s"
  if [ "${#cases[@]}" -gt 0 ]; then
    "$binary" -runs=1 "${cases[@]}" >"$findings/regressions.log" 2>&1 ||
      { tail -n 40 "$findings/regressions.log" >&2; exit 1; }
  fi
  "$binary" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$findings/" "${dictionary[@]}" \
    "$build/corpus/$target" "fuzz/corpus/$target" "$regressions" >"$findings/fuzz.log" 2>&1 ||
    { tail -n 60 "$findings/fuzz.log" >&2; exit 1; }
  grep -E '^stat::(number_of_executed_units|new_units_added)' "$findings/fuzz.log" | tr '\n' ' '
  echo
done
