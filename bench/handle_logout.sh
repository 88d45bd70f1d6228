#!/usr/bin/env bash
# handle_logout on every request: pgbench (2 clients, Unix socket) runs
#   select handle_logout('POST', '/auth/logout/web', '{}', '{}')
# against the floor of calling the routine and resolving it directly,
#   select resolve_logout_schemes(logout_web())
# in the same run, alternating (ROUNDS rounds of SECONDS_PER_RUN seconds,
# CLIENTS clients, -M prepared on both sides), and prints both rates, their
# ratio and the range of the rounds' ratios.
# Then the same for an endpoint with @user_context, against the
# hand-written statement that sets the same three context settings and
# calls the routine:
#   select set_config('request.user_id', '1', true), …, resolve_logout_schemes(ctx_logout())
# Each comparison is made twice: in alternating rounds (one side at a
# time, CLIENTS clients), and in concurrent rounds (both sides at once,
# CLIENTS clients each, sharing the machine), where whatever else the
# machine does weighs on both sides alike and the side whose transaction
# costs less gets more of them. MODES="alternating concurrent" by default.
source "$(dirname "$0")/lib.sh"
bench_start

SECONDS_PER_RUN=${SECONDS_PER_RUN:-15}
ROUNDS=${ROUNDS:-3}
CLIENTS=${CLIENTS:-2}
MODES=${MODES:-alternating concurrent}
bench_one_call_fixture
work=$(mktemp -d)
for statement in handle_floor handle_ours ctx_floor ctx_ours; do
  echo "${!statement};" >"$work/$statement.sql"
done

# Both sides alike: the same pgbench mode (prepared statements), clients
# and duration, on new connections each run.
tps() {
  /usr/lib/postgresql/15/bin/pgbench -n -c "$CLIENTS" -j "$CLIENTS" -T "$SECONDS_PER_RUN" -M prepared \
    -h "$BENCH_DIR" -p "$BENCH_PORT" -U postgres -f "$1" postgres 2>/dev/null |
    awk '/^tps/ {print $3}'
}

# ROUNDS rounds of floor then ours, side by side, so a machine that gets
# busier or quieter during the run weighs on both; prints the mean rates,
# each round's ratio and their range.
compare() {
  local floors=() ours=()
  tps "$1" >/dev/null # warm-up: the first run after start-up is left out
  for _ in $(seq "$ROUNDS"); do
    floors+=("$(tps "$1")")
    ours+=("$(tps "$2")")
  done
  report "$3" "$4" "${floors[*]}" "${ours[*]}"
}

# Mean rates of both sides (labels $1 and $2, rates $3 and $4), each
# round's ratio and their range.
report() {
  python3 - "$@" <<'PY'
import sys
floors = [float(x) for x in sys.argv[3].split()]
ours = [float(x) for x in sys.argv[4].split()]
ratios = [o / f for f, o in zip(floors, ours)]
mean = lambda xs: sum(xs) / len(xs)
print(f"{sys.argv[1]}: {mean(floors):10.0f} tps  (runs {', '.join(f'{x:.0f}' for x in floors)})")
print(f"{sys.argv[2]}: {mean(ours):10.0f} tps  (runs {', '.join(f'{x:.0f}' for x in ours)})")
print(f"ratio: {mean(ours) / mean(floors):.2f}  (rounds {min(ratios):.2f}-{max(ratios):.2f})")
PY
}

# ROUNDS rounds of floor and ours at the same time, for SECONDS_PER_RUN
# seconds each; prints the mean rates, each round's ratio and their range.
compare_concurrent() {
  local floors=() ours=() f o
  for _ in $(seq "$ROUNDS"); do
    f=$(mktemp) o=$(mktemp)
    tps "$1" >"$f" &
    tps "$2" >"$o" &
    wait
    floors+=("$(cat "$f")")
    ours+=("$(cat "$o")")
    rm -f "$f" "$o"
  done
  report "$3 (concurrent)" "$4 (concurrent)" "${floors[*]}" "${ours[*]}"
}

for mode in $MODES; do
  case $mode in
    alternating) how=compare ;;
    concurrent) how=compare_concurrent ;;
    *) echo "handle_logout: unknown mode $mode (alternating, concurrent)" >&2; exit 1 ;;
  esac
  $how "$work/handle_floor.sql" "$work/handle_ours.sql" \
    "resolve_logout_schemes(logout_web())" "handle_logout('POST', '/auth/logout/web')"
  # @user_context, against the hand-written statement.
  $how "$work/ctx_floor.sql" "$work/ctx_ours.sql" \
    "set_config x3 + resolve_logout_schemes(ctx_logout())" "handle_logout with @user_context"
done

