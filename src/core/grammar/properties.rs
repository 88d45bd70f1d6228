//! Properties of the parsers and scheme normalisation over generated
//! inputs. `PROPTEST_CASES=100000 cargo test --lib core::properties` runs
//! them long.

use proptest::prelude::*;
use serde_json::Value;

use crate::core::grammar::annotations::{parse, Routine};
use crate::core::grammar::keywords::KEYWORDS;
use crate::core::schemes::{trim_name, SchemeList};

/// A keyword line: an alias in any case, then a few argument words.
fn keyword_line() -> impl Strategy<Value = (String, String)> {
    let aliases: Vec<&str> = KEYWORDS
        .iter()
        .flat_map(|k| k.aliases.iter().copied())
        .collect();
    let args = prop::collection::vec("[a-z0-9_/]{1,6}", 0..4).prop_map(|w| w.join(" "));
    (proptest::sample::select(aliases), args).prop_map(|(alias, args)| (alias.to_string(), args))
}

/// A document with the echoed line texts removed (prose keeps only its
/// count), so two spellings of the same annotation compare equal.
fn meaning(comment: &str) -> Value {
    let mut doc = parse(comment, Routine::default()).to_json().to_value();
    if let Some(annotations) = doc.get_mut("annotations").and_then(Value::as_array_mut) {
        for a in annotations {
            a["text"] = Value::Null;
        }
    }
    if let Some(prose) = doc.get_mut("unhandled_lines") {
        *prose = Value::from(prose.as_array().map_or(0, Vec::len));
    }
    if let Some(warnings) = doc.get_mut("warnings").and_then(Value::as_array_mut) {
        for w in warnings {
            w["text"] = Value::Null;
        }
    }
    doc
}

/// Changes the case of every other letter.
fn mixed_case(word: &str) -> String {
    word.chars()
        .enumerate()
        .map(|(i, c)| {
            if i % 2 == 0 {
                c.to_ascii_uppercase()
            } else {
                c
            }
        })
        .collect()
}

proptest! {
    #[test]
    fn a_leading_at_does_not_change_the_meaning((alias, args) in keyword_line(), prefix in "[a-z ]{0,12}") {
        let plain = format!("{prefix}\n{alias} {args}");
        let with_at = format!("{prefix}\n@{alias} {args}");
        prop_assert_eq!(meaning(&plain), meaning(&with_at));
    }

    #[test]
    fn keyword_case_does_not_change_the_meaning((alias, args) in keyword_line()) {
        let lower = format!("{alias} {args}");
        let mixed = format!("{} {args}", mixed_case(&alias));
        let upper = format!("@{} {args}", alias.to_uppercase());
        prop_assert_eq!(meaning(&lower), meaning(&mixed));
        prop_assert_eq!(meaning(&lower), meaning(&upper));
    }

    #[test]
    fn scheme_normalisation_is_idempotent(names in prop::collection::vec("[ a-zA-Z.\\t]{0,8}", 0..20)) {
        let once = SchemeList::from_names(names.iter().map(String::as_str)).into_vec();
        let twice = SchemeList::from_names(once.iter().map(String::as_str)).into_vec();
        prop_assert_eq!(&once, &twice);
    }

    #[test]
    fn scheme_normalisation_keeps_first_seen_order(names in prop::collection::vec("[ a-cA-C]{0,3}", 0..30)) {
        let got = SchemeList::from_names(names.iter().map(String::as_str)).into_vec();
        let mut expected: Vec<String> = Vec::new();
        for name in &names {
            let name = name.trim().to_string();
            if !name.is_empty() && !expected.contains(&name) {
                expected.push(name);
            }
        }
        prop_assert_eq!(got, expected);
    }

    #[test]
    fn scheme_trimming_is_unicode_trim(name in "[ \t\r\n\x0b\u{85}\u{a0}\u{3000}a-zé.]{0,8}") {
        prop_assert_eq!(trim_name(&name), name.trim());
    }
}
