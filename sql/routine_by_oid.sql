 where p.oid operator(pg_catalog.=) $1
