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
