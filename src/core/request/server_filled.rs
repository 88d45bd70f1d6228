//! Parameters the server fills, never the client: claim-mapped user
//! parameters, the claims JSON, the IP address, the request headers, and
//! resolved parameters (`_p = <sql>` lines).

use crate::core::naming::camel_case;

/// Where a server-filled parameter's value comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fill {
    /// A claim's value (`parameter_claims`).
    Claim(String),
    /// Every claim as JSON (`claims_json_parameter`).
    ClaimsJson,
    /// The client's address (`ip_address_parameter`).
    IpAddress,
    /// The request headers as JSON (`request_headers` mode `parameter`).
    Headers,
    /// A resolved parameter's SQL expression.
    Resolved,
}

/// The settings in force for one endpoint.
#[derive(Debug, Clone, Copy)]
pub struct FillSettings<'a> {
    /// `user_parameters` for this endpoint.
    pub user_parameters: bool,
    /// Parameter name = claim type.
    pub parameter_claims: &'a [(String, String)],
    /// Empty: off.
    pub claims_json_parameter: &'a str,
    /// Empty: off.
    pub ip_address_parameter: &'a str,
    /// The headers parameter's name when the headers mode is `parameter`.
    pub headers_parameter: Option<&'a str>,
}

/// Whether a configured name names a parameter: the same name, or the
/// same camelCase form (`_user_id`, `user_id` and `userId` are one),
/// case-insensitively.
pub fn names_parameter(parameter: &str, configured: &str) -> bool {
    !configured.is_empty()
        && (parameter.eq_ignore_ascii_case(configured)
            || camel_case(parameter).eq_ignore_ascii_case(&camel_case(configured)))
}

/// For each parameter (by name), what fills it, if the server does. A
/// resolved parameter wins (it is evaluated last), then the headers, then
/// the user parameters.
pub fn server_filled(
    parameters: &[Option<&str>],
    settings: &FillSettings,
    resolved: &[(String, String)],
) -> Vec<Option<Fill>> {
    parameters
        .iter()
        .map(|name| {
            let name = (*name)?;
            if resolved.iter().any(|(r, _)| r == name) {
                return Some(Fill::Resolved);
            }
            if settings
                .headers_parameter
                .is_some_and(|h| names_parameter(name, h))
            {
                return Some(Fill::Headers);
            }
            if !settings.user_parameters {
                return None;
            }
            if let Some((_, claim)) = settings
                .parameter_claims
                .iter()
                .find(|(p, _)| names_parameter(name, p))
            {
                return Some(Fill::Claim(claim.clone()));
            }
            if names_parameter(name, settings.claims_json_parameter) {
                return Some(Fill::ClaimsJson);
            }
            if names_parameter(name, settings.ip_address_parameter) {
                return Some(Fill::IpAddress);
            }
            None
        })
        .collect()
}

/// A resolved parameter's expression with each `{name}` placeholder that
/// names a parameter (see `find`) turned into a bind parameter `$n`, and
/// the parameter index each `$n` carries. Other braces stay as written.
/// The values are never spliced into the text.
pub fn bind_placeholders(sql: &str, find: impl Fn(&str) -> Option<usize>) -> (String, Vec<usize>) {
    let mut out = String::with_capacity(sql.len());
    let mut bound: Vec<usize> = Vec::new();
    let mut rest = sql;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let name_end = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(after.len());
        let name = &after[..name_end];
        let closes = after[name_end..].starts_with('}');
        let starts_well = name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_');
        match (closes && starts_well).then(|| find(name)).flatten() {
            Some(index) => {
                let n = match bound.iter().position(|b| *b == index) {
                    Some(at) => at + 1,
                    None => {
                        bound.push(index);
                        bound.len()
                    }
                };
                out.push('$');
                out.push_str(&n.to_string());
                rest = &after[name_end + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    (out, bound)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn which_parameters_the_server_fills() {
        let claims = vec![
            ("_user_id".to_string(), "user_id".to_string()),
            ("_user_roles".to_string(), "user_roles".to_string()),
        ];
        let on = FillSettings {
            user_parameters: true,
            parameter_claims: &claims,
            claims_json_parameter: "_user_claims",
            ip_address_parameter: "_ip_address",
            headers_parameter: Some("headers"),
        };
        let off = FillSettings {
            user_parameters: false,
            ..on
        };
        let resolved = vec![("_tenant".to_string(), "select 1".to_string())];
        let names = [
            Some("_user_id"),
            Some("userRoles"),
            Some("_USER_CLAIMS"),
            Some("ipAddress"),
            Some("headers"),
            Some("_tenant"),
            Some("_scheme"),
            None,
        ];
        assert_eq!(
            server_filled(&names, &on, &resolved),
            vec![
                Some(Fill::Claim("user_id".into())),
                Some(Fill::Claim("user_roles".into())),
                Some(Fill::ClaimsJson),
                Some(Fill::IpAddress),
                Some(Fill::Headers),
                Some(Fill::Resolved),
                None,
                None,
            ]
        );
        assert_eq!(
            server_filled(&names, &off, &resolved),
            vec![
                None,
                None,
                None,
                None,
                Some(Fill::Headers),
                Some(Fill::Resolved),
                None,
                None
            ]
        );
        let no_names = FillSettings {
            claims_json_parameter: "",
            ip_address_parameter: "",
            headers_parameter: None,
            ..on
        };
        assert_eq!(
            server_filled(&[Some("_ip_address"), Some("x")], &no_names, &[]),
            vec![None, None]
        );
    }

    #[test]
    fn placeholders_become_bind_parameters() {
        let params = ["_user_id", "_tenant"];
        let find = |name: &str| params.iter().position(|p| names_parameter(p, name));
        let cases: &[(&str, &str, &[usize])] = &[
            ("select 1", "select 1", &[]),
            (
                "select t from s where u = {_user_id}",
                "select t from s where u = $1",
                &[0],
            ),
            (
                "select {tenant} || {userId} || {_USER_ID}",
                "select $1 || $2 || $2",
                &[1, 0],
            ),
            ("select '{x}', {1a}, {} {", "select '{x}', {1a}, {} {", &[]),
            (
                "select {_user_id}); drop table t; --}",
                "select $1); drop table t; --}",
                &[0],
            ),
            ("{{_tenant}}", "{$1}", &[1]),
            ("select 'é{_tenant}é'", "select 'é$1é'", &[1]),
        ];
        for (sql, expected, bound) in cases {
            let (text, indices) = bind_placeholders(sql, find);
            assert_eq!(
                (text.as_str(), indices.as_slice()),
                (*expected, *bound),
                "{sql}"
            );
        }
    }
}
