#!/usr/bin/env bash
# handle_logout on every request: pgbench (2 clients, Unix socket) runs
#   select handle_logout('POST', '/auth/logout/web', '{}', '{}')
# against the floor of calling the routine and resolving it directly,
#   select resolve_logout_schemes(logout_web())
# in the same run, alternating, and prints both rates and their ratio.
# Then the same for an endpoint with @user_context, against the
# hand-written statement that sets the same three context settings and
# calls the routine:
#   select set_config('request.user_id', '1', true), …, resolve_logout_schemes(ctx_logout())
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

compare() {
  local floor1 ours1 floor2 ours2
  floor1=$(tps "$1")
  ours1=$(tps "$2")
  floor2=$(tps "$1")
  ours2=$(tps "$2")
  python3 - "$floor1" "$floor2" "$ours1" "$ours2" "$3" "$4" <<'PY'
import sys
f1, f2, o1, o2 = map(float, sys.argv[1:5])
floor, ours = (f1 + f2) / 2, (o1 + o2) / 2
print(f"{sys.argv[5]}: {floor:10.0f} tps  (runs {f1:.0f}, {f2:.0f})")
print(f"{sys.argv[6]}: {ours:10.0f} tps  (runs {o1:.0f}, {o2:.0f})")
print(f"ratio: {ours / floor:.2f}")
PY
}

compare "$work/floor.sql" "$work/handle.sql" \
  "resolve_logout_schemes(logout_web())" "handle_logout('POST', '/auth/logout/web')"

# @user_context: the three default context claims, the IP key switched off
# so both sides set the same three settings.
bench_psql >/dev/null <<'SQL'
create function ctx_logout() returns text language sql stable
    as $$ select current_setting('request.user_id') || ':Cookies' $$;
comment on function ctx_logout() is E'HTTP POST /auth/logout/ctx\n@logout\n@authorize\n@user_context';
alter database postgres set npgsqlrest_logout.ip_address_context_key = '';
SQL
cat >"$work/ctx_floor.sql" <<'SQL'
select set_config('request.user_id', '1', true), set_config('request.user_name', 'ann', true), set_config('request.user_roles', '{"user"}', true), resolve_logout_schemes(ctx_logout());
SQL
cat >"$work/ctx_handle.sql" <<'SQL'
select handle_logout('POST', '/auth/logout/ctx', '{}', user_claims => '{"user_id": "1", "user_name": "ann", "user_roles": ["user"]}');
SQL
compare "$work/ctx_floor.sql" "$work/ctx_handle.sql" \
  "set_config x3 + resolve_logout_schemes(ctx_logout())" "handle_logout with @user_context"

