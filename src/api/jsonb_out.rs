//! `jsonb` results written straight into Postgres' binary form
//! (`core::jsonb_encode`) from a borrowed tree (`core::json_tree`).
//!
//! pgrx's `JsonB` prints the value to text and parses it back with
//! `jsonb_in`; Postgres' own builder copies it into a tree first. Profiles
//! of the SQL functions were dominated by that lexing and copying. The
//! result is the same datum `jsonb_in` would build from the tree's JSON
//! text, byte for byte.

use super::errors::raise;
use super::server_text;
use crate::core::json::jsonb_encode::{encode, Counter, EncodeError, SliceSink};
use crate::core::json::tree::Json;
use pgrx::callconv::{BoxRet, FcInfo};
use pgrx::pg_sys;
use pgrx::pgrx_sql_entity_graph::metadata::{
    ArgumentError, ReturnsError, ReturnsRef, SqlMappingRef, SqlTranslatable, TypeOrigin,
};
use pgrx::{IntoDatum, PgSqlErrorCode};
use serde_json::Number;
use std::ptr;
use std::rc::Rc;

/// A `jsonb` result: `#[pg_extern] fn f() -> FastJsonB` behaves like
/// returning `pgrx::JsonB`, only faster. It is written when made, so the
/// tree it comes from may borrow from the function's arguments.
pub struct FastJsonB(pg_sys::Datum);

impl FastJsonB {
    /// Writes `value` in the current memory context.
    pub fn new(value: &Json) -> Self {
        FastJsonB(to_jsonb(value))
    }
}

impl IntoDatum for FastJsonB {
    fn into_datum(self) -> Option<pg_sys::Datum> {
        Some(self.0)
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
    /// Builds `value` once and keeps the bytes. Written in one pass into a
    /// growing buffer: an endpoint's document is small, and walking it a
    /// second time to size it cost more than the copy.
    pub fn new(value: &Json) -> Self {
        let mut bytes = Vec::with_capacity(2048);
        check(encode(value, &mut numeric, &mut bytes));
        if !server_text::is_utf8() {
            // SAFETY: a complete jsonb varlena, copied into palloc'd
            // memory, re-encoded, and copied back out.
            unsafe {
                let copy = pg_sys::palloc(bytes.len()).cast::<u8>();
                ptr::copy_nonoverlapping(bytes.as_ptr(), copy, bytes.len());
                let converted = in_server_encoding(pg_sys::Datum::from(copy)).cast_mut_ptr::<u8>();
                bytes = std::slice::from_raw_parts(
                    converted,
                    pgrx::varlena::varsize_any(converted.cast()),
                )
                .to_vec();
            }
        }
        StoredJsonB(bytes.into())
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
pub fn to_jsonb(value: &Json) -> pg_sys::Datum {
    let mut counter = Counter::default();
    check(encode(value, &mut numeric, &mut counter));
    let len = counter.0;
    // SAFETY: palloc gives `len` writable bytes (or raises 54000 past
    // 1 GB); the second pass writes exactly the bytes the first counted.
    unsafe {
        let buffer = pg_sys::palloc(len).cast::<u8>();
        let bytes = std::slice::from_raw_parts_mut(buffer, len);
        check(encode(value, &mut numeric, &mut SliceSink::new(bytes)));
        let datum = pg_sys::Datum::from(buffer);
        if server_text::is_utf8() {
            datum
        } else {
            in_server_encoding(datum)
        }
    }
}

/// A jsonb value whose strings are UTF-8 made again with its strings in
/// the server encoding, for a database that is not UTF-8: printed (jsonb
/// prints string bytes as they are), converted, and read back by
/// `jsonb_in`. Only such databases take this slower way.
///
/// # Safety
/// `datum` is a complete jsonb value written by `encode`.
unsafe fn in_server_encoding(datum: pg_sys::Datum) -> pg_sys::Datum {
    // SAFETY: jsonb_out and jsonb_in take and give palloc'd values.
    unsafe {
        let text = pgrx::direct_function_call::<&std::ffi::CStr>(pg_sys::jsonb_out, &[Some(datum)]);
        let utf8 = text.map(|t| t.to_bytes()).unwrap_or(b"null");
        let converted = server_text::to_server(std::str::from_utf8(utf8).unwrap_or("null"));
        let mut c_text = Vec::with_capacity(converted.len() + 1);
        c_text.extend_from_slice(&converted);
        c_text.push(0);
        pgrx::direct_function_call_as_datum(
            pg_sys::jsonb_in,
            &[Some(pg_sys::Datum::from(c_text.as_ptr()))],
        )
        .unwrap_or(datum)
    }
}

fn check(result: Result<(), EncodeError>) {
    match result {
        Ok(()) => {}
        Err(EncodeError::Nul) => raise(
            PgSqlErrorCode::ERRCODE_UNTRANSLATABLE_CHARACTER,
            "unsupported Unicode escape sequence".into(),
            Some("\\u0000 cannot be converted to text.".into()),
            None,
        ),
        Err(EncodeError::StringTooLong) => raise(
            PgSqlErrorCode::ERRCODE_PROGRAM_LIMIT_EXCEEDED,
            "string too long to represent as jsonb string".into(),
            Some(format!(
                "Due to an implementation restriction, jsonb strings cannot exceed {} bytes.",
                pg_sys::JENTRY_OFFLENMASK
            )),
            None,
        ),
        Err(EncodeError::ContainerTooLarge) => raise(
            PgSqlErrorCode::ERRCODE_PROGRAM_LIMIT_EXCEEDED,
            format!(
                "total size of jsonb array elements exceeds the maximum of {} bytes",
                pg_sys::JENTRY_OFFLENMASK
            ),
            None,
            None,
        ),
    }
}

/// The numeric varlena of a number, as jsonb_in stores it: numeric_in of
/// serde's own text.
fn numeric(n: &Number) -> Vec<u8> {
    let mut text = n.to_string().into_bytes();
    text.push(0);
    // SAFETY: `text` is NUL-terminated and lives across the call;
    // numeric_in takes (cstring, typioparam, typmod) like jsonb_in's call.
    let datum = unsafe {
        pgrx::direct_function_call_as_datum(
            pg_sys::numeric_in,
            &[
                Some(pg_sys::Datum::from(text.as_ptr())),
                Some(pg_sys::Datum::from(pg_sys::InvalidOid)),
                Some(pg_sys::Datum::from(-1i32)),
            ],
        )
    };
    // SAFETY: numeric_in returns a plain 4-byte-header varlena, copied
    // and freed here.
    datum.map_or_else(Vec::new, |datum| unsafe {
        let ptr = datum.cast_mut_ptr::<u8>();
        let bytes =
            std::slice::from_raw_parts(ptr, pgrx::varlena::varsize_any(ptr.cast())).to_vec();
        pg_sys::pfree(ptr.cast());
        bytes
    })
}

#[cfg(any(test, feature = "pg_test"))]
#[pgrx::pg_schema]
mod tests {
    use super::{to_jsonb, FastJsonB};
    use crate::api::test_support::sqlstate_of;
    use crate::core::json::tree::Json;
    use pgrx::prelude::*;
    use pgrx::{IntoDatum, JsonB};
    use serde_json::{json, Value};

    #[pg_extern]
    fn jsonb_out_fast(doc: &str) -> Option<FastJsonB> {
        let value: Value = serde_json::from_str(doc).ok()?;
        Some(FastJsonB::new(&Json::Value(&value)))
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
        FastJsonB::new(&Json::Map(&map))
    }

    #[pg_extern]
    fn jsonb_out_rows() -> TableIterator<'static, (name!(n, i32), name!(doc, Option<FastJsonB>))> {
        TableIterator::new((0..3).map(|n| {
            (
                n,
                (n != 1).then(|| FastJsonB::new(&Json::Value(&json!({ "n": n })))),
            )
        }))
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
        let fast = bytes_of(to_jsonb(&Json::Value(value)));
        let pgrx = bytes_of(JsonB(value.clone()).into_datum().expect("not null"));
        assert!(fast == pgrx, "bytes differ for {:.200}", text);
        let same = Spi::get_one_with_args::<bool>(
            "select $1 = $2::jsonb and $1::text = $2::jsonb::text",
            &[
                FastJsonB::new(&Json::Value(value)).into(),
                text.clone().into(),
            ],
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
