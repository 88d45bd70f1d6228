#!/usr/bin/env bash
# Runs every test on one PostgreSQL major (15 unless told): the core's unit
# tests and the #[pg_test]s (through `cargo pgrx test pgNN`, against a
# cluster run as `postgres`), the golden suite through psql, and the
# end-to-end test over HTTP through the reference front-end; on 15 also the
# release tests: upgrade, dump/restore, hot standby, Debian package; on 17
# also pg_upgrade from 15, on 13 pg_upgrade to 18 (scripts/pg_upgrade_test.sh).
# Installs what it needs first (for a major other than 15, that may build it).
#   scripts/test.sh [--pg NN]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/pg_versions.sh

pg=$PG_DEFAULT
while [ $# -gt 0 ]; do
  case "$1" in
    --pg) pg=${2:-}; shift 2 || shift ;;
    --pg=*) pg=${1#--pg=}; shift ;;
    *) echo "usage: test.sh [--pg NN]" >&2; exit 2 ;;
  esac
done
# A partly tested major (16) runs every layer it can and says which it
# cannot (scripts/pg_versions.sh says why).
pg_check_testable "$pg" || exit 2

if [ -z "${NPGSQLREST_IN_ROOT:-}" ]; then
  bash scripts/setup.sh --pg "$pg"
fi
if pg_needs_root "$pg"; then
  # 17 lives in a Debian root (scripts/setup.sh): the whole suite runs
  # inside it, with this tree and the Rust toolchain bound in.
  exec bash scripts/in_root.sh "$(pg_os_root "$pg")" bash "$PWD/scripts/test.sh" --pg "$pg"
fi

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}
pgdata_root=${PGRX_TEST_DATA:-/tmp/npgsqlrest_logout-pgrx}
as_root mkdir -p "$pgdata_root"
as_root chown postgres "$pgdata_root"

echo "== PostgreSQL $pg: unit tests and pg_tests"
cargo pgrx test "pg$pg" --runas postgres --pgdata "$pgdata_root/pg$pg"

if pg_is_partly_tested "$pg"; then
  echo "== PostgreSQL $pg: golden suite NOT RUN: this build has no dblink, which it needs (scripts/pg_versions.sh)"
else
  echo "== PostgreSQL $pg: golden suite"
  bash scripts/golden.sh --pg "$pg"
fi

echo "== PostgreSQL $pg: end-to-end through the reference HTTP front-end"
bash scripts/e2e.sh --pg "$pg"

if [ "$pg" = 17 ]; then
  # Debian's own upgrade path (12 to 13): Debian 12's 15, unpacked into the
  # trixie root, to trixie's 17.
  echo "== releases: pg_upgrade from 15 to 17"
  bash scripts/pg_upgrade_test.sh 15 17
fi

if [ "$pg" = 13 ]; then
  # The oldest supported major to the newest, both built from Debian's
  # source packages into private prefixes (setup.sh builds 18 once).
  echo "== releases: pg_upgrade from 13 to 18"
  bash scripts/setup.sh --pg 18
  bash scripts/pg_upgrade_test.sh 13 18
fi

if [ "$pg" != "$PG_DEFAULT" ]; then
  # The release tests (upgrade, dump/restore, standby, package) cover the
  # Debian-packaged default major.
  exit 0
fi

echo "== releases: upgrade from 0.1.0, META.json"
bash scripts/upgrade_test.sh

echo "== releases: pg_dump / pg_restore"
bash scripts/dump_restore_test.sh

echo "== releases: hot standby"
bash scripts/standby_test.sh

echo "== releases: the Debian package"
bash scripts/package_test.sh

echo "== the library in shared_preload_libraries"
bash scripts/preload_test.sh
