//! .NET's `Regex.Unescape`, which NpgsqlRest applies to `key = value`
//! values and to `separator` / `new_line` lines; JSON's escapes are a
//! subset, so json scheme names are decoded with it too.
//!
//! It is strict: where .NET throws (and NpgsqlRest would fail to start), it
//! says why, so the parser can keep the text as written and warn.

use std::str::Chars;

/// Decodes `text` as `Regex.Unescape` does, or says which escape .NET
/// rejects.
pub fn regex_unescape(text: &str) -> Result<String, String> {
    if !text.contains('\\') {
        return Ok(text.to_string());
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text.chars();
    while let Some(c) = rest.next() {
        if c != '\\' {
            out.push(c);
        } else if let Some(escape) = rest.next() {
            out.push(decode(escape, &mut rest)?);
        }
        // A trailing lone `\` is dropped, as .NET drops it.
    }
    Ok(out)
}

/// The character an escape stands for; `escape` is the character after
/// the `\`, `rest` the text after it.
fn decode(escape: char, rest: &mut Chars) -> Result<char, String> {
    Ok(match escape {
        '0'..='7' => octal(escape, rest),
        'x' => char::from(hex(rest, 2, "\\x")? as u8),
        'u' => utf16(rest)?,
        'c' => control(rest)?,
        'a' => '\u{07}',
        'b' => '\u{08}',
        'e' => '\u{1B}',
        'f' => '\u{0C}',
        'n' => '\n',
        'r' => '\r',
        't' => '\t',
        'v' => '\u{0B}',
        other if is_word_char(other) => {
            return Err(format!("\"\\{other}\" is not an escape sequence"))
        }
        other => other,
    })
}

/// Up to three octal digits, the value cut to 8 bits as .NET does.
fn octal(first: char, rest: &mut Chars) -> char {
    let mut value = first.to_digit(8).unwrap_or(0);
    for _ in 0..2 {
        match rest.clone().next().and_then(|c| c.to_digit(8)) {
            Some(digit) => {
                value = value * 8 + digit;
                rest.next();
            }
            None => break,
        }
    }
    char::from((value & 0xFF) as u8)
}

/// Exactly `count` hex digits.
fn hex(rest: &mut Chars, count: usize, escape: &str) -> Result<u32, String> {
    let mut value = 0;
    for _ in 0..count {
        let digit = rest.next().and_then(|c| c.to_digit(16));
        let Some(digit) = digit else {
            return Err(format!("\"{escape}\" needs {count} hex digits"));
        };
        value = value * 16 + digit;
    }
    Ok(value)
}

/// `\uXXXX`; a UTF-16 surrogate pair must be written as two escapes.
fn utf16(rest: &mut Chars) -> Result<char, String> {
    let unit = hex(rest, 4, "\\u")?;
    let lone = || format!("\"\\u{unit:04X}\" is half of a UTF-16 surrogate pair");
    if (0xDC00..0xE000).contains(&unit) {
        return Err(lone());
    }
    if !(0xD800..0xDC00).contains(&unit) {
        return char::from_u32(unit).ok_or_else(lone);
    }
    let mut ahead = rest.clone();
    let low = match (ahead.next(), ahead.next()) {
        (Some('\\'), Some('u')) => hex(&mut ahead, 4, "\\u").ok(),
        _ => None,
    };
    match low.filter(|low| (0xDC00..0xE000).contains(low)) {
        Some(low) => {
            *rest = ahead;
            char::from_u32(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)).ok_or_else(lone)
        }
        None => Err(lone()),
    }
}

/// `\cX`: the control character of an ASCII letter or one of `@[\]^_`.
fn control(rest: &mut Chars) -> Result<char, String> {
    let letter = rest.next().map(|c| c.to_ascii_uppercase());
    match letter {
        Some(c @ '@'..='_') => Ok(char::from(c as u8 - b'@')),
        _ => Err("\"\\c\" needs a letter (a control character)".to_string()),
    }
}

/// .NET refuses to "unescape" a word character it has no escape for.
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '\u{200C}' || c == '\u{200D}'
}

#[cfg(test)]
mod tests {
    use super::regex_unescape;

    #[test]
    fn decodes_as_dotnet_does() {
        let cases: &[(&str, &str)] = &[
            ("plain", "plain"),
            ("", ""),
            (r"\t", "\t"),
            (r"a\r\nb", "a\r\nb"),
            (r"\\", "\\"),
            (r"\,", ","),
            (r"\ ", " "),
            (r"\{x\}", "{x}"),
            (r"\x41", "A"),
            (r"\u00e9", "é"),
            (r"\ud83d\ude00", "😀"),
            (r"\0", "\0"),
            (r"\101", "A"),
            (r"\1012", "A2"),
            (r"\7", "\u{7}"),
            (r"\cA", "\u{1}"),
            (r"\c[", "\u{1B}"),
            (r"\a\b\e\f\v", "\u{7}\u{8}\u{1B}\u{C}\u{B}"),
            (r"end\", "end"),
        ];
        for (input, expected) in cases {
            assert_eq!(
                regex_unescape(input).as_deref(),
                Ok(*expected),
                "input {input:?}"
            );
        }
    }

    #[test]
    fn rejects_what_dotnet_rejects() {
        for input in [
            r"\q", r"\8", r"\_", r"\é", r"\x4", r"\xZZ", r"\u12", r"\ud83d", r"\ude00", r"\ud83dx",
            r"\c", r"\c1",
        ] {
            assert!(regex_unescape(input).is_err(), "input {input:?}");
        }
    }
}
