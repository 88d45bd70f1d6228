//! Reads routines from the catalog, read-only through SPI, with the
//! queries kept in `sql/`.

use std::collections::HashMap;

use pgrx::prelude::*;
use pgrx::PgSqlErrorCode;

use super::errors::raise;
use super::server_text;
use super::text_array::TextElements;
use super::varlena;

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

/// pg_description's OID (DescriptionRelationId), fixed since forever.
pub const DESCRIPTION_RELATION: pg_sys::Oid = pg_sys::Oid::from_u32(2609);

/// pg_language's OID for `sql` (SQLlanguageId), fixed since forever.
const SQL_LANGUAGE: pg_sys::Oid = pg_sys::Oid::from_u32(14);

/// A routine as the catalog describes it, with its OID.
#[derive(Debug, PartialEq)]
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
    /// Every argument in declaration order: a `CALL` must pass the OUT-only
    /// ones too (as NULL), by position when they have no name.
    pub arguments: Vec<ArgumentSlot>,
    /// Functions and procedures only: aggregates, window and trigger
    /// functions are never endpoints.
    pub is_plain: bool,
    /// Whether the routine's schema is in the search path: only then can
    /// another routine's change make its signature print differently
    /// (qualified when an earlier schema has the same signature).
    pub in_search_path: bool,
}

/// One routine, or None when the OID names no routine.
pub fn routine(oid: pg_sys::Oid) -> Option<CatalogRoutine> {
    read(
        ROUTINE_BY_OID,
        Some((pg_sys::OIDOID, pg_sys::Datum::from(oid))),
    )
    .into_iter()
    .next()
}

/// Every routine `endpoints()` considers.
pub fn listed_routines() -> Vec<CatalogRoutine> {
    read(ROUTINES_LISTED, None)
}

/// Every routine `endpoints()` considers (the filters of
/// `sql/routines_listed.sql`), read from pg_proc and pg_description
/// directly rather than through a query: what `listed_routines` returns,
/// in pg_proc's order. A backend's first `endpoints()` reads them this
/// way; turning the query's rows into routines cost as much as the
/// reading.
pub fn listed_routines_read() -> Vec<CatalogRoutine> {
    let mut comments: HashMap<pg_sys::Oid, String> = comments_where(|_| true).into_iter().collect();
    let members = extension_members();
    let mut lookups = Lookups::new();
    let mut schemas = ListedSchemas::default();
    let mut rows: Vec<ProcRow> = Vec::new();
    scan_catalog(pg_sys::ProcedureRelationId, None, &[], |tuple, desc| {
        // SAFETY: a pg_proc tuple of the scan, read here.
        unsafe {
            let oid = (*pg_sys::heap_tuple_get_struct::<pg_sys::FormData_pg_proc>(tuple)).oid;
            if members.contains(&oid) {
                return;
            }
            let comment = comments.remove(&oid);
            rows.extend(ProcRow::of_tuple(tuple, desc, comment, &mut schemas));
        }
    });
    rows.into_iter()
        .filter_map(|row| from_row(row, &mut lookups))
        .collect()
}

/// The routines with these OIDs.
pub fn routines(oids: Vec<pg_sys::Oid>) -> Vec<CatalogRoutine> {
    let array = oids.into_datum().unwrap_or(pg_sys::Datum::from(0));
    read(ROUTINES_BY_OIDS, Some((pg_sys::OIDARRAYOID, array)))
}

/// Of these routines, given with their comments, the ones `endpoints()`
/// considers (the filters of `sql/routines_listed.sql`), read from pg_proc
/// directly rather than through a query.
///
/// A new backend's first logout call reads its few candidate routines
/// this way: a query would cost more to parse and plan, in a backend whose
/// caches are cold, than reading them; and the comments came with the
/// scan that found them.
pub fn listed_routines_with(comments: Vec<(pg_sys::Oid, Option<String>)>) -> Vec<CatalogRoutine> {
    let members = extension_members();
    let mut lookups = Lookups::new();
    let mut schemas = ListedSchemas::default();
    // Read by pg_proc's OID index, not the syscache: the syscache would
    // keep every candidate's tuple for the backend's life, most of them
    // routines whose annotation is not a logout after all.
    let rows: Vec<ProcRow> = with_catalog(pg_sys::ProcedureRelationId, |pg_proc| {
        comments
            .into_iter()
            .filter(|(oid, _)| !members.contains(oid))
            .filter_map(|(oid, mut comment)| {
                let by_oid = (PROC_OID, pg_sys::F_OIDEQ, pg_sys::Datum::from(oid));
                let mut row = None;
                pg_proc.scan(Some(PROC_OID_INDEX), &[by_oid], |tuple, desc| {
                    // SAFETY: a pg_proc tuple of the scan, read here.
                    row = unsafe { ProcRow::of_tuple(tuple, desc, comment.take(), &mut schemas) };
                });
                row
            })
            .collect()
    });
    rows.into_iter()
        .filter_map(|row| from_row(row, &mut lookups))
        .collect()
}

/// pg_proc's OID column and its index (ProcedureOidIndexId).
const PROC_OID: pg_sys::AttrNumber = 1;
const PROC_OID_INDEX: pg_sys::Oid = pg_sys::Oid::from_u32(2690);

/// pg_depend and the index on what its rows depend on
/// (DependRelationId, DependReferenceIndexId), and pg_description's index
/// (DescriptionObjIndexId): fixed OIDs, as pg_description's own.
const DEPEND_RELATION: pg_sys::Oid = pg_sys::Oid::from_u32(2608);
const DEPEND_REFERENCE_INDEX: pg_sys::Oid = pg_sys::Oid::from_u32(2674);
const DESCRIPTION_OBJECT_INDEX: pg_sys::Oid = pg_sys::Oid::from_u32(2675);

/// One equality condition of a catalog scan: the column, its equality
/// function and the value.
type ScanKey = (pg_sys::AttrNumber, u32, pg_sys::Datum);

/// A catalog opened for reading under the latest snapshot (after
/// accepting invalidations), for one or more scans.
struct OpenCatalog {
    relation: pg_sys::Relation,
    snapshot: pg_sys::Snapshot,
}

/// Opens `relation` as [`OpenCatalog`] says, runs `read` and closes it.
fn with_catalog<R>(relation: pg_sys::Oid, read: impl FnOnce(&OpenCatalog) -> R) -> R {
    // SAFETY: the relation is opened and locked and the snapshot
    // registered here, and both are released after `read` (at an error,
    // the transaction's abort releases them).
    unsafe {
        pg_sys::AcceptInvalidationMessages();
        let snapshot = pg_sys::RegisterSnapshot(pg_sys::GetLatestSnapshot());
        let relation = pg_sys::table_open(relation, pg_sys::AccessShareLock as pg_sys::LOCKMODE);
        let result = read(&OpenCatalog { relation, snapshot });
        pg_sys::table_close(relation, pg_sys::AccessShareLock as pg_sys::LOCKMODE);
        pg_sys::UnregisterSnapshot(snapshot);
        result
    }
}

impl OpenCatalog {
    /// Calls `each` with every tuple that meets `keys` (through `index`
    /// when given) and the relation's descriptor; `each` reads a tuple
    /// before the next is fetched.
    fn scan(
        &self,
        index: Option<pg_sys::Oid>,
        keys: &[ScanKey],
        mut each: impl FnMut(pg_sys::HeapTuple, pg_sys::TupleDesc),
    ) {
        // SAFETY: the relation is open and the snapshot registered for as
        // long as `self`; the scan is begun and ended here.
        unsafe {
            let desc = (*self.relation).rd_att;
            let mut scan_keys: Vec<pg_sys::ScanKeyData> = keys
                .iter()
                .map(|&(column, function, value)| {
                    let mut key: pg_sys::ScanKeyData = std::mem::zeroed();
                    pg_sys::ScanKeyInit(
                        &mut key,
                        column,
                        pg_sys::BTEqualStrategyNumber as pg_sys::StrategyNumber,
                        pg_sys::Oid::from(function),
                        value,
                    );
                    key
                })
                .collect();
            let scan = pg_sys::systable_beginscan(
                self.relation,
                index.unwrap_or(pg_sys::InvalidOid),
                index.is_some(),
                self.snapshot,
                scan_keys.len() as i32,
                scan_keys.as_mut_ptr(),
            );
            let mut seen = 0u32;
            loop {
                let tuple = pg_sys::systable_getnext(scan);
                if tuple.is_null() {
                    break;
                }
                seen = seen.wrapping_add(1);
                if seen.is_multiple_of(4096) {
                    pgrx::check_for_interrupts!();
                }
                each(tuple, desc);
            }
            pg_sys::systable_endscan(scan);
        }
    }
}

/// One scan of a catalog, as [`OpenCatalog::scan`] with its own opening.
fn scan_catalog(
    relation: pg_sys::Oid,
    index: Option<pg_sys::Oid>,
    keys: &[ScanKey],
    each: impl FnMut(pg_sys::HeapTuple, pg_sys::TupleDesc),
) {
    with_catalog(relation, |catalog| catalog.scan(index, keys, each));
}

// pg_description's columns: objoid, classoid, objsubid, description.
const DESCRIPTION_OBJOID: i32 = 1;
const DESCRIPTION_CLASSOID: pg_sys::AttrNumber = 2;
const DESCRIPTION_OBJSUBID: i32 = 3;
const DESCRIPTION_TEXT: i32 = 4;

/// The routines whose comment passes `keep` (given the comment's bytes in
/// the server encoding), with their comments.
///
/// This reads pg_description directly rather than through a query: it is
/// the first thing a new backend's first logout call does, and a scan
/// that looks at each comment's bytes in place, keeping the few that
/// mention a logout alias, costs about what the executor spends just
/// reading the rows. It reads the catalog as it is now, under the latest
/// snapshot, as [`query`] does.
pub fn comments_where(keep: impl Fn(&[u8]) -> bool) -> Vec<(pg_sys::Oid, String)> {
    let mut found = Vec::new();
    let routines = (
        DESCRIPTION_CLASSOID,
        pg_sys::F_OIDEQ,
        pg_sys::Datum::from(pg_sys::ProcedureRelationId),
    );
    scan_catalog(DESCRIPTION_RELATION, None, &[routines], |tuple, desc| {
        // SAFETY: a pg_description tuple of the scan, read before the next.
        unsafe {
            let mut is_null = false;
            let subid = pg_sys::heap_getattr(tuple, DESCRIPTION_OBJSUBID, desc, &mut is_null);
            if is_null || subid.value() as i32 != 0 {
                return;
            }
            let text = pg_sys::heap_getattr(tuple, DESCRIPTION_TEXT, desc, &mut is_null);
            if is_null {
                return;
            }
            let kept = varlena::with_content(text, |bytes| {
                keep(bytes).then(|| server_text::to_rust(bytes).into_owned())
            });
            if let Some(comment) = kept {
                let oid = pg_sys::heap_getattr(tuple, DESCRIPTION_OBJOID, desc, &mut is_null);
                found.push((pg_sys::Oid::from(oid.value() as u32), comment));
            }
        }
    });
    found
}

/// Each routine's comment as the catalog has it now (None for none), read
/// by pg_description's index under one snapshot.
pub fn comments_of(routines: &[pg_sys::Oid]) -> HashMap<pg_sys::Oid, String> {
    let mut comments = HashMap::new();
    with_catalog(DESCRIPTION_RELATION, |pg_description| {
        for &routine in routines {
            let keys = [
                (
                    DESCRIPTION_OBJOID as pg_sys::AttrNumber,
                    pg_sys::F_OIDEQ,
                    pg_sys::Datum::from(routine),
                ),
                (
                    DESCRIPTION_CLASSOID,
                    pg_sys::F_OIDEQ,
                    pg_sys::Datum::from(pg_sys::ProcedureRelationId),
                ),
                (
                    DESCRIPTION_OBJSUBID as pg_sys::AttrNumber,
                    pg_sys::F_INT4EQ,
                    pg_sys::Datum::from(0i32),
                ),
            ];
            pg_description.scan(Some(DESCRIPTION_OBJECT_INDEX), &keys, |tuple, desc| {
                let mut is_null = false;
                // SAFETY: a pg_description tuple of the scan, read before
                // the next.
                unsafe {
                    let text = pg_sys::heap_getattr(tuple, DESCRIPTION_TEXT, desc, &mut is_null);
                    if !is_null {
                        let comment = varlena::with_content(text, |bytes| {
                            server_text::to_rust(bytes).into_owned()
                        });
                        comments.insert(routine, comment);
                    }
                }
            });
        }
    });
    comments
}

/// The routines that belong to this extension (its own functions, never
/// endpoints): one scan of what depends on the extension.
fn extension_members() -> std::collections::HashSet<pg_sys::Oid> {
    // pg_depend's columns: classid, objid, objsubid, refclassid, refobjid,
    // refobjsubid, deptype.
    const CLASSID: i32 = 1;
    const OBJID: i32 = 2;
    const REFCLASSID: pg_sys::AttrNumber = 4;
    const REFOBJID: pg_sys::AttrNumber = 5;
    const DEPTYPE: i32 = 7;
    let mut members = std::collections::HashSet::new();
    // SAFETY: a lookup by name that returns InvalidOid when missing.
    let extension = unsafe { pg_sys::get_extension_oid(c"npgsqlrest_logout".as_ptr(), true) };
    if extension == pg_sys::InvalidOid {
        return members;
    }
    let keys = [
        (
            REFCLASSID,
            pg_sys::F_OIDEQ,
            pg_sys::Datum::from(pg_sys::ExtensionRelationId),
        ),
        (REFOBJID, pg_sys::F_OIDEQ, pg_sys::Datum::from(extension)),
    ];
    scan_catalog(
        DEPEND_RELATION,
        Some(DEPEND_REFERENCE_INDEX),
        &keys,
        |tuple, desc| {
            let mut is_null = false;
            // SAFETY: a pg_depend tuple of the scan, read before the next.
            unsafe {
                let class = pg_sys::heap_getattr(tuple, CLASSID, desc, &mut is_null);
                let kind = pg_sys::heap_getattr(tuple, DEPTYPE, desc, &mut is_null);
                if pg_sys::Oid::from(class.value() as u32) == pg_sys::ProcedureRelationId
                    && kind.value() as u8 == pg_sys::DependencyType::DEPENDENCY_EXTENSION as u8
                {
                    let object = pg_sys::heap_getattr(tuple, OBJID, desc, &mut is_null);
                    members.insert(pg_sys::Oid::from(object.value() as u32));
                }
            }
        },
    );
    members
}

/// The OID of every routine `endpoints()` considers, with what `key`
/// makes of its comment (in UTF-8; None when it has none).
pub fn listed_keys(key: impl Fn(Option<&[u8]>) -> u64) -> Vec<(pg_sys::Oid, u64)> {
    let mut keys = Vec::new();
    query(LISTED_KEYS, None, |row| {
        let oid = row.oid(1).unwrap_or(pg_sys::InvalidOid);
        // SAFETY: a text datum of the row.
        let comment = row.datum(2).map(|d| unsafe {
            varlena::with_content(d, |bytes| key(Some(server_text::to_rust(bytes).as_bytes())))
        });
        keys.push((oid, comment.unwrap_or_else(|| key(None))));
    });
    keys
}

fn read(sql: &str, arg: Option<(pg_sys::Oid, pg_sys::Datum)>) -> Vec<CatalogRoutine> {
    let mut lookups = Lookups::new();
    let mut routines = Vec::new();
    let mut columns = None;
    query(sql, arg, |row| {
        let at = columns.get_or_insert_with(|| Columns::of(row));
        routines.extend(from_row(ProcRow::of_query(row, at), &mut lookups));
    });
    routines
}

/// Runs a catalog query and calls `each` with every row.
///
/// The query reads the catalog as it is now, under a snapshot taken for
/// it, never under the transaction's snapshot: in a REPEATABLE READ or
/// SERIALIZABLE transaction that snapshot can be older than the
/// invalidations the cache has already seen, and what is built from it
/// would be kept as current after the transaction (stale authorization).
/// It runs read-only, so SPI takes no snapshot of its own.
fn query(sql: &str, arg: Option<(pg_sys::Oid, pg_sys::Datum)>, mut each: impl FnMut(&Row)) {
    let Ok(sql) = std::ffi::CString::new(sql) else {
        return;
    };
    let (mut types, mut values, nulls) = match arg {
        Some((type_oid, value)) => (vec![type_oid], vec![value], vec![b' ' as std::ffi::c_char]),
        None => (Vec::new(), Vec::new(), Vec::new()),
    };
    // SAFETY: SPI is connected around the query and its rows are read
    // before SPI_finish frees them; the snapshot pushed is popped after
    // the query (or at abort, with SPI's state).
    unsafe {
        // Invalidations first, so the lookups by OID made for each row
        // (types, visibility) read a catalog at least as new as the rows.
        pg_sys::AcceptInvalidationMessages();
        pg_sys::SPI_connect();
        pg_sys::PushActiveSnapshot(pg_sys::GetLatestSnapshot());
        let status = pg_sys::SPI_execute_with_args(
            sql.as_ptr(),
            types.len() as i32,
            types.as_mut_ptr(),
            values.as_mut_ptr(),
            nulls.as_ptr(),
            true,
            0,
        );
        pg_sys::PopActiveSnapshot();
        let table = pg_sys::SPI_tuptable;
        if status != pg_sys::SPI_OK_SELECT as i32 || table.is_null() {
            pg_sys::SPI_finish();
            raise(
                PgSqlErrorCode::ERRCODE_INTERNAL_ERROR,
                format!("npgsqlrest_logout could not read the catalog (SPI result {status})"),
                None,
                None,
            );
        }
        let desc = (*table).tupdesc;
        let count = usize::try_from(pg_sys::SPI_processed).unwrap_or(0);
        for &tuple in std::slice::from_raw_parts((*table).vals, count) {
            each(&Row { tuple, desc });
        }
        pg_sys::SPI_finish();
    }
}

/// One row of a catalog query, its columns read by position (1-based).
struct Row {
    tuple: pg_sys::HeapTuple,
    desc: pg_sys::TupleDesc,
}

impl Row {
    fn datum(&self, column: usize) -> Option<pg_sys::Datum> {
        let mut is_null = false;
        // SAFETY: the row and its descriptor are SPI's, live while read.
        let datum =
            unsafe { pg_sys::SPI_getbinval(self.tuple, self.desc, column as i32, &mut is_null) };
        (!is_null).then_some(datum)
    }

    fn oid(&self, column: usize) -> Option<pg_sys::Oid> {
        self.datum(column)
            .map(|d| pg_sys::Oid::from(d.value() as u32))
    }

    fn int(&self, column: usize) -> Option<i32> {
        self.datum(column).map(|d| d.value() as i32)
    }

    fn bool(&self, column: usize) -> Option<bool> {
        self.datum(column).map(|d| d.value() != 0)
    }

    /// A text column, from the server encoding.
    fn text(&self, column: usize) -> Option<String> {
        // SAFETY: a text datum of the row.
        self.datum(column)
            .map(|d| server_text::to_rust(unsafe { varlena::content(d) }).into_owned())
    }

    /// A text[] column's elements, from the server encoding.
    fn texts(&self, column: usize) -> Option<Vec<String>> {
        // SAFETY: a text[] datum of the row.
        self.datum(column).map(|d| unsafe {
            TextElements::of(d)
                .map(|(_, bytes)| server_text::to_rust(bytes.unwrap_or_default()).into_owned())
                .collect()
        })
    }

    fn oids(&self, column: usize) -> Vec<pg_sys::Oid> {
        // SAFETY: an oid[] datum of the row.
        self.datum(column)
            .and_then(|d| unsafe { Vec::<pg_sys::Oid>::from_datum(d, false) })
            .unwrap_or_default()
    }
}

/// Whether a catalog row still exists now: rows come from the query's
/// snapshot, while lookups by OID read the latest catalog, where a routine
/// or type dropped meanwhile is gone.
fn exists(cache: pg_sys::SysCacheIdentifier::Type, oid: pg_sys::Oid) -> bool {
    // SAFETY: a syscache probe by OID.
    unsafe {
        pg_sys::SearchSysCacheExists(
            cache as i32,
            pg_sys::Datum::from(oid),
            pg_sys::Datum::from(0),
            pg_sys::Datum::from(0),
            pg_sys::Datum::from(0),
        )
    }
}

/// Type names as `format_type` spells them, looked up once per type.
#[derive(Default)]
struct TypeNames(HashMap<pg_sys::Oid, String>);

impl TypeNames {
    fn name(&mut self, oid: pg_sys::Oid) -> String {
        self.0
            .entry(oid)
            .or_insert_with(|| {
                // SAFETY: format_type_extended returns a palloc'd C string
                // for any OID: "???" for one that names no type (dropped
                // since the routine was read), never an error.
                unsafe {
                    let name = pg_sys::format_type_extended(
                        oid,
                        -1,
                        pg_sys::FORMAT_TYPE_ALLOW_INVALID as pg_sys::bits16,
                    );
                    let owned = server_text::c_to_rust(name);
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
    /// Whether each type seen still exists.
    types: HashMap<pg_sys::Oid, bool>,
}

impl Lookups {
    fn new() -> Lookups {
        Lookups {
            type_names: TypeNames::default(),
            search_path: search_path(),
            types: HashMap::new(),
        }
    }

    fn type_exists(&mut self, oid: pg_sys::Oid) -> bool {
        *self
            .types
            .entry(oid)
            .or_insert_with(|| exists(pg_sys::SysCacheIdentifier::TYPEOID, oid))
    }
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
    // SAFETY: a search-path lookup of a routine found to exist just now
    // (from_row checks it for routines in the path).
    let visible = search_path.contains(&namespace) && unsafe { pg_sys::FunctionIsVisible(oid) };
    let types: Vec<&str> = parameters.iter().map(|p| p.type_name.as_str()).collect();
    let name = quote_identifier(name);
    if visible {
        format!("{name}({})", types.join(","))
    } else {
        format!("{}.{name}({})", quote_identifier(schema), types.join(","))
    }
}

/// An identifier quoted only where Postgres would quote it. It quotes any
/// name with a byte outside `[a-z0-9_]` and copies the bytes as they are,
/// so UTF-8 goes in and comes out unchanged in any server encoding.
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

/// One argument of a routine, in declaration order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArgumentSlot {
    /// An input (IN, INOUT, VARIADIC): its position among the inputs.
    Input(usize),
    /// An OUT-only argument, with its name if it has one.
    Output(Option<String>),
}

/// The routine's arguments by mode: `proargnames` covers every argument,
/// `proargmodes` (NULL when all are IN) says which are inputs (IN, INOUT,
/// VARIADIC) and which are OUT only.
struct ArgumentNames {
    inputs: Vec<Option<String>>,
    /// The input position of a VARIADIC parameter.
    variadic: Option<usize>,
    order: Vec<ArgumentSlot>,
}

fn argument_names(names: Vec<Option<String>>, modes: Option<Vec<Option<String>>>) -> ArgumentNames {
    // An unnamed argument among named ones has the empty name.
    let names: Vec<Option<String>> = names
        .into_iter()
        .map(|n| n.filter(|n| !n.is_empty()))
        .collect();
    let Some(modes) = modes else {
        return ArgumentNames {
            order: (0..names.len()).map(ArgumentSlot::Input).collect(),
            inputs: names,
            variadic: None,
        };
    };
    let mut found = ArgumentNames {
        inputs: Vec::new(),
        variadic: None,
        order: Vec::new(),
    };
    let names = names.into_iter().chain(std::iter::repeat(None));
    for (name, mode) in names.zip(modes) {
        match mode.as_deref() {
            Some("o" | "t") => found.order.push(ArgumentSlot::Output(name)),
            other => {
                if other == Some("v") {
                    found.variadic = Some(found.inputs.len());
                }
                found.order.push(ArgumentSlot::Input(found.inputs.len()));
                found.inputs.push(name);
            }
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
    fn of(row: &Row) -> Self {
        let at = |name: &str| {
            let name = std::ffi::CString::new(name).unwrap_or_default();
            // SAFETY: looks a column name up in the row's descriptor.
            let number = unsafe { pg_sys::SPI_fnumber(row.desc, name.as_ptr()) };
            usize::try_from(number).unwrap_or(0)
        };
        Columns {
            oid: at("oid"),
            namespace: at("namespace"),
            schema: at("schema"),
            name: at("name"),
            kind: at("kind"),
            volatility: at("volatility"),
            return_type: at("return_type"),
            language: at("language"),
            returns_set: at("returns_set"),
            comment: at("comment"),
            default_count: at("default_count"),
            input_types: at("input_types"),
            arg_names: at("arg_names"),
            arg_modes: at("arg_modes"),
        }
    }
}

/// What a pg_proc row says about a routine, however it was read: from a
/// catalog query's row ([`ProcRow::of_query`]) or from a pg_proc tuple
/// ([`ProcRow::of_tuple`]).
struct ProcRow {
    oid: pg_sys::Oid,
    namespace: pg_sys::Oid,
    schema: String,
    name: String,
    /// `prokind` and `provolatile`, as their one-letter codes.
    kind: u8,
    volatility: u8,
    return_type: Option<pg_sys::Oid>,
    language: Option<pg_sys::Oid>,
    returns_set: bool,
    comment: Option<String>,
    default_count: i32,
    input_types: Vec<pg_sys::Oid>,
    arg_names: Option<Vec<String>>,
    arg_modes: Option<Vec<String>>,
}

impl ProcRow {
    fn of_query(row: &Row, at: &Columns) -> ProcRow {
        let text = |column: usize| row.text(column).unwrap_or_default();
        let code = |column: usize| text(column).bytes().next().unwrap_or(0);
        ProcRow {
            oid: row.oid(at.oid).unwrap_or(pg_sys::InvalidOid),
            namespace: row.oid(at.namespace).unwrap_or(pg_sys::InvalidOid),
            schema: text(at.schema),
            name: text(at.name),
            kind: code(at.kind),
            volatility: code(at.volatility),
            return_type: row.oid(at.return_type),
            language: row.oid(at.language),
            returns_set: row.bool(at.returns_set).unwrap_or(false),
            comment: row.text(at.comment),
            default_count: row.int(at.default_count).unwrap_or(0),
            input_types: row.oids(at.input_types),
            arg_names: row.texts(at.arg_names),
            arg_modes: row.texts(at.arg_modes),
        }
    }

    /// The routine of a pg_proc tuple, with `comment`, when it is one
    /// `endpoints()` lists (the filters of `sql/routines_listed.sql`,
    /// which `schemas` keeps per schema).
    ///
    /// # Safety
    /// `tuple` is a pg_proc tuple with its descriptor `desc`, live while
    /// this runs.
    unsafe fn of_tuple(
        tuple: pg_sys::HeapTuple,
        desc: pg_sys::TupleDesc,
        comment: Option<String>,
        schemas: &mut ListedSchemas,
    ) -> Option<ProcRow> {
        // SAFETY: the caller's guarantee; the tuple's fixed part is
        // FormData_pg_proc, whose argument types hold `pronargs` OIDs, and
        // the array columns are detoasted as they are read.
        unsafe {
            let form = &*pg_sys::heap_tuple_get_struct::<pg_sys::FormData_pg_proc>(tuple);
            let plain = matches!(form.prokind as u8, b'f' | b'p')
                && form.prorettype != pg_sys::TRIGGEROID
                && form.prorettype != super::pg_compat::EVENT_TRIGGER_TYPE;
            let schema = if plain {
                schemas.listed(form.pronamespace)
            } else {
                None
            };
            let schema = schema?;
            let count = usize::try_from(form.pronargs).unwrap_or(0);
            let input_types = form.proargtypes.values.as_slice(count).to_vec();
            let array = |column: u32| {
                let mut is_null = false;
                let datum = pg_sys::heap_getattr(tuple, column as i32, desc, &mut is_null);
                (!is_null).then_some(datum)
            };
            let arg_names = array(pg_sys::Anum_pg_proc_proargnames).map(|d| {
                TextElements::of(d)
                    .map(|(_, bytes)| server_text::to_rust(bytes.unwrap_or_default()).into_owned())
                    .collect()
            });
            let arg_modes = array(pg_sys::Anum_pg_proc_proargmodes).map(|d| {
                Vec::<i8>::from_datum(d, false)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|mode| char::from(mode as u8).to_string())
                    .collect()
            });
            Some(ProcRow {
                oid: form.oid,
                namespace: form.pronamespace,
                schema,
                name: server_text::c_to_rust(form.proname.data.as_ptr()),
                kind: form.prokind as u8,
                volatility: form.provolatile as u8,
                return_type: Some(form.prorettype),
                language: Some(form.prolang),
                returns_set: form.proretset,
                comment,
                default_count: i32::from(form.pronargdefaults),
                input_types,
                arg_names,
                arg_modes,
            })
        }
    }
}

/// The schemas whose routines `endpoints()` lists, looked up once per
/// schema: outside the system schemas and temporary ones, with USAGE for
/// the current user.
#[derive(Default)]
struct ListedSchemas(HashMap<pg_sys::Oid, Option<String>>);

impl ListedSchemas {
    /// The schema's name when it is listed.
    fn listed(&mut self, namespace: pg_sys::Oid) -> Option<String> {
        self.0
            .entry(namespace)
            .or_insert_with(|| {
                // SAFETY: a catalog lookup by OID (NULL for a schema
                // dropped meanwhile) and a privilege check of the
                // current user.
                let name = unsafe {
                    let name = pg_sys::get_namespace_name(namespace);
                    if name.is_null() {
                        return None;
                    }
                    let owned = server_text::c_to_rust(name);
                    pg_sys::pfree(name.cast());
                    owned
                };
                let system = name == "pg_catalog"
                    || name == "information_schema"
                    || name.starts_with("pg_toast")
                    || name.starts_with("pg_temp_");
                // SAFETY: as above.
                let usable = !system
                    && unsafe {
                        super::pg_compat::aclcheck(
                            super::pg_compat::AclObject::Schema,
                            namespace,
                            pg_sys::GetUserId(),
                            pg_sys::ACL_USAGE as pg_sys::AclMode,
                        )
                    } == pg_sys::AclResult::ACLCHECK_OK;
                usable.then_some(name)
            })
            .clone()
    }
}

/// The routine of a row; None when it or one of its types was dropped
/// after the query's snapshot (it is then no endpoint any more).
fn from_row(row: ProcRow, lookups: &mut Lookups) -> Option<CatalogRoutine> {
    let oid = row.oid;
    let types = row.input_types;
    let return_type = row.return_type;
    // Checked once per type (a handful per catalog read), and per
    // routine only where the visibility test below looks the routine up:
    // a probe per routine would cost as much as the rest of the read.
    let types_exist = types
        .iter()
        .chain(return_type.as_ref())
        .all(|t| lookups.type_exists(*t));
    let namespace = row.namespace;
    let in_path = lookups.search_path.contains(&namespace);
    if !types_exist || (in_path && !exists(pg_sys::SysCacheIdentifier::PROCOID, oid)) {
        return None;
    }
    let kind = row.kind;
    let volatility = match row.volatility {
        b'i' => "immutable",
        b's' => "stable",
        _ => "volatile",
    };
    let arguments = argument_names(
        row.arg_names
            .unwrap_or_default()
            .into_iter()
            .map(Some)
            .collect(),
        row.arg_modes
            .map(|modes| modes.into_iter().map(Some).collect()),
    );
    let names = &arguments.inputs;
    let defaults = row.default_count.max(0) as usize;
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
    let (schema, name) = (row.schema, row.name);
    Some(CatalogRoutine {
        oid,
        input_types: types,
        return_type: return_type.unwrap_or(pg_sys::InvalidOid),
        is_sql: row.language == Some(SQL_LANGUAGE),
        variadic: arguments.variadic,
        arguments: arguments.order,
        in_search_path: in_path,
        is_plain: (kind == b'f' || kind == b'p')
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
            is_procedure: kind == b'p',
            volatility: volatility.to_string(),
            returns_void: return_type == Some(pg_sys::VOIDOID),
            returns_set: row.returns_set,
            parameters,
            comment: row.comment,
        },
    })
}

#[cfg(any(test, feature = "pg_test"))]
#[pgrx::pg_schema]
mod tests {
    use super::*;

    /// The candidates of a logout call, read from pg_proc with their
    /// comments, are what the catalog query reads: every kind of
    /// argument list, quoting, schemas in and out of the search path, and
    /// a signature shadowed by an earlier schema.
    #[pg_test]
    fn the_candidate_reader_reads_what_the_query_reads() {
        Spi::run(
            r#"create schema "Odd Schema";
               create schema offpath;
               create schema early;
               set search_path = early, public;
               create function public.plain(a int, b text default 'x') returns text
                   language sql as $$select b$$;
               create function public."Mixed Case"(int, "Named Arg" text) returns text
                   language sql stable as $$select $2$$;
               create function offpath.variadic_f(p int, variadic v text[]) returns text
                   language sql immutable as $$select v[1]$$;
               create function public.outs(in a int, out b int, inout c text) returns record
                   language sql as $$select a, c$$;
               create procedure public.proc_inout(a int, inout b int default 0)
                   language plpgsql as $$begin b := a; end$$;
               create function public.srf() returns setof int language sql as $$select 1$$;
               create function "Odd Schema"."unicodé"("é" int[], n numeric(10, 2)) returns void
                   language sql as $$select$$;
               create function public.shadowed(a int) returns text language sql as $$select 'p'$$;
               create function early.shadowed(a int) returns text language sql as $$select 'e'$$;
               create function public.no_comment() returns text language sql as $$select 'n'$$;
               create aggregate public.agg_listed(int) (sfunc = int4pl, stype = int);
               create function public.trigger_listed() returns trigger language plpgsql
                   as $$begin return null; end$$;
               create schema unusable;
               create function unusable.hidden() returns text language sql as $$select 'h'$$;
               revoke usage on schema unusable from public;"#,
        )
        .expect("routines are created");
        let names = "'plain', 'Mixed Case', 'variadic_f', 'outs', 'proc_inout', 'srf', \
                     'unicodé', 'shadowed', 'no_comment'";
        Spi::run(&format!(
            "do $$ declare r regprocedure; begin
               for r in select oid::regprocedure from pg_proc where proname in ({names})
                            and proname <> 'no_comment' loop
                 execute format('comment on %s %s is %L',
                   case when r::oid in (select oid from pg_proc where prokind = 'p')
                        then 'procedure' else 'function' end,
                   r, E'HTTP POST /logout/' || r::oid || E'\\n@logout');
               end loop; end $$"
        ))
        .expect("comments are set");
        let oids: Vec<pg_sys::Oid> = Spi::connect(|client| {
            client
                .select(
                    &format!("select oid from pg_proc where proname in ({names}) order by oid"),
                    None,
                    &[],
                )?
                .map(|row| row.get::<pg_sys::Oid>(1).map(Option::unwrap_or_default))
                .collect::<Result<Vec<_>, _>>()
        })
        .expect("oids are read");
        assert_eq!(oids.len(), 10);
        let by_query = routines(oids.clone());
        let mut comments = comments_of(&oids);
        let with_comments = oids
            .iter()
            .map(|&oid| (oid, comments.remove(&oid)))
            .collect();
        let mut by_candidates = listed_routines_with(with_comments);
        by_candidates.sort_by_key(|r| r.oid.to_u32());
        let mut by_query = by_query;
        by_query.sort_by_key(|r| r.oid.to_u32());
        assert_eq!(by_candidates, by_query);
        let signatures: Vec<&str> = by_query.iter().map(|r| r.info.signature.as_str()).collect();
        assert!(
            signatures.contains(&"public.shadowed(integer)"),
            "{signatures:?}"
        );
        assert!(
            signatures.contains(&"\"Odd Schema\".\"unicodé\"(integer[],numeric)"),
            "{signatures:?}"
        );
        assert_eq!(
            by_query.iter().filter(|r| r.info.comment.is_none()).count(),
            1,
            "only no_comment() has none"
        );
        // Every routine `endpoints()` lists, read from the catalog at
        // once, is what the query lists: aggregates, trigger functions,
        // system schemas and the extension's own functions left out alike,
        // and a schema the caller may not use too.
        let listed = |read: fn() -> Vec<CatalogRoutine>| {
            let mut all = read();
            all.sort_by_key(|r| r.oid.to_u32());
            all
        };
        let queried = listed(listed_routines);
        assert!(oids.iter().all(|oid| queried.iter().any(|r| r.oid == *oid)));
        assert_eq!(listed(listed_routines_read), queried);
        Spi::run("create role listed_reader; set role listed_reader").expect("set role");
        let queried = listed(listed_routines);
        assert!(!queried.iter().any(|r| r.info.schema == "unusable"));
        assert_eq!(listed(listed_routines_read), queried);
        Spi::run("reset role").expect("reset role");
    }
}
