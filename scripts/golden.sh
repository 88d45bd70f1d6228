#!/usr/bin/env bash
# The golden suite: installs the extension into the system PostgreSQL 15,
# starts a throwaway cluster, and runs pgrx-tests/ through pg_regress (psql),
# comparing each output with pgrx-tests/expected/.
set -euo pipefail
cd "$(dirname "$0")/.."

PG_CONFIG=/usr/bin/pg_config
PG_REGRESS="$($PG_CONFIG --pkglibdir)/pgxs/src/test/regress/pg_regress"
dir=$(mktemp -d /tmp/npgsqlrest_logout-golden.XXXXXX)
port=${GOLDEN_PORT:-54331}

log=$(mktemp)
cargo pgrx install --pg-config "$PG_CONFIG" >"$log" 2>&1 || { cat "$log"; exit 1; }
trap 'bash scripts/cluster.sh stop "$dir"' EXIT
bash scripts/cluster.sh start "$dir" "$port"

tests=$(sed -e 's/#.*//' -e '/^\s*$/d' pgrx-tests/schedule)
rm -rf pgrx-tests/results
"$PG_REGRESS" \
  --bindir="$($PG_CONFIG --bindir)" \
  --host="$dir" --port="$port" --user=postgres \
  --inputdir=pgrx-tests --outputdir=pgrx-tests \
  --dbname=npgsqlrest_logout_regress \
  $tests
