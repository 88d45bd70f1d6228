//! The user context: transaction-local settings that tell a routine who is
//! asking (`current_setting('request.user_id', true)`), as NpgsqlRest's
//! `UseUserContext` does, but local to the transaction so nothing leaks to
//! the next request on a pooled connection.

use std::ffi::CString;

use pgrx::{pg_sys, PgSqlErrorCode};

use super::errors::raise;
use super::server_text::to_server;
use super::settings::{self, CLAIMS_JSON_CONTEXT_KEY, CONTEXT_CLAIMS, IP_ADDRESS_CONTEXT_KEY};
use crate::core::request::claims::Caller;

/// Sets the context keys: the IP address for every caller (empty when
/// unknown, so no earlier value survives), and for an authenticated one
/// each mapped claim (empty when they lack it) and the claims JSON.
pub fn set_user_context(caller: &Caller, ip_address: Option<&str>) {
    let ip_key = IP_ADDRESS_CONTEXT_KEY.get();
    if !ip_key.is_empty() {
        set_local(&ip_key, ip_address.unwrap_or(""));
    }
    if !caller.authenticated {
        return;
    }
    for (key, claim) in settings::mapping(&CONTEXT_CLAIMS).iter() {
        let value = caller.claims.get(claim).map(|v| v.context_text());
        set_local(key, value.as_deref().unwrap_or(""));
    }
    let json_key = CLAIMS_JSON_CONTEXT_KEY.get();
    if !json_key.is_empty() {
        set_local(&json_key, &caller.claims.to_json().to_string());
    }
}

/// Sets `request_headers_context_key` to the headers JSON.
pub fn set_headers(headers_json: &str) {
    let key = settings::REQUEST_HEADERS_CONTEXT_KEY.get();
    if !key.is_empty() {
        set_local(&key, headers_json);
    }
}

/// `set_config(key, value, true)`.
fn set_local(key: &str, value: &str) {
    let (key_bytes, value_bytes) = (to_server(key), to_server(value));
    let (Ok(c_key), Ok(c_value)) = (
        CString::new(key_bytes.into_owned()),
        CString::new(value_bytes.into_owned()),
    ) else {
        raise(
            PgSqlErrorCode::ERRCODE_UNTRANSLATABLE_CHARACTER,
            format!("the value for context key \"{key}\" contains a NUL character"),
            None,
            None,
        );
    };
    // SAFETY: both are C strings; Postgres copies them and raises its own
    // error for a name that cannot be a setting.
    unsafe {
        pg_sys::set_config_option(
            c_key.as_ptr(),
            c_value.as_ptr(),
            pg_sys::GucContext::PGC_USERSET,
            pg_sys::GucSource::PGC_S_SESSION,
            pg_sys::GucAction::GUC_ACTION_LOCAL,
            true,
            0,
            false,
        );
    }
}
