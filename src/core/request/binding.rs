//! Binding a request's arguments to a routine's parameters, by the
//! parameter's name or NpgsqlRest's camelCase form of it.

use serde_json::Value;

use crate::core::naming::camel_case;

/// A parameter a request can bind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BindTarget<'a> {
    pub name: Option<&'a str>,
    pub has_default: bool,
    /// The server fills it: a client value for it is ignored, wherever it
    /// comes from, and it is never missing.
    pub server_filled: bool,
}

/// Why arguments cannot be bound; every problem is listed at once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BindError {
    pub unknown: Vec<String>,
    pub missing: Vec<String>,
    pub duplicate: Vec<String>,
}

impl BindError {
    fn is_empty(&self) -> bool {
        self.unknown.is_empty() && self.missing.is_empty() && self.duplicate.is_empty()
    }

    /// One sentence per kind of problem, naming the arguments.
    pub fn message(&self) -> String {
        let mut parts = Vec::new();
        for (names, what) in [
            (&self.unknown, "unknown argument"),
            (&self.duplicate, "argument given more than once"),
            (&self.missing, "missing required argument"),
        ] {
            if !names.is_empty() {
                let plural = if names.len() > 1 { "s" } else { "" };
                parts.push(format!("{what}{plural} {}", listed(names)));
            }
        }
        parts.join("; ")
    }
}

/// How many names one sentence of a message lists; a client can send any
/// number of unknown arguments, and the message stays short.
const LISTED_NAMES: usize = 10;
/// How many characters of each listed name a message shows.
const LISTED_NAME_CHARS: usize = 100;

/// The first names, quoted (each cut to a readable length), then how many
/// more there are.
fn listed(names: &[String]) -> String {
    let mut quoted: Vec<String> = names
        .iter()
        .take(LISTED_NAMES)
        .map(|n| {
            let mut short: String = n.chars().take(LISTED_NAME_CHARS).collect();
            if short.len() < n.len() {
                short.push_str("...");
            }
            format!("\"{short}\"")
        })
        .collect();
    if names.len() > LISTED_NAMES {
        quoted.push(format!("and {} more", names.len() - LISTED_NAMES));
    }
    quoted.join(", ")
}

/// The parameter index each argument binds to, with its value, in
/// parameter order. `args` are `(name as given, value)` pairs from every
/// source of the request (path, query, body).
pub fn bind(
    targets: &[BindTarget],
    args: Vec<(String, Value)>,
) -> Result<Vec<(usize, Value)>, BindError> {
    let mut error = BindError::default();
    let mut bound: Vec<Option<Value>> = vec![None; targets.len()];
    for (given, value) in args {
        match find(targets, &given) {
            None => error.unknown.push(given),
            Some(i) if targets[i].server_filled => {}
            Some(i) if bound[i].is_some() => error.duplicate.push(given),
            Some(i) => bound[i] = Some(value),
        }
    }
    for (target, value) in targets.iter().zip(&bound) {
        if value.is_none() && !target.has_default && !target.server_filled {
            error
                .missing
                .push(target.name.unwrap_or("(unnamed)").to_string());
        }
    }
    if !error.is_empty() {
        return Err(error);
    }
    Ok(bound
        .into_iter()
        .enumerate()
        .filter_map(|(i, v)| v.map(|v| (i, v)))
        .collect())
}

/// The parameter an argument names: exactly, else case-insensitively,
/// else by camelCase form.
fn find(targets: &[BindTarget], given: &str) -> Option<usize> {
    let named = || {
        targets
            .iter()
            .enumerate()
            .filter_map(|(i, t)| t.name.map(|n| (i, n)))
    };
    named()
        .find(|(_, n)| *n == given)
        .or_else(|| named().find(|(_, n)| n.eq_ignore_ascii_case(given)))
        .or_else(|| named().find(|(_, n)| camel_case(n).eq_ignore_ascii_case(given)))
        .map(|(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn targets<'a>(spec: &[(&'a str, bool)]) -> Vec<BindTarget<'a>> {
        spec.iter()
            .map(|(n, d)| BindTarget {
                name: Some(*n),
                has_default: *d,
                server_filled: false,
            })
            .collect()
    }

    fn args(pairs: &[(&str, Value)]) -> Vec<(String, Value)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    #[test]
    fn binds_by_name_and_camel_case() {
        let t = targets(&[("_scheme", true), ("user_id", false)]);
        let cases: Vec<(Vec<(String, Value)>, Result<Vec<(usize, Value)>, BindError>)> = vec![
            (args(&[("user_id", json!(1))]), Ok(vec![(1, json!(1))])),
            (args(&[("userId", json!(1))]), Ok(vec![(1, json!(1))])),
            (args(&[("USER_ID", json!(1))]), Ok(vec![(1, json!(1))])),
            (args(&[("userid", json!(1))]), Ok(vec![(1, json!(1))])),
            (
                args(&[("scheme", json!("Cookies")), ("user_id", json!(2))]),
                Ok(vec![(0, json!("Cookies")), (1, json!(2))]),
            ),
            (
                args(&[("_scheme", json!(null)), ("userId", json!(3))]),
                Ok(vec![(0, json!(null)), (1, json!(3))]),
            ),
            (
                args(&[]),
                Err(BindError {
                    missing: vec!["user_id".into()],
                    ..Default::default()
                }),
            ),
            (
                args(&[("user_id", json!(1)), ("evil'; drop table x; --", json!(1))]),
                Err(BindError {
                    unknown: vec!["evil'; drop table x; --".into()],
                    ..Default::default()
                }),
            ),
            (
                args(&[("user_id", json!(1)), ("userId", json!(2))]),
                Err(BindError {
                    duplicate: vec!["userId".into()],
                    ..Default::default()
                }),
            ),
        ];
        for (given, expected) in cases {
            assert_eq!(bind(&t, given.clone()), expected, "args {given:?}");
        }
    }

    #[test]
    fn client_values_for_server_filled_parameters_are_ignored() {
        let mut t = targets(&[("_user_id", false), ("_scheme", true)]);
        t[0].server_filled = true;
        let cases: Vec<(Vec<(String, Value)>, Vec<(usize, Value)>)> = vec![
            (args(&[]), vec![]),
            (args(&[("_user_id", json!("42"))]), vec![]),
            (
                args(&[("userId", json!("42")), ("_USER_ID", json!(1))]),
                vec![],
            ),
            (
                args(&[("userId", json!("42")), ("scheme", json!("Cookies"))]),
                vec![(1, json!("Cookies"))],
            ),
        ];
        for (given, expected) in cases {
            assert_eq!(bind(&t, given.clone()), Ok(expected), "args {given:?}");
        }
    }

    #[test]
    fn messages_name_every_problem() {
        let error = BindError {
            unknown: vec!["a".into(), "b".into()],
            missing: vec!["c".into()],
            duplicate: vec![],
        };
        assert_eq!(
            error.message(),
            "unknown arguments \"a\", \"b\"; missing required argument \"c\""
        );
    }

    #[test]
    fn messages_list_a_bounded_number_of_names() {
        let error = BindError {
            unknown: (0..100_000).map(|n| format!("a{n}")).collect(),
            missing: vec!["x".repeat(1000)],
            duplicate: vec![],
        };
        let message = error.message();
        assert!(message.len() < 600, "{} bytes", message.len());
        assert!(message.starts_with("unknown arguments \"a0\", \"a1\","));
        assert!(message.contains("\"a9\", and 99990 more; missing required argument \"xxx"));
        assert!(message.ends_with("x...\""));
    }

    #[test]
    fn unnamed_parameters_cannot_be_bound() {
        let t = vec![BindTarget {
            name: None,
            has_default: false,
            server_filled: false,
        }];
        let got = bind(&t, vec![]);
        assert_eq!(
            got.map_err(|e| e.missing),
            Err(vec!["(unnamed)".to_string()])
        );
    }
}
