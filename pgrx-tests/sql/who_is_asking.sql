-- Who is asking (SPEC §11): claims, user context, user parameters,
-- resolved parameters and validation in one handle_logout call.
create table user_sessions (user_id int, token text);
insert into user_sessions values (1, 'a'), (1, 'b'), (42, 'c');
-- A routine written for NpgsqlRest: its user comes from the context.
create function revoke_mine() returns text language sql as $$
    delete from user_sessions where user_id = current_setting('request.user_id', true)::int;
    select 'Cookies' $$;
comment on function revoke_mine() is E'HTTP POST /auth/revoke\n@logout\n@authorize\n@user_context';
select handle_logout('POST', '/auth/revoke',
                     user_claims => '{"user_id": "1", "user_roles": ["user"]}',
                     ip_address => '10.0.0.9') as revoked;
select user_id, count(*) from user_sessions group by 1 order by 1;
-- The context was transaction-local: nothing is left for the next request.
select coalesce(current_setting('request.user_id', true), '') as user_id_after,
       coalesce(current_setting('request.ip_address', true), '') as ip_after;
-- One call, in a transaction: the values are there until it ends.
begin;
select handle_logout('POST', '/auth/revoke', user_claims => '{"user_id": 42, "user_name": "ann"}',
                     ip_address => '10.0.0.9') as revoked;
select current_setting('request.user_id') as user_id, current_setting('request.user_name') as user_name,
       current_setting('request.user_roles') as user_roles, current_setting('request.ip_address') as ip;
commit;
select coalesce(current_setting('request.user_id', true), '') as user_id_after_commit;
-- A user parameter: the client cannot choose whose sessions go.
create function revoke_for(_user_id int) returns text language sql as $$
    delete from user_sessions where user_id = _user_id; select 'Bearer' $$;
comment on function revoke_for(int) is E'HTTP POST /auth/revoke/{_user_id}\n@logout\n@user_parameters';
insert into user_sessions values (1, 'd'), (42, 'e');
select handle_logout('POST', '/auth/revoke/42?_user_id=42', '{"userId": 42}',
                     user_claims => '{"user_id": "1"}') as revoked;
select user_id, count(*) from user_sessions group by 1 order by 1;
-- Anonymous: no default, so NULL, and nothing is deleted.
select handle_logout('POST', '/auth/revoke/42', '{"userId": 42}') as revoked;
select user_id, count(*) from user_sessions group by 1 order by 1;
-- Validation fails before the routine runs, with the rule's message.
create function subscribe_out(_email text) returns text language sql as $$
    insert into user_sessions values (0, _email); select 'Cookies' $$;
comment on function subscribe_out(text) is E'HTTP POST /auth/out\n@logout\nvalidate _email using required, email';
select handle_logout('POST', '/auth/out', '{"email": "not an address"}');
select handle_logout('POST', '/auth/out', '{"email": ""}');
select count(*) as nothing_written from user_sessions where user_id = 0;
select handle_logout('POST', '/auth/out', '{"email": "a@b.io"}') as ok;
-- Bad shapes are refused with 22023.
select handle_logout('POST', '/auth/out', user_claims => '{"user_roles": {"admin": true}}');
select handle_logout('POST', '/auth/out', headers => '["x"]');
select name, type, status_code from validation_rules order by name;
drop function revoke_mine(), revoke_for(int), subscribe_out(text);
drop table user_sessions;
