#!/usr/bin/env bash
# Installs what building and testing recur needs, from Debian's packages (Debian 12 "bookworm"),
# and the further packages named as arguments (the benchmark suite's tools).
set -euo pipefail

packages=(
  g++ cmake make pkg-config clang-format python3
  libcpp-httplib-dev libmicrohttpd-dev libsqlitecpp-dev libsqlite3-dev nlohmann-json3-dev libssl-dev
  libhowardhinnant-date-dev libgtest-dev libgmock-dev libjemalloc-dev libzstd-dev
  libpq-dev postgresql-15  # the PostgreSQL store, and the throwaway cluster its tests run on
  clang-16 libclang-rt-16-dev  # the fuzz targets (fuzz/README.md)
  nginx  # the reverse-proxy test runs deploy/nginx/recur.conf on it
  sqlite3  # the fault tests: another process on the database (tests/e2e/storage_faults_test.cc)
  python3-prometheus-client  # Prometheus's parser reads /metrics (tests/e2e/metrics_test.cc)
  libtomlplusplus-dev  # recur serve --config reads TOML (tools/recur/config_file.h)
  chromium  # the browser components' test drives it headless (tests/browser/components_test.mjs)
  "$@"
)

sudo_if_needed=()
if [ "$(id -u)" -ne 0 ]; then sudo_if_needed=(sudo); fi

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing: ${missing[*]}"
  "${sudo_if_needed[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_if_needed[@]}" apt-get install -y -qq "${missing[@]}"
fi
