-- What the reference proxy needs beside the seed (pgrx-tests/fixtures):
-- the application's login routine, which the proxy calls directly, and an
-- admin-only logout endpoint for the 403 case of scripts/e2e.sh.

-- Decides who may log in and with which roles; no row = refused.
create function app_login(_user_id int, _roles text[] default '{}')
returns table(user_id int, roles text[])
language sql
begin atomic;
  select _user_id, coalesce(_roles, '{}') where _user_id > 0;
end;

comment on function app_login(int, text[]) is
'HTTP POST /login
@login';

create function admin_logout()
returns text
language sql
begin atomic;
  select 'Bearer'::text;
end;

comment on function admin_logout() is
'HTTP POST /admin/logout
@logout
@authorize admin';
