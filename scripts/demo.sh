#!/usr/bin/env bash
# The demo: builds and installs the extension, starts a throwaway
# PostgreSQL 15 cluster as `postgres`, loads the seed's logout routines and
# prints what each resolves to. Installs what it needs first.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
log=$(mktemp)
cargo pgrx install --pg-config /usr/bin/pg_config >"$log" 2>&1 || { cat "$log"; exit 1; }
dir=$(mktemp -d /tmp/npgsqlrest_logout-demo.XXXXXX)
port=${DEMO_PORT:-54330}
trap 'bash scripts/cluster.sh stop "$dir"' EXIT
bash scripts/cluster.sh start "$dir" "$port"

psql -X -q -h "$dir" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 \
  -v fixtures="$PWD/pgrx-tests/fixtures" -f scripts/demo.sql
