//! The annotation document: what the comment of one routine (or `.sql`
//! file) says about its endpoint, as `parse_annotations` returns it.

use serde_json::{Map, Value};

use crate::core::json::tree::Json;

/// A recognised annotation line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Annotation<'a> {
    pub name: &'static str,
    pub text: &'a str,
}

/// A recognised line whose value was ignored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning<'a> {
    pub text: &'a str,
    pub reason: String,
    /// The value names something that is not a parameter of the routine.
    pub about_parameter: bool,
}

/// Lines are borrowed from the comment: a comment of many lines is not
/// copied line by line.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Document<'a> {
    pub http: bool,
    pub method: Option<String>,
    pub path: Option<String>,
    pub request_param_type: Option<&'static str>,
    pub requires_authorization: bool,
    pub authorize_roles: Vec<String>,
    pub allow_anonymous: bool,
    pub login: bool,
    pub logout: bool,
    pub disabled: bool,
    pub internal: bool,
    pub content_type: Option<String>,
    /// Response headers, in first-seen order, each with its values.
    pub headers: Map<String, Value>,
    pub custom_parameters: Map<String, Value>,
    /// `key = value` lines whose key is one of the routine's parameters.
    pub resolved_parameters: Map<String, Value>,
    /// The resolved parameters' names, in the order their lines first
    /// appear (the map above is sorted by name).
    pub resolved_order: Vec<String>,
    /// Each `validate` line's (parameter, rule) pairs, in the order written.
    pub validations: Vec<(String, String)>,
    /// Every other annotation, under its canonical name.
    pub settings: Map<String, Value>,
    /// The parameters `{name}` placeholders in headers, the content type
    /// and custom parameters refer to: distinct, in first-seen order.
    pub placeholders: Vec<String>,
    pub annotations: Vec<Annotation<'a>>,
    pub unhandled_lines: Vec<&'a str>,
    pub warnings: Vec<Warning<'a>>,
}

fn pair<'j>(k1: &'j str, v1: &'j str, k2: &'j str, v2: &'j str) -> Json<'j> {
    Json::Object(vec![(k1, Json::Str(v1)), (k2, Json::Str(v2))])
}

impl<'a> Document<'a> {
    /// The JSON form: the core keys always; `placeholders` and the other
    /// annotations when there are any.
    pub fn to_json(&self) -> Json<'_> {
        Json::Object(self.members())
    }

    /// The members of [`Document::to_json`], for documents that add keys.
    pub fn members(&self) -> Vec<(&str, Json<'_>)> {
        let annotations = self
            .annotations
            .iter()
            .map(|a| pair("name", a.name, "text", a.text))
            .collect();
        let warnings = self
            .warnings
            .iter()
            .map(|w| pair("text", w.text, "reason", &w.reason))
            .collect();
        let mut members = vec![
            ("http", Json::Bool(self.http)),
            ("method", Json::opt_str(self.method.as_deref())),
            ("path", Json::opt_str(self.path.as_deref())),
            ("request_param_type", Json::opt_str(self.request_param_type)),
            (
                "requires_authorization",
                Json::Bool(self.requires_authorization),
            ),
            ("authorize_roles", Json::Strings(&self.authorize_roles)),
            ("allow_anonymous", Json::Bool(self.allow_anonymous)),
            ("login", Json::Bool(self.login)),
            ("logout", Json::Bool(self.logout)),
            ("disabled", Json::Bool(self.disabled)),
            ("internal", Json::Bool(self.internal)),
            ("content_type", Json::opt_str(self.content_type.as_deref())),
            ("headers", Json::Map(&self.headers)),
            ("custom_parameters", Json::Map(&self.custom_parameters)),
            ("annotations", Json::Array(annotations)),
            ("unhandled_lines", Json::Strs(&self.unhandled_lines)),
            ("warnings", Json::Array(warnings)),
        ];
        if !self.placeholders.is_empty() {
            members.push(("placeholders", Json::Strings(&self.placeholders)));
        }
        members.extend(
            self.settings
                .iter()
                .map(|(k, v)| (k.as_str(), Json::Value(v))),
        );
        members
    }
}
