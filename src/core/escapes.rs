//! Backslash escapes, as NpgsqlRest unescapes annotation values
//! (.NET `Regex.Unescape`) and as JSON strings spell characters.
//!
//! One decoder serves both: JSON's escapes are a subset of .NET's.

/// Decodes backslash escapes in `text`. An escape that does not decode
/// (an unknown letter, a bad `\u` sequence, a trailing `\`) is kept as
/// written, so no value is ever lost.
pub fn unescape(text: &str) -> String {
    if !text.contains('\\') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('\\') {
        out.push_str(&rest[..at]);
        let escape = &rest[at + 1..];
        match decode_one(escape) {
            Some((ch, used)) => {
                out.push(ch);
                rest = &escape[used..];
            }
            None => {
                out.push('\\');
                rest = escape;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Decodes the escape that starts `escape` (the text after a `\`) into a
/// character and the number of bytes it used.
fn decode_one(escape: &str) -> Option<(char, usize)> {
    let first = escape.chars().next()?;
    let simple = match first {
        'n' => Some('\n'),
        't' => Some('\t'),
        'r' => Some('\r'),
        'f' => Some('\u{0C}'),
        'v' => Some('\u{0B}'),
        'b' => Some('\u{08}'),
        'a' => Some('\u{07}'),
        'e' => Some('\u{1B}'),
        '0' => Some('\0'),
        'u' | 'x' => None,
        other if other.is_alphanumeric() => return None,
        other => Some(other),
    };
    if let Some(ch) = simple {
        return Some((ch, first.len_utf8()));
    }
    if first == 'x' {
        return hex_char(escape.get(1..3)?).map(|ch| (ch, 3));
    }
    decode_unicode(escape)
}

/// `\uXXXX`, joining a UTF-16 surrogate pair written as two escapes.
fn decode_unicode(escape: &str) -> Option<(char, usize)> {
    let unit = hex_u32(escape.get(1..5)?)?;
    if !(0xD800..0xDC00).contains(&unit) {
        return char::from_u32(unit).map(|ch| (ch, 5));
    }
    let low = escape.get(5..11)?;
    let low = low.strip_prefix("\\u").and_then(hex_u32)?;
    if !(0xDC00..0xE000).contains(&low) {
        return None;
    }
    char::from_u32(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)).map(|ch| (ch, 11))
}

fn hex_char(digits: &str) -> Option<char> {
    hex_u32(digits).and_then(char::from_u32)
}

fn hex_u32(digits: &str) -> Option<u32> {
    if digits.chars().all(|c| c.is_ascii_hexdigit()) {
        u32::from_str_radix(digits, 16).ok()
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::unescape;

    #[test]
    fn decodes_escapes() {
        let cases: &[(&str, &str)] = &[
            ("plain", "plain"),
            ("", ""),
            (r"\n", "\n"),
            (r"\t", "\t"),
            (r"a\r\nb", "a\r\nb"),
            (r"\\", "\\"),
            (r#"\""#, "\""),
            (r"\/", "/"),
            (r"\,", ","),
            (r"\u0041", "A"),
            (r"\u00e9t\u00E9", "été"),
            (r"\ud83d\ude00", "😀"),
            (r"\ud83d", r"\ud83d"),
            (r"\ud83dx", r"\ud83dx"),
            (r"\x41", "A"),
            (r"\x4", r"\x4"),
            (r"\u12", r"\u12"),
            (r"\uZZZZ", r"\uZZZZ"),
            (r"\q", r"\q"),
            (r"end\", r"end\"),
            (r"\é", r"\é"),
            (r"\0", "\0"),
            (r"a\\nb", r"a\nb"),
        ];
        for (input, expected) in cases {
            assert_eq!(unescape(input), *expected, "input {input:?}");
        }
    }
}
