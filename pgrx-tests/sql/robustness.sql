-- Hostile sizes and shapes: an answer or a clean ERROR, and the connection
-- keeps working afterwards.
select cardinality(resolve_logout_schemes(array(select g from generate_series(1, 1000000) g))) as million_ints;
select cardinality(resolve_logout_schemes(array(select case when g % 2 = 0 then null else 'x' || g end
                                                from generate_series(1, 1000000) g))) as million_with_nulls;
select resolve_logout_schemes(array_fill('Cookies'::text, array[100, 100, 10])) as three_dimensions;
select resolve_logout_schemes((repeat('[', 10000) || '"deep"' || repeat(']', 10000))::jsonb) as deep_jsonb;
select resolve_logout_schemes((repeat('[', 10000) || '"deep"' || repeat(']', 10000))::json) as deep_json;
select jsonb_array_length(parse_annotations(repeat(E'prose line\n', 1000000)) -> 'unhandled_lines') as ten_mb_comment;
select parse_annotations(repeat('x', 10000000)) ->> 'http' as ten_mb_line;
select parse_annotations(E'HTTP POST\n@logout' || repeat(E'\r', 1000000)) ->> 'logout' as lone_crs;
select 1 as still_connected;
