//! `annotation_problems()` and `sql_file_problems()`: the linter of SPEC
//! §12. The per-comment checks are the core's (`core::lint`); this layer
//! adds what needs the catalog: the comments mode, routes, settings,
//! validation rules and `SECURITY DEFINER` routines.

use std::collections::{HashMap, HashSet};

use pgrx::prelude::*;

use super::catalog::{self, CatalogRoutine};
use super::regprocedure::RegProcedure;
use super::server_text::{ServerStr, ServerString};
use super::settings::{self, CLAIMS_JSON_PARAMETER, IP_ADDRESS_PARAMETER, PARAMETER_CLAIMS};
use super::validation_rules::rule_exists;
use crate::core::endpoint::sql_file::scan_with;
use crate::core::endpoint::{
    endpoint_of_document, parse_comment, CommentsMode, Endpoint, EndpointOptions,
};
use crate::core::grammar::annotations::{parse_with, words, Routine};
use crate::core::grammar::document::Document;
use crate::core::lint::{comment_problems, path_parameters, Problem, Severity};
use crate::core::request::server_filled::names_parameter;

type FileProblemRow = (
    Option<RegProcedure>,
    String,
    String,
    ServerString,
    Option<ServerString>,
    Option<ServerString>,
    Option<i32>,
);

/// Every problem in the annotations of the routines the current user can
/// see, ordered by routine, then severity. Parallel unsafe, as
/// `endpoints()` is: it reads the catalog under the latest snapshot.
#[pg_extern(stable, parallel_unsafe)]
fn annotation_problems() -> TableIterator<
    'static,
    (
        name!(routine, RegProcedure),
        name!(severity, String),
        name!(code, String),
        name!(message, ServerString),
        name!(line, Option<ServerString>),
        name!(hint, Option<ServerString>),
    ),
> {
    let mut tick = || {
        pgrx::check_for_interrupts!();
    };
    let url_prefix = settings::url_prefix();
    let options = EndpointOptions {
        url_prefix: &url_prefix,
        mode: settings::comments_mode().into(),
    };
    let identity = Identity::current();
    let definers = definers_without_search_path();
    let routines = catalog::listed_routines();
    let mut found: Vec<(pg_sys::Oid, Problem)> = Vec::new();
    let mut routes: HashMap<(String, String), Vec<usize>> = HashMap::new();
    for (at, routine) in routines.iter().enumerate() {
        if !routine.is_plain {
            continue;
        }
        let mut problems = Vec::new();
        let doc = parse_comment(&routine.info, &mut tick);
        problems.extend(comment_problems(&doc));
        problems.extend(unknown_rules(&doc));
        problems.extend(unknown_named_parameters(&doc, routine));
        let not_endpoint = at_logout_line(&doc, logout_not_endpoint(options.mode));
        let says_logout = doc.logout;
        let doc = match options.mode {
            CommentsMode::Ignore => Document::default(),
            _ => doc,
        };
        match endpoint_of_document(&routine.info, doc, options) {
            Err(_) if says_logout => problems.push(not_endpoint),
            Err(_) => {}
            Ok(endpoint) => {
                if says_logout && !endpoint.doc.logout {
                    problems.push(not_endpoint);
                }
                problems.extend(endpoint_problems(
                    &endpoint,
                    routine,
                    &identity,
                    definers.contains(&routine.oid),
                ));
                routes
                    .entry((endpoint.method.clone(), endpoint.path.clone()))
                    .or_default()
                    .push(at);
            }
        }
        found.extend(problems.into_iter().map(|p| (routine.oid, p)));
    }
    for ((method, path), ats) in routes.iter().filter(|(_, ats)| ats.len() > 1) {
        for at in ats {
            let others: Vec<&str> = ats
                .iter()
                .filter(|o| *o != at)
                .map(|o| routines[*o].info.signature.as_str())
                .collect();
            let problem = Problem::new(
                Severity::Error,
                "ambiguous_route",
                format!("{method} {path} is also the route of {}", others.join(", ")),
            )
            .hint("Give each endpoint its own method and path (an HTTP or path line).".into());
            found.push((routines[*at].oid, problem));
        }
    }
    found.sort_by(|(a, p), (b, q)| (a.to_u32(), p.severity).cmp(&(b.to_u32(), q.severity)));
    TableIterator::new(found.into_iter().map(|(oid, p)| {
        (
            RegProcedure(oid),
            p.severity.as_str().to_string(),
            p.code.to_string(),
            ServerString(p.message),
            p.line.map(ServerString),
            p.hint.map(ServerString),
        )
    }))
}

/// The problems of one `.sql` file's comments, with the file line each is
/// about.
#[pg_extern(stable, parallel_safe)]
fn sql_file_problems(
    content: Option<ServerStr>,
    file_name: default!(Option<ServerStr>, "NULL"),
) -> TableIterator<
    'static,
    (
        name!(routine, Option<RegProcedure>),
        name!(severity, String),
        name!(code, String),
        name!(message, ServerString),
        name!(line, Option<ServerString>),
        name!(hint, Option<ServerString>),
        name!(line_number, Option<i32>),
    ),
> {
    let _ = file_name;
    let mut tick = || {
        pgrx::check_for_interrupts!();
    };
    let content = content.as_ref().map_or("", ServerStr::as_str);
    let file = scan_with(content, &mut tick);
    let doc = parse_with(&file.comment, Routine::default(), &mut tick);
    let mut problems = comment_problems(&doc);
    problems.extend(unknown_rules(&doc));
    let mode = settings::comments_mode().into();
    let needs_http = matches!(
        mode,
        CommentsMode::OnlyWithHttpTag | CommentsMode::OnlyAnnotated
    );
    if doc.logout && ((needs_http && !doc.http) || doc.disabled || mode == CommentsMode::Ignore) {
        problems.push(at_logout_line(&doc, logout_not_endpoint(mode)));
    }
    if doc.logout && !doc.requires_authorization && doc.authorize_roles.is_empty() {
        problems.push(at_logout_line(&doc, anonymous_logout()));
    }
    problems.sort_by_key(|p| p.severity);
    let rows: Vec<FileProblemRow> = problems
        .into_iter()
        .map(|p| {
            let number = p.line.as_deref().and_then(|l| line_number(content, l));
            (
                None,
                p.severity.as_str().to_string(),
                p.code.to_string(),
                ServerString(p.message),
                p.line.map(ServerString),
                p.hint.map(ServerString),
                number,
            )
        })
        .collect();
    TableIterator::new(rows)
}

/// The first line of the file (counting from 1) that holds `text`.
fn line_number(content: &str, text: &str) -> Option<i32> {
    content
        .split('\n')
        .position(|l| l.contains(text))
        .and_then(|i| i32::try_from(i + 1).ok())
}

/// The names the server fills when user parameters are on.
struct Identity {
    use_user_parameters: bool,
    parameter_claims: std::rc::Rc<[(String, String)]>,
    claims_json_parameter: String,
    ip_address_parameter: String,
}

impl Identity {
    fn current() -> Identity {
        Identity {
            use_user_parameters: settings::use_user_parameters(),
            parameter_claims: settings::mapping(&PARAMETER_CLAIMS),
            claims_json_parameter: CLAIMS_JSON_PARAMETER.get(),
            ip_address_parameter: IP_ADDRESS_PARAMETER.get(),
        }
    }

    /// Whether the server would fill `parameter` if user parameters were on.
    fn names(&self, parameter: &str) -> bool {
        self.parameter_claims
            .iter()
            .any(|(p, _)| names_parameter(parameter, p))
            || names_parameter(parameter, &self.claims_json_parameter)
            || names_parameter(parameter, &self.ip_address_parameter)
    }
}

fn logout_not_endpoint(mode: CommentsMode) -> Problem {
    let (message, hint) = match mode {
        CommentsMode::Ignore => (
            "@logout has no effect: comments_mode Ignore does not read comments",
            "Set npgsqlrest_logout.comments_mode to OnlyWithHttpTag (or ParseAll).",
        ),
        _ => (
            "@logout has no effect: the comments mode does not make this an endpoint",
            "Add an HTTP line (e.g. HTTP POST /auth/logout), and no disabled line that applies.",
        ),
    };
    Problem::new(Severity::Error, "logout_not_endpoint", message.into()).hint(hint.into())
}

fn anonymous_logout() -> Problem {
    Problem::new(
        Severity::Info,
        "anonymous_logout",
        "a logout endpoint that does not require authorization".into(),
    )
    .hint("Add @authorize unless anonymous callers may call it.".into())
}

/// `validate` rules missing from `validation_rules` (read only when a
/// comment validates something).
fn unknown_rules(doc: &Document) -> Vec<Problem> {
    doc.validations
        .iter()
        .filter(|(_, rule)| !rule_exists(rule))
        .map(|(parameter, rule)| {
            let problem = Problem::new(
                Severity::Error,
                "unknown_validation_rule",
                format!("validation rule \"{rule}\" (for {parameter}) does not exist"),
            )
            .hint("Add it to validation_rules, or correct the validate line.".into());
            let line = doc
                .annotations
                .iter()
                .find(|a| a.name == "validate" && words(a.text).contains(&rule.as_str()));
            match line {
                Some(line) => problem.line(line.text),
                None => problem,
            }
        })
        .collect()
}

/// The problem about the `@logout` line, when the document has one.
fn at_logout_line(doc: &Document, problem: Problem) -> Problem {
    match doc.annotations.iter().find(|a| a.name == "logout") {
        Some(line) => problem.line(line.text),
        None => problem,
    }
}

/// Values naming parameters of a routine that has none (the parser checks
/// names only against a routine with parameters).
fn unknown_named_parameters(doc: &Document, routine: &CatalogRoutine) -> Vec<Problem> {
    if !routine.info.parameters.is_empty() {
        return Vec::new();
    }
    let mut named: Vec<&str> = doc.validations.iter().map(|(p, _)| p.as_str()).collect();
    for key in ["cached", "encrypt", "decrypt"] {
        if let Some(serde_json::Value::Array(names)) = doc.settings.get(key) {
            named.extend(names.iter().filter_map(|n| n.as_str()));
        }
    }
    named
        .into_iter()
        .map(|name| {
            Problem::new(
                Severity::Warning,
                "unknown_parameter",
                format!("\"{name}\" is not a parameter of the routine (it has none)"),
            )
        })
        .collect()
}

/// The checks of one endpoint: path template parameters, definer
/// rights, and for logout endpoints anonymous access and client-chosen
/// identity.
fn endpoint_problems(
    endpoint: &Endpoint,
    routine: &CatalogRoutine,
    identity: &Identity,
    definer_without_search_path: bool,
) -> Vec<Problem> {
    let mut problems = Vec::new();
    let parameters = &routine.info.parameters;
    let is_parameter = |name: &str| {
        parameters
            .iter()
            .any(|p| p.name.as_deref().is_some_and(|n| names_parameter(n, name)))
    };
    for name in path_parameters(&endpoint.path).filter(|n| !is_parameter(n)) {
        problems.push(
            Problem::new(
                Severity::Warning,
                "unknown_parameter",
                format!("path segment {{{name}}} names no parameter of the routine"),
            )
            .hint("Name a parameter (or its camelCase form) in each {…} segment.".into()),
        );
    }
    if definer_without_search_path {
        problems.push(
            Problem::new(
                Severity::Warning,
                "definer_without_search_path",
                "a SECURITY DEFINER endpoint without its own search_path".into(),
            )
            .hint("ALTER FUNCTION … SET search_path = pg_catalog, <schemas>, so callers cannot shadow its names.".into()),
        );
    }
    if !endpoint.doc.logout {
        return problems;
    }
    if !endpoint.doc.requires_authorization && endpoint.doc.authorize_roles.is_empty() {
        problems.push(at_logout_line(&endpoint.doc, anonymous_logout()));
    }
    let options = endpoint.request_options();
    let user_parameters = options
        .user_parameters
        .unwrap_or(identity.use_user_parameters);
    if !user_parameters {
        let resolved = |name: &str| options.resolved.iter().any(|(r, _)| r == name);
        for name in parameters.iter().filter_map(|p| p.name.as_deref()) {
            if identity.names(name) && !resolved(name) {
                problems.push(
                    Problem::new(
                        Severity::Error,
                        "client_sets_identity",
                        format!("parameter {name} is taken from the client: user_parameters is off for this logout endpoint"),
                    )
                    .hint("Add @user_parameters to the comment (or set npgsqlrest_logout.use_user_parameters = on), so the server fills it from the caller's claims.".into()),
                );
            }
        }
    }
    problems
}

const DEFINERS_SQL: &str = "
select p.oid from pg_catalog.pg_proc p
 where p.prosecdef
   and not exists (select from pg_catalog.unnest(p.proconfig) c
                    where pg_catalog.starts_with(c, 'search_path='))";

/// `SECURITY DEFINER` routines without a `search_path` setting of their own.
fn definers_without_search_path() -> HashSet<pg_sys::Oid> {
    Spi::connect(|client| {
        let mut found = HashSet::new();
        for row in client.select(DEFINERS_SQL, None, &[])? {
            if let Some(oid) = row.get::<pg_sys::Oid>(1)? {
                found.insert(oid);
            }
        }
        Ok::<_, pgrx::spi::Error>(found)
    })
    .unwrap_or_default()
}

#[cfg(any(test, feature = "pg_test"))]
#[pg_schema]
mod tests {
    use crate::api::test_support::text_of;
    use pgrx::prelude::*;

    /// `name:code` of every problem, sorted.
    fn problems() -> String {
        text_of(
            "select string_agg(p.proname || ':' || a.code, ' ' order by p.proname, a.code)
             from annotation_problems() a join pg_proc p on p.oid = a.routine",
        )
        .unwrap_or_default()
    }

    #[pg_test]
    fn every_code() {
        Spi::run(
            "create function lo_typo() returns text language sql as $$select 'A'$$;
             comment on function lo_typo() is E'Signs out.\\nHTTP POST /typo\\n@logut';
             create function lo_nohttp() returns text language sql as $$select 'A'$$;
             comment on function lo_nohttp() is E'@logout\\n@authorize';
             create function amb1() returns text language sql as $$select 'A'$$;
             comment on function amb1() is E'HTTP POST /same\\n@logout\\n@authorize';
             create function amb2() returns text language sql as $$select 'A'$$;
             comment on function amb2() is E'HTTP POST /same\\nlogout\\nauthorize';
             create function who_lo(_user_id int) returns text language sql as $$select 'A'$$;
             comment on function who_lo(int) is E'HTTP POST /who\\n@logout\\n@authorize';
             create function who_ok(_user_id int) returns text language sql as $$select 'A'$$;
             comment on function who_ok(int) is E'HTTP POST /who-ok\\n@logout\\n@authorize\\n@user_parameters';
             create function val_lo(_email text) returns text language sql as $$select 'A'$$;
             comment on function val_lo(text) is E'HTTP POST /val\\n@logout\\n@authorize\\nvalidate _email using nope\\nvalidate _mail using email\\nbuffer_rows abc';
             create function open_lo() returns text language sql as $$select 'A'$$;
             comment on function open_lo() is E'HTTP POST /open\\n@logout';
             create function def_lo() returns text language sql security definer as $$select 'A'$$;
             comment on function def_lo() is E'HTTP POST /def\\n@logout\\n@authorize';
             create function def_ok() returns text language sql security definer set search_path = pg_catalog as $$select 'A'$$;
             comment on function def_ok() is E'HTTP POST /def-ok\\n@logout\\n@authorize';
             create function tpl_lo(a int) returns text language sql as $$select 'A'$$;
             comment on function tpl_lo(int) is E'HTTP POST /tpl/{b}/{a}\\n@logout\\n@authorize';
             create function zero_lo() returns text language sql as $$select 'A'$$;
             comment on function zero_lo() is E'HTTP POST /zero\\n@logout\\n@authorize\\nvalidate _x using required';",
        )
        .expect("created");
        assert_eq!(
            problems(),
            "amb1:ambiguous_route amb2:ambiguous_route def_lo:definer_without_search_path \
             lo_nohttp:logout_not_endpoint lo_typo:unknown_annotation open_lo:anonymous_logout \
             tpl_lo:unknown_parameter val_lo:ignored_value val_lo:unknown_parameter \
             val_lo:unknown_validation_rule who_lo:client_sets_identity zero_lo:unknown_parameter"
        );
        assert_eq!(
            text_of("select hint from annotation_problems() where code = 'unknown_annotation'")
                .as_deref(),
            Some("did you mean @logout?")
        );
        assert_eq!(
            text_of("select string_agg(severity, ',' order by severity) from annotation_problems() where routine = 'val_lo(text)'::regprocedure").as_deref(),
            Some("error,warning,warning")
        );
        Spi::run("set local npgsqlrest_logout.use_user_parameters = on").expect("set");
        assert!(!problems().contains("client_sets_identity"));
        Spi::run("set local npgsqlrest_logout.comments_mode = 'Ignore'").expect("set");
        assert!(problems().contains("amb1:logout_not_endpoint"));
    }

    #[pg_test]
    fn hidden_routines_are_not_listed_and_any_comment_is_taken() {
        Spi::run(
            "create schema hidden;
             create function hidden.h() returns text language sql as $$select 'A'$$;
             comment on function hidden.h() is E'HTTP POST /h\\n@logut';
             create role lint_user;
             grant usage on schema public to lint_user;",
        )
        .expect("created");
        let hidden = text_of(
            "select count(*)::text from annotation_problems() where routine::text like 'hidden.%'",
        );
        assert_eq!(hidden.as_deref(), Some("1"));
        Spi::run("set local role lint_user").expect("role");
        assert_eq!(
            text_of("select count(*)::text from annotation_problems() where routine::text like 'hidden.%'").as_deref(),
            Some("0")
        );
        Spi::run("reset role").expect("reset");
        // Any comment the parser takes, the linter takes.
        Spi::run(
            "create function huge() returns text language sql as $$select 'A'$$;
             select pg_catalog.set_config('x.c', repeat(E'@x\\n', 100000) || repeat('a', 1000000), true);
             do $$ begin execute format('comment on function huge() is %L', current_setting('x.c')); end $$;",
        )
        .expect("huge");
        assert_eq!(
            text_of("select count(*)::text from annotation_problems() where routine = 'huge()'::regprocedure").as_deref(),
            Some("100000")
        );
    }
}
