//! Annotation problems (SPEC §12): a typo in a comment silently turns a
//! logout endpoint into prose; the linter says so before it does harm.
//! This module holds what one comment's lines tell; the checks that need
//! the catalog (routes, settings, rules) are in `api::problems`.

use crate::core::grammar::annotations::words;
use crate::core::grammar::document::Document;
use crate::core::grammar::keywords::{keyword, KEYWORDS};

/// How bad a problem is; ordered as the rows are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// One problem: its code (SPEC §12's table), what is wrong, the line it
/// is about (if one), and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub severity: Severity,
    pub code: &'static str,
    pub message: String,
    pub line: Option<String>,
    pub hint: Option<String>,
}

impl Problem {
    pub fn new(severity: Severity, code: &'static str, message: String) -> Problem {
        Problem {
            severity,
            code,
            message,
            line: None,
            hint: None,
        }
    }

    pub fn line(mut self, line: &str) -> Problem {
        self.line = Some(line.to_string());
        self
    }

    pub fn hint(mut self, hint: String) -> Problem {
        self.hint = Some(hint);
        self
    }
}

/// The problems one comment's document shows by itself: prose lines that
/// look like mistyped annotations, ignored values, and values naming no
/// parameter.
pub fn comment_problems(doc: &Document) -> Vec<Problem> {
    let mut problems = Vec::new();
    for line in &doc.unhandled_lines {
        problems.extend(unknown_annotation(line));
    }
    for warning in &doc.warnings {
        let (code, severity) = match warning.about_parameter {
            true => ("unknown_parameter", Severity::Warning),
            false => ("ignored_value", Severity::Warning),
        };
        problems.push(Problem::new(severity, code, warning.reason.clone()).line(warning.text));
    }
    problems
}

/// A prose line that looks like an annotation but is none: its first
/// word starts with `@` and is no keyword or alias; or the line has at
/// most three words and its first word, keyword-shaped and of five or more
/// letters, is one edit (insert, delete, substitute, swap) from a keyword
/// or alias of five or more letters.
pub fn unknown_annotation(line: &str) -> Option<Problem> {
    let words = words(line);
    let first = *words.first()?;
    let problem = |word: &str, closest: Option<&str>| {
        let hint = match closest {
            Some(alias) => format!("did you mean @{alias}?"),
            None => "See the README's list of annotations; prose lines are ignored.".into(),
        };
        Problem::new(
            Severity::Warning,
            "unknown_annotation",
            format!("\"{word}\" is no annotation, so this line is ignored as prose"),
        )
        .line(line)
        .hint(hint)
    };
    if let Some(bare) = first.strip_prefix('@') {
        if keyword(bare).is_some() {
            return None;
        }
        return Some(problem(first, closest_alias(bare, 2)));
    }
    let shaped = first
        .chars()
        .all(|c| c.is_alphanumeric() || c == '_' || c == '-');
    if words.len() > 3 || !shaped || first.chars().count() < 5 || keyword(first).is_some() {
        return None;
    }
    closest_alias(first, 1).map(|alias| problem(first, Some(alias)))
}

/// The keyword or alias of five or more letters closest to `word`, at most
/// `max` edits away (the first of the keyword table among equals).
pub fn closest_alias(word: &str, max: usize) -> Option<&'static str> {
    let word: Vec<char> = word.to_lowercase().chars().collect();
    let mut best: Option<(usize, &'static str)> = None;
    for alias in KEYWORDS.iter().flat_map(|k| k.aliases.iter().copied()) {
        if alias.len() < 5 || alias.len().abs_diff(word.len()) > max {
            continue;
        }
        let alias_chars: Vec<char> = alias.chars().collect();
        let distance = edit_distance(&word, &alias_chars);
        if distance <= max && best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, alias));
        }
    }
    best.map(|(_, alias)| alias)
}

/// Optimal string alignment distance: insertions, deletions,
/// substitutions and swaps of neighbours, each one edit. Iterative, over
/// words of keyword size.
fn edit_distance(a: &[char], b: &[char]) -> usize {
    let width = b.len() + 1;
    let mut rows = vec![0usize; (a.len() + 1) * width];
    let at = |i: usize, j: usize| i * width + j;
    for i in 0..=a.len() {
        rows[at(i, 0)] = i;
    }
    for j in 0..=b.len() {
        rows[at(0, j)] = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (rows[at(i - 1, j)] + 1)
                .min(rows[at(i, j - 1)] + 1)
                .min(rows[at(i - 1, j - 1)] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(rows[at(i - 2, j - 2)] + 1);
            }
            rows[at(i, j)] = best;
        }
    }
    rows[at(a.len(), b.len())]
}

/// The `{name}` segments of a path template.
pub fn path_parameters(path: &str) -> impl Iterator<Item = &str> {
    path.split('/')
        .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::grammar::annotations::{parse, Routine};

    fn flagged(line: &str) -> Option<String> {
        unknown_annotation(line).map(|p| p.hint.unwrap_or_default())
    }

    #[test]
    fn typos_are_flagged_with_the_closest_keyword() {
        let cases = [
            ("@logut", Some("did you mean @logout?")),
            ("logut", Some("did you mean @logout?")),
            ("@authorise admin", Some("did you mean @authorize?")),
            ("authorise admin, ops", Some("did you mean @authorize?")),
            ("@sigout", Some("did you mean @signout?")),
            ("lgout", Some("did you mean @logout?")),
            (
                "@deprecated use v2",
                Some("See the README's list of annotations; prose lines are ignored."),
            ),
            ("@lgoutt", Some("did you mean @logout?")),
        ];
        for (line, expected) in cases {
            assert_eq!(flagged(line).as_deref(), expected, "{line}");
        }
    }

    #[test]
    fn prose_is_not_flagged() {
        let prose = [
            "Signs the user out of every session.",
            "Logs out",
            "Returns the schemes to sign out of",
            "Login page",
            "Name lookup",
            "see https://example.com/logout",
            "Logout.",
            "This endpoint revokes refresh tokens for the current user and writes an audit row.",
            "TODO",
            "Author: ann",
            "v2",
        ];
        for line in prose {
            assert_eq!(flagged(line), None, "{line}");
        }
    }

    #[test]
    fn every_keyword_and_alias_is_not_unknown() {
        for alias in KEYWORDS.iter().flat_map(|k| k.aliases.iter()) {
            for line in [alias.to_string(), format!("@{alias}"), alias.to_uppercase()] {
                assert_eq!(flagged(&line), None, "{line}");
            }
        }
    }

    #[test]
    fn edit_distances() {
        let d = |a: &str, b: &str| {
            let a: Vec<char> = a.chars().collect();
            let b: Vec<char> = b.chars().collect();
            edit_distance(&a, &b)
        };
        assert_eq!(d("logout", "logout"), 0);
        assert_eq!(d("logut", "logout"), 1);
        assert_eq!(d("lgoout", "logout"), 1);
        assert_eq!(d("logoutt", "logout"), 1);
        assert_eq!(d("lagout", "logout"), 1);
        assert_eq!(d("", "abc"), 3);
        assert_eq!(d("ab", "ba"), 1);
    }

    #[test]
    fn comment_problems_of_a_document() {
        let params = vec!["_email".to_string()];
        let tags: Vec<String> = vec![];
        let doc = parse(
            "HTTP POST\n@logut\nbuffer_rows abc\nvalidate _mail using email\nsome prose here and there",
            Routine {
                tags: &tags,
                parameters: &params,
            },
        );
        let codes: Vec<(&str, &str)> = comment_problems(&doc)
            .iter()
            .map(|p| (p.code, p.line.as_deref().unwrap_or_default()))
            .collect::<Vec<_>>()
            .into_iter()
            .map(|(c, l)| {
                (
                    c,
                    if l.starts_with("@logut") {
                        "@logut"
                    } else if l.starts_with("buffer") {
                        "buffer"
                    } else {
                        "validate"
                    },
                )
            })
            .collect();
        assert_eq!(
            codes,
            vec![
                ("unknown_annotation", "@logut"),
                ("ignored_value", "buffer"),
                ("unknown_parameter", "validate"),
            ]
        );
        assert_eq!(
            path_parameters("/a/{id}/b/{x_y}").collect::<Vec<_>>(),
            ["id", "x_y"]
        );
    }
}
