//! npgsqlrest_logout: NpgsqlRest's comment annotations and `@logout`
//! semantics inside PostgreSQL.

use pgrx::prelude::*;

mod api;
pub mod core;

::pgrx::pg_module_magic!();

#[pg_guard]
pub extern "C-unwind" fn _PG_init() {
    api::settings::register();
    api::endpoint_cache::register();
    api::memory_release::register();
    api::value_walk::register();
    api::validation_rules::register();
    api::shared_candidates::register();
    api::shared_endpoints::register();
}

#[cfg(test)]
pub mod pg_test {
    pub fn setup(_options: Vec<&str>) {}

    pub fn postgresql_conf_options() -> Vec<&'static str> {
        vec![]
    }
}
