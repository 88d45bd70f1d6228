#!/usr/bin/env bash
# Installs everything a fresh Debian 12 machine needs to build and test the
# extension. Idempotent; works as root or as a user with sudo.
#   scripts/setup.sh            PostgreSQL 15 (Debian 12's packages), the default
#   scripts/setup.sh --pg NN    PostgreSQL NN as well (see scripts/pg_versions.sh;
#                               16's suite runs but for the golden part)
#
# 13 and 18 are built from Debian's source packages into a private prefix
# (scripts/pg_versions.sh says which suite and where); a built prefix is
# kept, so later runs skip the build. Every major built so far is registered
# with pgrx in one `cargo pgrx init` call, since init keeps only the
# versions it is given.
#
# 16 comes from a Python wheel on PyPI that bundles a build of it, pinned
# by sha256 and unpacked into the same kind of prefix (install_from_wheel).
#
# 17 comes as Debian trixie's own binary packages, installed into a minimal
# trixie root (debootstrap) under the same directory; the extension is built
# and tested inside that root (scripts/in_root.sh), where 17 is registered
# with the root's own pgrx configuration. The machine's apt sources are
# never changed: debootstrap and the root's apt read the mirror on their own.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=scripts/pg_versions.sh
. "$here/pg_versions.sh"

PGRX_VERSION=0.18.1

pg=15
while [ $# -gt 0 ]; do
  case "$1" in
    --pg) pg=${2:-}; shift 2 || shift ;;
    --pg=*) pg=${1#--pg=}; shift ;;
    *) echo "usage: setup.sh [--pg NN]" >&2; exit 2 ;;
  esac
done
pg_check_buildable "$pg" || exit 2

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

install_pkgs() {
  local need=() p
  for p in "$@"; do
    dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
  done
  if [ ${#need[@]} -gt 0 ]; then
    echo "setup: installing ${need[*]}"
    as_root apt-get update -qq >/dev/null
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  fi
}

install_pkgs postgresql-15 postgresql-server-dev-15 postgresql-contrib libclang-dev clang sudo pkg-config

if ! cargo pgrx --version 2>/dev/null | grep -q "$PGRX_VERSION"; then
  echo "setup: installing cargo-pgrx $PGRX_VERSION"
  cargo install cargo-pgrx --version "$PGRX_VERSION" --locked
fi

# Builds PostgreSQL $1 from Debian's source package in suite $2 into the
# prefix pg_prefix gives. The source package comes through a private apt
# configuration (its own source list, lists and cache under the build
# cache), so the system's apt sources are never changed.
build_from_source() {
  local major=$1 suite=$2
  local prefix cache apt_dir src_dir mirror
  prefix=$(pg_prefix "$major")
  if [ -x "$prefix/bin/pg_config" ] && [ -f "$prefix/.complete" ]; then
    return 0
  fi
  install_pkgs dpkg-dev build-essential bison flex libreadline-dev zlib1g-dev \
    libicu-dev libssl-dev libxml2-dev perl
  cache=$(pg_cache_dir)
  apt_dir="$cache/apt-$suite"
  src_dir="$cache/src-$major"
  mirror=$(sed -n 's/^URIs:[[:space:]]*//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)
  mirror=${mirror:-http://deb.debian.org/debian}
  as_root mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$src_dir"
  echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $suite main" \
    | as_root tee "$apt_dir/sources.list" >/dev/null
  local apt_opts=(-o "Dir::Etc::sourcelist=$apt_dir/sources.list" -o "Dir::Etc::sourceparts=-"
    -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache"
    -o "APT::Get::List-Cleanup=0")
  if ! ls "$src_dir"/postgresql-"$major"_*.dsc >/dev/null 2>&1; then
    echo "setup: fetching postgresql-$major's source package from Debian $suite"
    as_root apt-get "${apt_opts[@]}" update -qq >/dev/null
    (cd "$src_dir" && as_root apt-get "${apt_opts[@]}" source --download-only -qq "postgresql-$major" >/dev/null)
  fi
  local dsc tree
  dsc=$(ls "$src_dir"/postgresql-"$major"_*.dsc | head -1)
  tree="$src_dir/tree"
  as_root rm -rf "$tree"
  # Upstream's source as Debian ships it; Debian's patches move paths to
  # its own layout, which a private prefix does not want.
  as_root dpkg-source -x --skip-patches "$dsc" "$tree" >/dev/null
  echo "setup: building PostgreSQL $major into $prefix (make -j${PG_BUILD_JOBS:-2})"
  local log="$src_dir/build.log"
  (
    cd "$tree"
    ./configure --prefix="$prefix" --with-icu --with-openssl --without-llvm >"$log" 2>&1
    make -j"${PG_BUILD_JOBS:-2}" >>"$log" 2>&1
    make install >>"$log" 2>&1
    for m in $PG_CONTRIB_MODULES; do
      make -C "contrib/$m" -j"${PG_BUILD_JOBS:-2}" install >>"$log" 2>&1
    done
  ) || { tail -40 "$log"; echo "setup: building PostgreSQL $major failed (log: $log)" >&2; exit 1; }
  # The server runs as `postgres`: the prefix must be readable by it.
  as_root chmod -R a+rX "$prefix"
  as_root touch "$prefix/.complete"
  as_root rm -rf "$tree"
}

# PostgreSQL 16 from a Python wheel: no Debian suite carries 16 (bookworm
# has 15, trixie 17, sid 18), but PyPI's pgserver wheel bundles a build of
# it with the server headers, pg_config and PGXS. The wheel is pinned by
# version and sha256, so a changed upload is refused rather than trusted.
# Its tree is kept as the wheel lays it out (pgserver/pginstall/ beside
# pgserver.libs/): the programs find their libpq through an RPATH relative
# to themselves, and PostgreSQL's programs find the rest of the install
# relative to themselves too, so the tree works wherever it is unpacked.
# The wheel has no contrib modules but plpgsql (and pgvector), so no
# dblink, which the golden suite needs, and the dblink sources of the
# other majors on hand (13's and 18's) do not give a working one for 16;
# hence 16 is only partly tested (scripts/pg_versions.sh says more).
PG16_WHEEL=pgserver-0.1.4-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl
PG16_WHEEL_SHA256=d595789b47624a3d963aa9aa6359da9be31beb7e61f1a45541953242068b8813
install_from_wheel() {
  local major=$1 prefix cache wheel sum
  prefix=$(pg_prefix "$major")
  if [ -x "$(pg_config_for "$major")" ] && [ -f "$prefix/.complete" ]; then
    return 0
  fi
  install_pkgs unzip
  cache="$(pg_cache_dir)/wheel-$major"
  wheel="$cache/$PG16_WHEEL"
  as_root mkdir -p "$cache"
  if [ ! -f "$wheel" ]; then
    echo "setup: fetching PostgreSQL $major (PyPI's ${PG16_WHEEL%%-cp*})"
    local dl
    dl=$(mktemp -d)
    # The platform and Python version are named, so the same file comes
    # whatever Python this machine has.
    python3 -m pip download -q --no-deps --only-binary=:all: --platform manylinux2014_x86_64 \
      --python-version 3.11 --implementation cp -d "$dl" "pgserver==0.1.4" \
      || { rm -rf "$dl"; echo "setup: downloading the pgserver wheel failed" >&2; exit 1; }
    [ -f "$dl/$PG16_WHEEL" ] \
      || { ls "$dl" >&2; rm -rf "$dl"; echo "setup: pip did not give $PG16_WHEEL" >&2; exit 1; }
    as_root mv "$dl/$PG16_WHEEL" "$wheel.part"
    rm -rf "$dl"
    as_root mv "$wheel.part" "$wheel"
  fi
  sum=$(sha256sum "$wheel" | cut -d' ' -f1)
  if [ "$sum" != "$PG16_WHEEL_SHA256" ]; then
    as_root mv "$wheel" "$wheel.rejected"
    echo "setup: $PG16_WHEEL has sha256 $sum, not the pinned $PG16_WHEEL_SHA256; refusing it (kept as $wheel.rejected)" >&2
    exit 1
  fi
  echo "setup: unpacking PostgreSQL $major into $prefix"
  as_root rm -rf "$prefix.new"
  as_root mkdir -p "$prefix.new"
  as_root unzip -q "$wheel" 'pgserver/pginstall/*' 'pgserver.libs/*' -d "$prefix.new"
  as_root rm -rf "$prefix"
  as_root mv "$prefix.new" "$prefix"
  local cfg
  cfg=$(pg_config_for "$major")
  # Relocated: pg_config must report paths inside the prefix.
  local d
  for d in --bindir --includedir-server --pkglibdir --sharedir; do
    case "$("$cfg" "$d")" in
      "$prefix"/*) ;;
      *) echo "setup: $cfg $d gives $("$cfg" "$d"), outside $prefix" >&2; exit 1 ;;
    esac
  done
  "$cfg" --version | grep -q "^PostgreSQL $major\." \
    || { echo "setup: $cfg is not PostgreSQL $major" >&2; exit 1; }
  # The server runs as `postgres`: the prefix must be readable by it.
  as_root chmod -R a+rX "$prefix"
  as_root touch "$prefix/.complete"
}

# A minimal Debian root (debootstrap) for major $1, with Debian's binary
# packages of it and what building the extension needs, and $1 registered
# with the root's own pgrx configuration. Each step leaves a mark in the
# root and is skipped once done.
setup_root() {
  local major=$1 suite root mirror log
  suite=$(pg_root_suite "$major")
  root=$(pg_os_root "$major")
  mirror=$(sed -n 's/^URIs:[[:space:]]*//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)
  mirror=${mirror:-http://deb.debian.org/debian}
  log=$(mktemp)
  if [ ! -f "$root/.complete-base" ]; then
    if [ -e "$root" ]; then
      if awk -v r="$root/" 'index($2, r) == 1 { found = 1 } END { exit !found }' /proc/self/mounts; then
        echo "setup: $root is unfinished and has mounts under it; unmount them first" >&2
        exit 1
      fi
      as_root rm -rf "$root"
    fi
    install_pkgs debootstrap
    echo "setup: making a Debian $suite root at $root (debootstrap, $mirror)"
    as_root rm -rf "$root.new"
    as_root mkdir -p "$(dirname "$root")"
    as_root debootstrap --variant=minbase "$suite" "$root.new" "$mirror" >"$log" 2>&1 \
      || { tail -30 "$log"; echo "setup: debootstrap failed" >&2; exit 1; }
    # No service starts inside the root, and installing a server creates
    # no cluster: the tests make their own.
    printf '#!/bin/sh\nexit 101\n' | as_root tee "$root.new/usr/sbin/policy-rc.d" >/dev/null
    as_root chmod 755 "$root.new/usr/sbin/policy-rc.d"
    as_root mkdir -p "$root.new/etc/postgresql-common/createcluster.d"
    echo "create_main_cluster = false" \
      | as_root tee "$root.new/etc/postgresql-common/createcluster.d/00-no-main.conf" >/dev/null
    as_root touch "$root.new/.complete-base"
    as_root mv "$root.new" "$root"
  fi
  if [ ! -f "$root/.complete-pg$major" ]; then
    echo "setup: installing Debian $suite's postgresql-$major into $root"
    as_root bash "$here/in_root.sh" "$root" env DEBIAN_FRONTEND=noninteractive \
      bash -c 'apt-get update -qq && apt-get install -y -qq --no-install-recommends "$@"' apt \
      "postgresql-$major" "postgresql-server-dev-$major" libclang-dev clang gcc libc6-dev make \
      pkg-config sudo curl ca-certificates >"$log" 2>&1 \
      || { tail -30 "$log"; echo "setup: installing postgresql-$major in the root failed" >&2; exit 1; }
    as_root touch "$root/.complete-pg$major"
  fi
  # Debian 12's PostgreSQL 15 packages too (the very ones this machine
  # runs), unpacked into the root with the three libraries trixie lacks, so
  # that pg_upgrade from 15 to the root's major runs inside it
  # (scripts/pg_upgrade_test.sh): Debian's own upgrade path from 12 to 13.
  if [ ! -f "$root/.complete-pg$PG_DEFAULT" ]; then
    echo "setup: unpacking Debian 12's postgresql-$PG_DEFAULT into $root (for pg_upgrade)"
    local debs stage
    debs="$(pg_cache_dir)/bookworm-pg$PG_DEFAULT"
    stage=$(mktemp -d)
    as_root mkdir -p "$debs"
    as_root chown _apt "$debs" 2>/dev/null || true
    (cd "$debs" && as_root apt-get download -qq "postgresql-$PG_DEFAULT" "postgresql-client-$PG_DEFAULT" \
      "postgresql-server-dev-$PG_DEFAULT" libicu72 libldap-2.5-0 libunistring2 >"$log" 2>&1) \
      || { cat "$log"; echo "setup: downloading Debian 12's postgresql-$PG_DEFAULT failed" >&2; exit 1; }
    local deb
    for deb in "$debs"/*.deb; do dpkg-deb -x "$deb" "$stage"; done
    local d
    for d in "lib/postgresql/$PG_DEFAULT" "share/postgresql/$PG_DEFAULT" "include/postgresql/$PG_DEFAULT"; do
      as_root mkdir -p "$root/usr/$d"
      as_root cp -a "$stage/usr/$d/." "$root/usr/$d/"
    done
    as_root mkdir -p "$root/usr/lib/postgresql/$PG_DEFAULT/bookworm-lib"
    as_root cp -a "$stage/usr/lib/x86_64-linux-gnu/." "$root/usr/lib/postgresql/$PG_DEFAULT/bookworm-lib/"
    echo "/usr/lib/postgresql/$PG_DEFAULT/bookworm-lib" \
      | as_root tee "$root/etc/ld.so.conf.d/npgsqlrest-bookworm-pg$PG_DEFAULT.conf" >/dev/null
    as_root chroot "$root" ldconfig
    as_root chroot "$root" "/usr/lib/postgresql/$PG_DEFAULT/bin/postgres" --version >/dev/null \
      || { echo "setup: Debian 12's postgres does not run in the root" >&2; exit 1; }
    rm -rf "$stage"
    as_root touch "$root/.complete-pg$PG_DEFAULT"
  fi
  # Both registered with the root's own pgrx, in one call.
  local cfg=/usr/lib/postgresql/$major/bin/pg_config
  local cfg_old=/usr/lib/postgresql/$PG_DEFAULT/bin/pg_config
  if ! grep -qs "^pg$major = \"$cfg\"" "$root/root/.pgrx/config.toml" \
      || ! grep -qs "^pg$PG_DEFAULT = \"$cfg_old\"" "$root/root/.pgrx/config.toml"; then
    echo "setup: registering the root's PostgreSQL $PG_DEFAULT and $major with pgrx (inside the root)"
    as_root bash "$here/in_root.sh" "$root" cargo pgrx init "--pg$PG_DEFAULT" "$cfg_old" "--pg$major" "$cfg" >"$log" 2>&1 \
      || { cat "$log"; echo "setup: cargo pgrx init in the root failed" >&2; exit 1; }
  fi
  rm -f "$log"
  echo "setup: ok (PostgreSQL $major: Debian $suite's $(as_root chroot "$root" "$cfg" --version) in $root)"
}

case "$pg" in
  15) ;;
  16) install_from_wheel "$pg" ;;
  17) setup_root "$pg"; exit 0 ;;
  *) build_from_source "$pg" "$(pg_suite "$pg")" ;;
esac

# Register every major available on this machine in one call.
pgrx_home="${PGRX_HOME:-$HOME/.pgrx}"
init_args=()
registered=""
for m in $PG_BUILD_ONLY $PG_PARTLY_TESTED $PG_SUPPORTED; do
  # A major that lives in a root is registered inside it (setup_root).
  pg_root_suite "$m" >/dev/null && continue
  cfg=$(pg_config_for "$m")
  if [ -x "$cfg" ]; then
    init_args+=("--pg$m" "$cfg")
    registered="$registered pg$m=\"$cfg\""
  fi
done
current=""
for m in $PG_BUILD_ONLY $PG_PARTLY_TESTED $PG_SUPPORTED; do
  line=$(grep -s "^pg$m = " "$pgrx_home/config.toml" | sed 's/^\(pg[0-9]*\) = /\1=/' || true)
  [ -n "$line" ] && current="$current $line"
done
if [ "$current" != "$registered" ]; then
  echo "setup: registering with pgrx:$registered"
  cargo pgrx init "${init_args[@]}" >/dev/null
fi

# The extension is installed into the system PostgreSQL's directories, which
# a non-root user can only write to when they belong to it.
if [ "$(id -u)" -ne 0 ]; then
  for d in "$(/usr/bin/pg_config --sharedir)/extension" "$(/usr/bin/pg_config --pkglibdir)"; do
    [ -w "$d" ] || as_root chown "$(id -u)" "$d"
  done
fi
echo "setup: ok (PostgreSQL $pg: $(pg_config_for "$pg"))"
