#!/usr/bin/env bash
# Runs a command inside a Debian root made by debootstrap (the one that
# carries PostgreSQL 17: see scripts/pg_versions.sh), with what a build and
# a test need bound in: /proc, /dev (with /dev/pts and /dev/shm), the Rust
# toolchain (rustup's and cargo's homes) and this source tree at the same
# path as outside, so paths agree on both sides; the machine's DNS settings
# and host names are copied in. Cargo builds into the root's own target
# directory.
#   scripts/in_root.sh ROOT COMMAND [ARGS...]
# Runs as root. One command at a time per root: the mounts are made under a
# lock on ROOT.lock and undone on the way out, on success, failure or a
# signal; a mount left by a run that was killed is reused, not doubled,
# and undone by the next run.
set -euo pipefail
root=${1:?usage: in_root.sh ROOT COMMAND [ARGS...]}
shift
[ $# -gt 0 ] || { echo "usage: in_root.sh ROOT COMMAND [ARGS...]" >&2; exit 2; }
if [ "$(id -u)" -ne 0 ]; then
  exec sudo -E bash "$0" "$root" "$@"
fi
root=$(cd "$root" && pwd)
[ -x "$root/usr/bin/env" ] || { echo "in_root: no Debian root at $root" >&2; exit 1; }
tree=$(cd "$(dirname "$0")/.." && pwd)

exec 9>"$root.lock"
flock 9

cargo_home=${CARGO_HOME:-$HOME/.cargo}
rustup_home=${RUSTUP_HOME:-$HOME/.rustup}

# Mount points, in mounting order: "SOURCE TARGET-INSIDE".
binds=("/dev /dev" "/dev/pts /dev/pts" "/dev/shm /dev/shm" "$tree $tree")
[ -d "$cargo_home" ] && binds+=("$cargo_home /root/.cargo")
[ -d "$rustup_home" ] && binds+=("$rustup_home /root/.rustup")

mounted=()
cleanup() {
  local i
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
    umount "${mounted[$i]}" 2>/dev/null || umount -l "${mounted[$i]}" || true
  done
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

# Undoes mounts a killed run may have left (innermost first), so each run
# starts from the bare root and ends there.
while read -r m; do
  umount "$m" 2>/dev/null || umount -l "$m" || true
done < <(awk -v r="$root/" 'index($2, r) == 1 { print $2 }' /proc/self/mounts | sort -r)

mkdir -p "$root/proc"
mount -t proc proc "$root/proc"
mounted+=("$root/proc")
for b in "${binds[@]}"; do
  src=${b%% *}
  dst="$root${b#* }"
  mkdir -p "$dst"
  mount --bind "$src" "$dst"
  mounted+=("$dst")
done
for f in resolv.conf hosts; do cp -L "/etc/$f" "$root/etc/$f" 2>/dev/null || true; done

target_dir=/var/cache/npgsqlrest_logout/target
mkdir -p "$root$target_dir"
cwd=$PWD
case "$cwd" in "$tree"|"$tree"/*) ;; *) cwd=/ ;; esac
# Not `exec`: the mounts are undone when the command ends.
chroot "$root" /usr/bin/env \
  -u PGRX_HOME -u CARGO_HOME -u RUSTUP_HOME \
  HOME=/root \
  PATH=/root/.cargo/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  CARGO_TARGET_DIR="$target_dir" \
  NPGSQLREST_IN_ROOT="$root" \
  bash -c 'cd "$1" && shift && exec "$@"' in_root "$cwd" "$@"
