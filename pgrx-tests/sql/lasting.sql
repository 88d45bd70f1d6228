-- What a warm backend keeps across transactions for the one call (issue
-- 13's rate): a request routed before, and the state of a built-in simple
-- expression. Each statement below is its own transaction; every answer
-- must be what a new backend would give.
create schema le;
set search_path = le, public;
create function le.ctx() returns text language sql stable
    as $$ select current_setting('request.user_id', true) || ':Cookies' $$;
comment on function le.ctx() is E'HTTP POST /le/ctx\n@logout\n@user_context';
-- The user context differs in each transaction; the kept state reads it anew.
select handle_logout('POST', '/le/ctx', user_claims => '{"user_id": "1"}');
select handle_logout('POST', '/le/ctx', user_claims => '{"user_id": "2"}');
select handle_logout('POST', '/le/ctx');
select handle_logout('POST', '/LE/ctx/', user_claims => '{"user_id": "3"}');
-- A replaced body is used by the next call.
create or replace function le.ctx() returns text language sql stable
    as $$ select 'v2:' || coalesce(nullif(current_setting('request.user_id', true), ''), 'nobody') $$;
select handle_logout('POST', '/le/ctx', user_claims => '{"user_id": "4"}');
select handle_logout('POST', '/le/ctx');
-- A moved path: the old one is not found, the new one is.
comment on function le.ctx() is E'HTTP POST /le/moved\n@logout\n@user_context';
select handle_logout('POST', '/le/ctx', user_claims => '{"user_id": "5"}');
select handle_logout('POST', '/le/moved', user_claims => '{"user_id": "5"}');
-- An error while the expression runs ends its transaction; the next
-- transaction's call answers, and so does a call after a caught error in
-- the same transaction.
create function le.fail(p text) returns text language sql stable
    as $$ select chr(67 * length(p)) $$;
comment on function le.fail(text) is E'HTTP POST /le/fail\n@logout';
select handle_logout('POST', '/le/fail', '{"p": "x"}');
select handle_logout('POST', '/le/fail', '{"p": ""}');
select handle_logout('POST', '/le/fail', '{"p": "x"}');
begin;
savepoint s;
select handle_logout('POST', '/le/fail', '{"p": ""}');
rollback to savepoint s;
select handle_logout('POST', '/le/fail', '{"p": "x"}');
commit;
select handle_logout('POST', '/le/fail', '{"p": "x"}');
-- A function the expression calls is replaced: the plan, and the state,
-- are made again.
create function le.who() returns text language sql stable as $$ select 'W1' $$;
create function le.calls() returns text language sql stable as $$ select who() || upper('x') $$;
comment on function le.calls() is E'HTTP POST /le/calls\n@logout';
select handle_logout('POST', '/le/calls');
create or replace function le.who() returns text language sql stable as $$ select 'W2' $$;
select handle_logout('POST', '/le/calls');
-- Another search path: the plan's names are looked up again.
create schema le2;
create function le2.who() returns text language sql stable as $$ select 'other' $$;
comment on function le.calls() is E'HTTP POST /le/calls\n@logout';
set search_path = le2, le, public;
select handle_logout('POST', '/le/calls');
set search_path = le, public;
select handle_logout('POST', '/le/calls');
-- A prefix set for the session moves default paths.
create function le.bare() returns text language sql stable as $$ select 'Bare' $$;
comment on function le.bare() is E'HTTP POST\n@logout';
select handle_logout('POST', '/api/le/bare');
select handle_logout('POST', '/api/le/bare');
set npgsqlrest_logout.url_prefix = '/v2';
select handle_logout('POST', '/api/le/bare');
select handle_logout('POST', '/v2/le/bare');
reset npgsqlrest_logout.url_prefix;
select handle_logout('POST', '/api/le/bare');
drop function le.bare();
select handle_logout('POST', '/api/le/bare');
reset search_path;
drop schema le cascade;
drop schema le2 cascade;
