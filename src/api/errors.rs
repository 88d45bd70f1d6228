//! Errors users can act on: a specific SQLSTATE, a message naming the bad
//! value, and a hint saying what to do.

use pgrx::pg_sys::panic::ErrorReport;
use pgrx::{PgLogLevel, PgSqlErrorCode};

use super::server_text;

/// Raises an ERROR; never returns. The error unwinds the Rust frames
/// (pgrx reports it at the function's boundary), so whatever they hold is
/// freed.
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
