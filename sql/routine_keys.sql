-- Just what says whether a cached endpoint is still current: the routine
-- and its comment (the rest changes only with invalidations of pg_proc).
select p.oid, d.description as comment
