-- What an endpoint needs to know about a routine. Every name is
-- pg_catalog-qualified and every operator spelled OPERATOR(pg_catalog.…),
-- so no schema earlier in search_path can change the answer.
select p.oid,
       p.pronamespace as namespace,
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
