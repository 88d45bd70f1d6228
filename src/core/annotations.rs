//! The annotation grammar: a comment in, a [`Document`] out.
//!
//! Lines are read in order; for each, the first rule that matches wins:
//! tag block → `key = value` → `Name: value` → keyword → prose.

use serde_json::{json, Value};

use super::document::{Annotation, Document, Warning};
use super::escapes::unescape;
use super::keywords::{self, Keyword, Setting, Shape};
use super::naming::endpoint_path;

/// What the parser knows about the routine the comment belongs to.
#[derive(Debug, Clone, Copy, Default)]
pub struct Routine<'a> {
    /// Tags for `for`, `disabled` and `enabled` lines; none means the
    /// routine has no tags.
    pub tags: &'a [String],
    /// Parameter names, so `name = value` lines resolve to parameters.
    pub parameters: &'a [String],
}

/// The HTTP methods an `HTTP` line names (PATCH is taken as a path).
const METHODS: &[&str] = &["GET", "PUT", "POST", "DELETE", "QUERY"];

/// Parses a whole comment.
pub fn parse(comment: &str, routine: Routine) -> Document {
    parse_with(comment, routine, &mut || {})
}

/// Parses a whole comment, calling `on_progress` every few thousand lines
/// so a caller can honour query cancellation on huge inputs.
pub fn parse_with(comment: &str, routine: Routine, on_progress: &mut dyn FnMut()) -> Document {
    let mut parser = Parser {
        doc: Document::default(),
        routine,
        block_applies: true,
    };
    for (index, line) in comment.split(['\r', '\n']).enumerate() {
        if index % 4096 == 4095 {
            on_progress();
        }
        parser.line(line.trim());
    }
    parser.doc
}

/// Splits a line into words on spaces and commas (a tab does not split).
pub fn words(line: &str) -> Vec<&str> {
    line.split([' ', ',']).filter(|w| !w.is_empty()).collect()
}

struct Parser<'a> {
    doc: Document,
    routine: Routine<'a>,
    /// False inside a `for` block that names none of the routine's tags.
    block_applies: bool,
}

impl Parser<'_> {
    fn line(&mut self, line: &str) {
        let words = words(line);
        let Some(first) = words.first() else { return };
        if self.has_tags() && words.len() > 1 && keywords::is_tag_block(first) {
            self.block_applies = self.has_any_tag(&words[1..]);
            self.annotate("for", line);
        } else if !self.block_applies {
            self.doc.unhandled_lines.push(line.to_string());
        } else if let Some((name, value)) = split_named(line, '=') {
            self.key_value(line, name, value);
        } else if let Some((name, value)) = split_named(line, ':') {
            self.header(name, value);
        } else if let Some(keyword) =
            keywords::keyword(first).filter(|k| !k.needs_argument || words.len() > 1)
        {
            self.annotate(keyword.name, line);
            self.keyword(keyword, line, &words);
        } else {
            self.doc.unhandled_lines.push(line.to_string());
        }
    }

    fn has_tags(&self) -> bool {
        !self.routine.tags.is_empty()
    }

    fn has_any_tag(&self, listed: &[&str]) -> bool {
        listed
            .iter()
            .any(|l| self.routine.tags.iter().any(|t| t.eq_ignore_ascii_case(l)))
    }

    fn annotate(&mut self, name: &'static str, line: &str) {
        self.doc.annotations.push(Annotation {
            name,
            text: line.to_string(),
        });
    }

    fn warn(&mut self, line: &str, reason: impl Into<String>) {
        self.doc.warnings.push(Warning {
            text: line.to_string(),
            reason: reason.into(),
        });
    }

    fn set(&mut self, name: &str, value: Value) {
        self.doc.settings.insert(name.to_string(), value);
    }

    /// `name = value`: an annotation setting, a routine parameter, or a
    /// custom parameter, in that order.
    fn key_value(&mut self, line: &str, name: &str, raw_value: &str) {
        let value = unescape(raw_value);
        let bare = name.strip_prefix('@').unwrap_or(name);
        let settable = keywords::keyword(bare).and_then(|k| k.setting.map(|s| (k, s)));
        if let Some((keyword, setting)) = settable {
            self.annotate(keyword.name, line);
            self.setting(keyword, setting, line, &value);
        } else if let Some(param) = self.parameter(bare) {
            self.doc
                .resolved_parameters
                .insert(param, Value::String(value));
        } else {
            self.doc
                .custom_parameters
                .insert(bare.to_string(), Value::String(value));
        }
    }

    fn parameter(&self, name: &str) -> Option<String> {
        self.routine
            .parameters
            .iter()
            .find(|p| p.eq_ignore_ascii_case(name))
            .cloned()
    }

    fn setting(&mut self, keyword: &Keyword, setting: Setting, line: &str, value: &str) {
        match setting {
            Setting::Text => self.set(keyword.name, Value::String(value.to_string())),
            Setting::Bool => match parse_bool(value) {
                Some(flag) => self.set(keyword.name, Value::Bool(flag)),
                None => self.warn(line, format!("{value:?} is not true or false")),
            },
            Setting::Number => self.number(keyword.name, line, value),
        }
    }

    fn number(&mut self, name: &str, line: &str, value: &str) {
        match value.trim().parse::<i64>() {
            Ok(n) => self.set(name, json!(n)),
            Err(_) => self.warn(line, format!("{value:?} is not a whole number")),
        }
    }

    /// `Name: value`: a response header, or the content type.
    fn header(&mut self, name: &str, value: &str) {
        let value = value.trim().to_string();
        if name.eq_ignore_ascii_case("content-type") || name.eq_ignore_ascii_case("content_type") {
            self.doc.content_type = Some(value);
            return;
        }
        let values = self
            .doc
            .headers
            .entry(name.to_string())
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(values) = values {
            values.push(Value::String(value));
        }
    }

    fn keyword(&mut self, keyword: &'static Keyword, line: &str, words: &[&str]) {
        let args = &words[1..];
        match keyword.shape {
            Shape::Flag => self.set(keyword.name, Value::Bool(true)),
            Shape::Text => self.set(keyword.name, Value::String(unescape(rest_of_line(line)))),
            Shape::Word => match args.first() {
                Some(word) => self.set(keyword.name, Value::String(word.to_string())),
                None => self.warn(line, "a value is missing"),
            },
            Shape::List => self.set(keyword.name, json!(args)),
            Shape::Number => self.number(keyword.name, line, args.first().copied().unwrap_or("")),
            Shape::Choice(options) => self.choice(keyword, options, line, args),
            Shape::Own => self.own(keyword.name, line, args),
        }
    }

    fn choice(
        &mut self,
        keyword: &Keyword,
        options: &[(&str, &'static str)],
        line: &str,
        args: &[&str],
    ) {
        let word = args.first().copied().unwrap_or("");
        let Some(value) = keywords::choice(options, word) else {
            let valid: Vec<&str> = options.iter().map(|(s, _)| *s).collect();
            self.warn(line, format!("{word:?} is not one of {}", valid.join(", ")));
            return;
        };
        if keyword.name == "request_param_type" {
            self.doc.request_param_type = Some(value);
        } else {
            self.set(keyword.name, Value::String(value.to_string()));
        }
    }

    /// Keywords whose arguments follow a rule of their own.
    fn own(&mut self, name: &'static str, line: &str, args: &[&str]) {
        match name {
            "http" => self.http(line, args),
            "path" => self.doc.path = args.first().map(|p| endpoint_path(p)),
            "authorize" => self.authorize(args),
            "allow_anonymous" => {
                self.doc.requires_authorization = false;
                self.doc.allow_anonymous = true;
            }
            "login" => self.doc.login = true,
            "logout" => self.doc.logout = true,
            "internal" => self.doc.internal = true,
            "disabled" | "enabled" => {
                if args.is_empty() || self.has_any_tag(args) {
                    self.doc.disabled = name == "disabled";
                }
            }
            _ => self.set(name, json!(args)),
        }
    }

    /// `HTTP`, `HTTP METHOD`, `HTTP path`, `HTTP METHOD path`.
    fn http(&mut self, line: &str, args: &[&str]) {
        self.doc.http = true;
        match args {
            [] => {}
            [word] => match method(word) {
                Some(m) => self.method(m),
                None => self.doc.path = Some(endpoint_path(word)),
            },
            [word, path] => {
                match method(word) {
                    Some(m) => self.method(m),
                    None => self.warn(
                        line,
                        format!("{word:?} is not an HTTP method ({})", METHODS.join(", ")),
                    ),
                }
                self.doc.path = Some(endpoint_path(path));
            }
            _ => self.warn(line, "too many words: only the HTTP flag is set"),
        }
    }

    fn method(&mut self, method: &'static str) {
        self.doc.method = Some(method.to_string());
        self.doc.request_param_type = Some(if method == "GET" {
            "query_string"
        } else {
            "body_json"
        });
    }

    /// `authorize [role…]`: roles replace earlier ones; a bare line keeps them.
    fn authorize(&mut self, roles: &[&str]) {
        self.doc.requires_authorization = true;
        if roles.is_empty() {
            return;
        }
        self.doc.authorize_roles.clear();
        for role in roles {
            let role = role.to_lowercase();
            if !self.doc.authorize_roles.contains(&role) {
                self.doc.authorize_roles.push(role);
            }
        }
    }
}

fn method(word: &str) -> Option<&'static str> {
    METHODS
        .iter()
        .copied()
        .find(|m| m.eq_ignore_ascii_case(word))
}

fn parse_bool(value: &str) -> Option<bool> {
    match value.trim() {
        v if v.eq_ignore_ascii_case("true") => Some(true),
        v if v.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

/// Splits `name<sep>value` when the text before the first `sep` is a name:
/// letters, digits, `-`, `_`, `@` only (an empty name counts).
fn split_named(line: &str, sep: char) -> Option<(&str, &str)> {
    let (name, value) = line.split_once(sep)?;
    let name = name.trim();
    let is_name = name
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '@'));
    is_name.then_some((name, value.trim()))
}

/// The text of a line after its first word.
fn rest_of_line(line: &str) -> &str {
    let start = line.trim_start_matches([' ', ',']);
    let end_of_word = start.find([' ', ',']).unwrap_or(start.len());
    start[end_of_word..].trim()
}
