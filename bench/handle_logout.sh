#!/usr/bin/env bash
# handle_logout on every request: pgbench (2 clients, Unix socket) runs
#   select handle_logout('POST', '/auth/logout/web', '{}', '{}')
# against the floor of calling the routine and resolving it directly,
#   select resolve_logout_schemes(logout_web())
# in the same run, alternating, and prints both rates and their ratio.
source "$(dirname "$0")/lib.sh"
bench_start

SECONDS_PER_RUN=${SECONDS_PER_RUN:-20}
bench_psql -f pgrx-tests/fixtures/seed_schema.sql -f pgrx-tests/fixtures/seed_routines.sql >/dev/null
work=$(mktemp -d)
echo "select resolve_logout_schemes(logout_web());" >"$work/floor.sql"
echo "select handle_logout('POST', '/auth/logout/web', '{}', '{}');" >"$work/handle.sql"

tps() {
  /usr/lib/postgresql/15/bin/pgbench -n -c 2 -j 2 -T "$SECONDS_PER_RUN" -M prepared \
    -h "$BENCH_DIR" -p "$BENCH_PORT" -U postgres -f "$1" postgres 2>/dev/null |
    awk '/^tps/ {print $3}'
}

floor1=$(tps "$work/floor.sql")
ours1=$(tps "$work/handle.sql")
floor2=$(tps "$work/floor.sql")
ours2=$(tps "$work/handle.sql")
python3 - "$floor1" "$floor2" "$ours1" "$ours2" <<'PY'
import sys
f1, f2, o1, o2 = map(float, sys.argv[1:])
floor, ours = (f1 + f2) / 2, (o1 + o2) / 2
print(f"resolve_logout_schemes(logout_web()): {floor:10.0f} tps  (runs {f1:.0f}, {f2:.0f})")
print(f"handle_logout('POST', '/auth/logout/web'): {ours:10.0f} tps  (runs {o1:.0f}, {o2:.0f})")
print(f"ratio: {ours / floor:.2f}")
PY
