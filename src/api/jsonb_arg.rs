//! A `jsonb` argument read as serde JSON, keeping a parse failure (such as
//! nesting deeper than serde's limit) as a value so the caller can raise a
//! proper SQLSTATE instead of failing inside argument conversion.

use pgrx::callconv::{Arg, ArgAbi};
use pgrx::pgrx_sql_entity_graph::metadata::{
    ArgumentError, ReturnsError, ReturnsRef, SqlMappingRef, SqlTranslatable, TypeOrigin,
};
use pgrx::{pg_sys, FromDatum};
use serde_json::Value;

pub struct JsonbArg(pub Result<Value, String>);

impl FromDatum for JsonbArg {
    unsafe fn from_polymorphic_datum(
        datum: pg_sys::Datum,
        is_null: bool,
        _: pg_sys::Oid,
    ) -> Option<Self> {
        if is_null {
            return None;
        }
        // SAFETY: a jsonb datum, detoasted to read its root header.
        if unsafe { is_empty_object(datum) } {
            return Some(JsonbArg(Ok(Value::Object(Default::default()))));
        }
        // SAFETY: a jsonb datum; jsonb_out returns a palloc'd C string.
        let text = unsafe {
            let out =
                pgrx::direct_function_call::<&std::ffi::CStr>(pg_sys::jsonb_out, &[Some(datum)]);
            out.map(|c| super::server_text::to_rust(c.to_bytes()).into_owned())
                .unwrap_or_default()
        };
        Some(JsonbArg(
            serde_json::from_str(&text).map_err(|e| e.to_string()),
        ))
    }
}

/// Whether a jsonb datum is `{}`, the usual body of a logout request,
/// read from its root header without printing it.
unsafe fn is_empty_object(datum: pg_sys::Datum) -> bool {
    /// JB_CMASK and JB_FOBJECT of utils/jsonb.h.
    const COUNT_MASK: u32 = 0x0FFF_FFFF;
    const OBJECT_FLAG: u32 = 0x2000_0000;
    // SAFETY: the container header is the first 4 bytes of the data.
    unsafe {
        let raw = datum.cast_mut_ptr::<pg_sys::varlena>();
        let plain = pg_sys::pg_detoast_datum_packed(raw);
        let header = pgrx::varlena::vardata_any(plain)
            .cast::<u32>()
            .read_unaligned();
        if plain != raw {
            pg_sys::pfree(plain.cast());
        }
        header & COUNT_MASK == 0 && header & OBJECT_FLAG != 0
    }
}

// SAFETY: unboxed with FromDatum, as pgrx does for its own types.
unsafe impl<'fcx> ArgAbi<'fcx> for JsonbArg {
    unsafe fn unbox_arg_unchecked(arg: Arg<'_, 'fcx>) -> Self {
        // SAFETY: Postgres passes a jsonb datum; NULL becomes an empty object.
        unsafe { arg.unbox_arg_using_from_datum() }
            .unwrap_or(JsonbArg(Ok(Value::Object(Default::default()))))
    }
}

// SAFETY: the SQL type is jsonb, which FromDatum reads.
unsafe impl SqlTranslatable for JsonbArg {
    const TYPE_IDENT: &'static str = pgrx::pgrx_resolved_type!(JsonbArg);
    const TYPE_ORIGIN: TypeOrigin = TypeOrigin::External;
    const ARGUMENT_SQL: Result<SqlMappingRef, ArgumentError> = Ok(SqlMappingRef::literal("jsonb"));
    const RETURN_SQL: Result<ReturnsRef, ReturnsError> =
        Ok(ReturnsRef::One(SqlMappingRef::literal("jsonb")));
}
