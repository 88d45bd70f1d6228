-- What an endpoint needs to know about a routine. Every name is
-- pg_catalog-qualified and every operator spelled OPERATOR(pg_catalog.…),
-- so no schema earlier in search_path can change the answer.
select p.oid,
       p.oid::pg_catalog.regprocedure::pg_catalog.text as signature,
       n.nspname::pg_catalog.text as schema,
       p.proname::pg_catalog.text as name,
       p.prokind::pg_catalog.text as kind,
       p.provolatile::pg_catalog.text as volatility,
       p.prorettype as return_type,
       p.proretset as returns_set,
       d.description as comment,
       p.pronargdefaults::pg_catalog.int4 as default_count,
       (select pg_catalog.array_agg(pg_catalog.format_type(a.type, null) order by a.i)
          from pg_catalog.unnest(p.proargtypes::pg_catalog.oid[]) with ordinality a(type, i))
         as input_types,
       (select pg_catalog.array_agg(a.name order by a.i)
          from rows from (pg_catalog.unnest(p.proargnames), pg_catalog.unnest(p.proargmodes::pg_catalog.text[]))
               with ordinality a(name, mode, i)
         where a.mode is null or a.mode operator(pg_catalog.=) any ('{i,b,v}'::pg_catalog.text[]))
         as input_names
  from pg_catalog.pg_proc p
  join pg_catalog.pg_namespace n on n.oid operator(pg_catalog.=) p.pronamespace
  left join pg_catalog.pg_description d
         on d.objoid operator(pg_catalog.=) p.oid
        and d.classoid operator(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass
        and d.objsubid operator(pg_catalog.=) 0
