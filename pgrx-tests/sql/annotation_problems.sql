-- annotation_problems() and sql_file_problems() (SPEC §12): the linter.
-- On the realistic API annotated_api loaded (documented in prose), it
-- flags no prose line.
select count(*) as prose_flagged from annotation_problems() where code = 'unknown_annotation';
select routine, severity, code, message from annotation_problems()
where routine::text like 'shop.%' or routine::text in ('app_logout()', 'logout_everywhere()', 'api_logout()')
order by 1, 2, 3, 4;
-- A deliberately broken logout routine: a typo turns @logout into prose.
create function broken_logout(_user_id int) returns text language sql as $$ select 'Cookies' $$;
comment on function broken_logout(int) is E'Signs the user out.\nHTTP POST /auth/broken\n@logut\n@authorise admin';
select severity, code, message, line, hint from annotation_problems()
where routine = 'broken_logout(int)'::regprocedure;
-- Two more: @logout without an HTTP line, and a user id the client picks.
create function forgot_http() returns text language sql as $$ select 'Cookies' $$;
comment on function forgot_http() is E'@logout\n@authorize';
create function revoke_any(_user_id int) returns text language sql as $$ select 'Cookies' $$;
comment on function revoke_any(int) is E'HTTP POST /auth/revoke-any\n@logout\n@authorize';
-- A CI gate for an application's migrations: no errors allowed.
select routine, code, message from annotation_problems() where severity = 'error' order by 1, 2;
-- A report grouped by routine.
select routine, string_agg(severity || ' ' || code, ', ' order by severity, code) as problems
from annotation_problems() group by routine order by routine::text;
-- One SQL file, with the file's line numbers.
select line_number, severity, code, hint
from sql_file_problems(E'-- Ends the session.\n-- @logout\n-- validate _x using nope\ndelete from sessions;', 'sql/out.sql');
select count(*) as seed_file_problems
from sql_file_problems(E'-- HTTP POST\n-- @logout\n-- @authorize\ndelete from sessions where user_id = current_user_id();');
drop function broken_logout(int), forgot_http(), revoke_any(int);
