//! The forms of a `param` line, read as NpgsqlRest's `HandleParameter`
//! reads them (first match wins):
//!
//! * `param a is hash of b`
//! * `param a is upload metadata`
//! * `param a default [value]` (or `param a = [value]`)
//! * `param a type is t [default [value]]` — retype, name kept
//! * `param a [is] b [t] [default [value]]` — rename, maybe retype
//!
//! `a` may be written `:a`, as in SQL files. Parameter names and types are
//! lower-cased, new names keep their case; a default is one word, or a
//! `'quoted text'`, or `null`.

use crate::core::grammar::keywords::is_word;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParamForm<'a> {
    HashOf {
        parameter: String,
        source: String,
    },
    UploadMetadata {
        parameter: String,
    },
    Default {
        parameter: String,
        value: Option<String>,
    },
    Rename {
        parameter: String,
        new_name: &'a str,
        type_name: Option<String>,
        /// `Some(None)` is a `default` of NULL.
        default: Option<Option<String>>,
        /// The `type is` form: a retype, not a rename.
        keeps_name: bool,
    },
    /// `param` or `param a`: nothing to do.
    Incomplete,
}

/// Reads a `param` line's words (the keyword included).
pub fn parse<'a>(words: &[&'a str]) -> ParamForm<'a> {
    let mut words = words.to_vec();
    if let Some(name) = words.get(1).and_then(|w| w.strip_prefix(':')) {
        if !name.is_empty() {
            words[1] = name;
        }
    }
    let lower: Vec<String> = words.iter().map(|w| w.to_lowercase()).collect();
    let is = |i: usize, word: &str| lower.get(i).is_some_and(|w| is_word(w, word));
    let parameter = lower.get(1).cloned().unwrap_or_default();
    let n = words.len();
    if n >= 6 && is(2, "is") && is(3, "hash") && is(4, "of") {
        ParamForm::HashOf {
            parameter,
            source: lower[5].clone(),
        }
    } else if n >= 5 && is(2, "is") && is(3, "upload") && is(4, "metadata") {
        ParamForm::UploadMetadata { parameter }
    } else if n >= 3 && is_default(&lower[2]) {
        ParamForm::Default {
            parameter,
            value: default_value(&words, 3),
        }
    } else if n >= 5 && is(2, "type") && is(3, "is") {
        let mut retype = words.clone();
        retype[2] = "is";
        retype[3] = words[1];
        rename(&retype, parameter, true)
    } else {
        rename(&words, parameter, false)
    }
}

/// `param a is b [t] [default …]`, `param a is`, `param a b [t] [default …]`.
fn rename<'a>(words: &[&'a str], parameter: String, keeps_name: bool) -> ParamForm<'a> {
    let n = words.len();
    let named_with_is = n >= 4 && is_word(words[2], "is");
    let (new_name, next) = match words.get(2) {
        _ if named_with_is => (words[3], 4),
        Some(name) => (*name, 3),
        None => return ParamForm::Incomplete,
    };
    let lower = |i: usize| words.get(i).map(|w| w.to_lowercase());
    let (type_name, default_at) = match lower(next) {
        Some(word) if is_default(&word) => (None, Some(next + 1)),
        Some(word) => {
            let type_name = word.trim_end_matches(';').to_string();
            let default_at = lower(next + 1).filter(|w| is_default(w)).map(|_| next + 2);
            (Some(type_name), default_at)
        }
        None => (None, None),
    };
    ParamForm::Rename {
        parameter,
        new_name,
        type_name,
        default: default_at.map(|at| default_value(words, at)),
        keeps_name,
    }
}

fn is_default(word: &str) -> bool {
    is_word(word, "default") || word == "="
}

/// NpgsqlRest's `ParseDefaultValue`: one word, `null` (None), `'text'`, or
/// quoted words joined by one space up to the word that closes the quote.
fn default_value(words: &[&str], start: usize) -> Option<String> {
    let first = *words.get(start)?;
    let Some(quoted) = first.strip_prefix('\'') else {
        return (!first.eq_ignore_ascii_case("null")).then(|| first.to_string());
    };
    if first.len() >= 2 && first.ends_with('\'') {
        return Some(quoted[..quoted.len() - 1].to_string());
    }
    let close = words[start + 1..].iter().position(|w| w.ends_with('\''));
    Some(match close {
        Some(offset) => {
            let joined = words[start..=start + 1 + offset].join(" ");
            joined[1..joined.len() - 1].to_string()
        }
        None if first.len() > 1 => quoted.to_string(),
        None => first.to_string(),
    })
}

/// NpgsqlRest's rule for a new parameter name: `$` and digits, or a letter
/// or `_` followed by letters, digits, `_` and `$`.
pub fn check_name(name: &str) -> Result<(), String> {
    let valid = match name.strip_prefix('$') {
        Some(digits) => !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()),
        None => {
            let mut chars = name.chars();
            chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
                && chars.all(|c| c.is_alphanumeric() || c == '_' || c == '$')
        }
    };
    if valid {
        Ok(())
    } else {
        Err(format!(
            "{name:?} is not a parameter name (a letter or _ then letters, digits, _ or $; or $ and digits)"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(line: &str) -> ParamForm<'_> {
        parse(&crate::core::grammar::annotations::words(line))
    }

    fn rename(
        parameter: &str,
        new_name: &'static str,
        type_name: Option<&str>,
        default: Option<Option<&str>>,
        keeps_name: bool,
    ) -> ParamForm<'static> {
        ParamForm::Rename {
            parameter: parameter.into(),
            new_name,
            type_name: type_name.map(str::to_string),
            default: default.map(|d| d.map(str::to_string)),
            keeps_name,
        }
    }

    #[test]
    fn reads_every_form() {
        let cases: Vec<(&str, ParamForm)> = vec![
            ("param", ParamForm::Incomplete),
            ("param a", ParamForm::Incomplete),
            (
                "param A is hash of B",
                ParamForm::HashOf {
                    parameter: "a".into(),
                    source: "b".into(),
                },
            ),
            (
                "param :f is upload metadata",
                ParamForm::UploadMetadata {
                    parameter: "f".into(),
                },
            ),
            (
                "param a default",
                ParamForm::Default {
                    parameter: "a".into(),
                    value: None,
                },
            ),
            (
                "param a = NULL",
                ParamForm::Default {
                    parameter: "a".into(),
                    value: None,
                },
            ),
            (
                "param a @Default Hello world",
                ParamForm::Default {
                    parameter: "a".into(),
                    value: Some("Hello".into()),
                },
            ),
            (
                "param a default 'hello, big world' x",
                ParamForm::Default {
                    parameter: "a".into(),
                    value: Some("hello big world".into()),
                },
            ),
            (
                "param a default 'x'",
                ParamForm::Default {
                    parameter: "a".into(),
                    value: Some("x".into()),
                },
            ),
            (
                "param a default 'open",
                ParamForm::Default {
                    parameter: "a".into(),
                    value: Some("open".into()),
                },
            ),
            ("param $1 UserId", rename("$1", "UserId", None, None, false)),
            (
                "param $1 is UserId INTEGER;",
                rename("$1", "UserId", Some("integer"), None, false),
            ),
            (
                "param $1 is uid int default 5",
                rename("$1", "uid", Some("int"), Some(Some("5")), false),
            ),
            (
                "param $1 uid default",
                rename("$1", "uid", None, Some(None), false),
            ),
            ("param a is", rename("a", "is", None, None, false)),
            (
                "param :Id type is bigint",
                rename("id", "Id", Some("bigint"), None, true),
            ),
            (
                "param id type is text default 'x y'",
                rename("id", "id", Some("text"), Some(Some("x y")), true),
            ),
        ];
        for (line, expected) in cases {
            assert_eq!(form(line), expected, "line {line:?}");
        }
    }

    #[test]
    fn checks_new_names() {
        for valid in ["a", "_a", "a$1", "$1", "été"] {
            assert_eq!(check_name(valid), Ok(()), "{valid:?}");
        }
        for invalid in ["$", "$a", "1a", "a-b", "-"] {
            assert!(check_name(invalid).is_err(), "{invalid:?}");
        }
    }
}
