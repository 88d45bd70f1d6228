//! `anyelement` arguments whose type is looked up once per call site.
//!
//! pgrx's `AnyElement` asks Postgres for the argument's type on every call
//! (`get_fn_expr_argtype` walks the call's expression): for
//! `resolve_logout_schemes` over a table of text, 8% of the query. The
//! type is fixed where the call is written, so it is kept in the call's
//! `fn_extra`, which Postgres keeps as long as the call's expression.

use pgrx::callconv::{Arg, ArgAbi};
use pgrx::pg_sys;
use pgrx::pgrx_sql_entity_graph::metadata::{
    ArgumentError, ReturnsError, ReturnsRef, SqlMappingRef, SqlTranslatable, TypeOrigin,
};
use pgrx::FromDatum;

/// An `anyelement` argument as its bare datum; [`typed`] gives its type.
pub struct AnyDatum(pg_sys::Datum);

impl FromDatum for AnyDatum {
    unsafe fn from_polymorphic_datum(
        datum: pg_sys::Datum,
        is_null: bool,
        _type_oid: pg_sys::Oid,
    ) -> Option<Self> {
        (!is_null).then_some(AnyDatum(datum))
    }
}

// SAFETY: the datum is taken as it is; nothing reads it here.
unsafe impl<'fcx> ArgAbi<'fcx> for AnyDatum {
    unsafe fn unbox_arg_unchecked(arg: Arg<'_, 'fcx>) -> Self {
        // SAFETY: FromDatum above reads no memory.
        let datum = unsafe { arg.unbox_arg_using_from_datum::<AnyDatum>() };
        datum.unwrap_or(AnyDatum(pg_sys::Datum::from(0)))
    }

    unsafe fn unbox_nullable_arg(arg: Arg<'_, 'fcx>) -> pgrx::nullable::Nullable<Self> {
        // SAFETY: as above.
        unsafe { arg.unbox_arg_using_from_datum::<AnyDatum>() }.into()
    }
}

// SAFETY: the SQL type is the one the argument is declared with.
unsafe impl SqlTranslatable for AnyDatum {
    const TYPE_IDENT: &'static str = pgrx::pgrx_resolved_type!(AnyDatum);
    const TYPE_ORIGIN: TypeOrigin = TypeOrigin::External;
    const ARGUMENT_SQL: Result<SqlMappingRef, ArgumentError> =
        Ok(SqlMappingRef::literal("anyelement"));
    const RETURN_SQL: Result<ReturnsRef, ReturnsError> =
        Ok(ReturnsRef::One(SqlMappingRef::literal("anyelement")));
}

/// The value of the call's `anyelement` argument at `index` with its type,
/// or None for NULL. A function has one such argument: its type is the
/// one kept in `fn_extra`.
pub fn typed(
    value: Option<AnyDatum>,
    fcinfo: pg_sys::FunctionCallInfo,
    index: usize,
) -> Option<(pg_sys::Datum, pg_sys::Oid)> {
    let AnyDatum(datum) = value?;
    // SAFETY: fcinfo is the current call's; fn_extra is this function's
    // own, set below to an OID allocated in fn_mcxt, which lives as long
    // as the FmgrInfo.
    let type_oid = unsafe {
        let flinfo = (*fcinfo).flinfo;
        if flinfo.is_null() {
            // Called without a function lookup: no expression to ask.
            return Some((datum, pg_sys::InvalidOid));
        }
        let kept = (*flinfo).fn_extra.cast::<pg_sys::Oid>();
        if kept.is_null() {
            let found = pg_sys::get_fn_expr_argtype(flinfo, index as i32);
            if found != pg_sys::InvalidOid {
                let slot = pg_sys::MemoryContextAlloc((*flinfo).fn_mcxt, size_of::<pg_sys::Oid>())
                    .cast::<pg_sys::Oid>();
                slot.write(found);
                (*flinfo).fn_extra = slot.cast();
            }
            found
        } else {
            kept.read()
        }
    };
    Some((datum, type_oid))
}
