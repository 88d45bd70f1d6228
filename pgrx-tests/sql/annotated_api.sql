-- A realistic annotated API (22 routines): what endpoints() and
-- routine_endpoint() report about each.
\set suite `echo "$PG_ABS_SRCDIR"`
\set fixture :suite '/fixtures/realistic_api.sql'
\i :fixture
select method, path, request_param_type as params, requires_authorization as auth,
       authorize_roles as roles, login, logout
from endpoints()
where schema = 'shop' or name in ('app_login', 'app_logout', 'logout_everywhere', 'api_logout', 'whoami',
                                   'get_status', 'health_check', 'set_locale', 'profile_update',
                                   'purge_sessions', 'undocumented')
order by path, method;
select routine, method, path from logout_endpoints where name not in
    ('signout', 'logout_cookie', 'logout_web', 'smart_logout', 'full_logout') order by path;
-- Every annotation beyond the core keys, per routine.
select e.name, k.key, k.value
from endpoints() e,
     jsonb_each(e.endpoint - array['http', 'method', 'path', 'request_param_type', 'requires_authorization',
                                   'authorize_roles', 'allow_anonymous', 'login', 'logout', 'disabled',
                                   'internal', 'content_type', 'headers', 'custom_parameters', 'annotations',
                                   'unhandled_lines', 'warnings', 'routine', 'schema', 'name', 'kind',
                                   'volatility', 'returns_void', 'returns_set', 'parameters',
                                   'resolved_parameters']) k
where e.schema = 'shop' or e.name in ('app_login', 'api_logout', 'whoami', 'get_status', 'set_locale',
                                      'profile_update', 'purge_sessions')
order by e.name, k.key;
-- Headers, content types, resolved parameters, warnings and prose.
select name, endpoint->'headers' as headers, endpoint->>'content_type' as content_type
from endpoints() where endpoint->'headers' <> '{}' or endpoint->>'content_type' is not null order by name;
select name, endpoint->'resolved_parameters' as resolved from endpoints()
where endpoint->'resolved_parameters' <> '{}' order by name;
select name, w->>'text' as line, w->>'reason' as reason
from endpoints(), jsonb_array_elements(endpoint->'warnings') w order by name, line;
select name, endpoint->'unhandled_lines' as prose from endpoints()
where jsonb_array_length(endpoint->'unhandled_lines') > 0 order by name;
-- Not endpoints: internal-only is still one; disabled and unannotated are not.
select r as routine, routine_endpoint(r) is not null as is_endpoint,
       routine_endpoint(r)->'internal' as internal
from unnest(array['shop.internal_recalculate()', 'shop.legacy_checkout()', 'undocumented()']::regprocedure[]) r;
-- Logging out through the realistic API.
select handle_logout('POST', '/auth/logout/everywhere', '{}', '{customer}') as everywhere,
       handle_logout('POST', '/auth/logout/Cookies', '{}', '{customer}') as path_parameter,
       handle_logout('post', '/AUTH/SIGNOUT/', '{}', '{}') as signout_alias;
