-- The endpoints the seed's routines define (SPEC §6, §10).
select routine, schema, name, method, path, request_param_type,
       requires_authorization, authorize_roles, allow_anonymous, login, logout
from endpoints()
order by path, method;
select routine, method, path from logout_endpoints;
select jsonb_pretty(routine_endpoint('smart_logout(text)'));
-- Defaults: schema, name, volatility and the url prefix.
create schema auth;
create function auth.full_logout() returns void language sql as 'select';
comment on function auth.full_logout() is E'HTTP\n@logout';
create function get_session_count() returns int language sql as 'select 1';
comment on function get_session_count() is 'HTTP';
create function session_total() returns int stable language sql as 'select 1';
comment on function session_total() is 'HTTP';
create procedure end_session(p_user int, p_reason text default null) language sql as 'select';
comment on procedure end_session(int, text) is 'HTTP';
select routine, method, path, request_param_type from endpoints()
where name in ('full_logout', 'get_session_count', 'session_total', 'end_session')
order by path, method;
set npgsqlrest_logout.url_prefix = '';
select routine_endpoint('auth.full_logout()') ->> 'path' as empty_prefix;
reset npgsqlrest_logout.url_prefix;
select routine_endpoint('end_session(int, text)') -> 'parameters' as parameters;
-- Comments modes.
create function plain_function() returns int language sql as 'select 1';
set npgsqlrest_logout.comments_mode = 'Ignore';
select routine_endpoint('plain_function()') ->> 'path' as ignore_mode,
       routine_endpoint('logout_web()') ->> 'path' as ignore_mode_annotated;
set npgsqlrest_logout.comments_mode = 'ParseAll';
select routine_endpoint('plain_function()') ->> 'path' as parse_all;
set npgsqlrest_logout.comments_mode = 'OnlyAnnotated';
select routine_endpoint('plain_function()') is null as only_annotated;
reset npgsqlrest_logout.comments_mode;
-- The seed's SQL file, sql/signout.sql.
\set suite `echo "$PG_ABS_SRCDIR"`
\set fixture :suite '/fixtures/signout.sql'
\set content `cat :fixture`
select jsonb_pretty(parse_sql_file(:'content', 'sql/signout.sql'));
select parse_sql_file($$
/* HTTP GET /me
   @authorize */
select 'a;b' as "c;d", $x$ -- not a comment; $x$;
-- trailing comment
insert into t values (1);;
$$) - 'annotations' - 'headers' - 'custom_parameters' - 'warnings' - 'unhandled_lines' as sql_file;
