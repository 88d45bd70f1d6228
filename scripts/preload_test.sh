#!/usr/bin/env bash
# The library in shared_preload_libraries (README, Performance): loaded by
# the postmaster, so every backend starts with it (its settings known before
# any call); CREATE EXTENSION, the seed's logout calls, a new backend's first
# call, and a warm session that sees another session's COMMENT (a new path,
# a path removed) at its next call, as without preloading.
# Ends with "preload: N passed, M failed"; exits non-zero on any failure.
# Installs into the system PostgreSQL 15: run under /tmp/npgsqlrest-pg.lock.
set -euo pipefail
cd "$(dirname "$0")/.."

port=${PRELOAD_PORT:-54341}
dir=$(mktemp -d /tmp/npgsqlrest_logout-preload.XXXXXX)
trap 'bash scripts/cluster.sh stop "$dir"' EXIT

. scripts/checks.sh

echo "== preload: installing the extension, starting a server that preloads it"
bash scripts/install.sh
CLUSTER_OPTIONS="-c shared_preload_libraries=npgsqlrest_logout" \
  bash scripts/cluster.sh start "$dir" "$port"
db() { psql -X -q -At -v ON_ERROR_STOP=1 -h "$dir" -p "$port" -U postgres -d postgres "$@"; }

equal "the server preloads the library" "$(db -c 'show shared_preload_libraries')" "npgsqlrest_logout"
# Without preloading, a new session knows none of the extension's settings
# until it first calls one of its functions.
equal "a new session knows the settings before any call" \
  "$(db -c 'show npgsqlrest_logout.comments_mode')" "OnlyWithHttpTag"
db -c 'create extension npgsqlrest_logout' -c 'create extension dblink' \
  -f pgrx-tests/fixtures/seed_schema.sql -f pgrx-tests/fixtures/seed_routines.sql >/dev/null
equal "CREATE EXTENSION" "$(db -c "select extversion from pg_extension where extname = 'npgsqlrest_logout'")" "0.2.0"
equal "a new backend's first handle_logout" \
  "$(db -c "select handle_logout('POST', '/auth/logout/web', '{}', '{}')")" "{Cookies,Bearer}"
equal "call_logout" "$(db -c "select call_logout('logout_cookie()'::regprocedure, '{}', '{}')")" "{Cookies}"

# One session, warm, and another that changes comments between its calls.
db -c "create function public.answer(path text) returns text language plpgsql as \$\$
  begin return handle_logout('POST', path, '{}', '{}')::text;
  exception when others then return sqlstate; end \$\$" \
  -c "create function public.later_logout() returns text language sql as \$\$select 'Later'\$\$"
warm=$(db <<SQL
select 'first ' || answer('/auth/logout/cookie');
select dblink_connect('changer', 'host=$dir port=$port dbname=postgres user=postgres') \g /dev/null
select dblink_exec('changer', \$\$comment on function public.later_logout() is E'HTTP POST /preload/later\\n@logout'\$\$) \g /dev/null
select 'added ' || answer('/preload/later');
select dblink_exec('changer', \$\$comment on function public.later_logout() is 'No longer an endpoint.'\$\$) \g /dev/null
select 'removed ' || answer('/preload/later');
SQL
)
equal "a warm session: its first call" "$(grep '^first ' <<<"$warm")" "first {Cookies}"
equal "the warm session sees another session's COMMENT adding a path" \
  "$(grep '^added ' <<<"$warm")" "added {Later}"
equal "the warm session sees another session's COMMENT removing it" \
  "$(grep '^removed ' <<<"$warm")" "removed 42883"
equal "a new session agrees" "$(db -c "select answer('/preload/later')")" "42883"

echo "preload: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
