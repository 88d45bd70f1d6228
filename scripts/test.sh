#!/usr/bin/env bash
# Runs every test: the core's unit tests and the #[pg_test]s (through
# `cargo pgrx test`, against a cluster run as `postgres`), the golden
# suite through psql, and the end-to-end test over HTTP through the
# reference front-end. Installs what it needs first.
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
