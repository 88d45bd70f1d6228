-- A description of every object that belongs to npgsqlrest_logout in the
-- current database, one fact per line, sorted: what scripts/upgrade_test.sh
-- compares between an updated and a freshly created extension. Objects are
-- named relative to the extension's schema (shown as @extschema@), so two
-- databases with the extension in different schemas can be compared too.
-- Run with: psql -X -At -f scripts/extension_catalog.sql (the rows of
-- configuration tables come last, each table sorted)
\set QUIET on
set search_path = pg_catalog;
-- BEGIN ATOMIC bodies (prosqlbody) are PostgreSQL 14+; on 13 every body is
-- a string (prosrc), so there is none to show.
select pg_catalog.current_setting('server_version_num')::int >= 140000 as has_sqlbody \gset
\if :has_sqlbody
\set sqlbody 'pg_catalog.pg_get_function_sqlbody(p.oid)'
\else
\set sqlbody 'null::text'
\endif
with ext as (
  select e.oid, e.extname, e.extversion, e.extrelocatable, e.extconfig, e.extcondition,
         n.nspname as schema
  from pg_catalog.pg_extension e join pg_catalog.pg_namespace n on n.oid = e.extnamespace
  where e.extname = 'npgsqlrest_logout'
),
members as (
  select d.classid, d.objid
  from pg_catalog.pg_depend d, ext
  where d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass
    and d.refobjid = ext.oid and d.deptype = 'e'
),
-- '@extschema@.' instead of the schema's (possibly quoted) name
q(s) as (select pg_catalog.quote_ident(schema) || '.' from ext),
facts(line) as (
  -- the extension itself
  select pg_catalog.format('extension %s version=%s relocatable=%s', extname, extversion, extrelocatable)
  from ext
  union all
  select pg_catalog.format('extension config table=%s condition=%L',
           pg_catalog.replace(c.rel::pg_catalog.regclass::text, (select s from q), '@extschema@.'),
           ext.extcondition[c.i])
  from ext, unnest(ext.extconfig) with ordinality as c(rel, i)
  union all
  -- every member, whatever its kind
  select 'member ' || pg_catalog.replace(
           pg_catalog.pg_describe_object(m.classid, m.objid, 0), (select s from q), '@extschema@.')
  from members m
  union all
  -- functions, procedures, aggregates
  select pg_catalog.format(
           'function %s(%s) kind=%s args=[%s] returns=%s volatility=%s parallel=%s strict=%s '
           'security_definer=%s leakproof=%s owner=%s language=%s cost=%s rows=%s config=%s acl=%s '
           'support=%s src=%s bin=%s sqlbody=%s',
           p.proname, pg_catalog.pg_get_function_identity_arguments(p.oid), p.prokind,
           pg_catalog.pg_get_function_arguments(p.oid), pg_catalog.pg_get_function_result(p.oid),
           p.provolatile, p.proparallel, p.proisstrict, p.prosecdef, p.proleakproof,
           p.proowner::pg_catalog.regrole, l.lanname, p.procost, p.prorows, p.proconfig, p.proacl,
           p.prosupport,
           pg_catalog.replace(p.prosrc, E'\n', '\n'), p.probin,
           pg_catalog.replace(:sqlbody, E'\n', '\n'))
  from members m
  join pg_catalog.pg_proc p on m.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass and p.oid = m.objid
  join pg_catalog.pg_language l on l.oid = p.prolang
  union all
  select pg_catalog.format(
           'aggregate %s(%s) kind=%s transfn=%s finalfn=%s combinefn=%s serialfn=%s deserialfn=%s '
           'transtype=%s transspace=%s initval=%s finalextra=%s finalmodify=%s sortop=%s '
           'mtransfn=%s minvtransfn=%s mfinalfn=%s mtranstype=%s minitval=%s',
           p.proname, pg_catalog.pg_get_function_identity_arguments(p.oid), a.aggkind,
           pg_catalog.replace(a.aggtransfn::text, (select s from q), '@extschema@.'),
           pg_catalog.replace(a.aggfinalfn::text, (select s from q), '@extschema@.'),
           a.aggcombinefn, a.aggserialfn, a.aggdeserialfn,
           a.aggtranstype::pg_catalog.regtype, a.aggtransspace, a.agginitval, a.aggfinalextra,
           a.aggfinalmodify, a.aggsortop, a.aggmtransfn, a.aggminvtransfn, a.aggmfinalfn,
           a.aggmtranstype, a.aggminitval)
  from members m
  join pg_catalog.pg_proc p on m.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass and p.oid = m.objid
  join pg_catalog.pg_aggregate a on a.aggfnoid = p.oid
  union all
  -- relations: kind, owner, options, privileges, row security
  select pg_catalog.format('relation %s kind=%s owner=%s options=%s acl=%s rowsecurity=%s persistence=%s',
           c.relname, c.relkind, c.relowner::pg_catalog.regrole, c.reloptions, c.relacl,
           c.relrowsecurity, c.relpersistence)
  from members m
  join pg_catalog.pg_class c on m.classid = 'pg_catalog.pg_class'::pg_catalog.regclass and c.oid = m.objid
  union all
  select pg_catalog.format('view %s definition=%s', c.relname,
           pg_catalog.replace(pg_catalog.replace(pg_catalog.pg_get_viewdef(c.oid, true),
             (select s from q), '@extschema@.'), E'\n', '\n'))
  from members m
  join pg_catalog.pg_class c on m.classid = 'pg_catalog.pg_class'::pg_catalog.regclass and c.oid = m.objid
  where c.relkind in ('v', 'm')
  union all
  -- columns of tables and views
  select pg_catalog.format('column %s.%s position=%s type=%s not_null=%s default=%s identity=%s generated=%s collation=%s',
           c.relname, a.attname, a.attnum, pg_catalog.format_type(a.atttypid, a.atttypmod),
           a.attnotnull, pg_catalog.pg_get_expr(d.adbin, d.adrelid), a.attidentity, a.attgenerated,
           a.attcollation)
  from members m
  join pg_catalog.pg_class c on m.classid = 'pg_catalog.pg_class'::pg_catalog.regclass and c.oid = m.objid
  join pg_catalog.pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
  left join pg_catalog.pg_attrdef d on d.adrelid = c.oid and d.adnum = a.attnum
  union all
  select pg_catalog.format('constraint %s.%s %s', c.relname, k.conname,
           pg_catalog.replace(pg_catalog.pg_get_constraintdef(k.oid), (select s from q), '@extschema@.'))
  from members m
  join pg_catalog.pg_class c on m.classid = 'pg_catalog.pg_class'::pg_catalog.regclass and c.oid = m.objid
  join pg_catalog.pg_constraint k on k.conrelid = c.oid
  union all
  select pg_catalog.format('index %s', pg_catalog.replace(pg_catalog.pg_get_indexdef(i.indexrelid),
           (select s from q), '@extschema@.'))
  from members m
  join pg_catalog.pg_class c on m.classid = 'pg_catalog.pg_class'::pg_catalog.regclass and c.oid = m.objid
  join pg_catalog.pg_index i on i.indrelid = c.oid
  union all
  select pg_catalog.format('trigger %s.%s enabled=%s %s', c.relname, t.tgname, t.tgenabled,
           pg_catalog.replace(pg_catalog.pg_get_triggerdef(t.oid), (select s from q), '@extschema@.'))
  from members m
  join pg_catalog.pg_class c on m.classid = 'pg_catalog.pg_class'::pg_catalog.regclass and c.oid = m.objid
  join pg_catalog.pg_trigger t on t.tgrelid = c.oid and not t.tgisinternal
  union all
  select pg_catalog.format('policy %s.%s cmd=%s permissive=%s roles=%s using=%s check=%s',
           c.relname, po.polname, po.polcmd, po.polpermissive, po.polroles,
           pg_catalog.pg_get_expr(po.polqual, po.polrelid), pg_catalog.pg_get_expr(po.polwithcheck, po.polrelid))
  from members m
  join pg_catalog.pg_class c on m.classid = 'pg_catalog.pg_class'::pg_catalog.regclass and c.oid = m.objid
  join pg_catalog.pg_policy po on po.polrelid = c.oid
  union all
  select pg_catalog.format('sequence %s type=%s start=%s increment=%s min=%s max=%s cache=%s cycle=%s',
           c.relname, s.seqtypid::pg_catalog.regtype, s.seqstart, s.seqincrement, s.seqmin, s.seqmax,
           s.seqcache, s.seqcycle)
  from members m
  join pg_catalog.pg_class c on m.classid = 'pg_catalog.pg_class'::pg_catalog.regclass and c.oid = m.objid
  join pg_catalog.pg_sequence s on s.seqrelid = c.oid
  union all
  -- types
  select pg_catalog.format('type %s kind=%s owner=%s input=%s output=%s category=%s',
           t.typname, t.typtype, t.typowner::pg_catalog.regrole, t.typinput, t.typoutput, t.typcategory)
  from members m
  join pg_catalog.pg_type t on m.classid = 'pg_catalog.pg_type'::pg_catalog.regclass and t.oid = m.objid
  union all
  -- event triggers
  select pg_catalog.format('event trigger %s event=%s tags=%s function=%s enabled=%s owner=%s',
           et.evtname, et.evtevent, et.evttags,
           pg_catalog.replace(et.evtfoid::pg_catalog.regproc::text, (select s from q), '@extschema@.'),
           et.evtenabled, et.evtowner::pg_catalog.regrole)
  from members m
  join pg_catalog.pg_event_trigger et on m.classid = 'pg_catalog.pg_event_trigger'::pg_catalog.regclass and et.oid = m.objid
  union all
  -- comments on members and their columns
  select pg_catalog.format('comment on %s: %s',
           pg_catalog.replace(pg_catalog.pg_describe_object(d.classoid, d.objoid, d.objsubid),
             (select s from q), '@extschema@.'),
           pg_catalog.replace(d.description, E'\n', '\n'))
  from members m
  join pg_catalog.pg_description d on d.classoid = m.classid and d.objoid = m.objid
  union all
  -- initial privileges recorded for the extension's objects (what pg_dump uses)
  select pg_catalog.format('init privileges on %s: %s type=%s',
           pg_catalog.replace(pg_catalog.pg_describe_object(i.classoid, i.objoid, i.objsubid),
             (select s from q), '@extschema@.'),
           i.initprivs, i.privtype)
  from members m
  join pg_catalog.pg_init_privs i on i.classoid = m.classid and i.objoid = m.objid
)
select line from facts order by line collate "C";
-- The rows of the extension's configuration tables (what pg_dump keeps):
-- an update must leave the same rows as a fresh install.
select pg_catalog.format(
         'select %L || t::text from %s t order by t::text collate "C"',
         'config row ' || pg_catalog.replace(c.rel::pg_catalog.regclass::text,
           pg_catalog.quote_ident(n.nspname) || '.', '@extschema@.') || ': ',
         c.rel::pg_catalog.regclass)
from pg_catalog.pg_extension e
join pg_catalog.pg_namespace n on n.oid = e.extnamespace,
     unnest(e.extconfig) with ordinality as c(rel, i)
where e.extname = 'npgsqlrest_logout'
order by c.i
\gexec
