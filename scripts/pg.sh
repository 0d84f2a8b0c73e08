#!/usr/bin/env bash
# The project-local PostGIS cluster: .data/pg, its socket in .data/run, its own port.
# PostgreSQL refuses to run as root, so as root every server command runs as the postgres user.
set -euo pipefail

root_dir=$(cd "$(dirname "$0")/.." && pwd)
data_dir=${GISGOV_DATA_DIR:-$root_dir/.data}
port=${GISGOV_PG_PORT:-55432}
mkdir -p "$data_dir"
# As root, the postgres user must reach the cluster's folder; a checkout under /root is out of
# its reach, so the cluster then lives in /var/lib/gisgov, keyed by the checkout's path.
cluster_dir=$data_dir
if [ "$(id -u)" = 0 ] && ! runuser -u postgres -- test -x "$data_dir" 2>/dev/null; then
  cluster_dir=/var/lib/gisgov/$(echo "$data_dir" | md5sum | cut -c1-12)
  mkdir -p "$cluster_dir"
  chown postgres "$cluster_dir"
fi
pgdata=$cluster_dir/pg
run_dir=$cluster_dir/run
db_name=${GISGOV_DB_NAME:-gisgov}
pg_bin=$(ls -d /usr/lib/postgresql/15/bin 2>/dev/null || dirname "$(command -v pg_ctl)")

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

psql_local() {
  PGOPTIONS="-c client_min_messages=warning" psql -h 127.0.0.1 -p "$port" -U gisgov -v ON_ERROR_STOP=1 -qAt "$@"
}

is_running() {
  [ -f "$pgdata/postmaster.pid" ] && as_owner "$pg_bin/pg_ctl" -D "$pgdata" status >/dev/null 2>&1
}

init_cluster() {
  mkdir -p "$run_dir"
  if [ "$(id -u)" = 0 ]; then
    chown postgres "$run_dir"
    install -d -o postgres "$pgdata"
  else
    mkdir -p "$pgdata"
  fi
  chmod 700 "$pgdata"
  as_owner "$pg_bin/initdb" -D "$pgdata" -U gisgov --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  cat >>"$pgdata/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$run_dir'
shared_buffers = 1GB
work_mem = 64MB
maintenance_work_mem = 512MB
max_wal_size = 4GB
fsync = ${GISGOV_PG_FSYNC:-on}
jit = off
CONF
}

start() {
  [ -f "$pgdata/PG_VERSION" ] || init_cluster
  if ! is_running; then
    as_owner "$pg_bin/pg_ctl" -D "$pgdata" -l "$run_dir/postgresql.log" -w -t 60 start >/dev/null
  fi
  if [ -z "$(psql_local -d postgres -c "SELECT 1 FROM pg_database WHERE datname = '$db_name'")" ]; then
    psql_local -d postgres -c "CREATE DATABASE $db_name"
  fi
  psql_local -d "$db_name" -c "CREATE EXTENSION IF NOT EXISTS postgis"
  echo "PostGIS cluster up: 127.0.0.1:$port (data in $pgdata), database $db_name"
}

stop() {
  if is_running; then as_owner "$pg_bin/pg_ctl" -D "$pgdata" -w -m fast stop >/dev/null; fi
  echo "PostGIS cluster stopped"
}

reset() {
  stop
  rm -rf "$pgdata" "$run_dir"
  start
}

# Where the cluster lives, for tools that want its socket (bench, backups).
where() {
  echo "$run_dir"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  reset) reset ;;
  status) if is_running; then echo running; else echo stopped; fi ;;
  socket-dir) where ;;
  *) echo "usage: $0 start|stop|reset|status|socket-dir" >&2; exit 2 ;;
esac
