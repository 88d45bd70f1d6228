//! `proxy [METHOD] [host]` and `proxy_out [METHOD] [host]`: the endpoint
//! forwards the request to another server (`proxy`), or calls one and
//! hands its response to the routine (`proxy_out`).
//!
//! The document keeps `{"method": "GET" | null, "host": "…" | null}`; null
//! means the request's method and the configured host. Later lines update
//! what they name and keep the rest, as in NpgsqlRest.

use serde_json::{json, Value};

use crate::core::grammar::keywords::{method, METHODS};

#[derive(Debug, Clone, Default)]
pub struct Proxy {
    method: Option<&'static str>,
    host: Option<String>,
}

impl Proxy {
    /// A keyword line (`words` include the keyword). The error says what
    /// was ignored.
    pub fn keyword(&mut self, words: &[&str]) -> Result<(), String> {
        let Some(first) = words.get(1) else {
            return Ok(());
        };
        let Some(m) = method(first) else {
            return self.host(first, || {
                format!(
                    "{first:?} is neither an HTTP method ({}) nor a URL (http://…, https://… or /path)",
                    METHODS.join(", ")
                )
            });
        };
        self.method = Some(m);
        match words.get(2) {
            Some(host) => self.host(host, || {
                format!("{host:?} is not a URL (http://…, https://… or /path)")
            }),
            None => Ok(()),
        }
    }

    pub fn to_json(&self) -> Value {
        json!({"method": self.method, "host": self.host})
    }

    fn host(&mut self, word: &str, reason: impl FnOnce() -> String) -> Result<(), String> {
        if is_url(word) {
            self.host = Some(word.to_string());
            Ok(())
        } else {
            Err(reason())
        }
    }
}

/// NpgsqlRest's `IsValidUrl`: a path, or an absolute http(s) URL.
fn is_url(word: &str) -> bool {
    if word.starts_with('/') {
        return true;
    }
    let lower = word.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("http://")
        .or_else(|| lower.strip_prefix("https://"));
    rest.is_some_and(|rest| !rest.starts_with(['/', '?', '#']) && !rest.is_empty())
}

#[cfg(test)]
mod tests {
    use super::is_url;

    #[test]
    fn urls() {
        for url in [
            "/x",
            "http://a",
            "HTTPS://api.example.com/v1?x=1",
            "http://[::1]:8080",
        ] {
            assert!(is_url(url), "{url:?}");
        }
        for word in [
            "http://",
            "https:///x",
            "ftp://a",
            "example.com",
            "PATCH",
            "1",
        ] {
            assert!(!is_url(word), "{word:?}");
        }
    }
}
