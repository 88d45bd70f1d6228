//! The annotation keywords of NpgsqlRest 3.21: canonical names, aliases,
//! and how each reads its arguments.

use std::collections::HashMap;
use std::sync::OnceLock;

/// How a keyword line turns its words into a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// Sets the annotation to `true`.
    Flag,
    /// The text after the keyword, unescaped (`separator \t`).
    Text,
    /// The first word after the keyword.
    Word,
    /// The words after the keyword, as a list (may be empty).
    List,
    /// A whole number.
    Number,
    /// One of the spellings, stored under its canonical value.
    Choice(&'static [(&'static str, &'static str)]),
    /// Read by a rule of its own in the parser.
    Own,
}

/// How a `key = value` line sets the annotation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Setting {
    Bool,
    Number,
    Text,
}

#[derive(Debug)]
pub struct Keyword {
    /// The canonical name: the document key and the name in `annotations`.
    pub name: &'static str,
    pub aliases: &'static [&'static str],
    pub shape: Shape,
    /// A line with the keyword alone is prose, not this annotation.
    pub needs_argument: bool,
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

const fn kw(name: &'static str, aliases: &'static [&'static str], shape: Shape) -> Keyword {
    Keyword {
        name,
        aliases,
        shape,
        needs_argument: false,
        setting: None,
    }
}

impl Keyword {
    const fn needs_argument(mut self) -> Self {
        self.needs_argument = true;
        self
    }

    const fn settable(mut self, setting: Setting) -> Self {
        self.setting = Some(setting);
        self
    }
}

use Setting as S;
use Shape::*;

/// Every keyword, in the order of NpgsqlRest's documentation.
pub const KEYWORDS: &[Keyword] = &[
    kw("http", &["http"], Own),
    kw("path", &["path"], Own).needs_argument(),
    kw(
        "request_param_type",
        &["request_param_type", "param_type"],
        Choice(PARAM_TYPES),
    )
    .needs_argument(),
    kw(
        "authorize",
        &["authorize", "authorized", "requires_authorization"],
        Own,
    ),
    kw(
        "allow_anonymous",
        &["allow_anonymous", "anonymous", "allow_anon", "anon"],
        Own,
    ),
    kw("login", &["login", "signin"], Own),
    kw("logout", &["logout", "signout"], Own),
    kw("disabled", &["disabled"], Own),
    kw("enabled", &["enabled"], Own),
    kw("internal", &["internal", "internal_only"], Own),
    kw("raw", &["raw", "raw_mode", "raw_results"], Flag).settable(S::Bool),
    kw("separator", &["separator", "raw_separator"], Text).settable(S::Text),
    kw("new_line", &["new_line", "raw_new_line"], Text).settable(S::Text),
    kw("columns", &["columns", "names", "column_names"], Flag).settable(S::Bool),
    kw(
        "single",
        &["single", "single_record", "single_result"],
        Flag,
    )
    .settable(S::Bool),
    kw("void", &["void", "void_result"], Flag).settable(S::Bool),
    kw("buffer_rows", &["buffer_rows", "buffer"], Number)
        .needs_argument()
        .settable(S::Number),
    kw("cached", &["cached"], List),
    kw(
        "cache_expires",
        &["cache_expires", "cache_expires_in"],
        Text,
    )
    .needs_argument(),
    kw("cache_profile", &["cache_profile"], Word),
    kw("connection_name", &["connection", "connection_name"], Word)
        .needs_argument()
        .settable(S::Text),
    kw("timeout", &["command_timeout", "timeout"], Text)
        .needs_argument()
        .settable(S::Text),
    kw(
        "request_headers_mode",
        &["request_headers_mode", "request_headers"],
        Choice(HEADERS_MODE),
    ),
    kw(
        "request_headers_parameter_name",
        &[
            "request_headers_parameter_name",
            "request_headers_param_name",
            "request-headers-param-name",
        ],
        Word,
    ),
    kw(
        "body_parameter_name",
        &["body_parameter_name", "body_param_name"],
        Word,
    ),
    kw(
        "response_null_handling",
        &["response_null_handling", "response_null"],
        Choice(NULL_HANDLING),
    ),
    kw(
        "query_string_null_handling",
        &[
            "query_string_null_handling",
            "query_null_handling",
            "query_string_null",
            "query_null",
        ],
        Choice(QUERY_NULL_HANDLING),
    ),
    kw(
        "security_sensitive",
        &["sensitive", "security", "security_sensitive"],
        Flag,
    ),
    kw("user_context", &["user_context"], Flag).settable(S::Bool),
    kw("user_parameters", &["user_parameters", "user_params"], Flag).settable(S::Bool),
    kw("upload", &["upload"], Own),
    kw("param", &["parameter", "param"], Own),
    kw("sse", &["sse", "sse_path", "sse_events_path"], Own).settable(S::Text),
    kw("sse_publish", &["sse_publish", "sse_events_publish"], Own).settable(S::Text),
    kw(
        "sse_subscribe",
        &["sse_subscribe", "sse_events_subscribe"],
        Own,
    )
    .settable(S::Text),
    kw("sse_level", &["sse_level", "sse_events_level"], Word)
        .needs_argument()
        .settable(S::Text),
    kw("sse_scope", &["sse_scope", "sse_events_scope"], Own)
        .needs_argument()
        .settable(S::Text),
    kw("basic_auth", &["basic_authentication", "basic_auth"], Own).settable(S::Text),
    kw(
        "basic_auth_realm",
        &["basic_authentication_realm", "basic_auth_realm", "realm"],
        Text,
    )
    .needs_argument()
    .settable(S::Text),
    kw(
        "basic_auth_command",
        &[
            "basic_authentication_command",
            "basic_auth_command",
            "challenge_command",
        ],
        Text,
    )
    .needs_argument()
    .settable(S::Text),
    kw(
        "retry_strategy",
        &["retry_strategy_name", "retry_strategy", "retry"],
        Word,
    )
    .needs_argument()
    .settable(S::Text),
    kw(
        "rate_limiter_policy",
        &[
            "rate_limiter_policy_name",
            "rate_limiter_policy",
            "rate_limiter",
        ],
        Word,
    )
    .needs_argument()
    .settable(S::Text),
    kw(
        "error_code_policy",
        &["error_code_policy_name", "error_code_policy", "error_code"],
        Word,
    )
    .needs_argument()
    .settable(S::Text),
    kw("validate", &["validate", "validation"], Own),
    kw("proxy", &["proxy", "reverse_proxy"], Own),
    kw("proxy_out", &["proxy_out", "forward_proxy"], Own),
    kw(
        "encrypt",
        &["encrypt", "encrypted", "protect", "protected"],
        List,
    )
    .settable(S::Bool),
    kw(
        "decrypt",
        &["decrypt", "decrypted", "unprotect", "unprotected"],
        List,
    )
    .settable(S::Bool),
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
    let word = word.strip_prefix('@').unwrap_or(word);
    if word.bytes().any(|b| b.is_ascii_uppercase()) {
        by_alias.get(word.to_ascii_lowercase().as_str()).copied()
    } else {
        by_alias.get(word).copied()
    }
}

/// Is `word` the start of a tag block (`for`, `tags`, `tag`)?
pub fn is_tag_block(word: &str) -> bool {
    let word = word.strip_prefix('@').unwrap_or(word);
    ["for", "tags", "tag"]
        .iter()
        .any(|t| word.eq_ignore_ascii_case(t))
}

/// The canonical value of `word` among a keyword's spellings.
pub fn choice(options: &[(&str, &'static str)], word: &str) -> Option<&'static str> {
    options
        .iter()
        .find(|(spelling, _)| spelling.eq_ignore_ascii_case(word))
        .map(|(_, canonical)| *canonical)
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
}
