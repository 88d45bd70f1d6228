   and p.oid operator(pg_catalog.=) any ($1)
