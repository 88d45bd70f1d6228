-- Hardening (issue 18): stale authorization under snapshot isolation,
-- errors inside a logout routine, allocations sized by input, exact
-- numbers, concurrent DDL, and the smaller ones. A second session comes
-- through dblink.
create extension if not exists dblink;
select format('host=%s port=%s dbname=%s user=postgres',
              split_part(current_setting('unix_socket_directories'), ',', 1),
              current_setting('port'), current_database()) as conninfo \gset
select dblink_connect('other', :'conninfo');
-- One logout routine per call path: straight through fmgr (PL/pgSQL, every
-- parameter given), a simple expression (an inlined SQL function), SPI
-- (a set-returning SQL function), and a procedure.
create function rr_direct(a int) returns text language plpgsql as
  $$ begin return 'D' || (10 / a)::text; end $$;
create function rr_simple(a int) returns text language sql as
  $$ select 'S' || (10 / a)::text $$;
create function rr_spi(a int) returns setof text language sql as
  $$ select 'P' || (10 / a)::text $$;
create procedure rr_proc(a int, inout s text default null) language plpgsql as
  $$ begin s := 'C' || (10 / a)::text; end $$;
create function pg_temp.open_comments() returns void language plpgsql as $$
declare r text;
begin
  foreach r in array array['rr_direct(int)', 'rr_simple(int)', 'rr_spi(int)', 'rr_proc(int, text)'] loop
    perform dblink_exec('other', format('comment on routine %s is %L', r,
      E'HTTP POST /rr/' || split_part(split_part(r, '(', 1), '_', 2) || E'\n@logout'));
  end loop;
end $$;
select pg_temp.open_comments();
create function pg_temp.paths() returns table (path text, result text) language plpgsql as $$
declare p text;
begin
  foreach p in array array['/rr/direct', '/rr/simple', '/rr/spi', '/rr/proc'] loop
    path := p;
    begin
      result := handle_logout('POST', p, '{"a": 5}')::text;
    exception when others then
      result := sqlstate;
    end;
    return next;
  end loop;
end $$;
select * from pg_temp.paths();
-- 1. Another session adds @authorize while this one is inside a REPEATABLE
-- READ, then a SERIALIZABLE, transaction: the endpoints refuse an anonymous
-- caller at once, inside the transaction and after it.
begin isolation level repeatable read;
select 1 as snapshot_taken;
select dblink_exec('other', format('comment on routine %s is %L', r,
         E'HTTP POST /rr/' || split_part(split_part(r, '(', 1), '_', 2) || E'\n@logout\n@authorize admin'))
  from unnest(array['rr_direct(int)', 'rr_simple(int)', 'rr_spi(int)', 'rr_proc(int, text)']) r;
select count(*) > 0 as catalog_read from pg_class;
select * from pg_temp.paths();
commit;
select * from pg_temp.paths();
select pg_temp.open_comments();
select * from pg_temp.paths();
begin isolation level serializable;
select 1 as snapshot_taken;
-- This time the comments drop @logout: no endpoint is left at those paths.
select dblink_exec('other', format('comment on routine %s is %L', r,
         E'HTTP POST /rr/' || split_part(split_part(r, '(', 1), '_', 2)))
  from unnest(array['rr_direct(int)', 'rr_simple(int)', 'rr_spi(int)', 'rr_proc(int, text)']) r;
select * from pg_temp.paths();
commit;
select * from pg_temp.paths();
select pg_temp.open_comments();
select * from pg_temp.paths();
-- 2. A routine that raises: thousands of failing calls on every path, under
-- both isolation levels, some with a COMMENT in between (which drops the
-- prepared calls): the backend's memory stays where it was.
create function pg_temp.rss_kb() returns bigint language sql as $$
  select substring(pg_read_file('/proc/' || pg_backend_pid() || '/status')
                   from 'VmRSS:\s*(\d+)')::bigint $$;
-- pg_backend_memory_contexts is PostgreSQL 14+: 13 measures the RSS only
-- (contexts_kept is null there: expected/hardening_1.out).
create function pg_temp.context_bytes() returns bigint language plpgsql as $$
begin
  if current_setting('server_version_num')::int < 140000 then
    return null;
  end if;
  return (select sum(total_bytes)::bigint from pg_catalog.pg_backend_memory_contexts);
end $$;
create function pg_temp.fail_calls(n int, comment_every int) returns int language plpgsql as $$
declare
  failed int := 0;
  r text;
begin
  for i in 1..n loop
    foreach r in array array['rr_direct(int)', 'rr_simple(int)', 'rr_spi(int)', 'rr_proc(int,text)'] loop
      begin
        perform call_logout(r::regprocedure, '{"a": 0}', '{}');
      exception when division_by_zero then
        failed := failed + 1;
      end;
    end loop;
    if comment_every > 0 and i % comment_every = 0 then
      comment on function rr_simple(int) is E'HTTP POST /rr/simple\n@logout';
    end if;
  end loop;
  return failed;
end $$;
select pg_temp.fail_calls(300, 0) as warm_up, pg_temp.fail_calls(50, 5) as warm_up_with_comments;
create temp table before_calls as select pg_temp.rss_kb() as rss, pg_temp.context_bytes() as contexts;
select pg_temp.fail_calls(3000, 0) as failed_calls;
select pg_temp.fail_calls(500, 5) as failed_calls_with_comments;
begin isolation level repeatable read;
select pg_temp.fail_calls(1000, 0) as failed_calls_repeatable_read;
select pg_temp.fail_calls(200, 5) as failed_calls_repeatable_read_with_comments;
commit;
begin isolation level serializable;
select pg_temp.fail_calls(1000, 0) as failed_calls_serializable;
commit;
select pg_temp.rss_kb() - rss < 2048 as rss_kept,
       pg_temp.context_bytes() - contexts < 262144 as contexts_kept
  from before_calls;
select handle_logout('POST', '/rr/simple', '{"a": 2}', '{}') as still_works;
-- 3. An array of 134 million NULLs (16 MB) sizes nothing by its length:
-- the answer comes without a large allocation.
create temp table hwm as select substring(pg_read_file('/proc/' || pg_backend_pid() || '/status')
                                          from 'VmHWM:\s*(\d+)')::bigint as kb;
select resolve_logout_schemes(array_fill(null::text, array[134217727])) as all_nulls;
select substring(pg_read_file('/proc/' || pg_backend_pid() || '/status') from 'VmHWM:\s*(\d+)')::bigint - kb
       < 100000 as peak_below_100_mb
  from hwm;
select resolve_logout_schemes(array_fill(null::text, array[1000]) || array['a', 'b', 'a']) as nulls_then_names;
-- 4. Numbers reach parameters with every digit.
create function exact_logout(amount numeric, doc jsonb default null) returns text language sql as
  $$ select amount::text || coalesce(' ' || doc::text, '') $$;
comment on function exact_logout(numeric, jsonb) is E'HTTP POST /exact\n@logout';
create function int_logout(n int) returns text language sql as $$ select n::text $$;
comment on function int_logout(int) is E'HTTP POST /exact/int\n@logout';
select handle_logout('POST', '/exact', '{"amount": 123456789012345678901234567890}', '{}') as big;
select handle_logout('POST', '/exact', '{"amount": 0.10000000000000000000001}', '{}') as small;
select handle_logout('POST', '/exact', '{"amount": -1.5e-30}', '{}') as exponent;
select length((handle_logout('POST', '/exact', '{"amount": 1e400}', '{}'))[1]) as e400_digits;
select handle_logout('POST', '/exact', '{"amount": 1, "doc": [123456789012345678901234567890.5, {"x": 0.10000000000000000000001}]}', '{}') as nested;
select call_logout('exact_logout(numeric, jsonb)', '{"amount": 99999999999999999999.99999999999999999999}', '{}') as call;
select sqlstate_of($$select handle_logout('POST', '/exact/int', '{"n": 1e400}', '{}')$$) as int_out_of_range;
select sqlstate_of($$select handle_logout('POST', '/exact/int', '{"n": 12345678901234567890}', '{}')$$) as int_too_big;
select handle_logout('POST', '/exact/int', '{"n": 2147483647}', '{}') as int_max;
-- 6. Another session creates and drops a schema holding a type and a
-- logout routine that uses it, over and over; endpoints(), handle_logout
-- to a healthy endpoint and routine_endpoint never fail with XX000.
create function healthy_logout() returns text language sql as $$ select 'Healthy' $$;
comment on function healthy_logout() is E'HTTP POST /healthy\n@logout';
select dblink_exec('other', $$
create procedure pg_temp.churn(n int) language plpgsql as $p$
begin
  for i in 1..n loop
    create schema churn;
    create type churn.t as (a int);
    create function churn.f(x churn.t, y churn.t[] default null) returns text language sql as 'select ''x''';
    comment on function churn.f(churn.t, churn.t[]) is E'HTTP POST /churn\n@logout';
    commit;
    drop schema churn cascade;
    commit;
  end loop;
end $p$ $$);
select dblink_send_query('other', 'call pg_temp.churn(600)');
create function pg_temp.race(n int) returns table (calls int, internal_errors int) language plpgsql as $$
declare
  failures int := 0;
  done int := 0;
  state text;
begin
  for i in 1..n loop
    foreach state in array array[
      sqlstate_of('select count(*) from endpoints()'),
      sqlstate_of($q$select handle_logout('POST', '/healthy', '{}', '{}')$q$),
      sqlstate_of($q$select routine_endpoint('healthy_logout()')$q$),
      sqlstate_of($q$select count(*) from logout_endpoints$q$)] loop
      done := done + 1;
      if state = 'XX000' then failures := failures + 1; end if;
    end loop;
    exit when dblink_is_busy('other') = 0;
  end loop;
  return query select done, failures;
end $$;
select calls > 0 as raced, internal_errors from pg_temp.race(5000);
select * from dblink_get_result('other') as t(result text);
select handle_logout('POST', '/healthy', '{}', '{}') as healthy;
-- 7. Smaller ones: a sign is not a hex digit; an anyarray is read element
-- by element; an error lists a bounded number of unknown arguments.
create function echo_logout(x text) returns text language sql as $$ select 'echo' || length(x) $$;
comment on function echo_logout(text) is E'HTTP POST /echo\n@logout';
select handle_logout('POST', '/echo?x=a%2B4', '{}', '{}') as plus_escaped;
select sqlstate_of($$select handle_logout('POST', '/echo?x=a%+4', '{}', '{}')$$) as plus_sign_escape,
       sqlstate_of($$select handle_logout('POST', '/echo?x=a%-4', '{}', '{}')$$) as minus_sign_escape;
create table mcv (scheme text);
insert into mcv select s from unnest(array['Cookies', 'Bearer']) s, generate_series(1, 50);
analyze mcv;
select resolve_logout_schemes(s) from (select most_common_vals from pg_stats
  where tablename = 'mcv' and attname = 'scheme') s;
create function pg_temp.error_message(q text) returns text language plpgsql as $$
begin
  execute q;
  return null;
exception when others then
  return sqlerrm;
end $$;
select length(m) < 1000 as short_message, m like '%, and 99990 more' as counts_the_rest
  from (select pg_temp.error_message(format('select handle_logout(%L, %L, %L)', 'POST', '/healthy',
          '{' || (select string_agg(format('"a%s": 1', g), ',') from generate_series(0, 99999) g) || '}')) as m) q;
select dblink_disconnect('other');
