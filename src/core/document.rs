//! The annotation document: what the comment of one routine (or `.sql`
//! file) says about its endpoint, as `parse_annotations` returns it.

use serde_json::{Map, Value};

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

fn strings(items: Vec<String>) -> Value {
    Value::Array(items.into_iter().map(Value::String).collect())
}

fn pair(k1: &str, v1: Value, k2: &str, v2: Value) -> Value {
    let mut map = Map::new();
    map.insert(k1.into(), v1);
    map.insert(k2.into(), v2);
    Value::Object(map)
}

impl Document {
    /// The JSON form: the core keys always; `placeholders` and the other
    /// annotations when there are any.
    pub fn into_json(self) -> Value {
        let mut map = Map::new();
        map.insert("http".into(), Value::Bool(self.http));
        map.insert(
            "method".into(),
            self.method.map_or(Value::Null, Value::String),
        );
        map.insert("path".into(), self.path.map_or(Value::Null, Value::String));
        map.insert(
            "request_param_type".into(),
            self.request_param_type
                .map_or(Value::Null, |t| Value::String(t.into())),
        );
        map.insert(
            "requires_authorization".into(),
            Value::Bool(self.requires_authorization),
        );
        map.insert("authorize_roles".into(), strings(self.authorize_roles));
        map.insert("allow_anonymous".into(), Value::Bool(self.allow_anonymous));
        map.insert("login".into(), Value::Bool(self.login));
        map.insert("logout".into(), Value::Bool(self.logout));
        map.insert("disabled".into(), Value::Bool(self.disabled));
        map.insert("internal".into(), Value::Bool(self.internal));
        map.insert(
            "content_type".into(),
            self.content_type.map_or(Value::Null, Value::String),
        );
        map.insert("headers".into(), Value::Object(self.headers));
        map.insert(
            "custom_parameters".into(),
            Value::Object(self.custom_parameters),
        );
        let annotations = self
            .annotations
            .into_iter()
            .map(|a| {
                pair(
                    "name",
                    Value::String(a.name.into()),
                    "text",
                    Value::String(a.text),
                )
            })
            .collect();
        map.insert("annotations".into(), Value::Array(annotations));
        map.insert("unhandled_lines".into(), strings(self.unhandled_lines));
        let warnings = self
            .warnings
            .into_iter()
            .map(|w| {
                pair(
                    "text",
                    Value::String(w.text),
                    "reason",
                    Value::String(w.reason),
                )
            })
            .collect();
        map.insert("warnings".into(), Value::Array(warnings));
        if !self.placeholders.is_empty() {
            map.insert("placeholders".into(), strings(self.placeholders));
        }
        map.extend(self.settings);
        Value::Object(map)
    }
}
