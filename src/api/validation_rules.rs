//! `validation_rules`: the named rules `validate <param> using <rule>`
//! lines refer to (SPEC §11.5). The table is an extension configuration
//! table: `pg_dump` keeps the rows users add. Patterns are checked when a
//! row is written and compiled once per backend; a statement that changes
//! the table invalidates every backend's compiled rules.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use pgrx::prelude::*;
use pgrx::PgSqlErrorCode;

use super::errors::{raise, shorten};
use super::server_text::ServerStr;
use crate::core::request::validation::{compile, Rule, RuleKind};

/// Raises 2201B naming the pattern when it does not compile; the
/// table's check constraint calls it for `regex` rules.
#[pg_extern(immutable, parallel_safe)]
fn npgsqlrest_logout_check_pattern(pattern: ServerStr) -> bool {
    let pattern = pattern.as_str();
    if let Err(reason) = compile(pattern) {
        raise(
            PgSqlErrorCode::ERRCODE_INVALID_REGULAR_EXPRESSION,
            format!(
                "validation rule pattern \"{}\" does not compile",
                shorten(pattern)
            ),
            Some(reason),
            Some(
                "Patterns use the syntax of Rust's regex crate (no look-around or backreferences).",
            ),
        );
    }
    true
}

extension_sql!(
    r#"
CREATE FUNCTION npgsqlrest_logout_rules_changed() RETURNS trigger
    LANGUAGE c AS 'MODULE_PATHNAME', 'npgsqlrest_logout_rules_changed';
CREATE TABLE validation_rules (
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
COMMENT ON TABLE validation_rules IS
    'Named rules for validate <param> using <rule> annotations (NpgsqlRest ValidationOptions.Rules).';
INSERT INTO validation_rules (name, type, pattern, message) VALUES
    ('not_null', 'not_null', NULL, 'Parameter ''{0}'' cannot be null'),
    ('not_empty', 'not_empty', NULL, 'Parameter ''{0}'' cannot be empty'),
    ('required', 'required', NULL, 'Parameter ''{0}'' is required'),
    ('email', 'regex', '^[^@\s]+@[^@\s]+\.[^@\s]+$', 'Parameter ''{0}'' must be a valid email address');
SELECT pg_catalog.pg_extension_config_dump('validation_rules',
    $$WHERE name OPERATOR(pg_catalog.<>) ALL ('{not_null,not_empty,required,email}'::pg_catalog.text[])$$);
GRANT SELECT ON validation_rules TO PUBLIC;
CREATE TRIGGER validation_rules_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON validation_rules
    FOR EACH STATEMENT EXECUTE FUNCTION npgsqlrest_logout_rules_changed();
"#,
    name = "validation_rules",
    requires = [npgsqlrest_logout_check_pattern],
);

#[no_mangle]
#[doc(hidden)]
pub extern "C" fn pg_finfo_npgsqlrest_logout_rules_changed() -> &'static pg_sys::Pg_finfo_record {
    const V1: pg_sys::Pg_finfo_record = pg_sys::Pg_finfo_record { api_version: 1 };
    &V1
}

/// The statement trigger on `validation_rules`: tells every backend the
/// rules changed, through an invalidation of the table's relcache entry
/// (sent at commit, applied locally at the next command).
#[no_mangle]
#[pg_guard]
pub unsafe extern "C-unwind" fn npgsqlrest_logout_rules_changed(
    fcinfo: pg_sys::FunctionCallInfo,
) -> pg_sys::Datum {
    // SAFETY: fcinfo is this call's; context is NULL or a node.
    let context = unsafe { (*fcinfo).context };
    if context.is_null() || unsafe { (*context).type_ } != pg_sys::NodeTag::T_TriggerData {
        raise(
            PgSqlErrorCode::ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED,
            "npgsqlrest_logout_rules_changed() is a trigger function".into(),
            None,
            None,
        );
    }
    // SAFETY: a trigger call's context is its TriggerData.
    unsafe {
        let data = context.cast::<pg_sys::TriggerData>();
        pg_sys::CacheInvalidateRelcacheByRelid((*(*data).tg_relation).rd_id);
    }
    pg_sys::Datum::from(0)
}

/// The compiled rules, by name, and the table they were read from.
struct Rules {
    table: pg_sys::Oid,
    by_name: HashMap<String, Rc<Rule>>,
}

thread_local! {
    static RULES: RefCell<Option<Rc<Rules>>> = const { RefCell::new(None) };
    static RULES_TABLE: Cell<pg_sys::Oid> = const { Cell::new(pg_sys::InvalidOid) };
}

/// Registers the invalidation callback; called once from `_PG_init`.
pub fn register() {
    // SAFETY: the callback only drops the cache; Postgres keeps the
    // pointer for the life of the backend.
    unsafe {
        pg_sys::CacheRegisterRelcacheCallback(Some(on_relcache_change), pg_sys::Datum::from(0))
    };
}

#[pg_guard]
unsafe extern "C-unwind" fn on_relcache_change(_arg: pg_sys::Datum, relid: pg_sys::Oid) {
    let table = RULES_TABLE.with(Cell::get);
    if relid == pg_sys::InvalidOid || relid == table {
        RULES.with(|r| r.borrow_mut().take());
    }
}

/// The rules, read and compiled when the backend holds none that are
/// current. Rules read under a transaction snapshot (REPEATABLE READ or
/// SERIALIZABLE) serve that call only: a later change would not be seen.
fn rules() -> Rc<Rules> {
    if let Some(rules) = RULES.with(|r| r.borrow().clone()) {
        return rules;
    }
    let rules = Rc::new(read_rules());
    // SAFETY: reads the transaction's isolation level.
    let snapshot_isolation = unsafe { pg_sys::XactIsoLevel } >= pg_sys::XACT_REPEATABLE_READ as i32;
    if !snapshot_isolation {
        RULES_TABLE.with(|t| t.set(rules.table));
        RULES.with(|r| *r.borrow_mut() = Some(Rc::clone(&rules)));
    }
    rules
}

const RULES_SQL: &str = "
select c.oid as table_oid, pg_catalog.quote_ident(n.nspname) as schema
  from pg_catalog.pg_extension e
  join pg_catalog.pg_namespace n on n.oid OPERATOR(pg_catalog.=) e.extnamespace
  join pg_catalog.pg_class c on c.relnamespace OPERATOR(pg_catalog.=) n.oid
 where e.extname OPERATOR(pg_catalog.=) 'npgsqlrest_logout'
   and c.relname OPERATOR(pg_catalog.=) 'validation_rules'";

fn read_rules() -> Rules {
    let found = Spi::connect(|client| {
        let table = client.select(RULES_SQL, Some(1), &[])?;
        let mut located = None;
        for row in table {
            let oid = row.get_by_name::<pg_sys::Oid, _>("table_oid")?;
            let schema = row.get_by_name::<String, _>("schema")?;
            located = oid.zip(schema);
        }
        let Some((oid, schema)) = located else {
            return Ok::<_, pgrx::spi::Error>(None);
        };
        let sql = format!(
            "select name, type, pattern, min_length, max_length, message, status_code from {schema}.validation_rules"
        );
        let mut rules = HashMap::new();
        for row in client.select(sql.as_str(), None, &[])? {
            let name: Option<String> = row.get(1)?;
            let kind: Option<String> = row.get(2)?;
            let (Some(name), Some(kind)) = (name, kind.as_deref().and_then(RuleKind::parse)) else {
                continue;
            };
            let pattern: Option<String> = row.get(3)?;
            let rule = Rule {
                kind,
                pattern: pattern.as_deref().and_then(|p| compile(p).ok()),
                min_length: row.get(4)?,
                max_length: row.get(5)?,
                message: row.get::<String>(6)?.unwrap_or_default(),
                status_code: row.get::<i32>(7)?.unwrap_or(400),
                name: name.clone(),
            };
            rules.insert(name, Rc::new(rule));
        }
        Ok(Some((oid, rules)))
    });
    match found {
        Ok(Some((table, by_name))) => Rules { table, by_name },
        Ok(None) => Rules {
            table: pg_sys::InvalidOid,
            by_name: HashMap::new(),
        },
        Err(error) => raise(
            PgSqlErrorCode::ERRCODE_INTERNAL_ERROR,
            format!("cannot read validation_rules: {error}"),
            None,
            None,
        ),
    }
}

/// The rule of each name (exactly, else case-insensitively); 22023
/// naming the first unknown one.
pub fn rules_named<'n>(names: impl Iterator<Item = &'n str>) -> Vec<Rc<Rule>> {
    let rules = rules();
    names
        .map(|name| {
            let found = rules.by_name.get(name).or_else(|| {
                rules
                    .by_name
                    .iter()
                    .find(|(n, _)| n.eq_ignore_ascii_case(name))
                    .map(|(_, r)| r)
            });
            match found {
                Some(rule) => Rc::clone(rule),
                None => {
                    let mut known: Vec<&str> = rules.by_name.keys().map(String::as_str).collect();
                    known.sort_unstable();
                    let known = shorten(&known.join(", "));
                    raise(
                        PgSqlErrorCode::ERRCODE_INVALID_PARAMETER_VALUE,
                        format!("validation rule \"{name}\" does not exist"),
                        Some(format!("The rules in validation_rules: {known}.")),
                        Some("Add the rule to validation_rules, or correct the validate line."),
                    )
                }
            }
        })
        .collect()
}

/// Whether `validation_rules` has a rule of that name (exactly, else
/// case-insensitively), as a `validate` line would find it.
pub fn rule_exists(name: &str) -> bool {
    let rules = rules();
    rules.by_name.contains_key(name) || rules.by_name.keys().any(|n| n.eq_ignore_ascii_case(name))
}
