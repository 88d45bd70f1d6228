//! `parse_annotations`: one comment in, its annotation document out.

use super::jsonb_out::FastJsonB;
use super::server_text::{ServerStr, ServerStrings};
use pgrx::prelude::*;

use crate::core::grammar::annotations::{parse_with, Routine};

/// The annotation document of a comment, for a routine with `tags`.
#[pg_extern(immutable, parallel_safe)]
fn parse_annotations(
    comment: Option<ServerStr>,
    tags: default!(Option<ServerStrings>, "NULL"),
) -> FastJsonB {
    let tags: Vec<String> = tags.map(|t| t.0).unwrap_or_default();
    let routine = Routine {
        tags: &tags,
        parameters: &[],
    };
    let doc = parse_with(
        comment.as_ref().map_or("", ServerStr::as_str),
        routine,
        &mut || {
            pgrx::check_for_interrupts!();
        },
    );
    FastJsonB::new(&doc.to_json())
}

#[cfg(any(test, feature = "pg_test"))]
#[pg_schema]
mod tests {
    use crate::api::test_support::text_of;
    use pgrx::prelude::*;

    #[pg_test]
    fn seed_comment_parses() {
        let doc = text_of(
            "select parse_annotations(E'HTTP POST /auth/logout/cookie\\n@logout\\n@authorize')::text",
        );
        let doc: serde_json::Value =
            serde_json::from_str(&doc.unwrap_or_default()).unwrap_or_default();
        assert_eq!(doc["method"], "POST");
        assert_eq!(doc["path"], "/auth/logout/cookie");
        assert_eq!(doc["logout"], true);
        assert_eq!(doc["requires_authorization"], true);
    }

    #[pg_test]
    fn null_and_empty_comments_give_the_defaults() {
        for comment in ["null", "''"] {
            let sql = format!("select parse_annotations({comment}) = parse_annotations('  ')");
            assert_eq!(
                Spi::get_one::<bool>(&sql),
                Ok(Some(true)),
                "comment {comment}"
            );
        }
        let keys = text_of("select string_agg(k, ',' order by k) from jsonb_object_keys(parse_annotations(null)) k");
        assert_eq!(
            keys.as_deref(),
            Some(
                "allow_anonymous,annotations,authorize_roles,content_type,custom_parameters,disabled,headers,\
                 http,internal,login,logout,method,path,request_param_type,requires_authorization,\
                 unhandled_lines,warnings"
            )
        );
    }

    #[pg_test]
    fn tags_select_lines() {
        let sql = "select parse_annotations(E'for web\\n@logout', tags => array['WEB'])->>'logout'";
        assert_eq!(text_of(sql).as_deref(), Some("true"));
        let sql = "select parse_annotations(E'for web\\n@logout', array['api'])->>'logout'";
        assert_eq!(text_of(sql).as_deref(), Some("false"));
        let sql = "select parse_annotations(E'disabled web', array[null, 'web'])->>'disabled'";
        assert_eq!(text_of(sql).as_deref(), Some("true"));
    }

    #[pg_test]
    fn is_immutable_and_parallel_safe() {
        let sql = "select provolatile::text || proparallel::text from pg_catalog.pg_proc
                   where oid = 'parse_annotations(text, text[])'::pg_catalog.regprocedure";
        assert_eq!(text_of(sql).as_deref(), Some("is"));
    }
}
