#!/usr/bin/env bash
# The package test (SPEC §13): builds the Debian package with
# scripts/package.sh, removes the build tree's install from the system
# PostgreSQL 15 (library, control file, SQL scripts), installs the package
# with `apt-get install ./….deb`, checks its fields and files, runs CREATE
# EXTENSION (and a 0.1.0 install updated in place) and a handle_logout of a
# seed routine on a fresh cluster, removes the package with `apt-get remove`
# and checks every file it brought is gone. Finally installs the build tree
# again (also when a check fails), so later tests find the extension.
#   PACKAGE_PROFILE=release|dev (default dev: the packaging is the same, the
#   library unoptimized and built in seconds; see README "Releases and upgrades")
# Ends with "package: N passed, M failed"; exits non-zero on any failure.
# Installs into the system PostgreSQL 15: run under /tmp/npgsqlrest-pg.lock.
set -euo pipefail
cd "$(dirname "$0")/.."

PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config
ext=npgsqlrest_logout
pkg=postgresql-15-npgsqlrest-logout
port=${PACKAGE_PORT:-54339}
profile=${PACKAGE_PROFILE:-dev}
dir=$(mktemp -d /tmp/npgsqlrest_logout-package.XXXXXX)
work=$(mktemp -d /tmp/npgsqlrest_logout-package-work.XXXXXX)
version=$(sed -n 's/^version *= *"\(.*\)"/\1/p' Cargo.toml | head -n 1)
libdir=$("$PG_CONFIG" --pkglibdir)
extdir=$("$PG_CONFIG" --sharedir)/extension

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}
apt_() { as_root env DEBIAN_FRONTEND=noninteractive apt-get -y -q "$@"; }
cleanup() {
  bash scripts/cluster.sh stop "$dir"
  if dpkg -s "$pkg" >/dev/null 2>&1; then apt_ remove "$pkg" >/dev/null 2>&1 || true; fi
  echo "== package: installing the build tree again"
  bash scripts/install.sh
  rm -rf "$work"
}
trap cleanup EXIT

. scripts/checks.sh

echo "== package: building ($profile profile)"
start=$(date +%s)
deb=$(bash scripts/package.sh --pg 15 --profile "$profile" --out "$work")
echo "   built $(basename "$deb") in $(( $(date +%s) - start )) s"
equal "the file name" "$(basename "$deb")" "${pkg}_${version}_$(dpkg --print-architecture).deb"

field() { dpkg-deb -f "$deb" "$1"; }
equal "Package" "$(field Package)" "$pkg"
equal "Version" "$(field Version)" "$version"
equal "Architecture" "$(field Architecture)" "$(dpkg --print-architecture)"
field Maintainer | grep -q '<.*@.*>' && ok "Maintainer has an address" || not_ok "Maintainer has an address"
field Depends | grep -qE '(^|, )postgresql-15(,|$)' && ok "Depends on postgresql-15" \
  || { not_ok "Depends on postgresql-15"; field Depends; }
[ -n "$(field Description)" ] && [ "$(field Description | wc -l)" -ge 3 ] \
  && ok "Description, short and long" || not_ok "Description, short and long"
dpkg-deb -c "$deb" | awk '$1 !~ /^d/ { sub(/^\.\//, "", $6); print "/" $6 }' | sort >"$work/files"
printf '%s\n' "$libdir/$ext.so" "$extdir/$ext.control" "$extdir/$ext--$version.sql" \
  $(bash scripts/old_versions.sh list | sed "s|^sql/|$extdir/|") \
  $(ls sql/"$ext"--*--*.sql | sed "s|^sql/|$extdir/|") | sort -u >"$work/want"
same "its files: the library, the control file, every SQL script, in the server's directories" "$work/want" "$work/files"

echo "== package: removing the build tree's install"
if dpkg -s "$pkg" >/dev/null 2>&1; then apt_ remove "$pkg" >/dev/null; fi
as_root rm -f "$libdir/$ext.so" "$extdir/$ext.control" "$extdir/$ext"--*.sql
left=$(ls "$libdir/$ext".* "$extdir/$ext"* 2>/dev/null || true)
equal "nothing of the extension is left in the server's directories" "$left" ""

echo "== package: apt-get install ./$(basename "$deb")"
cp "$deb" "$work/install.deb"
chmod 644 "$work/install.deb"; chmod 755 "$work"
if apt_ install "$work/install.deb" >"$work/apt.log" 2>&1; then ok "apt-get install"; else not_ok "apt-get install"; cat "$work/apt.log"; fi
equal "dpkg knows it installed" "$(dpkg-query -W -f='${db:Status-Status} ${Version}' "$pkg" 2>/dev/null)" "installed $version"
missing=$(while read -r f; do [ -f "$f" ] || echo "$f"; done <"$work/files")
equal "its files are in place" "$missing" ""

bash scripts/cluster.sh start "$dir" "$port"
psql_() { psql -X -q -v ON_ERROR_STOP=1 -h "$dir" -p "$port" -U postgres "$@"; }
psql_ -d postgres -c 'create database pkg' -c 'create database pkg_old'
psql_ -d pkg -c "create extension $ext" -f pgrx-tests/fixtures/seed_schema.sql -f pgrx-tests/fixtures/seed_routines.sql
equal "CREATE EXTENSION installs $version" \
  "$(psql_ -d pkg -At -c "select extversion from pg_extension where extname = '$ext'")" "$version"
equal "handle_logout of a seed routine" \
  "$(psql_ -d pkg -At -c "select handle_logout('POST', '/auth/logout/web', '{}', '{user}')")" "{Cookies,Bearer}"
equal "endpoints()" "$(psql_ -d pkg -At -c "select count(*) from endpoints()")" 5
psql_ -d pkg_old -c "create extension $ext version '0.1.0'" -c "alter extension $ext update" \
  -f pgrx-tests/fixtures/seed_schema.sql -f pgrx-tests/fixtures/seed_routines.sql
equal "0.1.0 from the package, updated in place" \
  "$(psql_ -d pkg_old -At -c "select extversion from pg_extension where extname = '$ext'" \
     -c "select handle_logout('POST', '/auth/logout', '{\"_scheme\": \"Bearer\"}', '{user}')" | paste -sd ' ')" \
  "$version {Bearer}"
bash scripts/cluster.sh stop "$dir"

echo "== package: apt-get remove $pkg"
if apt_ remove "$pkg" >"$work/apt.log" 2>&1; then ok "apt-get remove"; else not_ok "apt-get remove"; cat "$work/apt.log"; fi
left=$(while read -r f; do [ ! -e "$f" ] || echo "$f"; done <"$work/files")
equal "every file it brought is gone" "$left" ""
equal "dpkg knows it is gone" "$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || echo not-installed)" "not-installed"

echo "package: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
