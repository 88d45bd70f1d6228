//! Text between the server encoding and the Rust core, which works in
//! UTF-8: every text that comes in from Postgres (arguments, catalog
//! names and comments, values' output) goes through [`to_rust`], every
//! text that goes out (`text[]` results, jsonb documents, error messages)
//! through [`to_server`].
//!
//! In a UTF-8 database (the usual case) nothing is converted: the bytes
//! are the text. Elsewhere (LATIN1, EUC_JP, …) ASCII passes through as
//! is, since every server encoding is an ASCII superset, and anything
//! else is converted with `pg_server_to_any`/`pg_any_to_server`, which
//! raise Postgres' own errors (22021, 22P05) for bytes that cannot be
//! converted.

use std::borrow::Cow;
use std::cell::Cell;

use pgrx::callconv::{Arg, ArgAbi};
use pgrx::pgrx_sql_entity_graph::metadata::{
    ArgumentError, ReturnsError, ReturnsRef, SqlMappingRef, SqlTranslatable, TypeOrigin,
};
use pgrx::{pg_sys, FromDatum, IntoDatum};

use super::text_array::TextElements;
use super::varlena;

thread_local! {
    /// The database encoding: 0 until first asked (it is fixed once the
    /// backend is connected to its database), then 1 for UTF-8, 2 for
    /// any other.
    static SERVER_IS_UTF8: Cell<u8> = const { Cell::new(0) };
}

/// Whether the database encoding is UTF-8, where no text is converted.
#[inline]
pub fn is_utf8() -> bool {
    match SERVER_IS_UTF8.with(Cell::get) {
        1 => true,
        2 => false,
        _ => {
            // SAFETY: reads the backend's database encoding.
            let utf8 = unsafe { pg_sys::GetDatabaseEncoding() } == pg_sys::pg_enc::PG_UTF8 as i32;
            SERVER_IS_UTF8.with(|c| c.set(if utf8 { 1 } else { 2 }));
            utf8
        }
    }
}

/// Text in the server encoding as UTF-8 for the core. In a UTF-8
/// database the bytes are borrowed (Postgres only stores valid text);
/// elsewhere non-ASCII text is converted.
pub fn to_rust(bytes: &[u8]) -> Cow<'_, str> {
    if bytes.is_ascii() {
        // SAFETY: ASCII is valid UTF-8.
        return Cow::Borrowed(unsafe { std::str::from_utf8_unchecked(bytes) });
    }
    if is_utf8() {
        return String::from_utf8_lossy(bytes);
    }
    // SAFETY: converts `bytes.len()` bytes; the result is the input
    // pointer when nothing was converted (SQL_ASCII), else a palloc'd,
    // NUL-terminated string freed after copying.
    unsafe {
        let len = i32::try_from(bytes.len()).unwrap_or(i32::MAX);
        let source = bytes.as_ptr().cast::<std::ffi::c_char>();
        let converted = pg_sys::pg_server_to_any(source, len, pg_sys::pg_enc::PG_UTF8 as i32);
        if converted.cast_const() == source {
            return String::from_utf8_lossy(bytes);
        }
        let text = std::ffi::CStr::from_ptr(converted)
            .to_string_lossy()
            .into_owned();
        pg_sys::pfree(converted.cast());
        Cow::Owned(text)
    }
}

/// A NUL-terminated server string (a type's output, a catalog name) as
/// UTF-8, copied.
///
/// # Safety
/// `text` points to a NUL-terminated string.
pub unsafe fn c_to_rust(text: *const std::ffi::c_char) -> String {
    // SAFETY: the caller's guarantee.
    to_rust(unsafe { std::ffi::CStr::from_ptr(text) }.to_bytes()).into_owned()
}

/// UTF-8 text from the core in the server encoding. Borrowed in a UTF-8
/// database and for ASCII; a character the server encoding lacks raises
/// 22P05.
pub fn to_server(text: &str) -> Cow<'_, [u8]> {
    if text.is_ascii() || is_utf8() {
        return Cow::Borrowed(text.as_bytes());
    }
    // SAFETY: converts `text.len()` bytes of UTF-8; the result is the
    // input pointer when nothing was converted (SQL_ASCII), else a
    // palloc'd, NUL-terminated string freed after copying.
    unsafe {
        let len = i32::try_from(text.len()).unwrap_or(i32::MAX);
        let source = text.as_ptr().cast::<std::ffi::c_char>();
        let converted = pg_sys::pg_any_to_server(source, len, pg_sys::pg_enc::PG_UTF8 as i32);
        if converted.cast_const() == source {
            return Cow::Borrowed(text.as_bytes());
        }
        let bytes = std::ffi::CStr::from_ptr(converted).to_bytes().to_vec();
        pg_sys::pfree(converted.cast());
        Cow::Owned(bytes)
    }
}

/// A `text` argument as UTF-8: `#[pg_extern] fn f(x: Option<ServerStr>)`
/// takes `text` as `Option<&str>` would, in any server encoding.
pub struct ServerStr<'a>(pub Cow<'a, str>);

impl<'a> ServerStr<'a> {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromDatum for ServerStr<'_> {
    unsafe fn from_polymorphic_datum(
        datum: pg_sys::Datum,
        is_null: bool,
        _: pg_sys::Oid,
    ) -> Option<Self> {
        if is_null {
            return None;
        }
        // SAFETY: a text datum, detoasted in the current memory context,
        // which outlives the call.
        let bytes: &[u8] = unsafe { varlena::content(datum) };
        Some(ServerStr(to_rust(bytes)))
    }
}

// SAFETY: unboxed with FromDatum, as pgrx does for &str.
unsafe impl<'fcx> ArgAbi<'fcx> for ServerStr<'fcx> {
    unsafe fn unbox_arg_unchecked(arg: Arg<'_, 'fcx>) -> Self {
        // SAFETY: Postgres passes a text datum.
        unsafe { arg.unbox_arg_using_from_datum() }.unwrap_or(ServerStr(Cow::Borrowed("")))
    }
}

// SAFETY: the SQL type is text, which FromDatum reads.
unsafe impl SqlTranslatable for ServerStr<'_> {
    const TYPE_IDENT: &'static str = pgrx::pgrx_resolved_type!(ServerStr<'static>);
    const TYPE_ORIGIN: TypeOrigin = TypeOrigin::External;
    const ARGUMENT_SQL: Result<SqlMappingRef, ArgumentError> = Ok(SqlMappingRef::literal("TEXT"));
    const RETURN_SQL: Result<ReturnsRef, ReturnsError> =
        Ok(ReturnsRef::One(SqlMappingRef::literal("TEXT")));
}

/// A `text[]` argument's non-null elements as UTF-8, in any server
/// encoding (one dimension or many, read in storage order).
pub struct ServerStrings(pub Vec<String>);

impl FromDatum for ServerStrings {
    unsafe fn from_polymorphic_datum(
        datum: pg_sys::Datum,
        is_null: bool,
        _: pg_sys::Oid,
    ) -> Option<Self> {
        if is_null {
            return None;
        }
        // SAFETY: a text[] datum, detoasted in the current memory context.
        let elements = unsafe { TextElements::of(datum) };
        // Grown as read: the array's length counts NULLs, so it is no
        // size to reserve.
        let strings = elements
            .map(|(_, bytes)| match bytes {
                Some(bytes) => to_rust(bytes).into_owned(),
                None => super::errors::raise(
                    pgrx::PgSqlErrorCode::ERRCODE_DATA_CORRUPTED,
                    "a text[] argument holds an element stored compressed or out of line, which arrays never do".into(),
                    None,
                    None,
                ),
            })
            .collect();
        Some(ServerStrings(strings))
    }
}

// SAFETY: unboxed with FromDatum.
unsafe impl<'fcx> ArgAbi<'fcx> for ServerStrings {
    unsafe fn unbox_arg_unchecked(arg: Arg<'_, 'fcx>) -> Self {
        // SAFETY: Postgres passes a text[] datum.
        unsafe { arg.unbox_arg_using_from_datum() }.unwrap_or(ServerStrings(Vec::new()))
    }
}

// SAFETY: the SQL type is text[], which FromDatum reads.
unsafe impl SqlTranslatable for ServerStrings {
    const TYPE_IDENT: &'static str = pgrx::pgrx_resolved_type!(ServerStrings);
    const TYPE_ORIGIN: TypeOrigin = TypeOrigin::External;
    const ARGUMENT_SQL: Result<SqlMappingRef, ArgumentError> = Ok(SqlMappingRef::literal("TEXT[]"));
    const RETURN_SQL: Result<ReturnsRef, ReturnsError> =
        Ok(ReturnsRef::One(SqlMappingRef::literal("TEXT[]")));
}

/// A `text` result from UTF-8, written in the server encoding: what
/// `String` is as a result, in any server encoding.
pub struct ServerString(pub String);

impl IntoDatum for ServerString {
    fn into_datum(self) -> Option<pg_sys::Datum> {
        let bytes = to_server(&self.0);
        let len = i32::try_from(bytes.len()).unwrap_or(i32::MAX);
        // SAFETY: copies `len` bytes into a palloc'd text.
        let text = unsafe { pg_sys::cstring_to_text_with_len(bytes.as_ptr().cast(), len) };
        Some(pg_sys::Datum::from(text))
    }

    fn type_oid() -> pg_sys::Oid {
        pg_sys::TEXTOID
    }
}

// SAFETY: the SQL type is text, which IntoDatum makes.
unsafe impl SqlTranslatable for ServerString {
    const TYPE_IDENT: &'static str = pgrx::pgrx_resolved_type!(ServerString);
    const TYPE_ORIGIN: TypeOrigin = TypeOrigin::External;
    const ARGUMENT_SQL: Result<SqlMappingRef, ArgumentError> = Ok(SqlMappingRef::literal("TEXT"));
    const RETURN_SQL: Result<ReturnsRef, ReturnsError> =
        Ok(ReturnsRef::One(SqlMappingRef::literal("TEXT")));
}

// SAFETY: the datum is a text value in the current memory context.
unsafe impl pgrx::callconv::BoxRet for ServerString {
    unsafe fn box_into<'fcx>(
        self,
        fcinfo: &mut pgrx::callconv::FcInfo<'fcx>,
    ) -> pgrx::datum::Datum<'fcx> {
        match self.into_datum() {
            // SAFETY: as above.
            Some(datum) => unsafe { fcinfo.return_raw_datum(datum) },
            None => fcinfo.return_null(),
        }
    }
}
