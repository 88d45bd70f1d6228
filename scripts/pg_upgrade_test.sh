#!/usr/bin/env bash
# pg_upgrade across majors (SPEC §13): a PostgreSQL 15 cluster whose
# database uses the extension (in a non-default schema, with the seed's
# annotated routines, a role-restricted routine in another schema and a
# user-added validation rule) is upgraded to PostgreSQL 18 with pg_upgrade,
# the extension installed into both majors. The upgraded database must then
# give the same answers (scripts/release_answers.sql: endpoints(),
# handle_logout, call_logout, ...), hold the same extension objects
# (scripts/extension_catalog.sql) and the same validation rules.
# Ends with "pg_upgrade: N passed, M failed"; exits non-zero on any failure.
#   scripts/pg_upgrade_test.sh [FROM TO]      (default: 15 18)
# Installs into both majors' directories (the system PostgreSQL 15's among
# them): run under /tmp/npgsqlrest-pg.lock. Needs scripts/setup.sh --pg TO.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/pg_versions.sh

from=${1:-15}
to=${2:-18}
for m in "$from" "$to"; do
  pg_check_major "$m" || exit 2
  if pg_needs_root "$m"; then
    echo "pg_upgrade: PostgreSQL $m lives in a Debian root; pick majors installed on this machine" >&2
    exit 2
  fi
done
[ "$from" -lt "$to" ] || { echo "pg_upgrade: FROM ($from) must be older than TO ($to)" >&2; exit 2; }
old_cfg=$(pg_config_for "$from")
new_cfg=$(pg_config_for "$to")
for c in "$old_cfg" "$new_cfg"; do
  [ -x "$c" ] || { echo "pg_upgrade: no pg_config at $c (run scripts/setup.sh --pg N)" >&2; exit 1; }
done
old_bin=$("$old_cfg" --bindir)
new_bin=$("$new_cfg" --bindir)

as_postgres() {
  if [ "$(id -un)" = postgres ]; then "$@"; else sudo -u postgres "$@"; fi
}
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

port=${PG_UPGRADE_PORT:-54341}
# One directory owned by postgres: the sockets, both data directories and
# pg_upgrade's own files (it writes into its working directory).
dir=$(mktemp -d /tmp/npgsqlrest_logout-pg_upgrade.XXXXXX)
work=$(mktemp -d /tmp/npgsqlrest_logout-pg_upgrade-work.XXXXXX)
as_root chown postgres "$dir"
chmod 755 "$dir"
stop_all() {
  local d
  for d in old new; do
    if [ -f "$dir/$d/postmaster.pid" ]; then
      local b=$old_bin
      [ "$d" = new ] && b=$new_bin
      as_postgres "$b/pg_ctl" -D "$dir/$d" -m fast -w stop >/dev/null 2>&1 || true
    fi
  done
  as_root rm -rf "$dir"
  rm -rf "$work"
}
trap stop_all EXIT

pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok   - $1"; }
not_ok() { fail=$((fail + 1)); echo "FAIL - $1"; }
same() {
  if diff -u "$2" "$3" >"$work/diff"; then ok "$1"; else not_ok "$1"; sed 's/^/    /' "$work/diff"; fi
}
equal() {
  if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1"; echo "    got:  $2"; echo "    want: $3"; fi
}

echo "== pg_upgrade: installing the extension into PostgreSQL $from and $to"
bash scripts/install.sh --pg-config "$old_cfg"
bash scripts/install.sh --pg-config "$new_cfg"

# start BIN DATADIR: a server on the socket in $dir only.
start() {
  as_postgres "$1/pg_ctl" -D "$2" -l "$2.log" -w \
    -o "-k $dir -p $port -c listen_addresses='' -c fsync=off" start >/dev/null
}
stop() { as_postgres "$1/pg_ctl" -D "$2" -m fast -w stop >/dev/null; }
psql_() { psql -X -q -v ON_ERROR_STOP=1 -h "$dir" -p "$port" -U postgres "$@"; }
# The extension's schema is on no search_path but the answers' own.
answers() { PGOPTIONS='-c search_path=public,ext' psql_ -d upgraded -At -f scripts/release_answers.sql 2>/dev/null; }
value() { psql_ -d upgraded -At -c "$1"; }
roles() {
  PGOPTIONS='-c search_path=public,ext' psql_ -d upgraded -At -v ON_ERROR_STOP=0 2>/dev/null <<'SQL'
select handle_logout('POST', '/admin/logout', '{"all": true}', '{Admin}');
select handle_logout('POST', '/admin/logout', '{}', '{admin,user}');
select handle_logout('POST', '/admin/logout', '{}', '{user}');
\echo :SQLSTATE
select count(*) from ext.endpoints() where routine = 'app.admin_logout(boolean)'::regprocedure;
SQL
}
rules_query='select * from ext.validation_rules order by name collate "C"'
# What the database answers, into $work/$1.*
record() {
  answers >"$work/$1.answers"
  psql_ -d upgraded -At -f scripts/extension_catalog.sql >"$work/$1.catalog"
  roles >"$work/$1.roles"
  value "$rules_query" >"$work/$1.rules"
  value "select extversion || ' in ' || extnamespace::regnamespace from pg_extension where extname = 'npgsqlrest_logout'" >"$work/$1.extension"
  value 'show server_version_num' >"$work/$1.version"
}

echo "== pg_upgrade: a PostgreSQL $from cluster using the extension"
# Checksums are off in both: initdb's default before 18, which turns them on.
checksums=()
[ "$to" -ge 18 ] && checksums=(--no-data-checksums)
as_postgres "$old_bin/initdb" -D "$dir/old" -A trust -U postgres --no-instructions >/dev/null
as_postgres "$new_bin/initdb" -D "$dir/new" -A trust -U postgres --no-instructions "${checksums[@]}" >/dev/null
start "$old_bin" "$dir/old"
psql_ -d postgres -c 'create database upgraded'
psql_ -d upgraded -c 'create schema ext' -c 'create extension npgsqlrest_logout schema ext' \
  -f pgrx-tests/fixtures/seed_schema.sql -f pgrx-tests/fixtures/seed_routines.sql
psql_ -d upgraded <<'SQL'
create schema app;
create function app.admin_logout(_all boolean default false) returns text[] language sql
  begin atomic; select case when _all then array[]::text[] else array['Bearer'] end; end;
comment on function app.admin_logout(boolean) is 'HTTP POST /admin/logout
@logout
@authorize admin';
SQL
psql_ -d upgraded -c "insert into ext.validation_rules (name, type, pattern, message)
  values ('zip_code', 'regex', '^[0-9]{5}\$', 'Parameter {0} must be a zip code')"
record before
stop "$old_bin" "$dir/old"

echo "== pg_upgrade: $from -> $to"
# pg_upgrade writes its logs under its working directory and the new data
# directory; the servers it starts listen on sockets in $dir only.
if (cd "$dir" && as_postgres "$new_bin/pg_upgrade" -b "$old_bin" -B "$new_bin" \
      -d "$dir/old" -D "$dir/new" -s "$dir" -p "$port" -P "$port" --copy) >"$work/pg_upgrade.out" 2>&1; then
  ok "pg_upgrade from PostgreSQL $from to $to succeeds"
else
  not_ok "pg_upgrade from PostgreSQL $from to $to succeeds"
  sed 's/^/    /' "$work/pg_upgrade.out"
  find "$dir/new" -path '*pg_upgrade_output.d*' -name '*.log' -exec tail -20 {} + 2>/dev/null | sed 's/^/    /' || true
  echo "pg_upgrade: $pass passed, $fail failed"
  exit 1
fi
start "$new_bin" "$dir/new"
record after

equal "before: PostgreSQL $from" "$(cut -c1-2 <"$work/before.version")" "$from"
equal "after: PostgreSQL $to" "$(cut -c1-2 <"$work/after.version")" "$to"
[ "$(grep -c '^endpoint|' "$work/before.answers")" -eq 6 ] \
  && ok "before: endpoints() lists the seed's 6 endpoints" \
  || not_ok "before: endpoints() lists the seed's 6 endpoints"
same "after: the same answers (endpoints(), handle_logout, call_logout, ...)" \
  "$work/before.answers" "$work/after.answers"
same "after: the same extension objects" "$work/before.catalog" "$work/after.catalog"
same "after: the extension keeps its version and schema" "$work/before.extension" "$work/after.extension"
equal "before: the role-restricted routine in another schema" \
  "$(paste -sd ' ' "$work/before.roles")" "{} {Bearer} 42501 1"
same "after: the role-restricted routine answers the same" "$work/before.roles" "$work/after.roles"
grep -q '^zip_code|' "$work/after.rules" \
  && ok "after: the user's validation rule is kept" || not_ok "after: the user's validation rule is kept"
same "after: the same validation rules" "$work/before.rules" "$work/after.rules"

echo "pg_upgrade: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
