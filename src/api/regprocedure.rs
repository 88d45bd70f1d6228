//! `regprocedure` as a Rust type, so SQL signatures say `regprocedure`
//! (users write `'logout_web()'`) while Rust handles the OID.

use pgrx::callconv::{Arg, ArgAbi, BoxRet, FcInfo};
use pgrx::pg_sys;
use pgrx::pgrx_sql_entity_graph::metadata::{
    ArgumentError, ReturnsError, ReturnsRef, SqlMappingRef, SqlTranslatable, TypeOrigin,
};
use pgrx::{FromDatum, IntoDatum};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RegProcedure(pub pg_sys::Oid);

impl FromDatum for RegProcedure {
    unsafe fn from_polymorphic_datum(
        datum: pg_sys::Datum,
        is_null: bool,
        _: pg_sys::Oid,
    ) -> Option<Self> {
        // SAFETY: a regprocedure datum is an OID passed by value.
        (!is_null).then(|| {
            RegProcedure(unsafe { pg_sys::Oid::from_datum(datum, false) }.unwrap_or_default())
        })
    }
}

impl IntoDatum for RegProcedure {
    fn into_datum(self) -> Option<pg_sys::Datum> {
        self.0.into_datum()
    }

    fn type_oid() -> pg_sys::Oid {
        pg_sys::REGPROCEDUREOID
    }
}

// SAFETY: the argument is unboxed with FromDatum, as pgrx does for OIDs.
unsafe impl<'fcx> ArgAbi<'fcx> for RegProcedure {
    unsafe fn unbox_arg_unchecked(arg: Arg<'_, 'fcx>) -> Self {
        // SAFETY: Postgres passes a regprocedure datum; a strict function
        // never sees NULL here.
        unsafe { arg.unbox_arg_using_from_datum() }.unwrap_or(RegProcedure(pg_sys::InvalidOid))
    }
}

// SAFETY: the datum returned is the OID, as pgrx returns OIDs.
unsafe impl BoxRet for RegProcedure {
    unsafe fn box_into<'fcx>(self, fcinfo: &mut FcInfo<'fcx>) -> pgrx::datum::Datum<'fcx> {
        // SAFETY: forwarded to the OID's own boxing.
        unsafe { self.0.box_into(fcinfo) }
    }
}

// SAFETY: the SQL type named here is the one IntoDatum reports.
unsafe impl SqlTranslatable for RegProcedure {
    const TYPE_IDENT: &'static str = pgrx::pgrx_resolved_type!(RegProcedure);
    const TYPE_ORIGIN: TypeOrigin = TypeOrigin::External;
    const ARGUMENT_SQL: Result<SqlMappingRef, ArgumentError> =
        Ok(SqlMappingRef::literal("regprocedure"));
    const RETURN_SQL: Result<ReturnsRef, ReturnsError> =
        Ok(ReturnsRef::One(SqlMappingRef::literal("regprocedure")));
}
