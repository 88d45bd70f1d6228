# Shared by the benchmarks: a release build installed into the system
# PostgreSQL 15 and a throwaway cluster. Source it, then call bench_start.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

BENCH_DIR=$(mktemp -d /tmp/npgsqlrest_logout-bench.XXXXXX)
BENCH_PORT=${BENCH_PORT:-54332}

bench_start() {
  bash scripts/setup.sh >/dev/null
  local log
  log=$(mktemp)
  cargo pgrx install --release --pg-config /usr/bin/pg_config >"$log" 2>&1 || { cat "$log"; exit 1; }
  trap 'bash scripts/cluster.sh stop "$BENCH_DIR"' EXIT
  bash scripts/cluster.sh start "$BENCH_DIR" "$BENCH_PORT"
  bench_psql -c "create extension npgsqlrest_logout" >/dev/null
}

bench_psql() {
  psql -X -q -v ON_ERROR_STOP=1 -h "$BENCH_DIR" -p "$BENCH_PORT" -U postgres -d postgres "$@"
}

# Median execution time (ms) of a query over N runs, from EXPLAIN ANALYZE,
# so the time to send rows to the client is left out for every query alike.
bench_median_ms() {
  local query=$1 runs=${2:-7}
  for _ in $(seq "$runs"); do
    bench_psql -At -c "explain (analyze, timing off, format json) $query" |
      python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["Execution Time"])'
  done | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

# The same, each run in a new session that first ran `select 1`: a new
# backend's first call of the query, without what any first statement
# costs (the method of issue 16's figures).
bench_first_ms() {
  local query=$1 runs=${2:-7}
  for _ in $(seq "$runs"); do
    bench_psql -At -c "select 1" -c "explain (analyze, timing off, format json) $query" | tail -n +2 |
      python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["Execution Time"])'
  done | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

# The same, with every run in one session: a backend's caches are warm
# after the first run, which is left out.
bench_warm_median_ms() {
  local query=$1 runs=${2:-7}
  for _ in $(seq "$runs"); do
    echo "explain (analyze, timing off, format json) $query;"
  done | bench_psql -At |
    python3 -c '
import json, sys
text = sys.stdin.read()
plans, decoder, at = [], json.JSONDecoder(), 0
while at < len(text):
    while at < len(text) and text[at].isspace():
        at += 1
    if at >= len(text):
        break
    plan, at = decoder.raw_decode(text, at)
    plans.append(plan[0]["Execution Time"])
warm = sorted(plans[1:])
print(warm[len(warm) // 2])'
}

# The plain catalog queries endpoints() is compared with: the routines it
# considers (sql/routines_listed.sql's filters) and their comments, read
# through a pg_description join or through obj_description().
filters=$(cat sql/routines_listed.sql)
plain_join="select p.oid::regprocedure, n.nspname, p.proname, p.provolatile, d.description
  from pg_catalog.pg_proc p
  join pg_catalog.pg_namespace n on n.oid operator(pg_catalog.=) p.pronamespace
  left join pg_catalog.pg_description d on d.objoid operator(pg_catalog.=) p.oid
   and d.classoid operator(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass
   and d.objsubid operator(pg_catalog.=) 0
  $filters"
plain_obj="select p.oid::regprocedure, n.nspname, p.proname, p.provolatile,
       pg_catalog.obj_description(p.oid, 'pg_proc')
  from pg_catalog.pg_proc p
  join pg_catalog.pg_namespace n on n.oid operator(pg_catalog.=) p.pronamespace
  $filters"

# The one-call comparisons (bench/handle_logout.sh, bench/instructions.sh):
# the seed routines and an @user_context endpoint (the three default
# context claims, the IP key switched off so both sides set the same three
# settings), and each statement beside its floor.
handle_floor="select resolve_logout_schemes(logout_web())"
handle_ours="select handle_logout('POST', '/auth/logout/web', '{}', '{}')"
ctx_floor="select set_config('request.user_id', '1', true), set_config('request.user_name', 'ann', true), set_config('request.user_roles', '{\"user\"}', true), resolve_logout_schemes(ctx_logout())"
ctx_ours="select handle_logout('POST', '/auth/logout/ctx', '{}', user_claims => '{\"user_id\": \"1\", \"user_name\": \"ann\", \"user_roles\": [\"user\"]}')"

bench_one_call_fixture() {
  bench_psql -f pgrx-tests/fixtures/seed_schema.sql -f pgrx-tests/fixtures/seed_routines.sql >/dev/null
  bench_psql >/dev/null <<'SQL'
create function ctx_logout() returns text language sql stable
    as $$ select current_setting('request.user_id') || ':Cookies' $$;
comment on function ctx_logout() is E'HTTP POST /auth/logout/ctx\n@logout\n@authorize\n@user_context';
alter database postgres set npgsqlrest_logout.ip_address_context_key = '';
SQL
}
