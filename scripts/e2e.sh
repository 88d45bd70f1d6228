#!/usr/bin/env bash
# End-to-end test through HTTP: builds the reference front-end in
# examples/proxy, installs the extension, starts a throwaway cluster with the
# seed routines, runs the proxy on a free loopback port and drives it with
# curl: login, each logout flavour, 401/403/404, and a routine's side effect.
# Ends with "e2e: N passed, M failed"; exits non-zero on any failure.
#   scripts/e2e.sh [--pg NN | --pg-config PATH]   (PostgreSQL 15 unless told)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/pg_versions.sh
pg_target_from_args "$@" || exit 2
pg_args=(--pg-config "$PG_CONFIG")
port=${E2E_PORT:-54333}
dir=$(mktemp -d /tmp/npgsqlrest_logout-e2e.XXXXXX)
work=$(mktemp -d /tmp/npgsqlrest_logout-e2e-work.XXXXXX)
proxy_pid=

cleanup() {
  if [ -n "$proxy_pid" ]; then
    kill "$proxy_pid" 2>/dev/null || true
    wait "$proxy_pid" 2>/dev/null || true
  fi
  bash scripts/cluster.sh "${pg_args[@]}" stop "$dir"
  rm -rf "$work"
}
trap cleanup EXIT

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}
if ! command -v curl >/dev/null; then
  as_root apt-get update -qq >/dev/null
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq curl >/dev/null
fi

echo "== e2e: building examples/proxy"
cargo build --release --locked --quiet --manifest-path examples/proxy/Cargo.toml
proxy_bin=${CARGO_TARGET_DIR:-examples/proxy/target}/release/npgsqlrest-logout-proxy

echo "== e2e: installing the extension"
cargo pgrx install --pg-config "$PG_CONFIG" >"$work/install.log" 2>&1 || { cat "$work/install.log"; exit 1; }

echo "== e2e: starting a cluster and the proxy"
bash scripts/cluster.sh "${pg_args[@]}" start "$dir" "$port"
pg_expect_server_major "$dir" "$port" "$PG_MAJOR"
psql_() { psql -X -q -v ON_ERROR_STOP=1 -h "$dir" -p "$port" -U postgres "$@"; }
psql_ -d postgres -c 'create database proxy_e2e'
psql_ -d proxy_e2e \
  -c 'create extension npgsqlrest_logout' \
  -f pgrx-tests/fixtures/seed_schema.sql \
  -f "$(pg_seed_routines "$PG_MAJOR")" \
  -f examples/proxy/fixture.sql
psql_ -d postgres -c 'alter database proxy_e2e set npgsqlrest_logout.use_user_context = on'

# Port 0: the proxy takes a free port and prints it.
PROXY_LISTEN=127.0.0.1:0 PG_HOST="$dir" PG_PORT="$port" PG_USER=postgres PG_DATABASE=proxy_e2e \
  "$proxy_bin" 2>"$work/proxy.log" &
proxy_pid=$!
base=
for _ in $(seq 1 100); do
  base=$(sed -n 's/^proxy: listening on \(http:[^ ]*\).*/\1/p' "$work/proxy.log")
  [ -n "$base" ] && break
  kill -0 "$proxy_pid" 2>/dev/null || break
  sleep 0.1
done
if [ -z "$base" ]; then
  echo "e2e: the proxy did not start:" >&2
  cat "$work/proxy.log" >&2
  exit 1
fi
curl -s -o /dev/null "$base/me" || { echo "e2e: the proxy does not answer at $base" >&2; exit 1; }

passed=0
failed=0
# check NAME EXPECTED ACTUAL
check() {
  if [ "$2" = "$3" ]; then
    passed=$((passed + 1))
    echo "ok   $1"
  else
    failed=$((failed + 1))
    echo "FAIL $1"
    echo "     expected: $2"
    echo "     got:      $3"
  fi
}

# req METHOD PATH [curl options...]: prints "STATUS BODY"; headers in $work/headers.
req() {
  local method=$1 path=$2
  shift 2
  local status
  status=$(curl -s -X "$method" -D "$work/headers" -o "$work/body" -w '%{http_code}' "$@" "$base$path")
  echo "$status $(cat "$work/body")"
}
# The status alone.
status() { req "$@" | cut -d' ' -f1; }

# login NAME USER_ID ROLES_JSON: checks that both sessions were issued and
# sets C and B, the cookie and the bearer token as curl options. Both are
# sent explicitly, so revocation is checked on the server, not in a jar.
C=()
B=()
login() {
  local out cookie token
  out=$(req POST /login -H 'Content-Type: application/json' -d "{\"user_id\": $2, \"roles\": $3}")
  cookie=$(tr -d '\r' <"$work/headers" | sed -n 's/^[Ss]et-[Cc]ookie: session=\([0-9a-f]*\);.*/\1/p')
  token=$(sed -n 's/.*"token":"\([0-9a-f]*\)".*/\1/p' <<<"$out")
  C=(-H "Cookie: session=$cookie")
  B=(-H "Authorization: Bearer $token")
  check "$1" "200 cookie token" "${out%% *}${cookie:+ cookie}${token:+ token}"
}

echo "== e2e: scenario"
# a. Login issues both sessions; both work.
login "a. login as user 1 gives a cookie and a bearer token" 1 '["user"]'
check "a. /me with both credentials" '200 {"user_id":1,"via":["Cookies","Bearer"]}' "$(req GET /me "${C[@]}" "${B[@]}")"

# b. A routine returning 'Cookies' ends the cookie session only.
check "b. POST /auth/logout/cookie" '200 {"signed_out":["Cookies"]}' \
  "$(req POST /auth/logout/cookie "${C[@]}" "${B[@]}")"
check "b. the response expires the cookie" yes \
  "$(grep -qi '^set-cookie: session=; Max-Age=0' "$work/headers" && echo yes || echo no)"
check "b. /me with the old cookie" 401 "$(status GET /me "${C[@]}")"
check "b. /me with the bearer token" '200 {"user_id":1,"via":["Bearer"]}' "$(req GET /me "${B[@]}")"

# c. A query argument picks the scheme.
login "c. login again" 1 '["user"]'
check "c. POST /auth/logout?_scheme=Bearer" '200 {"signed_out":["Bearer"]}' \
  "$(req POST '/auth/logout?_scheme=Bearer' "${C[@]}" "${B[@]}")"
check "c. /me with the old bearer token" 401 "$(status GET /me "${B[@]}")"
check "c. /me with the cookie" '200 {"user_id":1,"via":["Cookies"]}' "$(req GET /me "${C[@]}")"

# d. NULL from the routine = empty array = every scheme.
login "d. login again" 1 '["user"]'
check "d. POST /auth/logout" '200 {"signed_out":["Cookies","Bearer"]}' \
  "$(req POST /auth/logout "${C[@]}" "${B[@]}")"
check "d. /me with the old cookie" 401 "$(status GET /me "${C[@]}")"
check "d. /me with the old bearer token" 401 "$(status GET /me "${B[@]}")"

# e. @authorize without credentials.
check "e. POST /auth/logout/web anonymous" 401 "$(status POST /auth/logout/web)"

# f. @authorize admin with the role "user"; nothing is signed out.
login "f. login as user 1 with role user" 1 '["user"]'
check "f. POST /admin/logout as a non-admin" 403 "$(status POST /admin/logout "${C[@]}" "${B[@]}")"
check "f. both sessions still work" '200 {"user_id":1,"via":["Cookies","Bearer"]}' \
  "$(req GET /me "${C[@]}" "${B[@]}")"
login "f. login as user 2 with role admin" 2 '["admin"]'
check "f. POST /admin/logout as an admin" '200 {"signed_out":["Bearer"]}' \
  "$(req POST /admin/logout "${C[@]}" "${B[@]}")"

# g. No logout endpoint there; bad arguments.
check "g. POST /nowhere" 404 "$(status POST /nowhere "${C[@]}")"
check "g. POST /auth/logout with an unknown argument" 400 \
  "$(status POST /auth/logout "${C[@]}" -H 'Content-Type: application/json' -d '{"bogus": 1}')"

# h. The routine runs as the caller and its work is committed.
login "h. login as user 7" 7 '["user"]'
check "h. POST /api/full-logout" '200 {"signed_out":["Cookies","Bearer"]}' \
  "$(req POST /api/full-logout "${B[@]}")"
check "h. audit_log has user 7's logout" 1 \
  "$(psql_ -d proxy_e2e -At -c "select count(*) from audit_log where user_id = 7 and action = 'logout'")"

# i. Impersonation: another user's id in the path, the query and the body
# is ignored; the server fills _user_id from the session's claims.
login "i. login as user 3" 3 '["user"]'
check "i. POST /auth/revoke/4 (path)" '200 {"signed_out":["Cookies"]}' "$(req POST /auth/revoke/4 "${B[@]}")"
check "i. POST /auth/revoke/x?_user_id=4 (query)" 200 "$(status POST '/auth/revoke/x?_user_id=4' "${B[@]}")"
check "i. POST /auth/revoke/x with userId 4 (body)" 200 \
  "$(status POST /auth/revoke/x "${B[@]}" -H 'Content-Type: application/json' -d '{"userId": 4}')"
check "i. audit_log: three revokes by user 3 from 127.0.0.1, none of user 4" "3 0" \
  "$(psql_ -d proxy_e2e -At -F' ' -c "select count(*) filter (where user_id = 3 and action = 'revoke from 127.0.0.1'), count(*) filter (where user_id = 4) from audit_log")"
check "i. anonymous revoke" 401 "$(status POST /auth/revoke/4)"

# j. Validation fails before the routine runs, with the rule's status.
check "j. POST /auth/unsubscribe with a bad address" '400 {"error":"Parameter '"'"'_email'"'"' must be a valid email address"}' \
  "$(req POST /auth/unsubscribe -H 'Content-Type: application/json' -d '{"email": "nope"}')"
check "j. POST /auth/unsubscribe with a non-company address" 422 \
  "$(status POST /auth/unsubscribe -H 'Content-Type: application/json' -d '{"email": "a@b.io"}')"
check "j. POST /auth/unsubscribe with a company address" 200 \
  "$(status POST /auth/unsubscribe -H 'Content-Type: application/json' -d '{"email": "a@example.com"}')"
check "j. only the valid address reached the routine" "1" \
  "$(psql_ -d proxy_e2e -At -c "select count(*) from audit_log where action like 'unsubscribe%'")"

if [ "$failed" -ne 0 ]; then
  echo "== e2e: proxy log"
  cat "$work/proxy.log"
fi
echo "e2e: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
