-- resolve_logout_schemes over values of every shape (SPEC §8).
create type scheme_pair as (primary_scheme text, others text[]);
create domain scheme_name as text check (value <> 'forbidden');
create domain scheme_names as text[];
create type scheme_enum as enum ('Cookies', 'Bearer');
select resolve_logout_schemes(null::text) as null_value,
       resolve_logout_schemes(' Cookies '::text) as trimmed,
       resolve_logout_schemes(''::text) as empty_name,
       resolve_logout_schemes(7) as number;
select resolve_logout_schemes(array['Bearer', null, ' Bearer', 'Cookies', '']) as deduplicated,
       resolve_logout_schemes(array['Cookies', 'cookies']) as case_kept,
       resolve_logout_schemes(array[['a', 'b'], ['c', null]]) as two_dimensions;
select resolve_logout_schemes(row('Cookies', array['Bearer', 'Cookies'])::scheme_pair) as record,
       resolve_logout_schemes(array[row('a', null)::scheme_pair, row(null, array['b'])::scheme_pair]) as records,
       resolve_logout_schemes(row(1, row('x', array['y']))) as nested_record;
select resolve_logout_schemes('Cookies'::scheme_name) as domain,
       resolve_logout_schemes(array['Cookies', 'Bearer']::scheme_names) as array_domain,
       resolve_logout_schemes('Bearer'::scheme_enum) as enum_value;
select resolve_logout_schemes('["Cookies", ["Bearer", null], 1, true]'::jsonb) as jsonb_value,
       resolve_logout_schemes('"Cookies"'::json) as json_string,
       resolve_logout_schemes('null'::jsonb) as json_null;
select resolve_logout_schemes('{"scheme": "Cookies"}'::jsonb);
select sqlstate_of($$select resolve_logout_schemes('{"a": 1}'::jsonb)$$) as json_object;
select resolve_logout_schemes('Jwt'::text, array['Cookies', 'Bearer']);
select sqlstate_of($$select resolve_logout_schemes('Jwt'::text, array['Cookies'])$$) as unknown_scheme;
select resolve_logout_schemes(null::text, array['Cookies', null, 'Bearer']) as all_available,
       resolve_logout_schemes('Bearer'::text, null) as no_check;
select logout_schemes_agg(x) as aggregated
from (values ('Cookies'::text), (null), ('Bearer'), ('Cookies')) t(x);
select logout_schemes_agg(x) as no_rows from (select 'a'::text where false) t(x);
