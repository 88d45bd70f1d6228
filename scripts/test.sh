#!/usr/bin/env bash
# Runs every test: the core's unit tests and the #[pg_test]s (through
# `cargo pgrx test`, against a cluster run as `postgres`), the golden
# suite through psql, and the end-to-end test over HTTP through the
# reference front-end, and the release tests: upgrade, dump/restore, hot
# standby, Debian package. Installs what it needs first.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}
pgdata_root=${PGRX_TEST_DATA:-/tmp/npgsqlrest_logout-pgrx}
as_root mkdir -p "$pgdata_root"
as_root chown postgres "$pgdata_root"

echo "== unit tests and pg_tests"
cargo pgrx test pg15 --runas postgres --pgdata "$pgdata_root/pg15"

echo "== golden suite"
bash scripts/golden.sh

echo "== end-to-end through the reference HTTP front-end"
bash scripts/e2e.sh

echo "== releases: upgrade from 0.1.0, META.json"
bash scripts/upgrade_test.sh

echo "== releases: pg_dump / pg_restore"
bash scripts/dump_restore_test.sh

echo "== releases: hot standby"
bash scripts/standby_test.sh

echo "== releases: the Debian package"
bash scripts/package_test.sh
