#!/usr/bin/env bash
# Installs everything a fresh Debian 12 machine needs to build and test the
# extension. Idempotent; works as root or as a user with sudo.
set -euo pipefail

PGRX_VERSION=0.18.1
PG_CONFIG=/usr/bin/pg_config

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

need_pkgs=()
for p in postgresql-15 postgresql-server-dev-15 postgresql-contrib libclang-dev clang sudo pkg-config; do
  dpkg -s "$p" >/dev/null 2>&1 || need_pkgs+=("$p")
done
if [ ${#need_pkgs[@]} -gt 0 ]; then
  echo "setup: installing ${need_pkgs[*]}"
  as_root apt-get update -qq >/dev/null
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_pkgs[@]}" >/dev/null
fi

if ! cargo pgrx --version 2>/dev/null | grep -q "$PGRX_VERSION"; then
  echo "setup: installing cargo-pgrx $PGRX_VERSION"
  cargo install cargo-pgrx --version "$PGRX_VERSION" --locked
fi

pgrx_home="${PGRX_HOME:-$HOME/.pgrx}"
if ! grep -qs "pg15" "$pgrx_home/config.toml"; then
  echo "setup: registering PostgreSQL 15 with pgrx"
  cargo pgrx init --pg15 "$PG_CONFIG"
fi

# The extension is installed into the system PostgreSQL's directories, which
# a non-root user can only write to when they belong to it.
if [ "$(id -u)" -ne 0 ]; then
  for d in "$($PG_CONFIG --sharedir)/extension" "$($PG_CONFIG --pkglibdir)"; do
    [ -w "$d" ] || as_root chown "$(id -u)" "$d"
  done
fi
echo "setup: ok"
