//! Matching an HTTP request (method and path with an optional query) to
//! an endpoint's method and path template, as a front-end forwards it.
//!
//! Methods compare case-insensitively; paths compare case-insensitively
//! segment by segment, empty segments (a trailing `/`, `//`) ignored;
//! `{name}` segments bind parameters; the query is URL-decoded into
//! arguments.

use std::borrow::Cow;
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

/// A request: upper-cased method, decoded path segments, query arguments;
/// the method and segments borrow the request's text when it needs no
/// change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request<'a> {
    pub method: Cow<'a, str>,
    pub segments: Vec<Cow<'a, str>>,
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

    /// The parameters bound by `segments`, or None when they do not
    /// match.
    fn matches<S: AsRef<str>>(&self, segments: &[S]) -> Option<Vec<(String, String)>> {
        if self.segments.len() != segments.len() {
            return None;
        }
        let mut bound = Vec::new();
        for (template, given) in self.segments.iter().zip(segments) {
            let given = given.as_ref();
            match template {
                Segment::Literal(literal) if lowered_is(given, literal) => {}
                Segment::Literal(_) => return None,
                Segment::Parameter(name) => bound.push((name.clone(), given.to_string())),
            }
        }
        Some(bound)
    }

    /// Whether `segments` match a template of literal segments only.
    fn matches_literally<S: AsRef<str>>(&self, segments: &[S]) -> bool {
        self.segments.len() == segments.len()
            && self
                .segments
                .iter()
                .zip(segments)
                .all(|(template, given)| match template {
                    Segment::Literal(literal) => lowered_is(given.as_ref(), literal),
                    Segment::Parameter(_) => false,
                })
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
///
/// Both maps are keyed by a hash of the method and the lower-cased
/// segments, computed from the request as it is (no lower-cased copies),
/// and every candidate is compared in full. The hash is FxHash's: route
/// keys come from the catalog, and a request can only look one up.
#[derive(Debug)]
pub struct RouteTable<T> {
    routes: Vec<Route<T>>,
    literal: HashMap<u64, Vec<usize>, BuildIdentity>,
    templated: HashMap<u64, Vec<usize>, BuildIdentity>,
}

#[derive(Debug)]
struct Route<T> {
    method: String,
    template: Template,
    /// How many segments are literal (see [`Template::literal_count`]).
    literals: usize,
    value: T,
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
            literal: HashMap::default(),
            templated: HashMap::default(),
        };
        for (method, path, value) in routes {
            let template = Template::parse(&path);
            let index = table.routes.len();
            let mut hash = RouteHash::new(&method);
            match template.literal_path() {
                Some(literal) => {
                    for segment in &literal {
                        hash.segment(segment);
                    }
                    table.literal.entry(hash.finish()).or_default().push(index);
                }
                None => {
                    hash.count(template.segments.len());
                    table
                        .templated
                        .entry(hash.finish())
                        .or_default()
                        .push(index);
                }
            }
            let literals = template.literal_count();
            table.routes.push(Route {
                method,
                template,
                literals,
                value,
            });
        }
        table
    }

    /// The endpoint for a method and path segments: the template with the
    /// most literal segments wins; a tie is ambiguous.
    pub fn find<S: AsRef<str>>(&self, method: &str, segments: &[S]) -> RouteMatch<'_, T> {
        let mut hash = RouteHash::new(method);
        for segment in segments {
            let segment = segment.as_ref();
            match segment.is_ascii() {
                true => hash.ascii_lowered(segment),
                false => hash.segment(&segment.to_lowercase()),
            }
        }
        if let Some(found) = self.literal.get(&hash.finish()) {
            let mut matching = found.iter().copied().filter(|&i| {
                let route = &self.routes[i];
                route.method == method && route.template.matches_literally(segments)
            });
            if let Some(first) = matching.next() {
                return match matching.next() {
                    None => RouteMatch::Found(&self.routes[first].value, Vec::new()),
                    Some(second) => self.pick(
                        [first, second]
                            .into_iter()
                            .chain(matching)
                            .map(|i| (i, Vec::new()))
                            .collect(),
                    ),
                };
            }
        }
        let mut hash = RouteHash::new(method);
        hash.count(segments.len());
        let Some(candidates) = self.templated.get(&hash.finish()) else {
            return RouteMatch::NotFound;
        };
        let mut best: Vec<(usize, Vec<(String, String)>)> = Vec::new();
        let mut best_literals = 0;
        for &i in candidates {
            let route = &self.routes[i];
            if route.method != method {
                continue;
            }
            let Some(bound) = route.template.matches(segments) else {
                continue;
            };
            if best.is_empty() || route.literals > best_literals {
                best = vec![(i, bound)];
                best_literals = route.literals;
            } else if route.literals == best_literals {
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
                RouteMatch::Found(&self.routes[i].value, bound)
            }
            _ => RouteMatch::Ambiguous(
                matched
                    .iter()
                    .map(|(i, _)| &self.routes[*i].value)
                    .collect(),
            ),
        }
    }
}

/// Whether a request's segment, lower-cased, is `literal` (which is
/// lower-cased already), without copying an ASCII segment.
fn lowered_is(given: &str, literal: &str) -> bool {
    if given.is_ascii() {
        // An ASCII segment lower-cases byte by byte, and a lower-cased
        // literal holds no ASCII capitals.
        given.len() == literal.len() && given.eq_ignore_ascii_case(literal)
    } else {
        given.to_lowercase() == literal
    }
}

/// FxHash (rustc's hasher) over a method and segments.
struct RouteHash(u64);

impl RouteHash {
    const SEED: u64 = 0xf135_7aea_2e62_a9c5;

    fn new(method: &str) -> RouteHash {
        let mut hash = RouteHash(0);
        hash.bytes(method.bytes());
        hash
    }

    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(Self::SEED);
    }

    /// The bytes, eight at a time, then their count, so that segment
    /// boundaries count.
    fn bytes(&mut self, bytes: impl Iterator<Item = u8>) {
        let (mut word, mut filled, mut count) = (0u64, 0, 0u64);
        for byte in bytes {
            word |= u64::from(byte) << (8 * filled);
            filled += 1;
            count += 1;
            if filled == 8 {
                self.add(word);
                (word, filled) = (0, 0);
            }
        }
        if filled > 0 {
            self.add(word);
        }
        self.add(count);
    }

    /// A segment already lower-cased.
    fn segment(&mut self, segment: &str) {
        self.bytes(segment.bytes());
    }

    /// An ASCII segment, lower-cased as it is hashed.
    fn ascii_lowered(&mut self, segment: &str) {
        self.bytes(segment.bytes().map(|b| b.to_ascii_lowercase()));
    }

    fn count(&mut self, count: usize) {
        self.add(count as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// The hasher of maps keyed by a [`RouteHash`]: the key is the hash.
#[derive(Debug, Default, Clone, Copy)]
struct BuildIdentity;

impl std::hash::BuildHasher for BuildIdentity {
    type Hasher = Identity;
    fn build_hasher(&self) -> Identity {
        Identity(0)
    }
}

struct Identity(u64);

impl std::hash::Hasher for Identity {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, value: u64) {
        self.0 = value;
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

impl<'a> Request<'a> {
    pub fn parse(method: &'a str, path: &'a str) -> Result<Request<'a>, RequestError> {
        // Split by bytes: '#', '?' and '/' are ASCII, so every cut is at a
        // character boundary.
        let path = cut_at(path, b'#').0;
        let (path, query) = cut_at(path, b'?');
        let mut segments = Vec::with_capacity(4);
        for segment in path.split(is_slash) {
            if !segment.is_empty() {
                segments.push(percent_decode(segment, false)?);
            }
        }
        Ok(Request {
            method: upper_case(method.trim()),
            segments,
            query: parse_query(query)?,
        })
    }
}

/// The text before and after the first `byte` (an ASCII character), or
/// all of it and "" without one.
fn cut_at(text: &str, byte: u8) -> (&str, &str) {
    match text.bytes().position(|b| b == byte) {
        Some(at) => (&text[..at], &text[at + 1..]),
        None => (text, ""),
    }
}

fn is_slash(c: char) -> bool {
    c == '/'
}

/// A method upper-cased; an ASCII one without going through Unicode's
/// tables, and one in capitals already as it is.
fn upper_case(method: &str) -> Cow<'_, str> {
    if !method.is_ascii() {
        Cow::Owned(method.to_uppercase())
    } else if method.bytes().any(|b| b.is_ascii_lowercase()) {
        Cow::Owned(method.to_ascii_uppercase())
    } else {
        Cow::Borrowed(method)
    }
}

/// `a=1&b=x%20y` into pairs; `+` is a space; a key alone has an empty value.
fn parse_query(query: &str) -> Result<Vec<(String, String)>, RequestError> {
    if query.is_empty() {
        return Ok(Vec::new());
    }
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = cut_at(pair, b'=');
            Ok((
                percent_decode(key, true)?.into_owned(),
                percent_decode(value, true)?.into_owned(),
            ))
        })
        .collect()
}

fn percent_decode(text: &str, plus_is_space: bool) -> Result<Cow<'_, str>, RequestError> {
    if !text
        .bytes()
        .any(|b| b == b'%' || (plus_is_space && b == b'+'))
    {
        return Ok(Cow::Borrowed(text));
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
    String::from_utf8(out).map(Cow::Owned).map_err(|_| bad())
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
                segments: segments.into_iter().map(Cow::Owned).collect(),
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
            let got = Template::parse(template).matches(&segments);
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
                ("POST", "/Über/Straße", "strasse"),
                ("POST", "/Über/{x}", "uber"),
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
            (
                "POST",
                &["ÜBER", "STRAßE"],
                RouteMatch::Found(&"strasse", vec![]),
            ),
            (
                "POST",
                &["über", "Ñ"],
                RouteMatch::Found(&"uber", pairs(&[("x", "Ñ")])),
            ),
            ("POST", &["uber", "x"], RouteMatch::NotFound),
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
