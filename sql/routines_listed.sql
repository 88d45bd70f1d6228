 -- endpoints(): functions and procedures (no aggregates, window or trigger
 -- functions) in schemas the caller may use, outside the system schemas,
 -- temporary schemas and this extension.
 where p.prokind operator(pg_catalog.=) any ('{f,p}'::pg_catalog."char"[])
   and p.prorettype operator(pg_catalog.<>) all
       ('{pg_catalog.trigger,pg_catalog.event_trigger}'::pg_catalog.regtype[])
   and n.nspname operator(pg_catalog.<>) all ('{pg_catalog,information_schema}'::pg_catalog.name[])
   and n.nspname::pg_catalog.text operator(pg_catalog.!~~) 'pg\_toast%'
   and n.nspname::pg_catalog.text operator(pg_catalog.!~~) 'pg\_temp\_%'
   and pg_catalog.has_schema_privilege(n.oid, 'USAGE')
   and not exists (
       select from pg_catalog.pg_depend dep
        where dep.classid operator(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass
          and dep.objid operator(pg_catalog.=) p.oid
          and dep.deptype operator(pg_catalog.=) 'e'
          and dep.refobjid operator(pg_catalog.=) any (
              select e.oid from pg_catalog.pg_extension e
               where e.extname operator(pg_catalog.=) 'npgsqlrest_logout'))
