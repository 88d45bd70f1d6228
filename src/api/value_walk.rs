//! Walks any Postgres value and hands every scheme name in it to a
//! [`SchemeList`]: scalars by their output function, arrays element by
//! element (any dimension), records column by column, json/jsonb by their
//! text. The walk keeps its own stack of open arrays and records, so no
//! value can drive Rust recursion, and it checks for query cancellation.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;

use pgrx::{pg_sys, PgSqlErrorCode};

use super::errors::raise;
use super::jsonb_names::{walk_jsonb, JsonbLeaf, JsonbWalkError};
use super::server_text;
use super::text_array::TextElements;
use super::varlena;
use crate::core::schemes::json_names::{collect_json_names, JsonNamesError};
use crate::core::schemes::SchemeList;

/// How a value of one type yields names.
#[derive(Clone, Copy)]
enum Kind {
    /// `void`: a routine that returns nothing.
    Nothing,
    /// text, varchar, bpchar: read in place, no output function needed.
    Text,
    Scalar(OutputFn),
    /// json: its text, parsed.
    Json(OutputFn),
    /// jsonb: its binary form, read in place.
    Jsonb,
    /// An array of text, varchar or bpchar: elements read in place.
    TextArray,
    Array,
    Record,
}

/// The shapes of value a caller may read itself.
pub enum Shape {
    /// text, varchar, bpchar (or a domain over one).
    Text,
    /// An array of those.
    TextArray,
    /// A composite value.
    Record,
    Other,
}

#[derive(Clone, Copy)]
struct OutputFn(pg_sys::Oid);

/// An array or record being walked.
enum Frame {
    Array {
        iterator: pg_sys::ArrayIterator,
        element_type: pg_sys::Oid,
    },
    Record {
        columns: Vec<Column>,
        next: usize,
    },
}

/// Collects the scheme names of values.
#[derive(Default)]
pub struct ValueWalker {
    visited: u64,
}

/// How many recent types are kept ahead of the map.
const RECENT: usize = 4;

thread_local! {
    /// What each type is, learnt once per backend: a type's shape and
    /// output function never change while its OID names it, and a dropped
    /// type empties the cache (its OID could be reused).
    static KINDS: RefCell<HashMap<pg_sys::Oid, Kind>> = RefCell::new(HashMap::new());
    /// The last types looked up, newest first, ahead of the map: calls,
    /// array elements and rows repeat them (a record's type and its
    /// columns' types take turns).
    static RECENT_KINDS: Cell<[Option<(pg_sys::Oid, Kind)>; RECENT]> =
        const { Cell::new([None; RECENT]) };
}

/// Registers the invalidation of the type cache; called from `_PG_init`.
pub fn register() {
    // SAFETY: the callback only empties a map; Postgres keeps the pointer
    // for the life of the backend.
    unsafe {
        pg_sys::CacheRegisterSyscacheCallback(
            pg_sys::SysCacheIdentifier::TYPEOID as i32,
            Some(on_type_change),
            pg_sys::Datum::from(0),
        );
    }
}

#[pgrx::pg_guard]
unsafe extern "C-unwind" fn on_type_change(_arg: pg_sys::Datum, _cache: i32, _hash: u32) {
    RECENT_KINDS.with(|recent| recent.set([None; RECENT]));
    KINDS.with(|k| {
        if let Ok(mut kinds) = k.try_borrow_mut() {
            kinds.clear();
        }
    });
}

impl ValueWalker {
    /// Adds every name in `datum` (of type `type_oid`) to `out`.
    pub fn collect(&mut self, datum: pg_sys::Datum, type_oid: pg_sys::Oid, out: &mut SchemeList) {
        let mut stack: Vec<Frame> = Vec::new();
        if let Some(frame) = self.visit(datum, type_oid, out) {
            stack.push(frame);
        }
        while let Some(top) = stack.last_mut() {
            match next_child(top) {
                Some((datum, type_oid)) => {
                    if let Some(frame) = self.visit(datum, type_oid, out) {
                        stack.push(frame);
                    }
                }
                None => {
                    if let Some(Frame::Array { iterator, .. }) = stack.pop() {
                        // SAFETY: the iterator came from array_create_iterator.
                        unsafe { pg_sys::array_free_iterator(iterator) };
                    }
                }
            }
        }
    }

    /// Emits a leaf value's name, or opens a frame for a container.
    fn visit(
        &mut self,
        datum: pg_sys::Datum,
        type_oid: pg_sys::Oid,
        out: &mut SchemeList,
    ) -> Option<Frame> {
        self.count_visit();
        match self.kind(type_oid) {
            Kind::Nothing => None,
            Kind::Text => {
                push_text(datum, out);
                None
            }
            Kind::Scalar(output) => {
                out.push(&output_text(output, datum));
                None
            }
            Kind::Json(output) => {
                let text = output_text(output, datum);
                if let Err(error) = collect_json_names(&text, out) {
                    json_error(error, &text);
                }
                None
            }
            Kind::Jsonb => {
                push_jsonb(datum, out);
                None
            }
            Kind::TextArray => {
                // SAFETY: the datum is an array of a text-like type.
                for (_, element) in unsafe { TextElements::of(datum) } {
                    self.count_visit();
                    match element {
                        Some(bytes) => out.push(&server_text::to_rust(bytes)),
                        None => damaged_array(),
                    }
                }
                None
            }
            Kind::Array => Some(open_array(datum)),
            Kind::Record => Some(open_record(datum)),
        }
    }

    fn count_visit(&mut self) {
        self.visited += 1;
        if self.visited.is_multiple_of(1024) {
            pgrx::check_for_interrupts!();
        }
    }

    /// Whether values of the type are text-like or arrays of it: the
    /// shapes that are read without the general walk.
    pub fn shape(&mut self, type_oid: pg_sys::Oid) -> Shape {
        match self.kind(type_oid) {
            Kind::Text => Shape::Text,
            Kind::TextArray => Shape::TextArray,
            Kind::Record => Shape::Record,
            _ => Shape::Other,
        }
    }

    fn kind(&mut self, type_oid: pg_sys::Oid) -> Kind {
        let recent = RECENT_KINDS.with(Cell::get);
        if let Some((_, kind)) = recent.iter().flatten().find(|(oid, _)| *oid == type_oid) {
            return *kind;
        }
        let kind = match KINDS.with(|k| k.borrow().get(&type_oid).copied()) {
            Some(kind) => kind,
            None => {
                let kind = kind_of(type_oid);
                KINDS.with(|k| k.borrow_mut().insert(type_oid, kind));
                kind
            }
        };
        // Read again: the catalog lookups above may have run the
        // invalidation, which must not be undone.
        RECENT_KINDS.with(|cell| {
            let mut recent = cell.get();
            recent.rotate_right(1);
            recent[0] = Some((type_oid, kind));
            cell.set(recent);
        });
        kind
    }
}

fn kind_of(type_oid: pg_sys::Oid) -> Kind {
    // SAFETY: plain catalog lookups; they raise an ERROR for a bad OID.
    unsafe {
        let base = pg_sys::getBaseType(type_oid);
        if base == pg_sys::VOIDOID {
            Kind::Nothing
        } else if is_text_like(base) {
            Kind::Text
        } else if base == pg_sys::JSONOID {
            Kind::Json(output_fn(base))
        } else if base == pg_sys::JSONBOID {
            Kind::Jsonb
        } else if pg_sys::type_is_rowtype(base) {
            Kind::Record
        } else if base == pg_sys::ANYARRAYOID {
            // A column of type anyarray (pg_stats.most_common_vals) holds
            // an array whose header names its element type.
            Kind::Array
        } else if pg_sys::get_element_type(base) != pg_sys::InvalidOid {
            if is_text_like(pg_sys::getBaseType(pg_sys::get_element_type(base))) {
                Kind::TextArray
            } else {
                Kind::Array
            }
        } else {
            Kind::Scalar(output_fn(base))
        }
    }
}

fn is_text_like(base_type: pg_sys::Oid) -> bool {
    [pg_sys::TEXTOID, pg_sys::VARCHAROID, pg_sys::BPCHAROID].contains(&base_type)
}

fn output_fn(type_oid: pg_sys::Oid) -> OutputFn {
    let mut function = pg_sys::InvalidOid;
    let mut is_varlena = false;
    // SAFETY: getTypeOutputInfo fills both out-parameters or raises an ERROR.
    unsafe { pg_sys::getTypeOutputInfo(type_oid, &mut function, &mut is_varlena) };
    OutputFn(function)
}

/// Adds a text value's content (trailing blanks of a bpchar go with the
/// trimming every name gets).
fn push_text(datum: pg_sys::Datum, out: &mut SchemeList) {
    // SAFETY: a text-like value, live for this call.
    out.push(&server_text::to_rust(unsafe { varlena::content(datum) }));
}

/// Adds the names in a jsonb value, read from its binary form.
fn push_jsonb(datum: pg_sys::Datum, out: &mut SchemeList) {
    // SAFETY: a jsonb value; a toasted one is detoasted into a copy that
    // lives as long as the memory context.
    let content = unsafe { varlena::content(datum) };
    let walked = walk_jsonb(content, |leaf| match leaf {
        JsonbLeaf::Text(bytes) => out.push(&server_text::to_rust(bytes)),
        JsonbLeaf::Bool(value) => out.push(if value { "true" } else { "false" }),
        JsonbLeaf::Numeric(bytes) => out.push(&numeric_text(bytes)),
    });
    match walked {
        Ok(()) => {}
        Err(JsonbWalkError::Object) => json_error(
            JsonNamesError::Object,
            &output_text(output_fn(pg_sys::JSONBOID), datum),
        ),
        Err(JsonbWalkError::Damaged) => raise(
            PgSqlErrorCode::ERRCODE_DATA_CORRUPTED,
            "a jsonb logout result is damaged".into(),
            None,
            None,
        ),
    }
}

/// The text of a numeric stored inside a jsonb value, printed by
/// numeric_out from an aligned copy (in jsonb it may lie unaligned).
fn numeric_text(bytes: &[u8]) -> String {
    // SAFETY: the bytes are a complete numeric varlena; the copy is
    // aligned and freed after printing.
    unsafe {
        let copy = pg_sys::palloc(bytes.len().max(1)).cast::<u8>();
        std::ptr::copy_nonoverlapping(bytes.as_ptr(), copy, bytes.len());
        let text = output_text(output_fn(pg_sys::NUMERICOID), pg_sys::Datum::from(copy));
        pg_sys::pfree(copy.cast());
        text
    }
}

fn damaged_array() -> ! {
    raise(
        PgSqlErrorCode::ERRCODE_DATA_CORRUPTED,
        "an array element in a logout result is stored compressed or out of line, which arrays never do".into(),
        None,
        None,
    )
}

/// The text of a value, as its type's output function writes it.
fn output_text(output: OutputFn, datum: pg_sys::Datum) -> String {
    // SAFETY: `output` is the output function of the datum's type; the
    // returned C string is palloc'd and freed after copying.
    unsafe {
        let text = pg_sys::OidOutputFunctionCall(output.0, datum);
        let owned = server_text::c_to_rust(text);
        pg_sys::pfree(text.cast());
        owned
    }
}

fn open_array(datum: pg_sys::Datum) -> Frame {
    // SAFETY: the datum is an array (its type has an element type);
    // detoasting gives a readable ArrayType.
    unsafe {
        let array = pg_sys::pg_detoast_datum(datum.cast_mut_ptr()) as *mut pg_sys::ArrayType;
        Frame::Array {
            element_type: (*array).elemtype,
            iterator: pg_sys::array_create_iterator(array, 0, std::ptr::null_mut()),
        }
    }
}

/// Records with up to this many columns are deformed without allocating.
const FEW_COLUMNS: usize = 16;

/// A record column: its value (None for NULL) and type.
pub type Column = (Option<pg_sys::Datum>, pg_sys::Oid);

/// Calls `f` with the columns of a composite value (dropped columns left
/// out); their values point into the record, which outlives the call.
///
/// # Safety
/// `datum` is a composite value, live for this call.
pub unsafe fn with_columns<R>(datum: pg_sys::Datum, f: impl FnOnce(&[Column]) -> R) -> R {
    // SAFETY: the header names the row type, whose descriptor deforms it;
    // the descriptor is the type cache's, counted, and released below.
    unsafe {
        let header = pg_sys::pg_detoast_datum(datum.cast_mut_ptr()) as pg_sys::HeapTupleHeader;
        let type_id = (*header).t_choice.t_datum.datum_typeid;
        let type_mod = (*header).t_choice.t_datum.datum_typmod;
        let desc = pg_sys::lookup_rowtype_tupdesc(type_id, type_mod);
        let natts = (*desc).natts as usize;
        let mut tuple: pg_sys::HeapTupleData = std::mem::zeroed();
        tuple.t_len = pgrx::varlena::varsize_any(header.cast()) as u32;
        tuple.t_data = header;
        let mut few = ([pg_sys::Datum::from(0); FEW_COLUMNS], [false; FEW_COLUMNS]);
        let mut many: (Vec<pg_sys::Datum>, Vec<bool>);
        let (values, nulls) = if natts <= FEW_COLUMNS {
            (&mut few.0[..natts], &mut few.1[..natts])
        } else {
            many = (vec![pg_sys::Datum::from(0); natts], vec![false; natts]);
            (&mut many.0[..], &mut many.1[..])
        };
        pg_sys::heap_deform_tuple(&mut tuple, desc, values.as_mut_ptr(), nulls.as_mut_ptr());
        let mut few_columns = [(None, pg_sys::InvalidOid); FEW_COLUMNS];
        let mut many_columns: Vec<Column>;
        let columns = if natts <= FEW_COLUMNS {
            &mut few_columns[..]
        } else {
            many_columns = vec![(None, pg_sys::InvalidOid); natts];
            &mut many_columns[..]
        };
        let mut live = 0;
        for (i, (value, null)) in values.iter().zip(nulls.iter()).enumerate() {
            let attr = super::pg_compat::tuple_desc_attr(desc, i);
            if !attr.attisdropped {
                columns[live] = ((!*null).then_some(*value), attr.atttypid);
                live += 1;
            }
        }
        // ReleaseTupleDesc: only a counted descriptor is released.
        if (*desc).tdrefcount >= 0 {
            pg_sys::DecrTupleDescRefCount(desc);
        }
        f(&columns[..live])
    }
}

fn open_record(datum: pg_sys::Datum) -> Frame {
    // SAFETY: the walk only opens records for composite values.
    let columns = unsafe { with_columns(datum, |columns| columns.to_vec()) };
    Frame::Record { columns, next: 0 }
}

/// The next non-null child of an open array or record.
fn next_child(frame: &mut Frame) -> Option<(pg_sys::Datum, pg_sys::Oid)> {
    match frame {
        Frame::Array {
            iterator,
            element_type,
        } => loop {
            let mut value = pg_sys::Datum::from(0);
            let mut is_null = false;
            // SAFETY: the iterator is live until its frame is popped.
            if !unsafe { pg_sys::array_iterate(*iterator, &mut value, &mut is_null) } {
                return None;
            }
            if !is_null {
                return Some((value, *element_type));
            }
        },
        Frame::Record { columns, next } => loop {
            let (value, type_oid) = *columns.get(*next)?;
            *next += 1;
            if let Some(value) = value {
                return Some((value, type_oid));
            }
        },
    }
}

fn json_error(error: JsonNamesError, text: &str) -> ! {
    let shown: String = text.chars().take(80).collect();
    match error {
        JsonNamesError::Object => raise(
            PgSqlErrorCode::ERRCODE_INVALID_PARAMETER_VALUE,
            format!("a JSON object is not a scheme name: {shown}"),
            Some("In a json logout result, strings are scheme names, arrays are expanded and null is nothing.".into()),
            Some("Return a scheme name, an array of names, or null."),
        ),
        JsonNamesError::Nul => raise(
            PgSqlErrorCode::ERRCODE_UNTRANSLATABLE_CHARACTER,
            "a scheme name in a JSON logout result holds \\u0000, which text cannot".into(),
            None,
            None,
        ),
        JsonNamesError::Malformed => raise(
            PgSqlErrorCode::ERRCODE_INVALID_TEXT_REPRESENTATION,
            format!("malformed JSON in a logout result: {shown}"),
            None,
            None,
        ),
    }
}
