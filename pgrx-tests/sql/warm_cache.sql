-- A warm backend's logout routes after each kind of change another session
-- makes (SPEC §9, issue 16): routes are built only from the comments that
-- mention a logout alias, and each change is applied to the routine it
-- names. Every answer here must be what a new backend would give.
create extension if not exists dblink;
select format('host=%s port=%s dbname=%s user=postgres',
              split_part(current_setting('unix_socket_directories'), ',', 1),
              current_setting('port'), current_database()) as conninfo \gset
select dblink_connect('changer', :'conninfo');
create schema cw;
-- 300 routines that are endpoints but not logouts, some of whose prose
-- mentions logging out, and logout endpoints spelled every way.
select count(*) as plain_routines from (
  select dblink_exec('changer', format(
    'create function cw.plain_%s() returns text language sql as $$select ''P%s''$$;
     comment on function cw.plain_%s() is %L', g, g, g,
    case when g % 10 = 0 then E'Runs before a logout, never one.\nHTTP POST /cw/plain/' || g
         else E'Lists orders.\nHTTP GET /cw/plain/' || g end))
  from generate_series(1, 300) g) made;
create function cw.lo_at() returns text language sql as $$select 'Cookies'$$;
comment on function cw.lo_at() is E'HTTP POST /cw/at\n@logout';
create function cw.lo_upper() returns text language sql as $$select 'Bearer'$$;
comment on function cw.lo_upper() is E'HTTP POST /cw/upper\nSIGNOUT';
create function cw.lo_mixed() returns text language sql as $$select 'Mixed'$$;
comment on function cw.lo_mixed() is E'HTTP POST /cw/mixed\n@SignOut';
create function cw.lo_for() returns text language sql as $$select 'For'$$;
comment on function cw.lo_for() is E'HTTP POST /cw/for\nfor volatile\n  @LogOut';
create function cw.lo_for_other() returns text language sql as $$select 'Never'$$;
comment on function cw.lo_for_other() is E'HTTP POST /cw/for-other\nfor stable\n@logout';
create function cw.lo_tags() returns text language sql as $$select 'Tags'$$;
comment on function cw.lo_tags() is E'HTTP POST /cw/tags\ntags function\n@logout';
create function cw.lo_bare() returns text language sql as $$select 'Bare'$$;
comment on function cw.lo_bare() is E'HTTP\n@logout';
create function cw.lo_no_http() returns text language sql as $$select 'NoHttp'$$;
comment on function cw.lo_no_http() is E'@logout';
create function pg_temp.answer(p text) returns text language plpgsql as $$
begin
  return handle_logout('POST', p)::text;
exception when others then
  return sqlstate;
end $$;
create function pg_temp.answers() returns table (path text, answer text) language sql as $$
  select p, pg_temp.answer(p)
    from unnest(array['/cw/at', '/cw/upper', '/cw/mixed', '/cw/for', '/cw/for-other',
                      '/cw/tags', '/cw/plain/10', '/cw/plain/11', '/api/cw/lo-bare', '/api/cw/renamed']) p
$$;
select * from pg_temp.answers();
create function pg_temp.answer_args(p text, args jsonb) returns text language plpgsql as $$
begin
  return handle_logout('POST', p, args)::text;
exception when others then
  return sqlstate;
end $$;
-- The same routes endpoints() lists as logouts.
select path, name from logout_endpoints where schema = 'cw' order by path;
-- Another session gives a plain routine a logout annotation: seen at once.
select dblink_exec('changer', $$comment on function cw.plain_10() is E'HTTP POST /cw/plain/10\n@LOGOUT'$$);
select * from pg_temp.answers() where path = '/cw/plain/10';
-- ... and takes one away.
select dblink_exec('changer', $$comment on function cw.lo_upper() is E'HTTP POST /cw/upper\nsigns out'$$);
select * from pg_temp.answers() where path = '/cw/upper';
-- ... changes a logout routine's body (its route and plan are read again).
select dblink_exec('changer', $$create or replace function cw.lo_at() returns text language sql as 'select ''Changed'''$$);
select * from pg_temp.answers() where path = '/cw/at';
-- ... renames one whose path comes from its name.
select dblink_exec('changer', $$alter function cw.lo_bare() rename to renamed$$);
select path, name from logout_endpoints where schema = 'cw' and name = 'renamed';
select pg_temp.answer('/api/cw/renamed') as renamed, pg_temp.answer('/api/cw/lo-bare') as old_path;
-- ... drops one, and comments on a routine that is not an endpoint at all.
select dblink_exec('changer', $$drop function cw.lo_mixed()$$);
select dblink_exec('changer', $$comment on function cw.plain_11() is 'Just prose about signing out: logout.'$$);
select * from pg_temp.answers();
-- More routines changed at once than a backend matches one by one (a
-- migration, in one transaction): everything is read again.
select dblink_exec('changer', string_agg(format(
         'create or replace function cw.plain_%s() returns text language sql as $$select ''Q%s''$$', g, g), ';'))
  from generate_series(1, 300) g;
select * from pg_temp.answers();
-- A comment removed.
select dblink_exec('changer', $$comment on function cw.lo_for() is null$$);
select * from pg_temp.answers() where path = '/cw/for';
-- A routine in the search path whose signature an earlier schema's new
-- routine shadows: its signature is printed qualified from then on.
create schema cw_early;
set search_path = cw_early, public;
create function public.cw_shadowed() returns text language sql as $$select 'Shadowed'$$;
comment on function public.cw_shadowed() is E'HTTP POST /cw/shadowed\n@logout';
select endpoint ->> 'routine' as signature from endpoints() where path = '/cw/shadowed';
select dblink_exec('changer', $$create function cw_early.cw_shadowed() returns text language sql as 'select 1'$$);
select endpoint ->> 'routine' as signature from endpoints() where path = '/cw/shadowed';
select dblink_exec('changer', $$drop function cw_early.cw_shadowed()$$);
select endpoint ->> 'routine' as signature from endpoints() where path = '/cw/shadowed';
reset search_path;
drop function public.cw_shadowed();
drop schema cw_early;
-- Settings of this session change the routes: the URL prefix of default
-- paths (a path the comment spells out has none) ...
set npgsqlrest_logout.url_prefix = '/v2';
select pg_temp.answer('/v2/cw/renamed') as prefixed, pg_temp.answer('/api/cw/renamed') as old_prefix,
       pg_temp.answer('/cw/at') as explicit_path;
reset npgsqlrest_logout.url_prefix;
select pg_temp.answer('/api/cw/renamed') as default_prefix_again;
-- ... and the comments mode: ParseAll makes the HTTP-less one an endpoint,
-- Ignore reads no comment, so no routine is a logout.
set npgsqlrest_logout.comments_mode = 'ParseAll';
select pg_temp.answer('/api/cw/lo-no-http') as parse_all;
set npgsqlrest_logout.comments_mode = 'Ignore';
select pg_temp.answer('/cw/at') as ignore_mode;
reset npgsqlrest_logout.comments_mode;
select pg_temp.answer('/cw/at') as default_mode;
-- A new backend gives the same answers as this warm one.
select dblink_exec('changer', $q$
  create function pg_temp.answer(p text) returns text language plpgsql as $f$
  begin return handle_logout('POST', p)::text; exception when others then return sqlstate; end $f$$q$);
with fresh as (
  select * from dblink('changer', $$
    select p, pg_temp.answer(p)
      from unnest(array['/cw/at', '/cw/upper', '/cw/mixed', '/cw/for', '/cw/for-other',
                        '/cw/tags', '/cw/plain/10', '/cw/plain/11', '/api/cw/lo-bare',
                        '/api/cw/renamed']) p$$) as t(path text, answer text)),
warm as (select * from pg_temp.answers())
select (select count(*) from fresh) as compared,
       (select count(*) from ((select * from fresh except select * from warm)
                              union all
                              (select * from warm except select * from fresh)) d) as differing;
-- A routine's plan is kept across transactions while the plan cache finds
-- it valid, and an evaluation's context is reused: each change, error and
-- nested call below is seen by the very next call.
create function cw.lo_const() returns text[] language sql as $$select array['Kept', 'Plan']$$;
comment on function cw.lo_const() is E'HTTP POST /cw/const\n@logout';
create function cw.lo_null() returns text[] language sql as $$select null::text[]$$;
comment on function cw.lo_null() is E'HTTP POST /cw/null\n@logout';
create function cw.lo_div(d int) returns text language sql as $$select (10 / d)::text$$;
comment on function cw.lo_div(int) is E'HTTP POST /cw/div\n@logout';
create function cw.lo_echo(p text) returns text language sql as $$select upper(p) || '!'$$;
comment on function cw.lo_echo(text) is E'HTTP POST /cw/echo\n@logout';
create function cw.inner_echo(p text) returns text language plpgsql as $$
begin return handle_logout('POST', '/cw/echo', jsonb_build_object('p', p))::text; end $$;
create function cw.lo_nested(p text) returns text language sql as $$select cw.inner_echo(p) || upper(p)$$;
comment on function cw.lo_nested(text) is E'HTTP POST /cw/nested\n@logout';
select handle_logout('POST', '/cw/const') as const_first;
select handle_logout('POST', '/cw/const') as const_again;
select dblink_exec('changer', $$create or replace function cw.lo_const() returns text[]
  language sql as 'select array[''Replaced'']'$$);
select handle_logout('POST', '/cw/const') as const_replaced_elsewhere;
create or replace function cw.lo_const() returns text[] language sql as $$select array['Here']$$;
select handle_logout('POST', '/cw/const') as const_replaced_here;
select handle_logout('POST', '/cw/null') as null_constant, handle_logout('POST', '/cw/null') as null_again;
select handle_logout('POST', '/cw/div', '{"d": 2}') as div_by_two;
select handle_logout('POST', '/cw/div', '{"d": 0}') as div_by_zero;
select handle_logout('POST', '/cw/div', '{"d": 5}') as div_after_error;
begin;
select pg_temp.answer_args('/cw/div', '{"d": 0}') as caught, handle_logout('POST', '/cw/div', '{"d": 1}') as same_transaction;
select handle_logout('POST', '/cw/echo', '{"p": "ab"}') as echo_after_caught;
commit;
select handle_logout('POST', '/cw/echo', '{"p": "cd"}') as echo_next_transaction;
select handle_logout('POST', '/cw/nested', '{"p": "ef"}') as nested;
select handle_logout('POST', '/cw/echo', '{"p": "gh"}') as echo_after_nested,
       handle_logout('POST', '/cw/nested', '{"p": "ij"}') as nested_in_one_statement;
select dblink_disconnect('changer');
set client_min_messages = warning;
drop schema cw cascade;
reset client_min_messages;
