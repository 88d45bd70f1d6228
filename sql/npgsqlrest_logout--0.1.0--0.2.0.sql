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

-- Who is asking (SPEC §11): call_logout and handle_logout take the caller's
-- claims, address and headers. Replaced, not overloaded (SPEC §4): every
-- 0.1.0 call, positional or named, means the same. Their C entry points
-- are new (…_v2_wrapper): the 0.1.0 ones keep their three and four
-- arguments for databases not yet updated. The update fails if a
-- user object (a view, a BEGIN ATOMIC body) depends on the 0.1.0 functions.
DROP FUNCTION @extschema@.call_logout(regprocedure, jsonb, text[]);
CREATE FUNCTION @extschema@.call_logout(
	"routine" regprocedure,
	"args" jsonb DEFAULT '{}',
	"user_roles" TEXT[] DEFAULT NULL,
	"user_claims" jsonb DEFAULT NULL,
	"ip_address" TEXT DEFAULT NULL,
	"headers" jsonb DEFAULT NULL
) RETURNS text[]
VOLATILE PARALLEL UNSAFE
LANGUAGE c
AS 'MODULE_PATHNAME', 'call_logout_v2_wrapper';

DROP FUNCTION @extschema@.handle_logout(text, text, jsonb, text[]);
CREATE FUNCTION @extschema@.handle_logout(
	"method" TEXT,
	"path" TEXT,
	"args" jsonb DEFAULT '{}',
	"user_roles" TEXT[] DEFAULT NULL,
	"user_claims" jsonb DEFAULT NULL,
	"ip_address" TEXT DEFAULT NULL,
	"headers" jsonb DEFAULT NULL
) RETURNS text[]
VOLATILE PARALLEL UNSAFE
LANGUAGE c
AS 'MODULE_PATHNAME', 'handle_logout_v2_wrapper';

-- Validation rules (SPEC §11.5), as 0.2.0's install script makes them.
CREATE FUNCTION @extschema@.npgsqlrest_logout_check_pattern(
	"pattern" TEXT
) RETURNS bool
IMMUTABLE STRICT PARALLEL SAFE
LANGUAGE c
AS 'MODULE_PATHNAME', 'npgsqlrest_logout_check_pattern_wrapper';

CREATE FUNCTION @extschema@.npgsqlrest_logout_rules_changed() RETURNS trigger
    LANGUAGE c AS 'MODULE_PATHNAME', 'npgsqlrest_logout_rules_changed';
CREATE TABLE @extschema@.validation_rules (
    name text PRIMARY KEY,
    type text CONSTRAINT validation_rules_type_check CHECK (
        type IS NOT NULL
        AND pg_catalog.lower(type) OPERATOR(pg_catalog.=) ANY (
            '{not_null,not_empty,required,regex,min_length,max_length}'::pg_catalog.text[])),
    pattern text,
    min_length integer,
    max_length integer,
    message text NOT NULL,
    status_code integer NOT NULL DEFAULT 400,
    CONSTRAINT validation_rules_regex_needs_pattern CHECK (
        pg_catalog.lower(type) OPERATOR(pg_catalog.<>) 'regex' OR pattern IS NOT NULL),
    CONSTRAINT validation_rules_pattern_compiles CHECK (
        pg_catalog.lower(type) OPERATOR(pg_catalog.<>) 'regex'
        OR @extschema@.npgsqlrest_logout_check_pattern(pattern)),
    CONSTRAINT validation_rules_min_length_needs_value CHECK (
        pg_catalog.lower(type) OPERATOR(pg_catalog.<>) 'min_length' OR min_length IS NOT NULL),
    CONSTRAINT validation_rules_max_length_needs_value CHECK (
        pg_catalog.lower(type) OPERATOR(pg_catalog.<>) 'max_length' OR max_length IS NOT NULL)
);
COMMENT ON TABLE @extschema@.validation_rules IS
    'Named rules for validate <param> using <rule> annotations (NpgsqlRest ValidationOptions.Rules).';
INSERT INTO @extschema@.validation_rules (name, type, pattern, message) VALUES
    ('not_null', 'not_null', NULL, 'Parameter ''{0}'' cannot be null'),
    ('not_empty', 'not_empty', NULL, 'Parameter ''{0}'' cannot be empty'),
    ('required', 'required', NULL, 'Parameter ''{0}'' is required'),
    ('email', 'regex', '^[^@\s]+@[^@\s]+\.[^@\s]+$', 'Parameter ''{0}'' must be a valid email address');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.validation_rules',
    $$WHERE name OPERATOR(pg_catalog.<>) ALL ('{not_null,not_empty,required,email}'::pg_catalog.text[])$$);
GRANT SELECT ON @extschema@.validation_rules TO PUBLIC;
CREATE TRIGGER validation_rules_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON @extschema@.validation_rules
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.npgsqlrest_logout_rules_changed();

-- Annotation problems (SPEC §12): the linter.
CREATE FUNCTION @extschema@.annotation_problems() RETURNS TABLE (
	"routine" regprocedure,
	"severity" TEXT,
	"code" TEXT,
	"message" TEXT,
	"line" TEXT,
	"hint" TEXT
)
STRICT STABLE PARALLEL UNSAFE
LANGUAGE c
AS 'MODULE_PATHNAME', 'annotation_problems_wrapper';

CREATE FUNCTION @extschema@.sql_file_problems(
	"content" TEXT,
	"file_name" TEXT DEFAULT NULL
) RETURNS TABLE (
	"routine" regprocedure,
	"severity" TEXT,
	"code" TEXT,
	"message" TEXT,
	"line" TEXT,
	"hint" TEXT,
	"line_number" INT
)
STABLE PARALLEL SAFE
LANGUAGE c
AS 'MODULE_PATHNAME', 'sql_file_problems_wrapper';

-- What the endpoints() rows shared between backends take
-- (shared_endpoints_memory).
CREATE FUNCTION @extschema@.shared_endpoints_usage() RETURNS TABLE (
	"entries" bigint,
	"used_bytes" bigint,
	"size_bytes" bigint,
	"clears" bigint
)
STRICT VOLATILE PARALLEL SAFE
LANGUAGE c
AS 'MODULE_PATHNAME', 'shared_endpoints_usage_wrapper';

-- The comment trigger fires also under session_replication_role = replica,
-- so a comment changed there reaches every backend's cache.
ALTER EVENT TRIGGER npgsqlrest_logout_comment_changed ENABLE ALWAYS;

-- endpoints() and routine_endpoint() read the catalog under the latest
-- snapshot, which PostgreSQL refuses in parallel mode: 0.1.0 marked them
-- PARALLEL SAFE, so a parallel plan calling them failed.
ALTER FUNCTION @extschema@.endpoints() PARALLEL UNSAFE;
ALTER FUNCTION @extschema@.routine_endpoint(regprocedure) PARALLEL UNSAFE;
