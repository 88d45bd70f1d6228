-- The demo's script: the seed's routines, their annotations, and the
-- schemes each logout signs out of ({} = every scheme).
create extension npgsqlrest_logout;
\set fixture :fixtures '/seed_schema.sql'
\i :fixture
\set fixture :fixtures '/seed_routines.sql'
\i :fixture
\pset footer off
\echo
\echo 'The seed''s routines, as their comments configure them:'
select p.oid::regprocedure as routine,
       coalesce(d->>'method', '(default)') as method,
       coalesce(d->>'path', '(default)') as path,
       d->'logout' as logout,
       d->'requires_authorization' as "authorize"
from pg_proc p,
     parse_annotations(obj_description(p.oid, 'pg_proc')) d
where p.proname in ('signout', 'logout_cookie', 'logout_web', 'smart_logout', 'full_logout')
order by p.proname;
\echo 'What each logout signs out of ({} means every scheme):'
select 'signout()' as call, resolve_logout_schemes(signout()) as schemes
union all select 'logout_cookie()', resolve_logout_schemes(logout_cookie())
union all select 'logout_web()', resolve_logout_schemes(logout_web())
union all select 'smart_logout()', resolve_logout_schemes(smart_logout())
union all select 'smart_logout(''Cookies'')', resolve_logout_schemes(smart_logout('Cookies'))
union all select 'full_logout()', resolve_logout_schemes(full_logout());
\echo 'The same, for a front-end whose schemes are Cookies and Bearer:'
select 'signout()' as call, resolve_logout_schemes(signout(), array['Cookies', 'Bearer']) as schemes
union all select 'logout_cookie()', resolve_logout_schemes(logout_cookie(), array['Cookies', 'Bearer']);
\echo 'full_logout() wrote its audit row:'
select user_id, action from audit_log;
