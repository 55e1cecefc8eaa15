#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster for the tests:
#   tools/pg-cluster.sh start FOLDER   makes the cluster (initdb), starts it and prints its
#                                      connection string (also written to FOLDER/conninfo)
#   tools/pg-cluster.sh stop FOLDER    stops it and removes it and FOLDER
#   tools/pg-cluster.sh halt FOLDER    stops its server, keeping its data (a restart's first half)
#   tools/pg-cluster.sh resume FOLDER  starts a halted server again, on the same port
# It listens on a free port of 127.0.0.1 and on a unix socket beside its data, nowhere else,
# with fsync off (a test cluster need not survive a power cut). PostgreSQL refuses to run as
# root, so as root (CI) the cluster belongs to the `postgres` user of Debian's package, and its
# data lives in a folder of the temporary directory that user can reach (FOLDER may be where it
# cannot, under /root say; FOLDER/data-folder names it). The binaries are Debian's postgresql-15
# (tools/install-deps.sh); PG_BIN names another folder of them.
set -euo pipefail

usage() {
  echo "usage: $0 start|stop|halt|resume FOLDER" >&2
  exit 2
}
[ $# -eq 2 ] || usage
command="$1"
folder="$2"
bin="${PG_BIN:-/usr/lib/postgresql/15/bin}"

as_owner=()
if [ "$(id -u)" -eq 0 ]; then
  owner=postgres
  if ! id "$owner" >/dev/null 2>&1; then
    echo "$0: running as root needs the user '$owner' (Debian's postgresql-15 package makes it)" >&2
    exit 1
  fi
  as_owner=(runuser -u "$owner" --)
fi

# A port nobody listens on now, from the kernel's own choice.
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Starts the server of the cluster in $1 on port $2 and waits until it accepts connections.
launch() {
  "${as_owner[@]}" "$bin/pg_ctl" -D "$1/data" -l "$1/server.log" -w -t 30 start \
    -o "-p $2 -c listen_addresses=127.0.0.1 -c unix_socket_directories=$1 \
        -c fsync=off -c synchronous_commit=off -c full_page_writes=off \
        -c max_connections=200" >/dev/null
}

start() {
  if [ -e "$folder/data-folder" ]; then
    echo "$0: a cluster already runs for $folder; stop it first" >&2
    exit 1
  fi
  if [ ! -x "$bin/initdb" ]; then
    echo "$0: no $bin/initdb: install postgresql-15 (tools/install-deps.sh)" >&2
    exit 1
  fi
  mkdir -p "$folder"
  local data
  data="$(mktemp -d "${TMPDIR:-/tmp}/recur-postgres.XXXXXX")"
  echo "$data" >"$folder/data-folder"
  [ ${#as_owner[@]} -eq 0 ] || chown "$owner" "$data"
  "${as_owner[@]}" "$bin/initdb" -D "$data/data" -U recur -A trust -E UTF8 --no-locale \
    --no-sync >"$folder/initdb.log" 2>&1 || {
    cat "$folder/initdb.log" >&2
    exit 1
  }
  local port tries=0
  while :; do
    port="$(free_port)"
    if launch "$data" "$port"; then
      break
    fi
    # Another program may have taken the port between the choice and the start.
    tries=$((tries + 1))
    if [ "$tries" -ge 3 ]; then
      cat "$data/server.log" >&2
      exit 1
    fi
  done
  local conninfo="host=127.0.0.1 port=$port user=recur dbname=postgres"
  echo "$conninfo" >"$folder/conninfo"
  echo "$conninfo"
}

stop() {
  if [ -e "$folder/data-folder" ]; then
    local data
    data="$(cat "$folder/data-folder")"
    if [ -e "$data/data/postmaster.pid" ]; then
      "${as_owner[@]}" "$bin/pg_ctl" -D "$data/data" -m immediate -w stop >/dev/null || true
    fi
    case "$data" in */recur-postgres.*) rm -rf "$data" ;; esac
  fi
  rm -rf "$folder"
}

halt() {
  local data
  data="$(cat "$folder/data-folder")"
  "${as_owner[@]}" "$bin/pg_ctl" -D "$data/data" -m fast -w stop >/dev/null
}

resume() {
  local data port
  data="$(cat "$folder/data-folder")"
  port="$(sed -n 's/.*port=\([0-9]*\).*/\1/p' "$folder/conninfo")"
  launch "$data" "$port" || {
    cat "$data/server.log" >&2
    exit 1
  }
}

case "$command" in
  start) start ;;
  stop) stop ;;
  halt) halt ;;
  resume) resume ;;
  *) usage ;;
esac
