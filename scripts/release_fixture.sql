-- What the release tests (dump/restore, pg_upgrade) add to the seed in a
-- database whose extension lives in schema `ext`: a routine whose comment
-- names a role, in another schema, and a user-added validation rule
-- (SPEC §11.5), which must survive alongside the four default rules. A
-- string body, not BEGIN ATOMIC, so it loads on PostgreSQL 13 too.
create schema app;
create function app.admin_logout(_all boolean default false) returns text[] language sql
  as $$ select case when _all then array[]::text[] else array['Bearer'] end $$;
comment on function app.admin_logout(boolean) is 'HTTP POST /admin/logout
@logout
@authorize admin';
insert into ext.validation_rules (name, type, pattern, message)
  values ('zip_code', 'regex', '^[0-9]{5}$', 'Parameter {0} must be a zip code');
