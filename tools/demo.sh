#!/usr/bin/env bash
# Shows Recur's browser components in a browser, from a fresh clone: builds recur when needed,
# starts `recur serve` (the sandbox gateway, the shipped plans, a throwaway database) and the demo
# application of tools/demo/app.py, whose backend signs a user in and mints a payer session, and
# prints the URL to open. Ctrl-C stops both and removes the database.
#   tools/demo.sh [APP_PORT [RECUR_PORT]]     (defaults 8000 and 8080)
set -euo pipefail
cd "$(dirname "$0")/.."
app_port="${1:-8000}"
recur_port="${2:-8080}"

if [ ! -x build/recur ]; then
  tools/install-deps.sh
  cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build build -j"$(nproc)" --target recur
fi

folder="$(mktemp -d -t recur-demo.XXXXXX)"
key="sk_test_demo_$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')"
pids=()
stop() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait
  rm -rf "$folder"
}
trap stop EXIT
trap 'exit 0' INT TERM

RECUR_SECRET_KEY="$key" build/recur serve --db "$folder/recur.db" --plans plans \
  --addr "127.0.0.1:$recur_port" --allowed-origin "http://127.0.0.1:$app_port" --log-level warn &
pids+=($!)
for _ in $(seq 50); do
  (exec 3<>"/dev/tcp/127.0.0.1/$recur_port") 2>/dev/null && break
  sleep 0.1
done
RECUR_URL="http://127.0.0.1:$recur_port" RECUR_SECRET_KEY="$key" \
  python3 tools/demo/app.py "$app_port" &
pids+=($!)

echo "Recur (sandbox: no money moves) at http://127.0.0.1:$recur_port"
echo "Open http://127.0.0.1:$app_port : the pricing table; sign in to subscribe. Ctrl-C stops."
wait
