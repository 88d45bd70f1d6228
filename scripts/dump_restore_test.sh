#!/usr/bin/env bash
# pg_dump -Fc / pg_restore round trip (SPEC §13): a database with the
# extension in a non-default schema, the seed's annotated routines and (once
# the configuration table validation_rules exists) a user-added validation
# rule is dumped and restored into a new database with --exit-on-error;
# both must then give the same answers (scripts/release_answers.sql:
# endpoints(), handle_logout, call_logout, ...), the same extension objects
# (scripts/extension_catalog.sql) and the same validation rules.
# Ends with "dump/restore: N passed, M failed"; exits non-zero on any failure.
# Installs into the system PostgreSQL 15: run under /tmp/npgsqlrest-pg.lock.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=/usr/lib/postgresql/15/bin
port=${DUMP_PORT:-54336}
dir=$(mktemp -d /tmp/npgsqlrest_logout-dump.XXXXXX)
work=$(mktemp -d /tmp/npgsqlrest_logout-dump-work.XXXXXX)
chmod 755 "$work"
trap 'bash scripts/cluster.sh stop "$dir"; rm -rf "$work"' EXIT

. scripts/checks.sh

echo "== dump/restore: installing the extension"
bash scripts/install.sh
bash scripts/cluster.sh start "$dir" "$port"
psql_() { psql -X -q -v ON_ERROR_STOP=1 -h "$dir" -p "$port" -U postgres "$@"; }
# The extension's schema is on no search_path: the answers name it through
# PGOPTIONS, the dump and restore have to do without.
answers() { PGOPTIONS='-c search_path=public,ext' psql_ -d "$1" -At -f scripts/release_answers.sql 2>/dev/null; }
value() { psql_ -d "$1" -At -c "$2"; }

psql_ -d postgres -c 'create database dump_source'
psql_ -d dump_source -c 'create schema ext' -c 'create extension npgsqlrest_logout schema ext' \
  -f pgrx-tests/fixtures/seed_schema.sql -f pgrx-tests/fixtures/seed_routines.sql
psql_ -d dump_source -f scripts/release_fixture.sql
rules_query='select * from ext.validation_rules order by name collate "C"'

answers dump_source >"$work/source.first"
echo "== dump/restore: pg_dump -Fc, pg_restore into a new database"
"$BIN/pg_dump" -h "$dir" -p "$port" -U postgres -Fc -f "$work/dump_source.dump" dump_source
psql_ -d postgres -c 'create database dump_target'
if "$BIN/pg_restore" -h "$dir" -p "$port" -U postgres --exit-on-error -d dump_target \
    "$work/dump_source.dump" 2>"$work/restore.err"; then
  ok "pg_restore restores without an error"
else
  not_ok "pg_restore restores without an error"; sed 's/^/    /' "$work/restore.err"
fi
"$BIN/pg_restore" -l "$work/dump_source.dump" >"$work/toc"
grep -q 'EXTENSION - npgsqlrest_logout' "$work/toc" \
  && ok "the dump creates the extension (not its objects one by one)" \
  || not_ok "the dump creates the extension (not its objects one by one)"
if grep -E 'FUNCTION (ext )?[a-z]* *(parse_annotations|handle_logout|endpoints)\(' "$work/toc" >"$work/members"; then
  not_ok "the dump holds none of the extension's functions"; sed 's/^/    /' "$work/members"
else
  ok "the dump holds none of the extension's functions"
fi

equal "restored: the extension is in schema ext" \
  "$(value dump_target "select extnamespace::regnamespace from pg_extension where extname = 'npgsqlrest_logout'")" ext
equal "restored: the same extension version" \
  "$(value dump_target "select extversion from pg_extension where extname = 'npgsqlrest_logout'")" \
  "$(value dump_source "select extversion from pg_extension where extname = 'npgsqlrest_logout'")"
psql_ -d dump_source -At -f scripts/extension_catalog.sql >"$work/source.catalog"
psql_ -d dump_target -At -f scripts/extension_catalog.sql >"$work/target.catalog"
same "restored: the same extension objects" "$work/source.catalog" "$work/target.catalog"

answers dump_source >"$work/source.answers"
answers dump_target >"$work/target.answers"
[ "$(grep -c '^endpoint|' "$work/source.answers")" -eq 6 ] \
  && ok "the source lists its 6 endpoints" || not_ok "the source lists its 6 endpoints"
same "restored: the same answers (endpoints(), handle_logout, call_logout, ...)" \
  "$work/source.answers" "$work/target.answers"
for db in dump_source dump_target; do
  PGOPTIONS='-c search_path=public,ext' psql_ -d "$db" -At -v ON_ERROR_STOP=0 \
    -f scripts/release_roles.sql 2>/dev/null >"$work/$db.roles"
done
same "restored: a routine with roles in another schema answers the same" "$work/dump_source.roles" "$work/dump_target.roles"
equal "restored: the role-restricted routine" "$(paste -sd ' ' "$work/dump_target.roles")" "{} {Bearer} 42501 1"

value dump_source "$rules_query" >"$work/source.rules"
value dump_target "$rules_query" >"$work/target.rules"
grep -q '^zip_code|' "$work/target.rules" \
  && ok "restored: the user's validation rule" || not_ok "restored: the user's validation rule"
same "restored: the same validation rules (defaults once, the user's kept)" "$work/source.rules" "$work/target.rules"

echo "dump/restore: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
