//! `call_logout` and `handle_logout`: what a thin HTTP front-end calls to
//! run a logout endpoint and learn which schemes to sign out of, with
//! `@authorize` enforced before the routine runs.

use std::ffi::CString;
use std::rc::Rc;

use pgrx::prelude::*;
use pgrx::PgSqlErrorCode;
use serde_json::Value;

use super::direct_call;
use super::endpoint_cache::{self, LogoutTarget, NoSuchRoutine, RouteMatch};
use super::errors::raise;
use super::jsonb_arg::JsonbArg;
use super::kept_plan::{Argument, KeptPlan};
use super::regprocedure::RegProcedure;
use super::server_text::{ServerStr, ServerStrings};
use super::text_array::TextArray;
use super::value_walk::ValueWalker;
use crate::core::request::authorization::{authorize, Denied};
use crate::core::request::binding::{bind, BindTarget};
use crate::core::request::pg_input::{input_text, InputError};
use crate::core::request::routing::{Request, RequestError};
use crate::core::schemes::SchemeList;

/// Runs a logout routine for a front-end; returns the schemes to sign out
/// of (`{}` = every scheme).
#[pg_extern(volatile, parallel_unsafe)]
fn call_logout(
    routine: RegProcedure,
    args: default!(Option<JsonbArg>, "'{}'"),
    user_roles: default!(Option<ServerStrings>, "NULL"),
) -> TextArray {
    let target = logout_target(routine.0);
    let user_roles = roles(user_roles);
    check_authorization(&target, user_roles.as_deref());
    TextArray::of_schemes(&run(&target, object_arguments(args)))
}

/// Finds the logout endpoint for an HTTP request and runs it as
/// `call_logout` does. The path may carry a `?query`, decoded into
/// arguments; `{name}` path segments bind parameters too.
#[pg_extern(volatile, parallel_unsafe)]
fn handle_logout(
    method: Option<ServerStr>,
    path: Option<ServerStr>,
    args: default!(Option<JsonbArg>, "'{}'"),
    user_roles: default!(Option<ServerStrings>, "NULL"),
) -> TextArray {
    let (Some(method), Some(path)) = (method.as_ref(), path.as_ref()) else {
        raise(
            PgSqlErrorCode::ERRCODE_NULL_VALUE_NOT_ALLOWED,
            "handle_logout needs a method and a path".into(),
            None,
            Some("Pass the request's method (e.g. 'POST') and path (e.g. '/auth/logout?x=1')."),
        );
    };
    let (method, path) = (method.as_str(), path.as_str());
    let request =
        Request::parse(method, path).unwrap_or_else(|RequestError::BadPercentEncoding(part)| {
            raise(
                PgSqlErrorCode::ERRCODE_INVALID_PARAMETER_VALUE,
                format!("invalid percent-encoding in request path: \"{part}\""),
                None,
                Some("Encode reserved characters as %XX with two hex digits, and text as UTF-8."),
            )
        });
    let (target, path_args) = route(&request, path);
    let user_roles = roles(user_roles);
    check_authorization(&target, user_roles.as_deref());
    let mut arguments = path_args;
    arguments.extend(request.query);
    let arguments = arguments.into_iter().map(|(k, v)| (k, Value::String(v)));
    let mut all: Vec<(String, Value)> = arguments.collect();
    all.extend(object_arguments(args));
    TextArray::of_schemes(&run(&target, all))
}

fn roles(user_roles: Option<ServerStrings>) -> Option<Vec<String>> {
    user_roles.map(|r| r.0)
}

/// The logout endpoint of a routine, or an error saying why not.
fn logout_target(oid: pg_sys::Oid) -> Rc<LogoutTarget> {
    match endpoint_cache::target_by_oid(oid) {
        Ok(Some(target)) => target,
        Err(NoSuchRoutine) => raise(
            PgSqlErrorCode::ERRCODE_UNDEFINED_FUNCTION,
            format!("no routine has OID {}", oid.to_u32()),
            None,
            None,
        ),
        Ok(None) => {
            // SAFETY: formats an existing routine's signature.
            let name = unsafe { super::server_text::c_to_rust(pg_sys::format_procedure(oid)) };
            raise(
                PgSqlErrorCode::ERRCODE_INVALID_PARAMETER_VALUE,
                format!("{name} is not a logout endpoint"),
                Some(format!(
                    "Under comments_mode {:?}, its comment must make it an endpoint and mark it @logout.",
                    super::settings::comments_mode()
                )),
                Some("Add the lines HTTP and @logout to the routine's comment."),
            )
        }
    }
}

/// The logout endpoint matching a request, with the path's parameters.
fn route(request: &Request, path: &str) -> (Rc<LogoutTarget>, Vec<(String, String)>) {
    match endpoint_cache::route(&request.method, &request.segments) {
        RouteMatch::Found(target, bound) => (target, bound),
        RouteMatch::NotFound => raise(
            PgSqlErrorCode::ERRCODE_UNDEFINED_FUNCTION,
            format!(
                "no logout endpoint matches {} {}",
                request.method,
                shorten(path)
            ),
            None,
            Some("List the logout endpoints with: select method, path from logout_endpoints;"),
        ),
        RouteMatch::Ambiguous(routines) => raise(
            PgSqlErrorCode::ERRCODE_AMBIGUOUS_FUNCTION,
            format!(
                "more than one logout endpoint matches {} {}",
                request.method,
                shorten(path)
            ),
            Some(format!("Matching routines: {}.", routines.join(", "))),
            Some("Give each logout endpoint its own method and path."),
        ),
    }
}

fn shorten(text: &str) -> String {
    let short: String = text.chars().take(200).collect();
    if short.len() < text.len() {
        format!("{short}…")
    } else {
        short
    }
}

fn check_authorization(target: &LogoutTarget, user_roles: Option<&[String]>) {
    let name = &target.routine.info.signature;
    let access = &target.summary;
    match authorize(access.requires_authorization, &access.authorize_roles, user_roles) {
        Ok(()) => {}
        Err(Denied::Anonymous) => raise(
            PgSqlErrorCode::ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION,
            format!("{name} requires an authenticated user"),
            Some("user_roles is NULL, which means an anonymous caller.".into()),
            Some("Pass the authenticated user's roles as user_roles (an empty array for a user without roles)."),
        ),
        Err(Denied::MissingRole { required }) => raise(
            PgSqlErrorCode::ERRCODE_INSUFFICIENT_PRIVILEGE,
            format!("{name} requires one of the roles {}", required.join(", ")),
            Some(format!("The caller's roles: {}.", user_roles.unwrap_or_default().join(", "))),
            None,
        ),
    }
}

/// The members of a JSON object argument, in order.
fn object_arguments(args: Option<JsonbArg>) -> Vec<(String, Value)> {
    match args.map(|a| a.0) {
        None => Vec::new(),
        Some(Ok(Value::Object(map))) => map.into_iter().collect(),
        Some(Ok(other)) => raise(
            PgSqlErrorCode::ERRCODE_INVALID_PARAMETER_VALUE,
            format!("args must be a JSON object, not {}", json_kind(&other)),
            None,
            Some("Pass the request body's fields as an object, e.g. '{\"_scheme\": \"Cookies\"}'."),
        ),
        Some(Err(reason)) => raise(
            PgSqlErrorCode::ERRCODE_INVALID_PARAMETER_VALUE,
            format!("args cannot be read: {reason}"),
            None,
            reason
                .contains("recursion limit")
                .then_some("Arguments nest at most 128 levels deep."),
        ),
    }
}

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Binds the arguments, runs the routine as the caller, and reads every
/// row and column of its result.
fn run(target: &LogoutTarget, args: Vec<(String, Value)>) -> SchemeList {
    let info = &target.routine.info;
    let targets: Vec<BindTarget> = info
        .parameters
        .iter()
        .map(|p| BindTarget {
            name: p.name.as_deref(),
            has_default: p.has_default,
        })
        .collect();
    let bound = bind(&targets, args).unwrap_or_else(|error| {
        raise(
            PgSqlErrorCode::ERRCODE_INVALID_PARAMETER_VALUE,
            format!("cannot call {}: {}", info.signature, error.message()),
            Some(format!("Its parameters: {}.", parameter_list(target))),
            Some("Arguments bind by parameter name or its camelCase form (user_id or userId)."),
        )
    });
    let datums: Vec<Option<pg_sys::Datum>> = bound
        .iter()
        .map(|(index, value)| input_datum(target, *index, value))
        .collect();
    let mut schemes = SchemeList::new();
    if direct_call::eligible(&target.routine, bound.len()) {
        if let Some(result) =
            direct_call::call(target.routine.oid, &target.routine.input_types, &datums)
        {
            ValueWalker::default().collect(result, target.routine.return_type, &mut schemes);
        }
        return schemes;
    }
    let indices: Vec<usize> = bound.iter().map(|(i, _)| *i).collect();
    let arguments: Vec<Argument> = indices
        .iter()
        .zip(datums)
        .map(|(index, datum)| (datum, target.routine.input_types[*index]))
        .collect();
    execute(target, indices, &arguments)
}

/// The call of the routine with the bound parameters: `CALL` for a
/// procedure, `SELECT * FROM` for a set-returning function, plain `SELECT`
/// otherwise (which lets the planner inline a simple SQL function).
/// Identifiers come from the catalog, quoted; values are parameters.
fn call_sql(target: &LogoutTarget, indices: &[usize]) -> String {
    let routine = &target.routine;
    let info = &routine.info;
    let verb = match (info.is_procedure, info.returns_set) {
        (true, _) => "CALL ",
        (false, true) => "SELECT * FROM ",
        (false, false) => "SELECT ",
    };
    let mut arguments: Vec<String> = indices
        .iter()
        .enumerate()
        .map(|(n, index)| {
            let name = info.parameters[*index].name.as_deref().unwrap_or_default();
            let variadic = if routine.variadic == Some(*index) {
                "VARIADIC "
            } else {
                ""
            };
            format!("{variadic}{} => ${}", sql_identifier(name), n + 1)
        })
        .collect();
    if info.is_procedure {
        let outputs = routine.output_names.iter().flatten();
        arguments.extend(outputs.map(|name| format!("{} => NULL", sql_identifier(name))));
    }
    format!(
        "{verb}{}({})",
        sql_qualified(&info.schema, &info.name),
        arguments.join(", ")
    )
}

fn parameter_list(target: &LogoutTarget) -> String {
    let list: Vec<String> = target
        .routine
        .info
        .parameters
        .iter()
        .map(|p| {
            let name = p.name.clone().unwrap_or_else(|| "(unnamed)".into());
            let default = if p.has_default { " (optional)" } else { "" };
            format!("{name} {}{default}", p.type_name)
        })
        .collect();
    if list.is_empty() {
        "none".into()
    } else {
        list.join(", ")
    }
}

/// A JSON value as a datum of the parameter's type, through the type's
/// input function: values are bound, never spliced into SQL text.
fn input_datum(target: &LogoutTarget, index: usize, value: &Value) -> Option<pg_sys::Datum> {
    let input = target.inputs[index];
    let text = input_text(value, input.kind).unwrap_or_else(|error| {
        let param = target.routine.info.parameters[index]
            .name
            .clone()
            .unwrap_or_default();
        let type_name = &target.routine.info.parameters[index].type_name;
        let what = match error {
            InputError::ArrayForScalar => "an array",
            InputError::Object => "an object",
        };
        raise(
            PgSqlErrorCode::ERRCODE_INVALID_PARAMETER_VALUE,
            format!("argument \"{param}\" is {what}, which a {type_name} parameter cannot take"),
            None,
            None,
        )
    });
    let text = text?;
    let text = super::server_text::into_server(text);
    let text = CString::new(text).unwrap_or_else(|_| {
        raise(
            PgSqlErrorCode::ERRCODE_UNTRANSLATABLE_CHARACTER,
            "an argument contains a NUL character".into(),
            None,
            None,
        )
    });
    // SAFETY: the type's input function raises its own error (e.g. 22P02)
    // for text it cannot read.
    Some(unsafe {
        pg_sys::OidInputFunctionCall(input.function, text.as_ptr().cast_mut(), input.io_param, -1)
    })
}

/// Runs the call and collects the schemes of every row and column.
fn execute(target: &LogoutTarget, indices: Vec<usize>, arguments: &[Argument]) -> SchemeList {
    let types: Vec<pg_sys::Oid> = arguments.iter().map(|(_, t)| *t).collect();
    let plan = endpoint_cache::plan(target.routine.oid, indices.clone(), || {
        KeptPlan::prepare(&call_sql(target, &indices), &types)
    });
    let mut schemes = SchemeList::new();
    let mut walker = ValueWalker::default();
    plan.run(arguments, |value, type_oid| {
        walker.collect(value, type_oid, &mut schemes)
    });
    schemes
}

/// An identifier for SQL text, always quoted (safe for any name).
fn sql_identifier(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn sql_qualified(schema: &str, name: &str) -> String {
    format!("{}.{}", sql_identifier(schema), sql_identifier(name))
}

#[cfg(any(test, feature = "pg_test"))]
#[pg_schema]
mod tests {
    use crate::api::test_support::{sqlstate_of, text_of};
    use pgrx::prelude::*;

    const SEED: &str = "
        create table sessions (user_id int, token text);
        insert into sessions values (1, 'a'), (2, 'b');
        create function logout_cookie() returns text language sql begin atomic; select 'Cookies'::text; end;
        comment on function logout_cookie() is E'HTTP POST /auth/logout/cookie\\n@logout\\n@authorize';
        create function logout_web() returns text[] language sql begin atomic; select array['Cookies', 'Bearer']::text[]; end;
        comment on function logout_web() is E'HTTP POST /auth/logout/web\\n@logout\\n@authorize';
        create function smart_logout(_scheme text default null) returns text language sql begin atomic; select _scheme; end;
        comment on function smart_logout(text) is E'HTTP POST /auth/logout\\n@logout\\n@authorize';
        create function signout() returns void language sql begin atomic; delete from sessions where user_id = 1; end;
        comment on function signout() is E'HTTP POST\\n@logout\\n@authorize';
        create function admin_logout() returns text language sql as $$select 'Admin'$$;
        comment on function admin_logout() is E'HTTP POST /admin/logout\\n@logout\\n@authorize Admin, ops';
        create function open_logout(who text) returns text language sql as $$select who$$;
        comment on function open_logout(text) is E'HTTP GET /open/logout/{who}\\n@logout';
        create function not_a_logout() returns text language sql as $$select 'x'$$;
        comment on function not_a_logout() is E'HTTP POST /auth/other';";

    fn call(sql: &str) -> Option<String> {
        text_of(&format!("select ({sql})::text"))
    }

    #[pg_test]
    fn the_seed_routines() {
        Spi::run(SEED).expect("seed");
        let cases = [
            ("call_logout('logout_cookie()', '{}', '{}')", "{Cookies}"),
            (
                "call_logout('logout_web()', user_roles => '{}')",
                "{Cookies,Bearer}",
            ),
            ("call_logout('smart_logout(text)', '{}', '{}')", "{}"),
            (
                "call_logout('smart_logout(text)', '{\"_scheme\": \"Cookies\"}', '{}')",
                "{Cookies}",
            ),
            (
                "call_logout('smart_logout(text)', '{\"scheme\": \" Bearer \"}', '{}')",
                "{Bearer}",
            ),
            (
                "call_logout('smart_logout(text)', '{\"_scheme\": null}', '{}')",
                "{}",
            ),
            ("call_logout('signout()', '{}', '{}')", "{}"),
        ];
        for (sql, expected) in cases {
            assert_eq!(call(sql).as_deref(), Some(expected), "{sql}");
        }
        assert_eq!(
            text_of("select count(*)::text from sessions where user_id = 1").as_deref(),
            Some("0")
        );
    }

    #[pg_test]
    fn authorization_is_checked_before_the_routine_runs() {
        Spi::run(SEED).expect("seed");
        let cases = [
            ("select call_logout('signout()')", Some("28000")),
            ("select call_logout('signout()', '{}', null)", Some("28000")),
            (
                "select call_logout('admin_logout()', '{}', '{user}')",
                Some("42501"),
            ),
            (
                "select call_logout('admin_logout()', '{}', '{}')",
                Some("42501"),
            ),
            (
                "select call_logout('admin_logout()', '{}', null)",
                Some("28000"),
            ),
            (
                "select call_logout('admin_logout()', '{}', '{user,ADMIN}')",
                None,
            ),
            ("select call_logout('admin_logout()', '{}', '{Ops}')", None),
            (
                "select call_logout('open_logout(text)', '{\"who\": \"x\"}')",
                None,
            ),
        ];
        for (sql, expected) in cases {
            assert_eq!(sqlstate_of(sql).as_deref(), expected, "{sql}");
        }
        assert_eq!(
            text_of("select count(*)::text from sessions where user_id = 1").as_deref(),
            Some("1")
        );
    }

    #[pg_test]
    fn only_logout_endpoints_can_be_called() {
        Spi::run(SEED).expect("seed");
        let cases = [
            "select call_logout('not_a_logout()', '{}', '{}')",
            "select call_logout('pg_catalog.now()', '{}', '{}')",
        ];
        for sql in cases {
            assert_eq!(sqlstate_of(sql).as_deref(), Some("22023"), "{sql}");
        }
        Spi::run("set npgsqlrest_logout.comments_mode = 'Ignore'").expect("set");
        assert_eq!(
            sqlstate_of("select call_logout('logout_web()', '{}', '{}')").as_deref(),
            Some("22023")
        );
    }

    #[pg_test]
    fn arguments_must_match_parameters() {
        Spi::run(SEED).expect("seed");
        let cases = [
            "select call_logout('smart_logout(text)', '{\"nope\": 1}', '{}')",
            "select call_logout('smart_logout(text)', '{\"_scheme\": \"a\", \"scheme\": \"b\"}', '{}')",
            "select call_logout('open_logout(text)', '{}')",
            "select call_logout('smart_logout(text)', '[1]', '{}')",
            "select call_logout('smart_logout(text)', '\"x\"', '{}')",
            "select call_logout('smart_logout(text)', '{\"_scheme\": [1]}', '{}')",
            "select call_logout('smart_logout(text)', '{\"_scheme\": {\"a\": 1}}', '{}')",
        ];
        for sql in cases {
            assert_eq!(sqlstate_of(sql).as_deref(), Some("22023"), "{sql}");
        }
        let deep = format!(
            "select call_logout('smart_logout(text)', '{{\"_scheme\": {}1{}}}', '{{}}')",
            "[".repeat(200),
            "]".repeat(200)
        );
        assert_eq!(sqlstate_of(&deep).as_deref(), Some("22023"));
    }

    #[pg_test]
    fn json_values_convert_to_parameter_types() {
        Spi::run(
            "create function typed(a int, b numeric, c boolean, d int[], e jsonb, f uuid, g date,
                                   h timestamptz, i text[], j json, k bigint default 7)
             returns text language sql as $$
               select concat_ws('|', a + 1, b * 2, not c, d[2], e->>'k', f, g + 1, extract(year from h),
                                array_length(i, 1), j->0, k)
             $$;
             comment on function typed(int, numeric, boolean, int[], jsonb, uuid, date, timestamptz, text[], json, bigint)
                 is E'HTTP\\n@logout';",
        )
        .expect("created");
        let got = call(
            r#"call_logout('typed(int, numeric, boolean, int[], jsonb, uuid, date, timestamptz, text[], json, bigint)',
               '{"a": 41, "b": "1.25", "c": false, "d": [10, 20], "e": {"k": "v"},
                 "f": "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "g": "2026-01-31",
                 "h": "2026-11-23T10:00:00Z", "i": ["x", "y\"z", null], "j": [5]}')"#,
        );
        assert_eq!(
            got.as_deref(),
            Some("{42|2.50|t|20|v|a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11|2026-02-01|2026|3|5|7}")
        );
        let bad = "select call_logout('typed(int, numeric, boolean, int[], jsonb, uuid, date, timestamptz, text[], json, bigint)',
                   '{\"a\": \"x\", \"b\": 1, \"c\": true, \"d\": [], \"e\": {}, \"f\": null, \"g\": null, \"h\": null, \"i\": null, \"j\": null}')";
        assert_eq!(sqlstate_of(bad).as_deref(), Some("22P02"));
    }

    #[pg_test]
    fn values_and_keys_cannot_inject_sql() {
        Spi::run(SEED).expect("seed");
        let evil = "'); drop table sessions; --";
        let sql = format!(
            "call_logout('smart_logout(text)', jsonb_build_object('_scheme', '{}'::text), '{{}}')",
            evil.replace('\'', "''")
        );
        assert_eq!(call(&sql), Some(format!("{{\"{evil}\"}}")));
        let sql = "select call_logout('smart_logout(text)', '{\"_scheme) => null); drop table sessions; --\": 1}', '{}')";
        assert_eq!(sqlstate_of(sql).as_deref(), Some("22023"));
        let sql = "select handle_logout('POST', '/auth/logout?_scheme=x%27);drop%20table%20sessions;--', '{}', '{}')";
        assert_eq!(
            text_of(&format!("{sql}::text")).as_deref(),
            Some("{\"x');drop table sessions;--\"}")
        );
        assert_eq!(
            text_of("select count(*)::text from sessions").as_deref(),
            Some("2")
        );
    }

    #[pg_test]
    fn the_routine_runs_as_the_caller() {
        Spi::run(SEED).expect("seed");
        Spi::run(
            "create role logout_caller;
             grant usage on schema public to logout_caller;
             revoke execute on function logout_web() from public;
             set role logout_caller",
        )
        .expect("role");
        assert_eq!(
            sqlstate_of("select call_logout('logout_web()', '{}', '{}')").as_deref(),
            Some("42501")
        );
        assert_eq!(
            call("call_logout('logout_cookie()', '{}', '{}')").as_deref(),
            Some("{Cookies}")
        );
        Spi::run("reset role").expect("reset");
    }

    #[pg_test]
    fn procedures_and_set_returning_functions() {
        Spi::run(
            "create procedure end_all(inout schemes text[] default null) language plpgsql as $$
               begin schemes := array['Cookies', 'Bearer']; end $$;
             comment on procedure end_all(text[]) is E'HTTP POST /end-all\\n@logout';
             create procedure end_none() language sql as 'select';
             comment on procedure end_none() is E'HTTP POST /end-none\\n@logout';
             create function many() returns table (a text, b text[]) language sql as
               $$ values ('Cookies', array['Bearer']), (null, array['Jwt', 'Cookies']) $$;
             comment on function many() is E'HTTP POST /many\\n@logout';",
        )
        .expect("created");
        assert_eq!(
            call("call_logout('end_all(text[])')").as_deref(),
            Some("{Cookies,Bearer}")
        );
        assert_eq!(call("call_logout('end_none()')").as_deref(), Some("{}"));
        assert_eq!(
            call("call_logout('many()')").as_deref(),
            Some("{Cookies,Bearer,Jwt}")
        );
    }

    #[pg_test]
    fn handle_logout_routes_requests() {
        Spi::run(SEED).expect("seed");
        let cases = [
            (
                "handle_logout('POST', '/auth/logout/web', '{}', '{}')",
                "{Cookies,Bearer}",
            ),
            (
                "handle_logout('post', '/AUTH/Logout/Cookie/', '{}', '{}')",
                "{Cookies}",
            ),
            ("handle_logout('POST', '/auth/logout', '{}', '{}')", "{}"),
            (
                "handle_logout('POST', '/auth/logout?_scheme=Cookies', '{}', '{}')",
                "{Cookies}",
            ),
            (
                "handle_logout('POST', '/auth/logout?scheme=Bearer', user_roles => '{}')",
                "{Bearer}",
            ),
            (
                "handle_logout('POST', '/auth/logout', '{\"_scheme\": \"Jwt\"}', '{}')",
                "{Jwt}",
            ),
            (
                "handle_logout('GET', '/open/logout/Cookies%20Web')",
                "{\"Cookies Web\"}",
            ),
            ("handle_logout('POST', '/api/signout', '{}', '{}')", "{}"),
        ];
        for (sql, expected) in cases {
            assert_eq!(call(sql).as_deref(), Some(expected), "{sql}");
        }
    }

    #[pg_test]
    fn handle_logout_errors() {
        Spi::run(SEED).expect("seed");
        let cases = [
            ("select handle_logout('POST', '/nowhere', '{}', '{}')", "42883"),
            ("select handle_logout('GET', '/auth/logout/web', '{}', '{}')", "42883"),
            ("select handle_logout('POST', '/auth/other', '{}', '{}')", "42883"),
            ("select handle_logout('POST', '/auth/logout/web')", "28000"),
            ("select handle_logout('POST', '/admin/logout', '{}', '{viewer}')", "42501"),
            ("select handle_logout('POST', '/auth/logout?_scheme=a', '{\"_scheme\": \"b\"}', '{}')", "22023"),
            ("select handle_logout('POST', '/auth/logout?_scheme=a&scheme=b', '{}', '{}')", "22023"),
            ("select handle_logout('GET', '/open/logout/a?who=b')", "22023"),
            ("select handle_logout('POST', '/auth/logout?x=%zz', '{}', '{}')", "22023"),
            ("select handle_logout(null, '/auth/logout')", "22004"),
        ];
        for (sql, expected) in cases {
            assert_eq!(sqlstate_of(sql).as_deref(), Some(expected), "{sql}");
        }
        let long = format!(
            "select handle_logout('POST', '/{}', '{{}}', '{{}}')",
            "a".repeat(1_000_000)
        );
        assert_eq!(sqlstate_of(&long).as_deref(), Some("42883"));
    }

    #[pg_test]
    fn catalog_changes_are_seen_by_the_next_call() {
        Spi::run(
            "create function bye() returns text language sql as $$select 'A'$$;
             comment on function bye() is E'HTTP POST /x\\n@logout';",
        )
        .expect("created");
        let at = |path: &str| call(&format!("handle_logout('POST', '{path}')"));
        let state_at = |path: &str| sqlstate_of(&format!("select handle_logout('POST', '{path}')"));
        assert_eq!(at("/x").as_deref(), Some("{A}"));
        assert_eq!(call("call_logout('bye()')").as_deref(), Some("{A}"));
        Spi::run("comment on function bye() is E'HTTP POST /y\\n@logout'").expect("comment");
        assert_eq!(state_at("/x").as_deref(), Some("42883"));
        assert_eq!(at("/y").as_deref(), Some("{A}"));
        Spi::run("create or replace function bye() returns text language sql as $$select 'B'$$")
            .expect("replace");
        assert_eq!(at("/y").as_deref(), Some("{B}"));
        assert_eq!(call("call_logout('bye()')").as_deref(), Some("{B}"));
        Spi::run("comment on function bye() is 'HTTP POST /y'").expect("comment");
        assert_eq!(
            sqlstate_of("select call_logout('bye()')").as_deref(),
            Some("22023")
        );
        Spi::run("comment on function bye() is E'HTTP POST /y\\n@logout'").expect("comment");
        assert_eq!(at("/y").as_deref(), Some("{B}"));
        Spi::run("set npgsqlrest_logout.url_prefix = '/v9'; comment on function bye() is E'HTTP POST\\n@logout'")
            .expect("set");
        assert_eq!(at("/v9/bye").as_deref(), Some("{B}"));
        Spi::run("drop function bye()").expect("drop");
        assert_eq!(state_at("/v9/bye").as_deref(), Some("42883"));
    }

    #[pg_test]
    fn review_findings_stay_fixed() {
        Spi::run(
            "create schema priv;
             create function priv.pl_logout() returns text language plpgsql as $$begin return 'PL'; end$$;
             comment on function priv.pl_logout() is E'HTTP POST /priv\\n@logout';
             create role outsider;
             grant usage on schema public to outsider;
             create procedure p_out(out schemes text, in who int default 1) language plpgsql
                 as $$begin schemes := 'Out' || who; end$$;
             comment on procedure p_out(int) is E'HTTP POST /p-out\\n@logout';
             create function v_sql(variadic s text[]) returns text[] language sql as 'select s';
             comment on function v_sql(text[]) is E'HTTP POST /v\\n@logout';
             create function pl_cmp(p text) returns text language plpgsql
                 as $$begin return case when p < 'B' then 'lt' else 'ge' end; end$$;
             comment on function pl_cmp(text) is E'HTTP POST /cmp\\n@logout';",
        )
        .expect("created");
        Spi::run("set role outsider").expect("role");
        assert_eq!(
            sqlstate_of("select call_logout('priv.pl_logout()')").as_deref(),
            Some("42501")
        );
        Spi::run("reset role").expect("reset");
        assert_eq!(
            call("call_logout('priv.pl_logout()')").as_deref(),
            Some("{PL}")
        );
        assert_eq!(call("call_logout('p_out(int)')").as_deref(), Some("{Out1}"));
        assert_eq!(
            call("call_logout('p_out(int)', '{\"who\": 5}')").as_deref(),
            Some("{Out5}")
        );
        assert_eq!(
            call("call_logout('v_sql(text[])', '{\"s\": [\"a\", \"b\"]}')").as_deref(),
            Some("{a,b}")
        );
        let direct = text_of("select array[pl_cmp('a')]::text");
        assert_eq!(
            call("call_logout('pl_cmp(text)', '{\"p\": \"a\"}')"),
            direct
        );
        assert_eq!(
            sqlstate_of("select npgsqlrest_logout_comment_changed()").as_deref(),
            Some("39P01")
        );
        assert_eq!(
            sqlstate_of("select resolve_logout_schemes('\"a\\u0000b\"'::json)").as_deref(),
            Some("22P05")
        );
    }
}
