#!/usr/bin/env bash
# Scale (issue 16): a new backend's first logout (after `select 1`, as
# every first-call figure here), what it keeps, the next
# call after a COMMENT, endpoints()' first call and 50 backends starting at
# once, on databases of 10,000 and 100,000 annotated routines (1 % of them
# logout endpoints, 2 % more whose prose mentions a logout), each figure
# beside its comparison in the same run. Benchmarks, not timed tests.
#   bench/scale.sh            COUNTS="10000 100000" by default
#   COUNTS=10000 RUNS=5 bench/scale.sh
source "$(dirname "$0")/lib.sh"
bench_start

COUNTS=${COUNTS:-10000 100000}
RUNS=${RUNS:-7}
# Shared memory for endpoints() rows in the preloaded runs: room for
# 100,000 rows.
SHARED_MB=${SHARED_MB:-256MB}

# Fills schema `scale` with $1 routines and realistic comments.
populate() {
  local count=$1
  bench_psql <<SQL
drop schema if exists scale cascade;
create schema scale;
do \$\$
declare body text;
begin
  for i in 1..$count loop
    execute format('create function scale.%I(p_id int, p_note text default null) returns text
                    language sql as %L', 'routine_' || i, 'select ''Cookies''');
    body := case
      when i % 100 = 0 then
        'Signs the caller out of every session on device ' || i || E'.\n'
        || E'The front-end clears its cookies too.\n'
        || 'HTTP POST /auth/logout/' || i || E'\n@logout\n@authorize admin, user\nCache-Control: no-store'
      when i % 50 = 25 then
        'Records a logout event for the audit trail (not itself a logout).' || E'\n'
        || 'HTTP POST /audit/logout-events/' || i || E'\n@authorize auditor\ntags audit'
      when i % 7 = 0 then
        'Updates the profile of customer ' || i || E', checking the caller owns it.\n'
        || 'HTTP PUT /customers/' || i || E'/profile\n@authorize user\n@request_param_type body_json\nsecurity_sensitive'
      else
        'Returns the orders of customer ' || i || E' with their lines, newest first,\n'
        || E'paged by the client after the user signs in.\n'
        || 'HTTP GET /customers/' || i || E'/orders\n@authorize user\ntags orders, read\nCache-Control: max-age=60'
    end;
    execute format('comment on function scale.%I(int, text) is %L', 'routine_' || i, body);
    if i % 5000 = 0 then commit; end if;
  end loop;
end \$\$;
vacuum analyze;
SQL
}

# One new session: `select 1`, then $1; prints the growth of the backend's
# resident set and of its private part (RssAnon) over $1, in kB.
rss_growth() {
  bench_psql -At <<SQL | awk 'NR == 1 {r = $1; a = $2} NR == 2 {print $1 - r, $2 - a}'
select pg_backend_pid() as pid \gset
select 1 \g /dev/null
\setenv BACKEND :pid
\! awk '\$1 == "VmRSS:" {r = \$2} \$1 == "RssAnon:" {a = \$2} END {print r, a}' /proc/\$BACKEND/status
$1 \g /dev/null
\! awk '\$1 == "VmRSS:" {r = \$2} \$1 == "RssAnon:" {a = \$2} END {print r, a}' /proc/\$BACKEND/status
SQL
}

# The median growth over RUNS new sessions: "rss_kB anon_kB".
median_growth() {
  local i
  for i in $(seq "$RUNS"); do rss_growth "$1"; done |
    sort -n -k2 | awk '{r[NR] = $1; a[NR] = $2} END {m = int((NR + 1) / 2); print r[m], a[m]}'
}

# The median time of $2 in one session right after $1 ran in another,
# with the session warm beforehand.
after_change_ms() {
  local change=$1 query=$2
  {
    echo "create extension if not exists dblink;"
    echo "select dblink_connect('other', 'host=$BENCH_DIR port=$BENCH_PORT dbname=postgres user=postgres');"
    echo "create function pg_temp.ms(q text) returns float8 language plpgsql as \$\$
          declare plan json;
          begin
            execute 'explain (analyze, timing off, format json) ' || q into plan;
            return (plan -> 0 ->> 'Execution Time')::float8;
          end \$\$;"
    echo "$query;"
    for i in $(seq "$RUNS"); do
      echo "select dblink_exec('other', \$\$${change//\{i\}/$i}\$\$);"
      echo "select 'ms ' || pg_temp.ms(\$q\$$query\$q\$);"
    done
  } | bench_psql -At | awk '$1 == "ms" {print $2}' | sort -g |
    awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'
}

# Wall time (ms) for 50 new backends at once, each running $1 once.
burst_ms() {
  local script
  script=$(mktemp)
  echo "$1;" >"$script"
  local start end
  start=$(date +%s%N)
  pgbench -n -C -c 50 -j 2 -t 1 -f "$script" -h "$BENCH_DIR" -p "$BENCH_PORT" -U postgres postgres >/dev/null
  end=$(date +%s%N)
  rm -f "$script"
  echo $(( (end - start) / 1000000 ))
}

logout="select handle_logout('POST', '/auth/logout/100', '{\"p_id\": 1}', '{admin}')"
candidates_regex="select d.objoid, d.description from pg_catalog.pg_description d
 where d.classoid operator(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass
   and d.objsubid operator(pg_catalog.=) 0
   and d.description operator(pg_catalog.~*) 'logout|signout'"
candidates_ilike="select d.objoid, d.description from pg_catalog.pg_description d
 where d.classoid operator(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass
   and d.objsubid operator(pg_catalog.=) 0
   and (d.description operator(pg_catalog.~~*) '%logout%' or d.description operator(pg_catalog.~~*) '%signout%')"

for count in $COUNTS; do
  populate "$count"
  answer=$(bench_psql -At -c "$logout")
  logouts=$(bench_psql -At -c "select count(*) from logout_endpoints")
  regex=$(bench_first_ms "$candidates_regex" "$RUNS")
  ilike=$(bench_first_ms "$candidates_ilike" "$RUNS")
  first=$(bench_first_ms "$logout" "$RUNS")
  warm=$(bench_warm_median_ms "$logout" "$RUNS")
  read -r logout_rss logout_anon < <(median_growth "$logout")
  read -r one_rss one_anon < <(median_growth "select 1")
  read -r cand_rss cand_anon < <(median_growth "$candidates_ilike")
  after_plain=$(after_change_ms "comment on function scale.routine_{i}(int, text) is 'Prose {i}.'" "$logout")
  after_logout=$(after_change_ms "comment on function scale.routine_200(int, text) is E'HTTP POST /auth/logout/200\n@logout\n-- {i}'" "$logout")
  after_new=$(after_change_ms "comment on function scale.routine_{i}(int, text) is E'HTTP POST /auth/logout/new/{i}\n@logout'" "$logout")
  after_replace=$(after_change_ms "create or replace function scale.routine_{i}(p_id int, p_note text default null) returns text language sql as 'select ''{i}'''" "$logout")
  after_replace_logout=$(after_change_ms "create or replace function scale.routine_200(p_id int, p_note text default null) returns text language sql as 'select ''{i}'''" "$logout")
  ep_first=$(bench_first_ms "select * from endpoints()" "$RUNS")
  ep_warm=$(bench_warm_median_ms "select * from endpoints()" "$RUNS")
  obj=$(bench_first_ms "$plain_obj" "$RUNS")
  read -r ep_rss ep_anon < <(median_growth "select * from endpoints()")
  read -r join_rss join_anon < <(median_growth "$plain_join")
  burst=$(burst_ms "$logout")
  burst_one=$(burst_ms "select 1")
  # The same new backends with the library in shared_preload_libraries:
  # loaded once by the postmaster, not by each backend.
  # endpoints() rows shared too (shared_endpoints_memory), with room for
  # every row.
  CLUSTER_OPTIONS="-c shared_preload_libraries=npgsqlrest_logout -c npgsqlrest_logout.shared_endpoints_memory=$SHARED_MB" \
    bash scripts/cluster.sh restart "$BENCH_DIR" "$BENCH_PORT"
  # The first backend after the start scans every comment and shares
  # the candidates it found; the next ones read the shared list.
  first_pre_scan=$(bench_first_ms "$logout" 1)
  first_pre=$(bench_first_ms "$logout" "$RUNS")
  read -r pre_rss pre_anon < <(median_growth "$logout")
  # A migration's COMMENT adds to the shared list: the burst after it
  # still reads the list.
  bench_psql -c "comment on function scale.routine_7(int, text) is 'Prose changed.'"
  burst_pre=$(burst_ms "$logout")
  burst_one_pre=$(burst_ms "select 1")
  # endpoints(): the first backend builds and shares every row; the next
  # ones copy them out.
  ep_first_pre_build=$(bench_first_ms "select * from endpoints()" 1)
  ep_first_pre=$(bench_first_ms "select * from endpoints()" "$RUNS")
  ep_warm_pre=$(bench_warm_median_ms "select * from endpoints()" "$RUNS")
  obj_pre=$(bench_first_ms "$plain_obj" "$RUNS")
  read -r ep_pre_rss ep_pre_anon < <(median_growth "select * from endpoints()")
  read -r join_pre_rss join_pre_anon < <(median_growth "$plain_join")
  shared_used=$(bench_psql -At -c "select used_bytes from shared_endpoints_usage()")
  bash scripts/cluster.sh restart "$BENCH_DIR" "$BENCH_PORT"
  python3 - "$count" "$logouts" "$answer" "$regex" "$ilike" "$first" "$warm" \
    "$logout_rss" "$logout_anon" "$one_rss" "$one_anon" "$cand_rss" "$cand_anon" "$after_plain" "$after_logout" "$after_new" "$after_replace" "$after_replace_logout" \
    "$ep_first" "$ep_warm" "$obj" "$ep_rss" "$ep_anon" "$join_rss" "$join_anon" "$burst" "$burst_one" "$first_pre" "$burst_pre" "$burst_one_pre" "$first_pre_scan" "$pre_rss" "$pre_anon" \
    "$ep_first_pre_build" "$ep_first_pre" "$ep_warm_pre" "$obj_pre" "$ep_pre_rss" "$ep_pre_anon" "$join_pre_rss" "$join_pre_anon" "$shared_used" <<'PY'
import sys
a = sys.argv[1:]
count, logouts, answer = int(a[0]), int(a[1]), a[2]
(regex, ilike, first, warm, lrss, lanon, orss, oanon, crss, canon, aplain, alogout, anew, areplace, areplacel,
 epf, epw, obj, eprss, epanon, jrss, janon, burst, burst1, firstpre, burstpre, burst1pre,
 firstprescan, prerss, preanon, epfb, epfp, epwp, objp, eprssp, epanonp, jrssp, janonp, sused) = map(float, a[3:])
cheapest = min(regex, ilike)
mb = lambda kb: kb / 1024
print(f"== {count} annotated routines, {logouts} logout endpoints (handle_logout answers {answer})")
print(f"candidate comments, ~* query:                {regex:8.1f} ms")
print(f"candidate comments, ILIKE query:             {ilike:8.1f} ms")
print(f"handle_logout, a new backend's first call:   {first:8.1f} ms   {first / cheapest:.2f}x the cheapest candidate query")
print(f"handle_logout, later calls:                  {warm:8.3f} ms")
print(f"  backend growth over it: {mb(lrss):6.1f} MB resident, {mb(lanon):6.1f} MB private; "
      f"over `select 1`: {mb(orss):.1f} MB resident, {mb(oanon):.1f} MB private; "
      f"over the ILIKE query: {mb(crss):.1f} MB resident, {mb(canon):.1f} MB private")
print(f"next handle_logout in a warm backend after another session's")
print(f"  COMMENT on a plain routine:                {aplain:8.2f} ms")
print(f"  COMMENT on a logout routine:               {alogout:8.2f} ms")
print(f"  COMMENT making a plain routine a logout:   {anew:8.2f} ms")
print(f"  CREATE OR REPLACE of a plain routine:      {areplace:8.2f} ms")
print(f"  CREATE OR REPLACE of a logout routine:     {areplacel:8.2f} ms")
print(f"endpoints(), first call in a session:        {epf:8.1f} ms   {epf / obj:.2f}x the obj_description query ({obj:.1f} ms)")
print(f"endpoints(), later calls:                    {epw:8.1f} ms   {epw / obj:.2f}x")
print(f"  backend growth: endpoints() {mb(eprss):.1f} MB resident, {mb(epanon):.1f} MB private; "
      f"the plain join {mb(jrss):.1f} MB resident, {mb(janon):.1f} MB private "
      f"({eprss / max(jrss, 1):.2f}x, {epanon / max(janon, 1):.2f}x)")
print(f"50 new backends at once, each one handle_logout: {burst:6.0f} ms wall ({burst1:.0f} ms for `select 1`)")
print(f"with shared_preload_libraries: the first backend's first handle_logout (scans, shares) {firstprescan:.1f} ms; "
      f"a new backend's first handle_logout (the shared list) {firstpre:.1f} ms ({firstpre / cheapest:.2f}x), "
      f"growing {mb(prerss):.1f} MB resident, {mb(preanon):.1f} MB private; "
      f"50 new backends after a COMMENT {burstpre:.0f} ms wall ({burst1pre:.0f} ms for `select 1`)")
print(f"with shared endpoints() rows (shared_endpoints_memory: {int(sused) / 2**20:.1f} MB used, {sused / count:.0f} B per routine):")
print(f"  endpoints(), the first backend's first call (builds, shares): {epfb:8.1f} ms")
print(f"  endpoints(), a new backend's first call:   {epfp:8.1f} ms   {epfp / objp:.2f}x the obj_description query ({objp:.1f} ms)")
print(f"  endpoints(), later calls:                  {epwp:8.1f} ms   {epwp / objp:.2f}x")
print(f"  backend growth: endpoints() {mb(eprssp):.1f} MB resident, {mb(epanonp):.1f} MB private; "
      f"the plain join {mb(jrssp):.1f} MB resident, {mb(janonp):.1f} MB private "
      f"({eprssp / max(jrssp, 1):.2f}x, {epanonp / max(janonp, 1):.2f}x)")
PY
done
