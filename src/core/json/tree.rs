//! A JSON value that borrows its strings, for writing documents out.
//!
//! A document's lines already live in the comment it was parsed from;
//! building a `serde_json::Value` would copy each one and give it a node
//! of its own. This tree points at them instead, and the jsonb writer
//! (`jsonb_encode`) walks it, so a 10 MB comment is not held three times.

use serde_json::{Map, Value};

/// A JSON value to be written.
#[derive(Debug, Clone, PartialEq)]
pub enum Json<'a> {
    Null,
    Bool(bool),
    Str(&'a str),
    /// A value built with serde_json (settings, headers), written as is.
    Value(&'a Value),
    /// An object kept as a serde_json map.
    Map(&'a Map<String, Value>),
    /// An array of strings kept elsewhere: no node per element.
    Strs(&'a [&'a str]),
    /// The same, for owned strings.
    Strings(&'a [String]),
    Array(Vec<Json<'a>>),
    /// An object's members; where a key repeats, the last one wins.
    Object(Vec<(&'a str, Json<'a>)>),
}

impl<'a> Json<'a> {
    /// A string, or null.
    pub fn opt_str(value: Option<&'a str>) -> Self {
        value.map_or(Json::Null, Json::Str)
    }

    /// The serde_json form, for tests that compare documents.
    #[cfg(test)]
    pub fn to_value(&self) -> Value {
        let strings = |items: &mut dyn Iterator<Item = &str>| {
            Value::Array(items.map(|s| Value::String(s.into())).collect())
        };
        match self {
            Json::Null => Value::Null,
            Json::Bool(b) => Value::Bool(*b),
            Json::Str(s) => Value::String((*s).into()),
            Json::Value(v) => (*v).clone(),
            Json::Map(m) => Value::Object((*m).clone()),
            Json::Strs(items) => strings(&mut items.iter().copied()),
            Json::Strings(items) => strings(&mut items.iter().map(String::as_str)),
            Json::Array(items) => Value::Array(items.iter().map(Json::to_value).collect()),
            Json::Object(members) => Value::Object(
                members
                    .iter()
                    .map(|(k, v)| ((*k).to_string(), v.to_value()))
                    .collect(),
            ),
        }
    }
}
