//! `routine_endpoint`, `endpoints()` and the view `logout_endpoints`: the
//! endpoints NpgsqlRest would create, read from the catalog.

use pgrx::prelude::*;
use pgrx::JsonB;

use super::catalog::{self, CatalogRoutine};
use super::regprocedure::RegProcedure;
use super::settings;
use crate::core::endpoint::{endpoint, Endpoint, EndpointOptions};

/// The endpoint of one catalog routine under the current settings.
pub fn endpoint_of(routine: &CatalogRoutine) -> Option<Endpoint> {
    if !routine.is_plain {
        return None;
    }
    let url_prefix = settings::url_prefix();
    let options = EndpointOptions {
        url_prefix: &url_prefix,
        mode: settings::comments_mode().into(),
    };
    endpoint(&routine.info, options, &mut || {
        pgrx::check_for_interrupts!();
    })
}

/// The endpoint NpgsqlRest would create for `routine`, or NULL.
#[pg_extern(stable, parallel_safe)]
fn routine_endpoint(routine: RegProcedure) -> Option<JsonB> {
    let routine = catalog::routine(routine.0)?;
    endpoint_of(&routine).map(|e| JsonB(e.to_json(&routine.info)))
}

/// Every endpoint in the database visible to the current user, ordered by
/// path, then method.
#[pg_extern(stable, parallel_safe)]
fn endpoints() -> TableIterator<
    'static,
    (
        name!(routine, RegProcedure),
        name!(schema, String),
        name!(name, String),
        name!(method, String),
        name!(path, String),
        name!(request_param_type, String),
        name!(requires_authorization, bool),
        name!(authorize_roles, Vec<String>),
        name!(allow_anonymous, bool),
        name!(login, bool),
        name!(logout, bool),
        name!(endpoint, JsonB),
    ),
> {
    let mut rows: Vec<(CatalogRoutine, Endpoint)> = catalog::listed_routines()
        .into_iter()
        .filter_map(|r| endpoint_of(&r).map(|e| (r, e)))
        .collect();
    rows.sort_by(|(_, a), (_, b)| (&a.path, &a.method).cmp(&(&b.path, &b.method)));
    TableIterator::new(rows.into_iter().map(|(routine, e)| {
        let json = JsonB(e.to_json(&routine.info));
        (
            RegProcedure(routine.oid),
            routine.info.schema,
            routine.info.name,
            e.method,
            e.path,
            e.request_param_type.to_string(),
            e.doc.requires_authorization,
            e.doc.authorize_roles,
            e.doc.allow_anonymous,
            e.doc.login,
            e.doc.logout,
            json,
        )
    }))
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
