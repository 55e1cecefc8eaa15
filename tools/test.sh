#!/usr/bin/env bash
# Sets up and runs every test from a fresh clone: installs the Debian packages, checks the
# formatting and that includes follow the layers (tools/layers.conf), starts a throwaway
# PostgreSQL cluster, then builds and runs the unit and end-to-end tests twice, once as built
# for use (g++) and once under AddressSanitizer and UndefinedBehaviorSanitizer (clang, in the
# same build as the fuzz targets), and runs each fuzz target for a short while (fuzz/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."

tools/install-deps.sh
tools/check-format.sh
tools/check-layers.py --self-test
tools/check-layers.py

# Real clients from npm check our output independently: jose our entitlement tokens, svix and
# standardwebhooks our webhook signatures, stripe the fake Stripe of the tests, @clerk/backend our
# routes of Clerk's Backend API and our webhooks (verifyWebhook), swagger-parser and
# ajv our OpenAPI document and the exchanges of the end-to-end tests against it,
# openapi-typescript, openapi-fetch and typescript a client generated from it, playwright-core
# and axe-core the browser components in Debian's chromium. Without npm those checks are skipped.
# They install while the first build runs; the tests wait for them (install_npm_clients).
interop="$PWD/build/interop"
npm_log="$(mktemp -t recur-npm.XXXXXX)"
npm_install=""
if command -v npm >/dev/null; then
  mkdir -p "$interop"
  (cd "$interop" && { [ -f package.json ] || npm init -y >/dev/null; } &&
    npm install --no-audit --no-fund jose@6 svix standardwebhooks stripe@23 \
      @apidevtools/swagger-parser@13 ajv@8 openapi-typescript@7 openapi-fetch@0.17 typescript@5 \
      @types/node@20 playwright-core@1 axe-core@4 @clerk/backend@3) >"$npm_log" 2>&1 &
  npm_install=$!
else
  echo "npm unavailable: the interop checks will be skipped"
fi
install_npm_clients() {
  if wait "$npm_install"; then
    export RECUR_NODE_MODULES="$interop/node_modules"
  else
    echo "the npm packages did not install: the interop checks will be skipped"
    tail -n 20 "$npm_log"
  fi
  npm_install=""
}

# A throwaway PostgreSQL cluster for the PostgreSQL store's tests, removed however this ends
# (tools/pg-cluster.sh). Without it those tests fail: they are never skipped.
postgres_cluster="$(mktemp -d -t recur-test-postgres.XXXXXX)"
trap 'tools/pg-cluster.sh stop "$postgres_cluster"' EXIT
RECUR_TEST_POSTGRES="$(tools/pg-cluster.sh start "$postgres_cluster")"
export RECUR_TEST_POSTGRES

jobs="$(nproc)"
run_suite() {  # build folder, then CMake arguments
  local build="$1"
  shift
  cmake -S . -B "$build" "$@" >/dev/null
  cmake --build "$build" -j"$jobs"
  [ -z "$npm_install" ] || install_npm_clients
  ctest --test-dir "$build" --output-on-failure -j"$jobs"
}

echo "== tests (RelWithDebInfo)"
run_suite build -DCMAKE_BUILD_TYPE=RelWithDebInfo
echo "== tests under ASan + UBSan"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
  run_suite build-sanitize -DCMAKE_BUILD_TYPE=Debug -DRECUR_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++-16
echo "== fuzz targets: regressions, then 10 s each"
fuzz/run.sh 10
