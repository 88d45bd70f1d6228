//! Server-sent events: what the `sse`, `sse_publish`, `sse_subscribe`,
//! `sse_level` and `sse_scope` lines configure, gathered in one `sse`
//! object because the lines set the same NpgsqlRest settings:
//!
//! * `publish` — the routine's `RAISE` notices are published;
//! * `path` — the subscribe URL path, relative to the endpoint's path;
//! * `level` — `info`, `notice` or `warning` (null: the server default);
//! * `scope` — `matching`, `authorize` or `all` (null: NpgsqlRest's `all`);
//! * `roles` — who may subscribe under `authorize`.

use std::collections::HashSet;

use serde_json::{json, Value};

use crate::core::grammar::keywords::{is_word, parse_bool, spellings, SSE_LEVELS, SSE_SCOPES};

/// The level a bare `sse` line names its path after when no level is set.
const DEFAULT_LEVEL: &str = "info";

#[derive(Debug, Clone, Default)]
pub struct Sse {
    publish: bool,
    path: Option<String>,
    level: Option<&'static str>,
    scope: Option<&'static str>,
    roles: Vec<String>,
    /// Lower-cased roles, so repeats are dropped in linear time.
    role_set: HashSet<String>,
}

impl Sse {
    /// A keyword line; `name` is its canonical name, `words` include the
    /// keyword. The error says what was ignored.
    pub fn keyword(&mut self, name: &str, words: &[&str]) -> Result<(), String> {
        match name {
            "sse" => {
                self.publish = true;
                self.path_and_level(words)
            }
            "sse_subscribe" => self.path_and_level(words),
            "sse_publish" => {
                self.publish = true;
                self.on_level(words, 1)
            }
            "sse_level" => self.level(words.get(1).copied().unwrap_or("")),
            _ => self.scope(&words[1.min(words.len())..], true),
        }
    }

    /// A `name = value` line.
    pub fn setting(&mut self, name: &str, value: &str) -> Result<(), String> {
        match (name, parse_bool(value)) {
            ("sse", Some(on)) => {
                self.publish = on;
                self.path = on.then(|| self.level_name());
            }
            ("sse", None) => {
                self.publish = true;
                self.path = Some(value.to_string());
            }
            ("sse_publish", flag) => self.publish = flag.unwrap_or(true),
            ("sse_subscribe", Some(on)) => self.path = on.then(|| self.level_name()),
            ("sse_subscribe", None) => self.path = Some(value.to_string()),
            ("sse_level", _) => return self.level(value.trim()),
            _ => {
                let words = super::annotations::words(value);
                return self.scope(&words, false);
            }
        }
        Ok(())
    }

    pub fn to_json(&self) -> Value {
        json!({
            "publish": self.publish,
            "path": self.path,
            "level": self.level,
            "scope": self.scope,
            "roles": self.roles,
        })
    }

    /// `sse [path [on level]]`: a bare line names the path after the level.
    fn path_and_level(&mut self, words: &[&str]) -> Result<(), String> {
        match words.get(1) {
            None => {
                self.path = Some(self.level_name());
                Ok(())
            }
            Some(path) => {
                self.path = Some(path.to_lowercase());
                self.on_level(words, 2)
            }
        }
    }

    /// `… on <level>` starting at `words[at]`.
    fn on_level(&mut self, words: &[&str], at: usize) -> Result<(), String> {
        let tail = &words[at.min(words.len())..];
        match tail {
            [] => Ok(()),
            [on, level, ..] if is_word(on, "on") => self.level(level),
            _ => Err(format!(
                "{:?} is ignored: a level is written \"on info\", \"on notice\" or \"on warning\"",
                tail.join(" ")
            )),
        }
    }

    fn level(&mut self, word: &str) -> Result<(), String> {
        match enum_value(SSE_LEVELS, word) {
            Some(level) => {
                self.level = Some(level);
                Ok(())
            }
            None => Err(format!("{word:?} is not one of {}", spellings(SSE_LEVELS))),
        }
    }

    /// `scope [role…]`; roles count only for `authorize`, and add up.
    fn scope(&mut self, words: &[&str], lower_roles: bool) -> Result<(), String> {
        let word = words.first().copied().unwrap_or("");
        let Some(scope) = enum_value(SSE_SCOPES, word) else {
            return Err(format!("{word:?} is not one of {}", spellings(SSE_SCOPES)));
        };
        self.scope = Some(scope);
        if scope == "authorize" {
            for role in words.iter().skip(1).filter(|r| !r.trim().is_empty()) {
                let role = if lower_roles {
                    role.to_lowercase()
                } else {
                    role.to_string()
                };
                if self.role_set.insert(role.to_lowercase()) {
                    self.roles.push(role);
                }
            }
        }
        Ok(())
    }

    fn level_name(&self) -> String {
        self.level.unwrap_or(DEFAULT_LEVEL).to_string()
    }
}

/// A .NET enum name, case-insensitively (no `@` removed).
fn enum_value(options: &[(&str, &'static str)], word: &str) -> Option<&'static str> {
    options
        .iter()
        .find(|(spelling, _)| spelling.eq_ignore_ascii_case(word))
        .map(|(_, canonical)| *canonical)
}
