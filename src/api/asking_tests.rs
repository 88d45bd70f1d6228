//! `#[pg_test]`s for who is asking (SPEC §11): claims, user parameters,
//! user context, resolved parameters and validation in the one call.

use pgrx::prelude::*;

#[cfg(any(test, feature = "pg_test"))]
#[pg_schema]
mod tests {
    use crate::api::test_support::{error_of, sqlstate_of, text_of};
    use pgrx::prelude::*;

    fn call(sql: &str) -> Option<String> {
        text_of(&format!("select ({sql})::text"))
    }

    const WHO: &str = "
        create function who(_user_id text, _user_claims jsonb, _ip_address text, headers jsonb)
            returns text language sql as
            $$ select concat_ws('|', coalesce(_user_id, '-'), coalesce(_user_claims->>'user_id', '-'),
                                coalesce(_ip_address, '-'), coalesce(headers->>'h', '-')) $$;
        comment on function who(text, jsonb, text, jsonb) is
            E'HTTP POST /who/{_user_id}/{_user_claims}/{_ip_address}/{headers}\\n@logout\\n@user_parameters\\nrequest_headers parameter';";

    #[pg_test]
    fn server_filled_parameters_ignore_every_client_source() {
        Spi::run(WHO).expect("created");
        let sources = [
            ("/who/42/x/6.6.6.6/y", "{}"),
            (
                "/who/a/b/c/d?_user_id=42&userClaims=%7B%7D&ipAddress=6.6.6.6&headers=%7B%7D",
                "{}",
            ),
            (
                "/who/a/b/c/d",
                r#"{"userId": "42", "_user_claims": {"user_id": "42"}, "_ip_address": "6.6.6.6", "headers": {"h": "evil"}}"#,
            ),
        ];
        for (path, body) in sources {
            let authenticated = format!(
                "handle_logout('POST', '{path}', '{body}', user_claims => '{{\"user_id\": \"1\"}}', ip_address => '10.0.0.1', headers => '{{\"h\": \"v\"}}')"
            );
            assert_eq!(
                call(&authenticated).as_deref(),
                Some("{1|1|10.0.0.1|v}"),
                "{path} {body}"
            );
            let anonymous = format!("handle_logout('POST', '{path}', '{body}')");
            assert_eq!(
                call(&anonymous).as_deref(),
                Some("{-|-|-|-}"),
                "{path} {body}"
            );
            let by_roles = format!("handle_logout('POST', '{path}', '{body}', '{{admin}}')");
            assert_eq!(
                call(&by_roles).as_deref(),
                Some("{-|-|-|-}"),
                "{path} {body}"
            );
        }
        // Anonymous callers keep a parameter's default; a mapping replaces
        // the default one; a claim the caller lacks is NULL.
        Spi::run(
            "create function who2(_user_id int default 7, sub text default 'd') returns text language sql
                 as $$ select _user_id || ':' || coalesce(sub, 'null') $$;
             comment on function who2(int, text) is E'HTTP POST /who2\\n@logout\\n@user_parameters';",
        )
        .expect("created");
        let who2 = |extra: &str| {
            call(&format!(
                "handle_logout('POST', '/who2', '{{\"userId\": 5, \"sub\": \"x\"}}'{extra})"
            ))
        };
        assert_eq!(who2("").as_deref(), Some("{7:x}"));
        assert_eq!(
            who2(", user_claims => '{\"user_id\": 42}'").as_deref(),
            Some("{42:x}")
        );
        Spi::run("set local npgsqlrest_logout.parameter_claims = 'sub=sub'").expect("set");
        assert_eq!(
            who2(", user_claims => '{\"sub\": \"s1\"}'").as_deref(),
            Some("{5:s1}")
        );
        assert_eq!(who2(", user_claims => '{}'").as_deref(), Some("{5:null}"));
    }

    #[pg_test]
    fn user_parameters_follow_the_annotation_and_the_setting() {
        Spi::run(
            "create function rev(_user_id text) returns text language sql as $$ select _user_id $$;
             comment on function rev(text) is E'HTTP POST /rev\\n@logout';
             create function rev_off(_user_id text) returns text language sql as $$ select _user_id $$;
             comment on function rev_off(text) is E'HTTP POST /rev-off\\n@logout\\nuser_parameters = false';",
        )
        .expect("created");
        let claims = "user_claims => '{\"user_id\": \"1\"}'";
        let at = |path: &str| {
            call(&format!(
                "handle_logout('POST', '{path}', '{{\"userId\": \"42\"}}', {claims})"
            ))
        };
        assert_eq!(at("/rev").as_deref(), Some("{42}"));
        Spi::run("set local npgsqlrest_logout.use_user_parameters = on").expect("set");
        assert_eq!(at("/rev").as_deref(), Some("{1}"));
        assert_eq!(at("/rev-off").as_deref(), Some("{42}"));
    }

    #[pg_test]
    fn user_context_is_set_before_the_routine_runs() {
        Spi::run(
            "create function ctx() returns text language sql as $$
               select concat_ws('|', current_setting('request.user_id', true), current_setting('request.user_name', true),
                            current_setting('request.user_roles', true), current_setting('request.ip_address', true),
                            coalesce(current_setting('request.claims', true), '-'),
                            coalesce(current_setting('request.headers', true), '-')) $$;
             comment on function ctx() is E'HTTP POST /ctx\\n@logout\\n@user_context\\nrequest_headers context';",
        )
        .expect("created");
        Spi::run("set local npgsqlrest_logout.claims_json_context_key = 'request.claims'")
            .expect("set");
        let got = text_of(
            "select (handle_logout('POST', '/ctx', user_roles => '{admin,power user}', user_claims => '{\"user_id\": 42}',
                           ip_address => '10.1.1.1', headers => '{\"h\": \"v\"}'))[1]",
        );
        assert_eq!(
            got.as_deref(),
            Some(
                r#"42||{"admin","power user"}|10.1.1.1|{"user_id":"42","user_roles":["admin","power user"]}|{"h":"v"}"#
            )
        );
        let roles = text_of("select current_setting('request.user_roles')::text[]::text");
        assert_eq!(roles.as_deref(), Some(r#"{admin,"power user"}"#));
        // Anonymous, later in the same transaction: every key is emptied,
        // so nothing of the earlier caller (or of a stale value) survives.
        Spi::run("set local request.user_id = 'stale'").expect("set");
        let got = text_of("select (handle_logout('POST', '/ctx'))[1]");
        assert_eq!(got.as_deref(), Some("|||||{}"));
        // Two requests in one statement: the second, anonymous, does not
        // run as the first's user.
        let got = text_of(
            "select string_agg((handle_logout('POST', '/ctx', user_claims => c))[1], ' / ' order by n)
               from (values (1, '{\"user_id\": \"7\"}'::jsonb), (2, null)) r(n, c)",
        );
        assert_eq!(
            got.as_deref(),
            Some(r#"7||{}||{"user_id":"7","user_roles":[]}|{} / |||||{}"#)
        );
    }

    #[pg_test]
    fn authorize_matches_roles_user_id_and_user_name() {
        Spi::run(
            "create function only42() returns text language sql as $$ select 'A' $$;
             comment on function only42() is E'HTTP POST /only42\\n@logout\\n@authorize 42, ann, admin';",
        )
        .expect("created");
        let cases = [
            ("user_claims => '{\"user_id\": \"42\"}'", None),
            ("user_claims => '{\"user_name\": \"Ann\"}'", None),
            ("user_claims => '{\"user_roles\": \"admin\"}'", None),
            (
                "user_claims => '{\"user_roles\": [\"x\", \"ADMIN\"]}'",
                None,
            ),
            ("user_claims => '{\"user_id\": \"43\"}'", Some("42501")),
            ("user_claims => '{}'", Some("42501")),
            (
                "user_roles => '{x}', user_claims => '{\"user_roles\": [\"admin\"]}'",
                Some("42501"),
            ),
            ("user_claims => null", Some("28000")),
        ];
        for (args, expected) in cases {
            let sql = format!("select handle_logout('POST', '/only42', '{{}}', {args})");
            assert_eq!(sqlstate_of(&sql).as_deref(), expected, "{args}");
        }
        Spi::run("set local npgsqlrest_logout.user_id_claim = 'sub'").expect("set");
        assert_eq!(
            sqlstate_of("select handle_logout('POST', '/only42', user_claims => '{\"sub\": 42}')"),
            None
        );
    }

    #[pg_test]
    fn claims_and_headers_of_every_wrong_shape() {
        Spi::run(WHO).expect("created");
        let bad = [
            "user_claims => '[]'",
            "user_claims => '\"x\"'",
            "user_claims => 'null'",
            "user_claims => '1'",
            "user_claims => '{\"a\": {\"b\": 1}}'",
            "user_claims => '{\"a\": [[\"x\"]]}'",
            "user_claims => '{\"a\": [null]}'",
            "user_claims => '{\"a\": [{}]}'",
            "headers => '[]'",
            "headers => '\"h\"'",
        ];
        for args in bad {
            // Checked whether or not the endpoint uses them, before routing.
            for path in ["/who/a/b/c/d", "/nowhere"] {
                let sql = format!("select handle_logout('POST', '{path}', '{{}}', {args})");
                assert_eq!(sqlstate_of(&sql).as_deref(), Some("22023"), "{args}");
            }
        }
        assert_eq!(
            error_of("select call_logout('who(text, jsonb, text, jsonb)', user_claims => '{\"a\": {\"b\": 1}}')").as_deref(),
            Some("22023: claim \"a\" must be a string, an array of strings or null")
        );
        let huge = "select handle_logout('POST', '/who/a/b/c/d', '{}',
                    user_claims => (select jsonb_object_agg('c' || i, repeat('v', 100)) from generate_series(1, 100000) i)
                                   || '{\"user_id\": \"9\"}')::text";
        assert_eq!(text_of(huge).as_deref(), Some("{9|9|-|-}"));
    }

    #[pg_test]
    fn resolved_parameters_bind_their_placeholders() {
        Spi::run(
            "create table victims (x int); insert into victims values (1);
             create function rp(_user_id text, _who text default null, _tag text default 'x')
                 returns text language sql as $$ select _user_id || ':' || coalesce(_who, '-') || ':' || _tag $$;
             comment on function rp(text, text, text) is E'HTTP POST /rp\\n@logout\\n@user_context\\n_user_id = select current_setting(''request.user_id'', true)\\n_tag = select upper({who}) || {userId}';",
        )
        .expect("created");
        let claims = "user_claims => '{\"user_id\": \"7\"}'";
        let at = |body: &str| call(&format!("handle_logout('POST', '/rp', '{body}', {claims})"));
        assert_eq!(at("{\"who\": \"ann\"}").as_deref(), Some("{7:ann:ANN7}"));
        assert_eq!(
            at("{\"userId\": \"99\", \"tag\": \"t\", \"who\": \"b\"}").as_deref(),
            Some("{7:b:B7}")
        );
        let evil = "x''); drop table victims; --";
        let got = at(&format!("{{\"who\": \"{evil}\"}}"));
        assert_eq!(
            got.as_deref(),
            Some("{\"7:x'); drop table victims; --:X'); DROP TABLE VICTIMS; --7\"}")
        );
        assert_eq!(
            text_of("select count(*)::text from victims").as_deref(),
            Some("1")
        );
        // An expression that fails raises its own error.
        Spi::run("comment on function rp(text, text, text) is E'HTTP POST /rp\\n@logout\\n_tag = select 1/0'")
            .expect("comment");
        assert_eq!(
            sqlstate_of("select handle_logout('POST', '/rp', '{\"userId\": \"1\"}')").as_deref(),
            Some("22012")
        );
    }

    #[pg_test]
    fn validation_runs_before_the_routine() {
        Spi::run(
            "create table sent (email text);
             create function val(_email text default 'dflt') returns text language plpgsql as
                 $$ begin insert into sent values (_email); return 'Cookies'; end $$;
             comment on function val(text) is E'HTTP POST /val\\n@logout\\nvalidate _email using required, email';",
        )
        .expect("created");
        let at = |body: &str| format!("select handle_logout('POST', '/val', '{body}')");
        let cases = [
            ("{}", None),
            ("{\"email\": \"a@b.c\"}", None),
            ("{\"email\": null}", Some("22023: Parameter '_email' is required (validation rule \"required\" failed for parameter \"_email\" (HTTP status 400))")),
            ("{\"email\": \"\"}", Some("22023: Parameter '_email' is required (validation rule \"required\" failed for parameter \"_email\" (HTTP status 400))")),
            ("{\"email\": \"a@b\"}", Some("22023: Parameter '_email' must be a valid email address (validation rule \"email\" failed for parameter \"_email\" (HTTP status 400))")),
        ];
        for (body, expected) in cases {
            assert_eq!(error_of(&at(body)).as_deref(), expected, "{body}");
        }
        assert_eq!(
            text_of("select string_agg(email, ',' order by email) from sent").as_deref(),
            Some("a@b.c,dflt")
        );
        // Default rules' edges, user rules, and changes seen at the next call.
        Spi::run(
            "insert into validation_rules (name, type, min_length, message, status_code)
                 values ('short', 'MIN_LENGTH', 3, '{1} needs 3 ({2})', 422);
             comment on function val(text) is E'HTTP POST /val\\n@logout\\nvalidate email using not_null, not_empty\\nvalidate _email using short';",
        )
        .expect("rule");
        let cases = [
            ("{\"email\": \"abc\"}", None),
            ("{\"email\": null}", Some("22023: Parameter '_email' cannot be null (validation rule \"not_null\" failed for parameter \"_email\" (HTTP status 400))")),
            ("{\"email\": \"\"}", Some("22023: Parameter '_email' cannot be empty (validation rule \"not_empty\" failed for parameter \"_email\" (HTTP status 400))")),
            ("{\"email\": \"ab\"}", Some("22023: email needs 3 (short) (validation rule \"short\" failed for parameter \"_email\" (HTTP status 422))")),
        ];
        for (body, expected) in cases {
            assert_eq!(error_of(&at(body)).as_deref(), expected, "{body}");
        }
        Spi::run("update validation_rules set min_length = 2 where name = 'short'")
            .expect("update");
        assert_eq!(error_of(&at("{\"email\": \"ab\"}")), None);
        Spi::run("comment on function val(text) is E'HTTP POST /val\\n@logout\\nvalidate _email using nope'")
            .expect("comment");
        assert_eq!(
            error_of(&at("{}"))
                .as_deref()
                .map(|e| e.split(" (").next().unwrap_or_default().to_string())
                .as_deref(),
            Some("22023: validation rule \"nope\" does not exist")
        );
    }

    #[pg_test]
    fn validation_rules_are_checked_when_written() {
        let cases = [
            (
                "insert into validation_rules values ('r1', 'regex', '(', null, null, 'm')",
                "2201B",
            ),
            (
                "insert into validation_rules values ('r2', 'regex', null, null, null, 'm')",
                "23514",
            ),
            (
                "insert into validation_rules values ('r3', 'min_length', null, null, null, 'm')",
                "23514",
            ),
            (
                "insert into validation_rules values ('r4', 'max_length', null, null, null, 'm')",
                "23514",
            ),
            (
                "insert into validation_rules values ('r5', 'shiny', null, null, null, 'm')",
                "23514",
            ),
            (
                "insert into validation_rules values ('r6', null, null, null, null, 'm')",
                "23514",
            ),
            (
                "insert into validation_rules values ('r7', 'not_null', null, null, null, null)",
                "23502",
            ),
            (
                "update validation_rules set pattern = '[' where name = 'email'",
                "2201B",
            ),
        ];
        for (sql, expected) in cases {
            assert_eq!(sqlstate_of(sql).as_deref(), Some(expected), "{sql}");
        }
        Spi::run("insert into validation_rules values ('ok', 'Regex', '^\\d+$', null, null, 'm')")
            .expect("a valid rule");
        assert_eq!(
            text_of("select string_agg(name, ',' order by name) from validation_rules").as_deref(),
            Some("email,not_empty,not_null,ok,required")
        );
    }

    #[pg_test]
    fn settings_are_validated_when_set() {
        text_of("select parse_annotations(null)::text");
        let bad = [
            "set npgsqlrest_logout.parameter_claims = 'x'",
            "set npgsqlrest_logout.context_claims = 'a=b, =c'",
            "set npgsqlrest_logout.request_headers_mode = 'sometimes'",
            "set npgsqlrest_logout.use_user_context = 'perhaps'",
        ];
        for sql in bad {
            assert_eq!(sqlstate_of(sql).as_deref(), Some("22023"), "{sql}");
        }
        Spi::run("set npgsqlrest_logout.request_headers_mode = 'context'")
            .expect("case-insensitive");
        assert_eq!(
            text_of("show npgsqlrest_logout.request_headers_mode").as_deref(),
            Some("Context")
        );
        assert_eq!(
            text_of("show npgsqlrest_logout.parameter_claims").as_deref(),
            Some("_user_id=user_id, _user_name=user_name, _user_roles=user_roles")
        );
    }
}
