-- What the release fixture's role-restricted routine in schema app answers
-- (scripts/release_fixture.sql): shared by the dump/restore and pg_upgrade
-- tests, run with ON_ERROR_STOP off so the refused call's SQLSTATE shows.
select handle_logout('POST', '/admin/logout', '{"all": true}', '{Admin}');
select handle_logout('POST', '/admin/logout', '{}', '{admin,user}');
select handle_logout('POST', '/admin/logout', '{}', '{user}');
\echo :SQLSTATE
select count(*) from ext.endpoints() where routine = 'app.admin_logout(boolean)'::regprocedure;
