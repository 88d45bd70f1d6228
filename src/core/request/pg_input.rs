//! A JSON argument as the text a Postgres type's input function reads:
//! strings as they are, numbers and booleans as written, arrays as array
//! literals, and any JSON for json/jsonb parameters.

use serde_json::Value;

/// What kind of parameter a value is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    /// `json` or `jsonb`: any JSON value, as JSON text.
    Json,
    /// An array type: a JSON array becomes an array literal.
    Array,
    /// Any other type: a scalar's text.
    Scalar,
}

/// Why a JSON value does not fit a parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputError {
    /// A JSON array for a parameter that is not an array.
    ArrayForScalar,
    /// A JSON object for a parameter that is not json, jsonb or an array of them.
    Object,
}

/// The input text for `value`, or None for SQL NULL.
pub fn input_text(value: &Value, kind: InputKind) -> Result<Option<String>, InputError> {
    match (value, kind) {
        (Value::Null, _) => Ok(None),
        (_, InputKind::Json) => Ok(Some(value.to_string())),
        (Value::Array(_), InputKind::Array) => Ok(Some(array_literal(value))),
        (Value::Array(_), InputKind::Scalar) => Err(InputError::ArrayForScalar),
        (Value::Object(_), _) => Err(InputError::Object),
        (other, _) => Ok(Some(scalar_text(other))),
    }
}

fn scalar_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A Postgres array literal (`{"a","b",NULL}`, nested for more
/// dimensions), written without recursion.
fn array_literal(value: &Value) -> String {
    let mut out = String::new();
    let mut stack: Vec<std::slice::Iter<Value>> = Vec::new();
    if let Value::Array(items) = value {
        out.push('{');
        stack.push(items.iter());
    }
    while let Some(items) = stack.last_mut() {
        let Some(item) = items.next() else {
            stack.pop();
            out.push('}');
            continue;
        };
        if !out.ends_with('{') {
            out.push(',');
        }
        match item {
            Value::Array(inner) => {
                out.push('{');
                stack.push(inner.iter());
            }
            Value::Null => out.push_str("NULL"),
            Value::String(s) => quote_element(&mut out, s),
            other => quote_element(&mut out, &other.to_string()),
        }
    }
    out
}

/// An array element in double quotes, with `"` and `\` escaped.
fn quote_element(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn input_texts() {
        use InputKind::*;
        let cases: Vec<(Value, InputKind, Result<Option<&str>, InputError>)> = vec![
            (json!(null), Scalar, Ok(None)),
            (json!(null), Json, Ok(None)),
            (json!("Cookies"), Scalar, Ok(Some("Cookies"))),
            (json!("it's"), Scalar, Ok(Some("it's"))),
            (json!(42), Scalar, Ok(Some("42"))),
            (json!(-1.5), Scalar, Ok(Some("-1.5"))),
            (json!(true), Scalar, Ok(Some("true"))),
            (json!("{a,b}"), Array, Ok(Some("{a,b}"))),
            (json!(["a", "b"]), Array, Ok(Some(r#"{"a","b"}"#))),
            (json!([]), Array, Ok(Some("{}"))),
            (json!([1, null, 3]), Array, Ok(Some(r#"{"1",NULL,"3"}"#))),
            (
                json!([[1, 2], [3, 4]]),
                Array,
                Ok(Some(r#"{{"1","2"},{"3","4"}}"#)),
            ),
            (
                json!(["a\"b", "c\\d", "e,f", "{g}"]),
                Array,
                Ok(Some(r#"{"a\"b","c\\d","e,f","{g}"}"#)),
            ),
            (json!([{"a": 1}]), Array, Ok(Some(r#"{"{\"a\":1}"}"#))),
            (json!(["x"]), Scalar, Err(InputError::ArrayForScalar)),
            (json!({"a": 1}), Scalar, Err(InputError::Object)),
            (json!({"a": 1}), Array, Err(InputError::Object)),
            (json!({"a": [1, "x"]}), Json, Ok(Some(r#"{"a":[1,"x"]}"#))),
            (json!("text"), Json, Ok(Some(r#""text""#))),
            (json!([1]), Json, Ok(Some("[1]"))),
        ];
        for (value, kind, expected) in cases {
            let got = input_text(&value, kind);
            assert_eq!(
                got,
                expected.map(|o| o.map(str::to_string)),
                "{value} as {kind:?}"
            );
        }
    }

    #[test]
    fn numbers_keep_every_digit() {
        // Exponents are written as serde_json writes them (`e+`), the
        // same number to every input function.
        for (given, text) in [
            (
                "123456789012345678901234567890",
                "123456789012345678901234567890",
            ),
            ("0.10000000000000000000001", "0.10000000000000000000001"),
            ("1e400", "1e+400"),
            ("-1E-400", "-1e-400"),
            ("18446744073709551616", "18446744073709551616"),
        ] {
            let value: Value = serde_json::from_str(given).unwrap_or_default();
            assert_eq!(
                input_text(&value, InputKind::Scalar),
                Ok(Some(text.to_string()))
            );
            let nested: Value = serde_json::from_str(&format!("[{given}]")).unwrap_or_default();
            assert_eq!(
                input_text(&nested, InputKind::Json),
                Ok(Some(format!("[{text}]")))
            );
            assert_eq!(
                input_text(&nested, InputKind::Array),
                Ok(Some(format!("{{\"{text}\"}}")))
            );
        }
    }

    #[test]
    fn nested_arrays_close_every_level() {
        let mut value = json!("x");
        for _ in 0..1000 {
            value = Value::Array(vec![value]);
        }
        let text = input_text(&value, InputKind::Array)
            .unwrap_or_default()
            .unwrap_or_default();
        assert_eq!(
            text,
            format!("{}\"x\"{}", "{".repeat(1000), "}".repeat(1000))
        );
    }
}
