# The PostgreSQL majors the project builds and tests, and where each comes
# from. Sourced by the other scripts; defines no behaviour of its own.
#   13  Debian bullseye's source package, built into a private prefix
#   15  Debian 12's packages (/usr/bin/pg_config), the default
#   16  no Debian suite has it: PyPI's pgserver wheel, which bundles a build
#       of it with server headers and PGXS, unpacked into a private prefix
#   17  Debian trixie's own binary packages, in a minimal trixie root made
#       by debootstrap; builds and tests run inside it (scripts/in_root.sh)
#   18  Debian sid's source package, built into a private prefix
# Add a major here (and to Cargo.toml's features, which pgrx already has for
# 13..18) only once its whole suite passes.

PG_SUPPORTED="13 15 17 18"
# Majors setup.sh can build and register, but whose suite does not pass yet
# (none today).
PG_BUILD_ONLY=""
# Majors whose suite passes but for a part that cannot run: setup.sh
# installs and registers them, and the scripts accept them one by one
# (cargo pgrx test, e2e.sh); scripts/test.sh runs those parts and says
# which it cannot.
# 16 (the pgserver wheel) lacks dblink, which the golden suite needs, and
# no PostgreSQL source on hand builds a working dblink for 16: 18's
# dblink.c uses 17's and 18's server APIs (SCRAM pass-through keys in Port,
# WaitEventExtensionNew, libpqsrv_exec), and 13's calls
# pg_foreign_server_aclcheck, which 16 no longer has.
PG_PARTLY_TESTED="16"
PG_DEFAULT=15
# contrib modules the tests use (the golden suite's dblink)
PG_CONTRIB_MODULES="dblink"

# The seed's routines (SPEC §10) for major $1, as a path from the project's
# root: verbatim, with BEGIN ATOMIC bodies, from 14 on; 13 lacks those and
# loads a copy with classic string bodies.
pg_seed_routines() {
  if [ "$1" -ge 14 ]; then
    echo pgrx-tests/fixtures/seed_routines.sql
  else
    echo pgrx-tests/fixtures/seed_routines_pg13.sql
  fi
}

# Built servers live here: outside /root (which the `postgres` user cannot
# enter), kept between runs so the build happens once per machine.
pg_root_dir() { echo "${NPGSQLREST_PG_ROOT:-/opt/npgsqlrest_logout}"; }
pg_cache_dir() { echo "$(pg_root_dir)/cache"; }
pg_prefix() { echo "$(pg_root_dir)/pg$1"; }
# This directory, for scripts that run themselves again inside a root.
PG_SCRIPTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# The Debian suite whose root (made by debootstrap) carries major $1's own
# binary packages; fails for a major that does not come that way.
pg_root_suite() {
  case "$1" in
    17) echo trixie ;;
    *) return 1 ;;
  esac
}
# Where that root lives, outside it.
pg_os_root() { echo "$(pg_root_dir)/$(pg_root_suite "$1")-root"; }
# Succeeds when major $1 comes from a root and this shell is outside it:
# then its builds and tests must run inside (scripts/in_root.sh).
pg_needs_root() {
  pg_root_suite "$1" >/dev/null && [ -z "${NPGSQLREST_IN_ROOT:-}" ]
}

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
    15) if [ -n "${NPGSQLREST_IN_ROOT:-}" ]; then
          # Debian 12's 15, unpacked into the root for pg_upgrade
          echo /usr/lib/postgresql/15/bin/pg_config
        else
          echo /usr/bin/pg_config
        fi ;;
    17) if [ -n "${NPGSQLREST_IN_ROOT:-}" ]; then
          echo /usr/lib/postgresql/17/bin/pg_config
        else
          echo "$(pg_os_root 17)/usr/lib/postgresql/17/bin/pg_config"
        fi ;;
    # The wheel's own layout: its programs find libpq relative to themselves
    16) echo "$(pg_prefix 16)/pgserver/pginstall/bin/pg_config" ;;
    *) echo "$(pg_prefix "$1")/bin/pg_config" ;;
  esac
}

# Succeeds for a supported major; otherwise says which are, and fails.
pg_check_major() {
  local m
  for m in $PG_SUPPORTED; do
    [ "$1" = "$m" ] && return 0
  done
  if pg_is_partly_tested "$1"; then
    echo "PostgreSQL $1 is only partly tested (scripts/pg_versions.sh says why): scripts/test.sh --pg $1 runs the parts it can" >&2
    return 1
  fi
  echo "PostgreSQL '${1}' is not supported; supported majors: ${PG_SUPPORTED// /, } (default $PG_DEFAULT)" >&2
  return 1
}

# Succeeds for a major whose suite runs only in part.
pg_is_partly_tested() {
  local m
  for m in $PG_PARTLY_TESTED; do
    [ "$1" = "$m" ] && return 0
  done
  return 1
}

# As pg_check_major, but also accepts the majors whose suite runs only in
# part (the single scripts take them; scripts/test.sh does not).
pg_check_testable() {
  pg_is_partly_tested "$1" || pg_check_major "$1"
}

# As pg_check_major, but also accepts the majors that can only be built.
pg_check_buildable() {
  local m
  for m in $PG_BUILD_ONLY $PG_PARTLY_TESTED; do
    [ "$1" = "$m" ] && return 0
  done
  pg_check_major "$1"
}

# The major a pg_config belongs to ("PostgreSQL 18.1" -> 18).
pg_major_of_config() {
  "$1" --version | sed -n 's/^PostgreSQL \([0-9]*\).*/\1/p'
}

# Fails unless the server at socket dir $1, port $2 runs major $3; prints
# its version.
pg_expect_server_major() {
  local v
  v=$(psql -X -At -h "$1" -p "$2" -U postgres -d postgres -c 'show server_version') || return 1
  echo "server: PostgreSQL $v"
  if [ "${v%%.*}" != "$3" ]; then
    echo "expected a PostgreSQL $3 server, got $v" >&2
    return 1
  fi
}

# Reads a leading `--pg NN` or `--pg-config PATH` from the arguments and
# sets PG_MAJOR and PG_CONFIG (default: PostgreSQL 15's pg_config); the
# arguments left over are in PG_REST_ARGS. Fails, saying why, for a major
# that is not supported or a pg_config that is not there. For a major that
# lives in a root (17), outside it, runs the calling script again inside
# the root with the same arguments, and exits with its status.
pg_target_from_args() {
  PG_CONFIG=$(pg_config_for "$PG_DEFAULT")
  PG_REST_ARGS=()
  local all=("$@") major=
  while [ $# -gt 0 ]; do
    case "$1" in
      --pg) pg_check_testable "${2:-}" || return 1
            major=$2; PG_CONFIG=$(pg_config_for "$2"); shift 2 ;;
      --pg=*) pg_check_testable "${1#--pg=}" || return 1
              major=${1#--pg=}; PG_CONFIG=$(pg_config_for "$major"); shift ;;
      --pg-config) PG_CONFIG=${2:-}; shift 2 || shift ;;
      --pg-config=*) PG_CONFIG=${1#--pg-config=}; shift ;;
      *) PG_REST_ARGS+=("$1"); shift ;;
    esac
  done
  if [ -n "$major" ] && pg_needs_root "$major"; then
    local root
    root=$(pg_os_root "$major")
    if [ ! -f "$root/.complete-pg$major" ]; then
      echo "no PostgreSQL $major root at '$root' (run scripts/setup.sh --pg $major first)" >&2
      return 1
    fi
    exec bash "$PG_SCRIPTS_DIR/in_root.sh" "$root" \
      bash "$PG_SCRIPTS_DIR/$(basename "$0")" "${all[@]}"
  fi
  if [ ! -x "$PG_CONFIG" ]; then
    echo "no pg_config at '$PG_CONFIG' (run scripts/setup.sh --pg NN first)" >&2
    return 1
  fi
  PG_MAJOR=$(pg_major_of_config "$PG_CONFIG")
  pg_check_testable "$PG_MAJOR" || return 1
  if pg_is_partly_tested "$PG_MAJOR"; then
    echo "note: PostgreSQL $PG_MAJOR is only partly tested (scripts/pg_versions.sh)" >&2
  fi
}
