//! `resolve_logout_schemes` and `logout_schemes_agg`: a logout routine's
//! result in, the schemes to sign out of (empty = every scheme) out.

use pgrx::datum::Internal;
use pgrx::prelude::*;
use pgrx::{AnyElement, PgMemoryContexts, PgSqlErrorCode};

use super::errors::raise;
use super::value_walk::ValueWalker;
use crate::core::schemes::SchemeList;

/// The schemes named by `result`.
fn schemes_of(result: Option<AnyElement>) -> SchemeList {
    let mut list = SchemeList::new();
    if let Some(value) = result {
        ValueWalker::default().collect(value.datum(), value.oid(), &mut list);
    }
    list
}

/// Checks names against the schemes the caller has; NULL means no check.
fn within_available(list: SchemeList, available: Option<Vec<Option<String>>>) -> Vec<String> {
    let Some(available) = available else {
        return list.into_vec();
    };
    let available: Vec<String> = available.into_iter().flatten().collect();
    match list.within(&available) {
        Ok(names) => names,
        Err(unknown) => raise(
            PgSqlErrorCode::ERRCODE_INVALID_PARAMETER_VALUE,
            format!("logout scheme \"{}\" is not one of the available schemes", unknown.name),
            Some(format!("Available schemes: {}.", quoted_list(&unknown.available))),
            Some("Scheme names are case-sensitive; return one of the available schemes, or nothing to sign out of all."),
        ),
    }
}

fn quoted_list(names: &[String]) -> String {
    if names.is_empty() {
        return "none".to_string();
    }
    names
        .iter()
        .map(|n| format!("\"{n}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The schemes a logout result names; `{}` means every scheme.
#[pg_extern(stable, parallel_safe)]
fn resolve_logout_schemes(result: Option<AnyElement>) -> Vec<String> {
    schemes_of(result).into_vec()
}

/// As `resolve_logout_schemes(result)`, checked against the schemes the
/// front-end has: `{}` becomes all of them, an unknown name is an error.
#[pg_extern(stable, parallel_safe, name = "resolve_logout_schemes")]
fn resolve_logout_schemes_within(
    result: Option<AnyElement>,
    available_schemes: Option<Vec<Option<String>>>,
) -> Vec<String> {
    within_available(schemes_of(result), available_schemes)
}

/// Transition function of `logout_schemes_agg`: adds one row's schemes.
#[pg_extern(stable, parallel_safe)]
fn logout_schemes_agg_step(
    state: Option<Internal>,
    value: Option<AnyElement>,
    fcinfo: pg_sys::FunctionCallInfo,
) -> Option<Internal> {
    let mut aggregate_context = std::ptr::null_mut();
    // SAFETY: fcinfo is this call's; the function only checks the context.
    if unsafe { pg_sys::AggCheckCallContext(fcinfo, &mut aggregate_context) } == 0 {
        raise(
            PgSqlErrorCode::ERRCODE_FEATURE_NOT_SUPPORTED,
            "logout_schemes_agg_step can only be called by the aggregate logout_schemes_agg".into(),
            None,
            None,
        );
    }
    let mut state = state.filter(Internal::initialized).unwrap_or_else(|| {
        // SAFETY: the aggregate context outlives every call of the aggregate.
        unsafe {
            PgMemoryContexts::For(aggregate_context).switch_to(|_| Internal::new(SchemeList::new()))
        }
    });
    // SAFETY: this state was created above as a SchemeList.
    if let (Some(list), Some(value)) = (unsafe { state.get_mut::<SchemeList>() }, value) {
        ValueWalker::default().collect(value.datum(), value.oid(), list);
    }
    Some(state)
}

/// Final function of `logout_schemes_agg`.
#[pg_extern(stable, parallel_safe)]
fn logout_schemes_agg_final(state: Option<Internal>) -> Vec<String> {
    // SAFETY: the state was made by logout_schemes_agg_step.
    let list = state.and_then(|s| unsafe { s.get::<SchemeList>().cloned() });
    list.map(SchemeList::into_vec).unwrap_or_default()
}

extension_sql!(
    r#"
CREATE AGGREGATE logout_schemes_agg(anyelement) (
    SFUNC = @extschema@.logout_schemes_agg_step,
    STYPE = internal,
    FINALFUNC = @extschema@.logout_schemes_agg_final
);
COMMENT ON AGGREGATE logout_schemes_agg(anyelement) IS
    'The schemes named by all rows of a logout result; {} means every scheme.';
"#,
    name = "logout_schemes_agg",
    requires = [logout_schemes_agg_step, logout_schemes_agg_final],
);
