//! Basic authentication: what the `basic_auth`, `basic_auth_realm` and
//! `basic_auth_command` lines configure, gathered in one `basic_auth`
//! object because any of them turns basic authentication on:
//!
//! * `users` — `{"name": "password"}` from `basic_auth <name> <password>`;
//! * `realm` — null: the server's realm;
//! * `command` — the SQL that checks credentials (`$1` user, `$2`
//!   password, `$3` realm, `$4` path); null: users are checked as listed.

use serde_json::{json, Map, Value};

use crate::core::grammar::annotations::words;

#[derive(Debug, Clone, Default)]
pub struct BasicAuth {
    users: Map<String, Value>,
    realm: Option<String>,
    command: Option<String>,
}

impl BasicAuth {
    /// A keyword line; `name` is its canonical name, `words` include the
    /// keyword. The error says what was ignored.
    pub fn keyword(&mut self, name: &str, line: &str, words: &[&str]) -> Result<(), String> {
        match name {
            "basic_auth" => match words {
                [_, user] => Err(format!(
                    "no password for {user:?}: write basic_auth <user> <password>"
                )),
                [_, user, password, ..] => {
                    self.add_user(user, password);
                    Ok(())
                }
                _ => Ok(()),
            },
            "basic_auth_realm" => {
                self.realm = words.get(1).map(|w| w.to_string());
                match words.get(2) {
                    Some(_) => Err(format!(
                        "only the first word {:?} is the realm; the rest is ignored",
                        words.get(1).copied().unwrap_or("")
                    )),
                    None => Ok(()),
                }
            }
            _ => {
                self.command = Some(command_text(line, words));
                Ok(())
            }
        }
    }

    /// A `name = value` line. As in NpgsqlRest, `basic_auth = …` reads a
    /// user from the value's second and third words.
    pub fn setting(&mut self, name: &str, value: &str) -> Result<(), String> {
        match name {
            "basic_auth" => match words(value).as_slice() {
                [] => Ok(()),
                [_, user, password, ..] => {
                    self.add_user(user, password);
                    Ok(())
                }
                _ => Err(format!(
                    "{value:?} adds no user: the value is read as three words, <any> <user> <password>"
                )),
            },
            "basic_auth_realm" => {
                self.realm = Some(value.to_string());
                Ok(())
            }
            _ => {
                self.command = Some(value.to_string());
                Ok(())
            }
        }
    }

    pub fn to_json(&self) -> Value {
        json!({"users": self.users, "realm": self.realm, "command": self.command})
    }

    fn add_user(&mut self, user: &str, password: &str) {
        if !user.is_empty() && !password.is_empty() {
            self.users
                .insert(user.to_string(), Value::String(password.to_string()));
        }
    }
}

/// NpgsqlRest takes the line after the keyword and one character, as
/// written (case, commas and spacing kept).
fn command_text(line: &str, words: &[&str]) -> String {
    let keyword_len = words.first().map_or(0, |w| w.len());
    line.get(keyword_len + 1..).unwrap_or("").to_string()
}
