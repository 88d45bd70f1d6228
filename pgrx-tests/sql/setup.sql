-- Installs the extension and the seed's fixtures shared by the whole suite.
create extension npgsqlrest_logout;
\set suite `echo "$PG_ABS_SRCDIR"`
\set fixture :suite '/fixtures/helpers.sql'
\i :fixture
\set fixture :suite '/fixtures/seed_schema.sql'
\i :fixture
-- The seed verbatim; 13 has no BEGIN ATOMIC bodies (14+): its copy has
-- classic ones (the output on 13 is expected/setup_1.out).
select current_setting('server_version_num')::int >= 140000 as atomic_bodies \gset
\if :atomic_bodies
\set fixture :suite '/fixtures/seed_routines.sql'
\else
\set fixture :suite '/fixtures/seed_routines_pg13.sql'
\endif
\i :fixture
select p.oid::regprocedure as routine, p.prorettype::regtype as returns
from pg_proc p
where p.proname in ('signout', 'logout_cookie', 'logout_web', 'smart_logout', 'full_logout')
order by p.proname;
