//! The list of authentication schemes a logout signs out of.
//!
//! NpgsqlRest passes whatever the routine returned straight to ASP.NET; we
//! normalise it so a front-end can act on it without further checks: names
//! trimmed, empty ones dropped, duplicates dropped (first kept), case kept
//! (scheme names are case-sensitive). An empty list means "every scheme".

pub mod first_seen;
pub mod json_names;

use first_seen::{FirstSeen, OutOfMemory};

/// Scheme names in first-seen order, without duplicates. The names are
/// kept one after another in one buffer: a name costs no allocation of
/// its own.
#[derive(Debug, Clone)]
pub struct SchemeList {
    text: String,
    /// Where each name ends in `text`.
    ends: Vec<usize>,
    seen: FirstSeen,
    /// A name could not be kept for want of memory: the list is not
    /// complete, and the caller reports it (53200) instead of the process
    /// aborting.
    out_of_memory: bool,
}

/// A name without the white space around it (Unicode's, as `str::trim`).
/// Names are mostly ASCII: once ASCII blanks are gone, two byte checks
/// tell whether the full Unicode trim has anything left to do.
pub fn trim_name(raw: &str) -> &str {
    let name = raw.trim_ascii();
    let bytes = name.as_bytes();
    let plain = |b: Option<&u8>| b.is_some_and(u8::is_ascii_graphic);
    if name.is_empty() || (plain(bytes.first()) && plain(bytes.last())) {
        name
    } else {
        name.trim()
    }
}

/// The name `raw` adds to a list, if any: trimmed, not empty, and not
/// seen before (it is then recorded in `seen` under `handle`). Every list
/// of scheme names, owned or borrowed, keeps names by this one rule.
pub fn new_name<'n, 'h>(
    seen: &mut FirstSeen,
    handle: u32,
    raw: &'n str,
    name_of: impl Fn(u32) -> &'h str,
) -> Result<Option<&'n str>, OutOfMemory> {
    let name = trim_name(raw);
    if name.is_empty() {
        return Ok(None);
    }
    Ok(seen.insert(handle, name, name_of)?.then_some(name))
}

/// A scheme name that is not one of the schemes the caller has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownScheme {
    pub name: String,
    pub available: Vec<String>,
}

/// A list with room for a logout's few names, so they need no
/// reallocation.
impl Default for SchemeList {
    fn default() -> Self {
        SchemeList {
            text: String::with_capacity(64),
            ends: Vec::with_capacity(4),
            seen: FirstSeen::default(),
            out_of_memory: false,
        }
    }
}

impl SchemeList {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one raw name: trimmed, ignored when empty or already present.
    pub fn push(&mut self, raw: &str) {
        let SchemeList {
            text,
            ends,
            seen,
            out_of_memory,
        } = self;
        if *out_of_memory {
            return;
        }
        let handle = ends.len() as u32;
        match new_name(seen, handle, raw, |h| nth(text, ends, h as usize)) {
            Ok(Some(name)) => {
                if text.try_reserve(name.len()).is_err() || ends.try_reserve(1).is_err() {
                    *out_of_memory = true;
                    return;
                }
                text.push_str(name);
                ends.push(text.len());
            }
            Ok(None) => {}
            Err(OutOfMemory) => *out_of_memory = true,
        }
    }

    /// Whether a name could not be kept for want of memory.
    pub fn out_of_memory(&self) -> bool {
        self.out_of_memory
    }

    /// The names, in order.
    pub fn names(&self) -> impl ExactSizeIterator<Item = &str> + Clone {
        (0..self.ends.len()).map(|i| nth(&self.text, &self.ends, i))
    }

    pub fn into_vec(self) -> Vec<String> {
        self.names().map(str::to_string).collect()
    }

    /// Checks every name against the schemes the caller has, and turns
    /// "every scheme" (the empty list) into that explicit list.
    pub fn within(self, available: &[String]) -> Result<Vec<String>, UnknownScheme> {
        let available = Self::from_names(available.iter().map(String::as_str));
        if self.ends.is_empty() {
            return Ok(available.into_vec());
        }
        let unknown = self.names().find(|n| !available.names().any(|a| a == *n));
        match unknown.map(str::to_string) {
            Some(name) => Err(UnknownScheme {
                name,
                available: available.into_vec(),
            }),
            None => Ok(self.into_vec()),
        }
    }

    pub fn from_names<'a>(names: impl IntoIterator<Item = &'a str>) -> Self {
        let mut list = Self::new();
        for name in names {
            list.push(name);
        }
        list
    }
}

/// The `i`th name of a list's buffer.
#[inline]
fn nth<'t>(text: &'t str, ends: &[usize], i: usize) -> &'t str {
    let start = if i == 0 { 0 } else { ends[i - 1] };
    &text[start..ends[i]]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn normalise(raw: &[&str]) -> Vec<String> {
        SchemeList::from_names(raw.iter().copied()).into_vec()
    }

    #[test]
    fn normalises_names() {
        let cases: &[(&[&str], &[&str])] = &[
            (&[], &[]),
            (&[""], &[]),
            (&["   "], &[]),
            (&["\t\n"], &[]),
            (&["Cookies"], &["Cookies"]),
            (&[" Cookies "], &["Cookies"]),
            (&["Cookies", "Bearer"], &["Cookies", "Bearer"]),
            (&["Bearer", "Cookies"], &["Bearer", "Cookies"]),
            (&["Cookies", "Cookies"], &["Cookies"]),
            (&["Cookies", " Cookies"], &["Cookies"]),
            (&["Cookies", "cookies"], &["Cookies", "cookies"]),
            (&["COOKIES"], &["COOKIES"]),
            (&["a", "", "b", " ", "a"], &["a", "b"]),
            (&["Bearer", "Cookies", "Bearer"], &["Bearer", "Cookies"]),
            (&["Identity.Application"], &["Identity.Application"]),
            (&["a b"], &["a b"]),
            (&["  a  b  "], &["a  b"]),
            (&["é", "É"], &["é", "É"]),
            (&["1", "2", "1"], &["1", "2"]),
            (&["true", "false"], &["true", "false"]),
            (&["\u{00a0}x\u{00a0}"], &["x"]),
            (&["x\r\n"], &["x"]),
            (&["\u{0b}x\u{0b}"], &["x"]),
            (&[" \u{3000}x\u{85} "], &["x"]),
            (&["x\u{a0} y"], &["x\u{a0} y"]),
        ];
        for (input, expected) in cases {
            assert_eq!(normalise(input), *expected, "input {input:?}");
        }
    }

    #[test]
    fn checks_against_available_schemes() {
        let available = vec!["Cookies".to_string(), "Bearer".to_string()];
        let cases: &[(&[&str], Result<&[&str], &str>)] = &[
            (&[], Ok(&["Cookies", "Bearer"])),
            (&[" "], Ok(&["Cookies", "Bearer"])),
            (&["Bearer"], Ok(&["Bearer"])),
            (&["Bearer", "Cookies"], Ok(&["Bearer", "Cookies"])),
            (&["cookies"], Err("cookies")),
            (&["Cookies", "Jwt"], Err("Jwt")),
        ];
        for (input, expected) in cases {
            let got = SchemeList::from_names(input.iter().copied()).within(&available);
            match expected {
                Ok(names) => assert_eq!(got, Ok(names.iter().map(|s| s.to_string()).collect())),
                Err(name) => {
                    let err = got.expect_err("an unknown scheme");
                    assert_eq!(err.name, *name);
                    assert_eq!(err.available, available);
                }
            }
        }
    }

    #[test]
    fn long_lists_keep_first_seen_order_across_the_hash_threshold() {
        let raw: Vec<String> = (0..40).map(|i| format!(" n{} ", i % 20)).collect();
        let got = SchemeList::from_names(raw.iter().map(String::as_str)).into_vec();
        let expected: Vec<String> = (0..20).map(|i| format!("n{i}")).collect();
        assert_eq!(got, expected);
    }

    #[test]
    fn available_schemes_are_normalised_too() {
        let available = vec![
            " Cookies".to_string(),
            "".to_string(),
            "Cookies".to_string(),
        ];
        assert_eq!(
            SchemeList::new().within(&available),
            Ok(vec!["Cookies".to_string()])
        );
    }
}
