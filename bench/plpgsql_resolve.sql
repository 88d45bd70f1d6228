-- The alternative a user would write without the extension: the same
-- rules (trim, drop empty and NULL, drop duplicates keeping the first,
-- expand arrays and json arrays) in PL/pgSQL.
create function plpgsql_resolve(names text[]) returns text[] language plpgsql immutable as $$
declare
  result text[] := '{}';
  name text;
begin
  foreach name in array coalesce(names, '{}') loop
    name := btrim(name);
    if name <> '' and not (name = any(result)) then
      result := result || name;
    end if;
  end loop;
  return result;
end $$;

create function plpgsql_resolve(name text) returns text[] language plpgsql immutable as $$
begin
  return plpgsql_resolve(array[name]);
end $$;

create function plpgsql_resolve(doc jsonb) returns text[] language plpgsql immutable as $$
begin
  return plpgsql_resolve(array(select jsonb_array_elements_text(doc)));
end $$;

create function plpgsql_resolve(r record) returns text[] language plpgsql as $$
begin
  return plpgsql_resolve(array(select value from jsonb_each_text(to_jsonb(r))));
end $$;
