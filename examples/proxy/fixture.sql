-- What the reference proxy needs beside the seed (pgrx-tests/fixtures):
-- the application's login routine, which the proxy calls directly, and an
-- admin-only logout endpoint for the 403 case of scripts/e2e.sh. Bodies are
-- strings, not BEGIN ATOMIC, so the fixture loads on PostgreSQL 13 too.

-- Decides who may log in and with which roles; no row = refused.
create function app_login(_user_id int, _roles text[] default '{}')
returns table(user_id int, roles text[])
language sql
as $$
  select _user_id, coalesce(_roles, '{}') where _user_id > 0;
$$;

comment on function app_login(int, text[]) is
'HTTP POST /login
@login';

create function admin_logout()
returns text
language sql
as $$
  select 'Bearer'::text;
$$;

comment on function admin_logout() is
'HTTP POST /admin/logout
@logout
@authorize admin';

-- Who is asking: the seed's routines read their user through
-- current_user_id(); here it comes from the user context the one
-- handle_logout call sets (npgsqlrest_logout.use_user_context is on for
-- this database, see scripts/e2e.sh), as NpgsqlRest would provide it.
create or replace function current_user_id() returns int language sql stable
    as $$ select nullif(current_setting('request.user_id', true), '')::int $$;

-- A user parameter: the server fills _user_id from the session; a client
-- naming another user (in the path, the query or the body) is ignored.
create function revoke_sessions(_user_id int, _ip_address text default null)
returns text
language sql
as $$
  insert into audit_log (user_id, action) values (_user_id, 'revoke from ' || _ip_address);
  select 'Cookies'::text;
$$;

comment on function revoke_sessions(int, text) is
'HTTP POST /auth/revoke/{_user_id}
@logout
@authorize
@user_parameters';

-- Validation before the routine runs; a rule of the application's own
-- answers 422.
insert into validation_rules (name, type, pattern, message, status_code)
values ('company_email', 'regex', '@example\.com$', 'Parameter ''{1}'' must be a company address', 422);

create function unsubscribe(_email text)
returns text
language sql
as $$
  insert into audit_log (user_id, action) values (0, 'unsubscribe ' || _email);
  select 'Cookies'::text;
$$;

comment on function unsubscribe(text) is
'HTTP POST /auth/unsubscribe
@logout
validate _email using required, email, company_email';
