#!/usr/bin/env bash
# The library in shared_preload_libraries (README, Performance): loaded by
# the postmaster, so every backend starts with it (its settings known before
# any call); CREATE EXTENSION, the seed's logout calls, a new backend's first
# call, and a warm session that sees another session's COMMENT (a new path,
# a path removed) at its next call, as without preloading. Then the shared
# candidate lists: a new backend's first call reads the shared list (or
# scans and shares what it found), and still sees every committed COMMENT,
# none rolled back, its own transaction's, another extension's, each
# database its own list, one made while the extension was dropped, and a
# prepared one (before and after a restart); a transaction that wrote
# something shares nothing.
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
CLUSTER_OPTIONS="-c shared_preload_libraries=npgsqlrest_logout -c max_prepared_transactions=2" \
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

# A new session's first call of a path: how it found its candidates
# ("shared": the shared list; "published": a full scan, then shared;
# "scanned": a full scan, not shared), then the answer.
first_call() {
  db -d "${2:-postgres}" -c "set client_min_messages = debug1" -c "select answer('$1')" 2>&1 | candidates_path
}
comment() { db -c "comment on function $1 is E'$2'"; }
db -c "create function public.shared_logout() returns text language sql as \$\$select 'Shared'\$\$" \
  -c "create function public.prepared_logout() returns text language sql as \$\$select 'Prepared'\$\$"
equal "a new backend reads the shared list" "$(first_call /auth/logout/cookie)" "shared {Cookies}"
equal "a routine whose comment no longer makes it an endpoint" "$(first_call /preload/later)" "shared 42883"
comment 'public.shared_logout()' 'HTTP POST /preload/shared\n@logout'
equal "a COMMENT committed since the list was shared" "$(first_call /preload/shared)" "shared {Shared}"
comment 'public.shared_logout()' 'HTTP POST /preload/moved\n@signout'
equal "a COMMENT moving the path: the old one" "$(first_call /preload/shared)" "shared 42883"
equal "a COMMENT moving the path: the new one" "$(first_call /preload/moved)" "shared {Shared}"
db -c "begin" -c "comment on function public.prepared_logout() is E'HTTP POST /preload/prepared\\n@logout'" -c "rollback"
equal "a COMMENT rolled back" "$(first_call /preload/prepared)" "shared 42883"
# A new backend whose own transaction commented, before it commits: its
# comment is in no list yet, and visible to it.
own=$(db -c "begin" -c "comment on function public.prepared_logout() is E'HTTP POST /preload/own\\n@logout'" \
  -c "set client_min_messages = debug1" -c "select 'own ' || answer('/preload/own')" -c "rollback" 2>&1)
equal "a new backend sees its own transaction's COMMENT" \
  "$(grep -c 'shared candidate routines' <<<"$own") $(grep '^own ' <<<"$own")" "1 own {Prepared}"

# Another extension's script comments on its routines: CREATE EXTENSION
# runs the COMMENT as a command of its own, which the event trigger sees.
sharedir=$(/usr/bin/pg_config --sharedir)/extension
probe="$sharedir/npgsqlrest_logout_probe"
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
trap 'bash scripts/cluster.sh stop "$dir"; as_root rm -f "$probe.control" "$probe--1.0.sql"' EXIT
printf '%s\n' "default_version = '1.0'" "relocatable = true" | as_root tee "$probe.control" >/dev/null
as_root tee "$probe--1.0.sql" >/dev/null <<'EXT'
create function probe_logout() returns text language sql as $$select 'Probe'$$;
comment on function probe_logout() is E'HTTP POST /preload/probe\n@logout';
EXT
equal "before another extension: no route" "$(first_call /preload/probe)" "shared 42883"
warm=$(db <<'SQL'
select 'before ' || answer('/preload/probe');
create extension npgsqlrest_logout_probe;
select 'after ' || answer('/preload/probe');
SQL
)
equal "another extension's COMMENT: a warm session" "$(grep '^after ' <<<"$warm")" "after {Probe}"
equal "another extension's COMMENT: a new backend" "$(first_call /preload/probe)" "shared {Probe}"

# Another database has a list of its own.
db -c "create database other"
db -d other -c 'create extension npgsqlrest_logout' \
  -f pgrx-tests/fixtures/seed_schema.sql -f pgrx-tests/fixtures/seed_routines.sql >/dev/null
db -d other -c "create function public.answer(path text) returns text language plpgsql as \$\$
  begin return handle_logout('POST', path, '{}', '{}')::text;
  exception when others then return sqlstate; end \$\$"
equal "another database: its first call scans and shares" "$(first_call /auth/logout/web other)" \
  "published {Cookies,Bearer}"
equal "another database: the next backend reads its list" "$(first_call /preload/moved other)" "shared 42883"
equal "the first database keeps its list" "$(first_call /preload/moved)" "shared {Shared}"

# A database's list belongs to one installation of the extension: a
# comment made while it was dropped, which no trigger saw, is found by a
# scan after CREATE EXTENSION.
answer_fn="create or replace function public.answer(path text) returns text language plpgsql as \$\$
  begin return handle_logout('POST', path, '{}', '{}')::text;
  exception when others then return sqlstate; end \$\$"
db -d other -c "drop extension npgsqlrest_logout cascade" 2>/dev/null
db -d other -c "comment on function public.logout_cookie() is E'HTTP POST /preload/dropped\\n@logout'"
db -d other -c "create extension npgsqlrest_logout" -c "$answer_fn"
equal "a COMMENT made while the extension was dropped" "$(first_call /preload/dropped other)" \
  "published {Cookies}"

# A prepared COMMENT commits later, from any session: its database's list
# is dropped, and no list is published while a prepared transaction
# exists.
db -c "begin" -c "comment on function public.prepared_logout() is E'HTTP POST /preload/prepared\\n@logout'" \
  -c "prepare transaction 'comment'"
equal "a prepared COMMENT: backends scan" "$(first_call /preload/prepared)" "scanned 42883"
equal "a prepared COMMENT: another database's list is kept" "$(first_call /preload/dropped other)" \
  "shared {Cookies}"
db -c "commit prepared 'comment'"
equal "the prepared COMMENT committed: a scan shares again" "$(first_call /preload/prepared)" \
  "published {Prepared}"
equal "  ... and the next backend reads it" "$(first_call /preload/prepared)" "shared {Prepared}"

# A prepared COMMENT across a restart, which empties the lists.
db -c "create function public.restart_logout() returns text language sql as \$\$select 'Restart'\$\$"
db -c "begin" -c "comment on function public.restart_logout() is E'HTTP POST /preload/restart\\n@logout'" \
  -c "prepare transaction 'restart'"
CLUSTER_OPTIONS="-c shared_preload_libraries=npgsqlrest_logout -c max_prepared_transactions=2" \
  bash scripts/cluster.sh restart "$dir" "$port"
equal "after a restart, with a COMMENT still prepared: backends scan" \
  "$(first_call /preload/restart)" "scanned 42883"
db -c "commit prepared 'restart'"
# A transaction that wrote something does not share what its scan sees.
own=$(db -d other -c "begin" -c "drop function public.logout_cookie()" \
  -c "set client_min_messages = debug1" -c "select 'own ' || answer('/preload/dropped')" -c "rollback" 2>&1)
equal "a transaction that dropped an endpoint: its own answer, nothing shared" \
  "$(grep -c 'candidate routines of a full scan' <<<"$own") $(grep '^own ' <<<"$own")" "0 own 42883"
equal "  ... the next backend scans and sees the routine kept" "$(first_call /preload/dropped other)" \
  "published {Cookies}"
equal "the prepared COMMENT committed after the restart" "$(first_call /preload/restart)" \
  "published {Restart}"

echo "preload: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
