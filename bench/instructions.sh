#!/usr/bin/env bash
# Instructions per transaction, counted by callgrind, of handle_logout and
# of the statements bench/handle_logout.sh compares it with: the server
# runs under valgrind, pgbench (1 client, -M prepared) runs each statement
# SHORT and then LONG transactions in new sessions, and the difference of
# the two sessions' counts over LONG - SHORT transactions is what one
# transaction costs the backend, warm (each session's start-up and first
# calls cancel out). Instruction counts repeat run after run whatever else
# the machine does, so this tells a change's effect when pgbench's rates
# swing; they leave out the client and the time memory and the kernel
# take, so a ratio here is a guide to, not a copy of, the rate ratio.
#   bench/instructions.sh         SHORT=300 LONG=1300 by default
#   KEEP=1 bench/instructions.sh  keeps the callgrind files and says where,
#                                 for callgrind_annotate --tree=calling
#   CALLGRIND_OPTIONS=--cache-sim=yes KEEP=1 bench/instructions.sh
#                                 also simulates the caches (the kept files
#                                 then count misses beside instructions)
source "$(dirname "$0")/lib.sh"
command -v valgrind >/dev/null || { echo "instructions: needs valgrind (apt-get install valgrind)" >&2; exit 1; }
bench_start

SHORT=${SHORT:-300}
LONG=${LONG:-1300}
bench_one_call_fixture

# The same cluster, its server now under callgrind (each backend writes
# its own count when it exits).
counts=$(mktemp -d /tmp/npgsqlrest_logout-callgrind.XXXXXX)
chmod 777 "$counts"
bin=$(/usr/bin/pg_config --bindir)
sudo -u postgres "$bin/pg_ctl" -D "$BENCH_DIR/data" -m fast -w stop >/dev/null
sudo -u postgres bash -c "valgrind --tool=callgrind --trace-children=yes ${CALLGRIND_OPTIONS:-} \
  --callgrind-out-file=$counts/backend.%p.out $bin/postgres -D $BENCH_DIR/data -k $BENCH_DIR \
  -p $BENCH_PORT -c listen_addresses= -c fsync=off -c autovacuum=off >$counts/server.log 2>&1 &"
for try in $(seq 61); do
  bench_psql -At -c "select 1" >/dev/null 2>&1 && break
  [ "$try" = 61 ] && { cat "$counts/server.log" >&2; echo "instructions: the server did not start under valgrind" >&2; exit 1; }
  sleep 1
done

# Waits until no backend is still writing its count: the set of count
# files stays the same for two seconds.
settle() {
  local was now
  now=$(ls "$counts"/backend.*.out 2>/dev/null | wc -l)
  while :; do
    was=$now
    sleep 2
    now=$(ls "$counts"/backend.*.out 2>/dev/null | wc -l)
    [ "$now" = "$was" ] && break
  done
}

# Instructions of the backend that ran $1 transactions of the script $2
# (pgbench's first connection, which only reads the server's settings,
# has a backend of its own: the larger count is the session's).
session_count() {
  local before new
  settle
  before=$(ls "$counts"/backend.*.out 2>/dev/null | sort || true)
  "$bin/pgbench" -n -c 1 -t "$1" -M prepared -h "$BENCH_DIR" -p "$BENCH_PORT" -U postgres \
    -f "$2" postgres >>"$counts/pgbench.log" 2>&1 || { cat "$counts/pgbench.log" >&2; exit 1; }
  settle
  new=$(comm -13 <(echo "$before") <(ls "$counts"/backend.*.out | sort))
  echo "$new" | xargs awk '$1 == "totals:" {print $2}' | sort -n | tail -1
}

per_transaction() {
  local script short long
  script=$(mktemp)
  echo "$1;" >"$script"
  chmod 644 "$script"
  short=$(session_count "$SHORT" "$script")
  long=$(session_count "$LONG" "$script")
  rm -f "$script"
  echo $(( (long - short) / (LONG - SHORT) ))
}

floor=$(per_transaction "$handle_floor")
ours=$(per_transaction "$handle_ours")
ctx_floor=$(per_transaction "$ctx_floor")
ctx_ours=$(per_transaction "$ctx_ours")
if [ -n "${KEEP:-}" ]; then echo "callgrind files kept in $counts"; else rm -rf "$counts"; fi
python3 - "$floor" "$ours" "$ctx_floor" "$ctx_ours" <<'PY'
import sys
floor, ours, ctx_floor, ctx_ours = map(int, sys.argv[1:])
print(f"resolve_logout_schemes(logout_web()):           {floor:7d} instructions per transaction")
print(f"handle_logout('POST', '/auth/logout/web'):      {ours:7d}  ({floor / ours:.2f}x the floor's rate, by instructions)")
print(f"set_config x3 + resolve_logout_schemes(ctx_logout()): {ctx_floor:7d}")
print(f"handle_logout with @user_context:               {ctx_ours:7d}  ({ctx_floor / ctx_ours:.2f}x)")
PY
