#!/usr/bin/env bash
# `cmake --install` into a temporary prefix, then the installed files checked and the installed
# binary run: --version, `plans check` on the example plans, and `recur serve` on them until
# it answers /healthz on a loopback port. The installed systemd unit is checked with
# `systemd-analyze verify` when the machine has it (skipped, and said so, when it has not).
# Usage: install_test.sh BUILD_DIR
set -euo pipefail
build_dir=$1
prefix=$(mktemp -d /tmp/recur-install-XXXXXX)
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" || true; fi
  rm -rf "$prefix"
}
trap cleanup EXIT
fail() { echo "install test: $*" >&2; exit 1; }

cmake --install "$build_dir" --prefix "$prefix" >/dev/null

for file in bin/recur share/doc/recur/README.md share/doc/recur/operating.md \
    share/doc/recur/openapi.json share/doc/recur/examples/plans lib/systemd/system/recur.service; do
  [ -e "$prefix/$file" ] || fail "$file is not installed"
done
[ -x "$prefix/bin/recur" ] || fail "bin/recur is not executable"
grep -qx "ExecStart=$prefix/bin/recur serve" "$prefix/lib/systemd/system/recur.service" ||
  fail "the installed unit does not start the installed binary"

"$prefix/bin/recur" --version | grep -q '^recur [0-9]' || fail "recur --version"
"$prefix/bin/recur" plans check "$prefix/share/doc/recur/examples/plans" >/dev/null ||
  fail "the example plans do not pass recur plans check"

# The installed binary serves the example plans.
work="$prefix/var"
mkdir -p "$work"
RECUR_SECRET_KEY=sk_test_0123456789abcdefghijklmnopqrstuvwxyzABCD \
  "$prefix/bin/recur" serve --addr 127.0.0.1:0 --db "$work/recur.db" \
  --plans "$prefix/share/doc/recur/examples/plans" 2>"$work/serve.log" >/dev/null &
server_pid=$!
port=
for _ in $(seq 1 300); do
  port=$(grep -o '"addr":"127.0.0.1:[0-9]*"' "$work/serve.log" | head -1 | grep -o '[0-9]*"$' | tr -d '"') || true
  [ -n "$port" ] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/serve.log" >&2; fail "recur serve exited"; }
  sleep 0.1
done
[ -n "$port" ] || fail "recur serve did not listen"
python3 - "$port" <<'PY' || fail "/healthz did not answer 200"
import sys, urllib.request
with urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/healthz", timeout=10) as answer:
    sys.exit(0 if answer.status == 200 else 1)
PY
kill -TERM "$server_pid"
wait "$server_pid" || fail "recur serve did not exit 0 on SIGTERM"
server_pid=

if command -v systemd-analyze >/dev/null; then
  # Only the unit's own problems fail the test: verify also reports units it pulls in.
  output=$(systemd-analyze verify "$prefix/lib/systemd/system/recur.service" 2>&1) || true
  if echo "$output" | grep -i "recur.service"; then fail "systemd-analyze verify: $output"; fi
else
  echo "install test: systemd-analyze is not installed; the unit was not verified"
fi
echo "install test: passed ($prefix)"
