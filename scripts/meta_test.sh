#!/usr/bin/env bash
# Validates META.json (PGXN Meta Spec 1.0.0) with PostgreSQL's own JSON
# parser, on a running cluster where the extension is installed: it is
# JSON, the spec's required keys are there with the right shapes, and its
# version is Cargo.toml's, the control file's default and the version
# CREATE EXTENSION installs.
#   scripts/meta_test.sh SOCKET_DIR PORT
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:?usage: meta_test.sh SOCKET_DIR PORT}
port=${2:?usage: meta_test.sh SOCKET_DIR PORT}
cargo_version=$(sed -n 's/^version *= *"\(.*\)"/\1/p' Cargo.toml | head -n 1)

psql_() { psql -X -q -v ON_ERROR_STOP=1 -h "$dir" -p "$port" -U postgres "$@"; }
PGOPTIONS='-c client_min_messages=warning' psql_ -d postgres -c 'drop database if exists meta_check' -c 'create database meta_check'
psql_ -d meta_check -c 'create extension npgsqlrest_logout'

# Each line: t or f, then what it checks.
out=$(psql_ -d meta_check -At -F ' ' -v cargo="$cargo_version" \
  -v meta="$(cat META.json)" -v lib_exists="$([ -f "$(sed -n 's/.*"file": *"\([^"]*\)".*/\1/p' META.json | head -n 1)" ] && echo t || echo f)" <<'SQL'
\set ON_ERROR_STOP 1
select :'meta'::json is not null, 'parses as JSON';
create temp table m as select :'meta'::jsonb as j;
select jsonb_typeof(j) = 'object', 'is an object' from m;
select j ?& array['name', 'abstract', 'version', 'maintainer', 'license', 'provides', 'meta-spec'],
       'has the required keys name, abstract, version, maintainer, license, provides, meta-spec' from m;
select j ->> 'name' = 'npgsqlrest_logout', 'name' from m;
select coalesce(length(j ->> 'abstract') > 0, false), 'abstract is a non-empty string' from m;
select j -> 'meta-spec' ->> 'version' = '1.0.0', 'meta-spec version 1.0.0' from m;
select j ->> 'license' = 'mit', 'license mit' from m;
select jsonb_typeof(j -> 'maintainer') in ('string', 'array'), 'maintainer is a string or a list' from m;
select j ->> 'version' = :'cargo', 'version = Cargo.toml''s' from m;
select j -> 'provides' -> 'npgsqlrest_logout' ->> 'version' = :'cargo', 'provides npgsqlrest_logout at Cargo.toml''s version' from m;
select coalesce((j -> 'provides' -> 'npgsqlrest_logout' ->> 'file') is not null, false) and :'lib_exists'::bool,
       'provides names a file that exists' from m;
select j ->> 'version' = (select default_version from pg_available_extensions where name = 'npgsqlrest_logout'),
       'version = the installed control file''s default_version' from m;
select j ->> 'version' = (select extversion from pg_extension where extname = 'npgsqlrest_logout'),
       'version = what CREATE EXTENSION installs' from m;
select j ->> 'version' ~ '^\d+\.\d+\.\d+$', 'version is semantic (x.y.z)' from m;
select j ->> 'release_status' in ('stable', 'testing', 'unstable'), 'release_status' from m;
select j -> 'prereqs' -> 'runtime' -> 'requires' ? 'PostgreSQL', 'requires a PostgreSQL version' from m;
SQL
)
psql_ -d postgres -c 'drop database meta_check'
echo "$out" | sed -e 's/^t /  ok   - META.json: /' -e 's/^f /  FAIL - META.json: /'
! echo "$out" | grep -qv '^t '
