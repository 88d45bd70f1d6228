# The pass/fail bookkeeping the release tests share. Source it from the
# repository's top, call the checks, and end with
#   echo "NAME: $pass passed, $fail failed"; [ "$fail" -eq 0 ]
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok   - $1"; }
not_ok() { fail=$((fail + 1)); echo "FAIL - $1"; }
# equal NAME GOT WANT
equal() {
  if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1"; echo "    got:  $2"; echo "    want: $3"; fi
}
# same NAME FILE_A FILE_B: the files are identical (else the diff is shown)
same() {
  local differences
  if differences=$(diff -u "$2" "$3"); then
    ok "$1"
  else
    not_ok "$1"
    printf '%s\n' "$differences" | sed 's/^/    /'
  fi
}
# candidates_path: reads a session's output (run with client_min_messages =
# debug1, stderr included) and prints how its first logout call found its
# candidate routines, then the answer: "shared" (the shared list),
# "published" (a full scan, then shared) or "scanned" (a full scan, not
# shared), a space, and the last line that is not a DEBUG message.
candidates_path() {
  local out how=scanned
  out=$(cat)
  grep -q "shared candidate routines" <<<"$out" && how=shared
  grep -q "candidate routines of a full scan" <<<"$out" && how=published
  echo "$how $(grep -v '^DEBUG' <<<"$out" | tail -1)"
}
