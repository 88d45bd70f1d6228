//! Whether a comment can make its routine a logout endpoint, decided from
//! its bytes without parsing it.
//!
//! A routine is a logout endpoint only when its comment has a `@logout`
//! annotation, under one of the keyword's aliases, in ASCII letters of any
//! case (`keywords::keyword` lower-cases ASCII only). So a comment whose
//! bytes hold none of the aliases, ASCII-case-insensitively, is never one,
//! whatever the comments mode, `for`/`tags` blocks or the rest of the
//! comment say. A backend uses this to parse only the few comments that
//! mention an alias when it builds its logout routes. The aliases are
//! ASCII, and every server encoding keeps ASCII bytes as they are, so the
//! test works on a comment in the server's encoding.

use std::sync::OnceLock;

use aho_corasick::AhoCorasick;

use crate::core::grammar::keywords::keyword;

/// True when `comment` holds an alias of `logout` in any ASCII case: a
/// superset of the comments that make a logout endpoint.
pub fn may_be_logout(comment: &[u8]) -> bool {
    static SEARCH: OnceLock<Option<AhoCorasick>> = OnceLock::new();
    let search = SEARCH.get_or_init(|| {
        let aliases = keyword("logout").map_or(&[][..], |k| k.aliases);
        if aliases.is_empty() {
            return None;
        }
        AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(aliases)
            .ok()
    });
    // Without a searcher every comment is a candidate: slower, never wrong.
    search.as_ref().is_none_or(|s| s.is_match(comment))
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
                .map(|(i, c)| if i % 2 == 1 { c.to_ascii_uppercase() } else { c })
                .collect();
            for word in [alias.to_string(), upper, mixed] {
                for comment in [
                    format!("HTTP POST\n@{word}"),
                    format!("HTTP POST\n{word}"),
                    format!("HTTP POST\nfor volatile\n{word}"),
                    format!("HTTP\ntags function, auth\n@{word}"),
                ] {
                    assert!(is_logout(&comment, CommentsMode::OnlyWithHttpTag), "{comment}");
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
    fn mentions_in_prose_are_candidates_but_not_endpoints() {
        let comment = "Logs the user out; see logout_all.\nHTTP POST";
        assert!(may_be_logout(comment.as_bytes()));
        assert!(!is_logout(comment, CommentsMode::ParseAll));
    }

    /// A line of a comment: keywords (logout's aliases among them) in
    /// random case, with or without `@`, tag blocks, HTTP lines and prose.
    fn line() -> impl Strategy<Value = String> {
        let words = prop::sample::select(vec![
            "logout", "signout", "LOGOUT", "SignOut", "lOgOuT", "log", "out", "sign", "HTTP",
            "http", "POST", "GET", "for", "tags", "tag", "web", "volatile", "function", "auth", "authorize", "login",
            "@", "=", "true", "disabled", "\u{131}", "\u{212a}", "-", "_", "\t",
        ]);
        (prop::collection::vec(words, 0..5), "[ @]{0,2}")
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
        fn arbitrary_text_is_a_candidate_whenever_it_is_a_logout(comment in "(?s).{0,80}") {
            for mode in MODES {
                if is_logout(&comment, mode) {
                    prop_assert!(may_be_logout(comment.as_bytes()));
                }
            }
        }
    }
}
