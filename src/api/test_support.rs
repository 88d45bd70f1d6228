//! Helpers for `#[pg_test]`s: run SQL and read what it returns or the
//! SQLSTATE it raises (caught in PL/pgSQL, so the test transaction lives on).

use pgrx::prelude::*;

/// The SQLSTATE `sql` raises, or None when it succeeds.
pub fn sqlstate_of(sql: &str) -> Option<String> {
    Spi::run(
        "create or replace function pg_temp.sqlstate_of(q text) returns text
         language plpgsql as $$
         begin execute q; return null;
         exception when others then return sqlstate; end $$",
    )
    .expect("the helper function is created");
    Spi::get_one_with_args::<String>("select pg_temp.sqlstate_of($1)", &[sql.into()])
        .expect("the helper function runs")
}

/// The single text value `sql` returns.
pub fn text_of(sql: &str) -> Option<String> {
    Spi::get_one::<String>(sql).expect("the query runs")
}

/// `SQLSTATE: message (detail)` of the error `sql` raises, or None.
pub fn error_of(sql: &str) -> Option<String> {
    Spi::run(
        "create or replace function pg_temp.error_of(q text) returns text
         language plpgsql as $$
         declare m text; d text;
         begin execute q; return null;
         exception when others then
           get stacked diagnostics m = message_text, d = pg_exception_detail;
           return sqlstate || ': ' || m || coalesce(' (' || nullif(d, '') || ')', '');
         end $$",
    )
    .expect("the helper function is created");
    Spi::get_one_with_args::<String>("select pg_temp.error_of($1)", &[sql.into()])
        .expect("the helper function runs")
}

/// A value as its type's output function writes it.
pub fn output_text(datum: pg_sys::Datum, type_oid: pg_sys::Oid) -> String {
    // SAFETY: `datum` is a live value of `type_oid`; the output is a
    // palloc'd C string, copied.
    unsafe {
        let mut output = pg_sys::InvalidOid;
        let mut varlena = false;
        pg_sys::getTypeOutputInfo(type_oid, &mut output, &mut varlena);
        let text = pg_sys::OidOutputFunctionCall(output, datum);
        std::ffi::CStr::from_ptr(text)
            .to_string_lossy()
            .into_owned()
    }
}
