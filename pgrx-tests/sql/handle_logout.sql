-- One-call logout for a thin proxy (SPEC §9): the seed's endpoints over
-- HTTP-shaped requests, authorization, arguments and errors.
select handle_logout('POST', '/auth/logout/cookie', '{}', '{}') as cookie;
select handle_logout('POST', '/auth/logout/web', '{}', '{}') as web;
select handle_logout('POST', '/auth/logout', '{}', '{}') as smart_all;
select handle_logout('POST', '/auth/logout?_scheme=Cookies', '{}', '{}') as smart_query;
select handle_logout('post', '/Auth/Logout/', '{"scheme": "Bearer"}', '{}') as smart_body_camel_case;
select handle_logout('POST', '/api/full-logout', '{}', '{}') as full_logout;
select user_id, action from audit_log order by at;
select call_logout('logout_web()', '{}', '{}') as call_web;
select call_logout('smart_logout(text)', '{"_scheme": "Cookies"}', '{}') as call_smart;
-- Authorization happens before the routine runs.
set app.user_id = '2';
select handle_logout('POST', '/api/signout', '{}', null);
select count(*) as user_2_sessions_kept from sessions where user_id = 2;
create function admin_logout() returns text language sql as $$ select 'Admin' $$;
comment on function admin_logout() is E'HTTP POST /admin/logout\n@logout\n@authorize admin';
select handle_logout('POST', '/admin/logout', '{}', '{viewer}');
select handle_logout('POST', '/admin/logout', '{}', '{Admin}') as admin;
reset app.user_id;
-- Requests that match nothing, and bad arguments.
select handle_logout('POST', '/auth/nowhere', '{}', '{}');
select handle_logout('GET', '/auth/logout/web', '{}', '{}');
select handle_logout('POST', '/auth/logout?_scheme=a', '{"_scheme": "b"}', '{}');
select handle_logout('POST', '/auth/logout', '{"session": 1}', '{}');
select handle_logout('POST', '/auth/logout', '[1, 2]', '{}');
select handle_logout('POST', '/auth/logout?x=%G1', '{}', '{}');
select call_logout('current_user_id()', '{}', '{}');
-- A non-logout routine at the same path never runs.
create table side_effects (note text);
create function not_logout() returns text language plpgsql as
  $$ begin insert into side_effects values ('ran'); return 'x'; end $$;
comment on function not_logout() is 'HTTP POST /auth/logout/other';
select handle_logout('POST', '/auth/logout/other', '{}', '{}');
select count(*) as side_effects from side_effects;
-- Values are bound, never spliced: hostile text stays text.
select handle_logout('POST', '/auth/logout', $${"_scheme": "x'); drop table sessions; --"}$$, '{}') as injection;
select count(*) > 0 as sessions_table_still_there from sessions;
-- A comment changed by another session is seen by the very next call.
create extension dblink;
select handle_logout('POST', '/auth/logout/cookie', '{}', '{}') as before_change;
select dblink_exec(format('dbname=%s host=%s port=%s user=postgres', current_database(),
                          current_setting('unix_socket_directories'), current_setting('port')),
                   $$comment on function logout_cookie() is E'HTTP POST /auth/logout/cookies\n@logout\n@authorize'$$);
select handle_logout('POST', '/auth/logout/cookie', '{}', '{}');
select handle_logout('POST', '/auth/logout/cookies', '{}', '{}') as after_change;
comment on function logout_cookie() is E'HTTP POST /auth/logout/cookie\n@logout\n@authorize';
drop extension dblink;
-- Two logout endpoints at the same method and path are an error, not a guess.
create function duplicate_logout() returns text language sql as $$ select 'Other' $$;
comment on function duplicate_logout() is E'HTTP POST /auth/logout/web\n@logout';
select handle_logout('POST', '/auth/logout/web', '{}', '{}');
drop function duplicate_logout();
select handle_logout('POST', '/auth/logout/web', '{}', '{}') as web_again;
