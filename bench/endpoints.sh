#!/usr/bin/env bash
# endpoints() over 10,000 annotated functions, against plain pg_catalog
# queries that read the same routines and comments, in the same run: the
# first call in a session (cold: every comment parsed) and later calls
# (each routine's row cached per backend; the catalog is still read).
# annotation_problems() over the same database is measured against the
# first endpoints() call (SPEC §12: at most 2x).
source "$(dirname "$0")/lib.sh"
bench_start

COUNT=${COUNT:-10000}
bench_psql <<SQL
create schema bench;
do \$\$
begin
  for i in 1..$COUNT loop
    execute format('create function bench.%I(p_id int, p_note text default null) returns text
                    language sql as %L', 'logout_' || i, 'select ''Cookies''');
    execute format('comment on function bench.%I(int, text) is %L', 'logout_' || i,
      'Signs the caller out of session ' || i || E'.\nHTTP POST /auth/logout/' || i
      || E'\n@logout\n@authorize admin, user\nCache-Control: no-store\naudit = on');
  end loop;
end \$\$;
analyze;
SQL


rows=$(bench_psql -At -c "select count(*) from endpoints()")
ours=$(bench_median_ms "select * from endpoints()")
warm=$(bench_warm_median_ms "select * from endpoints()")
join=$(bench_median_ms "$plain_join")
obj=$(bench_median_ms "$plain_obj")
lint=$(bench_median_ms "select * from annotation_problems()")
python3 - "$rows" "$ours" "$warm" "$join" "$obj" "$lint" <<'PY'
import sys
rows, ours, warm, join, obj, lint = int(sys.argv[1]), *map(float, sys.argv[2:])
print(f"endpoints() rows: {rows}")
print(f"pg_catalog query, pg_description join:   {join:9.1f} ms")
print(f"pg_catalog query, obj_description():     {obj:9.1f} ms")
print(f"endpoints(), first call in a session:    {ours:9.1f} ms   {ours / join:.2f}x join, {ours / obj:.2f}x obj_description")
print(f"endpoints(), later calls in the session: {warm:9.1f} ms   {warm / join:.2f}x join, {warm / obj:.2f}x obj_description")
print(f"annotation_problems(), a new session:    {lint:9.1f} ms   {lint / ours:.2f}x endpoints()' first call")
PY
