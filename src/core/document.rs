//! The annotation document: what the comment of one routine (or `.sql`
//! file) says about its endpoint, as `parse_annotations` returns it.

use serde_json::{json, Map, Value};

/// A recognised annotation line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Annotation {
    pub name: &'static str,
    pub text: String,
}

/// A recognised line whose value was ignored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    pub text: String,
    pub reason: String,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Document {
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
    /// Every other annotation, under its canonical name.
    pub settings: Map<String, Value>,
    /// The parameters `{name}` placeholders in headers, the content type
    /// and custom parameters refer to: distinct, in first-seen order.
    pub placeholders: Vec<String>,
    pub annotations: Vec<Annotation>,
    pub unhandled_lines: Vec<String>,
    pub warnings: Vec<Warning>,
}

impl Document {
    /// The JSON form: the core keys always; `placeholders` and the other
    /// annotations when there are any.
    pub fn to_json(&self) -> Value {
        let mut doc = json!({
            "http": self.http,
            "method": self.method,
            "path": self.path,
            "request_param_type": self.request_param_type,
            "requires_authorization": self.requires_authorization,
            "authorize_roles": self.authorize_roles,
            "allow_anonymous": self.allow_anonymous,
            "login": self.login,
            "logout": self.logout,
            "disabled": self.disabled,
            "internal": self.internal,
            "content_type": self.content_type,
            "headers": self.headers,
            "custom_parameters": self.custom_parameters,
            "annotations": self.annotations.iter()
                .map(|a| json!({"name": a.name, "text": a.text}))
                .collect::<Vec<_>>(),
            "unhandled_lines": self.unhandled_lines,
            "warnings": self.warnings.iter()
                .map(|w| json!({"text": w.text, "reason": w.reason}))
                .collect::<Vec<_>>(),
        });
        if let Value::Object(map) = &mut doc {
            if !self.placeholders.is_empty() {
                map.insert("placeholders".into(), json!(self.placeholders));
            }
            for (key, value) in &self.settings {
                map.insert(key.clone(), value.clone());
            }
        }
        doc
    }
}
