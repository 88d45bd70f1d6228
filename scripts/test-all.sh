#!/usr/bin/env bash
# Runs the whole suite (scripts/test.sh) on every supported PostgreSQL major
# in turn (scripts/pg_versions.sh: PG_SUPPORTED), or on the majors named,
# and ends with a table of each one's result and time. Goes on after a
# failure, so one run reports every major; exits non-zero if any failed.
# Each major's output is kept in a log, whose path the table gives.
#   scripts/test-all.sh [NN ...]
# Installs into the system PostgreSQL 15: run under /tmp/npgsqlrest-pg.lock.
set -uo pipefail
cd "$(dirname "$0")/.."
. scripts/pg_versions.sh

majors=("$@")
[ ${#majors[@]} -gt 0 ] || read -r -a majors <<<"$PG_SUPPORTED"
for m in "${majors[@]}"; do
  pg_check_testable "$m" || exit 2
done

logs=$(mktemp -d /tmp/npgsqlrest_logout-test-all.XXXXXX)
results=()
failed=0
start_all=$(date +%s)
for m in "${majors[@]}"; do
  echo "== test-all: PostgreSQL $m (log: $logs/pg$m.log)"
  start=$(date +%s)
  bash scripts/test.sh --pg "$m" 2>&1 | tee "$logs/pg$m.log"
  rc=${PIPESTATUS[0]}
  secs=$(( $(date +%s) - start ))
  if [ "$rc" -eq 0 ] && pg_is_partly_tested "$m"; then
    verdict="passed (partly)"
  elif [ "$rc" -eq 0 ]; then
    verdict=passed
  else
    verdict="FAILED (exit $rc)"
    failed=$((failed + 1))
  fi
  results+=("$(printf 'PostgreSQL %-3s %-18s %3dm%02ds  %s' "$m" "$verdict" $((secs / 60)) $((secs % 60)) "$logs/pg$m.log")")
done
total=$(( $(date +%s) - start_all ))

echo
echo "== test-all: results"
printf '%s\n' "${results[@]}"
printf 'total: %dm%02ds, %d of %d majors failed\n' $((total / 60)) $((total % 60)) "$failed" "${#majors[@]}"
[ "$failed" -eq 0 ]
