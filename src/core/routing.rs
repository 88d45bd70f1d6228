//! Matching an HTTP request (method and path with an optional query) to
//! an endpoint's method and path template, as a front-end forwards it.
//!
//! Methods compare case-insensitively; paths compare case-insensitively
//! segment by segment, empty segments (a trailing `/`, `//`) ignored;
//! `{name}` segments bind parameters; the query is URL-decoded into
//! arguments.

/// One segment of an endpoint's path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// Compared case-insensitively (stored lower-cased).
    Literal(String),
    /// `{name}` or `{name?}`: binds the request's segment to `name`.
    Parameter(String),
}

/// An endpoint's path, split into segments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    pub segments: Vec<Segment>,
}

/// A request: upper-cased method, decoded path segments, query arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub method: String,
    pub segments: Vec<String>,
    pub query: Vec<(String, String)>,
}

/// Why a request cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestError {
    /// A `%` not followed by two hex digits, or bytes that are not UTF-8.
    BadPercentEncoding(String),
}

impl Template {
    pub fn parse(path: &str) -> Template {
        let segments = path
            .split('/')
            .filter(|s| !s.is_empty())
            .map(
                |s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                    Some(name) if !name.is_empty() => {
                        Segment::Parameter(name.trim_end_matches('?').to_string())
                    }
                    _ => Segment::Literal(s.to_lowercase()),
                },
            )
            .collect();
        Template { segments }
    }

    /// The parameters bound by `segments`, or None when they do not match.
    pub fn matches(&self, segments: &[String]) -> Option<Vec<(String, String)>> {
        if self.segments.len() != segments.len() {
            return None;
        }
        let mut bound = Vec::new();
        for (template, given) in self.segments.iter().zip(segments) {
            match template {
                Segment::Literal(literal) if literal == &given.to_lowercase() => {}
                Segment::Literal(_) => return None,
                Segment::Parameter(name) => bound.push((name.clone(), given.clone())),
            }
        }
        Some(bound)
    }

    /// How specific the template is: literal segments win over parameters
    /// when two templates match the same path.
    pub fn literal_count(&self) -> usize {
        self.segments
            .iter()
            .filter(|s| matches!(s, Segment::Literal(_)))
            .count()
    }
}

impl Request {
    pub fn parse(method: &str, path: &str) -> Result<Request, RequestError> {
        let path = path.split_once('#').map_or(path, |(p, _)| p);
        let (path, query) = path.split_once('?').unwrap_or((path, ""));
        let segments = path
            .split('/')
            .filter(|s| !s.is_empty())
            .map(|s| percent_decode(s, false))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Request {
            method: method.trim().to_uppercase(),
            segments,
            query: parse_query(query)?,
        })
    }
}

/// `a=1&b=x%20y` into pairs; `+` is a space; a key alone has an empty value.
fn parse_query(query: &str) -> Result<Vec<(String, String)>, RequestError> {
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            Ok((percent_decode(key, true)?, percent_decode(value, true)?))
        })
        .collect()
}

fn percent_decode(text: &str, plus_is_space: bool) -> Result<String, RequestError> {
    if !text.contains(['%', '+']) {
        return Ok(text.to_string());
    }
    let bad = || RequestError::BadPercentEncoding(text.chars().take(100).collect());
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = bytes.get(i + 1..i + 3).ok_or_else(bad)?;
                let hex = std::str::from_utf8(hex).map_err(|_| bad())?;
                out.push(u8::from_str_radix(hex, 16).map_err(|_| bad())?);
                i += 3;
            }
            b'+' if plus_is_space => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).map_err(|_| bad())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn requests() {
        let cases: Vec<(
            &str,
            &str,
            Result<(&str, Vec<String>, Vec<(String, String)>), RequestError>,
        )> = vec![
            (
                "post",
                "/auth/logout",
                Ok(("POST", strings(&["auth", "logout"]), vec![])),
            ),
            (
                " Post ",
                "/auth/logout/",
                Ok(("POST", strings(&["auth", "logout"]), vec![])),
            ),
            (
                "GET",
                "auth//logout",
                Ok(("GET", strings(&["auth", "logout"]), vec![])),
            ),
            ("GET", "/", Ok(("GET", vec![], vec![]))),
            ("GET", "", Ok(("GET", vec![], vec![]))),
            (
                "POST",
                "/auth/logout?_scheme=Cookies",
                Ok((
                    "POST",
                    strings(&["auth", "logout"]),
                    pairs(&[("_scheme", "Cookies")]),
                )),
            ),
            (
                "POST",
                "/a?x=1+2&y=%C3%A9&z",
                Ok((
                    "POST",
                    strings(&["a"]),
                    pairs(&[("x", "1 2"), ("y", "é"), ("z", "")]),
                )),
            ),
            (
                "POST",
                "/a%2Fb/c%20d",
                Ok(("POST", strings(&["a/b", "c d"]), vec![])),
            ),
            ("POST", "/a+b", Ok(("POST", strings(&["a+b"]), vec![]))),
            (
                "POST",
                "/a?&&x=1&",
                Ok(("POST", strings(&["a"]), pairs(&[("x", "1")]))),
            ),
            ("POST", "/a#frag?x=1", Ok(("POST", strings(&["a"]), vec![]))),
            (
                "POST",
                "/a?x=1#frag",
                Ok(("POST", strings(&["a"]), pairs(&[("x", "1")]))),
            ),
            (
                "POST",
                "/a?x=%zz",
                Err(RequestError::BadPercentEncoding("%zz".into())),
            ),
            (
                "POST",
                "/a%",
                Err(RequestError::BadPercentEncoding("a%".into())),
            ),
            (
                "POST",
                "/a?x=%ff",
                Err(RequestError::BadPercentEncoding("%ff".into())),
            ),
            (
                "POST",
                "/%e9",
                Err(RequestError::BadPercentEncoding("%e9".into())),
            ),
        ];
        for (method, path, expected) in cases {
            let got = Request::parse(method, path);
            let expected = expected.map(|(m, segments, query)| Request {
                method: m.into(),
                segments,
                query,
            });
            assert_eq!(got, expected, "{method} {path}");
        }
    }

    #[test]
    fn templates() {
        let cases: Vec<(&str, &[&str], Option<Vec<(String, String)>>)> = vec![
            ("/auth/logout", &["auth", "logout"], Some(vec![])),
            ("/auth/logout", &["AUTH", "Logout"], Some(vec![])),
            ("/auth/logout", &["auth"], None),
            ("/auth/logout", &["auth", "logout", "x"], None),
            (
                "/auth/logout/{scheme}",
                &["auth", "logout", "Cookies"],
                Some(pairs(&[("scheme", "Cookies")])),
            ),
            (
                "/users/{id}/sessions/{sid?}",
                &["users", "7", "sessions", "a b"],
                Some(pairs(&[("id", "7"), ("sid", "a b")])),
            ),
            ("/{}", &["{}"], Some(vec![])),
            ("/", &[], Some(vec![])),
        ];
        for (template, segments, expected) in cases {
            let got = Template::parse(template).matches(&strings(segments));
            assert_eq!(got, expected, "{template} {segments:?}");
        }
        assert_eq!(Template::parse("/a/{b}/c").literal_count(), 2);
    }
}
