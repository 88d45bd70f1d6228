//! `routine_endpoint`, `endpoints()` and the view `logout_endpoints`: the
//! endpoints NpgsqlRest would create, read from the catalog.

use std::rc::Rc;

use super::endpoint_cache::{self, EndpointColumns, EndpointRow, HeldColumns, RowColumns};
use super::jsonb_out::{FastJsonB, StoredJsonB};
use super::shared_endpoints::{self, RowKey};
use pgrx::prelude::*;

use super::catalog::{self, CatalogRoutine};
use super::regprocedure::RegProcedure;
use super::server_text::ServerString;
use super::settings;
use super::text_array::{TextArray, TextArrayColumn};
use crate::core::endpoint::{endpoint, Endpoint, EndpointOptions};

/// The settings endpoints are made under, read once for many routines.
pub struct EndpointSettings {
    url_prefix: String,
    mode: settings::CommentsMode,
}

impl std::hash::Hash for EndpointSettings {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.url_prefix.hash(state);
        crate::core::endpoint::CommentsMode::from(self.mode).hash(state);
    }
}

impl EndpointSettings {
    pub fn current() -> Self {
        EndpointSettings {
            url_prefix: settings::url_prefix(),
            mode: settings::comments_mode(),
        }
    }

    /// The endpoint of one catalog routine, or None.
    pub fn endpoint_of<'r>(&self, routine: &'r CatalogRoutine) -> Option<Endpoint<'r>> {
        if !routine.is_plain {
            return None;
        }
        let options = EndpointOptions {
            url_prefix: &self.url_prefix,
            mode: self.mode.into(),
        };
        endpoint(&routine.info, options, &mut || {
            pgrx::check_for_interrupts!();
        })
    }
}

/// The endpoint NpgsqlRest would create for `routine`, or NULL.
///
/// Parallel unsafe, as are `endpoints()` and `annotation_problems()`: they
/// read the catalog under the latest snapshot, which PostgreSQL refuses
/// while a parallel query runs, in a worker and in the leader alike.
#[pg_extern(stable, parallel_unsafe)]
fn routine_endpoint(routine: RegProcedure) -> Option<FastJsonB> {
    let routine = catalog::routine(routine.0)?;
    EndpointSettings::current()
        .endpoint_of(&routine)
        .map(|e| FastJsonB::new(&e.to_json(&routine.info)))
}

/// One `endpoints()` row, as it is returned.
type Row = (
    RegProcedure,
    ServerString,
    ServerString,
    ServerString,
    ServerString,
    ServerString,
    bool,
    TextArrayColumn,
    bool,
    bool,
    bool,
    StoredJsonB,
);

/// Every endpoint in the database visible to the current user, ordered by
/// path, then method. The catalog is read on every call; each routine's row
/// is built once per backend, or once per server when rows are shared
/// (`shared_endpoints_memory`), and built again when its comment or the
/// routine changes.
// The row type must be written out for pgrx to derive the SQL signature.
#[allow(clippy::type_complexity)]
#[pg_extern(stable, parallel_unsafe)]
fn endpoints() -> TableIterator<
    'static,
    (
        name!(routine, RegProcedure),
        name!(schema, ServerString),
        name!(name, ServerString),
        name!(method, ServerString),
        name!(path, ServerString),
        name!(request_param_type, ServerString),
        name!(requires_authorization, bool),
        name!(authorize_roles, TextArrayColumn),
        name!(allow_anonymous, bool),
        name!(login, bool),
        name!(logout, bool),
        name!(endpoint, StoredJsonB),
    ),
> {
    let rows = if endpoint_cache::has_rows() {
        let keys = catalog::listed_keys(endpoint_cache::comment_key);
        endpoint_cache::endpoint_rows(&keys, |oids| build_rows(catalog::routines(oids)))
    } else {
        endpoint_cache::keep_rows(|| build_rows(catalog::listed_routines_read()))
    };
    // By path and method, and routines that share both by OID, whichever
    // order the catalog gave them in. A held row is sorted by its own
    // columns; a shared one by its path and method read once here (one
    // text, split after the path). A shared row dropped for room since it
    // was found is built again.
    let mut sorted: Vec<(Option<(Box<str>, usize)>, EndpointColumns)> = rows
        .into_iter()
        .filter_map(|mut r| {
            let RowColumns::Shared(key) = &r.columns else {
                return Some((None, r));
            };
            let order = |p: &RowParts| ([p.path, p.method].concat().into(), p.path.len());
            match shared_endpoints::read(*key, |bytes| {
                RowParts::decode(bytes).flatten().as_ref().map(order)
            })
            .flatten()
            {
                Some(order) => Some((Some(order), r)),
                None => {
                    r.columns = RowColumns::Here(build_again(r.oid)?);
                    Some((None, r))
                }
            }
        })
        .collect();
    sorted.sort_by(|a, b| sort_order(a).cmp(&sort_order(b)));
    TableIterator::new(sorted.into_iter().filter_map(|(_, r)| {
        match &r.columns {
            RowColumns::Here(c) => Some(output(r.oid, &c.parts())),
            RowColumns::Shared(key) => shared_endpoints::read(*key, |bytes| {
                RowParts::decode(bytes).flatten().map(|p| output(r.oid, &p))
            })
            .flatten()
            .or_else(|| Some(output(r.oid, &build_again(r.oid)?.parts()))),
        }
    }))
}

/// What a row is sorted by: its path, its method, its routine's OID.
fn sort_order(row: &(Option<(Box<str>, usize)>, EndpointColumns)) -> (&str, &str, u32) {
    let (key, r) = row;
    let (path, method) = match (key, &r.columns) {
        (Some((order, path_len)), _) => order.split_at_checked(*path_len).unwrap_or((order, "")),
        (None, RowColumns::Here(c)) => (c.summary.path.as_str(), c.summary.method.as_str()),
        (None, RowColumns::Shared(_)) => ("", ""),
    };
    (path, method, r.oid.to_u32())
}

/// The columns of a routine whose shared row was dropped for room, built
/// and shared again; None when it is no longer an endpoint.
fn build_again(oid: pg_sys::Oid) -> Option<Rc<HeldColumns>> {
    let routine = catalog::routine(oid)?;
    let settings = EndpointSettings::current();
    let held = held_columns(&settings, &routine)?;
    if let Some(key) = shared_key(&settings, &routine) {
        share(key, Some(&held));
    }
    Some(Rc::new(held))
}

/// A row's columns, borrowed from where they are kept.
struct RowParts<'a> {
    schema: &'a str,
    name: &'a str,
    method: &'a str,
    path: &'a str,
    request_param_type: &'a str,
    requires_authorization: bool,
    allow_anonymous: bool,
    login: bool,
    logout: bool,
    roles: Vec<&'a str>,
    endpoint: &'a [u8],
}

/// Flags of a shared entry's first byte.
const IS_ENDPOINT: u8 = 1;
const REQUIRES_AUTHORIZATION: u8 = 2;
const ALLOW_ANONYMOUS: u8 = 4;
const LOGIN: u8 = 8;
const LOGOUT: u8 = 16;

impl RowParts<'_> {
    /// A shared entry: a flags byte; when an endpoint, the texts (each a
    /// 32-bit length and the bytes), the roles' count and each role, then
    /// the jsonb varlena. A routine that is no endpoint is the byte 0.
    fn encode(parts: Option<&RowParts>) -> Vec<u8> {
        let Some(p) = parts else {
            return vec![0];
        };
        let mut bytes = Vec::with_capacity(p.endpoint.len() + 128);
        let flags = [
            (true, IS_ENDPOINT),
            (p.requires_authorization, REQUIRES_AUTHORIZATION),
            (p.allow_anonymous, ALLOW_ANONYMOUS),
            (p.login, LOGIN),
            (p.logout, LOGOUT),
        ];
        bytes.push(flags.iter().filter(|f| f.0).fold(0, |all, f| all | f.1));
        let text = |bytes: &mut Vec<u8>, s: &[u8]| {
            bytes.extend_from_slice(&(s.len() as u32).to_le_bytes());
            bytes.extend_from_slice(s);
        };
        for s in [p.schema, p.name, p.method, p.path, p.request_param_type] {
            text(&mut bytes, s.as_bytes());
        }
        bytes.extend_from_slice(&(p.roles.len() as u32).to_le_bytes());
        for role in &p.roles {
            text(&mut bytes, role.as_bytes());
        }
        bytes.extend_from_slice(p.endpoint);
        bytes
    }

    /// The parts of an entry: Some(None) for a routine that is no
    /// endpoint; None for bytes that are not an entry.
    fn decode(bytes: &[u8]) -> Option<Option<RowParts<'_>>> {
        let (&flags, mut rest) = bytes.split_first()?;
        if flags & IS_ENDPOINT == 0 {
            return Some(None);
        }
        let [schema, name, method, path, request_param_type] =
            [(); 5].map(|_| take_text(&mut rest));
        let count = take_number(&mut rest)?;
        let mut roles = Vec::with_capacity(count.min(rest.len() / 4));
        for _ in 0..count {
            roles.push(take_text(&mut rest)?);
        }
        Some(Some(RowParts {
            schema: schema?,
            name: name?,
            method: method?,
            path: path?,
            request_param_type: request_param_type?,
            requires_authorization: flags & REQUIRES_AUTHORIZATION != 0,
            allow_anonymous: flags & ALLOW_ANONYMOUS != 0,
            login: flags & LOGIN != 0,
            logout: flags & LOGOUT != 0,
            roles,
            endpoint: rest,
        }))
    }
}

/// A 32-bit length from the front of `rest`.
fn take_number(rest: &mut &[u8]) -> Option<usize> {
    let (n, after) = rest.split_first_chunk::<4>()?;
    *rest = after;
    Some(u32::from_le_bytes(*n) as usize)
}

/// A text (its length, then its bytes) from the front of `rest`.
fn take_text<'a>(rest: &mut &'a [u8]) -> Option<&'a str> {
    let len = take_number(rest)?;
    let (s, after) = rest.split_at_checked(len)?;
    *rest = after;
    std::str::from_utf8(s).ok()
}

impl HeldColumns {
    fn parts(&self) -> RowParts<'_> {
        let e = &self.summary;
        RowParts {
            schema: &self.schema,
            name: &self.name,
            method: &e.method,
            path: &e.path,
            request_param_type: e.request_param_type,
            requires_authorization: e.requires_authorization,
            allow_anonymous: e.allow_anonymous,
            login: e.login,
            logout: e.logout,
            roles: e.authorize_roles.iter().map(String::as_str).collect(),
            endpoint: &self.endpoint.0,
        }
    }
}

/// The row returned for `parts`.
fn output(oid: pg_sys::Oid, p: &RowParts) -> Row {
    (
        RegProcedure(oid),
        ServerString(p.schema.to_owned()),
        ServerString(p.name.to_owned()),
        ServerString(p.method.to_owned()),
        ServerString(p.path.to_owned()),
        ServerString(p.request_param_type.to_owned()),
        p.requires_authorization,
        TextArrayColumn(TextArray::new(p.roles.iter().copied())),
        p.allow_anonymous,
        p.login,
        p.logout,
        StoredJsonB(p.endpoint.into()),
    )
}

/// The columns of `routine`'s row, or None when it is no endpoint.
fn held_columns(settings: &EndpointSettings, routine: &CatalogRoutine) -> Option<HeldColumns> {
    settings.endpoint_of(routine).map(|e| HeldColumns {
        schema: routine.info.schema.clone(),
        name: routine.info.name.clone(),
        summary: e.summary(),
        endpoint: StoredJsonB::new(&e.to_json(&routine.info)),
    })
}

/// The key of `routine`'s shared entry: everything its row is made of.
fn shared_key(settings: &EndpointSettings, routine: &CatalogRoutine) -> Option<RowKey> {
    // SAFETY: reads the database's encoding, set at connection.
    let encoding = unsafe { pg_sys::GetDatabaseEncoding() };
    shared_endpoints::key_of(&(settings, routine.is_plain, &routine.info, encoding))
}

/// Adds a row (`held`, None for no endpoint) to shared memory under
/// `key`; false when it is not kept.
fn share(key: RowKey, held: Option<&HeldColumns>) -> bool {
    shared_endpoints::add(
        key,
        &RowParts::encode(held.map(HeldColumns::parts).as_ref()),
    )
}

/// `routine`'s row: from shared memory when rows are shared (built and
/// added when missing), else built and held here.
fn row_columns(settings: &EndpointSettings, routine: &CatalogRoutine) -> Option<RowColumns> {
    let Some(key) = shared_key(settings, routine) else {
        return held_columns(settings, routine).map(|c| RowColumns::Here(Rc::new(c)));
    };
    let shared = shared_endpoints::read(key, |bytes| RowParts::decode(bytes).map(|p| p.is_some()));
    match shared.flatten() {
        Some(is_endpoint) => is_endpoint.then_some(RowColumns::Shared(key)),
        None => {
            let held = held_columns(settings, routine);
            match share(key, held.as_ref()) {
                true => held.map(|_| RowColumns::Shared(key)),
                false => held.map(|c| RowColumns::Here(Rc::new(c))),
            }
        }
    }
}

/// Builds the rows of routines read from the catalog.
fn build_rows(routines: Vec<CatalogRoutine>) -> Vec<(pg_sys::Oid, EndpointRow)> {
    let settings = EndpointSettings::current();
    routines
        .into_iter()
        .map(|routine| {
            let row = row_columns(&settings, &routine).map(|columns| EndpointColumns {
                oid: routine.oid,
                in_search_path: routine.in_search_path,
                columns,
            });
            let comment =
                endpoint_cache::comment_key(routine.info.comment.as_deref().map(str::as_bytes));
            (routine.oid, EndpointRow { comment, row })
        })
        .collect()
}

extension_sql!(
    r#"
CREATE VIEW logout_endpoints AS
    SELECT * FROM @extschema@.endpoints() WHERE logout;
COMMENT ON VIEW logout_endpoints IS 'The endpoints marked @logout (alias signout).';
"#,
    name = "logout_endpoints",
    requires = [endpoints],
);

#[cfg(any(test, feature = "pg_test"))]
#[pg_schema]
mod tests {
    use crate::api::test_support::text_of;
    use pgrx::prelude::*;

    #[test]
    fn a_shared_entry_reads_back_as_written_and_a_cut_one_not_at_all() {
        let jsonb = [1u8, 2, 3, 4, 5, 6, 7, 8];
        let written = super::RowParts {
            schema: "auth",
            name: "full_logout",
            method: "POST",
            path: "/api/auth/full-logout",
            request_param_type: "body_json",
            requires_authorization: true,
            allow_anonymous: false,
            login: false,
            logout: true,
            roles: vec!["admin", "ünïcode"],
            endpoint: &jsonb,
        };
        let bytes = super::RowParts::encode(Some(&written));
        let read = super::RowParts::decode(&bytes)
            .flatten()
            .expect("an endpoint");
        let fields = |p: &super::RowParts| {
            (
                [p.schema, p.name, p.method, p.path, p.request_param_type].map(String::from),
                [
                    p.requires_authorization,
                    p.allow_anonymous,
                    p.login,
                    p.logout,
                ],
                p.roles.iter().map(|r| r.to_string()).collect::<Vec<_>>(),
                p.endpoint.to_vec(),
            )
        };
        assert_eq!(fields(&read), fields(&written));
        // No endpoint: one byte.
        let none = super::RowParts::encode(None);
        assert!(matches!(super::RowParts::decode(&none), Some(None)));
        // Cut anywhere before the jsonb, an entry is not read.
        let jsonb_start = bytes.len() - jsonb.len();
        for cut in 0..jsonb_start {
            assert!(
                super::RowParts::decode(&bytes[..cut]).flatten().is_none(),
                "cut at {cut}"
            );
        }
    }

    fn field(routine: &str, key: &str) -> Option<String> {
        text_of(&format!("select routine_endpoint('{routine}') ->> '{key}'"))
    }

    fn endpoint_exists(routine: &str) -> bool {
        Spi::get_one::<bool>(&format!("select routine_endpoint('{routine}') is not null"))
            == Ok(Some(true))
    }

    #[pg_test]
    fn defaults_follow_schema_name_and_volatility() {
        Spi::run(
            "create schema auth;
             create function public.logout_cookie() returns text language sql as $$select 'Cookies'$$;
             create function auth.full_logout() returns void language sql as 'select';
             create function public.get_sessions() returns int language sql as 'select 1';
             create function public.session_count() returns int stable language sql as 'select 1';
             create procedure auth.end_session(p_id int, p_reason text default null) language sql as 'select';
             set npgsqlrest_logout.comments_mode = 'ParseAll'",
        )
        .expect("routines are created");
        let cases = [
            ("logout_cookie()", "path", "/api/logout-cookie"),
            ("logout_cookie()", "method", "POST"),
            ("logout_cookie()", "request_param_type", "body_json"),
            ("logout_cookie()", "kind", "function"),
            ("auth.full_logout()", "path", "/api/auth/full-logout"),
            ("auth.full_logout()", "returns_void", "true"),
            ("get_sessions()", "method", "GET"),
            ("get_sessions()", "request_param_type", "query_string"),
            ("session_count()", "method", "GET"),
            ("session_count()", "volatility", "stable"),
            ("auth.end_session(int, text)", "kind", "procedure"),
            (
                "auth.end_session(int, text)",
                "routine",
                "auth.end_session(integer,text)",
            ),
        ];
        for (routine, key, expected) in cases {
            assert_eq!(
                field(routine, key).as_deref(),
                Some(expected),
                "{routine} {key}"
            );
        }
        let params =
            text_of("select routine_endpoint('auth.end_session(int, text)') ->> 'parameters'");
        assert_eq!(
            params.as_deref(),
            Some(
                r#"[{"name": "p_id", "type": "integer", "has_default": false}, {"name": "p_reason", "type": "text", "has_default": true}]"#
            )
        );
        Spi::run("set npgsqlrest_logout.url_prefix = ''").expect("set");
        assert_eq!(
            field("logout_cookie()", "path").as_deref(),
            Some("/logout-cookie")
        );
    }

    #[pg_test]
    fn comments_modes_decide_what_is_an_endpoint() {
        Spi::run(
            "create function plain() returns int language sql as 'select 1';
             create function annotated() returns int language sql as 'select 1';
             comment on function annotated() is E'HTTP GET /x\\n@logout';
             create function switched_off() returns int language sql as 'select 1';
             comment on function switched_off() is E'HTTP\\ndisabled';",
        )
        .expect("routines are created");
        let cases = [
            ("Ignore", [true, true, true]),
            ("ParseAll", [true, true, false]),
            ("OnlyWithHttpTag", [false, true, false]),
            ("OnlyAnnotated", [false, true, false]),
        ];
        for (mode, expected) in cases {
            Spi::run(&format!("set npgsqlrest_logout.comments_mode = '{mode}'")).expect("set");
            let got = ["plain()", "annotated()", "switched_off()"].map(endpoint_exists);
            assert_eq!(got, expected, "mode {mode}");
        }
        Spi::run("set npgsqlrest_logout.comments_mode = 'Ignore'").expect("set");
        assert_eq!(field("annotated()", "logout").as_deref(), Some("false"));
        assert_eq!(
            field("annotated()", "path").as_deref(),
            Some("/api/annotated")
        );
    }

    #[pg_test]
    fn tags_are_kind_and_volatility() {
        Spi::run(
            "create function v() returns int language sql as 'select 1';
             create function s() returns int stable language sql as 'select 1';
             create procedure p() language sql as 'select';
             comment on function v() is E'for stable\\nHTTP GET\\nfor volatile\\nHTTP POST /v';
             comment on function s() is E'for stable\\nHTTP GET\\nfor volatile\\nHTTP POST /v';
             comment on procedure p() is E'HTTP\\ndisabled procedure';",
        )
        .expect("routines are created");
        assert_eq!(field("v()", "method").as_deref(), Some("POST"));
        assert_eq!(field("v()", "path").as_deref(), Some("/v"));
        assert_eq!(field("s()", "method").as_deref(), Some("GET"));
        assert!(!endpoint_exists("p()"));
    }

    #[pg_test]
    fn overloads_are_separate_endpoints() {
        Spi::run(
            "create function sign_out(a int) returns text language sql as 'select null';
             create function sign_out(a text) returns text language sql as 'select a';
             comment on function sign_out(int) is E'HTTP POST /a\\n@logout';
             comment on function sign_out(text) is E'HTTP POST /b';",
        )
        .expect("routines are created");
        assert_eq!(field("sign_out(int)", "path").as_deref(), Some("/a"));
        assert_eq!(field("sign_out(text)", "path").as_deref(), Some("/b"));
        let logouts = text_of(
            "select string_agg(routine::text, ',') from logout_endpoints where name = 'sign_out'",
        );
        assert_eq!(logouts.as_deref(), Some("sign_out(integer)"));
    }

    #[pg_test]
    fn resolved_parameters_and_routine_keys() {
        Spi::run(
            "create function smart_logout(_scheme text default null) returns text language sql as 'select _scheme';
             comment on function smart_logout(text) is E'HTTP POST /auth/logout\\n_scheme = Cookies\\naudit = yes';",
        )
        .expect("routine is created");
        let got =
            text_of("select routine_endpoint('smart_logout(text)') ->> 'resolved_parameters'");
        assert_eq!(got.as_deref(), Some(r#"{"_scheme": "Cookies"}"#));
        let got = text_of("select routine_endpoint('smart_logout(text)') ->> 'custom_parameters'");
        assert_eq!(got.as_deref(), Some(r#"{"audit": "yes"}"#));
    }

    #[pg_test]
    fn aggregates_window_and_trigger_functions_are_not_endpoints() {
        Spi::run(
            "create function t() returns trigger language plpgsql as 'begin return new; end';
             comment on function t() is 'HTTP';
             create aggregate agg(int) (sfunc = int4pl, stype = int);
             comment on aggregate agg(int) is 'HTTP';
             set npgsqlrest_logout.comments_mode = 'Ignore'",
        )
        .expect("routines are created");
        assert!(!endpoint_exists("t()"));
        assert!(!endpoint_exists("agg(int)"));
        assert!(!endpoint_exists("pg_catalog.row_number()"));
        let listed = text_of("select count(*)::text from endpoints() where name in ('t', 'agg', 'row_number', 'now')");
        assert_eq!(listed.as_deref(), Some("0"));
    }

    #[pg_test]
    fn endpoints_skip_schemas_without_usage_and_the_extension() {
        Spi::run(
            "create schema hidden;
             create function hidden.f() returns int language sql as 'select 1';
             comment on function hidden.f() is 'HTTP';
             create function public.g() returns int language sql as 'select 1';
             comment on function public.g() is 'HTTP';
             create role endpoint_reader;
             grant usage on schema public to endpoint_reader;
             set npgsqlrest_logout.comments_mode = 'Ignore'",
        )
        .expect("created");
        let own = text_of("select count(*)::text from endpoints() where name in ('parse_annotations', 'endpoints')");
        assert_eq!(own.as_deref(), Some("0"));
        Spi::run("set role endpoint_reader").expect("role switched");
        let seen = text_of("select string_agg(schema || '.' || name, ',' order by name) from endpoints() where name in ('f', 'g')");
        assert_eq!(seen.as_deref(), Some("public.g"));
        Spi::run("reset role").expect("role reset");
    }

    #[pg_test]
    fn endpoints_are_ordered_by_path_then_method() {
        Spi::run(
            "create function b1() returns int language sql as 'select 1';
             comment on function b1() is 'HTTP POST /b';
             create function b2() returns int language sql as 'select 1';
             comment on function b2() is 'HTTP GET /b';
             create function a1() returns int language sql as 'select 1';
             comment on function a1() is 'HTTP PUT /a';",
        )
        .expect("created");
        let order = text_of("select string_agg(method || ' ' || path, ',') from endpoints()");
        assert_eq!(order.as_deref(), Some("PUT /a,GET /b,POST /b"));
    }

    #[pg_test]
    fn a_hostile_search_path_changes_nothing() {
        Spi::run(
            "create function logout_web() returns text[] language sql as $$select array['Cookies']$$;
             comment on function logout_web() is E'HTTP POST /auth/logout/web\\n@logout';
             create schema hostile;
             create function hostile.obj_description(oid, name) returns text language sql as $$select 'HTTP GET /hijacked'$$;
             create function hostile.lower(text) returns text language sql as $$select 'hijacked'$$;
             create function hostile.format_type(oid, int) returns text language sql as $$select 'hijacked'$$;
             create function hostile.oideq_always(oid, oid) returns bool language sql as 'select true';
             create operator hostile.= (leftarg = oid, rightarg = oid, function = hostile.oideq_always);
             create function hostile.chareq_never(\"char\", \"char\") returns bool language sql as 'select false';
             create operator hostile.= (leftarg = \"char\", rightarg = \"char\", function = hostile.chareq_never);",
        )
        .expect("created");
        let before = text_of("select jsonb_agg(e order by routine::text)::text from endpoints() e");
        let one_before = text_of("select routine_endpoint('logout_web()')::text");
        Spi::run("set search_path = hostile, pg_catalog, public").expect("set");
        let after =
            text_of("select jsonb_agg(e order by routine::text)::text from public.endpoints() e");
        let one_after = text_of("select public.routine_endpoint('public.logout_web()')::text");
        Spi::run("reset search_path").expect("reset");
        assert_eq!(after, before);
        assert_eq!(one_after, one_before);
        assert!(before.unwrap_or_default().contains("/auth/logout/web"));
    }

    #[pg_test]
    fn cached_rows_follow_catalog_changes() {
        Spi::run(
            "create function f() returns int language sql as 'select 1';
             comment on function f() is 'HTTP /one';",
        )
        .expect("created");
        let row =
            || text_of("select (select method || ' ' || path from endpoints() where name = 'f')");
        assert_eq!(row().as_deref(), Some("POST /one"));
        Spi::run("comment on function f() is 'HTTP /two'").expect("comment");
        assert_eq!(row().as_deref(), Some("POST /two"));
        Spi::run("create or replace function f() returns int stable language sql as 'select 1'")
            .expect("replace");
        assert_eq!(row().as_deref(), Some("GET /two"));
        Spi::run("alter function f() rename to g").expect("rename");
        assert_eq!(row(), None);
        assert_eq!(
            text_of("select routine::text || ' ' || (endpoint->>'routine') from endpoints() where name = 'g'").as_deref(),
            Some("g() g()")
        );
        Spi::run("set npgsqlrest_logout.comments_mode = 'Ignore'").expect("set");
        assert_eq!(
            text_of("select path from endpoints() where name = 'g'").as_deref(),
            Some("/api/g")
        );
    }

    /// The catalog readers work when parallel query is forced, and are
    /// marked so that the planner never runs them in parallel mode.
    #[pg_test]
    fn catalog_readers_are_never_run_in_parallel_mode() {
        Spi::run(
            "create function logout_web() returns text language sql as $$select 'Cookies'$$;
             comment on function logout_web() is E'HTTP POST /auth/logout/web\\n@logout';
             create table wide as select g from generate_series(1, 50000) g;
             analyze wide;
             set parallel_setup_cost = 0;
             set parallel_tuple_cost = 0;
             set min_parallel_table_scan_size = 0;",
        )
        .expect("fixture");
        // 15 calls the setting force_parallel_mode, 16 and later
        // debug_parallel_query: set whichever this server has.
        Spi::run(
            "select pg_catalog.set_config(name, 'on', false) from pg_catalog.pg_settings
              where name in ('force_parallel_mode', 'debug_parallel_query')",
        )
        .expect("parallel mode forced");
        let cases = [
            ("select count(*)::text from endpoints() where logout", "1"),
            (
                "select path::text from logout_endpoints",
                "/auth/logout/web",
            ),
            (
                "select routine_endpoint('logout_web()') ->> 'path'",
                "/auth/logout/web",
            ),
            (
                "select count(*)::text from wide
                  where g > 0 and routine_endpoint('logout_web()') is not null",
                "50000",
            ),
            (
                "select (count(*) >= 0)::text from annotation_problems()",
                "true",
            ),
        ];
        // Read with no row limit: SPI plans a limited query without
        // parallelism.
        let unlimited = |query: &str| {
            Spi::connect(|client| client.select(query, None, &[])?.first().get_one::<String>())
                .expect("the query runs")
        };
        for (query, expected) in cases {
            assert_eq!(unlimited(query).as_deref(), Some(expected), "{query}");
        }
        let marked = text_of(
            "select string_agg(proname || ' ' || proparallel::text, ', ' order by proname)
               from pg_catalog.pg_proc
              where proname in ('endpoints', 'routine_endpoint', 'annotation_problems')",
        );
        assert_eq!(
            marked.as_deref(),
            Some("annotation_problems u, endpoints u, routine_endpoint u")
        );
    }
}
