#!/usr/bin/env bash
# resolve_logout_schemes on text, text[], a 3-column record and jsonb over
# 100,000 rows, against the PL/pgSQL a user would write (bench/plpgsql_resolve.sql)
# and the built-in floor array_remove(x, NULL), side by side in one run.
# The tables are vacuumed first, so every query scans all-visible pages, as
# a table at rest would be, rather than checking each row's visibility.
source "$(dirname "$0")/lib.sh"
bench_start

ROWS=${ROWS:-100000}
bench_psql -f bench/plpgsql_resolve.sql >/dev/null
bench_psql <<SQL
create table bench_values as
select array[' Cookies', 'Bearer', null, 'Cookies', 'Jwt' || (g % 7)] as names,
       'Cookies'::text as name,
       jsonb_build_array('Cookies', 'Bearer', null, 'Jwt' || (g % 7)) as doc
from generate_series(1, $ROWS) g;
create table bench_triples as select 'Cookies'::text as a, 'Bearer'::text as b, 'Jwt'::text as c
from generate_series(1, $ROWS);
vacuum analyze;
SQL

measure() {
  bench_median_ms "select count($1) from $2"
}
report() {
  python3 - "$@" <<'PY'
import sys
label, ours, plpgsql, floor = sys.argv[1], *map(float, sys.argv[2:5])
floor_text = f"{floor:8.1f} ms   {ours / floor:5.2f}x floor" if floor > 0 else "       -"
print(f"{label:7} ours {ours:8.1f} ms   PL/pgSQL {plpgsql:8.1f} ms ({plpgsql / ours:5.1f}x slower)   floor {floor_text}")
PY
}

report "text[]" "$(measure 'resolve_logout_schemes(names)' bench_values)" \
  "$(measure 'plpgsql_resolve(names)' bench_values)" "$(measure 'array_remove(names, null)' bench_values)"
report "text" "$(measure 'resolve_logout_schemes(name)' bench_values)" \
  "$(measure 'plpgsql_resolve(name)' bench_values)" "$(measure 'array_remove(array[name], null)' bench_values)"
# jsonb has no array_remove of its own: the floor turns the array into
# text[] with the built-in set function first.
report "jsonb" "$(measure 'resolve_logout_schemes(doc)' bench_values)" \
  "$(measure 'plpgsql_resolve(doc)' bench_values)" \
  "$(measure 'array_remove(array(select jsonb_array_elements_text(doc)), null)' bench_values)"
# The record is the row value of each table row, made once in a subquery
# for every query alike; the floor takes its columns from that value.
rows_as_records="(select t as r from bench_triples t offset 0) s"
report "record" "$(measure 'resolve_logout_schemes(r)' "$rows_as_records")" \
  "$(measure 'plpgsql_resolve(r)' "$rows_as_records")" \
  "$(measure 'array_remove(array[(r).a, (r).b, (r).c], null)' "$rows_as_records")"
echo "record  (the floor reading the table's columns, no row value made: $(measure 'array_remove(array[a, b, c], null)' bench_triples) ms)"
