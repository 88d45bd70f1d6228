//! `jsonb` results built straight into Postgres' binary form with
//! `pushJsonbValue` and `JsonbValueToJsonb`.
//!
//! pgrx's `JsonB` prints the value to text and parses it back with
//! `jsonb_in`; profiles of the SQL functions were dominated by that lexing,
//! the string building and the sorting of object keys. Here the tree is
//! handed to Postgres directly, keys already in jsonb's order so its sort
//! finds them presorted. The result is the same datum `jsonb_in` would build
//! from `serde_json::to_string` of the value, byte for byte.

use super::errors::raise;
use pgrx::callconv::{BoxRet, FcInfo};
use pgrx::pg_sys::{self, jbvType, JsonbIteratorToken as Token};
use pgrx::pgrx_sql_entity_graph::metadata::{
    ArgumentError, ReturnsError, ReturnsRef, SqlMappingRef, SqlTranslatable, TypeOrigin,
};
use pgrx::{IntoDatum, PgSqlErrorCode};
use serde_json::{Number, Value};
use std::cmp::Ordering;
use std::ptr;
use std::rc::Rc;

/// A `jsonb` result: `#[pg_extern] fn f() -> FastJsonB` behaves like
/// returning `pgrx::JsonB`, only faster.
#[derive(Debug, Clone, PartialEq)]
pub struct FastJsonB(pub Value);

impl From<Value> for FastJsonB {
    fn from(value: Value) -> Self {
        FastJsonB(value)
    }
}

impl IntoDatum for FastJsonB {
    fn into_datum(self) -> Option<pg_sys::Datum> {
        Some(to_jsonb(&self.0))
    }

    fn type_oid() -> pg_sys::Oid {
        pg_sys::JSONBOID
    }
}

/// Returns a type whose IntoDatum makes jsonb the way pgrx returns its own
/// JsonB, and names `jsonb` as its SQL type.
macro_rules! jsonb_result {
    ($type:ident) => {
        // SAFETY: the datum is a jsonb varlena from IntoDatum.
        unsafe impl BoxRet for $type {
            unsafe fn box_into<'fcx>(self, fcinfo: &mut FcInfo<'fcx>) -> pgrx::datum::Datum<'fcx> {
                match self.into_datum() {
                    // SAFETY: a valid jsonb datum in the current memory context.
                    Some(datum) => unsafe { fcinfo.return_raw_datum(datum) },
                    None => fcinfo.return_null(),
                }
            }
        }

        // SAFETY: the SQL type named here is the one IntoDatum reports.
        unsafe impl SqlTranslatable for $type {
            const TYPE_IDENT: &'static str = pgrx::pgrx_resolved_type!($type);
            const TYPE_ORIGIN: TypeOrigin = TypeOrigin::External;
            const ARGUMENT_SQL: Result<SqlMappingRef, ArgumentError> =
                Ok(SqlMappingRef::literal("jsonb"));
            const RETURN_SQL: Result<ReturnsRef, ReturnsError> =
                Ok(ReturnsRef::One(SqlMappingRef::literal("jsonb")));
        }
    };
}

jsonb_result!(FastJsonB);
jsonb_result!(StoredJsonB);

/// A jsonb value kept as its bytes, so a cache can hand out copies
/// without building it again.
#[derive(Debug, Clone)]
pub struct StoredJsonB(pub Rc<[u8]>);

impl StoredJsonB {
    /// Builds `value` once and keeps the bytes.
    pub fn new(value: &Value) -> Self {
        let datum = to_jsonb(value);
        // SAFETY: to_jsonb returns a plain (untoasted, 4-byte header)
        // varlena; its bytes are copied before it is freed.
        unsafe {
            let ptr = datum.cast_mut_ptr::<u8>();
            let len = pgrx::varlena::varsize_any(ptr.cast());
            let bytes: Rc<[u8]> = std::slice::from_raw_parts(ptr, len).into();
            pg_sys::pfree(ptr.cast());
            StoredJsonB(bytes)
        }
    }
}

impl IntoDatum for StoredJsonB {
    fn into_datum(self) -> Option<pg_sys::Datum> {
        // SAFETY: a palloc'd copy of a complete jsonb varlena.
        unsafe {
            let copy = pg_sys::palloc(self.0.len()).cast::<u8>();
            ptr::copy_nonoverlapping(self.0.as_ptr(), copy, self.0.len());
            Some(pg_sys::Datum::from(copy))
        }
    }

    fn type_oid() -> pg_sys::Oid {
        pg_sys::JSONBOID
    }
}

/// Builds the jsonb datum for `value` in the current memory context.
///
/// Raises the errors `jsonb_in` would: 22P05 for a string holding U+0000,
/// 54000 for a string over jsonb's length limit or a container too large.
pub fn to_jsonb(value: &Value) -> pg_sys::Datum {
    // The parse tree is garbage once flattened; building it in a scratch
    // context frees it at once instead of leaving it to the caller's context
    // (a set-returning function would keep it until the query ends).
    let scratch = Scratch::enter();
    let root = Builder::new().build(value);
    scratch.leave();
    // SAFETY: `root` is a complete tree from pushJsonbValue, alive in the
    // scratch context; its strings borrow `value`, which outlives this call,
    // and JsonbValueToJsonb copies everything into the new varlena, allocated
    // in the caller's context.
    let jsonb = unsafe { pg_sys::JsonbValueToJsonb(root) };
    drop(scratch);
    pg_sys::Datum::from(jsonb)
}

/// A child memory context that is current until `leave`, and deleted on
/// drop, also when an error unwinds through.
struct Scratch {
    outer: pg_sys::MemoryContext,
    scratch: pg_sys::MemoryContext,
}

impl Scratch {
    fn enter() -> Self {
        // SAFETY: a child of the current context; Postgres frees it with its
        // parent even if we never got to.
        unsafe {
            let outer = pg_sys::CurrentMemoryContext;
            let scratch = pg_sys::AllocSetContextCreateExtended(
                outer,
                c"jsonb_out".as_ptr(),
                pg_sys::ALLOCSET_DEFAULT_MINSIZE as usize,
                pg_sys::ALLOCSET_DEFAULT_INITSIZE as usize,
                pg_sys::ALLOCSET_DEFAULT_MAXSIZE as usize,
            );
            pg_sys::MemoryContextSwitchTo(scratch);
            Scratch { outer, scratch }
        }
    }

    fn leave(&self) {
        // SAFETY: `outer` was current when we entered and still exists.
        unsafe { pg_sys::MemoryContextSwitchTo(self.outer) };
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        // SAFETY: nothing allocated in `scratch` is referenced after this:
        // the result lives in `outer`, and an error's data was copied out.
        unsafe {
            pg_sys::MemoryContextSwitchTo(self.outer);
            pg_sys::MemoryContextDelete(self.scratch);
        }
    }
}

/// A container whose members are still being pushed.
enum Frame<'v> {
    Array(std::slice::Iter<'v, Value>),
    /// Members are `pairs[next..end]`; `start` is where this object's share
    /// of the shared `pairs` buffer begins.
    Object {
        start: usize,
        next: usize,
        end: usize,
    },
}

/// Walks a value with an explicit stack, feeding pushJsonbValue.
struct Builder<'v> {
    state: *mut pg_sys::JsonbParseState,
    stack: Vec<Frame<'v>>,
    /// Object members in jsonb key order, shared by all open objects.
    pairs: Vec<(&'v str, &'v Value)>,
    /// Reused buffer for a number's text.
    number: Vec<u8>,
}

impl<'v> Builder<'v> {
    fn new() -> Self {
        Builder {
            state: ptr::null_mut(),
            stack: Vec::new(),
            pairs: Vec::new(),
            number: Vec::new(),
        }
    }

    /// The finished tree; its strings point into `value`.
    fn build(mut self, value: &'v Value) -> *mut pg_sys::JsonbValue {
        if !self.open(value) {
            // A top-level scalar is stored as a one-element "raw scalar"
            // array, as jsonb_in does.
            let mut raw = empty(jbvType::jbvArray);
            raw.val.array = pg_sys::JsonbValue__bindgen_ty_1__bindgen_ty_2 {
                nElems: 1,
                elems: ptr::null_mut(),
                rawScalar: true,
            };
            self.push(Token::WJB_BEGIN_ARRAY, &mut raw);
            let mut scalar = self.scalar(value);
            self.push(Token::WJB_ELEM, &mut scalar);
            return self.push(Token::WJB_END_ARRAY, ptr::null_mut());
        }
        loop {
            let (key, child) = match self.stack.last_mut() {
                Some(Frame::Array(items)) => match items.next() {
                    Some(child) => (None, child),
                    None => {
                        self.stack.pop();
                        match self.close(Token::WJB_END_ARRAY) {
                            Some(root) => return root,
                            None => continue,
                        }
                    }
                },
                Some(Frame::Object { start, next, end }) => {
                    if *next < *end {
                        let (key, child) = self.pairs[*next];
                        *next += 1;
                        (Some(key), child)
                    } else {
                        let start = *start;
                        self.stack.pop();
                        self.pairs.truncate(start);
                        match self.close(Token::WJB_END_OBJECT) {
                            Some(root) => return root,
                            None => continue,
                        }
                    }
                }
                // Every frame is closed through `close`, which returns the
                // root when the stack empties, so this is never reached.
                None => raise(
                    PgSqlErrorCode::ERRCODE_INTERNAL_ERROR,
                    "jsonb builder has no open container".into(),
                    None,
                    None,
                ),
            };
            let token = match key {
                Some(key) => {
                    let mut key = string(key);
                    self.push(Token::WJB_KEY, &mut key);
                    Token::WJB_VALUE
                }
                None => Token::WJB_ELEM,
            };
            if !self.open(child) {
                let mut scalar = self.scalar(child);
                self.push(token, &mut scalar);
            }
        }
    }

    /// Begins a container and stacks its frame; false for a scalar.
    fn open(&mut self, value: &'v Value) -> bool {
        match value {
            Value::Array(items) => {
                self.push(Token::WJB_BEGIN_ARRAY, ptr::null_mut());
                self.stack.push(Frame::Array(items.iter()));
                true
            }
            Value::Object(map) => {
                self.push(Token::WJB_BEGIN_OBJECT, ptr::null_mut());
                let start = self.pairs.len();
                self.pairs
                    .extend(map.iter().map(|(key, child)| (key.as_str(), child)));
                self.pairs[start..].sort_unstable_by(|a, b| key_order(a.0, b.0));
                let end = self.pairs.len();
                self.stack.push(Frame::Object {
                    start,
                    next: start,
                    end,
                });
                true
            }
            _ => false,
        }
    }

    /// Ends the innermost container; the root once none is left open.
    fn close(&mut self, token: Token::Type) -> Option<*mut pg_sys::JsonbValue> {
        let done = self.push(token, ptr::null_mut());
        self.stack.is_empty().then_some(done)
    }

    fn scalar(&mut self, value: &'v Value) -> pg_sys::JsonbValue {
        match value {
            Value::Null => empty(jbvType::jbvNull),
            Value::Bool(b) => {
                let mut v = empty(jbvType::jbvBool);
                v.val.boolean = *b;
                v
            }
            Value::String(s) => string(s),
            Value::Number(n) => self.numeric(n),
            // Containers never get here: `open` takes them first.
            Value::Array(_) | Value::Object(_) => empty(jbvType::jbvNull),
        }
    }

    /// The number as jsonb_in reads it: numeric_in of serde's own text.
    fn numeric(&mut self, n: &Number) -> pg_sys::JsonbValue {
        self.number.clear();
        if let Err(e) = serde_json::to_writer(&mut self.number, n) {
            raise(
                PgSqlErrorCode::ERRCODE_INTERNAL_ERROR,
                format!("cannot write JSON number: {e}"),
                None,
                None,
            );
        }
        self.number.push(0);
        // SAFETY: `number` is NUL-terminated and lives across the call;
        // numeric_in takes (cstring, typioparam, typmod) like jsonb_in's call.
        let datum = unsafe {
            pgrx::direct_function_call_as_datum(
                pg_sys::numeric_in,
                &[
                    Some(pg_sys::Datum::from(self.number.as_ptr())),
                    Some(pg_sys::Datum::from(pg_sys::InvalidOid)),
                    Some(pg_sys::Datum::from(-1i32)),
                ],
            )
        };
        let Some(datum) = datum else {
            raise(
                PgSqlErrorCode::ERRCODE_INTERNAL_ERROR,
                "numeric_in returned NULL".into(),
                None,
                None,
            );
        };
        let mut v = empty(jbvType::jbvNumeric);
        v.val.numeric = datum.cast_mut_ptr();
        v
    }

    fn push(
        &mut self,
        token: Token::Type,
        value: *mut pg_sys::JsonbValue,
    ) -> *mut pg_sys::JsonbValue {
        // SAFETY: tokens come in a well-formed order (BEGIN/END paired, KEY
        // before each object member); `value` is null or a scalar, or a raw
        // scalar array header, which pushJsonbValue copies by value.
        unsafe { pg_sys::pushJsonbValue(&mut self.state, token, value) }
    }
}

/// jsonb's key order: shorter first, then bytewise.
fn key_order(a: &str, b: &str) -> Ordering {
    a.len()
        .cmp(&b.len())
        .then_with(|| a.as_bytes().cmp(b.as_bytes()))
}

/// A string scalar pointing into `s`, which must outlive the tree.
///
/// Checks what jsonb_in checks, with its SQLSTATEs and messages.
fn string(s: &str) -> pg_sys::JsonbValue {
    if s.len() > pg_sys::JENTRY_OFFLENMASK as usize {
        raise(
            PgSqlErrorCode::ERRCODE_PROGRAM_LIMIT_EXCEEDED,
            "string too long to represent as jsonb string".into(),
            Some(format!(
                "Due to an implementation restriction, jsonb strings cannot exceed {} bytes.",
                pg_sys::JENTRY_OFFLENMASK
            )),
            None,
        );
    }
    // jsonb text output stops at a NUL, so jsonb_in refuses \u0000.
    if s.as_bytes().contains(&0) {
        raise(
            PgSqlErrorCode::ERRCODE_UNTRANSLATABLE_CHARACTER,
            "unsupported Unicode escape sequence".into(),
            Some("\\u0000 cannot be converted to text.".into()),
            None,
        );
    }
    let mut v = empty(jbvType::jbvString);
    v.val.string = pg_sys::JsonbValue__bindgen_ty_1__bindgen_ty_1 {
        // Fits: checked against JENTRY_OFFLENMASK above.
        len: s.len() as i32,
        // Postgres only reads through this pointer.
        val: s.as_ptr().cast_mut().cast(),
    };
    v
}

fn empty(type_: jbvType::Type) -> pg_sys::JsonbValue {
    // SAFETY: JsonbValue is plain C data (integers, bools, pointers), for
    // which all-zero bytes are valid.
    let mut v: pg_sys::JsonbValue = unsafe { std::mem::zeroed() };
    v.type_ = type_;
    v
}

#[cfg(any(test, feature = "pg_test"))]
#[pgrx::pg_schema]
mod tests {
    use super::{to_jsonb, FastJsonB};
    use crate::api::test_support::sqlstate_of;
    use pgrx::prelude::*;
    use pgrx::{IntoDatum, JsonB};
    use serde_json::{json, Value};

    #[pg_extern]
    fn jsonb_out_fast(doc: &str) -> Option<FastJsonB> {
        serde_json::from_str(doc).ok().map(FastJsonB)
    }

    #[pg_extern]
    fn jsonb_out_long(len: i32, as_key: bool) -> FastJsonB {
        let long = "x".repeat(usize::try_from(len).unwrap_or_default());
        let mut map = serde_json::Map::new();
        if as_key {
            map.insert(long, json!(1));
        } else {
            map.insert("k".into(), Value::String(long));
        }
        FastJsonB(Value::Object(map))
    }

    #[pg_extern]
    fn jsonb_out_rows() -> TableIterator<'static, (name!(n, i32), name!(doc, Option<FastJsonB>))> {
        TableIterator::new((0..3).map(|n| (n, (n != 1).then(|| FastJsonB(json!({ "n": n }))))))
    }

    fn bytes_of(datum: pg_sys::Datum) -> Vec<u8> {
        // SAFETY: a fresh, untoasted varlena built by JsonbValueToJsonb.
        unsafe {
            let varlena = datum.cast_mut_ptr::<pg_sys::varlena>();
            std::slice::from_raw_parts(varlena as *const u8, pgrx::varsize_any(varlena)).to_vec()
        }
    }

    /// Same bytes as pgrx's JsonB, and equal by SQL `=` and `::text` to
    /// jsonb_in of serde's text.
    fn assert_same(value: &Value) {
        let text = serde_json::to_string(value).expect("serializes");
        let fast = bytes_of(to_jsonb(value));
        let pgrx = bytes_of(JsonB(value.clone()).into_datum().expect("not null"));
        assert!(fast == pgrx, "bytes differ for {:.200}", text);
        let same = Spi::get_one_with_args::<bool>(
            "select $1 = $2::jsonb and $1::text = $2::jsonb::text",
            &[FastJsonB(value.clone()).into(), text.clone().into()],
        );
        assert_eq!(same, Ok(Some(true)), "{:.200}", text);
    }

    fn varied_keys(n: usize) -> Value {
        let map = (0..n)
            .map(|i| {
                let len = (i * 7919) % 13;
                (format!("{}{i}", "k".repeat(len)), json!(i))
            })
            .collect();
        Value::Object(map)
    }

    #[pg_test]
    fn values_match_jsonb_in() {
        let values = [
            json!({"b": 1, "a": {"c": [1, 2, {"d": null}], "aa": true}, "": []}),
            json!({}),
            json!([]),
            json!([[]]),
            json!([{}]),
            json!({"a": {}, "b": [[], {}]}),
            json!(["héllo \"quoted\" \\ back\nline\t tab 😀 \u{1} \u{1f} \u{7f} / </script>"]),
            json!({"日本": "語", "é": "ü", "e": "e\u{301}", "z": "\u{1f}", "Ω": "\u{ffff}"}),
            json!({"bbb": 1, "a": 2, "cc": 3, "aaa": 4, "b": 5, "": 6, "ab": 7, "B": 8, "ä": 9}),
            varied_keys(8),
            varied_keys(100),
            json!([true, false, null, "", 0]),
            json!(true),
            json!(false),
            json!(null),
            json!("top-level string"),
            json!(""),
            json!(42),
            json!(-1.5),
            json!({"big": u64::MAX, "small": i64::MIN, "max": i64::MAX}),
        ];
        for value in &values {
            assert_same(value);
        }
    }

    #[pg_test]
    fn numbers_match_jsonb_in() {
        let texts = [
            "0",
            "-0",
            "0.0",
            "-0.0",
            "0.1",
            "1e300",
            "-1e-300",
            "1E+2",
            "2.5e-5",
            "3.141592653589793",
            "123456789012345678",
            "18446744073709551615",
            "-9223372036854775808",
            "1.7976931348623157e308",
            "5e-324",
            "100000000000000000000000",
            "0.30000000000000004",
        ];
        for text in texts {
            let value: Value = serde_json::from_str(text).expect("a JSON number");
            assert_same(&value);
            assert_same(&json!([value.clone()]));
            assert_same(&json!({ "n": value }));
        }
    }

    #[pg_test]
    fn large_values_match_jsonb_in() {
        let array: Vec<Value> = (0..10_000)
            .map(|i| json!({"i": i, "s": format!("x{i}"), "f": i as f64 / 8.0}))
            .collect();
        assert_same(&Value::Array(array));
        assert_same(&varied_keys(10_000));
        assert_same(&json!({"long": "é".repeat(1 << 20)}));
    }

    #[pg_test]
    fn deep_nesting_matches_jsonb_in() {
        let mut value = json!("leaf");
        for depth in 0..5_000 {
            value = if depth % 2 == 0 {
                json!([value, depth])
            } else {
                json!({"k": value, "a": depth})
            };
        }
        assert_same(&value);
    }

    #[pg_test]
    fn sql_functions_return_jsonb() {
        let sql = "select bool_and(tests.jsonb_out_fast(t) = t::jsonb
                                   and tests.jsonb_out_fast(t)::text = t::jsonb::text)
                   from (values ('{\"b\":[1,2.5,{}],\"a\":null}'), ('\"s\"'), ('[]'), ('7')) v(t)";
        assert_eq!(Spi::get_one::<bool>(sql), Ok(Some(true)));
        let sql = "select tests.jsonb_out_fast('not json') is null";
        assert_eq!(Spi::get_one::<bool>(sql), Ok(Some(true)));
        let sql = "select string_agg(n || ':' || coalesce(doc::text, 'null'), ' ' order by n)
                   from tests.jsonb_out_rows()";
        assert_eq!(
            Spi::get_one::<String>(sql).ok().flatten().as_deref(),
            Some(r#"0:{"n": 0} 1:null 2:{"n": 2}"#)
        );
        let sql = "select prorettype = 'jsonb'::regtype from pg_proc
                   where oid = 'tests.jsonb_out_fast(text)'::regprocedure";
        assert_eq!(Spi::get_one::<bool>(sql), Ok(Some(true)));
    }

    #[pg_test]
    fn nul_is_refused_like_jsonb_in() {
        for doc in [r#"{"k":"a\u0000b"}"#, r#"{"a\u0000":1}"#, r#""\u0000""#] {
            let ours = sqlstate_of(&format!("select tests.jsonb_out_fast('{doc}')"));
            let theirs = sqlstate_of(&format!("select '{doc}'::jsonb"));
            assert_eq!(ours.as_deref(), Some("22P05"), "{doc}");
            assert_eq!(ours, theirs, "{doc}");
        }
    }

    #[pg_test]
    fn overlong_strings_are_refused() {
        let limit = pg_sys::JENTRY_OFFLENMASK as i32;
        for as_key in [false, true] {
            let sql = format!("select tests.jsonb_out_long({}, {as_key})", limit + 1);
            assert_eq!(sqlstate_of(&sql).as_deref(), Some("54000"), "{sql}");
        }
    }
}
