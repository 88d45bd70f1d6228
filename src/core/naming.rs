//! URL paths: the ones annotations write and the ones NpgsqlRest derives
//! from schema and routine names.

/// A path as an `HTTP` or `path` line gives it: lower-cased, with a
/// leading `/`.
pub fn endpoint_path(path: &str) -> String {
    let path = path.to_lowercase();
    if path.starts_with('/') {
        path
    } else {
        format!("/{path}")
    }
}

/// One path segment from a schema, routine or file name: lower-cased,
/// `_` and spaces turned into `-`, `"` removed, `/` trimmed from the ends.
pub fn segment(name: &str) -> String {
    let converted: String = name
        .chars()
        .filter(|c| *c != '"')
        .map(|c| if c == '_' || c == ' ' { '-' } else { c })
        .flat_map(char::to_lowercase)
        .collect();
    converted.trim_matches('/').to_string()
}

/// The default path of a routine: `url_prefix` + (`schema/` unless the
/// schema is `public`) + name, never with an empty segment or `//`.
pub fn default_path(url_prefix: &str, schema: Option<&str>, name: &str) -> String {
    let schema = schema.filter(|s| !s.eq_ignore_ascii_case("public"));
    let mut path = String::new();
    for part in [
        Some(url_prefix),
        schema.map(segment).as_deref(),
        Some(&segment(name)),
    ]
    .into_iter()
    .flatten()
    {
        let part = part.trim_matches('/');
        if !part.is_empty() {
            path.push('/');
            path.push_str(part);
        }
    }
    if path.is_empty() {
        path.push('/');
    }
    path
}

/// The stem of a file name: directory and extension dropped.
pub fn file_stem(file_name: &str) -> &str {
    let base = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name);
    match base.rfind('.') {
        Some(dot) if dot > 0 => &base[..dot],
        _ => base,
    }
}

/// NpgsqlRest's parameter name in requests: `user_id` → `userId`,
/// `_scheme` → `scheme` (split on `_`, later pieces capitalised).
pub fn camel_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for (i, piece) in name.split('_').filter(|p| !p.is_empty()).enumerate() {
        let mut chars = piece.chars();
        if let Some(first) = chars.next() {
            if i == 0 {
                out.extend(first.to_lowercase());
            } else {
                out.extend(first.to_uppercase());
            }
            out.push_str(chars.as_str());
        }
    }
    out.trim_matches('"').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_paths() {
        let cases = [
            ("/auth/logout", "/auth/logout"),
            ("auth/logout", "/auth/logout"),
            ("/Auth/LogOut", "/auth/logout"),
            ("/", "/"),
            ("x", "/x"),
            ("/users/{ID}", "/users/{id}"),
            ("/ÉTÉ", "/été"),
        ];
        for (input, expected) in cases {
            assert_eq!(endpoint_path(input), expected, "input {input:?}");
        }
    }

    #[test]
    fn default_paths() {
        let cases = [
            (
                "/api",
                Some("public"),
                "logout_cookie",
                "/api/logout-cookie",
            ),
            ("/api", Some("PUBLIC"), "signout", "/api/signout"),
            ("/api", Some("auth"), "full_logout", "/api/auth/full-logout"),
            ("", Some("public"), "logout_cookie", "/logout-cookie"),
            ("/", Some("public"), "x", "/x"),
            ("api", Some("public"), "x", "/api/x"),
            ("/api/", Some("public"), "x", "/api/x"),
            (
                "/api/v1",
                Some("My Schema"),
                "Get_User",
                "/api/v1/my-schema/get-user",
            ),
            ("/api", Some("\"Quoted\""), "\"Fn\"", "/api/quoted/fn"),
            ("/api", None, "sign out", "/api/sign-out"),
            ("/api", Some("public"), "/slashed/", "/api/slashed"),
            ("", None, "", "/"),
        ];
        for (prefix, schema, name, expected) in cases {
            assert_eq!(
                default_path(prefix, schema, name),
                expected,
                "{prefix:?} {schema:?} {name:?}"
            );
        }
    }

    #[test]
    fn camel_case_names() {
        let cases = [
            ("_scheme", "scheme"),
            ("user_id", "userId"),
            ("p_user_id", "pUserId"),
            ("UserId", "userId"),
            ("already", "already"),
            ("a__b", "aB"),
            ("_", ""),
            ("x_", "x"),
            ("ÉTé_ça", "éTéÇa"),
        ];
        for (input, expected) in cases {
            assert_eq!(camel_case(input), expected, "input {input:?}");
        }
    }

    #[test]
    fn file_stems() {
        let cases = [
            ("sql/sign_out.sql", "sign_out"),
            ("sign_out.sql", "sign_out"),
            ("a/b/c.d.sql", "c.d"),
            ("C:\\sql\\x.sql", "x"),
            ("noext", "noext"),
            (".hidden", ".hidden"),
            ("", ""),
        ];
        for (input, expected) in cases {
            assert_eq!(file_stem(input), expected, "input {input:?}");
        }
    }
}
