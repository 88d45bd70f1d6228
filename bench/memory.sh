#!/usr/bin/env bash
# Peak backend memory of parse_annotations on a 10 MB comment and of
# resolve_logout_schemes on a million-element array, each in a fresh
# session: the backend's peak resident set (VmHWM in /proc/<pid>/status)
# during the query over its resident set before it, against the input's
# size. The peak is reset after the setup (clear_refs, as root), so
# building the input does not hide the query's own peak.
source "$(dirname "$0")/lib.sh"
bench_start

status_kb() {
  awk -v field="$2:" '$1 == field {print $2}' "/proc/$1/status"
}

# Runs a setup query and a measured query in one session; prints the input
# size (bytes) and the peak growth (bytes) over the measured query.
measure() {
  local setup=$1 query=$2
  local fifo
  fifo=$(mktemp -u)
  mkfifo "$fifo"
  bench_psql -At <"$fifo" >"$fifo.out" &
  local client=$!
  exec 3>"$fifo"
  echo "select pg_backend_pid();" >&3
  echo "$setup" >&3
  echo "select 'ready';" >&3
  until grep -q '^ready$' "$fifo.out" 2>/dev/null; do sleep 0.1; done
  local pid size before after
  pid=$(head -1 "$fifo.out")
  size=$(sed -n 2p "$fifo.out")
  if [ "$(id -u)" -eq 0 ]; then echo 5 >"/proc/$pid/clear_refs"; else echo 5 | sudo tee "/proc/$pid/clear_refs" >/dev/null; fi
  before=$(status_kb "$pid" VmRSS)
  echo "$query" >&3
  echo "select 'done';" >&3
  until grep -q '^done$' "$fifo.out" 2>/dev/null; do sleep 0.1; done
  after=$(status_kb "$pid" VmHWM)
  exec 3>&-
  wait "$client"
  rm -f "$fifo" "$fifo.out"
  echo "$size $(( (after - before) * 1024 ))"
}

read -r size grown < <(measure \
  "create temp table c as select string_agg('line ' || g || ' of prose, and HTTP POST /x/' || g, E'\n') as t from generate_series(1, 300000) g; select octet_length(t) from c;" \
  "select parse_annotations(t) is not null from c;")
python3 -c "import sys; s, g = int(sys.argv[1]), int(sys.argv[2]); print(f'parse_annotations, {s/1e6:.1f} MB comment: peak grew {g/1e6:.1f} MB = {g/s:.2f}x the input')" "$size" "$grown"

read -r size grown < <(measure \
  "create temp table a as select array(select 'scheme' || g from generate_series(1, 1000000) g) as x; select octet_length(array_to_string(x, chr(44))) + 4 * cardinality(x) from a;" \
  "select cardinality(resolve_logout_schemes(x)) from a;")
python3 -c "import sys; s, g = int(sys.argv[1]), int(sys.argv[2]); print(f'resolve_logout_schemes, million-element text[] ({s/1e6:.1f} MB in memory): peak grew {g/1e6:.1f} MB = {g/s:.2f}x the input')" "$size" "$grown"
