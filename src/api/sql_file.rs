//! `parse_sql_file`: the endpoint an NpgsqlRest `.sql` file defines.

use super::jsonb_out::FastJsonB;
use pgrx::prelude::*;

use super::server_text::ServerStr;
use super::settings;
use crate::core::endpoint::sql_file::scan_with;
use crate::core::grammar::annotations::{parse_with, Routine};
use crate::core::json::tree::Json;
use crate::core::naming::{default_path, file_stem};

/// The annotation document of a `.sql` file's comments, with effective
/// `method` and `path`, `comment`, `statements` and `auto_method`.
#[pg_extern(stable, parallel_safe)]
fn parse_sql_file(
    content: Option<ServerStr>,
    file_name: default!(Option<ServerStr>, "NULL"),
) -> FastJsonB {
    let mut tick = || {
        pgrx::check_for_interrupts!();
    };
    let file = scan_with(content.as_ref().map_or("", ServerStr::as_str), &mut tick);
    let doc = parse_with(&file.comment, Routine::default(), &mut tick);
    let method = doc
        .method
        .clone()
        .unwrap_or_else(|| file.auto_method.to_string());
    let path = doc.path.clone().or_else(|| {
        file_name
            .as_ref()
            .map(|name| default_path(&settings::url_prefix(), None, file_stem(name.as_str())))
    });
    let mut members = doc.members();
    members.extend([
        ("method", Json::Str(&method)),
        ("path", Json::opt_str(path.as_deref())),
        ("comment", Json::Str(&file.comment)),
        ("statements", Json::Strings(&file.statements)),
        ("auto_method", Json::Str(file.auto_method)),
    ]);
    FastJsonB::new(&Json::Object(members))
}

#[cfg(any(test, feature = "pg_test"))]
#[pg_schema]
mod tests {
    use crate::api::test_support::text_of;
    use pgrx::prelude::*;

    const SEED_FILE: &str =
        "-- HTTP POST\n-- @logout\n-- @authorize\ndelete from sessions where user_id = current_user_id();";

    fn field(content: &str, file_name: &str, key: &str) -> Option<String> {
        let sql = format!("select parse_sql_file($1, {file_name}) ->> '{key}'");
        Spi::get_one_with_args::<String>(&sql, &[content.into()]).expect("the query runs")
    }

    #[pg_test]
    fn the_seed_file() {
        let cases = [
            ("method", "POST"),
            ("path", "/api/signout"),
            ("auto_method", "DELETE"),
            ("logout", "true"),
            ("requires_authorization", "true"),
            (
                "statements",
                r#"["delete from sessions where user_id = current_user_id()"]"#,
            ),
            ("comment", " HTTP POST\n @logout\n @authorize"),
        ];
        for (key, expected) in cases {
            assert_eq!(
                field(SEED_FILE, "'sql/signout.sql'", key).as_deref(),
                Some(expected),
                "{key}"
            );
        }
    }

    #[pg_test]
    fn paths_come_from_annotations_or_the_file_name() {
        let cases = [
            ("select 1", "'sql/sign_out.sql'", Some("/api/sign-out")),
            ("select 1", "'Sign Out.sql'", Some("/api/sign-out")),
            ("select 1", "null", None),
            ("-- HTTP GET /Me\nselect 1", "'x.sql'", Some("/me")),
            ("/* path /p */ select 1", "null", Some("/p")),
        ];
        for (content, file_name, expected) in cases {
            assert_eq!(
                field(content, file_name, "path").as_deref(),
                expected,
                "{content} {file_name}"
            );
        }
        Spi::run("set npgsqlrest_logout.url_prefix = '/v2'").expect("set");
        assert_eq!(
            field("select 1", "'a_b.sql'", "path").as_deref(),
            Some("/v2/a-b")
        );
    }

    #[pg_test]
    fn methods_come_from_annotations_or_the_statements() {
        let cases = [
            ("update t set a = 1", "POST"),
            ("insert into t values (1)", "PUT"),
            ("select 'delete'", "GET"),
            ("do $$ begin end $$", "POST"),
            ("-- HTTP GET\ndelete from t", "GET"),
        ];
        for (content, expected) in cases {
            assert_eq!(
                field(content, "null", "method").as_deref(),
                Some(expected),
                "{content}"
            );
        }
    }

    #[pg_test]
    fn null_content_is_an_empty_file() {
        let got = text_of("select parse_sql_file(null) ->> 'statements'");
        assert_eq!(got.as_deref(), Some("[]"));
    }
}
