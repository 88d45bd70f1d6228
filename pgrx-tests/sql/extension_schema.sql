-- The extension in a schema of its own, called schema-qualified under a
-- search_path whose first schema shadows built-in names.
create database npgsqlrest_logout_schema;
\c npgsqlrest_logout_schema
create schema auth_meta;
create extension npgsqlrest_logout schema auth_meta;
select n.nspname, count(*) as functions
from pg_proc p join pg_namespace n on n.oid = p.pronamespace
where n.nspname = 'auth_meta' group by 1;
create schema hostile;
create function hostile.lower(text) returns text language sql as $$ select 'hijacked' $$;
create function hostile.btrim(text) returns text language sql as $$ select 'hijacked' $$;
create function hostile.array_to_string(anyarray, text) returns text language sql as $$ select 'hijacked' $$;
set search_path = hostile, pg_catalog, public;
select auth_meta.parse_annotations(E'HTTP POST /Auth/Logout\n@LOGOUT') ->> 'path' as path;
select auth_meta.resolve_logout_schemes(array[' Cookies', 'Bearer']) as schemes;
select auth_meta.logout_schemes_agg(x) as aggregated from (values ('a'), ('b')) t(x);
reset search_path;
\c npgsqlrest_logout_regress
drop database npgsqlrest_logout_schema;
