//! `call_logout` and `handle_logout`: what a thin HTTP front-end calls to
//! run a logout endpoint and learn which schemes to sign out of. The
//! request is handled in SPEC §11.6's order: route, authorize, bind the
//! client's arguments, fill user parameters, set the user context,
//! evaluate resolved parameters, validate, run, resolve schemes.

use std::cell::RefCell;
use std::ffi::CString;
use std::rc::{Rc, Weak};

use pgrx::prelude::*;
use pgrx::PgSqlErrorCode;
use serde_json::Value;

use super::catalog::ArgumentSlot;
use super::direct_call;
use super::endpoint_cache::{self, LogoutTarget, NoSuchRoutine, RouteMatch};
use super::errors::{raise, shorten};
use super::jsonb_arg::JsonbArg;
use super::jsonb_claims::JsonbDatum;
use super::kept_plan::{Argument, KeptPlan};
use super::regprocedure::RegProcedure;
use super::server_text::{ServerStr, ServerStrings};
use super::settings::{self, CLAIMS_JSON_PARAMETER, IP_ADDRESS_PARAMETER, PARAMETER_CLAIMS};
use super::text_array::TextArray;
use super::user_context;
use super::validation_rules::rules_named;
use super::value_walk::ValueWalker;
use crate::core::naming::camel_case;
use crate::core::request::authorization::{authorize, Denied};
use crate::core::request::binding::{bind, BindTarget};
use crate::core::request::claims::{json_kind, Caller, ClaimTypes, Claims};
use crate::core::request::options::HeadersMode;
use crate::core::request::pg_input::{input_text, InputError};
use crate::core::request::routing::{Request, RequestError};
use crate::core::request::server_filled::{
    bind_placeholders, names_parameter, server_filled, Fill, FillSettings,
};
use crate::core::schemes::SchemeList;

/// Runs a logout routine for a front-end; returns the schemes to sign out
/// of (`{}` = every scheme). Its C entry point is `call_logout_v2_wrapper`:
/// `call_logout_wrapper` stays the 0.1.0 one (below).
#[pg_extern(name = "call_logout", volatile, parallel_unsafe)]
fn call_logout_v2(
    routine: Option<RegProcedure>,
    args: default!(Option<JsonbDatum>, "'{}'"),
    user_roles: default!(Option<ServerStrings>, "NULL"),
    user_claims: default!(Option<JsonbDatum>, "NULL"),
    ip_address: default!(Option<ServerStr>, "NULL"),
    headers: default!(Option<JsonbArg>, "NULL"),
) -> TextArray {
    let Some(routine) = routine else {
        raise(
            PgSqlErrorCode::ERRCODE_NULL_VALUE_NOT_ALLOWED,
            "call_logout needs a routine".into(),
            None,
            Some("Pass the logout routine, e.g. 'logout_web()'::regprocedure."),
        );
    };
    let asking = Asking::new(user_roles, user_claims.as_ref(), ip_address, headers);
    let target = logout_target(routine.0);
    check_authorization(&target, &asking.caller);
    TextArray::of_schemes(&run(&target, object_arguments(args.as_ref()), &asking))
}

/// Finds the logout endpoint for an HTTP request and runs it as
/// `call_logout` does. The path may carry a `?query`, decoded into
/// arguments; `{name}` path segments bind parameters too. Its C entry point
/// is `handle_logout_v2_wrapper`.
#[pg_extern(name = "handle_logout", volatile, parallel_unsafe)]
fn handle_logout_v2(
    method: Option<ServerStr>,
    path: Option<ServerStr>,
    args: default!(Option<JsonbDatum>, "'{}'"),
    user_roles: default!(Option<ServerStrings>, "NULL"),
    user_claims: default!(Option<JsonbDatum>, "NULL"),
    ip_address: default!(Option<ServerStr>, "NULL"),
    headers: default!(Option<JsonbArg>, "NULL"),
) -> TextArray {
    let (Some(method), Some(path)) = (method.as_ref(), path.as_ref()) else {
        raise(
            PgSqlErrorCode::ERRCODE_NULL_VALUE_NOT_ALLOWED,
            "handle_logout needs a method and a path".into(),
            None,
            Some("Pass the request's method (e.g. 'POST') and path (e.g. '/auth/logout?x=1')."),
        );
    };
    let asking = Asking::new(user_roles, user_claims.as_ref(), ip_address, headers);
    let (method, path) = (method.as_str(), path.as_str());
    // A path without a query routed before to an endpoint that binds
    // nothing from it needs neither reading nor routing again.
    let remember = (!path.contains('?')).then_some((method, path));
    let known = remember.and_then(|_| endpoint_cache::routed_before(method, path));
    let (target, arguments) = match known {
        Some(target) => (target, Vec::new()),
        None => {
            let request = Request::parse(method, path).unwrap_or_else(
                |RequestError::BadPercentEncoding(part)| {
                    raise(
                        PgSqlErrorCode::ERRCODE_INVALID_PARAMETER_VALUE,
                        format!("invalid percent-encoding in request path: \"{part}\""),
                        None,
                        Some("Encode reserved characters as %XX with two hex digits, and text as UTF-8."),
                    )
                },
            );
            let (target, mut arguments) = route(&request, path, remember);
            arguments.extend(request.query);
            (target, arguments)
        }
    };
    check_authorization(&target, &asking.caller);
    let arguments = arguments.into_iter().map(|(k, v)| (k, Value::String(v)));
    let mut all: Vec<(String, Value)> = arguments.collect();
    all.extend(object_arguments(args.as_ref()));
    TextArray::of_schemes(&run(&target, all, &asking))
}

/// The 0.1.0 entry point of `call_logout(routine, args, user_roles)`: a
/// database not yet updated by `ALTER EXTENSION … UPDATE` calls it, with
/// three arguments, until then. Not part of the generated SQL.
#[pg_extern(sql = false, volatile, parallel_unsafe)]
fn call_logout(
    routine: Option<RegProcedure>,
    args: Option<JsonbDatum>,
    user_roles: Option<ServerStrings>,
) -> TextArray {
    call_logout_v2(routine, args, user_roles, None, None, None)
}

/// The 0.1.0 entry point of `handle_logout(method, path, args,
/// user_roles)`, as `call_logout` above.
#[pg_extern(sql = false, volatile, parallel_unsafe)]
fn handle_logout(
    method: Option<ServerStr>,
    path: Option<ServerStr>,
    args: Option<JsonbDatum>,
    user_roles: Option<ServerStrings>,
) -> TextArray {
    handle_logout_v2(method, path, args, user_roles, None, None, None)
}

/// Who is asking, as the front-end says: the caller and the request's
/// address and headers, their shapes checked on every call.
struct Asking<'a> {
    caller: Caller<'a>,
    ip_address: Option<String>,
    headers: Option<Value>,
}

impl<'a> Asking<'a> {
    fn new(
        user_roles: Option<ServerStrings>,
        user_claims: Option<&'a JsonbDatum>,
        ip_address: Option<ServerStr>,
        headers: Option<JsonbArg>,
    ) -> Asking<'a> {
        // Claims are read from jsonb's binary form; a value that reader
        // leaves alone (numbers, wrong shapes) is read as JSON, which
        // also says what is wrong with it.
        let claims = user_claims.map(|c| {
            c.claims().unwrap_or_else(|| {
                let value = c.json().unwrap_or_else(|reason| bad_input("user_claims", &reason));
                Claims::from_json(value).unwrap_or_else(|error| {
                    raise(
                        PgSqlErrorCode::ERRCODE_INVALID_PARAMETER_VALUE,
                        error.message(),
                        None,
                        Some("Pass the session's claims as an object, e.g. '{\"user_id\": \"42\", \"user_roles\": [\"admin\"]}'."),
                    )
                })
            })
        });
        let headers = headers.map(|h| match h.0 {
            Ok(value @ Value::Object(_)) => value,
            Ok(other) => raise(
                PgSqlErrorCode::ERRCODE_INVALID_PARAMETER_VALUE,
                format!(
                    "headers must be a JSON object of header name to value, not {}",
                    json_kind(&other)
                ),
                None,
                Some("Pass the request headers as an object, e.g. '{\"user-agent\": \"curl/8\"}'."),
            ),
            Err(reason) => bad_input("headers", &reason),
        });
        let caller = match (&user_roles, &claims) {
            (None, None) => Caller::default(),
            // Without claims there is no user id or name to read.
            (_, None) => settings::ROLE_CLAIM.with(|role| {
                let types = ClaimTypes {
                    role,
                    user_id: "",
                    user_name: "",
                };
                Caller::new(roles(user_roles), None, types)
            }),
            (_, Some(_)) => settings::ROLE_CLAIM.with(|role| {
                settings::USER_ID_CLAIM.with(|user_id| {
                    settings::USER_NAME_CLAIM.with(|user_name| {
                        let types = ClaimTypes {
                            role,
                            user_id,
                            user_name,
                        };
                        Caller::new(roles(user_roles), claims, types)
                    })
                })
            }),
        };
        Asking {
            caller,
            ip_address: ip_address.map(|ip| ip.as_str().to_string()),
            headers,
        }
    }

    /// The headers as JSON text: `{}` when the front-end passed none.
    fn headers_json(&self) -> String {
        self.headers
            .as_ref()
            .map_or_else(|| "{}".to_string(), Value::to_string)
    }
}

fn bad_input(what: &str, reason: &str) -> ! {
    raise(
        PgSqlErrorCode::ERRCODE_INVALID_PARAMETER_VALUE,
        format!("{what} cannot be read: {reason}"),
        None,
        reason
            .contains("recursion limit")
            .then_some("JSON values nest at most 128 levels deep."),
    )
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
fn route(
    request: &Request,
    path: &str,
    remember: Option<(&str, &str)>,
) -> (Rc<LogoutTarget>, Vec<(String, String)>) {
    match endpoint_cache::route(&request.method, &request.segments, remember) {
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

fn check_authorization(target: &LogoutTarget, caller: &Caller) {
    let name = &target.routine.info.signature;
    let access = &target.summary;
    let names = caller.authenticated.then(|| caller.names());
    match authorize(access.requires_authorization, &access.authorize_roles, names) {
        Ok(()) => {}
        Err(Denied::Anonymous) => raise(
            PgSqlErrorCode::ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION,
            format!("{name} requires an authenticated user"),
            Some("user_roles and user_claims are NULL, which means an anonymous caller.".into()),
            Some("Pass the authenticated user's claims as user_claims, or their roles as user_roles (an empty array for a user without roles)."),
        ),
        Err(Denied::MissingRole { required }) => raise(
            PgSqlErrorCode::ERRCODE_INSUFFICIENT_PRIVILEGE,
            format!("{name} requires one of the roles {}", required.join(", ")),
            Some(format!(
                "The caller's roles: {}; @authorize also matches the user id and user name claims.",
                shorten(&caller.roles().join(", "))
            )),
            None,
        ),
    }
}

/// The members of a JSON object argument, in order; none for `{}`
/// without reading it as JSON.
fn object_arguments(args: Option<&JsonbDatum>) -> Vec<(String, Value)> {
    let args = match args {
        Some(args) if !args.is_empty_object() => args.json(),
        _ => return Vec::new(),
    };
    match args {
        Ok(Value::Object(map)) => map.into_iter().collect(),
        Ok(other) => raise(
            PgSqlErrorCode::ERRCODE_INVALID_PARAMETER_VALUE,
            format!("args must be a JSON object, not {}", json_kind(&other)),
            None,
            Some("Pass the request body's fields as an object, e.g. '{\"_scheme\": \"Cookies\"}'."),
        ),
        Err(reason) => raise(
            PgSqlErrorCode::ERRCODE_INVALID_PARAMETER_VALUE,
            format!("args cannot be read: {reason}"),
            None,
            reason
                .contains("recursion limit")
                .then_some("Arguments nest at most 128 levels deep."),
        ),
    }
}

/// A parameter's value as input text: None while it keeps its routine
/// default, Some(None) for NULL.
type Slot = Option<Option<String>>;

/// Binds the client's arguments, fills what the server fills, resolves
/// and validates, then runs the routine as the caller and reads every row
/// and column of its result.
fn run(target: &Rc<LogoutTarget>, args: Vec<(String, Value)>, asking: &Asking) -> SchemeList {
    let info = &target.routine.info;
    let options = &target.options;
    let user_context = options
        .user_context
        .unwrap_or_else(settings::use_user_context);
    let user_parameters = options
        .user_parameters
        .unwrap_or_else(settings::use_user_parameters);
    let headers_mode = options
        .headers_mode
        .unwrap_or_else(settings::request_headers_mode);
    let fills = if user_parameters
        || headers_mode == HeadersMode::Parameter
        || !options.resolved.is_empty()
    {
        fills(target, user_parameters, headers_mode)
    } else {
        Vec::new()
    };
    let filled = |i: usize| fills.get(i).is_some_and(Option::is_some);
    let targets: Vec<BindTarget> = info
        .parameters
        .iter()
        .enumerate()
        .map(|(i, p)| BindTarget {
            name: p.name.as_deref(),
            has_default: p.has_default,
            server_filled: filled(i),
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
    let mut slots: Vec<Slot> = vec![None; info.parameters.len()];
    for (index, value) in bound {
        slots[index] = Some(client_text(target, index, &value));
    }
    for (index, fill) in fills.iter().enumerate() {
        if let Some(fill) = fill {
            fill_parameter(target, index, fill, asking, &mut slots);
        }
    }
    if user_context {
        user_context::set_user_context(&asking.caller, asking.ip_address.as_deref());
    }
    if headers_mode == HeadersMode::Context {
        user_context::set_headers(&asking.headers_json());
    }
    for (name, sql) in &options.resolved {
        resolve(target, name, sql, &mut slots);
    }
    validate(target, &slots);
    let bound: Vec<(usize, Option<pg_sys::Datum>)> = slots
        .iter()
        .enumerate()
        .filter_map(|(i, slot)| {
            slot.as_ref()
                .map(|text| (i, input_datum(target, i, text.as_deref())))
        })
        .collect();
    let datums: Vec<Option<pg_sys::Datum>> = bound.iter().map(|(_, d)| *d).collect();
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

/// What the server fills, for each parameter, under the settings in force.
fn fills(
    target: &LogoutTarget,
    user_parameters: bool,
    headers_mode: HeadersMode,
) -> Vec<Option<Fill>> {
    let options = &target.options;
    let parameter_claims = if user_parameters {
        settings::mapping(&PARAMETER_CLAIMS)
    } else {
        Rc::from([])
    };
    let claims_json_parameter = CLAIMS_JSON_PARAMETER.get();
    let ip_address_parameter = IP_ADDRESS_PARAMETER.get();
    let headers_parameter = (headers_mode == HeadersMode::Parameter).then(|| {
        options
            .headers_parameter
            .clone()
            .unwrap_or_else(|| settings::REQUEST_HEADERS_PARAMETER.get())
    });
    let names: Vec<Option<&str>> = target
        .routine
        .info
        .parameters
        .iter()
        .map(|p| p.name.as_deref())
        .collect();
    let fill_settings = FillSettings {
        user_parameters,
        parameter_claims: &parameter_claims,
        claims_json_parameter: &claims_json_parameter,
        ip_address_parameter: &ip_address_parameter,
        headers_parameter: headers_parameter.as_deref(),
    };
    server_filled(&names, &fill_settings, &options.resolved)
}

/// Fills a user parameter or the headers parameter. An anonymous caller's
/// claim parameters keep their routine default, or are NULL without one;
/// a claim the caller lacks is NULL.
fn fill_parameter(
    target: &LogoutTarget,
    index: usize,
    fill: &Fill,
    asking: &Asking,
    slots: &mut [Slot],
) {
    let caller = &asking.caller;
    let anonymous_value = || (!target.routine.info.parameters[index].has_default).then_some(None);
    slots[index] = match fill {
        Fill::Resolved => return,
        Fill::IpAddress => Some(asking.ip_address.clone()),
        Fill::Headers => Some(Some(asking.headers_json())),
        Fill::ClaimsJson if caller.authenticated => Some(Some(caller.claims.to_json().to_string())),
        Fill::Claim(claim) if caller.authenticated => {
            let kind = target.inputs[index].kind;
            let value = caller
                .claims
                .get(claim)
                .map_or(Value::Null, |v| v.parameter_value(kind));
            Some(input_text(&value, kind).ok().flatten())
        }
        Fill::ClaimsJson | Fill::Claim(_) => anonymous_value(),
    };
}

/// Evaluates a resolved parameter's expression, its `{name}`
/// placeholders bound to the other parameters' current values as text.
fn resolve(target: &LogoutTarget, name: &str, sql: &str, slots: &mut [Slot]) {
    let parameters = &target.routine.info.parameters;
    let Some(index) = parameters
        .iter()
        .position(|p| p.name.as_deref() == Some(name))
    else {
        return;
    };
    let (sql, bound) = bind_placeholders(sql, |placeholder| {
        parameters.iter().position(|p| {
            p.name
                .as_deref()
                .is_some_and(|n| names_parameter(n, placeholder))
        })
    });
    let values: Vec<Option<&str>> = bound
        .iter()
        .map(|i| slots[*i].as_ref().and_then(|v| v.as_deref()))
        .collect();
    slots[index] = Some(super::resolved_parameters::evaluate(&sql, &values));
}

/// Checks each `validate` rule, in the order written, against the values
/// of parameters that do not keep their default; the first failure
/// raises 22023 with the rule's message.
fn validate(target: &LogoutTarget, slots: &[Slot]) {
    let validations = &target.options.validations;
    if validations.is_empty() {
        return;
    }
    let rules = rules_named(validations.iter().map(|(_, rule)| rule.as_str()));
    let parameters = &target.routine.info.parameters;
    for ((parameter, _), rule) in validations.iter().zip(rules) {
        let Some(index) = parameters
            .iter()
            .position(|p| p.name.as_deref() == Some(parameter))
        else {
            continue;
        };
        let Some(value) = &slots[index] else {
            continue;
        };
        if !rule.passes(value.as_deref()) {
            raise(
                PgSqlErrorCode::ERRCODE_INVALID_PARAMETER_VALUE,
                rule.message_for(parameter, &camel_case(parameter)),
                Some(format!(
                    "validation rule \"{}\" failed for parameter \"{parameter}\" (HTTP status {})",
                    rule.name, rule.status_code
                )),
                None,
            );
        }
    }
}

/// The call of the routine with the bound parameters: `CALL` for a
/// procedure, `SELECT * FROM` for a set-returning function of a named row
/// or scalar type, plain `SELECT` otherwise (which lets the planner inline a simple SQL function).
/// Identifiers come from the catalog, quoted; values are parameters.
fn call_sql(target: &LogoutTarget, indices: &[usize]) -> String {
    let routine = &target.routine;
    let info = &routine.info;
    // A set-returning function of `record` (no OUT parameters to name its
    // columns) is called in the select list: each row is one record value.
    let anonymous_record = routine.return_type == pg_sys::RECORDOID;
    let verb = match (info.is_procedure, info.returns_set, anonymous_record) {
        (true, _, _) => "CALL ",
        (false, true, false) => "SELECT * FROM ",
        (false, _, _) => "SELECT ",
    };
    // The n-th bound parameter is $n+1, with VARIADIC before it (or its
    // name) for a VARIADIC parameter.
    let variadic = |input: usize| {
        if routine.variadic == Some(input) {
            "VARIADIC "
        } else {
            ""
        }
    };
    let number = |input: usize| indices.iter().position(|i| *i == input).map(|n| n + 1);
    let bound = |input: usize| number(input).map(|n| format!("{}${n}", variadic(input)));
    let named = |input: usize| {
        let name = info.parameters[input].name.as_deref().unwrap_or_default();
        number(input).map(|n| format!("{}{} => ${n}", variadic(input), sql_identifier(name)))
    };
    if !info.is_procedure {
        let arguments: Vec<String> = indices.iter().filter_map(|i| named(*i)).collect();
        return format!(
            "{verb}{}({})",
            sql_qualified(&info.schema, &info.name),
            arguments.join(", ")
        );
    }
    // A procedure's OUT arguments are passed as NULL: by name, or, up to
    // the last unnamed one, by position (mixed notation).
    let positional = routine
        .arguments
        .iter()
        .rposition(|a| *a == ArgumentSlot::Output(None))
        .map_or(0, |last| last + 1);
    let mut arguments: Vec<String> = Vec::new();
    for (at, slot) in routine.arguments.iter().enumerate() {
        let text = match slot {
            ArgumentSlot::Output(_) if at < positional => Some("NULL".to_string()),
            ArgumentSlot::Output(name) => name
                .as_deref()
                .map(|n| format!("{} => NULL", sql_identifier(n))),
            ArgumentSlot::Input(input) if at < positional => match bound(*input) {
                Some(value) => Some(value),
                None => raise(
                    PgSqlErrorCode::ERRCODE_INVALID_PARAMETER_VALUE,
                    format!(
                        "cannot call {}: parameter {} comes before an unnamed OUT parameter, so it must be given",
                        info.signature,
                        info.parameters[*input].name.as_deref().unwrap_or("(unnamed)")
                    ),
                    None,
                    Some("Name the procedure's OUT parameters, or pass every parameter before them."),
                ),
            },
            ArgumentSlot::Input(input) => named(*input),
        };
        arguments.extend(text);
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

/// A client's JSON value as the parameter type's input text (None for
/// NULL).
fn client_text(target: &LogoutTarget, index: usize, value: &Value) -> Option<String> {
    let input = target.inputs[index];
    input_text(value, input.kind).unwrap_or_else(|error| {
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
    })
}

/// A parameter's input text as a datum of its type, through the type's
/// input function: values are bound, never spliced into SQL text.
fn input_datum(target: &LogoutTarget, index: usize, text: Option<&str>) -> Option<pg_sys::Datum> {
    let input = target.inputs[index];
    let text = text?;
    let text = super::server_text::to_server(text);
    let text = CString::new(text.into_owned()).unwrap_or_else(|_| {
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

thread_local! {
    /// The last call's plan, with the endpoint and the parameters it was
    /// prepared for: a front-end calls the same endpoint over and over,
    /// and this skips the cache's lookup. An endpoint belongs to one state
    /// of the endpoint cache (a new state has new endpoints), as do its
    /// plans; the weak reference keeps the endpoint's address from being
    /// reused.
    static LAST_PLAN: RefCell<Option<LastPlan>> = const { RefCell::new(None) };
}

struct LastPlan {
    target: Weak<LogoutTarget>,
    indices: Vec<usize>,
    plan: Rc<KeptPlan>,
}

/// The kept plan that calls `target` with the parameters at `indices`.
fn plan_for(target: &Rc<LogoutTarget>, indices: &[usize], types: &[pg_sys::Oid]) -> Rc<KeptPlan> {
    let remembered = LAST_PLAN.with(|last| {
        last.borrow()
            .as_ref()
            .filter(|l| l.target.as_ptr() == Rc::as_ptr(target) && l.indices == indices)
            .map(|l| Rc::clone(&l.plan))
    });
    if let Some(plan) = remembered {
        return plan;
    }
    let plan = endpoint_cache::plan(target.routine.oid, indices.to_vec(), || {
        KeptPlan::prepare(&call_sql(target, indices), types)
    });
    LAST_PLAN.with(|last| {
        *last.borrow_mut() = Some(LastPlan {
            target: Rc::downgrade(target),
            indices: indices.to_vec(),
            plan: Rc::clone(&plan),
        })
    });
    plan
}

/// Runs the call and collects the schemes of every row and column.
fn execute(target: &Rc<LogoutTarget>, indices: Vec<usize>, arguments: &[Argument]) -> SchemeList {
    let types: Vec<pg_sys::Oid> = arguments.iter().map(|(_, t)| *t).collect();
    let plan = plan_for(target, &indices, &types);
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

    /// The seed's routines, with string bodies so that they load on 13 too
    /// (`begin_atomic_bodies` runs the seed's own BEGIN ATOMIC ones, 14+).
    const SEED: &str = "
        create table sessions (user_id int, token text);
        insert into sessions values (1, 'a'), (2, 'b');
        create function logout_cookie() returns text language sql as $$ select 'Cookies'::text $$;
        comment on function logout_cookie() is E'HTTP POST /auth/logout/cookie\\n@logout\\n@authorize';
        create function logout_web() returns text[] language sql as $$ select array['Cookies', 'Bearer']::text[] $$;
        comment on function logout_web() is E'HTTP POST /auth/logout/web\\n@logout\\n@authorize';
        create function smart_logout(_scheme text default null) returns text language sql as $$ select _scheme $$;
        comment on function smart_logout(text) is E'HTTP POST /auth/logout\\n@logout\\n@authorize';
        create function signout() returns void language sql as $$ delete from sessions where user_id = 1 $$;
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

    // BEGIN ATOMIC bodies, as the seed writes them, are PostgreSQL 14+.
    #[cfg(not(feature = "pg13"))]
    #[pg_test]
    fn begin_atomic_bodies() {
        Spi::run(
            "create table sessions (user_id int, token text);
             insert into sessions values (1, 'a'), (2, 'b');
             create function logout_web() returns text[] language sql
                 begin atomic; select array['Cookies', 'Bearer']::text[]; end;
             comment on function logout_web() is E'HTTP POST /auth/logout/web\\n@logout\\n@authorize';
             create function smart_logout(_scheme text default null) returns text language sql
                 begin atomic; select _scheme; end;
             comment on function smart_logout(text) is E'HTTP POST /auth/logout\\n@logout\\n@authorize';
             create function signout() returns void language sql
                 begin atomic; delete from sessions where user_id = 1; end;
             comment on function signout() is E'HTTP POST\\n@logout\\n@authorize';",
        )
        .expect("seed");
        let cases = [
            (
                "call_logout('logout_web()', '{}', '{}')",
                "{Cookies,Bearer}",
            ),
            ("call_logout('smart_logout(text)', '{}', '{}')", "{}"),
            (
                "call_logout('smart_logout(text)', '{\"_scheme\": \"Cookies\"}', '{}')",
                "{Cookies}",
            ),
            (
                "handle_logout('POST', '/auth/logout/web', '{}', '{}')",
                "{Cookies,Bearer}",
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
    fn set_returning_records_and_a_null_routine() {
        Spi::run(
            "create function recs() returns setof record language sql as
               $$ values ('Cookies'::text, 'Jwt'::text), ('Bearer', null) $$;
             comment on function recs() is E'HTTP POST /recs\\n@logout';",
        )
        .expect("created");
        assert_eq!(
            call("call_logout('recs()')").as_deref(),
            Some("{Cookies,Jwt,Bearer}")
        );
        assert_eq!(
            call("handle_logout('POST', '/recs')").as_deref(),
            Some("{Cookies,Jwt,Bearer}")
        );
        assert_eq!(
            sqlstate_of("select call_logout(null)").as_deref(),
            Some("22004")
        );
    }

    // OUT parameters of procedures are PostgreSQL 14+.
    #[cfg(not(feature = "pg13"))]
    #[pg_test]
    fn procedures_with_unnamed_out_parameters() {
        Spi::run(
            "create procedure unnamed_out(out text) language plpgsql as $$ begin $1 := 'Cookies'; end $$;
             comment on procedure unnamed_out() is E'HTTP POST /unnamed-out\\n@logout';
             create procedure mixed_out(who text, out text, out named text, inout extra text default 'x')
                 language plpgsql as $$ begin $2 := who; extra := extra || '!'; named := 'N'; end $$;
             comment on procedure mixed_out(text, text, text, text) is E'HTTP POST /mixed-out\\n@logout';",
        )
        .expect("created");
        assert_eq!(
            call("call_logout('unnamed_out()')").as_deref(),
            Some("{Cookies}")
        );
        assert_eq!(
            call("handle_logout('POST', '/mixed-out', '{\"who\": \"Bearer\"}')").as_deref(),
            Some("{Bearer,N,x!}")
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
    fn args_from_a_table_empty_or_not() {
        Spi::run(SEED).expect("seed");
        // Stored values have short headers; '{}' is read from its header,
        // anything else as JSON.
        Spi::run(
            "create temp table requests(at int, args jsonb);
             insert into requests values (1, '{}'), (2, '{\"_scheme\": \"Jwt\"}'), (3, '[]'),
                 (4, 'null'), (5, '{\"_scheme\": null}'), (6, '{\"nothing\": {}}')",
        )
        .expect("requests");
        let at = |n: i32| {
            call(&format!(
                "handle_logout('POST', '/auth/logout', (select args from requests where at = {n}), '{{}}')"
            ))
        };
        assert_eq!(at(1).as_deref(), Some("{}"));
        assert_eq!(at(2).as_deref(), Some("{Jwt}"));
        assert_eq!(at(5).as_deref(), Some("{}"));
        for n in [3, 4, 6] {
            let sql = format!(
                "select handle_logout('POST', '/auth/logout', (select args from requests where at = {n}), '{{}}')"
            );
            assert_eq!(sqlstate_of(&sql).as_deref(), Some("22023"), "{sql}");
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
    fn a_routine_that_failed_runs_again_in_the_same_transaction() {
        Spi::run(
            "create function div_logout(d int) returns text language sql as $$ select (10 / d)::text $$;
             comment on function div_logout(int) is E'HTTP POST /div\\n@logout';",
        )
        .expect("created");
        let at = |d: i32| call(&format!("handle_logout('POST', '/div', '{{\"d\": {d}}}')"));
        assert_eq!(at(2).as_deref(), Some("{5}"));
        assert_eq!(at(5).as_deref(), Some("{2}"));
        assert_eq!(
            sqlstate_of("select handle_logout('POST', '/div', '{\"d\": 0}')").as_deref(),
            Some("22012")
        );
        assert_eq!(at(5).as_deref(), Some("{2}"));
        assert_eq!(at(10).as_deref(), Some("{1}"));
        // The plan changes within the transaction: the new one is used.
        Spi::run("create or replace function div_logout(d int) returns text language sql as $$ select (100 / d)::text $$")
            .expect("replaced");
        assert_eq!(at(10).as_deref(), Some("{10}"));
        assert_eq!(at(4).as_deref(), Some("{25}"));
    }

    #[pg_test]
    fn claims_read_in_place_match_the_json_reading() {
        Spi::run(
            "create function claims_ctx() returns text language sql
                 as $$ select current_setting('request.user_id') || '/' || current_setting('request.claims') $$;
             comment on function claims_ctx() is E'HTTP POST /claims-ctx\\n@logout\\n@user_context';
             set local npgsqlrest_logout.claims_json_context_key = 'request.claims';",
        )
        .expect("created");
        // Forty claims and more (jsonb keeps an offset on every 32nd
        // entry), of every shape the binary reader takes; a number sends
        // the whole value the JSON way.
        let mut members: Vec<String> = (0..40).map(|i| format!("\"c{i}\": \"v{i}\"")).collect();
        members.extend(
            [
                "\"Ünï\": \"é€\"",
                "\"b\": true",
                "\"f\": false",
                "\"n\": null",
                "\"a\": [\"x\", true, \"\", \"y z\"]",
                "\"e\": []",
                "\"USER_ID\": \"U\"",
                "\"user_id\": \"u\"",
                "\"q\": \"a\\\"b\\\\c\\n\"",
                "\"user_roles\": \"one\"",
            ]
            .map(String::from),
        );
        let in_place = format!("{{{}}}", members.join(", "));
        let as_json = format!("{{{}, \"zz\": 1}}", members.join(", "));
        let got = |claims: &str| {
            text_of(&format!(
                "select (handle_logout('POST', '/claims-ctx', user_claims => '{claims}'))[1]"
            ))
        };
        let (fast, slow) = (got(&in_place), got(&as_json));
        assert!(
            fast.as_deref().is_some_and(|f| f.starts_with("u/{")),
            "{fast:?}"
        );
        assert_eq!(fast, slow.map(|s| s.replace(",\"zz\":\"1\"", "")));
    }

    /// A request routed before is answered from what it was routed to
    /// only while the routes are those it was routed by: each change
    /// another call would see (a moved path, a replaced body, a new
    /// prefix, a dropped routine) is seen after it too; a query, a
    /// templated path and more requests than are remembered still route.
    #[pg_test]
    fn a_request_routed_before_follows_every_change() {
        Spi::run(
            "create function again() returns text language sql as $$select 'A'$$;
             comment on function again() is E'HTTP POST /again\\n@logout';
             create function again_for(p text) returns text language sql as $$select p$$;
             comment on function again_for(text) is E'HTTP POST /again/{p}\\n@logout';",
        )
        .expect("created");
        let at = |path: &str| call(&format!("handle_logout('POST', '{path}')"));
        let state_at = |path: &str| sqlstate_of(&format!("select handle_logout('POST', '{path}')"));
        for _ in 0..3 {
            assert_eq!(at("/again").as_deref(), Some("{A}"));
            assert_eq!(at("/AGAIN/").as_deref(), Some("{A}"));
            assert_eq!(at("/again/x").as_deref(), Some("{x}"));
            assert_eq!(at("/again/y").as_deref(), Some("{y}"));
            assert_eq!(at("/again/z?").as_deref(), Some("{z}"));
            assert_eq!(state_at("/again?p=q").as_deref(), Some("22023"));
        }
        // More distinct requests than are remembered, each spelled anew.
        for n in 0..40usize {
            let spelled: String = "again"
                .chars()
                .enumerate()
                .map(|(i, c)| {
                    if n & (1 << i) != 0 {
                        c.to_ascii_uppercase()
                    } else {
                        c
                    }
                })
                .collect();
            let path = format!("/{spelled}{}", "/".repeat(n / 32));
            assert_eq!(at(&path).as_deref(), Some("{A}"), "{path}");
            assert_eq!(at(&path).as_deref(), Some("{A}"), "{path}, again");
            assert_eq!(
                at(&format!("/again/n{n}")).as_deref(),
                Some(format!("{{n{n}}}").as_str())
            );
        }
        Spi::run("create or replace function again() returns text language sql as $$select 'B'$$")
            .expect("replace");
        assert_eq!(at("/again").as_deref(), Some("{B}"));
        Spi::run("comment on function again() is E'HTTP POST /moved\\n@logout'").expect("comment");
        assert_eq!(state_at("/again").as_deref(), Some("42883"));
        assert_eq!(at("/moved").as_deref(), Some("{B}"));
        assert_eq!(at("/moved").as_deref(), Some("{B}"));
        Spi::run("comment on function again() is E'HTTP POST\\n@logout'").expect("comment");
        assert_eq!(at("/api/again").as_deref(), Some("{B}"));
        Spi::run("set local npgsqlrest_logout.url_prefix = '/v2'").expect("set");
        assert_eq!(state_at("/api/again").as_deref(), Some("42883"));
        assert_eq!(at("/v2/again").as_deref(), Some("{B}"));
        Spi::run("drop function again()").expect("drop");
        assert_eq!(state_at("/v2/again").as_deref(), Some("42883"));
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

    // OUT parameters of procedures are PostgreSQL 14+.
    #[cfg(not(feature = "pg13"))]
    #[pg_test]
    fn a_procedure_out_parameter_before_a_defaulted_one() {
        Spi::run(
            "create procedure p_out(out schemes text, in who int default 1) language plpgsql
                 as $$begin schemes := 'Out' || who; end$$;
             comment on procedure p_out(int) is E'HTTP POST /p-out\\n@logout';",
        )
        .expect("created");
        assert_eq!(call("call_logout('p_out(int)')").as_deref(), Some("{Out1}"));
        assert_eq!(
            call("call_logout('p_out(int)', '{\"who\": 5}')").as_deref(),
            Some("{Out5}")
        );
    }
}
