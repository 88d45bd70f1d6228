//! Whether a comment can make its routine a logout endpoint, decided from
//! its bytes without parsing it.
//!
//! A routine is a logout endpoint only when its comment has a `@logout`
//! annotation, under one of the keyword's aliases, in ASCII letters of any
//! case (`keywords::keyword` lower-cases ASCII only). An annotation's
//! keyword is a line's first word (`annotations::Parser::line`): the line
//! is split on `\r` and `\n` and trimmed, its words are split on spaces
//! and commas and trimmed, and one `@` is stripped. So a comment is never
//! one, whatever the comments mode, `for`/`tags` blocks or the rest of the
//! comment say, unless it holds an alias (ASCII-case-insensitively) with
//! nothing before it on its line but white space, commas and `@`, and
//! nothing right after it but the end, a space, a comma or white space.
//! A mention in prose or in a path (`/auth/logout`) is not one. Bytes of
//! non-ASCII characters are taken as possible white space (which `trim`
//! drops), so the test stays a superset of what the parser finds. A
//! backend uses this to parse only the few comments that may be logout
//! endpoints when it builds its logout routes. The aliases are ASCII, and
//! every server encoding keeps ASCII bytes as they are, so the test works
//! on a comment in the server's encoding.

use std::sync::OnceLock;

use crate::core::grammar::keywords::keyword;

/// The aliases of `logout`, lower-cased.
fn lowered(aliases: &[&str]) -> Vec<Vec<u8>> {
    aliases
        .iter()
        .map(|a| a.to_ascii_lowercase().into_bytes())
        .filter(|a| !a.is_empty())
        .collect()
}

/// True when `comment` holds an alias of `logout` in any ASCII case where
/// a line's first word can be: a superset of the comments that make a
/// logout endpoint.
pub fn may_be_logout(comment: &[u8]) -> bool {
    static ALIASES: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    let aliases = ALIASES.get_or_init(|| lowered(keyword("logout").map_or(&[][..], |k| k.aliases)));
    if aliases.is_empty() {
        // Without aliases to look for, every comment is a candidate:
        // slower, never wrong.
        return true;
    }
    holds_any(aliases, comment)
}

/// Whether `text` holds one of the (lower-case) aliases, in any ASCII
/// case, where a line's first word can be: at each line's start, past the
/// separators (which include line ends, so one pass of this loop may cross
/// empty or blank lines), the alias must follow, and end its word.
fn holds_any(aliases: &[Vec<u8>], text: &[u8]) -> bool {
    let mut start = 0;
    loop {
        let at = text[start..]
            .iter()
            .position(|&b| !separates(b))
            .map_or(text.len(), |n| start + n);
        if at == text.len() {
            return false;
        }
        let word = &text[at..];
        let found = aliases.iter().any(|alias| {
            word.get(..alias.len())
                .is_some_and(|w| w.eq_ignore_ascii_case(alias))
                && closes_word(word.get(alias.len()))
        });
        if found {
            return true;
        }
        match memchr::memchr2(b'\n', b'\r', word) {
            Some(end) => start = at + end + 1,
            None => return false,
        }
    }
}

/// What may come before a line's first word: white space, commas and `@`.
fn separates(byte: u8) -> bool {
    byte == b',' || byte == b'@' || may_be_white(byte)
}

/// White space as `str::trim` drops it, among ASCII bytes (U+0009 to
/// U+000D and the space); a non-ASCII byte may be part of a white space
/// character, so it counts as one.
fn may_be_white(byte: u8) -> bool {
    matches!(byte, b'\t'..=b'\r' | b' ') || !byte.is_ascii()
}

/// Whether what follows an alias ends the word it starts: the end of the
/// comment, a space, a comma or white space.
fn closes_word(next: Option<&u8>) -> bool {
    next.is_none_or(|&b| b == b',' || may_be_white(b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::endpoint::{endpoint, CommentsMode, EndpointOptions, RoutineInfo};
    use proptest::prelude::*;

    fn is_logout(comment: &str, mode: CommentsMode) -> bool {
        let routine = RoutineInfo {
            signature: "f()".into(),
            schema: "public".into(),
            name: "f".into(),
            is_procedure: false,
            volatility: "volatile".into(),
            returns_void: false,
            returns_set: false,
            parameters: Vec::new(),
            comment: Some(comment.into()),
        };
        let options = EndpointOptions {
            url_prefix: "",
            mode,
        };
        endpoint(&routine, options, &mut || {}).is_some_and(|e| e.doc.logout)
    }

    const MODES: [CommentsMode; 4] = [
        CommentsMode::Ignore,
        CommentsMode::ParseAll,
        CommentsMode::OnlyWithHttpTag,
        CommentsMode::OnlyAnnotated,
    ];

    #[test]
    fn every_alias_in_every_case_is_found() {
        let aliases = keyword("logout").map_or(&[][..], |k| k.aliases);
        assert_eq!(aliases, ["logout", "signout"]);
        for alias in aliases {
            let upper = alias.to_ascii_uppercase();
            let mixed: String = alias
                .chars()
                .enumerate()
                .map(|(i, c)| {
                    if i % 2 == 1 {
                        c.to_ascii_uppercase()
                    } else {
                        c
                    }
                })
                .collect();
            for word in [alias.to_string(), upper, mixed] {
                for comment in [
                    format!("HTTP POST\n@{word}"),
                    format!("HTTP POST\n{word}"),
                    format!("HTTP POST\nfor volatile\n{word}"),
                    format!("HTTP\ntags function, auth\n@{word}"),
                ] {
                    assert!(
                        is_logout(&comment, CommentsMode::OnlyWithHttpTag),
                        "{comment}"
                    );
                    assert!(may_be_logout(comment.as_bytes()), "{comment}");
                }
            }
        }
    }

    #[test]
    fn comments_without_an_alias_are_not_candidates() {
        for comment in [
            "",
            "HTTP POST /auth/login\n@login",
            "HTTP GET /orders\n@authorize user",
            "log out\nsign out\nlog_out",
            // Non-ASCII letters that case-fold to ASCII ones elsewhere
            // (KELVIN SIGN, dotless i) are not the keyword.
            "HTTP\n@s\u{131}gnout",
            "HTTP\n@logou\u{fffd}",
        ] {
            assert!(!may_be_logout(comment.as_bytes()), "{comment}");
            for mode in MODES {
                assert!(!is_logout(comment, mode), "{comment}");
            }
        }
    }

    #[test]
    fn any_list_of_aliases_is_searched() {
        let found = lowered(&["abc", "xyz", "b"]);
        let hit = |comment: &str| holds_any(&found, comment.as_bytes());
        assert!(hit("..\n ABC"));
        assert!(hit("xYz"));
        assert!(hit("b"));
        assert!(!hit("ac xy z"));
    }

    #[test]
    fn an_alias_at_either_end_of_the_comment_is_found() {
        for comment in [
            "logout",
            "signout",
            "x\nLOGOUT",
            "SIGNOUT\nx",
            "lo",
            "gout",
            "sig",
        ] {
            let expected = comment.to_ascii_lowercase().contains("logout")
                || comment.to_ascii_lowercase().contains("signout");
            assert_eq!(may_be_logout(comment.as_bytes()), expected, "{comment}");
        }
    }

    #[test]
    fn mentions_in_prose_or_paths_are_not_candidates() {
        for comment in [
            "Logs the user out; see logout_all.\nHTTP POST",
            "Records a logout event.\nHTTP POST /audit/logout-events",
            "HTTP POST /auth/logout\n@authorize",
            "HTTP POST\nlogout_all",
            "HTTP POST\nlogout: yes",
            "HTTP POST\nsignout=1",
            "HTTP POST\n-- @logout",
            "HTTP POST\n#logout",
        ] {
            assert!(!may_be_logout(comment.as_bytes()), "{comment}");
            for mode in MODES {
                assert!(!is_logout(comment, mode), "{comment}");
            }
        }
    }

    /// Whatever may come before a line's first word, or after it, keeps a
    /// logout annotation a candidate: white space of any kind, commas, an
    /// `@`, a carriage return as the line's end, and a word after it.
    #[test]
    fn an_annotation_among_separators_is_a_candidate() {
        for comment in [
            "HTTP POST\n  , @logout",
            "HTTP POST\n\t@logout\t",
            "HTTP POST\r@SIGNOUT\r\n",
            "HTTP POST\n\u{a0}logout\u{a0}",
            "HTTP POST\n\u{3000}@logout",
            "HTTP POST\n\u{b}logout\u{c}",
            "HTTP POST\nlogout now, please",
            "HTTP POST\nlogout,x",
        ] {
            assert!(
                is_logout(comment, CommentsMode::OnlyWithHttpTag),
                "{comment:?}"
            );
            assert!(may_be_logout(comment.as_bytes()), "{comment:?}");
        }
    }

    /// A line of a comment: keywords (logout's aliases among them) in
    /// random case, with or without `@`, tag blocks, HTTP lines and prose.
    fn line() -> impl Strategy<Value = String> {
        let words = prop::sample::select(vec![
            "logout",
            "signout",
            "LOGOUT",
            "SignOut",
            "lOgOuT",
            "log",
            "out",
            "sign",
            "HTTP",
            "http",
            "POST",
            "GET",
            "for",
            "tags",
            "tag",
            "web",
            "volatile",
            "function",
            "auth",
            "authorize",
            "login",
            "@",
            "=",
            "true",
            "disabled",
            "\u{131}",
            "\u{212a}",
            "-",
            "_",
            "\t",
            ",",
            "\u{a0}",
            "\r",
            "logout_all",
            "/auth/logout",
            "logout:",
            "signout=1",
        ]);
        (prop::collection::vec(words, 0..5), "[ @,\t]{0,3}")
            .prop_map(|(words, lead)| format!("{lead}{}", words.join(" ")))
    }

    proptest! {
        #[test]
        fn every_logout_endpoint_is_a_candidate(lines in prop::collection::vec(line(), 0..8)) {
            let comment = lines.join("\n");
            for mode in MODES {
                if is_logout(&comment, mode) {
                    prop_assert!(may_be_logout(comment.as_bytes()), "{comment:?} under {mode:?}");
                }
            }
        }

        #[test]
        fn the_search_finds_exactly_the_aliases(bytes in prop::collection::vec(
            prop::sample::select(b"logutsinLOGUTSIN \n\r\t,_/@\xc4\xb1".to_vec()), 0..64)) {
            // An alias on a line with only separators before it and a
            // separator or the line's end after it, as the module says.
            let lower = bytes.to_ascii_lowercase();
            let white = |b: u8| matches!(b, 9..=13 | b' ') || b >= 0x80;
            let naive = lower.split(|&b| b == b'\n' || b == b'\r').any(|line| {
                [&b"logout"[..], &b"signout"[..]].iter().any(|alias| {
                    (0..line.len()).any(|i| {
                        line[i..].starts_with(alias)
                            && line[..i].iter().all(|&b| b == b',' || b == b'@' || white(b))
                            && line.get(i + alias.len()).is_none_or(|&b| b == b',' || white(b))
                    })
                })
            });
            prop_assert_eq!(may_be_logout(&bytes), naive);
        }

        #[test]
        fn arbitrary_text_is_a_candidate_whenever_it_is_a_logout(comment in "(?s).{0,80}") {
            for mode in MODES {
                if is_logout(&comment, mode) {
                    prop_assert!(may_be_logout(comment.as_bytes()));
                }
            }
        }
    }
}
