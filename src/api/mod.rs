//! The SQL-facing layer: each function converts Postgres values in and out
//! and calls the core.

mod annotations;
mod errors;
mod schemes;
pub mod settings;
mod value_walk;
#[cfg(any(test, feature = "pg_test"))]
mod test_support;
