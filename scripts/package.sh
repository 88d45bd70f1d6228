#!/usr/bin/env bash
# Builds the Debian package of the extension for one PostgreSQL major:
#   target/debian/postgresql-NN-npgsqlrest-logout_<version>_<arch>.deb
# from `cargo pgrx package` (the library, the control file, the current
# version's install script and the upgrade scripts) plus the install scripts
# of earlier releases kept in sql/, laid out in that server's directories
# (pg_config --pkglibdir, --sharedir/extension).
#   scripts/package.sh [--pg NN | --pg-config PATH | --all] [--profile release|dev] [--out DIR]
# --pg NN uses /usr/lib/postgresql/NN/bin/pg_config (Debian's layout); the
# default is PostgreSQL 15; --all builds one package per major pgrx 0.18.1
# supports (13 to 18) whose pg_config is installed there. Release packages use the release profile (the
# default); --profile dev builds an unoptimized library much faster, for
# testing the packaging itself. Prints the path of the .deb last.
# Builds only; installs nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

ext=npgsqlrest_logout
default_major=15                      # Cargo.toml's default feature
pg_config=/usr/lib/postgresql/$default_major/bin/pg_config
profile=release
out=target/debian
all=
rest=()
while [ $# -gt 0 ]; do
  case "$1" in
    --all) all=1; shift ;;
    --pg) pg_config=/usr/lib/postgresql/${2:?--pg NN}/bin/pg_config; shift 2 ;;
    --pg-config) pg_config=${2:?--pg-config PATH}; shift 2 ;;
    --profile) profile=${2:?--profile release|dev}; rest+=(--profile "$profile"); shift 2 ;;
    --out) out=${2:?--out DIR}; rest+=(--out "$out"); shift 2 ;;
    *) echo "usage: package.sh [--pg NN | --pg-config PATH | --all] [--profile release|dev] [--out DIR]" >&2; exit 2 ;;
  esac
done
if [ -n "$all" ]; then
  for m in 13 14 15 16 17 18; do
    [ -x "/usr/lib/postgresql/$m/bin/pg_config" ] || continue
    bash scripts/package.sh --pg "$m" "${rest[@]}"
  done
  exit 0
fi
[ -x "$pg_config" ] || { echo "package.sh: no pg_config at $pg_config" >&2; exit 1; }
if ! command -v objdump >/dev/null; then       # reads the library's needs for Depends
  if [ "$(id -u)" -eq 0 ]; then sudo_=(); else sudo_=(sudo); fi
  "${sudo_[@]}" apt-get update -qq >/dev/null
  "${sudo_[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq binutils >/dev/null
fi

major=$("$pg_config" --version | sed -n 's/^PostgreSQL \([0-9][0-9]*\).*/\1/p')
[ -n "$major" ] || { echo "package.sh: cannot read the major of $pg_config" >&2; exit 1; }
version=$(sed -n 's/^version *= *"\(.*\)"/\1/p' Cargo.toml | head -n 1)
arch=$(dpkg --print-architecture)
name="postgresql-$major-${ext//_/-}"
pkglibdir=$("$pg_config" --pkglibdir)
extdir=$("$pg_config" --sharedir)/extension

features=()
if [ "$major" != "$default_major" ]; then
  features=(--no-default-features --features "pg$major")
  # pgrx's build finds this major's headers through this pg_config (no
  # `cargo pgrx init --pgNN` needed); not set for the default major, whose
  # already-built bindings it would rebuild.
  export PGRX_PG_CONFIG_PATH=$pg_config
fi
profile_flag=()
[ "$profile" = release ] || profile_flag=(--profile "$profile")

root=$(mktemp -d "/tmp/$ext-package.XXXXXX")
trap 'rm -rf "$root"' EXIT
log=$root.log
echo "package: cargo pgrx package for PostgreSQL $major ($profile profile)" >&2
cargo pgrx package --pg-config "$pg_config" "${profile_flag[@]}" "${features[@]}" \
  --out-dir "$root/tree" >"$log" 2>&1 || { cat "$log" >&2; rm -f "$log"; exit 1; }
rm -f "$log"
tree=$root/tree

# What cargo pgrx package made must be exactly the library, the control file
# and SQL scripts, in this server's directories.
[ -f "$tree$pkglibdir/$ext.so" ] || { echo "package.sh: no $pkglibdir/$ext.so in the package tree" >&2; exit 1; }
[ -f "$tree$extdir/$ext.control" ] || { echo "package.sh: no $extdir/$ext.control in the package tree" >&2; exit 1; }
[ -f "$tree$extdir/$ext--$version.sql" ] || { echo "package.sh: no $ext--$version.sql in the package tree" >&2; exit 1; }
bash scripts/old_versions.sh copy "$tree$extdir"
unexpected=$(cd "$tree" && find . -type f | grep -v -e "^\.$pkglibdir/$ext\.so$" -e "^\.$extdir/$ext\.control$" \
  -e "^\.$extdir/$ext--.*\.sql$" || true)
[ -z "$unexpected" ] || { echo "package.sh: unexpected files: $unexpected" >&2; exit 1; }
find "$tree" -type d -exec chmod 755 {} +
find "$tree" -type f -exec chmod 644 {} +

# Depends: the server, and the shared libraries the library links against.
depends="postgresql-$major"
glibc=$(objdump -T "$tree$pkglibdir/$ext.so" | grep -o 'GLIBC_[0-9.]*' | sed 's/GLIBC_//' | sort -uV | tail -n 1)
for lib in $(objdump -p "$tree$pkglibdir/$ext.so" | awk '$1 == "NEEDED" { print $2 }'); do
  case "$lib" in
    libc.so.6|libm.so.6|ld-linux-*.so.*|libpthread.so.0|libdl.so.2|librt.so.1) ;;
    libgcc_s.so.1) depends="$depends, libgcc-s1" ;;
    *) echo "package.sh: the library needs $lib; add its package to Depends" >&2; exit 1 ;;
  esac
done
depends="$depends, libc6${glibc:+ (>= $glibc)}"

mkdir -p "$tree/DEBIAN"
(cd "$tree" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | sort -z | xargs -0 md5sum) >"$tree/DEBIAN/md5sums"
cat >"$tree/DEBIAN/control" <<CONTROL
Package: $name
Version: $version
Architecture: $arch
Maintainer: npgsqlrest_logout maintainers <maintainers@users.noreply.r-seed-596c309f.example>
Installed-Size: $(du -sk --exclude=DEBIAN "$tree" | cut -f1)
Depends: $depends
Section: database
Priority: optional
Description: NpgsqlRest annotations and @logout routines for PostgreSQL $major
 npgsqlrest_logout parses NpgsqlRest comment annotations (HTTP, @logout,
 @authorize, ...) from function comments and .sql files, lists the
 endpoints NpgsqlRest would create, and runs @logout routines for a thin
 HTTP front-end, returning the authentication schemes to sign out of.
 .
 This package holds the extension for PostgreSQL $major: run
 CREATE EXTENSION npgsqlrest_logout; in a database, or
 ALTER EXTENSION npgsqlrest_logout UPDATE; after upgrading the package.
CONTROL

mkdir -p "$out"
deb="$out/${name}_${version}_${arch}.deb"
# xz for release packages; a dev build's library is large (debug info) and
# only ever installed by the package test: fast gzip.
compress=(-Zxz)
[ "$profile" = release ] || compress=(-Zgzip -z1)
dpkg-deb --root-owner-group "${compress[@]}" --build "$tree" "$deb" >/dev/null
echo "$deb"
