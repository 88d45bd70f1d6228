-- Installs the extension and the seed's fixtures shared by the whole suite.
create extension npgsqlrest_logout;
\getenv suite PG_ABS_SRCDIR
\set fixture :suite '/fixtures/helpers.sql'
\i :fixture
\set fixture :suite '/fixtures/seed_schema.sql'
\i :fixture
\set fixture :suite '/fixtures/seed_routines.sql'
\i :fixture
select p.oid::regprocedure as routine, p.prorettype::regtype as returns
from pg_proc p
where p.proname in ('signout', 'logout_cookie', 'logout_web', 'smart_logout', 'full_logout')
order by p.proname;
