-- Bad and hostile input: each gives an answer or an ERROR with a specific
-- SQLSTATE and a message that says what to fix; the connection lives on.
\set VERBOSITY default
-- Values of every odd type.
create type mood as enum ('Cookies', 'Bearer');
create domain scheme_list as text[] check (cardinality(value) < 5);
create type inner_pair as (a text, b mood);
create type outer_pair as (x inner_pair, y inner_pair[]);
select resolve_logout_schemes('\x436f6f6b696573'::bytea) as bytea_value,
       resolve_logout_schemes(point(1, 2)) as point_value,
       resolve_logout_schemes('Bearer'::mood) as enum_value,
       resolve_logout_schemes(int4range(1, 5)) as range_value,
       resolve_logout_schemes(array['a', null, 'b']::scheme_list) as domain_over_array;
select resolve_logout_schemes(row(row('a', 'Bearer'), array[row('b', null)::inner_pair, null])::outer_pair) as nested_records;
select resolve_logout_schemes(array[[null, 'x'], [null, null]]::text[]) as nulls_in_two_dimensions;
-- json nested close to PostgreSQL's own limit, and past it.
select cardinality(resolve_logout_schemes((repeat('[', 6000) || '"deep"' || repeat(']', 6000))::jsonb)) as deep_array;
select resolve_logout_schemes((repeat('[', 6000) || '{}' || repeat(']', 6000))::jsonb);
-- Settings.
select parse_annotations(null) is not null as loaded;
set npgsqlrest_logout.comments_mode = '';
set npgsqlrest_logout.url_prefix = E'/api\n';
-- Requests.
select handle_logout('POST', '/auth/logout?_scheme=%', '{}', '{}');
select handle_logout('POST', '/auth/%C3%28', '{}', '{}');
select sqlstate_of(format('select handle_logout(%L, %L, %L, %L)', 'POST', '/' || repeat('a/', 500000), '{}', '{}')) as one_megabyte_path;
select handle_logout('POST', '/auth/logout', '"not an object"', '{}');
select handle_logout('POST', '/auth/logout', 'null', '{}');
select handle_logout('POST', '/auth/logout', null, '{}') as null_args_are_no_args;
select handle_logout('POST', '/auth/logout', (repeat('{"a":', 200) || '1' || repeat('}', 200))::jsonb, '{}');
select call_logout('logout_web()', '{}', array[null, 'user']) as null_roles_ignored;
-- Unterminated constructs are text to the end, not errors.
select parse_sql_file($$select 'open string; -- no end$$) -> 'statements' as unterminated_string,
       parse_sql_file($$/* open /* nested */ comment; select 1$$) ->> 'comment' as unterminated_comment,
       parse_sql_file($$do $body$ begin; delete$$) ->> 'auto_method' as unterminated_dollar_quote;
-- Ten megabytes of SQL file.
select jsonb_array_length(parse_sql_file(repeat('select 1; -- c' || chr(10), 700000)) -> 'statements') as statements;
-- A long parse honours statement_timeout.
set statement_timeout = '100ms';
select parse_annotations(repeat(E'HTTP POST /x\n', 8000000)) is not null;
select parse_sql_file(repeat('select 1; ', 10000000)) is not null;
reset statement_timeout;
select 'still connected' as status;
