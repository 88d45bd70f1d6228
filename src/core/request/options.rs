//! What an endpoint's annotations say about handling a request: user
//! context, user parameters, request headers, resolved parameters and
//! validation. Owned, so a cached logout target keeps it.

use serde_json::{Map, Value};

/// Where the request headers go (`request_headers_mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeadersMode {
    Ignore,
    Context,
    Parameter,
}

impl HeadersMode {
    pub fn parse(text: &str) -> Option<HeadersMode> {
        match text.to_ascii_lowercase().as_str() {
            "ignore" => Some(HeadersMode::Ignore),
            "context" => Some(HeadersMode::Context),
            "parameter" => Some(HeadersMode::Parameter),
            _ => None,
        }
    }
}

/// The annotations of one endpoint that shape a request; None where the
/// comment leaves it to the settings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestOptions {
    pub user_context: Option<bool>,
    pub user_parameters: Option<bool>,
    pub headers_mode: Option<HeadersMode>,
    pub headers_parameter: Option<String>,
    /// Resolved parameters: (parameter name, SQL), in the comment's order.
    pub resolved: Vec<(String, String)>,
    /// `validate` rules: (parameter name, rule name), in the order written.
    pub validations: Vec<(String, String)>,
}

impl RequestOptions {
    /// The options of a document's `settings`, resolved parameters and
    /// validations.
    pub fn new(
        settings: &Map<String, Value>,
        resolved_parameters: &Map<String, Value>,
        resolved_order: &[String],
        validations: &[(String, String)],
    ) -> RequestOptions {
        let flag = |key: &str| settings.get(key).and_then(Value::as_bool);
        let text = |key: &str| settings.get(key).and_then(Value::as_str);
        let resolved = resolved_order
            .iter()
            .filter_map(|name| {
                let sql = resolved_parameters.get(name)?.as_str()?;
                Some((name.clone(), sql.to_string()))
            })
            .collect();
        RequestOptions {
            user_context: flag("user_context"),
            user_parameters: flag("user_parameters"),
            headers_mode: text("request_headers_mode").and_then(HeadersMode::parse),
            headers_parameter: text("request_headers_parameter_name").map(str::to_string),
            resolved,
            validations: validations.to_vec(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::grammar::annotations::{parse, Routine};

    #[test]
    fn options_of_a_comment() {
        let params = [
            "_user_id".to_string(),
            "_email".to_string(),
            "hdrs".to_string(),
        ];
        let tags: Vec<String> = vec![];
        let comment = "HTTP POST\n@logout\nuser_context\nuser_parameters = false\n\
                       request_headers_mode parameter\nrequest_headers_parameter_name hdrs\n\
                       _user_id = select 2\n_email = select 'a'\n_user_id = select 1\n\
                       validate _email using required, email\nvalidate email using not_null";
        let doc = parse(
            comment,
            Routine {
                tags: &tags,
                parameters: &params,
            },
        );
        let options = RequestOptions::new(
            &doc.settings,
            &doc.resolved_parameters,
            &doc.resolved_order,
            &doc.validations,
        );
        let pair = |a: &str, b: &str| (a.to_string(), b.to_string());
        assert_eq!(
            options,
            RequestOptions {
                user_context: Some(true),
                user_parameters: Some(false),
                headers_mode: Some(HeadersMode::Parameter),
                headers_parameter: Some("hdrs".into()),
                resolved: vec![pair("_user_id", "select 1"), pair("_email", "select 'a'")],
                validations: vec![
                    pair("_email", "required"),
                    pair("_email", "email"),
                    pair("_email", "not_null"),
                ],
            }
        );
        let plain = parse(
            "HTTP\n@logout",
            Routine {
                tags: &tags,
                parameters: &params,
            },
        );
        let options = RequestOptions::new(
            &plain.settings,
            &plain.resolved_parameters,
            &plain.resolved_order,
            &plain.validations,
        );
        assert_eq!(options, RequestOptions::default());
    }
}
