//! The user context: transaction-local settings that tell a routine who is
//! asking (`current_setting('request.user_id', true)`), as NpgsqlRest's
//! `UseUserContext` does, but local to the transaction so nothing leaks to
//! the next request on a pooled connection.

use pgrx::{pg_sys, PgSqlErrorCode};

use super::errors::{raise, reserve};
use super::server_text::to_server;
use super::settings::{self, CLAIMS_JSON_CONTEXT_KEY, CONTEXT_CLAIMS, IP_ADDRESS_CONTEXT_KEY};
use crate::core::request::claims::{Caller, ClaimValue};

/// Sets the context keys: the IP address (empty when unknown), each
/// mapped claim (empty when the caller lacks it) and the claims JSON. An
/// anonymous caller gets every key empty: the values are local to the
/// transaction, and an earlier request in the same transaction (a batch,
/// or a front-end that wraps several requests in one) must not leave its
/// user's identity to this one.
pub fn set_user_context(caller: &Caller, ip_address: Option<&str>) {
    if !IP_ADDRESS_CONTEXT_KEY.is_empty() {
        IP_ADDRESS_CONTEXT_KEY.with(|key| set_local(key, ip_address.unwrap_or("")));
    }
    for (key, claim) in settings::mapping(&CONTEXT_CLAIMS).iter() {
        let value = caller
            .authenticated
            .then(|| caller.claims.get(claim))
            .flatten();
        match value {
            Some(ClaimValue::One(value)) => set_local(key, value),
            Some(value) => set_local(key, &value.context_text()),
            None => set_local(key, ""),
        }
    }
    if !CLAIMS_JSON_CONTEXT_KEY.is_empty() {
        let json = if caller.authenticated {
            caller.claims.to_json().to_string()
        } else {
            String::new()
        };
        CLAIMS_JSON_CONTEXT_KEY.with(|key| set_local(key, &json));
    }
}

/// Sets `request_headers_context_key` to the headers JSON.
pub fn set_headers(headers_json: &str) {
    let key = &settings::REQUEST_HEADERS_CONTEXT_KEY;
    if !key.is_empty() {
        key.with(|key| set_local(key, headers_json));
    }
}

/// `set_config(key, value, true)`. Both are copied, as C strings, before
/// any setting changes.
fn set_local(key: &str, value: &str) {
    let (key_bytes, value_bytes) = (to_server(key), to_server(value));
    let nul = |bytes: &[u8]| bytes.contains(&0);
    if nul(&key_bytes) || nul(&value_bytes) {
        raise(
            PgSqlErrorCode::ERRCODE_UNTRANSLATABLE_CHARACTER,
            format!("the value for context key \"{key}\" contains a NUL character"),
            None,
            None,
        );
    }
    // One buffer: the key, NUL, the value, NUL; on the stack when short,
    // as keys and most claim values are.
    let size = key_bytes.len() + value_bytes.len() + 2;
    let mut stack = [0u8; 256];
    let mut heap = Vec::new();
    let both: &mut [u8] = if size <= stack.len() {
        &mut stack[..size]
    } else {
        reserve(&mut heap, size, || {
            format!("setting context key \"{key}\" to a value of {size} bytes")
        });
        heap.resize(size, 0);
        &mut heap
    };
    both[..key_bytes.len()].copy_from_slice(&key_bytes);
    both[key_bytes.len() + 1..size - 1].copy_from_slice(&value_bytes);
    let (c_key, c_value) = both.split_at(key_bytes.len() + 1);
    // SAFETY: both are NUL-terminated C strings without inner NULs;
    // Postgres copies them and raises its own error for a name that cannot
    // be a setting.
    unsafe {
        pg_sys::set_config_option(
            c_key.as_ptr().cast(),
            c_value.as_ptr().cast(),
            pg_sys::GucContext::PGC_USERSET,
            pg_sys::GucSource::PGC_S_SESSION,
            pg_sys::GucAction::GUC_ACTION_LOCAL,
            true,
            0,
            false,
        );
    }
}
