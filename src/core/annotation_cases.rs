//! Table-driven cases for the annotation grammar: each comment, the tags of
//! its routine, and the document keys it must produce.

use serde_json::{json, Value};

use super::annotations::{parse, Routine};

fn check(comment: &str, tags: &[&str], expected: Value) {
    let tags: Vec<String> = tags.iter().map(|t| t.to_string()).collect();
    let doc = parse(
        comment,
        Routine {
            tags: &tags,
            parameters: &[],
        },
    )
    .to_json();
    let Value::Object(expected) = expected else {
        panic!("expected keys must be an object")
    };
    for (key, want) in expected {
        assert_eq!(
            doc[&key], want,
            "key {key:?} of comment {comment:?} (tags {tags:?}): {doc}"
        );
    }
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
