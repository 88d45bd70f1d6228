#!/usr/bin/env bash
# A throwaway PostgreSQL cluster (15 unless told) run as the `postgres`
# user, reachable only through a Unix socket in its own directory.
#   scripts/cluster.sh [--pg NN | --pg-config PATH] start DIR [PORT]
#   scripts/cluster.sh [--pg NN | --pg-config PATH] restart DIR [PORT]
#   scripts/cluster.sh [--pg NN | --pg-config PATH] stop DIR
# CLUSTER_OPTIONS, when set, adds server options to start and restart
# (e.g. "-c shared_preload_libraries=npgsqlrest_logout").
# After `start`, connect with: psql -h DIR -p PORT -U postgres
set -euo pipefail
# shellcheck source=scripts/pg_versions.sh
. "$(dirname "$0")/pg_versions.sh"
pg_target_from_args "$@" || exit 2
set -- "${PG_REST_ARGS[@]}"

BIN=$("$PG_CONFIG" --bindir)
cmd=${1:?usage: cluster.sh [--pg NN] start|restart|stop DIR [PORT]}
dir=${2:?usage: cluster.sh [--pg NN] start|restart|stop DIR [PORT]}
port=${3:-54329}

as_postgres() {
  if [ "$(id -un)" = postgres ]; then "$@"; else sudo -u postgres "$@"; fi
}
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

case "$cmd" in
  start | restart)
    as_root mkdir -p "$dir"
    as_root chown postgres "$dir"
    as_root chmod 755 "$dir"
    if [ ! -f "$dir/data/PG_VERSION" ]; then
      as_postgres "$BIN/initdb" -D "$dir/data" -A trust -U postgres >/dev/null
    fi
    if [ "$cmd" = restart ]; then
      as_postgres "$BIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
    fi
    as_postgres "$BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
      -o "-k $dir -p $port -c listen_addresses='' -c fsync=off ${CLUSTER_OPTIONS:-}" start >/dev/null
    ;;
  stop)
    if [ -f "$dir/data/postmaster.pid" ]; then
      as_postgres "$BIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
    fi
    as_root rm -rf "$dir"
    ;;
  *)
    echo "usage: cluster.sh start|restart|stop DIR [PORT]" >&2
    exit 2
    ;;
esac
