-- The routines with their schema and comment.
  from pg_catalog.pg_proc p
  join pg_catalog.pg_namespace n on n.oid operator(pg_catalog.=) p.pronamespace
  left join pg_catalog.pg_description d
         on d.objoid operator(pg_catalog.=) p.oid
        and d.classoid operator(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass
        and d.objsubid operator(pg_catalog.=) 0
