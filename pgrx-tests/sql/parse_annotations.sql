-- The seed's comments, read back from the catalog and parsed.
select p.proname,
       d->>'method' as method, d->>'path' as path,
       d->'logout' as logout, d->'requires_authorization' as requires_auth
from pg_proc p,
     parse_annotations(obj_description(p.oid, 'pg_proc')) d
where p.proname in ('signout', 'logout_cookie', 'logout_web', 'smart_logout', 'full_logout')
order by p.proname;
-- The whole document of one comment.
select jsonb_pretty(parse_annotations(obj_description('logout_web()'::regprocedure, 'pg_proc')));
-- Aliases, prose, headers, custom parameters and tags.
select jsonb_pretty(parse_annotations(E'Signs the caller out of the web app.\r\n'
    'HTTP POST /auth/logout/web\n'
    '@SignOut\n'
    'authorize Admin, user\n'
    'Cache-Control: no-store\n'
    'Content-Type: application/json\n'
    'audit = logout\\tweb\n'
    'raw = yes'));
select parse_annotations(E'for web\n@logout\nfor api\n@login', array['web']) ->> 'logout' as logout_for_web,
       parse_annotations(E'for web\n@logout\nfor api\n@login', array['web']) ->> 'login' as login_for_web;
-- Rule order: a header wins over a keyword, a key = value over both.
select parse_annotations('authorize: admin') -> 'headers' as header,
       parse_annotations('authorize = admin') -> 'custom_parameters' as custom,
       parse_annotations('authorize admin') -> 'authorize_roles' as roles;
select parse_annotations(null) = parse_annotations('') as null_is_empty;
