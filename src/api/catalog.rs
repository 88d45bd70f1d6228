//! Reads routines from the catalog, read-only through SPI, with the
//! queries kept in `sql/`.

use std::collections::HashMap;

use pgrx::prelude::*;
use pgrx::spi::{SpiHeapTupleData, SpiTupleTable};

use crate::core::endpoint::{Parameter, RoutineInfo};

const ROUTINE_BY_OID: &str = concat!(
    include_str!("../../sql/routine_columns.sql"),
    include_str!("../../sql/routine_source.sql"),
    include_str!("../../sql/routine_by_oid.sql")
);
const ROUTINES_BY_OIDS: &str = concat!(
    include_str!("../../sql/routine_columns.sql"),
    include_str!("../../sql/routine_source.sql"),
    include_str!("../../sql/routines_by_oids.sql")
);
const ROUTINES_LISTED: &str = concat!(
    include_str!("../../sql/routine_columns.sql"),
    include_str!("../../sql/routine_source.sql"),
    include_str!("../../sql/routines_listed.sql")
);
const LISTED_KEYS: &str = concat!(
    include_str!("../../sql/routine_keys.sql"),
    include_str!("../../sql/routine_source.sql"),
    include_str!("../../sql/routines_listed.sql")
);

/// pg_language's OID for `sql` (SQLlanguageId), fixed since forever.
const SQL_LANGUAGE: pg_sys::Oid = pg_sys::Oid::from_u32(14);

/// A routine as the catalog describes it, with its OID.
pub struct CatalogRoutine {
    pub oid: pg_sys::Oid,
    pub info: RoutineInfo,
    /// The input parameters' types, in order.
    pub input_types: Vec<pg_sys::Oid>,
    pub return_type: pg_sys::Oid,
    /// Whether the routine is written in SQL, which the planner can inline.
    pub is_sql: bool,
    /// The input position of a VARIADIC parameter.
    pub variadic: Option<usize>,
    /// OUT-only arguments' names: a `CALL` must pass them (as NULL).
    pub output_names: Vec<Option<String>>,
    /// Functions and procedures only: aggregates, window and trigger
    /// functions are never endpoints.
    pub is_plain: bool,
}

/// One routine, or None when the OID names no routine.
pub fn routine(oid: pg_sys::Oid) -> Option<CatalogRoutine> {
    read(ROUTINE_BY_OID, &[oid.into()]).into_iter().next()
}

/// Every routine `endpoints()` considers.
pub fn listed_routines() -> Vec<CatalogRoutine> {
    read(ROUTINES_LISTED, &[])
}

/// The routines with these OIDs.
pub fn routines(oids: Vec<pg_sys::Oid>) -> Vec<CatalogRoutine> {
    read(ROUTINES_BY_OIDS, &[oids.into()])
}

/// The OID and comment of every routine `endpoints()` considers.
pub fn listed_keys() -> Vec<(pg_sys::Oid, Option<String>)> {
    Spi::connect(|client| {
        client
            .select(LISTED_KEYS, None, &[])?
            .map(|row| {
                Ok((
                    row.get::<pg_sys::Oid>(1)?.unwrap_or(pg_sys::InvalidOid),
                    row.get(2)?,
                ))
            })
            .collect::<Result<Vec<_>, pgrx::spi::Error>>()
    })
    .unwrap_or_else(|error| pgrx::error!("npgsqlrest_logout could not read the catalog: {error}"))
}

fn read(query: &str, args: &[pgrx::datum::DatumWithOid]) -> Vec<CatalogRoutine> {
    let mut lookups = Lookups {
        type_names: TypeNames::default(),
        search_path: search_path(),
    };
    Spi::connect(|client| {
        let table = client.select(query, None, args)?;
        let columns = Columns::of(&table)?;
        table
            .map(|row| from_row(&row, &columns, &mut lookups))
            .collect::<Result<Vec<_>, _>>()
    })
    .unwrap_or_else(|error| pgrx::error!("npgsqlrest_logout could not read the catalog: {error}"))
}

/// Type names as `format_type` spells them, looked up once per type.
#[derive(Default)]
struct TypeNames(HashMap<pg_sys::Oid, String>);

impl TypeNames {
    fn name(&mut self, oid: pg_sys::Oid) -> String {
        self.0
            .entry(oid)
            .or_insert_with(|| {
                // SAFETY: format_type_be returns a palloc'd C string for any OID.
                unsafe {
                    let name = pg_sys::format_type_be(oid);
                    let owned = std::ffi::CStr::from_ptr(name)
                        .to_string_lossy()
                        .into_owned();
                    pg_sys::pfree(name.cast());
                    owned
                }
            })
            .clone()
    }
}

/// What a catalog read looks up once rather than per routine.
struct Lookups {
    type_names: TypeNames,
    search_path: Vec<pg_sys::Oid>,
}

/// The schemas the search path holds now, implicit ones included.
fn search_path() -> Vec<pg_sys::Oid> {
    let mut path = vec![pg_sys::InvalidOid; 16];
    loop {
        // SAFETY: fills at most `path.len()` OIDs and returns how many the
        // path has.
        let len = unsafe { pg_sys::fetch_search_path_array(path.as_mut_ptr(), path.len() as i32) };
        let len = usize::try_from(len).unwrap_or_default();
        if len <= path.len() {
            path.truncate(len);
            return path;
        }
        path.resize(len, pg_sys::InvalidOid);
    }
}

/// The routine as `regprocedure` prints it: schema-qualified unless the
/// search path finds it, then the input types. Built here because the
/// cast in SQL costs more than the rest of the catalog read.
fn signature(
    routine: (pg_sys::Oid, pg_sys::Oid),
    search_path: &[pg_sys::Oid],
    schema: &str,
    name: &str,
    parameters: &[Parameter],
) -> String {
    let (oid, namespace) = routine;
    // A routine outside the path is not visible; one inside it is unless
    // an earlier schema has the same signature (FunctionIsVisible's test).
    // SAFETY: a search-path lookup of an existing routine.
    let visible = search_path.contains(&namespace) && unsafe { pg_sys::FunctionIsVisible(oid) };
    let types: Vec<&str> = parameters.iter().map(|p| p.type_name.as_str()).collect();
    let name = quote_identifier(name);
    if visible {
        format!("{name}({})", types.join(","))
    } else {
        format!("{}.{name}({})", quote_identifier(schema), types.join(","))
    }
}

/// An identifier quoted only where Postgres would quote it.
fn quote_identifier(name: &str) -> String {
    let Ok(c_name) = std::ffi::CString::new(name) else {
        return name.to_string();
    };
    // SAFETY: quote_identifier returns its argument or a palloc'd copy.
    unsafe {
        let quoted = pg_sys::quote_identifier(c_name.as_ptr());
        std::ffi::CStr::from_ptr(quoted)
            .to_string_lossy()
            .into_owned()
    }
}

/// The routine's arguments by mode: `proargnames` covers every argument,
/// `proargmodes` (NULL when all are IN) says which are inputs (IN, INOUT,
/// VARIADIC) and which are OUT only.
struct ArgumentNames {
    inputs: Vec<Option<String>>,
    /// The input position of a VARIADIC parameter.
    variadic: Option<usize>,
    outputs: Vec<Option<String>>,
}

fn argument_names(names: Vec<Option<String>>, modes: Option<Vec<Option<String>>>) -> ArgumentNames {
    let Some(modes) = modes else {
        return ArgumentNames {
            inputs: names,
            variadic: None,
            outputs: Vec::new(),
        };
    };
    let mut found = ArgumentNames {
        inputs: Vec::new(),
        variadic: None,
        outputs: Vec::new(),
    };
    let names = names.into_iter().chain(std::iter::repeat(None));
    for (name, mode) in names.zip(modes) {
        match mode.as_deref() {
            Some("o" | "t") => found.outputs.push(name),
            Some("v") => {
                found.variadic = Some(found.inputs.len());
                found.inputs.push(name);
            }
            _ => found.inputs.push(name),
        }
    }
    found
}

/// The positions of `routine_columns.sql`'s columns, looked up once per
/// query rather than by name for every row.
struct Columns {
    oid: usize,
    namespace: usize,
    schema: usize,
    name: usize,
    kind: usize,
    volatility: usize,
    return_type: usize,
    language: usize,
    returns_set: usize,
    comment: usize,
    default_count: usize,
    input_types: usize,
    arg_names: usize,
    arg_modes: usize,
}

impl Columns {
    fn of(table: &SpiTupleTable) -> Result<Self, pgrx::spi::Error> {
        let at = |name: &str| table.column_ordinal(name);
        Ok(Columns {
            oid: at("oid")?,
            namespace: at("namespace")?,
            schema: at("schema")?,
            name: at("name")?,
            kind: at("kind")?,
            volatility: at("volatility")?,
            return_type: at("return_type")?,
            language: at("language")?,
            returns_set: at("returns_set")?,
            comment: at("comment")?,
            default_count: at("default_count")?,
            input_types: at("input_types")?,
            arg_names: at("arg_names")?,
            arg_modes: at("arg_modes")?,
        })
    }
}

fn from_row(
    row: &SpiHeapTupleData,
    at: &Columns,
    lookups: &mut Lookups,
) -> Result<CatalogRoutine, pgrx::spi::Error> {
    let text = |column: usize| -> Result<String, pgrx::spi::Error> {
        Ok(row.get::<String>(column)?.unwrap_or_default())
    };
    let kind = text(at.kind)?;
    let volatility = match text(at.volatility)?.as_str() {
        "i" => "immutable",
        "s" => "stable",
        _ => "volatile",
    };
    let types: Vec<pg_sys::Oid> = row.get(at.input_types)?.unwrap_or_default();
    let arguments = argument_names(
        row.get(at.arg_names)?.unwrap_or_default(),
        row.get(at.arg_modes)?,
    );
    let names = &arguments.inputs;
    let defaults = row.get::<i32>(at.default_count)?.unwrap_or(0).max(0) as usize;
    let first_default = types.len().saturating_sub(defaults);
    let parameters: Vec<Parameter> = types
        .iter()
        .copied()
        .enumerate()
        .map(|(i, type_oid)| Parameter {
            name: names.get(i).cloned().flatten().filter(|n| !n.is_empty()),
            type_name: lookups.type_names.name(type_oid),
            has_default: i >= first_default,
        })
        .collect();
    let return_type = row.get::<pg_sys::Oid>(at.return_type)?;
    let oid = row.get(at.oid)?.unwrap_or(pg_sys::InvalidOid);
    let namespace = row.get(at.namespace)?.unwrap_or(pg_sys::InvalidOid);
    let schema = text(at.schema)?;
    let name = text(at.name)?;
    Ok(CatalogRoutine {
        oid,
        input_types: types,
        return_type: return_type.unwrap_or(pg_sys::InvalidOid),
        is_sql: row.get::<pg_sys::Oid>(at.language)? == Some(SQL_LANGUAGE),
        variadic: arguments.variadic,
        output_names: arguments.outputs,
        is_plain: (kind == "f" || kind == "p")
            && !matches!(return_type, Some(t) if t == pg_sys::TRIGGEROID || t == super::pg_compat::EVENT_TRIGGER_TYPE),
        info: RoutineInfo {
            signature: signature(
                (oid, namespace),
                &lookups.search_path,
                &schema,
                &name,
                &parameters,
            ),
            schema,
            name,
            is_procedure: kind == "p",
            volatility: volatility.to_string(),
            returns_void: return_type == Some(pg_sys::VOIDOID),
            returns_set: row.get(at.returns_set)?.unwrap_or(false),
            parameters,
            comment: row.get(at.comment)?,
        },
    })
}
