#!/usr/bin/env bash
# The golden suite: installs the extension into a PostgreSQL (15 unless
# told), starts a throwaway cluster, and runs pgrx-tests/ through pg_regress
# (psql), comparing each output with pgrx-tests/expected/ (foo.out, or a
# major's own foo_1.out where its output truly differs, the pg_regress way).
#   scripts/golden.sh [--pg NN | --pg-config PATH]
# Installing into the system PostgreSQL: hold /tmp/npgsqlrest-pg.lock.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/pg_versions.sh
pg_target_from_args "$@" || exit 2
pg_args=(--pg-config "$PG_CONFIG")
# The suite drives a second session through dblink (a contrib module): say
# so plainly for a PostgreSQL that lacks it (16, from the pgserver wheel).
if [ ! -f "$("$PG_CONFIG" --sharedir)/extension/dblink.control" ]; then
  echo "golden: PostgreSQL $PG_MAJOR ($PG_CONFIG) has no dblink, which the suite needs" >&2
  exit 1
fi
PG_REGRESS="$($PG_CONFIG --pkglibdir)/pgxs/src/test/regress/pg_regress"
dir=$(mktemp -d /tmp/npgsqlrest_logout-golden.XXXXXX)
port=${GOLDEN_PORT:-54331}

log=$(mktemp)
cargo pgrx install --pg-config "$PG_CONFIG" >"$log" 2>&1 || { cat "$log"; exit 1; }
trap 'bash scripts/cluster.sh "${pg_args[@]}" stop "$dir"' EXIT
bash scripts/cluster.sh "${pg_args[@]}" start "$dir" "$port"
pg_expect_server_major "$dir" "$port" "$PG_MAJOR"

# Where the tests find their fixtures (pg_regress sets it from 15 on; the
# tests read it with a backtick, as 13's psql has no \getenv).
export PG_ABS_SRCDIR="$PWD/pgrx-tests"
tests=$(sed -e 's/#.*//' -e '/^\s*$/d' pgrx-tests/schedule)
rm -rf pgrx-tests/results
"$PG_REGRESS" \
  --bindir="$($PG_CONFIG --bindir)" \
  --host="$dir" --port="$port" --user=postgres \
  --inputdir=pgrx-tests --outputdir=pgrx-tests \
  --dbname=npgsqlrest_logout_regress \
  $tests
