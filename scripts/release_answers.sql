-- What a database using the extension answers about the seed's routines
-- (pgrx-tests/fixtures/seed_*.sql): the release tests run it before and
-- after an upgrade, after a dump and restore, and on a standby, and compare
-- the outputs. Every call here is valid in 0.1.0 and every later version
-- (four-argument positional and named calls of call_logout/handle_logout).
-- Expects the extension's schema on search_path; psql -X -At.
\set ON_ERROR_STOP 0
\pset null '<null>'
select 'handle web', handle_logout('POST', '/auth/logout/web', '{}', '{user}');
select 'handle cookie', handle_logout('post', '/AUTH/logout/cookie/', '{}', '{user}');
select 'handle smart body', handle_logout('POST', '/auth/logout', '{"_scheme": "Cookies"}', '{user}');
select 'handle smart query', handle_logout(method => 'POST', path => '/auth/logout?scheme=Bearer', user_roles => '{user}');
select 'handle smart null', handle_logout('POST', '/auth/logout', '{}', '{user}');
select 'handle signout', handle_logout('POST', '/api/signout', '{}', '{user}');
select 'call web', call_logout('logout_web()'::regprocedure, '{}', '{admin}');
select 'call smart', call_logout(routine => 'smart_logout(text)', args => '{"_scheme": "Bearer"}', user_roles => '{x}');
select 'resolve', resolve_logout_schemes(logout_web()), resolve_logout_schemes(smart_logout('Cookies')),
       resolve_logout_schemes(array['a', ' b ', 'a']), resolve_logout_schemes('{"x": ["y", ["z"]]}'::jsonb -> 'x');
select 'resolve within', resolve_logout_schemes(array[]::text[], array['Cookies', 'Bearer']);
select 'agg', logout_schemes_agg(x) from (values ('Cookies'), ('Bearer'), ('Cookies')) v(x);
select 'endpoint', e.* from endpoints() e;
select 'logout endpoint', method, path from logout_endpoints;
select 'routine endpoint', routine_endpoint('smart_logout(text)');
select 'parse', parse_annotations(obj_description('logout_web()'::regprocedure, 'pg_proc'));
select 'parse tags', parse_annotations(E'for admin\n@authorize admin\nend\nHTTP GET /x', '{admin}');
select 'sql file', parse_sql_file(E'-- HTTP POST\n-- @logout\n-- @authorize\ndelete from sessions where user_id = 1;', 'sql/signout.sql');
select 'sessions left', count(*) from sessions;
-- refusals: the SQLSTATE a front-end maps to a status
select handle_logout('POST', '/auth/logout/web', '{}', null);
\echo 'anonymous' :LAST_ERROR_SQLSTATE
select handle_logout('POST', '/no/such/route', '{}', '{user}');
\echo 'no route' :LAST_ERROR_SQLSTATE
select handle_logout('POST', '/auth/logout', '{"nope": 1}', '{user}');
\echo 'unknown argument' :LAST_ERROR_SQLSTATE
select resolve_logout_schemes(array['Other'], array['Cookies']);
\echo 'unknown scheme' :LAST_ERROR_SQLSTATE
