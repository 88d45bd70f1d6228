-- What an endpoint needs to know about a routine. Every name is
-- pg_catalog-qualified and every operator spelled OPERATOR(pg_catalog.…),
-- so no schema earlier in search_path can change the answer.
select p.oid,
       n.nspname::pg_catalog.text as schema,
       p.proname::pg_catalog.text as name,
       p.prokind::pg_catalog.text as kind,
       p.provolatile::pg_catalog.text as volatility,
       p.prorettype as return_type,
       p.prolang as language,
       p.proretset as returns_set,
       d.description as comment,
       p.pronargdefaults::pg_catalog.int4 as default_count,
       p.proargtypes::pg_catalog.oid[] as input_types,
       p.proargnames as arg_names,
       p.proargmodes::pg_catalog.text[] as arg_modes
  from pg_catalog.pg_proc p
  join pg_catalog.pg_namespace n on n.oid operator(pg_catalog.=) p.pronamespace
  left join pg_catalog.pg_description d
         on d.objoid operator(pg_catalog.=) p.oid
        and d.classoid operator(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass
        and d.objsubid operator(pg_catalog.=) 0
