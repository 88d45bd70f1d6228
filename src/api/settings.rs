//! The extension's settings (GUCs), validated when they are set.

use std::ffi::{c_char, c_void, CStr, CString};

use pgrx::guc::{GucContext, GucFlags, GucRegistry, GucSetting};
#[cfg(any(test, feature = "pg_test"))]
use pgrx::pg_schema;
use pgrx::{pg_guard, pg_sys, PostgresGucEnum};

/// Which routines become endpoints (NpgsqlRest's `CommentsMode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PostgresGucEnum)]
pub enum CommentsMode {
    Ignore,
    ParseAll,
    OnlyWithHttpTag,
    OnlyAnnotated,
}

static URL_PREFIX: GucSetting<Option<CString>> = GucSetting::<Option<CString>>::new(Some(c"/api"));
static COMMENTS_MODE: GucSetting<CommentsMode> =
    GucSetting::<CommentsMode>::new(CommentsMode::OnlyWithHttpTag);

/// Characters a URL prefix cannot hold: they would end the path or break
/// request matching.
const PREFIX_FORBIDDEN: &[char] = &['?', '#', '{', '}', ' ', '\t', '\r', '\n'];

pub fn register() {
    // SAFETY: the check hook below has the signature Postgres expects.
    unsafe {
        GucRegistry::define_string_guc_with_hooks(
            c"npgsqlrest_logout.url_prefix",
            c"Prefix of the default endpoint paths (NpgsqlRest UrlPathPrefix).",
            c"Generated paths are url_prefix + schema (unless public) + routine name.",
            &URL_PREFIX,
            GucContext::Userset,
            GucFlags::default(),
            Some(check_url_prefix),
            None,
            None,
        );
    }
    GucRegistry::define_enum_guc(
        c"npgsqlrest_logout.comments_mode",
        c"Which routines become endpoints: Ignore, ParseAll, OnlyWithHttpTag, OnlyAnnotated.",
        c"NpgsqlRest CommentsMode; values are case-insensitive.",
        &COMMENTS_MODE,
        GucContext::Userset,
        GucFlags::default(),
    );
}

/// The current `npgsqlrest_logout.url_prefix`.
pub fn url_prefix() -> String {
    URL_PREFIX
        .get()
        .map(|p| super::server_text::to_rust(p.to_bytes()).into_owned())
        .unwrap_or_default()
}

/// Whether `npgsqlrest_logout.url_prefix` is `prefix`, without copying it
/// (caches check this on every call).
pub fn url_prefix_is(prefix: &str) -> bool {
    // SAFETY: the setting's variable holds NULL or a C string owned by the
    // GUC machinery, valid until the setting changes.
    unsafe {
        let raw = *URL_PREFIX.as_ptr();
        if raw.is_null() {
            prefix.is_empty()
        } else {
            super::server_text::to_rust(CStr::from_ptr(raw).to_bytes()) == prefix
        }
    }
}

/// The current `npgsqlrest_logout.comments_mode`.
pub fn comments_mode() -> CommentsMode {
    COMMENTS_MODE.get()
}

impl From<CommentsMode> for crate::core::endpoint::CommentsMode {
    fn from(mode: CommentsMode) -> Self {
        match mode {
            CommentsMode::Ignore => Self::Ignore,
            CommentsMode::ParseAll => Self::ParseAll,
            CommentsMode::OnlyWithHttpTag => Self::OnlyWithHttpTag,
            CommentsMode::OnlyAnnotated => Self::OnlyAnnotated,
        }
    }
}

#[pg_guard]
unsafe extern "C-unwind" fn check_url_prefix(
    newval: *mut *mut c_char,
    _extra: *mut *mut c_void,
    _source: pg_sys::GucSource::Type,
) -> bool {
    // SAFETY: Postgres passes a valid pointer to a (possibly NULL) C string.
    let value = unsafe {
        match (*newval).is_null() {
            true => return true,
            false => CStr::from_ptr(*newval).to_string_lossy(),
        }
    };
    if !value.contains(PREFIX_FORBIDDEN) {
        return true;
    }
    let detail = c"A URL prefix is a path such as /api: no spaces, '?', '#', '{' or '}'.";
    // SAFETY: GUC_check_errdetail_string is read by Postgres right after the
    // hook returns; pstrdup copies into the current memory context.
    unsafe {
        pg_sys::GUC_check_errdetail_string = pg_sys::pstrdup(detail.as_ptr());
    }
    false
}

#[cfg(any(test, feature = "pg_test"))]
#[pg_schema]
mod tests {
    use crate::api::test_support::{sqlstate_of, text_of};
    use pgrx::prelude::*;

    #[pg_test]
    fn defaults() {
        // Loading the library registers the settings.
        text_of("select parse_annotations(null)::text");
        assert_eq!(
            text_of("show npgsqlrest_logout.url_prefix").as_deref(),
            Some("/api")
        );
        assert_eq!(
            text_of("show npgsqlrest_logout.comments_mode").as_deref(),
            Some("OnlyWithHttpTag")
        );
    }

    #[pg_test]
    fn comments_mode_is_case_insensitive_and_validated() {
        text_of("select parse_annotations(null)::text");
        Spi::run("set npgsqlrest_logout.comments_mode = 'parseall'").expect("a valid mode");
        assert_eq!(
            text_of("show npgsqlrest_logout.comments_mode").as_deref(),
            Some("ParseAll")
        );
        let sql = "set npgsqlrest_logout.comments_mode = 'everything'";
        assert_eq!(sqlstate_of(sql).as_deref(), Some("22023"));
    }

    #[pg_test]
    fn url_prefix_is_validated() {
        text_of("select parse_annotations(null)::text");
        Spi::run("set npgsqlrest_logout.url_prefix = ''").expect("an empty prefix is valid");
        Spi::run("set npgsqlrest_logout.url_prefix = '/v1/api'").expect("a path is valid");
        for bad in ["/api?x=1", "/a b", "/{x}"] {
            let sql = format!("set npgsqlrest_logout.url_prefix = '{bad}'");
            assert_eq!(sqlstate_of(&sql).as_deref(), Some("22023"), "prefix {bad}");
        }
    }
}
