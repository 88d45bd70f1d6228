//! Who is asking: the caller's claims, as the front-end's session holds
//! them, and what NpgsqlRest derives from them — roles, the names
//! `@authorize` matches, the text a context key or parameter receives.

use std::borrow::Cow;

use serde_json::{Map, Value};

/// One claim's value: a claim type may carry one value, several, or none.
/// The texts borrow the request's own when they can.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClaimValue<'a> {
    Null,
    One(Cow<'a, str>),
    Many(Vec<Cow<'a, str>>),
}

/// Why a `user_claims` value cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClaimsError {
    /// Not a JSON object: what it is instead.
    NotAnObject(&'static str),
    /// A claim whose value is an object (or an array holding a non-scalar).
    NotScalar(String),
}

impl ClaimsError {
    pub fn message(&self) -> String {
        match self {
            ClaimsError::NotAnObject(kind) => {
                format!("user_claims must be a JSON object of claim type to value, not {kind}")
            }
            ClaimsError::NotScalar(claim) => {
                format!("claim \"{claim}\" must be a string, an array of strings or null")
            }
        }
    }
}

/// The caller's claims, in the order given. Claim types compare
/// case-insensitively, as ASP.NET's `FindFirst` does.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Claims<'a>(Vec<(Cow<'a, str>, ClaimValue<'a>)>);

/// A JSON scalar's text: strings as they are, numbers and booleans as
/// their JSON text; None for anything else.
fn scalar_text(value: &Value) -> Option<Cow<'static, str>> {
    match value {
        Value::String(s) => Some(Cow::Owned(s.clone())),
        Value::Number(n) => Some(Cow::Owned(n.to_string())),
        Value::Bool(b) => Some(Cow::Borrowed(if *b { "true" } else { "false" })),
        _ => None,
    }
}

pub fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

impl<'a> Claims<'a> {
    /// Reads `user_claims`: an object of claim type to a string, an array
    /// of strings (a multi-valued claim), or null.
    pub fn from_json(value: Value) -> Result<Claims<'static>, ClaimsError> {
        let Value::Object(map) = value else {
            return Err(ClaimsError::NotAnObject(json_kind(&value)));
        };
        let mut claims = Vec::with_capacity(map.len());
        for (claim, value) in map {
            let parsed = match &value {
                Value::Null => ClaimValue::Null,
                Value::Array(items) => {
                    let texts: Option<Vec<_>> = items.iter().map(scalar_text).collect();
                    match texts {
                        Some(texts) => ClaimValue::Many(texts),
                        None => return Err(ClaimsError::NotScalar(claim)),
                    }
                }
                other => match scalar_text(other) {
                    Some(text) => ClaimValue::One(text),
                    None => return Err(ClaimsError::NotScalar(claim)),
                },
            };
            claims.push((Cow::Owned(claim), parsed));
        }
        Ok(Claims(claims))
    }

    /// Claims read elsewhere (each claim type once), in the order
    /// [`Claims::from_json`] gives them: by claim type.
    pub fn from_pairs(mut pairs: Vec<(Cow<'a, str>, ClaimValue<'a>)>) -> Claims<'a> {
        pairs.sort_by(|a, b| a.0.cmp(&b.0));
        Claims(pairs)
    }

    /// The value of a claim type; None when the caller lacks it.
    pub fn get(&self, claim: &str) -> Option<&ClaimValue<'a>> {
        self.position(claim).map(|at| &self.0[at].1)
    }

    /// Where the claim type is: its first exact match, else its first
    /// match ignoring case.
    fn position(&self, claim: &str) -> Option<usize> {
        self.0.iter().position(|(c, _)| c == claim).or_else(|| {
            self.0
                .iter()
                .position(|(c, _)| c.eq_ignore_ascii_case(claim))
        })
    }

    /// Takes the values of a claim type out (as [`Claims::get`] finds it),
    /// leaving it null.
    fn take_values(&mut self, claim: &str) -> Vec<Cow<'a, str>> {
        let Some(at) = self.position(claim) else {
            return Vec::new();
        };
        match std::mem::replace(&mut self.0[at].1, ClaimValue::Null) {
            ClaimValue::Null => Vec::new(),
            ClaimValue::One(value) => vec![value],
            ClaimValue::Many(values) => values,
        }
    }

    /// Sets a claim, replacing every claim of that type.
    fn set(&mut self, claim: &str, value: ClaimValue<'a>) {
        let mut key = None;
        self.0.retain_mut(|(c, _)| {
            if !c.eq_ignore_ascii_case(claim) {
                return true;
            }
            if key.is_none() && c == claim {
                key = Some(std::mem::take(c));
            }
            false
        });
        self.0
            .push((key.unwrap_or_else(|| Cow::Owned(claim.to_string())), value));
    }

    /// Every claim as a JSON object (multi-valued claims as arrays).
    pub fn to_json(&self) -> Value {
        let mut map = Map::new();
        for (claim, value) in &self.0 {
            let json = match value {
                ClaimValue::Null => Value::Null,
                ClaimValue::One(s) => Value::String(s.to_string()),
                ClaimValue::Many(v) => {
                    Value::Array(v.iter().map(|s| Value::String(s.to_string())).collect())
                }
            };
            map.insert(claim.to_string(), json);
        }
        Value::Object(map)
    }
}

impl<'a> ClaimValue<'a> {
    /// The values, one for a single-valued claim.
    pub fn values(&self) -> &[Cow<'a, str>] {
        match self {
            ClaimValue::Null => &[],
            ClaimValue::One(s) => std::slice::from_ref(s),
            ClaimValue::Many(v) => v,
        }
    }

    /// The text a context key receives (NpgsqlRest's
    /// `GetClaimDbContextParam`): a single value as it is; several as JSON
    /// strings inside braces, `{"admin","power user"}`, which PostgreSQL
    /// reads as a `text[]`; nothing as the empty string.
    pub fn context_text(&self) -> String {
        match self {
            ClaimValue::Null => String::new(),
            ClaimValue::One(s) => s.to_string(),
            ClaimValue::Many(values) => {
                let size: usize = values.iter().map(|v| v.len() + 3).sum();
                let mut text = String::with_capacity(size + 2);
                text.push('{');
                for (at, value) in values.iter().enumerate() {
                    if at > 0 {
                        text.push(',');
                    }
                    push_json_string(&mut text, value);
                }
                text.push('}');
                text
            }
        }
    }

    /// The JSON value a parameter of this kind receives, for the input
    /// text conversion: an array type takes the values as elements (one
    /// value as a one-element array), a json type the values as JSON, any
    /// other type a single value, or several as [`ClaimValue::context_text`].
    pub fn parameter_value(&self, kind: super::pg_input::InputKind) -> Value {
        use super::pg_input::InputKind;
        let strings =
            |v: &[Cow<str>]| Value::Array(v.iter().map(|s| Value::String(s.to_string())).collect());
        match (self, kind) {
            (ClaimValue::Null, _) => Value::Null,
            (ClaimValue::One(s), InputKind::Array) => strings(std::slice::from_ref(s)),
            (ClaimValue::One(s), _) => Value::String(s.to_string()),
            (ClaimValue::Many(_), InputKind::Scalar) => Value::String(self.context_text()),
            (ClaimValue::Many(v), _) => strings(v),
        }
    }
}

/// `value` as a JSON string, escaped as serde_json writes it: `"` and
/// `\` by a backslash, the C0 controls as `\b \t \n \f \r` or
/// `\u00xx`, everything else as it is.
fn push_json_string(out: &mut String, value: &str) {
    out.push('"');
    let mut plain = 0;
    for (at, byte) in value.bytes().enumerate() {
        let escape = match byte {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\x08' => "\\b",
            b'\t' => "\\t",
            b'\n' => "\\n",
            b'\x0c' => "\\f",
            b'\r' => "\\r",
            0..=0x1f => "",
            _ => continue,
        };
        out.push_str(&value[plain..at]);
        plain = at + 1;
        if escape.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.push_str("\\u00");
            out.push(HEX[usize::from(byte >> 4)] as char);
            out.push(HEX[usize::from(byte & 0xf)] as char);
        } else {
            out.push_str(escape);
        }
    }
    out.push_str(&value[plain..]);
    out.push('"');
}

/// Which claims carry what (NpgsqlRest's `AuthenticationOptions`).
#[derive(Debug, Clone, Copy)]
pub struct ClaimTypes<'a> {
    pub role: &'a str,
    pub user_id: &'a str,
    pub user_name: &'a str,
}

/// The caller of one request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Caller<'a> {
    /// `user_roles` or `user_claims` was given.
    pub authenticated: bool,
    /// The claims, the role claim holding the caller's roles.
    pub claims: Claims<'a>,
    /// Where the role claim, the user id claim and the user name claim
    /// are in `claims`.
    role_at: Option<usize>,
    user_id_at: Option<usize>,
    user_name_at: Option<usize>,
}

impl<'a> Caller<'a> {
    /// The caller from a request's `user_roles` and `user_claims`. Roles
    /// are `user_roles` when given, else the role claim's values; either
    /// way the role claim then holds them, always multi-valued.
    pub fn new(
        user_roles: Option<Vec<String>>,
        claims: Option<Claims<'a>>,
        types: ClaimTypes,
    ) -> Caller<'a> {
        let authenticated = user_roles.is_some() || claims.is_some();
        let mut claims = claims.unwrap_or_default();
        if authenticated {
            let roles = match user_roles {
                Some(roles) => roles.into_iter().map(Cow::Owned).collect(),
                None => claims.take_values(types.role),
            };
            claims.set(types.role, ClaimValue::Many(roles));
        }
        Caller {
            authenticated,
            role_at: authenticated.then(|| claims.position(types.role)).flatten(),
            user_id_at: claims.position(types.user_id),
            user_name_at: claims.position(types.user_name),
            claims,
        }
    }

    fn values_at(&self, at: Option<usize>) -> &[Cow<'a, str>] {
        at.map_or(&[], |at| self.claims.0[at].1.values())
    }

    /// The caller's roles.
    pub fn roles(&self) -> &[Cow<'a, str>] {
        self.values_at(self.role_at)
    }

    /// The names `@authorize` matches: roles, user id, user name.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.roles()
            .iter()
            .chain(self.values_at(self.user_id_at))
            .chain(self.values_at(self.user_name_at))
            .map(|name| &**name)
    }
}

#[cfg(test)]
mod tests {
    use super::super::pg_input::InputKind;
    use super::*;
    use serde_json::json;

    const TYPES: ClaimTypes = ClaimTypes {
        role: "user_roles",
        user_id: "user_id",
        user_name: "user_name",
    };

    #[test]
    fn claim_shapes() {
        let cases: Vec<(Value, Result<Vec<(&str, ClaimValue)>, ClaimsError>)> = vec![
            (json!({}), Ok(vec![])),
            (
                json!({"user_id": "42", "n": 7, "b": true, "x": null, "r": ["a", 1, false], "e": []}),
                Ok(vec![
                    ("b", ClaimValue::One("true".into())),
                    ("e", ClaimValue::Many(vec![])),
                    ("n", ClaimValue::One("7".into())),
                    (
                        "r",
                        ClaimValue::Many(vec!["a".into(), "1".into(), "false".into()]),
                    ),
                    ("user_id", ClaimValue::One("42".into())),
                    ("x", ClaimValue::Null),
                ]),
            ),
            (json!([]), Err(ClaimsError::NotAnObject("an array"))),
            (json!("x"), Err(ClaimsError::NotAnObject("a string"))),
            (json!(null), Err(ClaimsError::NotAnObject("null"))),
            (
                json!({"a": {"b": 1}}),
                Err(ClaimsError::NotScalar("a".into())),
            ),
            (
                json!({"a": ["x", ["y"]]}),
                Err(ClaimsError::NotScalar("a".into())),
            ),
            (
                json!({"a": [null]}),
                Err(ClaimsError::NotScalar("a".into())),
            ),
            (
                json!({"a": [{"k": 1}]}),
                Err(ClaimsError::NotScalar("a".into())),
            ),
        ];
        for (value, expected) in cases {
            let got = Claims::from_json(value.clone());
            let expected =
                expected.map(|v| Claims(v.into_iter().map(|(k, v)| (k.into(), v)).collect()));
            assert_eq!(got, expected, "{value}");
        }
    }

    #[test]
    fn pairs_come_in_the_order_of_json() {
        let keys = ["user_id", "B", "a", "é", "Z", "_x", "aa", "user_roles", "ü"];
        let json = Value::Object(
            keys.iter()
                .map(|k| (k.to_string(), Value::from(*k)))
                .collect(),
        );
        let pairs = keys
            .iter()
            .map(|k| (k.to_string().into(), ClaimValue::One(k.to_string().into())))
            .collect();
        assert_eq!(Claims::from_pairs(pairs), Claims::from_json(json).unwrap());
    }

    #[test]
    fn callers() {
        let claims = |v: Value| Claims::from_json(v).ok();
        let anonymous = Caller::new(None, None, TYPES);
        assert!(!anonymous.authenticated);
        assert_eq!(anonymous.names().count(), 0);

        let by_roles = Caller::new(Some(vec!["admin".into()]), None, TYPES);
        assert!(by_roles.authenticated);
        assert_eq!(by_roles.roles(), ["admin"]);
        assert_eq!(by_roles.claims.to_json(), json!({"user_roles": ["admin"]}));

        let by_claims = Caller::new(
            None,
            claims(json!({"user_id": 7, "user_name": "ann", "user_roles": "ops"})),
            TYPES,
        );
        assert!(by_claims.authenticated);
        assert_eq!(by_claims.roles(), ["ops"]);
        assert_eq!(by_claims.names().collect::<Vec<_>>(), ["ops", "7", "ann"]);
        assert_eq!(
            by_claims.claims.get("USER_ROLES"),
            Some(&ClaimValue::Many(vec!["ops".into()]))
        );

        // user_roles wins over the role claim, and becomes its value.
        let both = Caller::new(
            Some(vec![]),
            claims(json!({"user_roles": ["admin"], "user_id": "1"})),
            TYPES,
        );
        assert!(both.roles().is_empty());
        assert_eq!(both.names().collect::<Vec<_>>(), ["1"]);
        assert_eq!(
            both.claims.to_json(),
            json!({"user_id": "1", "user_roles": []})
        );

        let empty_claims = Caller::new(None, claims(json!({})), TYPES);
        assert!(empty_claims.authenticated);
        assert!(empty_claims.roles().is_empty());
    }

    #[test]
    fn context_and_parameter_texts() {
        let many = ClaimValue::Many(vec!["admin".into(), "power user".into(), "q\"x".into()]);
        assert_eq!(many.context_text(), r#"{"admin","power user","q\"x"}"#);
        assert_eq!(ClaimValue::Many(vec![]).context_text(), "{}");
        let odd: String = (0u8..0x80)
            .map(char::from)
            .chain("é€\u{10000}".chars())
            .collect();
        let odd = vec![odd.clone(), String::new(), odd];
        let serde: Vec<String> = odd
            .iter()
            .map(|v| Value::from(v.as_str()).to_string())
            .collect();
        assert_eq!(
            ClaimValue::Many(odd.into_iter().map(Cow::Owned).collect()).context_text(),
            format!("{{{}}}", serde.join(","))
        );
        assert_eq!(ClaimValue::One("42".into()).context_text(), "42");
        assert_eq!(ClaimValue::Null.context_text(), "");
        let one = ClaimValue::One("42".into());
        let cases = [
            (&one, InputKind::Scalar, json!("42")),
            (&one, InputKind::Array, json!(["42"])),
            (&one, InputKind::Json, json!("42")),
            (
                &many,
                InputKind::Array,
                json!(["admin", "power user", "q\"x"]),
            ),
            (
                &many,
                InputKind::Json,
                json!(["admin", "power user", "q\"x"]),
            ),
            (
                &many,
                InputKind::Scalar,
                json!(r#"{"admin","power user","q\"x"}"#),
            ),
            (&ClaimValue::Null, InputKind::Scalar, json!(null)),
        ];
        for (value, kind, expected) in cases {
            assert_eq!(value.parameter_value(kind), expected, "{value:?} {kind:?}");
        }
    }
}
