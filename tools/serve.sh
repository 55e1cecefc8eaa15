#!/usr/bin/env bash
# Sets up and runs `recur serve` from a fresh clone: installs the Debian packages, builds an
# optimized binary (the same build the tests run), then serves the shipped plans/ on ./recur.db
# at 127.0.0.1:8080.
# Extra arguments go to `recur serve` (e.g. --addr 0.0.0.0:8080 --db /var/lib/recur/recur.db).
set -euo pipefail
cd "$(dirname "$0")/.."

tools/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" --target recur
exec build/recur serve "$@"
