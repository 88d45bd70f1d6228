//! The extension's settings (GUCs), validated when they are set.

use std::cell::RefCell;
use std::ffi::{c_char, c_void, CStr, CString};
use std::rc::Rc;

use pgrx::guc::{GucContext, GucFlags, GucRegistry, GucSetting};
#[cfg(any(test, feature = "pg_test"))]
use pgrx::pg_schema;
use pgrx::{pg_guard, pg_sys, PostgresGucEnum};

use crate::core::request::mapping::{parse_mapping, MappingError};
use crate::core::request::options::HeadersMode;

/// Which routines become endpoints (NpgsqlRest's `CommentsMode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PostgresGucEnum)]
pub enum CommentsMode {
    Ignore,
    ParseAll,
    OnlyWithHttpTag,
    OnlyAnnotated,
}

/// Where request headers go when an endpoint does not say
/// (`request_headers_mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PostgresGucEnum)]
pub enum RequestHeadersMode {
    Ignore,
    Context,
    Parameter,
}

impl From<RequestHeadersMode> for HeadersMode {
    fn from(mode: RequestHeadersMode) -> Self {
        match mode {
            RequestHeadersMode::Ignore => HeadersMode::Ignore,
            RequestHeadersMode::Context => HeadersMode::Context,
            RequestHeadersMode::Parameter => HeadersMode::Parameter,
        }
    }
}

static USE_USER_CONTEXT: GucSetting<bool> = GucSetting::<bool>::new(false);
static USE_USER_PARAMETERS: GucSetting<bool> = GucSetting::<bool>::new(false);
static REQUEST_HEADERS_MODE: GucSetting<RequestHeadersMode> =
    GucSetting::<RequestHeadersMode>::new(RequestHeadersMode::Ignore);

/// A text setting: its GUC variable, name, description and default.
pub struct TextSetting {
    value: GucSetting<Option<CString>>,
    name: &'static CStr,
    description: &'static CStr,
    /// Whether the value is a `key=claim` mapping, checked when set.
    mapping: bool,
}

impl TextSetting {
    const fn new(name: &'static CStr, default: &'static CStr, description: &'static CStr) -> Self {
        TextSetting {
            value: GucSetting::<Option<CString>>::new(Some(default)),
            name,
            description,
            mapping: false,
        }
    }

    const fn mapping(
        name: &'static CStr,
        default: &'static CStr,
        description: &'static CStr,
    ) -> Self {
        TextSetting {
            mapping: true,
            ..TextSetting::new(name, default, description)
        }
    }

    /// The current value (empty when unset).
    pub fn get(&self) -> String {
        self.with(str::to_string)
    }

    /// Calls `f` with the current value (empty when unset), read in place:
    /// requests read settings on every call, and copying them costs more
    /// than the rest of the read. `f` must not read the value after it
    /// changes a setting (which may free it).
    pub fn with<R>(&self, f: impl FnOnce(&str) -> R) -> R {
        // `f` reads the value only before changing any setting.
        let bytes = self.bytes();
        match std::str::from_utf8(bytes) {
            Ok(text) => f(text),
            Err(_) => f(&String::from_utf8_lossy(bytes)),
        }
    }

    /// Whether the current value is empty (or unset).
    pub fn is_empty(&self) -> bool {
        self.bytes().is_empty()
    }

    /// The current value's bytes (empty when unset), where the GUC
    /// machinery keeps them: valid until the setting changes, so read
    /// before any setting is changed.
    fn bytes(&self) -> &[u8] {
        // SAFETY: the setting's variable holds NULL or a C string owned by
        // the GUC machinery; callers read it before settings change.
        unsafe {
            let raw = *self.value.as_ptr();
            if raw.is_null() {
                &[][..]
            } else {
                CStr::from_ptr(raw).to_bytes()
            }
        }
    }
}

pub static ROLE_CLAIM: TextSetting = TextSetting::new(
    c"npgsqlrest_logout.role_claim",
    c"user_roles",
    c"The claim whose values are the caller's roles (NpgsqlRest DefaultRoleClaimType).",
);
pub static USER_ID_CLAIM: TextSetting = TextSetting::new(
    c"npgsqlrest_logout.user_id_claim",
    c"user_id",
    c"The claim @authorize also matches: the user's id (NpgsqlRest DefaultUserIdClaimType).",
);
pub static USER_NAME_CLAIM: TextSetting = TextSetting::new(
    c"npgsqlrest_logout.user_name_claim",
    c"user_name",
    c"The claim @authorize also matches: the user's name (NpgsqlRest DefaultNameClaimType).",
);
pub static CONTEXT_CLAIMS: TextSetting = TextSetting::mapping(
    c"npgsqlrest_logout.context_claims",
    c"request.user_id=user_id, request.user_name=user_name, request.user_roles=user_roles",
    c"User context: context key = claim type pairs, set transaction-locally before the routine runs.",
);
pub static CLAIMS_JSON_CONTEXT_KEY: TextSetting = TextSetting::new(
    c"npgsqlrest_logout.claims_json_context_key",
    c"",
    c"User context: the key that receives every claim as JSON (empty: off).",
);
pub static IP_ADDRESS_CONTEXT_KEY: TextSetting = TextSetting::new(
    c"npgsqlrest_logout.ip_address_context_key",
    c"request.ip_address",
    c"User context: the key that receives the client's IP address (empty: off).",
);
pub static PARAMETER_CLAIMS: TextSetting = TextSetting::mapping(
    c"npgsqlrest_logout.parameter_claims",
    c"_user_id=user_id, _user_name=user_name, _user_roles=user_roles",
    c"User parameters: parameter name = claim type pairs, filled by the server.",
);
pub static CLAIMS_JSON_PARAMETER: TextSetting = TextSetting::new(
    c"npgsqlrest_logout.claims_json_parameter",
    c"_user_claims",
    c"User parameters: the parameter that receives every claim as JSON (empty: off).",
);
pub static IP_ADDRESS_PARAMETER: TextSetting = TextSetting::new(
    c"npgsqlrest_logout.ip_address_parameter",
    c"_ip_address",
    c"User parameters: the parameter that receives the client's IP address (empty: off).",
);
pub static REQUEST_HEADERS_CONTEXT_KEY: TextSetting = TextSetting::new(
    c"npgsqlrest_logout.request_headers_context_key",
    c"request.headers",
    c"The context key that receives the request headers as JSON (request_headers mode context).",
);
pub static REQUEST_HEADERS_PARAMETER: TextSetting = TextSetting::new(
    c"npgsqlrest_logout.request_headers_parameter",
    c"headers",
    c"The parameter that receives the request headers as JSON (request_headers mode parameter).",
);

static TEXT_SETTINGS: [&TextSetting; 11] = [
    &ROLE_CLAIM,
    &USER_ID_CLAIM,
    &USER_NAME_CLAIM,
    &CONTEXT_CLAIMS,
    &CLAIMS_JSON_CONTEXT_KEY,
    &IP_ADDRESS_CONTEXT_KEY,
    &PARAMETER_CLAIMS,
    &CLAIMS_JSON_PARAMETER,
    &IP_ADDRESS_PARAMETER,
    &REQUEST_HEADERS_CONTEXT_KEY,
    &REQUEST_HEADERS_PARAMETER,
];

static URL_PREFIX: GucSetting<Option<CString>> = GucSetting::<Option<CString>>::new(Some(c"/api"));
static COMMENTS_MODE: GucSetting<CommentsMode> =
    GucSetting::<CommentsMode>::new(CommentsMode::OnlyWithHttpTag);
/// Shared memory for `endpoints()` rows, in MB (0: none).
static SHARED_ENDPOINTS_MEMORY: GucSetting<i32> = GucSetting::<i32>::new(0);
/// The most `shared_endpoints_memory` may be: entries are found by 32-bit
/// offsets.
pub const SHARED_ENDPOINTS_MEMORY_MAX_MB: i32 = 2048;

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
    for setting in TEXT_SETTINGS {
        let check: Option<CheckHook> = match setting.mapping {
            true => Some(check_mapping),
            false => None,
        };
        // SAFETY: the check hook has the signature Postgres expects.
        unsafe {
            GucRegistry::define_string_guc_with_hooks(
                setting.name,
                setting.description,
                c"See the README's settings table.",
                &setting.value,
                GucContext::Userset,
                GucFlags::default(),
                check,
                None,
                None,
            );
        }
    }
    GucRegistry::define_bool_guc(
        c"npgsqlrest_logout.use_user_context",
        c"Whether endpoints that do not say set the user context (NpgsqlRest UseUserContext).",
        c"An endpoint's user_context annotation overrides it.",
        &USE_USER_CONTEXT,
        GucContext::Userset,
        GucFlags::default(),
    );
    GucRegistry::define_bool_guc(
        c"npgsqlrest_logout.use_user_parameters",
        c"Whether endpoints that do not say fill user parameters (NpgsqlRest UseUserParameters).",
        c"An endpoint's user_parameters annotation overrides it.",
        &USE_USER_PARAMETERS,
        GucContext::Userset,
        GucFlags::default(),
    );
    GucRegistry::define_enum_guc(
        c"npgsqlrest_logout.request_headers_mode",
        c"Where request headers go when an endpoint does not say: Ignore, Context, Parameter.",
        c"NpgsqlRest RequestHeadersMode; values are case-insensitive.",
        &REQUEST_HEADERS_MODE,
        GucContext::Userset,
        GucFlags::default(),
    );
    GucRegistry::define_enum_guc(
        c"npgsqlrest_logout.comments_mode",
        c"Which routines become endpoints: Ignore, ParseAll, OnlyWithHttpTag, OnlyAnnotated.",
        c"NpgsqlRest CommentsMode; values are case-insensitive.",
        &COMMENTS_MODE,
        GucContext::Userset,
        GucFlags::default(),
    );
    // A server-start setting can be defined only while the postmaster
    // preloads the library (later, Postgres ends the session): without
    // preloading it does not exist, as nothing is shared.
    // SAFETY: reads a flag the postmaster sets while it preloads.
    if !unsafe { pg_sys::process_shared_preload_libraries_in_progress } {
        return;
    }
    GucRegistry::define_int_guc(
        c"npgsqlrest_logout.shared_endpoints_memory",
        c"Shared memory for endpoints() rows, built once and read by every backend (0: none).",
        c"Only with the library in shared_preload_libraries; takes effect at server start.",
        &SHARED_ENDPOINTS_MEMORY,
        0,
        SHARED_ENDPOINTS_MEMORY_MAX_MB,
        GucContext::Postmaster,
        GucFlags::UNIT_MB,
    );
}

/// `npgsqlrest_logout.shared_endpoints_memory` in bytes.
pub fn shared_endpoints_bytes() -> usize {
    usize::try_from(SHARED_ENDPOINTS_MEMORY.get()).unwrap_or(0) << 20
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

/// The current `npgsqlrest_logout.use_user_context`.
pub fn use_user_context() -> bool {
    USE_USER_CONTEXT.get()
}

/// The current `npgsqlrest_logout.use_user_parameters`.
pub fn use_user_parameters() -> bool {
    USE_USER_PARAMETERS.get()
}

/// The current `npgsqlrest_logout.request_headers_mode`.
pub fn request_headers_mode() -> HeadersMode {
    REQUEST_HEADERS_MODE.get().into()
}

/// A mapping setting's pairs (checked when it was set), parsed once per
/// value: a request compares the setting's bytes with the last value seen.
pub fn mapping(setting: &'static TextSetting) -> Rc<[(String, String)]> {
    // Compared and parsed before any setting changes.
    let current = setting.bytes();
    MAPPINGS.with(|cell| {
        let mut seen = cell.borrow_mut();
        let name = setting.name.as_ptr();
        if let Some((_, raw, pairs)) = seen.iter().find(|(n, _, _)| *n == name) {
            if raw.as_slice() == current {
                return Rc::clone(pairs);
            }
        }
        let text = String::from_utf8_lossy(current);
        let pairs: Rc<[(String, String)]> = parse_mapping(&text).unwrap_or_default().into();
        seen.retain(|(n, _, _)| *n != name);
        seen.push((name, current.to_vec(), Rc::clone(&pairs)));
        pairs
    })
}

thread_local! {
    /// The last value of each mapping setting and its pairs.
    static MAPPINGS: RefCell<Vec<MappingEntry>> = const { RefCell::new(Vec::new()) };
}

type MappingEntry = (*const c_char, Vec<u8>, Rc<[(String, String)]>);

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

/// A check hook's verdict on a new text value: `check` returns the
/// detail of a rejection, which Postgres reports with the value.
///
/// # Safety
/// `newval` is the pointer Postgres passes a string check hook.
unsafe fn check_text(newval: *mut *mut c_char, check: impl FnOnce(&str) -> Option<String>) -> bool {
    // SAFETY: Postgres passes a valid pointer to a (possibly NULL) C string.
    let value = unsafe {
        match (*newval).is_null() {
            true => return true,
            false => CStr::from_ptr(*newval).to_string_lossy(),
        }
    };
    let Some(detail) = check(&value) else {
        return true;
    };
    let detail = CString::new(detail).unwrap_or_default();
    // SAFETY: GUC_check_errdetail_string is read by Postgres right after the
    // hook returns; pstrdup copies into the current memory context.
    unsafe {
        pg_sys::GUC_check_errdetail_string = pg_sys::pstrdup(detail.as_ptr());
    }
    false
}

#[pg_guard]
unsafe extern "C-unwind" fn check_url_prefix(
    newval: *mut *mut c_char,
    _extra: *mut *mut c_void,
    _source: pg_sys::GucSource::Type,
) -> bool {
    // SAFETY: the hook's own argument.
    unsafe {
        check_text(newval, |value| {
            value.contains(PREFIX_FORBIDDEN).then(|| {
                "A URL prefix is a path such as /api: no spaces, '?', '#', '{' or '}'.".into()
            })
        })
    }
}

type CheckHook = unsafe extern "C-unwind" fn(
    *mut *mut c_char,
    *mut *mut c_void,
    pg_sys::GucSource::Type,
) -> bool;

/// Rejects a mapping that is not `key=claim` pairs, saying which item.
#[pg_guard]
unsafe extern "C-unwind" fn check_mapping(
    newval: *mut *mut c_char,
    _extra: *mut *mut c_void,
    _source: pg_sys::GucSource::Type,
) -> bool {
    // SAFETY: the hook's own argument.
    unsafe {
        check_text(newval, |value| {
            parse_mapping(value).err().map(|MappingError(reason)| {
                format!("{reason}. Write comma-separated key=claim pairs, e.g. 'request.user_id=user_id, request.user_name=user_name', or '' for none.")
            })
        })
    }
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
