//! The annotation keywords of NpgsqlRest 3.21: canonical names, aliases,
//! how each reads its arguments, and the value it leaves in the document.
//!
//! Each entry of [`KEYWORDS`] says, in its comment, the document key it
//! sets and that value's shape; the README's key table is written from
//! them. Families that configure one feature (`sse…`, `basic_auth…`) share
//! one object-valued key.

use std::collections::HashMap;
use std::sync::OnceLock;

/// How a keyword line turns its words into a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// Sets the annotation to `true`.
    Flag,
    /// The raw text after the line's first space, unescaped as .NET's
    /// `Regex.Unescape` does (`separator \t`).
    Text,
    /// Exactly one word after the keyword (other lines are ignored, with a
    /// warning); `lower` when NpgsqlRest lower-cases it.
    OneWord { lower: bool },
    /// The words after the keyword joined by one space; `lower` when
    /// NpgsqlRest lower-cases them.
    Joined { lower: bool },
    /// A whole number, `0` or more.
    Number,
    /// An interval as NpgsqlRest's `ParsePostgresInterval` reads it, kept
    /// as written.
    Interval,
    /// One of the spellings, stored under its canonical value.
    Choice(&'static [(&'static str, &'static str)]),
    /// Read by a rule of its own in the parser.
    Own,
}

/// How a `key = value` line sets the annotation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Setting {
    /// `true` or `false`, case-insensitive.
    Bool,
    /// A whole number, `0` or more.
    Number,
    /// The value as written.
    Text,
    /// An interval, kept as written.
    Interval,
    /// Read by a rule of its own in the parser.
    Own,
}

#[derive(Debug)]
pub struct Keyword {
    /// The canonical name: the name in `annotations`, and the document key.
    pub name: &'static str,
    pub aliases: &'static [&'static str],
    pub shape: Shape,
    /// A line with fewer words (the keyword included) is prose.
    pub min_words: usize,
    /// `name = value` sets the annotation (else it is a custom parameter).
    pub setting: Option<Setting>,
}

const NULL_HANDLING: &[(&str, &str)] = &[
    ("empty_string", "empty_string"),
    ("empty", "empty_string"),
    ("null_literal", "null_literal"),
    ("null", "null_literal"),
    ("no_content", "no_content"),
    ("204", "no_content"),
    ("204_no_content", "no_content"),
];

const QUERY_NULL_HANDLING: &[(&str, &str)] = &[
    ("empty_string", "empty_string"),
    ("empty", "empty_string"),
    ("null_literal", "null_literal"),
    ("null", "null_literal"),
    ("ignore", "ignore"),
];

const HEADERS_MODE: &[(&str, &str)] = &[
    ("ignore", "ignore"),
    ("context", "context"),
    ("parameter", "parameter"),
];

const PARAM_TYPES: &[(&str, &str)] = &[
    ("query_string", "query_string"),
    ("query", "query_string"),
    ("body_json", "body_json"),
    ("body", "body_json"),
];

/// PostgreSQL notice levels an SSE endpoint forwards.
pub const SSE_LEVELS: &[(&str, &str)] = &[
    ("info", "info"),
    ("notice", "notice"),
    ("warning", "warning"),
];

/// Which sessions receive an SSE endpoint's events.
pub const SSE_SCOPES: &[(&str, &str)] = &[
    ("matching", "matching"),
    ("authorize", "authorize"),
    ("all", "all"),
];

const fn kw(name: &'static str, aliases: &'static [&'static str], shape: Shape) -> Keyword {
    Keyword {
        name,
        aliases,
        shape,
        min_words: 1,
        setting: None,
    }
}

impl Keyword {
    /// The keyword alone is prose (SPEC §5: *needs an argument*).
    const fn needs_argument(self) -> Self {
        self.min_words(2)
    }

    const fn min_words(mut self, words: usize) -> Self {
        self.min_words = words;
        self
    }

    const fn settable(mut self, setting: Setting) -> Self {
        self.setting = Some(setting);
        self
    }
}

use Setting as S;
use Shape::*;

/// Every keyword, in the order of NpgsqlRest's documentation. The comment
/// on each gives its document key and value shape.
pub const KEYWORDS: &[Keyword] = &[
    // `http`, `method`, `path`, `request_param_type` (core keys).
    kw("http", &["http"], Own),
    // `path`: "/lower-cased/path".
    kw("path", &["path"], Own).needs_argument(),
    // `request_param_type`: "query_string" | "body_json".
    kw(
        "request_param_type",
        &["request_param_type", "param_type"],
        Choice(PARAM_TYPES),
    )
    .needs_argument(),
    // `requires_authorization`: true; `authorize_roles`: ["role", …].
    kw(
        "authorize",
        &["authorize", "authorized", "requires_authorization"],
        Own,
    ),
    // `allow_anonymous`: true; `requires_authorization`: false.
    kw(
        "allow_anonymous",
        &["allow_anonymous", "anonymous", "allow_anon", "anon"],
        Own,
    ),
    // `login`: true.
    kw("login", &["login", "signin"], Own),
    // `logout`: true.
    kw("logout", &["logout", "signout"], Own),
    // `disabled`: true.
    kw("disabled", &["disabled"], Own),
    // `disabled`: false.
    kw("enabled", &["enabled"], Own),
    // `internal`: true.
    kw("internal", &["internal", "internal_only"], Own),
    // `raw`: true | false.
    kw("raw", &["raw", "raw_mode", "raw_results"], Flag).settable(S::Bool),
    // `separator`: "text" (escapes decoded).
    kw("separator", &["separator", "raw_separator"], Text).settable(S::Text),
    // `new_line`: "text" (escapes decoded).
    kw("new_line", &["new_line", "raw_new_line"], Text).settable(S::Text),
    // `columns`: true | false.
    kw("columns", &["columns", "names", "column_names"], Flag).settable(S::Bool),
    // `single`: true | false.
    kw(
        "single",
        &["single", "single_record", "single_result"],
        Flag,
    )
    .settable(S::Bool),
    // `void`: true | false.
    kw("void", &["void", "void_result"], Flag).settable(S::Bool),
    // `buffer_rows`: 100.
    kw("buffer_rows", &["buffer_rows", "buffer"], Number)
        .needs_argument()
        .settable(S::Number),
    // `cached`: ["param", …]; `[]` (a bare line) keys the cache on every parameter.
    kw("cached", &["cached"], Own),
    // `cache_expires`: "5 minutes" (as written).
    kw(
        "cache_expires",
        &["cache_expires", "cache_expires_in"],
        Interval,
    )
    .needs_argument(),
    // `cache_profile`: "name" (case kept).
    kw(
        "cache_profile",
        &["cache_profile"],
        OneWord { lower: false },
    ),
    // `connection_name`: "name" (lower-cased; case kept by `connection_name = Name`).
    kw(
        "connection_name",
        &["connection", "connection_name"],
        Joined { lower: true },
    )
    .needs_argument()
    .settable(S::Text),
    // `timeout`: "30s" (the interval NpgsqlRest reads).
    kw("timeout", &["command_timeout", "timeout"], Own)
        .needs_argument()
        .settable(S::Interval),
    // `request_headers_mode`: "ignore" | "context" | "parameter".
    kw(
        "request_headers_mode",
        &["request_headers_mode", "request_headers"],
        Choice(HEADERS_MODE),
    )
    .needs_argument(),
    // `request_headers_parameter_name`: "name" (lower-cased).
    kw(
        "request_headers_parameter_name",
        &[
            "request_headers_parameter_name",
            "request_headers_param_name",
            "request-headers-param-name",
        ],
        OneWord { lower: true },
    ),
    // `body_parameter_name`: "Name" (case kept).
    kw(
        "body_parameter_name",
        &["body_parameter_name", "body_param_name"],
        OneWord { lower: false },
    ),
    // `response_null_handling`: "empty_string" | "null_literal" | "no_content".
    kw(
        "response_null_handling",
        &["response_null_handling", "response_null"],
        Choice(NULL_HANDLING),
    )
    .needs_argument(),
    // `query_string_null_handling`: "empty_string" | "null_literal" | "ignore".
    kw(
        "query_string_null_handling",
        &[
            "query_string_null_handling",
            "query_null_handling",
            "query_string_null",
            "query_null",
        ],
        Choice(QUERY_NULL_HANDLING),
    )
    .needs_argument(),
    // `security_sensitive`: true.
    kw(
        "security_sensitive",
        &["sensitive", "security", "security_sensitive"],
        Flag,
    ),
    // `user_context`: true | false.
    kw("user_context", &["user_context"], Flag).settable(S::Bool),
    // `user_parameters`: true | false.
    kw("user_parameters", &["user_parameters", "user_params"], Flag).settable(S::Bool),
    // `upload`: {"handlers": ["h", …] | null, "metadata_parameters": ["p", …]}.
    kw("upload", &["upload"], Own),
    // `param`: [{"parameter": "p", "rename"?, "type"?, "default"?, "hash_of"?, "upload_metadata"?}, …].
    kw("param", &["parameter", "param"], Own),
    // `sse`: {"publish", "path", "level", "scope", "roles"}, set by the
    // whole `sse…` family.
    kw("sse", &["sse", "sse_path", "sse_events_path"], Own).settable(S::Own),
    kw("sse_publish", &["sse_publish", "sse_events_publish"], Own).settable(S::Own),
    kw(
        "sse_subscribe",
        &["sse_subscribe", "sse_events_subscribe"],
        Own,
    )
    .settable(S::Own),
    kw("sse_level", &["sse_level", "sse_events_level"], Own)
        .needs_argument()
        .settable(S::Own),
    kw("sse_scope", &["sse_scope", "sse_events_scope"], Own)
        .needs_argument()
        .settable(S::Own),
    // `basic_auth`: {"users": {"name": "password"}, "realm", "command"},
    // set by the whole `basic_auth…` family.
    kw("basic_auth", &["basic_authentication", "basic_auth"], Own).settable(S::Own),
    kw(
        "basic_auth_realm",
        &["basic_authentication_realm", "basic_auth_realm", "realm"],
        Own,
    )
    .needs_argument()
    .settable(S::Own),
    kw(
        "basic_auth_command",
        &[
            "basic_authentication_command",
            "basic_auth_command",
            "challenge_command",
        ],
        Own,
    )
    .needs_argument()
    .settable(S::Own),
    // `retry_strategy`: "name" (case kept).
    kw(
        "retry_strategy",
        &["retry_strategy_name", "retry_strategy", "retry"],
        Joined { lower: false },
    )
    .needs_argument()
    .settable(S::Text),
    // `rate_limiter_policy`: "name" (case kept).
    kw(
        "rate_limiter_policy",
        &[
            "rate_limiter_policy_name",
            "rate_limiter_policy",
            "rate_limiter",
        ],
        Joined { lower: false },
    )
    .needs_argument()
    .settable(S::Text),
    // `error_code_policy`: "name" (case kept).
    kw(
        "error_code_policy",
        &["error_code_policy_name", "error_code_policy", "error_code"],
        Joined { lower: false },
    )
    .needs_argument()
    .settable(S::Text),
    // `validate`: {"param": ["rule", …]}, rules of repeated lines appended.
    kw("validate", &["validate", "validation"], Own).min_words(4),
    // `proxy`: {"method": "GET" | null, "host": "https://…" | "/…" | null}.
    kw("proxy", &["proxy", "reverse_proxy"], Own),
    // `proxy_out`: {"method": "GET" | null, "host": "https://…" | "/…" | null}.
    kw("proxy_out", &["proxy_out", "forward_proxy"], Own),
    // `encrypt`: true (every parameter) | false | ["param", …].
    kw(
        "encrypt",
        &["encrypt", "encrypted", "protect", "protected"],
        Own,
    )
    .settable(S::Own),
    // `decrypt`: true (every column) | false | ["column", …].
    kw(
        "decrypt",
        &["decrypt", "decrypted", "unprotect", "unprotected"],
        Own,
    )
    .settable(S::Own),
    // `nested_json`: true.
    kw(
        "nested_json",
        &["nested", "nested_json", "nested_composite"],
        Flag,
    ),
];

/// The keyword a word names: compared case-insensitively, one leading `@`
/// removed.
pub fn keyword(word: &str) -> Option<&'static Keyword> {
    static BY_ALIAS: OnceLock<HashMap<&'static str, &'static Keyword>> = OnceLock::new();
    let by_alias = BY_ALIAS.get_or_init(|| {
        KEYWORDS
            .iter()
            .flat_map(|k| k.aliases.iter().map(move |a| (*a, k)))
            .collect()
    });
    let word = strip_at(word);
    if word.bytes().any(|b| b.is_ascii_uppercase()) {
        by_alias.get(word.to_ascii_lowercase().as_str()).copied()
    } else {
        by_alias.get(word).copied()
    }
}

/// The HTTP methods NpgsqlRest knows (PATCH is not one).
pub const METHODS: &[&str] = &["GET", "PUT", "POST", "DELETE", "QUERY"];

/// The method a word names, case-insensitively. Numbers are not methods
/// (NpgsqlRest's `Enum.TryParse` would take `2` as POST; SPEC §8).
pub fn method(word: &str) -> Option<&'static str> {
    METHODS
        .iter()
        .copied()
        .find(|m| m.eq_ignore_ascii_case(word))
}

/// .NET's `bool.TryParse`: `true` or `false`, any case, spaces around.
pub fn parse_bool(value: &str) -> Option<bool> {
    match value.trim() {
        v if v.eq_ignore_ascii_case("true") => Some(true),
        v if v.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

/// Is `word` the start of a tag block (`for`, `tags`, `tag`)?
pub fn is_tag_block(word: &str) -> bool {
    ["for", "tags", "tag"].iter().any(|t| is_word(word, t))
}

/// Is `word` the fixed word `expected` (`on`, `is`, `default`…)? Compared
/// as NpgsqlRest's `StrEquals` does: case-insensitively, one leading `@`
/// removed.
pub fn is_word(word: &str, expected: &str) -> bool {
    strip_at(word).eq_ignore_ascii_case(expected)
}

/// The canonical value of `word` among a keyword's spellings (compared
/// like [`is_word`]).
pub fn choice(options: &[(&str, &'static str)], word: &str) -> Option<&'static str> {
    options
        .iter()
        .find(|(spelling, _)| is_word(word, spelling))
        .map(|(_, canonical)| *canonical)
}

/// The spellings of a choice, for warnings.
pub fn spellings(options: &[(&str, &str)]) -> String {
    let spellings: Vec<&str> = options.iter().map(|(s, _)| *s).collect();
    spellings.join(", ")
}

fn strip_at(word: &str) -> &str {
    word.strip_prefix('@').unwrap_or(word)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_alias_finds_its_keyword_in_any_case_and_with_at() {
        for k in KEYWORDS {
            for alias in k.aliases {
                for spelling in [alias.to_string(), alias.to_uppercase(), format!("@{alias}")] {
                    let found = keyword(&spelling).map(|f| f.name);
                    assert_eq!(found, Some(k.name), "alias {spelling}");
                }
            }
        }
    }

    #[test]
    fn aliases_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for alias in KEYWORDS.iter().flat_map(|k| k.aliases) {
            assert!(seen.insert(alias), "alias {alias} listed twice");
        }
    }

    #[test]
    fn only_one_at_is_removed() {
        assert_eq!(keyword("@@logout").map(|k| k.name), None);
        assert_eq!(keyword("logouts").map(|k| k.name), None);
    }

    #[test]
    fn choices_and_fixed_words_ignore_case_and_one_at() {
        assert_eq!(choice(HEADERS_MODE, "@Context"), Some("context"));
        assert_eq!(choice(NULL_HANDLING, "204"), Some("no_content"));
        assert_eq!(choice(NULL_HANDLING, "@@null"), None);
        assert!(is_word("@ON", "on"));
        assert!(!is_word("one", "on"));
    }
}
