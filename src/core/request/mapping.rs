//! The `key=claim` lists of the settings `context_claims` and
//! `parameter_claims`: `request.user_id=user_id, request.user_name=user_name`.

/// Why a mapping setting cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MappingError(pub String);

/// The pairs of a mapping, in order. Items are separated by commas; each
/// is `key=claim`, both trimmed and non-empty. An empty text is an empty
/// mapping (nothing is mapped). A later pair for the same key replaces an
/// earlier one.
pub fn parse_mapping(text: &str) -> Result<Vec<(String, String)>, MappingError> {
    let mut pairs: Vec<(String, String)> = Vec::new();
    for item in text.split(',') {
        let item = item.trim();
        if item.is_empty() {
            continue;
        }
        let Some((key, claim)) = item.split_once('=') else {
            return Err(MappingError(format!("\"{item}\" is not a key=claim pair")));
        };
        let (key, claim) = (key.trim(), claim.trim());
        if key.is_empty() || claim.is_empty() {
            return Err(MappingError(format!(
                "\"{item}\" needs both a key and a claim type"
            )));
        }
        if claim.contains('=') || key.contains(char::is_whitespace) {
            return Err(MappingError(format!("\"{item}\" is not a key=claim pair")));
        }
        pairs.retain(|(k, _)| k != key);
        pairs.push((key.to_string(), claim.to_string()));
    }
    Ok(pairs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mappings() {
        let ok = |pairs: &[(&str, &str)]| {
            Ok(pairs
                .iter()
                .map(|(k, c)| (k.to_string(), c.to_string()))
                .collect::<Vec<_>>())
        };
        let cases = [
            ("", ok(&[])),
            ("  ", ok(&[])),
            ("a=b", ok(&[("a", "b")])),
            (
                "request.user_id=user_id, request.user_name = user_name,",
                ok(&[
                    ("request.user_id", "user_id"),
                    ("request.user_name", "user_name"),
                ]),
            ),
            ("a=b, a=c", ok(&[("a", "c")])),
            (
                "a=http://x/claims/role",
                ok(&[("a", "http://x/claims/role")]),
            ),
            (
                "a",
                Err(MappingError("\"a\" is not a key=claim pair".into())),
            ),
            (
                "a=",
                Err(MappingError(
                    "\"a=\" needs both a key and a claim type".into(),
                )),
            ),
            (
                "=b",
                Err(MappingError(
                    "\"=b\" needs both a key and a claim type".into(),
                )),
            ),
            (
                "a=b=c",
                Err(MappingError("\"a=b=c\" is not a key=claim pair".into())),
            ),
            (
                "a b=c",
                Err(MappingError("\"a b=c\" is not a key=claim pair".into())),
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_mapping(text), expected, "{text:?}");
        }
    }
}
