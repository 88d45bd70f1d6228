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
# something shares nothing. Last, endpoints() rows shared between backends
# (shared_endpoints_memory): the same rows as built afresh, in every
# backend, for each session's settings, after a COMMENT, and when the
# shared memory is full.
# Ends with "preload: N passed, M failed"; exits non-zero on any failure.
# Installs into the system PostgreSQL 15: run under /tmp/npgsqlrest-pg.lock.
set -euo pipefail
cd "$(dirname "$0")/.."

port=${PRELOAD_PORT:-54341}
dir=$(mktemp -d /tmp/npgsqlrest_logout-preload.XXXXXX)
trap 'bash scripts/cluster.sh stop "$dir"' EXIT

. scripts/checks.sh

# endpoints() rows are shared too, in 1 MB: less than the routines made
# below need, so entries are dropped for room and built again.
options="-c shared_preload_libraries=npgsqlrest_logout -c max_prepared_transactions=2"
options+=" -c npgsqlrest_logout.shared_endpoints_memory=1MB"

echo "== preload: installing the extension, starting a server that preloads it"
bash scripts/install.sh
CLUSTER_OPTIONS="$options" \
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
CLUSTER_OPTIONS="$options" \
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

# endpoints() rows shared between backends: 500 routines, whose rows
# fit in the 1 MB, but not twice.
equal "the shared rows' memory" "$(db -c 'show npgsqlrest_logout.shared_endpoints_memory')" "1MB"
db -c "create schema many" -c "do \$\$ begin for i in 1..500 loop
  execute format('create function many.r%s(p_id int, p_note text default null) returns int language sql as ''select 1''', i);
  execute format('comment on function many.r%s(int, text) is %L', i, 'Returns the orders of customer ' || i
    || E', newest first.\nHTTP GET /many/' || i || E'/orders\n@authorize user\ntags orders, read');
end loop; end \$\$"
# Rows, and rows that disagree with their own document or with
# routine_endpoint(), which builds the endpoint afresh.
agree="select count(*) || ' ' || count(*) filter (where e.endpoint is distinct from routine_endpoint(e.routine)
    or e.path is distinct from e.endpoint->>'path' or e.method is distinct from e.endpoint->>'method'
    or e.schema is distinct from e.endpoint->>'schema' or e.name is distinct from e.endpoint->>'name'
    or e.request_param_type is distinct from e.endpoint->>'request_param_type'
    or e.requires_authorization is distinct from (e.endpoint->>'requires_authorization')::bool
    or e.allow_anonymous is distinct from (e.endpoint->>'allow_anonymous')::bool
    or e.login is distinct from (e.endpoint->>'login')::bool
    or e.logout is distinct from (e.endpoint->>'logout')::bool
    or to_jsonb(e.authorize_roles) is distinct from e.endpoint->'authorize_roles')
  from endpoints() e"
listing="select md5(string_agg(e::text, E'\n')) from endpoints() e"
usage="select entries || ' ' || clears from shared_endpoints_usage()"
rows=$(db -c "$agree")
equal "a first backend builds and shares its rows: each agrees with routine_endpoint()" \
  "$(cut -d' ' -f2 <<<"$rows")" "0"
equal "  ... every routine is listed" "$(db -c "select count(*) from endpoints() where schema = 'many'")" "500"
shared=$(db -c "$usage")
equal "  ... its rows are shared" "$([ "${shared% *}" -gt 500 ] && echo "yes ${shared#* }")" "yes 0"
first=$(db -c "$listing")
equal "another backend lists the same rows" "$(db -c "$listing")" "$first"
equal "  ... each agreeing" "$(db -c "$agree")" "$rows"
equal "  ... and adds no entry: it found them shared" "$(db -c "$usage")" "$shared"
# A warm session whose shared rows are dropped for room meanwhile (another
# session's url_prefix adds as many again) builds them again.
warm=$(db <<SQL
select 'before ' || ($listing);
select dblink_connect('other_prefix', 'host=$dir port=$port dbname=postgres user=postgres') \g /dev/null
select dblink_exec('other_prefix', 'set npgsqlrest_logout.url_prefix = ''/v2''') \g /dev/null
select 'other ' || agreeing from dblink('other_prefix', \$\$$agree\$\$) as t(agreeing text);
select 'other_paths ' || n from dblink('other_prefix',
  \$\$select count(*) from endpoints() where path like '/v2/%'\$\$) as t(n bigint);
select 'cleared ' || (clears > 0) from shared_endpoints_usage();
select 'after ' || ($listing);
SQL
)
equal "a session's own url_prefix: its rows agree" "$(sed -n 's/^other //p' <<<"$warm")" "$rows"
equal "  ... with their own paths" "$(sed -n 's/^other_paths //p' <<<"$warm" | awk '{print ($1 > 0)}')" "1"
equal "  ... which filled the memory: every entry dropped" "$(sed -n 's/^cleared //p' <<<"$warm")" "true"
equal "the warm session's rows, dropped meanwhile, are built again" \
  "$(sed -n 's/^before //p' <<<"$warm") $(sed -n 's/^after //p' <<<"$warm")" "$first $first"
equal "a session's comments_mode: its rows agree" \
  "$(db -c "set npgsqlrest_logout.comments_mode = 'ParseAll'" -c "$agree" | cut -d' ' -f2)" "0"
warm=$(db <<SQL
select 'before ' || path from endpoints() where name = 'r7';
select dblink_connect('changer', 'host=$dir port=$port dbname=postgres user=postgres') \g /dev/null
select dblink_exec('changer', \$\$comment on function many.r7(int, text) is E'HTTP GET /many/seven'\$\$) \g /dev/null
select 'after ' || path from endpoints() where name = 'r7';
SQL
)
equal "a warm session sees another session's COMMENT on a shared row" \
  "$(grep -E '^(before|after) ' <<<"$warm" | tr '\n' ' ')" "before /many/7/orders after /many/seven "
equal "  ... and a new backend" "$(db -c "select path from endpoints() where name = 'r7'")" "/many/seven"

echo "preload: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
