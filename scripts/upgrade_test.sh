#!/usr/bin/env bash
# The upgrade test (SPEC §13): installs the extension as released in 0.1.0
# (sql/npgsqlrest_logout--0.1.0.sql; and each later release sql/ keeps),
# loads the seed's routines, runs ALTER EXTENSION npgsqlrest_logout UPDATE,
# and compares the extension's objects (scripts/extension_catalog.sql) with
# a fresh CREATE EXTENSION: any difference fails, printed as a diff. The old
# database's routines must answer the same before the update, after it in
# the session that ran it, in a new session, and as in the fresh database
# (scripts/release_answers.sql). Done in the default schema and (from
# 0.1.0) in a quoted non-default one. Also: unknown versions give PostgreSQL's own
# errors, and META.json describes the version CREATE EXTENSION installs.
# Ends with "upgrade: N passed, M failed"; exits non-zero on any failure.
# Installs into the system PostgreSQL 15: run under /tmp/npgsqlrest-pg.lock.
set -euo pipefail
cd "$(dirname "$0")/.."

PG_CONFIG=/usr/bin/pg_config
port=${UPGRADE_PORT:-54335}
dir=$(mktemp -d /tmp/npgsqlrest_logout-upgrade.XXXXXX)
work=$(mktemp -d /tmp/npgsqlrest_logout-upgrade-work.XXXXXX)
trap 'bash scripts/cluster.sh stop "$dir"; rm -rf "$work"' EXIT

current=$(sed -n 's/^version *= *"\(.*\)"/\1/p' Cargo.toml | head -n 1)
# Every earlier release whose install script sql/ keeps, oldest first.
released=$(bash scripts/old_versions.sh list | sed 's|^sql/npgsqlrest_logout--\(.*\)\.sql$|\1|' | sort -V)
first=$(echo "$released" | head -n 1)
[ "$first" = 0.1.0 ] || { echo "upgrade: sql/ lacks 0.1.0's install script" >&2; exit 1; }

. scripts/checks.sh

echo "== upgrade: installing the extension ($current, with the install scripts of" $released")"
bash scripts/install.sh --pg-config "$PG_CONFIG"
bash scripts/cluster.sh start "$dir" "$port"
psql_() { psql -X -q -v ON_ERROR_STOP=1 -h "$dir" -p "$port" -U postgres "$@"; }
catalog() { psql_ -d "$1" -At -f scripts/extension_catalog.sql; }
answers() { psql_ -d "$1" -At -f scripts/release_answers.sql 2>/dev/null; }
value() { psql_ -d "$1" -At -c "$2"; }

echo "== upgrade: versions"
equal "the versions on offer" \
  "$(value postgres "select string_agg(version, ' ' order by version collate \"C\") from pg_available_extension_versions where name = 'npgsqlrest_logout'")" \
  "$(printf '%s\n' $released "$current" | LC_ALL=C sort -u | paste -sd ' ')"
equal "the default version is Cargo.toml's" \
  "$(value postgres "select default_version from pg_available_extensions where name = 'npgsqlrest_logout'")" "$current"

# upgrade_in SCHEMA TAG FROM: a database created at version FROM and
# updated in place against a fresh one, both with the extension in SCHEMA.
upgrade_in() {
  local schema=$1 tag=$2 first=$3
  local old="upgraded_$tag" new="fresh_$tag" qs
  qs=$(value postgres "select quote_ident('$schema')")
  echo "== upgrade: from $first, extension in schema $qs"
  for db in "$old" "$new"; do
    psql_ -d postgres -c "create database $db"
    [ "$schema" = public ] || psql_ -d "$db" -c "create schema $qs"
    psql_ -d "$db" \
      -c "alter database $db set search_path = public, $qs"
  done
  psql_ -d "$old" -c "create extension npgsqlrest_logout version '$first' schema $qs"
  psql_ -d "$new" -c "create extension npgsqlrest_logout schema $qs"
  for db in "$old" "$new"; do
    psql_ -d "$db" -f pgrx-tests/fixtures/seed_schema.sql -f pgrx-tests/fixtures/seed_routines.sql
  done
  equal "$qs: $old starts at $first" \
    "$(value "$old" "select extversion from pg_extension where extname = 'npgsqlrest_logout'")" "$first"
  equal "$qs: $new is created at $current" \
    "$(value "$new" "select extversion from pg_extension where extname = 'npgsqlrest_logout'")" "$current"

  answers "$old" >"$work/$old.before"
  catalog "$old" >"$work/$old.catalog.before"
  # One session answers, updates and answers again: a session open across
  # the update keeps working.
  {
    cat scripts/release_answers.sql
    echo "\\echo '-- update'"
    echo "\\set ON_ERROR_STOP 1"
    echo "alter extension npgsqlrest_logout update;"
    cat scripts/release_answers.sql
  } >"$work/session.sql"
  psql_ -d "$old" -At -f "$work/session.sql" 2>"$work/session.err" >"$work/session.out" \
    || { not_ok "$qs: the update in an open session"; cat "$work/session.err"; return; }
  sed -n '/^-- update$/q;p' "$work/session.out" >"$work/$old.session.before"
  sed -n '/^-- update$/,$p' "$work/session.out" | tail -n +2 >"$work/$old.session.after"
  equal "$qs: $old is at $current after ALTER EXTENSION UPDATE" \
    "$(value "$old" "select extversion from pg_extension where extname = 'npgsqlrest_logout'")" "$current"

  catalog "$old" >"$work/$old.catalog"
  catalog "$new" >"$work/$new.catalog"
  if [ "$first" != "$current" ]; then
    # the test can fail: the description sees the version itself
    if cmp -s "$work/$old.catalog.before" "$work/$new.catalog"; then
      not_ok "$qs: the catalog description tells $first from $current"
    else
      ok "$qs: the catalog description tells $first from $current"
    fi
  fi
  [ "$(grep -c '^function ' "$work/$new.catalog")" -ge 10 ] \
    && ok "$qs: the description lists the extension's functions" \
    || not_ok "$qs: the description lists the extension's functions"
  same "$qs: updated objects = fresh objects (functions, views, tables, event triggers, extconfig, comments)" \
    "$work/$new.catalog" "$work/$old.catalog"

  answers "$old" >"$work/$old.after"
  answers "$new" >"$work/$new.answers"
  [ "$(grep -c '^endpoint|' "$work/$new.answers")" -eq 5 ] \
    && ok "$qs: the seed's answers are there" || not_ok "$qs: the seed's answers are there"
  # After the update: the updated database answers as a fresh one, in a new
  # session and in the session that ran the update.
  same "$qs: after the update, $old answers as a fresh install (new session)" \
    "$work/$new.answers" "$work/$old.after"
  same "$qs: after the update, the session that ran it answers as a fresh install" \
    "$work/$new.answers" "$work/$old.session.after"
  # Before the update: the $first definitions with the $current library, as
  # between installing the new package and ALTER EXTENSION UPDATE; every
  # database not yet updated runs this way.
  same "$qs: before the update, $first's definitions with the $current library answer as $current" \
    "$work/$new.answers" "$work/$old.before"
  same "$qs: ... also in the session that then ran the update" \
    "$work/$new.answers" "$work/$old.session.before"
}
for v in $released; do
  upgrade_in public "public_${v//./_}" "$v"
done
upgrade_in 'Odd Schema' odd "$first"

echo "== upgrade: unknown versions"
psql_ -d postgres -c 'create database bad_versions'
psql_ -d bad_versions -c "create extension npgsqlrest_logout version '$first'"
err() {
  psql -X -q -h "$dir" -p "$port" -U postgres -d bad_versions -v ON_ERROR_STOP=0 \
    -c "$1" -c '\echo :LAST_ERROR_SQLSTATE :LAST_ERROR_MESSAGE' 2>/dev/null | tail -n 1
}
equal "UPDATE TO an unknown version" "$(err "alter extension npgsqlrest_logout update to '9.9.9'")" \
  "22023 extension \"npgsqlrest_logout\" has no update path from version \"$first\" to version \"9.9.9\""
equal "CREATE EXTENSION of an unknown version" \
  "$(err "drop extension npgsqlrest_logout; create extension npgsqlrest_logout version '9.9.9'")" \
  "22023 extension \"npgsqlrest_logout\" has no installation script nor update path for version \"9.9.9\""
equal "the failed commands changed nothing" \
  "$(value bad_versions "select extversion from pg_extension where extname = 'npgsqlrest_logout'")" "$first"
equal "UPDATE TO the current version" \
  "$(err "alter extension npgsqlrest_logout update to '$current'")$(value bad_versions "select extversion from pg_extension where extname = 'npgsqlrest_logout'")" \
  "00000 $current"
equal "no downgrade from $current" "$(err "alter extension npgsqlrest_logout update to '$first'")" \
  "22023 extension \"npgsqlrest_logout\" has no update path from version \"$current\" to version \"$first\""

echo "== upgrade: META.json"
bash scripts/meta_test.sh "$dir" "$port" && ok "META.json (scripts/meta_test.sh)" || not_ok "META.json (scripts/meta_test.sh)"

echo "upgrade: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
