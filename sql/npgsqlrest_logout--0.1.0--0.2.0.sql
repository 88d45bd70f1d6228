-- npgsqlrest_logout 0.1.0 -> 0.2.0, run by
--   ALTER EXTENSION npgsqlrest_logout UPDATE [TO '0.2.0'];
--
-- The rule for every release after 0.1.0:
--   * sql/npgsqlrest_logout--<released>.sql stays exactly as released
--     (`cargo pgrx schema` of that release's commit); never edit it.
--   * Each new version <new> adds sql/npgsqlrest_logout--<previous>--<new>.sql
--     that takes a database from <previous> to exactly what a fresh
--     CREATE EXTENSION of <new> makes: every function, default, volatility,
--     view, table, event trigger, comment and pg_extension.extconfig entry.
--     Objects are written schema-qualified with @extschema@ (the script runs
--     with search_path set to the extension's schema and pg_catalog).
--   * bash scripts/upgrade_test.sh (part of scripts/test.sh) installs 0.1.0,
--     updates it, and fails on any difference from a fresh install: keep it
--     green. Add the new version's released install script to sql/ when it
--     is released, and bump Cargo.toml and META.json together.
--   * A function whose signature changes is dropped and created again (or
--     replaced when only its body or C symbol changes); a 0.1.0 call must
--     keep meaning the same (SPEC §4).
--   * Until a database runs this script, its 0.1.0 definitions call the new
--     library: the C entry points they name must keep working with their
--     old argument lists (scripts/upgrade_test.sh checks it).

\echo Use "ALTER EXTENSION npgsqlrest_logout UPDATE TO '0.2.0'" to load this file. \quit

-- No changes to the SQL surface yet: 0.2.0's objects are 0.1.0's.
