//! The pure-Rust core: no Postgres types, so plain `cargo test` covers it.

pub mod annotations;
pub mod authorization;
pub mod binding;
pub mod document;
pub mod endpoint;
pub mod escapes;
pub mod json_names;
pub mod keywords;
pub mod naming;
pub mod pg_input;
pub mod routing;
pub mod schemes;
pub mod sql_file;

#[cfg(test)]
mod annotation_cases;
