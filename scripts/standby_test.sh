#!/usr/bin/env bash
# Hot standby (SPEC §13): a throwaway primary and a real streaming standby
# made with `pg_basebackup -R`, both run as `postgres` with their sockets in
# temporary directories (replication over the primary's Unix socket). On the
# standby: every read-only function works and answers as on the primary,
# handle_logout runs read-only logout routines, a logout routine that writes
# fails with PostgreSQL's read-only error 25006 (the session and the server
# go on); and a session on the standby whose caches are warm sees a comment
# changed on the primary (a new path, new roles) and a CREATE OR REPLACE of a
# routine's body at its first call once the primary's commit is replayed,
# within a second. Both servers share endpoints() rows between backends.
# Ends with "standby: N passed, M failed"; exits non-zero on any failure.
# Installs into the system PostgreSQL 15: run under /tmp/npgsqlrest-pg.lock.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=/usr/lib/postgresql/15/bin
pport=${STANDBY_PRIMARY_PORT:-54337}
sport=${STANDBY_PORT:-54338}
pdir=$(mktemp -d /tmp/npgsqlrest_logout-primary.XXXXXX)
sdir=$(mktemp -d /tmp/npgsqlrest_logout-standby.XXXXXX)
work=$(mktemp -d /tmp/npgsqlrest_logout-standby-work.XXXXXX)

as_postgres() {
  if [ "$(id -un)" = postgres ]; then "$@"; else sudo -u postgres "$@"; fi
}
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}
cleanup() {
  if [ -n "${SB_PID:-}" ]; then
    [ -z "${sb_in:-}" ] || exec {sb_in}>&-
    kill "$SB_PID" 2>/dev/null || true
    wait "$SB_PID" 2>/dev/null || true
  fi
  if [ -f "$sdir/data/postmaster.pid" ]; then
    as_postgres "$BIN/pg_ctl" -D "$sdir/data" -m immediate -w stop >/dev/null || true
  fi
  as_root rm -rf "$sdir"
  bash scripts/cluster.sh stop "$pdir"
  rm -rf "$work"
}
trap cleanup EXIT

. scripts/checks.sh

echo "== standby: installing the extension, starting a primary"
bash scripts/install.sh
# Both servers preload the library: the primary shares its candidate lists
# between backends, the standby (in recovery) never does. Both share
# endpoints() rows, which need no session to keep them current.
preload="-c shared_preload_libraries=npgsqlrest_logout -c npgsqlrest_logout.shared_endpoints_memory=8MB"
CLUSTER_OPTIONS="$preload" bash scripts/cluster.sh start "$pdir" "$pport"
primary() { psql -X -q -v ON_ERROR_STOP=1 -h "$pdir" -p "$pport" -U postgres -d app "$@"; }
standby() { psql -X -q -v ON_ERROR_STOP=1 -h "$sdir" -p "$sport" -U postgres -d app "$@"; }
psql -X -q -h "$pdir" -p "$pport" -U postgres -d postgres -c 'create database app'
primary -c 'create extension npgsqlrest_logout' \
  -f pgrx-tests/fixtures/seed_schema.sql -f pgrx-tests/fixtures/seed_routines.sql
primary <<'SQL'
create function standby_logout(_scheme text default null) returns text[] language sql stable
  begin atomic; select case when _scheme is null then array['Cookies', 'Bearer'] else array[_scheme] end; end;
comment on function standby_logout(text) is 'HTTP POST /standby/logout
@logout
@authorize';
SQL

echo "== standby: pg_basebackup -R, starting the standby"
as_root chown postgres "$sdir"
as_root chmod 755 "$sdir"
as_postgres "$BIN/pg_basebackup" -h "$pdir" -p "$pport" -U postgres -D "$sdir/data" -R -X stream -c fast
as_postgres "$BIN/pg_ctl" -D "$sdir/data" -l "$sdir/server.log" -w \
  -o "-k $sdir -p $sport -c listen_addresses='' -c hot_standby=on -c fsync=off $preload" start >/dev/null
equal "the standby is in recovery" "$(standby -At -c 'select pg_is_in_recovery()')" t
streaming=0
for _ in $(seq 1 100); do
  streaming=$(psql -X -At -h "$pdir" -p "$pport" -U postgres -d postgres \
    -c "select count(*) from pg_stat_replication where state = 'streaming'")
  [ "$streaming" = 1 ] && break
  sleep 0.1
done
equal "the standby streams from the primary" "$streaming" 1

# wait_replay: until the standby has replayed everything the primary wrote
# so far; prints how long that took in milliseconds.
wait_replay() {
  local lsn start=$(date +%s%N)
  lsn=$(primary -At -c 'select pg_current_wal_lsn()')
  for _ in $(seq 1 500); do
    if [ "$(standby -At -c "select pg_last_wal_replay_lsn() >= '$lsn'::pg_lsn")" = t ]; then
      echo $(( ($(date +%s%N) - start) / 1000000 ))
      return 0
    fi
    sleep 0.01
  done
  echo "standby: not replayed within 5 s" >&2
  return 1
}
wait_replay >/dev/null

echo "== standby: read-only functions"
cat >"$work/readonly.sql" <<'SQL'
\pset null '<null>'
select 'parse', parse_annotations(E'HTTP POST /x\n@logout\n@authorize admin, user');
select 'sql file', parse_sql_file(E'-- HTTP POST\n-- @logout\ndelete from sessions;', 'sql/signout.sql');
select 'routine', routine_endpoint('logout_web()');
select 'endpoints', e.* from endpoints() e;
select 'view', method, path from logout_endpoints;
select 'resolve', resolve_logout_schemes(logout_web()), resolve_logout_schemes(row('Cookies', 'Bearer')),
       resolve_logout_schemes(array[]::text[], array['Cookies', 'Bearer']);
select 'agg', logout_schemes_agg(x) from (values ('a'), ('b'), ('a')) v(x);
select 'read-only logout', handle_logout('POST', '/auth/logout/web', '{}', '{user}');
select 'read-only logout 2', handle_logout('POST', '/standby/logout', '{"scheme": "Bearer"}', '{user}');
select 'read-only logout 3', handle_logout('POST', '/auth/logout?_scheme=Cookies', '{}', '{user}');
select 'call', call_logout('standby_logout(text)', '{}', '{user}');
SQL
primary -At -f "$work/readonly.sql" >"$work/primary.readonly"
standby -At -f "$work/readonly.sql" >"$work/standby.readonly" 2>"$work/standby.readonly.err" \
  || { not_ok "the read-only functions run on the standby"; cat "$work/standby.readonly.err"; }
[ "$(grep -c '^endpoints|' "$work/standby.readonly")" -eq 6 ] \
  && ok "endpoints() lists the 6 endpoints on the standby" || not_ok "endpoints() lists the 6 endpoints on the standby"
equal "the standby shares endpoints() rows between its backends" \
  "$(standby -At -c 'select entries > 0 from shared_endpoints_usage()')" t
same "the standby answers as the primary (parse_annotations, parse_sql_file, routine_endpoint, endpoints(), resolve_logout_schemes, logout_schemes_agg, handle_logout, call_logout)" \
  "$work/primary.readonly" "$work/standby.readonly"

echo "== standby: a logout routine that writes"
for r in '/api/signout' '/api/full-logout'; do
  got=$(standby -At -v ON_ERROR_STOP=0 -c "select handle_logout('POST', '$r', '{}', '{user}')" \
    -c '\echo :LAST_ERROR_SQLSTATE' -c "select 'still here'" -c 'select pg_is_in_recovery()' 2>"$work/write.err" | paste -sd ' ')
  equal "handle_logout of $r fails with 25006 and the session goes on" "$got" "25006 still here t"
  grep -q 'read-only transaction' "$work/write.err" \
    && ok "  ... with PostgreSQL's read-only message" || { not_ok "  ... with PostgreSQL's read-only message"; cat "$work/write.err"; }
done
if grep -E 'terminated by signal|server process .* was terminated|PANIC' "$sdir/server.log"; then
  not_ok "no backend of the standby crashed"
else
  ok "no backend of the standby crashed"
fi

echo "== standby: a warm session sees changes made on the primary"
# One psql session on the standby for the rest of the test, driven through
# two FIFOs; `sb SQL` runs SQL in it and prints what it printed.
mkfifo "$work/sb.in" "$work/sb.out"
stdbuf -oL -eL psql -X -q -At -h "$sdir" -p "$sport" -U postgres -d app -v ON_ERROR_STOP=0 \
  <"$work/sb.in" >"$work/sb.out" 2>&1 &
SB_PID=$!
exec {sb_in}>"$work/sb.in"
exec {sb_out}<"$work/sb.out"
sb() {
  local marker="-- end $RANDOM$RANDOM --" line out=
  printf '%s\n\\echo %s\n' "$1" "$marker" >&"$sb_in"
  while IFS= read -r -t 30 line <&"$sb_out"; do
    [ "$line" = "$marker" ] && { printf '%s' "$out"; return 0; }
    out+="$line"$'\n'
  done
  echo "standby session: no answer to: $1" >&2
  return 1
}
call() { sb "select handle_logout('POST', '$1', '{}', '{$2}'); \\echo :SQLSTATE" | grep -v -E '^(ERROR|DETAIL|HINT|CONTEXT|LINE [0-9]+):' | paste -sd ' '; }
equal "warm: /standby/logout for user" "$(call /standby/logout user)" "{Cookies,Bearer} 00000"
equal "warm: endpoints() sees /standby/logout" \
  "$(sb "select path from endpoints() where routine = 'standby_logout(text)'::regprocedure;")" /standby/logout
equal "warm: /standby/moved is no route yet" "$(call /standby/moved user)" "42883"

# change_on_primary NAME SQL: run SQL on the primary, then poll the warm
# session until the standby has replayed it; time from the commit.
change_on_primary() {
  primary -c "$1"
  local lsn start=$(date +%s%N)
  lsn=$(primary -At -c 'select pg_current_wal_lsn()')
  for _ in $(seq 1 500); do
    [ "$(sb "select pg_last_wal_replay_lsn() >= '$lsn'::pg_lsn;")" = t ] && {
      replay_ms=$(( ($(date +%s%N) - start) / 1000000 )); return 0; }
    sleep 0.005
  done
  echo "standby: not replayed within a few seconds" >&2
  return 1
}
check_within_second() {
  [ "$replay_ms" -lt 1000 ] && ok "  ... replayed and seen within a second (${replay_ms} ms)" \
    || not_ok "  ... replayed and seen within a second (${replay_ms} ms)"
}

change_on_primary "comment on function standby_logout(text) is 'HTTP POST /standby/moved
@logout
@authorize'"
equal "changed path: the warm session routes /standby/moved at its next call" "$(call /standby/moved user)" "{Cookies,Bearer} 00000"
equal "changed path: the old path is no route" "$(call /standby/logout user)" "42883"
equal "changed path: endpoints() in the warm session" \
  "$(sb "select path from endpoints() where routine = 'standby_logout(text)'::regprocedure;")" /standby/moved
check_within_second

change_on_primary "comment on function standby_logout(text) is 'HTTP POST /standby/moved
@logout
@authorize admin'"
equal "changed roles: a user without the role is refused (42501)" "$(call /standby/moved user)" "42501"
equal "changed roles: an admin is let through" "$(call /standby/moved admin)" "{Cookies,Bearer} 00000"
check_within_second

change_on_primary "create or replace function standby_logout(_scheme text default null) returns text[] language sql stable
  begin atomic; select array['Replaced', coalesce(_scheme, 'all')]; end"
equal "CREATE OR REPLACE: the warm session runs the new body" "$(call /standby/moved admin)" "{Replaced,all} 00000"
equal "CREATE OR REPLACE: the comment (route and roles) is kept" "$(call /standby/moved user)" "42501"
check_within_second

change_on_primary "comment on function logout_web() is 'HTTP POST /auth/logout/web2
@logout
@authorize'"
equal "another routine's comment: the warm session routes its new path" "$(call /auth/logout/web2 user)" "{Cookies,Bearer} 00000"
check_within_second
equal "a new session on the standby agrees" \
  "$(standby -At -c "select string_agg(path, ' ' order by path) from logout_endpoints")" \
  "/api/full-logout /api/signout /auth/logout /auth/logout/cookie /auth/logout/web2 /standby/moved"

# A new backend's first call: the primary reads its shared list, the
# standby scans, and sees a comment replayed since.
first_call() {
  "$1" -At -c "set client_min_messages = debug1" -c "select handle_logout('POST', '$2', '{}', '{user}')" 2>&1 |
    candidates_path
}
primary -c "select handle_logout('POST', '/auth/logout/web2', '{}', '{user}')" >/dev/null
equal "the primary: a new backend reads the shared list" "$(first_call primary /auth/logout/web2)" "shared {Cookies,Bearer}"
change_on_primary "comment on function logout_web() is 'HTTP POST /auth/logout/web3
@logout'"
equal "the standby: a new backend scans, and routes a path replayed since" \
  "$(first_call standby /auth/logout/web3)" "scanned {Cookies,Bearer}"

echo "standby: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
