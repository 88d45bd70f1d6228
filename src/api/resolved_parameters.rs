//! Resolved parameters (`_p = <sql>` lines): each expression runs as the
//! calling role in the caller's transaction, its placeholders bound as
//! text parameters; the first column of the first row is the value.

use std::ffi::{CStr, CString};

use pgrx::{pg_sys, PgSqlErrorCode};

use super::errors::raise;
use super::server_text::{to_rust, to_server};

/// The text of the first column of the first row `sql` returns (None for
/// NULL or no row), with `$1…` bound to `values`.
pub fn evaluate(sql: &str, values: &[Option<&str>]) -> Option<String> {
    let Ok(sql) = CString::new(to_server(sql).into_owned()) else {
        raise(
            PgSqlErrorCode::ERRCODE_UNTRANSLATABLE_CHARACTER,
            "a resolved parameter's expression contains a NUL character".into(),
            None,
            None,
        );
    };
    let mut types = vec![pg_sys::TEXTOID; values.len()];
    // SAFETY: text datums palloc'd in the current memory context, which
    // outlives the SPI call.
    let mut datums: Vec<pg_sys::Datum> = values
        .iter()
        .map(|v| match v {
            Some(text) => {
                let bytes = to_server(text);
                let len = i32::try_from(bytes.len()).unwrap_or(i32::MAX);
                unsafe {
                    pg_sys::Datum::from(pg_sys::cstring_to_text_with_len(
                        bytes.as_ptr().cast(),
                        len,
                    ))
                }
            }
            None => pg_sys::Datum::from(0),
        })
        .collect();
    let nulls: Vec<std::ffi::c_char> = values
        .iter()
        .map(|v| if v.is_some() { b' ' } else { b'n' } as std::ffi::c_char)
        .collect();
    // SAFETY: SPI is connected around the statement; the value is copied
    // out before SPI_finish frees the result. An error unwinds through
    // Postgres, which closes SPI at abort.
    unsafe {
        pg_sys::SPI_connect();
        let status = pg_sys::SPI_execute_with_args(
            sql.as_ptr(),
            values.len() as i32,
            types.as_mut_ptr(),
            datums.as_mut_ptr(),
            nulls.as_ptr(),
            false,
            1,
        );
        if status < 0 {
            pg_sys::SPI_finish();
            raise(
                PgSqlErrorCode::ERRCODE_INTERNAL_ERROR,
                format!("a resolved parameter's expression failed (SPI result {status})"),
                None,
                None,
            );
        }
        let table = pg_sys::SPI_tuptable;
        let mut value = None;
        if !table.is_null() && pg_sys::SPI_processed > 0 && (*(*table).tupdesc).natts > 0 {
            let row = *(*table).vals;
            let text = pg_sys::SPI_getvalue(row, (*table).tupdesc, 1);
            if !text.is_null() {
                value = Some(to_rust(CStr::from_ptr(text).to_bytes()).into_owned());
            }
        }
        pg_sys::SPI_finish();
        value
    }
}
