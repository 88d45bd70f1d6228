//! `{name}` placeholders in header and custom-parameter values, which
//! NpgsqlRest replaces with the request's parameter values.
//!
//! The scan is NpgsqlRest's `WarnUnknownPlaceholders`: each `{` pairs with
//! the next `}`; `{!name}` and `{!name:fallback}` refer to `name`; braces
//! around anything that is not an identifier (JSON, prose) are skipped.

/// The names the placeholders of `value` refer to, in order.
pub fn names(value: &str) -> Vec<&str> {
    let mut found = Vec::new();
    let mut rest = value;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else { break };
        let name = strict_name(&after[..close]);
        if is_identifier(name) {
            found.push(name);
        }
        rest = &after[close + 1..];
    }
    found
}

/// `!name` and `!name:fallback` name `name`.
fn strict_name(token: &str) -> &str {
    match token.strip_prefix('!') {
        Some(strict) if !strict.is_empty() => strict.split(':').next().unwrap_or(strict),
        _ => token,
    }
}

/// `[A-Za-z_][A-Za-z0-9_]*`
fn is_identifier(token: &str) -> bool {
    let mut chars = token.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::names;

    #[test]
    fn finds_identifier_placeholders() {
        let cases: &[(&str, &[&str])] = &[
            ("{id}", &["id"]),
            ("a {x} b {_y1} c", &["x", "_y1"]),
            ("{!name}", &["name"]),
            ("{!name:anonymous}", &["name"]),
            ("{!:x}", &[]),
            ("{!}", &[]),
            ("{\"a\": 1}", &[]),
            ("{1x}", &[]),
            ("{}", &[]),
            ("{a{b}", &[]),
            ("{a} {", &["a"]),
            ("}{a}", &["a"]),
            ("{é}", &[]),
            ("no braces", &[]),
        ];
        for (value, expected) in cases {
            assert_eq!(names(value), *expected, "value {value:?}");
        }
    }
}
