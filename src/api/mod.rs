//! The SQL-facing layer: each function converts Postgres values in and out
//! and calls the core.

mod annotations;
mod any_argument;
#[cfg(any(test, feature = "pg_test"))]
mod asking_tests;
mod catalog;
mod direct_call;
pub mod endpoint_cache;
mod endpoints;
mod errors;
mod jsonb_arg;
mod jsonb_claims;
mod jsonb_names;
mod jsonb_out;
mod kept_plan;
mod logout_call;
pub mod memory_release;
mod pg_compat;
mod problems;
mod regprocedure;
mod resolved_parameters;
mod schemes;
mod server_text;
pub mod settings;
pub mod shared_candidates;
pub mod shared_endpoints;
mod sql_file;
#[cfg(any(test, feature = "pg_test"))]
mod test_support;
mod text_array;
mod user_context;
pub mod validation_rules;
pub mod value_walk;
mod varlena;
