#!/usr/bin/env bash
# pg_upgrade across majors (SPEC §13): a PostgreSQL FROM cluster whose
# database uses the extension (in a non-default schema, with the seed's
# annotated routines, a role-restricted routine in another schema and a
# user-added validation rule) is upgraded to PostgreSQL TO with pg_upgrade,
# the extension installed into both majors. The upgraded database must then
# give the same answers (scripts/release_answers.sql: endpoints(),
# handle_logout, call_logout, ...) and the same validation rules, and hold
# the extension objects (scripts/extension_catalog.sql) a fresh CREATE
# EXTENSION gives on the new major (how a catalog prints differs between
# majors: a view's text, privileges such as 17's MAINTAIN).
# Ends with "pg_upgrade: N passed, M failed"; exits non-zero on any failure.
#   scripts/pg_upgrade_test.sh [FROM TO]      (default: 15 18)
# 15 -> 17 runs inside the Debian trixie root (scripts/setup.sh --pg 17),
# with Debian 12's and trixie's own packages: Debian's upgrade path. Other
# pairs (13 -> 18, which scripts/test.sh --pg 13 runs) run on this machine
# and install into both majors' directories: run those that include the
# system PostgreSQL 15 under /tmp/npgsqlrest-pg.lock. Needs
# scripts/setup.sh --pg N for each major.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/pg_versions.sh

from=${1:-15}
to=${2:-18}
for m in "$from" "$to"; do
  pg_check_major "$m" || exit 2
done
# 17 lives in a Debian trixie root, which also holds Debian 12's 15
# (scripts/setup.sh --pg 17): an upgrade to or from 17 runs in there.
for m in "$from" "$to"; do
  if pg_needs_root "$m"; then
    root=$(pg_os_root "$m")
    [ -f "$root/.complete-pg$m" ] \
      || { echo "pg_upgrade: no PostgreSQL $m root (run scripts/setup.sh --pg $m)" >&2; exit 1; }
    exec bash scripts/in_root.sh "$root" bash "$PWD/scripts/pg_upgrade_test.sh" "$from" "$to"
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
[ -n "${PG_UPGRADE_KEEP:-}" ] && trap - EXIT

. scripts/checks.sh

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
  PGOPTIONS='-c search_path=public,ext' psql_ -d upgraded -At -v ON_ERROR_STOP=0 \
    -f scripts/release_roles.sql 2>/dev/null
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
as_postgres "$old_bin/initdb" -D "$dir/old" -A trust -U postgres >/dev/null
as_postgres "$new_bin/initdb" -D "$dir/new" -A trust -U postgres "${checksums[@]}" >/dev/null
start "$old_bin" "$dir/old"
psql_ -d postgres -c 'create database upgraded'
psql_ -d upgraded -c 'create schema ext' -c 'create extension npgsqlrest_logout schema ext' \
  -f pgrx-tests/fixtures/seed_schema.sql -f "$(pg_seed_routines "$from")"
psql_ -d upgraded -f scripts/release_fixture.sql
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
  if grep -qs 'unrecognized parameter "pg_attver"' "$dir"/new/pg_upgrade_output.d/*/log/*.log; then
    echo "    note: the old server stamps a pg_attver option on every column (PostgreSQL 15.20 and"
    echo "    17.12 do) that the new one does not know (18.6, the newest 18 Debian has, does not):"
    echo "    pg_upgrade fails so for any database with a table, with or without the extension."
  fi
  for f in "$dir"/new/pg_upgrade_output.d/*/log/*.log; do
    [ -f "$f" ] && { echo "    == $f"; tail -n 15 "$f" | sed 's/^/    /'; }
  done
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
psql_ -d postgres -c 'create database fresh'
psql_ -d fresh -c 'create schema ext' -c 'create extension npgsqlrest_logout schema ext'
# The configuration table's rows are compared as rules below (the upgraded
# database holds the user's rule besides the defaults).
psql_ -d fresh -At -f scripts/extension_catalog.sql | grep -v '^config row ' >"$work/fresh.catalog"
grep -v '^config row ' "$work/after.catalog" >"$work/after.objects"
same "after: the extension objects of a fresh CREATE EXTENSION on $to" "$work/fresh.catalog" "$work/after.objects"
same "after: the extension keeps its version and schema" "$work/before.extension" "$work/after.extension"
equal "before: the role-restricted routine in another schema" \
  "$(paste -sd ' ' "$work/before.roles")" "{} {Bearer} 42501 1"
same "after: the role-restricted routine answers the same" "$work/before.roles" "$work/after.roles"
grep -q '^zip_code|' "$work/after.rules" \
  && ok "after: the user's validation rule is kept" || not_ok "after: the user's validation rule is kept"
same "after: the same validation rules" "$work/before.rules" "$work/after.rules"

echo "pg_upgrade: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
