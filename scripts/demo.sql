-- The demo's script: the seed's routines, the endpoints they define, and
-- the schemes each logout signs out of ({} = every scheme).
create extension npgsqlrest_logout;
\set fixture :fixtures '/seed_schema.sql'
\i :fixture
\set fixture :fixtures '/seed_routines.sql'
\i :fixture
\pset footer off
\echo
\echo 'The logout endpoints the seed''s comments define:'
select routine, method, path, requires_authorization as "authorize"
from logout_endpoints;
\echo 'What each logout signs out of ({} means every scheme):'
select 'signout()' as call, resolve_logout_schemes(signout()) as schemes
union all select 'logout_cookie()', resolve_logout_schemes(logout_cookie())
union all select 'logout_web()', resolve_logout_schemes(logout_web())
union all select 'smart_logout()', resolve_logout_schemes(smart_logout())
union all select 'smart_logout(''Cookies'')', resolve_logout_schemes(smart_logout('Cookies'))
union all select 'full_logout()', resolve_logout_schemes(full_logout());
\echo 'The same through handle_logout, as a front-end calls it for an authenticated user:'
select request, handle_logout(method, path, '{}', '{user}') as schemes
from (values ('POST /auth/logout/cookie', 'POST', '/auth/logout/cookie'),
             ('POST /auth/logout/web', 'POST', '/auth/logout/web'),
             ('POST /auth/logout', 'POST', '/auth/logout'),
             ('POST /auth/logout?_scheme=Cookies', 'POST', '/auth/logout?_scheme=Cookies'),
             ('POST /api/signout', 'POST', '/api/signout')) r(request, method, path);
\echo 'An anonymous caller (user_roles NULL) is refused before the routine runs;'
\echo 'a front-end turns the SQLSTATE into its HTTP status:'
create temp table refusal (request text, sqlstate text, message text);
do $$
begin
  perform handle_logout('POST', '/auth/logout/web', '{}', null);
  insert into refusal values ('POST /auth/logout/web', '00000', 'not refused');
exception when others then
  insert into refusal values ('POST /auth/logout/web', sqlstate, sqlerrm);
end
$$;
select request, sqlstate, message,
       case sqlstate when '28000' then '401' when '42501' then '403' when '42883' then '404' end as "HTTP status"
from refusal;
\echo 'The SQL file sql/signout.sql:'
\set fixture :fixtures '/signout.sql'
\set content `cat :fixture`
select d->>'method' as method, d->>'path' as path, d->'logout' as logout,
       d->'requires_authorization' as "authorize", d->>'auto_method' as auto_method
from parse_sql_file(:'content', 'sql/signout.sql') d;
\echo 'full_logout() wrote its audit row:'
select user_id, action from audit_log;
\echo 'One call carries who is asking: a user parameter the client cannot choose.'
create function revoke_sessions(_user_id int) returns text language sql as
    $$ delete from sessions where user_id = _user_id; select 'Cookies' $$;
comment on function revoke_sessions(int) is E'HTTP POST /auth/revoke/{_user_id}\n@logout\n@authorize\n@user_parameters';
select handle_logout('POST', '/auth/revoke/2', '{"userId": 2}', user_claims => '{"user_id": "1"}') as schemes;
select user_id, count(*) as sessions_left from sessions group by 1 order by 1;
\echo 'The linter on a deliberately broken routine (a typo, and the client picks the user):'
create function broken_logout(_user_id int) returns text language sql as $$ select 'Cookies' $$;
comment on function broken_logout(int) is E'HTTP POST /auth/broken\n@logut\n@authorise admin';
create function open_revoke(_user_id int) returns text language sql as $$ select 'Cookies' $$;
comment on function open_revoke(int) is E'HTTP POST /auth/open-revoke\n@logout\n@authorize';
select routine, severity, code, line, hint from annotation_problems()
where routine in ('broken_logout(int)'::regprocedure, 'open_revoke(int)'::regprocedure);
