#!/usr/bin/env bash
# parse_annotations over 10,000 realistic comments (3-15 lines, annotations
# and prose mixed) against regexp_split_to_array(comment, E'\n'), the floor
# of touching every line in SQL, side by side in one run.
source "$(dirname "$0")/lib.sh"
bench_start

COUNT=${COUNT:-10000}
bench_psql <<SQL
create table bench_comments as
select array_to_string((array[
    'Signs the caller out of session ' || g || '.',
    'HTTP POST /auth/logout/' || g,
    '@logout',
    '@authorize admin, user',
    'Cache-Control: no-store',
    'audit = on',
    'This endpoint revokes refresh tokens and writes an audit row.',
    'timeout 30s',
    'request_param_type body',
    'X-Trace: {_trace}',
    'for web',
    'raw',
    'buffer_rows 50',
    'Deprecated: use /auth/logout/web instead.',
    'sse_level info'])[1:3 + g % 13], E'\n') as comment
from generate_series(1, $COUNT) g;
analyze;
SQL

bytes=$(bench_psql -At -c "select sum(octet_length(comment)) from bench_comments")
ours=$(bench_median_ms "select count(parse_annotations(comment)) from bench_comments")
floor=$(bench_median_ms "select count(regexp_split_to_array(comment, E'\\n')) from bench_comments")
python3 - "$COUNT" "$bytes" "$ours" "$floor" <<'PY'
import sys
count, size, ours, floor = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
print(f"parse_annotations: {ours:8.1f} ms for {count} comments ({size / 1e6:.2f} MB): "
      f"{count / ours * 1000:,.0f} comments/s, {size / 1e6 / ours * 1000:.1f} MB/s")
print(f"regexp_split_to_array floor: {floor:8.1f} ms   ratio {ours / floor:.2f}x")
PY
