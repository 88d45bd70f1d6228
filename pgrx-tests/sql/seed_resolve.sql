-- What each of the seed's logout routines resolves to (SPEC §10).
select resolve_logout_schemes(logout_cookie()) as logout_cookie;
select resolve_logout_schemes(logout_web()) as logout_web;
select resolve_logout_schemes(smart_logout()) as smart_logout_all;
select resolve_logout_schemes(smart_logout('Cookies')) as smart_logout_cookies;
select resolve_logout_schemes(smart_logout(_scheme => 'Bearer')) as smart_logout_bearer;
select resolve_logout_schemes(signout()) as signout;
select count(*) as sessions_left_for_user_1 from sessions where user_id = 1;
select resolve_logout_schemes(full_logout()) as full_logout;
select user_id, action from audit_log;
select count(*) as refresh_tokens_left_for_user_1 from refresh_tokens where user_id = 1;
-- A front-end that has "Cookies" and "Bearer": the empty list becomes both.
select resolve_logout_schemes(signout(), array['Cookies', 'Bearer']) as signout_expanded;
select resolve_logout_schemes(logout_cookie(), array['Cookies', 'Bearer']) as logout_cookie_checked;
-- Set-returning logout routines: every row counts.
create function logout_rows() returns setof text language sql
    as $$ values ('Cookies'), (null), ('Bearer'), ('Cookies') $$;
select logout_schemes_agg(t) as logout_rows from logout_rows() t;
