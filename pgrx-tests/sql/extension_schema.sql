-- The extension in a schema of its own, called schema-qualified under a
-- search_path whose first schema shadows built-in names.
create database npgsqlrest_logout_schema;
\c npgsqlrest_logout_schema
create schema auth_meta;
create extension npgsqlrest_logout schema auth_meta;
select n.nspname, count(*) as functions
from pg_proc p join pg_namespace n on n.oid = p.pronamespace
where n.nspname = 'auth_meta' group by 1;
create function public.logout_web() returns text[] language sql
    as $$ select array['Cookies', 'Bearer'] $$;
comment on function public.logout_web() is E'HTTP POST /auth/logout/web\n@logout\n@authorize';
create schema hostile;
create function hostile.obj_description(oid, name) returns text language sql as $$ select 'HTTP GET /hijacked' $$;
create function hostile.oid_always_equal(oid, oid) returns bool language sql as 'select true';
create operator hostile.= (leftarg = oid, rightarg = oid, function = hostile.oid_always_equal);
create function hostile.lower(text) returns text language sql as $$ select 'hijacked' $$;
create function hostile.btrim(text) returns text language sql as $$ select 'hijacked' $$;
create function hostile.array_to_string(anyarray, text) returns text language sql as $$ select 'hijacked' $$;
set search_path = hostile, pg_catalog, public;
select auth_meta.parse_annotations(E'HTTP POST /Auth/Logout\n@LOGOUT') ->> 'path' as path;
select auth_meta.resolve_logout_schemes(array[' Cookies', 'Bearer']) as schemes;
select auth_meta.logout_schemes_agg(x) as aggregated from (values ('a'), ('b')) t(x);
select routine, method, path, logout from auth_meta.endpoints();
select * from auth_meta.logout_endpoints;
select auth_meta.routine_endpoint('public.logout_web()') ->> 'path' as path;
select auth_meta.parse_sql_file(E'-- HTTP\nselect 1', 'x_y.sql') ->> 'path' as sql_file_path;
reset search_path;
\c npgsqlrest_logout_regress
drop database npgsqlrest_logout_schema;
