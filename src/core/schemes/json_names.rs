//! Scheme names out of a `json`/`jsonb` logout result.
//!
//! Strings are names, arrays are expanded at any depth, `null` is nothing,
//! numbers and booleans are their text, an object is an error. Because
//! arrays only flatten, brackets carry no meaning here: one iterative pass
//! over the text handles any nesting depth without a stack.

use crate::core::grammar::regex_unescape::regex_unescape;
use crate::core::schemes::SchemeList;

/// Why a JSON value cannot be read as scheme names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonNamesError {
    /// An object has no single scheme name.
    Object,
    /// The text is not JSON (it cannot come from a `json`/`jsonb` value).
    Malformed,
    /// A string holds U+0000, which no Postgres text can.
    Nul,
}

/// Adds every scheme name in the JSON `text` to `out`.
pub fn collect_json_names(text: &str, out: &mut SchemeList) -> Result<(), JsonNamesError> {
    let bytes = text.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        match bytes[at] {
            b' ' | b'\t' | b'\r' | b'\n' | b',' | b'[' | b']' => at += 1,
            b'{' => return Err(JsonNamesError::Object),
            b'"' => {
                let end = string_end(bytes, at + 1).ok_or(JsonNamesError::Malformed)?;
                let raw = &text[at + 1..end];
                let name = regex_unescape(raw).map_err(|_| JsonNamesError::Malformed)?;
                if name.contains('\0') {
                    return Err(JsonNamesError::Nul);
                }
                out.push(&name);
                at = end + 1;
            }
            _ => {
                let end = scalar_end(bytes, at);
                match &text[at..end] {
                    "" => return Err(JsonNamesError::Malformed),
                    "null" => {}
                    scalar => out.push(scalar),
                }
                at = end;
            }
        }
    }
    Ok(())
}

/// Index of the quote closing a string whose text starts at `from`.
fn string_end(bytes: &[u8], from: usize) -> Option<usize> {
    let mut at = from;
    while at < bytes.len() {
        match bytes[at] {
            b'\\' => at += 2,
            b'"' => return Some(at),
            _ => at += 1,
        }
    }
    None
}

/// End of a number, `true`, `false` or `null`.
fn scalar_end(bytes: &[u8], from: usize) -> usize {
    let mut at = from;
    while at < bytes.len() && (bytes[at].is_ascii_alphanumeric() || b"+-.".contains(&bytes[at])) {
        at += 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_names() {
        let cases: &[(&str, Result<&[&str], JsonNamesError>)] = &[
            ("null", Ok(&[])),
            ("\"Cookies\"", Ok(&["Cookies"])),
            ("\"  Cookies \"", Ok(&["Cookies"])),
            ("\"\"", Ok(&[])),
            ("[]", Ok(&[])),
            ("[\"Cookies\", \"Bearer\"]", Ok(&["Cookies", "Bearer"])),
            (
                "[\"a\", [\"b\", [\"c\", null]], \"a\"]",
                Ok(&["a", "b", "c"]),
            ),
            ("[[[[[[[[[[\"deep\"]]]]]]]]]]", Ok(&["deep"])),
            (
                "[1, 2.5, -3e2, true, false]",
                Ok(&["1", "2.5", "-3e2", "true", "false"]),
            ),
            ("\"a\\\"b\"", Ok(&["a\"b"])),
            ("\"\\u0041\\n\"", Ok(&["A"])),
            ("\"{not an object}\"", Ok(&["{not an object}"])),
            ("\"[x]\"", Ok(&["[x]"])),
            ("{\"a\": 1}", Err(JsonNamesError::Object)),
            ("[\"a\", {}]", Err(JsonNamesError::Object)),
            ("\"open", Err(JsonNamesError::Malformed)),
            (":", Err(JsonNamesError::Malformed)),
            ("", Ok(&[])),
            ("\"é\"", Ok(&["é"])),
            ("\"a\\u0000b\"", Err(JsonNamesError::Nul)),
        ];
        for (input, expected) in cases {
            let mut list = SchemeList::new();
            let got = collect_json_names(input, &mut list).map(|()| list.into_vec());
            let expected = expected.map(|names| names.iter().map(|s| s.to_string()).collect());
            assert_eq!(got, expected, "input {input:?}");
        }
    }

    #[test]
    fn a_million_levels_of_nesting_is_fine() {
        let depth = 1_000_000;
        let text = format!("{}\"x\"{}", "[".repeat(depth), "]".repeat(depth));
        let mut list = SchemeList::new();
        assert_eq!(collect_json_names(&text, &mut list), Ok(()));
        assert_eq!(list.into_vec(), vec!["x".to_string()]);
    }
}
