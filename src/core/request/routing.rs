//! Matching an HTTP request (method and path with an optional query) to
//! an endpoint's method and path template, as a front-end forwards it.
//!
//! Methods compare case-insensitively; paths compare case-insensitively
//! segment by segment, empty segments (a trailing `/`, `//`) ignored;
//! `{name}` segments bind parameters; the query is URL-decoded into
//! arguments.

use std::collections::HashMap;

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

    /// The parameters bound by `segments` (also given lower-cased), or
    /// None when they do not match.
    fn matches_lowered(
        &self,
        segments: &[String],
        lowered: &[String],
    ) -> Option<Vec<(String, String)>> {
        if self.segments.len() != segments.len() {
            return None;
        }
        let mut bound = Vec::new();
        for ((template, given), lower) in self.segments.iter().zip(segments).zip(lowered) {
            match template {
                Segment::Literal(literal) if literal == lower => {}
                Segment::Literal(_) => return None,
                Segment::Parameter(name) => bound.push((name.clone(), given.clone())),
            }
        }
        Some(bound)
    }

    /// The lower-cased segments when every segment is literal.
    fn literal_path(&self) -> Option<Vec<String>> {
        self.segments
            .iter()
            .map(|s| match s {
                Segment::Literal(l) => Some(l.clone()),
                Segment::Parameter(_) => None,
            })
            .collect()
    }

    /// How specific the template is: literal segments win over parameters
    /// when two templates match the same path.
    fn literal_count(&self) -> usize {
        self.segments
            .iter()
            .filter(|s| matches!(s, Segment::Literal(_)))
            .count()
    }
}

/// Endpoints by method and path, found without scanning them all: a
/// path of literal segments only is one hash lookup; templates with
/// parameters are tried among those of the same method and length.
#[derive(Debug)]
pub struct RouteTable<T> {
    routes: Vec<(Template, T)>,
    literal: HashMap<(String, Vec<String>), Vec<usize>>,
    templated: HashMap<(String, usize), Vec<usize>>,
}

/// What a request matches.
#[derive(Debug, PartialEq, Eq)]
pub enum RouteMatch<'t, T> {
    Found(&'t T, Vec<(String, String)>),
    NotFound,
    /// Two or more endpoints match equally well.
    Ambiguous(Vec<&'t T>),
}

impl<T> RouteTable<T> {
    /// A table of `(method, path, endpoint)`; methods are compared as given
    /// (callers upper-case them).
    pub fn new(routes: impl IntoIterator<Item = (String, String, T)>) -> Self {
        let mut table = RouteTable {
            routes: Vec::new(),
            literal: HashMap::new(),
            templated: HashMap::new(),
        };
        for (method, path, value) in routes {
            let template = Template::parse(&path);
            let index = table.routes.len();
            match template.literal_path() {
                Some(literal) => table
                    .literal
                    .entry((method, literal))
                    .or_default()
                    .push(index),
                None => {
                    let key = (method, template.segments.len());
                    table.templated.entry(key).or_default().push(index);
                }
            }
            table.routes.push((template, value));
        }
        table
    }

    /// The endpoint for a method and path segments: the template with the
    /// most literal segments wins; a tie is ambiguous.
    pub fn find(&self, method: &str, segments: &[String]) -> RouteMatch<'_, T> {
        let lowered: Vec<String> = segments.iter().map(|s| s.to_lowercase()).collect();
        let key = (method.to_string(), lowered);
        if let Some(found) = self.literal.get(&key) {
            return self.pick(found.iter().map(|&i| (i, Vec::new())).collect());
        }
        let (method, lowered) = key;
        let Some(candidates) = self.templated.get(&(method, segments.len())) else {
            return RouteMatch::NotFound;
        };
        let mut best: Vec<(usize, Vec<(String, String)>)> = Vec::new();
        let mut best_literals = 0;
        for &i in candidates {
            let template = &self.routes[i].0;
            let Some(bound) = template.matches_lowered(segments, &lowered) else {
                continue;
            };
            let literals = template.literal_count();
            if best.is_empty() || literals > best_literals {
                best = vec![(i, bound)];
                best_literals = literals;
            } else if literals == best_literals {
                best.push((i, bound));
            }
        }
        self.pick(best)
    }

    fn pick(&self, mut matched: Vec<(usize, Vec<(String, String)>)>) -> RouteMatch<'_, T> {
        match matched.len() {
            0 => RouteMatch::NotFound,
            1 => {
                let (i, bound) = matched.swap_remove(0);
                RouteMatch::Found(&self.routes[i].1, bound)
            }
            _ => RouteMatch::Ambiguous(matched.iter().map(|(i, _)| &self.routes[*i].1).collect()),
        }
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
                // Exactly two hex digits: from_str_radix would also take a
                // sign (`%+4`).
                let (Some(high), Some(low)) = (
                    bytes.get(i + 1).copied().and_then(hex_digit),
                    bytes.get(i + 2).copied().and_then(hex_digit),
                ) else {
                    return Err(bad());
                };
                out.push(high << 4 | low);
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

/// The value of one hex digit.
fn hex_digit(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        b'A'..=b'F' => Some(byte - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_encoding_takes_two_hex_digits_and_no_sign() {
        for bad in ["%+4", "%-1", "%4", "%+", "a%2", "%4g", "% 4"] {
            assert_eq!(
                percent_decode(bad, false),
                Err(RequestError::BadPercentEncoding(bad.into())),
                "{bad}"
            );
        }
        assert_eq!(percent_decode("%41%2f%2F", false), Ok("A//".into()));
    }

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
            let segments = strings(segments);
            let lowered: Vec<String> = segments.iter().map(|s| s.to_lowercase()).collect();
            let got = Template::parse(template).matches_lowered(&segments, &lowered);
            assert_eq!(got, expected, "{template} {segments:?}");
        }
        assert_eq!(Template::parse("/a/{b}/c").literal_count(), 2);
    }

    #[test]
    fn route_tables_pick_the_most_literal_template() {
        let table = RouteTable::new(
            [
                ("POST", "/auth/logout", "plain"),
                ("POST", "/auth/logout/{scheme}", "scheme"),
                ("POST", "/auth/{what}/web", "what"),
                ("POST", "/auth/logout/web", "web"),
                ("GET", "/auth/logout", "get"),
                ("POST", "/x/{a}", "xa"),
                ("POST", "/x/{b}", "xb"),
                ("POST", "/twice", "one"),
                ("POST", "/TWICE/", "two"),
                ("POST", "/a/b", "ab"),
            ]
            .map(|(m, p, v)| (m.to_string(), p.to_string(), v)),
        );
        let cases: &[(&str, &[&str], RouteMatch<&str>)] = &[
            (
                "POST",
                &["auth", "logout"],
                RouteMatch::Found(&"plain", vec![]),
            ),
            (
                "POST",
                &["Auth", "LOGOUT"],
                RouteMatch::Found(&"plain", vec![]),
            ),
            (
                "GET",
                &["auth", "logout"],
                RouteMatch::Found(&"get", vec![]),
            ),
            ("PUT", &["auth", "logout"], RouteMatch::NotFound),
            (
                "POST",
                &["auth", "logout", "web"],
                RouteMatch::Found(&"web", vec![]),
            ),
            (
                "POST",
                &["auth", "logout", "Web"],
                RouteMatch::Found(&"web", vec![]),
            ),
            (
                "POST",
                &["auth", "logout", "Jwt"],
                RouteMatch::Found(&"scheme", pairs(&[("scheme", "Jwt")])),
            ),
            (
                "POST",
                &["auth", "in", "web"],
                RouteMatch::Found(&"what", pairs(&[("what", "in")])),
            ),
            (
                "POST",
                &["x", "1"],
                RouteMatch::Ambiguous(vec![&"xa", &"xb"]),
            ),
            (
                "POST",
                &["twice"],
                RouteMatch::Ambiguous(vec![&"one", &"two"]),
            ),
            ("POST", &["a/b"], RouteMatch::NotFound),
            ("POST", &["auth"], RouteMatch::NotFound),
            ("POST", &[], RouteMatch::NotFound),
        ];
        for (method, segments, expected) in cases {
            assert_eq!(
                &table.find(method, &strings(segments)),
                expected,
                "{method} {segments:?}"
            );
        }
    }
}
