//! The endpoint NpgsqlRest would create for a routine: its defaults from
//! the routine's schema, name and volatility, then its comment's
//! annotations, under the comments mode in force.

pub mod logout_mention;
pub mod sql_file;

use crate::core::grammar::annotations::{parse_with, Routine};
use crate::core::grammar::document::Document;
use crate::core::json::tree::Json;
use crate::core::naming::default_path;
use crate::core::request::options::RequestOptions;

/// Which routines become endpoints (NpgsqlRest's `CommentsMode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CommentsMode {
    /// Every routine, with its defaults; comments are not read.
    Ignore,
    /// Every routine, configured by its comment.
    ParseAll,
    /// Only routines whose comment has an `HTTP` line that applies.
    OnlyWithHttpTag,
    /// The same as `OnlyWithHttpTag` (NpgsqlRest treats them alike).
    OnlyAnnotated,
}

/// A routine parameter that requests can bind.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Parameter {
    pub name: Option<String>,
    pub type_name: String,
    pub has_default: bool,
}

/// What the catalog says about a routine.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RoutineInfo {
    /// The routine's signature, as `regprocedure` prints it.
    pub signature: String,
    pub schema: String,
    pub name: String,
    pub is_procedure: bool,
    /// `volatile`, `stable` or `immutable`.
    pub volatility: String,
    pub returns_void: bool,
    pub returns_set: bool,
    pub parameters: Vec<Parameter>,
    pub comment: Option<String>,
}

/// An endpoint: the routine's annotation document with effective values.
#[derive(Debug, Clone, PartialEq)]
pub struct Endpoint<'a> {
    pub doc: Document<'a>,
    pub method: String,
    pub path: String,
    pub request_param_type: &'static str,
}

/// What `endpoints()` lists of an endpoint and a logout call checks. It
/// is owned: it outlives the comment the endpoint was parsed from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointSummary {
    pub method: String,
    pub path: String,
    pub request_param_type: &'static str,
    pub requires_authorization: bool,
    pub authorize_roles: Vec<String>,
    pub allow_anonymous: bool,
    pub login: bool,
    pub logout: bool,
}

/// The settings that shape endpoints.
#[derive(Debug, Clone, Copy)]
pub struct EndpointOptions<'a> {
    pub url_prefix: &'a str,
    pub mode: CommentsMode,
}

/// NpgsqlRest's default method: GET for a name with a `get` marker or a
/// stable/immutable routine, else POST.
pub fn default_method(name: &str, volatility: &str) -> &'static str {
    let lower = name.to_lowercase();
    let has_get = lower.starts_with("get_") || lower.contains("_get_") || lower.ends_with("_get");
    if has_get || volatility != "volatile" {
        "GET"
    } else {
        "POST"
    }
}

/// GET and DELETE read parameters from the query string, others from a JSON body.
pub fn default_request_param_type(method: &str) -> &'static str {
    match method {
        "GET" | "DELETE" => "query_string",
        _ => "body_json",
    }
}

impl RoutineInfo {
    /// The tags `for`, `disabled` and `enabled` lines test: the routine's
    /// type and volatility.
    pub fn tags(&self) -> Vec<String> {
        let kind = if self.is_procedure {
            "procedure"
        } else {
            "function"
        };
        vec![kind.to_string(), self.volatility.clone()]
    }

    pub fn parameter_names(&self) -> Vec<String> {
        self.parameters
            .iter()
            .filter_map(|p| p.name.clone())
            .collect()
    }
}

/// The endpoint of `routine`, or None when it is not one.
pub fn endpoint<'a>(
    routine: &'a RoutineInfo,
    options: EndpointOptions,
    on_progress: &mut dyn FnMut(),
) -> Option<Endpoint<'a>> {
    let doc = match options.mode {
        CommentsMode::Ignore => Document::default(),
        _ => parse_comment(routine, on_progress),
    };
    endpoint_of_document(routine, doc, options).ok()
}

/// The annotation document of a routine's comment, whatever the mode.
pub fn parse_comment<'a>(routine: &'a RoutineInfo, on_progress: &mut dyn FnMut()) -> Document<'a> {
    let tags = routine.tags();
    let parameters = routine.parameter_names();
    let context = Routine {
        tags: &tags,
        parameters: &parameters,
    };
    parse_with(
        routine.comment.as_deref().unwrap_or(""),
        context,
        on_progress,
    )
}

/// The endpoint a document makes of `routine` under the mode, or the
/// document back when the mode makes it none.
pub fn endpoint_of_document<'a>(
    routine: &RoutineInfo,
    doc: Document<'a>,
    options: EndpointOptions,
) -> Result<Endpoint<'a>, Document<'a>> {
    let needs_http = matches!(
        options.mode,
        CommentsMode::OnlyWithHttpTag | CommentsMode::OnlyAnnotated
    );
    if (needs_http && !doc.http) || (options.mode != CommentsMode::Ignore && doc.disabled) {
        return Err(doc);
    }
    let method = doc
        .method
        .clone()
        .unwrap_or_else(|| default_method(&routine.name, &routine.volatility).to_string());
    let path = doc
        .path
        .clone()
        .unwrap_or_else(|| default_path(options.url_prefix, Some(&routine.schema), &routine.name));
    let request_param_type = doc
        .request_param_type
        .unwrap_or_else(|| default_request_param_type(&method));
    Ok(Endpoint {
        doc,
        method,
        path,
        request_param_type,
    })
}

impl Endpoint<'_> {
    pub fn summary(&self) -> EndpointSummary {
        EndpointSummary {
            method: self.method.clone(),
            path: self.path.clone(),
            request_param_type: self.request_param_type,
            requires_authorization: self.doc.requires_authorization,
            authorize_roles: self.doc.authorize_roles.clone(),
            allow_anonymous: self.doc.allow_anonymous,
            login: self.doc.login,
            logout: self.doc.logout,
        }
    }

    /// What the annotations say about handling a request.
    pub fn request_options(&self) -> RequestOptions {
        RequestOptions::new(
            &self.doc.settings,
            &self.doc.resolved_parameters,
            &self.doc.resolved_order,
            &self.doc.validations,
        )
    }

    /// The `routine_endpoint` document: the annotation document with
    /// effective values and what the catalog says about the routine.
    pub fn to_json<'j>(&'j self, routine: &'j RoutineInfo) -> Json<'j> {
        let mut members = self.doc.members();
        let kind = if routine.is_procedure {
            "procedure"
        } else {
            "function"
        };
        let parameters = routine
            .parameters
            .iter()
            .map(|p| {
                Json::Object(vec![
                    ("name", Json::opt_str(p.name.as_deref())),
                    ("type", Json::Str(&p.type_name)),
                    ("has_default", Json::Bool(p.has_default)),
                ])
            })
            .collect();
        members.extend([
            ("method", Json::Str(&self.method)),
            ("path", Json::Str(&self.path)),
            ("request_param_type", Json::Str(self.request_param_type)),
            ("routine", Json::Str(&routine.signature)),
            ("schema", Json::Str(&routine.schema)),
            ("name", Json::Str(&routine.name)),
            ("kind", Json::Str(kind)),
            ("volatility", Json::Str(&routine.volatility)),
            ("returns_void", Json::Bool(routine.returns_void)),
            ("returns_set", Json::Bool(routine.returns_set)),
            ("parameters", Json::Array(parameters)),
            (
                "resolved_parameters",
                Json::Map(&self.doc.resolved_parameters),
            ),
        ]);
        Json::Object(members)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn routine(schema: &str, name: &str, volatility: &str, comment: Option<&str>) -> RoutineInfo {
        RoutineInfo {
            signature: format!("{name}()"),
            schema: schema.into(),
            name: name.into(),
            is_procedure: false,
            volatility: volatility.into(),
            returns_void: false,
            returns_set: false,
            parameters: vec![],
            comment: comment.map(str::to_string),
        }
    }

    fn options(mode: CommentsMode) -> EndpointOptions<'static> {
        EndpointOptions {
            url_prefix: "/api",
            mode,
        }
    }

    fn effective(r: &RoutineInfo, mode: CommentsMode) -> Option<(String, String, &'static str)> {
        endpoint(r, options(mode), &mut || {}).map(|e| (e.method, e.path, e.request_param_type))
    }

    #[test]
    fn default_methods() {
        let cases = [
            ("get_user", "volatile", "GET"),
            ("GET_USER", "volatile", "GET"),
            ("user_get", "volatile", "GET"),
            ("user_get_data", "volatile", "GET"),
            ("getuser", "volatile", "POST"),
            ("budget", "volatile", "POST"),
            ("forget_me", "volatile", "POST"),
            ("logout", "stable", "GET"),
            ("logout", "immutable", "GET"),
            ("logout", "volatile", "POST"),
        ];
        for (name, volatility, expected) in cases {
            assert_eq!(
                default_method(name, volatility),
                expected,
                "{name} {volatility}"
            );
        }
    }

    #[test]
    fn endpoints_under_each_mode() {
        use CommentsMode::*;
        let annotated = Some("HTTP POST /auth/logout\n@logout");
        let cases: Vec<(RoutineInfo, CommentsMode, Option<(&str, &str, &str)>)> = vec![
            (
                routine("public", "logout_cookie", "volatile", None),
                Ignore,
                Some(("POST", "/api/logout-cookie", "body_json")),
            ),
            (
                routine("auth", "full_logout", "volatile", None),
                ParseAll,
                Some(("POST", "/api/auth/full-logout", "body_json")),
            ),
            (
                routine("public", "get_me", "volatile", None),
                ParseAll,
                Some(("GET", "/api/get-me", "query_string")),
            ),
            (
                routine("public", "f", "volatile", None),
                OnlyWithHttpTag,
                None,
            ),
            (
                routine("public", "f", "volatile", Some("just prose")),
                OnlyAnnotated,
                None,
            ),
            (
                routine("public", "f", "volatile", annotated),
                OnlyWithHttpTag,
                Some(("POST", "/auth/logout", "body_json")),
            ),
            (
                routine("public", "f", "stable", Some("HTTP")),
                OnlyWithHttpTag,
                Some(("GET", "/api/f", "query_string")),
            ),
            (
                routine("public", "f", "volatile", Some("HTTP DELETE")),
                OnlyAnnotated,
                Some(("DELETE", "/api/f", "body_json")),
            ),
            (
                routine("public", "f", "volatile", Some("HTTP\ndisabled")),
                OnlyWithHttpTag,
                None,
            ),
            (
                routine("public", "f", "volatile", Some("disabled")),
                ParseAll,
                None,
            ),
            (
                routine("public", "f", "volatile", Some("disabled")),
                Ignore,
                Some(("POST", "/api/f", "body_json")),
            ),
            (
                routine("public", "f", "volatile", Some("for stable\nHTTP")),
                OnlyWithHttpTag,
                None,
            ),
            (
                routine("public", "f", "stable", Some("for stable\nHTTP")),
                OnlyWithHttpTag,
                Some(("GET", "/api/f", "query_string")),
            ),
            (
                routine("public", "f", "volatile", Some("HTTP\ndisabled function")),
                OnlyWithHttpTag,
                None,
            ),
            (
                routine("public", "f", "volatile", Some("HTTP\ndisabled procedure")),
                OnlyWithHttpTag,
                Some(("POST", "/api/f", "body_json")),
            ),
            (
                routine(
                    "public",
                    "f",
                    "volatile",
                    Some("HTTP\nrequest_param_type query"),
                ),
                OnlyWithHttpTag,
                Some(("POST", "/api/f", "query_string")),
            ),
            (
                routine("public", "f", "volatile", Some("HTTP\npath /x")),
                OnlyWithHttpTag,
                Some(("POST", "/x", "body_json")),
            ),
        ];
        for (r, mode, expected) in cases {
            let got = effective(&r, mode);
            let expected = expected.map(|(m, p, t)| (m.to_string(), p.to_string(), t));
            assert_eq!(got, expected, "{:?} {:?} under {mode:?}", r.name, r.comment);
        }
    }

    #[test]
    fn document_has_routine_keys() {
        let mut r = routine(
            "auth",
            "smart_logout",
            "volatile",
            Some("HTTP POST /auth/logout\n_scheme = 'x'"),
        );
        r.parameters = vec![Parameter {
            name: Some("_scheme".into()),
            type_name: "text".into(),
            has_default: true,
        }];
        let e = endpoint(&r, options(CommentsMode::OnlyWithHttpTag), &mut || {});
        let doc = e.map(|e| e.to_json(&r).to_value()).unwrap_or_default();
        assert_eq!(doc["kind"], "function");
        assert_eq!(doc["schema"], "auth");
        assert_eq!(
            doc["parameters"],
            json!([{"name": "_scheme", "type": "text", "has_default": true}])
        );
        assert_eq!(doc["resolved_parameters"], json!({"_scheme": "'x'"}));
        assert_eq!(doc["custom_parameters"], json!({}));
    }

    #[test]
    fn the_summary_holds_effective_values() {
        let r = routine(
            "auth",
            "get_out",
            "volatile",
            Some("HTTP\n@logout\n@authorize admin, user"),
        );
        let e = endpoint(&r, options(CommentsMode::OnlyWithHttpTag), &mut || {});
        let summary = e.map(|e| e.summary());
        assert_eq!(
            summary,
            Some(EndpointSummary {
                method: "GET".into(),
                path: "/api/auth/get-out".into(),
                request_param_type: "query_string",
                requires_authorization: true,
                authorize_roles: vec!["admin".into(), "user".into()],
                allow_anonymous: false,
                login: false,
                logout: true,
            })
        );
    }
}
