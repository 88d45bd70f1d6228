//! Table-driven cases for the annotation grammar: each comment, the tags
//! (or parameters) of its routine, and the document keys it must produce.

use std::collections::HashMap;

use serde_json::{json, Value};

use crate::core::grammar::annotations::{parse, Routine};
use crate::core::grammar::document::Document;
use crate::core::grammar::keywords::KEYWORDS;
use crate::core::json::jsonb_encode::encode;
use crate::core::json::tree::Json;

type Case = (&'static str, &'static [&'static str], Value);

fn check(comment: &str, tags: &[&str], expected: Value) {
    check_in(comment, tags, &[], expected);
}

/// Parses `comment` for a routine with `tags` and `params`; the document
/// (with `resolved_parameters`) must have the `expected` keys. A key
/// expected to be `null` may also be absent.
fn check_in(comment: &str, tags: &[&str], params: &[&str], expected: Value) {
    let tags: Vec<String> = tags.iter().map(|t| t.to_string()).collect();
    let params: Vec<String> = params.iter().map(|p| p.to_string()).collect();
    let mut parsed = parse(
        comment,
        Routine {
            tags: &tags,
            parameters: &params,
        },
    );
    assert!(writes_as_its_value(&parsed), "jsonb of {comment:?}");
    let resolved = std::mem::take(&mut parsed.resolved_parameters);
    let mut doc = parsed.to_json().to_value();
    doc["resolved_parameters"] = Value::Object(resolved);
    let Value::Object(expected) = expected else {
        panic!("expected keys must be an object")
    };
    for (key, want) in expected {
        assert_eq!(
            doc[&key], want,
            "key {key:?} of comment {comment:?} (tags {tags:?}, parameters {params:?}): {doc}"
        );
    }
}

/// The document's jsonb, written from the borrowed tree, is the one its
/// serde form gives (or both are refused alike).
fn writes_as_its_value(doc: &Document) -> bool {
    let write = |tree: &Json| {
        let mut bytes = Vec::new();
        encode(tree, &mut |_| vec![0x10, 0, 0, 0], &mut bytes).map(|()| bytes)
    };
    let tree = doc.to_json();
    write(&tree) == write(&Json::Value(&tree.to_value()))
}

fn names(comment: &str) -> Vec<String> {
    let doc = parse(comment, Routine::default());
    doc.annotations.iter().map(|a| a.name.to_string()).collect()
}

#[test]
fn core_keys() {
    let cases: Vec<(&str, &[&str], Value)> = vec![
        (
            "",
            &[],
            json!({"http": false, "method": null, "path": null, "annotations": [], "unhandled_lines": []}),
        ),
        (
            "   \n\t\n ,, ",
            &[],
            json!({"annotations": [], "unhandled_lines": []}),
        ),
        (
            "HTTP",
            &[],
            json!({"http": true, "method": null, "path": null}),
        ),
        (
            "http get",
            &[],
            json!({"http": true, "method": "GET", "request_param_type": "query_string"}),
        ),
        (
            "HTTP POST",
            &[],
            json!({"method": "POST", "request_param_type": "body_json", "path": null}),
        ),
        (
            "@http delete",
            &[],
            json!({"method": "DELETE", "request_param_type": "body_json"}),
        ),
        ("HTTP Query", &[], json!({"method": "QUERY"})),
        ("HTTP put /x", &[], json!({"method": "PUT", "path": "/x"})),
        (
            "HTTP POST /auth/logout/cookie",
            &[],
            json!({"method": "POST", "path": "/auth/logout/cookie"}),
        ),
        (
            "HTTP /Auth/Logout",
            &[],
            json!({"method": null, "path": "/auth/logout"}),
        ),
        ("HTTP auth/logout", &[], json!({"path": "/auth/logout"})),
        ("HTTP PATCH", &[], json!({"method": null, "path": "/patch"})),
        ("HTTP 2", &[], json!({"method": null, "path": "/2"})),
        (
            "HTTP FETCH /x",
            &[],
            json!({"method": null, "path": "/x", "warnings": [{"text": "HTTP FETCH /x", "reason": "\"FETCH\" is not an HTTP method (GET, PUT, POST, DELETE, QUERY)"}]}),
        ),
        (
            "HTTP GET /a /b",
            &[],
            json!({"http": true, "method": null, "path": null}),
        ),
        ("HTTP,POST,/x", &[], json!({"method": "POST", "path": "/x"})),
        (
            "HTTP\tPOST",
            &[],
            json!({"http": false, "unhandled_lines": ["HTTP\tPOST"]}),
        ),
        ("path /a/B", &[], json!({"path": "/a/b", "http": false})),
        (
            "path",
            &[],
            json!({"path": null, "unhandled_lines": ["path"], "annotations": []}),
        ),
        (
            "HTTP GET /a\npath /b",
            &[],
            json!({"path": "/b", "method": "GET"}),
        ),
        (
            "request_param_type query",
            &[],
            json!({"request_param_type": "query_string"}),
        ),
        (
            "param_type BODY",
            &[],
            json!({"request_param_type": "body_json"}),
        ),
        (
            "request_param_type body_json",
            &[],
            json!({"request_param_type": "body_json"}),
        ),
        (
            "request_param_type nonsense",
            &[],
            json!({"request_param_type": null, "warnings": [{"text": "request_param_type nonsense", "reason": "\"nonsense\" is not one of query_string, query, body_json, body"}]}),
        ),
        (
            "HTTP GET\nparam_type body",
            &[],
            json!({"method": "GET", "request_param_type": "body_json"}),
        ),
        (
            "@authorize",
            &[],
            json!({"requires_authorization": true, "authorize_roles": []}),
        ),
        (
            "authorized Admin, USER admin",
            &[],
            json!({"requires_authorization": true, "authorize_roles": ["admin", "user"]}),
        ),
        (
            "requires_authorization a\nauthorize b",
            &[],
            json!({"authorize_roles": ["b"]}),
        ),
        (
            "authorize a\nauthorize",
            &[],
            json!({"authorize_roles": ["a"]}),
        ),
        (
            "authorize a\nallow_anonymous",
            &[],
            json!({"requires_authorization": false, "allow_anonymous": true, "authorize_roles": ["a"]}),
        ),
        (
            "anon\nauthorize",
            &[],
            json!({"requires_authorization": true, "allow_anonymous": true}),
        ),
        ("@allow_anon", &[], json!({"allow_anonymous": true})),
        ("login", &[], json!({"login": true, "logout": false})),
        ("@SignIn", &[], json!({"login": true})),
        ("@logout", &[], json!({"logout": true})),
        ("LOGOUT", &[], json!({"logout": true})),
        ("signout", &[], json!({"logout": true})),
        ("@SignOut", &[], json!({"logout": true})),
        (
            "@@logout",
            &[],
            json!({"logout": false, "unhandled_lines": ["@@logout"]}),
        ),
        (
            "logout = true",
            &[],
            json!({"logout": false, "custom_parameters": {"logout": "true"}}),
        ),
        ("internal", &[], json!({"internal": true})),
        ("internal_only", &[], json!({"internal": true})),
        ("disabled", &[], json!({"disabled": true})),
        ("disabled\nenabled", &[], json!({"disabled": false})),
        ("disabled web", &[], json!({"disabled": false})),
        ("disabled web", &["web"], json!({"disabled": true})),
        ("disabled web, api", &["API"], json!({"disabled": true})),
        (
            "disabled\nenabled web",
            &["mobile"],
            json!({"disabled": true}),
        ),
        (
            "disabled\nenabled web",
            &["web"],
            json!({"disabled": false}),
        ),
    ];
    for (comment, tags, expected) in cases {
        check(comment, tags, expected);
    }
}

#[test]
fn rule_precedence_headers_and_parameters() {
    let cases: Vec<(&str, &[&str], Value)> = vec![
        (
            "authorize: admin",
            &[],
            json!({"requires_authorization": false, "headers": {"authorize": ["admin"]}}),
        ),
        (
            "authorize = admin",
            &[],
            json!({"requires_authorization": false, "custom_parameters": {"authorize": "admin"}}),
        ),
        (
            "http = x",
            &[],
            json!({"http": false, "custom_parameters": {"http": "x"}}),
        ),
        (
            "Cache-Control: no-store",
            &[],
            json!({"headers": {"Cache-Control": ["no-store"]}}),
        ),
        (
            "X-A: 1\nx-a: 2\nX-A: 3",
            &[],
            json!({"headers": {"X-A": ["1", "3"], "x-a": ["2"]}}),
        ),
        (
            "@X-Trace: {id}",
            &[],
            json!({"headers": {"@X-Trace": ["{id}"]}}),
        ),
        (
            "Content-Type: text/plain",
            &[],
            json!({"content_type": "text/plain", "headers": {}}),
        ),
        (
            "content_type: application/json",
            &[],
            json!({"content_type": "application/json"}),
        ),
        (
            "CONTENT-TYPE: a\ncontent-type: b",
            &[],
            json!({"content_type": "b"}),
        ),
        (
            "X-A: b=c",
            &[],
            json!({"headers": {"X-A": ["b=c"]}, "custom_parameters": {}}),
        ),
        (
            "a = b: c",
            &[],
            json!({"custom_parameters": {"a": "b: c"}, "headers": {}}),
        ),
        (
            "HTTP GET /x?a=b",
            &[],
            json!({"method": "GET", "path": "/x?a=b", "custom_parameters": {}}),
        ),
        (
            "HTTP GET http://host",
            &[],
            json!({"method": "GET", "headers": {}}),
        ),
        (
            "my_param = hello world",
            &[],
            json!({"custom_parameters": {"my_param": "hello world"}}),
        ),
        (
            "@my_param = 1\nmy_param = 2",
            &[],
            json!({"custom_parameters": {"my_param": "2"}}),
        ),
        (
            "tab = a\\tb",
            &[],
            json!({"custom_parameters": {"tab": "a\tb"}}),
        ),
        ("u = \\u0041", &[], json!({"custom_parameters": {"u": "A"}})),
        ("empty =", &[], json!({"custom_parameters": {"empty": ""}})),
        ("= v", &[], json!({"custom_parameters": {"": "v"}})),
        (
            "a b = c",
            &[],
            json!({"custom_parameters": {}, "unhandled_lines": ["a b = c"]}),
        ),
        (
            "raw = true",
            &[],
            json!({"raw": true, "custom_parameters": {}}),
        ),
        ("@RAW = False", &[], json!({"raw": false})),
        (
            "raw = yes",
            &[],
            json!({"warnings": [{"text": "raw = yes", "reason": "\"yes\" is not true or false"}]}),
        ),
        ("buffer_rows = 5", &[], json!({"buffer_rows": 5})),
        (
            "buffer = abc",
            &[],
            json!({"warnings": [{"text": "buffer = abc", "reason": "\"abc\" is not a whole number"}]}),
        ),
        ("timeout = 30s", &[], json!({"timeout": "30s"})),
        ("separator = \\t", &[], json!({"separator": "\t"})),
        (
            "cached = p1",
            &[],
            json!({"custom_parameters": {"cached": "p1"}}),
        ),
    ];
    for (comment, tags, expected) in cases {
        check(comment, tags, expected);
    }
}

#[test]
fn lines_tags_and_prose() {
    let cases: Vec<(&str, &[&str], Value)> = vec![
        (
            "Signs the user out.\r\nHTTP POST\r\n@logout",
            &[],
            json!({"unhandled_lines": ["Signs the user out."], "logout": true, "method": "POST"}),
        ),
        (
            "a\rb\r\rc",
            &[],
            json!({"unhandled_lines": ["a", "b", "c"]}),
        ),
        (
            "  @logout  ",
            &[],
            json!({"logout": true, "annotations": [{"name": "logout", "text": "@logout"}]}),
        ),
        (
            "logouts",
            &[],
            json!({"logout": false, "unhandled_lines": ["logouts"]}),
        ),
        ("This function logs out", &[], json!({"logout": false})),
        (
            "for web\nlogout",
            &[],
            json!({"logout": true, "unhandled_lines": ["for web"]}),
        ),
        (
            "for web\nlogout",
            &["web"],
            json!({"logout": true, "annotations": [{"name": "for", "text": "for web"}, {"name": "logout", "text": "logout"}]}),
        ),
        (
            "for web\nlogout",
            &["api"],
            json!({"logout": false, "unhandled_lines": ["logout"]}),
        ),
        (
            "tags a, b\nlogin\nfor c\nlogout",
            &["b"],
            json!({"login": true, "logout": false, "unhandled_lines": ["logout"]}),
        ),
        ("@tag x\nHTTP GET", &["X"], json!({"http": true})),
        (
            "for\nlogout",
            &["web"],
            json!({"logout": true, "unhandled_lines": ["for"]}),
        ),
        (
            "for web\nauthorize: x",
            &["api"],
            json!({"headers": {}, "unhandled_lines": ["authorize: x"]}),
        ),
    ];
    for (comment, tags, expected) in cases {
        check(comment, tags, expected);
    }
}

#[test]
fn every_keyword_line_is_listed_under_its_canonical_name() {
    let cases: &[(&str, &str)] = &[
        ("raw_mode", "raw"),
        ("raw_results", "raw"),
        ("raw_separator ;", "separator"),
        ("raw_new_line \\n", "new_line"),
        ("column_names", "columns"),
        ("names", "columns"),
        ("single_record", "single"),
        ("single_result", "single"),
        ("void_result", "void"),
        ("buffer 10", "buffer_rows"),
        ("cached a, b", "cached"),
        ("cache_expires_in 5 minutes", "cache_expires"),
        ("cache_profile fast", "cache_profile"),
        ("connection replica", "connection_name"),
        ("command_timeout 30s", "timeout"),
        ("request_headers context", "request_headers_mode"),
        (
            "request-headers-param-name h",
            "request_headers_parameter_name",
        ),
        (
            "request_headers_param_name h",
            "request_headers_parameter_name",
        ),
        ("body_param_name Body", "body_parameter_name"),
        ("response_null 204", "response_null_handling"),
        ("query_null ignore", "query_string_null_handling"),
        ("query_string_null null", "query_string_null_handling"),
        ("sensitive", "security_sensitive"),
        ("security", "security_sensitive"),
        ("user_context", "user_context"),
        ("user_params", "user_parameters"),
        ("upload", "upload"),
        ("parameter p1 is p2", "param"),
        ("sse_events_path /events", "sse"),
        ("sse_events_publish", "sse_publish"),
        ("sse_events_subscribe", "sse_subscribe"),
        ("sse_events_level info", "sse_level"),
        ("sse_events_scope all", "sse_scope"),
        ("basic_authentication", "basic_auth"),
        ("realm api", "basic_auth_realm"),
        ("challenge_command select 1", "basic_auth_command"),
        ("retry fast", "retry_strategy"),
        ("rate_limiter_policy_name p", "rate_limiter_policy"),
        ("error_code e", "error_code_policy"),
        ("validation p using not_null", "validate"),
        ("reverse_proxy", "proxy"),
        ("forward_proxy", "proxy_out"),
        ("protected a", "encrypt"),
        ("unprotect a", "decrypt"),
        ("nested_composite", "nested_json"),
        ("internal_only", "internal"),
        ("anonymous", "allow_anonymous"),
    ];
    for (line, canonical) in cases {
        assert_eq!(names(line), vec![canonical.to_string()], "line {line:?}");
    }
}

#[test]
fn needs_argument_keywords_alone_are_prose() {
    for line in [
        "path",
        "buffer_rows",
        "cache_expires",
        "connection",
        "timeout",
        "sse_level",
        "sse_scope",
        "realm",
        "basic_auth_command",
        "retry",
        "rate_limiter",
        "error_code",
        "param_type",
    ] {
        let doc = parse(line, Routine::default());
        assert!(doc.annotations.is_empty(), "line {line:?} was recognised");
        assert_eq!(doc.unhandled_lines, vec![line.to_string()], "line {line:?}");
    }
}

#[test]
fn resolved_parameters_need_a_routine_parameter() {
    let params = vec!["_scheme".to_string()];
    let routine = Routine {
        tags: &[],
        parameters: &params,
    };
    let doc = parse("_scheme = Cookies\nother = 1", routine);
    assert_eq!(
        doc.resolved_parameters,
        json!({"_scheme": "Cookies"})
            .as_object()
            .cloned()
            .unwrap_or_default()
    );
    assert_eq!(
        doc.custom_parameters,
        json!({"other": "1"})
            .as_object()
            .cloned()
            .unwrap_or_default()
    );
}

fn warning(text: &str, reason: &str) -> Value {
    json!([{"text": text, "reason": reason}])
}

/// The keywords of SPEC §5's core keys, in the tables below too so every
/// keyword has its three cases in one place.
fn core_keyword_cases() -> Vec<Case> {
    vec![
        ("HTTP", &[], json!({"http": true})),
        ("http GET /x", &[], json!({"method": "GET", "path": "/x"})),
        (
            "HTTP nope /x",
            &[],
            json!({"path": "/x", "warnings": warning("HTTP nope /x", "\"nope\" is not an HTTP method (GET, PUT, POST, DELETE, QUERY)")}),
        ),
        ("path /A", &[], json!({"path": "/a"})),
        ("@path x/Y", &[], json!({"path": "/x/y"})),
        ("path /a extra", &[], json!({"path": "/a"})),
        (
            "request_param_type query_string",
            &[],
            json!({"request_param_type": "query_string"}),
        ),
        (
            "param_type @body",
            &[],
            json!({"request_param_type": "body_json"}),
        ),
        (
            "request_param_type json",
            &[],
            json!({"request_param_type": null, "warnings": warning("request_param_type json", "\"json\" is not one of query_string, query, body_json, body")}),
        ),
        ("authorize", &[], json!({"requires_authorization": true})),
        (
            "authorize A, b a",
            &[],
            json!({"authorize_roles": ["a", "b"]}),
        ),
        (
            "requires_authorization x\nauthorized y",
            &[],
            json!({"authorize_roles": ["y"]}),
        ),
        (
            "allow_anonymous",
            &[],
            json!({"allow_anonymous": true, "requires_authorization": false}),
        ),
        (
            "authorize\nanon",
            &[],
            json!({"requires_authorization": false}),
        ),
        (
            "@anonymous extra words",
            &[],
            json!({"allow_anonymous": true}),
        ),
        ("login", &[], json!({"login": true})),
        ("signin", &[], json!({"login": true})),
        ("@LOGIN now", &[], json!({"login": true})),
        ("logout", &[], json!({"logout": true})),
        ("signout", &[], json!({"logout": true})),
        ("@SignOut all", &[], json!({"logout": true})),
        ("disabled", &[], json!({"disabled": true})),
        ("@disabled", &[], json!({"disabled": true})),
        ("disabled x", &[], json!({"disabled": false})),
        ("disabled\nenabled", &[], json!({"disabled": false})),
        ("disabled\n@ENABLED", &[], json!({"disabled": false})),
        ("disabled\nenabled x", &[], json!({"disabled": true})),
        ("internal", &[], json!({"internal": true})),
        ("internal_only", &[], json!({"internal": true})),
        ("@Internal yes", &[], json!({"internal": true})),
    ]
}

/// Flags and text values, keyword and `key = value` forms.
fn flag_and_text_cases() -> Vec<Case> {
    vec![
        ("raw", &[], json!({"raw": true})),
        (
            "raw_results = FALSE",
            &[],
            json!({"raw": false, "annotations": [{"name": "raw", "text": "raw_results = FALSE"}]}),
        ),
        (
            "raw = 1",
            &[],
            json!({"raw": null, "warnings": warning("raw = 1", "\"1\" is not true or false")}),
        ),
        ("separator \\t", &[], json!({"separator": "\t"})),
        ("raw_separator  ,  x", &[], json!({"separator": " ,  x"})),
        ("separator = \\u0041|", &[], json!({"separator": "A|"})),
        (
            "separator \\q",
            &[],
            json!({"separator": "\\q", "warnings": warning("separator \\q", "\"\\q\" is not an escape sequence, so the value is kept as written (NpgsqlRest would fail to start)")}),
        ),
        (
            "separator,;",
            &[],
            json!({"separator": null, "warnings": warning("separator,;", "the value is missing: it follows the first space")}),
        ),
        ("new_line \\r\\n", &[], json!({"new_line": "\r\n"})),
        ("raw_new_line = \\n", &[], json!({"new_line": "\n"})),
        (
            "new_line \\x4",
            &[],
            json!({"new_line": "\\x4", "warnings": warning("new_line \\x4", "\"\\x\" needs 2 hex digits, so the value is kept as written (NpgsqlRest would fail to start)")}),
        ),
        ("new_line = end\\", &[], json!({"new_line": "end"})),
        ("columns", &[], json!({"columns": true})),
        ("names = true", &[], json!({"columns": true})),
        (
            "column_names = no",
            &[],
            json!({"columns": null, "warnings": warning("column_names = no", "\"no\" is not true or false")}),
        ),
        ("single", &[], json!({"single": true})),
        ("single_record = false", &[], json!({"single": false})),
        ("@single_result", &[], json!({"single": true})),
        ("void", &[], json!({"void": true})),
        ("void_result = TRUE", &[], json!({"void": true})),
        (
            "void = 0",
            &[],
            json!({"void": null, "warnings": warning("void = 0", "\"0\" is not true or false")}),
        ),
        ("sensitive", &[], json!({"security_sensitive": true})),
        ("@security", &[], json!({"security_sensitive": true})),
        (
            "security_sensitive",
            &[],
            json!({"security_sensitive": true}),
        ),
        (
            "security_sensitive = true",
            &[],
            json!({"security_sensitive": null, "custom_parameters": {"security_sensitive": "true"}}),
        ),
        ("user_context", &[], json!({"user_context": true})),
        ("user_context = false", &[], json!({"user_context": false})),
        (
            "user_context = nope",
            &[],
            json!({"warnings": warning("user_context = nope", "\"nope\" is not true or false")}),
        ),
        ("user_params", &[], json!({"user_parameters": true})),
        (
            "user_parameters = True",
            &[],
            json!({"user_parameters": true}),
        ),
        (
            "user_params = 1",
            &[],
            json!({"warnings": warning("user_params = 1", "\"1\" is not true or false")}),
        ),
        ("nested", &[], json!({"nested_json": true})),
        ("nested_json", &[], json!({"nested_json": true})),
        ("@nested_composite", &[], json!({"nested_json": true})),
        (
            "nested_json = true",
            &[],
            json!({"nested_json": null, "custom_parameters": {"nested_json": "true"}}),
        ),
    ]
}

/// Numbers, intervals, choices and names.
fn value_cases() -> Vec<Case> {
    vec![
        ("buffer_rows 100", &[], json!({"buffer_rows": 100})),
        ("buffer = +7", &[], json!({"buffer_rows": 7})),
        (
            "buffer_rows abc",
            &[],
            json!({"buffer_rows": null, "warnings": warning("buffer_rows abc", "\"abc\" is not a whole number")}),
        ),
        (
            "buffer_rows 5\nbuffer -1",
            &[],
            json!({"buffer_rows": 5, "warnings": warning("buffer -1", "\"-1\" is not a whole number")}),
        ),
        (
            "cache_expires 5 minutes",
            &[],
            json!({"cache_expires": "5 minutes"}),
        ),
        ("cache_expires_in 1H", &[], json!({"cache_expires": "1H"})),
        (
            "cache_expires 1 hour 30 minutes",
            &[],
            json!({"cache_expires": null, "warnings": warning("cache_expires 1 hour 30 minutes", "\"1 hour 30 minutes\" is not an interval: write a number and an optional unit, e.g. 30s or 5 minutes")}),
        ),
        (
            "cache_expires 5 fortnights",
            &[],
            json!({"warnings": warning("cache_expires 5 fortnights", "\"fortnights\" is not an interval unit (us, ms, s, min, h, d, w and their long names)")}),
        ),
        ("cache_profile Fast", &[], json!({"cache_profile": "Fast"})),
        (
            "cache_profile",
            &[],
            json!({"cache_profile": null, "warnings": warning("cache_profile", "a name is missing")}),
        ),
        (
            "cache_profile a b",
            &[],
            json!({"cache_profile": null, "warnings": warning("cache_profile a b", "\"a b\" is more than one name, so the line is ignored")}),
        ),
        (
            "connection Replica",
            &[],
            json!({"connection_name": "replica"}),
        ),
        (
            "connection_name = Replica",
            &[],
            json!({"connection_name": "Replica"}),
        ),
        (
            "connection_name read, only",
            &[],
            json!({"connection_name": "read only"}),
        ),
        ("timeout 30s", &[], json!({"timeout": "30s"})),
        (
            "command_timeout = 2 minutes",
            &[],
            json!({"timeout": "2 minutes", "warnings": []}),
        ),
        (
            "timeout 2 minutes",
            &[],
            json!({"timeout": "2", "warnings": warning("timeout 2 minutes", "only the first word \"2\" is read; write \"2minutes\" or \"timeout = 2 minutes\"")}),
        ),
        (
            "timeout 30s\ntimeout abc",
            &[],
            json!({"timeout": null, "warnings": warning("timeout abc", "\"abc\" is not an interval: write a number and an optional unit, e.g. 30s or 5 minutes; the server default applies")}),
        ),
        (
            "timeout 10\ntimeout = abc",
            &[],
            json!({"timeout": "10", "warnings": warning("timeout = abc", "\"abc\" is not an interval: write a number and an optional unit, e.g. 30s or 5 minutes")}),
        ),
        (
            "request_headers_mode context",
            &[],
            json!({"request_headers_mode": "context"}),
        ),
        (
            "request_headers @Parameter",
            &[],
            json!({"request_headers_mode": "parameter"}),
        ),
        (
            "request_headers_mode none",
            &[],
            json!({"request_headers_mode": null, "warnings": warning("request_headers_mode none", "\"none\" is not one of ignore, context, parameter")}),
        ),
        (
            "request_headers_param_name Hdrs",
            &[],
            json!({"request_headers_parameter_name": "hdrs"}),
        ),
        (
            "request-headers-param-name h x",
            &[],
            json!({"request_headers_parameter_name": null, "warnings": warning("request-headers-param-name h x", "\"h x\" is more than one name, so the line is ignored")}),
        ),
        (
            "request_headers_parameter_name",
            &[],
            json!({"warnings": warning("request_headers_parameter_name", "a name is missing")}),
        ),
        (
            "body_param_name Body",
            &[],
            json!({"body_parameter_name": "Body"}),
        ),
        (
            "body_parameter_name",
            &[],
            json!({"body_parameter_name": null, "warnings": warning("body_parameter_name", "a name is missing")}),
        ),
        (
            "body_parameter_name a b",
            &[],
            json!({"body_parameter_name": null, "warnings": warning("body_parameter_name a b", "\"a b\" is more than one name, so the line is ignored")}),
        ),
        (
            "response_null 204",
            &[],
            json!({"response_null_handling": "no_content"}),
        ),
        (
            "response_null_handling NULL",
            &[],
            json!({"response_null_handling": "null_literal"}),
        ),
        (
            "response_null_handling empty",
            &[],
            json!({"response_null_handling": "empty_string"}),
        ),
        (
            "response_null zero",
            &[],
            json!({"response_null_handling": null, "warnings": warning("response_null zero", "\"zero\" is not one of empty_string, empty, null_literal, null, no_content, 204, 204_no_content")}),
        ),
        (
            "query_null ignore",
            &[],
            json!({"query_string_null_handling": "ignore"}),
        ),
        (
            "query_string_null_handling EMPTY",
            &[],
            json!({"query_string_null_handling": "empty_string"}),
        ),
        (
            "query_string_null null_literal",
            &[],
            json!({"query_string_null_handling": "null_literal"}),
        ),
        (
            "query_null_handling 204",
            &[],
            json!({"query_string_null_handling": null, "warnings": warning("query_null_handling 204", "\"204\" is not one of empty_string, empty, null_literal, null, ignore")}),
        ),
        ("retry fast", &[], json!({"retry_strategy": "fast"})),
        (
            "retry_strategy_name Big Backoff",
            &[],
            json!({"retry_strategy": "Big Backoff"}),
        ),
        (
            "retry_strategy = Default",
            &[],
            json!({"retry_strategy": "Default"}),
        ),
        (
            "rate_limiter fixed",
            &[],
            json!({"rate_limiter_policy": "fixed"}),
        ),
        (
            "rate_limiter_policy_name Per, User",
            &[],
            json!({"rate_limiter_policy": "Per User"}),
        ),
        (
            "rate_limiter_policy = burst",
            &[],
            json!({"rate_limiter_policy": "burst"}),
        ),
        (
            "error_code strict",
            &[],
            json!({"error_code_policy": "strict"}),
        ),
        (
            "error_code_policy_name My Policy",
            &[],
            json!({"error_code_policy": "My Policy"}),
        ),
        (
            "error_code_policy = x",
            &[],
            json!({"error_code_policy": "x"}),
        ),
    ]
}

/// Annotations that name the routine's parameters (third item: the
/// routine's parameters; none means not known, so nothing is checked).
fn parameter_cases() -> Vec<Case> {
    vec![
        ("cached", &[], json!({"cached": []})),
        ("cached A, b a", &[], json!({"cached": ["A", "b", "a"]})),
        (
            "cached _a, _x",
            &["_a"],
            json!({"cached": ["_a"], "warnings": warning("cached _a, _x", "not a parameter of the routine, so ignored: \"_x\"")}),
        ),
        (
            "param _user_id is uid\ncached uid",
            &["_user_id"],
            json!({"param": [{"parameter": "_user_id", "rename": "uid"}], "cached": ["uid"], "warnings": []}),
        ),
        ("encrypt", &[], json!({"encrypt": true})),
        ("encrypt _A, _b", &[], json!({"encrypt": ["_a", "_b"]})),
        (
            "protect _a, _x",
            &["_a"],
            json!({"encrypt": ["_a"], "warnings": warning("protect _a, _x", "not a parameter of the routine, so ignored: \"_x\"")}),
        ),
        ("encrypted = false", &[], json!({"encrypt": false})),
        (
            "encrypt _a\nprotected = false",
            &[],
            json!({"encrypt": ["_a"]}),
        ),
        ("encrypt _a\nencrypt", &[], json!({"encrypt": true})),
        ("decrypt", &[], json!({"decrypt": true})),
        (
            "unprotect Col1, col1, col2",
            &["x"],
            json!({"decrypt": ["col1", "col2"], "warnings": []}),
        ),
        ("decrypted = true", &[], json!({"decrypt": true})),
        (
            "unprotected = maybe",
            &[],
            json!({"decrypt": null, "warnings": warning("unprotected = maybe", "\"maybe\" is not true or false")}),
        ),
        (
            "validate _email using required, email",
            &[],
            json!({"validate": {"_email": ["required", "email"]}}),
        ),
        (
            "validate _e using not_null\nvalidation _e using email",
            &[],
            json!({"validate": {"_e": ["not_null", "email"]}}),
        ),
        (
            "validate email using required",
            &["_email"],
            json!({"validate": {"_email": ["required"]}, "warnings": []}),
        ),
        (
            "validate _x using required",
            &["_email"],
            json!({"validate": null, "warnings": warning("validate _x using required", "\"_x\" is not a parameter of the routine")}),
        ),
        (
            "validate _e with required",
            &[],
            json!({"validate": null, "warnings": warning("validate _e with required", "\"with\" should be \"using\": write validate <parameter> using <rule>, ...")}),
        ),
        (
            "upload",
            &[],
            json!({"upload": {"handlers": null, "metadata_parameters": []}, "method": "POST", "request_param_type": "query_string"}),
        ),
        (
            "upload for File_System, csv",
            &[],
            json!({"upload": {"handlers": ["file_system", "csv"], "metadata_parameters": []}}),
        ),
        (
            "upload meta as metadata",
            &["_meta"],
            json!({"upload": {"handlers": null, "metadata_parameters": ["_meta"]}, "warnings": []}),
        ),
        (
            "upload nope as metadata",
            &["_meta"],
            json!({"upload": {"handlers": null, "metadata_parameters": []}, "warnings": warning("upload nope as metadata", "\"nope\" is not a parameter of the routine")}),
        ),
        (
            "upload x",
            &[],
            json!({"upload": {"handlers": null, "metadata_parameters": []}, "warnings": warning("upload x", "\"x\" is ignored: write \"upload for <handler>\" or \"upload <parameter> as metadata\"")}),
        ),
        ("HTTP GET\nupload", &[], json!({"method": "POST"})),
        (
            "upload\nHTTP GET",
            &[],
            json!({"method": "GET", "request_param_type": "query_string"}),
        ),
        (
            "param $1 is user_id",
            &[],
            json!({"param": [{"parameter": "$1", "rename": "user_id"}]}),
        ),
        (
            "param $1 uid int default 5",
            &[],
            json!({"param": [{"parameter": "$1", "rename": "uid", "type": "int", "default": "5"}]}),
        ),
        (
            "param,:Id type is BigInt",
            &[],
            json!({"param": [{"parameter": "id", "type": "bigint"}]}),
        ),
        (
            "param :Id type is BigInt",
            &[],
            json!({"param": null, "headers": {"param": ["Id type is BigInt"]}}),
        ),
        (
            "param _a is hash of _b",
            &["_a", "_b"],
            json!({"param": [{"parameter": "_a", "hash_of": "_b"}], "warnings": []}),
        ),
        (
            "param _a is hash of _c",
            &["_a", "_b"],
            json!({"param": null, "warnings": warning("param _a is hash of _c", "\"_c\" is not a parameter of the routine")}),
        ),
        (
            "param f is upload metadata",
            &[],
            json!({"param": [{"parameter": "f", "upload_metadata": true}], "upload": {"handlers": null, "metadata_parameters": ["f"]}, "method": "POST"}),
        ),
        (
            "param _n default 'a b'",
            &["_n"],
            json!({"param": [{"parameter": "_n", "default": "a b"}]}),
        ),
        (
            "param N = null",
            &["_n"],
            json!({"param": [{"parameter": "_n", "default": null}], "warnings": []}),
        ),
        (
            "param x is 1bad",
            &[],
            json!({"param": null, "warnings": warning("param x is 1bad", "\"1bad\" is not a parameter name (a letter or _ then letters, digits, _ or $; or $ and digits)")}),
        ),
        (
            "param y z",
            &["x"],
            json!({"param": null, "warnings": warning("param y z", "\"y\" is not a parameter of the routine")}),
        ),
        (
            "param a",
            &[],
            json!({"param": null, "warnings": warning("param a", "nothing to do: write param <name> and a new name, a type, a default, \"is hash of <name>\" or \"is upload metadata\"")}),
        ),
    ]
}

/// The `sse…`, `basic_auth…` and proxy families, gathered in one object each.
fn family_cases() -> Vec<Case> {
    let sse = |publish: bool, path: Value, level: Value, scope: Value, roles: Value| json!({"sse": {"publish": publish, "path": path, "level": level, "scope": scope, "roles": roles}});
    let auth = |users: Value, realm: Value, command: Value| json!({"basic_auth": {"users": users, "realm": realm, "command": command}});
    let proxy =
        |key: &str, method: Value, host: Value| json!({key: {"method": method, "host": host}});
    let null = Value::Null;
    let mut cases: Vec<Case> = vec![
        (
            "sse",
            &[],
            sse(true, json!("info"), null.clone(), null.clone(), json!([])),
        ),
        (
            "sse_level notice\nsse",
            &[],
            sse(
                true,
                json!("notice"),
                json!("notice"),
                null.clone(),
                json!([]),
            ),
        ),
        (
            "sse_path /Events on Warning",
            &[],
            sse(
                true,
                json!("/events"),
                json!("warning"),
                null.clone(),
                json!([]),
            ),
        ),
        (
            "sse = false",
            &[],
            sse(false, null.clone(), null.clone(), null.clone(), json!([])),
        ),
        (
            "sse_events_path = /Stream",
            &[],
            sse(
                true,
                json!("/Stream"),
                null.clone(),
                null.clone(),
                json!([]),
            ),
        ),
        (
            "sse_publish",
            &[],
            sse(true, null.clone(), null.clone(), null.clone(), json!([])),
        ),
        (
            "sse_events_publish on notice",
            &[],
            sse(true, null.clone(), json!("notice"), null.clone(), json!([])),
        ),
        (
            "sse\nsse_publish = false",
            &[],
            sse(false, json!("info"), null.clone(), null.clone(), json!([])),
        ),
        (
            "sse_publish = whatever",
            &[],
            sse(true, null.clone(), null.clone(), null.clone(), json!([])),
        ),
        (
            "sse_subscribe",
            &[],
            sse(false, json!("info"), null.clone(), null.clone(), json!([])),
        ),
        (
            "sse_events_subscribe /s on info",
            &[],
            sse(false, json!("/s"), json!("info"), null.clone(), json!([])),
        ),
        (
            "sse_subscribe = /X",
            &[],
            sse(false, json!("/X"), null.clone(), null.clone(), json!([])),
        ),
        (
            "sse_level WARNING",
            &[],
            sse(
                false,
                null.clone(),
                json!("warning"),
                null.clone(),
                json!([]),
            ),
        ),
        (
            "sse_events_level = notice",
            &[],
            sse(
                false,
                null.clone(),
                json!("notice"),
                null.clone(),
                json!([]),
            ),
        ),
        (
            "sse_scope matching",
            &[],
            sse(
                false,
                null.clone(),
                null.clone(),
                json!("matching"),
                json!([]),
            ),
        ),
        (
            "sse_scope authorize Admin, admin, ops",
            &[],
            sse(
                false,
                null.clone(),
                null.clone(),
                json!("authorize"),
                json!(["admin", "ops"]),
            ),
        ),
        (
            "sse_events_scope = authorize Admin",
            &[],
            sse(
                false,
                null.clone(),
                null.clone(),
                json!("authorize"),
                json!(["Admin"]),
            ),
        ),
        (
            "sse_scope all a b",
            &[],
            sse(false, null.clone(), null.clone(), json!("all"), json!([])),
        ),
        (
            "basic_auth",
            &[],
            auth(json!({}), null.clone(), null.clone()),
        ),
        (
            "basic_auth alice S3cret\nbasic_authentication bob pw",
            &[],
            auth(
                json!({"alice": "S3cret", "bob": "pw"}),
                null.clone(),
                null.clone(),
            ),
        ),
        (
            "basic_auth = x alice secret",
            &[],
            auth(json!({"alice": "secret"}), null.clone(), null.clone()),
        ),
        (
            "realm Api",
            &[],
            auth(json!({}), json!("Api"), null.clone()),
        ),
        (
            "basic_authentication_realm = My Api",
            &[],
            auth(json!({}), json!("My Api"), null.clone()),
        ),
        (
            "basic_auth alice pw\nbasic_auth_realm Api",
            &[],
            auth(json!({"alice": "pw"}), json!("Api"), null.clone()),
        ),
        (
            "challenge_command select auth.check($1, $2)",
            &[],
            auth(json!({}), null.clone(), json!("select auth.check($1, $2)")),
        ),
        (
            "basic_auth_command = select 1",
            &[],
            auth(json!({}), null.clone(), json!("select 1")),
        ),
        (
            "@basic_authentication_command  SELECT x",
            &[],
            auth(json!({}), null.clone(), json!(" SELECT x")),
        ),
        ("proxy", &[], proxy("proxy", null.clone(), null.clone())),
        (
            "reverse_proxy post https://api.example.com/v1",
            &[],
            proxy("proxy", json!("POST"), json!("https://api.example.com/v1")),
        ),
        (
            "proxy /local",
            &[],
            proxy("proxy", null.clone(), json!("/local")),
        ),
        (
            "proxy https://a\nproxy PUT",
            &[],
            proxy("proxy", json!("PUT"), json!("https://a")),
        ),
        (
            "proxy_out",
            &[],
            proxy("proxy_out", null.clone(), null.clone()),
        ),
        (
            "forward_proxy GET http://svc",
            &[],
            proxy("proxy_out", json!("GET"), json!("http://svc")),
        ),
        (
            "proxy_out DELETE",
            &[],
            proxy("proxy_out", json!("DELETE"), null.clone()),
        ),
    ];
    cases.extend(family_warning_cases());
    cases
}

/// Family lines whose value is ignored, in part or whole.
fn family_warning_cases() -> Vec<Case> {
    vec![
        (
            "sse /e on loud",
            &[],
            json!({"warnings": warning("sse /e on loud", "\"loud\" is not one of info, notice, warning")}),
        ),
        (
            "sse /e now",
            &[],
            json!({"warnings": warning("sse /e now", "\"now\" is ignored: a level is written \"on info\", \"on notice\" or \"on warning\"")}),
        ),
        (
            "sse_level = loud",
            &[],
            json!({"warnings": warning("sse_level = loud", "\"loud\" is not one of info, notice, warning")}),
        ),
        (
            "sse_scope everyone",
            &[],
            json!({"warnings": warning("sse_scope everyone", "\"everyone\" is not one of matching, authorize, all")}),
        ),
        (
            "basic_auth alice",
            &[],
            json!({"basic_auth": {"users": {}, "realm": null, "command": null}, "warnings": warning("basic_auth alice", "no password for \"alice\": write basic_auth <user> <password>")}),
        ),
        (
            "basic_auth = alice secret",
            &[],
            json!({"warnings": warning("basic_auth = alice secret", "\"alice secret\" adds no user: the value is read as three words, <any> <user> <password>")}),
        ),
        (
            "basic_auth_realm My Api",
            &[],
            json!({"basic_auth": {"users": {}, "realm": "My", "command": null}, "warnings": warning("basic_auth_realm My Api", "only the first word \"My\" is the realm; the rest is ignored")}),
        ),
        (
            "proxy PATCH",
            &[],
            json!({"proxy": {"method": null, "host": null}, "warnings": warning("proxy PATCH", "\"PATCH\" is neither an HTTP method (GET, PUT, POST, DELETE, QUERY) nor a URL (http://…, https://… or /path)")}),
        ),
        (
            "proxy GET ftp://x",
            &[],
            json!({"proxy": {"method": "GET", "host": null}, "warnings": warning("proxy GET ftp://x", "\"ftp://x\" is not a URL (http://…, https://… or /path)")}),
        ),
        (
            "proxy_out example.com",
            &[],
            json!({"proxy_out": {"method": null, "host": null}, "warnings": warning("proxy_out example.com", "\"example.com\" is neither an HTTP method (GET, PUT, POST, DELETE, QUERY) nor a URL (http://…, https://… or /path)")}),
        ),
    ]
}

/// `{name}` placeholders, `key = value` precedence, escapes.
fn placeholder_and_key_value_cases() -> Vec<Case> {
    vec![
        (
            "X-User: {_user_id}\nX-Name: {!name:anon}",
            &[],
            json!({"placeholders": ["_user_id", "name"], "headers": {"X-User": ["{_user_id}"], "X-Name": ["{!name:anon}"]}}),
        ),
        (
            "Content-Type: text/{fmt}",
            &[],
            json!({"placeholders": ["fmt"], "content_type": "text/{fmt}"}),
        ),
        (
            "msg = Hello {userId}, {\"a\": 1} {userId}",
            &["_user_id"],
            json!({"placeholders": ["userId"], "custom_parameters": {"msg": "Hello {userId}, {\"a\": 1} {userId}"}, "warnings": []}),
        ),
        (
            "X-A: {nope}",
            &["_user_id"],
            json!({"placeholders": ["nope"], "warnings": warning("X-A: {nope}", "{nope} names no parameter of the routine, so it is sent as written")}),
        ),
        (
            "realm = {x}\n_user_id = select {other}",
            &["_user_id"],
            json!({"placeholders": null, "resolved_parameters": {"_user_id": "select {other}"}}),
        ),
        ("X-A: b", &[], json!({"placeholders": null})),
        (
            "raw = true",
            &["raw"],
            json!({"resolved_parameters": {"raw": "true"}, "raw": null, "annotations": []}),
        ),
        (
            "RAW = true",
            &["raw"],
            json!({"resolved_parameters": {}, "raw": true}),
        ),
        (
            "@_a = 1",
            &["_a"],
            json!({"resolved_parameters": {}, "custom_parameters": {"_a": "1"}}),
        ),
        (
            "_a = a\\tb",
            &["_a"],
            json!({"resolved_parameters": {"_a": "a\\tb"}}),
        ),
        (
            "x = \\q",
            &[],
            json!({"custom_parameters": {"x": "\\q"}, "warnings": warning("x = \\q", "\"\\q\" is not an escape sequence, so the value is kept as written (NpgsqlRest would fail to start)")}),
        ),
        (
            "@Content-Type: text/csv",
            &[],
            json!({"content_type": "text/csv", "headers": {}}),
        ),
    ]
}

fn all_value_cases() -> Vec<Case> {
    let mut cases = core_keyword_cases();
    cases.extend(flag_and_text_cases());
    cases.extend(value_cases());
    cases.extend(parameter_cases());
    cases.extend(family_cases());
    cases.extend(placeholder_and_key_value_cases());
    cases
}

#[test]
fn annotation_values() {
    for (comment, params, expected) in all_value_cases() {
        check_in(comment, &[], params, expected);
    }
}

#[test]
fn every_keyword_has_three_cases() {
    let mut counts: HashMap<String, usize> = HashMap::new();
    for (comment, _, _) in all_value_cases() {
        let mut seen = names(comment);
        seen.dedup();
        for name in seen {
            *counts.entry(name).or_default() += 1;
        }
    }
    for keyword in KEYWORDS {
        let count = counts.get(keyword.name).copied().unwrap_or(0);
        assert!(count >= 3, "{} has {count} cases", keyword.name);
    }
}

#[test]
fn bare_value_keywords_are_prose() {
    for line in [
        "request_headers_mode",
        "request_headers",
        "response_null_handling",
        "response_null",
        "query_string_null_handling",
        "query_null",
        "validate _e using",
        "validation",
    ] {
        let doc = parse(line, Routine::default());
        assert!(doc.annotations.is_empty(), "line {line:?} was recognised");
        assert_eq!(doc.unhandled_lines, vec![line.to_string()], "line {line:?}");
    }
}

mod never_fails {
    use proptest::prelude::*;

    use super::super::annotations::{parse, Routine};
    use super::super::keywords::KEYWORDS;
    use super::writes_as_its_value;

    /// A line of keywords, fixed words and odd characters.
    fn line() -> impl Strategy<Value = String> {
        let aliases: Vec<&str> = KEYWORDS
            .iter()
            .flat_map(|k| k.aliases.iter().copied())
            .collect();
        let word = prop_oneof![
            proptest::sample::select(aliases).prop_map(str::to_string),
            proptest::sample::select(vec![
                "is",
                "hash",
                "of",
                "upload",
                "metadata",
                "as",
                "for",
                "on",
                "using",
                "type",
                "default",
                "=",
                ":",
                "'",
                "_a",
                "$1",
                "get",
                "/x",
                "https://h",
                "{_a}",
                "{!b:c}",
                "\\",
                "\\u",
                "\\ud83d",
                "\\c",
                "30s",
                "1.5",
                "info",
                "authorize",
                "é",
            ])
            .prop_map(str::to_string),
            "[-@a-z0-9_:=,{}!'\\\\ \t.]{0,6}",
        ];
        prop::collection::vec(word, 0..8).prop_map(|words| words.join(" "))
    }

    proptest! {
        #[test]
        fn any_comment_parses(
            lines in prop::collection::vec(line(), 0..6),
            known in any::<bool>(),
        ) {
            let params = vec!["_a".to_string(), "b".to_string()];
            let parameters: &[String] = if known { &params } else { &[] };
            let comment = lines.join("\n");
            let doc = parse(&comment, Routine { tags: &[], parameters });
            for warning in &doc.warnings {
                prop_assert!(!warning.reason.is_empty());
            }
            prop_assert!(writes_as_its_value(&doc));
        }

        #[test]
        fn any_string_parses(comment in any::<String>()) {
            let doc = parse(&comment, Routine::default());
            prop_assert!(writes_as_its_value(&doc));
        }
    }

    /// Many distinct roles, parameters and placeholders are all kept
    /// (repeats are dropped with hash sets, so this stays linear).
    #[test]
    fn big_comments_keep_every_distinct_name() {
        let n = 50_000;
        let roles: Vec<String> = (0..n).map(|i| format!("r{i}")).collect();
        let mut comment = format!(
            "authorize {}\nencrypt {}\n",
            roles.join(","),
            roles.join(" ")
        );
        for i in 0..n {
            comment.push_str(&format!(
                "upload p{i} as metadata\nX-H: {{p{i}}}\nsse_scope authorize r{i}\n"
            ));
        }
        let doc = parse(&comment, Routine::default());
        assert_eq!(doc.authorize_roles.len(), n);
        assert_eq!(doc.placeholders.len(), n);
    }
}
