//! `validate <param> using <rule>, …`: NpgsqlRest's named validation rules,
//! checked against a parameter's value as text before the routine runs.

use regex::Regex;

/// What a rule checks (NpgsqlRest's `ValidationType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleKind {
    NotNull,
    NotEmpty,
    Required,
    Regex,
    MinLength,
    MaxLength,
}

impl RuleKind {
    /// The kind a `validation_rules.type` names, case-insensitively.
    pub fn parse(text: &str) -> Option<RuleKind> {
        let kind = match text.trim().to_ascii_lowercase().as_str() {
            "not_null" => RuleKind::NotNull,
            "not_empty" => RuleKind::NotEmpty,
            "required" => RuleKind::Required,
            "regex" => RuleKind::Regex,
            "min_length" => RuleKind::MinLength,
            "max_length" => RuleKind::MaxLength,
            _ => return None,
        };
        Some(kind)
    }
}

/// One row of `validation_rules`, its pattern compiled.
#[derive(Debug, Clone)]
pub struct Rule {
    pub name: String,
    pub kind: RuleKind,
    pub pattern: Option<Regex>,
    pub min_length: Option<i32>,
    pub max_length: Option<i32>,
    pub message: String,
    pub status_code: i32,
}

impl Rule {
    /// Whether `value` (None for NULL) passes, as NpgsqlRest checks it.
    /// A rule missing the field its kind needs passes (the table's
    /// constraints keep such rows out).
    pub fn passes(&self, value: Option<&str>) -> bool {
        let length = || value.map_or(0, |v| v.chars().count()) as i64;
        match self.kind {
            RuleKind::NotNull => value.is_some(),
            RuleKind::NotEmpty => value != Some(""),
            RuleKind::Required => value.is_some_and(|v| !v.is_empty()),
            RuleKind::Regex => match (&self.pattern, value) {
                (Some(pattern), Some(v)) if !v.is_empty() => pattern.is_match(v),
                (Some(_), _) => false,
                (None, _) => true,
            },
            RuleKind::MinLength => self.min_length.is_none_or(|min| length() >= i64::from(min)),
            RuleKind::MaxLength => self.max_length.is_none_or(|max| length() <= i64::from(max)),
        }
    }

    /// The rule's message for a parameter: `{0}` its name, `{1}` its
    /// camelCase name, `{2}` the rule's name (.NET's `string.Format`
    /// placeholders; `{{` and `}}` are literal braces).
    pub fn message_for(&self, parameter: &str, camel: &str) -> String {
        let mut out = String::with_capacity(self.message.len());
        let mut rest = self.message.as_str();
        while let Some(at) = rest.find(['{', '}']) {
            out.push_str(&rest[..at]);
            let tail = &rest[at..];
            let (text, used) = if tail.starts_with("{{") {
                ("{", 2)
            } else if tail.starts_with("}}") {
                ("}", 2)
            } else if tail.starts_with("{0}") {
                (parameter, 3)
            } else if tail.starts_with("{1}") {
                (camel, 3)
            } else if tail.starts_with("{2}") {
                (self.name.as_str(), 3)
            } else {
                (&tail[..1], 1)
            };
            out.push_str(text);
            rest = &tail[used..];
        }
        out.push_str(rest);
        out
    }
}

/// Compiles a rule's pattern, or says why it does not compile.
pub fn compile(pattern: &str) -> Result<Regex, String> {
    Regex::new(pattern).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(kind: RuleKind) -> Rule {
        Rule {
            name: "r".into(),
            kind,
            pattern: None,
            min_length: None,
            max_length: None,
            message: "Parameter '{0}' ({1}) failed {2}".into(),
            status_code: 400,
        }
    }

    #[test]
    fn default_rules_edge_values() {
        let email = Rule {
            pattern: compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$").ok(),
            ..rule(RuleKind::Regex)
        };
        let min = Rule {
            min_length: Some(2),
            ..rule(RuleKind::MinLength)
        };
        let max = Rule {
            max_length: Some(2),
            ..rule(RuleKind::MaxLength)
        };
        let cases: &[(&Rule, &[(Option<&str>, bool)])] = &[
            (
                &rule(RuleKind::NotNull),
                &[(None, false), (Some(""), true), (Some("x"), true)],
            ),
            (
                &rule(RuleKind::NotEmpty),
                &[(None, true), (Some(""), false), (Some(" "), true)],
            ),
            (
                &rule(RuleKind::Required),
                &[(None, false), (Some(""), false), (Some("x"), true)],
            ),
            (
                &email,
                &[
                    (None, false),
                    (Some(""), false),
                    (Some("a@b.c"), true),
                    (Some("a@b"), false),
                    (Some("a b@c.d"), false),
                ],
            ),
            (
                &min,
                &[
                    (None, false),
                    (Some(""), false),
                    (Some("é"), false),
                    (Some("éé"), true),
                ],
            ),
            (
                &max,
                &[(None, true), (Some("éé"), true), (Some("abc"), false)],
            ),
        ];
        for (rule, values) in cases {
            for (value, expected) in *values {
                assert_eq!(rule.passes(*value), *expected, "{:?} {value:?}", rule.kind);
            }
        }
    }

    #[test]
    fn kinds_and_messages() {
        assert_eq!(RuleKind::parse("Not_Null"), Some(RuleKind::NotNull));
        assert_eq!(RuleKind::parse("MIN_LENGTH"), Some(RuleKind::MinLength));
        assert_eq!(RuleKind::parse("email"), None);
        let r = rule(RuleKind::NotNull);
        assert_eq!(
            r.message_for("_email", "email"),
            "Parameter '_email' (email) failed r"
        );
        let braces = Rule {
            message: "{{0}} {3} {0".into(),
            ..rule(RuleKind::NotNull)
        };
        assert_eq!(braces.message_for("p", "q"), "{0} {3} {0");
        assert!(compile("(").is_err());
    }
}
