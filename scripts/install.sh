#!/usr/bin/env bash
# Installs the extension into a PostgreSQL's directories: `cargo pgrx
# install` (the library, the control file, the current version's install
# script and every sql/<ext>--A--B.sql upgrade script), plus the install
# scripts of earlier releases kept in sql/ (sql/<ext>--A.sql), which
# `cargo pgrx install` leaves out, so `CREATE EXTENSION … VERSION 'A'` works.
#   scripts/install.sh [--pg-config PATH] [extra cargo pgrx install flags]
# Installing into the system PostgreSQL: hold /tmp/npgsqlrest-pg.lock.
set -euo pipefail
cd "$(dirname "$0")/.."

pg_config=/usr/bin/pg_config
if [ "${1:-}" = --pg-config ]; then pg_config=${2:?--pg-config PATH}; shift 2; fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
cargo pgrx install --pg-config "$pg_config" "$@" >"$log" 2>&1 || { cat "$log"; exit 1; }
bash scripts/old_versions.sh copy "$("$pg_config" --sharedir)/extension"
