//! Errors users can act on: a specific SQLSTATE, a message naming the bad
//! value, and a hint saying what to do.

use pgrx::pg_sys::panic::ErrorReport;
use pgrx::{PgLogLevel, PgSqlErrorCode};

use super::server_text;

/// Raises an ERROR; never returns. The error unwinds the Rust frames
/// (pgrx reports it at the function's boundary), so whatever they hold is
/// freed.
#[cold]
#[inline(never)]
pub fn raise(
    code: PgSqlErrorCode,
    message: String,
    detail: Option<String>,
    hint: Option<&str>,
) -> ! {
    let mut report = ErrorReport::new(code, for_server(message), "npgsqlrest_logout");
    if let Some(detail) = detail {
        report = report.set_detail(for_server(detail));
    }
    if let Some(hint) = hint {
        report = report.set_hint(hint);
    }
    report.report(PgLogLevel::ERROR);
    unreachable!("an ERROR report does not return")
}

/// Raises 53200 `out_of_memory`: "out of memory " and what was being done.
#[cold]
#[inline(never)]
pub fn out_of_memory(doing: String) -> ! {
    raise(
        PgSqlErrorCode::ERRCODE_OUT_OF_MEMORY,
        format!("out of memory {doing}"),
        None,
        None,
    )
}

/// Room for `count` more items, reserved fallibly: a size that comes from
/// input raises 53200 (saying what was being done) instead of aborting.
pub fn reserve<T>(items: &mut Vec<T>, count: usize, doing: impl FnOnce() -> String) {
    if items.try_reserve_exact(count).is_err() {
        out_of_memory(doing());
    }
}

/// A message as it can reach the client. pgrx reports a message's UTF-8
/// bytes as they are, which a database in another encoding would read as
/// its own: there, each non-ASCII character is written as a `\uXXXX`
/// escape (`\UXXXXXXXX` past the BMP), which every encoding carries.
fn for_server(message: String) -> String {
    if message.is_ascii() || server_text::is_utf8() {
        return message;
    }
    let mut out = String::with_capacity(message.len() + 16);
    for c in message.chars() {
        match u32::from(c) {
            ascii @ 0..=0x7f => out.push(char::from(ascii as u8)),
            bmp @ 0x80..=0xffff => out.push_str(&format!("\\u{bmp:04x}")),
            other => out.push_str(&format!("\\U{other:08x}")),
        }
    }
    out
}

/// At most 200 characters of a value for a message, with `…` when cut.
pub fn shorten(text: &str) -> String {
    let short: String = text.chars().take(200).collect();
    if short.len() < text.len() {
        format!("{short}…")
    } else {
        short
    }
}
