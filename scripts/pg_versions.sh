# The PostgreSQL majors the project builds and tests, and where each comes
# from. Sourced by the other scripts; defines no behaviour of its own.
#   15  Debian 12's packages (/usr/bin/pg_config), the default
#   18  Debian sid's source package, built into a private prefix
# Add a major here (and to Cargo.toml's features, which pgrx already has for
# 13..18) only once its whole suite passes.

PG_SUPPORTED="15 18"
PG_DEFAULT=15
# contrib modules the tests use (the golden suite's dblink)
PG_CONTRIB_MODULES="dblink"

# Built servers live here: outside /root (which the `postgres` user cannot
# enter), kept between runs so the build happens once per machine.
pg_root_dir() { echo "${NPGSQLREST_PG_ROOT:-/opt/npgsqlrest_logout}"; }
pg_cache_dir() { echo "$(pg_root_dir)/cache"; }
pg_prefix() { echo "$(pg_root_dir)/pg$1"; }

# The Debian suite whose source package gives major $1.
pg_suite() {
  case "$1" in
    13) echo bullseye ;;
    18) echo sid ;;
    *) return 1 ;;
  esac
}

pg_config_for() {
  case "$1" in
    15) echo /usr/bin/pg_config ;;
    *) echo "$(pg_prefix "$1")/bin/pg_config" ;;
  esac
}

# Succeeds for a supported major; otherwise says which are, and fails.
pg_check_major() {
  local m
  for m in $PG_SUPPORTED; do
    [ "$1" = "$m" ] && return 0
  done
  echo "PostgreSQL '${1}' is not supported; supported majors: ${PG_SUPPORTED// /, } (default $PG_DEFAULT)" >&2
  return 1
}

# The major a pg_config belongs to ("PostgreSQL 18.1" -> 18).
pg_major_of_config() {
  "$1" --version | sed -n 's/^PostgreSQL \([0-9]*\).*/\1/p'
}
